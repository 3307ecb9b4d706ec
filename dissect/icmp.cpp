// SPDX-License-Identifier: MIT
#include "dissect/icmp.hpp"

#include "dissect/ip.hpp"
#include "dissect/tcp.hpp"

namespace rdpscope::icmp {

namespace {

// The quoted datagram: an IP header and at least 8 bytes of its payload.
std::optional<Quote> decode_quote(Bytes quoted) {
    auto inner = ip::decode(quoted, /*quoted=*/true);
    if (!inner) return std::nullopt;
    Quote q;
    q.src = inner->src;
    q.dst = inner->dst;
    q.protocol = inner->protocol;
    if (inner->first_fragment && (q.protocol == ip::kProtoTCP || q.protocol == ip::kProtoUDP)) {
        auto ports = tcp::decode_quoted(inner->payload);  // UDP's first 4 bytes are ports too
        if (ports) {
            q.src_port = ports->src_port;
            q.dst_port = ports->dst_port;
            q.tcp_seq = q.protocol == ip::kProtoTCP ? ports->seq : 0;
            q.has_ports = true;
        }
    }
    return q;
}

}  // namespace

Decoded<Message> decode_v4(Bytes message) {
    Reader r(message);
    Message m;
    std::uint16_t unused_hi, next_hop_mtu;
    if (!r.u8(m.type) || !r.u8(m.code) || !r.skip(2) || !r.u16be(unused_hi) || !r.u16be(next_hop_mtu))
        return DecodeError::truncated("icmp", "header", r.offset());
    switch (m.type) {
        case 3:
            m.kind = m.code == 4 ? Kind::packet_too_big : Kind::unreachable;
            if (m.code == 4) m.mtu = next_hop_mtu;
            m.admin_prohibited = m.code == 9 || m.code == 10 || m.code == 13;
            break;
        case 4: m.kind = Kind::source_quench; break;
        case 5: m.kind = Kind::redirect; break;
        case 11: m.kind = Kind::time_exceeded; break;
        case 12: m.kind = Kind::parameter_problem; break;
        default: return m;  // not an error: no quote to decode
    }
    m.quote = decode_quote(r.rest());
    return m;
}

Decoded<Message> decode_v6(Bytes message) {
    Reader r(message);
    Message m;
    m.v6 = true;
    std::uint32_t word;
    if (!r.u8(m.type) || !r.u8(m.code) || !r.skip(2) || !r.u32be(word))
        return DecodeError::truncated("icmpv6", "header", r.offset());
    switch (m.type) {
        case 1:
            m.kind = Kind::unreachable;
            m.admin_prohibited = m.code == 1 || m.code == 5 || m.code == 6;
            break;
        case 2: m.kind = Kind::packet_too_big; m.mtu = word; break;
        case 3: m.kind = Kind::time_exceeded; break;
        case 4: m.kind = Kind::parameter_problem; break;
        default: return m;
    }
    m.quote = decode_quote(r.rest());
    return m;
}

const char* describe(const Message& m) {
    if (m.v6) {
        switch (m.type) {
            case 1:
                switch (m.code) {
                    case 0: return "no route to destination";
                    case 1: return "communication administratively prohibited";
                    case 3: return "address unreachable";
                    case 4: return "port unreachable";
                    case 5: return "source address failed policy";
                    case 6: return "reject route to destination";
                    default: return "destination unreachable";
                }
            case 2: return "packet too big";
            case 3: return "time exceeded";
            case 4: return "parameter problem";
            default: return "icmpv6";
        }
    }
    switch (m.type) {
        case 3:
            switch (m.code) {
                case 0: return "network unreachable";
                case 1: return "host unreachable";
                case 2: return "protocol unreachable";
                case 3: return "port unreachable";
                case 4: return "fragmentation needed";
                case 9: return "network administratively prohibited";
                case 10: return "host administratively prohibited";
                case 13: return "communication administratively prohibited";
                default: return "destination unreachable";
            }
        case 4: return "source quench";
        case 5: return "redirect";
        case 11: return "time exceeded";
        case 12: return "parameter problem";
        default: return "icmp";
    }
}

}  // namespace rdpscope::icmp
