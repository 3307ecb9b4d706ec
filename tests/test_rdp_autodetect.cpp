// SPDX-License-Identifier: MIT
// Auto-detect (MS-RDPBCGR 2.2.14), multitransport (2.2.15) and the licensing
// error message (2.2.1.12.1.3): byte vectors laid out field by field as the
// specification's structure definitions give them (MS-RDPBCGR section 4 has
// annotated examples only for the licensing PDU: 4.1.12), through
// rdpsec::decode as McsStage calls it, and the malformed cases.
#include <catch2/catch.hpp>

#include <vector>

#include "dissect/rdp_autodetect.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_security.hpp"

using namespace rdpscope;
using B = std::vector<std::uint8_t>;

namespace {

Bytes view(const B& b) { return Bytes(b.data(), b.size()); }

}  // namespace

TEST_CASE("MS-RDPBCGR 4.1.12 Server License Error PDU - Valid Client: codes and state transition named", "[rdpsec][autodetect]") {
    // The 4.1.12 example's security header and licensing data (after the MCS
    // Send Data Indication): flags 0x0080 SEC_LICENSE_PKT, flagsHi 0;
    // bMsgType 0xff ERROR_ALERT, flags 0x03 (PREAMBLE_VERSION_3_0), wMsgSize
    // 16; dwErrorCode 7 STATUS_VALID_CLIENT; dwStateTransition 2
    // ST_NO_TRANSITION; bbErrorInfo wBlobType 4 BB_ERROR_BLOB, wBlobLen 0.
    const B pdu = {0x80, 0x00, 0x00, 0x00, 0xff, 0x03, 0x10, 0x00, 0x07, 0x00,
                   0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00};
    auto sec = rdpsec::decode(view(pdu));
    REQUIRE(sec.ok());
    const auto& l = std::get<rdpsec::License>(sec->body);
    REQUIRE(l.msg_type);
    CHECK(names::license_msg_type(*l.msg_type) == "ERROR_ALERT");
    CHECK(l.preamble_flags == 0x03);
    CHECK(l.msg_size == 16);
    CHECK(names::license_error_code(*l.error_code) == "STATUS_VALID_CLIENT");
    REQUIRE(l.state_transition);
    CHECK(names::license_state_transition(*l.state_transition) == "ST_NO_TRANSITION");
    CHECK(l.error_blob_type == std::optional<std::uint16_t>(4));
    CHECK(l.error_blob_length == std::optional<std::uint16_t>(0));
    // The other transitions of 2.2.1.12.1.3, and an unknown one.
    CHECK(names::license_state_transition(1) == "ST_TOTAL_ABORT");
    CHECK(names::license_state_transition(3) == "ST_RESET_PHASE_TO_START");
    CHECK(names::license_state_transition(4) == "ST_RESEND_LAST_MESSAGE");
    CHECK(names::license_state_transition(5).empty());
    CHECK(names::license_error_code(0x08) == "ERR_INVALID_CLIENT");
    CHECK(names::license_error_code(0x06) == "ERR_NO_LICENSE_SERVER");
}

TEST_CASE("auto-detect: RTT request and response, 2.2.14.1.1 and 2.2.14.2.1", "[rdpsec][autodetect]") {
    // Basic security header SEC_AUTODETECT_REQ (0x1000); RDP_RTT_REQUEST:
    // headerLength 6, TYPE_ID_AUTODETECT_REQUEST, sequenceNumber 5,
    // requestType 0x0001 (connect-time).
    const B req = {0x00, 0x10, 0x00, 0x00, 0x06, 0x00, 0x05, 0x00, 0x01, 0x00};
    auto sec = rdpsec::decode(view(req));
    REQUIRE(sec.ok());
    const auto& a = std::get<rdpsec::AutoDetect>(sec->body);
    REQUIRE(a.message);
    CHECK(a.message->request());
    CHECK(a.message->header_length == 6);
    CHECK(a.message->sequence_number == 5);
    CHECK(a.message->type == 0x0001);
    CHECK(autodetect::message_name(0, a.message->type) == "RDP_RTT_REQUEST");
    // SEC_AUTODETECT_RSP (0x2000); RDP_RTT_RESPONSE: 6, TYPE_ID_AUTODETECT_RESPONSE, 5, 0x0000.
    const B rsp = {0x00, 0x20, 0x00, 0x00, 0x06, 0x01, 0x05, 0x00, 0x00, 0x00};
    auto r = rdpsec::decode(view(rsp));
    REQUIRE(r.ok());
    const auto& ra = std::get<rdpsec::AutoDetect>(r->body);
    REQUIRE(ra.message);
    CHECK_FALSE(ra.message->request());
    CHECK(autodetect::message_name(1, ra.message->type) == "RDP_RTT_RESPONSE");
}

