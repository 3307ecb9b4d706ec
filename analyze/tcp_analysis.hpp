// SPDX-License-Identifier: MIT
// TCP behaviour of one connection, per direction: what Wireshark calls TCP
// analysis (retransmissions, duplicate ACKs, out-of-order, capture gaps, zero
// windows...) plus the figures the verdict engine reasons with (SYN back-off,
// RTT, RST origin, segment sizes, ICMP errors, vantage point).  Fed one
// segment at a time from packet fields; never sees payload bytes.
//
// Two layers:
//  * The per-frame flags (TcpFlag) follow Wireshark 4.0's tcp.analysis.* rules
//    (packet-tcp.c, tcp_analyze_sequence_number): same checks, same order,
//    same thresholds, same quirks, so `rdpscope dissect` and tshark flag the
//    same frames.  tests/test_tcp_vs_tshark.cpp holds us to that on every
//    bundled capture.  One deliberate difference: a frame captured twice
//    (same IP ID, or TCP timestamp, same TCP header, within
//    kDuplicateWindowNs of its twin, nothing from the peer in between) is
//    TCP_DUPLICATE_FRAME only, where Wireshark calls the copy a
//    retransmission or a duplicate ACK; it still goes through Wireshark's
//    rules (so later frames are flagged as tshark flags them) but stays out
//    of every figure.  Known limits of the emulation: ICMP errors quoting a
//    SYN or ACK (which Wireshark lets touch its RTT state), IP fragments
//    (Wireshark analyses the reassembled packet), and Wireshark's cap of
//    10000 unacknowledged segments are not reproduced.
//  * The figures (TcpSideFigures, TcpRetransmit, TcpReset, TcpIcmpError,
//    TcpHandshake, TcpVantage) are rdpscope's own reading of the same
//    segments, for the report and the verdict engine.
//
// Memory: no heap allocation per segment.  Each direction keeps a bounded
// record of outstanding (sent, not yet ACKed) segments, kMaxOutstanding
// entries, reserved once on the direction's first data segment; beyond that
// new segments are not recorded (as Wireshark stops at its own limit), so a
// retransmission of one of them has no known original frame (first_frame 0).
// Retransmitted segments are kept up to kMaxRetransmits per direction (their
// count goes on), each with its first kMaxResends resend frames.  Holes
// ("previous segment not captured") are kept up to kMaxHoles, RSTs up to
// kMaxResets, ICMP errors up to kMaxIcmp.  Wireshark's own state is a few
// scalars per direction.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dissect/tcp.hpp"

namespace rdpscope {

// Per-frame findings, named as Wireshark's tcp.analysis.* flags where one exists.
enum TcpFlag : std::uint32_t {
    TCP_RETRANSMISSION = 1u << 0,          // tcp.analysis.retransmission (also set with fast and spurious, as tshark does)
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
    // Internal to the Wireshark rules (never returned by on_segment):
    TCP_KEEP_ALIVE_ACK_ = 1u << 20,
    TCP_ZERO_WINDOW_PROBE_ACK_ = 1u << 21,
};

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
    // A copy of a packet already given (the same packet logged again: pktmon,
    // etl2pcapng, SPAN; analyze/copies.hpp): counted as a frame and a
    // duplicate frame, and nothing else (not even Wireshark's rules).
    bool copy = false;
};

// An ICMP / ICMPv6 error quoting one of the connection's segments.
struct TcpIcmpInput {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    bool v6 = false;
    std::uint8_t type = 0, code = 0;
    std::uint32_t mtu = 0;          // next-hop MTU (fragmentation needed / packet too big)
    int quoted_side = 0;            // the side that sent the quoted segment (the error goes back to it)
    std::uint32_t quoted_seq = 0;   // the quoted TCP sequence number (absolute)
    std::uint8_t ttl = 0;           // TTL / hop limit of the ICMP packet itself
};

