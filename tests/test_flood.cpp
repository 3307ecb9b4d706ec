// SPDX-License-Identifier: MIT
// The flood bounds (analyze/flood.hpp) on small synthetic captures, with the
// bounds made small so that a few dozen connections cross them: SYN attempts
// beyond the held bound counted exactly (attempts, SYNs, sources, the top
// source), an answered SYN never lost to the bound, probe-like connections
// beyond the listing budget judged and grouped but not listed, decided
// connections retired early with their late packets counted, and the budget's
// refill by packet time.  Every expectation follows from how the capture is
// built: how many SYNs from whom, in which order, what each side sends.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "analyze/flood.hpp"
#include "analyze/run.hpp"
#include "analyze/verdict.hpp"
#include "dissect/rdp_neg.hpp"
#include "report/writers.hpp"
#include "capture_builder.hpp"
#include "rdp_builder.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using namespace rdpscope::test::rdp;
using json = nlohmann::json;

namespace {

constexpr std::uint32_t kServer = 0x0A000002;  // 10.0.0.2

struct Report {
    std::vector<json> conns, groups;
    json flood, summary, file_summary;
};

// The whole JSON output of `analyze` on the capture.
std::string analyze_output(Capture cap, const TrackerOptions& opt) {
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-flood");
    cap.write(file.path());
    char* out = nullptr;
    std::size_t n = 0;
    std::FILE* o = open_memstream(&out, &n);
    std::FILE* e = std::fopen("/dev/null", "w");
    {
        ReportWriter w(o, e, Format::json);
        run_file(file.path(), w, opt, e);
        w.finish();
    }
    std::fclose(o);
    std::fclose(e);
    std::string text(out, n);
    std::free(out);
    // Each run writes its own temporary file: its name is not the report's.
    for (std::size_t at; (at = text.find(file.path())) != std::string::npos;)
        text.replace(at, file.path().size(), "capture.pcap");
    return text;
}

Report analyze(Capture cap, const TrackerOptions& opt) {
    Report r;
    std::istringstream lines(analyze_output(std::move(cap), opt));
    for (std::string line; std::getline(lines, line);) {
        auto j = json::parse(line);
        if (j["type"] == "connection") r.conns.push_back(j);
        else if (j["type"] == "group") r.groups.push_back(j);
        else if (j["type"] == "flood") r.flood = j;
        else if (j["type"] == "summary") r.summary = j;
        else if (j["type"] == "file_summary") r.file_summary = j;
    }
    return r;
}

// One SYN, never answered, from `client`:`port` to the server, at `t` (us).
void lone_syn(Capture& cap, std::int64_t t, std::uint32_t client, std::uint16_t port) {
    cap.at(t, segment({client, port}, {kServer, 3389}, S, 7777u * port, 0, {}, 64));
}

}  // namespace

TEST_CASE("flood: SYN attempts beyond the held bound are counted, every one", "[flood]") {
    // 100 single SYNs from 100 sources (10.1.0.0 + i), then 20 from one
    // source (10.2.0.1, ports 2000-2019), 1 ms apart; nothing answers.
    Capture cap;
    std::int64_t t = 0;
    for (std::uint32_t i = 0; i < 100; ++i, t += 1000) lone_syn(cap, t, 0x0A010000 + i, 40000);
    for (std::uint16_t i = 0; i < 20; ++i, t += 1000) lone_syn(cap, t, 0x0A020001, 2000 + i);
    TrackerOptions opt;
    opt.max_pending_attempts = 8;  // the 8 newest held
    opt.listed_per_minute = 5;     // 120 ms of capture: no refill
    const Report r = analyze(cap, opt);
    // Held at the end: the last 8 attempts (all from 10.2.0.1); the budget
    // lists the first 5 of them; the other 115 are in the aggregate.
    REQUIRE(r.conns.size() == 5);
    for (const auto& c : r.conns) CHECK(c["client"].get<std::string>().rfind("10.2.0.1:", 0) == 0);
    CHECK(r.conns.front()["client"] == "10.2.0.1:2012");
    CHECK(r.conns.front()["first_frame"] == 113);
    REQUIRE(r.flood.is_object());
    const json& a = r.flood["unanswered_syn_attempts"];
    CHECK(a["attempts"] == 115);
    CHECK(a["syn_packets"] == 115);
    CHECK(a["sources"] == 101);  // the 100, and 10.2.0.1
    CHECK(a["sources_at_least"] == false);
    CHECK(a["servers"] == 1);
    CHECK(a["first_frame"] == 1);
    CHECK(a["last_frame"] == 120);
    REQUIRE(!a["top_sources"].empty());
    CHECK(a["top_sources"][0]["address"] == "10.2.0.1");
    CHECK(a["top_sources"][0]["attempts"] == 15);  // its first 12 and last 3
    CHECK(a["held_at_most"] == 8);
    // Every attempt counted: 5 judged + 115 not judged = 120 SYNs sent.
    CHECK(r.summary["connections"] == 5);
    CHECK(r.summary["syn_attempts_not_judged"] == 115);
    CHECK(r.file_summary["tcp_connections"] == 120);
}

