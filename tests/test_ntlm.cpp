// SPDX-License-Identifier: MIT
// NTLM messages (MS-NLMP 2.2.1) built byte by byte from the spec's layouts,
// with the names of its NTLMv2 example (4.2.4: user "User", domain "Domain",
// workstation "COMPUTER", server "Server"): what is read, what is never kept,
// and bad offsets.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dissect/credssp.hpp"
#include "dissect/ntlm.hpp"

using namespace rdpscope;
using B = std::vector<std::uint8_t>;

namespace {

void u16(B& b, std::size_t v) {
    b.push_back(static_cast<std::uint8_t>(v));
    b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void u32(B& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
B utf16(const std::string& s) {
    B b;
    for (unsigned char c : s) u16(b, c);
    return b;
}
B header(std::uint32_t type) {
    B b = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    u32(b, type);
    return b;
}
// 2.2.1: Len, MaxLen, BufferOffset.
void field(B& b, std::size_t len, std::size_t offset) {
    u16(b, len);
    u16(b, len);
    u32(b, static_cast<std::uint32_t>(offset));
}
// 2.2.2.10: Windows 10.0 build 20348, NTLMSSP_REVISION_W2K3.
const B kVersion = {10, 0, 0x7C, 0x4F, 0, 0, 0, 0x0F};
// 4.2.4's challenge flags (0xE28A8233): KEY_EXCH, 56, 128, VERSION, TARGET_INFO,
// EXTENDED_SESSIONSECURITY, TARGET_TYPE_SERVER, ALWAYS_SIGN, NTLM, SEAL, SIGN, OEM, UNICODE.
constexpr std::uint32_t kFlags = 0xE28A8233;

B authenticate(const std::string& domain, const std::string& user, const std::string& ws, std::size_t nt_len,
               std::uint32_t flags = kFlags) {
    // Fixed part 64 bytes, VERSION 8, MIC 16: the payload at 88.
    const B d = utf16(domain), u = utf16(user), w = utf16(ws), lm(24, 0), nt(nt_len, 0xAB), key(16, 0xCD);
    std::size_t at = 88;
    B b = header(3);
    field(b, lm.size(), at), at += lm.size();
    field(b, nt.size(), at), at += nt.size();
    field(b, d.size(), at), at += d.size();
    field(b, u.size(), at), at += u.size();
    field(b, w.size(), at), at += w.size();
    field(b, key.size(), at);
    u32(b, flags);
    b.insert(b.end(), kVersion.begin(), kVersion.end());
    b.insert(b.end(), 16, 0xEE);  // MIC
    for (const B* p : {&lm, &nt, &d, &u, &w, &key}) b.insert(b.end(), p->begin(), p->end());
    return b;
}

B challenge() {
    // AV pairs (2.2.2.1) as in 4.2.4: NbDomainName "Domain", NbComputerName "Server", then EOL.
    B info;
    u16(info, 2), u16(info, 12);
    const B dom = utf16("Domain"), srv = utf16("Server");
    info.insert(info.end(), dom.begin(), dom.end());
    u16(info, 1), u16(info, 12);
    info.insert(info.end(), srv.begin(), srv.end());
    u16(info, 3), u16(info, 18);
    const B dns = utf16("server.domain");
    // DnsComputerName of 18 bytes would not fit "server.domain" (26): use its first 9 characters.
    info.insert(info.end(), dns.begin(), dns.begin() + 18);
    u16(info, 0), u16(info, 0);
    const B target = utf16("Domain");
    B b = header(2);
    field(b, target.size(), 56);                       // TargetNameFields
    u32(b, kFlags);                                    // NegotiateFlags
    b.insert(b.end(), {1, 2, 3, 4, 5, 6, 7, 8});       // ServerChallenge
    b.insert(b.end(), 8, 0);                           // Reserved
    field(b, info.size(), 56 + target.size());         // TargetInfoFields
    b.insert(b.end(), kVersion.begin(), kVersion.end());
    b.insert(b.end(), target.begin(), target.end());
    b.insert(b.end(), info.begin(), info.end());
    return b;
}

}  // namespace

TEST_CASE("ntlm: AUTHENTICATE names the user, domain and workstation, never the proofs", "[ntlm]") {
    const B msg = authenticate("Domain", "User", "COMPUTER", 84);
    auto m = ntlm::decode(msg);
    REQUIRE(m);
    CHECK(m->type == 3);
    CHECK(m->flags == kFlags);
    CHECK(m->domain == "Domain");
    CHECK(m->user == "User");
    CHECK(m->workstation == "COMPUTER");
    CHECK(m->nt_response_length == 84);
    CHECK(m->ntlm_v2());
    CHECK_FALSE(m->anonymous());
    REQUIRE(m->version);
    CHECK(m->version->major == 10);
    CHECK(m->version->build == 20348);
    CHECK(m->version->revision == 0x0F);

    SECTION("OEM strings without NEGOTIATE_UNICODE") {
        B oem = header(3);
        const std::string d = "DOM", u = "bob";
        field(oem, 0, 64), field(oem, 0, 64), field(oem, d.size(), 64), field(oem, u.size(), 67), field(oem, 0, 70),
            field(oem, 0, 70);
        u32(oem, 0x00000002);  // NTLM_NEGOTIATE_OEM, no VERSION
        oem.insert(oem.end(), d.begin(), d.end());
        oem.insert(oem.end(), u.begin(), u.end());
        auto o = ntlm::decode(oem);
        REQUIRE(o);
        CHECK(o->domain == "DOM");
        CHECK(o->user == "bob");
        CHECK_FALSE(o->version);
        CHECK_FALSE(o->anonymous());  // a user name, though no NT response (3.2.5.1.2 needs both empty)
    }
    SECTION("VERSION flag set but the payload starts at 64: no version read from the payload") {
        B early = authenticate("D", "U", "W", 24);
        // Move every offset down to 64 (where VERSION would be): the decoder must not read names as a version.
        for (std::size_t f = 12; f < 60; f += 8) {
            const std::uint32_t off = early[f + 4] | early[f + 5] << 8;
            const std::uint32_t moved = off - 24;
            early[f + 4] = static_cast<std::uint8_t>(moved);
            early[f + 5] = static_cast<std::uint8_t>(moved >> 8);
        }
        early.erase(early.begin() + 64, early.begin() + 88);
        auto e = ntlm::decode(early);
        REQUIRE(e);
        CHECK(e->user == "U");
        CHECK_FALSE(e->version);
    }
    SECTION("a field pointing past the message is malformed, named") {
        B bad = msg;
        bad[36 + 5] = 0xF0;  // UserNameFields.BufferOffset, high byte: far past the end
        auto b = ntlm::decode(bad);
        REQUIRE_FALSE(b);
        CHECK(b.error().field == "UserNameFields");
    }
    SECTION("every prefix fails cleanly") {
        for (std::size_t n = 0; n < 64; ++n) CHECK_FALSE(ntlm::decode(Bytes(msg.data(), n)));
    }
}

TEST_CASE("ntlm: CHALLENGE names the server from its target info (MS-NLMP 4.2.4's AV pairs)", "[ntlm]") {
    auto m = ntlm::decode(challenge());
    REQUIRE(m);
    CHECK(m->type == 2);
    CHECK(m->target_name == "Domain");
    CHECK(m->nb_domain == "Domain");
    CHECK(m->nb_computer == "Server");
    CHECK(m->dns_computer == "server.do");
    REQUIRE(m->version);
    CHECK(m->version->build == 20348);
}

TEST_CASE("ntlm: UTF-16 names become UTF-8, control characters are not printed as such", "[ntlm]") {
    B msg = authenticate("Dom", "Us\x01r", "W", 24);
    auto m = ntlm::decode(msg);
    REQUIRE(m);
    CHECK(m->user == "Us?r");
    // A NUL code unit ends a UTF-16 name (what follows is not shown).
    auto nul = ntlm::decode(authenticate("Dom", std::string("Us\0er", 5), "W", 24));
    REQUIRE(nul);
    CHECK(nul->user == "Us");
    // "é" U+00E9 and a surrogate pair U+1F600 in the user name.
    B d = header(3);
    B user;
    u16(user, 0x00E9);
    u16(user, 0xD83D), u16(user, 0xDE00);
    field(d, 0, 64), field(d, 0, 64), field(d, 0, 64), field(d, user.size(), 64), field(d, 0, 70), field(d, 0, 70);
    u32(d, ntlm::NEGOTIATE_UNICODE);
    d.insert(d.end(), user.begin(), user.end());
    auto u = ntlm::decode(d);
    REQUIRE(u);
    CHECK(u->user == "\xC3\xA9\xF0\x9F\x98\x80");
}

TEST_CASE("ntlm: inside a TSRequest, the AUTHENTICATE is decoded with it", "[ntlm][credssp]") {
    const B msg = authenticate("RDPLAB", "rdplab", "CLIENT", 100);
    // TSRequest { version [0] 6, negoTokens [1] { { negoToken [0] OCTET STRING } } } (MS-CSSP 2.2.1).
    auto tlv = [](std::uint8_t tag, const B& c) {
        B b{tag};
        if (c.size() < 0x80) b.push_back(static_cast<std::uint8_t>(c.size()));
        else b.insert(b.end(), {0x82, static_cast<std::uint8_t>(c.size() >> 8), static_cast<std::uint8_t>(c.size())});
        b.insert(b.end(), c.begin(), c.end());
        return b;
    };
    B ver = tlv(0xa0, tlv(0x02, {6}));
    B nego = tlv(0xa1, tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x04, msg)))));
    ver.insert(ver.end(), nego.begin(), nego.end());
    auto r = credssp::decode_ts_request(tlv(0x30, ver));
    REQUIRE(r);
    CHECK(r->ntlm_message == 3);
    REQUIRE(r->ntlm);
    CHECK(r->ntlm->user == "rdplab");
    CHECK(r->ntlm->domain == "RDPLAB");
    CHECK(r->ntlm->workstation == "CLIENT");
}

