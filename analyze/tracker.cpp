#include "analyze/tracker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace rdpscope {

// Hands the RDP decoder's findings to the observer with the connection's identity.
class Tracker::Events : public RdpEvents {
public:
    Events(Tracker& t, Connection& c) : t_(t), c_(c) {}
    void pdu(int side, PduEvent&& e) override { t_.obs_.pdu(c_, c_.dir_from(side), e); }
    void problem(int, std::uint64_t frame, const std::string& what) override {
        // Non-RDP traffic on other ports is not a problem, just not ours.
        if (t_.reportable(c_)) t_.obs_.problem(frame, &c_, what);
    }

private:
    Tracker& t_;
    Connection& c_;
};

// Feeds one direction's reassembled bytes to the RDP decoder.
class Tracker::Sink : public tcp::StreamSink {
public:
    Sink(Connection& c, int side, RdpEvents& ev) : c_(c), side_(side), ev_(ev) {}
    void on_data(Bytes data, std::uint64_t frame, std::int64_t ts_ns) override {
        c_.progress_ts = ts_ns;
        c_.progress_frame = frame;
        c_.last_data_side = side_;
        const int syn_client = (c_.stats[0].syn || c_.stats[1].syn || c_.stats[0].syn_ack || c_.stats[1].syn_ack)
                                   ? c_.client_side() : -1;
        c_.rdp.on_data(side_, data, frame, ts_ns, syn_client, ev_);
    }
    void on_gap(std::uint64_t length, std::uint64_t frame) override { c_.rdp.on_gap(side_, length, frame, ev_); }

private:
    Connection& c_;
    int side_;
    RdpEvents& ev_;
};

std::size_t Tracker::KeyHash::operator()(const Key& k) const noexcept {
    // FNV-1a over the two endpoints: cheap and good enough for a flow table.
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const Endpoint& e) {
        for (std::uint8_t b : e.ip.b) h = (h ^ b) * 1099511628211ull;
        h = (h ^ (e.port & 0xff)) * 1099511628211ull;
        h = (h ^ (e.port >> 8)) * 1099511628211ull;
    };
    mix(k.lo);
    mix(k.hi);
    return static_cast<std::size_t>(h);
}

Tracker::Tracker(Observer& obs, TrackerOptions opt)
    : obs_(obs), opt_(opt),
      udp_(std::make_unique<UdpFlows>(obs, UdpFlowOptions{opt.rdp_port, opt.idle_timeout_ns},
                                      [this](const auto& visit) { for (auto& kc : table_) visit(*kc.second); })) {}
Tracker::~Tracker() = default;

bool Tracker::reportable(const Connection& c) const {
    if (c.on_rdp_port(opt_.rdp_port) || c.rdp.is_rdp() || c.rdp.proxy.kind != proxy::Kind::none) return true;
    for (auto p : opt_.extra_ports)
        if (c.on_rdp_port(p)) return true;
    return false;
}

void Tracker::packet(const CapturedPacket& pkt) {
    ++stats_.packets;
    stats_.bytes += pkt.wirelen;
    if (!stats_.first_ts) stats_.first_ts = pkt.ts_ns;
    stats_.last_ts = pkt.ts_ns;
    const PacketInfo p = decode_packet(pkt.linktype, pkt.data);
    if (p.link.network == link::Network::other && !p.error) { ++stats_.not_ip; return; }
    if (p.ip.fragment) ++stats_.ip_fragments;
    if (p.error) { ++stats_.decode_errors; return; }
    switch (p.transport) {
        case Transport::tcp: ++stats_.tcp; tcp_packet(pkt, p); break;
        case Transport::udp: ++stats_.udp; if (!p.ip.fragment) udp_->packet(pkt, p); break;
        case Transport::icmp: ++stats_.icmp; icmp_packet(pkt, p); break;
        case Transport::none: break;
    }
}

