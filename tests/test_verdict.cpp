// SPDX-License-Identifier: MIT
// The verdict rules one at a time.  For every rule of the table (analyze/
// verdict.cpp) a synthetic capture whose packets hold the rule's evidence, so
// it fires, and a near miss -- the same conversation with the one telling
// detail changed -- that a different rule then decides.  The expectations are
// what the packets say (who sent what, when, with which TTL or alert), written
// from how each capture is built.  Every verdict is also checked against its
// rule's row: the cause and code it gave must be among those the row declares.
// And the vocabulary: declared once, every code reachable from a rule, no two
// codes spelling the same string, the README's section equal to what
// `rdpscope rules --format markdown` prints.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "analyze/run.hpp"
#include "analyze/verdict.hpp"
#include "dissect/rdp_neg.hpp"
#include "capture_builder.hpp"
#include "rdp_builder.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using namespace rdpscope::test::rdp;

namespace {

struct Judged {
    std::string rule;
    Cause cause = Cause::none;
    VerdictId code;
    std::string verdict;
    std::optional<WaitingOn> waiting_on;
    std::optional<Phase> stalled_at;
    Confidence confidence = Confidence::low;
    std::optional<ClientCodes> client_codes;
    std::string summary;
    std::vector<EvidenceNote> evidence;
};

class Collect : public FileObserver {
public:
    std::vector<Judged> verdicts;
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
    void connection_done(const Connection&, const Verdict& v) override {
        verdicts.push_back(
            {v.rule, v.cause, v.code, v.verdict, v.waiting_on, v.stalled_at, v.confidence, v.client_codes, v.summary, v.evidence});
    }
};

// The one connection's verdict, after checking it against its rule's row.
Judged judge_one(Capture c) {
    std::stable_sort(c.packets.begin(), c.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-verdict");
    c.write(file.path());
    Collect col;
    std::FILE* err = std::fopen("/dev/null", "w");
    run_file(file.path(), col, TrackerOptions{}, err);
    std::fclose(err);
    REQUIRE(col.verdicts.size() == 1);
    const Judged& j = col.verdicts[0];
    INFO("rule " << j.rule << " gave " << to_string(j.cause) << " / " << j.verdict);
    CHECK(rule_allows(j.rule, j.cause, j.code.code));
    CHECK(j.verdict == to_string(j.code));
    return j;
}

constexpr std::uint32_t kRdp = rdpneg::PROTOCOL_RDP, kSsl = rdpneg::PROTOCOL_SSL, kHybrid = rdpneg::PROTOCOL_HYBRID,
                        kHybridEx = rdpneg::PROTOCOL_HYBRID_EX;

void expect(const Judged& j, const char* rule, Cause cause, const std::string& code, std::optional<WaitingOn> waiting) {
    CHECK(j.rule == rule);
    CHECK(to_string(j.cause) == std::string(to_string(cause)));
    CHECK(j.verdict == code);
    CHECK(j.waiting_on == waiting);
}

const Bytes_ kHttp = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ', '4', '0', '0', ' ', 'B', 'a', 'd', '\r', '\n', '\r', '\n'};
const Bytes_ kSsh = {'S', 'S', 'H', '-', '2', '.', '0', '-', 'O', 'p', 'e', 'n', 'S', 'S', 'H', '\r', '\n'};

// The connection sequence inside TLS (SSL selected), as record sizes: the MCS
// Connect Initial and Response, the channel joins (small records), the Client
// Info; `settings`: then the server's licensing and capabilities (large records).
void rdp_in_tls(Conv& cv, int settings) {
    cv.client(app_data(400));  // Connect Initial
    cv.server(app_data(300));  // Connect Response
    for (int i = 0; i < 2; ++i) {
        cv.client(app_data(40));  // Erect Domain / Attach User / Channel Join
        cv.server(app_data(40));
    }
    cv.client(app_data(400));  // Client Info
    for (int i = 0; i < settings; ++i) cv.server(app_data(400));
}

}  // namespace

// ---- the vocabulary ---------------------------------------------------------

TEST_CASE("verdict vocabulary: declared once, every code used by a rule, no string twice", "[verdict]") {
    std::set<VerdictCode> used;
    std::set<Cause> causes;
    for (const auto& r : rule_table()) {
        CHECK(!r.causes.empty());
        CHECK(!r.codes.empty());
        used.insert(r.codes.begin(), r.codes.end());
        causes.insert(r.causes.begin(), r.causes.end());
    }
    for (VerdictCode c : all_verdict_codes()) {
        INFO(to_string(c));
        CHECK(used.count(c) == 1);
    }
    for (Cause c : all_causes()) {
        INFO(to_string(c));
        CHECK(causes.count(c) == 1);
        CHECK(cause_from_string(to_string(c)) == c);
    }
    std::set<std::string> strings;
    std::size_t n = 0;
    for (VerdictCode c : all_verdict_codes())
        for (const auto& s : expand(c)) {
            ++n;
            strings.insert(s);
        }
    CHECK(strings.size() == n);  // no two codes spell the same output
    // The families spell the strings the rules used to build by hand.
    CHECK(to_string(VerdictId{VerdictCode::neg_failure_, 5}) == "neg_failure_hybrid_required");
    CHECK(to_string(VerdictId{VerdictCode::neg_failure_, 6}) == "neg_failure_ssl_with_user_auth_required");
    CHECK(to_string(VerdictId{VerdictCode::neg_failure_, 3}) == "neg_failure_ssl_cert_not_on_server");
    CHECK(to_string(VerdictId{VerdictCode::neg_failure_, 99}) == "neg_failure_unknown");
    CHECK(to_string(VerdictId{VerdictCode::alert_, 70}) == "alert_protocol_version");
    CHECK(to_string(VerdictId{VerdictCode::client_alert_, 48}) == "client_alert_unknown_ca");
    CHECK(to_string(VerdictId{VerdictCode::icmp_, static_cast<std::uint32_t>(TcpIcmpKind::other_unreachable)}) ==
          "icmp_unreachable");
    CHECK(to_string(VerdictId{VerdictCode::closed_during_, static_cast<std::uint32_t>(Phase::tls_handshake)}) ==
          "closed_during_tls_handshake");
    CHECK(strings.count("closed_during_established") == 1);
    CHECK(strings.count("client_alert_certificate_required") == 1);
    CHECK(strings.count("client_alert_handshake_failure") == 0);  // not a certificate alert
    CHECK(to_string(WaitingOn::network) == std::string("network"));
}

TEST_CASE("verdict vocabulary: the README's section is `rdpscope rules --format markdown`", "[verdict]") {
    std::ifstream in(source_path("README.md"));
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string readme = ss.str();
    const auto begin = readme.find("<!-- rules:begin");
    const auto end_marker = readme.find("<!-- rules:end -->");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end_marker != std::string::npos);
    const std::string section = readme.substr(begin, end_marker + std::string("<!-- rules:end -->\n").size() - begin);

    std::FILE* p = ::popen((std::string(RDPSCOPE_BINARY) + " rules --format markdown").c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    CHECK(::pclose(p) == 0);
    // On a mismatch: regenerate the section with `rdpscope rules --format markdown`.
    CHECK(section == out);
}

TEST_CASE("verdict vocabulary: every verdict on the bundled captures is one its rule declares", "[verdict]") {
    namespace fs = std::filesystem;
    std::size_t files = 0, verdicts = 0;
    for (const auto& e : fs::recursive_directory_iterator(source_path("tests/pcaps"))) {
        const auto ext = e.path().extension();
        if (!e.is_regular_file() || (ext != ".pcap" && ext != ".pcapng" && ext != ".cap")) continue;
        Collect col;
        std::FILE* err = std::fopen("/dev/null", "w");
        run_file(e.path().string(), col, TrackerOptions{}, err);
        std::fclose(err);
        ++files;
        for (const auto& j : col.verdicts) {
            INFO(e.path().string() << ": rule " << j.rule << " gave " << to_string(j.cause) << " / " << j.verdict);
            CHECK(rule_allows(j.rule, j.cause, j.code.code));
            CHECK(j.verdict == to_string(j.code));
            ++verdicts;
        }
    }
    CHECK(files > 100);
    CHECK(verdicts > 100);
}

// ---- the rules, in the table's order -----------------------------------------

TEST_CASE("rule complete: every phase up to sustained server data", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.up_to_tls(kSsl, kSsl);
    SECTION("fires: the server keeps sending after the Client Info") {
        rdp_in_tls(cv, 5);
        const auto j = judge_one(cap);
        expect(j, "complete", Cause::none, "handshake_complete", std::nullopt);
        CHECK(!j.stalled_at);
        CHECK(j.confidence == Confidence::medium);  // the phases inside TLS are inferred
        CHECK(!j.client_codes);  // nothing failed: no disconnect code
    }
    SECTION("near miss: the client closes after its Client Info, unanswered") {
        rdp_in_tls(cv, 0);
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_client, "closed_during_secure_settings", WaitingOn::client);
    }
}

