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
#include "report/writers.hpp"

namespace rdpscope::test {

struct WriterOutput {
    std::string out, err;
};

// `analyze`: the ReportWriter with its closing summary; else the DissectWriter.
inline WriterOutput run_writer(const std::string& path, bool analyze, const TrackerOptions& opt = {}) {
    char *out = nullptr, *err = nullptr;
    std::size_t out_n = 0, err_n = 0;
    std::FILE* o = open_memstream(&out, &out_n);
    std::FILE* e = open_memstream(&err, &err_n);
    if (analyze) {
        ReportWriter w(o, e, Format::json);
        run_file(path, w, opt, e);
        w.finish();
    } else {
        // As `rdpscope dissect` runs it: a SYN attempt held only while it is
        // one SYN, so PDU events come in frame order (cli/commands.cpp).
        TrackerOptions d = opt;
        d.pending_single_syn = true;
        DissectWriter w(o, e, Format::json);
        run_file(path, w, d, e);
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
