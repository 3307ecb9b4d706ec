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

// A fingerprint of the IP packet `p` was decoded from (it must still point
// into the frame), to tell copies of one packet apart from packets sent again:
// a hash of every byte from the IP header to the end of the IP payload,
// except those a second vantage point rewrites or a sending host leaves
// unfinished -- the IPv4 TTL and header checksum, the IPv6 hop limit, and the
// TCP and UDP checksums (a SPAN port's second copy was routed once more;
// pktmon's and Npcap's sent packets carry zero or partial checksums under
// checksum offload).  The IPv4 ID, IPv6 flow label, ports, sequence and
// acknowledgement numbers, options, the payload's length and its first
// bytes (the IP payload's first 128) all count, so a retransmission (a new
// IPv4 ID; a new TCP timestamp) differs.  0 (no
// fingerprint: never a copy) when `p` holds no IP packet, or one that a
// second sending would not change: IPv4 with ID 0, IPv6 other than TCP,
// IPv6 TCP segments that only acknowledge.
// Pure, no allocation.
std::uint64_t copy_fingerprint(const PacketInfo& p);
// The same through the general link and IP decoders only, without the fast
// path for Ethernet + IPv4 that decode_packet takes first (tests compare them).
PacketInfo decode_packet_general(int linktype, Bytes frame);

}  // namespace rdpscope