TEST_CASE("rule not_rdp_listener: the server answers the X.224 request in another protocol", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    SECTION("fires: an HTTP answer") {
        cv.server(kHttp);
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "not_rdp_listener", Cause::server_unresponsive, "not_rdp_listener", WaitingOn::server);
        CHECK(j.stalled_at == Phase::x224_negotiation);
    }
    SECTION("near miss: a Connection Confirm, then the client leaves") {
        cv.server(connection_confirm(kHybrid));
        cv.client_fin();
        // HYBRID is the best the client offered: it got that and left at once (a probe).
        expect(judge_one(cap), "probe_after_confirm", Cause::closed_by_client, "probe_closed_after_confirm",
               WaitingOn::client);
    }
}

TEST_CASE("rule not_rdp_client: the client speaks another protocol on the RDP port", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    SECTION("fires: an SSH banner") {
        cv.client(kSsh);
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "not_rdp_client", Cause::protocol_mismatch, "not_an_rdp_client", WaitingOn::client);
    }
    SECTION("near miss: an X.224 request the server never answers; the client gives up") {
        cv.client(connection_request(kSsl));
        cv.client_fin(2 * kSec);
        expect(judge_one(cap), "no_confirm", Cause::server_unresponsive, "no_connection_confirm", WaitingOn::server);
    }
}

TEST_CASE("rule rst_answering_syn: a reset answers the SYN", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    SECTION("fires: from the server, hops away (TTL 57)") {
        cv.syn();
        cv.server_rst(10 * kMs, 57);
        const auto j = judge_one(cap);
        expect(j, "rst_answering_syn", Cause::connection_refused, "rst_answering_syn", WaitingOn::server);
        CHECK(j.stalled_at == Phase::tcp_connect);
        CHECK(j.confidence == Confidence::high);
        // connect() fails: disconnectReasonSocketConnectFailed (IMsTscAxEvents::OnDisconnected), only likely.
        REQUIRE(j.client_codes);
        CHECK(j.client_codes->main == 0x204u);
        CHECK(j.client_codes->main_likely);
        CHECK(!j.client_codes->extended);
    }
    SECTION("fires: with an unchanged initial TTL, from a device next to the capture point") {
        cv.syn();
        cv.server_rst(10 * kMs, 64);
        const auto j = judge_one(cap);
        expect(j, "rst_answering_syn", Cause::connection_refused, "rst_answering_syn", WaitingOn::network);
        CHECK(j.confidence == Confidence::medium);
    }
    SECTION("near miss: the server accepted the connection, then resets it") {
        cv.handshake();
        cv.server_rst();
        expect(judge_one(cap), "closed", Cause::closed_by_server, "closed_during_x224_negotiation", WaitingOn::server);
    }
}

TEST_CASE("rule icmp_reject: an ICMP unreachable quoting the client's SYN", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.syn();
    const Bytes_ syn = cap.packets.back().second;
    SECTION("fires: administratively prohibited, from a router") {
        cap.at(cv.t + 5 * kMs, icmp_error(3, 13, kRouterIp, syn));
        const auto j = judge_one(cap);
        expect(j, "icmp_reject", Cause::firewall_reject, "icmp_admin_prohibited", WaitingOn::network);
    }
    SECTION("fires: port unreachable, from the server itself") {
        cap.at(cv.t + 5 * kMs, icmp_error(3, 3, kServerIp, syn));
        const auto j = judge_one(cap);
        expect(j, "icmp_reject", Cause::firewall_reject, "icmp_port_unreachable", WaitingOn::server);
    }
    SECTION("near miss: time exceeded is no rejection; the capture ends a second later") {
        cap.at(cv.t + 5 * kMs, icmp_error(11, 0, kRouterIp, syn));
        cap.at(cv.t + kSec, unrelated());
        expect(judge_one(cap), "in_progress", Cause::in_progress, "capture_ended", WaitingOn::network);
    }
}

TEST_CASE("rule syn_unanswered: SYNs retried, nothing comes back", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.syn();
    SECTION("fires: three SYNs") {
        cv.syn(kSec);
        cv.syn(2 * kSec);
        cap.at(cv.t + 500 * kMs, unrelated());
        const auto j = judge_one(cap);
        expect(j, "syn_unanswered", Cause::firewall_drop, "syn_unanswered", WaitingOn::network);
        CHECK(j.stalled_at == Phase::tcp_connect);
        CHECK(j.confidence == Confidence::high);
        REQUIRE(j.client_codes);
        CHECK(j.client_codes->main == 0x204u);
        CHECK(j.client_codes->also == std::vector<std::uint32_t>{0x108});
        CHECK(j.client_codes->events.find("5152") != std::string_view::npos);
    }
    SECTION("near miss: one SYN and the capture ends a second later (before any retry was due)") {
        cap.at(cv.t + kSec, unrelated());
        expect(judge_one(cap), "in_progress", Cause::in_progress, "capture_ended", WaitingOn::network);
    }
}

TEST_CASE("rule neg_failure: the Connection Confirm carries RDP_NEG_FAILURE", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    SECTION("fires: HYBRID_REQUIRED_BY_SERVER to a client that offered TLS only") {
        cv.client(connection_request(kSsl));
        cv.server(negotiation_failure(5));
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "neg_failure", Cause::protocol_mismatch, "neg_failure_hybrid_required", WaitingOn::server);
        CHECK(j.stalled_at == Phase::x224_negotiation);
        CHECK(j.confidence == Confidence::high);
    }
    SECTION("fires: SSL_NOT_ALLOWED_BY_SERVER") {
        cv.client(connection_request(kSsl));
        cv.server(negotiation_failure(2));
        cv.server_fin();
        expect(judge_one(cap), "neg_failure", Cause::protocol_mismatch, "neg_failure_ssl_not_allowed", WaitingOn::server);
    }
    SECTION("near miss: an RDP_NEG_RSP selecting HYBRID, then the client leaves") {
        cv.client(connection_request(kSsl | kHybrid));
        cv.server(connection_confirm(kHybrid));
        cv.client_fin();
        expect(judge_one(cap), "probe_after_confirm", Cause::closed_by_client, "probe_closed_after_confirm",
               WaitingOn::client);
    }
}

TEST_CASE("rule unrequested_protocol: the server selects what the client did not offer", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    SECTION("fires: TLS offered, HYBRID selected") {
        cv.client(connection_request(kSsl));
        cv.server(connection_confirm(kHybrid));
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "unrequested_protocol", Cause::protocol_mismatch, "server_selected_unrequested_protocol",
               WaitingOn::client);
        CHECK(j.confidence == Confidence::high);
    }
    SECTION("near miss: TLS offered, standard security selected, the client goes on with MCS: no mismatch") {
        cv.client(connection_request(kSsl));
        cv.server(connection_confirm(kRdp));
        cv.client(mcs_connect_initial());
        cv.client_fin();
        expect(judge_one(cap), "closed", Cause::closed_by_client, "closed_during_mcs_connect", WaitingOn::client);
    }
    SECTION("near miss: TLS and HYBRID offered, HYBRID selected") {
        cv.client(connection_request(kSsl | kHybrid));
        cv.server(connection_confirm(kHybrid));
        cv.client_fin();
        expect(judge_one(cap), "probe_after_confirm", Cause::closed_by_client, "probe_closed_after_confirm",
               WaitingOn::client);
    }
}

