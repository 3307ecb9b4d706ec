// SPDX-License-Identifier: MIT
// MCS domain PDUs (T.125 PER), the standard-security PDUs they carry
// (rdp_security) and the name tables (rdp_names).  The BER connect PDUs and
// their GCC payload are in test_gcc.cpp.
//
// Vectors: MS-RDPBCGR section 4.1 examples, frames of the public captures
// under /work/shared/pcaps/public (named at each vector), and a few PDUs
// built by hand whose decoding tshark 4.0's T.125 dissector confirms.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dissect/mcs.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_security.hpp"
#include "tests/test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;

namespace {

// Strips TPKT (4 bytes) and the X.224 Data TPDU header (02 f0 80) from a
// captured frame, checking both, so the vectors can stay whole frames.
std::vector<std::uint8_t> x224_user_data(const char* frame_hex) {
    auto b = hex(frame_hex);
    REQUIRE(b.size() >= 7);
    REQUIRE(b[0] == 0x03);
    REQUIRE(((b[2] << 8) | b[3]) == static_cast<int>(b.size()));
    REQUIRE(b[4] == 0x02);
    REQUIRE(b[5] == 0xf0);
    REQUIRE(b[6] == 0x80);
    return {b.begin() + 7, b.end()};
}

// A copy of the alternative; its Bytes views still point into the buffer
// given to decode(), which the caller keeps alive.
template <typename T>
T as(const Decoded<mcs::Pdu>& d) {
    REQUIRE(d.ok());
    REQUIRE(std::holds_alternative<T>(d.value()));
    return std::get<T>(d.value());
}

// Every strict prefix of a PDU must stop cleanly with need_more (the MCS
// decoders treat the buffer end as "more may come").
void check_prefixes_need_more(const std::vector<std::uint8_t>& pdu) {
    for (std::size_t n = 0; n < pdu.size(); ++n) {
        auto d = mcs::decode(Bytes(pdu.data(), n));
        INFO("prefix length " << n);
        REQUIRE_FALSE(d.ok());
        CHECK(d.error().kind == ErrorKind::need_more);
        CHECK(d.error().layer == "mcs");
    }
}

// zeek/rdp-proprietary-encryption.pcap frame 32: Send Data Request, Security Exchange PDU
const char* const prop_security_exchange = R"(
    03 00 00 5e 02 f0 80 64 00 07 03 eb 70 50 01 02 00 00 48 00 00 00 8b 68 9c 55 b7 c8 1a 58 75 5f
    62 60 00 69 95 ae 78 ba b7 56 23 4a cd 65 b0 ec b8 dc bb 9e a6 9b 65 20 ea ec ea 70 ae 4a dc 82
    42 3b ee 7e 07 18 57 7a c4 be 71 0f 16 a2 bd 1d 54 64 59 81 77 44 00 00 00 00 00 00 00 00
)";

