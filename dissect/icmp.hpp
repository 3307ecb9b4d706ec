// SPDX-License-Identifier: MIT
// ICMP (RFC 792, RFC 1191) and ICMPv6 (RFC 4443) errors, with the connection
// they quote: the copied IP header plus the first transport bytes tie the error
// to the 5-tuple it refers to.
#pragma once

#include <cstdint>
#include <optional>

#include "dissect/address.hpp"
#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::icmp {

enum class Kind : std::uint8_t {
    other,             // echo, router advertisement...: not an error
    unreachable,       // destination unreachable (any code)
    packet_too_big,    // v4 unreachable code 4 (fragmentation needed) or v6 type 2
    time_exceeded,
    parameter_problem,
    source_quench,
    redirect,
};

struct Quote {
    IpAddr src, dst;
    std::uint8_t protocol = 0;
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint32_t tcp_seq = 0;
    bool has_ports = false;
};

struct Message {
    bool v6 = false;
    std::uint8_t type = 0, code = 0;
    Kind kind = Kind::other;
    std::uint32_t mtu = 0;             // next-hop MTU for packet-too-big
    bool admin_prohibited = false;     // v4 codes 9, 10, 13; v6 code 1
    std::optional<Quote> quote;        // present for errors whose quote decodes
};

Decoded<Message> decode_v4(Bytes message);
Decoded<Message> decode_v6(Bytes message);

// Short name of the type/code, Wireshark-like ("port unreachable", "admin prohibited").
const char* describe(const Message& m);

}  // namespace rdpscope::icmp
