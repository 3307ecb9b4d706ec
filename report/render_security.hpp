// SPDX-License-Identifier: MIT
// The text form of the issue-5 report objects (summary_security.hpp): the
// same facts in words, rendered from the JSON so text and JSON always agree.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace rdpscope {

// The `mcs`, `security`, `tls` and `udp` lines of a connection ("" if none).
std::string render_security_text(const nlohmann::ordered_json& conn);

// A `"type":"udp_flow"` object as its own block.
std::string render_udp_flow_text(const nlohmann::ordered_json& flow);

}  // namespace rdpscope
