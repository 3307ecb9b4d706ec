// SPDX-License-Identifier: MIT
// WebSocket framing (RFC 6455 5.2): the frame header -- FIN, opcode, the
// mask and the payload length in its three encodings -- and unmasking.  An RD
// Gateway's WebSocket transport (MS-TSGU 2.2.3.2) carries the MS-TSGU packets
// as binary messages after an HTTP/1.1 101 upgrade; the client masks every
// frame (RFC 6455 5.3), the server none.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::websocket {

enum Opcode : std::uint8_t {
    kContinuation = 0x0,
    kText = 0x1,
    kBinary = 0x2,
    kClose = 0x8,
    kPing = 0x9,
    kPong = 0xA,
};

const char* opcode_name(std::uint8_t opcode);  // "binary", ...; "reserved" for the others

struct FrameHeader {
    bool fin = false;
    std::uint8_t rsv = 0;     // RSV1-3 (bits 6-4 of the first byte); an extension's
    std::uint8_t opcode = 0;
    bool masked = false;
    std::array<std::uint8_t, 4> mask{};
    std::uint64_t payload_length = 0;
    std::size_t header_length = 0;  // 2 to 14 bytes
};

// need_more while the header is incomplete; malformed for a reserved opcode,
// a control frame that is fragmented or longer than 125 bytes (5.5), a
// 64-bit length with its most significant bit set, or a length not in its
// shortest encoding (5.2: "the minimal number of bytes MUST be used").
Decoded<FrameHeader> decode_frame_header(Bytes stream);

// Unmasks (or masks: the same XOR) `data` in place, `offset` being the
// position of data[0] within the frame's payload (5.3).
void unmask(const std::array<std::uint8_t, 4>& mask, std::uint64_t offset, std::span<std::uint8_t> data);

// A Close frame's payload (5.5.1): the status code, when there is one.
struct Close {
    std::uint16_t code = 0;  // 0: none given
    Bytes reason;
};
Decoded<Close> decode_close(Bytes payload);

}  // namespace rdpscope::websocket
