// SPDX-License-Identifier: MIT
#include "dissect/packet.hpp"

#include <algorithm>

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
PacketInfo decode_packet_general(int linktype, Bytes frame) { return decode(linktype, frame, false); }

}  // namespace rdpscope
