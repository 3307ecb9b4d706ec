// SPDX-License-Identifier: MIT
// TCP header and options (RFC 9293 3.1, RFC 7323, RFC 2018).
#pragma once

#include <cstdint>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::tcp {

enum Flags : std::uint8_t { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80 };

struct Options {
    std::uint16_t mss = 0;          // 0: absent
    std::int16_t window_scale = -1; // -1: absent
    bool sack_permitted = false;
    std::uint8_t sack_blocks = 0;
    bool timestamps = false;
    std::uint32_t ts_val = 0, ts_ecr = 0;
};

struct Header {
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint32_t seq = 0, ack = 0;
    std::uint8_t header_length = 0;
    std::uint8_t flags = 0;
    std::uint16_t window = 0;
    Options options;
    Bytes payload;
    bool has(std::uint8_t f) const { return (flags & f) != 0; }
};

// `quoted`: the first 8 bytes inside an ICMP error (ports and sequence number only).
struct Quoted {
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint32_t seq = 0;
};

Decoded<Header> decode(Bytes segment);
Decoded<Quoted> decode_quoted(Bytes first_bytes);

}  // namespace rdpscope::tcp
