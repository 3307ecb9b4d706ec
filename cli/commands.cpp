// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"
#include "cli/keylog_file.hpp"

#include <algorithm>
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "dissect/rdp_share.hpp"
#include "report/check.hpp"
#include "report/progress.hpp"
#include "analyze/verdict.hpp"
#include "report/html.hpp"
#include "report/writers.hpp"
#include "capture/live.hpp"
#include "capture/pcap_file.hpp"
#include "capture/pcap_writer.hpp"
#include "platform/platform.hpp"
#include "capture/privileges.hpp"
#include "capture/replay.hpp"

namespace rdpscope::cli {

bool parse_gateway(const std::string& s, std::string& host, std::uint16_t& port) {
    host.clear();
    port = 0;
    std::string p;
    bool has_port = false;
    if (!s.empty() && s.front() == '[') {  // [v6] or [v6]:port
        const auto close = s.find(']');
        if (close == std::string::npos) return false;
        host = s.substr(1, close - 1);
        const std::string rest = s.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') return false;
            has_port = true;
            p = rest.substr(1);
        }
    } else if (const auto colon = s.find(':'); colon != std::string::npos && s.find(':', colon + 1) == std::string::npos) {
        host = s.substr(0, colon);
        has_port = true;
        p = s.substr(colon + 1);
    } else {
        host = s;  // no port, or a bare IPv6 address
    }
    if (host.empty()) return false;
    if (has_port) {
        if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
        const unsigned long v = std::stoul(p);
        if (v < 1 || v > 65535) return false;
        port = static_cast<std::uint16_t>(v);
    }
    return true;
}

