// SPDX-License-Identifier: MIT
#include "dissect/x224.hpp"

namespace rdpscope::x224 {

namespace {

Type type_of(std::uint8_t code) {
    switch (code & 0xF0) {
        case kCodeCR: return Type::cr;
        case kCodeCC: return Type::cc;
        case kCodeDR: return Type::dr;
        case kCodeDT: return Type::dt;
        case kCodeER: return Type::er;
        default: return Type::unknown;
    }
}

}  // namespace

Decoded<Tpdu> decode(Bytes tpkt_payload) {
    Reader r(tpkt_payload);
    Tpdu t;
    if (!r.u8(t.length_indicator)) return DecodeError::truncated("x224", "length_indicator", r.offset());
    if (t.length_indicator == 0 || t.length_indicator == 0xFF)
        return DecodeError::malformed("x224", "length_indicator", r.offset());
    auto header = r.sub(t.length_indicator);
    if (!header) return DecodeError::malformed("x224", "length_indicator", r.offset());
    if (!header->u8(t.code)) return DecodeError::malformed("x224", "code", header->offset());
    t.type = type_of(t.code);
    switch (t.type) {
        case Type::cr:
        case Type::cc:
            // 13.3 / 13.4: DST-REF, SRC-REF, class option, then variable part.
            if (!header->u16be(t.dst_ref) || !header->u16be(t.src_ref) || !header->u8(t.class_option))
                return DecodeError::malformed("x224", "fixed_part", header->offset());
            t.variable = header->rest();
            t.user_data = r.rest();
            break;
        case Type::dr:
            // 13.5: DST-REF, SRC-REF, reason.
            if (!header->u16be(t.dst_ref) || !header->u16be(t.src_ref) || !header->u8(t.reason))
                return DecodeError::malformed("x224", "fixed_part", header->offset());
            t.variable = header->rest();
            break;
        case Type::dt: {
            // 13.7 (class 0): one byte, the EOT flag and the TPDU-NR.
            std::uint8_t nr;
            if (!header->u8(nr)) return DecodeError::malformed("x224", "eot", header->offset());
            t.eot = (nr & 0x80) != 0;
            t.user_data = r.rest();
            break;
        }
        case Type::er:
            // 13.12: DST-REF, reject cause.
            if (!header->u16be(t.dst_ref) || !header->u8(t.reason))
                return DecodeError::malformed("x224", "fixed_part", header->offset());
            t.variable = header->rest();
            break;
        case Type::unknown:
            break;
    }
    return t;
}

const char* name(Type t) {
    switch (t) {
        case Type::cr: return "x224.cr";
        case Type::cc: return "x224.cc";
        case Type::dr: return "x224.dr";
        case Type::dt: return "x224.dt";
        case Type::er: return "x224.er";
        case Type::unknown: return "x224.unknown";
    }
    return "x224.unknown";
}

}  // namespace rdpscope::x224