// zeek/rdp-proprietary-encryption.pcap frame 33: Send Data Request, Client Info PDU (encrypted)
const char* const prop_client_info = R"(
    03 00 01 77 02 f0 80 64 00 07 03 eb 70 81 68 48 00 00 00 79 1d c3 0c 45 ca 91 69 ed c0 30 5a 35
    01 c4 53 bf 53 e7 ea 0d 2a e0 d2 e0 e3 c3 9b af ed 3d e6 6b 68 5b f3 ae e9 c2 ae 98 45 33 40 18
    90 ee d1 45 50 a8 de db 7b 34 ad f5 c9 c6 ee 7a 8a b2 db f7 24 4a 8a 27 f4 c7 2f bc 83 80 0a 54
    d4 7e 57 3f fd b0 7c d7 24 9d 75 c7 87 fb f8 0c b2 fd d8 bb 09 73 6d 0c e4 f1 31 66 3b 60 2f 70
    a8 cf cf 5c e6 4e 9a b6 ff 58 20 43 1e e4 cd b2 b1 82 15 58 42 55 cd 6d 65 b5 6c 73 8e bf c9 fb
    f6 ef ea 64 7f d7 ff 51 d6 cb ad c9 18 7c 99 f6 9e 23 5d cf d9 8f f6 43 0c 4a 7c c9 f9 9a 3e c4
    a0 fa 2c 96 05 20 74 a4 76 70 13 7b 55 db bd ec 32 e7 31 ec 49 23 46 6e e0 56 30 9e dd dd c9 b0
    98 50 8a fc e2 e0 81 a7 8a 7f 93 8a ca d2 a6 bc dc 9b e0 40 0d e2 3b 45 1a ad 0e 66 77 ea 94 7a
    05 1a 11 fd e7 78 77 75 26 6d c7 3b c9 ec 70 fa 1f bc ca 81 b1 22 da 2d 99 9c 2f f5 d4 21 92 4d
    df c4 39 a6 ef ef 80 17 5f 49 e2 98 85 52 41 69 99 12 30 e6 50 af 75 13 cf f4 40 11 c0 1b e1 38
    8a d1 d7 e3 7f 9f 7b 7b 00 1a 05 5f d9 86 bd c5 32 fb 3a 89 67 4f 03 b6 f7 29 4f 68 3b 27 02 c5
    2c c2 c1 9a 0a 2c de c4 93 0a 64 50 77 85 80 4d 16 d0 ec 24 f6 4e b5
)";

// zeek/rdp-proprietary-encryption.pcap frame 35: Send Data Indication, licensing PDU (encrypted)
const char* const prop_license = R"(
    03 00 00 2a 02 f0 80 68 00 01 03 eb 70 1c 88 02 02 03 2d 97 8c 46 75 47 6d 4a a3 cd 47 1b 31 ab
    79 51 bb 84 45 b8 da 0a 62 73
)";

// suricata-verify/rdp-protocol/RDP-003.pcap frame 26: Send Data Indication, licensing ERROR_ALERT in clear
const char* const rdp003_license_error = R"(
    03 00 00 22 02 f0 80 68 00 01 03 eb 70 14 80 02 10 00 ff 02 10 00 07 00 00 00 02 00 00 00 38 e2
    00 00
)";

// MS-RDPBCGR 4.1.10 Client Security Exchange PDU.
const char* const spec_security_exchange = R"(
    03 00 00 5e 02 f0 80 64 00 06 03 eb 70 50 01 02 00 00 48 00 00 00 91 ac 0c 8f 64 8c 39 f4 e7 ff
    0a 3b 79 11 5c 13 51 2a cb 72 8f 9d b7 42 2e f7 08 4c 8e ae 55 99 62 d2 81 81 e4 66 c8 05 ea d4
    73 06 3f c8 5f af 2a fd fc f1 64 b3 3f 0a 15 1d db 2c 10 9d 30 11 00 00 00 00 00 00 00 00
)";

}  // namespace

// ---- MS-RDPBCGR 4.1.5 - 4.1.9 ------------------------------------------------

TEST_CASE("MS-RDPBCGR 4.1.5 Erect Domain Request", "[mcs]") {
    auto data = x224_user_data("03 00 00 0c 02 f0 80 04 01 00 01 00");
    auto d = mcs::decode(data);
    const auto e = as<mcs::ErectDomainRequest>(d);
    CHECK(e.sub_height == 0);
    CHECK(e.sub_interval == 0);
    CHECK(mcs::sender(d.value()) == Dir::c2s);
    CHECK(mcs::pdu_name(d.value()) == "ErectDomainRequest");
    check_prefixes_need_more(data);
}

TEST_CASE("MS-RDPBCGR 4.1.6 Attach User Request", "[mcs]") {
    auto data = x224_user_data("03 00 00 08 02 f0 80 28");
    auto d = mcs::decode(data);
    as<mcs::AttachUserRequest>(d);
    CHECK(mcs::pdu_name(d.value()) == "AttachUserRequest");
    check_prefixes_need_more(data);
}

