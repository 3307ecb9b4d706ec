// SPDX-License-Identifier: MIT
// The connection table under arbitrary packet sequences, differentially: the
// same Ethernet/IPv4 frames (TCP between a few endpoints, with RDP, TLS, HTTP
// and SOCKS first bytes; UDP; ICMP errors quoting them; time jumping past the
// stall, attempt, linger and idle timeouts, and going backwards) are fed to a
// Tracker with light tracking (TrackerOptions::light) and to one without.
// Never a crash; and the two must print the same `analyze --format json` and
// `dissect --format json` -- light tracking, port reuse and retiring may
// change how much is kept, never what is reported.  And differentially too,
// probes judged by their shape (analyze/probe_memo.hpp): with a listing
// budget of one a minute, a tracker that judges them so and one that builds
// every connection must count the same connections by cause (the summary)
// and find the same groups (less their lists of connection ids and their
// last times, which may differ: README, "Floods") -- unless a packet came
// after the RST of a probe judged by its shape, which full tracking judges
// with that packet (the flood object counts them).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "analyze/tracker.hpp"
#include "report/writers.hpp"

namespace {

using namespace rdpscope;

void put16(std::uint8_t* p, std::uint16_t v) { p[0] = v >> 8; p[1] = v & 0xFF; }
void put32(std::uint8_t* p, std::uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xFFFF); }

