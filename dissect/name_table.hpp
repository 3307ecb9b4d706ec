// SPDX-License-Identifier: MIT
// Code -> name tables: the one shape every name table in dissect/ uses
// (rdp_names.cpp, tls_names.cpp), and the two ways of reading one.
// Tables are constexpr arrays (C arrays or std::array) of Named<T>.
#pragma once

#include <string_view>
#include <vector>

namespace rdpscope {

template <typename T>
struct Named {
    T code;
    std::string_view name;
};

// The name of `code`, "" when the table does not know it.  A linear scan:
// the tables are small; a large sorted one is binary-searched by its user.
template <typename Table, typename T>
constexpr std::string_view lookup(const Table& table, T code) {
    for (const auto& e : table)
        if (e.code == code) return e.name;
    return {};
}

// Names of the bits of `value` that `table` knows, in table order.  Bits the
// table does not know are left out: callers that print flags print the raw
// value beside the names.
template <typename Table, typename T>
std::vector<std::string_view> bit_names(const Table& table, T value) {
    std::vector<std::string_view> out;
    for (const auto& e : table)
        if ((value & e.code) == e.code) out.push_back(e.name);
    return out;
}

}  // namespace rdpscope
