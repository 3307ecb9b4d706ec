// SPDX-License-Identifier: MIT
#include "analyze/verdict.hpp"

#include "analyze/text.hpp"
#include "dissect/rdp_share.hpp"

#include "dissect/credssp.hpp"

#include "analyze/groups.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cctype>

#include "analyze/ttl.hpp"
#include "dissect/kerberos.hpp"
#include "dissect/rdp_neg.hpp"
#include "dissect/tls.hpp"

namespace rdpscope {

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
// A client that closes this soon after the server's certificate flight did not
// wait for a person to read a prompt: it refused the certificate itself.
constexpr std::int64_t kAutomaticRejectionNs = 5 * kSecond;
// The smallest IP packet every IPv4 path must carry (RFC 791) and the IPv6
// minimum link MTU (RFC 8200): a segment whose packet is no larger cannot be a
// path-MTU victim.
constexpr std::uint32_t kMinMtuPayloadV4 = 576 - 40;
constexpr std::uint32_t kMinMtuPayloadV6 = 1280 - 60;
// Real path MTUs sit near 1500 (Ethernet), 1492 (PPPoE), 1400-1480 (VPN and
// tunnels), rarely under 1280 (IPv6's minimum; RFC 4821 starts probing at
// 1024).  A dropped segment smaller than ~1200 bytes is a path-MTU victim only
// when the same direction got segments past the protocol minimum through,
// bounding the path MTU between them; otherwise it is loss or a filter.
constexpr std::uint32_t kPlausibleMtuPayload = 1200;
// Resends of one segment that mean TCP is in retransmission-timeout back-off.
constexpr std::uint32_t kBackoffResends = 4;
constexpr std::int64_t kSynGiveUpNs = 3 * kSecond;
constexpr std::uint32_t kTls13AlertRecord = 2 + 1 + 16;  // alert, content type, AEAD tag

// ---------------------------------------------------------------------------
// Evidence: the named facts the rules read, gathered once per judgement.
// ---------------------------------------------------------------------------

struct Closing {
    int side = -1;  // who closed first (FIN, RST, TLS alert or MCS ultimatum), -1: nobody
    bool rst = false;
    std::uint64_t frame = 0;
    std::int64_t ts = 0;
    bool ultimatum = false;  // an MCS Disconnect Provider Ultimatum (in clear or decrypted)
};

struct Facts {
    const Connection& c;
    const JudgeContext& ctx;
    Timeline tl;
    int cs, ss;
    const TcpAnalysis& tcp;
    const TcpSideFigures& ct;  // client's TCP figures
    const TcpSideFigures& st;  // server's
    const NegotiationFacts& neg;
    const TlsFacts& tls;
    const McsFacts& mcs;
    std::optional<std::uint32_t> protocol;
    Closing closing;
    std::int64_t since_progress_ns = 0;
    bool stalled_by_time = false;
    bool backing_off = false;
    bool ipv6 = false;

    Facts(const Connection& conn, const JudgeContext& context)
        : c(conn), ctx(context), tl(build_timeline(conn)), cs(conn.client_side()), ss(1 - cs), tcp(conn.tcp),
          ct(conn.tcp.side(cs)), st(conn.tcp.side(ss)), neg(conn.rdp.neg), tls(conn.rdp.tls.facts()),
          mcs(conn.rdp.mcs.facts()), protocol(conn.rdp.neg.effective_protocol()) {
        ipv6 = conn.client().ip.version == 6;
        // Who closed first: the earliest FIN or RST.
        auto consider = [&](int side, std::uint64_t frame, bool rst, std::int64_t ts) {
            if (frame && (!closing.frame || frame < closing.frame)) closing = {side, rst, frame, ts};
        };
        consider(cs, ct.first_fin_frame, false, ct.first_fin_ts_ns);
        consider(ss, st.first_fin_frame, false, st.first_fin_ts_ns);
        for (const auto& r : tcp.resets()) consider(r.side, r.frame, true, r.ts_ns);
        // A TLS alert (close_notify or fatal, plain or encrypted) ends the
        // connection at the TLS level, before the TCP close that follows it.
        for (const auto& a : tls.alerts) consider(a.from == Dir::c2s ? cs : ss, a.frame, false, a.ts_ns);

        // TLS 1.3 sends alerts as application data: a 19-byte record is a
        // 2-byte alert (close_notify, typically), too small for any RDP PDU.
        if (tls.version == tls::kTLSv13)
            for (const auto& r : tls.records)
                if (r.length <= kTls13AlertRecord) consider(r.dir == Dir::c2s ? cs : ss, r.frame, false, r.ts_ns);
        // So does an MCS Disconnect Provider Ultimatum (T.125 11.15, MS-RDPBCGR
        // 2.2.2.3): its sender ended the MCS connection, whoever closes TCP after
        // (a scanner that ends with one and leaves the server to close).
        if (mcs.disconnect_frame && mcs.disconnect_from) {
            const auto before = closing.frame;
            consider(*mcs.disconnect_from == Dir::c2s ? cs : ss, mcs.disconnect_frame, false, mcs.disconnect_ts);
            closing.ultimatum = closing.frame != before;
        }
        since_progress_ns = ctx.now_ns - c.progress_ts;
        stalled_by_time = since_progress_ns >= ctx.stall_timeout_ns;
        // A segment resent this often is in exponential RTO back-off: TCP
        // itself has concluded the path is not delivering, whatever the clock says.
        for (int s : {0, 1})
            backing_off |= unacked_resent(s, kBackoffResends) != nullptr;
    }

    bool closed() const { return closing.side >= 0; }
    const char* closing_how() const {
        return closing.ultimatum ? "MCS Disconnect Provider Ultimatum" : closing.rst ? "reset" : "FIN";
    }
    bool client_closed_first() const { return closing.side == cs; }
    bool server_closed_first() const { return closing.side == ss; }
    const char* side_name(int s) const { return s == cs ? "client" : "server"; }
    bool tcp_up() const { return st.syn_ack > 0 || (ct.bytes > 0 && st.bytes > 0); }
    std::string client() const { return to_string(c.client()); }
    std::string server() const { return to_string(c.server()); }
    std::uint32_t min_mtu_payload() const { return ipv6 ? kMinMtuPayloadV6 : kMinMtuPayloadV4; }

