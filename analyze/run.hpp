// Running one capture file through the tracker: open, check, read every frame,
// report problems with the file and frame they concern.
#pragma once

#include <cstdio>
#include <string>

#include "analyze/tracker.hpp"

namespace rdpscope {

// An Observer that also hears about files starting and ending.
class FileObserver : public Observer {
public:
    virtual void begin_file(const std::string& path, bool nano_precision, const FileStats* live_stats) = 0;
    virtual void end_file(const FileStats& stats) = 0;
};

enum class FileStatus { ok, warnings, unusable };

// Problems go to `err` as "rdpscope: FILE: ...": one line each.
FileStatus run_file(const std::string& path, FileObserver& obs, const TrackerOptions& opt, std::FILE* err);

}  // namespace rdpscope