TEST_CASE("MS-RDPBCGR 4.1.7 Attach User Confirm", "[mcs]") {
    auto data = x224_user_data("03 00 00 0b 02 f0 80 2e 00 00 06");
    auto d = mcs::decode(data);
    const auto c = as<mcs::AttachUserConfirm>(d);
    CHECK(c.result == 0);
    CHECK(names::mcs_result(c.result) == "rt-successful");
    REQUIRE(c.initiator);
    CHECK(*c.initiator == 1007);  // 6 + 1001: the user channel
    CHECK(mcs::sender(d.value()) == Dir::s2c);
    check_prefixes_need_more(data);
}

TEST_CASE("MS-RDPBCGR 4.1.8 Channel Join Request", "[mcs]") {
    auto data = x224_user_data("03 00 00 0c 02 f0 80 38 00 06 03 ef");
    const auto j = as<mcs::ChannelJoinRequest>(mcs::decode(data));
    CHECK(j.initiator == 1007);
    CHECK(j.channel_id == 1007);
    check_prefixes_need_more(data);
}

TEST_CASE("MS-RDPBCGR 4.1.9 Channel Join Confirm", "[mcs]") {
    auto data = x224_user_data("03 00 00 0f 02 f0 80 3e 00 00 06 03 ef 03 ef");
    const auto c = as<mcs::ChannelJoinConfirm>(mcs::decode(data));
    CHECK(c.result == 0);
    CHECK(c.initiator == 1007);
    CHECK(c.requested == 1007);
    REQUIRE(c.channel_id);
    CHECK(*c.channel_id == 1007);
    check_prefixes_need_more(data);
}

TEST_CASE("Channel Join Confirm without the optional channelId", "[mcs]") {
    // 0x3c: CHOICE 15, channelId-present bit clear (a refused join).
    auto data = hex("3c 20 00 06 03 f0");
    const auto c = as<mcs::ChannelJoinConfirm>(mcs::decode(data));
    CHECK(c.result == 1);  // strict PER: 4 bits straddling the octets
    CHECK(c.requested == 1008);
    CHECK_FALSE(c.channel_id);
}

// ---- strict PER bit fields, checked against tshark ----------------------------

TEST_CASE("Result and Reason bit fields decode as tshark's PER dissector does", "[mcs]") {
    // Built by hand; tshark 4.0 (-d tcp.port==3389,tpkt -O t125) decodes them
    // as the comments say.  Reason has 5 values (3 bits after the 6-bit CHOICE
    // index); Result 16 values (4 bits after the 1-bit OPTIONAL bitmap).
    struct Case {
        const char* hex;
        std::uint8_t reason;
        std::string_view name;
    };
    for (const Case& c : {Case{"21 80", 3, "rn-user-requested"}, Case{"20 80", 1, "rn-provider-initiated"},
                          Case{"21 00", 2, "rn-token-purged"}}) {
        auto d = mcs::decode(hex(c.hex));
        const auto u = as<mcs::DisconnectProviderUltimatum>(d);
        CHECK(u.reason == c.reason);
        CHECK(names::mcs_reason(u.reason) == c.name);
        CHECK_FALSE(mcs::sender(d.value()));  // either side may send it
    }
    // tshark: attachUserConfirm result rt-user-rejected (15), initiator 6.
    const auto rejected = as<mcs::AttachUserConfirm>(mcs::decode(hex("2f e0 00 06")));
    CHECK(rejected.result == 15);
    CHECK(names::mcs_result(rejected.result) == "rt-user-rejected");
    // tshark: rt-domain-merging (1).
    CHECK(as<mcs::AttachUserConfirm>(mcs::decode(hex("2e 20 00 06"))).result == 1);
    // tshark: channelJoinConfirm result rt-user-rejected (15).
    CHECK(as<mcs::ChannelJoinConfirm>(mcs::decode(hex("3f e0 00 06 03 ef 03 ef"))).result == 15);
    // An encoder that writes Result as a whole octet (non-zero padding bits).
    CHECK(as<mcs::AttachUserConfirm>(mcs::decode(hex("2e 0e 00 06"))).result == 14);
}