    // A RST sent by `side`, the first one.
    const TcpReset* reset_from(int side) const {
        for (const auto& r : tcp.resets())
            if (r.side == side) return &r;
        return nullptr;
    }
    // Data segments of `side` sent again and again and never ACKed.
    const TcpRetransmit* unacked_resent(int side, std::uint32_t min_resends) const {
        for (const auto& r : tcp.retransmits(side))
            if (!r.syn && !r.acked_frame && r.len > 0 && r.resends >= min_resends) return &r;
        return nullptr;
    }
    // Data segments resent; `with_spurious`: also those resent because their
    // ACK was lost (still loss, in the other direction).
    std::size_t resent_segments(int side, bool with_spurious = false) const {
        std::size_t n = 0;
        for (const auto& r : tcp.retransmits(side))
            if (!r.syn && r.len > 0 && (with_spurious || r.spurious < r.resends)) ++n;
        return n;
    }
    // Who owed the next packet: the peer of whoever sent the newest bytes,
    // when those bytes were acknowledged; the network when they were not.
    WaitingOn owed_by() const {
        if (c.last_data_side < 0) return st.syn_ack ? WaitingOn::client : WaitingOn::network;
        const int peer = 1 - c.last_data_side;
        if (unacked_resent(c.last_data_side, 1)) return WaitingOn::network;
        return waiting_on(peer);
    }
    WaitingOn waiting_on(int side) const { return side == cs ? WaitingOn::client : WaitingOn::server; }
    // What the client had sent when the server went quiet, for summaries.
    Phase stalled_phase() const { return tl.next.value_or(Phase::established); }
};

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// ---------------------------------------------------------------------------
// The rules.  Each returns true when it decided; it fills cause, code,
// confidence, waiting_on, summary and evidence (judge() spells the code).  stalled_at defaults to the
// first phase that did not complete.
// ---------------------------------------------------------------------------

using RuleFn = bool (*)(const Facts&, Verdict&);

struct Rule {
    RuleInfo info;  // id, the causes and codes it may give, its evidence in words
    RuleFn apply;
};

void add(Verdict& v, std::uint64_t frame, std::string note) {
    if (frame) v.evidence.push_back({frame, std::move(note)});
}

// The first resends and the last recorded one: enough to show the back-off.
void add_resends(Verdict& v, const TcpRetransmit& r, const char* note) {
    std::size_t n = 0;
    while (n < r.resend_frames.size() && r.resend_frames[n]) ++n;
    for (std::size_t i = 0; i < n; ++i)
        if (i < 2 || i + 1 == n) add(v, r.resend_frames[i], i + 1 == n && r.resends > n ? fmt::format("{} ({} resends in all)", note, r.resends) : note);
}

bool rule_complete(const Facts& f, Verdict& v) {
    if (!f.tl.complete() || !f.tl.reached) return false;
    v.cause = Cause::none;
    v.code = {VerdictCode::handshake_complete};
    bool inferred = false;
    for (const auto& s : f.tl.steps) inferred |= s.inferred;
    v.confidence = f.tl.implied_after_gap ? Confidence::low : inferred ? Confidence::medium : Confidence::high;
    const Step* est = f.tl.step(Phase::established);
    const std::uint32_t rtx = f.ct.retransmissions + f.st.retransmissions;
    v.summary = fmt::format("The RDP handshake completed: the server was sending session data by frame {}{}.",
                            est ? est->end_frame : 0,
                            rtx ? fmt::format(" (despite {} retransmitted segments: the path loses packets but the "
                                              "connection got through)", rtx)
                                : "");
    if (f.tl.implied_after_gap)
        v.summary += fmt::format(
            " Bytes of the handshake are missing from the capture (from frame {}), so the phases after that point "
            "were not read: the server's sustained output after the gap (to frame {}) shows they happened.",
            f.c.first_gap->frame, est ? est->end_frame : 0);
    if (est) add(v, est->end_frame, inferred ? "sustained server data (encrypted, inferred)" : "sustained server data");
    return true;
}

bool rule_not_rdp_listener(const Facts& f, Verdict& v) {
    if (f.c.rdp.not_rdp_reason.empty() || f.c.rdp.not_rdp_side != f.ss) return false;
    v.cause = Cause::server_unresponsive;
    v.code = {VerdictCode::not_rdp_listener};
    v.confidence = Confidence::high;
    v.stalled_at = Phase::x224_negotiation;
    v.waiting_on = WaitingOn::server;
    v.summary = fmt::format("The service on {} is not RDP: {} (frame {}). Check that the port is Remote Desktop's "
                            "and that no other program holds it.",
                            f.server(), f.c.rdp.not_rdp_reason, f.c.rdp.not_rdp_frame);
    add(v, f.c.rdp.not_rdp_frame, f.c.rdp.not_rdp_reason);
    return true;
}

bool rule_not_rdp_client(const Facts& f, Verdict& v) {
    if (f.c.rdp.not_rdp_reason.empty() || f.c.rdp.not_rdp_side != f.cs) return false;
    v.cause = Cause::protocol_mismatch;
    v.code = {VerdictCode::not_an_rdp_client};
    v.confidence = Confidence::medium;
    v.stalled_at = Phase::x224_negotiation;
    v.waiting_on = WaitingOn::client;
    v.summary = fmt::format("The client {} did not speak RDP to {}: {} (frame {}). A scanner or another "
                            "protocol on the RDP port.",
                            f.client(), f.server(), f.c.rdp.not_rdp_reason, f.c.rdp.not_rdp_frame);
    add(v, f.c.rdp.not_rdp_frame, f.c.rdp.not_rdp_reason);
    return true;
}

bool rule_rst_answering_syn(const Facts& f, Verdict& v) {
    // A refusal answers a SYN: without one in the capture (it began mid-session)
    // a server's RST/ACK ends a connection that was up.
    if (f.st.syn_ack || !f.ct.syn) return false;
    const TcpReset* r = f.reset_from(f.ss);
    if (!r || !(r->answers_syn || r->after == TcpState::syn || r->with_ack)) return false;
    v.cause = Cause::connection_refused;
    v.code = {VerdictCode::rst_answering_syn};
    v.stalled_at = Phase::tcp_connect;
    // A RST with an unchanged initial TTL came from the device next to the
    // capture point; when the capture is on the client, that is a router or
    // firewall on the path, not the server further away.
    const bool first_hop = is_initial_ttl(r->ttl) && !r->ipv6 && is_initial_ttl(f.ct.first_ttl);
    v.waiting_on = first_hop ? WaitingOn::network : WaitingOn::server;
    v.confidence = first_hop ? Confidence::medium : Confidence::high;
    if (f.ctx.brief) return true;  // the decision is made: no words
    v.summary = first_hop
                    ? fmt::format("The connection to {} was refused with a TCP reset (frame {}) that arrived with TTL "
                                  "{} unchanged: it was most likely sent by a firewall or router on the path (a "
                                  "'reject' rule), not by the server. Check the firewall rules for TCP {}.",
                                  f.server(), r->frame, r->ttl, f.c.server().port)
                    : fmt::format("{} refused the connection: its TCP reset answers the SYN (frame {}). Nothing "
                                  "listens on TCP {} there, or a host firewall rejects it: check that Remote Desktop "
                                  "is enabled and the TermService is running, and the firewall rule for TCP {}.",
                                  f.server(), r->frame, f.c.server().port, f.c.server().port);
    add(v, f.ct.syn_frames[0], "SYN");
    add(v, r->frame, fmt::format("RST/ACK from {} (TTL {})", f.server(), r->ttl));
    return true;
}

// The ICMP errors that reject a connection.
constexpr TcpIcmpKind kRejectKinds[] = {TcpIcmpKind::admin_prohibited, TcpIcmpKind::port_unreachable,
                                        TcpIcmpKind::host_unreachable, TcpIcmpKind::net_unreachable,
                                        TcpIcmpKind::other_unreachable};

bool rule_icmp_reject(const Facts& f, Verdict& v) {
    for (const auto& e : f.tcp.icmp_errors()) {
        const bool reject = std::find(std::begin(kRejectKinds), std::end(kRejectKinds), e.kind) != std::end(kRejectKinds);
        if (!reject || e.quoted_side != f.cs) continue;
        if (f.tl.complete()) return false;
        std::string from;
        for (const auto& n : f.c.icmp)
            if (n.frame == e.frame) from = n.from;
        const bool from_server = from == to_string(f.c.server().ip);
        v.cause = Cause::firewall_reject;
        v.code = {VerdictCode::icmp_, static_cast<std::uint32_t>(e.kind)};
        v.confidence = Confidence::high;
        v.waiting_on = from_server ? WaitingOn::server : WaitingOn::network;
        v.summary = fmt::format(
            "{} rejected the connection with an ICMP {} error (type {} code {}, frame {}) quoting the client's {}. "
            "{}",
            from_server ? "The server's host firewall" : fmt::format("A router or firewall ({})", from),
            to_string(e.kind), e.type, e.code, e.frame, e.quotes_syn ? "SYN" : "segment",
            from_server ? "Check the server's firewall (Windows Defender Firewall: Remote Desktop rules)."
                        : "Check the firewall rules on the path for TCP 3389.");
        add(v, e.quoted_frame, "the quoted segment");
        add(v, e.frame, fmt::format("ICMP {} from {}", to_string(e.kind), from));
        return true;
    }
    return false;
}

bool rule_syn_unanswered(const Facts& f, Verdict& v) {
    if (f.st.syn_ack || !f.ct.syn || f.reset_from(f.ss) || !f.tcp.icmp_errors().empty()) return false;
    const auto syns = f.ct.syn_count ? f.ct.syn_count : static_cast<std::uint32_t>(f.ct.syn);
    // One SYN and no retry although the capture went on past the first
    // retransmission timeout (1 s, 3 s on older stacks): the client gave up
    // at once, as a port scanner does.
    const bool gave_up = syns == 1 && f.ctx.now_ns - f.c.first_ts >= kSynGiveUpNs;
    if (syns < 2 && !f.stalled_by_time && !gave_up) return false;
    v.cause = Cause::firewall_drop;
    v.code = {VerdictCode::syn_unanswered};
    v.stalled_at = Phase::tcp_connect;
    v.waiting_on = WaitingOn::network;
    v.confidence = syns >= 3 ? Confidence::high : syns == 2 ? Confidence::medium : Confidence::low;
    if (f.ctx.brief) return true;  // the decision is made: no words
    std::string intervals;
    for (double ms : f.tcp.syn_intervals_ms(f.cs)) intervals += fmt::format("{}{:.1f} s", intervals.empty() ? "" : ", ", ms / 1000);
    v.summary = fmt::format(
        "Nothing came back from {}: the client sent {} SYN{}{} and got neither a SYN-ACK, a reset nor an ICMP "
        "error. Packets are silently dropped: a firewall rule that drops TCP {} (on the path or on the server), "
        "or the server is down. Test the port from another network; check the firewall logs.",
        f.server(), syns, syns == 1 ? "" : "s", intervals.empty() ? "" : fmt::format(" (retries after {})", intervals),
        f.c.server().port);
    add(v, f.ct.syn_frames[0], "SYN");
    for (std::size_t i = 1; i < f.ct.syn_frames.size() && f.ct.syn_frames[i]; ++i)
        add(v, f.ct.syn_frames[i], "SYN retransmitted");
    return true;
}

// The server answered the SYN and resent its SYN-ACK (its retransmission
// timer: nothing acknowledged it), and the client never completed the TCP
// handshake: no ACK, no data, no reset.  When the client resent its SYN after
// the SYN-ACK went out, the SYN-ACK never reached it: the way back drops it
// (a firewall or NAT that sees one direction only, asymmetric routing).  When
// it did not, no TCP stack was waiting for an answer (one would resend its SYN
// after 1 s, RFC 6298): a spoofed source address (a SYN flood), a half-open
// scanner whose reset is filtered, or an address gone.  The capture cannot
// tell those apart; it shows that no client waited on this connection.
bool rule_syn_ack_unacknowledged(const Facts& f, Verdict& v) {
    const auto& hs = f.tcp.handshake();
    if (!f.ct.syn || !f.st.syn_ack || hs.ack_frame || f.ct.bytes || f.st.bytes || f.ct.fin || f.ct.rst) return false;
    const std::uint32_t syn_acks = std::max<std::uint32_t>(f.st.syn_count, static_cast<std::uint32_t>(f.st.syn_ack));
    if (syn_acks < 2) return false;  // resent: the server waited for the ACK
    if (!f.stalled_by_time && f.ctx.now_ns - f.c.first_ts < kSynGiveUpNs) return false;
    const std::uint64_t first_syn_ack = f.st.syn_frames[0] ? f.st.syn_frames[0] : hs.syn_ack_frame;
    std::uint64_t syn_again = 0;
    for (std::size_t i = 1; i < f.ct.syn_frames.size() && f.ct.syn_frames[i] && !syn_again; ++i)
        if (f.ct.syn_frames[i] > first_syn_ack) syn_again = f.ct.syn_frames[i];
    v.stalled_at = Phase::tcp_connect;
    if (syn_again) {
        v.cause = Cause::firewall_drop;
        v.code = {VerdictCode::syn_ack_dropped};
        v.confidence = Confidence::medium;
        v.waiting_on = WaitingOn::network;
        v.summary = fmt::format(
            "The server answered {}'s SYN with a SYN-ACK (frame {}) and resent it {} time{}, but the client resent its "
            "SYN (frame {}) as if nothing had come back: the SYN-ACKs do not reach the client. The way back drops "
            "them: a firewall or NAT that sees only one direction of the connection, asymmetric routing, or a "
            "filter between the capture point and the client. Check the return path from {} to the client.",
            f.client(), first_syn_ack, syn_acks - 1, syn_acks == 2 ? "" : "s", syn_again, f.server());
        add(v, f.ct.syn_frames[0], "SYN");
        add(v, first_syn_ack, "SYN-ACK");
        add(v, syn_again, "the client resends its SYN after the SYN-ACK");
        return true;
    }
    v.cause = Cause::closed_by_client;
    v.code = {VerdictCode::half_open_abandoned};
    v.confidence = Confidence::low;
    v.waiting_on = WaitingOn::client;
    v.summary = fmt::format(
        "{} sent one SYN and never completed the TCP handshake: the server's SYN-ACK (frame {}) was resent {} time{} "
        "and got neither an ACK nor a reset, and the client never resent its SYN, as a TCP stack waiting for an answer "
        "does. No client program waited on this connection: a spoofed source address (a SYN flood; the address's "
        "real owner never sent it), a half-open scanner whose reset is filtered, or a host that went away. If a user "
        "did try to connect from there, the SYN-ACK is dropped before it reaches the client.",
        f.client(), first_syn_ack, syn_acks - 1, syn_acks == 2 ? "" : "s");
    add(v, f.ct.syn_frames[0] ? f.ct.syn_frames[0] : hs.syn_frame, "SYN, never resent");
    for (std::size_t i = 0; i < f.st.syn_frames.size() && f.st.syn_frames[i] && i < 3; ++i)
        add(v, f.st.syn_frames[i], i ? "SYN-ACK resent" : "SYN-ACK");
    return true;
}

bool rule_neg_failure(const Facts& f, Verdict& v) {
    if (!f.neg.failure_code) return false;
    const std::string name = rdpneg::failure_name(*f.neg.failure_code);
    v.cause = Cause::protocol_mismatch;
    v.code = {VerdictCode::neg_failure_, *f.neg.failure_code};
    v.confidence = Confidence::high;
    v.stalled_at = Phase::x224_negotiation;
    v.waiting_on = WaitingOn::server;
    std::string advice;
    switch (*f.neg.failure_code) {
        case 1: advice = "The server requires TLS (or NLA): allow the client to use it."; break;
        case 2: advice = "The server only allows standard RDP security: enable TLS on it or allow the client the legacy layer."; break;
        case 3: advice = "The server has no usable certificate for TLS: check the Remote Desktop certificate (certlm.msc, Remote Desktop store) and its private key."; break;
        case 4: advice = "The client's requested protocols contradict each other."; break;
        case 5: advice = "The server requires Network Level Authentication (CredSSP): enable NLA on the client."; break;
        case 6: advice = "The server requires TLS with user authentication."; break;
        default: break;
    }
    v.summary = fmt::format("The server refused the requested security protocols ({}) with RDP_NEG_FAILURE {} (frame {}). {}",
                            rdpneg::protocol_flags(f.neg.requested_protocols.value_or(0)), name, f.neg.cc_frame, advice);
    add(v, f.neg.cr_frame, fmt::format("X.224 Connection Request: {}", rdpneg::protocol_flags(f.neg.requested_protocols.value_or(0))));
    add(v, f.neg.cc_frame, "RDP_NEG_FAILURE " + name);
    return true;
}

// The client sent nothing after the Connection Confirm.
bool client_silent_after_cc(const Facts& f) {
    return f.neg.cc_frame && f.c.rdp.sides[f.cs].secured_first_frame == 0;
}
// The client closed after the Confirm reached the capture: a client that had
// closed before (it gave up waiting, issue 14 part 10) did not answer the Confirm.
bool client_closed_after_cc(const Facts& f) {
    return f.client_closed_first() && f.closing.frame > f.neg.cc_frame;
}

bool rule_unrequested_protocol(const Facts& f, Verdict& v) {
    if (!f.neg.requested_protocols || !f.neg.selected_protocol || f.tl.complete()) return false;
    // A client that goes on after the Confirm accepted the choice (standard
    // RDP security is always allowed to the server, MS-RDPBCGR 2.2.1.2.1):
    // what happens next decides, not the negotiation.
    if (f.c.rdp.sides[f.cs].secured_first_frame) return false;
    const std::uint32_t req = *f.neg.requested_protocols, sel = *f.neg.selected_protocol;
    const bool offered = sel == 0 ? req == 0 : (sel & req) != 0;
    if (offered) return false;
    v.cause = Cause::protocol_mismatch;
    v.code = {VerdictCode::server_selected_unrequested_protocol};
    v.confidence = Confidence::high;
    v.stalled_at = Phase::x224_negotiation;
    v.waiting_on = WaitingOn::client;
    v.summary = fmt::format("The client offered {} but the server selected {} (frame {}), which the client did not "
                            "offer; the client gave up. Align the security layer settings of client and server.",
                            rdpneg::protocol_flags(req), rdpneg::protocol_name(sel), f.neg.cc_frame);
    add(v, f.neg.cr_frame, "requested " + rdpneg::protocol_flags(req));
    add(v, f.neg.cc_frame, std::string("selected ") + rdpneg::protocol_name(sel));
    add(v, f.closing.frame, fmt::format("the client closes ({})", f.closing.rst ? "RST" : "FIN"));
    return true;
}

// What the client asked for: the one protocol it requested (or none: a legacy
// request without RDP_NEG_REQ, MS-RDPBCGR 2.2.1.1, gets standard RDP security
// and a Confirm without rdpNegData, 2.2.1.2), or the strongest of those it
// offered (PROTOCOL_HYBRID_EX 0x8 > HYBRID 0x2 > SSL 0x1, 2.2.1.1.1).  A
// client given that has nothing in the negotiation to refuse.
bool got_what_it_asked(const Facts& f) {
    if (!f.protocol) return false;
    const std::uint32_t req = f.neg.requested_protocols.value_or(0), sel = *f.protocol;
    if (sel == req) return true;
    return sel != 0 && (req & sel) != 0 && req < (sel << 1);
}

std::string cookie_note(const Facts& f) {
    if (f.neg.cookie && !f.neg.cookie->empty()) return fmt::format("cookie \"{}\"", printable(*f.neg.cookie));
    if (f.neg.routing_token) return "a routing token";
    return "no cookie";
}

// The client closes within 5 s of a Confirm that gave it what it asked for,
// without a byte more: it asked, got its answer and left.  That is what a
// scanner, a monitoring check or a load balancer's health probe does (nmap's
// rdp-enum-encryption asks for one protocol per connection; masscan and
// zgrab stop at the Confirm); no user's connection failed and nothing on the
// server needs fixing.  A client offered less than it asked for goes to
// client_refused_protocol.
bool rule_probe_after_confirm(const Facts& f, Verdict& v) {
    if (!client_silent_after_cc(f) || !client_closed_after_cc(f) || f.neg.failure_code) return false;
    if (f.closing.ts - f.neg.cc_ts > kAutomaticRejectionNs || !got_what_it_asked(f)) return false;
    const auto sel = *f.protocol;
    v.cause = Cause::closed_by_client;
    v.code = {VerdictCode::probe_closed_after_confirm};
    v.confidence = Confidence::medium;
    v.stalled_at = f.stalled_phase();
    v.waiting_on = WaitingOn::client;
    if (f.ctx.brief) return true;  // the decision is made: no words
    v.summary = fmt::format(
        "The client {} asked for {} ({}), the server confirmed {} (frame {}), and the client closed {} ms later "
        "(frame {}, {}) without starting it: a probe (a port or vulnerability scanner, a monitoring check, a load "
        "balancer's health check) that only wanted the answer, not a failed connection. Nothing to fix on the "
        "server unless the probes are unwanted.",
        f.client(),
        f.neg.requested_protocols ? rdpneg::protocol_flags(*f.neg.requested_protocols)
                                  : std::string("standard RDP security with a legacy request (no RDP_NEG_REQ)"),
        cookie_note(f), rdpneg::protocol_name(sel), f.neg.cc_frame, (f.closing.ts - f.neg.cc_ts) / 1'000'000,
        f.closing.frame, f.closing_how());
    add(v, f.neg.cr_frame, f.neg.requested_protocols ? "X.224 request: " + rdpneg::protocol_flags(*f.neg.requested_protocols)
                                                     : std::string("legacy X.224 request (no RDP_NEG_REQ)"));
    add(v, f.neg.cc_frame, std::string("selected ") + rdpneg::protocol_name(sel));
    add(v, f.closing.frame, "the client closes");
    return true;
}

// A request without RDP_NEG_REQ (MS-RDPBCGR 2.2.1.1) answered by the server
// with a reset or a close instead of a Confirm.  Every client since RDP 5.2
// negotiates (mstsc, FreeRDP); a request without it can only use standard RDP
// security, which a server allowing only TLS or NLA -- or a filter in front
// of it -- refuses this way, since a legacy client would not read an
// RDP_NEG_FAILURE.  Not the overload no_confirm names: that refuses every
// request, this one only the legacy kind (an empty cookie besides marks a scanner).
bool rule_legacy_request_refused(const Facts& f, Verdict& v) {
    if (!f.neg.cr_frame || f.neg.cc_frame || f.tls.server_hello_frame || f.neg.requested_protocols) return false;
    if (!f.neg.error.empty() || !f.server_closed_first()) return false;
    if (f.closing.ts - f.neg.cr_ts > kAutomaticRejectionNs) return false;
    const bool probe = !f.neg.cookie || f.neg.cookie->empty();
    v.cause = Cause::protocol_mismatch;
    v.code = {VerdictCode::legacy_request_refused};
    v.confidence = Confidence::medium;
    v.stalled_at = Phase::x224_negotiation;
    v.waiting_on = WaitingOn::server;
    v.summary = fmt::format(
        "The client's X.224 request (frame {}, {}) carried no RDP_NEG_REQ: a legacy request, which only standard "
        "RDP security can answer. The server {} the connection (frame {}) instead of confirming it: it accepts only "
        "TLS or NLA (or a filter in front of it drops legacy requests). {}",
        f.neg.cr_frame, cookie_note(f), f.closing.rst ? "reset" : "closed", f.closing.frame,
        probe ? "Current clients always negotiate; a request with no cookie either is typical of scanners and "
                "probes, so this is most likely not a user's connection."
              : "Current clients always negotiate: an old client (before RDP 5.2) or one set to standard RDP "
                "security only must be updated or allowed TLS.");
    add(v, f.neg.cr_frame, "legacy X.224 request (no RDP_NEG_REQ), " + cookie_note(f));
    add(v, f.closing.frame, fmt::format("the server {}", f.closing.rst ? "resets" : "closes"));
    return true;
}

bool rule_client_refused_protocol(const Facts& f, Verdict& v) {
    if (!client_silent_after_cc(f) || !client_closed_after_cc(f) || f.neg.failure_code) return false;
    // A client that will not use the selected protocol closes at once; one
    // silent for long (a probe, a stalled client) decided nothing about it.
    if (f.closing.ts - f.neg.cc_ts > kAutomaticRejectionNs) return false;
    const auto sel = f.protocol.value_or(0);
    v.cause = Cause::protocol_mismatch;
    v.code = {VerdictCode::client_refused_selected_protocol};
    v.confidence = Confidence::medium;
    v.stalled_at = Phase::x224_negotiation;
    v.waiting_on = WaitingOn::client;
    v.summary = fmt::format("The server selected {} (frame {}) and the client closed the connection without "
                            "starting it (frame {}): the client will not use that security layer (for example it "
                            "insists on NLA). Align the security layer settings.",
                            rdpneg::protocol_name(sel), f.neg.cc_frame, f.closing.frame);
    add(v, f.neg.cc_frame, std::string("selected ") + rdpneg::protocol_name(sel));
    add(v, f.closing.frame, "the client closes");
    return true;
}

bool is_version_or_cipher_alert(std::uint8_t d) {
    // handshake_failure, illegal_parameter, protocol_version, insufficient_security, inappropriate_fallback
    return d == 40 || d == 47 || d == 70 || d == 71 || d == 86;
}
bool is_certificate_alert(std::uint8_t d) {
    // bad_certificate, unsupported_certificate, certificate_revoked, certificate_expired,
    // certificate_unknown, unknown_ca, access_denied (sent by some clients), certificate_required
    return (d >= 42 && d <= 46) || d == 48 || d == 49 || d == 116;
}

const TlsAlertNote* handshake_alert(const Facts& f) {
    if (f.tls.established) return nullptr;
    for (const auto& a : f.tls.alerts)
        if (!a.encrypted) return &a;
    return nullptr;
}

bool rule_tls_mismatch(const Facts& f, Verdict& v) {
    const TlsAlertNote* a = handshake_alert(f);
    if (!a || !is_version_or_cipher_alert(a->description)) return false;
    const std::string name = tls::alert_description_name(a->description);
    v.cause = Cause::tls_mismatch;
    v.code = {VerdictCode::alert_, a->description};
    v.confidence = Confidence::high;
    v.stalled_at = Phase::tls_handshake;
    v.waiting_on = a->from == Dir::c2s ? WaitingOn::client : WaitingOn::server;
    v.summary = fmt::format(
        "The {} ended the TLS handshake with a fatal {} alert (frame {}): client and server share no TLS {}. "
        "The client offered up to {}. Enable a common TLS version and cipher suite on both sides "
        "(on Windows: the SCHANNEL protocols and the cipher suite order policy).",
        a->from == Dir::c2s ? "client" : "server", name, a->frame,
        a->description == 70 ? "version" : "version or cipher suite",
        f.tls.client_max_version ? tls::version_name_wireshark(*f.tls.client_max_version) : "?");
    add(v, f.tls.client_hello_frame, "ClientHello");
    add(v, a->frame, "alert " + name);
    return true;
}

bool rule_client_certificate_alert(const Facts& f, Verdict& v) {
    for (const auto& a : f.tls.alerts) {
        if (a.encrypted || a.from != Dir::c2s || !is_certificate_alert(a.description)) continue;
        const std::string name = tls::alert_description_name(a.description);
        v.cause = Cause::certificate_rejection;
        v.code = {VerdictCode::client_alert_, a.description};
        v.confidence = Confidence::high;
        v.stalled_at = Phase::tls_handshake;
        v.waiting_on = WaitingOn::client;
        v.summary = fmt::format("The client rejected the server's certificate with a {} alert (frame {}). Check the "
                                "Remote Desktop certificate on the server (certlm.msc, Remote Desktop store): issuer "
                                "trusted by the client, name matching the address used, not expired.",
                                name, a.frame);
        add(v, f.tls.certificate_frame, "the server's Certificate");
        add(v, a.frame, "client alert " + name);
        return true;
    }
    return false;
}

bool rule_middlebox_reset(const Facts& f, Verdict& v) {
    if (f.tl.complete()) return false;
    for (const auto& r : f.tcp.resets()) {
        // The TTL is the tell: an IP ID out of sequence alone is normal for
        // stacks that send RSTs with ID 0 (Linux), so it only supports a TTL finding.
        if (!r.ttl_mismatch) continue;
        v.cause = Cause::middlebox_reset;
        const bool after_hello = f.tls.client_hello_frame && r.frame > f.tls.client_hello_frame && !f.tls.server_hello_frame;
        v.code = after_hello ? VerdictId{VerdictCode::rst_after_client_hello}
                             : VerdictId{VerdictCode::rst_during_, static_cast<std::uint32_t>(f.stalled_phase())};
        v.confidence = Confidence::high;
        v.waiting_on = WaitingOn::network;
        v.summary = fmt::format(
            "A TCP reset claiming to come from the {} (frame {}) was not sent by it: its TTL is {} where the {}'s "
            "own packets have {} (frame {}){}. A firewall, IPS or proxy on the path injected it{}. Check the "
            "security devices between client and server for RDP/TLS inspection rules.",
            f.side_name(r.side), r.frame, r.ttl, f.side_name(r.side), r.ref_ttl, r.ref_frame,
            r.ip_id_out_of_sequence ? " and its IP ID breaks the sender's sequence" : "",
            after_hello ? " right after the ClientHello" : "");
        add(v, r.ref_frame, fmt::format("{} packet with TTL {}", f.side_name(r.side), r.ref_ttl));
        if (after_hello) add(v, f.tls.client_hello_frame, "ClientHello");
        add(v, r.frame, fmt::format("RST with TTL {}", r.ttl));
        return true;
    }
    return false;
}

bool rule_server_tls_failure(const Facts& f, Verdict& v) {
    if (!f.protocol || *f.protocol == 0 || !f.tls.client_hello_frame || f.tls.server_hello_frame) return false;
    const TlsAlertNote* alert = handshake_alert(f);
    const bool server_alert = alert && alert->from == Dir::s2c;
    const bool garbage = f.tls.error_frame && f.c.rdp.sides[f.ss].secured_first_frame;
    if (!server_alert && !garbage && !f.server_closed_first()) return false;
    v.cause = Cause::server_tls_failure;
    v.code = server_alert    ? VerdictId{VerdictCode::alert_, alert->description}
             : garbage       ? VerdictId{VerdictCode::server_tls_setup_failed}
             : f.closing.rst ? VerdictId{VerdictCode::reset_after_client_hello}
                             : VerdictId{VerdictCode::closed_after_client_hello};
    v.confidence = Confidence::high;
    v.stalled_at = Phase::tls_handshake;
    v.waiting_on = WaitingOn::server;
    const std::uint64_t at = server_alert ? alert->frame : garbage ? f.tls.error_frame : f.closing.frame;
    v.summary = fmt::format(
        "The server could not start TLS: it answered the ClientHello (frame {}) {} (frame {}) instead of a "
        "ServerHello. The server's Remote Desktop certificate or its private key is missing, corrupt or not "
        "readable: check certlm.msc (Remote Desktop store) and the key permissions, or the server's TLS settings.",
        f.tls.client_hello_frame,
        server_alert ? "with a " + tls::alert_description_name(alert->description) + " alert"
        : garbage    ? std::string("with bytes that are not TLS")
        : f.closing.rst ? std::string("with a reset") : std::string("by closing the connection"),
        at);
    add(v, f.tls.client_hello_frame, "ClientHello");
    add(v, at, server_alert ? "server alert" : garbage ? "not a TLS record" : "the server closes");
    return true;
}

bool rule_certificate_refused_by_closing(const Facts& f, Verdict& v) {
    if (!f.protocol || *f.protocol == 0 || !f.tls.server_hello_frame || !f.client_closed_first()) return false;
    // The client closed before sending any data of the RDP protocol after the
    // TLS handshake (TLS 1.3: beyond its Finished).
    // (The first client record does not depend on NLA: the timeline's inference.)
    if (!f.tl.records || f.tl.records->first_client) return false;
    const std::int64_t flight_ts = f.tls.certificate_ts ? f.tls.certificate_ts : f.tls.server_hello_ts;
    if (f.closing.ts - flight_ts > kAutomaticRejectionNs) return false;
    // A ClientHello that needed RTO back-off to get through, answered only by
    // the client's close: the client had given up waiting (its kernel resets
    // the late flight), it did not judge the certificate.
    for (const auto& r : f.tcp.retransmits(f.cs))
        if (!r.syn && r.first_frame == f.tls.client_hello_frame && r.resends >= kBackoffResends &&
            !f.tls.client_key_exchange_frame && !f.tls.finished_frame[0])
            return false;
    v.cause = Cause::certificate_rejection;
    v.stalled_at = Phase::tls_handshake;
    v.waiting_on = WaitingOn::client;
    const auto& leaf = f.tls.leaf;
    std::string why;
    if (leaf && leaf->expired_at_capture) {
        v.code = {VerdictCode::cert_expired};
        v.confidence = Confidence::high;
        why = fmt::format("the certificate ({}) expired before the capture", leaf->subject);
    } else if (leaf && leaf->not_yet_valid_at_capture) {
        v.code = {VerdictCode::cert_not_yet_valid};
        v.confidence = Confidence::high;
        why = fmt::format("the certificate ({}) was not yet valid at the capture's time", leaf->subject);
    } else if (leaf && f.tls.sni_matches && !*f.tls.sni_matches) {
        v.code = {VerdictCode::cert_name_mismatch};
        v.confidence = Confidence::high;
        why = fmt::format("the certificate is for {} but the client asked for {}", leaf->subject, f.tls.sni);
    } else {
        v.code = {VerdictCode::cert_untrusted};
        v.confidence = leaf ? Confidence::medium : Confidence::low;
        why = leaf ? fmt::format("the certificate ({}, issued by {}{}) is not trusted by the client", leaf->subject,
                                 leaf->issuer, leaf->self_signed ? ", self-signed" : "")
                   : std::string("TLS 1.3 encrypts the certificate, so the capture cannot show which check failed");
    }
    const bool finished = f.tls.client_key_exchange_frame || f.tls.finished_frame[0];
    v.summary = fmt::format("The client closed the connection {} ms after the server's certificate (frame {}) "
                            "without starting RDP: it refused the certificate; {}. Install a certificate the "
                            "client trusts, for the name it connects to, in the server's Remote Desktop store.{}",
                            (f.closing.ts - flight_ts) / 1'000'000,
                            f.tls.certificate_frame ? f.tls.certificate_frame : f.tls.server_hello_frame, why,
                            finished ? " (The client completed the TLS handshake first, as FreeRDP and mstsc do "
                                       "before checking the certificate; a scanner that only wanted the certificate "
                                       "would look the same.)"
                                     : "");
    add(v, f.tls.certificate_frame ? f.tls.certificate_frame : f.tls.server_hello_frame,
        f.tls.certificate_frame ? "the server's Certificate" : "the server's (encrypted) certificate flight");
    add(v, f.closing.frame, fmt::format("the client closes ({})", f.closing.rst ? "RST" : "FIN"));
    return true;
}

bool rule_path_mtu(const Facts& f, Verdict& v) {
    if (f.tl.complete()) return false;
    for (int side : {f.ss, f.cs}) {
        const auto& fig = f.tcp.side(side);
        // Seen at the sender: its large segments go unanswered while its small ones are ACKed.
        const TcpRetransmit* big = nullptr;
        for (const auto& r : f.tcp.retransmits(side))
            if (!r.syn && !r.acked_frame && r.len >= f.min_mtu_payload() && r.resends >= 2) big = &r;
        const bool plausible =
            big && (big->len >= kPlausibleMtuPayload || fig.max_acked_segment >= f.min_mtu_payload());
        if (big && plausible && fig.max_acked_segment < big->len) {
            v.cause = Cause::path_mtu;
            v.code = {VerdictCode::large_segments_dropped};
            v.confidence = Confidence::high;
            v.waiting_on = WaitingOn::network;
            v.summary = fmt::format(
                "The {}'s {}-byte segment (frame {}) was sent {} more times and never acknowledged, while its "
                "smaller segments (up to {} bytes) got through: a path-MTU black hole. A link on the path has a "
                "smaller MTU and the ICMP 'fragmentation needed' messages are blocked. Lower the MTU/MSS (e.g. MSS "
                "clamping on the VPN or firewall) or let ICMP type 3 code 4 through.",
                f.side_name(side), big->len, big->first_frame, big->resends, fig.max_acked_segment);
            add(v, big->first_frame, fmt::format("{}-byte segment", big->len));
            add_resends(v, *big, "resent, never acknowledged");
            return true;
        }
        // Seen at the receiver: bytes missing before what arrived, never filled,
        // larger than anything that got through.
        if (side == f.ss && fig.lost_segments && fig.gap_bytes >= kPlausibleMtuPayload &&
            fig.max_segment < fig.gap_bytes && fig.max_segment < f.min_mtu_payload()) {
            v.cause = Cause::path_mtu;
            v.code = {VerdictCode::large_segments_dropped};
            v.confidence = Confidence::medium;
            v.waiting_on = WaitingOn::network;
            v.summary = fmt::format(
                "{} bytes the server sent never arrived at the capture point while its small segments (at most {} "
                "bytes) did: large packets vanish on the way, a path-MTU black hole (or a filter dropping the "
                "server's TLS handshake; a capture on the server side tells them apart). Lower the MTU/MSS on the "
                "path or let ICMP 'fragmentation needed' through.",
                fig.gap_bytes, fig.max_segment);
            add(v, f.tls.client_hello_frame, "ClientHello");
            return true;
        }
    }
    for (const auto& e : f.tcp.icmp_errors()) {
        if (e.kind != TcpIcmpKind::frag_needed && e.kind != TcpIcmpKind::packet_too_big) continue;
        v.cause = Cause::path_mtu;
        v.code = {VerdictCode::icmp_fragmentation_needed};
        v.confidence = Confidence::medium;
        v.waiting_on = WaitingOn::network;
        v.summary = fmt::format("A router reported a smaller MTU ({} bytes, frame {}) and the handshake still did "
                                "not complete. Check the MTU/MSS along the path.", e.mtu, e.frame);
        add(v, e.frame, fmt::format("ICMP {} mtu {}", to_string(e.kind), e.mtu));
        return true;
    }
    return false;
}

bool rule_data_blackholed(const Facts& f, Verdict& v) {
    if (!f.tcp_up() || f.tl.complete()) return false;
    const TcpRetransmit* r = f.unacked_resent(f.cs, 2);
    if (!r) return false;
    // Everything else passes: this is one segment singled out, not general
    // loss.  The server resending what the client had ACKed shows the client's
    // ACKs vanish too: once is a lost ACK (loss), again and again means
    // everything the client sends is dropped (a blackhole).
    const bool server_repeats = f.st.spurious_retransmissions >= 2;
    const bool other_loss = f.ct.syn_retransmissions > 0 || f.resent_segments(f.cs) > 1 ||
                            f.resent_segments(f.ss) > 0 || f.st.spurious_retransmissions == 1;
    if (other_loss && !server_repeats) return false;
    v.cause = Cause::firewall_drop;
    const bool is_hello = f.tls.client_hello_frame && r->first_frame == f.tls.client_hello_frame;
    const bool is_cr = f.neg.cr_frame && r->first_frame == f.neg.cr_frame;
    v.code = {server_repeats ? VerdictCode::client_data_blackholed
              : is_hello     ? VerdictCode::client_hello_blackholed
              : is_cr        ? VerdictCode::x224_request_blackholed
                             : VerdictCode::client_data_blackholed};
    v.confidence = Confidence::high;
    v.waiting_on = WaitingOn::network;
    const char* what = is_hello ? "ClientHello" : is_cr ? "X.224 Connection Request" : "data";
    v.summary = fmt::format(
        "The client's {} ({} bytes, frame {}) was sent {} more times and never acknowledged, while the TCP "
        "handshake{} got through: something on the path drops it on purpose (a firewall, IPS or proxy inspecting "
        "RDP/TLS){}. Check the security devices' rules and logs for this connection.",
        what, r->len, r->first_frame, r->resends, server_repeats ? "" : " and the smaller packets",
        server_repeats ? "; the server keeps resending its last packet too, so everything the client sends after "
                         "that point is dropped"
                       : "");
    add(v, r->first_frame, std::string("the client's ") + what);
    add_resends(v, *r, "resent, never acknowledged");
    return true;
}

// CredSSP's protocols.  RDSTLS and RDS AAD Auth authenticate inside TLS with
// PDUs of their own (MS-RDPBCGR 5.4.5.3, 5.4.5.4): rule rds_auth_failure.
bool is_nla_protocol(std::uint32_t p) { return p == rdpneg::PROTOCOL_HYBRID || p == rdpneg::PROTOCOL_HYBRID_EX; }

// How sure a plaintext size read from a ciphertext length is, by the suite's
// record protection: exact with TLS 1.2 AEAD (GCM, CCM, ChaCha20) and stream
// ciphers; TLS 1.3 allows padding (RFC 8446 5.4) and CBC pads to the block.
Confidence size_confidence(const TlsFacts& t) {
    using K = tls::RecordProtection::Kind;
    switch (tls::record_protection(t.cipher_suite.value_or(0), t.version.value_or(0)).kind) {
        case K::aead:
        case K::stream: return Confidence::high;
        case K::tls13:
        case K::block: return Confidence::medium;
        case K::unknown: return Confidence::low;
    }
    return Confidence::low;
}

// ---- CredSSP read with keys (TlsFacts::decryption) ----------------------------

// What a decrypted errorCode (MS-CSSP 2.2.1; NTSTATUS, MS-ERREF 2.3.1, or
// SECURITY_STATUS, MS-ERREF 2.1) means, and what to change.
struct CredsspCode {
    std::uint32_t code;
    VerdictCode verdict;
    const char* change;
};

constexpr CredsspCode kCredsspCodes[] = {
    {0xC000006D, VerdictCode::logon_failure, "the user name or password is wrong, or the user unknown: check both (the server's event 4625 says which)"},
    {0xC000006A, VerdictCode::logon_failure, "the password is wrong: check it"},
    {0xC0000064, VerdictCode::logon_failure, "the user does not exist: check the user name and its domain"},
    {0x8009030C, VerdictCode::logon_failure, "the logon was denied (wrong credentials): check the user name and password"},
    {0xC000006E, VerdictCode::account_restriction, "an account restriction refused the logon: a Protected Users member may not use NTLM (connect by the server's DNS name so Kerberos is used), or logon hours, allowed workstations or a blank password forbid it"},
    {0xC000006F, VerdictCode::account_restriction, "the account may not log on at this time (logon hours): change its logon hours"},
    {0xC0000070, VerdictCode::account_restriction, "the account may not log on from this workstation: change its allowed workstations"},
    {0xC0000234, VerdictCode::account_locked_out, "the account is locked out: unlock it (or wait out the lockout) and find what keeps sending wrong passwords"},
    {0xC0000072, VerdictCode::account_disabled, "the account is disabled: enable it"},
    {0xC0000193, VerdictCode::account_expired, "the account has expired: extend its expiry date"},
    {0xC0000071, VerdictCode::password_expired, "the password has expired: change it (NLA cannot; from a console, or with NLA off for the change)"},
    {0xC0000224, VerdictCode::password_expired, "the password must be changed at next logon: change it (NLA cannot; from a console, or with NLA off for the change)"},
    {0xC000015B, VerdictCode::logon_type_not_granted, "the user lacks the right to log on through Remote Desktop Services: add them to Remote Desktop Users (and check 'Deny log on through Remote Desktop Services')"},
    {0x80090302, VerdictCode::ntlm_not_allowed, "the server refuses NTLM: connect by its DNS name so Kerberos is used (not by IP address), or allow NTLM for this server"},
    {0x80090324, VerdictCode::kerberos_clock_skew, "the clocks of client, server and domain controller differ too much for Kerberos: synchronise them"},
    {0xC0000133, VerdictCode::kerberos_clock_skew, "the server's clock differs from the domain controller's: synchronise them"},
};

// CVE-2018-0886 (KB4093492): CredSSP version 5 and later bind the public
// key check to a nonce (MS-CSSP 3.1.5.1.1).  Under the "Encryption Oracle
// Remediation" policy a patched client set to Mitigated or Force Updated
// Clients will not fall back to an older server, and a patched server set to
// Force Updated Clients refuses an older client (the client then shows "The
// function requested is not supported": SEC_E_UNSUPPORTED_FUNCTION).
constexpr std::uint32_t kCredsspNonceVersion = 5;

// The versions each side announced in its first decrypted TSRequest.
struct CredsspVersions {
    std::uint32_t client = 0, server = 0;
    std::uint64_t client_frame = 0, server_frame = 0;
};
CredsspVersions credssp_versions(const DecryptFacts& d) {
    CredsspVersions cv;
    for (const auto& n : d.ts_requests) {
        auto& version = n.dir == Dir::c2s ? cv.client : cv.server;
        auto& frame = n.dir == Dir::c2s ? cv.client_frame : cv.server_frame;
        if (!frame) {
            version = n.request.version;
            frame = n.frame;
        }
    }
    return cv;
}

// The client's last decrypted TSRequest before `before` (0: any), and the
// user its NTLM AUTHENTICATE names (MS-NLMP 2.2.1.3), if it sent one.
struct LastClientMessage {
    const TsRequestNote* note = nullptr;
    std::string user;
};
LastClientMessage last_client_message(const DecryptFacts& d, std::uint64_t before) {
    LastClientMessage m;
    for (const auto& n : d.ts_requests) {
        if (n.dir != Dir::c2s || (before && n.frame > before)) continue;
        m.note = &n;
        if (const auto& ntlm = n.request.ntlm; ntlm && ntlm->type == 3 && !ntlm->user.empty())
            m.user = ntlm->domain.empty() ? ntlm->user : ntlm->domain + "\\" + ntlm->user;
    }
    return m;
}

std::string closed_clause(const Facts& f) {
    return f.closed() ? fmt::format("; the {} closed the connection (frame {})", f.side_name(f.closing.side), f.closing.frame)
                      : std::string();
}
void add_close(const Facts& f, Verdict& v) {
    add(v, f.closing.frame, fmt::format("the {} closes", f.closed() ? f.side_name(f.closing.side) : "?"));
}

void credssp_auth_verdict(Verdict& v, VerdictCode code, Confidence confidence, WaitingOn waiting) {
    v.cause = Cause::authentication_failure;
    v.code = {code};
    v.confidence = confidence;
    v.stalled_at = Phase::credssp;
    v.waiting_on = waiting;
}

bool credssp_euar_denied(const Facts& f, const DecryptFacts& d, Verdict& v) {
    credssp_auth_verdict(v, VerdictCode::authz_access_denied, Confidence::high, WaitingOn::server);
    v.summary = fmt::format(
        "Network Level Authentication succeeded but the server denied the user access: its Early User "
        "Authorization Result (frame {}, decrypted) is AUTHZ_ACCESS_DENIED{}. The user may not log on "
        "remotely: add them to Remote Desktop Users, or grant 'Allow log on through Remote Desktop Services'.",
        d.euar_frame, closed_clause(f));
    add(v, d.auth_info_frame, "the client's credentials (authInfo, decrypted)");
    add(v, d.euar_frame, "Early User Authorization Result AUTHZ_ACCESS_DENIED (decrypted)");
    add_close(f, v);
    return true;
}

bool credssp_error_code(const Facts& f, const DecryptFacts& d, Verdict& v) {
    const std::uint32_t code = *d.error_code;
    const char* name = credssp::status_name(code);
    const CredsspCode* known = nullptr;
    for (const auto& k : kCredsspCodes)
        if (k.code == code) known = &k;
    const auto last = last_client_message(d, d.error_frame);
    const std::uint64_t last_client = last.note ? last.note->frame : 0;
    const auto versions = credssp_versions(d);
    // SEC_E_UNSUPPORTED_FUNCTION to a client older than version 5 from a
    // server on 5 or later: the Force Updated Clients policy reads the same on
    // the wire as a refusal of NTLM, so both are said.
    const bool old_client = code == 0x80090302 && versions.client_frame && versions.client < kCredsspNonceVersion &&
                            versions.server >= kCredsspNonceVersion;
    credssp_auth_verdict(v,
                         old_client ? VerdictCode::credssp_version_policy
                         : known    ? known->verdict
                                    : VerdictCode::credssp_error,
                         old_client ? Confidence::medium : Confidence::high, WaitingOn::server);
    std::string change =
        known ? fmt::format("What to change: {}.", known->change)
              : std::string("The server's Security event log (event 4625) explains the code.");
    if (old_client)
        change = fmt::format(
            "The client speaks CredSSP version {} (frame {}), older than the CVE-2018-0886 fix (version 5), and the "
            "server version {}: a server whose Encryption Oracle Remediation policy is 'Force Updated Clients' "
            "refuses such a client with this code. What to change: update the client; or, if the client is current, "
            "{}.",
            versions.client, versions.client_frame, versions.server, known ? known->change : "see the server's event 4625");
    v.summary = fmt::format(
        "Network Level Authentication failed{}: the server answered the client's CredSSP message{} with errorCode "
        "0x{:08X}{} (frame {}, decrypted){}. {}",
        last.user.empty() ? "" : " for user " + last.user, last_client ? fmt::format(" (frame {})", last_client) : "",
        code, name ? fmt::format(" {}", name) : "", d.error_frame, closed_clause(f), change);
    // The SSL_ERR_* code mstsc reports for this errorCode (IMsTscAxEvents::OnDisconnected).
    v.client_codes = client_codes_for_status(code);
    if (v.client_codes->note.empty()) v.client_codes->note = "the decrypted errorCode names the reason";
    add(v, last_client, "the client's last CredSSP message (decrypted)");
    add(v, d.error_frame, fmt::format("TSRequest errorCode 0x{:08X}{} (decrypted)", code, name ? fmt::format(" {}", name) : ""));
    if (old_client) add(v, versions.client_frame, fmt::format("the client's TSRequest version {}", versions.client));
    add_close(f, v);
    return true;
}

// A KRB-ERROR the server sent inside CredSSP (RFC 4121 4.1 token 0x0300):
// an AP-level error such as KRB_AP_ERR_SKEW (RFC 4120 7.5.9), the server
// refusing the client's AP-REQ.
const TsRequestNote* server_krb_error(const DecryptFacts& d) {
    for (const auto& n : d.ts_requests)
        if (n.dir == Dir::s2c && n.request.krb5_tok_id == 0x0300 && n.request.kerberos &&
            n.request.kerberos->error_code)
            return &n;
    return nullptr;
}

bool credssp_krb_error(const Facts& f, const DecryptFacts& d, const TsRequestNote& n, Verdict& v) {
    const std::int32_t e = *n.request.kerberos->error_code;
    const bool skew = e == krb::KRB_AP_ERR_SKEW;
    credssp_auth_verdict(v, skew ? VerdictCode::kerberos_clock_skew : VerdictCode::kerberos_error, Confidence::high,
                         WaitingOn::server);
    const auto name = krb::error_name(e);
    const auto meaning = krb::error_meaning(e);
    const auto last = last_client_message(d, n.frame);
    v.summary = fmt::format(
        "Network Level Authentication failed: the server answered the client's Kerberos AP-REQ{} with KRB-ERROR {}{} "
        "inside CredSSP (frame {}, decrypted){}. {}",
        last.note ? fmt::format(" (frame {})", last.note->frame) : "",
        name.empty() ? fmt::format("{}", e) : std::string(name), meaning.empty() ? "" : fmt::format(" ({})", meaning),
        n.frame, closed_clause(f),
        skew ? "What to change: synchronise the clocks of the client, the server and the domain controller."
             : "The server's System and Security event logs (Kerberos, 4625) explain it.");
    if (last.note) add(v, last.note->frame, "the client's Kerberos AP-REQ (decrypted)");
    add(v, n.frame, fmt::format("KRB-ERROR {} in a TSRequest (decrypted)", name.empty() ? fmt::format("{}", e) : std::string(name)));
    add_close(f, v);
    return true;
}

// A patched client refusing an unpatched server (CVE-2018-0886, above): the
// server's TSRequest names a version below 5, and the client, which announced
// 5 or later, sends nothing more and closes.
bool credssp_old_server(const Facts& f, const DecryptFacts& d, Verdict& v) {
    const auto versions = credssp_versions(d);
    if (!versions.client_frame || !versions.server_frame || versions.client < kCredsspNonceVersion ||
        versions.server >= kCredsspNonceVersion || !f.closed() || f.closing.side != f.cs)
        return false;
    const auto last = last_client_message(d, 0);
    if (!last.note || last.note->frame > versions.server_frame) return false;  // the client went on
    credssp_auth_verdict(v, VerdictCode::credssp_version_policy, Confidence::medium, WaitingOn::client);
    v.summary = fmt::format(
        "The client refused the server's CredSSP: it announced version {} (frame {}), the server answered with "
        "version {} (frame {}, decrypted), older than the CVE-2018-0886 fix (version 5), and the client closed the "
        "connection (frame {}) without sending credentials. A client whose Encryption Oracle Remediation policy is "
        "'Mitigated' or 'Force Updated Clients' refuses such a server (mstsc: \"An authentication error has occurred. "
        "The function requested is not supported ... CredSSP encryption oracle remediation\"). What to change: install "
        "the CredSSP update on the server; do not lower the client's policy except briefly to reach the server and "
        "patch it.",
        versions.client, versions.client_frame, versions.server, versions.server_frame, f.closing.frame);
    add(v, versions.client_frame, fmt::format("the client's TSRequest version {}", versions.client));
    add(v, versions.server_frame, fmt::format("the server's TSRequest version {} (decrypted)", versions.server));
    add_close(f, v);
    return true;
}

// The client's credentials got no answer but a close: the server refused them
// without saying why in CredSSP.  The errorCode field exists from version 3
// (MS-CSSP 2.2.1); a server on 2 or 5 cannot send it, and not every server on
// 3, 4 or 6 does (FreeRDP's server never does; Windows does).
bool credssp_unanswered(const Facts& f, const DecryptFacts& d, Verdict& v) {
    if (!f.server_closed_first() || d.credssp_end_frame || d.auth_info_frame) return false;
    const auto last = last_client_message(d, 0);
    if (!last.note) return false;
    const auto& r = last.note->request;
    const bool ntlm_auth = r.ntlm_message == 3;
    const bool ap_req = r.krb5_tok_id == 0x0100;
    if (!ntlm_auth && !ap_req && !r.pub_key_auth) return false;
    for (const auto& n : d.ts_requests)
        if (n.dir == Dir::s2c && n.frame > last.note->frame) return false;  // the server answered
    if (f.closing.frame < last.note->frame) return false;
    const auto versions = credssp_versions(d);
    credssp_auth_verdict(v, ntlm_auth ? VerdictCode::ntlm_rejected : VerdictCode::credentials_rejected, Confidence::high,
                         WaitingOn::server);
    // The exchange runs on the lower of the two versions (MS-CSSP 3.1.5): a
    // server may send errorCode only when that version has the field.
    const std::uint32_t effective =
        versions.client_frame ? std::min(versions.client, versions.server) : versions.server;
    const std::string why_no_code =
        !versions.server_frame
            ? std::string("the server sent no TSRequest at all, so neither its version nor a reason is known")
        : effective < 3 || effective == 5
            ? fmt::format("the exchange is on CredSSP version {} (the client announced {}, the server {}), which has "
                          "no errorCode (MS-CSSP 2.2.1: versions 3, 4 and 6 carry it)",
                          effective, versions.client, versions.server)
            : fmt::format("the exchange is on CredSSP version {}, which could carry an errorCode, yet the server sent "
                          "none (Windows sends one; FreeRDP's server and some others only close)", effective);
    v.summary = fmt::format(
        "Network Level Authentication failed{}: the client sent its {} (frame {}, decrypted) and the server closed "
        "the connection (frame {}) without answering. No reason is on the wire: {}. Wrong user name or password, an "
        "unknown user, a locked or disabled account, or a missing 'Allow log on through Remote Desktop Services' "
        "right all end this way; the server's Security event log (event 4625) names the reason.",
        last.user.empty() ? "" : " for user " + last.user,
        ntlm_auth ? "NTLM AUTHENTICATE" : ap_req ? "Kerberos AP-REQ" : "credentials (pubKeyAuth)", last.note->frame,
        f.closing.frame, why_no_code);
    add(v, last.note->frame, fmt::format("the client's {} (decrypted)", ntlm_auth ? "NTLM AUTHENTICATE" : ap_req ? "AP-REQ" : "pubKeyAuth"));
    if (versions.server_frame)
        add(v, versions.server_frame, fmt::format("the server's TSRequest version {} (decrypted)", versions.server));
    add_close(f, v);
    return true;
}

bool rule_credssp_decrypted(const Facts& f, Verdict& v) {
    if (!f.protocol || !is_nla_protocol(*f.protocol) || !f.tls.decryption || f.tl.complete()) return false;
    const DecryptFacts& d = *f.tls.decryption;
    if (d.error_code) return credssp_error_code(f, d, v);
    if (d.euar && *d.euar != 0) return credssp_euar_denied(f, d, v);
    if (const TsRequestNote* k = server_krb_error(d); k && f.closed()) return credssp_krb_error(f, d, *k, v);
    if (!d.credssp_read()) return false;
    return credssp_old_server(f, d, v) || credssp_unanswered(f, d, v);
}

// The server's Set Error Info (MS-RDPBCGR 2.2.5.1), read in clear or from
// decrypted TLS, before the handshake completed: the server says why it ends
// the connection (it MUST disconnect after it, 3.3.5.7.1).  The client shows
// the ERRINFO as its extended disconnect reason (ExtendedDisconnectReasonCode).
VerdictCode errinfo_verdict(std::uint32_t e) {
    switch (e) {
        case 0x4: return VerdictCode::server_logon_timeout;
        case 0x7: return VerdictCode::server_denied_connection;
        case 0x9: return VerdictCode::server_insufficient_privileges;
        case 0xA: return VerdictCode::server_fresh_credentials_required;
        default: break;
    }
    if (e >= 0x100 && e <= 0x10A) return VerdictCode::licensing_failed;
    if (e >= 0x400 && e <= 0x412) return VerdictCode::broker_error;
    return VerdictCode::server_error_info;
}

const char* errinfo_advice(VerdictCode c) {
    switch (c) {
        case VerdictCode::server_denied_connection:
            return "the server refused the connection after the logon started (policy, an RD Gateway / broker rule, or a "
                   "connection limit): check RdpCoreTS event 131/140 and the session host's connection settings";
        case VerdictCode::server_insufficient_privileges:
            return "the user lacks the right to log on remotely: add them to Remote Desktop Users or grant 'Allow log on "
                   "through Remote Desktop Services'";
        case VerdictCode::server_logon_timeout:
            return "the logon did not finish in the server's time limit (a slow logon, a credential prompt nobody answered)";
        case VerdictCode::server_fresh_credentials_required:
            return "the server requires credentials typed now (saved or delegated ones are refused): connect again and type them";
        case VerdictCode::licensing_failed:
            return "Remote Desktop licensing failed: check the session host's licensing mode and license server";
        case VerdictCode::broker_error:
            return "the Connection Broker could not place the session: check the broker's event log and the collection";
        default:
            return "the ERRINFO code names the reason";
    }
}

bool rule_server_error_info(const Facts& f, Verdict& v) {
    if (f.tl.complete() || !f.mcs.error_info) return false;
    const std::uint32_t e = *f.mcs.error_info;
    v.cause = Cause::closed_by_server;
    v.code = {errinfo_verdict(e)};
    v.confidence = Confidence::high;
    v.stalled_at = f.tl.next;
    v.waiting_on = WaitingOn::server;
    const auto name = share::errinfo_name(e);
    const char* how = f.mcs.decrypted ? "decrypted" : "in clear";
    v.client_codes = client_codes_for_errinfo(e);
    v.summary = fmt::format(
        "The server ended the connection with Set Error Info 0x{:X}{} (frame {}, {}){}. The client most likely "
        "showed error 0x904 with extended code 0x{:X}. What to change: {}.",
        e, name.empty() ? "" : fmt::format(" {}", name), f.mcs.error_info_frame, how,
        f.closed() ? fmt::format("; the {} closed the connection (frame {})", f.side_name(f.closing.side), f.closing.frame)
                   : std::string(),
        e, errinfo_advice(v.code.code));
    add(v, f.mcs.client_info_frame, "Client Info");
    add(v, f.mcs.error_info_frame, fmt::format("Set Error Info 0x{:X}{} ({})", e, name.empty() ? "" : fmt::format(" {}", name), how));
    add(v, f.mcs.disconnect_frame, "Disconnect Provider Ultimatum");
    add(v, f.closing.frame, fmt::format("the {} closes", f.closed() ? f.side_name(f.closing.side) : "?"));
    return true;
}

// The server's logon error (Save Session Info, INFOTYPE_LOGON_EXTENDED_INFO
// with LOGON_EX_LOGONERRORS, MS-RDPBCGR 2.2.10.1.1.4.1.1): Winlogon on the
// server tells the client why the logon at its remote logon screen did not
// succeed.  ErrorNotificationType is an NTSTATUS (then ErrorNotificationData
// is LOGON_FAILED_* or LOGON_WARNING) or a LOGON_MSG_* code (then the data is
// the session id).  A warning, and LOGON_MSG_SESSION_CONTINUE, are no failure.
std::optional<VerdictCode> logon_error_verdict(std::uint32_t type, std::uint32_t data) {
    switch (type) {
        case 0xFFFFFFF9: return VerdictCode::logon_disconnect_refused;
        case 0xFFFFFFFA: return VerdictCode::logon_no_permission;
        case 0xFFFFFFF8:  // LOGON_MSG_SESSION_BUSY_OPTIONS (FreeRDP's name)
        case 0xFFFFFFFB:  // LOGON_MSG_BUMP_OPTIONS: the "Session Contention" dialog
        case 0xFFFFFFFC: return VerdictCode::logon_session_contention;  // RECONNECT_OPTIONS
        case 0xFFFFFFFD: return VerdictCode::logon_session_terminated;
        case 0xFFFFFFFE: return std::nullopt;  // LOGON_MSG_SESSION_CONTINUE
        default: break;
    }
    switch (data) {
        case 0: return VerdictCode::logon_failed_bad_password;
        case 1: return VerdictCode::logon_failed_update_password;
        case 2: return VerdictCode::logon_failed_other;
        default: return std::nullopt;  // LOGON_WARNING, or unknown
    }
}

const char* logon_error_advice(VerdictCode c) {
    switch (c) {
        case VerdictCode::logon_failed_bad_password:
            return "the user name or password typed at (or sent to) the server's logon screen is wrong: the server's "
                   "Security log has the 4625 with its Sub Status";
        case VerdictCode::logon_failed_update_password:
            return "the password has expired or must be changed before the user can log on";
        case VerdictCode::logon_failed_other:
            return "Winlogon refused the logon for another reason (account restrictions, a logon policy): the server's "
                   "Security log (4625) names it";
        case VerdictCode::logon_no_permission:
            return "the user has no permission to log on to this session host remotely (Remote Desktop Users, 'Allow "
                   "log on through Remote Desktop Services')";
        case VerdictCode::logon_disconnect_refused:
            return "another user is logged on and refused (or did not answer) the request to disconnect them";
        case VerdictCode::logon_session_contention:
            return "the server offered to take over or reconnect a session already in use (the 'Session Contention' / "
                   "reconnect dialog) and the connection ended there";
        case VerdictCode::logon_session_terminated:
            return "Winlogon terminated the session during the logon";
        default:
            return "the logon error names the reason";
    }
}

bool rule_logon_error(const Facts& f, Verdict& v) {
    const McsFacts& m = f.mcs;
    if (!m.logon_error_type || !f.closed()) return false;
    const std::uint32_t type = *m.logon_error_type, data = m.logon_error_data.value_or(0);
    const auto code = logon_error_verdict(type, data);
    if (!code) return false;
    // A logon notification after the error: the user got in at a later try.
    if (m.logon && m.logon->frame > m.logon_error_frame) return false;
    v.cause = *code == VerdictCode::logon_disconnect_refused || *code == VerdictCode::logon_session_contention ||
                      *code == VerdictCode::logon_session_terminated
                  ? Cause::closed_by_server
                  : Cause::authentication_failure;
    v.code = {*code};
    v.confidence = Confidence::high;
    v.stalled_at = f.tl.next;
    v.waiting_on = f.closing.side == f.ss ? WaitingOn::server : WaitingOn::client;
    const auto type_name = share::logon_error_type_name(type);
    const auto data_name = share::logon_error_data_name(type, data);
    const char* status = type_name.empty() ? credssp::status_name(type) : nullptr;
    const std::string what =
        !type_name.empty() ? fmt::format("{} (session {})", type_name, data)
                           : fmt::format("{} with NTSTATUS 0x{:08X}{}", data_name, type, status ? fmt::format(" {}", status) : "");
    const char* how = m.decrypted ? "decrypted" : "in clear";
    v.summary = fmt::format(
        "The logon did not succeed: the server's Save Session Info (frame {}, {}) reports the logon error {}, and no "
        "logon notification followed; the {} closed the connection (frame {}). {}.",
        m.logon_error_frame, how, what, f.side_name(f.closing.side), f.closing.frame,
        logon_error_advice(*code));
    v.client_codes = client_codes_for_logon_error(*code, f.closing.side == f.ss);
    add(v, m.client_info_frame, "Client Info");
    add(v, m.logon_error_frame, fmt::format("Save Session Info: logon error {} ({})", what, how));
    add(v, m.error_info_frame, "Set Error Info");
    add(v, f.closing.frame, fmt::format("the {} closes", f.side_name(f.closing.side)));
    return true;
}

// A Server Redirection PDU (MS-RDPBCGR 2.2.13) before the handshake completed:
// a broker sends the client to another session host; this connection ends.
bool rule_server_redirection(const Facts& f, Verdict& v) {
    if (f.tl.complete() || !f.mcs.redirection) return false;
    const auto& r = *f.mcs.redirection;
    v.cause = Cause::closed_by_server;
    v.code = {VerdictCode::server_redirection};
    v.confidence = Confidence::high;
    v.stalled_at = f.tl.next;
    v.waiting_on = WaitingOn::server;
    v.summary = fmt::format(
        "The server (a Connection Broker) redirected the client{} (Server Redirection, frame {}, session {}): this "
        "connection ends by design and the client connects again to the target. Look at the next connection.",
        r.target_net_address.empty() ? "" : fmt::format(" to {}", printable(r.target_net_address)), r.frame, r.session_id);
    add(v, r.frame, "Server Redirection PDU");
    add(v, f.closing.frame, fmt::format("the {} closes", f.closed() ? f.side_name(f.closing.side) : "?"));
    return true;
}

bool rule_credssp_error(const Facts& f, Verdict& v) {
    if (!f.protocol || !is_nla_protocol(*f.protocol) || !f.tl.records || f.tl.complete()) return false;
    const RecordPhases& rp = *f.tl.records;
    const bool either = rp.euar && rp.euar_may_be_error;
    const std::optional<std::size_t> at = rp.credssp_error ? rp.credssp_error : either ? rp.euar : std::nullopt;
    if (!at) return false;
    // Nothing more from the client after it: it did not take it for a token.
    const auto& rec = f.tls.records;
    for (std::size_t i = *at + 1; i < rec.size(); ++i)
        if (rec[i].dir == Dir::c2s && rec[i].length > kTls13AlertRecord) return false;
    std::optional<std::size_t> before;
    for (std::size_t i = 0; i < *at; ++i)
        if (rec[i].dir == Dir::c2s) before = i;
    const auto& r = rec[*at];
    const auto suite = f.tls.cipher_suite ? tls::cipher_suite_name(*f.tls.cipher_suite) : std::string("an unknown suite");
    v.cause = Cause::authentication_failure;
    v.code = {VerdictCode::credssp_error};
    v.confidence = either ? Confidence::medium : size_confidence(f.tls);
    if (!f.closed() && v.confidence == Confidence::high) v.confidence = Confidence::medium;
    v.stalled_at = Phase::credssp;
    v.waiting_on = WaitingOn::server;
    if (f.ctx.brief) return true;  // the decision is made: no words
    v.summary = fmt::format(
        "Network Level Authentication failed: the server answered the client's CredSSP message{} with a {}-byte "
        "record (frame {}), the size of a TSRequest holding only an errorCode (MS-CSSP 2.2.1: 15 bytes of "
        "plaintext, here with {}){}, and {}. The error code is encrypted; Windows sends it for a wrong password "
        "(STATUS_LOGON_FAILURE), a locked, expired or disabled account, a Protected Users member refused NTLM, or "
        "NTLM refused by policy (SEC_E_UNSUPPORTED_FUNCTION, often after connecting by IP address instead of the "
        "name Kerberos needs). The server's Security event log (event 4625) and the KDC's answers on port 88 name "
        "the reason.",
        before ? fmt::format(" (frame {})", rec[*before].frame) : "", r.length, r.frame, suite,
        either ? " -- or, as this suite gives both one size, the Early User Authorization Result denying access"
               : "",
        f.closed() ? fmt::format("the {} closed the connection (frame {})", f.side_name(f.closing.side), f.closing.frame)
                   : std::string("nothing followed"));
    if (before) add(v, rec[*before].frame, "the client's last CredSSP record (encrypted)");
    add(v, r.frame, fmt::format("{}-byte server record: a TSRequest errorCode by its size", r.length));
    add(v, f.closing.frame, fmt::format("the {} closes", f.closed() ? f.side_name(f.closing.side) : "?"));
    return true;
}

bool rule_authentication_failure(const Facts& f, Verdict& v) {
    if (!f.protocol || !f.tls.established || !f.server_closed_first()) return false;
    const auto p = *f.protocol;
    if (!is_nla_protocol(p)) return false;
    const Step* cred = f.tl.step(Phase::credssp);
    if (!cred || cred->done) {
        // With HYBRID_EX a denial can come after CredSSP: the Early User
        // Authorization Result, then the server closes before the MCS answer.
        const Step* mcs = f.tl.step(Phase::mcs_connect);
        if (p != rdpneg::PROTOCOL_HYBRID_EX || !mcs || mcs->started) return false;
    }
    v.cause = Cause::authentication_failure;
    v.code = {cred && cred->done ? VerdictCode::early_user_authorization_denied : VerdictCode::ntlm_rejected};
    v.confidence = Confidence::medium;
    v.stalled_at = Phase::credssp;
    v.waiting_on = WaitingOn::server;
    if (f.ctx.brief) return true;  // the decision is made: no words
    v.summary = fmt::format(
        "Network Level Authentication failed: after the client's credentials (CredSSP, encrypted, from frame {}) the "
        "server closed the connection (frame {}). Wrong user name or password, a locked or disabled account, or the "
        "user lacks the 'Allow log on through Remote Desktop Services' right. The server's Security event log "
        "(event 4625) names the reason.",
        cred ? cred->start_frame : 0, f.closing.frame);
    if (cred) add(v, cred->start_frame, "CredSSP starts (inferred from encrypted records)");
    add(v, f.closing.frame, "the server closes");
    return true;
}

// RDSTLS (MS-RDPBCGR 5.4.5.3) or RDS AAD Auth (5.4.5.4) refused: the client
// sent its Authentication Request and the connection ended without the MCS
// Connect Initial that follows a success -- after the server's answer, or
// with the server closing instead of answering.  The result code is
// encrypted: RDSTLS_RESULT_LOGON_FAILURE, ACCESS_DENIED, PASSWORD_EXPIRED,
// ACCOUNT_DISABLED, ACCOUNT_LOCKED_OUT ... (2.2.17.4); for RDS AAD an
// HRESULT / NTSTATUS in the JSON authentication_result (2.2.18.3).
bool rule_rds_auth_failure(const Facts& f, Verdict& v) {
    if (!f.protocol || !f.tls.established || !f.tl.records || f.tl.complete() || !f.closed()) return false;
    const bool rdstls = *f.protocol == rdpneg::PROTOCOL_RDSTLS;
    if (!rdstls && *f.protocol != rdpneg::PROTOCOL_RDSAAD) return false;
    const Phase phase = rdstls ? Phase::rdstls : Phase::rdsaad;
    const Step* auth = f.tl.step(phase);
    const RecordPhases& rp = *f.tl.records;
    if (!auth || auth->done || !rp.rds_request || rp.mcs_request) return false;
    const auto& rec = f.tls.records;
    const auto& req = rec[*rp.rds_request];
    // Unanswered, the server must be the one that ended it: a client that
    // closes while its request waits gave up on the server (rule closed).
    if (!rp.rds_result && !f.server_closed_first()) return false;
    if (f.closing.frame < req.frame) return false;
    v.cause = Cause::authentication_failure;
    v.code = {rdstls ? VerdictCode::rdstls_auth_failed : VerdictCode::rdsaad_auth_failed};
    v.stalled_at = phase;
    v.waiting_on = WaitingOn::server;
    // The answer and the close are what the wire shows; the code itself is
    // encrypted.  An RDSTLS answer that cannot be the 10-byte Response is not read as one.
    const bool answer_fits = rp.rds_result_sized.value_or(true);
    v.confidence = rp.rds_result && answer_fits ? Confidence::medium : Confidence::low;
    const char* proto = rdstls ? "RDSTLS" : "RDS AAD Auth (Entra ID sign-in)";
    const std::string answer =
        rp.rds_result
            ? fmt::format("the server answered (frame {}, {} bytes{}) and the connection ended (the {} closed, frame {}) "
                          "without the MCS Connect Initial that follows a success",
                          rec[*rp.rds_result].frame, rec[*rp.rds_result].length,
                          !rdstls                     ? ": the Authentication Result"
                          : !rp.rds_result_sized      ? ""
                          : *rp.rds_result_sized      ? ": the size of the 10-byte Authentication Response"
                                                      : ", not the size of the 10-byte Authentication Response",
                          f.side_name(f.closing.side), f.closing.frame)
            : fmt::format("the server closed the connection (frame {}) without answering it", f.closing.frame);
    const char* what =
        rdstls ? "RDSTLS is what a client uses after a Connection Broker's Server Redirection (MS-RDPBCGR 1.3.8): it "
                 "sends the redirection GUID, user, domain and the broker's password cookie (or an auto-reconnect "
                 "cookie). The ResultCode is encrypted: a wrong or expired cookie, a user unknown or without access, "
                 "an expired password, a disabled or locked account (RDSTLS_RESULT_*). Look at the target session "
                 "host's Security log (4625) and the broker's logs."
               : "RDS AAD Auth signs the user in with Entra ID (Microsoft Entra joined hosts): the client sends an RDP "
                 "assertion built on an Entra access token and the server's nonce. The result is encrypted: the user "
                 "not allowed to sign in to the host (Remote Desktop Users, the 'Virtual Machine User Login' role), a "
                 "token for another host name, clock skew, or Conditional Access. Look at the host's Security log "
                 "(4625) and the AAD/Operational log, and the user's Entra sign-in log.";
    v.summary = fmt::format("{} refused the user: the client sent its Authentication Request (frame {}, {} bytes, "
                            "encrypted) and {}. {}",
                            proto, req.frame, req.length, answer, what);
    if (rp.rds_offer)
        add(v, rec[*rp.rds_offer].frame,
            rdstls ? "the server's RDSTLS Capabilities (encrypted)" : "the server's RDS AAD Server Nonce (encrypted)");
    add(v, req.frame, "the client's Authentication Request (encrypted)");
    if (rp.rds_result)
        add(v, rec[*rp.rds_result].frame,
            rdstls ? "the server's Authentication Response (encrypted)" : "the server's Authentication Result (encrypted)");
    add_close(f, v);
    return true;
}

// ---- Kerberos on port 88 (analyze/kerberos_flows.hpp) -----------------------

std::string krb_error_name(const KerberosNote& n) {
    const auto name = krb::error_name(*n.error_code);
    return name.empty() ? fmt::format("Kerberos error {}", *n.error_code) : std::string(name);
}

// The user the KDC refused: the error's cname, else (a KRB-ERROR need not
// carry one) the request it answers, on the same flow.
std::string krb_user(const KerberosNote& n, const std::vector<KerberosNote>& all) {
    const KerberosNote* who = n.cname.empty() ? nullptr : &n;
    for (const auto& q : all)
        if (!who && q.tcp == n.tcp && q.flow == n.flow && q.proxied == n.proxied && q.http2_stream == n.http2_stream &&
            q.frame < n.frame && !q.cname.empty())
            who = &q;
    if (!who) return "the user";
    return who->crealm.empty() ? who->cname : who->cname + "@" + who->crealm;
}

bool rule_kerberos_error(const Facts& f, Verdict& v) {
    if (f.tl.complete() || (!f.closed() && !f.stalled_by_time)) return false;
    const auto p = f.protocol.value_or(0);
    if (p != rdpneg::PROTOCOL_HYBRID && p != rdpneg::PROTOCOL_HYBRID_EX) return false;
    // NLA did not get through: CredSSP not done (or, with HYBRID_EX, no MCS after it).
    const Step* cred = f.tl.step(Phase::credssp);
    const Step* mcs = f.tl.step(Phase::mcs_connect);
    if (cred && cred->done && (p != rdpneg::PROTOCOL_HYBRID_EX || !mcs || mcs->started)) return false;
    const KerberosNote* err = nullptr;
    for (const auto& n : f.c.kerberos)
        if (refuses_user(n) && (!err || n.during >= err->during)) err = &n;  // the last, preferring those during
    if (!err) return false;
    v.cause = Cause::authentication_failure;
    v.code = {VerdictCode::kerberos_error};
    v.confidence = err->during && f.tls.established ? Confidence::high : Confidence::medium;
    v.stalled_at = Phase::credssp;
    v.waiting_on = WaitingOn::server;
    const bool ntlm_after = cred && cred->started && cred->start_frame > err->frame;
    const auto meaning = krb::error_meaning(*err->error_code);
    // Through a KDC proxy (MS-KKDCP), the KDC's answer came from the proxy's address.
    const std::string kdc = err->proxied ? fmt::format("through the KDC proxy {}", to_string(err->kdc))
                                         : fmt::format("KDC {}", to_string(err->kdc.ip));
    v.summary = fmt::format(
        "Network Level Authentication failed: the domain controller ({}) refused the Kerberos {} for {} with "
        "{} (frame {}{}){}.{} The connection ended at frame {}. The domain controller's Security event log (events "
        "4771 / 4768) has the same code.",
        kdc, err->sname.rfind("krbtgt", 0) == 0 ? "logon" : "ticket request",
        krb_user(*err, f.c.kerberos), krb_error_name(*err), err->frame,
        err->during ? ", during this connection" : ", just before this connection",
        meaning.empty() ? "" : fmt::format(": {}", meaning),
        ntlm_after ? " The client then went on with CredSSP without a Kerberos ticket (an NTLM fallback), which did "
                     "not get through either."
                   : "",
        f.closing.frame ? f.closing.frame : f.c.progress_frame);
    add(v, err->frame, err->proxied ? fmt::format("KRB-ERROR {} through the KDC proxy {} ({})",
                                                  krb::error_name(*err->error_code), to_string(err->kdc),
                                                  err->http2_stream ? fmt::format("HTTP/2 stream {}", err->http2_stream)
                                                                    : std::string("HTTP/1.1"))
                                    : fmt::format("KRB-ERROR {} from the KDC {}", krb::error_name(*err->error_code),
                                                  to_string(err->kdc.ip)));
    if (cred && cred->started) add(v, cred->start_frame, "CredSSP starts (inferred from encrypted records)");
    add(v, f.closing.frame, fmt::format("the {} closes", f.side_name(f.closing.side)));
    return true;
}

// A verdict about NLA also names what Kerberos said that it did not decide
// on: an unknown TERMSRV name explains why the client fell back to NTLM.
void kerberos_notes(const Connection& c, Verdict& v) {
    if (v.cause != Cause::authentication_failure && v.cause != Cause::none) return;
    for (const auto& n : c.kerberos) {
        if (n.type != static_cast<std::uint32_t>(krb::MsgType::krb_error) || n.error_code != krb::KDC_ERR_S_PRINCIPAL_UNKNOWN ||
            !n.termsrv() || n.names_server == false)
            continue;
        v.summary += fmt::format(
            " The KDC knows no service principal {} (KDC_ERR_S_PRINCIPAL_UNKNOWN, frame {}): the client could not "
            "use Kerberos for the name it connected to and fell back to NTLM{}. Connect by the server's registered "
            "name (its FQDN), or register the SPN (setspn -S {} <server account>).",
            n.sname, n.frame, v.cause == Cause::none ? "" : ", which the server may refuse", n.sname);
        add(v, n.frame, "KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN for " + n.sname);
        return;
    }
}

bool rule_standard_security_refused(const Facts& f, Verdict& v) {
    if (!f.protocol || *f.protocol != 0 || !f.mcs.connect_initial_frame) return false;
    // The server ends it (FIN, RST or its own ultimatum): a client's ultimatum
    // (a scanner leaving after the part of the sequence it wanted) refused nothing.
    if (!f.server_closed_first()) return false;
    const std::uint64_t at = f.closing.frame;
    v.cause = Cause::protocol_mismatch;
    v.waiting_on = WaitingOn::server;
    v.confidence = Confidence::medium;
    if (!f.mcs.connect_response_frame || f.mcs.connect_result.value_or(0) != 0) {
        v.stalled_at = Phase::mcs_connect;
        v.code = {f.neg.requested_protocols ? VerdictCode::connect_initial_refused : VerdictCode::legacy_request_to_tls_only};
        v.summary = fmt::format(
            "The server accepted the {} but dropped the connection at the MCS Connect Initial (frame {}, closed at "
            "frame {}): it does not accept standard RDP security{}. Let the client use TLS/NLA, or allow the RDP "
            "security layer on the server.",
            f.neg.requested_protocols ? "X.224 request" : "legacy X.224 request (no RDP_NEG_REQ)",
            f.mcs.connect_initial_frame, at,
            f.neg.requested_protocols ? "" : " (the client sent an old-style request, so the server could not refuse it up front)");
        add(v, f.neg.cr_frame, f.neg.requested_protocols ? "X.224 request" : "legacy X.224 request");
        add(v, f.mcs.connect_initial_frame, "MCS Connect Initial");
        add(v, at, "the server ends the connection");
        return true;
    }
    // The server chose standard security itself although the client offered
    // TLS: nothing in the negotiation clashed, and a server that closes after
    // the Client Info refused the session (closed_by_server), not the layer.
    if (f.mcs.client_info_frame && f.neg.requested_protocols.value_or(0) == 0) {
        v.stalled_at = Phase::secure_settings;
        v.code = {VerdictCode::standard_security_incompatible};
        v.summary = fmt::format(
            "Standard RDP security was negotiated ({} encryption) but the server dropped the connection after the "
            "client's encrypted Client Info (frame {}, closed at frame {}): the two sides do not agree on the "
            "encryption. Use TLS instead of standard RDP security.",
            f.mcs.server_encryption_method ? fmt::format("method 0x{:x}", *f.mcs.server_encryption_method) : "its",
            f.mcs.client_info_frame, at);
        add(v, f.mcs.client_info_frame, "Client Info (encrypted)");
        add(v, at, "the server ends the connection");
        return true;
    }
    return false;
}

bool rule_packet_loss(const Facts& f, Verdict& v) {
    if (f.tl.complete()) return false;
    const std::size_t resent =
        f.resent_segments(f.cs, true) + f.resent_segments(f.ss, true) + f.ct.syn_retransmissions;
    // Or one client segment resent twice and more, still unanswered when the
    // client closed: it gave up on a path that was losing its data; an ACK or
    // answer arriving after its close came too late (issue 14 part 10).
    const TcpRetransmit* gave_up = nullptr;
    if (f.client_closed_first())
        for (const auto& r : f.tcp.retransmits(f.cs))
            if (!r.syn && r.len > 0 && r.resends >= 2 && (!r.acked_frame || r.acked_frame > f.closing.frame)) gave_up = &r;
    if ((resent < 2 && !gave_up) || (!f.closed() && !f.stalled_by_time && !f.backing_off)) return false;
    v.cause = Cause::packet_loss;
    v.code = {VerdictCode::handshake_timeout};
    v.confidence = Confidence::medium;
    v.waiting_on = WaitingOn::network;
    // A Confirm that arrived after the client had given up never completed
    // the negotiation for it.
    if (gave_up && f.neg.cr_frame && (!f.neg.cc_frame || f.neg.cc_frame > f.closing.frame))
        v.stalled_at = Phase::x224_negotiation;
    const auto lc = f.tcp.loss_estimate_pct(f.cs), ls = f.tcp.loss_estimate_pct(f.ss);
    v.summary = fmt::format(
        "The path loses packets: {} segment{} had to be resent ({} retransmissions from the client, {} from the "
        "server{}) and the handshake gave up at {}{}. Check the network path (interface errors, a saturated or "
        "faulty link, Wi-Fi, VPN).",
        resent, resent == 1 ? "" : "s", f.ct.retransmissions, f.st.retransmissions,
        lc || ls ? fmt::format("; estimated loss {:.0f}% client to server, {:.0f}% server to client", lc.value_or(0), ls.value_or(0)) : "",
        to_string(f.stalled_phase()),
        gave_up ? fmt::format(": the client closed (frame {}) while its segment of frame {} was still unanswered after "
                              "{} resends{}",
                              f.closing.frame, gave_up->first_frame ? gave_up->first_frame : gave_up->resend_frames[0],
                              gave_up->resends,
                              gave_up->acked_frame ? fmt::format(" (acknowledged only at frame {}, too late)", gave_up->acked_frame)
                                                   : "")
                : "");
    for (int side : {f.cs, f.ss})
        for (const auto& r : f.tcp.retransmits(side))
            if (r.resend_frames[0] && v.evidence.size() < 8) add(v, r.resend_frames[0], fmt::format("{} resends a segment", f.side_name(side)));
    return true;
}

bool rule_no_confirm(const Facts& f, Verdict& v) {
    if (!f.neg.cr_frame || f.neg.cc_frame || f.tls.server_hello_frame) return false;
    if (!f.closed() && !f.stalled_by_time) return false;
    if (f.server_closed_first()) {
        // The server chose to end it: no fault is visible, only its decision.
        v.cause = Cause::closed_by_server;
        v.stalled_at = Phase::x224_negotiation;
        v.waiting_on = WaitingOn::server;
        v.confidence = Confidence::medium;
        v.code = {f.closing.rst ? VerdictCode::rst_after_request : VerdictCode::fin_after_request};
        if (f.ctx.brief) return true;  // the decision is made: no words
        v.summary = fmt::format(
            "The server accepted the TCP connection and {} it (frame {}) right after the client's X.224 request "
            "(frame {}) without answering. The Remote Desktop service refuses new connections: MaxOutstandingConnections "
            "reached, the service stopping, a connection limit, or a listener that is not RDP.",
            f.closing.rst ? "reset" : "closed", f.closing.frame, f.neg.cr_frame);
        add(v, f.neg.cr_frame, "X.224 Connection Request");
        add(v, f.closing.frame, fmt::format("the server {}", f.closing.rst ? "resets" : "closes"));
        return true;
    }
    // The server did not close first (that was decided above).
    v.cause = Cause::server_unresponsive;
    v.stalled_at = Phase::x224_negotiation;
    v.waiting_on = WaitingOn::server;
    v.confidence = Confidence::high;
    v.code = {VerdictCode::no_connection_confirm};
    if (f.ctx.brief) return true;  // the decision is made: no words
    v.summary = fmt::format("The server acknowledged the client's X.224 request (frame {}) at TCP level but never "
                                  "answered it{}. The Remote Desktop service is hung or overloaded, or what listens on "
                                  "{} is not RDP: restart the TermService, check MaxOutstandingConnections.",
                                  f.neg.cr_frame,
                                  f.closed() ? fmt::format("; the client gave up at frame {}", f.closing.frame)
                                             : fmt::format(" in {} s", f.since_progress_ns / kSecond),
                                  f.server());
    add(v, f.neg.cr_frame, "X.224 Connection Request");
    add(v, f.closing.frame, fmt::format("the {} closes", f.side_name(f.closing.side)));
    return true;
}

bool rule_incomplete_capture(const Facts& f, Verdict& v) {
    const bool mid_stream = !f.ct.syn && !f.st.syn_ack && !f.neg.cr_frame;
    const auto& gc = f.c.rdp.sides[f.cs];
    const auto& gs = f.c.rdp.sides[f.ss];
    const bool gap = (gc.gap_frame || gs.gap_frame) && !f.tl.complete();
    if (!mid_stream && !gap) return false;
    v.cause = Cause::incomplete_capture;
    v.confidence = Confidence::low;
    v.waiting_on.reset();
    const auto& r = f.c.rdp;
    if (mid_stream && r.mid_session != RdpSession::MidSession::none) {
        // An RDP session already up when the capture began: say what is still
        // visible of it, never "not RDP".
        v.code = {VerdictCode::started_mid_session};
        const bool tls = r.mid_session == RdpSession::MidSession::tls;
        const std::uint16_t ver = r.mid_session_tls_version;
        const std::string what =
            tls ? fmt::format("TLS records ({}) on {}: an RDP session secured with TLS or NLA",
                              ver == tls::kTLSv12 ? std::string("record version 0x0303: TLS 1.2 or later, as TLS 1.3 "
                                                                 "writes 0x0303 too")
                                                  : fmt::format("record version 0x{:04x}", ver),
                              f.server())
                : fmt::format("RDP fast-path PDUs in clear on {}: a session under standard RDP security", f.server());
        // The capture may begin between the client's X.224 request and the
        // server's confirm: then the confirm is there, the request is not.
        const std::string missing =
            f.neg.cc_frame ? fmt::format("no SYN, no X.224 Connection Request: the capture began after it, with the "
                                         "server's Connection Confirm at frame {}",
                                         f.neg.cc_frame)
                           : std::string("no SYN, no X.224 negotiation");
        v.summary = fmt::format("The capture started inside a session that was already up ({}; the first bytes are "
                                "{}). Its handshake is not in the capture, so how it went cannot be judged. Capture "
                                "from before the client connects.",
                                missing, what);
        add(v, f.neg.cc_frame, "X.224 Connection Confirm without its request");
        add(v, r.mid_session_frame, tls ? "first bytes: TLS records" : "first bytes: fast-path PDUs");
        return true;
    }
    v.code = {mid_stream ? VerdictCode::started_mid_stream : VerdictCode::capture_gap};
    const std::uint64_t gf = gc.gap_frame && gs.gap_frame ? std::min(gc.gap_frame, gs.gap_frame)
                                                            : std::max(gc.gap_frame, gs.gap_frame);
    v.summary = mid_stream ? std::string("The capture started after the connection had begun: the handshake is not "
                                         "in it, so its outcome cannot be judged. Capture from before the client "
                                         "connects.")
                           : fmt::format("Bytes of the handshake are missing from the capture (from frame {}): the "
                                         "capture point dropped packets, so the decisive step cannot be read. "
                                         "Capture with a larger buffer, or closer to one end.",
                                         gf);
    add(v, mid_stream ? f.c.first_frame : gf, mid_stream ? "first frame seen" : "bytes missing from the capture");
    return true;
}

bool rule_in_progress(const Facts& f, Verdict& v) {
    if (f.closed() || f.stalled_by_time || f.backing_off) return false;
    v.cause = Cause::in_progress;
    v.code = {f.ctx.input_ended ? VerdictCode::capture_ended : VerdictCode::handshake_moving};
    v.confidence = Confidence::low;
    v.waiting_on = f.owed_by();
    v.summary = fmt::format("The capture ended {} s after the last progress of the handshake (at {}), less than the "
                            "stall timeout: it may still have completed. Capture longer.",
                            f.since_progress_ns / kSecond, to_string(f.stalled_phase()));
    add(v, f.c.progress_frame, "last progress");
    return true;
}

bool rule_closed(const Facts& f, Verdict& v) {
    if (!f.closed()) return false;
    const bool by_client = f.client_closed_first();
    v.cause = by_client ? Cause::closed_by_client : Cause::closed_by_server;
    const Phase at = f.stalled_phase();
    const Step* cred = f.tl.step(Phase::credssp);
    const bool auth_only = by_client && cred && cred->done && at == Phase::mcs_connect;
    v.code = auth_only ? VerdictId{VerdictCode::auth_only}
                       : VerdictId{VerdictCode::closed_during_, static_cast<std::uint32_t>(at)};
    v.confidence = Confidence::medium;
    v.waiting_on = by_client ? WaitingOn::client : WaitingOn::server;
    if (f.ctx.brief) return true;  // the decision is made: no words
    v.summary = fmt::format("The {} closed the connection ({}, frame {}) during {} with no sign of a fault in the "
                            "capture{}.",
                            by_client ? "client" : "server", f.closing_how(), f.closing.frame,
                            to_string(at),
                            auth_only ? ": it only checked the credentials (NLA) and disconnected, as "
                                                       "an 'authenticate only' client or a credential pre-check does"
                                                     : by_client ? " (the user or the client software cancelled)" : "");
    add(v, f.closing.frame, fmt::format("{} closes", by_client ? "client" : "server"));
    return true;
}

bool rule_stalled(const Facts& f, Verdict& v) {
    const WaitingOn owes = f.owed_by();
    v.waiting_on = owes;
    v.confidence = Confidence::low;
    if (owes == WaitingOn::server) {
        v.cause = Cause::server_unresponsive;
        v.code = {VerdictCode::no_answer_during_, static_cast<std::uint32_t>(f.stalled_phase())};
        v.summary = fmt::format("The server stopped answering during {} (nothing new for {} s after frame {}). The "
                                "Remote Desktop service may be hung or overloaded.",
                                to_string(f.stalled_phase()), f.since_progress_ns / kSecond, f.c.progress_frame);
    } else if (owes == WaitingOn::network) {
        v.cause = Cause::packet_loss;
        v.code = {VerdictCode::stalled_unacknowledged};
        v.summary = fmt::format("The handshake stopped during {}: the last data sent was never acknowledged.",
                                to_string(f.stalled_phase()));
    } else {
        v.cause = Cause::in_progress;
        v.code = {VerdictCode::waiting_for_client};
        v.summary = fmt::format("The client has sent nothing new for {} s during {} (a prompt may be waiting for "
                                "the user, e.g. to accept a certificate or enter credentials).",
                                f.since_progress_ns / kSecond, to_string(f.stalled_phase()));
    }
    add(v, f.c.progress_frame, "last progress");
    return true;
}

// The policy, in order.  Read top to bottom: the first row whose evidence is
// present decides.
using C = Cause;
using V = VerdictCode;

const Rule kRules[] = {
    {{"logon_error", {C::authentication_failure, C::closed_by_server},
      {V::logon_failed_bad_password, V::logon_failed_update_password, V::logon_failed_other, V::logon_no_permission,
       V::logon_disconnect_refused, V::logon_session_contention, V::logon_session_terminated},
      "the server's Save Session Info carries a logon error (MS-RDPBCGR 2.2.10.1.1.4.1.1; read decrypted or in clear) "
      "that is a failure (LOGON_FAILED_BAD_PASSWORD / _UPDATE_PASSWORD / _OTHER, LOGON_MSG_NO_PERMISSION, "
      "_DISCONNECT_REFUSED, _BUMP_OPTIONS / _RECONNECT_OPTIONS, _SESSION_TERMINATE; not LOGON_WARNING or "
      "_SESSION_CONTINUE), no logon notification follows it, and the connection closes"}, rule_logon_error},
    {{"complete", {C::none}, {V::handshake_complete},
      "every applicable phase completed, up to sustained server data (after a capture gap: implied by the server's "
      "sustained output after it, low confidence)"}, rule_complete},
    {{"not_rdp_listener", {C::server_unresponsive}, {V::not_rdp_listener},
      "the server's first bytes are not an X.224 Connection Confirm"}, rule_not_rdp_listener},
    {{"not_rdp_client", {C::protocol_mismatch}, {V::not_an_rdp_client},
      "the client's first bytes are not an X.224 Connection Request"}, rule_not_rdp_client},
    {{"rst_answering_syn", {C::connection_refused}, {V::rst_answering_syn},
      "no SYN-ACK; a RST/ACK from the server's address answers the SYN"}, rule_rst_answering_syn},
    {{"icmp_reject", {C::firewall_reject}, {V::icmp_},
      "an ICMP unreachable / administratively prohibited quoting the client's packet"}, rule_icmp_reject},
    {{"syn_unanswered", {C::firewall_drop}, {V::syn_unanswered},
      "SYNs retransmitted (or one SYN and the stall timeout) with no SYN-ACK, RST or ICMP"}, rule_syn_unanswered},
    {{"syn_ack_unacknowledged", {C::firewall_drop, C::closed_by_client}, {V::syn_ack_dropped, V::half_open_abandoned},
      "the server's SYN-ACK resent, never acknowledged nor reset, no data: the client resending its SYN after it "
      "(the SYN-ACK does not reach it), or one SYN never resent (a spoofed source, a half-open scanner)"},
     rule_syn_ack_unacknowledged},
    {{"neg_failure", {C::protocol_mismatch}, {V::neg_failure_},
      "the Connection Confirm carries RDP_NEG_FAILURE"}, rule_neg_failure},
    {{"unrequested_protocol", {C::protocol_mismatch}, {V::server_selected_unrequested_protocol},
      "the server selected a protocol the client did not request; the client sent nothing more"}, rule_unrequested_protocol},
    {{"probe_after_confirm", {C::closed_by_client}, {V::probe_closed_after_confirm},
      "within 5 s of a Connection Confirm giving the client what it asked for (the one protocol it requested, the "
      "strongest it offered, or standard security for a legacy request) the client closes without sending anything"},
     rule_probe_after_confirm},
    {{"client_refused_protocol", {C::protocol_mismatch}, {V::client_refused_selected_protocol},
      "within 5 s of the Connection Confirm the client closes without sending anything"}, rule_client_refused_protocol},
    {{"tls_mismatch", {C::tls_mismatch}, {V::alert_},
      "a TLS alert protocol_version / handshake_failure / insufficient_security during the handshake"}, rule_tls_mismatch},
    {{"client_certificate_alert", {C::certificate_rejection}, {V::client_alert_},
      "the client sends a certificate alert (bad_certificate, unknown_ca, certificate_expired...)"}, rule_client_certificate_alert},
    {{"middlebox_reset", {C::middlebox_reset}, {V::rst_after_client_hello, V::rst_during_},
      "a RST whose TTL differs from its claimed sender's own packets (SYN-ACK)"}, rule_middlebox_reset},
    {{"server_tls_failure", {C::server_tls_failure},
      {V::alert_, V::server_tls_setup_failed, V::reset_after_client_hello, V::closed_after_client_hello},
      "after the ClientHello the server sends an alert, non-TLS bytes, a RST or a FIN instead of a ServerHello"}, rule_server_tls_failure},
    {{"certificate_refused_by_closing", {C::certificate_rejection},
      {V::cert_expired, V::cert_not_yet_valid, V::cert_name_mismatch, V::cert_untrusted},
      "within 5 s of the server's certificate flight the client closes without sending RDP data"}, rule_certificate_refused_by_closing},
    {{"path_mtu", {C::path_mtu}, {V::large_segments_dropped, V::icmp_fragmentation_needed},
      "large segments (>= 1200 bytes, or larger than segments past 536 bytes that got through) resent and never acknowledged (or missing at the receiver) while small ones pass; or ICMP fragmentation needed"}, rule_path_mtu},
    {{"data_blackholed", {C::firewall_drop},
      {V::client_hello_blackholed, V::x224_request_blackholed, V::client_data_blackholed},
      "TCP up; one client segment resent at least twice and never acknowledged"}, rule_data_blackholed},
    {{"kerberos_error", {C::authentication_failure}, {V::kerberos_error},
      "NLA did not complete and the KDC answered the client's logon (krbtgt) or TERMSRV ticket request on port 88 with an error refusing the user (not PREAUTH_REQUIRED, BADOPTION, TKT_EXPIRED, S_PRINCIPAL_UNKNOWN...)"}, rule_kerberos_error},
    {{"credssp_decrypted", {C::authentication_failure},
      {V::logon_failure, V::account_restriction, V::account_locked_out, V::account_disabled, V::account_expired,
       V::password_expired, V::logon_type_not_granted, V::ntlm_not_allowed, V::kerberos_clock_skew,
       V::authz_access_denied, V::credssp_error, V::credssp_version_policy, V::kerberos_error, V::ntlm_rejected,
       V::credentials_rejected},
      "NLA with keys: the decrypted server TSRequest carries an errorCode (its NTSTATUS / SECURITY_STATUS names the "
      "verdict; SEC_E_UNSUPPORTED_FUNCTION to a client older than CredSSP 5: credssp_version_policy) or a Kerberos "
      "KRB-ERROR, or the decrypted Early User Authorization Result is AUTHZ_ACCESS_DENIED; or a client on CredSSP 5+ "
      "closes after a server on an older version answered (credssp_version_policy); or the server closes without "
      "answering the client's NTLM AUTHENTICATE / AP-REQ (no errorCode, and why none)"}, rule_credssp_decrypted},
    {{"server_redirection", {C::closed_by_server}, {V::server_redirection},
      "the server sends a Server Redirection PDU (MS-RDPBCGR 2.2.13; read in clear or decrypted) before the handshake "
      "completes"}, rule_server_redirection},
    {{"server_error_info", {C::closed_by_server},
      {V::server_denied_connection, V::server_insufficient_privileges, V::server_logon_timeout,
       V::server_fresh_credentials_required, V::licensing_failed, V::broker_error, V::server_error_info},
      "the server sends Set Error Info (MS-RDPBCGR 2.2.5.1; read in clear or decrypted) before the handshake "
      "completes: its ERRINFO code names the verdict (0x7 server_denied_connection, 0x9, 0x4, 0xA, the licensing "
      "and broker ranges)"}, rule_server_error_info},
    {{"credssp_error", {C::authentication_failure}, {V::credssp_error},
      "NLA: the server answers the client's CredSSP message with a record the size of a TSRequest holding only an "
      "errorCode (12-16 bytes of plaintext: a 39-byte TLS 1.2 GCM record, 32 with TLS 1.3), and the client sends "
      "nothing more"}, rule_credssp_error},
    {{"rds_auth_failure", {C::authentication_failure}, {V::rdstls_auth_failed, V::rdsaad_auth_failed},
      "RDSTLS or RDS AAD Auth selected: after the client's Authentication Request the server answers and the "
      "connection ends without the MCS Connect Initial a success leads to, or the server closes without answering"},
     rule_rds_auth_failure},
    {{"authentication_failure", {C::authentication_failure}, {V::ntlm_rejected, V::early_user_authorization_denied},
      "NLA: TLS up, CredSSP under way, the server closes first"}, rule_authentication_failure},
    {{"standard_security_refused", {C::protocol_mismatch},
      {V::connect_initial_refused, V::legacy_request_to_tls_only, V::standard_security_incompatible},
      "standard RDP security: the server disconnects at the MCS Connect Initial or after the Client Info"}, rule_standard_security_refused},
    {{"incomplete_capture", {C::incomplete_capture}, {V::started_mid_stream, V::started_mid_session, V::capture_gap},
      "the capture starts mid-connection (inside a TLS or fast-path session: mid-session), or handshake bytes are missing from it"}, rule_incomplete_capture},
    {{"packet_loss", {C::packet_loss}, {V::handshake_timeout},
      "two or more segments resent, the handshake closed or stalled before completing; or one client segment resent "
      "twice and more and still unanswered when the client closed (it gave up)"}, rule_packet_loss},
    {{"legacy_request_refused", {C::protocol_mismatch}, {V::legacy_request_refused},
      "an X.224 request without RDP_NEG_REQ that the server resets or closes within 5 s, with no Confirm"},
     rule_legacy_request_refused},
    {{"no_confirm", {C::closed_by_server, C::server_unresponsive},
      {V::rst_after_request, V::fin_after_request, V::no_connection_confirm},
      "the X.224 request was acknowledged, never answered; closed or stalled"}, rule_no_confirm},
    {{"in_progress", {C::in_progress}, {V::capture_ended, V::handshake_moving},
      "not closed, last progress less than the stall timeout before the capture's end"}, rule_in_progress},
    {{"closed", {C::closed_by_client, C::closed_by_server}, {V::auth_only, V::closed_during_},
      "closed by one side with no fault evidence"}, rule_closed},
    {{"stalled", {C::server_unresponsive, C::packet_loss, C::in_progress},
      {V::no_answer_during_, V::stalled_unacknowledged, V::waiting_for_client},
      "stalled: whoever owed the next packet never sent it"}, rule_stalled},
};

}  // namespace

