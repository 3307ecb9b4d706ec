// SPDX-License-Identifier: MIT
// Probes judged by their shape (issue 16).  A scanner or brute-forcer sends
// the same handshake again and again: SYN, SYN-ACK, ACK, the same X.224
// request, the server's same confirm, then a RST.  Beyond the listing budget
// (flood.hpp) such a connection is never printed: all the report keeps of it
// is its brief (groups.hpp: cause, code, phases, and its times and frames),
// yet building, replaying and judging a full Connection for it was most of a
// probe flood's time.  So, while the budget is spent, the tracker holds such
// a connection past its SYN-ACK as it holds a SYN attempt (its packets kept,
// no Connection) for as long as it keeps a strict shape:
//  * every packet in order: its sequence number the next one of its side,
//    its acknowledgement (if any) all its peer sent; no second SYN after the
//    SYN-ACK, no FIN, no copies, no ICMP error, no capture drops;
//  * at most Tracker::kMaxHeld packets, kMaxHeldBytes of payload;
//  * ended by a RST within kMaxSpanNs of its first SYN.
// Anything else promotes it to a full Connection by replaying its packets,
// exactly as a SYN attempt is promoted.  At the RST, its shape -- what a
// verdict can depend on of such a connection, below -- is looked up here:
// the first connection of each shape is promoted and judged in full, and the
// brief parts of its verdict learned; the next ones of the same shape are
// given it and handed to the observer (Observer::probe_done) without a
// Connection being built, and their keys kept as long as full tracking would
// keep them closed (ClosedProbes).  Full tracking would judge them at the
// next sweep, with any packet that came after the RST: such packets are
// counted (FloodStats::shape_late_packets), so that a report says when the
// two could differ.
//
// What the shape holds, packet by packet: the side, the TCP flags, header
// length and options (MSS, window scale, SACK permitted and blocks,
// timestamps present), the window, the payload's length and bytes, the TTL
// (a flood from many sources has a few dozen hop counts), the DF bit, IPv6
// or not, the IP header length, whether it is stamped before the packet
// before it; and the ports' roles (which one is the RDP port).  Left out:
// the addresses, ports, IP IDs and timestamp values, and the sequence and
// acknowledgement numbers, which the strict shape fixes relative to each
// other.  Left out too, the times: within kMaxSpanNs no rule that reads them
// can tell two probes of one shape apart -- a verdict's thresholds are 500 ms
// and more (verdict.cpp: 3 s for a SYN given up, 5 s for an automatic
// rejection; timeline.cpp: a 500 ms session span), the stall timeout is at
// least kMinStallNs, and the TCP analysis reads times only for segments out
// of order or sent again, which the strict shape does not allow.  What the
// times change is in the words and figures of a listed connection only
// (round trip, vantage), and a probe judged by its shape is never listed.
//
// The memo is bounded (kMaxShapes); a shape not learned is judged in full.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "analyze/flow_table.hpp"
#include "analyze/phase.hpp"
#include "analyze/verdict.hpp"

namespace rdpscope {

// What a connection's brief (ConnBrief) takes from its verdict and from the
// bytes of its shape: the same for every connection of that shape.
struct ShapeVerdict {
    Cause cause = Cause::none;
    VerdictId code;
    std::optional<Phase> phase, stalled_at;
    std::optional<std::uint32_t> requested;
    bool nla_failure = false, probe = false, refused = false;
};

// Folds a probe's packets into its shape (a 64-bit hash).
class ProbeShape {
public:
    struct Packet {
        int side = 0;  // 0: the SYN's sender
        std::uint8_t flags = 0, header_length = 0;
        std::uint16_t window = 0;
        std::uint16_t mss = 0;
        std::int16_t window_scale = -1;
        bool sack_permitted = false, timestamps = false;
        std::uint8_t sack_blocks = 0;
        const std::uint8_t* payload = nullptr;
        std::uint32_t payload_len = 0;
        std::uint8_t ttl = 0;
        std::uint16_t ip_header_length = 0;
        bool dont_fragment = false, v6 = false;
        std::int64_t ts_ns = 0;
    };
    // `server_on_rdp_port`, `client_on_rdp_port`: the ports' roles.
    ProbeShape(bool server_on_rdp_port, bool client_on_rdp_port);
    void add(const Packet& p);
    std::uint64_t hash() const { return h_ | 1; }

private:
    void mix(std::uint64_t w);
    std::uint64_t h_;
    std::int64_t last_ts_ = -1;
};

class ProbeMemo {
public:
    static constexpr std::size_t kMaxShapes = 4096;
    // Longest a probe may last, first SYN to RST, and be judged by its shape.
    static constexpr std::int64_t kMaxSpanNs = 250'000'000;
    // The shortest stall timeout (--stall-timeout) under which probes are judged by their shape.
    static constexpr std::int64_t kMinStallNs = 5'000'000'000;

    const ShapeVerdict* find(std::uint64_t shape) const {
        const auto it = shapes_.find(shape);
        return it == shapes_.end() ? nullptr : &it->second;
    }
    void learn(std::uint64_t shape, const ShapeVerdict& v) {
        if (shapes_.size() < kMaxShapes) shapes_.emplace(shape, v);
    }
    std::size_t size() const { return shapes_.size(); }
    void clear() { shapes_.clear(); }

private:
    std::unordered_map<std::uint64_t, ShapeVerdict> shapes_;
};

// The probes judged by their shape, by key hash, for as long as full
// tracking would have kept them after their RST (a closed connection's
// linger): a later packet of theirs is what full tracking would have added
// to them -- counted, not taken for a new connection -- unless it is a SYN
// that starts a new stream (Tracker::StreamBases).  They go at the sweeps
// that would have retired them (expire(), with the last packet's time);
// beyond kMax the oldest goes first.
class ClosedProbes {
public:
    static constexpr std::size_t kMax = 131072;
    struct Probe {
        std::int64_t last_ts = 0;
        std::array<std::uint32_t, 2> base{};  // each side's stream base (its SYN's sequence number)
        bool client_lo = false;               // the client is the key's lo endpoint
    };
    void insert(std::uint64_t hash, const Probe& p);
    Probe* find(std::uint64_t hash) { return probes_.find(hash); }
    // A packet at `ts` for it: kept for the linger after that.
    void touch(std::uint64_t hash, Probe& p, std::int64_t ts);
    // Forget those quiet for longer than `linger` at `now`.
    void expire(std::int64_t now, std::int64_t linger);
    bool empty() const { return probes_.size() == 0; }
    void clear() {
        probes_ = Table(1024);
        order_.clear();
    }

private:
    // By key hash, which is a hash already (a probe flood looks one up per
    // SYN: a flat table, not std::unordered_map's node per entry).
    struct Same {
        std::size_t operator()(std::uint64_t h) const noexcept { return h; }
    };
    using Table = FlowTable<std::uint64_t, Probe, Same>;
    Table probes_{1024};
    std::deque<std::pair<std::uint64_t, std::int64_t>> order_;  // (hash, last_ts) as they came
};

}  // namespace rdpscope
