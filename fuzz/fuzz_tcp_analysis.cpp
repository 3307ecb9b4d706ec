// SPDX-License-Identifier: MIT
// TcpAnalysis under arbitrary segment and ICMP sequences (both sides, any
// flags, sequence numbers near each other so the rules interact): never
// crashes, keeps its records within their bounds, returns only public flags,
// a duplicate frame alone, and its JSON and words build.
#include <cstddef>
#include <cstdint>
#include <deque>

#include "analyze/tcp_analysis.hpp"
#include "report/tcp_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope;
    TcpAnalysis a;
    std::deque<tcp::Header> headers;
    std::uint64_t frame = 0;
    std::int64_t ts = 1'000'000'000;
    const std::uint32_t base[2] = {0x10000000u, 0xfffff000u};  // the second wraps
    constexpr std::uint32_t kPublic = (1u << 13) - 1;
    for (std::size_t i = 0; i + 10 <= size; i += 10) {
        const std::uint8_t* p = data + i;
        const int side = p[0] & 1;
        ts += static_cast<std::int64_t>(p[1]) * ((p[0] & 2) ? 1'000'000 : 10'000);
        if (p[0] & 4) {
            TcpIcmpInput in;
            in.frame = ++frame;
            in.ts_ns = ts;
            in.v6 = p[0] & 8;
            in.type = p[2] % 4;
            in.code = p[3] % 16;
            in.mtu = p[4] * 8u;
            in.quoted_side = side;
            in.quoted_seq = base[side] + (std::uint32_t(p[5]) << 8 | p[6]);
            a.on_icmp(in);
            continue;
        }
        tcp::Header& h = headers.emplace_back();
        h.flags = p[2];
        h.seq = base[side] + (std::uint32_t(p[3]) << 8 | p[4]);
        h.ack = base[1 - side] + (std::uint32_t(p[5]) << 8 | p[6]);
        h.window = p[7] & 0x80 ? 0 : static_cast<std::uint16_t>(p[7] * 16);
        if (h.flags & tcp::SYN) {
            h.options.window_scale = static_cast<std::int16_t>((p[8] & 0x1f) - 2);
            h.options.mss = 1460;
        }
        TcpSegment s;
        s.frame = ++frame;
        s.ts_ns = ts;
        s.side = side;
        s.tcp = &h;
        s.payload_len = p[8] & 0x80 ? 0 : p[9] * 8u;
        s.ttl = static_cast<std::uint8_t>(60 + (p[8] & 7));
        s.ip_id = p[9] & 0x40 ? 0 : static_cast<std::uint32_t>(frame / 2);
        s.ip_total_length = 40 + s.payload_len;
        const std::uint32_t f = a.on_segment(s);
        if (f & ~kPublic) __builtin_trap();
        if ((f & TCP_DUPLICATE_FRAME) && f != TCP_DUPLICATE_FRAME) __builtin_trap();
        if (headers.size() > 64) headers.pop_front();  // the analysis keeps no pointer to past headers
    }
    for (int s = 0; s < 2; ++s) {
        if (a.retransmits(s).size() > TcpAnalysis::kMaxRetransmits) __builtin_trap();
        for (const auto& r : a.retransmits(s)) TcpAnalysis::resend_intervals_ms(r);
        a.max_unacked_segment(s);
        a.loss_estimate_pct(s);
        a.syn_intervals_ms(s);
    }
    if (a.resets().size() > TcpAnalysis::kMaxResets || a.icmp_errors().size() > TcpAnalysis::kMaxIcmp) __builtin_trap();
    const auto j = tcp_json(a, data && size ? data[0] & 1 : 0);
    describe_tcp(j);
    return 0;
}
