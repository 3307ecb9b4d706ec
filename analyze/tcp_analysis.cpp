// SPDX-License-Identifier: MIT
#include "analyze/tcp_analysis.hpp"

#include <algorithm>
#include <cmath>

#include "analyze/ttl.hpp"

namespace rdpscope {

namespace {

// Sequence-space comparisons, as Wireshark's GT_SEQ / LT_SEQ / LE_SEQ.
bool gt_seq(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(b - a) < 0; }
bool lt_seq(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }
bool le_seq(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) <= 0; }

constexpr std::uint8_t kSynFinRst = tcp::SYN | tcp::FIN | tcp::RST;
constexpr std::int64_t kFastRetransmitWindowNs = 20'000'000;  // fast retransmission within 20 ms of the last dup ACK
constexpr std::int64_t kDefaultOooThresholdNs = 3'000'000;    // out-of-order window when the handshake RTT is unknown
// Wireshark's dupacknum is unsigned and set to -1 after an "ACKed unseen segment";
// that value also passes its "two or more duplicate ACKs" test for fast retransmissions.
constexpr std::uint32_t kDupAckMarker = 0xffffffffu;

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }
double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

TcpIcmpKind classify(bool v6, std::uint8_t type, std::uint8_t code) {
    if (!v6) {
        if (type == 11) return TcpIcmpKind::time_exceeded;
        if (type != 3) return TcpIcmpKind::other;
        switch (code) {
            case 0: case 6: case 11: return TcpIcmpKind::net_unreachable;
            case 1: case 7: case 12: return TcpIcmpKind::host_unreachable;
            case 3: return TcpIcmpKind::port_unreachable;
            case 4: return TcpIcmpKind::frag_needed;
            case 9: case 10: case 13: return TcpIcmpKind::admin_prohibited;
            default: return TcpIcmpKind::other_unreachable;
        }
    }
    if (type == 2) return TcpIcmpKind::packet_too_big;
    if (type == 3) return TcpIcmpKind::time_exceeded;
    if (type != 1) return TcpIcmpKind::other;
    switch (code) {
        case 0: return TcpIcmpKind::net_unreachable;
        case 1: case 5: case 6: return TcpIcmpKind::admin_prohibited;  // prohibited, ingress/egress policy, reject route
        case 3: return TcpIcmpKind::host_unreachable;
        case 4: return TcpIcmpKind::port_unreachable;
        default: return TcpIcmpKind::other_unreachable;
    }
}

}  // namespace

const char* to_string(TcpIcmpKind k) {
    switch (k) {
        case TcpIcmpKind::admin_prohibited: return "admin_prohibited";
        case TcpIcmpKind::port_unreachable: return "port_unreachable";
        case TcpIcmpKind::host_unreachable: return "host_unreachable";
        case TcpIcmpKind::net_unreachable: return "net_unreachable";
        case TcpIcmpKind::frag_needed: return "frag_needed";
        case TcpIcmpKind::packet_too_big: return "packet_too_big";
        case TcpIcmpKind::other_unreachable: return "unreachable";
        case TcpIcmpKind::time_exceeded: return "time_exceeded";
        case TcpIcmpKind::other: break;
    }
    return "other";
}

const char* to_string(TcpState s) {
    switch (s) {
        case TcpState::none: return "none";
        case TcpState::syn: return "syn";
        case TcpState::syn_ack: return "syn_ack";
        case TcpState::ack: return "ack";
        case TcpState::data: return "data";
        case TcpState::fin: return "fin";
        case TcpState::rst: return "rst";
    }
    return "none";
}

const char* to_string(TcpVantage v) {
    switch (v) {
        case TcpVantage::client: return "client";
        case TcpVantage::server: return "server";
        case TcpVantage::middle: return "middle";
        case TcpVantage::unknown: break;
    }
    return "unknown";
}

TcpState TcpAnalysis::state_of(const tcp::Header& t, std::uint32_t payload) {
    if (t.has(tcp::RST)) return TcpState::rst;
    if (t.has(tcp::SYN)) return t.has(tcp::ACK) ? TcpState::syn_ack : TcpState::syn;
    if (t.has(tcp::FIN)) return TcpState::fin;
    return payload ? TcpState::data : TcpState::ack;
}

std::uint32_t TcpAnalysis::rel(int s, std::uint32_t abs) const {
    const auto& f = side_[s];
    return f.isn_known ? abs - f.isn : abs - ws_[s].base_seq;
}