TEST_CASE("rule probe_after_confirm: the client got what it asked for and left at once", "[verdict]") {
    // Issue 14 part 11: a scanner asks, reads the Confirm and closes.  It
    // refused nothing (it was given what it asked for): not a protocol mismatch.
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    SECTION("fires: the one protocol requested (SSL) is selected, the client closes 10 ms later") {
        cv.client(connection_request(kSsl));
        cv.server(connection_confirm(kSsl));
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "probe_after_confirm", Cause::closed_by_client, "probe_closed_after_confirm", WaitingOn::client);
        CHECK(j.stalled_at == Phase::tls_handshake);
        CHECK(j.confidence == Confidence::medium);
    }
    SECTION("fires: a legacy request with no cookie, a legacy Confirm (standard security), the client resets") {
        cv.client(legacy_connection_request());
        cv.server(legacy_connection_confirm());
        cv.client_rst();
        const auto j = judge_one(cap);
        expect(j, "probe_after_confirm", Cause::closed_by_client, "probe_closed_after_confirm", WaitingOn::client);
        CHECK(j.stalled_at == Phase::mcs_connect);
    }
    SECTION("fires: SSL|HYBRID|HYBRID_EX requested, HYBRID_EX (the strongest) selected, the client closes") {
        cv.client(connection_request(kSsl | kHybrid | kHybridEx));
        cv.server(connection_confirm(kHybridEx));
        cv.client_fin();
        expect(judge_one(cap), "probe_after_confirm", Cause::closed_by_client, "probe_closed_after_confirm",
               WaitingOn::client);
    }
    SECTION("fires: RDP_NEG_REQ for standard security (0), standard security selected") {
        cv.client(connection_request(kRdp));
        cv.server(connection_confirm(kRdp));
        cv.client_fin();
        expect(judge_one(cap), "probe_after_confirm", Cause::closed_by_client, "probe_closed_after_confirm",
               WaitingOn::client);
    }
    SECTION("near miss: SSL|HYBRID requested, SSL (less than the client's best) selected: a refusal") {
        cv.client(connection_request(kSsl | kHybrid));
        cv.server(connection_confirm(kSsl));
        cv.client_fin();
        expect(judge_one(cap), "client_refused_protocol", Cause::protocol_mismatch, "client_refused_selected_protocol",
               WaitingOn::client);
    }
    SECTION("near miss: the legacy request is answered with a Confirm selecting SSL: a refusal") {
        cv.client(legacy_connection_request("scanner"));
        cv.server(connection_confirm(kSsl));
        cv.client_fin();
        expect(judge_one(cap), "client_refused_protocol", Cause::protocol_mismatch, "client_refused_selected_protocol",
               WaitingOn::client);
    }
}

TEST_CASE("rule client_refused_protocol: after the Connection Confirm the client closes", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    cv.server(connection_confirm(kSsl));
    SECTION("fires: the client offered SSL|HYBRID, got SSL and closes without a byte more") {
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "client_refused_protocol", Cause::protocol_mismatch, "client_refused_selected_protocol",
               WaitingOn::client);
        CHECK(j.stalled_at == Phase::x224_negotiation);
    }
    SECTION("near miss: the client stays silent for 20 s, then closes: it refused nothing, it left") {
        cv.client_fin(20 * kSec);
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_client, "closed_during_tls_handshake", WaitingOn::client);
    }
    SECTION("near miss: the client starts TLS, then closes") {
        cv.client(client_hello());
        cv.client_fin();
        expect(judge_one(cap), "closed", Cause::closed_by_client, "closed_during_tls_handshake", WaitingOn::client);
    }
}

TEST_CASE("rule tls_mismatch: a version or cipher alert ends the TLS handshake", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl));
    cv.server(connection_confirm(kSsl));
    cv.client(client_hello());
    SECTION("fires: the server's protocol_version alert") {
        cv.server(alert(kProtocolVersion));
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "tls_mismatch", Cause::tls_mismatch, "alert_protocol_version", WaitingOn::server);
        CHECK(j.stalled_at == Phase::tls_handshake);
    }
    SECTION("fires: the client's handshake_failure alert") {
        cv.server(server_hello_done());
        cv.client(alert(kHandshakeFailure));
        cv.client_fin();
        expect(judge_one(cap), "tls_mismatch", Cause::tls_mismatch, "alert_handshake_failure", WaitingOn::client);
    }
    SECTION("near miss: the server's internal_error alert (no mismatch: the server cannot start TLS)") {
        cv.server(alert(kInternalError));
        cv.server_fin();
        expect(judge_one(cap), "server_tls_failure", Cause::server_tls_failure, "alert_internal_error",
               WaitingOn::server);
    }
}

TEST_CASE("rule client_certificate_alert: the client rejects the certificate with an alert", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl));
    cv.server(connection_confirm(kSsl));
    cv.client(client_hello());
    cv.server(server_hello_done());
    SECTION("fires: unknown_ca") {
        cv.client(alert(kUnknownCa));
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "client_certificate_alert", Cause::certificate_rejection, "client_alert_unknown_ca", WaitingOn::client);
        CHECK(j.stalled_at == Phase::tls_handshake);
        CHECK(j.confidence == Confidence::high);
        REQUIRE(j.client_codes);
        CHECK(j.client_codes->main == 0x906u);
        CHECK(j.client_codes->events.find("Schannel 36888") != std::string_view::npos);
    }
    SECTION("fires: bad_certificate") {
        cv.client(alert(kBadCertificate));
        cv.client_fin();
        expect(judge_one(cap), "client_certificate_alert", Cause::certificate_rejection, "client_alert_bad_certificate",
               WaitingOn::client);
    }
    SECTION("near miss: an unexpected_message alert (no certificate alert), the client leaves at once") {
        cv.client(alert(kUnexpectedMessage));
        cv.client_fin();
        expect(judge_one(cap), "certificate_refused_by_closing", Cause::certificate_rejection, "cert_untrusted",
               WaitingOn::client);
    }
}

TEST_CASE("rule middlebox_reset: a reset whose TTL is not its claimed sender's", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();  // the server's packets have TTL 64
    SECTION("fires: during the X.224 negotiation, TTL 120") {
        cv.client(connection_request(kSsl));
        cv.server_rst(10 * kMs, 120);
        const auto j = judge_one(cap);
        expect(j, "middlebox_reset", Cause::middlebox_reset, "rst_during_x224_negotiation", WaitingOn::network);
        CHECK(j.confidence == Confidence::high);
    }
    SECTION("fires: right after the ClientHello") {
        cv.client(connection_request(kSsl));
        cv.server(connection_confirm(kSsl));
        cv.client(client_hello());
        cv.server_rst(10 * kMs, 120);
        expect(judge_one(cap), "middlebox_reset", Cause::middlebox_reset, "rst_after_client_hello", WaitingOn::network);
    }
    SECTION("near miss: the server's own TTL: the server refuses after the request") {
        cv.client(connection_request(kSsl));
        cv.server_rst(10 * kMs, 64);
        expect(judge_one(cap), "no_confirm", Cause::closed_by_server, "rst_after_request", WaitingOn::server);
    }
}

TEST_CASE("rule server_tls_failure: the server answers the ClientHello with no ServerHello", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl));
    cv.server(connection_confirm(kSsl));
    cv.client(client_hello());
    SECTION("fires: the server closes") {
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "server_tls_failure", Cause::server_tls_failure, "closed_after_client_hello", WaitingOn::server);
        CHECK(j.stalled_at == Phase::tls_handshake);
    }
    SECTION("fires: the server resets") {
        cv.server_rst();
        expect(judge_one(cap), "server_tls_failure", Cause::server_tls_failure, "reset_after_client_hello",
               WaitingOn::server);
    }
    SECTION("fires: the server sends bytes that are not TLS") {
        cv.server(kHttp);
        cv.server_fin();
        expect(judge_one(cap), "server_tls_failure", Cause::server_tls_failure, "server_tls_setup_failed",
               WaitingOn::server);
    }
    SECTION("near miss: the client closes") {
        cv.client_fin();
        expect(judge_one(cap), "closed", Cause::closed_by_client, "closed_during_tls_handshake", WaitingOn::client);
    }
}

TEST_CASE("rule certificate_refused_by_closing: the client leaves right after the certificate flight", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl));
    cv.server(connection_confirm(kSsl));
    cv.client(client_hello());
    cv.server(server_hello_done());
    SECTION("fires: a FIN one second later") {
        cv.client_fin(kSec);
        const auto j = judge_one(cap);
        expect(j, "certificate_refused_by_closing", Cause::certificate_rejection, "cert_untrusted", WaitingOn::client);
        CHECK(j.confidence == Confidence::low);  // no certificate in the capture to say which check failed
    }
    SECTION("near miss: a FIN ten seconds later (a person, not a certificate check)") {
        cv.client_fin(10 * kSec);
        expect(judge_one(cap), "closed", Cause::closed_by_client, "closed_during_tls_handshake", WaitingOn::client);
    }
}

TEST_CASE("rule certificate_refused_by_closing: what the certificate in the capture says", "[verdict]") {
    // The capture's clock: 2023-11-14 plus `years` (the certificate is valid 2011-02-12 to 2021-02-12).
    constexpr std::int64_t kYear = 365LL * 86400 * kSec;
    auto refused = [&](std::int64_t years, const std::string& sni) {
        Capture cap;
        Conv cv(cap, years * kYear);
        cv.handshake();
        cv.client(connection_request(kSsl));
        cv.server(connection_confirm(kSsl));
        cv.client(client_hello(0, sni));
        cv.server(server_hello_done(win2k8r2_certificate()));
        cv.client_fin(500 * kMs);
        return judge_one(cap);
    };
    SECTION("expired: a capture of 2023") {
        const auto j = refused(0, kWin2k8r2Name);
        expect(j, "certificate_refused_by_closing", Cause::certificate_rejection, "cert_expired", WaitingOn::client);
        CHECK(j.confidence == Confidence::high);
    }
    SECTION("not yet valid: a capture of 2008") {
        expect(refused(-15, kWin2k8r2Name), "certificate_refused_by_closing", Cause::certificate_rejection,
               "cert_not_yet_valid", WaitingOn::client);
    }
    SECTION("name mismatch: a capture of 2013, the client asked for another name") {
        expect(refused(-10, "rdp.example.org"), "certificate_refused_by_closing", Cause::certificate_rejection,
               "cert_name_mismatch", WaitingOn::client);
    }
    SECTION("untrusted: a capture of 2013, the name matches (a self-signed certificate)") {
        const auto j = refused(-10, kWin2k8r2Name);
        expect(j, "certificate_refused_by_closing", Cause::certificate_rejection, "cert_untrusted", WaitingOn::client);
        CHECK(j.confidence == Confidence::medium);
    }
}