TEST_CASE("flood: a SYN the server answers is never lost to the bound", "[flood]") {
    // 40 lone SYNs 1 ms apart; a real client's SYN after the 20th, its
    // SYN-ACK 3 ms later (3 more flood SYNs held meanwhile, bound 8), then its
    // X.224 request and the server's confirm and TLS.
    Capture cap;
    std::int64_t t = 0;
    for (std::uint32_t i = 0; i < 40; ++i, t += 1000) lone_syn(cap, t, 0x0A010000 + i, 40000);
    Conv cv(cap, 20 * 1000 + 500);
    cv.cl = {0x0A090909, 51000};
    cv.sv = {kServer, 3389};
    cv.syn(0);
    cv.syn_ack(3 * kMs);
    cv.ack_from_client(1 * kMs);
    cv.client(connection_request(rdpneg::PROTOCOL_SSL));
    cv.server(connection_confirm(rdpneg::PROTOCOL_SSL));
    cv.client(client_hello());
    cv.server(server_hello_done({}, 0xC02F));
    cv.client(client_finish());
    cv.server(server_finish());
    TrackerOptions opt;
    opt.max_pending_attempts = 8;
    opt.listed_per_minute = 0;  // no listing limit: only the held bound acts
    const Report r = analyze(cap, opt);
    const auto real = std::find_if(r.conns.begin(), r.conns.end(),
                                   [](const json& c) { return c["client"] == "10.9.9.9:51000"; });
    REQUIRE(real != r.conns.end());
    CHECK((*real)["first_frame"] == 22);  // its SYN: after 21 flood SYNs (frames 1-21)
    CHECK((*real)["tcp"]["c2s"]["syn"] == 1);
    CHECK((*real)["tcp"]["s2c"]["syn_ack"] == 1);
    // The 40 flood attempts: 8 held to the end and judged, 32 counted.
    CHECK(r.conns.size() == 1 + 8);
    CHECK(r.flood["unanswered_syn_attempts"]["attempts"] == 32);
    CHECK(r.flood["unanswered_syn_attempts"]["sources"] == 32);
}

