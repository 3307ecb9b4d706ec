// rdpscope: where and why an RDP connection handshake stalled, read from packets.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <string>
#include <vector>

#include "analyze/check.hpp"
#include "analyze/writers.hpp"

namespace {

constexpr const char* kExitCodes =
    "Exit status (analyze): 0 when every RDP handshake completed, 1 when at least one did\n"
    "not, 2 when an input could not be used at all (missing, not a capture, unsupported\n"
    "link type). dissect: 0 or 2. Problems inside a file (a frame cut short, bytes on port\n"
    "3389 that are not RDP) are reported on stderr, naming the file and frame, and the\n"
    "rest of the file is still analysed.";

struct Common {
    std::vector<std::string> files;
    std::string format = "text";
};

void add_common(CLI::App* cmd, Common& c) {
    cmd->add_option("FILE", c.files, "pcap or pcapng capture files")->required();
    cmd->add_option("--format,-F", c.format, "output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
}

int run(const Common& c, rdpscope::WriterBase& writer) {
    int status = 0;
    for (const auto& f : c.files) {
        const auto s = rdpscope::run_file(f, writer, rdpscope::TrackerOptions{}, stderr);
        if (s == rdpscope::FileStatus::unusable) status = 2;
        std::fflush(stdout);
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"rdpscope: reads RDP connection handshakes from packet captures and tells which step\n"
                 "each connection reached, where it stalled and why."};
    app.require_subcommand(1);
    app.footer(kExitCodes);
    app.set_version_flag("--version", "rdpscope 0.1.0");

    Common dis, ana;
    auto* dissect = app.add_subcommand(
        "dissect", "one line per decoded PDU: frame, time, connection, direction, PDU and its fields");
    add_common(dissect, dis);
    dissect->footer(
        "Frames are numbered from 1 as in Wireshark. --format json prints one object per PDU with\n"
        "frame, time (epoch seconds), conn, dir (c2s/s2c), src, dst, pdu and the PDU's fields.");

    auto* analyze = app.add_subcommand(
        "analyze", "one report per RDP connection: endpoints, times, negotiation and the furthest step reached");
    add_common(analyze, ana);
    analyze->footer(
        "--format json prints one {\"type\":\"connection\"} object per RDP connection and a\n"
        "{\"type\":\"file_summary\"} object per file. See README.md for the schema.");

    std::vector<std::string> check_paths;
    bool check_verbose = false;
    auto* check = app.add_subcommand(
        "check", "regression check: each capture against its NAME.expect.json (cause, stalled_at, waiting_on)");
    check->add_option("PATH", check_paths, "captures, or folders searched for captures with expectations")->required();
    check->add_flag("--verbose,-v", check_verbose, "print every connection's summary");
    check->footer("Exit status 0 when every expected connection agrees (or is a documented known limitation),\n"
                  "1 when one does not, 2 when an expectation or capture cannot be read.");

    CLI11_PARSE(app, argc, argv);

    if (check->parsed()) {
        const auto r = rdpscope::run_checks(check_paths, rdpscope::TrackerOptions{});
        rdpscope::print_check_table(r, stdout, check_verbose);
        if (!r.errors.empty()) return 2;
        return r.failed ? 1 : 0;
    }

    if (dissect->parsed()) {
        rdpscope::DissectWriter w(stdout, stderr, dis.format == "json" ? rdpscope::Format::json : rdpscope::Format::text);
        return run(dis, w);
    }
    rdpscope::ReportWriter w(stdout, stderr, ana.format == "json" ? rdpscope::Format::json : rdpscope::Format::text);
    w.set_color(ana.format == "text" && ::isatty(::fileno(stdout)) && !std::getenv("NO_COLOR"));
    const int status = run(ana, w);
    w.finish();
    if (status) return status;             // 2: an input could not be used
    return w.incomplete() ? 1 : 0;         // 1: at least one handshake did not complete
}
