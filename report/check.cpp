// SPDX-License-Identifier: MIT
#include "report/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "analyze/groups.hpp"
#include "analyze/run.hpp"
#include "platform/platform.hpp"

namespace rdpscope {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct Actual {
    std::uint64_t id;
    std::string client, server;
    std::string cause, stalled_at, waiting_on, verdict, confidence, summary;
    std::vector<std::pair<std::uint64_t, std::int64_t>> krb_errors;  // tied KRB-ERRORs: frame, error code
    std::vector<std::uint64_t> evidence;                              // the verdict's evidence frames
    // Read from the connection sequence (in clear or decrypted): the server's
    // Set Error Info and its first logon notification (Save Session Info).
    std::optional<std::uint32_t> error_info;
    std::uint64_t error_info_frame = 0;
    std::uint64_t logon_frame = 0;
    std::optional<std::uint32_t> logon_session_id;
    std::string logon_user, logon_domain;
    std::string transport;  // gateways: "rdg-websocket", ...
};

// What `check` compares of one connection's (or gateway's) verdict.
Actual actual_of(const Connection& c, const Verdict& v) {
    Actual a;
    a.id = c.id;
    a.client = to_string(c.client());
    a.server = to_string(c.server());
    a.cause = to_string(v.cause);
    a.stalled_at = v.stalled_at ? to_string(*v.stalled_at) : "null";
    a.waiting_on = v.waiting_on ? to_string(*v.waiting_on) : "null";
    a.verdict = v.verdict;
    a.confidence = to_string(v.confidence);
    a.summary = v.summary;
    for (const auto& e : v.evidence) a.evidence.push_back(e.frame);
    return a;
}

class Collect : public FileObserver {
public:
    std::vector<Actual> conns;
    std::vector<Actual> gateways;  // RD Gateway connections (expectations with "kind": "gateway")
    ConnectionGroups groups;  // the cross-connection rule amends verdicts as `analyze` prints them
    std::vector<GroupView> views;
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {
        groups.find_blocks();
        views = groups.groups();
        for (Actual& a : conns)
            if (const Amendment* m = groups.amendment_of(a.id)) {
                a.cause = to_string(m->cause);
                a.verdict = to_string(m->code);
                a.waiting_on = to_string(WaitingOn::network);
                a.confidence = to_string(m->confidence);
                a.summary = m->summary;
            }
    }
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
    void connection_done(const Connection& c, const Verdict& v) override {
        groups.add(brief_of(c, v));
        Actual a = actual_of(c, v);
        a.transport = c.via_gateway ? "rdg-tunnel" : "tcp";
        for (const auto& k : c.kerberos)
            if (k.error_code) a.krb_errors.emplace_back(k.frame, *k.error_code);
        std::sort(a.krb_errors.begin(), a.krb_errors.end());
        const McsFacts& m = c.rdp.mcs.facts();
        a.error_info = m.error_info;
        a.error_info_frame = m.error_info_frame;
        if (m.logon) {
            a.logon_frame = m.logon->frame;
            a.logon_session_id = m.logon->session_id;
            a.logon_user = m.logon->user_name;
            a.logon_domain = m.logon->domain;
        }
        conns.push_back(std::move(a));
    }
    void gateway_done(const Connection& c, const Verdict& v) override {
        Actual a = actual_of(c, v);
        if (c.gateway) a.transport = to_string(c.gateway->transport());
        gateways.push_back(std::move(a));
    }
};

std::string text_or_null(const json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return "null";
    return j[key].get<std::string>();
}

// "10.77.1.2:*" matches "10.77.1.2:40222"; "[::1]:*" likewise.
bool endpoint_matches(const std::string& pattern, const std::string& actual) {
    if (pattern.empty()) return true;
    const auto colon = pattern.rfind(':');
    if (colon != std::string::npos && pattern.substr(colon + 1) == "*")
        return actual.compare(0, colon + 1, pattern, 0, colon + 1) == 0;
    return pattern == actual;
}

void check_capture(const fs::path& pcap, const fs::path& expect_path, const TrackerOptions& opt, CheckResult& out) {
    json expect;
    try {
        std::ifstream in(expect_path);
        expect = json::parse(in);
    } catch (const std::exception& e) {
        out.errors.push_back(fmt::format("{}: cannot read: {}", expect_path.string(), e.what()));
        return;
    }
    Collect col;
    std::FILE* devnull = std::fopen(platform::null_device(), "w");
    const auto status = run_file(pcap.string(), col, opt, devnull ? devnull : stderr);
    if (devnull) std::fclose(devnull);
    if (status == FileStatus::unusable) {
        out.errors.push_back(fmt::format("{}: unusable capture", pcap.string()));
        return;
    }
    std::sort(col.conns.begin(), col.conns.end(), [](const Actual& a, const Actual& b) { return a.id < b.id; });
    std::sort(col.gateways.begin(), col.gateways.end(), [](const Actual& a, const Actual& b) { return a.id < b.id; });
    std::vector<bool> used_conns(col.conns.size(), false), used_gateways(col.gateways.size(), false);
    const std::string xfail = expect.value("xfail", std::string());
    int index = 0;
    for (const auto& e : expect.value("connections", json::array())) {
        ++index;
        CheckRow row;
        row.capture = pcap.filename().string();
        row.index = index;
        row.expected = fmt::format("{}/{}/{}", text_or_null(e, "cause"), text_or_null(e, "stalled_at"),
                                   text_or_null(e, "waiting_on"));
        row.expected_verdict = e.value("verdict", std::string());
        row.xfail = e.value("xfail", xfail);
        // The first unused connection whose endpoints match, in order; an RD
        // Gateway's ("kind": "gateway") among the gateway connections.
        const bool gateway = e.value("kind", std::string()) == "gateway";
        const std::vector<Actual>& pool = gateway ? col.gateways : col.conns;
        std::vector<bool>& used = gateway ? used_gateways : used_conns;
        const Actual* a = nullptr;
        for (std::size_t i = 0; i < pool.size(); ++i) {
            if (used[i]) continue;
            if (!endpoint_matches(e.value("server", std::string()), pool[i].server)) continue;
            if (!endpoint_matches(e.value("client", std::string()), pool[i].client)) continue;
            used[i] = true;
            a = &pool[i];
            break;
        }
        if (!a) {
            row.actual = "(no such connection)";
        } else {
            row.actual = fmt::format("{}/{}/{}", a->cause, a->stalled_at, a->waiting_on);
            row.actual_verdict = a->verdict;
            row.confidence = a->confidence;
            row.note = a->summary;
        }
        row.pass = a && row.actual == row.expected;
        if (a && e.contains("transport") && e["transport"].get<std::string>() != a->transport) {
            row.pass = false;
            row.actual += fmt::format(" transport {} (expected {})", a->transport, e["transport"].get<std::string>());
        }
        // "kerberos_errors": [{"frame": N, "error_code": C}, ...]: exactly the
        // KRB-ERRORs on port 88 tied to this connection.
        if (a && e.contains("kerberos_errors")) {
            std::vector<std::pair<std::uint64_t, std::int64_t>> want;
            for (const auto& k : e["kerberos_errors"])
                want.emplace_back(k.value("frame", std::uint64_t{0}), k.value("error_code", std::int64_t{-1}));
            std::sort(want.begin(), want.end());
            if (want != a->krb_errors) {
                auto list = [](const auto& v) {
                    std::string s;
                    for (const auto& [f, c] : v) s += fmt::format("{}{}@{}", s.empty() ? "" : ",", c, f);
                    return "[" + s + "]";
                };
                row.pass = false;
                row.actual += fmt::format(" kerberos_errors {} (expected {})", list(a->krb_errors), list(want));
            }
        }
        // "evidence_frames": [N, ...]: frames the verdict must cite among its
        // evidence (others may be cited too).
        if (a && e.contains("evidence_frames")) {
            std::string missing;
            for (const auto& f : e["evidence_frames"]) {
                const auto n = f.get<std::uint64_t>();
                if (std::find(a->evidence.begin(), a->evidence.end(), n) == a->evidence.end())
                    missing += fmt::format("{}{}", missing.empty() ? "" : ",", n);
            }
            if (!missing.empty()) {
                row.pass = false;
                row.actual += fmt::format(" evidence without frame {}", missing);
            }
        }
        // "error_info": {"code": C, "frame": F} (null: none): the server's Set
        // Error Info; "logon": {"frame", "session_id", "user_name", "domain"}
        // (null: none): its first Save Session Info logon notification.
        if (a && e.contains("error_info")) {
            const auto& w = e["error_info"];
            const bool ok = w.is_null() ? !a->error_info
                                        : a->error_info && *a->error_info == w.value("code", 0u) &&
                                              a->error_info_frame == w.value("frame", std::uint64_t{0});
            if (!ok) {
                row.pass = false;
                row.actual += a->error_info ? fmt::format(" error_info 0x{:X}@{} (expected {})", *a->error_info,
                                                          a->error_info_frame, w.dump())
                                            : fmt::format(" no error_info (expected {})", w.dump());
            }
        }
        if (a && e.contains("logon")) {
            const auto& w = e["logon"];
            bool ok = w.is_null() ? a->logon_frame == 0 : a->logon_frame == w.value("frame", std::uint64_t{0});
            if (ok && !w.is_null()) {
                if (w.contains("session_id")) ok &= a->logon_session_id == w["session_id"].get<std::uint32_t>();
                if (w.contains("user_name")) ok &= a->logon_user == w["user_name"].get<std::string>();
                if (w.contains("domain")) ok &= a->logon_domain == w["domain"].get<std::string>();
            }
            if (!ok) {
                row.pass = false;
                row.actual += fmt::format(" logon {}@{} session {} (expected {})", a->logon_user, a->logon_frame,
                                          a->logon_session_id ? std::to_string(*a->logon_session_id) : "-", w.dump());
            }
        }
        row.verdict_pass = row.expected_verdict.empty() || (a && a->verdict == row.expected_verdict);
        if (row.pass) ++out.passed;
        else if (!row.xfail.empty()) ++out.xfailed;
        else ++out.failed;
        if (row.pass && !row.verdict_pass) ++out.verdict_mismatches;
        out.rows.push_back(std::move(row));
    }
    // The groups' patterns (README: "Groups, attempts and blocks").
    for (const auto& e : expect.value("groups", json::array())) {
        ++index;
        CheckRow row;
        row.capture = pcap.filename().string();
        row.index = index;
        const std::string scope = e.value("scope", std::string());
        const std::string client = e.value("client", std::string());
        const std::string server = e.value("server", std::string());
        row.expected = fmt::format("group {} {}", scope, text_or_null(e, "pattern"));
        row.xfail = e.value("xfail", xfail);
        const GroupView* g = nullptr;
        for (const auto& v : col.views)
            if ((scope == "pair") == v.pair && to_string(v.client) == client && (!v.pair || to_string(v.server) == server))
                g = &v;
        if (!g) row.actual = "(no such group)";
        else {
            row.actual = fmt::format("group {} {}", scope, g->pattern == Pattern::none ? "null" : to_string(g->pattern));
            row.note = g->pattern_why;
        }
        row.pass = g && row.actual == row.expected;
        if (row.pass) ++out.passed;
        else if (!row.xfail.empty()) ++out.xfailed;
        else ++out.failed;
        out.rows.push_back(std::move(row));
    }
}

// "x.pcap", "x.pcapng", "x.pcap.historic": the expectation is "x.expect.json".
bool is_capture_name(const std::string& name) {
    const auto at = name.find(".pcap");
    if (at == std::string::npos || at == 0) return false;
    const std::string rest = name.substr(at);
    return rest == ".pcap" || rest == ".pcapng" || rest == ".pcap.historic";
}

}  // namespace

