// SPDX-License-Identifier: MIT
// Runs a capture file through the `analyze` or `dissect` writer as the CLI
// does and hands back what it printed, for tests that assert on the output.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/run.hpp"
#include "capture/replay.hpp"
#include "report/writers.hpp"

namespace rdpscope::test {

struct WriterOutput {
    std::string out, err;
};

// `analyze`: the ReportWriter with its closing summary; else the DissectWriter.
// `read_ahead`: read as run_file reads (on a second thread, analyze/read_ahead.hpp);
// false: read in turn (run_source over a FileSource), as a live source is read.
inline WriterOutput run_writer(const std::string& path, bool analyze, const TrackerOptions& opt = {},
                               bool read_ahead = true) {
    char *out = nullptr, *err = nullptr;
    std::size_t out_n = 0, err_n = 0;
    std::FILE* o = open_memstream(&out, &out_n);
    std::FILE* e = open_memstream(&err, &err_n);
    auto run = [&](FileObserver& w, const TrackerOptions& t) {
        std::string why;
        auto file = read_ahead ? nullptr : PcapFile::open(path, why);
        if (!file) return run_file(path, w, t, e);  // (an unopenable file: the same message either way)
        FileSource src(std::move(file));
        RunOptions ro;
        ro.tracker = t;
        return run_source(src, w, ro, e);
    };
    if (analyze) {
        ReportWriter w(o, e, Format::json);
        run(w, opt);
        w.finish();
    } else {
        // As `rdpscope dissect` runs it: a SYN attempt held only while it is
        // one SYN, so PDU events come in frame order (cli/commands.cpp).
        TrackerOptions d = opt;
        d.pending_single_syn = true;
        DissectWriter w(o, e, Format::json);
        run(w, d);
    }
    std::fclose(o);
    std::fclose(e);
    WriterOutput r{std::string(out, out_n), std::string(err, err_n)};
    std::free(out);
    std::free(err);
    return r;
}

// The `{"type":"connection"}` objects among JSON lines.
inline std::vector<nlohmann::json> connections_in(const std::string& json_lines) {
    std::vector<nlohmann::json> conns;
    std::istringstream lines(json_lines);
    for (std::string line; std::getline(lines, line);) {
        auto j = nlohmann::json::parse(line);
        if (j["type"] == "connection") conns.push_back(std::move(j));
    }
    return conns;
}

}  // namespace rdpscope::test
