// SPDX-License-Identifier: MIT
// Every bundled capture goes through `analyze` and `dissect`, text and JSON,
// without an exception, and prints the same read ahead (run_file) as read in
// turn (run_source over a FileSource).
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include "analyze/run.hpp"
#include "capture/replay.hpp"
#include "report/writers.hpp"
#include "test_util.hpp"

using namespace rdpscope;
namespace fs = std::filesystem;

TEST_CASE("every bundled capture: analyze and dissect in both formats run through", "[mcs][rdpudp][robustness]") {
    std::FILE* null = std::fopen("/dev/null", "w");
    REQUIRE(null);
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(test::source_path("tests/pcaps"))) {
        const auto name = e.path().filename().string();
        if (!e.is_regular_file() || name.find(".pcap") == std::string::npos) continue;
        if (name.ends_with(".tsv") || name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".out")) continue;
        INFO("capture " << e.path());
        for (Format f : {Format::text, Format::json}) {
            DissectWriter d(null, null, f);
            CHECK_NOTHROW(run_file(e.path().string(), d, TrackerOptions{}, null));
            ReportWriter r(null, null, f);
            CHECK_NOTHROW(run_file(e.path().string(), r, TrackerOptions{}, null));
        }
        ++files;
    }
    std::fclose(null);
    CHECK(files >= 80);
}

namespace {

// What `analyze` (ReportWriter) or `dissect` (DissectWriter) prints for a
// capture, read either ahead on a second thread (run_file) or in turn.
std::pair<std::string, std::string> printed(const std::string& path, bool analyze, bool ahead) {
    char *out = nullptr, *err = nullptr;
    std::size_t out_n = 0, err_n = 0;
    std::FILE* o = open_memstream(&out, &out_n);
    std::FILE* e = open_memstream(&err, &err_n);
    TrackerOptions opt;
    opt.pending_single_syn = !analyze;  // as `rdpscope dissect` runs
    auto run = [&](FileObserver& w) {
        if (ahead) return run_file(path, w, opt, e);
        std::string why;
        auto file = PcapFile::open(path, why);
        if (!file) return run_file(path, w, opt, e);  // the same message either way
        FileSource src(std::move(file));
        RunOptions ro;
        ro.tracker = opt;
        return run_source(src, w, ro, e);
    };
    if (analyze) {
        ReportWriter w(o, e, Format::json);
        run(w);
        w.finish();
    } else {
        DissectWriter w(o, e, Format::json);
        run(w);
    }
    std::fclose(o);
    std::fclose(e);
    std::pair<std::string, std::string> r{std::string(out, out_n), std::string(err, err_n)};
    std::free(out);
    std::free(err);
    return r;
}

}  // namespace

TEST_CASE("every bundled capture: read ahead on a second thread, the same output as read in turn",
          "[robustness][read_ahead]") {
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(test::source_path("tests/pcaps"))) {
        const auto name = e.path().filename().string();
        if (!e.is_regular_file() || name.find(".pcap") == std::string::npos) continue;
        if (name.ends_with(".tsv") || name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".out")) continue;
        INFO("capture " << e.path());
        for (bool analyze : {true, false}) {
            const auto ahead = printed(e.path().string(), analyze, true);
            const auto in_turn = printed(e.path().string(), analyze, false);
            CHECK(ahead.first == in_turn.first);
            CHECK(ahead.second == in_turn.second);
            if (analyze) CHECK(!in_turn.first.empty());  // at least the summary
        }
        ++files;
    }
    CHECK(files >= 80);
}
