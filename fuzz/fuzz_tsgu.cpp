// SPDX-License-Identifier: MIT
// MS-TSGU HTTP packets back to back.
#include <cstddef>
#include <cstdint>

#include "dissect/tsgu.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope;
    Bytes in(data, size);
    while (!in.empty()) {
        auto h = tsgu::decode_header(in);
        if (!h || h->length > in.size()) break;
        auto p = tsgu::decode_packet(in.subspan(0, h->length));
        if (p) {
            if (p->data.size() > h->length) __builtin_trap();
            if (p->status) (void)tsgu::status_name(*p->status);
        }
        in = in.subspan(h->length);
    }
    return 0;
}
