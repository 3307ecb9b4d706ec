// SPDX-License-Identifier: MIT
// rdpscope: where and why an RDP connection handshake stalled, read from packets.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "report/explain.hpp"
#include "cli/commands.hpp"
#include "cli/version.hpp"
#include "platform/platform.hpp"

namespace {

constexpr const char* kExitCodes =
    "Exit status: 0 when every RDP handshake completed (dissect, check: no failure), 1 when at\n"
    "least one did not (check: an expectation failed), 2 when an input could not be used at all\n"
    "(missing, not a capture, unsupported link type, an interface that cannot be opened).\n"
    "Problems inside a file (a frame cut short, bytes on port 3389 that are not RDP) are reported\n"
    "on stderr, naming the file and frame; the rest of the file is still analysed.";

void add_output(CLI::App* cmd, rdpscope::cli::Output& o) {
    cmd->add_option("--format,-F", o.format, "text, or json (one object per line)")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_option("--stall-timeout", o.stall_timeout_s,
                    "seconds without progress after which a handshake counts as stalled")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
}

// --keylog (analyze, dissect, replay, capture).
void add_keylog(CLI::App* cmd, rdpscope::cli::Output& o) {
    cmd->add_option("--keylog", o.keylog,
                    "NSS key log (SSLKEYLOGFILE: CLIENT_RANDOM, TLS 1.3 traffic secrets) to decrypt TLS with; "
                    "a pcapng's Decryption Secrets Blocks are used without it");
    cmd->add_option("--rsa-key", o.rsa_keys,
                    "a server's RSA private key (PEM, unencrypted) to decrypt TLS sessions with RSA key exchange "
                    "(TLS_RSA_WITH_*) that no key log covers; may be given several times")
        ->check(CLI::ExistingFile);
}

// --gateway and --no-keys (analyze, capture, replay, check).
void add_gateway(CLI::App* cmd, std::vector<std::string>& gateways, bool& no_keys) {
    cmd->add_option("--gateway", gateways,
                    "an RD Gateway, HOST[:PORT] (an address, or a name matched against the TLS SNI; port 443 by "
                    "default): its port is watched as a gateway's, and its HTTPS is reported even without a "
                    "gateway's shape (repeatable)")
        ->check([](const std::string& v) {
            std::string h;
            std::uint16_t p = 0;
            return rdpscope::cli::parse_gateway(v, h, p) ? std::string() : "expected HOST[:PORT], got " + v;
        });
    cmd->add_flag("--no-keys", no_keys,
                  "ignore the capture's own TLS secrets (pcapng Decryption Secrets Blocks): judge it as a capture "
                  "without keys would be");
}

// The report's --all (analyze, capture, replay).
void add_all(CLI::App* cmd, rdpscope::cli::Output& o) {
    cmd->add_flag("--all", o.all,
                  "text: print every connection in full; by default a client with a named pattern (brute force, "
                  "spray, scan) gets its first 3 connections in full, the next a line each, and only its group "
                  "when it has more than 20");
}

// The HTML report (analyze, capture, replay).
void add_html(CLI::App* cmd, rdpscope::cli::Output& o) {
    cmd->add_option("--html", o.html,
                    "also write a self-contained HTML report to this file (summary, groups, a sortable table, and per "
                    "connection the ladder diagram, TCP time-sequence charts and evidence); written when the input ends");
}

}  // namespace

