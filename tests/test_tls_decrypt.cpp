// SPDX-License-Identifier: MIT
// Decryption and the verdicts read from decrypted CredSSP, on synthetic
// captures whose records this test encrypts itself: TLS 1.2 with
// AES-256-GCM (RFC 5288) and ChaCha20-Poly1305 (RFC 7905), keys from a
// master secret the key log names (key block per RFC 5246 6.3), TSRequests
// built byte by byte from MS-CSSP 2.2.1.  The codes no lab capture has
// (a locked-out account, a wrong password answered with an errorCode, the
// Early User Authorization Result denying access) are covered here; the real
// captures are compared with tshark (tests/cli/decrypt_vs_tshark.sh).
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstdio>

#include "analyze/run.hpp"
#include "analyze/verdict.hpp"
#include "dissect/credssp.hpp"
#include "dissect/rdp_neg.hpp"
#include "capture_builder.hpp"
#include "rdp_builder.hpp"
#include "test_util.hpp"
#include "tls_sealer.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using namespace rdpscope::test::rdp;

namespace {

using namespace rdpscope::test::sealed;

// DER TLV with a short or long definite length (X.690 8.1.3).
B tlv(std::uint8_t tag, const B& content) {
    B b{tag};
    const std::size_t n = content.size();
    if (n < 0x80) b.push_back(static_cast<std::uint8_t>(n));
    else if (n < 0x100) b.insert(b.end(), {0x81, static_cast<std::uint8_t>(n)});
    else b.insert(b.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
    b.insert(b.end(), content.begin(), content.end());
    return b;
}
B cat(std::initializer_list<B> parts) {
    B b;
    for (const auto& p : parts) b.insert(b.end(), p.begin(), p.end());
    return b;
}

// MS-CSSP 2.2.1: TSRequest { version [0], negoTokens [1] { { negoToken [0] } } } with a raw NTLM message.
B ts_ntlm(std::uint8_t ntlm_type, std::size_t extra = 24, std::uint8_t version = 6) {
    B token = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, ntlm_type, 0, 0, 0};
    token.insert(token.end(), extra, 0x11);
    const B nego = tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x04, token))));
    return tlv(0x30, cat({tlv(0xa0, tlv(0x02, {version})), tlv(0xa1, nego)}));
}
// ... with a krb5 GSS token (RFC 4121 4.1: [APPLICATION 0] { OID 1.2.840.113554.1.2.2, TOK_ID, message }).
B ts_krb5(std::uint16_t tok_id, const B& message) {
    const B oid = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
    const B gss = tlv(0x60, cat({oid, {static_cast<std::uint8_t>(tok_id >> 8), static_cast<std::uint8_t>(tok_id)}, message}));
    return tlv(0x30, cat({tlv(0xa0, tlv(0x02, {6})), tlv(0xa1, tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x04, gss)))))}));
}
// KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0] 5, msg-type [1] 30, stime [4], susec [5], error-code [6],
// realm [9], sname [10] } (RFC 4120 5.9.1).
B krb_error(std::uint8_t code) {
    const std::string t = "20261206120000Z", realm = "EXAMPLE";
    auto integer = [](std::uint8_t v) { return tlv(0x02, {v}); };
    const B sname = tlv(0x30, cat({tlv(0xa0, integer(2)), tlv(0xa1, tlv(0x30, cat({tlv(0x1b, B{'T', 'E', 'R', 'M', 'S', 'R', 'V'}),
                                                                                   tlv(0x1b, B{'s', 'r', 'v'})})))}));
    return tlv(0x7e, tlv(0x30, cat({tlv(0xa0, integer(5)), tlv(0xa1, integer(30)), tlv(0xa4, tlv(0x18, B(t.begin(), t.end()))),
                                    tlv(0xa5, integer(0)), tlv(0xa6, integer(code)), tlv(0xa9, tlv(0x1b, B(realm.begin(), realm.end()))),
                                    tlv(0xaa, sname)})));
}
// ... with authInfo [2] (the encrypted TSCredentials: here opaque bytes).
B ts_auth_info() { return tlv(0x30, cat({tlv(0xa0, tlv(0x02, {6})), tlv(0xa2, tlv(0x04, B(90, 0x33)))})); }
// ... carrying only errorCode [4], the 32 bits as a 4-byte INTEGER as Windows sends them.
B ts_error(std::uint32_t code) {
    return tlv(0x30, cat({tlv(0xa0, tlv(0x02, {6})),
                          tlv(0xa4, tlv(0x02, {static_cast<std::uint8_t>(code >> 24), static_cast<std::uint8_t>(code >> 16),
                                                static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)}))}));
}

// The TLS 1.2 AEAD sealing (key block from kMaster, Sealer) is tests/tls_sealer.hpp's.
constexpr Suite12 kChaCha{0xCCA8, "ChaCha20-Poly1305", 32, 12, false, "SHA256"};

struct Seen {
    std::string rule, verdict;
    Cause cause = Cause::none;
    Confidence confidence = Confidence::low;
    std::optional<WaitingOn> waiting_on;
    std::string summary;
    std::optional<DecryptFacts> decryption;
    bool credssp_decrypted_step = false;
    McsFacts mcs{};
    std::optional<ClientCodes> client_codes{};
    bool mcs_decrypted_step = false;
};

class Collect : public FileObserver {
public:
    std::vector<Seen> seen;
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
    void connection_done(const Connection& c, const Verdict& v) override {
        Seen s{v.rule, v.verdict, v.cause, v.confidence, v.waiting_on, v.summary, c.rdp.tls.facts().decryption, false};
        if (const Step* st = v.timeline.step(Phase::credssp)) s.credssp_decrypted_step = st->decrypted && !st->inferred;
        if (const Step* st = v.timeline.step(Phase::mcs_connect)) s.mcs_decrypted_step = st->decrypted && !st->inferred && st->started;
        s.mcs = c.rdp.mcs.facts();
        s.client_codes = v.client_codes;
        CHECK(rule_allows(v.rule, v.cause, v.code.code));
        seen.push_back(std::move(s));
    }
};

