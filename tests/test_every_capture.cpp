// SPDX-License-Identifier: MIT
// Every bundled capture goes through `analyze` and `dissect`, text and JSON,
// without an exception.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

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
