// SPDX-License-Identifier: MIT
#include "dissect/packet.hpp"

#include <algorithm>
#include <cstring>

namespace rdpscope {

namespace {

std::uint16_t be16(const std::uint8_t* b) { return static_cast<std::uint16_t>(b[0] << 8 | b[1]); }

// The usual frame -- Ethernet, no VLAN tag, IPv4 -- decoded straight into
// `p`, as link::decode and ip::decode would: on a jump-box capture they and
// the copies of their results were a sixth of the analysis time.  Anything
// else, or anything those decoders would reject, returns false with `p`
// untouched, and the general decoders take the frame.  Kept equal to them by
// tests/test_packet_fast.cpp.
bool fast_ethernet_ipv4(int linktype, Bytes frame, PacketInfo& p) {
    if (linktype != link::ethernet || frame.size() < 14 + 20) return false;
    const std::uint8_t* b = frame.data();
    if (be16(b + 12) != 0x0800) return false;
    const Bytes packet = frame.subspan(14);
    const std::uint8_t* q = packet.data();
    const std::size_t ihl = (q[0] & 0x0F) * 4u;
    const std::uint16_t total = be16(q + 2);
    if ((q[0] >> 4) != 4 || ihl < 20 || packet.size() < ihl || total < ihl) return false;
    p.link.network = link::Network::ipv4;
    p.link.ethertype = 0x0800;
    p.link.vlan_tags = 0;
    p.link.payload = packet;
    ip::Header& h = p.ip;
    h.version = 4;
    std::copy(q + 12, q + 16, h.src.b.begin());
    std::copy(q + 16, q + 20, h.dst.b.begin());
    h.src.version = h.dst.version = 4;
    h.protocol = q[9];
    h.ttl = q[8];
    h.ip_id = be16(q + 4);
    const std::uint16_t frag = be16(q + 6);
    h.dont_fragment = (frag & 0x4000) != 0;
    const std::uint16_t offset = frag & 0x1FFF;
    h.fragment = (frag & 0x2000) != 0 || offset != 0;
    h.first_fragment = offset == 0;
    h.header_length = static_cast<std::uint16_t>(ihl);
    h.total_length = total;
    // Trailing Ethernet padding lies beyond total_length: never hand it up.
    const std::size_t declared = total - ihl;
    const std::size_t present = packet.size() - ihl;
    h.payload_cut = present < declared;
    h.payload = packet.subspan(ihl, std::min(present, declared));
    return true;
}

}  // namespace

namespace {

PacketInfo decode(int linktype, Bytes frame, bool fast) {
    PacketInfo p;
    if (!fast || !fast_ethernet_ipv4(linktype, frame, p)) {
        auto l = link::decode(linktype, frame);
        if (!l) { p.error = l.error(); return p; }
        p.link = *l;
        if (p.link.network == link::Network::other) return p;  // ARP, LLDP...: not ours

        auto h = ip::decode(p.link.payload);
        if (!h) { p.error = h.error(); return p; }
        p.ip = *h;
    }
    if (!p.ip.first_fragment) {
        // Later fragments carry no transport header: counted, not placed in a flow.
        p.ip_fragment_without_header = true;
        return p;
    }
    switch (p.ip.protocol) {
        case ip::kProtoTCP: {
            auto t = tcp::decode(p.ip.payload);
            if (!t) { p.error = t.error(); return p; }
            p.tcp = *t;
            p.transport = Transport::tcp;
            break;
        }
        case ip::kProtoUDP: {
            auto u = udp::decode(p.ip.payload);
            if (!u) { p.error = u.error(); return p; }
            p.udp = *u;
            p.transport = Transport::udp;
            break;
        }
        case ip::kProtoICMP:
        case ip::kProtoICMPv6: {
            auto m = p.ip.protocol == ip::kProtoICMP ? icmp::decode_v4(p.ip.payload) : icmp::decode_v6(p.ip.payload);
            if (!m) { p.error = m.error(); return p; }
            p.icmp = *m;
            p.transport = Transport::icmp;
            break;
        }
        default:
            break;
    }
    return p;
}

}  // namespace

PacketInfo decode_packet(int linktype, Bytes frame) { return decode(linktype, frame, true); }

namespace {

// Word-at-a-time multiply-xorshift (the step of analyze/flow_hash.hpp):
// copies are looked for in every IP packet, so this runs on every byte.
struct Fold {
    std::uint64_t h = 0x243F6A8885A308D3ull;
    static std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
        h ^= w;
        h *= 0x9E3779B97F4A7C15ull;
        return h ^ (h >> 29);
    }
    void bytes(const std::uint8_t* b, std::size_t n) {
        // Four independent lanes over 32-byte blocks: the multiplications of
        // one lane do not wait for another's, so a full segment costs about a
        // quarter of a single chain (this runs on every packet: issue 16).
        if (n >= 64) {
            std::uint64_t l[4] = {h, h ^ 0x13198A2E03707344ull, h ^ 0xA4093822299F31D0ull, h ^ 0x082EFA98EC4E6C89ull};
            for (; n >= 32; b += 32, n -= 32) {
                std::uint64_t w[4];
                std::memcpy(w, b, 32);
                for (int i = 0; i < 4; ++i) l[i] = mix(l[i], w[i]);
            }
            h = mix(mix(mix(l[0], l[1]), l[2]), l[3]);
        }
        for (; n >= 8; b += 8, n -= 8) {
            std::uint64_t w;
            std::memcpy(&w, b, 8);
            h = mix(h, w);
        }
        std::uint64_t w = 0;
        for (std::size_t i = 0; i < n; ++i) w |= std::uint64_t{b[i]} << (8 * i);  // no call for a few bytes
        h = mix(h, w ^ (std::uint64_t{n} << 56));
    }
};

}  // namespace

