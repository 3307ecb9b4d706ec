// SPDX-License-Identifier: MIT
// Floods: what an internet-facing RDP server's capture holds when it is
// scanned or brute-forced -- a million unanswered SYNs from a million
// addresses, a hundred thousand X.224 probes, NLA failures by the thousand.
// Tracked one by one, each costs kilobytes and a report of its own, so memory
// and output would follow the flood's rate instead of the connections that
// matter.  Two bounds (TrackerOptions), and an honest aggregate of what they
// leave out (FloodStats, in the file's figures):
//  * SYN attempts (on a reported port, only SYNs so far) are held compactly,
//    without a Connection, and promoted when anything else comes; at most
//    max_pending_attempts are held, the oldest beyond that is counted here
//    and forgotten (a real client's SYN is answered within milliseconds, long
//    before it is the oldest of thousands);
//  * SYN attempts off the reported ports (a scan of other ports, a SYN flood
//    against a web server beside RDP) are kept light as before, but at most
//    max_pending_attempts of them newer than the oldest one still unanswered:
//    beyond, the oldest unanswered is counted here and forgotten (they are
//    never reported: only their numbering and the capture's totals knew them);
//  * connections that look like a flood's -- ConnBrief::probe (only SYNs, or
//    nothing after the X.224 request) or an NLA failure -- are listed one by
//    one while a budget of listed_per_minute per minute of packet time lasts
//    (a token bucket, so the same capture gives the same list live and
//    offline); beyond it they are still judged and grouped (groups.cpp), but
//    counted here by cause instead of listed.
// Counting the sources exactly takes memory too: distinct addresses are
// counted exactly up to kMaxDistinct, then as "at least"; the attempts of the
// first kMaxTopSources sources are counted exactly, the top ones reported.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "analyze/verdict.hpp"
#include "dissect/address.hpp"
#include "platform/platform.hpp"

namespace rdpscope {

struct SourceCount {
    IpAddr address;
    std::uint64_t attempts = 0;
};

// What the flood bounds left out of the per-connection reports, exactly.
struct FloodStats {
    // SYN attempts never judged one by one (the oldest beyond the held
    // bound, or due while the listing budget was spent): only SYNs, no answer.
    std::uint64_t attempts = 0;       // connections (distinct 5-tuples or ISNs)
    std::uint64_t syn_packets = 0;    // their SYNs, retransmissions included
    std::uint64_t sources = 0;        // distinct client addresses among them
    bool sources_at_least = false;    // more than FloodCounter::kMaxDistinct: `sources` is a lower bound
    std::uint64_t servers = 0;        // distinct server endpoints they went to (up to kMaxServers)
    bool servers_at_least = false;
    std::uint64_t first_frame = 0, last_frame = 0;
    std::int64_t first_ts = 0, last_ts = 0;
    std::vector<SourceCount> top_sources;  // by attempts, at most 10 (filled at the end)
    std::uint64_t sources_not_counted = 0; // attempts of sources beyond the first kMaxTopSources
    // SYN attempts off the reported ports forgotten unanswered, beyond the
    // max_pending_attempts newest attempts: connections, and their SYNs.
    std::uint64_t other_attempts = 0;
    std::uint64_t other_syn_packets = 0;
    std::uint64_t other_first_frame = 0, other_last_frame = 0;
    // Connections judged (and grouped) but not listed: the budget was spent.
    std::uint64_t not_listed = 0;
    std::map<Cause, std::uint64_t> not_listed_by_cause;
    std::uint64_t not_listed_first_frame = 0, not_listed_last_frame = 0;
    // Connections (decided RDP ones, then gateway candidates judged on what
    // they showed so far) reported and retired before their linger or idle time was
    // over, to keep at most max_full_connections: packets of theirs after
    // that are in no report's figures (they start nothing new either).
    std::uint64_t retired_early = 0;
    std::uint64_t late_packets = 0;  // such packets seen
    // Of the not_listed, the probes judged by their shape (probe_memo.hpp):
    // never built into a Connection, given the brief verdict of the first
    // connection of the same shape; the shapes learned; packets of theirs
    // after their RST (in no report's figures).
    std::uint64_t judged_by_shape = 0, shapes = 0, shape_late_packets = 0;
    // UDP flows on the RDP port reported and retired before their idle time
    // was over, to keep at most max_udp_flows (UdpFlowOptions::max_rdp_flows),
    // and datagrams of other UDP flows that found their table full
    // (max_other_udp_flows, UdpOtherFlows::kMaxFlows), each counted as a new
    // flow: UDP floods.  Either way udp.stream numbers may run ahead of
    // Wireshark's from the first such flow on.
    std::uint64_t udp_retired_early = 0, udp_other_not_kept = 0;
    // UDP flows on the RDP port that never came up, tied to no TCP
    // connection, beyond the listing budget (listed_per_minute): not listed.
    std::uint64_t udp_not_listed = 0;
    std::uint64_t max_udp_flows = 0, max_other_udp_flows = 0;
    // The bounds as they were (for the report's words).
    std::uint64_t max_pending_attempts = 0, listed_per_minute = 0, max_full_connections = 0;
    bool any() const {
        return attempts || not_listed || retired_early || other_attempts || udp_retired_early || udp_other_not_kept ||
               udp_not_listed;
    }
};

// Distinct values (never 0) by open addressing over zeroed pages
// (platform::ZeroedArray), at most half full, doubling from 4096 slots up to
// kMaxSlots; values gathered kBatch at a time, their slots prefetched
// together, so a flood's cache misses overlap.  Full: a value not there is
// not inserted, and `at_least` is set (the count is then a lower bound).
template <class T>
class DistinctSet {
public:
    static constexpr std::size_t kMaxSlots = std::size_t{1} << 21;
    static constexpr std::size_t kBatch = 32;
    // Counts v (not 0); new distinct values add to *count.
    void add(T v, std::uint64_t& count, bool& at_least) {
        batch_[batch_n_++] = v;
        if (batch_n_ == kBatch) flush(count, at_least);
    }
    void flush(std::uint64_t& count, bool& at_least);
    void clear() {
        slots_ = {};
        n_ = 0;
        batch_n_ = 0;
    }

private:
    // The home slot: the value mixed (an IPv4 address is not a hash).
    static std::size_t home(T v) { return static_cast<std::size_t>((std::uint64_t{v} * 0x9E3779B97F4A7C15ull) >> 24); }
    bool grow();
    platform::ZeroedArray<T> slots_;
    std::size_t n_ = 0;
    T batch_[kBatch] = {};
    std::size_t batch_n_ = 0;
};

// Counts the attempts left out (bounded memory whatever the flood).
class FloodCounter {
public:
    // Distinct sources are exact up to this many of each family (at most 8
    // MiB for IPv4 addresses, kept as they are; 16 MiB for the 64-bit hashes
    // of the others).
    static constexpr std::size_t kMaxDistinct = DistinctSet<std::uint32_t>::kMaxSlots / 2;
    static constexpr std::size_t kMaxTopSources = 4096;                // sources whose attempts are counted
    static constexpr std::size_t kMaxServers = 256;

