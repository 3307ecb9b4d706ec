// SPDX-License-Identifier: MIT
#include "analyze/tls_stage.hpp"

#include <type_traits>

#include "analyze/cert_cache.hpp"
#include "analyze/tls_decrypt.hpp"

namespace rdpscope {

namespace {

// A TSRequest is a few kilobytes at most (a certificate chain in a smartcard
// logon's Kerberos token is the largest); more than this buffered is not CredSSP.
constexpr std::size_t kMaxCredsspBuffer = 64 * 1024;

// The vector a segment's tls::Session events are gathered in, shared by
// every connection: each connection's own grew from empty, moving its large
// events as it grew (callgrind, NLA flood: 3% of the instructions; issue 16).
// Taken while in use, so a nested feed (a gateway's inner connection) has
// its own; not kept once a segment of many records has grown it past
// kSpareSessionEvents.
thread_local std::vector<tls::Event> spare_session_events;
constexpr std::size_t kSpareSessionEvents = 64;

}  // namespace

TlsStage::TlsStage() = default;
TlsStage::~TlsStage() = default;

// The session keeps a pointer to its observer (this stage): a moved stage
// points it at itself again.
TlsStage::TlsStage(TlsStage&& o) noexcept { *this = std::move(o); }

TlsStage& TlsStage::operator=(TlsStage&& o) noexcept {
    session_ = std::move(o.session_);
    facts_ = std::move(o.facts_);
    app_events_ = o.app_events_;
    keys_ = o.keys_;
    certs_ = o.certs_;
    rsa_ = o.rsa_;
    refresh_ = o.refresh_;
    nla_ = o.nla_;
    credssp_over_ = o.credssp_over_;
    rdp_plaintext_ = o.rdp_plaintext_;
    sink_ = nullptr;
    decryptor_ = std::move(o.decryptor_);
    credssp_buf_ = std::move(o.credssp_buf_);
    pending_ = std::move(o.pending_);
    frame_ = o.frame_;
    ts_ns_ = o.ts_ns_;
    gateway_sink_ = o.gateway_sink_;
    session_.set_observer(keys_ || rsa_ ? this : nullptr);
    o.session_.set_observer(nullptr);
    return *this;
}

void TlsStage::set_keys(const keylog::KeyLog* keys, const RsaKeys* rsa, bool nla) {
    keys_ = keys;
    rsa_ = rsa;
    nla_ = nla;
    session_.set_observer(keys_ || rsa_ ? this : nullptr);
}

bool TlsStage::failed(Dir dir) const { return session_.failed(dir); }

void TlsStage::feed(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out,
                    PlaintextSink* sink) {
    if (session_.failed(dir)) return;
    sink_ = sink;
    struct Reset {
        PlaintextSink*& s;
        ~Reset() { s = nullptr; }
    } reset{sink_};
    std::vector<tls::Event> events = std::move(spare_session_events);
    events.clear();
    frame_ = frame;
    ts_ns_ = ts_ns;
    session_.feed(dir, data, events);
    if (pending_.empty()) {
        for (const auto& e : events) on_event(e, frame, ts_ns, out);
    } else {
        // Events read from plaintext go right after their record's own.
        std::size_t p = 0;
        for (std::size_t i = 0; i <= events.size(); ++i) {
            for (; p < pending_.size() && pending_[p].first == i; ++p) out.push_back(std::move(pending_[p].second));
            if (i < events.size()) on_event(events[i], frame, ts_ns, out);
        }
        pending_.clear();
    }
    events.clear();
    if (events.capacity() <= kSpareSessionEvents) spare_session_events = std::move(events);
    const auto& sum = session_.summary();
    facts_.established = sum.established;
    if (sum.version) facts_.version = sum.version;
    if (sum.cipher_suite) facts_.cipher_suite = sum.cipher_suite;
}

void TlsStage::on_event(const tls::Event& ev, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) {
    const Dir dir = ev.dir;
    const int d = dir_index(dir);
    Pdu e;
    switch (ev.kind) {
        case tls::Event::Kind::handshake:
            e = on_handshake(dir, *ev.message, ev.client_hello ? &*ev.client_hello : nullptr, frame, ts_ns);
            break;
        case tls::Event::Kind::encrypted_handshake:
            e = ev::TlsEncryptedHandshake{{}, ev.record_length};
            if (!facts_.finished_frame[d]) {
                facts_.finished_frame[d] = frame;
                facts_.finished_ts[d] = ts_ns;
            }
            break;
        case tls::Event::Kind::change_cipher_spec:
            e = ev::TlsChangeCipherSpec{};
            if (!facts_.ccs_frame[d]) facts_.ccs_frame[d] = frame;
            break;
        case tls::Event::Kind::alert:
        case tls::Event::Kind::encrypted_alert: {
            TlsAlertNote a{frame, ts_ns, dir, ev.kind == tls::Event::Kind::encrypted_alert, 0, 0};
            if (ev.alert) {
                a.level = ev.alert->level;
                a.description = ev.alert->description;
            }
            e = ev::TlsAlert{{}, a.encrypted, ev.alert.has_value(), a.level, a.description};
            facts_.alerts.push_back(a);
            break;
        }
        case tls::Event::Kind::application_data: {
            ++facts_.app_records[d];
            facts_.app_bytes[d] += ev.record_length;
            facts_.last_app_frame[d] = frame;
            facts_.last_app_length[d] = static_cast<std::uint32_t>(ev.record_length);
            facts_.last_app_ts[d] = ts_ns;
            if (facts_.records.size() < TlsFacts::kMaxRecordNotes)
                facts_.records.push_back({frame, ts_ns, dir, static_cast<std::uint32_t>(ev.record_length)});
            if (app_events_[d]++ >= kTlsAppDataEvents) return;  // counted, not printed
            e = ev::TlsApplicationData{{}, ev.record_length};
            break;
        }
        case tls::Event::Kind::heartbeat:
            e = ev::TlsHeartbeat{};
            break;
        case tls::Event::Kind::error: {
            ev::TlsError te;
            if (ev.error) {
                te.error = *ev.error;
                te.error->offset = ev.stream_offset + ev.error->offset;
                facts_.error = te.error;
            }
            e = std::move(te);
            if (!facts_.error_frame) facts_.error_frame = frame;
            break;
        }
    }
    // Every TLS event carries its record's version.
    std::visit([&](auto& p) {
        if constexpr (std::is_base_of_v<ev::TlsRecord, std::decay_t<decltype(p)>>) p.record_version = ev.record_version;
    }, e);
    out.push_back(PduEvent{frame, ts_ns, std::move(e)});
}

void TlsStage::record(Dir dir, const tls::FramedRecord& rec, const tls::Summary& summary, std::size_t events) {
    static const keylog::KeyLog kNoKeyLog;
    if (!decryptor_) decryptor_ = std::make_unique<TlsDecryptor>(keys_ ? *keys_ : kNoKeyLog, rsa_, refresh_);
    const auto r = decryptor_->record(dir, rec.header, rec.payload, summary);
    if (r.outcome == TlsDecryptor::Outcome::clear) return;
    if (!facts_.decryption) facts_.decryption.emplace();
    DecryptFacts& df = *facts_.decryption;
    const int d = dir_index(dir);
    df.keys_found = decryptor_->keys_found();
    df.from_rsa_key = decryptor_->from_rsa_key();
    if (df.problem.empty()) df.problem = decryptor_->problem();
    switch (r.outcome) {
        case TlsDecryptor::Outcome::clear: return;
        case TlsDecryptor::Outcome::plaintext:
            ++df.records[d];
            df.bytes[d] += r.data.size();
            if (r.type == static_cast<std::uint8_t>(tls::ContentType::application_data))
                on_plaintext(dir, r.data, events);
            return;
        case TlsDecryptor::Outcome::skipped: ++df.skipped[d]; return;
        case TlsDecryptor::Outcome::unavailable: ++df.undecrypted[d]; return;
        case TlsDecryptor::Outcome::failed:
            ++df.undecrypted[d];
            df.failed_frame[d] = frame_;
            pending_.emplace_back(events, PduEvent{frame_, ts_ns_, ev::TlsDecryptFailed{dir}});
            return;
    }
}

void TlsStage::forward(Dir dir, Bytes data, std::size_t events) {
    if (!sink_ || data.empty()) return;
    sink_events_.clear();
    sink_->plaintext(dir, data, frame_, ts_ns_, sink_events_);
    for (auto& e : sink_events_) pending_.emplace_back(events, std::move(e));
}

void TlsStage::on_plaintext(Dir dir, Bytes data, std::size_t events) {
    if (gateway_sink_) {
        gateway_out_.clear();
        gateway_sink_->plaintext(dir, data, frame_, ts_ns_, gateway_out_);
        for (auto& e : gateway_out_) pending_.emplace_back(events, std::move(e));
        return;
    }
    if (data.empty()) return;
    // Without CredSSP (PROTOCOL_SSL) the connection sequence starts at once;
    // after it, with the client's first TPKT (below).
    if (!nla_ && data[0] == 0x03) rdp_plaintext_ = true;
    if (rdp_plaintext_) {
        forward(dir, data, events);
        return;
    }
    if (credssp_over_ || !nla_) return;
    DecryptFacts& df = *facts_.decryption;
    const int d = dir_index(dir);
    auto& buf = credssp_buf_[d];
    if (buf.empty() && dir == Dir::s2c && data.size() == 4 && df.auth_info_frame) {
        // HYBRID_EX: after the credentials the server's 4-byte Early User
        // Authorization Result (MS-RDPBCGR 2.2.10.2, 5.4.2.1) ends CredSSP.
        auto euar = credssp::decode_early_user_auth_result(data);
        if (euar) {
            df.euar = *euar;
            df.euar_frame = frame_;
            df.euar_ts = ts_ns_;
            pending_.emplace_back(events, PduEvent{frame_, ts_ns_, ev::EarlyUserAuthResult{*euar}});
            return;
        }
    }
    if (buf.empty() && data[0] == 0x03) {
        // A TPKT header: the connection sequence (MCS Connect Initial) follows CredSSP.
        if (dir == Dir::c2s) {
            df.credssp_end_frame = frame_;
            df.credssp_end_ts = ts_ns_;
        }
        credssp_over_ = true;
        rdp_plaintext_ = true;
        forward(dir, data, events);
        return;
    }
    if (buf.size() + data.size() > kMaxCredsspBuffer) {
        df.credssp_error = "more than 64 KiB of CredSSP plaintext without a whole TSRequest";
        credssp_over_ = true;
        return;
    }
    buf.insert(buf.end(), data.begin(), data.end());
    read_credssp(dir, events);
}

void TlsStage::read_credssp(Dir dir, std::size_t events) {
    DecryptFacts& df = *facts_.decryption;
    auto& buf = credssp_buf_[dir_index(dir)];
    while (!buf.empty() && !credssp_over_) {
        auto n = credssp::ts_request_length(buf);
        if (!n && n.error().kind == ErrorKind::need_more) return;
        ev::CredsspTsRequest e;
        if (!n) {
            e.error = n.error();
        } else {
            auto req = credssp::decode_ts_request(Bytes(buf).first(*n));
            if (req) e.request = *req;
            else e.error = req.error();
        }
        if (e.error) {
            df.credssp_error = "decrypted CredSSP data that is no TSRequest";
            credssp_over_ = true;
            pending_.emplace_back(events, PduEvent{frame_, ts_ns_, std::move(e)});
            buf.clear();
            return;
        }
        if (df.ts_requests.size() < DecryptFacts::kMaxTsRequests)
            df.ts_requests.push_back({frame_, ts_ns_, dir, e.request});
        if (dir == Dir::s2c && e.request.error_code) {
            df.error_code = e.request.error_code;
            df.error_frame = frame_;
            df.error_ts = ts_ns_;
        }
        if (dir == Dir::c2s && e.request.auth_info && !df.auth_info_frame) {
            df.auth_info_frame = frame_;
            df.auth_info_ts = ts_ns_;
        }
        pending_.emplace_back(events, PduEvent{frame_, ts_ns_, std::move(e)});
        buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
}

Pdu TlsStage::on_handshake(Dir dir, const tls::HandshakeMessage& m, const tls::ClientHello* decoded,
                           std::uint64_t frame, std::int64_t ts_ns) {
    using HT = tls::HandshakeType;
    if (dir == Dir::s2c) facts_.server_flight_end_frame = frame;
    switch (m.type) {
        case HT::client_hello: {
            ev::TlsClientHello e;
            if (!facts_.client_hello_frame) {
                facts_.client_hello_frame = frame;
                facts_.client_hello_ts = ts_ns;
            }
            // As the session decoded it (the first ClientHello), else decoded here.
            std::optional<Decoded<tls::ClientHello>> own;
            const tls::ClientHello* ch = decoded;
            if (!ch) {
                own.emplace(tls::decode_client_hello(m.body));
                if (!*own) { e.error = own->error(); return e; }
                ch = &own->value();
            }
            facts_.client_max_version = ch->max_version();
            e.version = ch->legacy_version;
            e.max_version = ch->max_version();
            e.cipher_suites = ch->cipher_suites.size();
            if (auto sni = ch->server_name()) { facts_.sni = *sni; e.sni = *sni; }
            e.alpn = ch->alpn;
            if (facts_.alpn_offered.empty()) facts_.alpn_offered = ch->alpn;
            e.groups = ch->supported_groups;
            return e;
        }
        case HT::server_hello: {
            ev::TlsServerHello e;
            facts_.server_hello_frame = frame;
            facts_.server_hello_ts = ts_ns;
            auto sh = tls::decode_server_hello(m.body);
            if (!sh) { e.error = sh.error(); return e; }
            e.version = sh->version();
            e.cipher_suite = sh->cipher_suite;
            if (sh->alpn) facts_.alpn = *sh->alpn;
            e.hello_retry_request = sh->hello_retry_request;
            return e;
        }
        case HT::certificate: {
            ev::TlsCertificate e;
            facts_.certificate_frame = frame;
            facts_.certificate_ts = ts_ns;
            auto cm = tls::decode_certificate(m.body, facts_.version == tls::kTLSv13);
            if (!cm) { facts_.certificate_error = TlsFacts::CertificateError{cm.error(), false}; e.error = cm.error(); return e; }
            facts_.chain_length = cm->certs.size();
            e.certificates = cm->certs.size();
            if (!cm->certs.empty()) {
                e.has_leaf = true;
                const std::int64_t now_s = ts_ns / 1'000'000'000;
                auto leaf = certs_ ? certs_->describe(cm->certs[0], now_s) : x509::describe(cm->certs[0], now_s);
                if (leaf) {
                    facts_.leaf = *leaf;
                    e.subject = leaf->subject;
                    e.issuer = leaf->issuer;
                    e.expired = leaf->expired_at_capture;
                    e.self_signed = leaf->self_signed;
                    if (!facts_.sni.empty()) {
                        facts_.sni_matches = certs_ ? certs_->matches_name(cm->certs[0], facts_.sni)
                                                    : x509::matches_name(cm->certs[0], facts_.sni);
                    }
                } else {
                    facts_.certificate_error = TlsFacts::CertificateError{leaf.error(), true};
                    e.leaf_error = leaf.error();
                }
            }
            return e;
        }
        case HT::certificate_request:
            facts_.certificate_request_frame = frame;
            break;
        case HT::server_hello_done:
            facts_.server_hello_done_frame = frame;
            break;
        case HT::client_key_exchange:
            facts_.client_key_exchange_frame = frame;
            break;
        default:
            break;
    }
    return ev::TlsHandshake{{}, m.type};
}

}  // namespace rdpscope
