// SPDX-License-Identifier: MIT
// Kerberos (RFC 4120): messages built byte for byte from the ASN.1 of RFC 4120
// section 5 (EXPLICIT tags, DER), each checked against tshark 4.0's decoding
// of the same bytes sent as UDP datagrams to port 88 (msg_type, error_code,
// cname, sname, realm, e-text, times, nonce, padata types all as below, none
// malformed); every prefix of them, and lying lengths.
#include <catch2/catch.hpp>

#include "dissect/kerberos.hpp"
#include "kerberos_vectors.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;
using namespace rdpscope::test::krbvec;

TEST_CASE("KRB-ERROR PREAUTH_FAILED decodes as tshark reads it", "[kerberos]") {
    auto m = krb::decode_message(kError24);
    REQUIRE(m);
    CHECK(m->type == 30);
    CHECK(krb::msg_type_name(m->type) == "KRB-ERROR");
    CHECK(m->msg_type_field == 30);
    REQUIRE(m->error_code);
    CHECK(*m->error_code == 24);
    CHECK(krb::error_name(*m->error_code) == "KDC_ERR_PREAUTH_FAILED");
    CHECK_FALSE(krb::error_meaning(24).empty());
    CHECK(m->stime == "20240101120000Z");
    CHECK(m->ctime.empty());
    CHECK(m->crealm == "EXAMPLE.COM");
    REQUIRE(m->cname);
    CHECK(m->cname->name_type == 1);
    CHECK(m->cname->joined() == "alice");
    CHECK(m->srealm == "EXAMPLE.COM");
    REQUIRE(m->sname);
    CHECK(m->sname->name_type == 2);
    CHECK(m->sname->names == std::vector<std::string>{"krbtgt", "EXAMPLE.COM"});
    CHECK(m->sname->joined() == "krbtgt/EXAMPLE.COM");
    CHECK(m->e_text == "bad pw");
}

TEST_CASE("AS-REQ: client and service principal, till, nonce, padata", "[kerberos]") {
    auto m = krb::decode_message(kAsReq);
    REQUIRE(m);
    CHECK(m->type == 10);
    CHECK(krb::is_request(m->type));
    CHECK(m->msg_type_field == 10);
    REQUIRE(m->cname);
    CHECK(m->cname->joined() == "alice");
    CHECK(m->crealm == "EXAMPLE.COM");
    CHECK(m->srealm == "EXAMPLE.COM");
    REQUIRE(m->sname);
    CHECK(m->sname->joined() == "krbtgt/EXAMPLE.COM");
    CHECK(m->till == "20370913024805Z");
    CHECK(m->nonce == 0x8badf00du);
    CHECK(m->padata_types == std::vector<std::int32_t>{128});
    CHECK_FALSE(m->error_code);
}

TEST_CASE("TGS-REQ for TERMSRV and its TGS-REP", "[kerberos]") {
    auto q = krb::decode_message(kTgsReq);
    REQUIRE(q);
    CHECK(q->type == 12);
    CHECK_FALSE(q->cname);
    REQUIRE(q->sname);
    CHECK(q->sname->joined() == "TERMSRV/host1.example.com");
    CHECK(q->nonce == 12345u);
    auto r = krb::decode_message(kTgsRep);
    REQUIRE(r);
    CHECK(r->type == 13);
    CHECK_FALSE(krb::is_request(r->type));
    REQUIRE(r->cname);
    CHECK(r->cname->joined() == "alice");
    CHECK(r->crealm == "EXAMPLE.COM");
    REQUIRE(r->sname);
    CHECK(r->sname->joined() == "TERMSRV/host1.example.com");
    CHECK(r->srealm == "EXAMPLE.COM");
}

TEST_CASE("KRB-ERROR S_PRINCIPAL_UNKNOWN without client name", "[kerberos]") {
    auto m = krb::decode_message(kError7);
    REQUIRE(m);
    CHECK(m->error_code == krb::KDC_ERR_S_PRINCIPAL_UNKNOWN);
    CHECK(krb::error_name(7) == "KDC_ERR_S_PRINCIPAL_UNKNOWN");
    CHECK_FALSE(m->cname);
    CHECK(m->crealm.empty());
    REQUIRE(m->sname);
    CHECK(m->sname->joined() == "TERMSRV/10.0.0.5");
    CHECK_FALSE(m->e_text);
}

TEST_CASE("Kerberos error names follow RFC 4120 7.5.9", "[kerberos]") {
    CHECK(krb::error_name(6) == "KDC_ERR_C_PRINCIPAL_UNKNOWN");
    CHECK(krb::error_name(18) == "KDC_ERR_CLIENT_REVOKED");
    CHECK(krb::error_name(23) == "KDC_ERR_KEY_EXPIRED");
    CHECK(krb::error_name(25) == "KDC_ERR_PREAUTH_REQUIRED");
    CHECK(krb::error_name(37) == "KRB_AP_ERR_SKEW");
    CHECK(krb::error_name(52) == "KRB_ERR_RESPONSE_TOO_BIG");
    CHECK(krb::error_name(68) == "KDC_ERR_WRONG_REALM");
    CHECK(krb::error_name(30).empty());  // unassigned
    CHECK(krb::error_name(-1).empty());
}

TEST_CASE("Kerberos: every prefix of a message is refused, never read past", "[kerberos]") {
    for (const auto* v : {&kError24, &kAsReq, &kTgsReq, &kTgsRep, &kError7}) {
        for (std::size_t n = 0; n < v->size(); ++n) {
            auto m = krb::decode_message(Bytes(v->data(), n));
            CHECK_FALSE(m);
        }
    }
}

TEST_CASE("Kerberos: lying lengths and wrong tags are malformed", "[kerberos]") {
    auto bad = kError24;
    bad[2] = 0xff;  // the outer length claims more than there is
    CHECK_FALSE(krb::decode_message(bad));
    bad = kError24;
    bad[0] = 0x7f;  // not an application tag of a message
    CHECK_FALSE(krb::decode_message(bad));
    bad = kError24;
    bad[0] = 0x6b;  // [APPLICATION 11] AS-REP over a KRB-ERROR body: its fields do not fit
    auto m = krb::decode_message(bad);
    if (m) CHECK_FALSE(m->error_code);
    // A KRB-ERROR without its error-code: cut [6] out by rewriting it as [13].
    bad = kError24;
    for (std::size_t i = 0; i + 4 < bad.size(); ++i)
        if (bad[i] == 0xa6 && bad[i + 1] == 0x03 && bad[i + 2] == 0x02 && bad[i + 4] == 0x18) bad[i] = 0xad;
    auto noerr = krb::decode_message(bad);
    REQUIRE_FALSE(noerr);
    CHECK(noerr.error().field == "error-code");
}

TEST_CASE("Kerberos TCP record length (RFC 4120 7.2.2)", "[kerberos]") {
    auto len = krb::tcp_record_length(hex("00 00 00 8d"));
    REQUIRE(len);
    CHECK(*len == 141u);
    auto more = krb::tcp_record_length(hex("00 00 00"));
    REQUIRE_FALSE(more);
    CHECK(more.error().kind == ErrorKind::need_more);
    CHECK_FALSE(krb::tcp_record_length(hex("80 00 00 01")));  // the reserved bit
}