const char* to_string(Cause c) {
    switch (c) {
#define RDPSCOPE_X(name) \
    case Cause::name: return #name;
        RDPSCOPE_CAUSES(RDPSCOPE_X)
#undef RDPSCOPE_X
    }
    return "?";
}

const std::vector<Cause>& all_causes() {
    static const std::vector<Cause> all = {
#define RDPSCOPE_X(name) Cause::name,
        RDPSCOPE_CAUSES(RDPSCOPE_X)
#undef RDPSCOPE_X
    };
    return all;
}

std::optional<Cause> cause_from_string(std::string_view s) {
    for (Cause c : all_causes())
        if (s == to_string(c)) return c;
    return std::nullopt;
}

const char* to_string(WaitingOn w) {
    switch (w) {
#define RDPSCOPE_X(name) \
    case WaitingOn::name: return #name;
        RDPSCOPE_WAITING_ON(RDPSCOPE_X)
#undef RDPSCOPE_X
    }
    return "?";
}

const std::vector<WaitingOn>& all_waiting_on() {
    static const std::vector<WaitingOn> all = {
#define RDPSCOPE_X(name) WaitingOn::name,
        RDPSCOPE_WAITING_ON(RDPSCOPE_X)
#undef RDPSCOPE_X
    };
    return all;
}

