// SPDX-License-Identifier: MIT
#include "dissect/websocket.hpp"

namespace rdpscope::websocket {

namespace {
constexpr std::string_view kLayer = "websocket";
}

const char* opcode_name(std::uint8_t opcode) {
    switch (opcode) {
        case kContinuation: return "continuation";
        case kText: return "text";
        case kBinary: return "binary";
        case kClose: return "close";
        case kPing: return "ping";
        case kPong: return "pong";
        default: return "reserved";
    }
}

Decoded<FrameHeader> decode_frame_header(Bytes stream) {
    Reader r(stream);
    std::uint8_t b0 = 0, b1 = 0;
    if (!r.u8(b0) || !r.u8(b1)) return DecodeError::need_more(kLayer, "header", r.offset(), 2);
    FrameHeader h;
    h.fin = b0 & 0x80;
    h.rsv = static_cast<std::uint8_t>((b0 >> 4) & 0x7);
    h.opcode = b0 & 0x0F;
    h.masked = b1 & 0x80;
    const bool control = h.opcode & 0x8;
    if ((h.opcode >= 0x3 && h.opcode <= 0x7) || h.opcode >= 0xB) return DecodeError::malformed(kLayer, "opcode", 0);
    const std::uint8_t len7 = b1 & 0x7F;
    if (len7 < 126) {
        h.payload_length = len7;
    } else if (len7 == 126) {
        std::uint16_t n = 0;
        if (!r.u16be(n)) return DecodeError::need_more(kLayer, "extended_length", r.offset(), 4);
        if (n < 126) return DecodeError::malformed(kLayer, "extended_length", 2);
        h.payload_length = n;
    } else {
        std::uint64_t n = 0;
        if (!r.uint_be(8, n)) return DecodeError::need_more(kLayer, "extended_length", r.offset(), 10);
        if (n >> 63) return DecodeError::malformed(kLayer, "extended_length", 2);
        if (n <= 0xFFFF) return DecodeError::malformed(kLayer, "extended_length", 2);
        h.payload_length = n;
    }
    if (control && (!h.fin || h.payload_length > 125)) return DecodeError::malformed(kLayer, "control_frame", 0);
    if (h.masked) {
        auto key = r.bytes(4);
        if (!key) return DecodeError::need_more(kLayer, "masking_key", r.offset(), r.consumed() + 4);
        for (std::size_t i = 0; i < 4; ++i) h.mask[i] = (*key)[i];
    }
    h.header_length = r.consumed();
    return h;
}

void unmask(const std::array<std::uint8_t, 4>& mask, std::uint64_t offset, std::span<std::uint8_t> data) {
    for (std::size_t i = 0; i < data.size(); ++i) data[i] ^= mask[(offset + i) & 3];
}

Decoded<Close> decode_close(Bytes payload) {
    Close c;
    if (payload.empty()) return c;
    Reader r(payload);
    if (!r.u16be(c.code)) return DecodeError::malformed(kLayer, "close_code", 0);
    c.reason = r.rest();
    return c;
}

}  // namespace rdpscope::websocket
