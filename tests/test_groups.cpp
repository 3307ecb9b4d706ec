// SPDX-License-Identifier: MIT
// Evidence across connections (analyze/groups.cpp) on synthetic captures:
// the patterns brute_force, spray and scan (and their near misses: 9
// failures, 4 servers, 4 hosts), mstsc's retries linked into one attempt (and
// a new attempt that is not one), the cross-connection rule client_blocked
// (and a near miss: connections stalling at different times), and the text
// report of a long brute force.  Every expectation follows from how the
// capture is built: which client connects where, when, and what each side sends.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "analyze/groups.hpp"
#include "analyze/run.hpp"
#include "dissect/rdp_neg.hpp"
#include "report/writers.hpp"
#include "capture_builder.hpp"
#include "rdp_builder.hpp"
#include "run_writer.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using namespace rdpscope::test::rdp;
using json = nlohmann::json;

namespace {

constexpr std::uint32_t kSsl = rdpneg::PROTOCOL_SSL, kHybrid = rdpneg::PROTOCOL_HYBRID;

std::uint16_t next_port = 40000;

Conv conv(Capture& cap, std::int64_t start, std::uint32_t client_ip, std::uint32_t server_ip) {
    Conv cv(cap, start);
    cv.cl = {client_ip, next_port++};
    cv.sv = {server_ip, 3389};
    return cv;
}

// One NLA failure as a Windows server gives it: TLS, the client's NTLM
// NEGOTIATE, the server's CHALLENGE, the client's AUTHENTICATE, the server's
// error TSRequest (a 39-byte TLS 1.2 GCM record) and its close.
void nla_failure(Capture& cap, std::int64_t start, std::uint32_t client_ip, std::uint32_t server_ip) {
    Conv cv = conv(cap, start, client_ip, server_ip);
    cv.up_to_tls(kSsl | kHybrid, kHybrid);
    cv.client(app_data(200));
    cv.server(app_data(300));
    cv.client(app_data(500));
    cv.server(tls_record(23, Bytes_(34, 0x5A)));
    cv.server_fin();
    cv.client_fin();
}

// A SYN probe: two SYNs, no answer.
void syn_probe(Capture& cap, std::int64_t start, std::uint32_t client_ip, std::uint32_t server_ip) {
    Conv cv = conv(cap, start, client_ip, server_ip);
    cv.syn(0);
    cv.step(1 * kSec);
    cap.at(cv.t, segment(cv.cl, cv.sv, S, cv.cseq - 1, 0, {}, 64));
}

// Unrelated packets until `end` (microseconds): the capture goes on, so the
// connections before are judged stalled or closed, not cut by the capture's end.
void pad(Capture& cap, std::int64_t from, std::int64_t end) {
    for (std::int64_t t = from; t <= end; t += 1 * kSec) cap.at(t, unrelated());
}

struct Report {
    std::vector<json> conns, groups;
    std::string out;
};

Report analyze(Capture cap, const std::string& format = "json", bool all = false, bool live = false) {
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-groups");
    cap.write(file.path());
    char* out = nullptr;
    std::size_t n = 0;
    std::FILE* o = open_memstream(&out, &n);
    std::FILE* e = std::fopen("/dev/null", "w");
    {
        ReportWriter w(o, e, format == "json" ? Format::json : Format::text);
        w.set_all(all);
        w.set_live(live);
        run_file(file.path(), w, TrackerOptions{}, e);
        w.finish();
    }
    std::fclose(o);
    std::fclose(e);
    Report r;
    r.out.assign(out, n);
    std::free(out);
    if (format != "json") return r;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        auto j = json::parse(line);
        if (j["type"] == "connection") r.conns.push_back(j);
        if (j["type"] == "group") r.groups.push_back(j);
    }
    return r;
}

const json* group(const Report& r, const std::string& scope, const std::string& client) {
    for (const auto& g : r.groups)
        if (g["scope"] == scope && g["client"] == client) return &g;
    return nullptr;
}

constexpr std::uint32_t kAttacker = 0xC6336401;  // 198.51.100.1
constexpr std::uint32_t kServer = 0x0A000002;     // 10.0.0.2

}  // namespace

// ---- brute force -------------------------------------------------------------