// What an ICMP error means for a TCP connection.
enum class TcpIcmpKind : std::uint8_t {
    admin_prohibited,   // v4 3/9, 3/10, 3/13; v6 1/1
    port_unreachable,   // v4 3/3; v6 1/4
    host_unreachable,   // v4 3/1, 3/7; v6 1/3
    net_unreachable,    // v4 3/0, 3/6; v6 1/0
    frag_needed,        // v4 3/4 (with next-hop MTU)
    packet_too_big,     // v6 2 (with MTU)
    other_unreachable,  // other type 3 / v6 type 1 codes
    time_exceeded,
    other,
};
const char* to_string(TcpIcmpKind k);

struct TcpIcmpError {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    bool v6 = false;
    std::uint8_t type = 0, code = 0;
    std::uint32_t mtu = 0;
    TcpIcmpKind kind = TcpIcmpKind::other;
    int quoted_side = 0;             // whose segment it quotes
    std::uint64_t quoted_frame = 0;  // the last captured segment of that side with the quoted sequence number (0: none)
    bool quotes_syn = false;         // the quoted segment is the side's SYN (sequence number = its ISN)
    std::uint8_t ttl = 0;
};

// One segment sent more than once (a SYN, a FIN or data).
struct TcpRetransmit {
    static constexpr std::size_t kMaxResends = 8;
    std::uint32_t seq = 0;          // relative to the side's first sequence number, as Wireshark shows it
    std::uint32_t len = 0;          // payload bytes of the original
    bool syn = false, fin = false;
    std::uint64_t first_frame = 0;  // the original segment; 0: not captured (lost before the capture point) or not recorded
    std::int64_t first_ts_ns = 0;
    std::array<std::uint64_t, kMaxResends> resend_frames{};
    std::array<std::int64_t, kMaxResends> resend_ts_ns{};
    std::uint32_t resends = 0;      // every resend, also beyond kMaxResends
    std::uint32_t spurious = 0;     // resends of bytes the peer had already ACKed
    std::uint64_t acked_frame = 0;  // the peer's ACK covering it; 0: never ACKed in the capture
    std::uint32_t abs_end = 0;      // absolute sequence number after it (internal bookkeeping)
};

// A RST and where it came from.
enum class TcpState : std::uint8_t { none, syn, syn_ack, ack, data, fin, rst };  // what a frame was: ack = no payload, no SYN/FIN/RST
const char* to_string(TcpState s);

struct TcpReset {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    int side = 0;                    // its sender
    bool with_ack = false;
    std::uint8_t ttl = 0;
    std::uint32_t ip_id = 0;
    bool ipv6 = false;
    std::uint8_t ref_ttl = 0;        // TTL of the sender's SYN / SYN-ACK, else of its first other packet (0: none)
    std::uint64_t ref_frame = 0;     // the packet ref_ttl is from
    bool ttl_mismatch = false;       // ref_ttl known and different: likely injected by a middlebox
    bool prev_ip_id_known = false;
    std::uint32_t prev_ip_id = 0;    // IP ID of the sender's previous packet (IPv4), when there was one
    bool ip_id_out_of_sequence = false;  // the sender's IP IDs ran in sequence and this one does not follow
    std::uint64_t after_frame = 0;   // the connection's previous frame (either side), 0: the RST came first
    int after_side = -1;
    TcpState after = TcpState::none; // what that frame was
    bool answers_syn = false;        // RST/ACK acknowledging the peer's SYN (a refused connection)
};

struct TcpHandshake {
    std::uint64_t syn_frame = 0, syn_ack_frame = 0, ack_frame = 0;  // the SYN the SYN-ACK answers (the last one before it), the first SYN-ACK, the first ACK after it
    std::int64_t syn_ts_ns = 0, syn_ack_ts_ns = 0, ack_ts_ns = 0;
    std::optional<double> syn_to_syn_ack_ms;  // syn_frame -> syn_ack_frame
    std::optional<double> syn_ack_to_ack_ms;  // the latest SYN-ACK before the ACK -> ack_frame
    std::optional<double> rtt_ms;             // the latest SYN -> ack_frame: the handshake round trip, as Wireshark's iRTT
};

enum class TcpVantage : std::uint8_t { unknown, client, server, middle };
const char* to_string(TcpVantage v);
struct TcpVantageFinding {
    TcpVantage where = TcpVantage::unknown;
    const char* basis = "none";  // "handshake_timing", "ttl" or "none"
};