// ---------------------------------------------------------------------------
// Wireshark 4.0's rules.  The order of the checks, the thresholds and the
// state kept are Wireshark's (tcp_analyze_sequence_number and the parts of
// dissect_tcp around it); sequence and ACK numbers are absolute, the window
// is the raw header value, the segment length the on-wire payload.

void TcpAnalysis::reset_wireshark() {
    ws_ = {};
    ts_mru_syn_ = 0;
    ts_first_rtt_ = 0;
}

std::uint32_t TcpAnalysis::wireshark_flags(const TcpSegment& sg) {
    const tcp::Header& t = *sg.tcp;
    const std::uint8_t flags = t.flags;
    const std::uint32_t seq = t.seq, ack = t.ack, seglen = sg.payload_len, window = t.window;
    const bool syn = flags & tcp::SYN, has_ack = flags & tcp::ACK;

    // A SYN with another initial sequence number starts a new conversation in
    // Wireshark (a new tcp.stream with fresh analysis state).  The tracker
    // starts a new connection there too (Tracker::StreamBases); this keeps the
    // analysis right for a caller that feeds one TcpAnalysis regardless.
    if (syn && !has_ack && ws_[sg.side].base_set && seq != ws_[sg.side].base_seq) reset_wireshark();

    WsFlow& f = ws_[sg.side];
    WsFlow& r = ws_[1 - sg.side];
    prev_nextseq_[sg.side] = f.nextseq;
    std::uint32_t fl = 0;

    if (!f.base_set) {
        f.base_seq = syn ? seq : seq - 1;
        f.base_set = true;
    }
    if (!r.base_set && has_ack) {
        r.base_seq = ack - 1;
        r.base_set = true;
    }

    const bool plain = (flags & kSynFinRst) == 0;  // no SYN, FIN or RST
    do {
        // Zero window probe: one byte at the next sequence number into a zero window.
        if (seglen == 1 && seq == f.nextseq && r.window == 0) {
            fl |= TCP_ZERO_WINDOW_PROBE;
            break;
        }
        if (window == 0 && plain) fl |= TCP_ZERO_WINDOW;
        // Previous segment not captured: beyond the next expected sequence number.
        if (f.nextseq && gt_seq(seq, f.nextseq) && !(flags & tcp::RST)) fl |= TCP_LOST_SEGMENT;
        // Keep-alive: 0 or 1 byte one before the next sequence number.
        if ((seglen == 0 || seglen == 1) && seq == f.nextseq - 1 && plain) fl |= TCP_KEEP_ALIVE;
        // Window update: no data, same SEQ/ACK, another (non-zero) window.
        if (seglen == 0 && window && window != f.window && seq == f.nextseq && ack == f.lastack && plain)
            fl |= TCP_WINDOW_UPDATE;
        // Window full: the segment reaches the edge of the peer's advertised
        // window (scaled unless the peer has not ACKed anything since its SYN).
        if (seglen > 0 && r.win_scale != -1 && plain) {
            const int shift = r.is_first_ack ? 0 : (r.win_scale == -2 ? 0 : r.win_scale);
            if (seq + seglen == r.lastack + (r.window << shift)) fl |= TCP_WINDOW_FULL;
        }
        const bool same = seglen == 0 && window == f.window && seq == f.nextseq && ack == f.lastack && plain;
        if (same && window && (r.lastsegmentflags & TCP_KEEP_ALIVE)) {
            fl |= TCP_KEEP_ALIVE_ACK_;
            break;
        }
        if (same && window == 0 && (r.lastsegmentflags & TCP_ZERO_WINDOW_PROBE)) {
            fl |= TCP_ZERO_WINDOW_PROBE_ACK_;
            break;
        }
        if (same && window) {
            // The marker (set below after an "ACKed unseen segment") restarts the count at 1.
            f.dupacknum = f.dupacknum == kDupAckMarker ? 1 : f.dupacknum + 1;
            fl |= TCP_DUP_ACK;
        }
    } while (false);

    if (ack != f.lastack) f.dupacknum = 0;

    // ACKed unseen segment: ACKs beyond what the other direction was seen to send.
    if (r.maxseqtobeacked && gt_seq(ack, r.maxseqtobeacked) && has_ack) {
        if (lt_seq(r.maxseqtobeacked, r.nextseq)) {
            r.maxseqtobeacked = r.nextseq;
            fl |= TCP_ACKED_UNSEEN;
        } else {
            // Flag it once, not again for every ACK while the other side is silent.
            if (r.dupacknum == 0) fl |= TCP_ACKED_UNSEEN;
            r.dupacknum = kDupAckMarker;
        }
    }

    // Retransmission / fast retransmission / spurious / out-of-order: a
    // segment occupying sequence space that does not advance the sequence.
    if ((seglen > 0 || (flags & (tcp::SYN | tcp::FIN))) && !(fl & TCP_KEEP_ALIVE)) {
        bool not_advanced = f.nextseq && lt_seq(seq, f.nextseq);
        // More than one byte starting one before nextseq (after a zero window probe) is new data.
        if (seglen > 1 && f.nextseq - 1 == seq) not_advanced = false;
        if (seglen > 0 && r.lastack && le_seq(seq + seglen, r.lastack)) {
            fl |= TCP_RETRANSMISSION | TCP_SPURIOUS_RETRANSMISSION;
        } else if (not_advanced && r.dupacknum >= 2 && r.lastack == seq &&
                   static_cast<std::uint64_t>(sg.ts_ns - r.lastack_ts) < kFastRetransmitWindowNs) {
            fl |= TCP_RETRANSMISSION | TCP_FAST_RETRANSMISSION;
        } else {
            const std::uint64_t threshold =
                ts_first_rtt_ ? static_cast<std::uint64_t>(ts_first_rtt_) : kDefaultOooThresholdNs;
            const std::uint32_t end = seq + seglen + ((flags & (tcp::SYN | tcp::FIN)) ? 1 : 0);
            if (not_advanced && static_cast<std::uint64_t>(sg.ts_ns - f.nextseq_ts) < threshold && f.nextseq != end)
                fl |= TCP_OUT_OF_ORDER;
            else if (not_advanced)
                fl |= TCP_RETRANSMISSION;
        }
    }

    std::uint32_t nextseq = seq + seglen;
    if (flags & (tcp::SYN | tcp::FIN)) ++nextseq;
    if ((gt_seq(nextseq, f.nextseq) || !f.nextseq) && !(fl & TCP_ZERO_WINDOW_PROBE)) {
        f.nextseq = nextseq;
        f.nextseq_ts = sg.ts_ns;
    }
    if ((seq == f.maxseqtobeacked || !f.maxseqtobeacked) && !(fl & TCP_ZERO_WINDOW_PROBE))
        f.maxseqtobeacked = f.nextseq;
    f.window = window;
    f.lastack = ack;
    f.lastack_ts = sg.ts_ns;
    f.lastsegmentflags = fl;

    // After the analysis, as dissect_tcp does: the SYN's time, the initial RTT
    // (SYN to the first segment with ACK and without SYN, either way), the
    // window scale from the SYNs, and whether the direction has ACKed yet.
    if (syn) {
        if (!has_ack) ts_mru_syn_ = sg.ts_ns;
        f.is_first_ack = true;
    }
    if ((flags & (tcp::SYN | tcp::ACK)) == tcp::ACK && ts_mru_syn_ && !ts_first_rtt_)
        ts_first_rtt_ = sg.ts_ns - ts_mru_syn_;
    if ((flags & (tcp::SYN | tcp::ACK)) == tcp::ACK) f.is_first_ack = false;
    if (t.options.window_scale >= 0) f.win_scale = std::min<std::int16_t>(t.options.window_scale, 14);
    if (syn) {
        if (f.win_scale == -1) {
            f.win_scale = -2;
            r.win_scale = -2;
        } else if (has_ack && r.win_scale == -2) {
            f.win_scale = -2;
        }
    }
    return fl & ~(TCP_KEEP_ALIVE_ACK_ | TCP_ZERO_WINDOW_PROBE_ACK_);
}

