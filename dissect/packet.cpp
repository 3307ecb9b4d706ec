#include "dissect/packet.hpp"

namespace rdpscope {

PacketInfo decode_packet(int linktype, Bytes frame) {
    PacketInfo p;
    auto l = link::decode(linktype, frame);
    if (!l) { p.error = l.error(); return p; }
    p.link = *l;
    if (p.link.network == link::Network::other) return p;  // ARP, LLDP...: not ours

    auto h = ip::decode(p.link.payload);
    if (!h) { p.error = h.error(); return p; }
    p.ip = *h;
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

}  // namespace rdpscope