// `late`: the key log starts empty and `keys` appear in it at the late-th
// time the tracker reads it again (TrackerOptions::refresh_keys, as live),
// and `more` at the more_at-th time.
Seen run(Capture cap, const std::string& keys, int late = 0, const std::string& more = "", int more_at = 0) {
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-decrypt");
    cap.write(file.path());
    keylog::KeyLog log;
    TrackerOptions opt;
    int reads = 0;
    if (late) {
        opt.refresh_keys = [&] {
            ++reads;
            if (reads == late) log.feed(keys);
            if (reads == more_at) log.feed(more);
        };
    } else {
        log.feed(keys);
        log.finish();
    }
    opt.keys = &log;
    Collect col;
    std::FILE* err = std::fopen("/dev/null", "w");
    run_file(file.path(), col, opt, err);
    std::fclose(err);
    REQUIRE(col.seen.size() == 1);
    return col.seen[0];
}

constexpr std::uint32_t kSsl = rdpneg::PROTOCOL_SSL, kHybrid = rdpneg::PROTOCOL_HYBRID,
                        kHybridEx = rdpneg::PROTOCOL_HYBRID_EX;

// TCP, X.224 (HYBRID or HYBRID_EX), the TLS 1.2 handshake with real Finished
// records (encrypted, sequence 0), the NTLM exchange in TSRequests, then
// `after(client sealer, server sealer, conv)`.
template <typename After>
Capture nla(const Suite12& s, std::uint32_t selected, After after, std::uint8_t client_version = 6,
            std::uint8_t server_version = 6, bool authenticate = true) {
    Capture cap;
    Conv cv(cap);
    auto [cs, ss] = sealers(s);
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid | kHybridEx));
    cv.server(connection_confirm(selected));
    cv.client(client_hello());
    cv.server(server_hello_done({}, s.id));
    B point = {65, 0x04};
    point.insert(point.end(), 64, 0x11);
    const B finished = handshake(20, B(12, 0xF1));  // RFC 5246 7.4.9: verify_data, 12 bytes
    cv.client(cat({tls_record(22, handshake(16, point)), tls_record(20, {1}), cs.seal(22, finished)}));
    cv.server(cat({tls_record(20, {1}), ss.seal(22, finished)}));
    cv.client(cs.seal(23, ts_ntlm(1, 24, client_version)));
    cv.server(ss.seal(23, ts_ntlm(2, 200, server_version)));
    if (authenticate) cv.client(cs.seal(23, ts_ntlm(3, 300, client_version)));
    after(cs, ss, cv);
    return cap;
}

}  // namespace

TEST_CASE("decrypt: TLS 1.2 AES-256-GCM, a locked-out account's errorCode decides the verdict", "[decrypt]") {
    auto cap = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer& ss, Conv& cv) {
        cv.server(ss.seal(23, ts_error(0xC0000234)));
        cv.client_rst();
    });
    const Seen s = run(cap, keylog_line(kMaster));
    CHECK(s.rule == "credssp_decrypted");
    CHECK(s.cause == Cause::authentication_failure);
    CHECK(s.verdict == "account_locked_out");
    // mstsc's SSL_ERR_ACCOUNT_LOCKED_OUT (IMsTscAxEvents::OnDisconnected), from the decrypted NTSTATUS.
    REQUIRE(s.client_codes);
    CHECK(s.client_codes->main == 0xD07u);
    CHECK(s.credssp_decrypted_step);
    REQUIRE(s.decryption);
    CHECK(s.decryption->keys_found);
    CHECK(s.decryption->records[0] == 3);  // Finished, NEGOTIATE, AUTHENTICATE
    CHECK(s.decryption->records[1] == 3);  // Finished, CHALLENGE, the error
    REQUIRE(s.decryption->ts_requests.size() == 4);
    CHECK(s.decryption->ts_requests[0].request.ntlm_message == 1);
    CHECK(s.decryption->ts_requests[1].request.ntlm_message == 2);
    CHECK(s.decryption->ts_requests[2].request.ntlm_message == 3);
    CHECK(s.decryption->ts_requests[3].dir == Dir::s2c);
    CHECK(s.decryption->error_code == 0xC0000234u);
}

TEST_CASE("decrypt: TLS 1.2 ChaCha20-Poly1305, STATUS_LOGON_FAILURE", "[decrypt]") {
    auto cap = nla(kChaCha, kHybrid, [](Sealer&, Sealer& ss, Conv& cv) {
        cv.server(ss.seal(23, ts_error(0xC000006D)));
        cv.client_rst();
    });
    const Seen s = run(cap, keylog_line(kMaster));
    CHECK(s.verdict == "logon_failure");
    REQUIRE(s.client_codes);
    CHECK(s.client_codes->main == 0x807u);  // SSL_ERR_LOGON_FAILURE
    REQUIRE(s.decryption);
    CHECK(s.decryption->error_code == 0xC000006Du);
}

TEST_CASE("decrypt: HYBRID_EX, the Early User Authorization Result denies access", "[decrypt]") {
    auto cap = nla(kAes256Gcm, kHybridEx, [](Sealer& cs, Sealer& ss, Conv& cv) {
        cv.client(cs.seal(23, ts_auth_info()));
        cv.server(ss.seal(23, {5, 0, 0, 0}));  // MS-RDPBCGR 2.2.10.2: AUTHZ_ACCESS_DENIED
        cv.server_fin();
        cv.client_fin();
    });
    const Seen s = run(cap, keylog_line(kMaster));
    CHECK(s.verdict == "authz_access_denied");
    REQUIRE(s.decryption);
    CHECK(s.decryption->euar == 5u);
    CHECK(s.decryption->auth_info_frame != 0);

    SECTION("near miss: AUTHZ_SUCCESS, then the Connect Initial: CredSSP done, read") {
        auto ok = nla(kAes256Gcm, kHybridEx, [](Sealer& cs, Sealer& ss, Conv& cv) {
            cv.client(cs.seal(23, ts_auth_info()));
            cv.server(ss.seal(23, {0, 0, 0, 0}));
            cv.client(cs.seal(23, {3, 0, 0, 12, 2, 0xf0, 0x80, 0x7f, 0x65, 0x82, 0x01, 0x00}));  // TPKT, X.224 DT, MCS
            cv.server_fin();
        });
        const Seen n = run(ok, keylog_line(kMaster));
        CHECK(n.verdict != "authz_access_denied");
        REQUIRE(n.decryption);
        CHECK(n.decryption->euar == 0u);
        CHECK(n.decryption->credssp_end_frame != 0);
    }
}

