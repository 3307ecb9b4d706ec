#include "dissect/ip.hpp"

#include <algorithm>

namespace rdpscope::ip {

namespace {

DecodeError cut(std::string_view layer, const Reader& r, std::string_view field) {
    return {layer, field, r.offset(), ErrorKind::truncated, 0};
}
DecodeError bad(std::string_view layer, std::size_t off, std::string_view field) {
    return {layer, field, off, ErrorKind::malformed, 0};
}

Decoded<Header> decode_v4(Bytes packet, bool quoted) {
    Reader r(packet);
    Header h;
    h.version = 4;
    std::uint8_t vihl, tos, ttl, proto;
    std::uint16_t total, id, frag;
    if (!r.u8(vihl)) return cut("ipv4", r, "version");
    const std::size_t ihl = (vihl & 0x0F) * 4u;
    if (ihl < 20) return bad("ipv4", 0, "ihl");
    if (!r.u8(tos) || !r.u16be(total) || !r.u16be(id) || !r.u16be(frag) || !r.u8(ttl) || !r.u8(proto))
        return cut("ipv4", r, "header");
    if (!r.skip(2)) return cut("ipv4", r, "checksum");
    auto src = r.bytes(4);
    auto dst = r.bytes(4);
    if (!src || !dst) return cut("ipv4", r, "addresses");
    if (!r.skip(ihl - 20)) return cut("ipv4", r, "options");
    if (total < ihl && !quoted) return bad("ipv4", 2, "total_length");
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
    h.total_length = total;
    // Trailing Ethernet padding lies beyond total_length: never hand it up.
    const std::size_t declared = total > ihl ? total - ihl : 0;
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
    if (!r.u32be(vtcfl) || !r.u16be(payload_len) || !r.u8(next) || !r.u8(hop)) return cut("ipv6", r, "header");
    auto src = r.bytes(16);
    auto dst = r.bytes(16);
    if (!src || !dst) return cut("ipv6", r, "addresses");
    std::copy(src->begin(), src->end(), h.src.b.begin());
    std::copy(dst->begin(), dst->end(), h.dst.b.begin());
    h.src.version = h.dst.version = 6;
    h.ttl = hop;
    h.total_length = 40u + payload_len;
    // Walk the extension-header chain (RFC 8200 4.1), bounded so a loop of
    // headers in a hostile packet cannot spin.
    for (int hops = 0; is_extension_header(next) && hops < 16; ++hops) {
        std::uint8_t nh, len8;
        if (!r.u8(nh) || !r.u8(len8)) return cut("ipv6", r, "extension_header");
        std::size_t len = next == 51 ? (len8 + 2u) * 4u : (len8 + 1u) * 8u;
        if (next == 44) {
            // Fragment header: fixed 8 bytes; offset and M flag, then identification.
            std::uint16_t off_m;
            std::uint32_t ident;
            if (!r.u16be(off_m) || !r.u32be(ident)) return cut("ipv6", r, "fragment");
            h.fragment = true;
            h.first_fragment = (off_m & 0xFFF8) == 0;
            h.ip_id = ident;
            next = nh;
            continue;
        }
        if (!r.skip(len - 2)) return cut("ipv6", r, "extension_header");
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
    if (packet.empty()) return DecodeError{"ip", "version", 0, ErrorKind::truncated, 0};
    switch (packet[0] >> 4) {
        case 4: return decode_v4(packet, quoted);
        case 6: return decode_v6(packet, quoted);
        default: return DecodeError{"ip", "version", 0, ErrorKind::malformed, 0};
    }
}

}  // namespace rdpscope::ip
