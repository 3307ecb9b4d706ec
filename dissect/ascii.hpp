// SPDX-License-Identifier: MIT
#pragma once
// ASCII case folding for protocol tokens: HTTP methods and field names
// (RFC 9110 5.1, 9.1: case-insensitive), host names (RFC 4343), URL paths
// matched the way Windows' IIS matches them. Locale-independent on purpose:
// std::tolower follows the C locale, and `c | 0x20` also folds '@' into '`'
// and '[' into '{'.
#include <string_view>

namespace rdpscope::ascii {

constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequal(s.substr(0, prefix.size()), prefix);
}

}  // namespace rdpscope::ascii