// The server's Set Error Info (MS-RDPBCGR 2.2.5.1) in an MCS Send Data
// Indication on channel 1003 from the server (initiator 1002 = 1001 + 1):
// TPKT, X.224 DT, PER 0x68 (CHOICE 26), initiator, channelId, 0x70
// (priority high, begin|end), length, then the 22-byte Share Data PDU.
static B set_error_info(std::uint32_t code) {
    B share = {0x16, 0x00, 0x17, 0x00, 0x00, 0x00, 0xea, 0x03, 0x01, 0x00, 0x00, 0x01, 0x08, 0x00, 0x2f, 0x00, 0x00, 0x00,
               static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code >> 16),
               static_cast<std::uint8_t>(code >> 24)};
    B x = {0x02, 0xf0, 0x80, 0x68, 0x00, 0x01, 0x03, 0xeb, 0x70, static_cast<std::uint8_t>(share.size())};
    x.insert(x.end(), share.begin(), share.end());
    return tpkt(x);
}

TEST_CASE("decrypt: after CredSSP the connection sequence is read, and Set Error Info 0x7 decides server_denied_connection", "[decrypt]") {
    auto denied = [](std::uint32_t errinfo) {
        return nla(kAes256Gcm, kHybridEx, [errinfo](Sealer& cs, Sealer& ss, Conv& cv) {
            cv.client(cs.seal(23, ts_auth_info()));
            cv.server(ss.seal(23, {0, 0, 0, 0}));  // AUTHZ_SUCCESS
            cv.client(cs.seal(23, mcs_connect_initial()));
            cv.server(ss.seal(23, set_error_info(errinfo)));
            cv.server_fin();
            cv.client_fin();
        });
    };
    const Seen s = run(denied(7), keylog_line(kMaster));
    CHECK(s.rule == "server_error_info");
    CHECK(s.cause == Cause::closed_by_server);
    CHECK(s.verdict == "server_denied_connection");
    CHECK(s.mcs.decrypted);
    CHECK(s.mcs.connect_initial_frame != 0);
    CHECK(s.mcs.error_info == 7u);
    CHECK(s.mcs_decrypted_step);
    REQUIRE(s.client_codes);
    CHECK(s.client_codes->main == 0x904);
    CHECK(s.client_codes->extended == 7u);
    CHECK(s.client_codes->main_likely);

    SECTION("near miss: ERRINFO_NONE (0) is ignored as the spec says, another rule decides") {
        const Seen n = run(denied(0), keylog_line(kMaster));
        CHECK(n.rule != "server_error_info");
        CHECK(n.mcs.decrypted);
        CHECK(!n.mcs.error_info);
        // The verdict another rule gives still names the client's codes, but no extended code: none was on the wire.
        CHECK((!n.client_codes || !n.client_codes->extended));
    }
    SECTION("other codes: 0x9, licensing, broker") {
        CHECK(run(denied(0x9), keylog_line(kMaster)).verdict == "server_insufficient_privileges");
        CHECK(run(denied(0x102), keylog_line(kMaster)).verdict == "licensing_failed");
        CHECK(run(denied(0x400), keylog_line(kMaster)).verdict == "broker_error");
        CHECK(run(denied(0x10C9), keylog_line(kMaster)).verdict == "server_error_info");
    }
}

