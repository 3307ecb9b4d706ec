// SPDX-License-Identifier: MIT
// Regression against tshark 4.0's TCP analysis: for every bundled capture
// (tests/pcaps/public, tests/pcaps/lab, tests/pcaps/tcp-analysis/synthetic)
// the per-frame tcp.* flags of `rdpscope dissect` must equal tshark's
// tcp.analysis.* flags recorded in tests/pcaps/tcp-analysis/tshark/ by
// tools/record-tcp-baselines, and so must the per connection / direction
// counts in the `tcp` object of `rdpscope analyze` (as they stand when the
// connection is reported).
//
// A capture whose baseline is missing, or was recorded on another version of
// the file (a fingerprint heads each baseline), is reported as a warning, not
// compared.
//
// One deliberate difference, named where it is allowed:
//   duplicate_frame — a packet captured twice (same IP ID, same TCP header,
//   a few ms apart) is tcp.duplicate_frame in rdpscope and nothing else,
//   where tshark calls the copy a retransmission or a duplicate ACK.  Only
//   on those frames may the flags differ -- and on the peer's ACK to a copied
//   probe, which rdpscope judges without the copy (after_copy, below).
// Frames of connections rdpscope does not report (not RDP by port or
// content) are not compared: rdpscope emits no events for them.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analyze/run.hpp"
#include "report/summary.hpp"
#include "report/tcp_json.hpp"
#include "test_util.hpp"

using namespace rdpscope;
namespace fs = std::filesystem;

namespace {

// rdpscope flag name -> tshark field name (tcp.analysis.*).
const std::map<std::string, std::string> kToTshark = {
    {"tcp.retransmission", "retransmission"},
    {"tcp.fast_retransmission", "fast_retransmission"},
    {"tcp.spurious_retransmission", "spurious_retransmission"},
    {"tcp.out_of_order", "out_of_order"},
    {"tcp.dup_ack", "duplicate_ack"},
    {"tcp.zero_window", "zero_window"},
    {"tcp.lost_segment", "lost_segment"},
    {"tcp.acked_unseen", "ack_lost_segment"},
    {"tcp.keep_alive", "keep_alive"},
    {"tcp.window_update", "window_update"},
    {"tcp.window_full", "window_full"},
    {"tcp.zero_window_probe", "zero_window_probe"},
};

struct Ours {
    std::uint64_t conn = 0;
    std::set<std::string> flags;  // tshark names, plus "duplicate_frame"
};

struct ConnFigures {
    std::uint64_t upto = 0;  // the connection is reported (its figures taken) at this frame
    std::string client;
    int client_side = 0;
    std::array<TcpSideFigures, 2> side;  // [0] c2s, [1] s2c
};

class Collector : public FileObserver {
public:
    std::map<std::uint64_t, Ours> frames;
    std::map<std::uint64_t, ConnFigures> conns;
    std::vector<nlohmann::ordered_json> summaries;
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void pdu(const Connection& c, Dir, const PduEvent& e) override {
        const auto* t = std::get_if<ev::TcpAnalysisFlags>(&e.pdu);
        if (!t) return;
        Ours& o = frames[e.frame];
        o.conn = c.id;
        for (const auto& n : tcp_flag_names(t->flags)) {
            if (n == "tcp.duplicate_frame") o.flags.insert("duplicate_frame");
            else o.flags.insert(kToTshark.at(n));
        }
    }
    void connection_done(const Connection& c, const Verdict& v) override {
        ConnFigures f;
        f.upto = c.last_frame;
        f.client = to_string(c.client());
        f.client_side = c.client_side();
        f.side = {c.tcp.side(c.client_side()), c.tcp.side(c.server_side())};
        conns[c.id] = f;
        summaries.push_back(summarize(c, v));
    }
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
};

struct Row {
    std::uint64_t frame = 0, stream = 0;
    std::string src;
    std::set<std::string> flags;
};

// "#fnv1a64=%016x size=%d" of a capture file, as tools/record-tcp-baselines writes it.
std::string fingerprint(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::uint64_t h = 0xcbf29ce484222325ull, n = 0;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        for (std::streamsize i = 0; i < in.gcount(); ++i) h = (h ^ static_cast<std::uint8_t>(buf[i])) * 0x100000001b3ull;
        n += static_cast<std::uint64_t>(in.gcount());
    }
    char out[64];
    std::snprintf(out, sizeof out, "#fnv1a64=%016llx size=%llu", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(n));
    return out;
}

