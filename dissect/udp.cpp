// SPDX-License-Identifier: MIT
#include "dissect/udp.hpp"

#include <algorithm>

namespace rdpscope::udp {

Decoded<Header> decode(Bytes datagram) {
    Reader r(datagram);
    Header h;
    if (!r.u16be(h.src_port) || !r.u16be(h.dst_port) || !r.u16be(h.length) || !r.skip(2))
        return DecodeError::truncated("udp", "header", r.offset());
    if (h.length != 0 && h.length < 8) return DecodeError::malformed("udp", "length", 4);
    // Length 0 happens with jumbograms and with some offloaded captures: take what is there.
    const std::size_t declared = h.length ? h.length - 8u : r.remaining();
    h.payload = r.rest().first(std::min(declared, r.remaining()));
    return h;
}

}  // namespace rdpscope::udp
