// SPDX-License-Identifier: MIT
// The tracker's look at what is not RDP: Kerberos on port 88 (decoded, kept
// to tie to the RDP connections) and the few facts FileStats::other gathers
// for a capture without RDP (analyze/other_traffic.hpp).  Cheap per packet:
// a port test, and for a SYN a look through at most kMaxDestinations servers.
#include <algorithm>

#include "analyze/tracker.hpp"

#include "analyze/gateway_verdict.hpp"
#include "dissect/dns.hpp"
#include "dissect/kerberos.hpp"

namespace rdpscope {

void Tracker::other_tcp(const CapturedPacket& pkt, const PacketInfo& p, const Endpoint& src, const Endpoint& dst,
                        std::uint64_t stream) {
    const tcp::Header& t = p.tcp;
    if (KerberosFlows::on_port(t.src_port, t.dst_port) && !p.ip.fragment)
        kerberos_.tcp(stream, pkt.frame, pkt.ts_ns, src, dst, t);
    OtherTraffic& o = stats_.other;
    if (t.has(tcp::SYN) && !t.has(tcp::ACK)) {
        if (dst.port == opt_.rdp_port) ++o.syns_to_rdp_port;
        if (auto* d = o.destination(dst)) {
            ++d->syns;
        } else if (o.destinations.size() < OtherTraffic::kMaxDestinations) {
            o.destinations.push_back({dst, 1, 0, 0, pkt.frame});
        } else {
            ++o.syns_elsewhere;
        }
    } else if (t.has(tcp::SYN) || t.has(tcp::RST)) {
        // An answer from a server SYNs went to (the list is short).
        if (o.destinations.empty()) return;
        if (auto* d = o.destination(src)) {
            if (t.has(tcp::SYN)) ++d->syn_acks;
            else if (!d->syn_acks) ++d->resets;
        }
    }
}

void Tracker::other_udp(const CapturedPacket& pkt, const PacketInfo& p, const Endpoint& src, const Endpoint& dst,
                        bool new_flow) {
    const udp::Header& u = p.udp;
    if (KerberosFlows::on_port(u.src_port, u.dst_port)) {
        std::optional<std::uint64_t> id;
        if (!opt_.light || udp_other_.on_rdp_port(endpoint_less(src, dst) ? UdpFlows::Key{src, dst} : UdpFlows::Key{dst, src}))
            id = endpoint_less(src, dst) ? udp_->id_of(src, dst) : udp_->id_of(dst, src);
        else if (new_flow)
            id = udp_->flows() - 1;
        kerberos_.udp(id, pkt.frame, pkt.ts_ns, src, dst, u.payload);
    }
    if (gateway_udp_.on_port(u.src_port, u.dst_port) && u.src_port != opt_.rdp_port && u.dst_port != opt_.rdp_port) {
        std::optional<std::uint64_t> id;
        if (!opt_.light) id = endpoint_less(src, dst) ? udp_->id_of(src, dst) : udp_->id_of(dst, src);
        else if (new_flow) id = udp_->flows() - 1;
        gateway_udp(id, src, dst, u.payload, pkt.frame, pkt.ts_ns);
    }
    if (u.src_port == dns::kPort) {
        OtherTraffic& o = stats_.other;
        auto head = dns::decode(u.payload, false);
        if (!head || !head->response) return;
        ++o.dns_responses;
        // An error, or no answer to the question: the name does not resolve.
        if (head->rcode == 0 && head->answers > 0) return;
        auto m = dns::decode(u.payload);
        if (!m || !m->questions) return;
        if (m->rcode == 0 && m->qtype != 1 && m->qtype != 28) return;  // only A / AAAA lookups lead to a connection
        ++o.dns_failure_count;
        if (o.dns_failures.size() < OtherTraffic::kMaxListed)
            o.dns_failures.push_back({pkt.frame, m->qname, m->qtype, m->rcode});
    }
}

// MS-TSGU 1.3.3: the UDP transport is set up after the HTTP (or WebSocket)
// one, whose channel response names the UDP port: a DTLS flow is tied to the
// TLS connection on a gateway port of the same client and server opened
// before it (the latest).  Without keys it cannot be told which of several.
void Tracker::gateway_udp(std::optional<std::uint64_t> id, const Endpoint& src, const Endpoint& dst, Bytes payload,
                          std::uint64_t frame, std::int64_t ts_ns) {
    GatewayUdpFacts* f = gateway_udp_.datagram(id, src, dst, payload, frame, ts_ns);
    if (!f) return;
    // The gateway's TCP connection: of the candidates between the same two
    // addresses (gateways_by_hosts_, not every open connection), the one opened
    // last before the flow began; newest first, at most kMaxNeighbourWalk of them.
    const Connection* best = nullptr;
    if (const auto p = gateways_by_hosts_.find(host_pair(f->client, f->server)); p != gateways_by_hosts_.end()) {
        std::size_t walked = 0;
        for (auto it = p->second.rbegin(); it != p->second.rend() && walked < kMaxNeighbourWalk; ++it, ++walked) {
            const auto found = full_.find(*it);
            if (found == full_.end()) continue;
            const Connection* c = found->second;
            if (!c->gateway || c->gateway->not_tls() || c->first_ts > ts_ns) continue;
            if (c->client().ip != f->client.ip || c->server().ip != f->server.ip) continue;
            if (!best || c->first_ts > best->first_ts) best = c;  // newest first: ties go to the later one
        }
    }
    if (best) {
        f->tcp_conn = best->id;
        f->tcp_first_frame = best->first_frame;
    }
}

void Tracker::retire_gateway_udp(std::int64_t now_ns, bool all) {
    if (!gateway_udp_.size()) return;
    for (const GatewayUdpFacts& f : gateway_udp_.retire(now_ns, opt_.idle_timeout_ns, all)) {
        ++stats_.gateway_udp_flows;
        obs_.gateway_udp_done(f, judge_gateway_udp(f));
    }
}

void Tracker::other_icmp(const CapturedPacket& pkt, const PacketInfo& p) {
    const icmp::Message& m = p.icmp;
    if (m.kind == icmp::Kind::other) return;
    OtherTraffic& o = stats_.other;
    ++o.icmp_error_count;
    if (o.icmp_errors.size() >= OtherTraffic::kMaxListed) return;
    OtherTraffic::IcmpError e;
    e.frame = pkt.frame;
    e.description = icmp::describe(m);
    e.from = to_string(p.ip.src);
    if (m.quote) {
        e.quoted_dst = {m.quote->dst, m.quote->has_ports ? m.quote->dst_port : std::uint16_t{0}};
        e.protocol = m.quote->protocol;
    }
    o.icmp_errors.push_back(std::move(e));
}

}  // namespace rdpscope