// ---------------------------------------------------------------------------
// rdpscope's own reading.

void TcpAnalysis::add_copies(int side, const CopyCounts& n) {
    TcpSideFigures& f = side_[side];
    f.packets += n.packets;
    f.bytes += n.bytes;
    f.syn += n.syn;
    f.syn_ack += n.syn_ack;
    f.fin += n.fin;
    f.rst += n.rst;
    f.duplicate_frames += n.packets;
}

std::uint32_t TcpAnalysis::on_segment(const TcpSegment& s) {
    const std::uint32_t fl = analyse_segment(s);
    // The report's segment log (keep_segments): copies are collapsed, as in
    // every figure; the first segments are the handshake's.
    if (log_limit_ && !s.copy) {
        if (log_.size() < log_limit_) {
            // Two allocations at most: room for a SYN-only attempt's few
            // segments first (scans leave thousands), then for the whole log.
            if (log_.size() == log_.capacity()) log_.reserve(log_.empty() ? std::min<std::size_t>(8, log_limit_) : log_limit_);
            const tcp::Header& t = *s.tcp;
            log_.push_back({s.frame, s.ts_ns, t.seq, t.ack, s.payload_len, fl, t.window,
                            static_cast<std::uint8_t>(s.side), static_cast<std::uint8_t>(t.flags)});
        } else {
            ++log_dropped_;
        }
    }
    return fl;
}

