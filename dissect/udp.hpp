// SPDX-License-Identifier: MIT
// UDP header (RFC 768).
#pragma once

#include <cstdint>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::udp {

struct Header {
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint16_t length = 0;
    Bytes payload;
};

Decoded<Header> decode(Bytes datagram);

}  // namespace rdpscope::udp