// ---- the channel connection of a real capture --------------------------------

TEST_CASE("rdp-proprietary-encryption: attach and channel joins", "[mcs][pcap]") {
    // zeek/rdp-proprietary-encryption.pcap frames 16-31 (conn 2).
    CHECK(std::holds_alternative<mcs::ErectDomainRequest>(
        mcs::decode(x224_user_data("0300000c02f0800401000100")).value()));
    CHECK(std::holds_alternative<mcs::AttachUserRequest>(mcs::decode(x224_user_data("0300000802f08028")).value()));
    const auto confirm = as<mcs::AttachUserConfirm>(mcs::decode(x224_user_data("0300000b02f0802e000007")));
    CHECK(confirm.result == 0);
    CHECK(confirm.initiator == std::optional<std::uint16_t>(1008));
    // The client joins its user channel 1008, then 1003 (I/O) and 1004-1007.
    const std::vector<std::pair<const char*, const char*>> joins = {
        {"0300000c02f08038000703f0", "0300000f02f0803e00000703f003f0"},
        {"0300000c02f08038000703eb", "0300000f02f0803e00000703eb03eb"},
        {"0300000c02f08038000703ec", "0300000f02f0803e00000703ec03ec"},
        {"0300000c02f08038000703ed", "0300000f02f0803e00000703ed03ed"},
        {"0300000c02f08038000703ee", "0300000f02f0803e00000703ee03ee"},
        {"0300000c02f08038000703ef", "0300000f02f0803e00000703ef03ef"},
    };
    const std::uint16_t expected[] = {1008, 1003, 1004, 1005, 1006, 1007};
    for (std::size_t i = 0; i < joins.size(); ++i) {
        const auto rq = as<mcs::ChannelJoinRequest>(mcs::decode(x224_user_data(joins[i].first)));
        const auto cf = as<mcs::ChannelJoinConfirm>(mcs::decode(x224_user_data(joins[i].second)));
        CHECK(rq.initiator == 1008);
        CHECK(rq.channel_id == expected[i]);
        CHECK(cf.result == 0);
        CHECK(cf.initiator == 1008);
        CHECK(cf.requested == expected[i]);
        CHECK(cf.channel_id == std::optional<std::uint16_t>(expected[i]));
    }
}

// ---- Send Data and the security header ----------------------------------------

TEST_CASE("MS-RDPBCGR 4.1.10 Security Exchange PDU", "[mcs][rdpsec]") {
    auto data = x224_user_data(spec_security_exchange);
    auto d = mcs::decode(data);
    const auto sd = as<mcs::SendDataRequest>(d);
    CHECK(sd.initiator == 1007);
    CHECK(sd.channel_id == 1003);
    CHECK(sd.priority == 1);  // 0x70: high, begin + end
    CHECK(names::mcs_priority(sd.priority) == "high");
    CHECK(sd.segment_begin);
    CHECK(sd.segment_end);
    CHECK(sd.user_data.size() == 0x50);

    auto sec = rdpsec::decode(sd.user_data);
    REQUIRE(sec.ok());
    CHECK(sec->header.flags == (rdpsec::SEC_EXCHANGE_PKT | rdpsec::SEC_LICENSE_ENCRYPT));
    CHECK(names::security_flags(sec->header.flags) ==
          std::vector<std::string_view>{"SEC_EXCHANGE_PKT", "SEC_LICENSE_ENCRYPT"});
    const auto& x = std::get<rdpsec::SecurityExchange>(sec->body);
    CHECK(x.length == 72);  // 64-byte encrypted random + 8 bytes of padding
    REQUIRE(x.encrypted_client_random.size() == 72);
    CHECK(x.encrypted_client_random[0] == 0x91);
    CHECK(x.encrypted_client_random[1] == 0xac);
    CHECK(x.encrypted_client_random[63] == 0x11);
    check_prefixes_need_more(data);
}