namespace {

volatile std::sig_atomic_t g_stop = 0;

// Ctrl-C and SIGTERM end the capture gracefully: every open connection gets its verdict.
void install_signal_handlers() { platform::on_stop_signal(&g_stop); }

Format format_of(const Output& o) { return o.format == "json" ? Format::json : Format::text; }

// --gateway and --no-keys into the tracker's options: a named gateway's port
// becomes a gateway port (443 stays one).
void gateway_options(const std::vector<std::string>& gateways, bool no_keys, TrackerOptions& t) {
    t.ignore_capture_secrets = no_keys;
    for (const auto& g : gateways) {
        TrackerOptions::GatewayName n;
        if (!parse_gateway(g, n.host, n.port)) continue;  // refused by the flag's check
        if (n.port && std::find(t.gateway_ports.begin(), t.gateway_ports.end(), n.port) == t.gateway_ports.end())
            t.gateway_ports.push_back(n.port);
        t.gateway_names.push_back(std::move(n));
    }
}

TrackerOptions tracker_options(const Output& o, KeyLogFile& keys) {
    TrackerOptions t;
    // analyze, capture, replay, dissect: their writers print no verdict of a
    // connection beyond the listing budget (analyze/flood.hpp), so it is
    // judged in brief.
    t.brief_unlisted = true;
    // ...and a probe of a shape judged before is given that verdict
    // (analyze/probe_memo.hpp); not for dissect, which prints every PDU.
    t.judge_probes_by_shape = true;
    gateway_options(o.gateways, o.no_keys, t);
    t.stall_timeout_ns = static_cast<std::int64_t>(o.stall_timeout_s * 1e9);
    if (keys.is_open()) t.keys = &keys.log;
    if (!keys.rsa_keys.empty()) t.rsa_keys = &keys.rsa_keys;
    return t;
}

// --keylog: read it now (capture: before the privileges drop), say once what
// was wrong with it.  False when it cannot be opened (exit 2).  `live`: the
// client may still be writing it (capture), so a last line without its end
// is left for later and an empty file is no problem yet.
bool open_keylog(const Output& o, KeyLogFile& keys, bool live = false) {
    std::string why;
    for (const auto& path : o.rsa_keys) {
        if (!keys.add_rsa_key(path, why)) {
            fmt::print(stderr, "rdpscope: {}\n", why);
            return false;
        }
    }
    if (o.keylog.empty()) return true;
    if (!keys.open(o.keylog, why)) {
        fmt::print(stderr, "rdpscope: {}\n", why);
        return false;
    }
    if (live) {
        keys.say_problems(stderr, true);
        return true;
    }
    keys.finish();
    keys.say_problems(stderr);
    return true;
}

bool color_for(const Output& o) {
    return o.format == "text" && platform::is_terminal(stdout) && !std::getenv("NO_COLOR");
}

// A file or a replay with a progress line on stderr when that is a terminal
// (report/progress.hpp); the observer is wrapped only then, so that it erases
// the line before output.
FileStatus run_shown(const std::string& file, FileObserver& w, const TrackerOptions& opt) {
    Progress bar(stderr);
    ProgressObserver shown(w, bar);
    if (!bar.may_draw()) return run_file(file, w, opt, stderr);
    return run_file(file, shown, opt, stderr, &bar);
}

FileStatus run_shown(PacketSource& src, FileObserver& w, RunOptions ro) {
    Progress bar(stderr);
    ProgressObserver shown(w, bar);
    if (!bar.may_draw()) return run_source(src, w, ro, stderr);
    ro.watcher = &bar;
    return run_source(src, shown, ro, stderr);
}

// --html: the page and its scratch file, opened before anything is read
// (and, for capture, before privileges are dropped); written at the end.
class HtmlOutput {
public:
    ~HtmlOutput() {
        if (scratch_) std::fclose(scratch_);
        if (file_) std::fclose(file_);
    }
    // False (with the message printed) when the file cannot be created.
    bool open(const Output& o) {
        path_ = o.html;
        if (path_.empty()) return true;
        file_ = std::fopen(path_.c_str(), "wb");
        if (!file_) {
            fmt::print(stderr, "rdpscope: {}: cannot create the HTML report: {}\n", path_, std::strerror(errno));
            return false;
        }
        scratch_ = std::tmpfile();
        if (!scratch_) {
            fmt::print(stderr, "rdpscope: {}: cannot create a temporary file for the HTML report: {}\n", path_, std::strerror(errno));
            return false;
        }
        writer_ = std::make_unique<HtmlWriter>(file_, scratch_);
        return true;
    }
    // The report writer gives it every object; the tracker keeps the segments it draws.
    void attach(ReportWriter& w, TrackerOptions& t) {
        if (!writer_) return;
        w.set_sink(writer_.get(), true);
        t.keep_segments = TcpAnalysis::kMaxLoggedSegments;
    }
    // After ReportWriter::finish(): 0, or 2 when the page could not be written.
    int finish() {
        if (!writer_) return 0;
        const bool ok = writer_->finish();
        const bool closed = std::fclose(file_) == 0;
        file_ = nullptr;
        if (ok && closed) return 0;
        fmt::print(stderr, "rdpscope: {}: the HTML report could not be written completely\n", path_);
        return 2;
    }

private:
    std::string path_;
    std::FILE* file_ = nullptr;
    std::FILE* scratch_ = nullptr;
    std::unique_ptr<HtmlWriter> writer_;
};

int exit_status(int input_status, const ReportWriter& w) {
    if (input_status) return input_status;  // 2: an input could not be used
    return w.incomplete() ? 1 : 0;          // 1: at least one handshake did not complete
}

}  // namespace

int run_analyze(const Files& f) {
    KeyLogFile keys;
    if (!open_keylog(f.out, keys)) return 2;
    HtmlOutput html;
    if (!html.open(f.out)) return 2;
    ReportWriter w(stdout, stderr, format_of(f.out));
    w.set_color(color_for(f.out));
    w.set_all(f.out.all);
    TrackerOptions opt = tracker_options(f.out, keys);
    html.attach(w, opt);
    int status = 0;
    for (const auto& file : f.files)
        if (run_shown(file, w, opt) == FileStatus::unusable) status = 2;
    w.finish();
    if (const int h = html.finish()) return h;
    return exit_status(status, w);
}

int run_dissect(const Files& f) {
    KeyLogFile keys;
    if (!open_keylog(f.out, keys)) return 2;
    DissectWriter w(stdout, stderr, format_of(f.out));
    // Every PDU in frame order: an attempt is held only while it is one SYN
    // (analyze/flood.hpp), so a retransmitted SYN's TCP analysis flags come at its frame.
    TrackerOptions t = tracker_options(f.out, keys);
    t.pending_single_syn = true;
    t.judge_probes_by_shape = false;
    int status = 0;
    for (const auto& file : f.files)
        if (run_shown(file, w, t) == FileStatus::unusable) status = 2;
    return status;
}

