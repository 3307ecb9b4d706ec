// SPDX-License-Identifier: MIT
// The names and text of what analyze/groups.hpp finds across connections:
// the `attempt` field and a cross-connection amendment of a connection's
// JSON, the `{"type":"group"}` objects, and their text forms.  Formats only.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "analyze/groups.hpp"

namespace rdpscope {

// The connection's `attempt` object.
nlohmann::ordered_json attempt_json(const AttemptInfo& a);
// The connection's verdict fields replaced by the amendment's, its own kept
// under `connection_verdict`, the block under `block`.
void apply_amendment(nlohmann::ordered_json& conn, const Amendment& a);
// One amendment as a group object lists it (by `conn`).
nlohmann::ordered_json amendment_json(const Amendment& a);
// A `{"type":"group"}` object; `final`: false for the minute-by-minute live ones.
nlohmann::ordered_json group_json(const GroupView& g, bool final);

// Text: a connection on one line; a group as a short block.
std::string render_connection_line(const nlohmann::ordered_json& conn);
std::string render_group_text(const nlohmann::ordered_json& group);

}  // namespace rdpscope
