// SPDX-License-Identifier: MIT
// The verdict on an RD Gateway's own connection (MS-TSGU over HTTPS): how far
// its ladder went -- gateway_connect (TCP, TLS), gateway_auth (HTTP
// authentication up to the WebSocket upgrade), gateway_tunnel (handshake,
// tunnel create, tunnel authorization), gateway_channel (the gateway reached
// the target) -- and, where it stopped, why: the HTTP status and reason phrase
// of a refusal, the HRESULT of a refused tunnel or channel (MS-TSGU 2.2.6).
// A table of rules like kRules (gateway_rules() documents them).  Needs the
// decrypted gateway protocol: only connections GatewayStage recognised as a
// gateway's are judged here.
#pragma once

#include "analyze/connection.hpp"
#include "analyze/verdict.hpp"

namespace rdpscope {

Verdict judge_gateway(const Connection& c, const JudgeContext& ctx);

// The UDP transport (MS-TSGU 1.3.3) seen without keys: DTLS on a gateway UDP
// port (analyze/gateway_udp.hpp), rules gateway_udp_transport / gateway_udp_unanswered.
struct GatewayUdpFacts;
Verdict judge_gateway_udp(const GatewayUdpFacts& f);

}  // namespace rdpscope
