// SPDX-License-Identifier: MIT
// Link -> IP -> TCP/UDP/ICMP on arbitrary bytes, for every supported link type.
#include <cstddef>
#include <cstdint>

#include "dissect/packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static const int kLinkTypes[] = {0, 1, 12, 14, 101, 105, 108, 113, 228, 229, 276, 147};
    const int lt = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof kLinkTypes[0])];
    auto p = rdpscope::decode_packet(lt, {data + 1, size - 1});
    // Every view handed up must lie inside the input.
    auto inside = [&](rdpscope::Bytes b) {
        if (b.empty()) return;
        if (b.data() < data || b.data() + b.size() > data + size) __builtin_trap();
    };
    inside(p.link.payload);
    inside(p.ip.payload);
    inside(p.tcp.payload);
    inside(p.udp.payload);
    // The copy fingerprint reads the same views (and the IP header before them).
    (void)rdpscope::copy_fingerprint(p);
    return 0;
}