TEST_CASE("auto-detect: bandwidth payload, results, network characteristics", "[rdpsec][autodetect]") {
    // 2.2.14.1.3 RDP_BW_PAYLOAD: 8, 0, seq 2, 0x0002, payloadLength 3, 3 bytes.
    auto pay = autodetect::decode(view(B{0x08, 0x00, 0x02, 0x00, 0x02, 0x00, 0x03, 0x00, 0xaa, 0xbb, 0xcc}));
    REQUIRE(pay.ok());
    CHECK(pay->payload_length == std::optional<std::uint16_t>(3));
    CHECK(autodetect::message_name(0, pay->type) == "RDP_BW_PAYLOAD");
    // 2.2.14.2.2 RDP_BW_RESULTS: 0x0E, 1, seq 3, 0x0003, timeDelta 20, byteCount 0x1000.
    auto res = autodetect::decode(
        view(B{0x0e, 0x01, 0x03, 0x00, 0x03, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00}));
    REQUIRE(res.ok());
    CHECK(res->time_delta == std::optional<std::uint32_t>(20));
    CHECK(res->byte_count == std::optional<std::uint32_t>(0x1000));
    CHECK(autodetect::message_name(1, res->type) == "RDP_BW_RESULTS");
    // 2.2.14.1.5 RDP_NETCHAR_RESULT 0x08C0: 0x12, 0, seq 4, baseRTT 10, bandwidth 5000, averageRTT 12.
    auto nc = autodetect::decode(view(B{0x12, 0x00, 0x04, 0x00, 0xc0, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x88, 0x13,
                                        0x00, 0x00, 0x0c, 0x00, 0x00, 0x00}));
    REQUIRE(nc.ok());
    CHECK(nc->base_rtt == std::optional<std::uint32_t>(10));
    CHECK(nc->bandwidth == std::optional<std::uint32_t>(5000));
    CHECK(nc->average_rtt == std::optional<std::uint32_t>(12));
    CHECK(autodetect::message_name(0, nc->type) == "RDP_NETCHAR_RESULT");
    // 2.2.14.2.3 RDP_NETCHAR_SYNC: 0x0E, 1, seq 6, 0x0018, bandwidth 4096, rtt 32.
    auto sync = autodetect::decode(
        view(B{0x0e, 0x01, 0x06, 0x00, 0x18, 0x00, 0x00, 0x10, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00}));
    REQUIRE(sync.ok());
    CHECK(sync->bandwidth == std::optional<std::uint32_t>(4096));
    CHECK(sync->rtt == std::optional<std::uint32_t>(32));
    CHECK(autodetect::message_name(1, sync->type) == "RDP_NETCHAR_SYNC");

    SECTION("malformed: a payload longer than the data, a result cut short, an unknown headerTypeId") {
        CHECK_FALSE(autodetect::decode(view(B{0x08, 0x00, 0x02, 0x00, 0x02, 0x00, 0x09, 0x00, 0xaa})).ok());
        CHECK_FALSE(autodetect::decode(view(B{0x0e, 0x01, 0x03, 0x00, 0x03, 0x00, 0x14, 0x00})).ok());
        CHECK_FALSE(autodetect::decode(view(B{0x06, 0x07, 0x01, 0x00, 0x01, 0x00})).ok());
        CHECK_FALSE(autodetect::decode(view(B{0x06, 0x00, 0x01})).ok());
        // Through rdpsec::decode a bad body is kept as an error, the header still read.
        auto sec = rdpsec::decode(view(B{0x00, 0x10, 0x00, 0x00, 0x06, 0x00}));
        REQUIRE(sec.ok());
        const auto& a = std::get<rdpsec::AutoDetect>(sec->body);
        CHECK_FALSE(a.message);
        REQUIRE(a.error);
    }
}

TEST_CASE("multitransport: Initiate Multitransport Request and Response, 2.2.15.1 and 2.2.15.2", "[rdpsec][autodetect]") {
    // SEC_TRANSPORT_REQ (0x0002); requestId 0x00000101, requestedProtocol
    // INITITATE_REQUEST_PROTOCOL_UDPFECR (0x01), reserved 0, securityCookie (16 bytes).
    B req = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
    req.insert(req.end(), 16, 0x5a);
    auto sec = rdpsec::decode(view(req));
    REQUIRE(sec.ok());
    const auto& t = std::get<rdpsec::Multitransport>(sec->body);
    REQUIRE(t.request);
    CHECK(t.request->request_id == 0x101u);
    CHECK(t.request->requested_protocol == 0x01);
    CHECK(t.request->has_security_cookie);
    CHECK(autodetect::requested_protocol_name(t.request->requested_protocol) == "INITITATE_REQUEST_PROTOCOL_UDPFECR");
    CHECK(autodetect::requested_protocol_name(0x04) == "INITITATE_REQUEST_PROTOCOL_UDPFECL");
    // RDP_SEC_TRANSPORT_RSP (0x0004); requestId 0x101, hrResponse E_ABORT (0x80004004).
    const B rsp = {0x04, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x04, 0x40, 0x00, 0x80};
    auto r = rdpsec::decode(view(rsp));
    REQUIRE(r.ok());
    const auto& tr = std::get<rdpsec::Multitransport>(r->body);
    REQUIRE(tr.response);
    CHECK(tr.response->request_id == 0x101u);
    CHECK(autodetect::hr_response_name(tr.response->hr_response) == "E_ABORT");
    CHECK(autodetect::hr_response_name(0) == "S_OK");

    SECTION("malformed: the cookie cut short") {
        req.resize(req.size() - 1);
        auto bad = rdpsec::decode(view(req));
        REQUIRE(bad.ok());
        const auto& b = std::get<rdpsec::Multitransport>(bad->body);
        CHECK_FALSE(b.request);
        REQUIRE(b.error);
        CHECK(b.error->field == "securityCookie");
    }
}