TEST_CASE("rdp-proprietary-encryption: Security Exchange, Client Info, licensing", "[mcs][rdpsec][pcap]") {
    auto xchg = x224_user_data(prop_security_exchange);
    const auto sd = as<mcs::SendDataRequest>(mcs::decode(xchg));
    CHECK(sd.initiator == 1008);
    CHECK(sd.channel_id == 1003);
    auto sec = rdpsec::decode(sd.user_data);
    REQUIRE(sec.ok());
    const auto& x = std::get<rdpsec::SecurityExchange>(sec->body);
    CHECK(x.length == 72);
    CHECK(x.encrypted_client_random[0] == 0x8b);

    // Frame 33: the Client Info is encrypted (High level): only a marker.
    auto info_pdu = x224_user_data(prop_client_info);
    const auto info_sd = as<mcs::SendDataRequest>(mcs::decode(info_pdu));
    CHECK(info_sd.user_data.size() == 0x168);
    auto info = rdpsec::decode(info_sd.user_data);
    REQUIRE(info.ok());
    CHECK(info->header.flags == (rdpsec::SEC_INFO_PKT | rdpsec::SEC_ENCRYPT));
    CHECK(info->header.data_signature.size() == 8);
    CHECK(info->header.data_signature[0] == 0x79);
    const auto& ci = std::get<rdpsec::ClientInfo>(info->body);
    CHECK(ci.encrypted);
    CHECK_FALSE(ci.clear);
    CHECK(ci.payload.size() == 0x168 - 12);

    // Frame 35: the server's first licensing PDU, encrypted too.
    auto lic_pdu = x224_user_data(prop_license);
    const auto ind = as<mcs::SendDataIndication>(mcs::decode(lic_pdu));
    CHECK(ind.initiator == 1002);
    CHECK(ind.channel_id == 1003);
    auto lic = rdpsec::decode(ind.user_data);
    REQUIRE(lic.ok());
    CHECK(lic->header.flags == 0x0288);  // SEC_LICENSE_PKT | SEC_LICENSE_ENCRYPT | SEC_ENCRYPT
    const auto& l = std::get<rdpsec::License>(lic->body);
    CHECK(l.encrypted);
    CHECK_FALSE(l.msg_type);
}

TEST_CASE("RDP-003: licensing error alert in clear", "[mcs][rdpsec][pcap]") {
    const auto data = x224_user_data(rdp003_license_error);
    const auto ind = as<mcs::SendDataIndication>(mcs::decode(data));
    CHECK(ind.initiator == 1002);
    auto lic = rdpsec::decode(ind.user_data);
    REQUIRE(lic.ok());
    CHECK(lic->header.flags == (rdpsec::SEC_LICENSE_PKT | rdpsec::SEC_LICENSE_ENCRYPT));
    CHECK(lic->header.flags_hi == 0x0010);
    const auto& l = std::get<rdpsec::License>(lic->body);
    CHECK_FALSE(l.encrypted);
    REQUIRE(l.msg_type);
    CHECK(names::license_msg_type(*l.msg_type) == "ERROR_ALERT");
    CHECK(l.preamble_flags == 0x02);  // PREAMBLE_VERSION_2_0
    CHECK(l.msg_size == 16);
    CHECK(l.error_code == std::optional<std::uint32_t>(7));
    CHECK(names::license_error_code(*l.error_code) == "STATUS_VALID_CLIENT");
    CHECK(l.state_transition == std::optional<std::uint32_t>(2));  // ST_NO_TRANSITION
}

