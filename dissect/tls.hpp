// TLS as it runs on the RDP TCP stream right after the X.224 negotiation
// (PROTOCOL_SSL / HYBRID / HYBRID_EX): record layer, handshake reassembly and
// the handshake messages an analyzer of the connection sequence needs.
//
// Three layers, each usable alone:
//   1. decode_record_header / decode_record: one TLSPlaintext header (RFC 5246 6.2.1,
//      RFC 8446 5.1) from a buffer.
//   2. RecordFramer (stream bytes of one direction -> whole records, whatever the TCP
//      segmentation) and HandshakeAssembler (handshake record payloads -> whole
//      handshake messages, whatever the record fragmentation).  Both are bounded.
//   3. decode_client_hello, decode_server_hello, ... : one handshake message body each.
// `Session` glues them for both directions of one connection, applies the
// ChangeCipherSpec / TLS 1.3 rules and keeps an ssl.log-like summary.
//
// Everything here is pure: no I/O, no globals, no exceptions, no logging.
// Views (Bytes) inside decoded values point into the buffer given to the decoder.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dissect/direction.hpp"
#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::tls {

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

inline constexpr std::size_t kRecordHeaderLength = 5;
// RFC 5246 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.  Anything
// longer is not TLS (or we lost sync), so the framer never buffers more.
inline constexpr std::size_t kMaxRecordLength = (1u << 14) + 2048;
inline constexpr std::size_t kHandshakeHeaderLength = 4;
// A handshake message may declare up to 2^24-1 bytes; real Certificate chains
// are a few KiB.  We refuse to buffer more than this per message.
inline constexpr std::size_t kMaxHandshakeMessage = 256 * 1024;

// Protocol versions (RFC 8446 B / RFC 5246 A.1).
inline constexpr std::uint16_t kSSLv3 = 0x0300;
inline constexpr std::uint16_t kTLSv10 = 0x0301;
inline constexpr std::uint16_t kTLSv11 = 0x0302;
inline constexpr std::uint16_t kTLSv12 = 0x0303;
inline constexpr std::uint16_t kTLSv13 = 0x0304;

// RFC 5246 6.2.1 ContentType; other values are kept as numbers.
enum class ContentType : std::uint8_t {
    change_cipher_spec = 20,
    alert = 21,
    handshake = 22,
    application_data = 23,
    heartbeat = 24,  // RFC 6520
};

// RFC 8446 4 HandshakeType (plus the TLS 1.2 ones); other values are kept.
enum class HandshakeType : std::uint8_t {
    hello_request = 0,
    client_hello = 1,
    server_hello = 2,
    hello_verify_request = 3,
    new_session_ticket = 4,
    end_of_early_data = 5,
    hello_retry_request = 6,  // drafts only; RFC 8446 uses a ServerHello
    encrypted_extensions = 8,
    certificate = 11,
    server_key_exchange = 12,
    certificate_request = 13,
    server_hello_done = 14,
    certificate_verify = 15,
    client_key_exchange = 16,
    finished = 20,
    certificate_url = 21,
    certificate_status = 22,
    supplemental_data = 23,
    key_update = 24,
    compressed_certificate = 25,
    message_hash = 254,
};

// Extension types the decoders look into (RFC 6066, 7301, 8446 4.2, 4492, 7627, 5746).
namespace ext {
inline constexpr std::uint16_t server_name = 0;
inline constexpr std::uint16_t status_request = 5;
inline constexpr std::uint16_t supported_groups = 10;
inline constexpr std::uint16_t ec_point_formats = 11;
inline constexpr std::uint16_t signature_algorithms = 13;
inline constexpr std::uint16_t alpn = 16;
inline constexpr std::uint16_t extended_master_secret = 23;
inline constexpr std::uint16_t session_ticket = 35;
inline constexpr std::uint16_t pre_shared_key = 41;
inline constexpr std::uint16_t early_data = 42;
inline constexpr std::uint16_t supported_versions = 43;
inline constexpr std::uint16_t cookie = 44;
inline constexpr std::uint16_t psk_key_exchange_modes = 45;
inline constexpr std::uint16_t key_share = 51;
inline constexpr std::uint16_t renegotiation_info = 0xff01;
}  // namespace ext

