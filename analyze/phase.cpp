// SPDX-License-Identifier: MIT
#include "analyze/phase.hpp"

namespace rdpscope {

const char* to_string(Phase p) {
    switch (p) {
        case Phase::tcp_connect: return "tcp_connect";
        case Phase::x224_negotiation: return "x224_negotiation";
        case Phase::tls_handshake: return "tls_handshake";
        case Phase::credssp: return "credssp";
        case Phase::rdstls: return "rdstls";
        case Phase::rdsaad: return "rdsaad";
        case Phase::mcs_connect: return "mcs_connect";
        case Phase::channel_join: return "channel_join";
        case Phase::security_exchange: return "security_exchange";
        case Phase::secure_settings: return "secure_settings";
        case Phase::established: return "established";
        case Phase::gateway_connect: return "gateway_connect";
        case Phase::gateway_auth: return "gateway_auth";
        case Phase::gateway_tunnel: return "gateway_tunnel";
        case Phase::gateway_channel: return "gateway_channel";
    }
    return "?";
}

}  // namespace rdpscope
