// SPDX-License-Identifier: MIT
// DTLS record headers of one datagram (RFC 6347 4.1).
#include <cstddef>
#include <cstdint>

#include "dissect/dtls_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope;
    auto d = dtls::decode_datagram(Bytes(data, size));
    if (d) {
        if (d->count > d->records.size() || d->count > d->total) __builtin_trap();
        std::size_t bytes = 0;
        for (std::size_t i = 0; i < d->count; ++i) {
            const auto& r = d->records[i];
            if (r.type < 20 || r.type > 23 || r.sequence >> 48) __builtin_trap();
            bytes += dtls::kRecordHeaderLength + r.length;
            (void)dtls::handshake_name(r.handshake_type);
        }
        if (bytes > size) __builtin_trap();
    }
    return 0;
}
