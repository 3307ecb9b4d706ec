// SPDX-License-Identifier: MIT
// Small helpers for the values of the report, shared by the summary
// (summary.cpp, summary_security.cpp), the writers and the text renderers:
// times as JSON numbers and as text, strings made safe for JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rdpscope {

// Seconds since the epoch as a JSON number, to the microsecond (a double
// holds no more), whether the capture's timestamps are in micro- or nanoseconds.
nlohmann::ordered_json epoch_seconds(std::int64_t ts_ns);

// Such a number as text: "2024-01-31 12:34:56.789012 UTC".
std::string utc_time(double epoch);

// A string made safe for JSON output: invalid UTF-8 becomes U+FFFD.
std::string valid_utf8(std::string_view s);

}  // namespace rdpscope