CheckResult run_checks(const std::vector<std::string>& paths, const TrackerOptions& opt) {
    CheckResult r;
    std::vector<fs::path> captures;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p, ec))
                if (e.is_regular_file() && is_capture_name(e.path().filename().string())) captures.push_back(e.path());
        } else {
            captures.emplace_back(p);
        }
    }
    std::sort(captures.begin(), captures.end());
    for (const auto& c : captures) {
        const std::string name = c.filename().string();
        const fs::path expect = c.parent_path() / (name.substr(0, name.find(".pcap")) + ".expect.json");
        if (!fs::exists(expect)) {
            // A folder may hold captures without expectations (format variants...): skip those.
            if (std::find(paths.begin(), paths.end(), c.string()) != paths.end())
                r.errors.push_back(fmt::format("{}: no {} beside it", c.string(), expect.filename().string()));
            continue;
        }
        check_capture(c, expect, opt, r);
    }
    return r;
}

void print_check_table(const CheckResult& r, std::FILE* out, bool verbose) {
    fmt::print(out, "{:<6} {:<44} {:>2}  {:<58} {}\n", "", "capture", "#", "expected cause/stalled_at/waiting_on", "got");
    for (const auto& row : r.rows) {
        const char* mark = row.pass ? (row.verdict_pass ? "PASS" : "pass*") : (!row.xfail.empty() ? "XFAIL" : "FAIL");
        fmt::print(out, "{:<6} {:<44} {:>2}  {:<58} {}\n", mark, row.capture, row.index, row.expected,
                   row.pass ? std::string("same") : row.actual);
        if (!row.verdict_pass)
            fmt::print(out, "{:<6} {:<44} {:>2}  verdict: expected {}, got {} ({} confidence)\n", "", "", "",
                       row.expected_verdict, row.actual_verdict, row.confidence);
        if (!row.pass && !row.xfail.empty()) fmt::print(out, "{:<6} {:<44}     known limitation: {}\n", "", "", row.xfail);
        if ((verbose || !row.pass) && !row.note.empty()) fmt::print(out, "{:<6} {:<44}     {}\n", "", "", row.note);
    }
    for (const auto& e : r.errors) fmt::print(out, "ERROR  {}\n", e);
    fmt::print(out, "\n{} connections: {} passed ({} with another verdict code), {} failed, {} known limitations; {} "
                    "captures not checked\n",
               r.rows.size(), r.passed, r.verdict_mismatches, r.failed, r.xfailed, r.errors.size());
}

}  // namespace rdpscope