// The server's Save Session Info (MS-RDPBCGR 2.2.10.1) with
// INFOTYPE_LOGON_EXTENDED_INFO and only LOGON_EX_LOGONERRORS present
// (2.2.10.1.1.4): Length, FieldsPresent 0x2, then the TS_LOGON_INFO_FIELD
// (cbFieldData 8) holding TS_LOGON_ERRORS_INFO (ErrorNotificationType,
// ErrorNotificationData), in a Send Data Indication as set_error_info builds it.
static B logon_error(std::uint32_t type, std::uint32_t data) {
    auto le32 = [](B& b, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    B body;
    le32(body, 3);                 // infoType INFOTYPE_LOGON_EXTENDED_INFO
    body.push_back(14);            // Length: itself, FieldsPresent, one field of 8
    body.push_back(0);
    le32(body, 2);                 // FieldsPresent LOGON_EX_LOGONERRORS
    le32(body, 8);                 // cbFieldData
    le32(body, type);
    le32(body, data);
    const std::uint16_t total = static_cast<std::uint16_t>(18 + body.size());
    B share = {static_cast<std::uint8_t>(total), 0x00, 0x17, 0x00, 0xea, 0x03,  // totalLength, PDUTYPE_DATAPDU, pduSource
               0x01, 0x00, 0x01, 0x00, 0x00, 0x01,                              // shareId, pad1, streamId
               static_cast<std::uint8_t>(body.size() + 4), 0x00, 0x26, 0x00, 0x00, 0x00};  // pduType2 38
    share.insert(share.end(), body.begin(), body.end());
    B x = {0x02, 0xf0, 0x80, 0x68, 0x00, 0x01, 0x03, 0xeb, 0x70, static_cast<std::uint8_t>(share.size())};
    x.insert(x.end(), share.begin(), share.end());
    return tpkt(x);
}

TEST_CASE("decrypt: the server's logon error (Save Session Info, LOGON_EX_LOGONERRORS) decides rule logon_error", "[decrypt]") {
    auto capture = [](std::uint32_t type, std::uint32_t data, bool server_closes) {
        return nla(kAes256Gcm, kHybridEx, [=](Sealer& cs, Sealer& ss, Conv& cv) {
            cv.client(cs.seal(23, ts_auth_info()));
            cv.server(ss.seal(23, {0, 0, 0, 0}));  // AUTHZ_SUCCESS
            cv.client(cs.seal(23, mcs_connect_initial()));
            cv.server(ss.seal(23, logon_error(type, data)));
            if (server_closes) {
                cv.server_fin();
                cv.client_fin();
            } else {
                cv.client_fin();
                cv.server_fin();
            }
        });
    };
    // NTSTATUS STATUS_LOGON_FAILURE with LOGON_FAILED_BAD_PASSWORD, the server closes.
    const Seen s = run(capture(0xC000006D, 0, true), keylog_line(kMaster));
    CHECK(s.rule == "logon_error");
    CHECK(s.cause == Cause::authentication_failure);
    CHECK(s.verdict == "logon_failed_bad_password");
    CHECK(s.mcs.logon_error_type == 0xC000006Du);
    CHECK(s.mcs.logon_error_data == 0u);
    CHECK_FALSE(s.mcs.logon);  // an error is no logon notification
    REQUIRE(s.client_codes);
    CHECK(s.client_codes->main == 0x904u);

    SECTION("the client closes at the logon screen: main code 0x1") {
        const Seen c = run(capture(0xC000006D, 0, false), keylog_line(kMaster));
        CHECK(c.verdict == "logon_failed_bad_password");
        REQUIRE(c.client_codes);
        CHECK(c.client_codes->main == 0x1u);
    }
    SECTION("every failure the rule names") {
        CHECK(run(capture(0xC0000224, 1, true), keylog_line(kMaster)).verdict == "logon_failed_update_password");
        CHECK(run(capture(0xC000006E, 2, true), keylog_line(kMaster)).verdict == "logon_failed_other");
        const Seen np = run(capture(0xFFFFFFFA, 2, true), keylog_line(kMaster));  // LOGON_MSG_NO_PERMISSION, session 2
        CHECK(np.verdict == "logon_no_permission");
        CHECK(np.cause == Cause::authentication_failure);
        const Seen dr = run(capture(0xFFFFFFF9, 2, true), keylog_line(kMaster));
        CHECK(dr.verdict == "logon_disconnect_refused");
        CHECK(dr.cause == Cause::closed_by_server);
        CHECK(run(capture(0xFFFFFFFB, 1, true), keylog_line(kMaster)).verdict == "logon_session_contention");
        CHECK(run(capture(0xFFFFFFFC, 1, true), keylog_line(kMaster)).verdict == "logon_session_contention");
        CHECK(run(capture(0xFFFFFFFD, 1, true), keylog_line(kMaster)).verdict == "logon_session_terminated");
    }
    SECTION("near misses: LOGON_WARNING and LOGON_MSG_SESSION_CONTINUE are no failure, another rule decides") {
        const Seen w = run(capture(0xC000006D, 3, true), keylog_line(kMaster));
        CHECK(w.rule != "logon_error");
        CHECK(w.mcs.logon_error_data == 3u);
        // Session 0 after LOGON_MSG_SESSION_CONTINUE is a session id, not LOGON_FAILED_BAD_PASSWORD.
        CHECK(run(capture(0xFFFFFFFE, 0, true), keylog_line(kMaster)).rule != "logon_error");
    }
}

TEST_CASE("decrypt: a wrong key or a damaged record stops decryption, and the sizes decide as without keys", "[decrypt]") {
    auto make = [] {
        return nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer& ss, Conv& cv) {
            cv.server(ss.seal(23, ts_error(0x80090302)));
            cv.client_rst();
        });
    };
    SECTION("the key log's master secret is not this session's") {
        const Seen s = run(make(), keylog_line(B(48, 0x43)));
        REQUIRE(s.decryption);
        CHECK(s.decryption->keys_found);
        CHECK(s.decryption->records[0] == 0);
        CHECK(s.decryption->failed_frame[0] != 0);  // the client's Finished does not authenticate
        CHECK(s.decryption->failed_frame[1] != 0);
        CHECK(s.decryption->ts_requests.empty());
        CHECK(s.rule == "credssp_error");  // by the error record's size, as without keys
    }
    SECTION("no key log line for the session") {
        const Seen s = run(make(), "CLIENT_RANDOM " + std::string(64, 'e') + " " + std::string(96, '4') + "\n");
        REQUIRE(s.decryption);
        CHECK_FALSE(s.decryption->keys_found);
        CHECK(s.decryption->problem.find("no secrets for this session") != std::string::npos);
        CHECK(s.rule == "credssp_error");
    }
    SECTION("the right key: the code names the verdict") {
        const Seen s = run(make(), keylog_line(kMaster));
        CHECK(s.verdict == "ntlm_not_allowed");
    }
}

TEST_CASE("credssp: TSRequest vectors built from MS-CSSP 2.2.1", "[decrypt][credssp]") {
    // The 15-byte error TSRequest Windows sends (tshark decodes the same bytes
    // of rdp-nla-ntlm-rejected1 as version 6, errorCode -2146893054).
    const B err = {0x30, 0x0d, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4, 0x06, 0x02, 0x04, 0x80, 0x09, 0x03, 0x02};
    CHECK(err == ts_error(0x80090302));
    auto r = credssp::decode_ts_request(err);
    REQUIRE(r);
    CHECK(r->version == 6);
    CHECK(r->error_code == 0x80090302u);
    CHECK(std::string(credssp::status_name(*r->error_code)) == "SEC_E_UNSUPPORTED_FUNCTION");
    CHECK(*credssp::ts_request_length(err) == 15);
    // The positive form of the same INTEGER (a leading 00) reads the same.
    const B pos = {0x30, 0x0e, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4, 0x07, 0x02, 0x05, 0x00, 0x80, 0x09, 0x03, 0x02};
    CHECK(credssp::decode_ts_request(pos)->error_code == 0x80090302u);
    // Every prefix is need_more for the framer, and no crash for the decoder.
    for (std::size_t n = 0; n < err.size(); ++n) {
        auto l = credssp::ts_request_length(B(err.begin(), err.begin() + n));
        REQUIRE_FALSE(l);
        CHECK(l.error().kind == ErrorKind::need_more);
        CHECK_FALSE(credssp::decode_ts_request(B(err.begin(), err.begin() + n)));
    }
    // NTLM inside negoTokens; authInfo present, never its bytes.
    auto n = credssp::decode_ts_request(ts_ntlm(3));
    REQUIRE(n);
    CHECK(n->nego_tokens == 1);
    CHECK(n->token_kind == credssp::TokenKind::ntlm);
    CHECK(n->ntlm_message == 3);
    CHECK(credssp::decode_ts_request(ts_auth_info())->auth_info);
    // Fields out of order, and a missing version, are malformed.
    CHECK_FALSE(credssp::decode_ts_request(tlv(0x30, cat({tlv(0xa4, tlv(0x02, {1})), tlv(0xa0, tlv(0x02, {6}))}))));
    CHECK_FALSE(credssp::decode_ts_request(tlv(0x30, tlv(0xa4, tlv(0x02, {1})))));
    // The Early User Authorization Result: 4 bytes little-endian.
    CHECK(*credssp::decode_early_user_auth_result(B{5, 0, 0, 0}) == 5u);
    CHECK_FALSE(credssp::decode_early_user_auth_result(B{5, 0, 0}));
}

