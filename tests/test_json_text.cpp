// SPDX-License-Identifier: MIT
// report/json_text: the same bytes as nlohmann's dump(), which it replaces
// for speed -- on values at the edges of each type, on random trees, and on
// every record the JSON writers print for the bundled captures.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>

#include "report/json_text.hpp"
#include "report/writers.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

// Both give the same text, or both refuse the value (invalid UTF-8).
void same_as_dump(const json& j) {
    const TextBesideDump r = text_beside_dump(j);
    CHECK(r.text_refused == r.dump_refused);
    CHECK(r.text == r.dump);
    // And JsonWriter, which writes a listed connection without a tree.
    CHECK(r.written_refused == r.text_refused);
    CHECK(r.written == r.text);
    // And the tree a JsonWriter builds for the text and HTML writers, and
    // the text read back as they read an amended connection's.
    CHECK(r.tree_agrees);
    if (!r.text_refused) CHECK(parse_report_text(r.text) == json::parse(r.text));
}

}  // namespace

TEST_CASE("json_text: numbers, strings and containers at their edges as dump() writes them", "[report][json]") {
    for (double d : {0.0, -0.0, 1.0, -1.5, 0.1, 1e-4, 1e-5, 123456789012345.0, 1234567890123456.0, 1e16, 1e21,
                     1e300, -1e-300, 5e-324, 2.2250738585072014e-308, 1700000000.0001, 0.003, 0.89, 2.0 / 3.0,
                     std::numeric_limits<double>::max(), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity(), std::nan("")})
        same_as_dump(json(d));
    for (std::int64_t i : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{42}, std::numeric_limits<std::int64_t>::min(),
                           std::numeric_limits<std::int64_t>::max()})
        same_as_dump(json(i));
    for (std::uint64_t u : {std::uint64_t{0}, std::uint64_t{3389}, std::numeric_limits<std::uint64_t>::max()})
        same_as_dump(json(u));
    same_as_dump(json(true));
    same_as_dump(json(false));
    same_as_dump(json(nullptr));
    same_as_dump(json::object());
    same_as_dump(json::array());
    same_as_dump(json::array({json::object(), json::array(), nullptr}));

    std::string every_ascii;
    for (int c = 0; c < 0x80; ++c) every_ascii.push_back(static_cast<char>(c));
    same_as_dump(json(every_ascii));
    same_as_dump(json(std::string("cookie \"mstshash=\\adm\"\r\n")));
    same_as_dump(json(std::string("CN=f\xc3\xbcr-\xe2\x82\xac-\xf0\x9f\x94\x92")));  // valid UTF-8, 2 to 4 bytes
    same_as_dump(json(std::string("bad \xff byte")));                                // invalid: both refuse
    same_as_dump(json(std::string("cut \xe2\x82")));
    same_as_dump(json(std::string("\xed\xa0\x80 surrogate")));
    json keys = json::object();
    keys["plain"] = 1;
    keys["tab\there"] = 2;
    keys["\x01"] = 3;
    keys["caf\xc3\xa9"] = 4;
    keys[""] = json::array({"", "\x7f", "\x1f"});
    same_as_dump(keys);
}

TEST_CASE("json_text: random trees give the bytes dump() gives", "[report][json]") {
    std::mt19937_64 rng(20261207);
    // Strings from an alphabet rich in what needs escaping or decoding.
    const std::string pieces[] = {"a", "Z", " ", "\"", "\\", "/", "\x7f", "\x1f", "\n", "\t", "\b", "\f", "\r",
                                  std::string(1, '\0'), "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\x92", "\xff",
                                  "\xc3", "3389", "e+"};
    auto random_string = [&] {
        std::string s;
        const int n = static_cast<int>(rng() % 40);  // long enough for the 8-byte scan
        for (int i = 0; i < n; ++i) {
            const std::string& p = pieces[rng() % std::size(pieces)];
            // Invalid UTF-8 only now and then, so that most trees print.
            if ((p == "\xff" || p == "\xc3") && rng() % 8) continue;
            s += p;
        }
        return s;
    };
    auto random_double = [&] {
        switch (rng() % 4) {
            case 0: return static_cast<double>(static_cast<std::int64_t>(rng() % 2000000) - 1000000) / 1000.0;
            case 1: return 1.7e9 + static_cast<double>(rng() % 1000000) / 1e6;  // epoch seconds
            default: {
                std::uint64_t bits = rng();
                double d;
                std::memcpy(&d, &bits, sizeof d);  // every exponent, NaN and infinities too
                return d;
            }
        }
    };
    std::function<json(int)> random_value = [&](int depth) -> json {
        const int kind = static_cast<int>(rng() % (depth > 0 ? 9 : 7));
        switch (kind) {
            case 0: return nullptr;
            case 1: return rng() % 2 == 0;
            case 2: return static_cast<std::int64_t>(rng());
            case 3: return rng();
            case 4: return random_double();
            case 5:
            case 6: return random_string();
            case 7: {
                json a = json::array();
                for (int i = static_cast<int>(rng() % 5); i > 0; --i) a.push_back(random_value(depth - 1));
                return a;
            }
            default: {
                json o = json::object();
                for (int i = static_cast<int>(rng() % 6); i > 0; --i) o[random_string()] = random_value(depth - 1);
                return o;
            }
        }
    };
    for (int i = 0; i < 3000; ++i) same_as_dump(random_value(4));
}

