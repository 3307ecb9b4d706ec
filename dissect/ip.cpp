// SPDX-License-Identifier: MIT
#include "dissect/ip.hpp"

#include <algorithm>

namespace rdpscope::ip {

namespace {

Decoded<Header> decode_v4(Bytes packet, bool quoted) {
    Reader r(packet);
    Header h;
    h.version = 4;
    std::uint8_t vihl, tos, ttl, proto;
    std::uint16_t total, id, frag;
    if (!r.u8(vihl)) return DecodeError::truncated("ipv4", "version", r.offset());
    const std::size_t ihl = (vihl & 0x0F) * 4u;
    if (ihl < 20) return DecodeError::malformed("ipv4", "ihl", 0);
    if (!r.u8(tos) || !r.u16be(total) || !r.u16be(id) || !r.u16be(frag) || !r.u8(ttl) || !r.u8(proto))
        return DecodeError::truncated("ipv4", "header", r.offset());
    if (!r.skip(2)) return DecodeError::truncated("ipv4", "checksum", r.offset());
    auto src = r.bytes(4);
    auto dst = r.bytes(4);
    if (!src || !dst) return DecodeError::truncated("ipv4", "addresses", r.offset());
    if (!r.skip(ihl - 20)) return DecodeError::truncated("ipv4", "options", r.offset());
    if (total == 0 && !quoted) {
        // TSO/LSO or BIG TCP: the length is the frame's (see Header::length_from_frame).
        h.length_from_frame = true;
        total = static_cast<std::uint16_t>(std::min<std::size_t>(packet.size(), 0xFFFF));
    }
    if (total < ihl && !quoted) return DecodeError::malformed("ipv4", "total_length", 2);
    std::copy(src->begin(), src->end(), h.src.b.begin());
    std::copy(dst->begin(), dst->end(), h.dst.b.begin());
    h.src.version = h.dst.version = 4;
    h.protocol = proto;
    h.ttl = ttl;
    h.ip_id = id;
    h.dont_fragment = (frag & 0x4000) != 0;
    const bool more = (frag & 0x2000) != 0;
    const std::uint16_t offset = frag & 0x1FFF;
    h.fragment = more || offset != 0;
    h.first_fragment = offset == 0;
    h.header_length = static_cast<std::uint16_t>(ihl);
    h.total_length = h.length_from_frame ? static_cast<std::uint32_t>(packet.size()) : total;
    // Trailing Ethernet padding lies beyond total_length: never hand it up.
    const std::size_t declared = h.total_length > ihl ? h.total_length - ihl : 0;
    const std::size_t present = r.remaining();
    h.payload_cut = present < declared;
    h.payload = r.rest().first(std::min(present, declared));
    if (quoted) h.payload = r.rest();
    return h;
}

bool is_extension_header(std::uint8_t nh) {
    switch (nh) {
        case 0:    // hop-by-hop options
        case 43:   // routing
        case 44:   // fragment
        case 51:   // authentication header
        case 60:   // destination options
        case 135:  // mobility
        case 139:  // HIP
        case 140:  // shim6
            return true;
        default:
            return false;
    }
}

Decoded<Header> decode_v6(Bytes packet, bool quoted) {
    Reader r(packet);
    Header h;
    h.version = 6;
    std::uint32_t vtcfl;
    std::uint16_t payload_len;
    std::uint8_t next, hop;
    if (!r.u32be(vtcfl) || !r.u16be(payload_len) || !r.u8(next) || !r.u8(hop))
        return DecodeError::truncated("ipv6", "header", r.offset());
    auto src = r.bytes(16);
    auto dst = r.bytes(16);
    if (!src || !dst) return DecodeError::truncated("ipv6", "addresses", r.offset());
    std::copy(src->begin(), src->end(), h.src.b.begin());
    std::copy(dst->begin(), dst->end(), h.dst.b.begin());
    h.src.version = h.dst.version = 6;
    h.ttl = hop;
    h.total_length = 40u + payload_len;
    if (payload_len == 0 && !quoted) {
        // LSOv2 on IPv6 and BIG TCP / jumbograms (RFC 2675): the length is the
        // frame's (see Header::length_from_frame).  With nothing after the
        // header, there is nothing to take either way.
        h.length_from_frame = true;
        h.total_length = static_cast<std::uint32_t>(packet.size());
    }
    // Walk the extension-header chain (RFC 8200 4.1), bounded so a loop of
    // headers in a hostile packet cannot spin.
    for (int hops = 0; is_extension_header(next) && hops < 16; ++hops) {
        std::uint8_t nh, len8;
        if (!r.u8(nh) || !r.u8(len8)) return DecodeError::truncated("ipv6", "extension_header", r.offset());
        std::size_t len = next == 51 ? (len8 + 2u) * 4u : (len8 + 1u) * 8u;
        if (next == 44) {
            // Fragment header: fixed 8 bytes; offset and M flag, then identification.
            std::uint16_t off_m;
            std::uint32_t ident;
            if (!r.u16be(off_m) || !r.u32be(ident)) return DecodeError::truncated("ipv6", "fragment", r.offset());
            h.fragment = true;
            h.first_fragment = (off_m & 0xFFF8) == 0;
            h.ip_id = ident;
            next = nh;
            continue;
        }
        if (!r.skip(len - 2)) return DecodeError::truncated("ipv6", "extension_header", r.offset());
        next = nh;
    }
    h.protocol = next;
    h.header_length = static_cast<std::uint16_t>(r.consumed());
    const std::size_t declared = h.total_length > r.consumed() ? h.total_length - r.consumed() : 0;
    const std::size_t present = r.remaining();
    h.payload_cut = present < declared;
    h.payload = quoted ? r.rest() : r.rest().first(std::min(present, declared));
    return h;
}

}  // namespace

Decoded<Header> decode(Bytes packet, bool quoted) {
    if (packet.empty()) return DecodeError::truncated("ip", "version", 0);
    switch (packet[0] >> 4) {
        case 4: return decode_v4(packet, quoted);
        case 6: return decode_v6(packet, quoted);
        default: return DecodeError::malformed("ip", "version", 0);
    }
}

}  // namespace rdpscope::ip