// ---------------------------------------------------------------------------
// 1. Record layer (RFC 5246 6.2.1, RFC 8446 5.1)
// ---------------------------------------------------------------------------

struct RecordHeader {
    ContentType type{};
    std::uint16_t version = 0;  // legacy_record_version
    std::uint16_t length = 0;   // payload length
};

// need_more (needed = 5) when fewer than 5 bytes; malformed when the content type
// is not 20..24 ("record.content_type"), the major version is not 3
// ("record.version") or the length exceeds 2^14+2048 ("record.length").
// The checks run on the bytes present, so a non-TLS first byte (a TPKT 0x03, say)
// is malformed at once rather than need_more.  An SSLv2-framed CLIENT-HELLO is
// reported as unsupported ("record.sslv2").
Decoded<RecordHeader> decode_record_header(Bytes data);

struct Record {
    RecordHeader header;
    Bytes payload;  // view into the buffer given
};

// Header plus its complete payload; need_more (needed = 5 + length) until then.
Decoded<Record> decode_record(Bytes data);

// ---------------------------------------------------------------------------
// 2a. RecordFramer: one direction's stream bytes -> whole records
// ---------------------------------------------------------------------------

struct FramedRecord {
    RecordHeader header;
    // Into the data given to push() when the record lay whole in it, else into the
    // framer's own buffer: valid until the next push().
    Bytes payload;
    std::uint64_t stream_offset = 0;  // offset of the record's first header byte in the stream
};

struct FrameStep {
    std::size_t consumed = 0;            // bytes of the input used; call again with the rest
    std::optional<FramedRecord> record;  // a record that ended within the input
    std::optional<DecodeError> error;    // a bad header: the framer stays failed from now on
};

// Feed it the bytes of one direction in stream order, in any chunking:
//
//   while (!data.empty()) {
//       auto step = framer.push(data);
//       data = data.subspan(step.consumed);
//       if (step.record) use(*step.record);
//       if (step.error) { report(*step.error); break; }
//   }
//
// It holds at most one partial record (5 + 2^14 + 2048 bytes) and copies nothing when
// a record lies whole in the input.  The error's offset is the stream offset of the
// bad header.  After an error push() consumes nothing and repeats the error.
class RecordFramer {
public:
    FrameStep push(Bytes data);

    bool failed() const { return failure_.has_value(); }
    std::size_t buffered() const { return delivered_ ? 0 : buffer_.size(); }
    std::uint64_t stream_offset() const { return offset_; }  // bytes consumed so far

private:
    FrameStep fail(DecodeError e, std::uint64_t header_offset, std::size_t consumed);

    std::vector<std::uint8_t> buffer_;  // partial record: header, then payload
    bool delivered_ = false;            // buffer_ holds the record handed out last time
    std::uint64_t offset_ = 0;          // stream bytes consumed
    std::uint64_t record_start_ = 0;    // stream offset of the record being buffered
    std::optional<DecodeError> failure_;
};

