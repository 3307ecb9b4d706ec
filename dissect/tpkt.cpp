#include "dissect/tpkt.hpp"

namespace rdpscope::tpkt {

Decoded<Frame> frame(Bytes stream, bool allow_fast_path) {
    Reader r(stream);
    std::uint8_t first;
    if (!r.u8(first)) return DecodeError{"tpkt", "version", 0, ErrorKind::need_more, kHeaderLength};
    if (first == kVersion) {
        std::uint8_t reserved;
        std::uint16_t length;
        if (!r.u8(reserved) || !r.u16be(length))
            return DecodeError{"tpkt", "length", r.offset(), ErrorKind::need_more, kHeaderLength};
        // RFC 1006: the length counts the header; the smallest TPDU (LI + code) makes 7.
        if (length < kHeaderLength + 3) return DecodeError{"tpkt", "length", 2, ErrorKind::malformed, 0};
        return Frame{Framing::tpkt, length, kHeaderLength};
    }
    // Fast-path: action (2 low bits) 0, then length1; its top bit says a second
    // length byte follows (a 15-bit length).
    if (allow_fast_path && (first & 0x03) == 0) {
        std::uint8_t len1;
        if (!r.u8(len1)) return DecodeError{"fastpath", "length1", 1, ErrorKind::need_more, 2};
        std::uint16_t length = len1;
        std::uint8_t hdr = 2;
        if (len1 & 0x80) {
            std::uint8_t len2;
            if (!r.u8(len2)) return DecodeError{"fastpath", "length2", 2, ErrorKind::need_more, 3};
            length = static_cast<std::uint16_t>((len1 & 0x7F) << 8 | len2);
            hdr = 3;
        }
        if (length < hdr) return DecodeError{"fastpath", "length", 1, ErrorKind::malformed, 0};
        return Frame{Framing::fast_path, length, hdr};
    }
    return DecodeError{"tpkt", "version", 0, ErrorKind::malformed, 0};
}

Decoded<Bytes> payload(Bytes pdu) {
    auto f = frame(pdu, false);
    if (!f) return f.error();
    if (pdu.size() < f->length) return DecodeError{"tpkt", "payload", pdu.size(), ErrorKind::need_more, f->length};
    return pdu.subspan(kHeaderLength, f->length - kHeaderLength);
}

}  // namespace rdpscope::tpkt
