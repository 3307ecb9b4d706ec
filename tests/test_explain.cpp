// SPDX-License-Identifier: MIT
// `rdpscope explain` and the disconnect-code tables: every code a verdict
// names is known to explain; hex and decimal parse alike; unknown codes exit 2.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdio>

#include "analyze/disconnect_codes.hpp"
#include "dissect/rdp_share.hpp"
#include "report/explain.hpp"

using namespace rdpscope;

TEST_CASE("explain: every code a verdict names is known", "[explain]") {
    std::FILE* null = std::fopen("/dev/null", "w");
    REQUIRE(null);
    for (const auto& v : verdict_codes()) {
        INFO(v.verdict);
        CHECK(find_main_code(v.main));
        const std::string main = "0x" + fmt::format("{:X}", v.main);
        if (v.extended) {
            CHECK((!extended_code_name(*v.extended).empty() || !share::errinfo_name(*v.extended).empty()));
            CHECK(explain_codes(main, std::to_string(*v.extended), null, null) == 0);
        } else {
            CHECK(explain_codes(main, std::nullopt, null, null) == 0);
        }
    }
    // Every ERRINFO the server_error_info rule can read gives codes explain knows.
    for (std::uint32_t e : {0x1u, 0x4u, 0x7u, 0x9u, 0xAu, 0xBu, 0xCu, 0x102u, 0x400u, 0x10C9u}) {
        const ClientCodes c = client_codes_for_errinfo(e);
        CHECK(find_main_code(c.main));
        CHECK(explain_codes(std::to_string(c.main), std::to_string(*c.extended), null, null) == 0);
    }
    std::fclose(null);
}

TEST_CASE("explain: hex and decimal, unknown codes exit 2", "[explain]") {
    CHECK(parse_code("0x904") == 2308u);
    CHECK(parse_code("2308") == 2308u);
    CHECK(parse_code("0X7") == 7u);
    CHECK(!parse_code("0xZZ"));
    CHECK(!parse_code("12abc"));
    CHECK(!parse_code(""));
    std::FILE* null = std::fopen("/dev/null", "w");
    CHECK(explain_codes("0x904", std::string("0x7"), null, null) == 0);
    CHECK(explain_codes("0x1234", std::nullopt, null, null) == 2);
    CHECK(explain_codes("0x904", std::string("0x8"), null, null) == 0);   // exDiscReasonServerDeniedConnectionFips
    CHECK(explain_codes("0x904", std::string("0x13"), null, null) == 2);  // neither table
    CHECK(explain_codes("abc", std::nullopt, null, null) == 2);
    std::fclose(null);
    CHECK(extended_code_name(7) == "exDiscReasonServerDeniedConnection");
    CHECK(share::errinfo_name(7) == "ERRINFO_SERVER_DENIED_CONNECTION");
}