// Convenience loop over push(): calls on_record(const FramedRecord&) for each complete
// record and returns the error that stopped the framer, if any.
template <typename OnRecord>
std::optional<DecodeError> push_all(RecordFramer& framer, Bytes data, OnRecord&& on_record) {
    while (!data.empty() || framer.failed()) {
        FrameStep step = framer.push(data);
        data = data.subspan(step.consumed);
        if (step.record) on_record(*step.record);
        if (step.error) return step.error;
        if (step.consumed == 0 && !step.record) break;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// 2b. HandshakeAssembler: handshake record payloads -> whole messages
// ---------------------------------------------------------------------------

struct HandshakeHeader {
    HandshakeType type{};
    std::uint32_t length = 0;  // body length (uint24)
};
// need_more when fewer than 4 bytes.
Decoded<HandshakeHeader> decode_handshake_header(Bytes data);

struct HandshakeView {
    HandshakeHeader header;
    Bytes body;  // view into the buffer given
};
// Header plus complete body; need_more (needed = 4 + length) until then.
Decoded<HandshakeView> decode_handshake(Bytes data);

struct HandshakeMessage {
    HandshakeType type{};
    std::uint32_t length = 0;        // declared body length (record length when encrypted)
    std::vector<std::uint8_t> body;  // owned copy of the body, header excluded; empty when encrypted
    // A handshake record sent after this direction's ChangeCipherSpec (TLS <= 1.2):
    // its content is ciphertext (the Finished, typically), so `type` means nothing.
    bool encrypted = false;
};

struct AssembleResult {
    std::vector<HandshakeMessage> messages;  // completed by this push, in order
    std::optional<DecodeError> error;        // layer "tls", field "handshake.*"
};

// Messages may span several records (Certificate often does) and several may share a
// record (ServerHello, Certificate, ServerHelloDone).  A message whose declared length
// exceeds `max_message` is reported once (kind unsupported, field "handshake.length")
// and its body skipped without buffering, so the assembler stays in step.
class HandshakeAssembler {
public:
    explicit HandshakeAssembler(std::size_t max_message = kMaxHandshakeMessage) : max_(max_message) {}

    // One handshake (22) record payload.  `encrypted` is the caller's knowledge that
    // the record is protected (sent after ChangeCipherSpec in TLS <= 1.2): it is then
    // reported as one encrypted message, never parsed.  A plaintext message cut by a
    // key change is an error (RFC 8446 5.1), and the partial message is dropped.
    AssembleResult push(Bytes record_payload, bool encrypted = false);

    bool pending() const { return !buffer_.empty() || skip_ > 0; }
    std::size_t buffered() const { return buffer_.size(); }

private:
    std::size_t max_;
    std::vector<std::uint8_t> buffer_;  // partial message, header included
    std::size_t skip_ = 0;              // bytes left of an oversized message
};

// ---------------------------------------------------------------------------
// 3. Handshake messages.  Every decoder takes the body (after the 4-byte header);
//    error offsets are offsets into that body.  Unknown code points are kept.
// ---------------------------------------------------------------------------

struct Extension {
    std::uint16_t type = 0;
    std::uint16_t length = 0;
    Bytes data;              // view into the body
    std::size_t offset = 0;  // of the extension's type field in the body
};

// ClientHello, RFC 5246 7.4.1.2 / RFC 8446 4.1.2.
struct ClientHello {
    std::uint16_t legacy_version = 0;
    std::array<std::uint8_t, 32> random{};
    Bytes session_id;
    std::vector<std::uint16_t> cipher_suites;
    std::vector<std::uint8_t> compression_methods;
    bool has_extensions = false;        // an extensions block was present (even empty)
    std::vector<Extension> extensions;  // all of them, in order

    // Decoded from the extensions above:
    std::vector<std::string> server_names;        // server_name host_name entries (RFC 6066 3)
    std::vector<std::string> alpn;                // RFC 7301 3.1
    std::vector<std::uint16_t> supported_versions;  // RFC 8446 4.2.1
    std::vector<std::uint16_t> signature_algorithms;  // RFC 8446 4.2.3 / 5246 7.4.1.4.1
    std::vector<std::uint16_t> supported_groups;      // RFC 8446 4.2.7 / 4492 5.1.1
    std::vector<std::uint16_t> key_share_groups;      // RFC 8446 4.2.8
    std::vector<std::uint8_t> ec_point_formats;       // RFC 4492 5.1.2
    bool extended_master_secret = false;              // RFC 7627
    bool renegotiation_info = false;                  // RFC 5746 (extension or SCSV 0x00ff)

    // The first host_name, if any (what Zeek logs as server_name).
    std::optional<std::string> server_name() const;
    // The highest version offered: max of supported_versions (GREASE ignored) if
    // present, else legacy_version.
    std::uint16_t max_version() const;
    const Extension* find_extension(std::uint16_t type) const;
};
Decoded<ClientHello> decode_client_hello(Bytes body);

// ServerHello, RFC 5246 7.4.1.3 / RFC 8446 4.1.3 (HelloRetryRequest included).
struct ServerHello {
    std::uint16_t legacy_version = 0;
    std::array<std::uint8_t, 32> random{};
    Bytes session_id;
    std::uint16_t cipher_suite = 0;
    std::uint8_t compression_method = 0;
    bool has_extensions = false;
    std::vector<Extension> extensions;

    std::optional<std::uint16_t> selected_version;  // supported_versions (TLS 1.3)
    std::optional<std::uint16_t> key_share_group;   // key_share (HRR: selected_group)
    std::optional<std::string> alpn;
    bool extended_master_secret = false;
    bool renegotiation_info = false;
    // RFC 8446 4.1.3: random == SHA-256("HelloRetryRequest").
    bool hello_retry_request = false;
    // RFC 8446 4.1.3 downgrade sentinel in the last 8 bytes of random:
    // 0x0303 ("DOWNGRD\x01"), 0x0302 ("DOWNGRD\x00"), 0 when absent.
    std::uint16_t downgrade_sentinel = 0;

    // selected_version when present, else legacy_version.
    std::uint16_t version() const { return selected_version.value_or(legacy_version); }
    // A real TLS 1.3 ServerHello (not HRR): everything after it is encrypted.
    bool is_tls13() const { return version() == kTLSv13 && !hello_retry_request; }
    const Extension* find_extension(std::uint16_t type) const;
};
Decoded<ServerHello> decode_server_hello(Bytes body);

// Certificate, RFC 5246 7.4.2 (tls13 = false) or RFC 8446 4.4.2 (tls13 = true).
struct CertificateMessage {
    Bytes request_context;     // TLS 1.3 only
    std::vector<Bytes> certs;  // DER, leaf first, views into the body
};
Decoded<CertificateMessage> decode_certificate(Bytes body, bool tls13 = false);

// CertificateRequest, RFC 5246 7.4.4 (TLS 1.2 has the signature algorithms;
// RFC 4346 7.4.4 for TLS 1.0/1.1 does not).  TLS 1.3's is encrypted: unsupported.
struct CertificateRequest {
    std::vector<std::uint8_t> certificate_types;  // 1 rsa_sign, 2 dss_sign, 64 ecdsa_sign ...
    std::vector<std::uint16_t> signature_algorithms;
    std::vector<Bytes> certificate_authorities;   // DER DistinguishedName each
};
Decoded<CertificateRequest> decode_certificate_request(Bytes body, std::uint16_t version);

// Key exchange family of a cipher suite, from its IANA name.
enum class KeyExchange : std::uint8_t {
    unknown, rsa, rsa_export, dh, dhe, dh_anon, ecdh, ecdhe, ecdh_anon,
    psk, dhe_psk, rsa_psk, ecdhe_psk, srp, tls13,
};
KeyExchange key_exchange_of(std::uint16_t cipher_suite);
std::string_view to_string(KeyExchange k);

// ServerKeyExchange: RFC 4492/8422 5.4 (ECDHE), RFC 5246 7.4.3 (DHE).
struct ServerKeyExchange {
    KeyExchange kex = KeyExchange::unknown;
    std::uint8_t curve_type = 0;                 // 3 = named_curve
    std::optional<std::uint16_t> named_group;    // ECDHE named curve
    std::size_t public_key_length = 0;           // ECPoint or dh_Ys bytes
    std::size_t dh_p_bits = 0;                   // DHE prime size
    std::optional<std::uint16_t> signature_scheme;  // TLS 1.2 SignatureAndHashAlgorithm
    std::size_t signature_length = 0;
};
// unsupported for key exchanges other than (EC)DHE and their anon variants.
Decoded<ServerKeyExchange> decode_server_key_exchange(Bytes body, std::uint16_t cipher_suite,
                                                      std::uint16_t version);

// ServerHelloDone, RFC 5246 7.4.5: an empty body.
struct ServerHelloDone {};
Decoded<ServerHelloDone> decode_server_hello_done(Bytes body);

// ClientKeyExchange, RFC 5246 7.4.7 / RFC 4492 5.7.
struct ClientKeyExchange {
    KeyExchange kex = KeyExchange::unknown;
    std::size_t length = 0;                        // body length
    std::optional<std::size_t> exchange_length;    // EncryptedPreMasterSecret / public value, when parsed
};
Decoded<ClientKeyExchange> decode_client_key_exchange(Bytes body, std::uint16_t cipher_suite,
                                                      std::uint16_t version);

// NewSessionTicket, RFC 5077 3.3 (TLS <= 1.2; TLS 1.3's is encrypted).
struct NewSessionTicket {
    std::uint32_t lifetime_hint = 0;
    std::size_t ticket_length = 0;
};
Decoded<NewSessionTicket> decode_new_session_ticket(Bytes body);

// Finished, RFC 5246 7.4.9 (only when sent in the clear, i.e. never in practice).
struct Finished {
    std::size_t verify_data_length = 0;
};
Decoded<Finished> decode_finished(Bytes body);

// Alert, RFC 5246 7.2 / RFC 8446 6.  Payload of an alert (21) record sent in the
// clear; after ChangeCipherSpec it is ciphertext: report it as an encrypted alert.
struct Alert {
    std::uint8_t level = 0;        // 1 warning, 2 fatal
    std::uint8_t description = 0;  // alert_description_name()
};
Decoded<Alert> decode_alert(Bytes payload);

// ChangeCipherSpec, RFC 5246 7.1: a single byte 1.
struct ChangeCipherSpec {};
Decoded<ChangeCipherSpec> decode_change_cipher_spec(Bytes payload);

// ---------------------------------------------------------------------------
// Names (tls_names.cpp)
// ---------------------------------------------------------------------------

// "TLSv12", "SSLv3", "TLSv13-draft23", "unknown-NNN": as Zeek's ssl.log writes it.
std::string version_name_zeek(std::uint16_t version);
// "TLS 1.2", "SSL 3.0", "DTLS 1.2", "Reserved (GREASE)", "Unknown (0xNNNN)": as Wireshark.
std::string version_name_wireshark(std::uint16_t version);

struct CipherSuiteInfo {
    std::uint16_t id;
    std::string_view name;  // IANA name
};
// Null when not in our table.
const CipherSuiteInfo* find_cipher_suite(std::uint16_t id);
// IANA name, "GREASE (0x0a0a)" or "unknown (0xNNNN)".
std::string cipher_suite_name(std::uint16_t id);

std::string alert_level_name(std::uint8_t level);         // "warning", "fatal", "unknown-N"
std::string alert_description_name(std::uint8_t desc);    // "handshake_failure", ..., "unknown-N"
std::string named_group_name(std::uint16_t group);        // "secp256r1", "x25519", ..., "unknown (0xNNNN)"
std::string signature_scheme_name(std::uint16_t scheme);  // "rsa_pkcs1_sha256", ..., "unknown (0xNNNN)"
std::string extension_name(std::uint16_t type);           // "server_name", ..., "unknown (N)"
std::string handshake_type_name(HandshakeType type);      // "client_hello", ...
std::string content_type_name(ContentType type);          // "handshake", ...
// RFC 8701 GREASE values (0x0a0a, 0x1a1a, ... 0xfafa).
bool is_grease(std::uint16_t value);

// ---------------------------------------------------------------------------
// Session: both directions of one connection
// ---------------------------------------------------------------------------

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

class Session {
public:
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
};

}  // namespace rdpscope::tls
