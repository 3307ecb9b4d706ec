// SPDX-License-Identifier: MIT
#include "dissect/tcp.hpp"

namespace rdpscope::tcp {

namespace {

// Options are advisory for us: a malformed option ends option parsing but not
// the segment (as a receiving stack would still process the segment's data).
void decode_options(Reader r, Options& o) {
    while (!r.empty()) {
        std::uint8_t kind;
        r.u8(kind);
        if (kind == 0) return;     // end of option list
        if (kind == 1) continue;   // no-op
        std::uint8_t len;
        if (!r.u8(len) || len < 2) return;
        auto body = r.sub(len - 2u);
        if (!body) return;
        switch (kind) {
            case 2: if (len == 4) body->u16be(o.mss); break;
            case 3: if (len == 3) { std::uint8_t s = 0; body->u8(s); o.window_scale = s; } break;
            case 4: if (len == 2) o.sack_permitted = true; break;
            case 5: o.sack_blocks = static_cast<std::uint8_t>((len - 2) / 8); break;
            case 8:
                if (len == 10) { o.timestamps = true; body->u32be(o.ts_val); body->u32be(o.ts_ecr); }
                break;
            default: break;
        }
    }
}

}  // namespace

Decoded<Header> decode(Bytes segment) {
    Reader r(segment);
    Header h;
    std::uint8_t off_res, flags;
    if (!r.u16be(h.src_port) || !r.u16be(h.dst_port)) return DecodeError::truncated("tcp", "ports", r.offset());
    if (!r.u32be(h.seq) || !r.u32be(h.ack)) return DecodeError::truncated("tcp", "seq", r.offset());
    if (!r.u8(off_res) || !r.u8(flags) || !r.u16be(h.window)) return DecodeError::truncated("tcp", "flags", r.offset());
    if (!r.skip(4)) return DecodeError::truncated("tcp", "checksum", r.offset());
    h.header_length = static_cast<std::uint8_t>((off_res >> 4) * 4);
    if (h.header_length < 20) return DecodeError::malformed("tcp", "data_offset", 12);
    h.flags = flags;
    auto opts = r.sub(h.header_length - 20u);
    if (!opts) return DecodeError::truncated("tcp", "options", r.offset());
    decode_options(*opts, h.options);
    h.payload = r.rest();
    return h;
}

Decoded<Quoted> decode_quoted(Bytes first_bytes) {
    Reader r(first_bytes);
    Quoted q;
    if (!r.u16be(q.src_port) || !r.u16be(q.dst_port)) return DecodeError::truncated("tcp", "quoted.ports", r.offset());
    if (!r.u32be(q.seq)) q.seq = 0;  // RFC 792 guarantees 8 bytes, but be lenient
    return q;
}

}  // namespace rdpscope::tcp
