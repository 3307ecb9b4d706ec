// SPDX-License-Identifier: MIT
#include "analyze/gateway_udp.hpp"

#include <algorithm>

#include "analyze/flow_hash.hpp"
#include "dissect/dtls_record.hpp"

namespace rdpscope {

bool GatewayUdpFlows::on_port(std::uint16_t src, std::uint16_t dst) const {
    return std::any_of(ports_.begin(), ports_.end(), [&](std::uint16_t p) { return p == src || p == dst; });
}

GatewayUdpFacts* GatewayUdpFlows::datagram(std::optional<std::uint64_t> id, const Endpoint& src, const Endpoint& dst,
                                           Bytes payload, std::uint64_t frame, std::int64_t ts_ns) {
    const UdpFlows::Key k = endpoint_less(src, dst) ? UdpFlows::Key{src, dst} : UdpFlows::Key{dst, src};
    auto it = flows_.find(k);
    const bool fresh = it == flows_.end();
    if (fresh) {
        if (flows_.size() >= kMaxFlows) {
            ++untracked_;
            return nullptr;
        }
        it = flows_.emplace(k, Flow{}).first;
        GatewayUdpFacts& f = it->second.f;
        if (id) f.id = *id;
        // The client is the side that is not on the gateway port (it sent to it);
        // both on it: the first sender.
        const bool src_on = std::find(ports_.begin(), ports_.end(), src.port) != ports_.end();
        const bool dst_on = std::find(ports_.begin(), ports_.end(), dst.port) != ports_.end();
        f.client = src_on && !dst_on ? dst : src;
        f.server = src_on && !dst_on ? src : dst;
        f.first_frame = frame;
        f.first_ts = ts_ns;
    }
    Flow& fl = it->second;
    GatewayUdpFacts& f = fl.f;
    if (!fl.dtls) return nullptr;
    const int d = same_endpoint(src, f.client) ? 0 : 1;
    auto dg = dtls::decode_datagram(payload);
    if (!dg) {
        if (!f.not_dtls++) f.first_not_dtls_frame = frame;
        // RFC 6347: every datagram of a DTLS flow is records; a first one that
        // is not is another protocol on the port.
        if (fresh) fl.dtls = false;
        return nullptr;
    }
    f.last_frame = frame;
    f.last_ts = ts_ns;
    f.last_ts_dir[d] = ts_ns;
    ++f.datagrams[d];
    f.bytes[d] += payload.size();
    f.records[d] += dg->total;
    for (std::size_t i = 0; i < dg->count; ++i) {
        const dtls::Record& r = dg->records[i];
        if (!f.version) f.version = r.version;
        if (r.epoch > 0 && !f.first_encrypted_frame[d]) f.first_encrypted_frame[d] = frame;
        if (r.handshake_type == 1 && d == 0 && !f.client_hello_frame) f.client_hello_frame = frame;
        if (r.handshake_type == 3 && d == 1 && !f.hello_verify_frame) f.hello_verify_frame = frame;
        if (r.handshake_type == 2 && d == 1 && !f.server_hello_frame) f.server_hello_frame = frame;
    }
    return fresh ? &f : nullptr;
}

std::vector<GatewayUdpFacts> GatewayUdpFlows::retire(std::int64_t now_ns, std::int64_t idle_ns, bool all) {
    std::vector<GatewayUdpFacts> out;
    for (auto it = flows_.begin(); it != flows_.end();) {
        const GatewayUdpFacts& f = it->second.f;
        const std::int64_t last = std::max(f.last_ts, f.first_ts);
        if (!all && now_ns - last <= idle_ns) {
            ++it;
            continue;
        }
        if (it->second.dtls && (f.datagrams[0] || f.datagrams[1])) out.push_back(f);
        it = flows_.erase(it);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first_frame < b.first_frame; });
    return out;
}

}  // namespace rdpscope
