// SPDX-License-Identifier: MIT
// The connection table: places every packet in its TCP connection (by 5-tuple,
// with port reuse), keeps per-side figures, reassembles each direction for the
// RDP decoders, ties ICMP errors to the connection they quote, and retires
// connections when they are finished so memory follows open connections.
//
// Most of a jump-box capture is not RDP.  A connection on another port is kept
// light (see Entry): its packets are held until the first bytes of both
// directions show it cannot be RDP, and from then on only what numbering and
// retiring need is kept; should a direction look like RDP, the held packets
// are replayed into a full Connection (TCP analysis, reassembly, RDP
// decoding).  Retiring is driven by a queue of deadlines, not by scanning the
// table.  The reports are those of full tracking of every connection
// (TrackerOptions::light = false; tests/test_light_tracking.cpp compares).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <deque>
#include <functional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyze/cert_cache.hpp"
#include "analyze/connection.hpp"
#include "analyze/copies.hpp"
#include "analyze/event.hpp"
#include "analyze/flow_hash.hpp"
#include "analyze/flood.hpp"
#include "analyze/flow_table.hpp"
#include "analyze/gateway_udp.hpp"
#include "analyze/kerberos_flows.hpp"
#include "analyze/observer.hpp"
#include "analyze/other_traffic.hpp"
#include "analyze/probe_memo.hpp"
#include "analyze/udp_other.hpp"
#include "analyze/verdict.hpp"
#include "capture/packet.hpp"
#include "dissect/keylog.hpp"
#include "dissect/packet.hpp"

