// SPDX-License-Identifier: MIT
// Everything the analysis knows about one TCP connection: who is who, what
// each side sent, and the facts the RDP decoders found.  Facts, not bytes: the
// only bytes kept are the reassembly and framing buffers of live connections.
#pragma once

#include <array>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyze/gateway_stage.hpp"
#include "analyze/kerberos_flows.hpp"
#include "analyze/rdp_stream.hpp"
#include "analyze/tcp_analysis.hpp"
#include "analyze/udp_flows.hpp"
#include "dissect/address.hpp"
#include "dissect/tcp_reassembly.hpp"

namespace rdpscope {

struct SideStats {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;          // TCP payload bytes on the wire
    std::uint64_t syn = 0;            // SYN without ACK
    std::uint64_t syn_ack = 0;
    std::uint64_t fin = 0;
    std::uint64_t rst = 0;
    std::uint64_t first_syn_frame = 0, first_fin_frame = 0, first_rst_frame = 0;
    std::uint32_t syn_seq = 0;
    std::uint8_t first_ttl = 0;
    std::uint64_t cut_by_snaplen = 0;
    std::uint64_t ip_fragments = 0;
    std::uint64_t duplicate_copies = 0;  // copies of its packets collapsed before analysis (analyze/copies.hpp)
    std::int64_t last_ts = 0;        // this side's last packet
    std::uint64_t last_frame = 0;
    std::uint64_t since_peer = 0;    // packets this side sent since the other side's last one (unanswered)
};

struct IcmpNote {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    std::uint8_t type = 0, code = 0;
    std::uint32_t mtu = 0;
    bool v6 = false;
    std::string from;  // the router or host that sent it
    std::string description;
};

struct Connection {
    std::uint64_t id = 0;  // order of first packet among TCP connections (like tcp.stream)
    std::array<Endpoint, 2> side;  // side[0] sent the first packet we saw
    std::array<SideStats, 2> stats;
    std::array<tcp::Reassembler, 2> stream;
    std::uint64_t first_frame = 0, last_frame = 0;
    std::int64_t first_ts = 0, last_ts = 0;
    // Progress: the last time the handshake moved (new bytes in either
    // direction, or the first SYN).  Retransmissions and keep-alives are not progress.
    std::int64_t progress_ts = 0;
    std::uint64_t progress_frame = 0;
    int last_data_side = -1;  // the side that sent the newest bytes
    // The first capture gap (bytes of either side missing from the capture)
    // and each side's TCP figures at that moment: what went by after it is
    // the difference with `stats`, all that is left to judge the handshake by
    // once its records cannot be read any more (issue 14 part 10).
    struct GapMark {
        std::uint64_t frame = 0;
        std::int64_t ts_ns = 0;
        std::array<std::uint64_t, 2> bytes{}, packets{};
    };
    std::optional<GapMark> first_gap;
    bool reported = false;    // its verdict has been decided (once per connection)
    // Listed one by one in the report; false: a flood's probe beyond the
    // listing budget, judged and grouped but counted in FileStats::flood.
    bool listed = true;
    std::uint64_t checked_progress_frame = 0;  // progress at the last completion check
    // A stall the client owes is held (Tracker::due): the frame at which that
    // was last decided, and the decision.
    std::uint64_t hold_checked_frame = 0;
    bool held_for_client = false;
    std::uint64_t drops_at_start = 0;          // capture drops counted when it began
    // A probe promoted at its RST to learn its shape's verdict (probe_memo.hpp):
    // the shape, and the RST's frame (learned only if nothing came after it).
    std::uint64_t probe_shape = 0, probe_shape_frame = 0;
    std::uint32_t problems = 0;  // problems the observer was told of
    bool budget_taken = false;   // a probe that took its listing token at its RST (tracker_probe.cpp)
    // The first TcpAnalysis::kMaxIcmp ICMP errors quoting this connection
    // (10^5 errors quoting one connection must not grow it); icmp_total counts all.
    std::vector<IcmpNote> icmp;
    std::uint64_t icmp_total = 0;

    RdpSession rdp;     // the RDP decoding state and its facts
    std::vector<UdpFlowFacts> udp;  // RDP-UDP flows tied to it (filled when it is retired)
    std::vector<KerberosNote> kerberos;  // the client's Kerberos messages tied to it (filled when it is judged)
    TcpAnalysis tcp;    // the TCP behaviour of both directions
    // A gateway candidate (TLS on a gateway port, keys given): its TLS and
    // the RD Gateway protocol inside, fed instead of `rdp` (analyze/gateway_stage.hpp).
    std::unique_ptr<GatewayTunnel> gateway;
    // The RDP connection inside an RD Gateway's tunnel (analyze/gateway_inner.hpp):
    // the outer connection's id, and the target its channel named.
    struct ViaGateway {
        std::uint64_t conn = 0;
        std::string target;
        std::uint16_t port = 0;
    };
    std::optional<ViaGateway> via_gateway;

    // Which side is the client: the SYN's sender; else the one that sent the
    // X.224 CR; else the one not on port 3389; else the first sender.
    int client_side() const;
    int server_side() const { return 1 - client_side(); }
    const Endpoint& client() const { return side[client_side()]; }
    const Endpoint& server() const { return side[server_side()]; }
    Dir dir_from(int s) const { return s == client_side() ? Dir::c2s : Dir::s2c; }

    bool closed() const;       // RST seen, or FIN both ways
    bool tcp_established() const;
    bool on_rdp_port(std::uint16_t port) const { return side[0].port == port || side[1].port == port; }

    // Connections come and go by the thousand in a flood (analyze/flood.hpp):
    // their blocks (7 KiB) are kept for the next one, a bounded number per
    // thread, rather than handed back to malloc, whose path for blocks this
    // large (its bins, consolidation, the heap top trimmed and faulted in
    // again) cost a tenth of a probe flood's time (connection.cpp).
    static void* operator new(std::size_t size);
    static void operator delete(void* p, std::size_t size) noexcept;
};

}  // namespace rdpscope