std::vector<Row> read_rows(const fs::path& p, std::string* header) {
    std::vector<Row> rows;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("#")) {
            if (header) *header = line;
            continue;
        }
        std::vector<std::string> col;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, '\t')) col.push_back(cell);
        col.resize(4);
        Row r;
        r.frame = std::stoull(col[0]);
        r.stream = col[1].empty() ? ~0ull : std::stoull(col[1]);
        r.src = col[2];
        std::stringstream fl(col[3]);
        while (std::getline(fl, cell, ','))
            if (!cell.empty()) r.flags.insert(cell);
        rows.push_back(std::move(r));
    }
    return rows;
}

struct Capture {
    std::string label;  // "public/zeek/x.pcap"
    fs::path pcap, baseline;
};

std::vector<Capture> captures() {
    std::vector<Capture> out;
    const fs::path base = test::source_path("tests/pcaps/tcp-analysis/tshark");
    auto add = [&](const std::string& set, const fs::path& root, bool recursive) {
        if (!fs::exists(root)) return;
        std::vector<fs::path> files;
        auto take = [&](const fs::directory_entry& e) {
            const auto name = e.path().filename().string();
            if (!e.is_regular_file() || e.path().parent_path().filename() == "tshark") return;
            if (name.find(".pcap") == std::string::npos || name.ends_with(".out") || name.ends_with(".tsv")) return;
            files.push_back(e.path());
        };
        if (recursive) for (const auto& e : fs::recursive_directory_iterator(root)) take(e);
        else for (const auto& e : fs::directory_iterator(root)) take(e);
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            std::string rel = fs::relative(f, root).string();
            std::string flat = rel;
            std::replace(flat.begin(), flat.end(), '/', '_');
            out.push_back({set + "/" + rel, f, base / (set + "_" + flat + ".tsv")});
        }
    };
    add("public", test::source_path("tests/pcaps/public"), true);
    add("lab", test::source_path("tests/pcaps/lab"), false);
    add("synthetic", test::source_path("tests/pcaps/tcp-analysis/synthetic"), false);
    return out;
}

std::string join(const std::set<std::string>& s) {
    std::string o;
    for (const auto& x : s) o += (o.empty() ? "" : ",") + x;
    return o.empty() ? "-" : o;
}

}  // namespace

