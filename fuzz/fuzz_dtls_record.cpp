// SPDX-License-Identifier: MIT
// DTLS record headers of one datagram (RFC 6347 4.1), and the MS-TSGU
// 2.2.11.9 UDP_CORRELATION_INFO a gateway client appends to its ClientHello.
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
        if (d->has_correlation) bytes += dtls::kCorrelationInfoLength;
        // Every byte is a record or the correlation tail: when all records
        // were kept, they and the tail are the whole datagram.
        if (bytes > size || (d->count == d->total && bytes != size)) __builtin_trap();
        if (d->has_correlation && d->total == 0) __builtin_trap();
    }
    return 0;
}