TEST_CASE("groups: 10 NLA failures from one client to one server are a brute force", "[groups]") {
    Capture cap;
    for (int i = 0; i < 10; ++i) nla_failure(cap, i * 2 * kSec, kAttacker, kServer);
    pad(cap, 21 * kSec, 25 * kSec);
    const Report r = analyze(cap);
    REQUIRE(r.conns.size() == 10);
    for (const auto& c : r.conns) CHECK(c["stalled_at"] == "credssp");  // each keeps its own verdict
    const json* g = group(r, "pair", "198.51.100.1");
    REQUIRE(g);
    CHECK((*g)["server"] == "10.0.0.2:3389");
    CHECK((*g)["connections"] == 10);
    CHECK((*g)["nla_failures"] == 10);
    CHECK((*g)["pattern"] == "brute_force");
    CHECK((*g)["conns"].size() == 10);
    CHECK((*g)["conns_not_listed"] == 0);
    CHECK((*g)["final"] == true);
    // 10 connections started 2 s apart: the first to the last end ~18 s.
    CHECK((*g)["duration"].get<double>() > 18.0);
    CHECK((*g)["duration"].get<double>() < 19.0);
    CHECK((*g)["rate_per_minute"].get<double>() > 30.0);
    std::uint64_t by_cause = 0;
    for (const auto& [k, v] : (*g)["by_cause"].items()) by_cause += v.get<std::uint64_t>();
    CHECK(by_cause == 10);
}

TEST_CASE("groups: 9 NLA failures are no brute force", "[groups]") {
    Capture cap;
    for (int i = 0; i < 9; ++i) nla_failure(cap, i * 2 * kSec, kAttacker, kServer);
    pad(cap, 19 * kSec, 23 * kSec);
    const Report r = analyze(cap);
    REQUIRE(r.conns.size() == 9);
    const json* g = group(r, "pair", "198.51.100.1");
    REQUIRE(g);
    CHECK((*g)["nla_failures"] == 9);
    CHECK((*g)["pattern"].is_null());
}

// ---- spray ---------------------------------------------------------------------

TEST_CASE("groups: one client failing NLA on 5 servers is a spray, on 4 it is not", "[groups]") {
    for (int servers : {5, 4}) {
        Capture cap;
        for (int i = 0; i < servers; ++i) nla_failure(cap, i * 2 * kSec, kAttacker, kServer + i);
        pad(cap, 11 * kSec, 14 * kSec);
        const Report r = analyze(cap);
        REQUIRE(r.conns.size() == static_cast<std::size_t>(servers));
        const json* g = group(r, "client", "198.51.100.1");
        REQUIRE(g);
        CHECK((*g)["servers"] == servers);
        CHECK((*g)["servers_failed"] == servers);
        if (servers == 5) CHECK((*g)["pattern"] == "spray");
        else CHECK((*g)["pattern"].is_null());
    }
}

// ---- scan ----------------------------------------------------------------------

TEST_CASE("groups: SYNs to 5 hosts are a scan, to 4 they are not", "[groups]") {
    for (int hosts : {5, 4}) {
        Capture cap;
        for (int i = 0; i < hosts; ++i) syn_probe(cap, i * 100 * kMs, kAttacker, 0x0A000100 + i);
        pad(cap, 2 * kSec, 80 * kSec);
        const Report r = analyze(cap);
        REQUIRE(r.conns.size() == static_cast<std::size_t>(hosts));
        const json* g = group(r, "client", "198.51.100.1");
        REQUIRE(g);
        CHECK((*g)["hosts_probed"] == hosts);
        CHECK((*g)["probes"] == hosts);
        if (hosts == 5) CHECK((*g)["pattern"] == "scan");
        else CHECK((*g)["pattern"].is_null());
    }
}

TEST_CASE("groups: X.224-only probes count toward a scan", "[groups]") {
    Capture cap;
    for (int i = 0; i < 5; ++i) {
        Conv cv = conv(cap, i * 100 * kMs, kAttacker, 0x0A000200 + i);
        cv.handshake();
        cv.client(connection_request(kSsl | kHybrid));
        cv.server(connection_confirm(kHybrid));
        cv.client_rst();
    }
    pad(cap, 1 * kSec, 3 * kSec);
    const Report r = analyze(cap);
    REQUIRE(r.conns.size() == 5);
    const json* g = group(r, "client", "198.51.100.1");
    REQUIRE(g);
    CHECK((*g)["hosts_probed"] == 5);
    CHECK((*g)["pattern"] == "scan");
}

// ---- retries ---------------------------------------------------------------------

