// SPDX-License-Identifier: MIT
#include "analyze/kerberos_flows.hpp"

#include "dissect/ascii.hpp"

#include <algorithm>

#include "dissect/kerberos.hpp"

namespace rdpscope {

bool KerberosNote::termsrv() const {
    // MS-RDPBCGR 5.4.5.1 / MS-CSSP: the RDP service's SPN is TERMSRV/<host>; compare without case.
    constexpr std::string_view kService = "TERMSRV/";
    if (sname.size() < kService.size()) return false;
    for (std::size_t i = 0; i < kService.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(sname[i])) != kService[i]) return false;
    return true;
}

std::string KerberosNote::termsrv_host() const {
    if (!termsrv()) return {};
    std::string host = sname.substr(8);
    // TERMSRV/host.example:port or a further component: the host alone.
    if (const auto cut = host.find_first_of("/:"); cut != std::string::npos) host.erase(cut);
    return host;
}

namespace {
std::string_view first_label(std::string_view s) { return s.substr(0, s.find('.')); }
}  // namespace

bool host_matches(std::string_view host, const std::vector<std::string>& names) {
    if (host.empty()) return false;
    for (const auto& n : names) {
        if (n.empty()) continue;
        if (ascii::iequal(host, n)) return true;
        const bool host_short = host.find('.') == std::string_view::npos;
        const bool name_short = n.find('.') == std::string::npos;
        // An address is no DNS name: its first "label" means nothing.
        const bool address = std::isdigit(static_cast<unsigned char>(n.back())) || n.find(':') != std::string::npos;
        if ((host_short != name_short) && !address && ascii::iequal(first_label(host), first_label(n))) return true;
    }
    return false;
}

bool KerberosFlows::on_port(std::uint16_t a, std::uint16_t b) { return a == krb::kPort || b == krb::kPort; }

// Feeds one direction's reassembled bytes to the record framing.
class KerberosFlows::Sink : public tcp::StreamSink {
public:
    Sink(KerberosFlows& k, Flow& f, int d) : k_(k), f_(f), d_(d) {}
    void on_data(Bytes data, std::uint64_t frame, std::int64_t ts_ns) override { k_.feed(f_, d_, data, frame, ts_ns); }
    // Bytes missing from the capture: where the next record starts is lost.
    void on_gap(std::uint64_t, std::uint64_t) override { f_.dir[d_].broken = true; }

private:
    KerberosFlows& k_;
    Flow& f_;
    int d_;
};

KerberosFlows::Flow* KerberosFlows::flow_for(const Key& key, std::uint64_t stream, const Endpoint& src,
                                             const Endpoint& dst, std::int64_t ts_ns) {
    auto it = flows_.find(key);
    if (it != flows_.end()) {
        if (it->second.stream == stream) return &it->second;
        flows_.erase(it);  // the port pair was reused: a new tcp.stream
    }
    if (flows_.size() >= kMaxFlows) {
        // Full (a flood of port-88 connections): drop the one idle longest.
        auto oldest = std::min_element(flows_.begin(), flows_.end(),
                                       [](const auto& a, const auto& b) { return a.second.last_ts < b.second.last_ts; });
        flows_.erase(oldest);
    }
    Flow& f = flows_[key];
    f.stream = stream;
    // The KDC is the side on port 88 (when both are, the first sender is the client).
    const bool src_is_kdc = src.port == krb::kPort && dst.port != krb::kPort;
    f.client = src_is_kdc ? dst : src;
    f.kdc = src_is_kdc ? src : dst;
    f.last_ts = ts_ns;
    return &f;
}