TEST_CASE("rule path_mtu: large segments vanish while small ones pass", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl));
    cv.server(connection_confirm(kSsl));
    SECTION("fires: a 1400-byte ClientHello resent three times, never acknowledged") {
        const Bytes_ hello = client_hello(1300);
        REQUIRE(hello.size() > 1300);
        cv.client(hello, false);
        for (int i = 1; i <= 3; ++i) cv.client_resend(hello, 200 * kMs * i);
        const auto j = judge_one(cap);
        expect(j, "path_mtu", Cause::path_mtu, "large_segments_dropped", WaitingOn::network);
        CHECK(j.confidence == Confidence::high);
    }
    SECTION("fires: a router reports a smaller MTU (ICMP fragmentation needed) for the ClientHello") {
        cv.client(client_hello(), false);
        cap.at(cv.t + 5 * kMs, icmp_error(3, 4, kRouterIp, cap.packets.back().second, 1200));
        const auto j = judge_one(cap);
        expect(j, "path_mtu", Cause::path_mtu, "icmp_fragmentation_needed", WaitingOn::network);
        CHECK(j.confidence == Confidence::medium);
    }
    SECTION("near miss: a 661-byte ClientHello vanishes while only small segments passed: no plausible MTU") {
        const Bytes_ hello = client_hello(661 - client_hello().size() - 6);  // 6: the padding extension's header
        REQUIRE(hello.size() == 661);
        cv.client(hello, false);
        for (int i = 1; i <= 3; ++i) cv.client_resend(hello, 200 * kMs * i);
        expect(judge_one(cap), "data_blackholed", Cause::firewall_drop, "client_hello_blackholed", WaitingOn::network);
    }
    SECTION("near miss: the ClientHello is small: one segment singled out") {
        const Bytes_ hello = client_hello();
        cv.client(hello, false);
        for (int i = 1; i <= 3; ++i) cv.client_resend(hello, 200 * kMs * i);
        expect(judge_one(cap), "data_blackholed", Cause::firewall_drop, "client_hello_blackholed", WaitingOn::network);
    }
}

TEST_CASE("rule data_blackholed: one client segment resent, never acknowledged, the rest passes", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    SECTION("fires: the X.224 request") {
        const Bytes_ cr = connection_request(kSsl);
        cv.client(cr, false);
        for (int i = 1; i <= 3; ++i) cv.client_resend(cr, 200 * kMs * i);
        const auto j = judge_one(cap);
        expect(j, "data_blackholed", Cause::firewall_drop, "x224_request_blackholed", WaitingOn::network);
        CHECK(j.confidence == Confidence::high);
    }
    SECTION("fires: the client's key exchange and Finished") {
        cv.client(connection_request(kSsl));
        cv.server(connection_confirm(kSsl));
        cv.client(client_hello());
        cv.server(server_hello_done());
        const Bytes_ flight = client_finish();
        cv.client(flight, false);
        for (int i = 1; i <= 3; ++i) cv.client_resend(flight, 200 * kMs * i);
        expect(judge_one(cap), "data_blackholed", Cause::firewall_drop, "client_data_blackholed", WaitingOn::network);
    }
    SECTION("near miss: the server's Connection Confirm was resent too (loss both ways); the client gives up") {
        cv.client(connection_request(kSsl));
        const Bytes_ cc = connection_confirm(kSsl);
        cv.server(cc, false);
        cv.server_resend(cc, 300 * kMs);
        cv.ack_from_client();
        const Bytes_ hello = client_hello();
        cv.client(hello, false);
        for (int i = 1; i <= 2; ++i) cv.client_resend(hello, 200 * kMs * i);
        cv.client_fin(kSec);
        expect(judge_one(cap), "packet_loss", Cause::packet_loss, "handshake_timeout", WaitingOn::network);
    }
}

TEST_CASE("rule authentication_failure: NLA, the server closes during or right after CredSSP", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    SECTION("fires: HYBRID, the server closes after the client's authenticate message") {
        cv.up_to_tls(kSsl | kHybrid, kHybrid);
        cv.client(app_data(300));  // negotiate
        cv.server(app_data(300));  // challenge
        cv.client(app_data(500));  // authenticate
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "authentication_failure", Cause::authentication_failure, "ntlm_rejected", WaitingOn::server);
        CHECK(j.stalled_at == Phase::credssp);
    }
    SECTION("fires: HYBRID_EX, the server closes after the Early User Authorization Result") {
        cv.up_to_tls(kSsl | kHybrid | kHybridEx, kHybridEx);
        cv.client(app_data(300));
        cv.server(app_data(300));
        cv.client(app_data(500));
        cv.server(app_data(100));  // pubKeyAuth
        cv.client(app_data(200));  // authInfo
        cv.server(app_data(30));   // Early User Authorization Result
        cv.server_fin();
        expect(judge_one(cap), "authentication_failure", Cause::authentication_failure,
               "early_user_authorization_denied", WaitingOn::server);
    }
    SECTION("near miss: CredSSP completes and the client leaves (an authenticate-only client)") {
        cv.up_to_tls(kSsl | kHybrid, kHybrid);
        cv.client(app_data(300));
        cv.server(app_data(300));
        cv.client(app_data(500));
        cv.server(app_data(100));
        cv.client(app_data(200));
        cv.client_fin();
        expect(judge_one(cap), "closed", Cause::closed_by_client, "auth_only", WaitingOn::client);
    }
}

// CredSSP as Windows runs it (MS-CSSP 3.1.5), as record sizes under a
// given suite: `p(n)` is the record that carries n bytes of plaintext.
struct Suite {
    std::uint16_t id;
    bool tls13;
};
std::uint32_t rec_len(const Suite& s, std::uint32_t plaintext) {
    return tls::protected_length(tls::record_protection(s.id, s.tls13 ? tls::kTLSv13 : tls::kTLSv12), plaintext);
}
void up_to(Conv& cv, const Suite& s, std::uint32_t requested, std::uint32_t selected) {
    if (s.tls13) cv.up_to_tls13(requested, selected, s.id);
    else cv.up_to_tls(requested, selected, s.id);
}
// mstsc with Kerberos (SPNEGO), smartcard or Remote Credential Guard: four
// client and three server CredSSP messages before authInfo (plaintext sizes
// of that order: 175, 1350, 1890, 230, 190, 100; authInfo 180).
void windows_kerberos(Conv& cv, const Suite& s) {
    cv.client(app_data(rec_len(s, 175)));
    cv.server(app_data(rec_len(s, 1350)));
    cv.client(app_data(rec_len(s, 1890)));
    cv.server(app_data(rec_len(s, 230)));
    cv.client(app_data(rec_len(s, 190)));  // pubKeyAuth
    cv.server(app_data(rec_len(s, 100)));  // pubKeyAuth
    cv.client(app_data(rec_len(s, 180)));  // authInfo
}
// The connection sequence of a Windows server that runs the session: Connect
// Initial and Response, Erect Domain, Attach User, seven channel joins,
// Client Info, licensing, Demand Active; then `output` server records of
// graphics, 10 ms apart.
void windows_session(Conv& cv, const Suite& s, int output, bool joins = true) {
    cv.client(app_data(rec_len(s, 462)));  // Connect Initial
    cv.server(app_data(rec_len(s, 126)));  // Connect Response
    if (joins) {
        cv.client(app_data(rec_len(s, 12)));  // Erect Domain
        cv.client(app_data(rec_len(s, 8)));   // Attach User
        cv.server(app_data(rec_len(s, 11)));  // Attach User Confirm
        for (int i = 0; i < 7; ++i) {
            cv.client(app_data(rec_len(s, 12)));
            cv.server(app_data(rec_len(s, 15)));
        }
    }
    cv.client(app_data(rec_len(s, 433)));  // Client Info
    cv.server(app_data(rec_len(s, 34)));   // licensing: STATUS_VALID_CLIENT
    cv.server(app_data(rec_len(s, 472)));  // Demand Active
    for (int i = 0; i < output; ++i) cv.server(app_data(rec_len(s, 1400)));
}
const Suite kGcm{0xC030, false}, kChaCha{0xCCA8, false}, kCbc{0xC014, false}, kCbc256{0xC027, false},
    kTls13{0x1302, true};

