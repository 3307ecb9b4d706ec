// SPDX-License-Identifier: MIT
// `rdpscope explain` and the disconnect-code tables: every code a verdict
// names is known to explain; hex and decimal parse alike; unknown codes exit 2.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdio>

#include "analyze/disconnect_codes.hpp"
#include "analyze/verdict.hpp"
#include "dissect/rdp_share.hpp"
#include "report/explain.hpp"

using namespace rdpscope;

TEST_CASE("explain: every code a verdict names is known", "[explain]") {
    std::FILE* null = std::fopen("/dev/null", "w");
    REQUIRE(null);
    for (const auto& v : verdict_codes()) {
        INFO(v.verdict);
        for (auto a : v.also) CHECK(find_main_code(a));
        if (!v.main) {
            CHECK(!v.note.empty());  // none, and why
            continue;
        }
        CHECK(find_main_code(*v.main));
        const std::string main = "0x" + fmt::format("{:X}", *v.main);
        if (v.extended) {
            CHECK((!extended_code_name(*v.extended).empty() || !share::errinfo_name(*v.extended).empty()));
            CHECK(explain_codes(main, std::to_string(*v.extended), null, null) == 0);
        } else {
            CHECK(explain_codes(main, std::nullopt, null, null) == 0);
        }
    }
    // Every ERRINFO the server_error_info rule can read gives codes explain knows.
    for (std::uint32_t e : {0x1u, 0x4u, 0x7u, 0x9u, 0xAu, 0xBu, 0xCu, 0x102u, 0x400u, 0x10C9u}) {
        const ClientCodes c = client_codes_for_errinfo(e);
        REQUIRE(c.main);
        CHECK(find_main_code(*c.main));
        CHECK(explain_codes(std::to_string(*c.main), std::to_string(*c.extended), null, null) == 0);
    }
    std::fclose(null);
}

// Every cause and verdict code a rule can decide has an entry in the
// client-codes table (codes, or an explicit none with its reason), and every
// code it names -- main, the others the client may show, extended -- is known
// to explain.  Walks the rule table itself, so a new rule or code without an
// entry fails here.
TEST_CASE("explain: every verdict of every rule names client codes explain knows", "[explain]") {
    std::FILE* null = std::fopen("/dev/null", "w");
    REQUIRE(null);
    std::size_t with_codes = 0;
    for (const auto& r : rule_table()) {
        for (Cause cause : r.causes) {
            for (VerdictCode code : r.codes) {
                INFO(r.id << ": " << to_string(cause) << " / " << to_string(code));
                CHECK(client_codes_listed(cause, code));
                // Every value of a family that changes the codes (TLS alerts, neg failures).
                const CodeParam p = param_of(code);
                std::vector<std::uint32_t> params = {0};
                if (p == CodeParam::tls_alert || p == CodeParam::tls_certificate_alert)
                    for (std::uint32_t d = 0; d < 256; ++d) params.push_back(d);
                if (p == CodeParam::neg_failure)
                    for (std::uint32_t d = 1; d <= 6; ++d) params.push_back(d);
                for (std::uint32_t param : params) {
                    const auto cc = client_codes_for(cause, VerdictId{code, param});
                    if (!cc) continue;
                    ++with_codes;
                    CHECK(!cc->events.empty());
                    CHECK(!cc->note.empty());
                    if (cc->main) {
                        const auto* m = find_main_code(*cc->main);
                        REQUIRE(m);
                        CHECK(!m->name.empty());
                        CHECK(!m->on_wire.empty());
                        CHECK(explain_codes(fmt::format("0x{:X}", *cc->main), std::nullopt, null, null) == 0);
                    }
                    for (auto a : cc->also) {
                        CHECK(find_main_code(a));
                        CHECK(explain_codes(std::to_string(a), std::nullopt, null, null) == 0);
                    }
                }
            }
        }
    }
    CHECK(with_codes > 50);
    // The verdicts that name no code say why, and are only those where nothing failed or the capture cannot tell.
    CHECK(!client_codes_for(Cause::none, VerdictId{VerdictCode::handshake_complete}));
    CHECK(!client_codes_for(Cause::in_progress, VerdictId{VerdictCode::capture_ended}));
    CHECK(!client_codes_for(Cause::incomplete_capture, VerdictId{VerdictCode::started_mid_stream}));
    // Every NTSTATUS the credssp_decrypted rule names maps to a known SSL_ERR code.
    for (std::uint32_t st : {0xC000006Du, 0xC000006Au, 0xC0000064u, 0x8009030Cu, 0xC000006Eu, 0xC000006Fu, 0xC0000070u,
                             0xC0000234u, 0xC0000072u, 0xC0000193u, 0xC0000071u, 0xC0000224u, 0xC000015Bu, 0x80090302u,
                             0x80090324u, 0xC0000133u}) {
        const ClientCodes c = client_codes_for_status(st);
        REQUIRE(c.main);
        CHECK(find_main_code(*c.main));
        CHECK(!c.events.empty());
        for (auto a : c.also) CHECK(find_main_code(a));
    }
    std::fclose(null);
}

