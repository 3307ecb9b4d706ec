// SPDX-License-Identifier: MIT
// Every bundled capture goes through `analyze` and `dissect`, text and JSON,
// without an exception, and prints the same read ahead (run_file) as read in
// turn (run_source over a FileSource).
#include <catch2/catch.hpp>

#include <cstdio>

#include "report/writers.hpp"
#include "run_writer.hpp"
#include "test_util.hpp"

using namespace rdpscope;

TEST_CASE("every bundled capture: analyze and dissect in both formats run through", "[mcs][rdpudp][robustness]") {
    std::FILE* null = std::fopen("/dev/null", "w");
    REQUIRE(null);
    std::size_t files = 0;
    for (const std::string& path : test::every_bundled_capture()) {
        INFO("capture " << path);
        for (Format f : {Format::text, Format::json}) {
            DissectWriter d(null, null, f);
            CHECK_NOTHROW(run_file(path, d, TrackerOptions{}, null));
            ReportWriter r(null, null, f);
            CHECK_NOTHROW(run_file(path, r, TrackerOptions{}, null));
        }
        ++files;
    }
    std::fclose(null);
    CHECK(files >= 80);
}

TEST_CASE("every bundled capture: read ahead on a second thread, the same output as read in turn",
          "[robustness][read_ahead]") {
    std::size_t files = 0;
    for (const std::string& path : test::every_bundled_capture()) {
        INFO("capture " << path);
        for (bool analyze : {true, false}) {
            const test::WriterOutput ahead = test::run_writer(path, analyze, {}, true);
            const test::WriterOutput in_turn = test::run_writer(path, analyze, {}, false);
            CHECK(ahead.out == in_turn.out);
            CHECK(ahead.err == in_turn.err);
            if (analyze) CHECK(!in_turn.out.empty());  // at least the summary
        }
        ++files;
    }
    CHECK(files >= 80);
}
