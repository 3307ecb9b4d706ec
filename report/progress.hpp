// SPDX-License-Identifier: MIT
// A progress line for long inputs: bytes read of the file's size, packets per
// second, connections so far.  Drawn on stderr only when it is a terminal and
// the input has a size (a file, not a live interface); redrawn at most ten
// times a second; erased before anything else is printed and at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "analyze/run.hpp"
#include "capture/source.hpp"

namespace rdpscope {

// The line itself, told where the run is by run_source / run_file (as their
// RunWatcher).  The caller also wraps its observer in a ProgressObserver, so
// that the line is erased before the observer prints.
class Progress : public RunWatcher {
public:
    // May draw when `err` is a terminal; `force` for tests.
    explicit Progress(std::FILE* err, bool force = false);
    ~Progress() override { clear(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // `err` is a terminal (or forced): worth installing at all.
    bool may_draw() const { return may_draw_; }
    // Drawing for the input started last: it has a size (a file, not a live interface).
    bool enabled() const { return enabled_; }

    void started(const std::string& name, std::uint64_t size) override;
    // Cheap enough per packet: looks at the clock every kEvery calls.
    void packet(std::uint64_t position, const FileStats& stats) override {
        if (enabled_ && ++calls_ % kEvery == 0) update(position, stats);
    }
    void interrupt() override { clear(); }
    // Redraw if 100 ms passed since the last time.
    void update(std::uint64_t position, const FileStats& stats);
    // Erase the line (before other output, and at the end).
    void clear();

    static constexpr std::uint64_t kEvery = 4096;

private:
    std::FILE* err_;
    bool may_draw_;
    std::string name_;
    std::uint64_t size_ = 0;
    bool enabled_ = false;
    bool shown_ = false;
    std::uint64_t calls_ = 0;
    std::chrono::steady_clock::time_point start_, last_;
    int width_ = 80;
};

// Passes everything on to `inner`, erasing the progress line first so that
// reports and problems are not printed over it.
class ProgressObserver : public FileObserver {
public:
    ProgressObserver(FileObserver& inner, Progress& bar) : inner_(inner), bar_(bar) {}
    void begin_file(const std::string& path, const FileStats* live) override {
        bar_.clear();
        inner_.begin_file(path, live);
    }
    void end_file(const FileStats& stats) override {
        bar_.clear();
        inner_.end_file(stats);
    }
    void pdu(const Connection& c, Dir d, const PduEvent& e) override {
        bar_.clear();
        inner_.pdu(c, d, e);
    }
    void connection_done(const Connection& c, const Verdict& v) override {
        bar_.clear();
        inner_.connection_done(c, v);
    }
    void connection_verdict(const Connection& c, const Verdict& v) override {
        bar_.clear();
        inner_.connection_verdict(c, v);
    }
    void probe_done(const ConnBrief& b) override { inner_.probe_done(b); }
    void udp_pdu(const UdpFlowFacts& f, Dir d, const PduEvent& e) override {
        bar_.clear();
        inner_.udp_pdu(f, d, e);
    }
    void udp_flow_done(const UdpFlowFacts& f) override {
        bar_.clear();
        inner_.udp_flow_done(f);
    }
    void gateway_done(const Connection& c, const Verdict& v) override {
        bar_.clear();
        inner_.gateway_done(c, v);
    }
    void gateway_udp_done(const GatewayUdpFacts& f, const Verdict& v) override {
        bar_.clear();
        inner_.gateway_udp_done(f, v);
    }
    void problem(std::uint64_t frame, const Connection* conn, const std::string& what) override {
        bar_.clear();
        inner_.problem(frame, conn, what);
    }

private:
    FileObserver& inner_;
    Progress& bar_;
};

}  // namespace rdpscope