int run_check(const Check& c) {
    TrackerOptions t;
    gateway_options(c.gateways, c.no_keys, t);
    const auto r = run_checks(c.paths, t);
    print_check_table(r, stdout, c.verbose);
    if (!r.errors.empty()) return 2;
    return r.failed ? 1 : 0;
}

namespace {

template <class T, class Name>
std::string joined(const std::vector<T>& items, Name name, const char* sep, const char* quote = "") {
    std::string out;
    for (const auto& x : items) out += fmt::format("{}{}{}{}", out.empty() ? "" : sep, quote, name(x), quote);
    return out;
}

// A code as documentation: its name, a family's with its placeholder.
std::string code_doc(VerdictCode c) { return std::string(to_string(c)) + param_placeholder(param_of(c)); }

// What a family's parameter can be, in words and names.
std::string family_doc(CodeParam p) {
    return fmt::format("{}: {}", param_note(p), joined(param_names(p), [](const std::string& s) { return s; }, ", ", "`"));
}

// A main code as documentation: "0x904 disconnectReasonAtClientWinsockFDCLOSE", or "none".
std::string code_name(const std::optional<std::uint32_t>& c) {
    if (!c) return "none";
    const auto* m = find_main_code(*c);
    return fmt::format("0x{:X}{}", *c, m && !m->name.empty() ? fmt::format(" {}", m->name) : "");
}

std::string also_names(const std::vector<std::uint32_t>& v) {
    std::string out;
    for (auto c : v) out += fmt::format("{}0x{:X}", out.empty() ? "" : ", ", c);
    return out.empty() ? "-" : out;
}

void print_rules_text() {
    fmt::print("The verdict rules, tried in this order; the first whose evidence is present decides.\n\n");
    int n = 0;
    for (const auto& r : rule_table()) {
        const std::string causes = joined(r.causes, [](Cause c) { return to_string(c); }, "/");
        fmt::print("{:>2}. {:<32} -> {:<22} {}\n", ++n, r.id, causes, r.when);
        fmt::print("    {:<32}    verdicts: {}\n", "", joined(r.codes, code_doc, ", "));
    }
    fmt::print("\nThe Windows client's most likely disconnect code for each verdict (rdpscope explain CODE says more):\n");
    for (const auto& v : verdict_codes())
        fmt::print("  {:<58} {}{}{}\n", v.verdict, code_name(v.main), v.also.empty() ? "" : " or " + also_names(v.also),
                   v.extended ? fmt::format(", extended 0x{:X}", *v.extended) : std::string());
    fmt::print("\nThe families of verdict codes:\n");
    for (VerdictCode c : all_verdict_codes())
        if (param_of(c) != CodeParam::none)
            fmt::print("  {:<38} {} is {}\n", code_doc(c), param_placeholder(param_of(c)), family_doc(param_of(c)));
}

// The README's section on the vocabulary and the rules (README.md, between
// its "rules:begin" and "rules:end" markers; tests/test_verdict.cpp checks it).
void print_rules_markdown() {
    const auto code = [](VerdictCode c) { return code_doc(c); };
    fmt::print("<!-- rules:begin (generated by `rdpscope rules --format markdown`: do not edit by hand) -->\n");
    fmt::print("- `waiting_on`, who owed the next packet: {} (null when the handshake completed or the capture "
               "cannot tell).\n",
               joined(all_waiting_on(), [](WaitingOn w) { return to_string(w); }, ", ", "`"));
    fmt::print("- `cause`, exactly one of: {}.\n", joined(all_causes(), [](Cause c) { return to_string(c); }, ", ", "`"));
    fmt::print("- `verdict`, a short code inside the cause, one of: {}.\n", joined(all_verdict_codes(), code, ", ", "`"));
    for (VerdictCode c : all_verdict_codes()) {
        const CodeParam p = param_of(c);
        if (p != CodeParam::none) fmt::print("  - `{}`: `{}` is {}.\n", code_doc(c), param_placeholder(p), family_doc(p));
    }
    fmt::print("\nThe rules, tried in this order; the first whose evidence is present decides:\n\n");
    fmt::print("| # | rule | evidence | cause | verdict |\n|---|---|---|---|---|\n");
    int n = 0;
    for (const auto& r : rule_table())
        fmt::print("| {} | `{}` | {} | {} | {} |\n", ++n, r.id, r.when,
                   joined(r.causes, [](Cause c) { return to_string(c); }, ", ", "`"), joined(r.codes, code, ", ", "`"));
    // What the Windows client most likely showed for each verdict, and where to
    // look (analyze/client_codes.cpp, from Microsoft's tables).
    fmt::print("\nThe Windows client's most likely disconnect code for each verdict (`client_codes`; `rdpscope explain "
               "CODE [EXT]` says more):\n\n");
    fmt::print("| verdict | main code (likely) | or | extended | why | where to look |\n|---|---|---|---|---|---|\n");
    for (const auto& v : verdict_codes())
        fmt::print("| `{}` | {} | {} | {} | {} | {} |\n", v.verdict, code_name(v.main), also_names(v.also),
                   v.extended ? fmt::format("0x{:X} {}", *v.extended, share::errinfo_name(*v.extended)) : std::string("-"),
                   v.note.empty() ? "-" : v.note, v.events.empty() ? "-" : v.events);
    fmt::print("<!-- rules:end -->\n");
}

}  // namespace

