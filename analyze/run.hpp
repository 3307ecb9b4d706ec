// Running a packet source (a file, a live interface, a timed replay) through
// the tracker: read every frame, move packet time on, report problems with the
// input naming where they are.
#pragma once

#include <csignal>
#include <functional>
#include <cstdio>
#include <string>

#include "analyze/observer.hpp"
#include "analyze/tracker.hpp"
#include "capture/source.hpp"

namespace rdpscope {

class PcapWriter;

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