TEST_CASE("credssp: krb5 GSS tokens in negoTokens (RFC 4121 4.1), AP-REQ's ticket names the service", "[credssp][kerberos]") {
    auto tlv = [](std::uint8_t tag, const B& c) {
        B b{tag};
        if (c.size() < 0x80) b.push_back(static_cast<std::uint8_t>(c.size()));
        else b.insert(b.end(), {0x81, static_cast<std::uint8_t>(c.size())});
        b.insert(b.end(), c.begin(), c.end());
        return b;
    };
    auto cat = [](std::initializer_list<B> parts) {
        B b;
        for (const auto& p : parts) b.insert(b.end(), p.begin(), p.end());
        return b;
    };
    auto gstr = [&](const std::string& s) { return tlv(0x1b, B(s.begin(), s.end())); };  // GeneralString
    auto integer = [&](std::uint8_t v) { return tlv(0x02, {v}); };
    // Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2] PrincipalName, enc-part [3] } (5.3)
    const B sname = tlv(0x30, cat({tlv(0xa0, integer(2)), tlv(0xa1, tlv(0x30, cat({gstr("TERMSRV"), gstr("srv.example")})))}));
    const B enc = tlv(0x30, cat({tlv(0xa0, integer(18)), tlv(0xa2, tlv(0x04, B(16, 0x99)))}));
    const B ticket = tlv(0x61, tlv(0x30, cat({tlv(0xa0, integer(5)), tlv(0xa1, gstr("EXAMPLE")), tlv(0xa2, sname), tlv(0xa3, enc)})));
    // AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1], ap-options [2], ticket [3], authenticator [4] } (5.5.1)
    const B ap_req = tlv(0x6e, tlv(0x30, cat({tlv(0xa0, integer(5)), tlv(0xa1, integer(14)), tlv(0xa2, tlv(0x03, {0, 0, 0, 0, 0})),
                                             tlv(0xa3, ticket), tlv(0xa4, enc)})));
    // GSS InitialContextToken: [APPLICATION 0] { OID 1.2.840.113554.1.2.2, TOK_ID 01 00, AP-REQ }
    const B krb5_oid = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
    const B gss = tlv(0x60, cat({krb5_oid, {0x01, 0x00}, ap_req}));
    auto ts = [&](const B& token) {
        return tlv(0x30, cat({tlv(0xa0, tlv(0x02, {6})), tlv(0xa1, tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x04, token)))))}));
    };
    auto r = credssp::decode_ts_request(ts(gss));
    REQUIRE(r);
    CHECK(r->token_kind == credssp::TokenKind::kerberos);
    CHECK(r->krb5_tok_id == 0x0100);
    CHECK_FALSE(r->krb5_user_to_user);
    REQUIRE(r->kerberos);
    CHECK(r->kerberos->type == 14);
    REQUIRE(r->kerberos->sname);
    CHECK(r->kerberos->sname->joined() == "TERMSRV/srv.example");
    CHECK(r->kerberos->srealm == "EXAMPLE");

    SECTION("a KRB-ERROR KRB_AP_ERR_SKEW (37) in a user-to-user token") {
        // KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1], stime [4], susec [5], error-code [6], realm [9], sname [10] } (5.9.1)
        const std::string t = "20261206120000Z";
        const B err = tlv(0x7e, tlv(0x30, cat({tlv(0xa0, integer(5)), tlv(0xa1, integer(30)), tlv(0xa4, tlv(0x18, B(t.begin(), t.end()))),
                                              tlv(0xa5, integer(0)), tlv(0xa6, integer(37)), tlv(0xa9, gstr("EXAMPLE")), tlv(0xaa, sname)})));
        const B u2u_oid = {0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03};
        auto e = credssp::decode_ts_request(ts(tlv(0x60, cat({u2u_oid, {0x03, 0x00}, err}))));
        REQUIRE(e);
        CHECK(e->krb5_tok_id == 0x0300);
        CHECK(e->krb5_user_to_user);
        REQUIRE(e->kerberos);
        CHECK(e->kerberos->error_code == 37);
        CHECK(std::string(credssp::krb5_token_name(e->krb5_tok_id)) == "KRB-ERROR");
    }
    SECTION("near miss: the OID alone (SPNEGO's mechTypes) is no token") {
        auto n = credssp::decode_ts_request(ts(tlv(0x60, cat({{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}, tlv(0x30, krb5_oid)}))));
        REQUIRE(n);
        CHECK(n->krb5_tok_id == 0);
        CHECK_FALSE(n->kerberos);
    }
}