TEST_CASE("groups: a refusal and mstsc's retry with other protocols are one attempt", "[groups][attempt]") {
    Capture cap;
    // SSL refused (RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER, MS-RDPBCGR 2.2.1.2.2), the server closes.
    Conv a = conv(cap, 0, 0x0A000001, kServer);
    a.handshake();
    a.client(connection_request(kSsl));
    a.server(negotiation_failure(2));
    a.server_fin();
    a.client_fin();
    // 1 s later the client offers SSL|HYBRID and completes the TLS handshake
    // and the connection sequence.
    Conv b = conv(cap, a.t + 1 * kSec, 0x0A000001, kServer);
    b.up_to_tls(kSsl | kHybrid | rdpneg::PROTOCOL_HYBRID_EX, kSsl);
    b.client(app_data(400));
    b.server(app_data(300));
    for (int i = 0; i < 2; ++i) {
        b.client(app_data(40));
        b.server(app_data(40));
    }
    b.client(app_data(400));
    for (int i = 0; i < 6; ++i) b.server(app_data(400));
    pad(cap, b.t + 1 * kSec, b.t + 3 * kSec);
    const Report r = analyze(cap);
    REQUIRE(r.conns.size() == 2);
    CHECK(r.conns[0]["cause"] == "protocol_mismatch");
    REQUIRE(r.conns[0].contains("attempt"));
    REQUIRE(r.conns[1].contains("attempt"));
    const std::uint64_t first = r.conns[0]["conn"];
    for (int i = 0; i < 2; ++i) {
        const json& at = r.conns[i]["attempt"];
        CHECK(at["id"] == first);
        CHECK(at["index"] == i);
        CHECK(at["connections"] == 2);
        CHECK(at["final_conn"] == r.conns[1]["conn"]);
        CHECK(at["final_cause"] == r.conns[1]["cause"]);
        CHECK(at["outcome"] == (r.conns[1]["cause"] == "none" ? "connected" : "failed"));
    }
}

TEST_CASE("groups: the same protocols again, or a retry too late, is a new attempt", "[groups][attempt]") {
    for (bool same : {true, false}) {
        Capture cap;
        Conv a = conv(cap, 0, 0x0A000001, kServer);
        a.handshake();
        a.client(connection_request(kSsl));
        a.server(negotiation_failure(2));
        a.server_fin();
        a.client_fin();
        // Same protocols 1 s later, or other protocols 20 s later.
        Conv b = conv(cap, a.t + (same ? 1 : 20) * kSec, 0x0A000001, kServer);
        b.handshake();
        b.client(connection_request(same ? kSsl : 0));
        b.server(negotiation_failure(2));
        b.server_fin();
        b.client_fin();
        pad(cap, b.t + 1 * kSec, b.t + 3 * kSec);
        const Report r = analyze(cap);
        REQUIRE(r.conns.size() == 2);
        CHECK(!r.conns[0].contains("attempt"));
        CHECK(!r.conns[1].contains("attempt"));
    }
}

// ---- a client blocked: the cross-connection rule ------------------------------

namespace {

// `n` connections from one client to kServer, each through the TLS handshake
// and into the connection sequence; the server's last packet on connection i
// comes at last_answer[i] (microseconds), after which the client resends its
// Connect Initial three times and nothing comes back.  Then `later` SYN-only
// attempts, unanswered.  A second client still gets answers from kServer
// after the block when `witness`.
Capture cut_connections(const std::vector<std::int64_t>& last_answer, int later, bool witness) {
    Capture cap;
    std::int64_t end = 0;
    for (std::size_t i = 0; i < last_answer.size(); ++i) {
        Conv cv = conv(cap, static_cast<std::int64_t>(i) * 100 * kMs, kAttacker, kServer);
        cv.up_to_tls(kSsl, kSsl);
        // The server's last packet: its ACK of the client's data, at last_answer[i].
        const Bytes_ ci = app_data(400);
        cv.client(ci, false);
        cv.t = std::max(cv.t, last_answer[i] - 5 * kMs);
        cv.server(app_data(300), false);
        cv.t = last_answer[i];
        cv.from_server(A, cv.sseq);
        // The client goes on (its Erect Domain), unanswered, and resends it.
        const Bytes_ ed = app_data(40);
        cv.client(ed, false, 20 * kMs);
        cv.client_resend(ed, 300 * kMs);
        cv.client_resend(ed, 600 * kMs);
        cv.client_resend(ed, 1200 * kMs);
        end = std::max(end, cv.t);
    }
    const std::int64_t block = *std::max_element(last_answer.begin(), last_answer.end());
    for (int k = 0; k < later; ++k) syn_probe(cap, block + (k + 1) * 500 * kMs, kAttacker, kServer);
    if (witness) {
        Conv w = conv(cap, block + 3 * kSec, 0x0A000009, kServer);
        w.handshake();
        w.client(connection_request(kSsl));
        w.server(connection_confirm(kSsl));
        w.client_fin();
        w.server_fin();
    }
    pad(cap, end + 1 * kSec, end + 70 * kSec);
    return cap;
}

}  // namespace

