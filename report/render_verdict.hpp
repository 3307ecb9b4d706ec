// SPDX-License-Identifier: MIT
// The verdict part of a connection's text report: the cause in plain words,
// who was waiting, the ladder of handshake steps with frames and times, and the
// evidence frames.  Rendered from the connection's JSON, so text and JSON agree.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace rdpscope {

// `color`: ANSI colours for a terminal.
std::string render_verdict_text(const nlohmann::ordered_json& conn, bool color);

}  // namespace rdpscope