std::uint32_t TcpAnalysis::analyse_segment(const TcpSegment& s) {
    const tcp::Header& t = *s.tcp;
    TcpSideFigures& f = side_[s.side];
    Dir& d = dir_[s.side];
    ++f.packets;
    f.bytes += s.payload_len;
    if (t.has(tcp::SYN)) ++(t.has(tcp::ACK) ? f.syn_ack : f.syn);
    if (t.has(tcp::FIN)) ++f.fin;
    if (t.has(tcp::RST)) ++f.rst;

    // The same packet captured twice: everything equal, including the IP ID
    // (IPv4) or the TCP timestamp, within a few milliseconds (one when the IP
    // ID is 0 and there is no TCP timestamp: a stack's repeated RSTs look
    // alike), with nothing from the peer in between (that would make it an
    // answer, such as a second RST to a FIN).  The copy still
    // goes through Wireshark's rules, so that the frames after it are flagged
    // as tshark flags them, but it is reported as a duplicate only and left
    // out of every other figure.
    LastPacket now;
    now.valid = true;
    now.ts = s.ts_ns;
    now.ip_id = s.ip_id;
    now.seq = t.seq;
    now.ack = t.ack;
    now.payload = s.payload_len;
    now.ts_val = t.options.timestamps ? t.options.ts_val : 0;
    now.ip_len = s.ip_total_length;
    now.window = t.window;
    now.flags = t.flags;
    now.ttl = s.ttl;
    const LastPacket& L = d.last;
    const bool weak_id = s.ipv6 ? now.ts_val == 0 : (now.ip_id == 0 && now.ts_val == 0);
    // A copy found by the Tracker (analyze/copies.hpp) is collapsed here:
    // counted as a frame and a duplicate, and kept out of Wireshark's rules
    // too -- tshark, which sees every copy, would call most of them
    // retransmissions, and its state after them would count later segments
    // differently from the packets' own (pktmon's 6 to 8 copies of each).
    if (s.copy) {
        ++f.duplicate_frames;
        return TCP_DUPLICATE_FRAME;
    }
    if ((L.valid && s.ts_ns >= L.ts && s.ts_ns - L.ts <= (weak_id ? kDuplicateWindowNs / 5 : kDuplicateWindowNs) &&
         dir_[1 - s.side].last_frame < d.last_frame && L.seq == now.seq && L.ack == now.ack &&
         L.payload == now.payload && L.ts_val == now.ts_val && L.ip_len == now.ip_len && L.window == now.window &&
         L.flags == now.flags && L.ttl == now.ttl && (s.ipv6 || L.ip_id == now.ip_id))) {
        ++f.duplicate_frames;
        wireshark_flags(s);
        return TCP_DUPLICATE_FRAME;
    }

    const std::uint32_t flags = wireshark_flags(s);
    track(s, flags);
    // Remember the packet for the duplicate check and the IP ID sequence (RST origin).
    if (!s.ipv6 && L.valid && !t.has(tcp::RST)) {
        const auto step = static_cast<std::uint16_t>(s.ip_id - L.ip_id);
        d.ip_id_run = (step >= 1 && step <= 64) ? d.ip_id_run + 1 : 0;
    }
    d.last = now;
    d.last_frame = s.frame;
    prev_frame_ = s.frame;
    prev_side_ = s.side;
    prev_state_ = state_of(t, s.payload_len);
    return flags;
}