// ---------------------------------------------------------------------------
// CBC suites: TLS 1.0 to 1.2, MAC-then-encrypt (RFC 5246 6.2.3.2) and
// encrypt-then-MAC (RFC 7366).  The records are sealed here by the RFCs'
// rules; the lab captures with these suites are compared with tshark.
// ---------------------------------------------------------------------------
namespace {

struct CbcSuite {
    std::uint16_t id;
    const char* cipher;
    int key_len, block;
    const char* mac;
    int mac_len;
    const char* prf12;  // the TLS 1.2 PRF hash
};
constexpr CbcSuite kAes128Sha{0xC013, "AES-128-CBC", 16, 16, "SHA1", 20, "SHA256"};     // ECDHE_RSA_WITH_AES_128_CBC_SHA
constexpr CbcSuite kAes256Sha384{0xC028, "AES-256-CBC", 32, 16, "SHA384", 48, "SHA384"};  // ECDHE_RSA_WITH_AES_256_CBC_SHA384
constexpr CbcSuite kRsaAes128Sha{0x002F, "AES-128-CBC", 16, 16, "SHA1", 20, "SHA256"};  // RSA_WITH_AES_128_CBC_SHA
constexpr CbcSuite k3Des{0x000A, "DES-EDE3-CBC", 24, 8, "SHA1", 20, "SHA256"};          // RSA_WITH_3DES_EDE_CBC_SHA

B hmac(const char* digest, const B& key, const B& data) {
    std::uint8_t out[EVP_MAX_MD_SIZE];
    std::size_t n = 0;
    REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, key.data(), key.size(), data.data(), data.size(), out,
                      sizeof out, &n) != nullptr);
    return B(out, out + n);
}

struct CbcSealer {
    const CbcSuite* s;
    std::uint16_t version;
    bool etm;
    B mac_key, key, iv;  // iv: TLS 1.0's chained IV
    std::uint64_t seq = 0;
    std::uint8_t next_iv = 0x61;  // TLS 1.1+: each record's explicit IV, a pattern
    B mac_input(std::uint8_t type, const B& fragment) const {
        B m;
        for (int i = 0; i < 8; ++i) m.push_back(static_cast<std::uint8_t>(seq >> (56 - 8 * i)));
        m.insert(m.end(), {type, static_cast<std::uint8_t>(version >> 8), static_cast<std::uint8_t>(version),
                           static_cast<std::uint8_t>(fragment.size() >> 8), static_cast<std::uint8_t>(fragment.size())});
        m.insert(m.end(), fragment.begin(), fragment.end());
        return m;
    }
    B encrypt(const B& record_iv, const B& plain) {
        EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, s->cipher, nullptr);
        EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
        B out(plain.size() + 32);
        int len = 0;
        REQUIRE(EVP_EncryptInit_ex2(ctx, c, key.data(), record_iv.data(), nullptr) > 0);
        EVP_CIPHER_CTX_set_padding(ctx, 0);
        REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size())) > 0);
        REQUIRE(static_cast<std::size_t>(len) == plain.size());
        out.resize(plain.size());
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
        return out;
    }
    static void pad(B& b, int block) {
        const auto p = static_cast<std::uint8_t>((block - (b.size() + 1) % block) % block);
        b.insert(b.end(), p + 1u, p);  // padding_length + 1 bytes of padding_length
    }
    B seal(std::uint8_t type, const B& plain) {
        B record_iv = iv;
        B prefix;
        if (version >= 0x0302) {
            record_iv.assign(s->block, next_iv++);
            prefix = record_iv;
        }
        B body;
        if (etm) {
            B data = plain;
            pad(data, s->block);
            const B ct = encrypt(record_iv, data);
            if (version < 0x0302) iv.assign(ct.end() - s->block, ct.end());
            body = cat({prefix, ct});
            body = cat({body, hmac(s->mac, mac_key, mac_input(type, body))});
        } else {
            B data = cat({plain, hmac(s->mac, mac_key, mac_input(type, plain))});
            pad(data, s->block);
            const B ct = encrypt(record_iv, data);
            if (version < 0x0302) iv.assign(ct.end() - s->block, ct.end());
            body = cat({prefix, ct});
        }
        ++seq;
        return tls_record(type, body, version);
    }
};

// RFC 5246 6.3 (RFC 2246 6.3 for TLS 1.0/1.1 with the MD5+SHA1 PRF): MAC
// keys, cipher keys, then TLS 1.0's IVs.
std::pair<CbcSealer, CbcSealer> cbc_sealers(const CbcSuite& s, std::uint16_t version, bool etm) {
    B server_random, client_random;
    for (int i = 0; i < 32; ++i) {
        server_random.push_back(static_cast<std::uint8_t>(0x80 + i));
        client_random.push_back(static_cast<std::uint8_t>(i));
    }
    const std::string label = "key expansion";
    B block(2 * (s.mac_len + s.key_len + s.block));
    const char* prf = version < 0x0303 ? "MD5-SHA1" : s.prf12;
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(prf), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<std::uint8_t*>(kMaster.data()), kMaster.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<char*>(label.data()), label.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, server_random.data(), 32),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, client_random.data(), 32),
        OSSL_PARAM_construct_end()};
    REQUIRE(EVP_KDF_derive(ctx, block.data(), block.size(), p) > 0);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    auto at = [&](int off, int n) { return B(block.begin() + off, block.begin() + off + n); };
    const int m = s.mac_len, k = s.key_len, b = s.block;
    CbcSealer c{&s, version, etm, at(0, m), at(2 * m, k), at(2 * m + 2 * k, b)};
    CbcSealer v{&s, version, etm, at(m, m), at(2 * m + k, k), at(2 * m + 2 * k + b, b)};
    return {c, v};
}

