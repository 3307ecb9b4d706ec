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
    GatewayUdpFacts* f = flows_.find(k);
    const bool fresh = !f;
    auto dg = dtls::decode_datagram(payload);
    if (!f) {
        // RFC 6347 4.1: every datagram of a DTLS flow is records; a flow whose
        // first datagram is not is another protocol on the port, and is not kept.
        if (!dg) return nullptr;
        if (flows_.size() >= kMaxFlows) {
            ++untracked_;
            return nullptr;
        }
        f = flows_.try_emplace(k).first;
        f->id = id;
        // The client is the side that is not on the gateway port (it sent to
        // it); both on it: the first sender.
        const bool src_on = std::find(ports_.begin(), ports_.end(), src.port) != ports_.end();
        const bool dst_on = std::find(ports_.begin(), ports_.end(), dst.port) != ports_.end();
        f->client = src_on && !dst_on ? dst : src;
        f->server = src_on && !dst_on ? src : dst;
        f->first_frame = frame;
        f->first_ts = ts_ns;
    }
    const int d = same_endpoint(src, f->client) ? 0 : 1;
    f->last_frame = frame;
    f->last_ts = ts_ns;
    ++f->datagrams[d];
    f->bytes[d] += payload.size();
    if (!dg) {
        if (!f->not_dtls++) f->first_not_dtls_frame = frame;
        return nullptr;
    }
    f->records[d] += dg->total;
    if (d == 0 && dg->has_correlation && !f->has_correlation) {
        f->has_correlation = true;
        f->correlation_id = dg->correlation_id;
    }
    for (std::size_t i = 0; i < dg->count; ++i) {
        const dtls::Record& r = dg->records[i];
        if (!f->record_version) f->record_version = r.version;
        if (r.epoch > 0 && !f->first_encrypted_frame[d]) f->first_encrypted_frame[d] = frame;
        if (r.handshake_type == 1 && d == 0 && !f->client_hello_frame) {
            f->client_hello_frame = frame;
            f->client_version = r.hello_version;
        }
        if (r.handshake_type == 3 && d == 1 && !f->hello_verify_frame) f->hello_verify_frame = frame;
        if (r.handshake_type == 2 && d == 1 && !f->server_hello_frame) {
            f->server_hello_frame = frame;
            f->version = r.hello_version;
        }
    }
    return fresh ? f : nullptr;
}

const std::vector<GatewayUdpFacts>& GatewayUdpFlows::retire(std::int64_t now_ns, std::int64_t idle_ns, bool all) {
    retired_.clear();
    std::size_t cursor = 0;
    flows_.erase_some(cursor, flows_.size(), [&](const UdpFlows::Key&, const GatewayUdpFacts& f) {
        if (!all && now_ns - f.last_ts <= idle_ns) return false;
        retired_.push_back(f);
        return true;
    });
    std::sort(retired_.begin(), retired_.end(), [](const auto& a, const auto& b) { return a.first_frame < b.first_frame; });
    return retired_;
}

}  // namespace rdpscope