const char* to_string(VerdictCode c) {
    switch (c) {
#define RDPSCOPE_X(name, param) \
    case VerdictCode::name: return #name;
        RDPSCOPE_VERDICT_CODES(RDPSCOPE_X)
#undef RDPSCOPE_X
    }
    return "?";
}

CodeParam param_of(VerdictCode c) {
    switch (c) {
#define RDPSCOPE_X(name, param) \
    case VerdictCode::name: return CodeParam::param;
        RDPSCOPE_VERDICT_CODES(RDPSCOPE_X)
#undef RDPSCOPE_X
    }
    return CodeParam::none;
}

const std::vector<VerdictCode>& all_verdict_codes() {
    static const std::vector<VerdictCode> all = {
#define RDPSCOPE_X(name, param) VerdictCode::name,
        RDPSCOPE_VERDICT_CODES(RDPSCOPE_X)
#undef RDPSCOPE_X
    };
    return all;
}

namespace {

// The values a family's parameter can take.
std::vector<std::uint32_t> param_values(CodeParam p) {
    std::vector<std::uint32_t> out;
    switch (p) {
        case CodeParam::none: out.push_back(0); break;
        case CodeParam::phase:
            for (int i = 0; i <= static_cast<int>(Phase::gateway_channel); ++i) out.push_back(static_cast<std::uint32_t>(i));
            break;
        case CodeParam::tls_alert:
            for (std::uint32_t d = 0; d < 256; ++d) out.push_back(d);
            break;
        case CodeParam::tls_certificate_alert:
            for (std::uint32_t d = 0; d < 256; ++d)
                if (is_certificate_alert(static_cast<std::uint8_t>(d))) out.push_back(d);
            break;
        case CodeParam::neg_failure:
            // 1-6 (MS-RDPBCGR 2.2.1.2.2), and any other value (0 here), named UNKNOWN.
            for (std::uint32_t code = 1; code <= 6; ++code) out.push_back(code);
            out.push_back(0);
            break;
        case CodeParam::icmp_reject:
            for (TcpIcmpKind k : kRejectKinds) out.push_back(static_cast<std::uint32_t>(k));
            break;
    }
    return out;
}

}  // namespace