TEST_CASE("flood: probes beyond the listing budget are judged and grouped, not listed", "[flood]") {
    // 30 X.224 probes from one client, 100 ms apart: handshake, Connection
    // Request, Connection Confirm, the client's RST.
    Capture cap;
    for (int i = 0; i < 30; ++i) {
        Conv cv(cap, i * 100 * kMs);
        cv.cl = {0xC6336401, static_cast<std::uint16_t>(41000 + i)};
        cv.sv = {kServer, 3389};
        cv.handshake();
        cv.client(connection_request(rdpneg::PROTOCOL_SSL | rdpneg::PROTOCOL_HYBRID));
        cv.server(connection_confirm(rdpneg::PROTOCOL_HYBRID));
        cv.client_rst();
    }
    for (std::int64_t t = 4 * kSec; t <= 40 * kSec; t += kSec) cap.at(t, unrelated());
    TrackerOptions opt;
    opt.listed_per_minute = 5;  // 40 s of capture: no token comes back
    const Report r = analyze(cap, opt);
    REQUIRE(r.conns.size() == 5);
    CHECK(r.conns[0]["client"] == "198.51.100.1:41000");
    CHECK(r.conns[4]["client"] == "198.51.100.1:41004");
    const json& nl = r.flood["not_listed"];
    CHECK(nl["connections"] == 25);
    std::uint64_t by_cause = 0;
    for (const auto& [c, n] : nl["by_cause"].items()) by_cause += n.get<std::uint64_t>();
    CHECK(by_cause == 25);
    CHECK(nl["listed_per_minute"] == 5);
    // Judged all the same: the summary and the groups count all 30.
    CHECK(r.summary["connections"] == 30);
    CHECK(!r.summary.contains("syn_attempts_not_judged"));
    // Offline, groups come once, at the end (final), whatever was listed.
    for (const auto& g : r.groups) CHECK(g["final"] == true);
    const auto pair = std::find_if(r.groups.begin(), r.groups.end(), [](const json& g) { return g["scope"] == "pair"; });
    REQUIRE(pair != r.groups.end());
    CHECK((*pair)["connections"] == 30);
    CHECK((*pair)["probes"] == 30);
}

TEST_CASE("flood: verdicts judged in brief beyond the listing budget leave the report as it was", "[flood]") {
    // 30 X.224 probes from one client, 100 ms apart, as above; then a client
    // that goes on to TLS after the Confirm (not probe-like) and closes.
    Capture cap;
    for (int i = 0; i < 30; ++i) {
        Conv cv(cap, i * 100 * kMs);
        cv.cl = {0xC6336401, static_cast<std::uint16_t>(41000 + i)};
        cv.sv = {kServer, 3389};
        cv.handshake();
        cv.client(connection_request(rdpneg::PROTOCOL_SSL | rdpneg::PROTOCOL_HYBRID));
        cv.server(connection_confirm(rdpneg::PROTOCOL_HYBRID));
        cv.client_rst();
    }
    Conv tls(cap, 3500 * kMs);
    tls.cl = {0xC6336402, 43000};
    tls.sv = {kServer, 3389};
    tls.up_to_tls(rdpneg::PROTOCOL_SSL, rdpneg::PROTOCOL_SSL);
    tls.client_fin();
    tls.server_fin();
    for (std::int64_t t = 5 * kSec; t <= 40 * kSec; t += kSec) cap.at(t, unrelated());
    TrackerOptions opt;
    opt.listed_per_minute = 5;  // 40 s of capture: no token comes back
    const std::string full = analyze_output(cap, opt);
    opt.brief_unlisted = true;
    const std::string brief = analyze_output(cap, opt);
    CHECK(brief == full);
    // The TLS client was due with the budget spent: judged in brief first,
    // then, not being probe-like, in full and listed with its words.
    const Report r = analyze(cap, opt);
    REQUIRE(r.conns.size() == 6);
    CHECK(r.conns[5]["client"] == "198.51.100.2:43000");
    CHECK(!r.conns[5]["summary"].get<std::string>().empty());
    CHECK(r.flood["not_listed"]["connections"] == 25);
    CHECK(r.summary["connections"] == 31);
}