TEST_CASE("groups: connections of one client cut at the same moment are a block (client_blocked)", "[groups][block]") {
    const std::int64_t t = 2 * kSec;
    const Report r = analyze(cut_connections({t, t + 100 * kMs, t + 200 * kMs}, 2, true));
    REQUIRE(r.conns.size() == 6);
    std::set<std::uint64_t> blocked;
    for (const auto& c : r.conns) {
        if (c["client"].get<std::string>().rfind("198.51.100.1:", 0) != 0) {
            CHECK(c["cause"] != "firewall_drop");  // the witness
            continue;
        }
        INFO(c.dump());
        CHECK(c["cause"] == "firewall_drop");
        CHECK(c["verdict"] == "client_blocked");
        CHECK(c["rule"] == "client_blocked");
        CHECK(c["waiting_on"] == "network");
        CHECK(c["confidence"] == "high");  // the witness still got answers
        REQUIRE(c.contains("connection_verdict"));
        REQUIRE(c.contains("block"));
        CHECK(c["block"]["client"] == "198.51.100.1");
        CHECK(c["block"]["conns"].size() == 5);
        // Judged alone: loss (the cut ones) or an unanswered SYN (the later ones).
        const std::string own = c["connection_verdict"]["cause"];
        CHECK((own == "packet_loss" || own == "firewall_drop"));
        blocked.insert(c["conn"].get<std::uint64_t>());
    }
    CHECK(blocked.size() == 5);
    // The verdict names the other connections.
    for (const auto& c : r.conns)
        if (blocked.count(c["conn"]))
            for (auto other : blocked)
                if (other != c["conn"]) CHECK(c["summary"].get<std::string>().find(fmt::format("#{}", other)) != std::string::npos);
    // The client's group lists the amendments by conn.
    const json* g = group(r, "client", "198.51.100.1");
    REQUIRE(g);
    REQUIRE(g->contains("amends"));
    CHECK((*g)["amends"].size() == 5);
}

TEST_CASE("groups: live, connections print their own verdicts and the client's group amends them by conn", "[groups][block]") {
    const std::int64_t t = 2 * kSec;
    const Report r = analyze(cut_connections({t, t + 100 * kMs, t + 200 * kMs}, 2, true), "json", false, true);
    REQUIRE(r.conns.size() == 6);
    std::set<std::uint64_t> printed;
    for (const auto& c : r.conns) {
        CHECK(c["verdict"] != "client_blocked");  // printed before the block was known
        if (c["client"].get<std::string>().rfind("198.51.100.1:", 0) == 0) printed.insert(c["conn"].get<std::uint64_t>());
    }
    const json* g = nullptr;
    for (const auto& x : r.groups)
        if (x["scope"] == "client" && x["client"] == "198.51.100.1" && x["final"] == true) g = &x;
    REQUIRE(g);
    REQUIRE(g->contains("amends"));
    std::set<std::uint64_t> amended;
    for (const auto& a : (*g)["amends"]) {
        CHECK(a["verdict"] == "client_blocked");
        CHECK(a["cause"] == "firewall_drop");
        amended.insert(a["conn"].get<std::uint64_t>());
    }
    CHECK(amended == printed);
}

TEST_CASE("groups: one client's connections stalling at different times stay per-connection", "[groups][block]") {
    const Report r = analyze(cut_connections({2 * kSec, 12 * kSec, 22 * kSec}, 0, true));
    REQUIRE(r.conns.size() == 4);
    for (const auto& c : r.conns) {
        INFO(c.dump());
        CHECK(c["verdict"] != "client_blocked");
        CHECK(!c.contains("block"));
    }
}