// Of the IP payload (transport header, then payload), the bytes fingerprinted.
constexpr std::size_t kFingerprintBytes = 128;

std::uint64_t copy_fingerprint(const PacketInfo& p) {
    if (p.error || p.link.network == link::Network::other || p.ip.version == 0) return 0;
    // Only a packet that a second sending would change can be told from it:
    // IPv4 with an ID (0 is what Linux gives DF packets of unconnected
    // sockets, SYN-ACKs and RSTs -- sent twice, they are the same bytes), and
    // over IPv6, which has no ID, only TCP (sequence, acknowledgement,
    // timestamps): two identical UDP or ICMPv6 messages may well be two sends.
    if (p.ip.version == 4 && p.ip.ip_id == 0) return 0;
    if (p.ip.version == 6 && p.transport != Transport::tcp) return 0;
    // Nor, over IPv6, a TCP segment that carries nothing but an
    // acknowledgement: duplicate ACKs are the same bytes, sent apart by less
    // than a millisecond on a fast path (RFC 5681 3.2).
    if (p.ip.version == 6 && p.tcp.payload.empty() && p.ip.total_length <= p.ip.header_length + p.tcp.header_length &&
        !p.tcp.has(tcp::SYN) && !p.tcp.has(tcp::FIN) && !p.tcp.has(tcp::RST))
        return 0;
    const Bytes packet = p.link.payload;
    const std::size_t hl = p.ip.header_length;
    if (hl > packet.size()) return 0;
    // The IP header with the rewritten fields zeroed, then the transport
    // header with its checksum zeroed, then the rest as it is.
    // Copied in fixed sizes (no library call: this runs on every packet).
    std::uint8_t head[24];
    Fold f;
    const std::size_t fixed = p.ip.version == 4 ? 12 : 8;  // up to and with the TTL / hop limit, checksum
    if (hl >= fixed) {
        std::memcpy(head, packet.data(), fixed);
        if (p.ip.version == 4) {
            head[8] = 0;                 // TTL
            head[10] = head[11] = 0;     // header checksum
        } else {
            head[7] = 0;                 // hop limit
        }
        f.bytes(head, fixed);
        f.bytes(packet.data() + fixed, hl - fixed);  // addresses, options, IPv6 extension headers
    } else {
        f.bytes(packet.data(), hl);
    }
    // The transport header and the first bytes of the payload, and its
    // length (mixed in below with the IP total length): the headers already
    // tell a copy from another packet (IPv4 ID; TCP sequence,
    // acknowledgement, window, timestamps), and a second sending of the
    // same segment carries the same bytes anyway.  Not the whole payload:
    // reading every byte of every packet here was the costliest line of an
    // all-RDP capture (memory, not arithmetic; issue 16).
    const Bytes rest = p.ip.payload.first(std::min<std::size_t>(p.ip.payload.size(), kFingerprintBytes));
    std::size_t at = 0;  // checksum offset in the transport header, 0: none
    if (p.ip.first_fragment && p.transport == Transport::tcp) at = 16;
    if (p.ip.first_fragment && p.transport == Transport::udp) at = 6;
    if (at && rest.size() >= at + 2) {
        // The header up to its checksum and a little past it: 24 bytes of
        // TCP (checksum at 16), 8 of UDP (at 6), fewer only when cut short.
        const std::size_t n = std::min<std::size_t>(rest.size(), at == 16 ? 24 : 8);
        if (n == 24) std::memcpy(head, rest.data(), 24);
        else if (n == 8) std::memcpy(head, rest.data(), 8);
        else std::memcpy(head, rest.data(), n);
        head[at] = head[at + 1] = 0;
        f.bytes(head, n);
        f.bytes(rest.data() + n, rest.size() - n);
    } else {
        f.bytes(rest.data(), rest.size());
    }
    // Never 0: 0 says "no fingerprint".
    return Fold::mix(Fold::mix(f.h, p.ip.total_length), p.ip.payload.size()) | 1;
}
PacketInfo decode_packet_general(int linktype, Bytes frame) { return decode(linktype, frame, false); }

}  // namespace rdpscope
