// SPDX-License-Identifier: MIT
// Running a packet source (a file, a live interface, a timed replay) through
// the tracker: read every frame, move packet time on, report problems with the
// input naming where they are.
#pragma once

#include <csignal>
#include <functional>
#include <cstdint>
#include <cstdio>
#include <string>

#include "analyze/observer.hpp"
#include "analyze/tracker.hpp"
#include "capture/source.hpp"

namespace rdpscope {

class PcapWriter;

enum class FileStatus { ok, warnings, unusable };

// Watches a run from outside, taking no part in it (the command line's
// progress line, report/progress.hpp): hears where in the input the run is,
// and is told before run_source prints to `err` itself.  Whatever the
// observer prints is the observer's business.
class RunWatcher {
public:
    virtual ~RunWatcher() = default;
    // The input is open: what messages call it, and its size in bytes (0: unknown, a live interface).
    virtual void started(const std::string& name, std::uint64_t size) = 0;
    // A packet went through the tracker; `position`: bytes of the input read so far.
    virtual void packet(std::uint64_t position, const FileStats& stats) = 0;
    // run_source is about to print a line to `err`, or the packets ended.
    virtual void interrupt() = 0;
};

struct RunOptions {
    TrackerOptions tracker;
    int tick_ms = 200;                              // idle wake-up of live and replay sources
    PcapWriter* writer = nullptr;                   // live: keep what was captured
    const volatile std::sig_atomic_t* stop = nullptr;  // set by a signal handler: flush and end
    std::function<void(Tracker&)> on_tick;            // live: called about once a second (drops, duration)
    std::string name;                                  // what to call the input in messages (default: the source's)
    RunWatcher* watcher = nullptr;                     // e.g. a progress line
    // Read and decode on a second thread (analyze/read_ahead.hpp): for a
    // file, which never idles; not with `writer` or `on_tick` (live).
    bool read_ahead = false;
};

// Problems go to `err` as "rdpscope: INPUT: ...": one line each.
FileStatus run_source(PacketSource& src, FileObserver& obs, const RunOptions& opt, std::FILE* err);
FileStatus run_file(const std::string& path, FileObserver& obs, const TrackerOptions& opt, std::FILE* err,
                    RunWatcher* watcher = nullptr);

}  // namespace rdpscope