TEST_CASE("groups: the cross-connection rule is in the rule table", "[groups][block]") {
    bool found = false;
    for (const auto& row : rule_table())
        if (std::string(row.id) == "client_blocked") {
            found = true;
            CHECK(row.causes == std::vector<Cause>{Cause::firewall_drop});
            CHECK(row.codes == std::vector<VerdictCode>{VerdictCode::client_blocked});
        }
    CHECK(found);
    CHECK(rule_allows("client_blocked", Cause::firewall_drop, VerdictCode::client_blocked));
    CHECK(!rule_allows("client_blocked", Cause::packet_loss, VerdictCode::client_blocked));
}

// ---- the text report of a long brute force ------------------------------------

TEST_CASE("groups: a 60-connection brute force prints in at most 40 lines, with --all every connection", "[groups][text]") {
    Capture cap;
    for (int i = 0; i < 60; ++i) nla_failure(cap, i * 1 * kSec, kAttacker, kServer);
    pad(cap, 61 * kSec, 64 * kSec);
    const Report brief = analyze(cap, "text");
    const auto lines = std::count(brief.out.begin(), brief.out.end(), '\n');
    INFO(brief.out);
    CHECK(lines <= 40);
    CHECK(brief.out.find("brute_force 198.51.100.1 -> 10.0.0.2:3389") != std::string::npos);
    CHECK(brief.out.find("--all") != std::string::npos);
    CHECK(brief.out.find("#11 and 48 more") != std::string::npos);  // 12 of the 60 listed
    const Report all = analyze(cap, "text", true);
    std::size_t headers = 0;
    for (std::size_t at = 0; (at = all.out.find(" TCP 198.51.100.1:", at)) != std::string::npos; ++at) ++headers;
    CHECK(headers == 60);
}

TEST_CASE("groups: bounded -- ids listed per group stop at the limit, the rest counted", "[groups]") {
    ConnectionGroups::Options o;
    o.max_ids = 4;
    o.max_pairs = 2;
    ConnectionGroups g(o);
    ConnBrief b;
    b.client.ip = IpAddr{4, {10, 0, 0, 1}};
    b.server = Endpoint{IpAddr{4, {10, 0, 0, 2}}, 3389};
    for (std::uint64_t i = 0; i < 10; ++i) {
        b.id = i;
        b.first_ts = b.last_ts = static_cast<std::int64_t>(i) * 1'000'000'000;
        g.add(b);
    }
    for (int s = 3; s < 6; ++s) {  // two more pairs: the second is not followed
        b.server.ip.b[3] = static_cast<std::uint8_t>(s);
        b.id = 100 + s;
        g.add(b);
    }
    CHECK(g.not_grouped() == 2);
    for (const auto& v : g.groups())
        if (v.pair) {
            CHECK(v.connections == 10);
            CHECK(v.ids.size() == 4);
            CHECK(v.more == 6);
        }
}

TEST_CASE("groups: bounded -- a client beyond max_clients is not grouped, the clients followed still are", "[groups]") {
    ConnectionGroups::Options o;
    o.max_clients = 3;
    ConnectionGroups g(o);
    ConnBrief b;
    b.server = Endpoint{IpAddr{4, {192, 0, 2, 10}}, 3389};
    auto add_from = [&](std::uint8_t last, std::uint64_t id) {
        b.client = Endpoint{IpAddr{4, {198, 51, 100, last}}, static_cast<std::uint16_t>(50000 + id)};
        b.id = id;
        b.first_ts = b.last_ts = static_cast<std::int64_t>(id) * 1'000'000'000;
        g.add(b);
    };
    add_from(1, 1);
    add_from(2, 2);
    add_from(3, 3);
    add_from(4, 4);  // a fourth client: over the bound
    add_from(5, 5);  // a fifth
    add_from(1, 6);  // the first again: followed
    add_from(4, 7);  // the fourth again: still not
    CHECK(g.not_grouped() == 3);
    CHECK(g.client_connections(IpAddr{4, {198, 51, 100, 1}}) == 2);
    CHECK(g.client_connections(IpAddr{4, {198, 51, 100, 3}}) == 1);
    CHECK(g.client_connections(IpAddr{4, {198, 51, 100, 4}}) == 0);
    // An IPv6 client with the same first bytes is another client (and over the bound).
    IpAddr v6{6, {198, 51, 100, 1}};
    b.client = Endpoint{v6, 50100};
    b.id = 8;
    g.add(b);
    CHECK(g.not_grouped() == 4);
    CHECK(g.client_connections(v6) == 0);
    // Cleared: room again.
    g.clear();
    add_from(4, 9);
    CHECK(g.not_grouped() == 0);
    CHECK(g.client_connections(IpAddr{4, {198, 51, 100, 4}}) == 1);
}
