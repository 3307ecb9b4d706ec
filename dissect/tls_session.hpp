// SPDX-License-Identifier: MIT
// TLS session: both directions of one connection.  Glues the RecordFramer and
// HandshakeAssembler of each direction, applies the ChangeCipherSpec / TLS 1.3
// rules and keeps an ssl.log-like summary.  Part of dissect/tls.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dissect/direction.hpp"
#include "dissect/reader.hpp"
#include "dissect/result.hpp"
#include "dissect/tls_handshake.hpp"
#include "dissect/tls_record.hpp"

namespace rdpscope::tls {

struct Event {
    enum class Kind : std::uint8_t {
        handshake,            // plaintext handshake message in `message`
        encrypted_handshake,  // handshake record after ChangeCipherSpec (e.g. Finished)
        change_cipher_spec,
        alert,                // plaintext alert in `alert`
        encrypted_alert,      // alert record after ChangeCipherSpec
        application_data,
        heartbeat,
        error,                // `error`; a framing error stops that direction
    };
    Kind kind = Kind::error;
    Dir dir = Dir::c2s;
    std::uint64_t stream_offset = 0;  // of the record that produced the event
    std::uint16_t record_version = 0;
    std::size_t record_length = 0;
    std::optional<HandshakeMessage> message;
    // Kind::handshake, the first ClientHello: `message` decoded, as the
    // session decoded it for its summary (decode_client_hello), so that what
    // reads the events need not decode it again (a brute force's ClientHellos
    // were decoded twice, 4% of its instructions: issue 16).
    std::optional<ClientHello> client_hello;
    std::optional<Alert> alert;
    std::optional<DecodeError> error;
};

// What an ssl.log line needs, filled as the handshake goes.
struct Summary {
    // Owned bodies, so a Summary copies safely; decode_client_hello(client_hello) etc.
    // give the full messages back.
    std::vector<std::uint8_t> client_hello;  // the first ClientHello (empty: none seen)
    std::vector<std::uint8_t> server_hello;  // the last ServerHello (after a HelloRetryRequest)
    std::optional<std::uint16_t> client_version;      // ClientHello legacy_version
    std::optional<std::uint16_t> client_max_version;  // ClientHello::max_version()
    std::optional<std::string> server_name;           // SNI host_name
    std::vector<std::string> alpn_offered;
    std::optional<std::string> alpn_selected;
    bool hello_retry_request = false;
    std::optional<std::uint16_t> version;       // negotiated
    std::optional<std::uint16_t> cipher_suite;
    std::optional<std::uint16_t> named_group;   // ECDHE curve or TLS 1.3 key_share group
    std::vector<std::vector<std::uint8_t>> server_certificates;  // DER, leaf first
    std::vector<std::vector<std::uint8_t>> client_certificates;
    bool certificate_requested = false;
    bool resumed = false;  // TLS <= 1.2: server echoed the client's non-empty session id
    bool client_change_cipher_spec = false;
    bool server_change_cipher_spec = false;
    bool client_finished = false;  // encrypted Finished seen (TLS <= 1.2)
    bool server_finished = false;
    // Like Zeek's `established`: TLS <= 1.2 both directions sent ChangeCipherSpec and
    // then a protected record; TLS 1.3 both sent protected data after the ServerHello.
    bool established = false;
    std::optional<Alert> last_alert;  // plaintext alerts only
    std::optional<Dir> last_alert_dir;
    std::size_t encrypted_alerts = 0;
    std::size_t application_data_records[2] = {0, 0};
    // Zeek's ssl_history letters: client upper case, server lower case (C client_hello,
    // S server_hello, X certificate, K server_key_exchange, R certificate_request,
    // N server_hello_done, Y certificate_verify, G client_key_exchange, T new_session_ticket,
    // F finished (plaintext only), I change_cipher_spec, L alert, J hello_retry_request ...).
    std::string history;
};

// Sees every record as the framer delivers it, right after the session took
// it in (so the summary holds a ServerHello the record carried): what
// decryption needs (analyze/tls_decrypt.hpp).  `events` is the size of the
// caller's event vector after the record's events.  The payload is valid only
// during the call.
class RecordObserver {
public:
    virtual ~RecordObserver() = default;
    virtual void record(Dir dir, const FramedRecord& rec, const Summary& summary, std::size_t events) = 0;
};

class Session {
public:
    Session() { set_observer(nullptr); }
    // Null (the default): no observer, nothing more is done per record, and
    // the payload of application data split across segments is not gathered
    // (only its length counts then).
    void set_observer(RecordObserver* o) {
        observer_ = o;
        for (Side& s : sides_) s.framer.skip_application_data(o == nullptr);
    }
    // The next bytes of one direction.  Returns what they completed, in order.
    std::vector<Event> feed(Dir dir, Bytes data);
    // The same, appended to `out`: a caller that keeps one vector and clears
    // it between calls allocates nothing per record once it has grown.
    void feed(Dir dir, Bytes data, std::vector<Event>& out);
    const Summary& summary() const { return summary_; }
    bool failed(Dir dir) const { return side(dir).framer.failed(); }

private:
    struct Side {
        RecordFramer framer;
        HandshakeAssembler assembler;
        bool sent_ccs = false;
        bool protected_ = false;  // its handshake records are ciphertext now
    };
    Side& side(Dir d) { return sides_[dir_index(d)]; }
    const Side& side(Dir d) const { return sides_[dir_index(d)]; }
    void on_record(Dir dir, const FramedRecord& rec, std::vector<Event>& out);
    void on_handshake(Dir dir, const FramedRecord& rec, HandshakeMessage&& msg, std::vector<Event>& out);
    void note_history(Dir dir, char letter);

    Side sides_[2];
    Summary summary_;
    RecordObserver* observer_ = nullptr;
};

}  // namespace rdpscope::tls