// One segment of the connection's first kept ones (TcpAnalysis::keep_segments):
// what a ladder diagram and a time-sequence chart of the handshake need, from
// the TCP header only.  Sequence numbers are absolute, as on the wire.
struct TcpLoggedSegment {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    std::uint32_t seq = 0, ack = 0;
    std::uint32_t len = 0;         // on-wire payload length
    std::uint32_t analysis = 0;    // the TcpFlag bits on_segment returned
    std::uint16_t window = 0;      // as in the header, not scaled
    std::uint8_t side = 0;         // the connection's side that sent it
    std::uint8_t tcp_flags = 0;    // SYN, ACK, FIN, RST, PSH as in the header
};

struct TcpSideFigures {
    static constexpr std::size_t kMaxSynTimes = 8;
    std::uint64_t packets = 0, bytes = 0;
    std::uint64_t syn = 0, syn_ack = 0, fin = 0, rst = 0;
    // Handshake of this side.
    std::uint32_t syn_count = 0;          // SYNs (or SYN-ACKs) sent, same ISN
    std::uint32_t syn_retransmissions = 0, syn_ack_retransmissions = 0;
    std::uint32_t syn_new_isn = 0;        // SYNs with another ISN in the same connection (a new attempt)
    std::array<std::uint64_t, kMaxSynTimes> syn_frames{};  // first SYNs (or SYN-ACKs) with the first ISN
    std::array<std::int64_t, kMaxSynTimes> syn_ts_ns{};
    std::uint64_t first_syn_ack_frame = 0;
    bool isn_known = false;
    std::uint32_t isn = 0;
    std::uint16_t mss = 0;                // options from the SYN / SYN-ACK (0 / -1: absent)
    std::int16_t window_scale = -1;
    bool sack_permitted = false, timestamps = false;
    std::uint8_t syn_ttl = 0, first_ttl = 0, min_ttl = 0, max_ttl = 0;
    std::uint64_t syn_ttl_frame = 0;
    std::uint64_t df_packets = 0;         // packets with Don't Fragment set (IPv4)
    bool ipv6 = false;
    // Wireshark's flags, counted by frame.
    std::uint32_t retransmissions = 0;    // frames tshark flags tcp.analysis.retransmission (includes fast and spurious)
    std::uint32_t fast_retransmissions = 0, spurious_retransmissions = 0;
    std::uint32_t out_of_order = 0, dup_acks = 0, zero_windows = 0, zero_window_probes = 0;
    std::uint32_t window_full = 0, window_updates = 0, keep_alives = 0;
    std::uint32_t lost_segments = 0;      // previous segment not captured
    std::uint32_t acked_unseen = 0;       // frames of the *other* side ACKing this side's uncaptured bytes
    std::uint32_t duplicate_frames = 0;
    // Own reading.
    std::uint32_t data_segments = 0;      // segments with payload (duplicates not counted)
    std::uint32_t max_segment = 0;        // largest payload sent
    std::uint32_t max_acked_segment = 0;  // largest payload the peer ACKed
    std::uint64_t max_acked_frame = 0;
    std::uint32_t lost_before_capture = 0;  // holes later filled by a resend: lost between the sender and the capture point
    std::uint32_t lost_after_capture = 0;   // segments seen, then resent (not spurious): lost (or their ACK lost) beyond the capture point
    std::uint64_t unseen_bytes = 0;         // bytes the peer ACKed that the capture never saw, in holes or beyond the last
                                            // captured segment (capture drops, not network loss)
    std::uint64_t gap_bytes = 0;            // bytes skipped by "previous segment not captured"
    std::uint64_t first_fin_frame = 0, first_rst_frame = 0;
    std::int64_t first_fin_ts_ns = 0;
    std::uint32_t data_after_peer_fin = 0;  // segments with payload sent after the peer's FIN: a half-close in use
};

