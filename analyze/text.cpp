// SPDX-License-Identifier: MIT
#include "analyze/text.hpp"

#include <fmt/format.h>

namespace rdpscope {

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c >= 0x20 && c < 0x7f) out += c;
        else out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    }
    return out;
}

std::string guid_text(Bytes g) {
    std::string s;
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        s += fmt::format("{:02x}", g[i]);
    }
    return s;
}

}  // namespace rdpscope
