// SPDX-License-Identifier: MIT
// HTTP/2 framing (RFC 9113): the client connection preface (3.4), the 9-byte
// frame header (4.1) and the payloads of the frame types a KDC proxy
// connection (MS-KKDCP over h2, as mstsc talks to an RD Gateway's
// /KdcProxy) carries: DATA with its padding (6.1), HEADERS with padding and
// priority (6.2), CONTINUATION (6.10), SETTINGS (6.5), RST_STREAM (6.4),
// GOAWAY (6.8), WINDOW_UPDATE (6.9), PING (6.7), PRIORITY (6.3).  The header
// block fragments are HPACK (RFC 7541), decoded statefully by
// dissect/hpack.hpp.  Pure: spans in, spans into the same bytes out.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::http2 {

// RFC 9113 3.4: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24 octets.
inline constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
inline constexpr std::size_t kFrameHeaderLength = 9;
// 4.2: SETTINGS_MAX_FRAME_SIZE may be raised up to 2^24-1; the length field
// can say no more.  A decoder of a stream gathers at most this much a frame.
inline constexpr std::uint32_t kMaxFrameLength = (1u << 24) - 1;

enum Type : std::uint8_t {
    kData = 0x0,
    kHeaders = 0x1,
    kPriority = 0x2,
    kRstStream = 0x3,
    kSettings = 0x4,
    kPushPromise = 0x5,
    kPing = 0x6,
    kGoaway = 0x7,
    kWindowUpdate = 0x8,
    kContinuation = 0x9,
};

enum Flag : std::uint8_t {
    kEndStream = 0x1,   // DATA, HEADERS
    kAck = 0x1,         // SETTINGS, PING
    kEndHeaders = 0x4,  // HEADERS, CONTINUATION, PUSH_PROMISE
    kPadded = 0x8,      // DATA, HEADERS, PUSH_PROMISE
    kPriorityFlag = 0x20,  // HEADERS
};

// "DATA", "HEADERS", ...; "unknown" for an extension type (4.1: ignored).
const char* type_name(std::uint8_t type);
// RFC 9113 7: "NO_ERROR", "PROTOCOL_ERROR", ... "HTTP_1_1_REQUIRED"; empty for others.
std::string_view error_name(std::uint32_t code);
// RFC 9113 6.5.2: "HEADER_TABLE_SIZE", ... ; empty for others.
std::string_view setting_name(std::uint16_t id);

struct FrameHeader {
    std::uint32_t length = 0;  // of the payload
    std::uint8_t type = 0;
    std::uint8_t flags = 0;
    std::uint32_t stream_id = 0;  // the reserved bit cleared (4.1)
};

// need_more below 9 bytes.
Decoded<FrameHeader> decode_frame_header(Bytes stream);

struct Setting {
    std::uint16_t id = 0;
    std::uint32_t value = 0;
};

// One frame's payload, read according to its type; spans point into the input.
struct Frame {
    FrameHeader header;
    std::uint8_t pad_length = 0;  // DATA, HEADERS (PADDED)
    Bytes data;                   // DATA: the data without padding
    Bytes block;                  // HEADERS / CONTINUATION: the header block fragment
    bool exclusive = false;       // HEADERS with PRIORITY, PRIORITY
    std::uint32_t dependency = 0;
    std::uint8_t weight = 0;
    static constexpr std::size_t kMaxSettings = 16;  // more are counted, not kept
    std::array<Setting, kMaxSettings> settings{};
    std::size_t setting_count = 0;   // kept
    std::size_t settings_total = 0;  // in the frame
    std::uint32_t error_code = 0;     // RST_STREAM, GOAWAY
    std::uint32_t last_stream_id = 0; // GOAWAY
    Bytes debug;                      // GOAWAY additional debug data
    std::uint32_t increment = 0;      // WINDOW_UPDATE
    bool end_stream() const { return (header.type == kData || header.type == kHeaders) && (header.flags & kEndStream); }
    bool end_headers() const {
        return (header.type == kHeaders || header.type == kContinuation || header.type == kPushPromise) &&
               (header.flags & kEndHeaders);
    }
    bool ack() const { return (header.type == kSettings || header.type == kPing) && (header.flags & kAck); }
};

// A whole frame (header and payload; `frame` may run on past it: only
// 9 + length bytes are read).  need_more while incomplete; malformed as 6.x
// says a frame is a connection or stream error of type PROTOCOL_ERROR or
// FRAME_SIZE_ERROR: padding not shorter than the payload, DATA / HEADERS /
// CONTINUATION / RST_STREAM / PRIORITY on stream 0, SETTINGS / PING / GOAWAY
// on a stream, a SETTINGS length not a multiple of 6 (or an ACK with a
// payload), a fixed-size frame of another size.  Unknown types are given
// with their header only.
Decoded<Frame> decode_frame(Bytes frame);

}  // namespace rdpscope::http2
