// SPDX-License-Identifier: MIT
#include "analyze/timeline.hpp"

#include <algorithm>

#include "dissect/rdp_neg.hpp"

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

bool is_nla(std::uint32_t protocol) {
    return protocol == rdpneg::PROTOCOL_HYBRID || protocol == rdpneg::PROTOCOL_HYBRID_EX ||
           protocol == rdpneg::PROTOCOL_RDSTLS || protocol == rdpneg::PROTOCOL_RDSAAD;
}

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

const Step* Timeline::step(Phase p) const {
    for (const auto& s : steps)
        if (s.phase == p) return &s;
    return nullptr;
}

RecordPhases infer_record_phases(const TlsFacts& t, bool nla, bool hybrid_ex) {
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
    auto is_alert = [&](const TlsRecordNote& n) { return tls13 && n.length < kTls13MinRdpRecord; };
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
    bool skipped_client_finished = !tls13;
    for (; i < rec.size(); ++i) {
        if (rec[i].dir == Dir::s2c || is_alert(rec[i])) continue;
        if (!skipped_client_finished) { skipped_client_finished = true; continue; }
        break;
    }
    if (i < rec.size()) r.first_client = i;
    // NLA (NTLM): negotiate, authenticate (+pubKeyAuth), authInfo from the
    // client; challenge, pubKeyAuth (and with HYBRID_EX the 4-byte Early User
    // Authorization Result) from the server.  The client's fourth record is the
    // MCS Connect Initial.
    for (; i < rec.size(); ++i) {
        if (housekeeping(i)) continue;
        // The client's third CredSSP message (authInfo) follows the server's
        // second (pubKeyAuth); client records before that are retries.
        if (nla && (r.credssp_c2s < 3 || r.credssp_s2c < 2)) {
            (rec[i].dir == Dir::c2s ? r.credssp_c2s : r.credssp_s2c)++;
            continue;
        }
        if (nla && hybrid_ex && rec[i].dir == Dir::s2c && r.credssp_s2c < 3) {
            ++r.credssp_s2c;  // the Early User Authorization Result
            continue;
        }
        if (rec[i].dir == Dir::c2s) { r.mcs_request = i; break; }
        if (nla) ++r.credssp_s2c;
    }
    if (!r.mcs_request) return r;
    for (i = *r.mcs_request + 1; i < rec.size(); ++i)
        if (rec[i].dir == Dir::s2c && !housekeeping(i)) { r.mcs_response = i; break; }
    if (!r.mcs_response) return r;
    // Channel joins: small records both ways, until the first large one.
    for (i = *r.mcs_response + 1; i < rec.size(); ++i) {
        if (housekeeping(i)) continue;
        if (rec[i].length < kSmallRecord) { r.join_end = i; continue; }
        if (rec[i].dir == Dir::c2s && r.join_end) r.client_info = i;
        break;
    }
    if (!r.client_info) return r;
    for (i = *r.client_info + 1; i < rec.size(); ++i) {
        if (rec[i].dir != Dir::s2c) continue;
        if (!r.settings_reply && rec[i].length >= kSmallRecord) r.settings_reply = i;
        ++r.s2c_records_after_settings;
        r.s2c_bytes_after_settings += rec[i].length;
    }
    // Beyond the noted records, the counters carry on.
    std::uint64_t noted_s2c = 0, noted_s2c_bytes = 0;
    for (const auto& x : rec)
        if (x.dir == Dir::s2c) { ++noted_s2c; noted_s2c_bytes += x.length; }
    if (t.app_records[1] > noted_s2c) {
        r.s2c_records_after_settings += static_cast<int>(t.app_records[1] - noted_s2c);
        r.s2c_bytes_after_settings += t.app_bytes[1] - noted_s2c_bytes;
    }
    return r;
}

Timeline build_timeline(const Connection& c) {
    Timeline tl;
    const auto& neg = c.rdp.neg;
    const auto protocol = neg.effective_protocol();

    Step tcp = make(Phase::tcp_connect);
    tcp_step(c, tcp);
    tl.steps.push_back(tcp);
    Step x224 = make(Phase::x224_negotiation);
    x224_step(c, x224);
    tl.steps.push_back(x224);

    if (protocol && *protocol != 0) {
        // Enhanced RDP security: everything after the X.224 exchange is inside TLS.
        const TlsFacts& t = c.rdp.tls.facts();
        Step tls = make(Phase::tls_handshake);
        tls_step(t, tls);
        tl.steps.push_back(tls);
        const bool nla = is_nla(*protocol);
        tl.records = infer_record_phases(t, nla, *protocol == rdpneg::PROTOCOL_HYBRID_EX);
        const RecordPhases& rp = *tl.records;
        auto at = [&](std::size_t i) { return t.records[i]; };
        Step cred = make(Phase::credssp), mcs = make(Phase::mcs_connect), join = make(Phase::channel_join),
             settings = make(Phase::secure_settings), est = make(Phase::established);
        for (Step* s : {&cred, &mcs, &join, &settings, &est}) s->inferred = true;
        if (nla) {
            if (rp.first_client) start(cred, at(*rp.first_client).frame, at(*rp.first_client).ts_ns);
            if (rp.mcs_request) finish(cred, at(*rp.mcs_request - 1).frame, at(*rp.mcs_request - 1).ts_ns);
            else if (rp.credssp_c2s >= 3 && rp.credssp_s2c >= (*protocol == rdpneg::PROTOCOL_HYBRID_EX ? 3 : 2)) {
                // Authentication finished, the client never sent the Connect Initial.
                const auto& last = t.records[std::min(t.records.size(), static_cast<std::size_t>(rp.credssp_c2s + rp.credssp_s2c)) - 1];
                finish(cred, last.frame, last.ts_ns);
            }
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
        if (nla) tl.steps.push_back(cred);
        for (const Step& s : {mcs, join, settings, est}) tl.steps.push_back(s);
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
        tl.steps.push_back(mcs);
        tl.steps.push_back(join);
        if (encrypted) tl.steps.push_back(sec);
        tl.steps.push_back(settings);
        tl.steps.push_back(est);
    }
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