void TcpAnalysis::note_retransmit(int s, const TcpSegment& sg, std::uint32_t seq, std::uint32_t len, bool spurious) {
    Dir& d = dir_[s];
    const tcp::Header& t = *sg.tcp;
    const bool synfin = t.has(tcp::SYN) || t.has(tcp::FIN);
    const std::uint32_t end = seq + len + (synfin ? 1 : 0);
    // The outstanding segment it repeats.
    Outstanding* o = nullptr;
    for (auto& e : d.out)
        if (e.seq == seq || (le_seq(e.seq, seq) && lt_seq(seq, e.end))) { o = &e; break; }
    TcpRetransmit* r = nullptr;
    if (o && o->rtx >= 0) r = &d.rtx[static_cast<std::size_t>(o->rtx)];
    if (!r)
        for (auto& x : d.rtx)
            if (x.abs_end == end && rel(s, seq) == x.seq) { r = &x; break; }
    // Or one already ACKed (a spurious resend).
    const Outstanding* done = nullptr;
    if (!o)
        for (const auto& e : d.acked)
            if (e.frame && (e.seq == seq || (le_seq(e.seq, seq) && lt_seq(seq, e.end)))) { done = &e; break; }
    if (!r) {
        if (d.rtx.size() >= kMaxRetransmits) return;
        TcpRetransmit n;
        n.seq = rel(s, seq);
        n.len = o ? o->len : len;
        n.syn = t.has(tcp::SYN);
        n.fin = t.has(tcp::FIN);
        const Outstanding* orig = o ? o : done;
        n.first_frame = orig ? orig->first_frame : 0;
        n.first_ts_ns = orig ? orig->first_ts : 0;
        n.abs_end = orig ? orig->end : end;
        if (done) n.acked_frame = done->frame;  // here: the frame that ACKed it
        d.rtx.push_back(n);
        r = &d.rtx.back();
        if (o) o->rtx = static_cast<std::int16_t>(d.rtx.size() - 1);
        // A segment seen, then sent again: lost (or its ACK lost) beyond the capture point.
        if (o && !spurious) ++side_[s].lost_after_capture;
    }
    if (r->resends < TcpRetransmit::kMaxResends) {
        r->resend_frames[r->resends] = sg.frame;
        r->resend_ts_ns[r->resends] = sg.ts_ns;
    }
    ++r->resends;
    if (spurious) ++r->spurious;
    if (o) o->frame = sg.frame;
}

void TcpAnalysis::track_ack(int s, std::uint32_t ack, std::uint64_t frame) {
    // `ack` from the peer acknowledges side s's bytes up to it.
    Dir& d = dir_[s];
    TcpSideFigures& f = side_[s];
    if (!d.acked_any || gt_seq(ack, d.highest_acked)) {
        d.highest_acked = ack;
        d.acked_any = true;
    }
    for (std::size_t i = 0; i < d.out.size();) {
        Outstanding& e = d.out[i];
        if (le_seq(e.end, ack)) {
            if (e.len > f.max_acked_segment) {
                f.max_acked_segment = e.len;
                f.max_acked_frame = e.first_frame;
            }
            if (e.rtx >= 0 && !d.rtx[static_cast<std::size_t>(e.rtx)].acked_frame)
                d.rtx[static_cast<std::size_t>(e.rtx)].acked_frame = frame;
            Outstanding& keep = d.acked[d.acked_next++ % d.acked.size()];
            keep = e;
            keep.frame = frame;  // the ACK
            e = d.out.back();
            d.out.pop_back();
        } else {
            ++i;
        }
    }
    for (auto& x : d.rtx)
        if (!x.acked_frame && le_seq(x.abs_end, ack)) x.acked_frame = frame;
    // Bytes beyond the last captured segment, ACKed: sent and received, never captured.
    if (d.seen_any && gt_seq(ack, d.seen_end)) {
        f.unseen_bytes += ack - d.seen_end;
        d.seen_end = ack;
    }
    // Holes the peer ACKs without the capture having seen their bytes.
    for (std::size_t i = 0; i < d.n_holes;) {
        Hole& h = d.holes[i];
        if (gt_seq(ack, h.from)) {
            const std::uint32_t upto = lt_seq(ack, h.to) ? ack : h.to;
            f.unseen_bytes += upto - h.from;
            h.from = upto;
        }
        if (h.from == h.to) {
            h = d.holes[d.n_holes - 1];
            --d.n_holes;
        } else {
            ++i;
        }
    }
}

void TcpAnalysis::track_rst(const TcpSegment& sg) {
    const int s = sg.side;
    TcpSideFigures& f = side_[s];
    const Dir& d = dir_[s];
    if (!f.first_rst_frame) f.first_rst_frame = sg.frame;
    if (resets_.size() >= kMaxResets) return;
    if (resets_.capacity() == 0) resets_.reserve(kMaxResets);
    TcpReset r;
    r.frame = sg.frame;
    r.ts_ns = sg.ts_ns;
    r.side = s;
    r.with_ack = sg.tcp->has(tcp::ACK);
    r.ttl = sg.ttl;
    r.ip_id = sg.ip_id;
    r.ipv6 = sg.ipv6;
    if (f.syn_ttl_frame) {
        r.ref_ttl = f.syn_ttl;
        r.ref_frame = f.syn_ttl_frame;
    } else if (d.ref_frame) {
        r.ref_ttl = d.ref_ttl;
        r.ref_frame = d.ref_frame;
    }
    r.ttl_mismatch = r.ref_frame && r.ref_ttl != r.ttl;
    if (!sg.ipv6 && d.last.valid) {
        r.prev_ip_id_known = true;
        r.prev_ip_id = d.last.ip_id;
        const auto step = static_cast<std::uint16_t>(sg.ip_id - d.last.ip_id);
        r.ip_id_out_of_sequence = d.ip_id_run >= 2 && !(step >= 1 && step <= 64);
    }
    r.after_frame = prev_frame_;
    r.after_side = prev_side_;
    r.after = prev_state_;
    const TcpSideFigures& peer = side_[1 - s];
    r.answers_syn = r.with_ack && peer.syn && peer.isn_known && sg.tcp->ack == peer.isn + 1 && !f.syn_ack;
    resets_.push_back(r);
}

