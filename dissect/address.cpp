// SPDX-License-Identifier: MIT
#include "dissect/address.hpp"

#include <fmt/format.h>

namespace rdpscope {

namespace {

// RFC 5952 section 4: lower-case hex, no leading zeros, the longest run (of at
// least two) of zero groups collapsed to "::", the first such run on a tie.
std::string ipv6_text(const std::array<std::uint8_t, 16>& b) {
    std::uint16_t g[8];
    for (int i = 0; i < 8; ++i) g[i] = static_cast<std::uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) { ++i; continue; }
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) { best = i; best_len = j - i; }
        i = j;
    }
    // IPv4-mapped addresses read better in their usual form.
    if (best == 0 && best_len == 5 && g[5] == 0xffff)
        return fmt::format("::ffff:{}.{}.{}.{}", b[12], b[13], b[14], b[15]);
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        out += fmt::format("{:x}", g[i]);
    }
    return out;
}

}  // namespace

std::string to_string(const IpAddr& a) {
    if (a.version == 4) return fmt::format("{}.{}.{}.{}", a.b[0], a.b[1], a.b[2], a.b[3]);
    if (a.version == 6) return ipv6_text(a.b);
    return "?";
}

std::string to_string(const Endpoint& e) {
    if (e.ip.version == 6) return fmt::format("[{}]:{}", to_string(e.ip), e.port);
    return fmt::format("{}:{}", to_string(e.ip), e.port);
}

}  // namespace rdpscope
