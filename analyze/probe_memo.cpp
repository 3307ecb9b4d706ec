// SPDX-License-Identifier: MIT
#include "analyze/probe_memo.hpp"

#include <cstring>

#include "analyze/flow_hash.hpp"

namespace rdpscope {

ProbeShape::ProbeShape(bool server_on_rdp_port, bool client_on_rdp_port)
    : h_(0x6A09E667F3BCC909ull ^ (server_on_rdp_port ? 1u : 0u) ^ (client_on_rdp_port ? 2u : 0u)) {}

void ProbeShape::mix(std::uint64_t w) { h_ = hash_mix(h_, w); }

void ProbeShape::add(const Packet& p) {
    // Of the times, only whether the packet is stamped before the previous one.
    const bool back_in_time = last_ts_ >= 0 && p.ts_ns < last_ts_;
    last_ts_ = p.ts_ns;
    mix(std::uint64_t{static_cast<std::uint8_t>(p.side)} | std::uint64_t{p.flags} << 8 |
        std::uint64_t{p.header_length} << 16 | std::uint64_t{p.window} << 24 | std::uint64_t{p.ttl} << 40 |
        std::uint64_t{p.dont_fragment} << 48 | std::uint64_t{p.v6} << 49 | std::uint64_t{back_in_time} << 50);
    mix(std::uint64_t{p.mss} | std::uint64_t{static_cast<std::uint16_t>(p.window_scale)} << 16 |
        std::uint64_t{p.sack_permitted} << 32 | std::uint64_t{p.timestamps} << 33 |
        std::uint64_t{p.sack_blocks} << 34 | std::uint64_t{p.ip_header_length} << 40);
    mix(p.payload_len);
    std::uint32_t n = p.payload_len;
    const std::uint8_t* b = p.payload;
    for (; n >= 8; b += 8, n -= 8) {
        std::uint64_t w;
        std::memcpy(&w, b, 8);
        mix(w);
    }
    if (n) {
        std::uint64_t w = 0;
        std::memcpy(&w, b, n);
        mix(w);
    }
}

void ClosedProbes::insert(std::uint64_t hash, const Probe& p) {
    while (probes_.size() >= kMax && !order_.empty()) {
        const auto [h, ts] = order_.front();
        order_.pop_front();
        if (const Probe* q = probes_.find(h); q && q->last_ts == ts) probes_.erase(h);
    }
    *probes_.try_emplace(hash).first = p;
    order_.emplace_back(hash, p.last_ts);
}

void ClosedProbes::touch(std::uint64_t hash, Probe& p, std::int64_t ts) {
    if (ts <= p.last_ts) return;
    p.last_ts = ts;
    order_.emplace_back(hash, ts);
}

void ClosedProbes::expire(std::int64_t now, std::int64_t linger) {
    while (!order_.empty() && now - order_.front().second > linger) {
        const auto [h, ts] = order_.front();
        order_.pop_front();
        if (const Probe* q = probes_.find(h); q && q->last_ts == ts) probes_.erase(h);
    }
}

}  // namespace rdpscope