// Hellos of `version`, the suite, and encrypt_then_mac (22, RFC 7366 2) as asked.
B hello_ext(bool etm) { return etm ? B{0, 4, 0, 22, 0, 0} : B{}; }
B cbc_client_hello(std::uint16_t version, std::uint16_t suite, bool etm) {
    B body = {static_cast<std::uint8_t>(version >> 8), static_cast<std::uint8_t>(version)};
    for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(i));
    body.insert(body.end(), {0, 0, 2, static_cast<std::uint8_t>(suite >> 8), static_cast<std::uint8_t>(suite), 1, 0});
    return tls_record(22, handshake(1, cat({body, hello_ext(etm)})), 0x0301);
}
B cbc_server_hello(std::uint16_t version, std::uint16_t suite, bool etm) {
    B body = {static_cast<std::uint8_t>(version >> 8), static_cast<std::uint8_t>(version)};
    for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(0x80 + i));
    body.insert(body.end(), {0, static_cast<std::uint8_t>(suite >> 8), static_cast<std::uint8_t>(suite), 0});
    return tls_record(22, cat({handshake(2, cat({body, hello_ext(etm)})), handshake(14, {})}), version);
}

// As nla() above, with a CBC suite: the client's NTLM messages, then the
// server's error TSRequest carrying `code`, then the client resets.
Capture cbc_nla(const CbcSuite& s, std::uint16_t version, bool client_etm, bool server_etm, std::uint32_t code,
                bool tamper = false) {
    Capture cap;
    Conv cv(cap);
    auto [cs, ss] = cbc_sealers(s, version, client_etm && server_etm);
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    cv.server(connection_confirm(kHybrid));
    cv.client(cbc_client_hello(version, s.id, client_etm));
    cv.server(cbc_server_hello(version, s.id, server_etm));
    const B finished = handshake(20, B(12, 0xF1));
    cv.client(cat({tls_record(22, handshake(16, B(130, 0x11)), version), tls_record(20, {1}, version), cs.seal(22, finished)}));
    cv.server(cat({tls_record(20, {1}, version), ss.seal(22, finished)}));
    cv.client(cs.seal(23, ts_ntlm(1)));
    cv.server(ss.seal(23, ts_ntlm(2, 200)));
    cv.client(cs.seal(23, ts_ntlm(3, 300)));
    B err = ss.seal(23, ts_error(code));
    if (tamper) err[err.size() - 1] ^= 0x01;
    cv.server(err);
    cv.client_rst();
    return cap;
}

}  // namespace

TEST_CASE("decrypt: CBC suites, MAC-then-encrypt and encrypt-then-MAC, TLS 1.0 to 1.2", "[decrypt][cbc]") {
    struct Case {
        const char* what;
        const CbcSuite* suite;
        std::uint16_t version;
        bool client_etm, server_etm;
    };
    const Case cases[] = {
        {"TLS 1.2 ECDHE-RSA-AES128-SHA, MAC-then-encrypt (as SChannel)", &kAes128Sha, 0x0303, false, false},
        {"TLS 1.2 ECDHE-RSA-AES256-SHA384, encrypt-then-MAC", &kAes256Sha384, 0x0303, true, true},
        {"TLS 1.2, the client offers encrypt-then-MAC, the server does not echo it", &kAes128Sha, 0x0303, true, false},
        {"TLS 1.0 AES128-SHA: the MD5+SHA1 PRF and the chained IV", &kRsaAes128Sha, 0x0301, false, false},
        {"TLS 1.0 AES128-SHA with encrypt-then-MAC", &kRsaAes128Sha, 0x0301, true, true},
        {"TLS 1.1 DES-CBC3-SHA: explicit 8-byte IVs", &k3Des, 0x0302, false, false},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.what) {
            const Seen s = run(cbc_nla(*c.suite, c.version, c.client_etm, c.server_etm, 0xC0000072), keylog_line(kMaster));
            CHECK(s.rule == "credssp_decrypted");
            CHECK(s.verdict == "account_disabled");
            REQUIRE(s.decryption);
            CHECK(s.decryption->keys_found);
            CHECK(s.decryption->records[0] == 3);
            CHECK(s.decryption->records[1] == 3);
            CHECK(s.decryption->error_code == 0xC0000072u);
            CHECK(s.decryption->failed_frame[0] == 0);
            CHECK(s.decryption->failed_frame[1] == 0);
        }
    }
    SECTION("near miss: the server's last record does not authenticate (one bit flipped)") {
        const Seen s = run(cbc_nla(kAes128Sha, 0x0303, false, false, 0xC0000072, true), keylog_line(kMaster));
        REQUIRE(s.decryption);
        CHECK(s.decryption->records[1] == 2);  // Finished and CHALLENGE
        CHECK(s.decryption->failed_frame[1] != 0);
        CHECK_FALSE(s.decryption->error_code);
        CHECK(s.verdict != "account_disabled");
    }
    SECTION("near miss: a master secret that is not this session's") {
        const Seen s = run(cbc_nla(kAes128Sha, 0x0301, false, false, 0xC0000072), keylog_line(B(48, 0x43)));
        REQUIRE(s.decryption);
        CHECK(s.decryption->records[0] == 0);
        CHECK(s.decryption->failed_frame[0] != 0);
    }
}

TEST_CASE("decrypt: the server closes after the NTLM AUTHENTICATE without an errorCode, and the verdict says why none", "[decrypt]") {
    // FreeRDP's server: TSRequest version 6, no errorCode, close_notify-less FIN.
    auto cap = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer&, Conv& cv) {
        cv.server_fin();
        cv.client_fin();
    });
    const Seen s = run(cap, keylog_line(kMaster));
    CHECK(s.rule == "credssp_decrypted");
    CHECK(s.cause == Cause::authentication_failure);
    CHECK(s.verdict == "ntlm_rejected");
    CHECK(s.confidence == Confidence::high);
    CHECK(s.waiting_on == WaitingOn::server);
    CHECK_THAT(s.summary, Catch::Contains("version 6, which could carry an errorCode, yet the server sent none"));

    SECTION("a server on CredSSP 2 has no errorCode to send") {
        auto v2 = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer&, Conv& cv) { cv.server_fin(); cv.client_fin(); }, 6, 2);
        const Seen n = run(v2, keylog_line(kMaster));
        CHECK(n.verdict == "ntlm_rejected");
        CHECK_THAT(n.summary, Catch::Contains("version 2 (the client announced 6, the server 2), which has no errorCode"));
    }
    SECTION("a client on CredSSP 2 (impacket's) and a server on 6: the exchange has no errorCode either") {
        auto v2 = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer&, Conv& cv) { cv.server_fin(); cv.client_fin(); }, 2, 6);
        const Seen n = run(v2, keylog_line(kMaster));
        CHECK(n.verdict == "ntlm_rejected");
        CHECK_THAT(n.summary, Catch::Contains("version 2 (the client announced 2, the server 6), which has no errorCode"));
    }
    SECTION("near miss: the server answers the AUTHENTICATE (pubKeyAuth) before it closes: not this rule") {
        auto answered = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer& ss, Conv& cv) {
            cv.server(ss.seal(23, tlv(0x30, cat({tlv(0xa0, tlv(0x02, {6})), tlv(0xa3, tlv(0x04, B(32, 0x44)))}))));
            cv.server_fin();
            cv.client_fin();
        });
        CHECK(run(answered, keylog_line(kMaster)).rule != "credssp_decrypted");
    }
    SECTION("near miss: the client closes first: not the server refusing") {
        auto client_first = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer&, Conv& cv) { cv.client_fin(); cv.server_fin(); });
        CHECK(run(client_first, keylog_line(kMaster)).rule != "credssp_decrypted");
    }
}

