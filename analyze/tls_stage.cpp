#include "analyze/tls_stage.hpp"

#include <fmt/format.h>

namespace rdpscope {

namespace {


std::string version_text(std::uint16_t v) { return tls::version_name_wireshark(v); }

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
    const Dir dir = (ev.dir);
    const int d = dir_index(dir);
    PduEvent e{frame, ts_ns, "", {}};
    switch (ev.kind) {
        case tls::Event::Kind::handshake:
            on_handshake(dir, *ev.message, frame, ts_ns, e);
            break;
        case tls::Event::Kind::encrypted_handshake:
            e.pdu = "tls.encrypted_handshake";
            e.add("length", static_cast<std::int64_t>(ev.record_length));
            if (!facts_.finished_frame[d]) {
                facts_.finished_frame[d] = frame;
                facts_.finished_ts[d] = ts_ns;
            }
            break;
        case tls::Event::Kind::change_cipher_spec:
            e.pdu = "tls.change_cipher_spec";
            if (!facts_.ccs_frame[d]) facts_.ccs_frame[d] = frame;
            break;
        case tls::Event::Kind::alert:
        case tls::Event::Kind::encrypted_alert: {
            TlsAlertNote a{frame, ts_ns, dir, ev.kind == tls::Event::Kind::encrypted_alert, 0, 0};
            e.pdu = a.encrypted ? "tls.encrypted_alert" : "tls.alert";
            if (ev.alert) {
                a.level = ev.alert->level;
                a.description = ev.alert->description;
                e.add("level", a.level).add("level_name", tls::alert_level_name(a.level));
                e.add("description", a.description).add("description_name", tls::alert_description_name(a.description));
            }
            facts_.alerts.push_back(a);
            break;
        }
        case tls::Event::Kind::application_data: {
            ++facts_.app_records[d];
            facts_.app_bytes[d] += ev.record_length;
            facts_.last_app_frame[d] = frame;
            facts_.last_app_ts[d] = ts_ns;
            if (facts_.records.size() < TlsFacts::kMaxRecordNotes)
                facts_.records.push_back({frame, ts_ns, dir, static_cast<std::uint32_t>(ev.record_length)});
            if (app_events_[d]++ >= kTlsAppDataEvents) return;  // counted, not printed
            e.pdu = "tls.application_data";
            e.add("length", static_cast<std::int64_t>(ev.record_length));
            break;
        }
        case tls::Event::Kind::heartbeat:
            e.pdu = "tls.heartbeat";
            break;
        case tls::Event::Kind::error:
            e.pdu = "tls.error";
            if (ev.error) {
                facts_.error = fmt::format("{} {} {} at stream byte {}", ev.error->layer, ev.error->field,
                                           to_string(ev.error->kind), ev.stream_offset + ev.error->offset);
                e.add("error", facts_.error);
            }
            if (!facts_.error_frame) facts_.error_frame = frame;
            break;
    }
    e.add("record_version", version_text(ev.record_version));
    out.push_back(std::move(e));
}

void TlsStage::on_handshake(Dir dir, const tls::HandshakeMessage& m, std::uint64_t frame, std::int64_t ts_ns,
                            PduEvent& e) {
    using HT = tls::HandshakeType;
    if (dir == Dir::s2c) facts_.server_flight_end_frame = frame;
    switch (m.type) {
        case HT::client_hello: {
            e.pdu = "tls.client_hello";
            if (!facts_.client_hello_frame) {
                facts_.client_hello_frame = frame;
                facts_.client_hello_ts = ts_ns;
            }
            auto ch = tls::decode_client_hello(m.body);
            if (!ch) { e.add("error", std::string(ch.error().field)); break; }
            facts_.client_max_version = ch->max_version();
            e.add("version", version_text(ch->legacy_version));
            e.add("max_version", version_text(ch->max_version()));
            e.add("cipher_suites", static_cast<std::int64_t>(ch->cipher_suites.size()));
            if (auto sni = ch->server_name()) { facts_.sni = *sni; e.add("sni", *sni); }
            if (!ch->alpn.empty()) e.add_list("alpn", ch->alpn);
            std::vector<std::string> groups;
            for (auto g : ch->supported_groups) if (!tls::is_grease(g)) groups.push_back(tls::named_group_name(g));
            if (!groups.empty()) e.add_list("groups", groups);
            break;
        }
        case HT::server_hello: {
            e.pdu = "tls.server_hello";
            facts_.server_hello_frame = frame;
            facts_.server_hello_ts = ts_ns;
            auto sh = tls::decode_server_hello(m.body);
            if (!sh) { e.add("error", std::string(sh.error().field)); break; }
            e.add("version", version_text(sh->version()));
            e.add("cipher_suite", sh->cipher_suite).add("cipher_suite_name", tls::cipher_suite_name(sh->cipher_suite));
            if (sh->hello_retry_request) e.add_bool("hello_retry_request", true);
            break;
        }
        case HT::certificate: {
            e.pdu = "tls.certificate";
            facts_.certificate_frame = frame;
            facts_.certificate_ts = ts_ns;
            auto cm = tls::decode_certificate(m.body, facts_.version == tls::kTLSv13);
            if (!cm) { facts_.certificate_error = std::string(cm.error().field); e.add("error", facts_.certificate_error); break; }
            facts_.chain_length = cm->certs.size();
            e.add("certificates", static_cast<std::int64_t>(cm->certs.size()));
            if (!cm->certs.empty()) {
                auto leaf = x509::describe(cm->certs[0], ts_ns / 1'000'000'000);
                if (leaf) {
                    facts_.leaf = *leaf;
                    e.add("subject", leaf->subject).add("issuer", leaf->issuer);
                    if (leaf->expired_at_capture) e.add_bool("expired", true);
                    if (leaf->self_signed) e.add_bool("self_signed", true);
                    if (!facts_.sni.empty()) {
                        facts_.sni_matches = x509::matches_name(cm->certs[0], facts_.sni);
                    }
                } else {
                    facts_.certificate_error = fmt::format("{} {}", leaf.error().layer, leaf.error().field);
                    e.add("error", facts_.certificate_error);
                }
            }
            break;
        }
        case HT::server_key_exchange:
            e.pdu = "tls.server_key_exchange";
            break;
        case HT::certificate_request:
            e.pdu = "tls.certificate_request";
            facts_.certificate_request_frame = frame;
            break;
        case HT::server_hello_done:
            e.pdu = "tls.server_hello_done";
            facts_.server_hello_done_frame = frame;
            break;
        case HT::client_key_exchange:
            e.pdu = "tls.client_key_exchange";
            facts_.client_key_exchange_frame = frame;
            break;
        case HT::new_session_ticket:
            e.pdu = "tls.new_session_ticket";
            break;
        default:
            e.pdu = "tls.handshake";
            e.add("type", static_cast<std::int64_t>(m.type)).add("type_name", tls::handshake_type_name(m.type));
            break;
    }
}

}  // namespace rdpscope
