// SPDX-License-Identifier: MIT
// The UDP flows not on the RDP port, for the tracker: numbered and timed here
// so that UdpFlows, which decodes the RDP ones, need not hold them.
//
// UdpFlows numbers every UDP flow (as Wireshark's udp.stream) and retires a
// flow after idle_timeout without a datagram, scanning its whole table on
// every sweep (once a second of packet time).  On a busy capture that table
// holds every DNS query of the last ten minutes, and those scans were a
// tenth of the analysis time.  So the tracker gives UdpFlows every datagram
// of a flow on the RDP port as before, but of the other flows it only says
// when one starts (UdpFlows::count_flow: the flow takes the next number, and
// UdpFlows keeps nothing of it).  This table answers, for each datagram of
// the other flows, whether UdpFlows would have started a new flow with it:
// not when the flow is still held, that is, when no sweep found it idle for
// longer than idle_timeout.  Sweeps only move on, so that is: the
// latest sweep found it idle, and a flow needs no queue of deadlines, only its
// last time; the sweeps free such flows a part of the table at a time.
//
// A busy capture has tens of thousands of these flows within the timeout
// (every DNS query is one), so they are kept small: IPv4 flows, nearly all of
// them, by a 12-byte key in an open-addressing table, 32 bytes a slot (the
// two Endpoints in a std::unordered_map and a deadline queue took 160 bytes a
// flow); IPv6 flows by their Endpoints.

// What UdpFlows does with a flow off the RDP port is count it, note its time
// and retire it; if it ever does more (decode RDP-UDP on other ports by
// content, say), this split must change with it: tests/test_light_tracking.cpp
// and fuzz/fuzz_tracker.cpp compare the tracker's UDP results with UdpFlows
// fed every datagram.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <tuple>
#include <vector>

#include "analyze/flow_table.hpp"
#include "analyze/udp_flows.hpp"

namespace rdpscope {

// Flows by key and time of their last datagram; a flow counts as gone once a
// sweep finds it idle for longer than the timeout.
template <class K, class Hash>
class IdleFlowSet {
public:
    // A datagram of the flow at ts_ns: true when the flow is new (never seen,
    // or gone).  With max_flows held, a flow not held is new at each datagram
    // (counted in not_kept).
    bool datagram(const K& k, std::int64_t ts_ns, std::int64_t idle_ns,
                  std::size_t max_flows = std::numeric_limits<std::size_t>::max()) {
        std::int64_t* last = nullptr;
        bool fresh = false;
        if (flows_.size() < max_flows) {
            std::tie(last, fresh) = flows_.try_emplace(k);
        } else if (!(last = flows_.find(k))) {
            ++not_kept_;
            return true;
        }
        const bool gone = !fresh && swept_ && sweep_ns_ - *last > idle_ns;
        // A datagram stamped before the last sweep's horizon (files are not
        // always in time order) must not make its flow look gone before the
        // next sweep has looked at it: that one finds it idle all the same.
        *last = swept_ ? std::max(ts_ns, sweep_ns_ - idle_ns) : ts_ns;
        return fresh || gone;
    }
    // A sweep at now_ns (later than the one before): the flows idle for longer
    // than idle_ns are gone from now on; free those in a sixteenth of the table.
    void expire(std::int64_t now_ns, std::int64_t idle_ns) {
        sweep_ns_ = now_ns;
        swept_ = true;
        flows_.erase_some(cursor_, flows_.capacity() / 16 + 1,
                          [&](const K&, std::int64_t last) { return now_ns - last > idle_ns; });
    }
    void clear() {
        flows_.clear();
        swept_ = false;
        not_kept_ = 0;
    }
    std::size_t size() const { return flows_.size(); }
    std::uint64_t not_kept() const { return not_kept_; }

private:
    FlowTable<K, std::int64_t, Hash> flows_{256};  // last datagram's time
    std::uint64_t not_kept_ = 0;
    std::int64_t sweep_ns_ = 0;
    bool swept_ = false;
    std::size_t cursor_ = 0;
};

class UdpOtherFlows {
public:
    // Flows held at most, IPv4 and others each.  Beyond, a new flow is not
    // held: each of its datagrams counts as a new flow, so udp.stream numbers
    // may run ahead of Wireshark's from then on (not_kept says how often).  A
    // UDP flood or scan (every datagram a new flow) would otherwise hold 32
    // bytes a datagram for the idle timeout.  131,072: a busy capture's DNS,
    // NTP and QUIC flows of ten minutes (200 new flows a second) in 8 MiB.
    static constexpr std::size_t kMaxFlows = 131072;

    UdpOtherFlows(std::int64_t idle_timeout_ns, std::uint16_t rdp_port, std::size_t max_flows = kMaxFlows)
        : idle_ns_(idle_timeout_ns), rdp_port_(rdp_port), max_flows_(max_flows) {}
    // A flow on the RDP port: for UdpFlows alone.
    bool on_rdp_port(const UdpFlows::Key& k) const { return k.lo.port == rdp_port_ || k.hi.port == rdp_port_; }
    // A datagram of another flow: true when it starts a new flow.
    bool datagram(const UdpFlows::Key& k, std::int64_t ts_ns);
    // A sweep at now_ns: forget the flows it finds idle for longer than idle_timeout.
    void expire(std::int64_t now_ns);
    void clear();
    std::size_t size() const { return v4_.size() + v6_.size(); }
    std::uint64_t not_kept() const { return v4_.not_kept() + v6_.not_kept(); }
    std::size_t max_flows() const { return max_flows_; }  // the bound this table keeps

    // An IPv4 flow's key: the addresses and ports of UdpFlows::Key, packed.
    struct Key4 {
        std::uint32_t lo_ip = 0, hi_ip = 0;
        std::uint16_t lo_port = 0, hi_port = 0;
        bool operator==(const Key4&) const = default;
    };
    struct Key4Hash {
        std::size_t operator()(const Key4& k) const noexcept;
    };
    struct KeyHash {
        std::size_t operator()(const UdpFlows::Key& k) const noexcept;
    };

private:
    std::int64_t idle_ns_;
    std::uint16_t rdp_port_;
    std::size_t max_flows_;
    IdleFlowSet<Key4, Key4Hash> v4_;
    IdleFlowSet<UdpFlows::Key, KeyHash> v6_;  // and any flow not IPv4 on both sides
};

}  // namespace rdpscope