TEST_CASE("MS-RDPBCGR 4.1.11 Client Info in clear", "[rdpsec]") {
    // The TS_INFO_PACKET of the 4.1.11 example as the spec shows it decrypted,
    // behind an unencrypted security header (flags SEC_INFO_PKT).
    auto pdu = hex(R"(
        40 00 00 00
        09 04 09 04 b3 43 00 00 0a 00 0c 00 00 00 00 00 00 00 4e 00 54 00 44 00 45 00 56 00 00 00 65 00
        6c 00 74 00 6f 00 6e 00 73 00 00 00 00 00 00 00 00 00 02 00 1e 00)");
    auto sec = rdpsec::decode(pdu);
    REQUIRE(sec.ok());
    const auto& ci = std::get<rdpsec::ClientInfo>(sec->body);
    CHECK_FALSE(ci.encrypted);
    REQUIRE(ci.clear);
    CHECK(ci.clear->code_page == 0x04090409);
    CHECK(ci.clear->flags == 0x43b3);
    CHECK(ci.clear->domain == "NTDEV");
    CHECK(ci.clear->user_name == "eltons");
    CHECK(ci.clear->password_length == 0);
    CHECK(ci.clear->alternate_shell.empty());
    CHECK(ci.clear->working_dir.empty());
    CHECK(ci.clear->extra_info.size() == 4);

    // cbUserName claiming more than there is: malformed, naming the field.
    auto lying = pdu;
    lying[4 + 10] = 0xff;  // cbUserName low byte
    auto bad = rdpsec::decode(lying);
    REQUIRE(bad.ok());  // the header is fine; the clear body is not
    const auto& bad_ci = std::get<rdpsec::ClientInfo>(bad->body);
    CHECK_FALSE(bad_ci.clear);
    REQUIRE(bad_ci.clear_error);
    CHECK(bad_ci.clear_error->kind == ErrorKind::malformed);
    CHECK(bad_ci.clear_error->field == "TS_INFO_PACKET.cbUserName");
    CHECK(bad_ci.clear_error->offset == 14);
}

TEST_CASE("Security header: FIPS header, short and lying inputs", "[rdpsec]") {
    // TS_SECURITY_HEADER2: length 0x10, version 1, padlen 3, signature.
    auto fips = hex("08 00 00 00 10 00 01 03 11 22 33 44 55 66 77 88 aa bb");
    auto d = rdpsec::decode(fips, rdpsec::Options{true});
    REQUIRE(d.ok());
    CHECK(d->header.fips_length == std::optional<std::uint16_t>(0x10));
    CHECK(d->header.fips_version == 1);
    CHECK(d->header.fips_padlen == 3);
    CHECK(d->header.data_signature[7] == 0x88);
    CHECK(std::get<rdpsec::Other>(d->body).payload.size() == 2);

    // Every prefix of the spec's exchange payload is malformed: the Send Data
    // length bounded it, so missing bytes mean a lie, never "wait".
    auto sd = x224_user_data(spec_security_exchange);
    Bytes payload = Bytes(sd).subspan(7);
    for (std::size_t n = 0; n < payload.size(); ++n) {
        auto p = rdpsec::decode(payload.first(n));
        INFO("prefix length " << n);
        REQUIRE_FALSE(p.ok());
        CHECK(p.error().kind == ErrorKind::malformed);
    }
    // A length that lies.
    std::vector<std::uint8_t> lying(payload.begin(), payload.end());
    lying[4] = 0x49;  // 73 > the 72 bytes that follow
    auto bad = rdpsec::decode(lying);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().field == "TS_SECURITY_PACKET.length");
    CHECK(bad.error().offset == 4);
}

// ---- errors ------------------------------------------------------------------

TEST_CASE("Send Data: length beyond the buffer is need_more with the size needed", "[mcs]") {
    auto data = x224_user_data(spec_security_exchange);
    data.resize(20);
    auto d = mcs::decode(data);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().kind == ErrorKind::need_more);
    CHECK(d.error().field == "SendDataRequest.userData");
    CHECK(d.error().needed == 7 + 0x50);
}

TEST_CASE("Domain PDUs RDP does not use are kept, invalid choices are malformed", "[mcs]") {
    // detachUserRequest (12): 0x30.
    auto d = mcs::decode(hex("30 80 01 00 05"));
    const auto other = as<mcs::OtherDomainPdu>(d);
    CHECK(other.choice == 12);
    CHECK(other.body.size() == 4);
    CHECK(mcs::pdu_name(d.value()) == "DomainMCSPDU#12");
    // DomainMCSPDU has 43 alternatives: index 50 does not exist.
    auto bad = mcs::decode(hex("c8 00"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::malformed);
    CHECK(bad.error().field == "DomainMCSPDU.choice");
    // A UserId beyond 65535 once 1001 is added.
    auto big = mcs::decode(hex("38 ff ff 03 eb"));
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().kind == ErrorKind::malformed);
    CHECK(big.error().field == "ChannelJoinRequest.initiator");
    CHECK(big.error().offset == 1);
}