void TcpAnalysis::track(const TcpSegment& sg, std::uint32_t flags) {
    const int s = sg.side, p = 1 - sg.side;
    const tcp::Header& t = *sg.tcp;
    TcpSideFigures& f = side_[s];
    Dir& d = dir_[s];
    const std::uint32_t len = sg.payload_len;
    const bool syn = t.has(tcp::SYN), fin = t.has(tcp::FIN), rst = t.has(tcp::RST), ack = t.has(tcp::ACK);

    if (flags & TCP_RETRANSMISSION) ++f.retransmissions;
    if (flags & TCP_FAST_RETRANSMISSION) ++f.fast_retransmissions;
    if (flags & TCP_SPURIOUS_RETRANSMISSION) ++f.spurious_retransmissions;
    if (flags & TCP_OUT_OF_ORDER) ++f.out_of_order;
    if (flags & TCP_DUP_ACK) ++f.dup_acks;
    if (flags & TCP_ZERO_WINDOW) ++f.zero_windows;
    if (flags & TCP_ZERO_WINDOW_PROBE) ++f.zero_window_probes;
    if (flags & TCP_WINDOW_FULL) ++f.window_full;
    if (flags & TCP_WINDOW_UPDATE) ++f.window_updates;
    if (flags & TCP_KEEP_ALIVE) ++f.keep_alives;
    if (flags & TCP_LOST_SEGMENT) ++f.lost_segments;
    if (flags & TCP_ACKED_UNSEEN) ++f.acked_unseen;

    // IP figures.
    f.ipv6 = sg.ipv6;
    if (!f.first_ttl) f.first_ttl = f.min_ttl = f.max_ttl = sg.ttl;
    f.min_ttl = std::min(f.min_ttl, sg.ttl);
    f.max_ttl = std::max(f.max_ttl, sg.ttl);
    if (sg.dont_fragment) ++f.df_packets;
    if (!rst && !d.ref_frame) {
        d.ref_frame = sg.frame;
        d.ref_ttl = sg.ttl;
    }

    // The handshake.
    if (syn) {
        if (!f.isn_known) {
            f.isn_known = true;
            f.isn = t.seq;
        }
        if (t.seq == f.isn) {
            if (f.syn_count < TcpSideFigures::kMaxSynTimes) {
                f.syn_frames[f.syn_count] = sg.frame;
                f.syn_ts_ns[f.syn_count] = sg.ts_ns;
            }
            if (f.syn_count++) ++(ack ? f.syn_ack_retransmissions : f.syn_retransmissions);
        } else {
            ++f.syn_new_isn;
        }
        if (!f.syn_ttl_frame) {
            f.syn_ttl = sg.ttl;
            f.syn_ttl_frame = sg.frame;
            f.mss = t.options.mss;
            f.window_scale = t.options.window_scale;
            f.sack_permitted = t.options.sack_permitted;
            f.timestamps = t.options.timestamps;
        }
        d.last_syn_ts = sg.ts_ns;
        d.last_syn_frame = sg.frame;
        if (ack && !f.first_syn_ack_frame) {
            f.first_syn_ack_frame = sg.frame;
            if (!hs_.syn_ack_frame) {
                hs_.syn_ack_frame = sg.frame;
                hs_.syn_ack_ts_ns = sg.ts_ns;
                if (dir_[p].last_syn_frame && side_[p].syn) {
                    hs_.syn_frame = dir_[p].last_syn_frame;
                    hs_.syn_ts_ns = dir_[p].last_syn_ts;
                    hs_.syn_to_syn_ack_ms = ms(sg.ts_ns - hs_.syn_ts_ns);
                }
            }
        }
    } else if (ack && hs_.syn_ack_frame && !hs_.ack_frame && side_[s].syn && !side_[s].syn_ack && !rst) {
        // From the latest SYN-ACK, and (the round trip) from the latest SYN, as Wireshark's iRTT.
        hs_.ack_frame = sg.frame;
        hs_.ack_ts_ns = sg.ts_ns;
        hs_.syn_ack_to_ack_ms = ms(sg.ts_ns - dir_[p].last_syn_ts);
        if (hs_.syn_frame) hs_.rtt_ms = ms(sg.ts_ns - d.last_syn_ts);
    }

    if (rst) track_rst(sg);
    if (fin && !f.first_fin_frame) {
        f.first_fin_frame = sg.frame;
        f.first_fin_ts_ns = sg.ts_ns;
        if (first_fin_side_ < 0) first_fin_side_ = s;
        dir_[p].peer_fin_seen = true;
    }

    // Segments occupying sequence space: new, or sent again.
    const std::uint32_t end = t.seq + len + ((syn || fin) ? 1 : 0);
    if (!rst && (!d.seen_any || gt_seq(end, d.seen_end)) && (syn || d.seen_any || end != t.seq)) {
        d.seen_end = end;
        d.seen_any = true;
    }
    // A hole ("previous segment not captured", also before a pure ACK) is [previous nextseq, seq).
    if ((flags & TCP_LOST_SEGMENT) && gt_seq(t.seq, prev_nextseq_[s])) {
        f.gap_bytes += t.seq - prev_nextseq_[s];
        if (d.n_holes < kMaxHoles) d.holes[d.n_holes++] = Hole{prev_nextseq_[s], t.seq};
    }
    if (!rst && end != t.seq) {
        if (len) {
            f.max_segment = std::max(f.max_segment, len);
            if (!(flags & (TCP_RETRANSMISSION | TCP_OUT_OF_ORDER))) {
                ++f.data_segments;
                if (d.peer_fin_seen) ++f.data_after_peer_fin;
            }
        }
        bool filled_hole = false;
        for (std::size_t i = 0; i < d.n_holes; ++i) {
            Hole& h = d.holes[i];
            if (le_seq(h.from, t.seq) && lt_seq(t.seq, h.to)) {
                filled_hole = true;
                if (t.seq == h.from) h.from = lt_seq(end, h.to) ? end : h.to;
                else if (le_seq(h.to, end)) h.to = t.seq;
                if (h.from == h.to) {
                    h = d.holes[d.n_holes - 1];
                    --d.n_holes;
                }
                break;
            }
        }
        bool known = false;
        for (const auto& e : d.out)
            if (e.seq == t.seq || (le_seq(e.seq, t.seq) && lt_seq(t.seq, e.end))) { known = true; break; }
        if (known || (flags & TCP_RETRANSMISSION)) {
            // Bytes of a hole sent again: the original never reached the capture point.
            if (filled_hole && !known) ++f.lost_before_capture;
            note_retransmit(s, sg, t.seq, len, flags & TCP_SPURIOUS_RETRANSMISSION);
        } else {
            if (d.out.size() < kMaxOutstanding) {
                Outstanding o;
                o.seq = t.seq;
                o.end = end;
                o.len = len;
                o.frame = o.first_frame = sg.frame;
                o.first_ts = sg.ts_ns;
                o.syn = syn;
                o.fin = fin;
                d.out.push_back(o);
            }
        }
    }
    if (ack && !rst) track_ack(p, t.ack, sg.frame);
}