int run_rules(const std::string& format) {
    if (format == "markdown") print_rules_markdown();
    else print_rules_text();
    return 0;
}

int run_replay(const Replay& r) {
    KeyLogFile keys;
    if (!open_keylog(r.out, keys)) return 2;
    std::string why;
    auto file = PcapFile::open(r.file, why);
    if (!file) {
        fmt::print(stderr, "rdpscope: {}: {}\n", r.file, why);
        return 2;
    }
    double speed = 0;
    if (r.speed != "max") {
        try {
            speed = std::stod(r.speed);
        } catch (...) {
            speed = -1;
        }
        if (speed <= 0) {
            fmt::print(stderr, "rdpscope: --speed must be a positive number or 'max', not '{}'\n", r.speed);
            return 2;
        }
    }
    ReplaySource src(std::move(file), speed);
    HtmlOutput html;
    if (!html.open(r.out)) return 2;
    ReportWriter w(stdout, stderr, format_of(r.out));
    w.set_color(color_for(r.out));
    w.set_all(r.out.all);
    w.set_live(true);
    install_signal_handlers();
    RunOptions ro;
    ro.tracker = tracker_options(r.out, keys);
    ro.stop = &g_stop;
    html.attach(w, ro.tracker);
    const auto s = run_shown(src, w, ro);
    w.finish();
    if (const int h = html.finish()) return h;
    return exit_status(s == FileStatus::unusable ? 2 : 0, w);
}