// ---- names -------------------------------------------------------------------

TEST_CASE("Name tables spell codes as Zeek's rdp.log does", "[names]") {
    CHECK(names::encryption_method(0x01) == "40bit");
    CHECK(names::encryption_method(0x02) == "128bit");
    CHECK(names::encryption_method(0x08) == "56bit");
    CHECK(names::encryption_method(0x10) == "FIPS");
    CHECK(names::encryption_method(0x04) == "encryption_method-4");
    CHECK(names::encryption_level(2) == "Client compatible");
    CHECK(names::encryption_level(3) == "High");
    CHECK(names::encryption_level(7) == "encryption_level-7");
    CHECK(names::encryption_method_flags(0x1b) == std::vector<std::string>{"40bit", "128bit", "56bit", "FIPS"});
    CHECK(names::encryption_method_flags(0x21) == std::vector<std::string>{"40bit", "0x20"});
    CHECK(names::cert_type(1) == "RSA");
    CHECK(names::cert_type(2) == "X.509");
    CHECK(names::client_build(6000) == "RDP 6.0");
    CHECK(names::client_build(9600) == "RDP 8.1");
    CHECK(names::client_build(2600) == "RDP 5.1");
    CHECK(names::client_build(1234) == "client_build-1234");
    CHECK(names::keyboard_layout(0x409) == "English - United States");
    CHECK(names::keyboard_layout(0x41e) == "Thai");
    CHECK(names::keyboard_layout(0x10409) == "English - United States (Dvorak)");
    // Zeek's rdp-unknown-keyboard baseline: 0x0004041e is no known KLID, but
    // its language 0x041e is.
    CHECK(names::keyboard_layout(0x0004041e) == "Thai (Best Guess for 263198)");
    CHECK(names::keyboard_layout(0x0004ffff) == "keyboard-327679");
    CHECK(names::high_color_depth(16) == "16bit");
    CHECK(names::high_color_depth(32) == "high_color_depth-32");
    CHECK(names::gcc_result(0) == "Success");
    CHECK(names::gcc_result(9) == "result-9");
    CHECK(names::rdp_version(0x00080004) == "RDP 5.0+");
    CHECK(names::rdp_version(0x0008000c) == "RDP 10.7");
    CHECK(names::early_capability_flags(0x000b) ==
          std::vector<std::string_view>{"RNS_UD_CS_SUPPORT_ERRINFO_PDU", "RNS_UD_CS_WANT_32BPP_SESSION",
                                        "RNS_UD_CS_STRONG_ASYMMETRIC_KEYS"});
    CHECK(names::channel_options(0xc0a00000) ==
          std::vector<std::string_view>{"CHANNEL_OPTION_INITIALIZED", "CHANNEL_OPTION_ENCRYPT_RDP",
                                        "CHANNEL_OPTION_COMPRESS_RDP", "CHANNEL_OPTION_SHOW_PROTOCOL"});
    CHECK(names::connection_type(6) == "CONNECTION_TYPE_LAN");
    CHECK(names::mcs_result(16).empty());
    CHECK(names::rdpudp_flags(0x1801) ==
          std::vector<std::string_view>{"RDPUDP_FLAG_SYN", "RDPUDP_FLAG_CORRELATION_ID", "RDPUDP_FLAG_SYNEX"});
    CHECK(names::rdpudp_version(0x0101) == "RDPUDP_PROTOCOL_VERSION_3");
    CHECK(names::rdpudp2_flags(0x155) ==
          std::vector<std::string_view>{"ACK", "DATA", "AOA", "OVERHEADSIZE", "DELAYACKINFO"});
}