void KerberosFlows::tcp(std::uint64_t stream, std::uint64_t frame, std::int64_t ts_ns, const Endpoint& src,
                        const Endpoint& dst, const tcp::Header& t) {
    const Key key = endpoint_less(src, dst) ? Key{src, dst} : Key{dst, src};
    Flow* f = flow_for(key, stream, src, dst, ts_ns);
    f->last_ts = ts_ns;
    const int d = same_endpoint(src, f->client) ? 0 : 1;
    if (t.has(tcp::RST)) return;
    Stream& s = f->dir[d];
    if (t.has(tcp::SYN)) s.r.set_isn(t.seq);
    if (!s.broken && (!t.payload.empty() || t.has(tcp::FIN))) {
        Sink sink(*this, *f, d);
        s.r.segment(t.seq, t.payload, t.has(tcp::FIN), frame, ts_ns, sink);
    }
    if (t.has(tcp::ACK)) {
        Stream& peer = f->dir[1 - d];
        if (!peer.broken && peer.r.started()) {
            Sink sink(*this, *f, 1 - d);
            peer.r.acked(t.ack, frame, sink);
        }
    }
    // Both directions finished: nothing more will come (a new SYN starts a new flow).
    if (f->dir[0].r.fin_reached() && f->dir[1].r.fin_reached()) flows_.erase(key);
}

// RFC 4120 7.2.2: a 4-octet length, then the message; records may span
// segments and a segment may hold several.
void KerberosFlows::feed(Flow& f, int d, Bytes data, std::uint64_t frame, std::int64_t ts_ns) {
    Stream& s = f.dir[d];
    while (!data.empty() && !s.broken) {
        if (s.skip) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(s.skip, data.size()));
            s.skip -= n;
            data = data.subspan(n);
            continue;
        }
        if (s.buf.size() < 4) {
            const std::size_t n = std::min<std::size_t>(4 - s.buf.size(), data.size());
            s.buf.insert(s.buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
            data = data.subspan(n);
            continue;
        }
        const auto len = krb::tcp_record_length(s.buf);
        if (!len) {  // the reserved bit: not Kerberos framing
            s.broken = true;
            s.buf.clear();
            break;
        }
        if (*len > kMaxRecord) {
            // Too large to gather: read its type from what is here and pass over it.
            const std::size_t n = std::min<std::size_t>(*len, data.size());
            message(f.stream, true, frame, ts_ns, f.client, f.kdc, d == 0, data.subspan(0, std::min<std::size_t>(n, 8)),
                    true);
            s.skip = *len;
            s.buf.clear();
            continue;
        }
        const std::size_t want = 4 + *len - s.buf.size();
        const std::size_t n = std::min(want, data.size());
        s.buf.insert(s.buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        data = data.subspan(n);
        if (s.buf.size() == 4 + *len) {
            message(f.stream, true, frame, ts_ns, f.client, f.kdc, d == 0, Bytes(s.buf).subspan(4));
            s.buf.clear();
        }
    }
}

void KerberosFlows::udp(std::optional<std::uint64_t> stream, std::uint64_t frame, std::int64_t ts_ns,
                        const Endpoint& src, const Endpoint& dst, Bytes payload) {
    const Key key = endpoint_less(src, dst) ? Key{src, dst} : Key{dst, src};
    std::uint64_t number = 0;
    if (stream) {
        number = *stream;
        flow_for(key, number, src, dst, ts_ns)->last_ts = ts_ns;
    } else if (auto it = flows_.find(key); it != flows_.end()) {
        number = it->second.stream;
        it->second.last_ts = ts_ns;
    } else {
        return;  // forgotten (more flows at once than kMaxFlows): its number is not known
    }
    if (payload.empty()) return;
    const bool src_is_kdc = src.port == krb::kPort && dst.port != krb::kPort;
    message(number, false, frame, ts_ns, src_is_kdc ? dst : src, src_is_kdc ? src : dst, !src_is_kdc, payload);
}

namespace {
// What is in clear of one Kerberos message, as its dissect event.
ev::KerberosMessage decode_event(Bytes msg, bool tcp, bool oversized) {
    ev::KerberosMessage e;
    e.tcp = tcp;
    auto m = krb::decode_message(msg);
    if (!m || oversized) {
        e.error = oversized ? DecodeError::unsupported("kerberos", "record length", 0) : m.error();
        // The type, when the first octet names one ([APPLICATION n], short form).
        if (!msg.empty() && (msg[0] & 0xe0) == 0x60 && !krb::msg_type_name(msg[0] & 0x1f).empty()) e.type = msg[0] & 0x1f;
    } else {
        e.type = m->type;
        e.error_code = m->error_code;
        if (m->cname) e.cname = m->cname->joined();
        if (m->sname) e.sname = m->sname->joined();
        e.crealm = m->crealm;
        e.srealm = m->srealm;
        e.e_text = m->e_text;
        e.stime = m->stime;
        e.till = m->till;
        e.padata_types = m->padata_types;
    }
    return e;
}
}  // namespace

