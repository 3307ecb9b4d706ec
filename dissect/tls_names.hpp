// SPDX-License-Identifier: MIT
// TLS code -> name tables (tls_names.cpp): versions, cipher suites, alerts,
// groups, signature schemes, extensions.  Part of dissect/tls.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dissect/tls_handshake.hpp"
#include "dissect/tls_record.hpp"

namespace rdpscope::tls {


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
// How a cipher suite protects a record after the handshake, so that a
// ciphertext length tells the plaintext length without keys (RFC 5246 6.2.3,
// RFC 5288 3 (GCM), RFC 6655 (CCM), RFC 7905 2 (ChaCha20-Poly1305), RFC 8446 5.2).
struct RecordProtection {
    enum class Kind : std::uint8_t {
        unknown,  // a suite not in the table, or no suite known
        aead,     // TLS 1.2 AEAD: explicit nonce + plaintext + tag, exact
        block,    // CBC: IV (TLS >= 1.1) + plaintext + MAC + padding to the block: a range
        stream,   // RC4 / NULL cipher: plaintext + MAC, exact
        tls13,    // TLS 1.3: plaintext + content type + padding (senders rarely pad) + tag
    };
    Kind kind = Kind::unknown;
    std::uint8_t nonce = 0;  // explicit nonce or IV bytes in front of each record
    std::uint8_t tag = 0;    // AEAD tag or MAC bytes
    std::uint8_t block = 0;  // CBC block size
};
RecordProtection record_protection(std::uint16_t cipher_suite, std::uint16_t version);
// The plaintext lengths a protected record of `record_length` bytes can
// carry: one value for AEAD, stream and TLS 1.3 without padding, a block's
// width for CBC (the minimal padding senders use; RFC 5246 allows up to 255
// bytes more).  Null when the protection is unknown or the record too short.
struct LengthRange {
    std::uint32_t lo = 0, hi = 0;
    bool contains(std::uint32_t n) const { return lo <= n && n <= hi; }
    bool overlaps(std::uint32_t a, std::uint32_t b) const { return lo <= b && a <= hi; }
};
std::optional<LengthRange> plaintext_length(const RecordProtection& p, std::uint32_t record_length);
// The record length that carries `plaintext` bytes (the largest, for CBC: none
// exactly; the first of the block), for tests and documentation.
std::uint32_t protected_length(const RecordProtection& p, std::uint32_t plaintext);

// RFC 8701 GREASE values (0x0a0a, 0x1a1a, ... 0xfafa).
bool is_grease(std::uint16_t value);

}  // namespace rdpscope::tls