TEST_CASE("decrypt: CVE-2018-0886 remediation, a client on CredSSP 6 refuses a server on version 3", "[decrypt]") {
    // KB4093492: a patched client (Mitigated / Force Updated Clients) does not
    // fall back to an unpatched server: it closes after the server's first TSRequest.
    auto cap = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer&, Conv& cv) { cv.client_fin(); cv.server_fin(); }, 6, 3, false);
    const Seen s = run(cap, keylog_line(kMaster));
    CHECK(s.rule == "credssp_decrypted");
    CHECK(s.cause == Cause::authentication_failure);
    CHECK(s.verdict == "credssp_version_policy");
    CHECK(s.waiting_on == WaitingOn::client);
    CHECK(s.confidence == Confidence::medium);

    SECTION("near miss: the server is on version 6: the client just closed") {
        auto same = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer&, Conv& cv) { cv.client_fin(); cv.server_fin(); }, 6, 6, false);
        CHECK(run(same, keylog_line(kMaster)).verdict != "credssp_version_policy");
    }
    SECTION("near miss: the client goes on with its AUTHENTICATE: it accepted the older server") {
        auto on = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer&, Conv& cv) { cv.client_fin(); cv.server_fin(); }, 6, 3, true);
        CHECK(run(on, keylog_line(kMaster)).verdict != "credssp_version_policy");
    }
}

TEST_CASE("decrypt: SEC_E_UNSUPPORTED_FUNCTION to a client on CredSSP 2 is the server's Force Updated Clients policy or NTLM refused", "[decrypt]") {
    auto cap = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer& ss, Conv& cv) {
        cv.server(ss.seal(23, ts_error(0x80090302)));
        cv.server_fin();
        cv.client_fin();
    }, 2, 6);
    const Seen s = run(cap, keylog_line(kMaster));
    CHECK(s.verdict == "credssp_version_policy");
    CHECK(s.confidence == Confidence::medium);
    CHECK_THAT(s.summary, Catch::Contains("Force Updated Clients"));
    CHECK_THAT(s.summary, Catch::Contains("refuses NTLM"));  // the other reading, said too

    SECTION("near miss: a client on version 6 gets the same code: NTLM refused") {
        auto v6 = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer& ss, Conv& cv) {
            cv.server(ss.seal(23, ts_error(0x80090302)));
            cv.server_fin();
            cv.client_fin();
        });
        const Seen n = run(v6, keylog_line(kMaster));
        CHECK(n.verdict == "ntlm_not_allowed");
        CHECK(n.confidence == Confidence::high);
    }
}

TEST_CASE("decrypt: a KRB-ERROR inside CredSSP decides the verdict (KRB_AP_ERR_SKEW: clock skew)", "[decrypt][kerberos]") {
    // The server refuses the client's AP-REQ with an AP-level error in a
    // TSRequest (RFC 4121 4.1 TOK_ID 03 00; RFC 4120 7.5.9 error 37).
    Capture cap;
    Conv cv(cap);
    auto [cs, ss] = sealers(kAes256Gcm);
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    cv.server(connection_confirm(kHybrid));
    cv.client(client_hello());
    cv.server(server_hello_done({}, kAes256Gcm.id));
    B point = {65, 0x04};
    point.insert(point.end(), 64, 0x11);
    const B finished = handshake(20, B(12, 0xF1));
    cv.client(cat({tls_record(22, handshake(16, point)), tls_record(20, {1}), cs.seal(22, finished)}));
    cv.server(cat({tls_record(20, {1}), ss.seal(22, finished)}));
    cv.client(cs.seal(23, ts_krb5(0x0100, B(40, 0x6e))));  // an AP-REQ (its bytes not read here)
    cv.server(ss.seal(23, ts_krb5(0x0300, krb_error(37))));
    cv.server_fin();
    cv.client_fin();
    const Seen s = run(cap, keylog_line(kMaster));
    CHECK(s.rule == "credssp_decrypted");
    CHECK(s.verdict == "kerberos_clock_skew");
    CHECK_THAT(s.summary, Catch::Contains("KRB_AP_ERR_SKEW"));
}

TEST_CASE("decrypt live: the key log gets the session's secrets after its first encrypted record", "[decrypt][live]") {
    // As with `capture --keylog` while the client writes it: the key log is
    // empty when the connection starts; the secrets appear at the second time
    // it is read again, after the client's Finished went by unread.
    auto cap = nla(kAes256Gcm, kHybrid, [](Sealer&, Sealer& ss, Conv& cv) {
        cv.server(ss.seal(23, ts_error(0xC0000234)));
        cv.client_rst();
    });
    const Seen s = run(cap, keylog_line(kMaster), 2);
    REQUIRE(s.decryption);
    CHECK(s.decryption->keys_found);
    CHECK(s.decryption->undecrypted[0] == 1);  // the client's Finished, before the secrets came
    CHECK(s.decryption->records[0] == 2);      // NEGOTIATE, AUTHENTICATE: sequence numbers 1 and 2
    CHECK(s.decryption->records[1] == 3);      // Finished, CHALLENGE, the error
    CHECK_THAT(s.decryption->problem, Catch::Contains("only after 1 of its encrypted records"));
    CHECK(s.verdict == "account_locked_out");

    SECTION("the secrets are there at the first read: everything is decrypted") {
        const Seen n = run(cap, keylog_line(kMaster), 1);
        REQUIRE(n.decryption);
        CHECK(n.decryption->records[0] == 3);
        CHECK(n.decryption->undecrypted[0] == 0);
        CHECK(n.decryption->problem.empty());
    }
    SECTION("the secrets never come: nothing is decrypted, and the sizes decide as without keys") {
        const Seen n = run(cap, keylog_line(kMaster), 1000);
        REQUIRE(n.decryption);
        CHECK_FALSE(n.decryption->keys_found);
        CHECK(n.decryption->records[0] == 0);
        CHECK(n.rule != "credssp_decrypted");
    }
}