int main(int argc, char** argv) {
    using namespace rdpscope::cli;
    rdpscope::platform::init_console();
    rdpscope::platform::heap_in_huge_pages(std::size_t{64} << 20);
    // UTF-8 arguments (Windows: from the UTF-16 command line), so a file name in
    // any script opens (platform::open_file).
    std::vector<std::string> args = rdpscope::platform::utf8_args(argc, argv);
    std::vector<char*> arg_ptrs;
    for (auto& a : args) arg_ptrs.push_back(a.data());
    CLI::App app{"rdpscope: reads RDP connection handshakes from packets and tells, for every connection,\n"
                 "which step it reached, where it stalled, who was waiting for whom, and why.",
                 "rdpscope"};  // named, not argv[0]: the usage lines (and the man page) say "rdpscope"
    app.require_subcommand(1);
    // CLI11 takes "/x" as an option on Windows by default; rdpscope's options are
    // -x and --x everywhere, and "/captures/x.pcap" is a file name.
    app.allow_windows_style_options(false);
    app.footer(kExitCodes);
    app.set_version_flag("--version", version_text,
                         "print the version, the git commit it was built from, and the versions of the capture\n"
                         "library (libpcap, Npcap) and OpenSSL it runs with, then exit");

    // analyze
    Files ana;
    auto* analyze = app.add_subcommand(
        "analyze", "one verdict per RDP connection: phase reached, where it stalled, who waited, the cause");
    analyze->add_option("FILE", ana.files, "pcap or pcapng capture files")->required();
    add_output(analyze, ana.out);
    add_keylog(analyze, ana.out);
    add_gateway(analyze, ana.out.gateways, ana.out.no_keys);
    add_all(analyze, ana.out);
    add_html(analyze, ana.out);
    analyze->footer(
        "--format json prints one {\"type\":\"connection\"} object per RDP connection (phase, stalled_at,\n"
        "waiting_on, cause, verdict, confidence, summary, evidence, ladder, negotiation, tls, tcp...),\n"
        "{\"type\":\"group\"} objects at the end of each file (client->server pairs and clients across\n"
        "servers: counts, rate, pattern brute_force/spray/scan, blocks that amend verdicts),\n"
        "a {\"type\":\"file_summary\"} per file and a {\"type\":\"summary\"} with counts by cause.\n"
        "See README.md for the schema and the rule table (rdpscope rules prints it).");

    // dissect
    Files dis;
    auto* dissect = app.add_subcommand(
        "dissect", "one line per decoded PDU: frame, time, connection, direction, PDU and its fields");
    dissect->add_option("FILE", dis.files, "pcap or pcapng capture files")->required();
    add_output(dissect, dis.out);
    add_keylog(dissect, dis.out);
    dissect->footer(
        "Frames are numbered from 1 as in Wireshark; conn is Wireshark's tcp.stream (u<N>: udp.stream).\n"
        "--format json prints one object per PDU with frame, time (epoch seconds), conn, dir (c2s/s2c),\n"
        "src, dst, pdu and the PDU's fields; tcp.analysis objects carry a tcp_flags list.");

    // check
    Check chk;
    auto* check = app.add_subcommand(
        "check", "regression check: each capture against its NAME.expect.json (cause, stalled_at, waiting_on)");
    check->add_option("PATH", chk.paths, "captures, or folders searched for captures with expectations")->required();
    check->add_flag("--verbose,-v", chk.verbose, "print every connection's summary");
    add_gateway(check, chk.gateways, chk.no_keys);
    check->footer("Exit status 0 when every expected connection agrees (or is a documented known limitation),\n"
                  "1 when one does not, 2 when an expectation or capture cannot be read.");

    // capture
    Capture cap;
    auto* capture = app.add_subcommand(
        "capture", "live capture on an interface, verdicts as connections complete, stall or close");
    capture->add_option("-i,--interface", cap.interface, "interface to capture on ('any' for all)");
    capture->add_flag("-D,--list-interfaces", cap.list, "list the interfaces and exit");
    capture->add_option("--port", cap.ports, "RDP port(s) to watch besides 3389 (repeatable)");
    capture->add_option("--filter", cap.filter, "BPF capture filter instead of the default RDP filter");
    capture->add_option("--buffer-size", cap.buffer_mb, "kernel capture buffer, MiB")->capture_default_str();
    capture->add_flag("--immediate", cap.immediate,
                      "hand each packet over as it arrives instead of in blocks of at most 100 ms\n"
                      "(fixed-size ring frames: a busy link drops sooner)");
    capture->add_option("--snaplen", cap.snaplen, "bytes kept per packet (whole packets by default)")->capture_default_str();
    capture->add_option("-w,--write", cap.write, "also write the captured packets to this pcap file");
    capture->add_option("--rotate-size", cap.rotate_mb, "with -w: start a new file after this many MB (FILE.0, FILE.1...)");
    capture->add_option("--rotate-count", cap.rotate_count, "with --rotate-size: keep this many files (a ring)");
    capture->add_option("--user", cap.user, "user to switch to once the interface is open (default nobody, when root)");
    capture->add_option("--duration", cap.duration_s, "stop after this many seconds");
    add_output(capture, cap.out);
    add_keylog(capture, cap.out);
    add_gateway(capture, cap.out.gateways, cap.out.no_keys);
    add_all(capture, cap.out);
    add_html(capture, cap.out);
    capture->footer(
        "Needs root or CAP_NET_RAW to open the interface, then drops to --user. Ctrl-C or SIGTERM\n"
        "gives every open connection its verdict and prints the summary. Kernel and interface drops\n"
        "(pcap_stats) are reported on stderr. With -w, frame numbers in the verdicts are those of the\n"
        "written file, so the evidence opens in Wireshark.");

    // replay
    Replay rep;
    auto* replay = app.add_subcommand(
        "replay", "feed a capture through the live pipeline at its recorded pace (timers and all)");
    replay->add_option("FILE", rep.file, "pcap or pcapng capture")->required();
    replay->add_option("--speed", rep.speed, "N times the recorded pace, or 'max'")->capture_default_str();
    add_output(replay, rep.out);
    add_keylog(replay, rep.out);
    add_gateway(replay, rep.out.gateways, rep.out.no_keys);
    add_all(replay, rep.out);
    add_html(replay, rep.out);

    // rules
    auto* rules = app.add_subcommand("rules", "print the verdict rule table (evidence -> causes, verdicts), in order");
    std::string rules_format = "text";
    rules->add_option("--format", rules_format, "text, or markdown (the README's vocabulary and rule section)")
        ->check(CLI::IsMember({"text", "markdown"}))
        ->capture_default_str();
    rules->footer("The rules are tried in this order; the first whose evidence a connection shows gives its\n"
                  "cause and verdict. The README's rule section is the markdown output.");

    // explain
    auto* explain = app.add_subcommand(
        "explain", "what a Windows client's disconnect code (and extended code) mean, and which verdicts name them");
    std::string explain_code;
    std::string explain_ext;
    explain->add_option("CODE", explain_code, "the main disconnect code, hex (0x904) or decimal (2308)")->required();
    explain->add_option("EXT", explain_ext, "the extended code (ERRINFO), hex or decimal");
    explain->footer("Exit status 2 when a code is unknown.");

    CLI11_PARSE(app, static_cast<int>(arg_ptrs.size()), arg_ptrs.data());

    if (analyze->parsed()) return run_analyze(ana);
    if (dissect->parsed()) return run_dissect(dis);
    if (check->parsed()) return run_check(chk);
    if (capture->parsed()) return run_capture(cap);
    if (replay->parsed()) return run_replay(rep);
    if (rules->parsed()) return run_rules(rules_format);
    if (explain->parsed())
        return rdpscope::explain_codes(explain_code, explain_ext.empty() ? std::nullopt : std::optional<std::string>(explain_ext),
                             stdout, stderr);
    return 2;
}
