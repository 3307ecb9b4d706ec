// SPDX-License-Identifier: MIT
// The steps of the RDP connection handshake (MS-RDPBCGR 1.3.1.1), as the
// verdict engine names them.  Order matters: a later phase implies the earlier.
#pragma once

#include <cstdint>
#include <optional>

namespace rdpscope {

enum class Phase : std::uint8_t {
    tcp_connect,
    x224_negotiation,
    tls_handshake,      // selectedProtocol != 0
    credssp,            // NLA: HYBRID / HYBRID_EX (with the Early User Authorization Result)
    // The two other ways to authenticate the user inside TLS (MS-RDPBCGR
    // 5.4.5.3, 5.4.5.4), not CredSSP: the server speaks first after TLS (RDSTLS
    // Capabilities / the RDS AAD Server Nonce), the client answers with its
    // Authentication Request, the server with the result; then MCS.
    rdstls,             // PROTOCOL_RDSTLS (0x4): a redirected client's credentials (2.2.17)
    rdsaad,             // PROTOCOL_RDSAAD (0x10): Entra ID sign-in, an RDP assertion (2.2.18)
    mcs_connect,        // basic settings exchange
    channel_join,
    security_exchange,  // standard RDP security only
    secure_settings,    // Client Info and on (licensing, capabilities)
    established,        // the server sends sustained data after the connection sequence
    // An RD Gateway's own connection (MS-TSGU, analyze/gateway_verdict.hpp), a
    // ladder of its own: they follow `established` only to keep the RDP
    // phases' numbers; no RDP connection reaches them.
    gateway_connect,    // TCP and TLS to the gateway
    gateway_auth,       // HTTP authentication, up to the 101 upgrade (or 200)
    gateway_tunnel,     // MS-TSGU handshake, tunnel create and tunnel authorization
    gateway_channel,    // channel create: the gateway connected to the target
};

const char* to_string(Phase p);

}  // namespace rdpscope
