// SPDX-License-Identifier: MIT
// Helpers shared by the unit tests: hex vectors and paths to the bundled captures.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rdpscope::test {

// "03 00 00 13 0e e0 ..." -> bytes; spaces and newlines ignored.
inline std::vector<std::uint8_t> hex(std::string_view s) {
    std::vector<std::uint8_t> out;
    int hi = -1;
    for (char c : s) {
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else if (c == ' ' || c == '\n' || c == '\t' || c == ':') continue;
        else throw std::invalid_argument("bad hex digit");
        if (hi < 0) hi = v;
        else { out.push_back(static_cast<std::uint8_t>(hi << 4 | v)); hi = -1; }
    }
    if (hi >= 0) throw std::invalid_argument("odd number of hex digits");
    return out;
}

inline std::string source_path(std::string_view rel) {
    return std::string(RDPSCOPE_SOURCE_DIR) + "/" + std::string(rel);
}

// Every capture file under tests/pcaps (any name with ".pcap" in it, the
// Zeek folder's .pcap.historic too; not the expectations beside them), sorted.
inline std::vector<std::string> every_bundled_capture() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(source_path("tests/pcaps"))) {
        const std::string name = e.path().filename().string();
        if (!e.is_regular_file() || name.find(".pcap") == std::string::npos) continue;
        if (name.ends_with(".tsv") || name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".out")) continue;
        out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace rdpscope::test