// First bytes a stream may start with: what decides light or full.
const std::vector<std::uint8_t> kFirst[] = {
    {},
    {0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x08, 0x00, 0x03, 0, 0, 0},        // X.224 CR
    {0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 0x02, 0x1f, 0x08, 0x00, 0x02, 0, 0, 0},  // X.224 CC
    {0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 0x03, 0x03, 0xaa, 0xbb},                    // TLS hello
    {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ', '2', '0', '0', '\r', '\n'},
    {0x05, 0x01, 0x00, 0x05, 0x01, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x03, 0x0d, 0x3d},  // SOCKS5 to :3389
    {'S', 'S', 'H', '-', '2', '.', '0', '\r', '\n'},
};

// The `summary` and `group` objects of a ReportWriter's output, the groups
// without their lists of connection ids and last times.
std::string counts_of(const std::string& out) {
    std::string kept;
    std::size_t at = 0;
    while (at < out.size()) {
        std::size_t end = out.find('\n', at);
        if (end == std::string::npos) end = out.size();
        const std::string line = out.substr(at, end - at);
        at = end + 1;
        if (line.rfind("{\"type\":\"flood\"", 0) == 0) {
            // A packet after a probe's RST: full tracking judged it with that
            // packet, the shortcut without (README, "Floods"): not comparable.
            const auto j = nlohmann::ordered_json::parse(line);
            if (j.contains("not_listed") && j["not_listed"].contains("judged_by_shape") &&
                j["not_listed"]["judged_by_shape"]["late_packets"].get<std::uint64_t>())
                return "late";
            continue;
        }
        if (line.rfind("{\"type\":\"summary\"", 0) != 0 && line.rfind("{\"type\":\"group\"", 0) != 0) continue;
        nlohmann::ordered_json j = nlohmann::ordered_json::parse(line);
        // Which probes the budget lists may differ; so may a group's last
        // time (and so its duration and rate): a packet after a probe's RST
        // is in full tracking's connection, counted for one judged by shape.
        for (const char* k : {"conns", "last", "duration", "rate_per_minute"}) j.erase(k);
        kept += j.dump() + "\n";
    }
    return kept;
}

// A report tracker with a listing budget of one a minute, judging probes
// beyond it by their shape or not.
class ShapeRun {
public:
    explicit ShapeRun(bool shapes) {
        out_ = open_memstream(&buf_, &len_);
        err_ = std::fopen("/dev/null", "w");
        report_ = std::make_unique<ReportWriter>(out_, err_, Format::json);
        TrackerOptions opt;
        opt.listed_per_minute = 1;
        opt.brief_unlisted = true;
        opt.judge_probes_by_shape = shapes;
        tracker_ = std::make_unique<Tracker>(*report_, opt);
        report_->begin_file("fuzz", &tracker_->stats());
    }
    ~ShapeRun() {
        std::fclose(out_);
        std::fclose(err_);
        std::free(buf_);
    }
    void packet(const CapturedPacket& p) {
        tracker_->advance(p.ts_ns);
        tracker_->packet(p);
    }
    std::string finish() {
        tracker_->finish();
        report_->end_file(tracker_->stats());
        report_->finish();
        std::fflush(out_);
        return counts_of(std::string(buf_, len_));
    }

private:
    char* buf_ = nullptr;
    std::size_t len_ = 0;
    std::FILE *out_, *err_;
    std::unique_ptr<ReportWriter> report_;
    std::unique_ptr<Tracker> tracker_;
};

class Run {
public:
    explicit Run(bool light) {
        out_ = open_memstream(&buf_, &len_);
        dout_ = open_memstream(&dbuf_, &dlen_);
        err_ = std::fopen("/dev/null", "w");
        report_ = std::make_unique<ReportWriter>(out_, err_, Format::json);
        dissect_ = std::make_unique<DissectWriter>(dout_, err_, Format::json);
        TrackerOptions opt;
        opt.light = light;
        report_tracker_ = std::make_unique<Tracker>(*report_, opt);
        // As `rdpscope dissect` sets it (cli/commands.cpp): every PDU in frame
        // order, so a retransmitted SYN is not held with the attempt.
        TrackerOptions dopt = opt;
        dopt.pending_single_syn = true;
        dissect_tracker_ = std::make_unique<Tracker>(*dissect_, dopt);
        report_->begin_file("fuzz", &report_tracker_->stats());
        dissect_->begin_file("fuzz", &dissect_tracker_->stats());
    }
    ~Run() {
        std::fclose(out_);
        std::fclose(dout_);
        std::fclose(err_);
        std::free(buf_);
        std::free(dbuf_);
    }
    void packet(const CapturedPacket& p) {
        for (Tracker* t : {report_tracker_.get(), dissect_tracker_.get()}) {
            t->advance(p.ts_ns);
            t->packet(p);
        }
    }
    std::string finish() {
        report_tracker_->finish();
        dissect_tracker_->finish();
        report_->end_file(report_tracker_->stats());
        dissect_->end_file(dissect_tracker_->stats());
        report_->finish();
        std::fflush(out_);
        std::fflush(dout_);
        return std::string(buf_, len_) + "\n---\n" + std::string(dbuf_, dlen_);
    }

private:
    char *buf_ = nullptr, *dbuf_ = nullptr;
    std::size_t len_ = 0, dlen_ = 0;
    std::FILE *out_, *dout_, *err_;
    std::unique_ptr<ReportWriter> report_;
    std::unique_ptr<DissectWriter> dissect_;
    std::unique_ptr<Tracker> report_tracker_, dissect_tracker_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::uint16_t kServerPorts[] = {3389, 443, 8080, 1080};
    static const std::uint32_t kIsn[] = {1000, 5000, 0xfffffff0u, 77777};
    Run light(true), full(false);
    ShapeRun shaped(true), built(false);
    std::uint8_t frame[14 + 20 + 28 + 60];
    std::uint8_t last_tcp[28]{};  // IP header and 8 bytes of the last TCP segment, for ICMP quotes
    std::int64_t ts = 1'700'000'000'000'000'000;
    std::uint64_t n = 0;
    for (std::size_t i = 0; i + 12 <= size && n < 400; i += 12) {
        const std::uint8_t* r = data + i;
        const int kind = r[0] & 3;  // 0, 1: TCP; 2: UDP; 3: ICMP error
        const bool from_server = r[2] & 0x20;
        const std::uint32_t cli = 0x0A000001 + ((r[2] >> 6) & 1), srv = 0x0A000002;
        const std::uint16_t cport = 40000 + (r[2] & 3), sport = kServerPorts[(r[2] >> 3) & 3];
        // Time: milliseconds, or seconds (past the timeouts), sometimes backwards.
        const std::int64_t step = (std::int64_t{r[8]} << 8 | r[9]) * ((r[10] & 1) ? 1'000'000'000 : 1'000'000);
        ts += (r[10] & 2) && (r[10] & 4) ? -step / 8 : step;

        std::memset(frame, 0, sizeof frame);
        frame[12] = 0x08;  // Ethernet: IPv4
        std::uint8_t* ip = frame + 14;
        ip[0] = 0x45;
        put16(ip + 4, static_cast<std::uint16_t>(r[11] << 8 | r[7]));
        ip[8] = (r[10] & 8) ? 64 : 61;
        put32(ip + 12, from_server ? srv : cli);
        put32(ip + 16, from_server ? cli : srv);
        std::uint8_t* l4 = ip + 20;
        std::size_t l4_len = 0;
        if (kind <= 1) {
            ip[9] = 6;
            put16(l4, from_server ? sport : cport);
            put16(l4 + 2, from_server ? cport : sport);
            put32(l4 + 4, kIsn[r[3] & 3] + (r[4] & 0x7F) * 16 + (r[3] >> 7));
            put32(l4 + 8, kIsn[(r[3] >> 2) & 3] + (r[5] & 0x7F) * 16 + (r[5] >> 7));
            l4[12] = 0x50;
            l4[13] = r[1] & 0x1F;
            put16(l4 + 14, static_cast<std::uint16_t>(r[6] << 6));
            const auto& payload = kFirst[r[7] % 7];
            if (!payload.empty()) std::memcpy(l4 + 20, payload.data(), payload.size());
            l4_len = 20 + payload.size();
            std::memcpy(last_tcp, ip, 20);
            std::memcpy(last_tcp + 20, l4, 8);
        } else if (kind == 2) {
            ip[9] = 17;
            put16(l4, from_server ? sport : cport);
            put16(l4 + 2, from_server ? cport : sport);
            put16(l4 + 4, 8 + 4);
            std::memcpy(l4 + 8, r + 3, 4);
            l4_len = 12;
        } else {
            if (!last_tcp[0]) continue;
            ip[9] = 1;
            put32(ip + 12, 0x0A0000FE);  // a router
            std::memcpy(ip + 16, last_tcp + 12, 4);
            l4[0] = (r[1] & 1) ? 3 : 11;  // unreachable or time exceeded
            l4[1] = r[1] >> 4;            // code (4: fragmentation needed)
            put16(l4 + 6, static_cast<std::uint16_t>(r[3] << 4));  // next-hop MTU
            std::memcpy(l4 + 8, last_tcp, 28);
            l4_len = 36;
        }
        put16(ip + 2, static_cast<std::uint16_t>(20 + l4_len));
        CapturedPacket p;
        p.frame = ++n;
        p.ts_ns = ts;
        p.caplen = p.wirelen = static_cast<std::uint32_t>(14 + 20 + l4_len);
        p.linktype = 1;
        p.data = std::span<const std::uint8_t>(frame, p.caplen);
        light.packet(p);
        full.packet(p);
        shaped.packet(p);
        built.packet(p);
    }
    const std::string a = light.finish(), b = full.finish();
    if (a != b) {
        std::size_t at = 0;
        while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
        std::fprintf(stderr, "light and full tracking differ at byte %zu:\n light: %.300s\n full:  %.300s\n", at,
                     a.c_str() + (at > 100 ? at - 100 : 0), b.c_str() + (at > 100 ? at - 100 : 0));
        std::abort();
    }
    const std::string c = shaped.finish(), d = built.finish();
    if (c != "late" && c != d) {
        std::fprintf(stderr, "probes judged by their shape count otherwise:\n shapes: %s\n built:  %s\n", c.c_str(),
                     d.c_str());
        std::abort();
    }
    return 0;
}
