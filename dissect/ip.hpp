// SPDX-License-Identifier: MIT
// IPv4 (RFC 791) and IPv6 (RFC 8200) headers, extension headers skipped.
#pragma once

#include <cstdint>

#include "dissect/address.hpp"
#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::ip {

constexpr std::uint8_t kProtoICMP = 1;
constexpr std::uint8_t kProtoTCP = 6;
constexpr std::uint8_t kProtoUDP = 17;
constexpr std::uint8_t kProtoICMPv6 = 58;

struct Header {
    std::uint8_t version = 0;
    IpAddr src, dst;
    std::uint8_t protocol = 0;     // upper-layer protocol after extension headers
    std::uint8_t ttl = 0;          // TTL or hop limit
    std::uint32_t ip_id = 0;       // IPv4 identification; IPv6 fragment id if any
    bool dont_fragment = false;
    bool fragment = false;         // MF set or offset non-zero (v4), or a Fragment header (v6)
    bool first_fragment = true;    // offset 0: the transport header is here
    std::uint16_t header_length = 0;  // IP header plus extension headers
    std::uint32_t total_length = 0;   // on-wire length the header declares
    bool payload_cut = false;         // the capture holds fewer bytes than declared
    // The length field is 0 (IPv4 total length, IPv6 payload length): the
    // packet was captured before the NIC segmented it (TSO/LSO; Npcap on a
    // Windows sender) or is a Linux BIG TCP / jumbo packet.  Its length is the
    // frame's, as Wireshark presumes (packet-ip.c, ip.tso_support, on by default).
    bool length_from_frame = false;
    Bytes payload;                    // transport bytes present in the capture
};

// `quoted` relaxes the checks for the copy of a header inside an ICMP error,
// where the payload is cut on purpose.
Decoded<Header> decode(Bytes packet, bool quoted = false);

}  // namespace rdpscope::ip
