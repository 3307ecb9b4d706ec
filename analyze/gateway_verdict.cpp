// SPDX-License-Identifier: MIT
#include "analyze/gateway_verdict.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "analyze/gateway_udp.hpp"
#include "dissect/kerberos.hpp"
#include "dissect/tsgu.hpp"

namespace rdpscope {

namespace {

using Transport = GatewayFacts::Transport;

struct GFacts {
    const Connection& c;
    const GatewayFacts& g;
    const TlsFacts& tls;
    const JudgeContext& ctx;
    int client = 0;

    const GatewayFacts::Response* last_response() const { return g.responses.empty() ? nullptr : &g.responses.back(); }
    bool tls_up() const { return tls.finished_frame[0] && tls.finished_frame[1]; }
    bool authorized() const { return g.upgrade_frame || (last_response() && last_response()->status == 200); }
    static bool ok(const GatewayFacts::Step& s) { return s.status && !tsgu::failed(*s.status); }
    static bool refused(const GatewayFacts::Step& s) { return s.status && tsgu::failed(*s.status); }
    // The furthest phase completed.
    std::optional<Phase> phase() const {
        if (ok(g.channel)) return Phase::gateway_channel;
        if (ok(g.tunnel_auth)) return Phase::gateway_tunnel;
        if (authorized()) return Phase::gateway_auth;
        if (c.tcp_established() && tls_up()) return Phase::gateway_connect;
        return std::nullopt;
    }
    Phase next() const {
        auto p = phase();
        if (!p) return Phase::gateway_connect;
        return *p == Phase::gateway_channel ? Phase::gateway_channel : static_cast<Phase>(static_cast<int>(*p) + 1);
    }
};

std::string status_words(std::uint32_t s) {
    const char* n = tsgu::status_name(s);
    const char* t = tsgu::status_text(s);
    if (n) return fmt::format("{} (0x{:08X}): {}", n, s, t);
    return fmt::format("HRESULT 0x{:08X}", s);
}

std::string schemes_text(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

using RuleFn = bool (*)(const GFacts&, Verdict&);

struct GatewayRule {
    RuleInfo info;
    RuleFn fn;
};

void add(Verdict& v, std::uint64_t frame, std::string note) {
    if (frame) v.evidence.push_back({frame, std::move(note)});
}

// The gateway connected to the target: the channel is open.
bool channel_open(const GFacts& f, Verdict& v) {
    if (!GFacts::ok(f.g.channel)) return false;
    v.cause = Cause::none;
    v.code = {VerdictCode::gateway_channel_open};
    v.confidence = Confidence::high;
    v.summary = fmt::format("the gateway opened a channel to {}:{}", f.g.target_host.empty() ? "the target" : f.g.target_host,
                            f.g.target_port);
    if (f.g.data_packets[0] || f.g.data_packets[1])
        v.summary += fmt::format("; {} data packets carried RDP ({} bytes to the target, {} back)",
                                 f.g.data_packets[0] + f.g.data_packets[1], f.g.data_bytes[0], f.g.data_bytes[1]);
    add(v, f.g.channel.request_frame, "channel create");
    add(v, f.g.channel.response_frame, "channel response: S_OK");
    add(v, f.g.first_data_frame[0], "first data packet to the target");
    return true;
}

// The channel was refused: the resource authorization policy, or the target did not answer the gateway.
bool channel_refused(const GFacts& f, Verdict& v) {
    if (!GFacts::refused(f.g.channel)) return false;
    const std::uint32_t s = *f.g.channel.status;
    const std::uint32_t low = s & 0xFFFF;
    v.stalled_at = Phase::gateway_channel;
    v.waiting_on = WaitingOn::server;
    v.confidence = Confidence::high;
    if (s == 0x800759DA) {
        v.cause = Cause::gateway_policy_denied;
        v.code = {VerdictCode::gateway_rap_denied};
    } else if (low == 0x59DD) {
        v.cause = Cause::server_unresponsive;
        v.code = {VerdictCode::gateway_target_unreachable};
    } else {
        v.cause = Cause::closed_by_server;
        v.code = {VerdictCode::gateway_channel_refused};
    }
    v.summary = fmt::format("the gateway refused the channel to {}:{}: {}",
                            f.g.target_host.empty() ? "the target" : f.g.target_host, f.g.target_port, status_words(s));
    add(v, f.g.channel.request_frame, "channel create");
    add(v, f.g.channel.response_frame, "channel response: " + status_words(s));
    return true;
}

// The tunnel was refused: at its creation or its authorization (the connection authorization policy).
bool tunnel_refused(const GFacts& f, Verdict& v) {
    const GatewayFacts::Step* st = nullptr;
    if (GFacts::refused(f.g.handshake)) st = &f.g.handshake;
    else if (GFacts::refused(f.g.tunnel)) st = &f.g.tunnel;
    else if (GFacts::refused(f.g.tunnel_auth) && *f.g.tunnel_auth.status != 0x800759ED) st = &f.g.tunnel_auth;
    if (!st) return false;
    const std::uint32_t s = *st->status;
    v.stalled_at = Phase::gateway_tunnel;
    v.waiting_on = WaitingOn::server;
    v.confidence = Confidence::high;
    if (s == 0x800759DB || s == 0x800759ED) {
        v.cause = Cause::gateway_policy_denied;
        v.code = {VerdictCode::gateway_cap_denied};
    } else if (s == 0x800759F8 || s == 0x800759F9) {
        v.cause = Cause::authentication_failure;
        v.code = {VerdictCode::gateway_tunnel_refused};
    } else {
        v.cause = Cause::closed_by_server;
        v.code = {VerdictCode::gateway_tunnel_refused};
    }
    const char* what = st == &f.g.handshake ? "handshake" : st == &f.g.tunnel ? "tunnel" : "tunnel authorization";
    v.summary = fmt::format("the gateway refused the {}: {}", what, status_words(s));
    add(v, st->request_frame, std::string(what) + " request");
    add(v, st->response_frame, std::string(what) + " response: " + status_words(s));
    return true;
}

// Why the client authenticated as it did, from the gateway's own KDC proxy
// (MS-KKDCP; mstsc asks https://<gateway>/KdcProxy for its Kerberos tickets
// when no KDC is in reach): a proxy that answered no 200 before the refusal
// left the client without Kerberos -- Negotiate then falls back to NTLM,
// which an account restricted from NTLM (a Protected Users member) may not
// use; a KRB-ERROR it carried that refuses the user (not PREAUTH_REQUIRED,
// the KDC's usual first answer) is the refusal's own cause.  The KDC proxy's
// connection is another TCP connection: tied by the client, the host and the
// time only (KerberosFlows::proxies_for), and the summary says so.
void kdc_proxy_cause(const GFacts& f, const GatewayFacts::Response& r, Verdict& v) {
    if (!f.c.gateway) return;
    const KdcProxyTie& t = f.c.gateway->kdc_proxy();
    const ProxyAnswer* failed = nullptr;
    for (const auto& a : t.failures)
        if (a.ts_ns <= r.ts_ns && a.frame < r.frame) failed = &a;  // the last before the refusal
    std::vector<const KerberosNote*> errors;
    for (const auto& n : t.errors)
        if (n.ts_ns <= r.ts_ns && n.frame < r.frame && refuses_user(n)) errors.push_back(&n);
    if (!failed && errors.empty()) return;
    // Whose answer was an NTLM message: the client authenticated with NTLM.
    const GatewayFacts::Response* ntlm = nullptr;
    for (const auto& x : f.g.responses)
        if (x.ntlm && x.frame <= r.frame && !ntlm) ntlm = &x;
    const auto host = [](const std::string& name, const Endpoint& ep) {
        return name.empty() ? to_string(ep.ip) : name;
    };
    // Said once, with the first mention of the KDC proxy's connection.
    std::string tie = fmt::format(", tied to this one by the client, the {} and the time only",
                                  t.by_name ? "server name" : "server address");
    if (failed) {
        v.summary += fmt::format("; before it, the gateway's KDC proxy ({}, connection #{}{}) answered the client's POST {} "
                                 "with HTTP {}{}{} (frame {}), so no Kerberos ticket came through it",
                                 host(failed->name, failed->server), failed->conn, tie, failed->path, failed->status,
                                 failed->reason.empty() ? "" : " ", failed->reason, failed->frame);
        tie.clear();
        if (ntlm) {
            v.summary += fmt::format("; the client authenticated with NTLM instead (the gateway's challenge in frame {} "
                                     "is an NTLM message)", ntlm->frame);
            if (r.reason.find("Restricted") != std::string::npos)
                v.summary += ", which an account restricted from NTLM (a Protected Users member) may not use";
        }
        add(v, failed->frame, fmt::format("the KDC proxy (connection #{}) answers POST {}: HTTP {}{}{}", failed->conn,
                                          failed->path, failed->status, failed->reason.empty() ? "" : " ", failed->reason));
    }
    if (!errors.empty()) {
        const KerberosNote& e = *errors.back();
        const auto name = krb::error_name(*e.error_code);
        v.summary += fmt::format("; through the gateway's KDC proxy (connection #{}{}) the KDC refused {}{} with {} ({}) "
                                 "(frame {})",
                                 e.flow, tie, e.cname.empty() ? "the user" : e.cname, e.crealm.empty() ? "" : "@" + e.crealm,
                                 name.empty() ? "a Kerberos error" : std::string(name), *e.error_code, e.frame);
        const auto meaning = krb::error_meaning(*e.error_code);
        if (!meaning.empty()) v.summary += fmt::format(": {}", meaning);
        for (std::size_t i = errors.size() > 3 ? errors.size() - 3 : 0; i < errors.size(); ++i) {
            const auto n = krb::error_name(*errors[i]->error_code);
            add(v, errors[i]->frame, fmt::format("KRB-ERROR {} ({}) through the KDC proxy (connection #{})",
                                                 n.empty() ? "?" : std::string(n), *errors[i]->error_code, errors[i]->flow));
        }
    }
    std::stable_sort(v.evidence.begin(), v.evidence.end(), [](const auto& a, const auto& b) { return a.frame < b.frame; });
}

// The gateway refused the user at the HTTP layer: its last answer a 401 (or
// 403), never the upgrade; Windows gateways give the cause in the reason phrase.
bool http_refused(const GFacts& f, Verdict& v) {
    const auto* r = f.last_response();
    if (!r || f.authorized() || (r->status != 401 && r->status != 403)) return false;
    v.stalled_at = Phase::gateway_auth;
    v.waiting_on = WaitingOn::server;
    v.cause = Cause::authentication_failure;
    v.code = {VerdictCode::gateway_auth_refused};
    // A first 401 is the challenge every client meets; refused after the
    // client answered it (a second 401, or a reason phrase of its own), sure.
    const bool answered = f.g.responses.size() >= 2 || (r->reason != "Unauthorized" && !r->reason.empty());
    v.confidence = answered ? Confidence::high : Confidence::medium;
    v.summary = fmt::format("the gateway refused the user: HTTP {}{}{}", r->status, r->reason.empty() ? "" : " ", r->reason);
    if (!r->schemes.empty()) v.summary += fmt::format(" (it offers {})", schemes_text(r->schemes));
    if (!answered) v.summary += "; the client did not answer the challenge (no credentials, or it gave up)";
    add(v, f.g.first_request_frame, f.g.method + " " + f.g.target);
    for (const auto& x : f.g.responses)
        add(v, x.frame, fmt::format("HTTP {} {}{}", x.status, x.reason, x.ntlm ? " (an NTLM challenge)" : ""));
    kdc_proxy_cause(f, *r, v);
    return true;
}

// Another HTTP error: no HTTP transport there (404, 405, 501: a client falls
// back to RPC over HTTP), the gateway unavailable (502-504), or another refusal.
bool http_error(const GFacts& f, Verdict& v) {
    const auto* r = f.last_response();
    if (!r || f.authorized() || r->status < 400) return false;
    v.stalled_at = Phase::gateway_auth;
    v.waiting_on = WaitingOn::server;
    v.code = {VerdictCode::gateway_http_error};
    v.confidence = Confidence::high;
    if (r->status == 404 || r->status == 405 || r->status == 501) v.cause = Cause::protocol_mismatch;
    else if (r->status >= 502 && r->status <= 504) v.cause = Cause::server_unresponsive;
    else v.cause = Cause::closed_by_server;
    v.summary = fmt::format("the gateway answered HTTP {} {}", r->status, r->reason);
    add(v, f.g.first_request_frame, f.g.method + " " + f.g.target);
    add(v, r->frame, fmt::format("HTTP {} {}", r->status, r->reason));
    return true;
}

// Without keys (nothing decrypted): the connection has the shape of one of
// MS-TSGU's transports (analyze/gateway_shape.hpp) -- a tunnel that carried
// data both ways for seconds, as one carrying an RDP session does.  What the
// gateway answered cannot be read; the TLS came up.
bool shape_tunnel(const GFacts& f, Verdict& v) {
    if (!f.c.gateway || f.g.transport != Transport::unknown || !f.tls_up()) return false;
    const GatewayShape& s = f.c.gateway->shape();
    if (s.kind != GatewayShape::Kind::http_pair && s.kind != GatewayShape::Kind::websocket) return false;
    v.cause = Cause::none;
    v.code = {VerdictCode::gateway_tunnel_shape};
    v.confidence = s.alpn_offered ? Confidence::low : Confidence::medium;
    v.summary = fmt::format("an RD Gateway tunnel {}; without the TLS keys the gateway's answers (authentication, "
                            "tunnel, channel) cannot be read, nor whether the RDP connection inside completed",
                            s.why);
    add(v, f.tls.client_hello_frame, f.tls.sni.empty() ? "ClientHello" : "ClientHello, SNI " + f.tls.sni);
    add(v, s.partner_first_frame, fmt::format("the other connection of the pair (#{}) starts", s.partner_conn));
    add(v, f.tls.last_app_frame[0], "the client's last record");
    add(v, f.tls.last_app_frame[1], "the server's last record");
    return true;
}

// Anything else: the ladder stopped without a refusal in the decrypted bytes.
bool stopped(const GFacts& f, Verdict& v) {
    const Phase next = f.next();
    v.stalled_at = next;
    v.confidence = Confidence::medium;
    const int c = f.client;
    const auto& cs = f.c.stats[c];
    const auto& ss = f.c.stats[1 - c];
    if (f.c.closed()) {
        const std::uint64_t cf = cs.first_rst_frame ? cs.first_rst_frame : cs.first_fin_frame;
        const std::uint64_t sf = ss.first_rst_frame ? ss.first_rst_frame : ss.first_fin_frame;
        const bool by_client = cf && (!sf || cf < sf);
        v.cause = by_client ? Cause::closed_by_client : Cause::closed_by_server;
        v.code = {VerdictCode::closed_during_, static_cast<std::uint32_t>(next)};
        v.waiting_on = by_client ? WaitingOn::client : WaitingOn::server;
        v.summary = fmt::format("the {} closed the gateway connection during {}", by_client ? "client" : "gateway",
                                to_string(next));
        add(v, by_client ? cf : sf, by_client ? "the client's close" : "the gateway's close");
    } else {
        v.cause = f.ctx.input_ended ? Cause::incomplete_capture : Cause::in_progress;
        v.code = {f.ctx.input_ended ? VerdictCode::capture_ended : VerdictCode::handshake_moving};
        v.summary = fmt::format("the capture ends with the gateway connection during {}", to_string(next));
    }
    if (!f.g.problem.empty()) {
        v.summary += "; " + f.g.problem;
        add(v, f.g.problem_frame, f.g.problem);
    }
    // Without keys, neither transport's shape: say what it may be, sure of little.
    if (f.c.gateway && f.g.transport == Transport::unknown && f.c.gateway->shape().kind == GatewayShape::Kind::possible) {
        const GatewayShape& s = f.c.gateway->shape();
        v.confidence = Confidence::low;
        v.summary += "; " + s.why;
        add(v, f.tls.client_hello_frame, f.tls.sni.empty() ? "ClientHello" : "ClientHello, SNI " + f.tls.sni);
        add(v, s.kdc_proxy_frame, fmt::format("ClientHello of the HTTP/2 connection #{} beside it", s.kdc_proxy_conn));
    }
    return true;
}

const std::vector<GatewayRule>& rules() {
    static const std::vector<GatewayRule> table = {
        {{"gateway_channel_open", {Cause::none}, {VerdictCode::gateway_channel_open},
          "RD Gateway (decrypted): the channel response is S_OK -- the gateway reached the target"},
         channel_open},
        {{"gateway_channel_refused",
          {Cause::gateway_policy_denied, Cause::server_unresponsive, Cause::closed_by_server},
          {VerdictCode::gateway_rap_denied, VerdictCode::gateway_target_unreachable, VerdictCode::gateway_channel_refused},
          "RD Gateway (decrypted): the channel response fails -- E_PROXY_RAP_ACCESSDENIED (the resource "
          "authorization policy), E_PROXY_TS_CONNECTFAILED (the gateway could not reach the target), or another HRESULT"},
         channel_refused},
        {{"gateway_tunnel_refused",
          {Cause::gateway_policy_denied, Cause::authentication_failure, Cause::closed_by_server},
          {VerdictCode::gateway_cap_denied, VerdictCode::gateway_tunnel_refused},
          "RD Gateway (decrypted): the handshake, tunnel or tunnel authorization response fails -- "
          "E_PROXY_NAP_ACCESSDENIED / E_PROXY_QUARANTINE_ACCESSDENIED (the connection authorization policy), "
          "a refused authentication cookie, or another HRESULT"},
         tunnel_refused},
        {{"gateway_http_refused", {Cause::authentication_failure}, {VerdictCode::gateway_auth_refused},
          "RD Gateway (decrypted): the gateway's last HTTP answer is 401 or 403, never the upgrade; high confidence "
          "when the client had answered a challenge (its reason phrase names the cause, e.g. User Account Restricted); "
          "the gateway's own KDC proxy (POST /KdcProxy to the same server name, else address, from the same client, "
          "before the refusal: tied by host and time only) answering no 200 -- no Kerberos, the client fell back to "
          "NTLM -- or carrying a KRB-ERROR that refuses the user is cited as the reason"},
         http_refused},
        {{"gateway_http_error",
          {Cause::protocol_mismatch, Cause::server_unresponsive, Cause::closed_by_server},
          {VerdictCode::gateway_http_error},
          "RD Gateway (decrypted): another HTTP error before the upgrade -- 404/405/501 (no HTTP transport), "
          "502-504 (unavailable), else a refusal"},
         http_error},
        {{"gateway_tunnel_shape", {Cause::none}, {VerdictCode::gateway_tunnel_shape},
          "RD Gateway without keys: TLS on a gateway port came up and the connection has a tunnel's shape -- one of a "
          "pair opened together to one server, one carrying mostly the server's data and the other the client's "
          "(MS-TSGU's HTTP transport, or RPC over HTTP), or one connection carrying kilobytes both ways for a second "
          "and more (the WebSocket transport); medium confidence, low when the client offered ALPN (mstsc's gateway "
          "client does not)"},
         shape_tunnel},
        {{"gateway_stopped",
          {Cause::closed_by_client, Cause::closed_by_server, Cause::incomplete_capture, Cause::in_progress},
          {VerdictCode::closed_during_, VerdictCode::capture_ended, VerdictCode::handshake_moving},
          "RD Gateway: none of the above -- the connection closed, or the capture ended, during the next gateway "
          "phase; without keys, HTTPS that may or may not be a gateway (no ALPN beside an HTTP/2 connection to the "
          "same server, a KDC proxy's shape, or a server --gateway names), low confidence"},
         stopped},
    };
    return table;
}

}  // namespace

namespace {

// The UDP transport's rules (judge_gateway_udp): a flow of its own, not a TCP
// connection's ladder.  MS-TSGU 1.3.3.1: the client sends its first DTLS
// packet "in a reliable manner" (again until the gateway answers, else the UDP
// channel fails), then after the handshake its CONNECT_PKT, answered by a
// CONNECT_PKT_RESP -- both encrypted, so without the DTLS keys whether the
// gateway accepted the UDP channel cannot be read.
const RuleInfo kUdpTransport{
    "gateway_udp_transport", {Cause::none}, {VerdictCode::gateway_udp_transport},
    "RD Gateway without keys: DTLS on a gateway UDP port (3391) answered by the gateway -- MS-TSGU's UDP transport; "
    "medium confidence when the DTLS handshake finished (encrypted records both ways) beside a TLS connection of the "
    "same client to the same gateway, low otherwise (alone it may be a scanner's probe); whether the gateway accepted "
    "the UDP channel (its CONNECT_PKT_RESP) and the RDP-UDP inside cannot be read"};
const RuleInfo kUdpUnanswered{
    "gateway_udp_unanswered", {Cause::server_unresponsive}, {VerdictCode::gateway_udp_unanswered},
    "RD Gateway without keys: only the client's DTLS records on a gateway UDP port, never an answer -- the gateway "
    "did not answer, or the path drops UDP 3391 (the capture cannot tell which); low confidence; the client keeps "
    "to the HTTP transport"};

}  // namespace

const std::vector<RuleInfo>& gateway_rules() {
    static const std::vector<RuleInfo> infos = [] {
        std::vector<RuleInfo> out;
        for (const auto& r : rules()) out.push_back(r.info);
        out.push_back(kUdpTransport);
        out.push_back(kUdpUnanswered);
        return out;
    }();
    return infos;
}

namespace {
std::string dtls_name(std::uint16_t v) {
    return v == 0xFEFD ? "DTLS 1.2" : v == 0xFEFF ? "DTLS 1.0" : fmt::format("DTLS (version 0x{:04X})", v);
}
}  // namespace

Verdict judge_gateway_udp(const GatewayUdpFacts& f) {
    Verdict v;
    const bool tied = f.tcp_conn.has_value();
    const std::string beside =
        tied ? fmt::format(" beside the TLS connection #{} of the same client to the same gateway", *f.tcp_conn)
             : " with no TLS connection of the same client to this gateway before it in the capture (its HTTPS "
               "transport outside the capture, or a scanner probing the port)";
    auto add = [&v](std::uint64_t frame, std::string note) {
        if (frame) v.evidence.push_back({frame, std::move(note)});
    };
    if (f.datagrams[1]) {
        v.rule = kUdpTransport.id;
        v.cause = Cause::none;
        v.code = {VerdictCode::gateway_udp_transport};
        v.phase = Phase::gateway_connect;
        const bool finished = f.encrypted_both_ways();
        v.confidence = tied && finished ? Confidence::medium : Confidence::low;
        std::string hs;
        if (finished)
            hs = fmt::format("the DTLS handshake finished ({}), encrypted records both ways",
                             f.version ? dtls_name(f.version) : "its ServerHello not seen");
        else if (f.handshake_answered())
            hs = "the gateway answered the ClientHello but the DTLS handshake did not finish in the capture";
        else
            hs = "no DTLS handshake seen in the clear";
        v.summary = fmt::format(
            "DTLS both ways on UDP {}{}: the RD Gateway's UDP transport (MS-TSGU 1.3.3); {}; {} records to the "
            "gateway, {} back; without keys whether the gateway accepted the UDP channel (its CONNECT_PKT_RESP) "
            "and the RDP-UDP inside cannot be read",
            f.server.port, beside, hs, f.records[0], f.records[1]);
    } else {
        v.rule = kUdpUnanswered.id;
        v.cause = Cause::server_unresponsive;
        v.code = {VerdictCode::gateway_udp_unanswered};
        v.stalled_at = Phase::gateway_connect;
        v.waiting_on = WaitingOn::server;
        v.confidence = Confidence::low;
        v.summary = fmt::format(
            "{} DTLS records in {} datagrams from the client to UDP {}{}, never answered: the gateway did not "
            "answer, or the path drops UDP {} (the capture cannot tell which); the client then keeps to the HTTP "
            "transport",
            f.records[0], f.datagrams[0], f.server.port, beside, f.server.port);
    }
    add(f.client_hello_frame, "the client's DTLS ClientHello");
    add(f.hello_verify_frame, "the gateway's HelloVerifyRequest");
    add(f.server_hello_frame, "the gateway's ServerHello");
    add(f.first_encrypted_frame[0], "the client's first encrypted record");
    add(f.first_encrypted_frame[1], "the gateway's first encrypted record");
    if (v.evidence.empty()) add(f.first_frame, "the first datagram");
    if (!f.datagrams[1] && f.last_frame != f.first_frame) add(f.last_frame, "the client's last datagram, unanswered");
    v.verdict = to_string(v.code);
    v.client_codes = client_codes_for(v.cause, v.code);
    return v;
}

Verdict judge_gateway(const Connection& c, const JudgeContext& ctx) {
    Verdict v;
    static const GatewayFacts empty;
    static const TlsFacts no_tls;
    const GFacts f{c, c.gateway ? c.gateway->facts() : empty, c.gateway ? c.gateway->tls() : no_tls, ctx,
                   c.client_side()};
    v.phase = f.phase();
    for (const auto& r : rules()) {
        if (!r.fn(f, v)) continue;
        v.rule = r.info.id;
        assert(rule_allows(v.rule, v.cause, v.code.code));
        break;
    }
    v.verdict = to_string(v.code);
    if (!v.client_codes) v.client_codes = client_codes_for(v.cause, v.code);
    return v;
}

}  // namespace rdpscope