TcpIcmpError TcpAnalysis::on_icmp(const TcpIcmpInput& in) {
    TcpIcmpError e;
    e.frame = in.frame;
    e.ts_ns = in.ts_ns;
    e.v6 = in.v6;
    e.type = in.type;
    e.code = in.code;
    e.mtu = in.mtu;
    e.kind = classify(in.v6, in.type, in.code);
    e.quoted_side = in.quoted_side;
    e.ttl = in.ttl;
    const TcpSideFigures& f = side_[in.quoted_side];
    const Dir& d = dir_[in.quoted_side];
    e.quotes_syn = f.isn_known && in.quoted_seq == f.isn && f.syn_count > 0;
    if (e.quotes_syn) {
        e.quoted_frame = d.last_syn_frame;
    } else {
        for (const auto& o : d.out)
            if (o.seq == in.quoted_seq) e.quoted_frame = o.frame;
        if (!e.quoted_frame && d.last.valid && d.last.seq == in.quoted_seq) e.quoted_frame = d.last_frame;
    }
    if (icmp_.size() < kMaxIcmp) icmp_.push_back(e);
    return e;
}

// ---------------------------------------------------------------------------
// Figures.

std::vector<double> TcpAnalysis::syn_intervals_ms(int s) const {
    const auto& f = side_[s];
    std::vector<double> out;
    const std::size_t n = std::min<std::size_t>(f.syn_count, TcpSideFigures::kMaxSynTimes);
    for (std::size_t i = 1; i < n; ++i) out.push_back(round3(ms(f.syn_ts_ns[i] - f.syn_ts_ns[i - 1])));
    return out;
}

