// SPDX-License-Identifier: MIT
// Link layers: from a captured frame to the network-layer packet inside it.
#pragma once

#include <cstdint>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::link {

// Link-layer header types as libpcap reports them (pcap_datalink()).
enum LinkType : int {
    null_bsd = 0,       // DLT_NULL: 4-byte address family in the writer's byte order
    ethernet = 1,       // DLT_EN10MB
    raw_dlt = 12,       // DLT_RAW on most platforms (LINKTYPE_RAW = 101 in files)
    raw_openbsd = 14,   // DLT_RAW on OpenBSD
    raw_linktype = 101, // LINKTYPE_RAW, if a reader hands it through unmapped
    loop = 108,         // DLT_LOOP: like NULL, family in network byte order
    linux_sll = 113,    // Linux cooked capture v1
    ipv4_only = 228,    // LINKTYPE_IPV4
    ipv6_only = 229,    // LINKTYPE_IPV6
    linux_sll2 = 276,   // Linux cooked capture v2
    ieee802_11 = 105,   // LINKTYPE_IEEE802_11: 802.11 frames without radio header (etl2pcapng's wifi:N)
};

bool supported(int linktype);
const char* name(int linktype);

enum class Network : std::uint8_t { ipv4, ipv6, other };

struct Frame {
    Network network = Network::other;
    std::uint16_t ethertype = 0;  // as found (0 when the link has none)
    std::uint8_t vlan_tags = 0;   // 802.1Q / 802.1ad tags skipped
    // An 802.11 data frame (LLC/SNAP) although the interface says Ethernet:
    // pktmon on Wi-Fi labels the miniport's native 802.11 frames so
    // (MicrosoftDocs/windowsserverdocs#6696).  Decoded as 802.11.
    bool wifi_as_ethernet = false;
    Bytes payload;                // the network-layer packet
};

Decoded<Frame> decode(int linktype, Bytes frame);

}  // namespace rdpscope::link
