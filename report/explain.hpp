// SPDX-License-Identifier: MIT
// `rdpscope explain CODE [EXT]`: what a Windows Remote Desktop client's
// disconnect code (and extended code) mean, which verdicts name them, how
// they look on the wire, where to look on the machines, what to capture.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace rdpscope {

// A code as the user typed it: hex (0x904) or decimal (2308); nullopt if neither.
std::optional<std::uint32_t> parse_code(const std::string& text);

// Prints the explanation; 0, or 2 when a code is unknown (a message says so).
int explain_codes(const std::string& code, const std::optional<std::string>& ext, std::FILE* out, std::FILE* err);

}  // namespace rdpscope
