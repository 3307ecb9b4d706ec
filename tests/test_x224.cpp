// SPDX-License-Identifier: MIT
// TPKT, X.224 and the RDP negotiation structures: the MS-RDPBCGR section 4.1
// examples byte for byte, every prefix of them, and lying length fields.
#include <catch2/catch.hpp>

#include "dissect/rdp_neg.hpp"
#include "dissect/tpkt.hpp"
#include "dissect/x224.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;

namespace {

// MS-RDPBCGR 4.1.1 Client X.224 Connection Request PDU.
const auto kSpecCR = hex(
    "03 00 00 2c 27 e0 00 00 00 00 00 43 6f 6f 6b 69"
    "65 3a 20 6d 73 74 73 68 61 73 68 3d 65 6c 74 6f"
    "6e 73 0d 0a 01 00 08 00 00 00 00 00");
// MS-RDPBCGR 4.1.2 Server X.224 Connection Confirm PDU.
const auto kSpecCC = hex("03 00 00 13 0e d0 00 00 12 34 00 02 00 08 00 00 00 00 00");

}  // namespace

TEST_CASE("TPKT frames the spec's Connection Request", "[tpkt]") {
    auto f = tpkt::frame(kSpecCR, false);
    REQUIRE(f);
    CHECK(f->framing == tpkt::Framing::tpkt);
    CHECK(f->length == 44);
    CHECK(f->length == kSpecCR.size());
}

TEST_CASE("TPKT: a header cut anywhere asks for more, never fails", "[tpkt]") {
    for (std::size_t n = 0; n < tpkt::kHeaderLength; ++n) {
        auto f = tpkt::frame(Bytes(kSpecCR).first(n), false);
        REQUIRE_FALSE(f);
        CHECK(f.error().kind == ErrorKind::need_more);
    }
    auto p = tpkt::payload(Bytes(kSpecCR).first(20));
    REQUIRE_FALSE(p);
    CHECK(p.error().kind == ErrorKind::need_more);
    CHECK(p.error().needed == 44);
}

TEST_CASE("TPKT rejects impossible lengths and wrong versions", "[tpkt]") {
    auto short_len = hex("03 00 00 05 02 f0 80");
    auto f = tpkt::frame(short_len, false);
    REQUIRE_FALSE(f);
    CHECK(f.error().kind == ErrorKind::malformed);
    CHECK(f.error().field == "length");
    auto tls = hex("16 03 01 00 a5");
    CHECK_FALSE(tpkt::frame(tls, false));
}

TEST_CASE("Fast-path headers give one- and two-byte lengths", "[tpkt]") {
    // MS-RDPBCGR 2.2.9.1.2: action 0, length1 with the top bit for a 15-bit length.
    auto one = hex("00 20");
    auto f1 = tpkt::frame(one, true);
    REQUIRE(f1);
    CHECK(f1->framing == tpkt::Framing::fast_path);
    CHECK(f1->length == 0x20);
    auto two = hex("44 81 2c");
    auto f2 = tpkt::frame(two, true);
    REQUIRE(f2);
    CHECK(f2->length == 0x012c);
    CHECK(f2->header_length == 3);
    CHECK_FALSE(tpkt::frame(two, false));  // not allowed before the negotiation
}

TEST_CASE("X.224 CR from MS-RDPBCGR 4.1.1 with cookie and RDP_NEG_REQ", "[x224]") {
    auto payload = tpkt::payload(kSpecCR);
    REQUIRE(payload);
    auto t = x224::decode(*payload);
    REQUIRE(t);
    CHECK(t->type == x224::Type::cr);
    CHECK(t->length_indicator == 0x27);
    CHECK(t->dst_ref == 0);
    CHECK(t->src_ref == 0);
    CHECK(t->class_option == 0);
    auto req = rdpneg::decode_request(t->variable);
    REQUIRE(req);
    REQUIRE(req->cookie);
    CHECK(*req->cookie == "eltons");
    CHECK_FALSE(req->routing_token);
    REQUIRE(req->neg_req);
    CHECK(req->neg_req->flags == 0);
    CHECK(req->neg_req->length == 8);
    CHECK(req->neg_req->requested_protocols == rdpneg::PROTOCOL_RDP);
    CHECK_FALSE(req->correlation);
    CHECK(req->trailing == 0);
}

TEST_CASE("X.224 CC from MS-RDPBCGR 4.1.2 with RDP_NEG_RSP", "[x224]") {
    auto payload = tpkt::payload(kSpecCC);
    REQUIRE(payload);
    auto t = x224::decode(*payload);
    REQUIRE(t);
    CHECK(t->type == x224::Type::cc);
    CHECK(t->src_ref == 0x1234);
    auto conf = rdpneg::decode_confirm(t->variable);
    REQUIRE(conf);
    REQUIRE(conf->neg_rsp);
    CHECK(conf->neg_rsp->selected_protocol == rdpneg::PROTOCOL_RDP);
    CHECK_FALSE(conf->neg_failure);
}

