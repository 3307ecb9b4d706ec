// SPDX-License-Identifier: MIT
#include "dissect/dtls_record.hpp"

#include <algorithm>

namespace rdpscope::dtls {

namespace {
constexpr std::string_view kLayer = "dtls";

// MS-TSGU 2.2.11.9: reserved 0 (4 bytes), 0x1DAA, 16-byte id, 0xAA1D, 26 -- little-endian.
bool correlation_info(Bytes b, std::array<std::uint8_t, 16>& id) {
    if (b.size() != kCorrelationInfoLength) return false;
    Reader r(b);
    std::uint32_t reserved = 0;
    std::uint16_t sig1 = 0, sig2 = 0, cb = 0;
    r.u32le(reserved);
    r.u16le(sig1);
    const Bytes g = *r.bytes(16);
    r.u16le(sig2);
    r.u16le(cb);
    if (reserved != 0 || sig1 != 0x1DAA || sig2 != 0xAA1D || cb != kCorrelationInfoLength) return false;
    std::copy(g.begin(), g.end(), id.begin());
    return true;
}
}  // namespace

Decoded<Datagram> decode_datagram(Bytes payload) {
    Datagram d;
    Reader r(payload);
    if (r.empty()) return DecodeError::malformed(kLayer, "record", 0);
    while (!r.empty()) {
        const std::size_t at = r.offset();
        if (d.total > 0 && correlation_info(r.rest(), d.correlation_id)) {
            d.has_correlation = true;
            break;
        }
        Record rec;
        std::uint16_t seq_hi = 0;
        std::uint32_t seq_lo = 0;
        if (!r.u8(rec.type)) return DecodeError::malformed(kLayer, "record", at);
        if (rec.type < 20 || rec.type > 23) return DecodeError::malformed(kLayer, "content_type", at);
        if (!r.u16be(rec.version)) return DecodeError::malformed(kLayer, "version", at + 1);
        if (rec.version != kDtls10 && rec.version != kDtls12) return DecodeError::malformed(kLayer, "version", at + 1);
        if (!r.u16be(rec.epoch) || !r.u16be(seq_hi) || !r.u32be(seq_lo) || !r.u16be(rec.length))
            return DecodeError::malformed(kLayer, "length", at + 3);
        rec.sequence = std::uint64_t{seq_hi} << 32 | seq_lo;
        if (rec.length > kMaxRecordLength || rec.length > r.remaining())
            return DecodeError::malformed(kLayer, "length", at + 11);
        const Bytes fragment = *r.bytes(rec.length);
        // RFC 6347 4.2.2: in the clear (epoch 0) a handshake record starts
        // with a handshake header; its msg_type is its first byte.
        if (rec.type == 22 && rec.epoch == 0 && !fragment.empty()) {
            rec.handshake_type = fragment[0];
            // 4.2.2: msg_type(1) length(3) message_seq(2) fragment_offset(3)
            // fragment_length(3), then the body; a hello's body starts with
            // its version (4.2.1, RFC 5246 7.4.1.2-3).
            Reader h(fragment);
            std::uint32_t fragment_offset = 0;
            std::uint16_t hv = 0;
            if ((rec.handshake_type >= 1 && rec.handshake_type <= 3) && h.skip(6) && h.u24be(fragment_offset) &&
                fragment_offset == 0 && h.skip(3) && h.u16be(hv))
                rec.hello_version = hv;
        }
        if (d.count < d.records.size()) d.records[d.count++] = rec;
        ++d.total;
    }
    return d;
}

const char* handshake_name(std::uint8_t type) {
    switch (type) {
        case 1: return "client_hello";
        case 2: return "server_hello";
        case 3: return "hello_verify_request";
        case 11: return "certificate";
        case 12: return "server_key_exchange";
        case 13: return "certificate_request";
        case 14: return "server_hello_done";
        case 16: return "client_key_exchange";
        default: return "handshake";
    }
}

}  // namespace rdpscope::dtls
