// SPDX-License-Identifier: MIT
// Probes judged by their shape (analyze/probe_memo.hpp): an answered SYN
// attempt held on past its SYN-ACK while the listing budget is spent, and at
// its RST either given the brief verdict of the first connection of the same
// shape or promoted to full tracking, by the same exact replay that promotes
// a SYN attempt.
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
    // Held on only while it would not be listed anyway, and boundedly.
    return probes_n_ < opt_.max_pending_attempts && !budget_.peek(in.ts_ns);
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
            const auto [k, found] =
                table_.find_hashed(r.hash, [&r](const Key&, const Entry& x) { return x.id == r.id; });
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

// The RST of a probe held on.  Judged by its shape when the shape was
// learned, is a probe's or an NLA failure's, and the listing budget is still
// spent (else full tracking would list it); otherwise promoted, and when its
// shape is new, learned from its verdict (learn_shape).
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
    if (!v || !(v->probe || v->nla_failure) || kerberos_.counts().messages || udp_->rdp_flows()) {
        promote(e, key);
        if (!v && e.conn) {
            e.conn->probe_shape = s;
            e.conn->probe_shape_frame = rst.frame;
        }
        return false;
    }
    // The budget has a token again: this one is listed, and takes it now --
    // full tracking judges a closed connection at the next sweep, and every
    // probe ending before it would otherwise see the same token free.
    if (budget_.available(rst.ts_ns)) {
        budget_.take();
        promote(e, key);
        if (e.conn) e.conn->budget_taken = true;
        return false;
    }
    // Its brief as brief_of() would make it: the verdict's part from the
    // shape, the rest from its own packets.
    ConnBrief b;
    b.id = e.id;
    b.client = client;
    b.server = server;
    b.first_ts = h.first_ts;
    b.first_frame = h.first_frame;
    b.last_ts = rst.ts_ns;
    b.last_frame = rst.frame;
    b.cause = v->cause;
    b.code = v->code;
    b.phase = v->phase;
    b.stalled_at = v->stalled_at;
    b.requested = v->requested;
    b.nla_failure = v->nla_failure;
    b.probe = v->probe;
    b.refused = v->refused;
    auto note = [&b](int side, std::uint64_t frame, std::int64_t ts) {
        if (side == 1) {
            b.server_last_ts = ts;
            b.server_last_frame = frame;
            b.client_unanswered = 0;
        } else {
            b.client_last_ts = ts;
            b.client_last_frame = frame;
            ++b.client_unanswered;
        }
    };
    for (const HeldPacket& hp : h.packets) note(hp.from_hi == e.side0_hi ? 0 : 1, hp.frame, hp.ts_ns);
    note(rst_side, rst.frame, rst.ts_ns);
    b.server_closed = rst_side == 1;
    b.cuttable = cuttable(b);

    ++stats_.rdp_connections;
    flood_.not_listed(b.cause, b.first_frame, b.last_frame);
    flood_.judged_by_shape();
    obs_.probe_done(b);
    e.probe = false;
    --probes_n_;
    recycle(e.held);
    table_.erase(key);
    probe_keys_.insert(KeyHash{}(key));
    return true;
}

// A probe promoted at its RST is judged: its shape's verdict learned, if
// nothing but its shape could have moved it (no packet after the RST, no
// problem, no drops, nothing tied to it, judged within a sweep of its RST as
// full tracking judges a closed connection).
void Tracker::learn_shape(const Connection& c, const Verdict& v, const JudgeContext& ctx) {
    if (c.last_frame != c.probe_shape_frame || c.problems || ctx.capture_drops || ctx.input_ended) return;
    if (ctx.now_ns - c.last_ts > 2'000'000'000 || !c.kerberos.empty() || !c.udp.empty() || c.icmp_total) return;
    if (c.client_side() != 0 || !c.closed()) return;
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
