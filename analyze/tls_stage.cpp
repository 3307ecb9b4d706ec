// SPDX-License-Identifier: MIT
#include "analyze/tls_stage.hpp"

#include <type_traits>

namespace rdpscope {

namespace {


}  // namespace

bool TlsStage::failed(Dir dir) const { return session_.failed(dir); }

void TlsStage::feed(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) {
    if (session_.failed(dir)) return;
    events_.clear();  // kept between calls: no allocation per record
    session_.feed(dir, data, events_);
    for (const auto& e : events_) on_event(e, frame, ts_ns, out);
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
            e = on_handshake(dir, *ev.message, frame, ts_ns);
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

Pdu TlsStage::on_handshake(Dir dir, const tls::HandshakeMessage& m, std::uint64_t frame, std::int64_t ts_ns) {
    using HT = tls::HandshakeType;
    if (dir == Dir::s2c) facts_.server_flight_end_frame = frame;
    switch (m.type) {
        case HT::client_hello: {
            ev::TlsClientHello e;
            if (!facts_.client_hello_frame) {
                facts_.client_hello_frame = frame;
                facts_.client_hello_ts = ts_ns;
            }
            auto ch = tls::decode_client_hello(m.body);
            if (!ch) { e.error = ch.error(); return e; }
            facts_.client_max_version = ch->max_version();
            e.version = ch->legacy_version;
            e.max_version = ch->max_version();
            e.cipher_suites = ch->cipher_suites.size();
            if (auto sni = ch->server_name()) { facts_.sni = *sni; e.sni = *sni; }
            e.alpn = ch->alpn;
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
                auto leaf = x509::describe(cm->certs[0], ts_ns / 1'000'000'000);
                if (leaf) {
                    facts_.leaf = *leaf;
                    e.subject = leaf->subject;
                    e.issuer = leaf->issuer;
                    e.expired = leaf->expired_at_capture;
                    e.self_signed = leaf->self_signed;
                    if (!facts_.sni.empty()) {
                        facts_.sni_matches = x509::matches_name(cm->certs[0], facts_.sni);
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