void Tracker::advance(std::int64_t now_ns) {
    // Once per second of packet time is enough for timeouts counted in seconds.
    if (now_ns - last_sweep_ns_ < 1'000'000'000) return;
    sweep(now_ns);
    udp_->sweep(now_ns);
    last_sweep_ns_ = now_ns;
}

Connection& Tracker::connection_for(const Key& key, const Endpoint& src, const PacketInfo& p,
                                    const CapturedPacket& pkt) {
    auto it = table_.find(key);
    if (it != table_.end()) {
        Connection& c = *it->second;
        // Port reuse: a fresh SYN on a finished connection, or one with a new
        // initial sequence number after the first SYN was answered, opens a new
        // connection (as Wireshark starts a new tcp.stream).
        const bool syn = p.tcp.has(tcp::SYN) && !p.tcp.has(tcp::ACK);
        if (syn) {
            const int s = c.side[0] == src ? 0 : 1;
            const bool new_isn = c.stats[s].syn && c.stats[s].syn_seq != p.tcp.seq;
            const bool progressed = c.stats[1 - s].syn_ack || c.stats[s].bytes || c.stats[1 - s].bytes;
            if (c.closed() || (new_isn && progressed) || (!c.stats[s].syn && progressed)) {
                retire(it);
                it = table_.end();
            }
        }
        if (it != table_.end()) return c;
    }
    auto c = std::make_unique<Connection>();
    c->id = next_id_++;
    ++stats_.connections;
    const Endpoint other = key.lo == src ? key.hi : key.lo;
    c->side = {src, other};
    c->first_frame = pkt.frame;
    c->first_ts = pkt.ts_ns;
    c->progress_ts = pkt.ts_ns;
    c->progress_frame = pkt.frame;
    c->drops_at_start = capture_drops_;
    for (auto& s : c->stream) s = tcp::Reassembler(opt_.max_pending_per_direction);
    auto [ins, ok] = table_.emplace(key, std::move(c));
    (void)ok;
    return *ins->second;
}

void Tracker::tcp_packet(const CapturedPacket& pkt, const PacketInfo& p) {
    const Endpoint src{p.ip.src, p.tcp.src_port}, dst{p.ip.dst, p.tcp.dst_port};
    const Key key = src < dst ? Key{src, dst} : Key{dst, src};
    Connection& c = connection_for(key, src, p, pkt);
    const int s = c.side[0] == src ? 0 : 1;
    SideStats& st = c.stats[s];
    const tcp::Header& t = p.tcp;

    c.last_frame = pkt.frame;
    c.last_ts = pkt.ts_ns;
    ++st.packets;
    if (!st.first_ttl) st.first_ttl = p.ip.ttl;
    if (p.ip.fragment) ++st.ip_fragments;
    // The payload's on-wire length: what the IP header declares, whatever the snaplen kept.
    const std::size_t wire_payload = p.ip.total_length > p.ip.header_length + t.header_length
                                         ? p.ip.total_length - p.ip.header_length - t.header_length : 0;
    st.bytes += std::max(wire_payload, t.payload.size());
    const bool cut = p.ip.payload_cut && wire_payload > t.payload.size();
    if (cut) {
        ++st.cut_by_snaplen;
        ++stats_.cut_by_snaplen;
        if (!stats_.first_cut_frame) stats_.first_cut_frame = pkt.frame;
        if (!snaplen_reported_ && reportable(c)) {
            snaplen_reported_ = true;
            obs_.problem(pkt.frame, &c,
                         fmt::format("packet cut to {} of {} bytes by the capture's snaplen: the bytes beyond "
                                     "are treated as a capture gap (capture with -s 0 to keep whole packets)",
                                     pkt.caplen, pkt.wirelen));
        }
    }

    if (t.has(tcp::SYN)) {
        if (t.has(tcp::ACK)) ++st.syn_ack;
        else {
            if (!st.syn) { st.syn_seq = t.seq; st.first_syn_frame = pkt.frame; }
            ++st.syn;
        }
        c.stream[s].set_isn(t.seq);
    }
    if (t.has(tcp::FIN) && !st.fin++) st.first_fin_frame = pkt.frame;
    if (t.has(tcp::RST) && !st.rst++) st.first_rst_frame = pkt.frame;

    TcpSegment seg;
    seg.frame = pkt.frame;
    seg.ts_ns = pkt.ts_ns;
    seg.side = s;
    seg.tcp = &t;
    seg.payload_len = static_cast<std::uint32_t>(std::max(wire_payload, t.payload.size()));
    seg.ttl = p.ip.ttl;
    seg.ip_id = p.ip.ip_id;
    seg.dont_fragment = p.ip.dont_fragment;
    seg.ipv6 = p.ip.version == 6;
    seg.ip_total_length = p.ip.total_length;
    if (const std::uint32_t flags = c.tcp.on_segment(seg); flags && reportable(c)) {
        PduEvent e{pkt.frame, pkt.ts_ns, "tcp.analysis", {}};
        e.add_list("tcp_flags", tcp_flag_names(flags));
        obs_.pdu(c, c.dir_from(s), e);
    }

    Events ev(*this, c);
    if (!t.has(tcp::RST)) {
        if (c.rdp.wants_bytes(s)) {
            Sink sink(c, s, ev);
            c.stream[s].segment(t.seq, t.payload, t.has(tcp::FIN), pkt.frame, pkt.ts_ns, sink);
            // Bytes the snaplen cut off exist on the wire: account for them as a gap now.
            if (cut) c.stream[s].acked(t.seq + static_cast<std::uint32_t>(wire_payload), pkt.frame, sink);
        }
        if (t.has(tcp::ACK) && c.rdp.wants_bytes(1 - s)) {
            Sink peer(c, 1 - s, ev);
            c.stream[1 - s].acked(t.ack, pkt.frame, peer);
        }
    }
    for (int i = 0; i < 2; ++i)
        if (!c.rdp.wants_bytes(i) && !c.stream[i].stopped()) c.stream[i].stop();
}

void Tracker::icmp_packet(const CapturedPacket& pkt, const PacketInfo& p) {
    const icmp::Message& m = p.icmp;
    if (m.kind == icmp::Kind::other || !m.quote || !m.quote->has_ports) return;
    if (m.quote->protocol == ip::kProtoUDP) udp_->icmp(pkt, p);  // RDP-UDP
    if (m.quote->protocol != ip::kProtoTCP) return;
    const Endpoint orig_src{m.quote->src, m.quote->src_port}, orig_dst{m.quote->dst, m.quote->dst_port};
    const Key key = orig_src < orig_dst ? Key{orig_src, orig_dst} : Key{orig_dst, orig_src};
    auto it = table_.find(key);
    if (it == table_.end()) { ++stats_.icmp_unmatched; return; }
    Connection& c = *it->second;
    IcmpNote n;
    n.frame = pkt.frame;
    n.ts_ns = pkt.ts_ns;
    n.type = m.type;
    n.code = m.code;
    n.mtu = m.mtu;
    n.v6 = m.v6;
    n.from = to_string(p.ip.src);
    n.description = icmp::describe(m);
    c.icmp.push_back(n);
    c.last_frame = pkt.frame;
    c.last_ts = pkt.ts_ns;
    // The error travels back to the original sender.
    const int sender = c.side[0] == orig_src ? 0 : 1;
    TcpIcmpInput ti;
    ti.frame = pkt.frame;
    ti.ts_ns = pkt.ts_ns;
    ti.v6 = m.v6;
    ti.type = m.type;
    ti.code = m.code;
    ti.mtu = m.mtu;
    ti.quoted_side = sender;
    ti.quoted_seq = m.quote->tcp_seq;
    ti.ttl = p.ip.ttl;
    c.tcp.on_icmp(ti);
    PduEvent e{pkt.frame, pkt.ts_ns, m.v6 ? "icmpv6.error" : "icmp.error", {}};
    e.add("type", m.type).add("code", m.code).add("description", n.description).add("from", n.from);
    if (m.kind == icmp::Kind::packet_too_big) e.add("mtu", static_cast<std::int64_t>(m.mtu));
    if (reportable(c)) obs_.pdu(c, c.dir_from(1 - sender), e);
}

void Tracker::retire(std::unordered_map<Key, std::unique_ptr<Connection>, KeyHash>::iterator it) {
    Connection& c = *it->second;
    for (int s = 0; s < 2; ++s) {
        if (!c.rdp.wants_bytes(s)) continue;
        Events ev(*this, c);
        Sink sink(c, s, ev);
        c.stream[s].flush(c.last_frame, sink);
    }
    report(c, stats_.last_ts, ended_);
    if (auto v = verdicts_.find(c.id); v != verdicts_.end()) {
        c.udp = udp_->take_tied(c.id);
        obs_.connection_done(c, v->second);
        verdicts_.erase(v);
    }
    table_.erase(it);
}

// A connection's verdict is given once, at the first of: it closed, it made no
// progress for the stall timeout, its handshake completed, or the input ended.
// The same moments in packet time whatever the source (file, replay, live), so
// the verdicts are the same too.
void Tracker::report(Connection& c, std::int64_t now_ns, bool input_ended) {
    if (c.reported || !reportable(c)) return;
    c.reported = true;
    ++stats_.rdp_connections;
    c.udp = udp_->take_tied(c.id);
    JudgeContext ctx;
    ctx.now_ns = now_ns;
    ctx.stall_timeout_ns = opt_.stall_timeout_ns;
    ctx.input_ended = input_ended;
    ctx.capture_drops = capture_drops_ - c.drops_at_start;
    auto [it, inserted] = verdicts_.emplace(c.id, judge(c, ctx));
    (void)inserted;
    obs_.connection_verdict(c, it->second);
}

bool Tracker::due(Connection& c, std::int64_t now_ns) {
    if (c.reported || !reportable(c)) return false;
    if (c.closed() || now_ns - c.progress_ts >= opt_.stall_timeout_ns) return true;
    // Completion only changes with progress: look again only then.
    if (c.progress_frame == c.checked_progress_frame) return false;
    c.checked_progress_frame = c.progress_frame;
    return build_timeline(c).complete();
}

void Tracker::sweep(std::int64_t now_ns) {
    std::vector<std::pair<std::uint64_t, Connection*>> verdicts;
    for (auto& [k, c] : table_)
        if (due(*c, now_ns)) verdicts.emplace_back(c->id, c.get());
    std::sort(verdicts.begin(), verdicts.end());
    for (auto& [id, c] : verdicts) report(*c, now_ns, false);
    std::vector<Key> done;
    for (auto& [k, c] : table_) {
        const std::int64_t idle = now_ns - c->last_ts;
        if ((c->closed() && idle > opt_.closed_linger_ns) || idle > opt_.idle_timeout_ns) done.push_back(k);
    }
    // Retire in order of first packet so reports read in capture order.
    std::sort(done.begin(), done.end(), [this](const Key& a, const Key& b) { return table_[a]->id < table_[b]->id; });
    for (const Key& k : done) retire(table_.find(k));
}

void Tracker::finish() {
    ended_ = true;
    std::vector<std::pair<std::uint64_t, Key>> all;
    all.reserve(table_.size());
    for (auto& [k, c] : table_) all.emplace_back(c->id, k);
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (auto& [id, k] : all) retire(table_.find(k));
    udp_->finish();
}

}  // namespace rdpscope
