// SPDX-License-Identifier: MIT
// Small helpers for the values of the report, shared by the summary
// (summary.cpp, summary_security.cpp), the writers and the text renderers:
// times as JSON numbers and as text, strings made safe for JSON.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace rdpscope {

// Seconds since the epoch as a JSON number, to the microsecond (a double
// holds no more), whether the capture's timestamps are in micro- or nanoseconds.
nlohmann::ordered_json epoch_seconds(std::int64_t ts_ns);

// Such a number as text: "2024-01-31 12:34:56.789012 UTC".
std::string utc_time(double epoch);

// A string made safe for JSON output: invalid UTF-8 becomes U+FFFD.
std::string valid_utf8(std::string_view s);

// obj[key] = value for a key obj does not hold yet, at the end: ordered_json's
// operator[] first looks for the key among those already there, one string
// comparison each: for the `tcp` object's forty figures per side that was 2%
// of an all-RDP capture's instructions (issue 16).  The caller guarantees
// the key is new (checked in debug builds).
template <typename V>
void append_field(nlohmann::ordered_json& obj, const char* key, V&& value) {
    if (obj.is_null()) obj = nlohmann::ordered_json::object();
    auto& fields = obj.get_ref<nlohmann::ordered_json::object_t&>();
    assert(fields.find(key) == fields.end());
    using Base = std::vector<nlohmann::ordered_json::object_t::value_type>;
    static_cast<Base&>(fields).emplace_back(key, nlohmann::ordered_json(std::forward<V>(value)));
}

}  // namespace rdpscope
