// SPDX-License-Identifier: MIT
// One captured frame decoded through link, IP and transport: what the analyzer
// needs to place the packet in a flow.  Pure; no allocation.
#pragma once

#include <cstdint>
#include <optional>

#include "dissect/icmp.hpp"
#include "dissect/ip.hpp"
#include "dissect/link.hpp"
#include "dissect/tcp.hpp"
#include "dissect/udp.hpp"

namespace rdpscope {

enum class Transport : std::uint8_t { none, tcp, udp, icmp };

struct PacketInfo {
    link::Frame link;
    ip::Header ip;
    Transport transport = Transport::none;
    tcp::Header tcp;
    udp::Header udp;
    icmp::Message icmp;
    // The first layer that could not be decoded, if any (the packet is then
    // ignored above that layer).
    std::optional<DecodeError> error;
    bool ip_fragment_without_header = false;  // non-first fragment: no ports
};

PacketInfo decode_packet(int linktype, Bytes frame);
// The same through the general link and IP decoders only, without the fast
// path for Ethernet + IPv4 that decode_packet takes first (tests compare them).
PacketInfo decode_packet_general(int linktype, Bytes frame);

}  // namespace rdpscope
