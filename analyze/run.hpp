// Running a packet source (a file, a live interface, a timed replay) through
// the tracker: read every frame, move packet time on, report problems with the
// input naming where they are.
#pragma once

#include <csignal>
#include <functional>
#include <cstdio>
#include <string>

#include "analyze/tracker.hpp"
#include "capture/source.hpp"

namespace rdpscope {

class PcapWriter;

// An Observer that also hears about inputs starting and ending.
class FileObserver : public Observer {
public:
    virtual void begin_file(const std::string& path, bool nano_precision, const FileStats* live_stats) = 0;
    virtual void end_file(const FileStats& stats) = 0;
};

enum class FileStatus { ok, warnings, unusable };

struct RunOptions {
    TrackerOptions tracker;
    int tick_ms = 200;                              // idle wake-up of live and replay sources
    PcapWriter* writer = nullptr;                   // live: keep what was captured
    const volatile std::sig_atomic_t* stop = nullptr;  // set by a signal handler: flush and end
    std::function<void(Tracker&)> on_tick;            // live: called about once a second (drops, duration)
    std::string name;                                  // what to call the input in messages (default: the source's)
};

// Problems go to `err` as "rdpscope: INPUT: ...": one line each.
FileStatus run_source(PacketSource& src, bool nano, FileObserver& obs, const RunOptions& opt, std::FILE* err);
FileStatus run_file(const std::string& path, FileObserver& obs, const TrackerOptions& opt, std::FILE* err);

}  // namespace rdpscope