int run_capture(const Capture& c) {
    std::string why;
    if (c.list) {
        const auto ifs = list_interfaces(why);
        if (ifs.empty()) {
            fmt::print(stderr, "rdpscope: cannot list interfaces{}\n", why.empty() ? "" : ": " + why);
            return 2;
        }
        int n = 0;
        for (const auto& i : ifs) {
            // Windows: the adapter's own name too ("Ethernet"), which -i takes.
            fmt::print("{}. {}{}{}{}{}\n", ++n, i.name, i.friendly.empty() ? "" : " \"" + i.friendly + "\"",
                       i.description.empty() ? "" : " (" + i.description + ")",
                       i.up ? (i.running ? " [up, running]" : " [up]") : " [down]", i.loopback ? " [loopback]" : "");
            for (const auto& a : i.addresses) fmt::print("     {}\n", a);
        }
        return 0;
    }
    if (c.interface.empty()) {
        fmt::print(stderr, "rdpscope: capture needs an interface: -i IFACE (rdpscope capture -D lists them)\n");
        return 2;
    }
    LiveOptions lo;
    lo.interface = c.interface;
    lo.filter = c.filter;
    lo.ports = {3389};
    for (auto p : c.ports)
        if (p != 3389) lo.ports.push_back(p);
    // A named gateway's port joins the default filter (443 is in it only so), and UDP 3391.
    if (lo.filter.empty() && !c.out.gateways.empty()) {
        std::string extra;
        for (const auto& g : c.out.gateways) {
            std::string host;
            std::uint16_t port = 0;
            if (parse_gateway(g, host, port)) extra += " or (tcp port " + std::to_string(port ? port : 443) + ")";
        }
        // Its UDP transport (MS-TSGU 1.3.3: DTLS on UDP 3391, analyze/gateway_udp.hpp).
        extra += " or (udp port 3391)";
        lo.filter = "(" + default_filter(lo.ports) + ")" + extra;
    }
    lo.snaplen = c.snaplen;
    lo.buffer_bytes = c.buffer_mb * 1024 * 1024;
    lo.immediate = c.immediate;
    auto src = LiveSource::open(lo, why);
    if (!src) {
        fmt::print(stderr, "rdpscope: {}\n", why);
        return 2;
    }
    PcapWriter writer;
    const bool writing = !c.write.empty();
    if (writing &&
        !writer.open(src->handle(), src->linktype(), c.snaplen, c.write,
                     static_cast<std::uint64_t>(c.rotate_mb * 1e6), c.rotate_count, why)) {
        fmt::print(stderr, "rdpscope: {}\n", why);
        return 2;
    }
    // The key log is opened before the privileges drop (it may be readable by root only).
    KeyLogFile keys;
    if (!open_keylog(c.out, keys, true)) return 2;
    // The HTML report's file is created now, while the user's own rights (or
    // root's) still apply, and written through this handle when the capture stops.
    HtmlOutput html;
    if (!html.open(c.out)) return 2;
    // Root (or CAP_NET_RAW) was needed to open the device; nothing after needs it.
    const std::string user = c.user.empty() ? "nobody" : c.user;
    const auto dropped = drop_privileges(user);
    if (!dropped.error.empty()) {
        fmt::print(stderr, "rdpscope: {}\n", dropped.error);
        return 2;
    }
    if (dropped.dropped && writing) writer.chown_to(dropped.uid, dropped.gid);
    fmt::print(stderr, "rdpscope: capturing on {} ({}){}{}; Ctrl-C to stop\n", c.interface,
               c.filter.empty() ? default_filter(lo.ports) : c.filter, writing ? ", writing " + c.write : "",
               dropped.dropped ? ", running as " + user : "");

    ReportWriter w(stdout, stderr, format_of(c.out));
    w.set_color(color_for(c.out));
    w.set_all(c.out.all);
    w.set_live(true);
    install_signal_handlers();
    RunOptions ro;
    ro.tracker = tracker_options(c.out, keys);
    // The client writes its key log as its handshakes go on: read it again
    // whenever a session's secrets are not in it yet (and on each tick below).
    if (keys.is_open()) ro.tracker.refresh_keys = [&keys] { keys.poll(); };
    ro.tracker.extra_ports.assign(lo.ports.begin() + 1, lo.ports.end());
    ro.stop = &g_stop;
    html.attach(w, ro.tracker);
    ro.writer = writing ? &writer : nullptr;
    ro.name = writing ? c.write : "interface " + c.interface;
    const auto started = std::chrono::steady_clock::now();
    std::uint64_t reported_drops = 0;
    ro.on_tick = [&](Tracker& tracker) {
        keys.poll();  // the client may still be writing its key log
        // Drops, as libpcap counts them: said as they happen, and folded into
        // the verdicts of connections open meanwhile.
        const auto d = src->drops();
        const std::uint64_t total = d.dropped_kernel + d.dropped_interface;
        tracker.set_capture_stats(d.received, d.dropped_kernel, d.dropped_interface);
        if (total > reported_drops) {
            fmt::print(stderr, "rdpscope: {}: {} packets dropped so far ({} by the kernel buffer, {} by the interface)\n",
                       c.interface, total, d.dropped_kernel, d.dropped_interface);
            reported_drops = total;
        }
        if (c.duration_s > 0 &&
            std::chrono::steady_clock::now() - started >= std::chrono::duration<double>(c.duration_s))
            g_stop = 1;
    };
    const auto s = run_source(*src, w, ro, stderr);
    w.finish();
    const int html_status = html.finish();
    const auto d = src->drops();
    fmt::print(stderr, "rdpscope: {}: {} packets received, {} dropped by the kernel, {} by the interface\n",
               c.interface, d.received, d.dropped_kernel, d.dropped_interface);
    if (html_status) return html_status;
    return exit_status(s == FileStatus::unusable ? 2 : 0, w);
}

}  // namespace rdpscope::cli
