// SPDX-License-Identifier: MIT
// The report's `flood` object and text line: what the flood bounds
// (analyze/flood.hpp) left out of the per-connection reports, in figures.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "analyze/flood.hpp"

namespace rdpscope {

// {"type":"flood", ...}: present only when something was left out.
nlohmann::ordered_json flood_json(const std::string& path, const FloodStats& f);
// Its text: a line for the unanswered SYN attempts, a line for the
// connections not listed.
std::string render_flood_text(const nlohmann::ordered_json& j);

}  // namespace rdpscope