namespace rdpscope {

struct TrackerOptions {
    std::uint16_t rdp_port = 3389;
    std::vector<std::uint16_t> extra_ports;  // more ports to report connections on (capture --port)
    std::size_t max_pending_per_direction = 256 * 1024;
    std::int64_t closed_linger_ns = 60'000'000'000;   // keep a closed connection this long for late packets
    std::int64_t idle_timeout_ns = 600'000'000'000;   // retire a silent open connection after this
    // ...and a connection attempt (SYNs, no answer, no data) sooner: twice the
    // longest gap between a SYN and its resend in Linux's default schedule
    // (1, 2, 4, 8, 16, 32 s; Windows gives up after a few seconds).  A
    // SYN later than that starts a new connection here, where Wireshark may
    // keep one tcp.stream.  Scans leave thousands of attempts behind; this
    // keeps them from filling memory for ten minutes.  Never shorter than the
    // stall timeout, so an attempt gets its stall verdict first.
    std::int64_t attempt_timeout_ns = 64'000'000'000;
    std::int64_t stall_timeout_ns = 30'000'000'000;   // no progress for this long: the handshake stalled
    // A stall whose next packet the client owes (nothing unacknowledged, no
    // close) is judged this much later: a client that gives up closes the
    // connection itself, often right at its own 30 s timer, and that close --
    // closed_by_client -- is the truer verdict than "waiting for the client".
    // Zero: judged at the stall timeout like every other stall.
    std::int64_t client_hold_ns = 30'000'000'000;
    // Keep connections that are not RDP light, and the UDP flows off the RDP
    // port out of UdpFlows (see Entry, udp_other.hpp).  false: track every
    // connection fully and give UdpFlows every datagram -- slower, the same
    // results; the tests compare the two.
    bool light = true;
    // Flood bounds (analyze/flood.hpp).  SYN attempts on a reported port are
    // held without a Connection until something else comes; at most this many
    // (0: none held, every connection full from its first packet); the oldest
    // beyond is counted in FileStats::flood and forgotten.  Needs `light`.
    // SYN attempts to other ports (kept light, never reported) are bounded
    // by the same number: of the newest this many, the oldest beyond is
    // forgotten if still unanswered, and counted (FloodStats::other_attempts).
    std::size_t max_pending_attempts = 16384;
    // Hold only an attempt's first SYN; a second one promotes it first.  For
    // `dissect`: replaying a lone first SYN emits no PDU event, so every event
    // still comes in frame order (a retransmitted SYN's TCP analysis flags).
    bool pending_single_syn = false;
    // Probe-like connections (only SYNs, nothing after the X.224 request, an
    // NLA failure) listed one by one per minute of packet time (a token
    // bucket); beyond, judged and grouped but counted in FileStats::flood.
    // 0: no limit.
    std::uint64_t listed_per_minute = 1000;
    // A connection due while the listing budget is spent is judged in brief
    // (JudgeContext::brief: cause, code, phases, no words) and, when it is a
    // probe-like one, handed to the observer so: for observers that never
    // print an unlisted connection's verdict (the report writers).  One that
    // is not probe-like is judged again in full and listed.  false: every
    // verdict in full (`check` compares the summaries of all connections).
    bool brief_unlisted = false;
    // With brief_unlisted: while the listing budget is spent, a connection on
    // a reported port that keeps a probe's strict shape is held past its
    // SYN-ACK and, at its RST, given the brief verdict of the first
    // connection of the same shape (analyze/probe_memo.hpp), without a
    // Connection; anything else promotes it to full tracking.  For observers
    // that read nothing of an unlisted connection but its brief (the report
    // writers); never for `dissect` (every PDU) or `check` (every verdict).
    bool judge_probes_by_shape = false;
    // Full connections kept at most (about): beyond, those whose verdict is
    // decided are reported and retired early, closed ones first, oldest first,
    // leaving a light (dead) entry so their late packets start nothing new.
    // 0: no bound.
    std::size_t max_full_connections = 2048;
    // Secrets to decrypt TLS with (--keylog, the capture's Decryption Secrets
    // Blocks); null: nothing is decrypted and nothing is done per record.
    // The key log may grow while the run goes on; it must outlive the tracker.
    keylog::KeyLog* keys = nullptr;
    // Servers' RSA private keys (--rsa-key) for sessions with RSA key exchange
    // the key log does not cover; null: none.  Must outlive the tracker.
    const RsaKeys* rsa_keys = nullptr;
    // Live (`capture --keylog`): reads what was appended to the key log since
    // the last call.  Called when a TLS session's secrets are not (yet) in the
    // key log, since the client writes them as its handshake goes on, often
    // after the capture already holds the first encrypted records; with it, a
    // connection is decrypted even when the key log was empty at its start.
    // Empty offline, where the key log is complete before the first packet.
    std::function<void()> refresh_keys;
    // Ports an RD Gateway may listen on (MS-TSGU: HTTPS, 443 by default).  With
    // keys, a TLS connection to one of them is decoded as a gateway candidate
    // (analyze/gateway_stage.hpp); never when the port is an RDP port.
    // Without keys, such a connection is judged by its shape (analyze/
    // gateway_shape.hpp) and reported only when it has a gateway's.
    std::vector<std::uint16_t> gateway_ports{443};
    // The RD Gateway's UDP transport (MS-TSGU 1.3.3): DTLS flows to these UDP
    // ports are reported as gateway flows (analyze/gateway_udp.hpp).  3391 is
    // the gateway's default; never the RDP port (RDP-UDP, udp_flows.hpp).
    std::vector<std::uint16_t> gateway_udp_ports{3391};
    // --gateway HOST[:PORT]: servers the user names as RD Gateways -- an
    // address, or a name matched against the ClientHello's SNI; port 0: any
    // gateway port.  A named server's HTTPS without a gateway's shape is still
    // reported, as one that may or may not be a gateway.
    struct GatewayName {
        std::string host;
        std::uint16_t port = 0;
    };
    std::vector<GatewayName> gateway_names;
    // --no-keys: the capture's own Decryption Secrets Blocks are not used
    // (what rdpscope sees of a capture taken without them).
    bool ignore_capture_secrets = false;
    // Segments kept per connection for the HTML report's ladder and
    // time-sequence chart (TcpAnalysis::keep_segments); 0 keeps none.
    std::size_t keep_segments = 0;
};

// What one interface of the input carried (pcapng; pcap and live: one).
struct InterfaceStats {
    std::uint64_t frames = 0;
    std::uint64_t duplicate_copies = 0;  // of its frames, copies of a packet seen just before (CopyFilter)
    // What the file says of the interface, filled in at the end of the input
    // (analyze/run.cpp): its link type, name and description, and the
    // vantage point they tell (capture/vantage.hpp); empty when it says nothing.
    int linktype = 0;
    std::string name, description, vantage, vantage_text;
};

struct FileStats {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::uint64_t not_ip = 0;
    std::uint64_t ip_fragments = 0;
    std::uint64_t decode_errors = 0;
    // Copies of a packet (analyze/copies.hpp), collapsed before analysis;
    // of them, those whose first copy came on another interface.
    std::uint64_t duplicate_copies = 0, copies_across_interfaces = 0;
    std::uint64_t wifi_as_ethernet = 0;   // 802.11 frames labelled Ethernet (pktmon on Wi-Fi), decoded as 802.11
    std::uint64_t unread_link_type = 0;   // frames of interfaces whose link type rdpscope does not read
    std::vector<InterfaceStats> interfaces;  // by interface id, up to the highest seen (at most PcapFile::kMaxInterfaces)
    std::uint64_t cut_by_snaplen = 0;
    std::uint64_t first_cut_frame = 0;
    std::uint64_t tcp = 0, udp = 0, icmp = 0;
    std::uint64_t icmp_unmatched = 0;
    std::uint64_t connections = 0;      // TCP connections seen
    std::uint64_t rdp_connections = 0;  // of which reported
    std::uint64_t gateway_connections = 0;  // RD Gateway connections judged (decrypted)
    // The RD Gateway's UDP transport (analyze/gateway_udp.hpp): flows reported,
    // and datagrams of new flows left unfollowed past GatewayUdpFlows::kMaxFlows.
    std::uint64_t gateway_udp_flows = 0, gateway_udp_not_followed = 0;
    std::int64_t first_ts = 0, last_ts = 0;
    // Live capture: libpcap's counts at the end (pcap_stats): packets the
    // filter passed, dropped by the kernel buffer, dropped by the interface.
    bool live = false;
    std::uint64_t live_received = 0, live_dropped_kernel = 0, live_dropped_interface = 0;
    FloodStats flood;    // what the flood bounds left out of the per-connection reports (at the end)
    OtherTraffic other;  // besides RDP: for a capture without any (analyze/other_traffic.hpp)
};

class Tracker {
public:
    Tracker(Observer& obs, TrackerOptions opt = {});
    ~Tracker();
    // Packet time moves on (before each packet, and on idle ticks of a live
    // source): connections that are finished are retired.
    void advance(std::int64_t now_ns);
    void packet(const CapturedPacket& pkt);
    // The same for a frame decoded ahead, off this thread (analyze/read_ahead.hpp):
    // `p` is decode_packet(pkt.linktype, pkt.data) and `fingerprint` is
    // copy_fingerprint(p), or 0 when p.error; neither is read when the
    // frame's link type is not one rdpscope reads.
    void packet(const CapturedPacket& pkt, const PacketInfo& p, std::uint64_t fingerprint);
    // End of input: every connection still open is finished.
    void finish();
    // Live capture: packets the kernel or interface dropped so far (pcap_stats);
    // verdicts of connections open meanwhile say they may depend on them.
    void set_capture_drops(std::uint64_t total) { capture_drops_ = total; }
    // Live: libpcap's figures so far (FileStats::live_*); the drops count in verdicts.
    void set_capture_stats(std::uint64_t received, std::uint64_t dropped_kernel, std::uint64_t dropped_interface) {
        stats_.live = true;
        stats_.live_received = received;
        stats_.live_dropped_kernel = dropped_kernel;
        stats_.live_dropped_interface = dropped_interface;
        capture_drops_ = dropped_kernel + dropped_interface;
    }
    const FileStats& stats() const { return stats_; }
    std::size_t open_connections() const { return table_.size(); }