std::vector<double> TcpAnalysis::resend_intervals_ms(const TcpRetransmit& r) {
    std::vector<double> out;
    std::int64_t prev = r.first_ts_ns;
    const std::size_t n = std::min<std::size_t>(r.resends, TcpRetransmit::kMaxResends);
    for (std::size_t i = 0; i < n; ++i) {
        if (prev) out.push_back(round3(ms(r.resend_ts_ns[i] - prev)));
        prev = r.resend_ts_ns[i];
    }
    return out;
}

std::pair<std::uint32_t, std::uint64_t> TcpAnalysis::max_unacked_segment(int s) const {
    std::pair<std::uint32_t, std::uint64_t> best{0, 0};
    for (const auto& e : dir_[s].out)
        if (e.len > best.first) best = {e.len, e.first_frame};
    for (const auto& r : dir_[s].rtx)
        if (!r.acked_frame && r.len > best.first) best = {r.len, r.first_frame ? r.first_frame : r.resend_frames[0]};
    return best;
}

bool TcpAnalysis::rst_ttl_mismatch() const {
    return std::any_of(resets_.begin(), resets_.end(), [](const TcpReset& r) { return r.ttl_mismatch; });
}

std::optional<double> TcpAnalysis::rtt_ms() const {
    if (hs_.rtt_ms) return hs_.rtt_ms;
    return hs_.syn_to_syn_ack_ms;
}

bool TcpAnalysis::half_closed() const {
    return first_fin_side_ >= 0 && side_[1 - first_fin_side_].data_after_peer_fin > 0;
}

TcpVantageFinding TcpAnalysis::vantage(int client_side) const {
    TcpVantageFinding v;
    if (hs_.syn_to_syn_ack_ms && hs_.syn_ack_to_ack_ms) {
        const double a = *hs_.syn_to_syn_ack_ms, b = *hs_.syn_ack_to_ack_ms;
        if (a >= 0 && b >= 0 && a + b >= 1.0) {
            const double share = a / (a + b);  // the part of the round trip between the capture point and the server
            v.basis = "handshake_timing";
            v.where = share >= 0.8 ? TcpVantage::client : share <= 0.2 ? TcpVantage::server : TcpVantage::middle;
            return v;
        }
    }
    auto ttl_of = [this](int s) {
        const auto& f = side_[s];
        return f.syn_ttl_frame ? f.syn_ttl : dir_[s].ref_frame ? dir_[s].ref_ttl : std::uint8_t{0};
    };
    const std::uint8_t c = ttl_of(client_side), s = ttl_of(1 - client_side);
    if (!c && !s) return v;
    if (!c || !s) {
        // One side only (a SYN nobody answered but with a RST or an ICMP error):
        // its packets arriving with an initial TTL put the capture next to it.
        if (!is_initial_ttl(c ? c : s)) return v;
        v.basis = "ttl";
        v.where = c ? TcpVantage::client : TcpVantage::server;
        return v;
    }
    const bool ci = is_initial_ttl(c), si = is_initial_ttl(s);
    if (ci == si && ci) return v;  // both next to the capture point (or TTLs say nothing)
    v.basis = "ttl";
    v.where = ci ? TcpVantage::client : si ? TcpVantage::server : TcpVantage::middle;
    return v;
}

std::optional<double> TcpAnalysis::loss_estimate_pct(int s) const {
    // Transmissions that did not arrive, over all transmissions: resends that
    // were not spurious, over originals seen + originals never captured + resends.
    const auto& f = side_[s];
    std::uint64_t lost = 0, resends = 0;
    for (const auto& r : dir_[s].rtx) {
        lost += r.resends - r.spurious;
        resends += r.resends;
    }
    const std::uint64_t sent = f.data_segments + (f.syn_count ? 1 : 0) + (f.first_fin_frame ? 1 : 0) +
                               f.lost_before_capture + resends;
    if (!sent) return std::nullopt;
    return round3(100.0 * static_cast<double>(lost) / static_cast<double>(sent));
}

}  // namespace rdpscope
