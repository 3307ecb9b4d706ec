// SPDX-License-Identifier: MIT
// TLS session: both directions of one connection.
#include "dissect/tls_session.hpp"

#include <algorithm>

namespace rdpscope::tls {

namespace {

// Zeek's ssl_history letters (base/protocols/ssl/main.zeek); upper case here.
char history_letter(HandshakeType t) {
    switch (t) {
        case HandshakeType::hello_request: return 'H';
        case HandshakeType::client_hello: return 'C';
        case HandshakeType::server_hello: return 'S';
        case HandshakeType::hello_verify_request: return 'V';
        case HandshakeType::new_session_ticket: return 'T';
        case HandshakeType::end_of_early_data: return 'E';
        case HandshakeType::hello_retry_request: return 'J';
        case HandshakeType::encrypted_extensions: return 'O';
        case HandshakeType::certificate: return 'X';
        case HandshakeType::server_key_exchange: return 'K';
        case HandshakeType::certificate_request: return 'R';
        case HandshakeType::server_hello_done: return 'N';
        case HandshakeType::certificate_verify: return 'Y';
        case HandshakeType::client_key_exchange: return 'G';
        case HandshakeType::finished: return 'F';
        case HandshakeType::certificate_url: return 'W';
        case HandshakeType::certificate_status: return 'U';
        case HandshakeType::supplemental_data: return 'A';
        case HandshakeType::key_update: return 'P';
        case HandshakeType::message_hash: return 'M';
        default: return 'Z';
    }
}

constexpr std::size_t kMaxHistory = 100;  // Zeek's SSL::max_ssl_history_length

// An event of `kind` about the record `rec` of direction `dir`.
Event record_event(Event::Kind kind, Dir dir, const FramedRecord& rec) {
    Event e;
    e.kind = kind;
    e.dir = dir;
    e.stream_offset = rec.stream_offset;
    e.record_version = rec.header.version;
    e.record_length = rec.header.length;
    return e;
}

}  // namespace

void Session::note_history(Dir dir, char letter) {
    if (summary_.history.size() >= kMaxHistory) return;
    if (dir == Dir::s2c && letter >= 'A' && letter <= 'Z')
        letter = static_cast<char>(letter - 'A' + 'a');
    summary_.history.push_back(letter);
}

std::vector<Event> Session::feed(Dir dir, Bytes data) {
    std::vector<Event> out;
    feed(dir, data, out);
    return out;
}

void Session::feed(Dir dir, Bytes data, std::vector<Event>& out) {
    Side& s = side(dir);
    auto err = push_all(s.framer, data, [&](const FramedRecord& rec) {
        on_record(dir, rec, out);
        if (observer_) observer_->record(dir, rec, summary_, out.size());
    });
    if (err) {
        Event e;
        e.kind = Event::Kind::error;
        e.dir = dir;
        e.stream_offset = err->offset;
        e.error = err;
        out.push_back(std::move(e));
    }
}

void Session::on_record(Dir dir, const FramedRecord& rec, std::vector<Event>& out) {
    Side& s = side(dir);
    const bool tls13 = summary_.version == kTLSv13;
    auto emit = [&](Event::Kind kind) -> Event& { return out.emplace_back(record_event(kind, dir, rec)); };
    auto error_event = [&](const DecodeError& e) { emit(Event::Kind::error).error = e; };

    switch (rec.header.type) {
        case ContentType::change_cipher_spec: {
            auto ccs = decode_change_cipher_spec(rec.payload);
            if (!ccs) {
                error_event(ccs.error());
                return;
            }
            emit(Event::Kind::change_cipher_spec);
            note_history(dir, 'I');
            s.sent_ccs = true;
            // TLS <= 1.2 (RFC 5246 7.1): what follows in this direction is protected.
            // TLS 1.3 (RFC 8446 D.4): a compatibility no-op; protected records travel as
            // application_data, and a second ClientHello after an HRR is still clear.
            if (!tls13) s.protected_ = true;
            (dir == Dir::c2s ? summary_.client_change_cipher_spec : summary_.server_change_cipher_spec) = true;
            return;
        }
        case ContentType::alert: {
            // A protected alert, or one too long to be a clear one (the capture may have
            // missed the ChangeCipherSpec), is reported as encrypted.
            if (s.protected_ || rec.payload.size() > 2) {
                emit(Event::Kind::encrypted_alert);
                ++summary_.encrypted_alerts;
                return;
            }
            auto a = decode_alert(rec.payload);
            if (!a) {
                error_event(a.error());
                return;
            }
            emit(Event::Kind::alert).alert = *a;
            note_history(dir, 'L');
            summary_.last_alert = *a;
            summary_.last_alert_dir = dir;
            return;
        }
        case ContentType::handshake: {
            AssembleResult res = s.assembler.push(rec.payload, s.protected_);
            for (auto& m : res.messages) on_handshake(dir, rec, std::move(m), out);
            if (res.error) error_event(*res.error);
            return;
        }
        case ContentType::application_data: {
            emit(Event::Kind::application_data);
            ++summary_.application_data_records[dir_index(dir)];
            if (tls13 && summary_.application_data_records[0] > 0 && summary_.application_data_records[1] > 0)
                summary_.established = true;
            return;
        }
        case ContentType::heartbeat: {
            emit(Event::Kind::heartbeat);
            note_history(dir, 'B');
            return;
        }
    }
}

void Session::on_handshake(Dir dir, const FramedRecord& rec, HandshakeMessage&& msg,
                           std::vector<Event>& out) {
    const bool from_client = dir == Dir::c2s;

    if (msg.encrypted) {
        out.push_back(record_event(Event::Kind::encrypted_handshake, dir, rec));
        out.back().message = std::move(msg);
        // The first protected handshake message after ChangeCipherSpec is Finished (7.4.9).
        (from_client ? summary_.client_finished : summary_.server_finished) = true;
        if (summary_.client_finished && summary_.server_finished) summary_.established = true;
        return;
    }

    note_history(dir, history_letter(msg.type));
    std::optional<DecodeError> err;
    std::optional<ClientHello> client_hello;  // handed on with the event
    const Bytes body(msg.body);
    switch (msg.type) {
        case HandshakeType::client_hello: {
            if (!from_client || !summary_.client_hello.empty()) break;
            auto ch = decode_client_hello(body);
            if (!ch) {
                err = ch.error();
                break;
            }
            summary_.client_hello = msg.body;
            summary_.client_version = ch->legacy_version;
            summary_.client_max_version = ch->max_version();
            summary_.server_name = ch->server_name();
            summary_.alpn_offered = ch->alpn;
            client_hello = std::move(*ch);
            break;
        }
        case HandshakeType::server_hello: {
            if (from_client) break;
            auto sh = decode_server_hello(body);
            if (!sh) {
                err = sh.error();
                break;
            }
            summary_.server_hello = msg.body;
            summary_.version = sh->version();
            summary_.cipher_suite = sh->cipher_suite;
            summary_.hello_retry_request = summary_.hello_retry_request || sh->hello_retry_request;
            if (sh->key_share_group) summary_.named_group = sh->key_share_group;
            if (sh->alpn) summary_.alpn_selected = sh->alpn;
            if (sh->version() == kTLSv13) {
                // RFC 8446 D.4: any ChangeCipherSpec seen so far was the compatibility no-op.
                for (Side& s : sides_) s.protected_ = false;
            } else if (!sh->session_id.empty() && !summary_.client_hello.empty()) {
                // RFC 5246 7.4.1.3: echoing the client's session id means resumption.
                auto ch = decode_client_hello(summary_.client_hello);
                summary_.resumed = ch && std::equal(ch->session_id.begin(), ch->session_id.end(),
                                                    sh->session_id.begin(), sh->session_id.end());
            }
            break;
        }
        case HandshakeType::certificate: {
            auto cm = decode_certificate(body, false);
            if (!cm) {
                err = cm.error();
                break;
            }
            auto& dest = from_client ? summary_.client_certificates : summary_.server_certificates;
            dest.clear();
            for (Bytes c : cm->certs) dest.push_back(to_vector(c));
            break;
        }
        case HandshakeType::server_key_exchange: {
            if (!summary_.cipher_suite) break;
            auto ske = decode_server_key_exchange(body, *summary_.cipher_suite, summary_.version.value_or(0));
            if (!ske) {
                if (ske.error().kind != ErrorKind::unsupported) err = ske.error();
                break;
            }
            if (ske->named_group) summary_.named_group = ske->named_group;
            break;
        }
        case HandshakeType::certificate_request: summary_.certificate_requested = true; break;
        default: break;
    }
    out.push_back(record_event(Event::Kind::handshake, dir, rec));
    out.back().message = std::move(msg);
    out.back().client_hello = std::move(client_hello);
    if (err) {
        out.push_back(record_event(Event::Kind::error, dir, rec));
        out.back().error = err;
    }
}

}  // namespace rdpscope::tls
