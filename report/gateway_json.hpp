// SPDX-License-Identifier: MIT
// An RD Gateway connection as the report names it: the `gateway` object of
// `analyze` (JSON) and its text.  Fields: README "RD Gateway".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "analyze/connection.hpp"
#include "analyze/verdict.hpp"

namespace rdpscope {

nlohmann::ordered_json gateway_json(const Connection& c, const Verdict& v);
std::string render_gateway_text(const nlohmann::ordered_json& j);
// The UDP transport's flow (analyze/gateway_udp.hpp): a `gateway` object, transport rdg-udp.
nlohmann::ordered_json gateway_udp_json(const GatewayUdpFacts& f, const Verdict& v);

}  // namespace rdpscope