TEST_CASE("credssp: Windows Kerberos, smartcard, Credential Guard logons (4 + 3 records, then the Result)", "[verdict]") {
    for (const Suite& s : {kGcm, kChaCha, kCbc, kTls13}) {
        INFO("suite 0x" << std::hex << s.id);
        Capture cap;
        Conv cv(cap);
        up_to(cv, s, kSsl | kHybrid | kHybridEx, kHybridEx);
        windows_kerberos(cv, s);
        cv.server(app_data(rec_len(s, 4)));  // Early User Authorization Result: SUCCESS
        windows_session(cv, s, 30);
        cv.client_rst();
        const auto j = judge_one(cap);
        expect(j, "complete", Cause::none, "handshake_complete", std::nullopt);
    }
}

TEST_CASE("credssp: HYBRID, the Connect Initial right after authInfo ends CredSSP", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    up_to(cv, kGcm, kSsl | kHybrid, kHybrid);
    windows_kerberos(cv, kGcm);
    SECTION("the session runs") {
        windows_session(cv, kGcm, 30);
        cv.client_rst();
        expect(judge_one(cap), "complete", Cause::none, "handshake_complete", std::nullopt);
    }
    SECTION("near miss: the client closes after the Connect Response") {
        cv.client(app_data(rec_len(kGcm, 462)));
        cv.server(app_data(rec_len(kGcm, 126)));
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_client, "closed_during_channel_join", WaitingOn::client);
    }
}

TEST_CASE("credssp: the channel joins skipped, or not readable: the session's output decides", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    up_to(cv, kGcm, kSsl | kHybrid | kHybridEx, kHybridEx);
    windows_kerberos(cv, kGcm);
    cv.server(app_data(rec_len(kGcm, 4)));
    SECTION("joins skipped: the Client Info follows the Connect Response") {
        windows_session(cv, kGcm, 30, false);
        cv.client_rst();
        expect(judge_one(cap), "complete", Cause::none, "handshake_complete", std::nullopt);
    }
    SECTION("a large server record among the joins: the ladder stops, the output goes on for seconds") {
        cv.client(app_data(rec_len(kGcm, 462)));
        cv.server(app_data(rec_len(kGcm, 126)));
        cv.client(app_data(rec_len(kGcm, 12)));
        cv.server(app_data(rec_len(kGcm, 300)));  // not a join confirm
        for (int i = 0; i < 60; ++i) cv.server(app_data(rec_len(kGcm, 1400)), true, 20 * kMs);
        cv.client_rst();
        expect(judge_one(cap), "complete", Cause::none, "handshake_complete", std::nullopt);
    }
    SECTION("near miss: the same with a short burst (5 records): not a session") {
        cv.client(app_data(rec_len(kGcm, 462)));
        cv.server(app_data(rec_len(kGcm, 126)));
        cv.client(app_data(rec_len(kGcm, 12)));
        cv.server(app_data(rec_len(kGcm, 300)));
        for (int i = 0; i < 5; ++i) cv.server(app_data(rec_len(kGcm, 1400)));
        cv.client_rst();
        const auto j = judge_one(cap);
        CHECK(j.cause == Cause::closed_by_client);
        CHECK(j.stalled_at == Phase::channel_join);
    }
}

TEST_CASE("rule credssp_error: the server answers the credentials with an error TSRequest", "[verdict]") {
    // NTLM: NEGOTIATE, CHALLENGE, AUTHENTICATE; the server's TSRequest
    // {version 6, errorCode 0x80090302} is 15 bytes; mstsc then resets.
    auto ntlm = [](Conv& cv, const Suite& s) {
        cv.client(app_data(rec_len(s, 57)));
        cv.server(app_data(rec_len(s, 295)));
        cv.client(app_data(rec_len(s, 677)));
    };
    for (const Suite& s : {kGcm, kChaCha, kCbc, kTls13}) {
        INFO("suite 0x" << std::hex << s.id);
        Capture cap;
        Conv cv(cap);
        up_to(cv, s, kSsl | kHybrid | kHybridEx, kHybridEx);
        ntlm(cv, s);
        cv.server(app_data(rec_len(s, 15)));
        cv.client_rst();
        const auto j = judge_one(cap);
        expect(j, "credssp_error", Cause::authentication_failure, "credssp_error", WaitingOn::server);
        CHECK(j.stalled_at == Phase::credssp);
        // Exact sizes with TLS 1.2 AEAD; CBC pads, TLS 1.3 may pad.
        CHECK(j.confidence == (s.id == kGcm.id || s.id == kChaCha.id ? Confidence::high : Confidence::medium));
    }
    SECTION("Kerberos: the error after the AP-REQ") {
        Capture cap;
        Conv cv(cap);
        up_to(cv, kGcm, kSsl | kHybrid | kHybridEx, kHybridEx);
        cv.client(app_data(rec_len(kGcm, 175)));
        cv.server(app_data(rec_len(kGcm, 1350)));
        cv.client(app_data(rec_len(kGcm, 1890)));
        cv.server(app_data(rec_len(kGcm, 15)));
        cv.client_rst();
        expect(judge_one(cap), "credssp_error", Cause::authentication_failure, "credssp_error", WaitingOn::server);
    }
    SECTION("CBC with SHA-256: the error and the Result share one size: authentication failed either way") {
        Capture cap;
        Conv cv(cap);
        up_to(cv, kCbc256, kSsl | kHybrid | kHybridEx, kHybridEx);
        ntlm(cv, kCbc256);
        cv.server(app_data(rec_len(kCbc256, 50)));  // pubKeyAuth
        cv.client(app_data(rec_len(kCbc256, 180)));  // authInfo
        CHECK(rec_len(kCbc256, 4) == rec_len(kCbc256, 15));
        cv.server(app_data(rec_len(kCbc256, 4)));
        cv.client_rst();
        const auto j = judge_one(cap);
        expect(j, "credssp_error", Cause::authentication_failure, "credssp_error", WaitingOn::server);
        CHECK(j.confidence == Confidence::medium);
    }
    SECTION("near miss: an 18-byte answer is no error TSRequest; the client leaves") {
        Capture cap;
        Conv cv(cap);
        up_to(cv, kGcm, kSsl | kHybrid | kHybridEx, kHybridEx);
        ntlm(cv, kGcm);
        cv.server(app_data(rec_len(kGcm, 18)));
        cv.client_rst();
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_client, "closed_during_credssp", WaitingOn::client);
    }
    SECTION("near miss: a CredSSP 2 or 5 server sends no errorCode, it just closes") {
        Capture cap;
        Conv cv(cap);
        up_to(cv, kGcm, kSsl | kHybrid, kHybrid);
        ntlm(cv, kGcm);
        cv.server_fin();
        expect(judge_one(cap), "authentication_failure", Cause::authentication_failure, "ntlm_rejected",
               WaitingOn::server);
    }
}

TEST_CASE("rule standard_security_refused: standard RDP security, the server drops the Connect Initial", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    SECTION("fires: RDP_NEG_REQ for standard security, the server closes at the Connect Initial") {
        cv.client(connection_request(kRdp));
        cv.server(connection_confirm(kRdp));
        cv.client(mcs_connect_initial());
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "standard_security_refused", Cause::protocol_mismatch, "connect_initial_refused", WaitingOn::server);
        CHECK(j.stalled_at == Phase::mcs_connect);
    }
    SECTION("fires: a legacy request (no RDP_NEG_REQ)") {
        cv.client(tpkt({6, 0xE0, 0, 0, 0, 0, 0}));
        cv.server(tpkt({6, 0xD0, 0, 0, 0x12, 0x34, 0}));
        cv.client(mcs_connect_initial());
        cv.server_fin();
        expect(judge_one(cap), "standard_security_refused", Cause::protocol_mismatch, "legacy_request_to_tls_only",
               WaitingOn::server);
    }
    SECTION("near miss: the client is the one that closes") {
        cv.client(connection_request(kRdp));
        cv.server(connection_confirm(kRdp));
        cv.client(mcs_connect_initial());
        cv.client_fin();
        expect(judge_one(cap), "closed", Cause::closed_by_client, "closed_during_mcs_connect", WaitingOn::client);
    }
    SECTION("fires: the server ends it with its own Disconnect Provider Ultimatum") {
        cv.client(legacy_connection_request("admin"));
        cv.server(legacy_connection_confirm());
        cv.client(mcs_connect_initial());
        cv.server(mcs_disconnect_ultimatum());
        cv.client_fin();
        expect(judge_one(cap), "standard_security_refused", Cause::protocol_mismatch, "legacy_request_to_tls_only",
               WaitingOn::server);
    }
    SECTION("near miss: a scanner's own ultimatum after the Connect Initial, then the server closes") {
        // Issue 14 part 11: the client ended the MCS connection; the server
        // only closed TCP after it.  Nothing was refused.
        cv.client(legacy_connection_request());
        cv.server(legacy_connection_confirm());
        cv.client(mcs_connect_initial());
        cv.client(mcs_disconnect_ultimatum());
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_client, "closed_during_mcs_connect", WaitingOn::client);
    }
}