void KerberosFlows::record(const ev::KerberosMessage& e, KerberosNote n) {
    ++counts_.messages;
    if (e.error_code) {
        auto& er = counts_.errors[krb::error_name(*e.error_code).empty() ? -1 : *e.error_code];
        if (!er.count++) {
            er.first_frame = n.frame;
            er.sname = e.sname;
            er.cname = e.cname;
        }
    }
    if (e.type == static_cast<std::uint32_t>(krb::MsgType::tgs_req) && !e.sname.empty() &&
        counts_.services.size() < KerberosCounts::kMaxServices &&
        std::find(counts_.services.begin(), counts_.services.end(), e.sname) == counts_.services.end())
        counts_.services.push_back(e.sname);
    if (e.type) {
        n.type = e.type;
        n.error_code = e.error_code;
        n.cname = e.cname;
        n.crealm = e.crealm;
        n.sname = e.sname;
        n.srealm = e.srealm;
        n.e_text = e.e_text;
        if (notes_.size() >= kMaxNotes) notes_.pop_front();
        notes_.push_back(std::move(n));
    }
}

void KerberosFlows::message(std::uint64_t stream, bool tcp, std::uint64_t frame, std::int64_t ts_ns,
                            const Endpoint& client, const Endpoint& kdc, bool from_client, Bytes msg, bool oversized) {
    ev::KerberosMessage e = decode_event(msg, tcp, oversized);
    KerberosNote n;
    n.frame = frame;
    n.ts_ns = ts_ns;
    n.tcp = tcp;
    n.flow = stream;
    n.client = client;
    n.kdc = kdc;
    record(e, std::move(n));
    const Endpoint& src = from_client ? client : kdc;
    const Endpoint& dst = from_client ? kdc : client;
    obs_.flow_pdu(stream, !tcp, from_client ? Dir::c2s : Dir::s2c, src, dst, PduEvent{frame, ts_ns, std::move(e)});
}

// A KRB-ERROR that refuses the user, not a step of a normal exchange:
// PREAUTH_REQUIRED is the KDC's usual first answer, RESPONSE_TOO_BIG asks for
// TCP, WRONG_REALM is a referral, BADOPTION answers the delegation options
// Windows tries on its own, TKT_EXPIRED makes the client renew its TGT;
// S_PRINCIPAL_UNKNOWN refuses a service name, not the user (the client falls
// back to NTLM: see kerberos_notes).  And only the user's logon (a TGT:
// krbtgt/REALM) or the RDP service's ticket (TERMSRV/host): a Windows host
// asks for other tickets all the time, for itself (an account ending in '$')
// and its services, and their errors say nothing about this connection.
bool refuses_user(const KerberosNote& n) {
    if (n.type != static_cast<std::uint32_t>(krb::MsgType::krb_error) || !n.error_code) return false;
    if (!n.cname.empty() && n.cname.back() == '$') return false;
    // A TERMSRV ticket for another server than this connection's: another connection's.
    if (n.names_server == false) return false;
    if (n.sname.rfind("krbtgt/", 0) != 0 && !n.termsrv()) return false;
    switch (*n.error_code) {
        case krb::KDC_ERR_PREAUTH_REQUIRED:
        case krb::KRB_ERR_RESPONSE_TOO_BIG:
        case krb::KDC_ERR_WRONG_REALM:
        case krb::KDC_ERR_BADOPTION:
        case krb::KRB_AP_ERR_TKT_EXPIRED:
        case krb::KDC_ERR_S_PRINCIPAL_UNKNOWN: return false;
        default: return true;
    }
}