namespace {

// Judges every connection of a capture at a few moments, in full and in
// brief, and counts those where the two decide differently.
class BriefAgainstFull : public FileObserver {
public:
    std::size_t judged = 0;
    std::vector<std::string> differ;
    void begin_file(const std::string& path, const FileStats*) override { path_ = path; }
    void end_file(const FileStats&) override {}
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
    void connection_done(const Connection& c, const Verdict&) override {
        for (bool ended : {false, true})
            for (std::int64_t after : {std::int64_t{0}, 31 * kSec * 1000, 700 * kSec * 1000})
                for (std::uint64_t drops : {0, 3}) {
                    JudgeContext ctx;
                    ctx.now_ns = c.last_ts + after;
                    ctx.input_ended = ended;
                    ctx.capture_drops = drops;
                    const Verdict full = judge(c, ctx);
                    ctx.brief = true;
                    const Verdict brief = judge(c, ctx);
                    ++judged;
                    if (full.cause != brief.cause || !(full.code == brief.code) || full.phase != brief.phase ||
                        full.stalled_at != brief.stalled_at || full.waiting_on != brief.waiting_on ||
                        full.confidence != brief.confidence)
                        differ.push_back(path_ + " #" + std::to_string(c.id) + ": " + full.rule + " " +
                                         to_string(full.code) + " / brief " + to_string(brief.code));
                }
    }

private:
    std::string path_;
};

}  // namespace

TEST_CASE("flood: a verdict judged in brief decides as in full, on every bundled capture", "[flood]") {
    BriefAgainstFull check;
    std::FILE* null = std::fopen("/dev/null", "w");
    REQUIRE(null);
    for (const std::string& path : test::every_bundled_capture()) run_file(path, check, TrackerOptions{}, null);
    std::fclose(null);
    CHECK(check.judged > 1000);
    INFO((check.differ.empty() ? std::string() : check.differ.front()));
    CHECK(check.differ.empty());
}

TEST_CASE("flood: over the bound of full connections, decided ones retire early, late packets are counted", "[flood]") {
    // 40 complete conversations one after another (handshake, X.224, TLS,
    // FIN both ways), then 2 s later an ACK of the first one's client: late.
    Capture cap;
    for (int i = 0; i < 40; ++i) {
        Conv cv(cap, i * 200 * kMs);
        cv.cl = {0x0A030000 + static_cast<std::uint32_t>(i), 42000};
        cv.sv = {kServer, 3389};
        cv.up_to_tls(rdpneg::PROTOCOL_SSL, rdpneg::PROTOCOL_SSL);
        cv.client_fin();
        cv.server_fin();
        cv.ack_from_client();
        if (i == 0) cap.at(10 * kSec, segment(cv.cl, cv.sv, A, cv.cseq, cv.sseq, {}, 64));
    }
    TrackerOptions opt;
    opt.max_full_connections = 16;
    opt.listed_per_minute = 0;
    const Report r = analyze(cap, opt);
    // Every conversation reported once, none for the late ACK.
    REQUIRE(r.conns.size() == 40);
    CHECK(r.conns[0]["client"] == "10.3.0.0:42000");
    CHECK(r.file_summary["tcp_connections"] == 40);
    REQUIRE(r.flood.contains("retired_early"));
    CHECK(r.flood["retired_early"]["connections"].get<std::uint64_t>() >= 40 - 16);
    CHECK(r.flood["retired_early"]["late_packets"] == 1);
    CHECK(r.flood["retired_early"]["max_full_connections"] == 16);
}

TEST_CASE("flood: the bounds change nothing below them", "[flood]") {
    // 3 lone SYNs and 2 probes: far below every bound; no flood object.
    Capture cap;
    for (std::uint32_t i = 0; i < 3; ++i) lone_syn(cap, i * 1000, 0x0A010000 + i, 40000);
    for (int i = 0; i < 2; ++i) {
        Conv cv(cap, kSec + i * 100 * kMs);
        cv.cl = {0xC6336401, static_cast<std::uint16_t>(41000 + i)};
        cv.sv = {kServer, 3389};
        cv.handshake();
        cv.client(connection_request(rdpneg::PROTOCOL_SSL));
        cv.client_rst();
    }
    const Report r = analyze(cap, TrackerOptions{});
    CHECK(r.conns.size() == 5);
    CHECK(r.flood.is_null());
    CHECK(!r.summary.contains("syn_attempts_not_judged"));
}

