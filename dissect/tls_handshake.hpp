// SPDX-License-Identifier: MIT
// TLS handshake layer: the HandshakeAssembler (handshake record payloads ->
// whole messages, RFC 5246 7.4, RFC 8446 4 and 5.1) and one decoder per
// handshake message body (ClientHello, ServerHello and their extensions,
// Certificate, key exchange ...).  Part of dissect/tls.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"
#include "dissect/tls_record.hpp"

namespace rdpscope::tls {

inline constexpr std::size_t kHandshakeHeaderLength = 4;
// A handshake message may declare up to 2^24-1 bytes; real Certificate chains
// are a few KiB.  We refuse to buffer more than this per message.
inline constexpr std::size_t kMaxHandshakeMessage = 256 * 1024;
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

}  // namespace rdpscope::tls