ev::KerberosMessage KerberosFlows::proxied(const ProxiedKerberos& m) {
    ev::KerberosMessage e = decode_event(m.message, true, false);
    KerberosNote n;
    n.frame = m.frame;
    n.ts_ns = m.ts_ns;
    n.tcp = true;
    n.flow = m.conn;
    n.client = m.client;
    n.kdc = m.server;
    n.proxied = true;
    n.http2_stream = m.stream_id;
    n.target_domain = m.target_domain;
    n.proxy_name = m.name;
    record(e, std::move(n));
    return e;
}

void KerberosFlows::answer(const ProxyAnswer& a) {
    if (answers_.size() >= kMaxAnswers) answers_.pop_front();
    answers_.push_back(a);
}

// The KDC proxy a client uses through an RD Gateway is the gateway's own
// (mstsc POSTs to https://<gateway>/KdcProxy, MS-KKDCP 2.2.1 leaves the path
// to the implementer): the same name when both are known (a farm behind one
// name may answer from another address), else the same address.
KdcProxyTie KerberosFlows::proxies_for(const IpAddr& client, const Endpoint& server, std::string_view name,
                                       std::int64_t from_ts, std::int64_t until_ts) const {
    KdcProxyTie t;
    auto same_host = [&](const Endpoint& s, std::string_view n, bool& by_name) {
        by_name = !name.empty() && !n.empty();
        return by_name ? ascii::iequal(name, n) : s.ip == server.ip;
    };
    for (const auto& a : answers_) {
        bool by_name = false;
        if (!(a.client.ip == client) || a.ts_ns < from_ts || a.ts_ns > until_ts || !same_host(a.server, a.name, by_name))
            continue;
        t.by_name = t.by_name || by_name;
        t.failures.push_back(a);
    }
    for (const auto& n : notes_) {
        bool by_name = false;
        if (!n.proxied || n.type != static_cast<std::uint32_t>(krb::MsgType::krb_error) || !(n.client.ip == client) ||
            n.ts_ns < from_ts || n.ts_ns > until_ts || !same_host(n.kdc, n.proxy_name, by_name))
            continue;
        t.by_name = t.by_name || by_name;
        t.errors.push_back(n);
    }
    return t;
}

std::vector<KerberosNote> KerberosFlows::tie(const IpAddr& client, std::int64_t first_ts, std::int64_t until_ts,
                                              const std::vector<std::string>& server_names) {
    std::vector<KerberosNote> out;
    for (auto& n : notes_) {
        if (!(n.client.ip == client)) continue;
        const bool during = n.ts_ns >= first_ts && n.ts_ns <= until_ts;
        // Just before the connection, and not already another connection's
        // (one the client had open when it asked).
        const bool before = n.ts_ns < first_ts && first_ts - n.ts_ns <= kTieBeforeNs && !n.tied;
        if (!during && !before) continue;
        // The ticket names its server (MS-CSSP: TERMSRV/<host>): more than the
        // client's address and the time, when the connection's names are known.
        std::optional<bool> names;
        if (n.termsrv() && !server_names.empty()) names = host_matches(n.termsrv_host(), server_names);
        // A ticket for another server, asked just before: that connection's.
        if (before && names == false) continue;
        if (during && names != false) n.tied = true;
        KerberosNote t = n;
        t.during = during;
        t.names_server = names;
        out.push_back(std::move(t));
    }
    return out;
}

void KerberosFlows::expire(std::int64_t now_ns) {
    while (!notes_.empty() && now_ns - notes_.front().ts_ns > kKeepNs) notes_.pop_front();
    while (!answers_.empty() && now_ns - answers_.front().ts_ns > kKeepNs) answers_.pop_front();
    for (auto it = flows_.begin(); it != flows_.end();) {
        if (now_ns - it->second.last_ts > kFlowIdleNs) it = flows_.erase(it);
        else ++it;
    }
}

void KerberosFlows::clear() {
    flows_.clear();
    notes_.clear();
    answers_.clear();
    counts_ = {};
}

}  // namespace rdpscope