TEST_CASE("rule legacy_request_refused: a request without RDP_NEG_REQ, reset instead of confirmed", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    SECTION("fires: no RDP_NEG_REQ and no cookie, the server resets at once") {
        cv.client(legacy_connection_request());
        cv.server_rst();
        const auto j = judge_one(cap);
        expect(j, "legacy_request_refused", Cause::protocol_mismatch, "legacy_request_refused", WaitingOn::server);
        CHECK(j.stalled_at == Phase::x224_negotiation);
        CHECK(j.confidence == Confidence::medium);
    }
    SECTION("fires: no RDP_NEG_REQ, a cookie, the server closes with a FIN") {
        cv.client(legacy_connection_request("olduser"));
        cv.server_fin(100 * kMs);
        expect(judge_one(cap), "legacy_request_refused", Cause::protocol_mismatch, "legacy_request_refused",
               WaitingOn::server);
    }
    SECTION("near miss: the request carries RDP_NEG_REQ; the reset refuses every request") {
        cv.client(connection_request(kSsl | kHybrid));
        cv.server_rst();
        expect(judge_one(cap), "no_confirm", Cause::closed_by_server, "rst_after_request", WaitingOn::server);
    }
    SECTION("near miss: the client is the one that leaves") {
        cv.client(legacy_connection_request());
        cv.client_fin(kSec);
        expect(judge_one(cap), "no_confirm", Cause::server_unresponsive, "no_connection_confirm", WaitingOn::server);
    }
}

TEST_CASE("rule incomplete_capture: the capture starts after the connection", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    SECTION("fires: the capture begins with bare ACKs, then the client closes") {
        cv.ack_from_server();
        cv.ack_from_client();
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "incomplete_capture", Cause::incomplete_capture, "started_mid_stream", std::nullopt);
        CHECK(j.confidence == Confidence::low);
    }
    SECTION("fires: the start of the ClientHello is missing; the server acknowledged it") {
        cv.handshake();
        cv.client(connection_request(kSsl));
        cv.server(connection_confirm(kSsl));
        const Bytes_ hello = client_hello();
        cv.step(10 * kMs);
        cv.from_client(P | A, cv.cseq + 20, Bytes_(hello.begin() + 20, hello.end()));
        cv.cseq += static_cast<std::uint32_t>(hello.size());
        cv.ack_from_server();
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "incomplete_capture", Cause::incomplete_capture, "capture_gap", std::nullopt);
    }
    SECTION("fires: the capture starts inside a TLS session (records both ways), then the server resets") {
        cv.server(app_data(300));
        cv.client(app_data(60));
        cv.server(app_data(1200));
        cv.server_rst();
        const auto j = judge_one(cap);
        // Not a refusal (no SYN was answered) and not "not RDP".
        expect(j, "incomplete_capture", Cause::incomplete_capture, "started_mid_session", std::nullopt);
        CHECK(j.confidence == Confidence::low);
    }
    SECTION("fires: the capture starts inside a standard-security session (fast-path PDUs in clear)") {
        // MS-RDPBCGR 2.2.9.1.2 fpOutputHeader (action 0) + length1, then the
        // update; 2.2.8.1.2 fpInputHeader the same way for the client's input.
        cv.server(Bytes_{0x00, 0x0C, 0x00, 0x06, 0x00, 0x00, 0, 0, 0, 0, 0, 0});
        cv.client(Bytes_{0x04, 0x06, 0x01, 0x00, 0x00, 0x1E});
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "incomplete_capture", Cause::incomplete_capture, "started_mid_session", std::nullopt);
    }
    SECTION("near miss: the capture begins after the X.224 request, at the server's confirm: TLS is followed") {
        // No SYN, no request: the confirm (frame 1) says what was chosen, the
        // client's TLS and the server's refusal of it are all in the capture.
        cv.server(connection_confirm(kSsl));
        cv.client(client_hello());
        cv.server(alert(kProtocolVersion));
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "tls_mismatch", Cause::tls_mismatch, "alert_protocol_version", WaitingOn::server);
        CHECK(j.stalled_at == Phase::tls_handshake);
    }
    SECTION("near miss: the capture begins at a confirm of standard RDP security: the client's MCS is RDP") {
        // Its first bytes are a Data TPDU (the MCS Connect Initial), not a
        // request: the client of an RDP connection, never "not an RDP client".
        cv.server(connection_confirm(kRdp));
        cv.client(mcs_connect_initial());
        cv.client_fin();
        const auto j = judge_one(cap);
        CHECK(j.verdict != "not_an_rdp_client");
        CHECK(j.cause != Cause::protocol_mismatch);
    }
    SECTION("near miss: with its SYN in the capture, a client that starts with TLS records is no RDP client") {
        cv.handshake();
        cv.client(app_data(60));
        cv.client_fin();
        expect(judge_one(cap), "not_rdp_client", Cause::protocol_mismatch, "not_an_rdp_client", WaitingOn::client);
    }
    SECTION("near miss: the capture starts at the X.224 request, which goes unanswered") {
        cv.client(connection_request(kSsl));
        cv.client_fin(2 * kSec);
        expect(judge_one(cap), "no_confirm", Cause::server_unresponsive, "no_connection_confirm", WaitingOn::server);
    }
}

TEST_CASE("rule packet_loss: segments resent both ways, the handshake gives up", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl));
    const Bytes_ cc = connection_confirm(kSsl), hello = client_hello();
    SECTION("fires: the Connection Confirm and the ClientHello each resent; the client closes") {
        cv.server(cc, false);
        cv.server_resend(cc, 300 * kMs);
        cv.ack_from_client();
        cv.client(hello, false);
        cv.client_resend(hello, 300 * kMs);
        cv.client_fin(kSec);
        const auto j = judge_one(cap);
        expect(j, "packet_loss", Cause::packet_loss, "handshake_timeout", WaitingOn::network);
        CHECK(j.confidence == Confidence::medium);
    }
    SECTION("near miss: only the ClientHello resent once, then acknowledged; the client closes") {
        cv.server(cc);
        cv.client(hello, false);
        cv.client_resend(hello, 300 * kMs);
        cv.ack_from_server();
        cv.client_fin(kSec);
        expect(judge_one(cap), "closed", Cause::closed_by_client, "closed_during_tls_handshake", WaitingOn::client);
    }
}

TEST_CASE("rule no_confirm: the X.224 request acknowledged, never answered", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    SECTION("fires: the server closes") {
        cv.server_fin(50 * kMs);
        const auto j = judge_one(cap);
        expect(j, "no_confirm", Cause::closed_by_server, "fin_after_request", WaitingOn::server);
        CHECK(j.stalled_at == Phase::x224_negotiation);
    }
    SECTION("fires: nothing for the stall timeout") {
        cap.at(cv.t + 40 * kSec, unrelated());
        const auto j = judge_one(cap);
        expect(j, "no_confirm", Cause::server_unresponsive, "no_connection_confirm", WaitingOn::server);
        CHECK(j.confidence == Confidence::high);
    }
    SECTION("near miss: the capture ends two seconds after the request") {
        cap.at(cv.t + 2 * kSec, unrelated());
        expect(judge_one(cap), "in_progress", Cause::in_progress, "capture_ended", WaitingOn::server);
    }
}

TEST_CASE("rule in_progress: the capture ends before the stall timeout", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.up_to_tls(kSsl, kSsl);
    cv.client(app_data(400));  // Connect Initial, acknowledged
    SECTION("fires: five seconds of quiet") {
        cap.at(cv.t + 5 * kSec, unrelated());
        const auto j = judge_one(cap);
        expect(j, "in_progress", Cause::in_progress, "capture_ended", WaitingOn::server);
        CHECK(j.stalled_at == Phase::mcs_connect);
        CHECK(j.confidence == Confidence::low);
    }
    SECTION("near miss: forty seconds of quiet") {
        cap.at(cv.t + 40 * kSec, unrelated());
        expect(judge_one(cap), "stalled", Cause::server_unresponsive, "no_answer_during_mcs_connect", WaitingOn::server);
    }
}