TEST_CASE("TCP analysis flags equal tshark 4.0's on every bundled capture", "[regression][tcp]") {
    const auto caps = captures();
    REQUIRE(caps.size() >= 20);
    std::size_t with_baseline = 0, total_frames = 0, total_flagged = 0, total_dups = 0;
    std::printf("%-70s %7s %7s %7s %5s\n", "capture", "frames", "flagged", "dupfrm", "diff");
    for (const auto& cap : caps) {
        if (!fs::exists(cap.baseline)) {
            WARN("no tshark baseline for " << cap.label << ": run tools/record-tcp-baselines");
            continue;
        }
        std::string header;
        const auto rows = read_rows(cap.baseline, &header);
        if (header != fingerprint(cap.pcap)) {
            // The capture was re-recorded since (the lab makes new ones): warn, do not compare stale data.
            WARN("tshark baseline of " << cap.label << " was recorded on another version of the capture: "
                 "run tools/record-tcp-baselines " << cap.pcap.string());
            continue;
        }
        ++with_baseline;
        INFO("capture " << cap.label);
        Collector col;
        REQUIRE(run_file(cap.pcap.string(), col, TrackerOptions{}, stderr) != FileStatus::unusable);

        std::size_t compared = 0, flagged = 0, dups = 0, diffs = 0;
        std::set<std::uint64_t> seen;
        std::map<std::uint64_t, int> after_copy;  // streams with a copy among their last 3 compared frames
        // Per connection and direction: tshark's counts (frames we call duplicates left out).
        std::map<std::pair<std::uint64_t, int>, std::map<std::string, std::uint32_t>> counts;
        for (const auto& r : rows) {
            auto conn = col.conns.find(r.stream);
            auto ours_it = col.frames.find(r.frame);
            if (conn == col.conns.end() && ours_it == col.frames.end()) continue;  // not an RDP connection
            seen.insert(r.frame);
            ++compared;
            const Ours ours = ours_it == col.frames.end() ? Ours{r.stream, {}} : ours_it->second;
            INFO("frame " << r.frame << ": tshark " << join(r.flags) << ", rdpscope " << join(ours.flags));
            CHECK(ours.conn == r.stream);
            if (!r.flags.empty()) ++flagged;
            if (ours.flags.count("duplicate_frame")) {
                // Deliberate difference "duplicate_frame": the copy is not a retransmission or dup ACK.
                CHECK(ours.flags.size() == 1);
                ++dups;
                after_copy[r.stream] = 3;
                continue;
            }
            // Deliberate difference "after_copy": a copy of a packet (analyze/copies.hpp)
            // is collapsed before the TCP analysis, so the frame right after it is
            // judged without it, where tshark's state counts the copy: the copy
            // of a one-byte probe makes tshark call the peer's ACK to it a
            // keep-alive ACK, where rdpscope sees a duplicate ACK.  Only that,
            // within 3 frames of the copy; ours then count.
            bool allowed = false;
            if (auto a = after_copy.find(r.stream); a != after_copy.end()) {
                allowed = ours.flags != r.flags && r.flags.empty() &&
                          ours.flags == std::set<std::string>{"duplicate_ack"};
                if (allowed || --a->second == 0) after_copy.erase(a);
            }
            if (ours.flags != r.flags && !allowed) ++diffs;
            if (!allowed) CHECK(ours.flags == r.flags);
            if (conn != col.conns.end() && r.frame <= conn->second.upto) {
                const int dir = r.src == conn->second.client ? 0 : 1;
                for (const auto& f : allowed ? ours.flags : r.flags) ++counts[{r.stream, dir}][f];
            }
        }
        // Every frame rdpscope flagged is one tshark analysed.
        for (const auto& [frame, o] : col.frames) {
            INFO("frame " << frame << " flagged " << join(o.flags) << " by rdpscope only");
            CHECK(seen.count(frame) == 1);
        }
        // The counts in the `tcp` object equal tshark's per connection and direction
        // (up to the frame at which the connection is reported: its verdict may come
        // before its last packet).
        for (const auto& [id, cf] : col.conns) {
            for (int dir = 0; dir < 2; ++dir) {
                INFO("connection " << id << (dir ? " s2c" : " c2s"));
                const auto& t = counts[{id, dir}];
                auto n = [&t](const char* k) { auto i = t.find(k); return i == t.end() ? 0u : i->second; };
                const TcpSideFigures& f = cf.side[dir];
                CHECK(f.retransmissions == n("retransmission"));
                CHECK(f.fast_retransmissions == n("fast_retransmission"));
                CHECK(f.spurious_retransmissions == n("spurious_retransmission"));
                CHECK(f.out_of_order == n("out_of_order"));
                CHECK(f.dup_acks == n("duplicate_ack"));
                CHECK(f.zero_windows == n("zero_window"));
                CHECK(f.lost_segments == n("lost_segment"));
                CHECK(f.acked_unseen == n("ack_lost_segment"));
                CHECK(f.keep_alives == n("keep_alive"));
                CHECK(f.window_updates == n("window_update"));
                CHECK(f.window_full == n("window_full"));
                CHECK(f.zero_window_probes == n("zero_window_probe"));
            }
        }
        std::printf("%-70s %7zu %7zu %7zu %5zu\n", cap.label.c_str(), compared, flagged, dups, diffs);
        total_frames += compared;
        total_flagged += flagged;
        total_dups += dups;
    }
    std::printf("%zu captures with a baseline, %zu frames compared, %zu flagged by tshark, %zu duplicate frames\n",
                with_baseline, total_frames, total_flagged, total_dups);
    CHECK(with_baseline >= 20);
}
