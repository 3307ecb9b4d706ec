// SPDX-License-Identifier: MIT
// TPKT (RFC 1006 section 6) framing, and the RDP fast-path header that shares
// the stream with it once the connection is up (MS-RDPBCGR 2.2.9.1.2): both
// tell how long the next PDU is, which is all a stream framer needs.
#pragma once

#include <cstdint>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::tpkt {

constexpr std::size_t kHeaderLength = 4;
constexpr std::uint8_t kVersion = 3;

enum class Framing : std::uint8_t { tpkt, fast_path };

struct Frame {
    Framing framing = Framing::tpkt;
    std::uint16_t length = 0;   // whole PDU including its header
    std::uint8_t header_length = 0;
};

// Reads the length of the PDU starting at `stream`.  need_more when the header
// itself is incomplete; malformed when the bytes are neither TPKT nor fast-path
// or the length is impossible (< the header).
Decoded<Frame> frame(Bytes stream, bool allow_fast_path);

// The payload of a complete TPKT (the bytes after the 4-byte header).
Decoded<Bytes> payload(Bytes pdu);

}  // namespace rdpscope::tpkt