TEST_CASE("rule closed: one side closes with no fault in sight", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.up_to_tls(kSsl, kSsl);
    cv.client(app_data(400));
    cv.server(app_data(300));
    SECTION("fires: the server closes during the channel joins") {
        cv.client(app_data(40));
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_server, "closed_during_channel_join", WaitingOn::server);
        CHECK(j.confidence == Confidence::medium);
        REQUIRE(j.client_codes);
        CHECK(j.client_codes->main == 0x904u);  // the server's close: socket closed
    }
    SECTION("near miss: nobody closes; the client owes the next packet for the stall timeout") {
        cap.at(cv.t + 40 * kSec, unrelated());
        expect(judge_one(cap), "stalled", Cause::in_progress, "waiting_for_client", WaitingOn::client);
    }
}

TEST_CASE("rule stalled: whoever owed the next packet never sent it", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl));
    cv.server(connection_confirm(kSsl));
    const Bytes_ hello = client_hello();
    SECTION("fires: the server never answers the ClientHello it acknowledged") {
        cv.client(hello);
        cap.at(cv.t + 40 * kSec, unrelated());
        const auto j = judge_one(cap);
        expect(j, "stalled", Cause::server_unresponsive, "no_answer_during_tls_handshake", WaitingOn::server);
        CHECK(j.confidence == Confidence::low);
    }
    SECTION("fires: the ClientHello resent once and never acknowledged") {
        cv.client(hello, false);
        cv.client_resend(hello, kSec);
        cap.at(cv.t + 40 * kSec, unrelated());
        expect(judge_one(cap), "stalled", Cause::packet_loss, "stalled_unacknowledged", WaitingOn::network);
    }
    SECTION("fires: the client never answers the server's flight") {
        cv.client(hello);
        cv.server(server_hello_done());
        cap.at(cv.t + 40 * kSec, unrelated());
        expect(judge_one(cap), "stalled", Cause::in_progress, "waiting_for_client", WaitingOn::client);
    }
    SECTION("near miss: the capture ends five seconds after the ClientHello") {
        cv.client(hello);
        cap.at(cv.t + 5 * kSec, unrelated());
        expect(judge_one(cap), "in_progress", Cause::in_progress, "capture_ended", WaitingOn::server);
    }
}

TEST_CASE("rule closed: the client goes quiet after the Connection Confirm and closes at its own timer", "[verdict]") {
    // Issue 14 part 10: a client that stops after the X.224 Confirm and
    // closes about 30 s later (its own timer) closed the connection itself;
    // that close is the verdict, not "waiting for the client", even though it
    // comes right at the stall timeout (30 s).  The hold lasts one more stall
    // timeout (TrackerOptions::client_hold_ns).
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    cv.client(connection_request(kSsl));
    cv.server(connection_confirm(kSsl));
    SECTION("fires: the client's FIN 30.5 s after the Confirm") {
        cv.client_fin(30 * kSec + 500 * kMs);
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_client, "closed_during_tls_handshake", WaitingOn::client);
        CHECK(j.stalled_at == Phase::tls_handshake);
    }
    SECTION("fires: the client's RST 55 s after the Confirm") {
        cv.client_rst(55 * kSec);
        expect(judge_one(cap), "closed", Cause::closed_by_client, "closed_during_tls_handshake", WaitingOn::client);
    }
    SECTION("near miss: the client's FIN 70 s after the Confirm, past the hold") {
        cv.client_fin(70 * kSec);
        expect(judge_one(cap), "stalled", Cause::in_progress, "waiting_for_client", WaitingOn::client);
    }
    SECTION("near miss: the server owes the answer, so nothing is held") {
        cv.client(client_hello());
        cv.client_fin(30 * kSec + 500 * kMs);
        expect(judge_one(cap), "stalled", Cause::server_unresponsive, "no_answer_during_tls_handshake",
               WaitingOn::server);
    }
}

// ---- after the handshake ------------------------------------------------------

namespace {
class CollectEnds : public FileObserver {
public:
    std::vector<std::optional<SessionEnd>> ends;
    std::vector<Cause> causes;
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
    void connection_done(const Connection& c, const Verdict& v) override {
        ends.push_back(session_end(c));
        causes.push_back(v.cause);
    }
};
}  // namespace

TEST_CASE("session_end: how a session ended after a completed handshake", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    up_to(cv, kGcm, kSsl | kHybrid | kHybridEx, kHybridEx);
    windows_kerberos(cv, kGcm);
    cv.server(app_data(rec_len(kGcm, 4)));
    windows_session(cv, kGcm, 30);
    bool ultimatum = false;
    SECTION("the server's ultimatum-sized record, then the client's reset (mstsc)") {
        cv.server(app_data(rec_len(kGcm, 9)));  // Disconnect Provider Ultimatum: 9 bytes
        cv.client_rst();
        ultimatum = true;
    }
    SECTION("near miss: the client resets after ordinary graphics") {
        cv.client_rst();
    }
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-session-end");
    cap.write(file.path());
    CollectEnds col;
    std::FILE* err = std::fopen("/dev/null", "w");
    run_file(file.path(), col, TrackerOptions{}, err);
    std::fclose(err);
    REQUIRE(col.ends.size() == 1);
    CHECK(col.causes[0] == Cause::none);  // the handshake verdict stays about the handshake
    REQUIRE(col.ends[0]);
    const SessionEnd& e = *col.ends[0];
    CHECK(e.by_client);
    CHECK(e.how == SessionEnd::How::reset);
    CHECK(e.last_server_record_frame > 0);
    CHECK(e.last_server_record_frame < e.frame);
    CHECK(e.ultimatum_sized == ultimatum);
    CHECK(e.last_server_record_length == (ultimatum ? 33u : rec_len(kGcm, 1400)));
}

// ---- capture gaps against network loss (issue 14 part 10) --------------------

TEST_CASE("loss or capture: a SYN-ACK resent because the client's ACK was lost", "[verdict]") {
    // The server resends its SYN-ACK (the same ISN, 1 s later, as its
    // retransmission timer does) because the client's final ACK did not
    // reach it; the client ACKs again and the connection goes on.  One lost
    // ACK the handshake survived decides nothing about how it ended.
    Capture cap;
    Conv cv(cap);
    cv.syn();
    cv.syn_ack();
    SECTION("the connection goes on and the server closes during the channel joins") {
        cv.syn_ack(kSec);  // resent: same sequence number
        cv.ack_from_client();
        cv.client(connection_request(kSsl));
        cv.server(connection_confirm(kSsl));
        cv.client(client_hello());
        cv.server(server_hello_done());
        cv.client(client_finish());
        cv.server(server_finish());
        cv.client(app_data(400));
        cv.server(app_data(300));
        cv.client(app_data(40));
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_server, "closed_during_channel_join", WaitingOn::server);
    }
}

TEST_CASE("loss or capture: the client gave up on a request it had to resend", "[verdict]") {
    // The X.224 request goes unacknowledged and is resent after 1 s and 2 s;
    // the client gives up (FIN) before anything comes back; the server's ACK
    // and Confirm arrive after that and the client, closed, resets.  The
    // client left because its request was lost, not because of the Confirm
    // that came after its close.
    Capture cap;
    Conv cv(cap);
    cv.handshake();
    const Bytes_ cr = connection_request(kSsl);
    cv.client(cr, false);
    cv.client_resend(cr, kSec);
    cv.client_resend(cr, 2 * kSec);
    cv.client_fin(kSec);
    cv.ack_from_server(500 * kMs);
    cv.server(connection_confirm(kSsl), false);
    cv.client_rst();
    const auto j = judge_one(cap);
    expect(j, "packet_loss", Cause::packet_loss, "handshake_timeout", WaitingOn::network);
    CHECK(j.stalled_at == Phase::x224_negotiation);
}

TEST_CASE("loss or capture: bytes the peer ACKed that the capture never saw", "[verdict]") {
    // The capture point dropped the client's Connect Initial (the server's
    // ACK covers it and answers it): a capture gap, not network loss.
    Capture cap;
    Conv cv(cap);
    cv.up_to_tls(kSsl, kSsl);
    cv.step(10 * kMs);
    cv.cseq += 400 + 5;  // the Connect Initial's record, not in the capture
    cv.ack_from_server();
    cv.server_fin(kSec);
    // Not packet loss (nothing was resent), not the server's decision (the
    // capture cannot show what it answered): the capture's own gap.
    const auto j = judge_one(cap);
    expect(j, "incomplete_capture", Cause::incomplete_capture, "capture_gap", std::nullopt);
    CHECK(j.confidence == Confidence::low);
}

// ---- RDSTLS and RDS AAD Auth (MS-RDPBCGR 5.4.5.3, 5.4.5.4): not CredSSP ------

