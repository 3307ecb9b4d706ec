// SPDX-License-Identifier: MIT
#include "analyze/udp_flows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "analyze/connection.hpp"
#include "analyze/flood.hpp"
#include "analyze/flow_hash.hpp"
#include "analyze/observer.hpp"
#include "analyze/text.hpp"
#include "dissect/icmp.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdpudp.hpp"

namespace rdpscope {

namespace {


}  // namespace

bool UdpFlowFacts::up() const {
    if (established_frame) return true;
    // Captured mid-flow: RDP-UDP datagrams both ways mean the transport is up.
    return !syns && !syn_acks && decoded && datagrams[0] && datagrams[1];
}

const char* UdpFlowFacts::state() const {
    if (!decoded) return "not_rdpudp";
    if (established_frame) return "established";
    if (syn_acks) return "syn_ack_unconfirmed";
    if (syns) return "syn_unanswered";
    return "mid_flow";
}

struct UdpFlows::Flow {
    UdpFlowFacts f;
    bool syn_seen = false;  // client_side is the SYN's sender, not a guess
    std::array<std::uint32_t, 2> data_events{};
    std::uint32_t error_events = 0;
};

std::size_t UdpFlows::KeyHash::operator()(const Key& k) const noexcept { return hash_endpoints(k.lo, k.hi); }

UdpFlows::UdpFlows(Observer& obs, UdpFlowOptions opt, const TcpConnections& tcp)
    : obs_(obs), opt_(opt), tcp_(tcp),
      budget_(opt.listed_per_minute ? std::make_unique<ListingBudget>(opt.listed_per_minute) : nullptr) {}
UdpFlows::~UdpFlows() = default;

void UdpFlows::packet(const CapturedPacket& pkt, const PacketInfo& p) {
    const Endpoint src{p.ip.src, p.udp.src_port}, dst{p.ip.dst, p.udp.dst_port};
    const Key key = src < dst ? Key{src, dst} : Key{dst, src};
    auto it = table_.find(key);
    if (it == table_.end()) {
        const bool on_rdp_port = src.port == opt_.rdp_port || dst.port == opt_.rdp_port;
        if (on_rdp_port && opt_.max_rdp_flows && rdp_live_.size() >= opt_.max_rdp_flows) retire_oldest(pkt.ts_ns);
        Entry e;
        e.id = next_id_++;
        if (on_rdp_port) {
            ++rdp_flows_;
            e.flow = std::make_unique<Flow>();
            UdpFlowFacts& f = e.flow->f;
            f.id = e.id;
            f.side = {src, dst};
            // Until a SYN says otherwise, the client is the side not on the RDP port.
            f.client_side = (src.port == opt_.rdp_port && dst.port != opt_.rdp_port) ? 1 : 0;
            f.first_frame = pkt.frame;
            f.first_ts = pkt.ts_ns;
        }
        it = table_.emplace(key, std::move(e)).first;
        if (Flow* f = it->second.flow.get()) {
            rdp_live_[f->f.id] = f;
            rdp_order_.emplace_back(f->f.id, key);
            tie(*f);
        }
    }
    it->second.last_ts = pkt.ts_ns;
    if (Flow* f = it->second.flow.get()) datagram(*f, f->f.side[0] == src ? 0 : 1, pkt, p);
}

void UdpFlows::emit(Flow& f, int s, PduEvent&& e) { obs_.udp_pdu(f.f, f.f.dir_from(s), e); }

void UdpFlows::datagram(Flow& fl, int s, const CapturedPacket& pkt, const PacketInfo& p) {
    UdpFlowFacts& f = fl.f;
    f.last_frame = pkt.frame;
    f.last_ts = pkt.ts_ns;
    const Bytes payload = p.udp.payload;
    const std::size_t wire = p.udp.length >= 8 ? p.udp.length - 8u : payload.size();

    auto d = rdpudp::decode(payload);
    if (d && d->kind == rdpudp::Kind::syn && !fl.syn_seen) {
        // The first SYN names the client; what was counted before moves with it.
        fl.syn_seen = true;
        if (f.client_side != s) {
            f.client_side = s;
            std::swap(f.datagrams[0], f.datagrams[1]);
            std::swap(f.bytes[0], f.bytes[1]);
            std::swap(f.data_datagrams[0], f.data_datagrams[1]);
            std::swap(f.first_data_frame[0], f.first_data_frame[1]);
        }
    }
    const Dir dir = f.dir_from(s);
    const int di = dir_index(dir);
    ++f.datagrams[di];
    f.bytes[di] += std::max(wire, payload.size());

    if (!d) {
        ++f.errors;
        const auto& e = d.error();
        std::string what = fmt::format("{} {} {} at byte {}", e.layer, e.field, to_string(e.kind), e.offset);
        if (f.first_error.empty()) {
            f.first_error = what;
            f.first_error_frame = pkt.frame;
        }
        if (fl.error_events++ < opt_.error_events) {
            emit(fl, s, PduEvent{pkt.frame, pkt.ts_ns, ev::RdpUdpError{e, payload.size()}});
        }
        return;
    }
    ++f.decoded;
    const rdpudp::Datagram& g = d.value();
    using rdpudp::Kind;
    if (g.kind != Kind::syn && g.kind != Kind::syn_ack && dir == Dir::c2s && f.syn_ack_frame &&
        !f.established_frame) {
        // MS-RDPEUDP 3.1.5.1.3: the client's ACK of the SYN+ACK completes the handshake.
        f.established_frame = pkt.frame;
        f.established_ts = pkt.ts_ns;
    }
    switch (g.kind) {
        case Kind::syn: {
            const auto& v1 = *g.v1;
            ++f.syns;
            if (f.syn_frames.size() < UdpFlowFacts::kMaxSynFrames) f.syn_frames.push_back(pkt.frame);
            if (!f.first_syn_ts) f.first_syn_ts = pkt.ts_ns;
            f.last_syn_ts = pkt.ts_ns;
            if (v1.synex && !f.client_version) f.client_version = v1.synex->version;
            if (v1.syn && !f.client_mtu) f.client_mtu = v1.syn->upstream_mtu;
            if (v1.header.flags & rdpudp::RDPUDP_FLAG_SYNLOSSY) f.lossy = true;
            const bool new_corr = !v1.correlation_id.empty() && f.correlation_id.empty();
            if (new_corr) f.correlation_id = guid_text(v1.correlation_id);
            if (new_corr && f.tie != "correlation_id") tie(fl);
            ev::RdpUdpSyn e;
            e.flags = v1.header.flags;
            e.correlation_id.assign(v1.correlation_id.begin(), v1.correlation_id.end());
            if (v1.synex) e.version = v1.synex->version;
            if (v1.syn) {
                e.upstream_mtu = v1.syn->upstream_mtu;
                e.downstream_mtu = v1.syn->downstream_mtu;
            }
            e.retransmission = f.syns - 1;
            emit(fl, s, PduEvent{pkt.frame, pkt.ts_ns, std::move(e)});
            break;
        }
        case Kind::syn_ack: {
            const auto& v1 = *g.v1;
            if (!f.syn_acks++) {
                f.syn_ack_frame = pkt.frame;
                f.syn_ack_ts = pkt.ts_ns;
                if (v1.synex) f.server_version = v1.synex->version;
                if (v1.syn) f.server_mtu = v1.syn->upstream_mtu;
                f.rdpudp2 = g.switches_to_v2();
            }
            ev::RdpUdpSynAck e;
            e.flags = v1.header.flags;
            if (v1.synex) e.version = v1.synex->version;
            if (v1.syn) {
                e.upstream_mtu = v1.syn->upstream_mtu;
                e.downstream_mtu = v1.syn->downstream_mtu;
            }
            e.rdpudp2 = g.switches_to_v2();
            e.syn_not_captured = f.syns == 0;
            emit(fl, s, PduEvent{pkt.frame, pkt.ts_ns, e});
            break;
        }
        case Kind::data: {
            ++f.data_datagrams[di];
            if (!f.first_data_frame[di]) f.first_data_frame[di] = pkt.frame;
            if (fl.data_events[di]++ >= opt_.data_events) break;
            ev::RdpUdpData e;
            e.framing = g.version;
            if (g.v1) {
                e.v1 = true;
                e.flags = g.v1->header.flags;
                e.length = g.v1->data.size();
            } else if (g.v2) {
                e.v2 = true;
                e.flags = g.v2->flags;
                e.length = g.v2->data_size();
                e.dummy = g.v2->dummy();
            }
            emit(fl, s, PduEvent{pkt.frame, pkt.ts_ns, e});
            break;
        }
        case Kind::fin:
            if (!f.fin_frame) f.fin_frame = pkt.frame;
            emit(fl, s, PduEvent{pkt.frame, pkt.ts_ns, ev::RdpUdpFin{}});
            break;
        case Kind::ack:
        case Kind::other:
            break;  // counted
    }
}

bool UdpFlows::icmp(const CapturedPacket& pkt, const PacketInfo& p) {
    const icmp::Message& m = p.icmp;
    if (!m.quote || !m.quote->has_ports) return false;
    const Endpoint orig_src{m.quote->src, m.quote->src_port}, orig_dst{m.quote->dst, m.quote->dst_port};
    const Key key = orig_src < orig_dst ? Key{orig_src, orig_dst} : Key{orig_dst, orig_src};
    auto it = table_.find(key);
    if (it == table_.end() || !it->second.flow) return it != table_.end();
    Flow& fl = *it->second.flow;
    UdpFlowFacts& f = fl.f;
    const int sender = f.side[0] == orig_src ? 0 : 1;
    UdpFlowFacts::Icmp n;
    n.frame = pkt.frame;
    n.type = m.type;
    n.code = m.code;
    n.description = icmp::describe(m);
    n.from = to_string(p.ip.src);
    n.to = f.dir_from(sender);
    if (f.icmp.size() < 16) f.icmp.push_back(n);
    f.last_frame = pkt.frame;
    f.last_ts = pkt.ts_ns;
    it->second.last_ts = pkt.ts_ns;
    // The error travels back to the sender of the quoted datagram.
    emit(fl, 1 - sender, PduEvent{pkt.frame, pkt.ts_ns, ev::IcmpError{m.v6, m.type, m.code, m.kind, m.mtu, p.ip.src}});
    return true;
}

void UdpFlows::tie(Flow& fl) {
    UdpFlowFacts& f = fl.f;
    const Connection* best = nullptr;
    bool by_corr = false;
    for (const auto& [id, conn] : tcp_) {
        const Connection& c = *conn;
        if (!c.rdp.is_rdp()) continue;
        if (!f.correlation_id.empty() && c.rdp.neg.correlation_id && *c.rdp.neg.correlation_id == f.correlation_id) {
            if (!by_corr || c.id > best->id) best = &c;
            by_corr = true;
            continue;
        }
        if (by_corr) continue;
        if (c.client().ip == f.client().ip && c.server().ip == f.server().ip && (!best || c.id > best->id)) best = &c;
    }
    if (!best) return;
    f.tcp_conn = best->id;
    f.tie = by_corr ? "correlation_id" : "address_pair";
}

void UdpFlows::retire(Flow& fl) {
    // A flow that never came up and belongs to no TCP connection: listed
    // while the budget lasts, as TCP's probe-like connections are.
    if (budget_ && !fl.f.tcp_conn && !fl.f.up()) {
        if (budget_->available(fl.f.last_ts)) budget_->take();
        else {
            fl.f.listed = false;
            ++not_listed_;
        }
    }
    obs_.udp_flow_done(fl.f);
    if (!fl.f.tcp_conn) return;
    // Kept for the TCP connection's report only while that connection is open.
    if (tcp_.contains(*fl.f.tcp_conn)) retired_tied_[*fl.f.tcp_conn].push_back(std::move(fl.f));
}

// At the bound: the oldest flow on the RDP port is retired now, as the sweep
// would retire it later -- unless it matters and is busy: it came up or
// belongs to a TCP connection, and had a datagram within kQuietNs.  Such
// flows go to the back of the queue, a few at a time, so that nothing makes
// this walk the whole table; after kMaxLooked the oldest goes whatever it is.
// A flood's flows (one datagram, never up, of no connection) go at once.
void UdpFlows::retire_oldest(std::int64_t now_ns) {
    constexpr std::int64_t kQuietNs = 60'000'000'000;
    constexpr int kMaxLooked = 64;
    int looked = 0;
    while (!rdp_order_.empty()) {
        const auto [id, key] = rdp_order_.front();
        rdp_order_.pop_front();
        const auto it = table_.find(key);
        if (it == table_.end() || !it->second.flow || it->second.id != id) continue;  // retired since
        const UdpFlowFacts& f = it->second.flow->f;
        const bool matters = f.up() || f.tcp_conn;
        if (matters && now_ns - it->second.last_ts < kQuietNs && ++looked < kMaxLooked) {
            rdp_order_.emplace_back(id, key);
            continue;
        }
        rdp_live_.erase(id);
        retire(*it->second.flow);
        table_.erase(it);
        ++retired_early_;
        return;
    }
}

std::optional<std::uint64_t> UdpFlows::id_of(const Endpoint& lo, const Endpoint& hi) const {
    auto it = table_.find(Key{lo, hi});
    if (it == table_.end()) return std::nullopt;
    return it->second.id;
}

void UdpFlows::sweep(std::int64_t now_ns) {
    std::vector<std::pair<std::uint64_t, Key>> done;
    for (auto& [k, e] : table_)
        if (now_ns - e.last_ts > opt_.idle_timeout_ns) done.emplace_back(e.id, k);
    std::sort(done.begin(), done.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (auto& [id, k] : done) {
        auto it = table_.find(k);
        if (it->second.flow) {
            rdp_live_.erase(id);
            retire(*it->second.flow);
        }
        table_.erase(it);
    }
    if (rdp_order_.size() > 2 * rdp_live_.size() + 1024) {
        std::deque<std::pair<std::uint64_t, Key>> live;
        for (const auto& r : rdp_order_)
            if (rdp_live_.contains(r.first)) live.push_back(r);
        rdp_order_.swap(live);
    }
}

void UdpFlows::finish() {
    std::vector<std::pair<std::uint64_t, Key>> all;
    for (auto& [k, e] : table_)
        if (e.flow) all.emplace_back(e.id, k);
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (auto& [id, k] : all) retire(*table_.find(k)->second.flow);
    table_.clear();
    rdp_live_.clear();
    rdp_order_.clear();
}

std::vector<UdpFlowFacts> UdpFlows::take_tied(std::uint64_t tcp_id) {
    std::vector<UdpFlowFacts> out;
    if (auto it = retired_tied_.find(tcp_id); it != retired_tied_.end()) {
        out = std::move(it->second);
        retired_tied_.erase(it);
    }
    for (auto& [id, f] : rdp_live_)
        if (f->f.tcp_conn == tcp_id) out.push_back(f->f);
    std::sort(out.begin(), out.end(), [](const UdpFlowFacts& a, const UdpFlowFacts& b) { return a.id < b.id; });
    return out;
}

}  // namespace rdpscope
