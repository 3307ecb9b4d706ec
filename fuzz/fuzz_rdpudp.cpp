// SPDX-License-Identifier: MIT
// libFuzzer target for RDP-UDP datagrams (rdpudp.hpp), in all three framing
// modes: detection, and each framing forced.
#include <cstddef>
#include <cstdint>

#include "dissect/rdp_names.hpp"
#include "dissect/rdpudp.hpp"

using namespace rdpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    for (auto framing : {rdpudp::Framing::detect, rdpudp::Framing::v1, rdpudp::Framing::v2}) {
        auto d = rdpudp::decode(input, framing);
        if (!d) continue;
        (void)d->switches_to_v2();
        std::size_t s = 0;
        if (d->v1) {
            (void)names::rdpudp_flags(d->v1->header.flags);
            for (std::uint8_t b : d->v1->data) s += b;
            for (std::uint8_t b : d->v1->correlation_id) s += b;
            if (d->v1->ack_vector)
                for (std::uint8_t b : d->v1->ack_vector->elements) s += b;
        }
        if (d->v2) {
            auto body = d->v2->data();
            if (body.size() != d->v2->data_size()) __builtin_trap();
            for (std::uint8_t b : body) s += b;
        }
        (void)s;
    }
    return 0;
}