// After TLS the server speaks first: the RDSTLS Capabilities PDU (2.2.17.1:
// Version, PduType, DataType, SupportedVersions: 8 bytes), the client's
// Authentication Request with password credentials (2.2.17.2: here a 16-byte
// redirection GUID, user "alice", domain "EXAMPLE", a 128-byte password
// cookie: 6 + 18 + 14 + 18 + 130 = 186 bytes), the server's Authentication
// Response (2.2.17.4: 10 bytes, whatever its ResultCode).
void rdstls_exchange(Conv& cv, const Suite& s, bool answered = true) {
    cv.server(app_data(rec_len(s, 8)));
    cv.client(app_data(rec_len(s, 186)));
    if (answered) cv.server(app_data(rec_len(s, 10)));
}
// RDS AAD Auth: the Server Nonce PDU (2.2.18.1, {"ts_nonce":"..."} with a
// 64-character nonce and its NUL: 79 bytes), the Authentication Request
// (2.2.18.2, {"rdp_assertion":"..."} with a JWS around an Entra access token:
// some 4 KB), the Authentication Result (2.2.18.3, {"authentication_result":0}
// and its NUL: 28 bytes).
void rdsaad_exchange(Conv& cv, const Suite& s) {
    cv.server(app_data(rec_len(s, 79)));
    cv.client(app_data(rec_len(s, 4100)));
    cv.server(app_data(rec_len(s, 28)));
}
constexpr std::uint32_t kRdstls = rdpneg::PROTOCOL_RDSTLS, kRdsaad = rdpneg::PROTOCOL_RDSAAD;

TEST_CASE("RDSTLS: the server's Capabilities, the client's request, the Response, then MCS", "[verdict]") {
    for (const Suite& s : {kGcm, kCbc, kTls13}) {
        INFO("suite 0x" << std::hex << s.id);
        Capture cap;
        Conv cv(cap);
        up_to(cv, s, kSsl | kHybrid | kRdstls, kRdstls);
        rdstls_exchange(cv, s);
        windows_session(cv, s, 30);
        cv.client_rst();
        const auto j = judge_one(cap);
        expect(j, "complete", Cause::none, "handshake_complete", std::nullopt);
    }
}

TEST_CASE("rule rds_auth_failure: RDSTLS refused", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    up_to(cv, kGcm, kSsl | kHybrid | kRdstls, kRdstls);
    SECTION("fires: the Response, then the server closes without the client's Connect Initial") {
        rdstls_exchange(cv, kGcm);
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "rds_auth_failure", Cause::authentication_failure, "rdstls_auth_failed", WaitingOn::server);
        CHECK(j.stalled_at == Phase::rdstls);
        CHECK(j.confidence == Confidence::medium);
        REQUIRE(j.client_codes);
        CHECK(j.client_codes->main == 0x807u);
    }
    SECTION("fires: the Response, then the client leaves") {
        rdstls_exchange(cv, kGcm);
        cv.client_fin();
        const auto j = judge_one(cap);
        expect(j, "rds_auth_failure", Cause::authentication_failure, "rdstls_auth_failed", WaitingOn::server);
        CHECK(j.stalled_at == Phase::rdstls);
    }
    SECTION("fires, low: the server closes without answering the request") {
        rdstls_exchange(cv, kGcm, false);
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "rds_auth_failure", Cause::authentication_failure, "rdstls_auth_failed", WaitingOn::server);
        CHECK(j.confidence == Confidence::low);
    }
    SECTION("fires, low: an answer that cannot be the 10-byte Response") {
        cv.server(app_data(rec_len(kGcm, 8)));
        cv.client(app_data(rec_len(kGcm, 186)));
        cv.server(app_data(rec_len(kGcm, 300)));
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "rds_auth_failure", Cause::authentication_failure, "rdstls_auth_failed", WaitingOn::server);
        CHECK(j.confidence == Confidence::low);
    }
    SECTION("near miss: the client closes while its request waits: it gave up on the server") {
        rdstls_exchange(cv, kGcm, false);
        cv.client_fin(8 * kSec);
        const auto j = judge_one(cap);
        expect(j, "closed", Cause::closed_by_client, "closed_during_rdstls", WaitingOn::client);
    }
    SECTION("near miss: not CredSSP: the same records under HYBRID are NLA's") {
        Capture hy;
        Conv h(hy);
        up_to(h, kGcm, kSsl | kHybrid, kHybrid);
        h.client(app_data(rec_len(kGcm, 186)));
        h.server(app_data(rec_len(kGcm, 10)));
        h.server_fin();
        const auto j = judge_one(hy);
        CHECK(j.rule != "rds_auth_failure");
        CHECK(j.stalled_at == Phase::credssp);
    }
}

TEST_CASE("RDS AAD Auth: the Server Nonce, the assertion, the Result, then MCS", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    up_to(cv, kGcm, kSsl | kHybrid | kHybridEx | kRdsaad, kRdsaad);
    rdsaad_exchange(cv, kGcm);
    SECTION("the session runs") {
        windows_session(cv, kGcm, 30);
        cv.client_rst();
        expect(judge_one(cap), "complete", Cause::none, "handshake_complete", std::nullopt);
    }
    SECTION("fires: the Result, then the server closes") {
        cv.server_fin();
        const auto j = judge_one(cap);
        expect(j, "rds_auth_failure", Cause::authentication_failure, "rdsaad_auth_failed", WaitingOn::server);
        CHECK(j.stalled_at == Phase::rdsaad);
        CHECK(j.confidence == Confidence::medium);
    }
    SECTION("near miss: the client's Connect Initial follows, then the server closes: MCS, not the sign-in") {
        cv.client(app_data(rec_len(kGcm, 462)));
        cv.server_fin();
        const auto j = judge_one(cap);
        CHECK(j.rule != "rds_auth_failure");
        CHECK(j.stalled_at == Phase::mcs_connect);
    }
}

// ---- the SYN-ACK that nothing acknowledges ---------------------------------

TEST_CASE("rule syn_ack_unacknowledged: the SYN-ACK resent, never acknowledged", "[verdict]") {
    Capture cap;
    Conv cv(cap);
    cv.syn();
    cv.syn_ack();
    SECTION("fires: the client resends its SYN: the SYN-ACKs never reach it") {
        cv.syn(1 * kSec);
        cv.syn_ack(10 * kMs);
        cv.syn(2 * kSec);
        cv.syn_ack(10 * kMs);
        cv.syn_ack(3 * kSec);
        const auto j = judge_one(cap);
        expect(j, "syn_ack_unacknowledged", Cause::firewall_drop, "syn_ack_dropped", WaitingOn::network);
        CHECK(j.stalled_at == Phase::tcp_connect);
        CHECK(j.confidence == Confidence::medium);
    }
    SECTION("fires: one SYN never resent (a spoofed source, a half-open scanner)") {
        cv.syn_ack(1 * kSec);
        cv.syn_ack(2 * kSec);
        cv.syn_ack(4 * kSec);
        const auto j = judge_one(cap);
        expect(j, "syn_ack_unacknowledged", Cause::closed_by_client, "half_open_abandoned", WaitingOn::client);
        CHECK(j.confidence == Confidence::low);
        CHECK_FALSE(j.client_codes);  // no client waited: no code to name
    }
    SECTION("near miss: the client resets the SYN-ACK (a scanner that says so)") {
        cv.syn_ack(1 * kSec);
        cv.step(3 * kSec);
        cv.from_client(R, cv.cseq);
        const auto j = judge_one(cap);
        CHECK(j.rule != "syn_ack_unacknowledged");
    }
    SECTION("near miss: the SYN-ACK answered once (the lost-ACK case goes on)") {
        cv.syn_ack(1 * kSec);
        cv.ack_from_client();
        cv.client_fin(5 * kSec);
        const auto j = judge_one(cap);
        CHECK(j.rule != "syn_ack_unacknowledged");
    }
}

// ---- a handshake that completes after a capture gap -------------------------

TEST_CASE("loss or capture: the session's output after a capture gap shows the handshake completed", "[verdict]") {
    // The capture point dropped the client's Connect Initial (the server's
    // ACK covers it); the server then runs a session: 40 records of 1400
    // bytes, 50 ms apart, each ACKed by the client.  The phases after the gap
    // were not read, yet they happened: complete, with low confidence.
    Capture cap;
    Conv cv(cap);
    cv.up_to_tls(kSsl, kSsl);
    cv.step(10 * kMs);
    cv.cseq += 400 + 5;  // the Connect Initial's record, not in the capture
    cv.ack_from_server();
    SECTION("the server sends a session's output") {
        for (int i = 0; i < 40; ++i) cv.server(app_data(1400), true, 50 * kMs);
        cv.client_rst();
        const auto j = judge_one(cap);
        expect(j, "complete", Cause::none, "handshake_complete", std::nullopt);
        CHECK(j.confidence == Confidence::low);
    }
    SECTION("near miss: a few records after the gap and a close: the capture cannot tell") {
        for (int i = 0; i < 3; ++i) cv.server(app_data(300));
        cv.server_fin(kSec);
        const auto j = judge_one(cap);
        expect(j, "incomplete_capture", Cause::incomplete_capture, "capture_gap", std::nullopt);
    }
}