std::string to_string(const VerdictId& id) {
    std::string s = to_string(id.code);
    switch (param_of(id.code)) {
        case CodeParam::none: break;
        case CodeParam::phase: s += to_string(static_cast<Phase>(id.param)); break;
        case CodeParam::tls_alert:
        case CodeParam::tls_certificate_alert: s += tls::alert_description_name(static_cast<std::uint8_t>(id.param)); break;
        case CodeParam::neg_failure: {
            // neg_failure_hybrid_required, neg_failure_ssl_not_allowed ...: the name without "_BY_SERVER".
            std::string code = lower(rdpneg::failure_name(id.param));
            if (const auto at = code.find("_by_server"); at != std::string::npos) code.erase(at);
            s += code;
            break;
        }
        case CodeParam::icmp_reject: s += to_string(static_cast<TcpIcmpKind>(id.param)); break;
    }
    return s;
}

std::vector<std::string> expand(VerdictCode c) {
    std::vector<std::string> out;
    for (std::uint32_t p : param_values(param_of(c))) {
        std::string s = to_string(VerdictId{c, p});
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    return out;
}

const char* param_placeholder(CodeParam p) {
    switch (p) {
        case CodeParam::none: return "";
        case CodeParam::phase: return "<phase>";
        case CodeParam::tls_alert: return "<tls alert>";
        case CodeParam::tls_certificate_alert: return "<tls certificate alert>";
        case CodeParam::neg_failure: return "<neg failure>";
        case CodeParam::icmp_reject: return "<icmp kind>";
    }
    return "";
}

std::vector<std::string> param_names(CodeParam p) {
    std::vector<std::string> out;
    if (p == CodeParam::none) return out;
    // The names the family's code gives its values (the first family with this parameter).
    for (VerdictCode c : all_verdict_codes()) {
        if (param_of(c) != p) continue;
        const std::size_t prefix = std::string_view(to_string(c)).size();
        for (const auto& s : expand(c))
            if (s.compare(prefix, 8, "unknown-") != 0) out.push_back(s.substr(prefix));
        break;
    }
    return out;
}

const char* param_note(CodeParam p) {
    switch (p) {
        case CodeParam::none: return "";
        case CodeParam::phase: return "a phase";
        case CodeParam::tls_alert: return "a TLS alert description (RFC 8446 6.2), `unknown-N` for a number without a name";
        case CodeParam::tls_certificate_alert: return "a TLS alert about the certificate";
        case CodeParam::neg_failure: return "an RDP_NEG_FAILURE failureCode (MS-RDPBCGR 2.2.1.2.2) in lower case, without `_by_server`";
        case CodeParam::icmp_reject: return "an ICMP error that rejects the connection";
    }
    return "";
}

const char* to_string(Confidence c) {
    switch (c) {
        case Confidence::high: return "high";
        case Confidence::medium: return "medium";
        case Confidence::low: return "low";
    }
    return "?";
}

const std::vector<RuleInfo>& rule_table() {
    static const std::vector<RuleInfo> table = [] {
        std::vector<RuleInfo> out;
        for (const auto& r : kRules) out.push_back(r.info);
        for (const auto& r : cross_connection_rules()) out.push_back(r);
        for (const auto& r : gateway_rules()) out.push_back(r);
        return out;
    }();
    return table;
}

bool rule_allows(std::string_view rule, Cause cause, VerdictCode code) {
    for (const auto& r : rule_table()) {
        if (rule != r.id) continue;
        return std::find(r.causes.begin(), r.causes.end(), cause) != r.causes.end() &&
               std::find(r.codes.begin(), r.codes.end(), code) != r.codes.end();
    }
    return false;
}

bool stall_waits_on_client(const Connection& c, const JudgeContext& ctx) {
    JudgeContext brief = ctx;
    brief.brief = true;  // only the code is read
    return judge(c, brief).code.code == VerdictCode::waiting_for_client;
}

Verdict judge(const Connection& c, const JudgeContext& ctx) {
    const Facts f(c, ctx);
    Verdict v;
    if (!ctx.brief) v.timeline = f.tl;
    v.phase = f.tl.reached;
    v.stalled_at = f.tl.next;
    const Rule* decided = nullptr;
    for (const auto& r : kRules) {
        if (!r.apply(f, v)) continue;
        decided = &r;
        break;
    }
    // The table declares what each rule may decide.
    assert(decided && rule_allows(decided->info.id, v.cause, v.code.code));
    if (v.cause == Cause::none) {
        v.stalled_at.reset();
        v.waiting_on.reset();
    }
    // A phase after the stall point cannot have completed.
    if (v.stalled_at && v.phase && static_cast<int>(*v.phase) >= static_cast<int>(*v.stalled_at)) {
        std::optional<Phase> before;
        for (const auto& s : f.tl.steps)
            if (s.done && static_cast<int>(s.phase) < static_cast<int>(*v.stalled_at)) before = s.phase;
        v.phase = before;
    }
    if (ctx.capture_drops) {
        // The verdict may rest on packets the capture never saw.
        if (v.confidence == Confidence::high) v.confidence = Confidence::medium;
        else v.confidence = Confidence::low;
    }
    if (ctx.brief) return v;
    if (decided) v.rule = decided->info.id;
    kerberos_notes(c, v);
    v.verdict = to_string(v.code);
    if (!v.client_codes) v.client_codes = client_codes_for(v.cause, v.code);
    std::sort(v.evidence.begin(), v.evidence.end(), [](const auto& a, const auto& b) { return a.frame < b.frame; });
    if (ctx.capture_drops)
        v.summary += fmt::format(" (The capture dropped {} packets while this connection was open: the verdict may "
                                 "depend on what it missed.)", ctx.capture_drops);
    return v;
}

}  // namespace rdpscope
