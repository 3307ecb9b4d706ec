// SPDX-License-Identifier: MIT
// The UDP side of RDP: the RDP-UDP transport (MS-RDPEUDP / MS-RDPEUDP2) a
// client opens beside its TCP connection once the server offers it.  A small
// flow table keyed by 5-tuple: every UDP flow is numbered in order of its first
// packet (as Wireshark's udp.stream, so `conn` of a UDP event matches it), and
// the flows on the RDP port are decoded: SYN, SYN+ACK, the client's first ACK,
// data, FIN.  The facts say whether the UDP transport came up or its SYNs went
// unanswered, and which TCP connection it belongs to (by the correlation id of
// the X.224 request when there is one, else by client and server address).
#pragma once

#include <array>
#include <deque>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyze/event.hpp"
#include "capture/packet.hpp"
#include "dissect/address.hpp"
#include "dissect/packet.hpp"

namespace rdpscope {

class Observer;
struct Connection;

struct UdpFlowFacts {
    std::uint64_t id = 0;            // order of first packet among UDP flows (like udp.stream)
    std::array<Endpoint, 2> side;    // side[0] sent the first packet we saw
    int client_side = 0;             // the first SYN's sender; else the side not on the RDP port
    const Endpoint& client() const { return side[client_side]; }
    const Endpoint& server() const { return side[1 - client_side]; }
    Dir dir_from(int s) const { return s == client_side ? Dir::c2s : Dir::s2c; }

    std::uint64_t first_frame = 0, last_frame = 0;
    std::int64_t first_ts = 0, last_ts = 0;
    std::array<std::uint64_t, 2> datagrams{}, bytes{};  // by Dir; bytes of UDP payload on the wire

    // Handshake (MS-RDPEUDP 3.1.5.1).
    std::uint64_t syns = 0;                    // client SYNs (first and retransmitted)
    std::vector<std::uint64_t> syn_frames;     // the first kMaxSynFrames of them
    std::int64_t first_syn_ts = 0, last_syn_ts = 0;
    std::uint64_t syn_acks = 0;
    std::uint64_t syn_ack_frame = 0;           // the first SYN+ACK
    std::int64_t syn_ack_ts = 0;
    std::uint64_t established_frame = 0;       // the client's first datagram after the SYN+ACK
    std::int64_t established_ts = 0;
    std::optional<std::uint16_t> client_version, server_version;  // SYNEX uUdpVer
    std::optional<std::uint16_t> client_mtu, server_mtu;           // upstream MTU of each SYN
    bool lossy = false;                        // RDPUDP_FLAG_SYNLOSSY: UDP-L (else UDP-R)
    bool rdpudp2 = false;                      // the SYN+ACK switched the flow to MS-RDPEUDP2
    std::string correlation_id;                // of the client's SYN, as the X.224 correlation id is written
    std::uint64_t fin_frame = 0;
    std::array<std::uint64_t, 2> data_datagrams{}, first_data_frame{};  // by Dir: datagrams carrying payload
    std::uint64_t decoded = 0;                 // datagrams that decoded as RDP-UDP
    std::uint64_t errors = 0;                  // datagrams that did not
    std::string first_error;
    std::uint64_t first_error_frame = 0;

    // ICMP errors quoting one of the flow's datagrams (e.g. port unreachable for the SYN).
    struct Icmp {
        std::uint64_t frame = 0;
        std::uint8_t type = 0, code = 0;
        std::string description, from;
        Dir to = Dir::c2s;  // whose datagram it quotes (it travels back to that side)
    };
    std::vector<Icmp> icmp;

    // The TCP connection it belongs to.
    std::optional<std::uint64_t> tcp_conn;
    std::string tie;  // "correlation_id" or "address_pair"

    static constexpr std::size_t kMaxSynFrames = 16;

    // False for a flow retired beyond the listing budget (a UDP flood):
    // counted in UdpFlows::not_listed, not printed one by one.
    bool listed = true;