    void attempt(const IpAddr& client, const Endpoint& server, std::uint64_t syns, std::uint64_t first_frame,
                 std::int64_t first_ts, std::uint64_t last_frame, std::int64_t last_ts);
    void not_listed(Cause cause, std::uint64_t first_frame, std::uint64_t last_frame);
    void retired_early() { ++st_.retired_early; }
    void other_attempt(std::uint64_t syns, std::uint64_t first_frame, std::uint64_t last_frame) {
        ++st_.other_attempts;
        st_.other_syn_packets += syns;
        if (!st_.other_first_frame) st_.other_first_frame = first_frame;
        st_.other_last_frame = std::max(st_.other_last_frame, last_frame);
    }
    void late_packet() { ++st_.late_packets; }
    void judged_by_shape() { ++st_.judged_by_shape; }
    void shape_late_packet() { ++st_.shape_late_packets; }
    void set_shapes(std::uint64_t n) { st_.shapes = n; }
    // The figures, with the top sources, for the report.
    FloodStats stats();
    void set_bounds(std::uint64_t max_pending, std::uint64_t per_minute, std::uint64_t max_full) {
        st_.max_pending_attempts = max_pending;
        st_.listed_per_minute = per_minute;
        st_.max_full_connections = max_full;
    }
    void clear();

private:
    FloodStats st_;
    // Distinct sources: IPv4 addresses as they are (4 bytes a source, exact;
    // 0.0.0.0 apart), other addresses by a 64-bit hash.
    DistinctSet<std::uint32_t> distinct4_;
    DistinctSet<std::uint64_t> distinct_other_;
    bool zero_source_ = false;
    // The first kMaxTopSources sources and their attempts (top_list_), found
    // by their address hash in an index of twice as many slots (hash, position
    // + 1): a flood's new source costs one probe of a 128 KiB index.
    struct TopSlot {
        std::uint64_t hash = 0;
        std::uint64_t index = 0;
    };
    std::vector<TopSlot> top_index_;
    std::vector<SourceCount> top_list_;
    void count_source(const IpAddr& client, std::uint64_t hash);
    std::vector<Endpoint> servers_;
};

// The keys (64-bit hashes) of the connections retired early, the newest
// 2 x kGeneration of them: a late packet of one is counted, not taken for a
// new connection.  Two generations of open addressing, the older dropped
// whole when the newer is full: 2 MiB, no deletes.
class RecentKeys {
public:
    static constexpr std::size_t kGeneration = 65536;
    void insert(std::uint64_t h);
    bool contains(std::uint64_t h) const;
    bool empty() const { return n_[0] == 0 && n_[1] == 0; }
    void clear();

private:
    static bool find(const std::vector<std::uint64_t>& t, std::uint64_t h);
    std::vector<std::uint64_t> gen_[2];  // [0] the newer
    std::size_t n_[2] = {0, 0};
};

// The listing budget: a token bucket refilled by packet time.
class ListingBudget {
public:
    explicit ListingBudget(std::uint64_t per_minute) : per_minute_(per_minute), tokens_(per_minute) {}
    // Is there a token now (packet time `now_ns`)?  take(): use one.
    bool available(std::int64_t now_ns);
    void take() { if (tokens_) --tokens_; }
    void give_back() { tokens_ = std::min(per_minute_, tokens_ + 1); }
    // What available(now_ns) would say, without refilling: the tracker asks
    // before judging, and then as before only of the probe-like connections.
    bool peek(std::int64_t now_ns) const {
        ListingBudget b = *this;
        return b.available(now_ns);
    }

private:
    std::uint64_t per_minute_;
    std::uint64_t tokens_;
    std::int64_t last_ns_ = 0;
    std::int64_t carry_ns_ = 0;  // packet time not yet turned into tokens
};

}  // namespace rdpscope