    struct Key {
        Endpoint lo, hi;  // lo < hi
        bool operator==(const Key& o) const { return same_endpoint(lo, o.lo) && same_endpoint(hi, o.hi); }
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };

private:
    // What the TCP path needs of one packet.  A light connection keeps these
    // for its packets, to replay them if it is promoted.
    struct TcpIn {
        std::uint64_t frame = 0;
        std::int64_t ts_ns = 0;
        std::uint32_t caplen = 0, wirelen = 0;
        Endpoint src, dst;
        tcp::Header tcp;
        std::uint32_t ip_id = 0;
        std::uint32_t ip_total_length = 0;
        std::uint16_t ip_header_length = 0;
        std::uint8_t ttl = 0;
        bool fragment = false, payload_cut = false, dont_fragment = false, v6 = false;
    };
    // A held packet: a TcpIn without what the connection's key gives (addresses,
    // ports), its payload in Held::bytes.  Held packets are never cut short by
    // the snaplen, so caplen and wirelen do not matter.
    struct HeldPacket {
        std::uint64_t frame = 0;
        std::int64_t ts_ns = 0;
        std::uint32_t seq = 0, ack = 0;
        std::uint16_t window = 0;
        std::uint8_t header_length = 0, flags = 0;
        tcp::Options options;
        std::uint32_t ip_id = 0, ip_total_length = 0;
        std::uint16_t ip_header_length = 0;
        std::uint8_t ttl = 0;
        bool from_hi = false, fragment = false, dont_fragment = false, v6 = false;
        std::uint32_t held_at = 0, held_len = 0;
    };
    // Of a side, what closing and retiring need (SideStats, reduced).
    struct LiteSide {
        bool syn = false, syn_ack = false, fin = false, rst = false, bytes = false;
    };
    // Port reuse as Wireshark (4.0) starts a new tcp.stream on the same
    // addresses and ports: at a SYN (without ACK) whose sequence number is not
    // the base of its direction.  A direction's base is its first SYN's
    // sequence number, or one less than its first packet's; before it sent
    // anything, one less than the first acknowledgement number its peer sent.
    // No other sign counts: not a close, not an answer, not the time between.
    struct StreamBases {
        std::array<std::uint32_t, 2> seq{};
        std::array<bool, 2> set{};
        bool new_stream(int side, const tcp::Header& t) const {
            return t.has(tcp::SYN) && !t.has(tcp::ACK) && set[side] && t.seq != seq[side];
        }
        void note(int side, const tcp::Header& t) {
            if (!set[side]) {
                seq[side] = t.has(tcp::SYN) ? t.seq : t.seq - 1;
                set[side] = true;
            }
            if (!set[1 - side] && t.has(tcp::ACK)) {
                seq[1 - side] = t.ack - 1;
                set[1 - side] = true;
            }
        }
    };
    // The packets of an unclassified light connection, and what they tell
    // about where each direction's stream starts and what its first bytes are.
    struct Held {
        std::uint64_t first_frame = 0;
        std::int64_t first_ts = 0;
        std::uint64_t drops_at_start = 0;
        std::vector<HeldPacket> packets;
        std::vector<std::uint8_t> bytes;  // their payloads, back to back
        struct Side {
            enum class Base : std::uint8_t { unknown, syn, other };
            Base base = Base::unknown;    // how its reassembler will learn where the stream starts
            bool data_seen = false;       // its first payload was looked at
            bool not_rdp = false;         // ...and it cannot start RDP
            std::uint32_t first_seq = 0;  // Base::syn: the SYN's sequence number + 1
        };
        std::array<Side, 2> side;
        // Copies (CopyFilter) of its packets, by side: not held, but counted
        // as full tracking counts them (TcpAnalysis::on_segment with copy set:
        // packets, bytes, flags, duplicate_frames), handed over when promoted.
        std::array<TcpAnalysis::CopyCounts, 2> copies{};
        std::uint64_t copy_last_frame = 0;
        std::int64_t copy_last_ts = 0;
        // A probe held past its SYN-ACK (Entry::probe): each side's next
        // sequence number, which its next packet must carry (probe_memo.hpp).
        std::array<std::uint32_t, 2> probe_next{};
    };
    // One TCP connection in the table.  Full: a Connection with the TCP
    // analysis, reassembly and RDP decoding.  Light (conn null), for
    // connections not on an RDP port, which most of a busy capture is:
    //  * unclassified (held set): its packets are held and replayed into a
    //    Connection, as if it had been full from its first packet, as soon as
    //    one of its directions could be RDP (or too much is held);
    //  * dead: the first bytes of both directions cannot start RDP (no X.224,
    //    no proxy preamble), so it can never be reported; only what numbering
    //    (port reuse) and retiring need is kept.  A full connection becomes
    //    dead too when both its directions gave up on RDP.
    struct Entry {
        std::uint64_t id = 0;
        std::unique_ptr<Connection> conn;
        std::unique_ptr<Held> held;
        std::int64_t last_ts = 0;  // light
        StreamBases bases;         // light and full
        std::array<LiteSide, 2> lite{};
        bool side0_hi = false;  // side 0 (the first sender) is key.hi, as in Connection::side
        bool dead = false;
        // A SYN attempt on a reported port, held (see TrackerOptions::
        // max_pending_attempts): no expiry queued; pending_ holds its place.
        bool pending = false;
        // A probe held past its SYN-ACK while it keeps a strict shape
        // (TrackerOptions::judge_probes_by_shape); probes_ holds its place.
        bool probe = false;
    };
    using Table = FlowTable<Key, Entry, KeyHash>;
    // The entry a queue refers to (by its key's hash and its id), if it is still there.
    std::pair<const Key*, Entry*> entry_by_id(std::uint64_t hash, std::uint64_t id) {
        return table_.find_hashed(hash, [id](const Key&, const Entry& e) { return e.id == id; });
    }
    // When to look at an entry again for retiring (lazy: re-checked, re-queued).
    // The entry is found again by its key's hash and its id.
    struct Expiry {
        std::int64_t check_ns;
        std::uint64_t id;
        std::uint64_t hash;
        bool operator>(const Expiry& o) const { return check_ns > o.check_ns; }
    };
    static constexpr std::size_t kMaxHeld = 16;             // packets held of an unclassified connection
    static constexpr std::size_t kMaxHeldBytes = 16 * 1024;  // their payload bytes
    static constexpr std::size_t kExpirySlack = 65536;       // retiring checks beyond 4 per entry before compacting

