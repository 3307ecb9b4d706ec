// SPDX-License-Identifier: MIT
#include "analyze/tracker.hpp"

#include "dissect/ascii.hpp"

#include "analyze/gateway_inner.hpp"

#include "analyze/gateway_verdict.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "analyze/flow_hash.hpp"
#include "analyze/groups.hpp"

namespace rdpscope {

// Hands the RDP decoder's findings to the observer with the connection's identity.
class Tracker::Events : public RdpEvents {
public:
    Events(Tracker& t, Connection& c) : t_(t), c_(c) {}
    void pdu(int side, PduEvent&& e) override { t_.obs_.pdu(c_, c_.dir_from(side), e); }
    void problem(int, std::uint64_t frame, const std::string& what) override {
        // Non-RDP traffic on other ports is not a problem, just not ours.
        if (t_.reportable(c_)) {
            ++c_.problems;
            t_.obs_.problem(frame, &c_, what);
        }
    }

private:
    Tracker& t_;
    Connection& c_;
};

// Feeds one direction's reassembled bytes to the RDP decoder.
class Tracker::Sink : public tcp::StreamSink {
public:
    // `scratch`: the tracker's, cleared and reused, so no vector is allocated per segment.
    Sink(Connection& c, int side, RdpEvents& ev, std::vector<PduEvent>& scratch)
        : c_(c), side_(side), out_(scratch), ev_(ev) {}
    void on_data(Bytes data, std::uint64_t frame, std::int64_t ts_ns) override {
        c_.progress_ts = ts_ns;
        c_.progress_frame = frame;
        c_.last_data_side = side_;
        const int syn_client = (c_.stats[0].syn || c_.stats[1].syn || c_.stats[0].syn_ack || c_.stats[1].syn_ack)
                                   ? c_.client_side() : -1;
        if (c_.gateway) {
            out_.clear();
            const bool taken = c_.gateway->on_data(c_.dir_from(side_), data, frame, ts_ns, out_);
            for (auto& e : out_) ev_.pdu(side_, std::move(e));
            if (taken) return;
            // Not TLS: no gateway; the bytes are RDP's to judge (RDP on a gateway port).
        }
        c_.rdp.on_data(side_, data, frame, ts_ns, syn_client, ev_);
    }
    void on_gap(std::uint64_t length, std::uint64_t frame) override {
        if (!c_.first_gap)
            c_.first_gap = Connection::GapMark{frame, c_.last_ts, {c_.stats[0].bytes, c_.stats[1].bytes},
                                               {c_.stats[0].packets, c_.stats[1].packets}};
        c_.rdp.on_gap(side_, length, frame, ev_);
    }

private:
    Connection& c_;
    int side_;
    std::vector<PduEvent>& out_;
    RdpEvents& ev_;
};

// MS-TSGU 2.2.3.1 / 3.3.5: the HTTP transport's OUT channel (RDG_OUT_DATA)
// carries the gateway's packets, the IN channel (RDG_IN_DATA) the client's;
// the client correlates them by the RDG-Connection-Id it sends on both
// (2.2.3.2.1).  The IN channel, its packet stream starting (after the OUT
// channel's 200), is tied to the open OUT channel of the same client and
// server that is not yet tied -- the one with its RDG-Connection-Id when both
// sent one, else the latest -- and from then on each hands the other the
// packets it decodes.  Connections are looked up by id at every packet: a
// partner retired meanwhile is simply gone.
class Tracker::HttpPairs : public GatewayRelay {
public:
    explicit HttpPairs(Tracker& t) : t_(t) {}
    std::optional<std::uint64_t> pair_http(std::uint64_t self) override {
        const auto me = t_.full_.find(self);
        if (me == t_.full_.end() || !me->second->gateway) return std::nullopt;
        const Connection& in = *me->second;
        const std::string& id = in.gateway->facts().connection_id;
        Connection* best = nullptr;
        bool best_id = false;
        // The OUT channels not yet tied.
        for (Connection* oc : t_.gateway_neighbours(in, [](const Connection& o) {
                 const GatewayFacts& g = o.gateway->facts();
                 return g.http_channel == GatewayFacts::Channel::out && !g.partner_conn;
             })) {
            const GatewayFacts& g = oc->gateway->facts();
            const bool same_id = !id.empty() && ascii::iequal(id, g.connection_id);
            if (!id.empty() && !g.connection_id.empty() && !same_id) continue;
            if (best && (best_id > same_id || (best_id == same_id && best->first_ts > oc->first_ts))) continue;
            best = oc;
            best_id = same_id;
        }
        if (!best) return std::nullopt;
        best->gateway->stage().paired(self);
        return best->id;
    }
    void relay(std::uint64_t to, Dir dir, Bytes packet, std::uint64_t frame, std::int64_t ts_ns,
               std::vector<PduEvent>& out) override {
        const auto it = t_.full_.find(to);
        if (it == t_.full_.end() || !it->second->gateway) return;
        it->second->gateway->stage().peer_packet(dir, packet, frame, ts_ns, out);
    }

private:
    Tracker& t_;
};

GatewayRelay* Tracker::gateway_relay() {
    if (!http_pairs_) http_pairs_ = std::make_unique<HttpPairs>(*this);
    return http_pairs_.get();
}

std::size_t Tracker::KeyHash::operator()(const Key& k) const noexcept { return hash_endpoints(k.lo, k.hi); }

namespace {

UdpFlowOptions udp_flow_options(const TrackerOptions& opt) {
    UdpFlowOptions u;
    u.rdp_port = opt.rdp_port;
    u.idle_timeout_ns = opt.idle_timeout_ns;
    u.listed_per_minute = opt.listed_per_minute;
    return u;
}

}  // namespace

Tracker::Tracker(Observer& obs, TrackerOptions opt)
    : obs_(obs), opt_(opt),
      // UdpFlows ties a flow to an RDP connection (is_rdp()), which is always
      // a full one: light entries need not be visited.
      udp_(std::make_unique<UdpFlows>(obs, udp_flow_options(opt), full_)),
      udp_other_(opt.idle_timeout_ns, opt.rdp_port), kerberos_(obs), gateway_udp_(opt.gateway_udp_ports),
      budget_(opt.listed_per_minute) {
    stats_.other.rdp_port = opt.rdp_port;
    if (!opt_.light) opt_.max_pending_attempts = 0;  // holding is light tracking
    flood_.set_bounds(opt_.max_pending_attempts, opt_.listed_per_minute, opt_.max_full_connections);
}
Tracker::~Tracker() = default;

bool Tracker::reportable(const Connection& c) const {
    if (c.on_rdp_port(opt_.rdp_port) || c.rdp.is_rdp() || c.rdp.proxy.kind != proxy::Kind::none) return true;
    for (auto p : opt_.extra_ports)
        if (c.on_rdp_port(p)) return true;
    return false;
}

void Tracker::packet(const CapturedPacket& pkt) {
    if (!count_frame(pkt)) return;
    const PacketInfo p = decode_packet(pkt.linktype, pkt.data);
    analyse(pkt, p, p.error ? 0 : copy_fingerprint(p));
}

void Tracker::packet(const CapturedPacket& pkt, const PacketInfo& p, std::uint64_t fingerprint) {
    if (count_frame(pkt)) analyse(pkt, p, fingerprint);
}

// Every frame counts for the file and its interface; false when its link
// type is not one rdpscope reads (then it is counted as such and no more).
bool Tracker::count_frame(const CapturedPacket& pkt) {
    if (relieve_due_) relieve();
    ++stats_.packets;
    stats_.bytes += pkt.wirelen;
    if (!stats_.first_ts) stats_.first_ts = pkt.ts_ns;
    stats_.last_ts = pkt.ts_ns;
    if (pkt.interface >= stats_.interfaces.size() && pkt.interface < 4096) stats_.interfaces.resize(pkt.interface + 1);
    if (pkt.interface < stats_.interfaces.size()) ++stats_.interfaces[pkt.interface].frames;
    // An interface of a type not read here (etl2pcapng's 802.11 beside
    // Ethernet, ETW events): its frames are counted as such, not as errors.
    if (!link::supported(pkt.linktype)) { ++stats_.unread_link_type; return false; }
    return true;
}

void Tracker::analyse(const CapturedPacket& pkt, const PacketInfo& p, std::uint64_t fingerprint) {
    if (p.link.wifi_as_ethernet) ++stats_.wifi_as_ethernet;
    if (p.link.network == link::Network::other && !p.error) { ++stats_.not_ip; return; }
    if (!p.error && collapse_copy(pkt, p, fingerprint)) return;
    if (p.ip.fragment) ++stats_.ip_fragments;
    if (p.error) { ++stats_.decode_errors; return; }
    switch (p.transport) {
        case Transport::tcp: ++stats_.tcp; tcp_packet(pkt, p); break;
        case Transport::udp:
            ++stats_.udp;
            if (!p.ip.fragment) {
                const Endpoint src{p.ip.src, p.udp.src_port}, dst{p.ip.dst, p.udp.dst_port};
                const UdpFlows::Key k = endpoint_less(src, dst) ? UdpFlows::Key{src, dst} : UdpFlows::Key{dst, src};
                bool new_flow = false;
                if (!opt_.light || udp_other_.on_rdp_port(k)) {
                    udp_->packet(pkt, p);
                } else if (udp_other_.datagram(k, pkt.ts_ns)) {
                    // A new flow off the RDP port: UdpFlows gives it its
                    // number, udp_other_ keeps it (see udp_other.hpp).
                    udp_->count_flow();
                    new_flow = true;
                }
                other_udp(pkt, p, src, dst, new_flow);
            }
            break;
        case Transport::icmp: ++stats_.icmp; other_icmp(pkt, p); icmp_packet(pkt, p); break;
        case Transport::none: break;
    }
}

// A copy of a packet seen just before (pktmon, etl2pcapng, SPAN): counted
// for the file, its interface and its TCP connection, and not analysed again.
bool Tracker::collapse_copy(const CapturedPacket& pkt, const PacketInfo& p, std::uint64_t fingerprint) {
    CopyFilter::First first;
    if (!copies_->copy(fingerprint, pkt.ts_ns, pkt.frame, pkt.interface, first)) return false;
    ++stats_.duplicate_copies;
    if (first.interface != pkt.interface) ++stats_.copies_across_interfaces;
    if (pkt.interface < stats_.interfaces.size()) ++stats_.interfaces[pkt.interface].duplicate_copies;
    if (p.transport == Transport::tcp && !p.ip.fragment) {
        const Endpoint src{p.ip.src, p.tcp.src_port}, dst{p.ip.dst, p.tcp.dst_port};
        const Key key = endpoint_less(src, dst) ? Key{src, dst} : Key{dst, src};
        if (Entry* e = table_.find(key)) {
            // A copy of a held SYN attempt's packet: full tracking shows it to
            // the TCP analysis now (a duplicate_frame event at its frame).
            if (e->pending || e->probe) promote(*e, key);
            const int side = e->conn ? (same_endpoint(e->conn->side[0], src) ? 0 : 1) : side_of(*e, key, src);
            if (e->conn) copy_tcp(*e->conn, side, pkt, p);
            else if (e->held) count_light_copy(*e->held, side, pkt, p);
        }
    }
    return true;
}

// A copy of an unclassified light connection's packet: not held (the held
// packets are replayed without copies), but counted as copy_tcp would count
// it, so that a promotion gives the figures full tracking gives.
void Tracker::count_light_copy(Held& h, int side, const CapturedPacket& pkt, const PacketInfo& p) {
    TcpAnalysis::CopyCounts& n = h.copies[side];
    const tcp::Header& t = p.tcp;
    const std::size_t hl = p.ip.header_length + t.header_length;
    ++n.packets;
    n.bytes += std::max<std::size_t>(p.ip.total_length > hl ? p.ip.total_length - hl : 0, t.payload.size());
    if (t.has(tcp::SYN)) ++(t.has(tcp::ACK) ? n.syn_ack : n.syn);
    if (t.has(tcp::FIN)) ++n.fin;
    if (t.has(tcp::RST)) ++n.rst;
    h.copy_last_frame = pkt.frame;
    h.copy_last_ts = pkt.ts_ns;
}

// A copy of one of a full connection's packets: counted, and shown to the
// TCP analysis as a duplicate frame (so its per-frame flags follow
// Wireshark's, which sees every copy); neither reassembled nor counted in
// the connection's own figures, and its frame is never evidence.  A copy of
// an unclassified light connection's packet is counted only (it is held
// nowhere, so a promotion replays the packets without their copies).
void Tracker::copy_tcp(Connection& c, int side, const CapturedPacket& pkt, const PacketInfo& p) {
    ++c.stats[side].duplicate_copies;
    // The connection's span ends at its last frame, copies included, as
    // before copies were collapsed (the TCP analysis' own twin rule).
    c.last_frame = pkt.frame;
    c.last_ts = pkt.ts_ns;
    const std::size_t hl = p.ip.header_length + p.tcp.header_length;
    TcpSegment seg;
    seg.frame = pkt.frame;
    seg.ts_ns = pkt.ts_ns;
    seg.side = side;
    seg.tcp = &p.tcp;
    seg.payload_len = static_cast<std::uint32_t>(std::max<std::size_t>(
        p.ip.total_length > hl ? p.ip.total_length - hl : 0, p.tcp.payload.size()));
    seg.ttl = p.ip.ttl;
    seg.ip_id = p.ip.ip_id;
    seg.dont_fragment = p.ip.dont_fragment;
    seg.ipv6 = p.ip.version == 6;
    seg.ip_total_length = p.ip.total_length;
    seg.copy = true;
    if (const std::uint32_t flags = c.tcp.on_segment(seg); flags && reportable(c))
        obs_.pdu(c, c.dir_from(side), PduEvent{pkt.frame, pkt.ts_ns, ev::TcpAnalysisFlags{flags}});
}

void Tracker::advance(std::int64_t now_ns) {
    // Once per second of packet time is enough for timeouts counted in seconds.
    if (now_ns - last_sweep_ns_ < 1'000'000'000) return;
    sweep(now_ns);
    udp_other_.expire(now_ns);
    kerberos_.expire(now_ns);
    retire_gateway_udp(now_ns, false);
    udp_->sweep(now_ns);
    last_sweep_ns_ = now_ns;
}

bool Tracker::gateway_candidate(const Key& key) const {
    // With keys: decrypted (gateway_stage.hpp); without: judged by its shape.
    if (reportable_by_port(key)) return false;
    for (auto p : opt_.gateway_ports)
        if (key.lo.port == p || key.hi.port == p) return true;
    return false;
}

bool Tracker::wants_bytes(const Connection& c, int side) {
    if (c.gateway && !c.gateway->not_tls()) return c.gateway->wants_bytes(c.dir_from(side));
    return c.rdp.wants_bytes(side);
}

bool Tracker::reportable_by_port(const Key& key) const { return reported_port(key.lo.port) || reported_port(key.hi.port); }

bool Tracker::reported_port(std::uint16_t port) const {
    if (port == opt_.rdp_port) return true;
    for (auto p : opt_.extra_ports)
        if (port == p) return true;
    return false;
}

bool Tracker::closed(const Entry& e) {
    if (e.conn) return e.conn->closed();
    return e.lite[0].rst || e.lite[1].rst || (e.lite[0].fin && e.lite[1].fin);
}

// Only SYNs so far, from one side or both: no SYN+ACK, no data, not closed.
bool Tracker::attempt(const Entry& e) {
    if (closed(e)) return false;
    // Of both sides' figures (SideStats counts them, LiteSide notes them).
    auto only_syns = [](const auto& s) {
        return (s[0].syn || s[1].syn) && !s[0].syn_ack && !s[1].syn_ack && !s[0].bytes && !s[1].bytes;
    };
    return e.conn ? only_syns(e.conn->stats) : only_syns(e.lite);
}

std::int64_t Tracker::attempt_retention() const {
    return std::min(std::max(opt_.attempt_timeout_ns, opt_.stall_timeout_ns), opt_.idle_timeout_ns);
}

// How long the entry is kept after its last packet.
std::int64_t Tracker::retention(const Entry& e) const {
    // A probe held on: promoted (sweep) once it can no longer be judged by its shape.
    if (e.probe) return ProbeMemo::kMaxSpanNs;
    if (closed(e)) return std::min(opt_.closed_linger_ns, opt_.idle_timeout_ns);
    if (attempt(e)) return attempt_retention();
    return opt_.idle_timeout_ns;
}

// Queue the entry's next retiring check: the first moment sweep() could find
// it idle for long enough (it is checked again then, and re-queued if it moved).
void Tracker::schedule(const Entry& e, const Key& key) {
    expiry_.push({last_ts(e) + retention(e), e.id, KeyHash{}(key)});
}

// The entry a TCP packet belongs to, with port reuse as Wireshark starts a new tcp.stream.
Tracker::Entry& Tracker::entry_for(const Key& key, const TcpIn& in) {
    if (Entry* found = table_.find(key)) {
        Entry& e = *found;
        if (!e.bases.new_stream(side_of(e, key, in.src), in.tcp)) return e;
        retire(key);
    }
    // A SYN attempt on a reported port is held, not built into a Connection
    // (flood.hpp); room is made first, as evicting moves table entries.
    const bool pend = opt_.max_pending_attempts && pure_syn(in) && reportable_by_port(key);
    if (pend) make_room_for_pending();
    const bool other_attempt = !pend && opt_.light && opt_.max_pending_attempts && pure_syn(in);
    if (other_attempt) make_room_for_other_attempt();
    Entry& e = *table_.try_emplace(key).first;
    e.id = next_id_++;
    ++stats_.connections;
    e.side0_hi = same_endpoint(key.hi, in.src);
    e.last_ts = in.ts_ns;
    e.held = new_held();
    e.held->first_frame = in.frame;
    e.held->first_ts = in.ts_ns;
    e.held->drops_at_start = capture_drops_;
    // On an RDP port it is reported whatever it carries: full from the start,
    // or held while it is only a SYN attempt (no expiry: pending_ times it).
    if (pend) {
        e.pending = true;
        ++pending_n_;
        pending_.push_back({e.id, KeyHash{}(key)});
        return e;
    }
    if (!opt_.light || reportable_by_port(key)) promote(e, key);
    else if (other_attempt) other_attempts_.push_back({e.id, KeyHash{}(key)});
    // First check: when it would be retired if this packet were its last (a
    // SYN: as an attempt; it is re-queued if an answer makes it wait longer).
    const bool syn = in.tcp.has(tcp::SYN) && !in.tcp.has(tcp::ACK);
    expiry_.push({in.ts_ns + (syn ? attempt_retention() : opt_.idle_timeout_ns), e.id, KeyHash{}(key)});
    if (expiry_.size() > 4 * table_.size() + kExpirySlack) compact_expiry();
    return e;
}

// Light -> full: a Connection as full tracking would have built it, by
// replaying the held packets.  The connection was not reportable while they
// came (no RDP port, no direction started as RDP), so replaying them tells the
// observer nothing it would have been told then.
void Tracker::promote(Entry& e, const Key& key) {
    const bool was_pending = e.pending || e.probe;
    if (e.pending) {
        e.pending = false;
        --pending_n_;
    }
    if (e.probe) {
        e.probe = false;
        --probes_n_;
    }
    std::unique_ptr<Held> h = std::move(e.held);
    auto c = std::make_unique<Connection>();
    c->id = e.id;
    c->side = e.side0_hi ? std::array<Endpoint, 2>{key.hi, key.lo} : std::array<Endpoint, 2>{key.lo, key.hi};
    c->first_frame = h->first_frame;
    c->first_ts = h->first_ts;
    c->progress_ts = h->first_ts;
    c->progress_frame = h->first_frame;
    c->drops_at_start = h->drops_at_start;
    c->rdp.keys = opt_.keys;
    c->rdp.tls.set_certificate_cache(certs_.get());
    c->rdp.rsa_keys = opt_.rsa_keys;
    c->rdp.refresh_keys = opt_.refresh_keys ? &opt_.refresh_keys : nullptr;
    if (gateway_candidate(key)) {
        c->gateway = std::make_unique<GatewayTunnel>(InnerSetup{c.get(), opt_.keys, static_cast<bool>(opt_.refresh_keys), opt_.rsa_keys, certs_.get()},
                                                     &kerberos_);
        c->gateway->set_relay(gateway_relay(), c->id);
        gateways_by_hosts_[host_pair(key.lo, key.hi)].insert(e.id);
    }
    for (auto& s : c->stream) s = tcp::Reassembler(opt_.max_pending_per_direction);
    c->tcp.keep_segments(opt_.keep_segments);
    for (int s = 0; s < 2; ++s) c->stats[s].duplicate_copies = h->copies[s].packets;
    Connection& conn = *c;
    e.conn = std::move(c);
    full_.emplace(e.id, &conn);
    undecided_.emplace(e.id, &conn);
    // Retiring erases table entries, which the caller may still hold: at the next packet.
    if (opt_.max_full_connections && full_.size() > opt_.max_full_connections) relieve_due_ = true;
    for (const HeldPacket& hp : h->packets) {
        TcpIn in;
        in.frame = hp.frame;
        in.ts_ns = hp.ts_ns;
        in.src = hp.from_hi ? key.hi : key.lo;
        in.dst = hp.from_hi ? key.lo : key.hi;
        in.tcp.src_port = in.src.port;
        in.tcp.dst_port = in.dst.port;
        in.tcp.seq = hp.seq;
        in.tcp.ack = hp.ack;
        in.tcp.header_length = hp.header_length;
        in.tcp.flags = hp.flags;
        in.tcp.window = hp.window;
        in.tcp.options = hp.options;
        in.tcp.payload = Bytes(h->bytes).subspan(hp.held_at, hp.held_len);
        in.ip_id = hp.ip_id;
        in.ip_total_length = hp.ip_total_length;
        in.ip_header_length = hp.ip_header_length;
        in.ttl = hp.ttl;
        in.fragment = hp.fragment;
        in.dont_fragment = hp.dont_fragment;
        in.v6 = hp.v6;
        full_tcp(conn, in);
    }
    // The copies seen while it was light, counted as full tracking counts them.
    for (int s = 0; s < 2; ++s) conn.tcp.add_copies(s, h->copies[s]);
    if (h->copy_last_frame > conn.last_frame) {
        conn.last_frame = h->copy_last_frame;
        conn.last_ts = h->copy_last_ts;
    }
    if (was_pending) schedule(e, key);  // its first retiring check as a full entry
    recycle(h);
}

std::unique_ptr<Tracker::Held> Tracker::new_held() {
    if (spare_held_.empty()) return std::make_unique<Held>();
    std::unique_ptr<Held> h = std::move(spare_held_.back());
    spare_held_.pop_back();
    return h;
}

// Back to the spares, emptied; its vectors keep their storage (bounded by
// kMaxHeld and kMaxHeldBytes).
void Tracker::recycle(std::unique_ptr<Held>& h) {
    if (!h) return;
    if (spare_held_.size() < kSpareHeld) {
        std::vector<HeldPacket> packets = std::move(h->packets);
        std::vector<std::uint8_t> bytes = std::move(h->bytes);
        packets.clear();
        bytes.clear();
        *h = Held{};
        h->packets = std::move(packets);
        h->bytes = std::move(bytes);
        spare_held_.push_back(std::move(h));
    }
    h.reset();
}

// Only a SYN: no ACK, FIN, RST, no payload.  What a flood or a scan sends,
// and what a client sends before anything else.
bool Tracker::pure_syn(const TcpIn& in) {
    const tcp::Header& t = in.tcp;
    return t.has(tcp::SYN) && !t.has(tcp::ACK) && !t.has(tcp::FIN) && !t.has(tcp::RST) && t.payload.empty() &&
           in.ip_total_length <= in.ip_header_length + t.header_length;
}

// One more attempt is about to be held: at the bound, the oldest still
// pending is counted in the aggregate and forgotten.  The queue is compacted
// when stale references (promoted or retired) outnumber the live ones.
void Tracker::make_room_for_pending() {
    while (pending_n_ >= opt_.max_pending_attempts && !pending_.empty()) {
        const PendingRef r = pending_.front();
        pending_.pop_front();
        const auto [key, found] = entry_by_id(r.hash, r.id);
        if (found && found->pending) aggregate_pending(*found, Key(*key));
    }
    if (pending_.size() > 2 * pending_n_ + 1024) {
        std::deque<PendingRef> live;
        for (const PendingRef& r : pending_) {
            const auto [key, found] = entry_by_id(r.hash, r.id);
            if (found && found->pending) live.push_back(r);
        }
        pending_.swap(live);
    }
}

// One more SYN attempt off the reported ports is about to be kept: the
// oldest of the newest max_pending_attempts, if still only SYNs (a real
// connection is answered within a round trip, long before thousands of newer
// attempts came), is counted and forgotten.  Only light entries: an attempt
// promoted (full tracking, light off) is a connection like any other.
void Tracker::make_room_for_other_attempt() {
    while (other_attempts_.size() >= opt_.max_pending_attempts) {
        const PendingRef r = other_attempts_.front();
        other_attempts_.pop_front();
        const auto [key, found] = entry_by_id(r.hash, r.id);
        if (!found || found->conn || found->dead || !found->held || !attempt(*found)) continue;
        const Held& h = *found->held;
        const std::uint64_t last = std::max(h.packets.empty() ? 0 : h.packets.back().frame, h.copy_last_frame);
        flood_.other_attempt(h.packets.size() + h.copies[0].packets, h.first_frame, last);
        recycle(found->held);
        table_.erase(Key(*key));
    }
}

// Drop the retiring checks of entries gone (forgotten attempts leave theirs
// behind): the queue stays within a few times the table, whatever the flood.
void Tracker::compact_expiry() {
    expiry_.compact([this](const Expiry& x) {
        return entry_by_id(x.hash, x.id).second != nullptr;
    });
}

// A pending attempt not judged one by one: its figures into the aggregate.
void Tracker::aggregate_pending(Entry& e, const Key& key) {
    const Held& h = *e.held;
    const Endpoint& client = e.side0_hi ? key.hi : key.lo;
    const Endpoint& server = e.side0_hi ? key.lo : key.hi;
    const HeldPacket& last = h.packets.empty() ? HeldPacket{} : h.packets.back();
    flood_.attempt(client.ip, server, h.packets.size() + h.copies[0].packets, h.first_frame, h.first_ts,
                   std::max(last.frame, h.copy_last_frame), std::max(last.ts_ns, h.copy_last_ts));
    --pending_n_;
    recycle(e.held);
    table_.erase(key);
}

// Pending attempts whose stall timeout has come (a full connection's verdict
// would be decided now): promoted, so the verdict sweep judges them as full
// tracking would, while the listing budget lasts; else counted and forgotten.
void Tracker::sweep_pending(std::int64_t now_ns) {
    while (!pending_.empty()) {
        const PendingRef r = pending_.front();
        const auto [key, found] = entry_by_id(r.hash, r.id);
        if (!found || !found->pending) {
            pending_.pop_front();
            continue;
        }
        if (now_ns - found->held->first_ts < opt_.stall_timeout_ns) break;
        pending_.pop_front();
        const Key k = *key;
        if (budget_.available(now_ns)) promote(*found, k);
        else aggregate_pending(*found, k);
    }
}

// An unclassified light connection's packet: true when it was held (or ended
// the connection's classification as dead), false when the connection must be
// promoted for it.  Mirrors what full_tcp would do with the stream starts:
// set_isn() on a SYN, segment() on the sender's stream, acked() on the peer's.
bool Tracker::hold(Entry& e, int s, const TcpIn& in, std::size_t wire_payload) {
    Held& h = *e.held;
    const tcp::Header& t = in.tcp;
    Held::Side& me = h.side[s];
    if (t.has(tcp::SYN) && me.base == Held::Side::Base::unknown) {
        me.base = Held::Side::Base::syn;
        me.first_seq = t.seq + 1;
    }
    if (!t.has(tcp::RST)) {  // full_tcp gives RSTs to neither stream
        const bool data = wire_payload > 0 || !t.payload.empty();
        if (data && !me.data_seen) {
            // Its first payload: the first bytes its stream delivers if it
            // starts where the SYN said and is there whole; RdpSession decides
            // on exactly these bytes.  Anything else: let full tracking decide.
            me.data_seen = true;
            const bool whole = !in.payload_cut && wire_payload == t.payload.size();
            if (me.base != Held::Side::Base::syn || t.seq != me.first_seq || !whole ||
                RdpSession::may_start_rdp(t.payload))
                return false;
            // A gateway candidate whose client starts TLS: full, for its TLS and what is inside.
            if (t.payload.size() >= 2 && t.payload[0] == 22 && t.payload[1] == 3 && gateway_candidate(endpoint_less(in.src, in.dst) ? Key{in.src, in.dst} : Key{in.dst, in.src}))
                return false;
            me.not_rdp = true;
        }
        if (me.base == Held::Side::Base::unknown && (data || t.has(tcp::FIN))) me.base = Held::Side::Base::other;
        if (t.has(tcp::ACK) && h.side[1 - s].base == Held::Side::Base::unknown)
            h.side[1 - s].base = Held::Side::Base::other;
    }
    if (h.side[0].not_rdp && h.side[1].not_rdp) {
        // Neither direction can become RDP: never reported (the packets held
        // would only have been replayed to no effect).
        e.dead = true;
        recycle(e.held);
        return true;
    }
    if (h.packets.size() >= kMaxHeld || h.bytes.size() + t.payload.size() > kMaxHeldBytes) return false;
    keep_packet(e, s, in);
    return true;
}

// The packet into the held ones, to be replayed if the entry is promoted.
void Tracker::keep_packet(Entry& e, int s, const TcpIn& in) {
    Held& h = *e.held;
    const tcp::Header& t = in.tcp;
    HeldPacket& kept = h.packets.emplace_back();
    kept.frame = in.frame;
    kept.ts_ns = in.ts_ns;
    kept.seq = t.seq;
    kept.ack = t.ack;
    kept.window = t.window;
    kept.header_length = t.header_length;
    kept.flags = t.flags;
    kept.options = t.options;
    kept.ip_id = in.ip_id;
    kept.ip_total_length = in.ip_total_length;
    kept.ip_header_length = in.ip_header_length;
    kept.ttl = in.ttl;
    kept.from_hi = (s == 0) == e.side0_hi;
    kept.fragment = in.fragment;
    kept.dont_fragment = in.dont_fragment;
    kept.v6 = in.v6;
    kept.held_at = static_cast<std::uint32_t>(h.bytes.size());
    kept.held_len = static_cast<std::uint32_t>(t.payload.size());
    h.bytes.insert(h.bytes.end(), t.payload.begin(), t.payload.end());
}

// Full -> light (dead): both directions gave up on RDP and the connection is
// on no RDP port, so nothing it does can be reported any more; keep what port
// reuse and retiring look at, free the rest (kilobytes per connection).
void Tracker::demote(Entry& e, const Key& key) {
    const Connection& c = *e.conn;
    e.side0_hi = c.side[0] == key.hi;
    for (int s = 0; s < 2; ++s) {
        const SideStats& st = c.stats[s];
        e.lite[s] = {st.syn != 0, st.syn_ack != 0, st.fin != 0, st.rst != 0, st.bytes != 0};
    }
    e.last_ts = c.last_ts;
    e.dead = true;
    forget_gateway(c);
    full_.erase(e.id);
    undecided_.erase(e.id);
    e.conn.reset();
}

void Tracker::tcp_packet(const CapturedPacket& pkt, const PacketInfo& p) {
    const Endpoint src{p.ip.src, p.tcp.src_port}, dst{p.ip.dst, p.tcp.dst_port};
    const Key key = endpoint_less(src, dst) ? Key{src, dst} : Key{dst, src};
    Entry* known = nullptr;  // without a SYN: its connection, if known (no port reuse to look at)
    if (!p.tcp.has(tcp::SYN)) {
        // Most packets of a busy capture: a connection already known not to be
        // RDP, no SYN (so no port reuse to look at).  Note what closing and
        // retiring need and go.
        Entry* e = known = table_.find(key);
        if (!e && !retired_keys_.empty() && retired_keys_.contains(KeyHash{}(key))) {
            flood_.late_packet();  // of a connection retired early (flood.hpp): counted, nothing new
            return;
        }
        if (!e && !closed_probes_.empty() && late_for_closed_probe(key, p.tcp, src, pkt.ts_ns)) return;
        if (e && e->dead) {
            other_tcp(pkt, p, src, dst, e->id);
            const bool was_closed = closed(*e);
            const int side = side_of(*e, key, src);
            e->bases.note(side, p.tcp);
            LiteSide& l = e->lite[side];
            if (p.tcp.has(tcp::FIN)) l.fin = true;
            if (p.tcp.has(tcp::RST)) l.rst = true;
            if (!p.tcp.payload.empty() || p.ip.total_length > p.ip.header_length + p.tcp.header_length) l.bytes = true;
            const std::int64_t was_ts = e->last_ts;
            e->last_ts = pkt.ts_ns;
            if ((!was_closed && closed(*e)) || pkt.ts_ns < was_ts) schedule(*e, key);
            return;
        }
    }
    // A SYN of a probe judged by its shape, closed: its own, or a new stream's.
    if (p.tcp.has(tcp::SYN) && !closed_probes_.empty() && closed_probes_.find(KeyHash{}(key)) &&
        !table_.find(key) && late_for_closed_probe(key, p.tcp, src, pkt.ts_ns))
        return;
    TcpIn in;
    in.frame = pkt.frame;
    in.ts_ns = pkt.ts_ns;
    in.caplen = pkt.caplen;
    in.wirelen = pkt.wirelen;
    in.src = src;
    in.dst = dst;
    in.tcp = p.tcp;
    in.ip_id = p.ip.ip_id;
    in.ip_total_length = p.ip.total_length;
    in.ip_header_length = p.ip.header_length;
    in.ttl = p.ip.ttl;
    in.fragment = p.ip.fragment;
    in.payload_cut = p.ip.payload_cut;
    in.dont_fragment = p.ip.dont_fragment;
    in.v6 = p.ip.version == 6;
    // A packet without a SYN of a connection known: entry_for would find the
    // same entry again (only a SYN starts a new stream on the same ports).
    Entry& e = known ? *known : entry_for(key, in);
    other_tcp(pkt, p, src, dst, e.id);
    const int side = side_of(e, key, in.src);
    e.bases.note(side, in.tcp);
    const std::int64_t was_ts = last_ts(e);
    const bool was_closed = closed(e);

    // Answered, or more than a SYN (or, pending_single_syn, a second one):
    // held on as a probe (tracker_probe.cpp), or full from now on.
    if (e.pending && (side != 0 || !pure_syn(in) || (opt_.pending_single_syn && !e.held->packets.empty()))) {
        if (probe_may_start(e, side, in)) return start_probe(e, key, in);
        promote(e, key);
    } else if (e.probe) {
        switch (probe_step(e, side, in)) {
            case ProbeStep::keep:
                if (last_ts(e) < was_ts) schedule(e, key);
                return;
            case ProbeStep::last:
                if (probe_ended(e, key, in)) return;  // judged by its shape, forgotten
                break;                                // promoted: the RST goes to full tracking
            case ProbeStep::other: promote(e, key); break;
        }
    }
    if (!e.conn) {
        const std::size_t wire_payload = in.ip_total_length > in.ip_header_length + in.tcp.header_length
                                             ? in.ip_total_length - in.ip_header_length - in.tcp.header_length : 0;
        if (!e.dead && !hold(e, side, in, wire_payload)) {
            promote(e, key);
        } else {
            // What full tracking would note of the packet for closing and retiring.
            LiteSide& l = e.lite[side];
            if (in.tcp.has(tcp::SYN)) {
                if (in.tcp.has(tcp::ACK)) l.syn_ack = true;
                else l.syn = true;
            }
            if (in.tcp.has(tcp::FIN)) l.fin = true;
            if (in.tcp.has(tcp::RST)) l.rst = true;
            if (wire_payload || !in.tcp.payload.empty()) l.bytes = true;
            e.last_ts = in.ts_ns;
        }
    }
    if (e.conn) {
        full_tcp(*e.conn, in);
        const Connection& c = *e.conn;
        // Reportable first: for an RDP connection, the cheapest answer.
        if (opt_.light && !reportable(c) && !wants_bytes(c, 0) && !wants_bytes(c, 1)) demote(e, key);
    }
    // Retiring checks: closing shortens the wait; a packet stamped earlier than
    // the last one (files are not always in time order) moves it back.
    if ((!was_closed && closed(e)) || last_ts(e) < was_ts) schedule(e, key);
}

void Tracker::full_tcp(Connection& c, const TcpIn& in) {
    const int s = same_endpoint(c.side[0], in.src) ? 0 : 1;
    SideStats& st = c.stats[s];
    const tcp::Header& t = in.tcp;

    c.last_frame = in.frame;
    c.last_ts = in.ts_ns;
    ++st.packets;
    st.last_ts = in.ts_ns;
    st.last_frame = in.frame;
    ++st.since_peer;
    c.stats[1 - s].since_peer = 0;  // this side answered the other (analyze/groups.cpp: the block rule)
    if (!st.first_ttl) st.first_ttl = in.ttl;
    if (in.fragment) ++st.ip_fragments;
    // The payload's on-wire length: what the IP header declares, whatever the snaplen kept.
    const std::size_t wire_payload = in.ip_total_length > in.ip_header_length + t.header_length
                                         ? in.ip_total_length - in.ip_header_length - t.header_length : 0;
    st.bytes += std::max(wire_payload, t.payload.size());
    const bool cut = in.payload_cut && wire_payload > t.payload.size();
    if (cut) {
        ++st.cut_by_snaplen;
        ++stats_.cut_by_snaplen;
        if (!stats_.first_cut_frame) stats_.first_cut_frame = in.frame;
        if (!snaplen_reported_ && reportable(c)) {
            snaplen_reported_ = true;
            obs_.problem(in.frame, &c,
                         fmt::format("packet cut to {} of {} bytes by the capture's snaplen: the bytes beyond "
                                     "are treated as a capture gap (capture with -s 0 to keep whole packets)",
                                     in.caplen, in.wirelen));
        }
    }

    if (t.has(tcp::SYN)) {
        if (t.has(tcp::ACK)) ++st.syn_ack;
        else {
            if (!st.syn) { st.syn_seq = t.seq; st.first_syn_frame = in.frame; }
            ++st.syn;
        }
        c.stream[s].set_isn(t.seq);
    }
    if (t.has(tcp::FIN) && !st.fin++) st.first_fin_frame = in.frame;
    if (t.has(tcp::RST) && !st.rst++) st.first_rst_frame = in.frame;

    TcpSegment seg;
    seg.frame = in.frame;
    seg.ts_ns = in.ts_ns;
    seg.side = s;
    seg.tcp = &t;
    seg.payload_len = static_cast<std::uint32_t>(std::max(wire_payload, t.payload.size()));
    seg.ttl = in.ttl;
    seg.ip_id = in.ip_id;
    seg.dont_fragment = in.dont_fragment;
    seg.ipv6 = in.v6;
    seg.ip_total_length = in.ip_total_length;
    if (const std::uint32_t flags = c.tcp.on_segment(seg); flags && reportable(c)) {
        obs_.pdu(c, c.dir_from(s), PduEvent{in.frame, in.ts_ns, ev::TcpAnalysisFlags{flags}});
    }

    Events ev(*this, c);
    if (!t.has(tcp::RST)) {
        if (wants_bytes(c, s)) {
            Sink sink(c, s, ev, sink_scratch_);
            c.stream[s].segment(t.seq, t.payload, t.has(tcp::FIN), in.frame, in.ts_ns, sink);
            // Bytes the snaplen cut off exist on the wire: account for them as a gap now.
            if (cut) c.stream[s].acked(t.seq + static_cast<std::uint32_t>(wire_payload), in.frame, sink);
        }
        if (t.has(tcp::ACK) && wants_bytes(c, 1 - s)) {
            Sink peer(c, 1 - s, ev, sink_scratch_);
            c.stream[1 - s].acked(t.ack, in.frame, peer);
        }
    }
    for (int i = 0; i < 2; ++i)
        if (!wants_bytes(c, i) && !c.stream[i].stopped()) c.stream[i].stop();
}

void Tracker::icmp_packet(const CapturedPacket& pkt, const PacketInfo& p) {
    const icmp::Message& m = p.icmp;
    if (m.kind == icmp::Kind::other || !m.quote || !m.quote->has_ports) return;
    const Endpoint orig_src{m.quote->src, m.quote->src_port}, orig_dst{m.quote->dst, m.quote->dst_port};
    if (m.quote->protocol == ip::kProtoUDP) {  // RDP-UDP
        udp_->icmp(pkt, p);  // a flow off the RDP port is unknown to it or forgotten: no matter, it ignores those
    }
    if (m.quote->protocol != ip::kProtoTCP) return;
    const Key key = endpoint_less(orig_src, orig_dst) ? Key{orig_src, orig_dst} : Key{orig_dst, orig_src};
    Entry* found = table_.find(key);
    if (!found) { ++stats_.icmp_unmatched; return; }
    Entry& en = *found;
    const std::int64_t was_ts = last_ts(en);
    if (en.dead) {
        // Never reported: only its time matters (for retiring).
        en.last_ts = pkt.ts_ns;
        if (en.last_ts < was_ts) schedule(en, key);
        return;
    }
    if (!en.conn) promote(en, key);  // an error for an unclassified one: the TCP analysis wants it
    Connection& c = *en.conn;
    ++c.icmp_total;
    if (c.icmp.size() < TcpAnalysis::kMaxIcmp) {
        IcmpNote& n = c.icmp.emplace_back();
        n.frame = pkt.frame;
        n.ts_ns = pkt.ts_ns;
        n.type = m.type;
        n.code = m.code;
        n.mtu = m.mtu;
        n.v6 = m.v6;
        n.from = to_string(p.ip.src);
        n.description = icmp::describe(m);
    }
    c.last_frame = pkt.frame;
    c.last_ts = pkt.ts_ns;
    if (c.last_ts < was_ts) schedule(en, key);
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
    if (reportable(c))
        obs_.pdu(c, c.dir_from(1 - sender), PduEvent{pkt.frame, pkt.ts_ns, ev::IcmpError{m.v6, m.type, m.code, m.kind, m.mtu, p.ip.src}});
}

// Over the bound of full connections: those whose verdict is decided are
// reported now and kept as light (dead) entries -- closed ones first, then
// any decided one, then the HTTPS connections followed only for an RD
// Gateway's shape, oldest first -- down to 3/4 of the bound, so the walk is
// paid once per bound/4 new connections.  An RDP connection still undecided
// is never cut short: its verdict would change.  A gateway candidate has no
// verdict before its end; cut short, it is judged on what it showed so far
// (counted in retired_early) -- else a flood of abandoned HTTPS connections
// to a gateway would hold memory without bound (tools/make-flood tls).
void Tracker::relieve() {
    relieve_due_ = false;
    if (full_.size() < relieve_at_) return;
    const std::size_t target = opt_.max_full_connections * 3 / 4;
    std::vector<std::pair<std::uint64_t, Key>> out;
    for (int pass = 0; pass < 3 && full_.size() - out.size() > target; ++pass)
        for (auto& [id, c] : full_) {
            if (full_.size() - out.size() <= target) break;
            const bool rdp = reportable(*c);
            // Closed and not yet judged: due at the next sweep; judged now.
            if (pass == 0 && rdp && c->closed() && !c->reported) report(*c, stats_.last_ts, false);
            const bool take = pass == 0   ? rdp && c->reported && c->closed()
                              : pass == 1 ? rdp && c->reported && !c->closed()
                                          : !rdp && c->gateway;
            if (!take) continue;
            const Endpoint& a = c->side[0];
            const Endpoint& b = c->side[1];
            out.emplace_back(id, endpoint_less(a, b) ? Key{a, b} : Key{b, a});
        }
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& [id, k] : out) retire_early(k);
    // Not down to the target (undecided connections): walk again only when
    // a quarter more have come, so the walks cost O(1) per connection.
    relieve_at_ = full_.size() > target ? full_.size() + std::max(opt_.max_full_connections, full_.size()) / 4 : 0;
}

// Reported and freed now, as retire() would later; its key is remembered
// (RecentKeys) so that a late packet (a final ACK, a retransmission) is
// counted rather than taken for a connection of its own.
void Tracker::retire_early(const Key& key) {
    retire(key);
    retired_keys_.insert(KeyHash{}(key));
    flood_.retired_early();
}

void Tracker::retire(const Key& key) {
    if (Entry& p = *table_.find(key); p.pending) {
        // An attempt still held: judged as full tracking would, while the
        // listing budget lasts; else counted in the aggregate.
        if (!budget_.available(stats_.last_ts)) return aggregate_pending(p, key);
        promote(p, key);
    } else if (p.probe) {
        promote(p, key);  // a probe held on: judged as full tracking judges it
    }
    Entry& en = *table_.find(key);
    if (en.conn) {  // a light entry has nothing to flush or report
        Connection& c = *en.conn;
        for (int s = 0; s < 2; ++s) {
            if (!wants_bytes(c, s)) continue;
            Events ev(*this, c);
            Sink sink(c, s, ev, sink_scratch_);
            c.stream[s].flush(c.last_frame, sink);
        }
        report(c, stats_.last_ts, ended_);
        if (c.gateway && (c.gateway->facts().is_gateway() || keyless_gateway(c))) {
            ++stats_.gateway_connections;
            // The gateway's own KDC proxy, if the client used it: Kerberos
            // through the gateway, or why there was none (the gateway's rules).
            if (c.gateway->facts().is_gateway())
                c.gateway->set_kdc_proxy(kerberos_.proxies_for(c.client().ip, c.server(), c.gateway->tls().sni,
                                                               c.first_ts - KerberosFlows::kTieBeforeNs, stats_.last_ts));
            obs_.gateway_done(c, judge_gateway(c, context(c, stats_.last_ts, ended_)));
            report_inner(c);
        }
        if (auto v = verdicts_.find(c.id); v != verdicts_.end()) {
            c.udp = udp_->take_tied(c.id);
            obs_.connection_done(c, v->second);
            verdicts_.erase(v);
        }
        forget_gateway(c);
        full_.erase(c.id);
        undecided_.erase(c.id);
    }
    table_.erase(key);
}

bool Tracker::named_gateway(const Connection& c) const {
    const Endpoint& sv = c.server();
    const std::string& sni = c.gateway ? c.gateway->tls().sni : std::string();
    for (const auto& n : opt_.gateway_names) {
        if (n.port && n.port != sv.port) continue;
        if (n.host == to_string(sv.ip) || (!sni.empty() && ascii::iequal(n.host, sni))) return true;
    }
    return false;
}

std::uint64_t Tracker::host_pair(const Endpoint& a, const Endpoint& b) {
    // The addresses only, in order: the same whichever side is the client.
    const bool a_first = a.ip <= b.ip;
    return hash_endpoints(Endpoint{a_first ? a.ip : b.ip, 0}, Endpoint{a_first ? b.ip : a.ip, 0});
}

void Tracker::forget_gateway(const Connection& c) {
    if (!c.gateway) return;
    const auto p = gateways_by_hosts_.find(host_pair(c.side[0], c.side[1]));
    if (p == gateways_by_hosts_.end()) return;
    p->second.erase(c.id);
    if (p->second.empty()) gateways_by_hosts_.erase(p);
}

std::vector<Connection*> Tracker::gateway_neighbours(const Connection& c,
                                                     const std::function<bool(const Connection&)>& keep) const {
    std::vector<Connection*> out;
    const auto p = gateways_by_hosts_.find(host_pair(c.side[0], c.side[1]));
    if (p == gateways_by_hosts_.end()) return out;
    const std::set<std::uint64_t>& ids = p->second;
    auto look = [&](std::uint64_t id) {
        const auto f = full_.find(id);
        if (f == full_.end()) return;
        Connection* oc = f->second;
        if (oc == &c || !oc->gateway || oc->client().ip != c.client().ip || !(oc->server() == c.server())) return;
        if (keep(*oc)) out.push_back(oc);
    };
    // Outward from c's own place, one older and one newer at a time.
    auto older = ids.lower_bound(c.id), newer = ids.upper_bound(c.id);
    for (std::size_t walked = 0; walked < kMaxNeighbourWalk && (older != ids.begin() || newer != ids.end());) {
        if (older != ids.begin()) {
            look(*--older);
            ++walked;
        }
        if (walked < kMaxNeighbourWalk && newer != ids.end()) {
            look(*newer++);
            ++walked;
        }
    }
    std::sort(out.begin(), out.end(), [](const Connection* a, const Connection* b) { return a->id < b->id; });
    return out;
}

bool Tracker::keyless_gateway(Connection& c) {
    GatewayTunnel& g = *c.gateway;
    if (g.not_tls() || !g.tls().started()) return false;
    ShapeBrief me = brief_of(c, named_gateway(c));
    // Forget the briefs too old to be anyone's neighbour, keep this one.
    while (!recent_shapes_.empty() &&
           (recent_shapes_.size() >= kMaxRecentShapes || me.last_ts - recent_shapes_.front().last_ts > 600'000'000'000))
        recent_shapes_.pop_front();
    recent_shapes_.push_back(me);
    // Decrypted (a KDC proxy, other HTTPS): its HTTP said what it is.
    if (g.facts().transport != GatewayFacts::Transport::unknown) return false;
    // Its neighbours matter only to a connection that could be a gateway's:
    // a browser's (ALPN offered), short and one-way, is passed over cheaply.
    std::vector<ShapeBrief> others;
    if (!me.alpn_offered || me.named || me.app_records[0] + me.app_records[1] >= 16) {
        // In connection order: classify_shape takes the first partner that
        // fits.  Only a neighbour that may matter is briefed: opened within
        // the pair window, and HTTP/2 or with its TLS up (a partner must be
        // long-lived) -- a flood of abandoned HTTPS from one address costs
        // a walk, not a brief each.
        const std::int64_t window = ShapeLimits{}.pair_window_ns;
        for (const Connection* oc : gateway_neighbours(c, [&](const Connection& o) {
                 const TlsFacts& t = o.gateway->tls();
                 const std::int64_t d = o.first_ts > c.first_ts ? o.first_ts - c.first_ts : c.first_ts - o.first_ts;
                 return t.started() && d <= window && (t.alpn == "h2" || (t.finished_frame[0] && t.finished_frame[1]));
             }))
            others.push_back(brief_of(*oc, false));
        for (const auto& b : recent_shapes_)
            if (b.conn != me.conn && b.client == me.client && b.server == me.server) others.push_back(b);
    }
    GatewayShape s = classify_shape(me, others);
    if (s.kind == GatewayShape::Kind::none) return false;
    g.set_shape(std::move(s));
    return true;
}

static std::vector<std::string> server_names(const Connection& c);

// The RDP connection inside a gateway's tunnel (analyze/gateway_inner.hpp):
// closed as the outer one closed, judged by the ordinary rules (its client's
// Kerberos tied to it as to any connection's: the TERMSRV ticket for the
// target, and what a KDC proxy carried), reported as an RDP connection that
// names its gateway connection.
void Tracker::report_inner(Connection& c) {
    InnerRdp* in = c.gateway->inner();
    if (!in) return;
    const int cs = c.client_side();
    if (const auto& r = c.tcp.resets(); !r.empty()) {
        in->close(c.dir_from(r.front().side), r.front().frame, r.front().ts_ns, true);
    } else {
        for (int s : {cs, 1 - cs})
            if (c.stats[s].fin) in->close(c.dir_from(s), c.stats[s].first_fin_frame, c.tcp.side(s).first_fin_ts_ns, false);
    }
    const Connection& ic = in->conn();
    in->set_kerberos(kerberos_.tie(ic.client().ip, ic.first_ts, stats_.last_ts, server_names(ic)));
    ++stats_.rdp_connections;
    const Verdict v = judge(ic, context(ic, stats_.last_ts, ended_));
    obs_.connection_verdict(ic, v);
    obs_.connection_done(ic, v);
}

// The names a connection's server goes by, for the TERMSRV/<host> of a
// Kerberos ticket (analyze/kerberos_flows.hpp): the SNI the client asked for,
// the certificate's CN and DNS names (mstsc asks for TERMSRV/<the name it
// connects to>; a Windows server's own certificate carries its FQDN), and
// its address (a client connecting by address asks for TERMSRV/<address>).
// Empty when TLS showed no name: then only address and time tie.
static std::vector<std::string> server_names(const Connection& c) {
    std::vector<std::string> names;
    const TlsFacts& t = c.rdp.tls.facts();
    if (!t.sni.empty()) names.push_back(t.sni);
    if (t.leaf) {
        if (!t.leaf->subject_cn.empty()) names.push_back(t.leaf->subject_cn);
        for (const auto& d : t.leaf->san_dns) names.push_back(d);
    }
    if (names.empty()) return names;
    names.push_back(to_string(c.server().ip));
    return names;
}

// A connection's verdict is given once, at the first of: it closed, it made no
// progress for the stall timeout, its handshake completed, or the input ended.
// The same moments in packet time whatever the source (file, replay, live), so
// the verdicts are the same too.
void Tracker::report(Connection& c, std::int64_t now_ns, bool input_ended) {
    if (c.reported || !reportable(c)) return;
    c.reported = true;
    undecided_.erase(c.id);
    ++stats_.rdp_connections;
    c.udp = udp_->take_tied(c.id);
    c.kerberos = kerberos_.tie(c.client().ip, c.first_ts, now_ns, server_names(c));
    JudgeContext ctx = context(c, now_ns, input_ended);
    // Beyond the listing budget a probe-like connection is never printed: its
    // verdict is judged in brief (what the groups and the counts read), and
    // again in full should it not be probe-like after all.
    ctx.brief = opt_.brief_unlisted && opt_.listed_per_minute && !budget_.peek(now_ns);
    auto [it, inserted] = verdicts_.emplace(c.id, judge(c, ctx));
    (void)inserted;
    // A flood's probe (flood.hpp): listed while the budget lasts.
    if (opt_.listed_per_minute) {
        const ConnBrief b = brief_of(c, it->second);
        if (b.probe || b.nla_failure) {
            if (c.budget_taken) {
                // Its token was taken at its RST (tracker_probe.cpp).
            } else if (budget_.available(now_ns)) {
                budget_.take();
            } else {
                budget_spent_ = true;
                c.listed = false;
                flood_.not_listed(it->second.cause, c.first_frame, c.last_frame);
            }
        } else if (c.budget_taken) {
            budget_.give_back();  // not probe-like after all: listed without a token
        }
    }
    if (ctx.brief && c.listed) {
        ctx.brief = false;
        it->second = judge(c, ctx);
    }
    if (c.probe_shape) learn_shape(c, it->second, ctx);
    obs_.connection_verdict(c, it->second);
}

JudgeContext Tracker::context(const Connection& c, std::int64_t now_ns, bool input_ended) const {
    JudgeContext ctx;
    ctx.now_ns = now_ns;
    ctx.stall_timeout_ns = opt_.stall_timeout_ns;
    ctx.input_ended = input_ended;
    ctx.capture_drops = capture_drops_ - c.drops_at_start;
    return ctx;
}

bool Tracker::due(Connection& c, std::int64_t now_ns) {
    if (c.reported || !reportable(c)) return false;
    if (c.closed()) return true;
    if (const std::int64_t quiet = now_ns - c.progress_ts; quiet >= opt_.stall_timeout_ns) {
        if (quiet >= opt_.stall_timeout_ns + opt_.client_hold_ns) return true;
        // Stalled.  If the client owes the next packet, wait for its close (or
        // its next packet) a while longer; decided again only when a packet
        // came, since nothing else changes the verdict.
        if (c.hold_checked_frame != c.last_frame) {
            c.hold_checked_frame = c.last_frame;
            c.held_for_client = stall_waits_on_client(c, context(c, now_ns, false));
        }
        return !c.held_for_client;
    }
    // Completion only changes with progress: look again only then.
    if (c.progress_frame == c.checked_progress_frame) return false;
    c.checked_progress_frame = c.progress_frame;
    return build_timeline(c).complete();
}

void Tracker::sweep(std::int64_t now_ns) {
    sweep_pending(now_ns);
    closed_probes_.expire(now_ns, std::min(opt_.closed_linger_ns, opt_.idle_timeout_ns));
    promote_quiet_probes(now_ns);
    // Verdicts: only full connections not yet reported can be; in id order.
    std::vector<Connection*> verdicts;
    for (auto& [id, c] : undecided_)
        if (due(*c, now_ns)) verdicts.push_back(c);
    for (Connection* c : verdicts) report(*c, now_ns, false);
    budget_spent_ = opt_.listed_per_minute && !budget_.peek(now_ns);
    // Retiring: the entries whose check time has come, instead of the whole
    // table every second.  Each is retired if closed and quiet for the linger
    // time, or quiet for the idle timeout; else checked again when it could be.
    std::vector<std::pair<std::uint64_t, Key>> done;
    while (!expiry_.empty() && expiry_.top().check_ns < now_ns) {
        const Expiry x = expiry_.top();
        expiry_.pop();
        const auto [key, found] = entry_by_id(x.hash, x.id);
        if (!found) continue;  // retired already
        Entry& e = *found;
        if (now_ns - last_ts(e) <= retention(e)) schedule(e, *key);
        else if (e.probe) promote(e, Key(*key));  // no RST in time: full tracking from here on
        else done.emplace_back(e.id, *key);
    }
    // Retire in order of first packet so reports read in capture order.
    std::sort(done.begin(), done.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    done.erase(std::unique(done.begin(), done.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
               done.end());
    for (const auto& [id, k] : done) retire(k);
}

void Tracker::finish() {
    ended_ = true;
    // Light entries have nothing to say; retire the full ones and the pending
    // attempts in id order.
    std::vector<std::pair<std::uint64_t, Key>> all;
    all.reserve(full_.size() + pending_n_);
    for (auto& [id, c] : full_) {
        const Endpoint& a = c->side[0];
        const Endpoint& b = c->side[1];
        all.emplace_back(id, endpoint_less(a, b) ? Key{a, b} : Key{b, a});
    }
    for (const PendingRef& r : pending_) {
        const auto [key, found] = entry_by_id(r.hash, r.id);
        if (found && found->pending) all.emplace_back(r.id, *key);
    }
    for (const PendingRef& r : probes_) {
        const auto [key, found] = entry_by_id(r.hash, r.id);
        if (found && found->probe) all.emplace_back(r.id, *key);
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [id, k] : all) retire(k);
    pending_.clear();
    pending_n_ = 0;
    probes_.clear();
    probes_n_ = 0;
    flood_.set_shapes(shapes_.size());
    stats_.flood = flood_.stats();
    shapes_.clear();
    closed_probes_.clear();
    flood_.clear();
    retired_keys_.clear();
    table_.clear();
    expiry_ = {};
    stats_.flood.udp_other_not_kept = udp_other_.not_kept();
    stats_.flood.max_other_udp_flows = udp_other_.max_flows();
    udp_other_.clear();
    retire_gateway_udp(stats_.last_ts, true);
    stats_.gateway_udp_not_followed = gateway_udp_.untracked();
    udp_->finish();
    stats_.flood.udp_retired_early = udp_->retired_early();
    stats_.flood.udp_not_listed = udp_->not_listed();
    stats_.flood.max_udp_flows = udp_->max_rdp_flows();
    stats_.other.kerberos = kerberos_.counts();
    stats_.other.rdp_udp_flows = udp_->rdp_flows();
    kerberos_.clear();
}

}  // namespace rdpscope
