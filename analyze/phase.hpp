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
    mcs_connect,        // basic settings exchange
    channel_join,
    security_exchange,  // standard RDP security only
    secure_settings,    // Client Info and on (licensing, capabilities)
    established,        // the server sends sustained data after the connection sequence
};

const char* to_string(Phase p);

}  // namespace rdpscope
