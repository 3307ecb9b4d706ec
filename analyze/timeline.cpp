// SPDX-License-Identifier: MIT
#include "analyze/timeline.hpp"

#include <algorithm>
#include <utility>

#include "dissect/rdp_neg.hpp"
#include "dissect/tls.hpp"

namespace rdpscope {

namespace {

// Encrypted record sizes that separate the small PDUs of the channel joins
// (Erect Domain, Attach User, Channel Join: under 40 bytes of plaintext) from
// the larger ones around them (Connect Initial/Response, Client Info,
// licensing, Demand Active: hundreds of bytes).  TLS adds 20-50 bytes.
constexpr std::uint32_t kSmallRecord = 100;
// "Sustained data": the server keeps sending after the Client Info.
constexpr int kSustainedRecords = 4;
constexpr std::uint64_t kSustainedBytes = 2000;
constexpr std::uint32_t kTls13MinRdpRecord = 24;
// "Established" whatever the ladder read: a session that runs makes the
// server send for long after the Connect Response (graphics), far more than
// the connection sequence's own records (about 2 KB in 20 records).
constexpr std::uint64_t kSessionBytes = 8000;
constexpr int kSessionRecords = 16;
constexpr std::int64_t kSessionSpanNs = 500'000'000;

// CredSSP plaintext sizes (bytes).  The Early User Authorization Result is a
// 4-byte code (MS-RDPBCGR 2.2.10.2).  A TSRequest with only version and
// errorCode (MS-CSSP 2.2.1) is 30 LL a0 03 02 01 VV a4 LL 02 NN + NN bytes
// (NN 1..5; Windows writes the NTSTATUS/HRESULT in 4): 12 to 16 bytes.  A
// TSRequest carrying a token or pubKeyAuth is larger: the smallest, a SPNEGO
// negTokenResp with only negState, takes 25.
constexpr std::uint32_t kEuarBytes = 4;
constexpr std::uint32_t kErrorTsRequestMin = 12, kErrorTsRequestMax = 16;
constexpr std::uint32_t kTokenTsRequestMin = 25;

struct SizeClass {
    bool euar = false, error = false, token = false;
};

Step make(Phase p) {
    Step s;
    s.phase = p;
    return s;
}

void start(Step& s, std::uint64_t frame, std::int64_t ts, const char* note = nullptr) {
    if (s.started || !frame) return;
    s.started = true;
    s.start_frame = frame;
    s.start_ts = ts;
    if (note) s.note = note;
}

void finish(Step& s, std::uint64_t frame, std::int64_t ts, const char* note = nullptr) {
    if (!frame) return;
    if (!s.started) start(s, frame, ts);
    s.done = true;
    s.end_frame = frame;
    s.end_ts = ts;
    if (note) s.note = note;
}

// CredSSP (MS-CSSP) runs after TLS only for HYBRID and HYBRID_EX.  RDSTLS and
// RDS AAD Auth authenticate the user inside TLS too, with PDUs of their own
// (MS-RDPBCGR 5.4.5.3, 5.4.5.4): not CredSSP, and the server speaks first.
bool is_nla(std::uint32_t protocol) {
    return protocol == rdpneg::PROTOCOL_HYBRID || protocol == rdpneg::PROTOCOL_HYBRID_EX;
}
bool is_rds_auth(std::uint32_t protocol) {
    return protocol == rdpneg::PROTOCOL_RDSTLS || protocol == rdpneg::PROTOCOL_RDSAAD;
}

// The RDSTLS Authentication Response (MS-RDPBCGR 2.2.17.4): Version, PduType,
// DataType (2 bytes each) and the 4-byte ResultCode.
constexpr std::uint32_t kRdstlsAuthResponseBytes = 10;

void tcp_step(const Connection& c, Step& s) {
    const auto& hs = c.tcp.handshake();
    const int cs = c.client_side(), ss = 1 - cs;
    if (hs.syn_frame || c.tcp.side(cs).syn) {
        const auto& f = c.tcp.side(cs);
        start(s, f.syn_frames[0] ? f.syn_frames[0] : hs.syn_frame, f.syn_ts_ns[0] ? f.syn_ts_ns[0] : hs.syn_ts_ns);
    }
    if (hs.syn_ack_frame && (hs.ack_frame || c.tcp.side(cs).bytes)) {
        finish(s, hs.ack_frame ? hs.ack_frame : hs.syn_ack_frame, hs.ack_frame ? hs.ack_ts_ns : hs.syn_ack_ts_ns);
    } else if (!c.tcp.side(cs).syn && !c.tcp.side(ss).syn_ack && (c.tcp.side(cs).bytes || c.tcp.side(ss).bytes)) {
        // The capture started after the TCP handshake: the data says it happened.
        finish(s, c.first_frame, c.first_ts, "the capture began after the TCP handshake");
        s.inferred = true;
    }
}

void x224_step(const Connection& c, Step& s) {
    const auto& n = c.rdp.neg;
    start(s, n.cr_frame, n.cr_ts);
    if (n.cc_frame && !n.failure_code && n.error.empty()) finish(s, n.cc_frame, n.cc_ts);
    else if (!n.cc_frame && c.rdp.tls.facts().server_hello_frame) {
        // The CC was not captured, but the server went on with TLS.
        finish(s, c.rdp.tls.facts().server_hello_frame, c.rdp.tls.facts().server_hello_ts,
               "Connection Confirm not captured; the server answered in TLS");
        s.inferred = true;
    }
}

void tls_step(const TlsFacts& t, Step& s) {
    start(s, t.client_hello_frame, t.client_hello_ts);
    if (!t.established) return;
    // TLS <= 1.2: the later of the two Finished; TLS 1.3: the client's first protected record.
    std::uint64_t end = std::max(t.finished_frame[0], t.finished_frame[1]);
    std::int64_t end_ts = std::max(t.finished_ts[0], t.finished_ts[1]);
    if (!end) {
        for (const auto& r : t.records)
            if (r.dir == Dir::c2s) { end = r.frame; end_ts = r.ts_ns; break; }
    }
    finish(s, end ? end : t.server_hello_frame, end ? end_ts : t.server_hello_ts);
}

// What a server record of CredSSP can be, from its plaintext length
// (MS-CSSP 2.2.1, MS-RDPBCGR 2.2.10.2); several when the cipher hides it.
SizeClass classify_credssp(const tls::RecordProtection& p, std::uint32_t record_length) {
    SizeClass k;
    if (const auto r = tls::plaintext_length(p, record_length)) {
        k.euar = r->contains(kEuarBytes);
        k.error = r->overlaps(kErrorTsRequestMin, kErrorTsRequestMax);
        k.token = r->hi >= kTokenTsRequestMin;
        return k;
    }
    return k;  // unknown protection: the sizes say nothing, the turns decide
}

// CredSSP inside TLS (MS-CSSP 3.1.5): the client and the server take turns,
// the client first, for as many rounds as the package needs (NTLM: 3 client
// and 2 server messages; Kerberos through SPNEGO, smartcard, Remote
// Credential Guard: 4 and 3 with Windows); the client's last message
// (authInfo, the credentials) is never answered with HYBRID, and with
// HYBRID_EX it is answered by the 4-byte Early User Authorization Result.
// So CredSSP ends where the turns break: two client records in a row (authInfo,
// then the MCS Connect Initial), or the Result.  A server that refuses the
// credentials answers with a TSRequest holding only version and errorCode
// (CredSSP 3, 4, 6) and closes; CredSSP 2 and 5 servers just close.
template <class Housekeeping>
void credssp_records(const TlsFacts& t, std::size_t from, bool hybrid_ex, Housekeeping housekeeping, RecordPhases& r) {
    const auto& rec = t.records;
    const auto prot = tls::record_protection(t.cipher_suite.value_or(0), t.version.value_or(0));
    r.size_known = prot.kind != tls::RecordProtection::Kind::unknown;
    int c = 0, s = 0;
    std::optional<std::size_t> last_client;
    bool last_was_client = false;
    auto next_record = [&](std::size_t k) -> std::optional<std::size_t> {
        for (++k; k < rec.size(); ++k)
            if (!housekeeping(k)) return k;
        return std::nullopt;
    };
    for (std::size_t i = from; i < rec.size(); ++i) {
        if (housekeeping(i)) continue;
        if (rec[i].dir == Dir::c2s) {
            // authInfo follows the server's pubKeyAuth: at least NTLM's 3
            // client and 2 server messages (a client that sends on without
            // waiting, as brute-force tools do, is not done before that).
            // With HYBRID_EX the Result always separates the two.
            if (!hybrid_ex && last_was_client && c >= 3 && s >= 2) {
                r.auth_info = last_client;
                r.mcs_request = i;
                break;
            }
            ++c;
            last_client = i;
            last_was_client = true;
            continue;
        }
        const SizeClass k = classify_credssp(prot, rec[i].length);
        const bool answers_client = last_was_client;
        last_was_client = false;
        // The Result follows authInfo, which follows the server's pubKeyAuth:
        // at least 3 client and 2 server messages before it.
        if (hybrid_ex && answers_client && k.euar && c >= 3 && s >= 2) {
            const auto next = next_record(i);
            const bool client_goes_on = next && rec[*next].dir == Dir::c2s;
            ++s;
            r.auth_info = last_client;
            r.euar = i;
            if (client_goes_on) r.mcs_request = *next;
            else r.euar_may_be_error = k.error;
            break;
        }
        ++s;
        if (answers_client && k.error && !k.euar) {
            // The error TSRequest, when the client answers nothing more (with
            // CBC a 25-27-byte token would share the size; the client would answer it).
            bool client_after = false;
            for (auto n = next_record(i); n && !client_after; n = next_record(*n)) client_after = rec[*n].dir == Dir::c2s;
            if (!client_after) {
                r.credssp_error = i;
                break;
            }
        }
    }
    r.credssp_c2s = c;
    r.credssp_s2c = s;
    // The client sent the last record, at least NTLM's 3 against 2, and
    // nothing followed: authInfo, unanswered by design (an authenticate-only
    // client), as far as the turns tell.
    if (!hybrid_ex && !r.auth_info && !r.credssp_error && last_was_client && c >= 3 && s >= 2)
        r.auth_info = last_client;
    if (!hybrid_ex || r.euar || r.credssp_error) return;
    // HYBRID_EX without a record the size of the Result (padding, an unknown
    // suite): NTLM's count, 3 client and 2 server messages, then the Result.
    c = s = 0;
    for (std::size_t i = from; i < rec.size(); ++i) {
        if (housekeeping(i)) continue;
        if (c < 3 || s < 2) {
            (rec[i].dir == Dir::c2s ? c : s)++;
            if (rec[i].dir == Dir::c2s) last_client = i;
            continue;
        }
        if (!r.euar) {
            if (rec[i].dir == Dir::c2s) continue;  // client records before the Result
            r.auth_info = last_client;
            r.euar = i;
            r.euar_by_count = true;
            continue;
        }
        if (rec[i].dir == Dir::c2s) { r.mcs_request = i; break; }
    }
}

// RDSTLS (MS-RDPBCGR 5.4.5.3) and RDS AAD Auth (5.4.5.4) after TLS: the server
// opens with the RDSTLS Capabilities PDU (2.2.17.1, 8 bytes) or the RDS AAD
// Server Nonce PDU (2.2.18.1, a JSON text with `ts_nonce`); the client answers
// with its Authentication Request (2.2.17.2 / 2.2.17.3: the redirection GUID,
// user, domain and password cookie, or an auto-reconnect cookie; 2.2.18.2:
// the signed RDP assertion, kilobytes); the server with the RDSTLS
// Authentication Response (2.2.17.4, 10 bytes whatever the ResultCode) or the
// RDS AAD Authentication Result (2.2.18.3).  A client that was let in goes on
// with the MCS Connect Initial.  `from`: the first record after the TLS
// handshake (TLS 1.3: after the client's Finished).
template <class Housekeeping>
void rds_records(const TlsFacts& t, std::size_t from, bool rdstls, Housekeeping housekeeping, RecordPhases& r) {
    const auto& rec = t.records;
    const auto prot = tls::record_protection(t.cipher_suite.value_or(0), t.version.value_or(0));
    r.size_known = prot.kind != tls::RecordProtection::Kind::unknown;
    auto next = [&](Dir d, std::size_t k) -> std::optional<std::size_t> {
        for (; k < rec.size(); ++k)
            if (rec[k].dir == d && !housekeeping(k)) return k;
        return std::nullopt;
    };
    r.rds_offer = next(Dir::s2c, from);
    if (!r.rds_offer) return;
    r.rds_request = next(Dir::c2s, *r.rds_offer + 1);
    if (!r.rds_request) return;
    r.first_client = r.rds_request;
    r.rds_result = next(Dir::s2c, *r.rds_request + 1);
    if (!r.rds_result) return;
    if (rdstls)
        if (const auto p = tls::plaintext_length(prot, rec[*r.rds_result].length))
            r.rds_result_sized = p->contains(kRdstlsAuthResponseBytes);
    r.mcs_request = next(Dir::c2s, *r.rds_result + 1);
}

// The phases of the connection sequence read from decrypted TLS: the MCS
// Connect Initial / Response, Erect Domain to the last Channel Join Confirm
// (none when both sides skip the joins, 2.2.1.3.2 / 2.2.1.4.2), Client Info
// to Confirm Active (licensing and the capability exchange, 2.2.1.11 -
// 2.2.1.13), and finalization to the server's Font Map (2.2.1.22), or
// sustained server output.
void decrypted_sequence(const McsFacts& m, Step& mcs, Step& join, Step& settings, Step& est) {
    for (Step* s : {&mcs, &join, &settings, &est}) *s = make(s->phase);
    for (Step* s : {&mcs, &join, &settings, &est}) s->decrypted = true;
    start(mcs, m.connect_initial_frame, m.connect_initial_ts, "MCS Connect Initial (decrypted)");
    if (m.connect_response_frame && m.connect_result.value_or(1) == 0)
        finish(mcs, m.connect_response_frame, m.connect_response_ts, "MCS Connect Response, result 0 (decrypted)");
    if (m.erect_domain_frame) start(join, m.erect_domain_frame, m.erect_domain_ts, "Erect Domain (decrypted)");
    else start(join, m.attach_user_request_frame, m.attach_user_request_ts, "Attach User (decrypted)");
    const bool attached = m.attach_user_confirm_frame && m.attach_user_result.value_or(1) == 0;
    if (attached && !m.failed_join_result) {
        if (m.channel_join_requests > 0 && m.channel_join_confirms >= m.channel_join_requests)
            finish(join, m.last_channel_join_confirm_frame, 0, "every Channel Join confirmed (decrypted)");
        else if (m.channel_join_requests == 0 && m.client_info_frame)
            finish(join, m.attach_user_confirm_frame, m.attach_user_confirm_ts, "Attach User confirmed, joins skipped (decrypted)");
    }
    start(settings, m.client_info_frame, m.client_info_ts, "Client Info (decrypted)");
    if (m.client_info_frame && m.confirm_active_frame)
        finish(settings, m.confirm_active_frame, m.confirm_active_ts,
               "licensing and capabilities exchanged: Confirm Active (decrypted)");
    if (m.confirm_active_frame) start(est, m.confirm_active_frame, m.confirm_active_ts);
    if (m.font_map_frame)
        finish(est, m.font_map_frame, m.font_map_ts, "finalization complete: the server's Font Map (decrypted)");
    else if (m.confirm_active_frame && m.pdus_after_client_info[1] + m.fastpath_pdus[1] >= static_cast<std::uint64_t>(kSustainedRecords))
        finish(est, m.last_server_pdu_frame, m.last_server_pdu_ts, "the server keeps sending (decrypted)");
}

// A capture gap stops the reading of the records (TLS records cannot be found
// again after missing bytes; standard security's PDUs neither).  What went
// by after it still counts: a server that sends a session's worth of output
// after the gap (the same figures as for encrypted records: 8 KB in 16
// segments over half a second, far beyond the connection sequence's ~2 KB)
// ran the session, so every phase the capture lost happened.  Implied, not
// read: the steps say so and the verdict's confidence drops (rule complete).
void implied_after_gap(const Connection& c, Timeline& tl) {
    if (!c.first_gap || tl.steps.size() <= 2) return;
    bool all_done = true;
    for (const auto& s : tl.steps) all_done &= s.done;
    if (all_done) return;
    const int ss = 1 - c.client_side();
    const auto& g = *c.first_gap;
    const auto& st = c.stats[ss];
    const std::uint64_t bytes = st.bytes - std::min(st.bytes, g.bytes[ss]);
    const std::uint64_t packets = st.packets - std::min(st.packets, g.packets[ss]);
    if (bytes < kSessionBytes || packets < static_cast<std::uint64_t>(kSessionRecords) ||
        st.last_ts - g.ts_ns < kSessionSpanNs)
        return;
    for (auto& s : tl.steps) {
        if (s.done) continue;
        s.inferred = true;
        if (s.phase == Phase::established) finish(s, st.last_frame, st.last_ts, "the server kept sending a session's output after the capture gap");
        else finish(s, g.frame, g.ts_ns, "lost in the capture gap; implied by the session output after it");
    }
    tl.implied_after_gap = true;
}

}  // namespace

const char* to_string(Rung r) {
    switch (r) {
        case Rung::tcp_syn: return "tcp_syn";
        case Rung::tcp_connect: return "tcp_connect";
        case Rung::not_rdp: return "not_rdp";
        case Rung::x224_request: return "x224_request";
        case Rung::x224_confirm: return "x224_confirm";
        case Rung::tls_started: return "tls_started";
        case Rung::mcs_started: return "mcs_started";
    }
    return "?";
}

Rung furthest_rung(const Connection& c) {
    const int cs = c.client_side(), ss = 1 - cs;
    const auto& r = c.rdp;
    if (r.sides[cs].secured_first_frame || r.sides[ss].secured_first_frame)
        return r.neg.effective_protocol().value_or(0) != 0 ? Rung::tls_started : Rung::mcs_started;
    if (r.neg.cc_frame) return Rung::x224_confirm;
    if (r.neg.cr_frame) return Rung::x224_request;
    if (!r.not_rdp_reason.empty()) return Rung::not_rdp;
    const bool answered = c.stats[ss].syn_ack || c.stats[ss].bytes || c.stats[cs].bytes;
    if (answered && !c.stats[ss].rst) return Rung::tcp_connect;
    if (c.stats[cs].syn || c.stats[ss].rst) return Rung::tcp_syn;
    return Rung::tcp_connect;  // captured mid-stream: the connection existed
}

const char* to_string(SessionEnd::How h) {
    switch (h) {
        case SessionEnd::How::fin: return "fin";
        case SessionEnd::How::reset: return "reset";
        case SessionEnd::How::tls_alert: return "tls_alert";
    }
    return "?";
}

std::optional<SessionEnd> session_end(const Connection& c) {
    const int cs = c.client_side(), ss = 1 - cs;
    std::optional<SessionEnd> e;
    auto consider = [&](int side, std::uint64_t frame, std::int64_t ts, SessionEnd::How how) {
        if (!frame || (e && e->frame <= frame)) return;
        if (!e) e.emplace();
        e->by_client = side == cs;
        e->how = how;
        e->frame = frame;
        e->ts_ns = ts;
    };
    const auto& ct = c.tcp.side(cs);
    const auto& st = c.tcp.side(ss);
    consider(cs, ct.first_fin_frame, ct.first_fin_ts_ns, SessionEnd::How::fin);
    consider(ss, st.first_fin_frame, st.first_fin_ts_ns, SessionEnd::How::fin);
    for (const auto& r : c.tcp.resets()) consider(r.side, r.frame, r.ts_ns, SessionEnd::How::reset);
    const TlsFacts& t = c.rdp.tls.facts();
    for (const auto& a : t.alerts)
        consider(a.from == Dir::c2s ? cs : ss, a.frame, a.ts_ns, SessionEnd::How::tls_alert);
    if (!e) return e;
    if (t.last_app_frame[1] && t.last_app_frame[1] <= e->frame) {
        e->last_server_record_frame = t.last_app_frame[1];
        e->last_server_record_length = t.last_app_length[1];
        const auto prot = tls::record_protection(t.cipher_suite.value_or(0), t.version.value_or(0));
        if (const auto p = tls::plaintext_length(prot, t.last_app_length[1])) e->ultimatum_sized = p->contains(9);
    }
    const McsFacts& m = c.rdp.mcs.facts();
    e->ultimatum_frame = m.disconnect_frame;
    e->decrypted = m.decrypted;
    if (m.disconnect_frame && m.disconnect_frame <= e->frame) {
        if (m.disconnect_from) e->ultimatum_by_client = *m.disconnect_from == Dir::c2s;
        e->ultimatum_reason = m.disconnect_reason;
    }
    if (m.error_info && m.error_info_frame <= e->frame) {
        e->error_info = m.error_info;
        e->error_info_frame = m.error_info_frame;
    }
    return e;
}

const Step* Timeline::step(Phase p) const {
    for (const auto& s : steps)
        if (s.phase == p) return &s;
    return nullptr;
}

RecordPhases infer_record_phases(const TlsFacts& t, std::uint32_t protocol) {
    const bool nla = is_nla(protocol), hybrid_ex = protocol == rdpneg::PROTOCOL_HYBRID_EX;
    RecordPhases r;
    const auto& rec = t.records;
    std::size_t i = 0;
    // TLS 1.3: the server's encrypted handshake flight and the client's
    // Finished travel as application-data records; so do session tickets.
    // Both protocols after TLS start with the client (CredSSP negotiate, or
    // the MCS Connect Initial), so server records before the first real client
    // record are TLS housekeeping.
    const bool tls13 = t.version == tls::kTLSv13;
    // TLS 1.3 hides alerts in application-data records: a 2-byte alert makes a
    // 19-byte record, while the smallest RDP PDU (8 bytes) makes 25.
    // (The 4-byte Early User Authorization Result makes 21: an alert is 2 bytes
    // of plaintext exactly; with an unknown suite, anything under 24.)
    const auto prot = tls::record_protection(t.cipher_suite.value_or(0), t.version.value_or(0));
    auto is_alert = [&](const TlsRecordNote& n) {
        if (!tls13) return false;
        if (const auto p = tls::plaintext_length(prot, n.length)) return p->hi <= 2;
        return n.length < kTls13MinRdpRecord;
    };
    // TLS 1.3 session tickets (OpenSSL sends two of the same size) come after
    // the client's Finished and may overtake the server's first RDP answer.
    std::size_t ticket_a = rec.size(), ticket_b = rec.size();
    if (tls13) {
        std::size_t finished = rec.size();
        for (std::size_t k = 0; k < rec.size(); ++k)
            if (rec[k].dir == Dir::c2s) { finished = k; break; }
        std::vector<std::size_t> s2c;
        for (std::size_t k = finished + 1; k < rec.size() && s2c.size() < 2; ++k)
            if (rec[k].dir == Dir::s2c) s2c.push_back(k);
        if (s2c.size() == 2 && rec[s2c[0]].length == rec[s2c[1]].length && rec[s2c[0]].length >= kSmallRecord) {
            ticket_a = s2c[0];
            ticket_b = s2c[1];
        }
    }
    auto housekeeping = [&](std::size_t k) { return k == ticket_a || k == ticket_b || is_alert(rec[k]); };
    if (is_rds_auth(protocol)) {
        std::size_t from = 0;
        if (tls13)
            for (std::size_t k = 0; k < rec.size(); ++k)
                if (rec[k].dir == Dir::c2s && !is_alert(rec[k])) { from = k + 1; break; }
        rds_records(t, from, protocol == rdpneg::PROTOCOL_RDSTLS, housekeeping, r);
    }
    bool skipped_client_finished = !tls13;
    for (; i < rec.size(); ++i) {
        if (rec[i].dir == Dir::s2c || is_alert(rec[i])) continue;
        if (!skipped_client_finished) { skipped_client_finished = true; continue; }
        break;
    }
    if (i < rec.size()) r.first_client = i;
    if (nla) credssp_records(t, i, hybrid_ex, housekeeping, r);
    else if (is_rds_auth(protocol)) r.first_client = r.rds_request;
    else if (r.first_client) r.mcs_request = r.first_client;
    if (!r.mcs_request) return r;
    for (i = *r.mcs_request + 1; i < rec.size(); ++i)
        if (rec[i].dir == Dir::s2c && !housekeeping(i)) { r.mcs_response = i; break; }
    if (!r.mcs_response) return r;
    // Channel joins: small records both ways, until the first large one.
    for (i = *r.mcs_response + 1; i < rec.size(); ++i) {
        if (housekeeping(i)) continue;
        if (rec[i].length < kSmallRecord) { r.join_end = i; continue; }
        // A large client record right after the Connect Response: the joins
        // were skipped (RNS_UD_SC_SKIP_CHANNELJOIN_SUPPORTED, MS-RDPBCGR 2.2.1.4.2).
        if (rec[i].dir == Dir::c2s) r.client_info = i;
        break;
    }
    // The server's output after the Connect Response, whatever its phases:
    // a session that runs sends graphics for a long time.
    for (i = *r.mcs_response + 1; i < rec.size(); ++i) {
        if (rec[i].dir != Dir::s2c || housekeeping(i)) continue;
        ++r.s2c_records_after_response;
        r.s2c_bytes_after_response += rec[i].length;
    }
    std::uint64_t noted_s2c = 0, noted_s2c_bytes = 0;
    for (const auto& x : rec)
        if (x.dir == Dir::s2c) { ++noted_s2c; noted_s2c_bytes += x.length; }
    if (t.app_records[1] > noted_s2c) {
        r.s2c_records_after_response += static_cast<int>(t.app_records[1] - noted_s2c);
        r.s2c_bytes_after_response += t.app_bytes[1] - noted_s2c_bytes;
    }
    r.s2c_span_after_response_ns = t.last_app_ts[1] - rec[*r.mcs_response].ts_ns;
    if (!r.client_info) return r;
    for (i = *r.client_info + 1; i < rec.size(); ++i) {
        if (rec[i].dir != Dir::s2c) continue;
        if (!r.settings_reply && rec[i].length >= kSmallRecord) r.settings_reply = i;
        ++r.s2c_records_after_settings;
        r.s2c_bytes_after_settings += rec[i].length;
    }
    // Beyond the noted records, the counters carry on.
    if (t.app_records[1] > noted_s2c) {
        r.s2c_records_after_settings += static_cast<int>(t.app_records[1] - noted_s2c);
        r.s2c_bytes_after_settings += t.app_bytes[1] - noted_s2c_bytes;
    }
    return r;
}

Timeline build_timeline(const Connection& c) {
    Timeline tl;
    tl.steps.reserve(10);  // every phase at most once: no regrowth (judged once per connection, floods too)
    const auto& neg = c.rdp.neg;
    const auto protocol = neg.effective_protocol();

    Step tcp = make(Phase::tcp_connect);
    tcp_step(c, tcp);
    tl.steps.push_back(std::move(tcp));
    Step x224 = make(Phase::x224_negotiation);
    x224_step(c, x224);
    tl.steps.push_back(std::move(x224));

    if (protocol && *protocol != 0) {
        // Enhanced RDP security: everything after the X.224 exchange is inside TLS.
        const TlsFacts& t = c.rdp.tls.facts();
        Step tls = make(Phase::tls_handshake);
        tls_step(t, tls);
        tl.steps.push_back(std::move(tls));
        const bool nla = is_nla(*protocol);
        const bool rds = is_rds_auth(*protocol);
        tl.records = infer_record_phases(t, *protocol);
        const RecordPhases& rp = *tl.records;
        auto at = [&](std::size_t i) { return t.records[i]; };
        Step cred = make(Phase::credssp), mcs = make(Phase::mcs_connect), join = make(Phase::channel_join),
             settings = make(Phase::secure_settings), est = make(Phase::established);
        Step auth = make(*protocol == rdpneg::PROTOCOL_RDSTLS ? Phase::rdstls : Phase::rdsaad);
        for (Step* s : {&cred, &auth, &mcs, &join, &settings, &est}) s->inferred = true;
        if (rds) {
            // The server's offer starts it; its answer ends it when the client
            // goes on (MS-RDPBCGR 5.4.5.3 / 5.4.5.4): success and refusal have
            // one size (RDSTLS) or one shape (RDS AAD), the next step tells.
            if (rp.rds_offer) start(auth, at(*rp.rds_offer).frame, at(*rp.rds_offer).ts_ns);
            if (rp.rds_result && rp.mcs_request)
                finish(auth, at(*rp.rds_result).frame, at(*rp.rds_result).ts_ns,
                       *protocol == rdpneg::PROTOCOL_RDSTLS
                           ? "the RDSTLS Authentication Response, then the client's Connect Initial"
                           : "the RDS AAD Authentication Result, then the client's Connect Initial");
        }
        if (nla) {
            if (rp.first_client) start(cred, at(*rp.first_client).frame, at(*rp.first_client).ts_ns);
            if (rp.euar && !rp.euar_may_be_error)
                finish(cred, at(*rp.euar).frame, at(*rp.euar).ts_ns,
                       rp.euar_by_count ? "the Early User Authorization Result (placed by NTLM's message count)"
                                        : "the Early User Authorization Result (a 4-byte record)");
            else if (rp.auth_info && !rp.euar)
                finish(cred, at(*rp.auth_info).frame, at(*rp.auth_info).ts_ns,
                       rp.mcs_request ? "authInfo: the client's last CredSSP record, the Connect Initial follows"
                                      : "authInfo: the client's last CredSSP record, unanswered");
        }
        if (rp.mcs_request) start(mcs, at(*rp.mcs_request).frame, at(*rp.mcs_request).ts_ns);
        if (rp.mcs_response) finish(mcs, at(*rp.mcs_response).frame, at(*rp.mcs_response).ts_ns);
        if (rp.mcs_response && *rp.mcs_response + 1 < t.records.size())
            start(join, at(*rp.mcs_response + 1).frame, at(*rp.mcs_response + 1).ts_ns);
        if (rp.client_info && rp.join_end) finish(join, at(*rp.join_end).frame, at(*rp.join_end).ts_ns);
        if (rp.client_info) start(settings, at(*rp.client_info).frame, at(*rp.client_info).ts_ns);
        if (rp.settings_reply) finish(settings, at(*rp.settings_reply).frame, at(*rp.settings_reply).ts_ns);
        if (rp.settings_reply &&
            (rp.s2c_records_after_settings >= kSustainedRecords || rp.s2c_bytes_after_settings >= kSustainedBytes))
            finish(est, t.last_app_frame[1], t.last_app_ts[1], "the server keeps sending (encrypted)");
        if (!est.done && rp.mcs_response && rp.s2c_bytes_after_response >= kSessionBytes &&
            rp.s2c_records_after_response >= kSessionRecords && rp.s2c_span_after_response_ns >= kSessionSpanNs) {
            // The ladder lost its place (joins or settings it could not read),
            // but the server sent a session's worth of output after the
            // Connect Response: the connection sequence completed.
            const auto& resp = at(*rp.mcs_response);
            for (Step* s : {&join, &settings})
                if (!s->done) finish(*s, resp.frame, resp.ts_ns, "implied by the session output that followed");
            finish(est, t.last_app_frame[1], t.last_app_ts[1], "the server kept sending a session's output (encrypted)");
        }
        if (nla && t.decryption && t.decryption->credssp_read()) {
            // With keys, CredSSP is read, not inferred (MS-CSSP 3.1.5): it
            // starts with the client's first TSRequest and ends with the
            // server's Early User Authorization Result granting access
            // (HYBRID_EX) or, under HYBRID, the client going on to the MCS
            // Connect Initial after its authInfo.  An errorCode ends nothing.
            const DecryptFacts& d = *t.decryption;
            Step read = make(Phase::credssp);
            read.decrypted = true;
            start(read, d.ts_requests.front().frame, d.ts_requests.front().ts_ns);
            if (d.euar && *d.euar == 0)
                finish(read, d.euar_frame, d.euar_ts, "the Early User Authorization Result grants access (decrypted)");
            else if (!d.euar && !d.error_code && d.auth_info_frame && d.credssp_end_frame)
                finish(read, d.auth_info_frame, d.auth_info_ts, "authInfo sent, then the Connect Initial (decrypted)");
            cred = read;
        }
        if (c.rdp.mcs.facts().decrypted && c.rdp.mcs.facts().started()) {
            // With keys the connection sequence is read, not inferred: the
            // phases come from the decoded PDUs (MS-RDPBCGR 1.3.1.1).
            decrypted_sequence(c.rdp.mcs.facts(), mcs, join, settings, est);
        }
        if (nla) tl.steps.push_back(std::move(cred));
        if (rds) tl.steps.push_back(std::move(auth));
        for (Step* s : {&mcs, &join, &settings, &est}) tl.steps.push_back(std::move(*s));
    } else if (protocol) {
        // Standard RDP security: the connection sequence is in clear.
        const McsFacts& m = c.rdp.mcs.facts();
        Step mcs = make(Phase::mcs_connect), join = make(Phase::channel_join), sec = make(Phase::security_exchange),
             settings = make(Phase::secure_settings), est = make(Phase::established);
        start(mcs, m.connect_initial_frame, m.connect_initial_ts);
        if (m.connect_response_frame && m.connect_result.value_or(1) == 0)
            finish(mcs, m.connect_response_frame, m.connect_response_ts);
        start(join, m.erect_domain_frame ? m.erect_domain_frame : m.attach_user_request_frame, 0);
        if (m.attach_user_confirm_frame && m.attach_user_result.value_or(1) == 0 && !m.failed_join_result &&
            m.channel_join_requests > 0 && m.channel_join_confirms >= m.channel_join_requests)
            finish(join, m.last_channel_join_confirm_frame, 0);
        const bool encrypted = m.server_encryption_method.value_or(0) != 0;
        start(sec, m.security_exchange_frame, 0);
        if (m.security_exchange_frame) finish(sec, m.security_exchange_frame, 0);
        start(settings, m.client_info_frame, 0);
        if (m.client_info_frame && m.pdus_after_client_info[1] > 0)
            finish(settings, m.license_frame ? m.license_frame : m.last_server_pdu_frame, 0);
        if (m.client_info_frame && m.pdus_after_client_info[1] >= static_cast<std::uint64_t>(kSustainedRecords))
            finish(est, m.last_server_pdu_frame, m.last_server_pdu_ts, "the server keeps sending");
        tl.steps.push_back(std::move(mcs));
        tl.steps.push_back(std::move(join));
        if (encrypted) tl.steps.push_back(std::move(sec));
        tl.steps.push_back(std::move(settings));
        tl.steps.push_back(std::move(est));
    }
    implied_after_gap(c, tl);
    // The furthest phase completed, and the first one that is not.
    for (const auto& s : tl.steps) {
        if (s.done) tl.reached = s.phase;
        else if (!tl.next) tl.next = s.phase;
    }
    // Phases done after a missing one (e.g. data seen while the capture missed
    // an earlier step) count: the first undone phase after the last done one.
    if (tl.reached) {
        tl.next.reset();
        bool after = false;
        for (const auto& s : tl.steps) {
            if (s.phase == *tl.reached) { after = true; continue; }
            if (after && !s.done) { tl.next = s.phase; break; }
        }
    }
    if (tl.steps.size() <= 2 && !protocol) {
        // The negotiation never finished: everything after it is unknown.
        if (!tl.next) tl.next = Phase::x224_negotiation;
    }
    return tl;
}

}  // namespace rdpscope
