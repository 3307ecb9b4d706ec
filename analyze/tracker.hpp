// The connection table: places every packet in its TCP connection (by 5-tuple,
// with port reuse), keeps per-side figures, reassembles each direction for the
// RDP decoders, ties ICMP errors to the connection they quote, and retires
// connections when they are finished so memory follows open connections.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyze/connection.hpp"
#include "analyze/event.hpp"
#include "analyze/verdict.hpp"
#include "capture/packet.hpp"
#include "dissect/packet.hpp"

namespace rdpscope {

class Observer {
public:
    virtual ~Observer() = default;
    virtual void pdu(const Connection&, Dir, const PduEvent&) {}
    // The connection is finished (closed and quiet, or the input ended); it is
    // freed right after this call.  Only RDP connections (by port or content).
    virtual void connection_done(const Connection&, const Verdict&) {}
    // The verdict is decided (closed, stalled, completed): live output prints it
    // now; the connection may go on and is reported again, whole, by connection_done.
    virtual void connection_verdict(const Connection&, const Verdict&) {}
    // RDP-UDP (flows on the RDP port): a PDU, and the flow finished (idle or end of input).
    virtual void udp_pdu(const UdpFlowFacts&, Dir, const PduEvent&) {}
    virtual void udp_flow_done(const UdpFlowFacts&) {}
    // A problem with the input worth a line on stderr; `conn` may be null.
    virtual void problem(std::uint64_t frame, const Connection* conn, const std::string& what) = 0;
};

struct TrackerOptions {
    std::uint16_t rdp_port = 3389;
    std::vector<std::uint16_t> extra_ports;  // more ports to report connections on (capture --port)
    std::size_t max_pending_per_direction = 256 * 1024;
    std::int64_t closed_linger_ns = 60'000'000'000;   // keep a closed connection this long for late packets
    std::int64_t idle_timeout_ns = 600'000'000'000;   // retire a silent open connection after this
    std::int64_t stall_timeout_ns = 30'000'000'000;   // no progress for this long: the handshake stalled
};

struct FileStats {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::uint64_t not_ip = 0;
    std::uint64_t ip_fragments = 0;
    std::uint64_t decode_errors = 0;
    std::uint64_t cut_by_snaplen = 0;
    std::uint64_t first_cut_frame = 0;
    std::uint64_t tcp = 0, udp = 0, icmp = 0;
    std::uint64_t icmp_unmatched = 0;
    std::uint64_t connections = 0;      // TCP connections seen
    std::uint64_t rdp_connections = 0;  // of which reported
    std::int64_t first_ts = 0, last_ts = 0;
};

class Tracker {
public:
    Tracker(Observer& obs, TrackerOptions opt = {});
    ~Tracker();
    // Packet time moves on (before each packet, and on idle ticks of a live
    // source): connections that are finished are retired.
    void advance(std::int64_t now_ns);
    void packet(const CapturedPacket& pkt);
    // End of input: every connection still open is finished.
    void finish();
    // Live capture: packets the kernel or interface dropped so far (pcap_stats);
    // verdicts of connections open meanwhile say they may depend on them.
    void set_capture_drops(std::uint64_t total) { capture_drops_ = total; }
    const FileStats& stats() const { return stats_; }
    std::size_t open_connections() const { return table_.size(); }

    struct Key {
        Endpoint lo, hi;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };

private:
    void tcp_packet(const CapturedPacket& pkt, const PacketInfo& p);
    void icmp_packet(const CapturedPacket& pkt, const PacketInfo& p);
    Connection& connection_for(const Key& key, const Endpoint& src, const PacketInfo& p, const CapturedPacket& pkt);
    void retire(std::unordered_map<Key, std::unique_ptr<Connection>, KeyHash>::iterator it);
    void report(Connection& c, std::int64_t now_ns, bool input_ended);
    bool due(Connection& c, std::int64_t now_ns);
    void sweep(std::int64_t now_ns);
    bool reportable(const Connection& c) const;

    Observer& obs_;
    TrackerOptions opt_;
    FileStats stats_;
    std::unordered_map<Key, std::unique_ptr<Connection>, KeyHash> table_;
    std::unique_ptr<UdpFlows> udp_;  // UDP flows: numbered like udp.stream, RDP-UDP decoded
    std::uint64_t next_id_ = 0;
    std::int64_t last_sweep_ns_ = 0;
    bool snaplen_reported_ = false;
    bool ended_ = false;
    std::unordered_map<std::uint64_t, Verdict> verdicts_;  // decided, by connection id, until retired
    std::uint64_t capture_drops_ = 0;
    class Events;
    class Sink;
};

}  // namespace rdpscope
