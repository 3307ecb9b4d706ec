// SPDX-License-Identifier: MIT
// Probes judged by their shape (analyze/probe_memo.hpp): an answered SYN
// attempt held on past its SYN-ACK while the listing budget is spent; at its
// RST, given the brief verdict of the first connection of its shape if that
// was learned, else promoted to full tracking by the same exact replay that
// promotes a SYN attempt; afterwards, its key kept for its late packets as
// long as full tracking would keep the closed connection.
#include "analyze/groups.hpp"
#include "analyze/tracker.hpp"

namespace rdpscope {

// May this answer (the SYN-ACK, `in`, of a pending attempt) hold it on as a probe?
bool Tracker::probe_may_start(const Entry& e, int side, const TcpIn& in) const {
    if (!opt_.judge_probes_by_shape || !opt_.brief_unlisted || !opt_.listed_per_minute) return false;
    if (opt_.stall_timeout_ns < ProbeMemo::kMinStallNs) return false;
    const Held& h = *e.held;
    const tcp::Header& t = in.tcp;
    // Its SYN-ACK, acknowledging the (only) SYN's sequence number, whole.
    if (side != 1 || !t.has(tcp::SYN) || !t.has(tcp::ACK) || t.has(tcp::FIN) || t.has(tcp::RST)) return false;
    if (h.packets.empty() || t.ack != h.packets.back().seq + 1) return false;
    if (!t.payload.empty() || in.ip_total_length > in.ip_header_length + t.header_length) return false;
    if (in.fragment || in.payload_cut || in.ts_ns - h.first_ts >= ProbeMemo::kMaxSpanNs) return false;
    if (h.copies[0].packets || h.copies[1].packets || capture_drops_ != h.drops_at_start) return false;
    // What a full connection's verdict would tie to it: Kerberos seen, or
    // RDP-UDP flows (tied to the newest RDP connection of the same hosts).
    if (kerberos_.counts().messages || udp_->rdp_flows()) return false;
    // Held on only while the budget runs out (it did at the last sweep:
    // between sweeps tokens come back, one by one, that the next sweep's
    // verdicts take), and boundedly.
    return probes_n_ < opt_.max_pending_attempts && budget_spent_;
}

void Tracker::start_probe(Entry& e, const Key& key, const TcpIn& in) {
    e.pending = false;
    --pending_n_;
    e.probe = true;
    ++probes_n_;
    Held& h = *e.held;
    h.probe_next[0] = h.packets.back().seq + 1;
    h.probe_next[1] = in.tcp.seq + 1;
    keep_packet(e, 1, in);
    e.lite[1].syn_ack = true;
    e.last_ts = in.ts_ns;
    probes_.push_back({e.id, KeyHash{}(key)});
    schedule(e, key);  // promoted at a sweep once it cannot be judged by its shape
    // References to probes promoted or judged meanwhile are dropped when they
    // outnumber the live ones (as pending_'s).
    if (probes_.size() > 2 * probes_n_ + 1024) {
        std::deque<PendingRef> live;
        for (const PendingRef& r : probes_) {
            const auto [k, found] = entry_by_id(r.hash, r.id);
            if (found && found->probe) live.push_back(r);
        }
        probes_.swap(live);
    }
}

// A packet of a probe held on: kept if the strict shape goes on, `last` for
// the RST that may end it, `other` for anything that promotes it.
Tracker::ProbeStep Tracker::probe_step(Entry& e, int side, const TcpIn& in) {
    Held& h = *e.held;
    const tcp::Header& t = in.tcp;
    const std::size_t wire_payload = in.ip_total_length > in.ip_header_length + t.header_length
                                         ? in.ip_total_length - in.ip_header_length - t.header_length : 0;
    if (in.fragment || in.payload_cut || wire_payload != t.payload.size()) return ProbeStep::other;
    if (t.has(tcp::SYN) || t.has(tcp::FIN) || in.ts_ns - h.first_ts >= ProbeMemo::kMaxSpanNs) return ProbeStep::other;
    if (capture_drops_ != h.drops_at_start || h.copies[0].packets || h.copies[1].packets) return ProbeStep::other;
    // In order, and everything the peer sent acknowledged.
    if (t.seq != h.probe_next[side]) return ProbeStep::other;
    if (t.has(tcp::ACK) ? t.ack != h.probe_next[1 - side] : !t.has(tcp::RST)) return ProbeStep::other;
    if (t.has(tcp::RST)) return t.payload.empty() ? ProbeStep::last : ProbeStep::other;
    if (h.packets.size() >= kMaxHeld || h.bytes.size() + t.payload.size() > kMaxHeldBytes) return ProbeStep::other;
    h.probe_next[side] += static_cast<std::uint32_t>(t.payload.size());
    keep_packet(e, side, in);
    e.last_ts = in.ts_ns;
    return ProbeStep::keep;
}

namespace {

ProbeShape::Packet shape_packet(int side, std::uint8_t flags, std::uint8_t header_length, std::uint16_t window,
                                const tcp::Options& o, const std::uint8_t* payload, std::uint32_t len,
                                std::uint8_t ttl, std::uint16_t ip_header_length, bool df, bool v6, std::int64_t ts) {
    ProbeShape::Packet p;
    p.side = side;
    p.flags = flags;
    p.header_length = header_length;
    p.window = window;
    p.mss = o.mss;
    p.window_scale = o.window_scale;
    p.sack_permitted = o.sack_permitted;
    p.sack_blocks = o.sack_blocks;
    p.timestamps = o.timestamps;
    p.payload = payload;
    p.payload_len = len;
    p.ttl = ttl;
    p.ip_header_length = ip_header_length;
    p.dont_fragment = df;
    p.v6 = v6;
    p.ts_ns = ts;
    return p;
}

}  // namespace

// The RST of a probe held on.  A shape learned, a probe's or an NLA
// failure's: judged by it now, unless the listing budget has a token again
// (then promoted, to be listed, taking the token now: full tracking judges a
// closed connection at the next sweep, and every probe ending before then
// would see the same token free).  Otherwise promoted, and when its shape is
// new, learned from its verdict (learn_shape).  True: judged and forgotten.
// A packet of it after its RST is counted (late_for_closed_probe): full
// tracking would have judged it with those that came before the next sweep.
bool Tracker::probe_ended(Entry& e, const Key& key, const TcpIn& rst) {
    Held& h = *e.held;
    const Endpoint& client = e.side0_hi ? key.hi : key.lo;
    const Endpoint& server = e.side0_hi ? key.lo : key.hi;
    ProbeShape shape(reported_port(server.port), reported_port(client.port));
    for (const HeldPacket& hp : h.packets)
        shape.add(shape_packet(hp.from_hi == e.side0_hi ? 0 : 1, hp.flags, hp.header_length, hp.window, hp.options,
                               h.bytes.data() + hp.held_at, hp.held_len, hp.ttl, hp.ip_header_length,
                               hp.dont_fragment, hp.v6, hp.ts_ns));
    const int rst_side = same_endpoint(rst.src, client) ? 0 : 1;
    shape.add(shape_packet(rst_side, rst.tcp.flags, rst.tcp.header_length, rst.tcp.window, rst.tcp.options, nullptr,
                           0, rst.ttl, rst.ip_header_length, rst.dont_fragment, rst.v6, rst.ts_ns));
    const std::uint64_t s = shape.hash();
    const ShapeVerdict* v = shapes_.find(s);
    if (!v || !(v->probe || v->nla_failure) || h.packets.size() >= kMaxHeld || kerberos_.counts().messages ||
        udp_->rdp_flows()) {
        promote(e, key);
        if (!v && e.conn) {
            e.conn->probe_shape = s;
            e.conn->probe_shape_frame = rst.frame;
        }
        return false;
    }
    if (budget_.available(rst.ts_ns)) {
        budget_.take();
        promote(e, key);
        if (e.conn) e.conn->budget_taken = true;
        return false;
    }
    keep_packet(e, rst_side, rst);
    judge_by_shape(e, key, *v);
    return true;
}

// Probes held on that can no longer be judged by their shape (no RST
// within kMaxSpanNs of their SYN) become full connections at the first
// sweep after that -- before its verdicts, long before full tracking could
// judge them (a stall takes at least kMinStallNs).
void Tracker::promote_quiet_probes(std::int64_t now_ns) {
    if (!probes_n_) return;
    std::vector<Key> quiet;
    for (const PendingRef& r : probes_) {
        const auto [key, found] = entry_by_id(r.hash, r.id);
        if (found && found->probe && now_ns - found->held->first_ts >= ProbeMemo::kMaxSpanNs)
            quiet.push_back(*key);
    }
    for (const Key& k : quiet) promote(*table_.find(k), k);
}

void Tracker::judge_by_shape(Entry& e, const Key& key, const ShapeVerdict& v) {
    Held& h = *e.held;
    // Its brief as brief_of() would make it: the verdict's part from the
    // shape, the rest from its own packets.
    ConnBrief b;
    b.id = e.id;
    b.client = e.side0_hi ? key.hi : key.lo;
    b.server = e.side0_hi ? key.lo : key.hi;
    b.first_ts = h.first_ts;
    b.first_frame = h.first_frame;
    b.cause = v.cause;
    b.code = v.code;
    b.phase = v.phase;
    b.stalled_at = v.stalled_at;
    b.requested = v.requested;
    b.nla_failure = v.nla_failure;
    b.probe = v.probe;
    b.refused = v.refused;
    std::uint32_t server_base = 0;
    for (const HeldPacket& hp : h.packets) {
        b.last_ts = hp.ts_ns;
        b.last_frame = hp.frame;
        if (hp.from_hi != e.side0_hi) {  // the server's
            if (!b.server_last_frame) server_base = hp.seq;
            b.server_last_ts = hp.ts_ns;
            b.server_last_frame = hp.frame;
            b.client_unanswered = 0;
            if (hp.flags & tcp::RST) b.server_closed = true;
        } else {
            b.client_last_ts = hp.ts_ns;
            b.client_last_frame = hp.frame;
            ++b.client_unanswered;
        }
    }
    b.cuttable = cuttable(b);

    ++stats_.rdp_connections;
    flood_.not_listed(b.cause, b.first_frame, b.last_frame);
    flood_.judged_by_shape();
    obs_.probe_done(b);
    ClosedProbes::Probe closed;
    closed.last_ts = b.last_ts;
    closed.base = {h.packets.front().seq, server_base};  // the SYN's and the SYN-ACK's
    closed.client_lo = same_endpoint(b.client, key.lo);
    e.probe = false;
    --probes_n_;
    recycle(e.held);
    table_.erase(key);
    closed_probes_.insert(KeyHash{}(key), closed);
}

// A packet for a probe judged by its shape after its RST: full tracking
// would have added it to that connection, still kept (closed) for its
// linger -- to figures no report reads of an unlisted probe but its brief's
// times -- unless it is a SYN that starts a new stream (StreamBases); so it
// is counted, and kept from starting a connection of its own.
bool Tracker::late_for_closed_probe(const Key& key, const tcp::Header& t, const Endpoint& src, std::int64_t ts_ns) {
    const std::uint64_t hash = KeyHash{}(key);
    ClosedProbes::Probe* p = closed_probes_.find(hash);
    if (!p) return false;
    const int side = same_endpoint(src, p->client_lo ? key.lo : key.hi) ? 0 : 1;
    if (t.has(tcp::SYN) && !t.has(tcp::ACK) && t.seq != p->base[side]) return false;  // a new stream
    closed_probes_.touch(hash, *p, ts_ns);
    flood_.shape_late_packet();
    return true;
}

// A probe promoted at its RST is judged: its shape's verdict learned, if
// nothing but its shape could have moved it (no packet after the RST, no
// problem, no drops, nothing tied to it).  When it is judged does not
// matter: of a closed connection, no rule reads the time it is judged at or
// whether the input ended (verdict.cpp: those rules need a connection still
// open, or only SYNs, or a SYN-ACK sent twice, none of them a strict shape).
void Tracker::learn_shape(const Connection& c, const Verdict& v, const JudgeContext& ctx) {
    if (c.last_frame != c.probe_shape_frame || c.problems || ctx.capture_drops) return;
    if (!c.kerberos.empty() || !c.udp.empty() || c.icmp_total || c.client_side() != 0 || !c.closed()) return;
    const ConnBrief b = brief_of(c, v);
    ShapeVerdict s;
    s.cause = b.cause;
    s.code = b.code;
    s.phase = b.phase;
    s.stalled_at = b.stalled_at;
    s.requested = b.requested;
    s.nla_failure = b.nla_failure;
    s.probe = b.probe;
    s.refused = b.refused;
    shapes_.learn(c.probe_shape, s);
}

}  // namespace rdpscope
