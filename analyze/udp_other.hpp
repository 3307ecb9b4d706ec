// The UDP flows not on the RDP port, for the tracker: numbered and timed here
// so that UdpFlows, which decodes the RDP ones, need not hold them.
//
// UdpFlows numbers every UDP flow (as Wireshark's udp.stream) and retires a
// flow after idle_timeout without a datagram, scanning its whole table on
// every sweep (once a second of packet time).  On a busy capture that table
// holds every DNS query of the last ten minutes, and those scans were a
// tenth of the analysis time.  So the tracker gives UdpFlows every datagram
// of a flow on the RDP port as before, but of the other flows only the first
// (the one that makes UdpFlows count a new flow), stamped long ago so that
// UdpFlows forgets the flow at its next sweep.  This table answers, for each
// datagram of the other flows, whether UdpFlows would have started a new
// flow with it: not when the flow is still held, that is, when no sweep found
// it idle for longer than idle_timeout.  Its expiry is a lazy queue of
// deadlines, so a sweep costs the flows that expire, not the whole table.
//
// What UdpFlows does with a flow off the RDP port is count it, note its time
// and retire it; if it ever does more (decode RDP-UDP on other ports by
// content, say), this split must change with it: tests/test_udp_other.cpp
// compares the tracker's UDP results with UdpFlows fed every datagram.
#pragma once

#include <cstdint>
#include <limits>
#include <queue>
#include <unordered_map>
#include <vector>

#include "analyze/udp_flows.hpp"

namespace rdpscope {

class UdpOtherFlows {
public:
    // The time to give UdpFlows with a flow's first datagram: any sweep retires it.
    static constexpr std::int64_t kLongAgo = std::numeric_limits<std::int64_t>::min() / 4;

    UdpOtherFlows(std::int64_t idle_timeout_ns, std::uint16_t rdp_port)
        : idle_ns_(idle_timeout_ns), rdp_port_(rdp_port) {}
    // A flow on the RDP port: for UdpFlows alone.
    bool on_rdp_port(const UdpFlows::Key& k) const { return k.lo.port == rdp_port_ || k.hi.port == rdp_port_; }
    // A datagram of another flow: true when it starts a new flow.
    bool datagram(const UdpFlows::Key& k, std::int64_t ts_ns);
    // A sweep at now_ns: forget the flows it finds idle for longer than idle_timeout.
    void expire(std::int64_t now_ns);
    void clear();
    std::size_t size() const { return flows_.size(); }

private:
    struct Hash {
        std::size_t operator()(const UdpFlows::Key& k) const noexcept;
    };
    struct Equal {
        bool operator()(const UdpFlows::Key& a, const UdpFlows::Key& b) const noexcept;
    };
    struct Flow {
        std::int64_t last_ts;
        std::int64_t queued;  // deadline of its live queue entry (any other is stale)
    };
    struct Deadline {
        std::int64_t at;
        UdpFlows::Key key;
        bool operator>(const Deadline& o) const { return at > o.at; }
    };

    std::int64_t idle_ns_;
    std::uint16_t rdp_port_;
    std::unordered_map<UdpFlows::Key, Flow, Hash, Equal> flows_;
    std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> queue_;
};

}  // namespace rdpscope