// Codes written from Microsoft's tables (IMsTscAxEvents::OnDisconnected,
// ExtendedDisconnectReasonCode), not from rdpscope's output.
TEST_CASE("explain: the published names and values", "[explain]") {
    auto name = [](std::uint32_t c) {
        const auto* m = find_main_code(c);
        return m ? std::string(m->name) : std::string();
    };
    CHECK(name(0x204) == "disconnectReasonSocketConnectFailed");       // 516
    CHECK(name(0x706) == "disconnectReasonServerCertificateUnpackErr"); // 1798
    CHECK(name(0x904) == "disconnectReasonAtClientWinsockFDCLOSE");    // 2308
    CHECK(name(0x108) == "disconnectReasonConnectionTimedOut");        // 264
    CHECK(name(2055) == "SSL_ERR_LOGON_FAILURE");                      // 0x807
    CHECK(name(3335) == "SSL_ERR_ACCOUNT_LOCKED_OUT");                 // 0xD07
    CHECK(name(6919) == "SSL_ERR_CERT_EXPIRED");                       // 0x1B07
    CHECK(extended_code_name(267) == "exDiscReasonLicenseCreatingLicStoreAccDenied");
    CHECK(extended_code_name(768) == "exDiscReasonRdpEncInvalidCredentials");
    CHECK(in_protocol_range(0x10C9));
    CHECK(!in_protocol_range(0x8000));
    // Decrypted errorCodes -> the SSL_ERR code whose description matches.
    CHECK(client_codes_for_status(0xC0000234).main == 0xD07u);
    CHECK(client_codes_for_status(0xC0000072).main == 0xB07u);
    CHECK(client_codes_for_status(0xC0000224).main == 0x1207u);
    CHECK(client_codes_for_status(0xC000006A).main == 0x807u);
    // A SYN nobody answers: connect() fails; a certificate alert for an expired certificate.
    CHECK(client_codes_for(Cause::firewall_drop, VerdictId{VerdictCode::syn_unanswered})->main == 0x204u);
    CHECK(client_codes_for(Cause::certificate_rejection, VerdictId{VerdictCode::client_alert_, 45})->main == 0x1B07u);
    CHECK(client_codes_for(Cause::closed_by_client, VerdictId{VerdictCode::closed_during_, 1})->main == 0x1u);
    CHECK(client_codes_for(Cause::closed_by_server, VerdictId{VerdictCode::closed_during_, 1})->main == 0x904u);
}

TEST_CASE("explain: hex and decimal, unknown codes exit 2", "[explain]") {
    CHECK(parse_code("0x904") == 2308u);
    CHECK(parse_code("2308") == 2308u);
    CHECK(parse_code("0X7") == 7u);
    CHECK(!parse_code("0xZZ"));
    CHECK(!parse_code("12abc"));
    CHECK(!parse_code(""));
    std::FILE* null = std::fopen("/dev/null", "w");
    CHECK(explain_codes("0x904", std::string("0x7"), null, null) == 0);
    CHECK(explain_codes("0x1234", std::nullopt, null, null) == 2);
    CHECK(explain_codes("0x904", std::string("0x8"), null, null) == 0);   // exDiscReasonServerDeniedConnectionFips
    CHECK(explain_codes("0x904", std::string("0x13"), null, null) == 2);  // neither table
    CHECK(explain_codes("0x204", std::nullopt, null, null) == 0);
    CHECK(explain_codes("0x706", std::nullopt, null, null) == 0);
    CHECK(explain_codes("0x904", std::string("0x10C9"), null, null) == 0);  // ERRINFO_UNKNOWNPDUTYPE2
    CHECK(explain_codes("0x904", std::string("0x1FFF"), null, null) == 0);  // the protocol range, no name
    CHECK(explain_codes("abc", std::nullopt, null, null) == 2);
    std::fclose(null);
    CHECK(extended_code_name(7) == "exDiscReasonServerDeniedConnection");
    CHECK(share::errinfo_name(7) == "ERRINFO_SERVER_DENIED_CONNECTION");
}