TEST_CASE("RDP_NEG_FAILURE and its names", "[rdpneg]") {
    // A CC with RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER, as in zeek/rdp-proprietary-encryption.pcap frame 5.
    auto cc = hex("03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 02 00 00 00");
    auto t = x224::decode(*tpkt::payload(cc));
    REQUIRE(t);
    auto conf = rdpneg::decode_confirm(t->variable);
    REQUIRE(conf);
    REQUIRE(conf->neg_failure);
    CHECK(conf->neg_failure->failure_code == 2);
    CHECK(std::string(rdpneg::failure_name(2)) == "SSL_NOT_ALLOWED_BY_SERVER");
    CHECK(std::string(rdpneg::failure_name(5)) == "HYBRID_REQUIRED_BY_SERVER");
    CHECK(std::string(rdpneg::failure_name(6)) == "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER");
    CHECK(std::string(rdpneg::failure_name(99)) == "UNKNOWN");
    CHECK(rdpneg::protocol_flags(0xB) == "SSL|HYBRID|HYBRID_EX");
    CHECK(rdpneg::protocol_flags(0) == "RDP");
    CHECK(rdpneg::protocol_flags(0x21) == "SSL|0x20");
}

TEST_CASE("A negotiation structure whose length is not 8 is malformed", "[rdpneg]") {
    // zeek/rdp-invalid-length.pcap (from a fuzzer): the RDP_NEG_RSP length field says 0x32.
    auto variable = hex("02 00 32 00 02 00 08 00");
    auto conf = rdpneg::decode_confirm(variable);
    REQUIRE_FALSE(conf);
    CHECK(conf.error().kind == ErrorKind::malformed);
    CHECK(conf.error().field == "neg.length");
    CHECK(conf.error().offset == 2);
}

TEST_CASE("A routing token is kept apart from a cookie, and correlation info is read", "[rdpneg]") {
    std::string token = "Cookie: msts=3640205228.15629.0000\r\n";
    std::vector<std::uint8_t> v(token.begin(), token.end());
    for (auto b : hex("01 08 08 00 03 00 00 00")) v.push_back(b);  // flags: CORRELATION_INFO_PRESENT
    for (auto b : hex("06 00 24 00")) v.push_back(b);
    for (int i = 0; i < 16; ++i) v.push_back(static_cast<std::uint8_t>(0xA0 + i));
    for (int i = 0; i < 16; ++i) v.push_back(0);
    auto req = rdpneg::decode_request(v);
    REQUIRE(req);
    CHECK_FALSE(req->cookie);
    REQUIRE(req->routing_token);
    CHECK(*req->routing_token == "Cookie: msts=3640205228.15629.0000");
    REQUIRE(req->neg_req);
    CHECK(req->neg_req->flags == 0x08);
    CHECK(req->neg_req->requested_protocols == 3);
    REQUIRE(req->correlation);
    CHECK(req->correlation->id[0] == 0xA0);
    CHECK(req->correlation->id[15] == 0xAF);
}

TEST_CASE("A cookie without its CR LF is malformed, not read past the PDU", "[rdpneg]") {
    std::string s = "Cookie: mstshash=nocrlf";
    std::vector<std::uint8_t> v(s.begin(), s.end());
    auto req = rdpneg::decode_request(v);
    REQUIRE_FALSE(req);
    CHECK(req.error().field == "cookie");
}

TEST_CASE("X.224: every prefix of the CR and CC decodes or fails cleanly", "[x224]") {
    for (const auto* pdu : {&kSpecCR, &kSpecCC}) {
        const Bytes payload = Bytes(*pdu).subspan(4);
        for (std::size_t n = 0; n < payload.size(); ++n) {
            auto t = x224::decode(payload.first(n));
            if (t) {
                // A shorter LI-bounded header cannot claim the full variable part.
                CHECK(t->variable.size() < payload.size());
            }
        }
    }
    // LI larger than the TPDU.
    auto lying = hex("ff e0 00 00 00 00 00");
    CHECK_FALSE(x224::decode(lying));
    auto lying2 = hex("20 e0 00 00 00 00 00");
    auto t = x224::decode(lying2);
    REQUIRE_FALSE(t);
    CHECK(t.error().field == "length_indicator");
}

TEST_CASE("X.224 DR, DT and ER", "[x224]") {
    auto dt = x224::decode(hex("02 f0 80 7f 65"));
    REQUIRE(dt);
    CHECK(dt->type == x224::Type::dt);
    CHECK(dt->eot);
    CHECK(dt->user_data.size() == 2);
    auto dr = x224::decode(hex("06 80 00 00 12 34 01"));
    REQUIRE(dr);
    CHECK(dr->type == x224::Type::dr);
    CHECK(dr->src_ref == 0x1234);
    CHECK(dr->reason == 1);
    auto er = x224::decode(hex("04 70 00 00 02"));
    REQUIRE(er);
    CHECK(er->type == x224::Type::er);
    CHECK(er->reason == 2);
}