    void tcp_packet(const CapturedPacket& pkt, const PacketInfo& p);
    bool count_frame(const CapturedPacket& pkt);
    void analyse(const CapturedPacket& pkt, const PacketInfo& p, std::uint64_t fingerprint);
    bool collapse_copy(const CapturedPacket& pkt, const PacketInfo& p, std::uint64_t fingerprint);
    void copy_tcp(Connection& c, int side, const CapturedPacket& pkt, const PacketInfo& p);
    static void count_light_copy(Held& h, int side, const CapturedPacket& pkt, const PacketInfo& p);
    void full_tcp(Connection& c, const TcpIn& in);
    void icmp_packet(const CapturedPacket& pkt, const PacketInfo& p);
    // tracker_other.cpp: Kerberos on port 88 and what FileStats::other gathers.
    void other_tcp(const CapturedPacket& pkt, const PacketInfo& p, const Endpoint& src, const Endpoint& dst,
                   std::uint64_t stream);
    void other_udp(const CapturedPacket& pkt, const PacketInfo& p, const Endpoint& src, const Endpoint& dst,
                   bool new_flow);
    void other_icmp(const CapturedPacket& pkt, const PacketInfo& p);
    Entry& entry_for(const Key& key, const TcpIn& in);
    void promote(Entry& e, const Key& key);
    bool hold(Entry& e, int side, const TcpIn& in, std::size_t wire_payload);
    void keep_packet(Entry& e, int side, const TcpIn& in);
    // Probes judged by their shape (tracker_probe.cpp, probe_memo.hpp): may an
    // answered attempt be held on as one; hold it so; what a packet does to
    // one; at its RST, judge it by its shape (true: done and forgotten) or
    // promote it (false); learn a shape from a full connection's verdict.
    bool probe_may_start(const Entry& e, int side, const TcpIn& in) const;
    void start_probe(Entry& e, const Key& key, const TcpIn& in);
    enum class ProbeStep { keep, last, other };
    ProbeStep probe_step(Entry& e, int side, const TcpIn& in);
    bool probe_ended(Entry& e, const Key& key, const TcpIn& rst);
    void promote_quiet_probes(std::int64_t now_ns);
    void judge_by_shape(Entry& e, const Key& key, const ShapeVerdict& v);
    void learn_shape(const Connection& c, const Verdict& v, const JudgeContext& ctx);
    void demote(Entry& e, const Key& key);
    void retire(const Key& key);
    // Pending SYN attempts (flood.hpp): is the packet one that keeps an
    // attempt pending; make room for one more; the due ones at a sweep;
    // count one in the aggregate and forget it.
    static bool pure_syn(const TcpIn& in);
    void make_room_for_pending();
    // SYN attempts off the reported ports: the newest max_pending_attempts
    // are remembered (other_attempts_); the oldest beyond, still unanswered,
    // is counted in the flood figures and forgotten.
    void make_room_for_other_attempt();
    void compact_expiry();
    void sweep_pending(std::int64_t now_ns);
    void aggregate_pending(Entry& e, const Key& key);
    // Held records are reused (a SYN flood holds and forgets one per packet:
    // no allocation per packet); at most kSpareHeld kept aside.
    std::unique_ptr<Held> new_held();
    void recycle(std::unique_ptr<Held>& h);
    // Over max_full_connections: retire decided connections early (flood.hpp).
    void relieve();
    void retire_early(const Key& key);
    void report(Connection& c, std::int64_t now_ns, bool input_ended);
    bool due(Connection& c, std::int64_t now_ns);
    JudgeContext context(const Connection& c, std::int64_t now_ns, bool input_ended) const;
    void sweep(std::int64_t now_ns);
    bool reportable(const Connection& c) const;
    bool reportable_by_port(const Key& key) const;
    bool reported_port(std::uint16_t port) const;
    bool gateway_candidate(const Key& key) const;
    void report_inner(Connection& c);
    // A gateway candidate with nothing decrypted: its shape (gateway_shape.hpp)
    // against its neighbours; true when it is reported as a gateway connection.
    bool keyless_gateway(Connection& c);
    bool named_gateway(const Connection& c) const;
    // The HTTP transport's two connections tied (GatewayRelay, gateway_stage.hpp).
    class HttpPairs;
    std::unique_ptr<HttpPairs> http_pairs_;
    GatewayRelay* gateway_relay();
    // Whether a side's bytes are still wanted: the gateway's TLS, or RDP.
    static bool wants_bytes(const Connection& c, int side);
    static std::int64_t last_ts(const Entry& e) { return e.conn ? e.conn->last_ts : e.last_ts; }
    // The side (0: the first sender) a packet from `src` comes from.
    static int side_of(const Entry& e, const Key& key, const Endpoint& src) {
        return same_endpoint(e.side0_hi ? key.hi : key.lo, src) ? 0 : 1;
    }
    static bool closed(const Entry& e);
    static bool attempt(const Entry& e);
    std::int64_t retention(const Entry& e) const;
    std::int64_t attempt_retention() const;
    void schedule(const Entry& e, const Key& key);