class TcpAnalysis {
public:
    static constexpr std::size_t kMaxOutstanding = 64;
    static constexpr std::size_t kMaxRetransmits = 32;
    static constexpr std::size_t kMaxHoles = 16;
    static constexpr std::size_t kMaxResets = 4;
    static constexpr std::size_t kMaxIcmp = 16;
    static constexpr std::int64_t kDuplicateWindowNs = 5'000'000;  // twins are at most 5 ms apart

    // Returns the TcpFlag bits for this frame.
    std::uint32_t on_segment(const TcpSegment& s);
    // Keep the first n segments (copies left out) for the report's ladder and
    // time-sequence chart (rdpscope analyze --html); 0, the default, keeps
    // none.  Reserved at the first segment (8) and the ninth (all): no
    // allocation per segment, 320 bytes for a connection attempt.
    static constexpr std::size_t kMaxLoggedSegments = 64;
    void keep_segments(std::size_t n) { log_limit_ = static_cast<std::uint16_t>(std::min(n, kMaxLoggedSegments)); }
    const std::vector<TcpLoggedSegment>& logged_segments() const { return log_; }
    // Segments not kept once the limit was reached.
    std::uint64_t segments_not_logged() const { return log_dropped_; }
    // Copies of a side's packets that were counted elsewhere while the
    // connection was light (Tracker): what on_segment counts for a copy.
    struct CopyCounts {
        std::uint64_t packets = 0, bytes = 0;
        std::uint32_t syn = 0, syn_ack = 0, fin = 0, rst = 0;
    };
    void add_copies(int side, const CopyCounts& n);
    // An ICMP error quoting this connection: what it was classified as (also
    // kept in icmp_errors(), the first kMaxIcmp).
    TcpIcmpError on_icmp(const TcpIcmpInput& in);

