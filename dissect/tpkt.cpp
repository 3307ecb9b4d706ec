// SPDX-License-Identifier: MIT
#include "dissect/tpkt.hpp"

namespace rdpscope::tpkt {

Decoded<Frame> frame(Bytes stream, bool allow_fast_path) {
    Reader r(stream);
    std::uint8_t first;
    if (!r.u8(first)) return DecodeError::need_more("tpkt", "version", 0, kHeaderLength);
    if (first == kVersion) {
        std::uint8_t reserved;
        std::uint16_t length;
        if (!r.u8(reserved) || !r.u16be(length))
            return DecodeError::need_more("tpkt", "length", r.offset(), kHeaderLength);
        // RFC 1006: the length counts the header; the smallest TPDU (LI + code) makes 7.
        if (length < kHeaderLength + 3) return DecodeError::malformed("tpkt", "length", 2);
        return Frame{Framing::tpkt, length, kHeaderLength};
    }
    // Fast-path: action (2 low bits) 0, then length1; its top bit says a second
    // length byte follows (a 15-bit length).
    if (allow_fast_path && (first & 0x03) == 0) {
        std::uint8_t len1;
        if (!r.u8(len1)) return DecodeError::need_more("fastpath", "length1", 1, 2);
        std::uint16_t length = len1;
        std::uint8_t hdr = 2;
        if (len1 & 0x80) {
            std::uint8_t len2;
            if (!r.u8(len2)) return DecodeError::need_more("fastpath", "length2", 2, 3);
            length = static_cast<std::uint16_t>((len1 & 0x7F) << 8 | len2);
            hdr = 3;
        }
        if (length < hdr) return DecodeError::malformed("fastpath", "length", 1);
        return Frame{Framing::fast_path, length, hdr};
    }
    return DecodeError::malformed("tpkt", "version", 0);
}

Decoded<Bytes> payload(Bytes pdu) {
    auto f = frame(pdu, false);
    if (!f) return f.error();
    if (pdu.size() < f->length) return DecodeError::need_more("tpkt", "payload", pdu.size(), f->length);
    return pdu.subspan(kHeaderLength, f->length - kHeaderLength);
}

}  // namespace rdpscope::tpkt