    Observer& obs_;
    TrackerOptions opt_;
    FileStats stats_;
    Table table_{4096};
    TcpConnections full_;  // the full entries of table_, by id (UdpFlows reads it)
    // Of them, those not reported yet, which the verdict sweep looks at every
    // second of packet time: under a flood, thousands of reported ones wait
    // for their linger time and were walked (a cache miss each) for nothing.
    TcpConnections undecided_;
    // The retiring checks; compacted (checks of entries gone dropped) when a
    // flood of short-lived entries left many more checks than entries.
    struct ExpiryQueue : std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> {
        template <typename Keep>
        void compact(Keep keep) {
            std::erase_if(c, [&keep](const Expiry& x) { return !keep(x); });
            std::make_heap(c.begin(), c.end(), comp);
        }
    };
    ExpiryQueue expiry_;
    std::unique_ptr<UdpFlows> udp_;  // UDP flows: numbered like udp.stream, RDP-UDP decoded
    UdpOtherFlows udp_other_;        // the UDP flows off the RDP port (see udp_other.hpp)
    KerberosFlows kerberos_;         // Kerberos on port 88, tied to the RDP connections at judgement
    GatewayUdpFlows gateway_udp_;    // DTLS on the gateway UDP ports: the gateway's UDP transport
    void gateway_udp(std::optional<std::uint64_t> id, const Endpoint& src, const Endpoint& dst, Bytes payload,
                     std::uint64_t frame, std::int64_t ts_ns);
    void retire_gateway_udp(std::int64_t now_ns, bool all);
    // Gateway candidates judged lately (the last kMaxRecentShapes), for the
    // shape of those judged after them: a pair's partner, a KDC proxy beside.
    std::deque<ShapeBrief> recent_shapes_;
    static constexpr std::size_t kMaxRecentShapes = 256;
    // The gateway candidates in full_, by their two addresses (host_pair):
    // a shape's neighbours are looked up, not found by walking every
    // connection (that walk was a seventh of a jump box's HTTPS: issue 16);
    // by id, so the nearest are found first and a flood of candidates
    // between two addresses costs each at most kMaxNeighbourWalk steps.
    std::unordered_map<std::uint64_t, std::set<std::uint64_t>> gateways_by_hosts_;
    static constexpr std::size_t kMaxNeighbourWalk = 256;
    std::vector<PduEvent> sink_scratch_;  // Sink's events of one segment (tracker.cpp)
    static std::uint64_t host_pair(const Endpoint& a, const Endpoint& b);
    void forget_gateway(const Connection& c);
    // The other gateway candidates still in full_ with c's client address and
    // c's server endpoint that `keep` accepts, in connection order (the
    // order full_ keeps): of the kMaxNeighbourWalk opened nearest to c (all
    // of them unless a flood holds more between the same two addresses).
    std::vector<Connection*> gateway_neighbours(const Connection& c,
                                                const std::function<bool(const Connection&)>& keep) const;
    std::uint64_t next_id_ = 0;
    std::int64_t last_sweep_ns_ = 0;
    std::unique_ptr<CopyFilter> copies_ = std::make_unique<CopyFilter>();  // 128 KiB: not on the stack
    std::unique_ptr<CertificateCache> certs_ = std::make_unique<CertificateCache>();  // analyze/cert_cache.hpp
    bool snaplen_reported_ = false;
    bool ended_ = false;
    std::unordered_map<std::uint64_t, Verdict> verdicts_;  // decided, by connection id, until retired
    std::uint64_t capture_drops_ = 0;
    // Pending attempts in order of their first SYN (id, key hash); entries
    // promoted or retired meanwhile are skipped when met (and compacted).
    struct PendingRef {
        std::uint64_t id, hash;
    };
    std::deque<PendingRef> pending_;
    std::deque<PendingRef> other_attempts_;  // SYN attempts off the reported ports, newest last
    // Probes held past their SYN-ACK (id, key hash; stale ones skipped and
    // compacted), how many, the shapes learned, and the probes judged by
    // their shape, kept as long as full tracking would keep them closed.
    std::deque<PendingRef> probes_;
    // The listing budget had no token left after the last sweep's verdicts,
    // or at a verdict since: probes may be held on (probe_may_start).
    bool budget_spent_ = false;
    std::size_t probes_n_ = 0;
    ProbeMemo shapes_;
    ClosedProbes closed_probes_;
    bool late_for_closed_probe(const Key& key, const tcp::Header& t, const Endpoint& src, std::int64_t ts_ns);
    std::size_t pending_n_ = 0;
    FloodCounter flood_;
    std::size_t relieve_at_ = 0;  // relieve() looks again from this many full connections on
    bool relieve_due_ = false;    // over the bound: relieve() at the next packet
    RecentKeys retired_keys_;     // connections retired early, for their late packets
    static constexpr std::size_t kSpareHeld = 256;
    std::vector<std::unique_ptr<Held>> spare_held_;
    ListingBudget budget_;
    class Events;
    class Sink;
};

}  // namespace rdpscope