namespace {
// TLS 1.3 with AES-256-GCM: ServerHello, the server's encrypted flight
// (EncryptedExtensions, Finished), the client's Finished, then NTLM in
// TSRequests under the application secrets; `after(client, server, conv)`.
template <typename After>
Capture nla13(const Secrets13& k, After after) {
    Capture cap;
    Conv cv(cap);
    Sealer13 chs(k.client_hs), shs(k.server_hs), ca(k.client_app), sa(k.server_app);
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    cv.server(connection_confirm(kHybrid));
    cv.client(client_hello());
    B sh = server_hello_tls13(0x1302);
    sh.resize(5 + (static_cast<std::size_t>(sh[3]) << 8 | sh[4]));  // the ServerHello record alone
    const B finished = handshake(20, B(48, 0xF1));                   // RFC 8446 4.4.4: verify_data, Hash.length
    cv.server(cat({sh, tls_record(20, {1}), shs.seal(22, cat({handshake(8, {0, 0}), finished}))}));
    cv.client(cat({tls_record(20, {1}), chs.seal(22, finished)}));
    cv.client(ca.seal(23, ts_ntlm(1)));
    cv.server(sa.seal(23, ts_ntlm(2, 200)));
    cv.client(ca.seal(23, ts_ntlm(3, 300)));
    after(ca, sa, cv);
    return cap;
}
}  // namespace

TEST_CASE("decrypt: TLS 1.3 KeyUpdate, the records after it under the next traffic secret", "[decrypt][tls13]") {
    const Secrets13 k;
    // RFC 8446 4.6.3: KeyUpdate { request_update = update_not_requested (0) }.
    auto cap = nla13(k, [](Sealer13&, Sealer13& sa, Conv& cv) {
        cv.server(sa.seal(22, handshake(24, {0})));
        sa.update();
        cv.server(sa.seal(23, ts_error(0xC000006D)));
        cv.client_rst();
    });
    const Seen s = run(cap, k.keylog());
    REQUIRE(s.decryption);
    CHECK(s.decryption->keys_found);
    CHECK(s.decryption->records[0] == 3);  // Finished, NEGOTIATE, AUTHENTICATE
    CHECK(s.decryption->records[1] == 4);  // the flight, CHALLENGE, KeyUpdate, the error
    CHECK(s.decryption->failed_frame[1] == 0);
    CHECK(s.decryption->error_code == 0xC000006Du);
    CHECK(s.verdict == "logon_failure");

    SECTION("near miss: the server goes on with the old key after its KeyUpdate: the record does not authenticate") {
        auto stale = nla13(k, [](Sealer13&, Sealer13& sa, Conv& cv) {
            cv.server(sa.seal(22, handshake(24, {0})));
            cv.server(sa.seal(23, ts_error(0xC000006D)));
            cv.client_rst();
        });
        const Seen n = run(stale, k.keylog());
        REQUIRE(n.decryption);
        CHECK(n.decryption->failed_frame[1] != 0);
        CHECK_FALSE(n.decryption->error_code);
    }
}

TEST_CASE("decrypt live: TLS 1.3, the secrets come after the server's encrypted flight went by", "[decrypt][tls13][live]") {
    // The client writes its key log only once it has read the server's flight,
    // which the capture already holds: that record stays encrypted, the
    // server's later ones open with its application secret.
    const Secrets13 k;
    auto cap = nla13(k, [](Sealer13&, Sealer13& sa, Conv& cv) {
        cv.server(sa.seal(23, ts_error(0xC000006D)));
        cv.client_rst();
    });
    const Seen s = run(cap, k.keylog(), 2);
    REQUIRE(s.decryption);
    CHECK(s.decryption->keys_found);
    CHECK(s.decryption->undecrypted[1] == 1);  // the server's flight
    CHECK(s.decryption->records[1] == 2);      // CHALLENGE, the error
    CHECK(s.decryption->records[0] == 3);      // the client's Finished (its handshake secret), NEGOTIATE, AUTHENTICATE
    CHECK(s.decryption->error_code == 0xC000006Du);
    CHECK(s.verdict == "logon_failure");
}

TEST_CASE("decrypt live: TLS 1.3, the application secrets come after the handshake ones", "[decrypt][tls13][live]") {
    // Each peer writes its application secrets only once it has the other's
    // Finished: here after the client's NEGOTIATE went by.  That record stays
    // encrypted; the next ones open with the sequence numbers counted on.
    const Secrets13 k;
    auto cap = nla13(k, [](Sealer13&, Sealer13& sa, Conv& cv) {
        cv.server(sa.seal(23, ts_error(0xC000006D)));
        cv.client_rst();
    });
    const std::string all = k.keylog();
    const std::size_t app = all.find("CLIENT_TRAFFIC_SECRET_0");
    REQUIRE(app != std::string::npos);
    const Seen s = run(cap, all.substr(0, app), 1, all.substr(app), 3);
    REQUIRE(s.decryption);
    CHECK(s.decryption->keys_found);
    CHECK(s.decryption->records[0] == 2);      // Finished, AUTHENTICATE (its sequence number 1)
    CHECK(s.decryption->undecrypted[0] == 1);  // NEGOTIATE, before the secret came
    CHECK(s.decryption->records[1] == 3);      // the flight, CHALLENGE, the error
    CHECK(s.decryption->error_code == 0xC000006Du);
    CHECK(s.verdict == "logon_failure");

    SECTION("near miss: offline, the same partial key log decrypts only the handshake") {
        const Seen n = run(cap, all.substr(0, app));
        REQUIRE(n.decryption);
        CHECK(n.decryption->records[0] == 1);
        CHECK(n.decryption->records[1] == 1);
        CHECK_FALSE(n.decryption->error_code);
    }
}
