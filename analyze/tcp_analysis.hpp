// TCP behaviour of one connection, per direction: what Wireshark calls TCP
// analysis (retransmissions, duplicate ACKs, out-of-order, capture gaps, zero
// windows...) plus the figures the verdict engine reasons with (SYN back-off,
// RTT, RST origin, segment sizes, vantage point).  Fed one segment at a time
// from packet fields; never sees payload bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dissect/tcp.hpp"

namespace rdpscope {

// Per-frame findings, named as Wireshark's tcp.analysis.* flags where one exists.
enum TcpFlag : std::uint32_t {
    TCP_RETRANSMISSION = 1u << 0,
    TCP_FAST_RETRANSMISSION = 1u << 1,
    TCP_SPURIOUS_RETRANSMISSION = 1u << 2,
    TCP_OUT_OF_ORDER = 1u << 3,
    TCP_DUP_ACK = 1u << 4,
    TCP_ZERO_WINDOW = 1u << 5,
    TCP_LOST_SEGMENT = 1u << 6,      // previous segment not captured
    TCP_ACKED_UNSEEN = 1u << 7,      // ACKed segment that wasn't captured
    TCP_DUPLICATE_FRAME = 1u << 8,   // the same packet captured twice (not in Wireshark)
    TCP_KEEP_ALIVE = 1u << 9,
    TCP_WINDOW_UPDATE = 1u << 10,
    TCP_WINDOW_FULL = 1u << 11,
    TCP_ZERO_WINDOW_PROBE = 1u << 12,
};

// "tcp.retransmission", ... for the flags set in `bits`.
std::vector<std::string> tcp_flag_names(std::uint32_t bits);

// What the analysis needs of one captured TCP segment.
struct TcpSegment {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    int side = 0;                  // 0 or 1, as the connection numbers its sides
    const tcp::Header* tcp = nullptr;
    std::uint32_t payload_len = 0; // on-wire payload length (the snaplen may have cut the bytes)
    std::uint8_t ttl = 0;          // IPv4 TTL or IPv6 hop limit
    std::uint32_t ip_id = 0;
    bool dont_fragment = false;
    bool ipv6 = false;
    std::uint32_t ip_total_length = 0;
};

struct TcpSideCounters {
    std::uint64_t packets = 0, bytes = 0;
    std::uint64_t syn = 0, syn_ack = 0, fin = 0, rst = 0;
};

class TcpAnalysis {
public:
    // Returns the TcpFlag bits for this frame.
    std::uint32_t on_segment(const TcpSegment& s);

    const TcpSideCounters& side(int s) const { return side_[s]; }
    // The `tcp` object of `rdpscope analyze --format json` (README), c2s/s2c by `client_side`.
    nlohmann::ordered_json to_json(int client_side) const;

private:
    std::array<TcpSideCounters, 2> side_{};
};

}  // namespace rdpscope