    bool rdpudp() const { return decoded > 0; }
    bool up() const;          // the transport came up (handshake completed, or data both ways)
    const char* state() const;  // "established", "syn_unanswered", "syn_ack_unconfirmed", "mid_flow", "not_rdpudp"
};

struct UdpFlowOptions {
    std::uint16_t rdp_port = 3389;
    std::int64_t idle_timeout_ns = 600'000'000'000;  // retire a silent flow after this
    std::uint32_t data_events = 8;                   // rdpudp.data events per direction
    std::uint32_t error_events = 4;                  // rdpudp.error events per flow
    // Flows on the RDP port held at once.  At the bound a new one retires the
    // oldest that does not matter or is quiet (retire_oldest; reported as it
    // is, counted in retired_early):
    // a UDP flood on 3389 (spoofed sources, one datagram each) would
    // otherwise hold every flow for the idle timeout, ~700 bytes each.  A
    // later datagram of a flow so retired starts a new flow with a new
    // number, so udp.stream numbers may run ahead of Wireshark's from then on.
    std::size_t max_rdp_flows = 16384;
    // Flows on the RDP port that never came up and belong to no TCP
    // connection (what a UDP flood or scan makes), listed one by one per
    // minute of packet time; beyond, counted (not_listed).  0: no limit.
    std::uint64_t listed_per_minute = 0;
};

class ListingBudget;

// The TCP connections the tracker analyses in full, by id: the ones a UDP
// flow can be tied to (an RDP connection is always a full one).
using TcpConnections = std::map<std::uint64_t, Connection*>;

class UdpFlows {
public:
    // `tcp` is the tracker's table of full connections, read when a flow is
    // tied to one and when a tied flow is retired; it outlives this.
    UdpFlows(Observer& obs, UdpFlowOptions opt, const TcpConnections& tcp);
    ~UdpFlows();

    void packet(const CapturedPacket& pkt, const PacketInfo& p);
    // A new flow the caller keeps to itself (the tracker's flows off the RDP
    // port, udp_other.hpp): it takes the next flow number, as udp.stream
    // counts it, and nothing of it is kept here.
    void count_flow() { ++next_id_; }
    // An ICMP / ICMPv6 error quoting a UDP datagram; false if no flow matches.
    bool icmp(const CapturedPacket& pkt, const PacketInfo& p);
    void sweep(std::int64_t now_ns);  // retire flows idle for longer than the timeout
    void finish();                    // end of input: retire every flow

    // The flows tied to TCP connection `tcp_id` (still open, or retired since):
    // a copy of each, for the connection's report.  Retired ones are forgotten.
    std::vector<UdpFlowFacts> take_tied(std::uint64_t tcp_id);

    std::uint64_t flows() const { return next_id_; }       // UDP flows seen
    // The number of a flow this table holds (every flow, without light tracking).
    std::optional<std::uint64_t> id_of(const Endpoint& lo, const Endpoint& hi) const;
    std::uint64_t rdp_flows() const { return rdp_flows_; }  // of which on the RDP port
    std::uint64_t retired_early() const { return retired_early_; }  // at the max_rdp_flows bound
    std::uint64_t not_listed() const { return not_listed_; }        // beyond listed_per_minute
    std::size_t max_rdp_flows() const { return opt_.max_rdp_flows; }  // the bound this table keeps

    struct Key {
        Endpoint lo, hi;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };

private:
    struct Flow;
    struct Entry {
        std::uint64_t id = 0;
        std::int64_t last_ts = 0;
        std::unique_ptr<Flow> flow;  // only for flows on the RDP port
    };
    void datagram(Flow& f, int s, const CapturedPacket& pkt, const PacketInfo& p);
    void tie(Flow& f);
    void retire(Flow& f);
    void retire_oldest(std::int64_t now_ns);
    void emit(Flow& f, int s, PduEvent&& e);

    Observer& obs_;
    UdpFlowOptions opt_;
    const TcpConnections& tcp_;
    std::unordered_map<Key, Entry, KeyHash> table_;
    std::unordered_map<std::uint64_t, Flow*> rdp_live_;  // the flows of table_ on the RDP port, by id
    // The flows on the RDP port in order of their first datagram, for
    // retire_oldest; those retired since are skipped there and dropped when
    // stale ones outnumber the live.
    std::deque<std::pair<std::uint64_t, Key>> rdp_order_;
    std::unordered_map<std::uint64_t, std::vector<UdpFlowFacts>> retired_tied_;  // by TCP connection id
    std::unique_ptr<ListingBudget> budget_;  // when listed_per_minute
    std::uint64_t next_id_ = 0, rdp_flows_ = 0, retired_early_ = 0, not_listed_ = 0;
};

}  // namespace rdpscope