TEST_CASE("json_text: every record analyze and dissect print for the bundled captures is dump()'s text", "[report][json]") {
    // Each printed line, parsed and dumped again by nlohmann, is the same
    // line: what nlohmann parses it prints back as it printed it.
    const fs::path out_path = fs::temp_directory_path() / "rdpscope-json-text.jsonl";
    std::size_t files = 0, lines = 0;
    for (const char* dir : {"tests/pcaps/public", "tests/pcaps/lab"}) {
        for (const auto& e : fs::recursive_directory_iterator(test::source_path(dir))) {
            const auto name = e.path().filename().string();
            if (!e.is_regular_file() || !(name.ends_with(".pcap") || name.ends_with(".pcapng"))) continue;
            INFO("capture " << e.path());
            for (bool dissect : {false, true}) {
                std::FILE* out = std::fopen(out_path.c_str(), "w");
                std::FILE* null = std::fopen("/dev/null", "w");
                REQUIRE(out);
                REQUIRE(null);
                if (dissect) {
                    DissectWriter w(out, null, Format::json);
                    run_file(e.path().string(), w, TrackerOptions{}, null);
                } else {
                    ReportWriter w(out, null, Format::json);
                    run_file(e.path().string(), w, TrackerOptions{}, null);
                }
                std::fclose(out);
                std::fclose(null);
                std::ifstream in(out_path);
                for (std::string line; std::getline(in, line); ++lines) {
                    INFO("line " << line.substr(0, 200));
                    CHECK(json::parse(line).dump() == line);
                }
            }
            ++files;
        }
    }
    fs::remove(out_path);
    CHECK(files >= 40);
    CHECK(lines >= 1000);
}

TEST_CASE("JsonWriter: each kind of field is written as the tree holding it is", "[report][json]") {
    // The types a connection's report writes (report/summary.cpp), each set
    // in a tree as the tree-building code did and written by the writer.
    const std::vector<double> intervals{0.5, 1000.25, 3.0};
    const std::vector<std::string> names{"SSL", "HYBRID\n", "caf\xc3\xa9"};
    json t = json::object();
    t["u8"] = std::uint8_t{200};
    t["u16"] = std::uint16_t{3389};
    t["i"] = -5;
    t["i64"] = std::numeric_limits<std::int64_t>::min();
    t["u64"] = std::numeric_limits<std::uint64_t>::max();
    t["f"] = 0.1f;
    t["d"] = 1.0 / 3.0;
    t["nan"] = std::nan("");
    t["b"] = false;
    t["n"] = nullptr;
    t["sv"] = std::string_view("view");
    t["cs"] = "literal";
    t["intervals"] = intervals;
    t["names"] = names;
    t["nested"] = {{"k", 1}, {"empty", json::array()}, {"o", json::object()}};
    t["tree"] = json::array({1, "two", nullptr});

    // One call sequence, written once as text and once in tree mode; the
    // tree written whole is the only field the caller passes in.
    const auto write_fields = [&](JsonWriter& w, const json& whole) {
        w.begin_object();
        w.field("u8", std::uint8_t{200}).field("u16", std::uint16_t{3389}).field("i", -5);
        w.field("i64", std::numeric_limits<std::int64_t>::min()).field("u64", std::numeric_limits<std::uint64_t>::max());
        w.field("f", 0.1f).field("d", 1.0 / 3.0).field("nan", std::nan("")).field("b", false).field("n", nullptr);
        w.field("sv", std::string_view("view")).field("cs", "literal").field("intervals", intervals).field("names", names);
        w.key("nested").begin_object().field("k", 1);
        w.key("empty").begin_array().end_array();
        w.key("o").begin_object().end_object();
        w.end_object();
        w.field("tree", whole);
        w.end_object();
    };
    JsonWriter w;
    write_fields(w, json::array({1, "two", nullptr}));
    const std::string text = w.take();
    CHECK(text == t.dump());

    // The same calls in tree mode give the tree the text reads back as:
    // frames and counts unsigned (html_ladder asks), NaN null, also inside
    // a tree written whole.
    const json tree = json_tree([&](JsonWriter& tw) { write_fields(tw, json::array({1, "two", nullptr, std::nan("")})); });
    const json read_back = json::parse(text);
    CHECK(tree.dump() == text.substr(0, text.size() - 2) + ",null]}");  // the NaN added to "tree"
    CHECK(tree["nested"]["k"].is_number_unsigned());
    CHECK(tree["tree"][0].is_number_unsigned());
    CHECK(tree["i"] == read_back["i"]);
    CHECK(tree["nan"].is_null());
    CHECK(tree["tree"][3].is_null());

    // Invalid UTF-8 is refused as the tree's text refuses it.
    JsonWriter wb;
    wb.begin_object();
    CHECK_THROWS_AS(wb.field("s", std::string("\xff")), json::type_error);
}