    // ---- Figures for the report and the verdict engine ----
    const TcpSideFigures& side(int s) const { return side_[s]; }
    // SYN (side that sent SYNs) / SYN-ACK retransmission intervals: the RTO back-off pattern, in ms.
    std::vector<double> syn_intervals_ms(int s) const;
    // Retransmitted segments of side s (up to kMaxRetransmits; side(s).retransmissions counts frames).
    const std::vector<TcpRetransmit>& retransmits(int s) const { return dir_[s].rtx; }
    // Intervals between the resends of one segment (the RTO back-off), in ms, starting at the original.
    static std::vector<double> resend_intervals_ms(const TcpRetransmit& r);
    // The largest segment of side s that was never ACKed in the capture (payload bytes, frame); 0 if none.
    std::pair<std::uint32_t, std::uint64_t> max_unacked_segment(int s) const;
    // RSTs in the order seen (up to kMaxResets; side(s).rst counts them all).
    const std::vector<TcpReset>& resets() const { return resets_; }
    // True when a RST's TTL differs from its sender's SYN / SYN-ACK (or first packet).
    bool rst_ttl_mismatch() const;
    const std::vector<TcpIcmpError>& icmp_errors() const { return icmp_; }
    const TcpHandshake& handshake() const { return hs_; }
    // The handshake round trip (SYN -> ACK), ms; falls back to SYN -> SYN-ACK when no ACK was seen.
    std::optional<double> rtt_ms() const;
    // Which side closed first (sent the first FIN), -1 if none; half_closed: the other side sent data after that FIN.
    int first_fin_side() const { return first_fin_side_; }
    bool half_closed() const;
    // Where the capture was taken: near the client, near the server or in between,
    // from the handshake timing (SYN -> SYN-ACK against SYN-ACK -> ACK, when the
    // round trip is at least 1 ms) else from the TTLs (a side whose packets arrive
    // with an initial TTL, 32/64/128/255, is next to the capture point; a RST is
    // not taken as its sender's TTL, it may come from a middlebox).
    TcpVantageFinding vantage(int client_side) const;
    // Loss estimate for side s in percent of its data segments (resends of lost segments); nullopt without data.
    std::optional<double> loss_estimate_pct(int s) const;
    // The report (report/tcp_json.hpp) turns these figures into JSON and words.

private:
    // Wireshark's per-direction analysis state (tcp_flow_t / tcp_analyze_seq_flow_info_t).
    struct WsFlow {
        bool base_set = false;
        std::uint32_t base_seq = 0;
        std::uint32_t nextseq = 0;
        std::int64_t nextseq_ts = 0;
        std::uint32_t maxseqtobeacked = 0;
        std::uint32_t lastack = 0;
        std::int64_t lastack_ts = 0;
        std::uint32_t window = 0xffffffffu;
        std::uint32_t dupacknum = 0;  // unsigned as in Wireshark: its -1 marker counts as >= 2
        std::uint32_t lastsegmentflags = 0;
        std::int16_t win_scale = -1;  // -1 unknown, -2 no scaling
        bool is_first_ack = false;
    };
    struct Outstanding {
        std::uint32_t seq = 0, end = 0;   // absolute; end includes SYN/FIN
        std::uint32_t len = 0;
        std::uint64_t frame = 0;          // last transmission
        std::uint64_t first_frame = 0;
        std::int64_t first_ts = 0;
        std::int16_t rtx = -1;            // index in Dir::rtx, -1 none
        bool syn = false, fin = false;
    };
    struct Hole { std::uint32_t from = 0, to = 0; };
    struct LastPacket {
        bool valid = false;
        std::int64_t ts = 0;
        std::uint32_t ip_id = 0, seq = 0, ack = 0, payload = 0, ts_val = 0, ip_len = 0;
        std::uint16_t window = 0;
        std::uint8_t flags = 0, ttl = 0;
    };
    struct Dir {
        std::vector<Outstanding> out;     // up to kMaxOutstanding; grows as needed (most hold a few)
        std::vector<TcpRetransmit> rtx;   // up to kMaxRetransmits; grows as needed
        std::array<Outstanding, 8> acked{};  // the last segments ACKed (frame = the ACK), to place spurious resends
        std::size_t acked_next = 0;
        std::array<Hole, kMaxHoles> holes{};
        std::size_t n_holes = 0;
        LastPacket last;
        std::uint32_t highest_acked = 0;  // highest ACK number from the peer (absolute)
        std::uint32_t seen_end = 0;       // highest sequence number after a captured segment (absolute)
        bool seen_any = false;
        bool acked_any = false;
        std::uint32_t ip_id_run = 0;      // IPv4 IDs of consecutive packets that went up by 1..64
        std::uint8_t ref_ttl = 0;         // TTL of the first packet that is not a RST
        std::uint64_t ref_frame = 0;
        std::int64_t last_syn_ts = 0;     // the latest SYN / SYN-ACK
        std::uint64_t last_syn_frame = 0;
        std::uint64_t last_frame = 0;
        bool peer_fin_seen = false;
    };

    std::uint32_t wireshark_flags(const TcpSegment& s);
    void reset_wireshark();
    void track(const TcpSegment& s, std::uint32_t flags);
    void track_ack(int s, std::uint32_t ack, std::uint64_t frame);
    void track_rst(const TcpSegment& s);
    void note_retransmit(int s, const TcpSegment& sg, std::uint32_t seq, std::uint32_t len, bool spurious);
    std::uint32_t rel(int s, std::uint32_t abs) const;
    static TcpState state_of(const tcp::Header& t, std::uint32_t payload);

    // Wireshark state.
    std::array<WsFlow, 2> ws_{};
    std::int64_t ts_mru_syn_ = 0;   // 0: none
    std::int64_t ts_first_rtt_ = 0; // 0: not known (Wireshark's nstime zero)

    // Own state.
    std::array<TcpSideFigures, 2> side_{};
    std::array<Dir, 2> dir_{};
    TcpHandshake hs_;
    std::vector<TcpReset> resets_;
    std::uint32_t analyse_segment(const TcpSegment& s);
    std::vector<TcpLoggedSegment> log_;
    std::uint16_t log_limit_ = 0;
    std::uint64_t log_dropped_ = 0;
    std::vector<TcpIcmpError> icmp_;
    int first_fin_side_ = -1;
    std::uint64_t prev_frame_ = 0;
    int prev_side_ = -1;
    TcpState prev_state_ = TcpState::none;
    std::array<std::uint32_t, 2> prev_nextseq_{};  // Wireshark's nextseq before the current segment
};

}  // namespace rdpscope
