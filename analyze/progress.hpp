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

class Progress {
public:
    // Enabled when `err` is a terminal and size > 0; `force` for tests.
    Progress(std::FILE* err, std::string name, std::uint64_t size, bool force = false);
    ~Progress() { clear(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    bool enabled() const { return enabled_; }
    // Cheap enough per packet: looks at the clock (and asks the source where
    // it is, an lseek) every kEvery calls.
    void tick(const PacketSource& src, const FileStats& stats) {
        if (enabled_ && ++calls_ % kEvery == 0) update(src.position(), stats);
    }
    // Redraw if 100 ms passed since the last time.
    void update(std::uint64_t position, const FileStats& stats);
    // Erase the line (before other output, and at the end).
    void clear();

    static constexpr std::uint64_t kEvery = 4096;

private:
    std::FILE* err_;
    std::string name_;
    std::uint64_t size_;
    bool enabled_;
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
    void begin_file(const std::string& path, bool nano, const FileStats* live) override {
        bar_.clear();
        inner_.begin_file(path, nano, live);
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
    void udp_pdu(const UdpFlowFacts& f, Dir d, const PduEvent& e) override {
        bar_.clear();
        inner_.udp_pdu(f, d, e);
    }
    void udp_flow_done(const UdpFlowFacts& f) override {
        bar_.clear();
        inner_.udp_flow_done(f);
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