TEST_CASE("flood: the listing budget comes back with packet time", "[flood]") {
    ListingBudget b(2);  // 2 a minute: one every 30 s
    const std::int64_t t0 = 1'700'000'000'000'000'000;
    CHECK(b.available(t0));
    b.take();
    CHECK(b.available(t0 + 1));
    b.take();
    CHECK(!b.available(t0 + 29'000'000'000));
    CHECK(b.available(t0 + 30'000'000'001));  // one back
    b.take();
    CHECK(!b.available(t0 + 31'000'000'000));
    CHECK(b.available(t0 + 600'000'000'000));  // full again, never more than 2
    b.take();
    b.take();
    CHECK(!b.available(t0 + 600'000'000'001));
    ListingBudget unlimited(0);
    for (int i = 0; i < 10; ++i) {
        CHECK(unlimited.available(t0));
        unlimited.take();
    }
}

TEST_CASE("flood: distinct sources and the top ones are counted exactly", "[flood]") {
    FloodCounter f;
    Endpoint srv{};
    srv.ip.version = 4;
    srv.port = 3389;
    IpAddr a{};
    a.version = 4;
    // 5000 sources once each, then source 0 four more times and source 1 twice.
    for (std::uint32_t i = 0; i < 5000; ++i) {
        a.b[0] = 11;
        a.b[1] = static_cast<std::uint8_t>(i >> 16);
        a.b[2] = static_cast<std::uint8_t>(i >> 8);
        a.b[3] = static_cast<std::uint8_t>(i);
        f.attempt(a, srv, 1, i + 1, i, i + 1, i);
    }
    a.b = {11, 0, 0, 0};
    for (int k = 0; k < 4; ++k) f.attempt(a, srv, 2, 6000, 0, 6000, 0);
    a.b = {11, 0, 0, 1};
    for (int k = 0; k < 2; ++k) f.attempt(a, srv, 1, 6001, 0, 6001, 0);
    const FloodStats s = f.stats();
    CHECK(s.attempts == 5006);
    CHECK(s.syn_packets == 5000 + 8 + 2);
    CHECK(s.sources == 5000);
    CHECK(!s.sources_at_least);
    CHECK(s.servers == 1);
    REQUIRE(s.top_sources.size() == 10);
    CHECK(to_string(s.top_sources[0].address) == "11.0.0.0");
    CHECK(s.top_sources[0].attempts == 5);
    CHECK(to_string(s.top_sources[1].address) == "11.0.0.1");
    CHECK(s.top_sources[1].attempts == 3);
    // Sources beyond the first 4096 are not counted one by one.
    CHECK(s.sources_not_counted == 5000 - FloodCounter::kMaxTopSources);
}

TEST_CASE("flood: distinct sources of both families and 0.0.0.0 counted exactly", "[flood]") {
    // IPv4 sources are kept as addresses, others as hashes, 0.0.0.0 apart:
    // 3000 IPv4 (0.0.0.0 among them), 2000 IPv6, each seen three times in
    // turn: 5000 distinct.
    FloodCounter f;
    Endpoint srv{};
    srv.ip.version = 4;
    srv.port = 3389;
    std::uint64_t frame = 0;
    for (int round = 0; round < 3; ++round) {
        for (std::uint32_t i = 0; i < 3000; ++i) {
            IpAddr a{};
            a.version = 4;
            const std::uint32_t v = i == 0 ? 0 : 0x0B000000u + i;  // 0.0.0.0, then 11.0.0.1, ...
            a.b = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
                   static_cast<std::uint8_t>(v)};
            ++frame;
            f.attempt(a, srv, 1, frame, 0, frame, 0);
        }
        for (std::uint32_t i = 0; i < 2000; ++i) {
            IpAddr a{};
            a.version = 6;
            a.b = {0x20, 0x01, 0x0d, 0xb8};
            a.b[14] = static_cast<std::uint8_t>(i >> 8);
            a.b[15] = static_cast<std::uint8_t>(i + 1);
            ++frame;
            f.attempt(a, srv, 1, frame, 0, frame, 0);
        }
    }
    const FloodStats s = f.stats();
    CHECK(s.attempts == 15000);
    CHECK(s.sources == 5000);
    CHECK(!s.sources_at_least);
}

TEST_CASE("flood: SYN attempts to other ports are bounded too, an answered one is never lost", "[flood]") {
    // 40 lone SYNs to 10.0.0.2:80 from 40 sources, 1 ms apart; after the
    // 20th, a real HTTP client (10.9.9.9:51000) whose SYN is answered 3 ms
    // later, then a request and a response.  At most 8 attempts kept: each
    // new one beyond pushes out the oldest of the 8 newest, forgotten if it
    // is still only a SYN.  41 attempts: 33 pushed out, the real one among
    // them but answered by then, so 32 forgotten; none is ever reported.
    Capture cap;
    std::int64_t t = 0;
    for (std::uint32_t i = 0; i < 40; ++i, t += 1000)
        cap.at(t, segment({0x0A010000 + i, 40000}, {kServer, 80}, S, 7777u * (i + 1), 0, {}, 64));
    Conv cv(cap, 20 * 1000 + 500);
    cv.cl = {0x0A090909, 51000};
    cv.sv = {kServer, 80};
    cv.syn(0);
    cv.syn_ack(3 * kMs);
    cv.ack_from_client(1 * kMs);
    const std::string get = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    const std::string ok = "HTTP/1.1 204 No Content\r\n\r\n";
    cv.client(Bytes_(get.begin(), get.end()));
    cv.server(Bytes_(ok.begin(), ok.end()));
    TrackerOptions opt;
    opt.max_pending_attempts = 8;
    const Report r = analyze(cap, opt);
    CHECK(r.conns.empty());
    REQUIRE(r.flood.is_object());
    CHECK(!r.flood.contains("unanswered_syn_attempts"));
    const json& o = r.flood["unanswered_syn_attempts_other_ports"];
    CHECK(o["attempts"] == 32);
    CHECK(o["syn_packets"] == 32);
    CHECK(o["first_frame"] == 1);   // the first flood SYN
    // The last forgotten: the 32nd flood SYN (the 12th after the real client's
    // SYN, frame 22), behind that SYN, its SYN-ACK and the client's ACK: frame 35.
    CHECK(o["last_frame"] == 35);
    CHECK(o["kept_at_most"] == 8);
    CHECK(r.file_summary["tcp_connections"] == 41);  // every attempt numbered, as Wireshark's tcp.stream

    // Without the bound (0: nothing held), nothing is forgotten.
    opt.max_pending_attempts = 0;
    const Report all = analyze(cap, opt);
    CHECK(all.flood.is_null());
    CHECK(all.file_summary["tcp_connections"] == 41);
}

namespace {

// A flood of probes with variety and jitter (analyze/probe_memo.hpp): 600
// connections from 40 clients over 18 s, of eight kinds by i % 10 -- an X.224
// probe asking for TLS and NLA (four in ten), one asking for TLS alone, one
// the server refuses (the same packets as the first kind's but for the
// bytes of the server's answer), a bare handshake reset by the client, the
// server, or "the server" with another TTL, one that goes on to a TLS
// ClientHello (not a probe: listed whatever the budget), one closed by FINs,
// and a slow probe whose RST comes after the span a shape may take.  Gaps
// between packets of 2 to 29 ms, the clients' TTLs 50 to 52.
Capture probe_flood() {
    Capture cap;
    std::uint32_t r = 12345;
    auto next = [&r] { return r = r * 1103515245u + 12345u, (r >> 16) % 28 + 2; };
    for (int i = 0; i < 600; ++i) {
        Conv cv(cap, i * 30 * kMs);
        cv.cl = {0xC6336401 + static_cast<std::uint32_t>(i % 40), static_cast<std::uint16_t>(40000 + i)};
        cv.sv = {kServer, 3389};
        cv.client_ttl = static_cast<std::uint8_t>(50 + i % 3);
        const int kind = i % 10;
        const std::int64_t g = kind == 9 ? 70 * kMs : 0;
        auto gap = [&] { return g ? g : static_cast<std::int64_t>(next()) * kMs; };
        cv.syn(gap());
        cv.syn_ack(gap());
        cv.ack_from_client(gap());
        if (kind == 6) {  // reset by the client, by the server, by "the server" with another TTL
            if (i / 10 % 3 == 0) cv.client_rst(gap());
            else cv.server_rst(gap(), i / 10 % 3 == 1 ? 64 : 120);
            continue;
        }
        cv.client(connection_request(kind == 4 ? rdpneg::PROTOCOL_SSL : rdpneg::PROTOCOL_SSL | rdpneg::PROTOCOL_HYBRID),
                  false, gap());
        if (kind == 5) {  // HYBRID_REQUIRED_BY_SERVER (MS-RDPBCGR 2.2.1.2.2)
            cv.server(negotiation_failure(5), false, gap());
            cv.client_rst(gap());
            continue;
        }
        cv.server(connection_confirm(kind == 4 ? rdpneg::PROTOCOL_SSL : rdpneg::PROTOCOL_HYBRID), false, gap());
        if (kind == 7) cv.client(client_hello(), false, gap());
        if (kind == 8) {
            cv.client_fin(gap());
            cv.server_fin(gap());
            cv.ack_from_client(gap());
            continue;
        }
        cv.client_rst(gap());
    }
    for (std::int64_t t = 19 * kSec; t <= 60 * kSec; t += kSec) cap.at(t, unrelated());
    return cap;
}

// A group object without its lists of connection ids (which probes the
// budget lists may differ; how many of each kind may not).
json without_ids(json g) {
    for (const char* k : {"conns", "ids", "connection_ids", "examples"}) g.erase(k);
    return g;
}

}  // namespace

TEST_CASE("flood: probes judged by their shape give the report full tracking gives", "[flood]") {
    const Capture cap = probe_flood();
    TrackerOptions opt;
    opt.listed_per_minute = 20;  // 20 listed at once, then one every 3 s
    opt.brief_unlisted = true;
    const Report full = analyze(cap, opt);
    opt.judge_probes_by_shape = true;
    const Report shaped = analyze(cap, opt);

    // The shortcut was taken, and for most probes: 300 of the 600 are
    // probes of the first kind's few shapes (jitter, three TTLs).
    const json& by_shape = shaped.flood["not_listed"]["judged_by_shape"];
    CHECK(by_shape["connections"].get<std::uint64_t>() > 200);
    CHECK(by_shape["shapes"].get<std::uint64_t>() >= 3);
    CHECK(!full.flood["not_listed"].contains("judged_by_shape"));

    // Every connection judged and counted as full tracking does.
    CHECK(shaped.summary == full.summary);
    CHECK(shaped.summary["connections"] == 600);
    CHECK(shaped.file_summary == full.file_summary);
    CHECK(shaped.flood["not_listed"]["connections"] == full.flood["not_listed"]["connections"]);
    CHECK(shaped.flood["not_listed"]["by_cause"] == full.flood["not_listed"]["by_cause"]);
    // As many listed, with the same verdicts; the ClientHello's all of them.
    REQUIRE(shaped.conns.size() == full.conns.size());
    auto verdicts = [](const Report& r) {
        std::multiset<std::string> v;
        for (const auto& c : r.conns) v.insert(c["cause"].get<std::string>() + "/" + c["verdict"].get<std::string>());
        return v;
    };
    CHECK(verdicts(shaped) == verdicts(full));
    auto clients_of_hello = [](const Report& r) {
        std::size_t n = 0;
        for (const auto& c : r.conns) n += std::stoi(c["client"].get<std::string>().substr(c["client"].get<std::string>().find(':') + 1)) % 10 == 7;
        return n;
    };
    CHECK(clients_of_hello(shaped) == 60);
    CHECK(clients_of_hello(full) == 60);
    // The groups: the same patterns, counts and causes per client and pair.
    REQUIRE(shaped.groups.size() == full.groups.size());
    for (std::size_t i = 0; i < full.groups.size(); ++i) CHECK(without_ids(shaped.groups[i]) == without_ids(full.groups[i]));
}
