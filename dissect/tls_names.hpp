// SPDX-License-Identifier: MIT
// TLS code -> name tables (tls_names.cpp): versions, cipher suites, alerts,
// groups, signature schemes, extensions.  Part of dissect/tls.hpp.
#pragma once

#include <cstdint>
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
// RFC 8701 GREASE values (0x0a0a, 0x1a1a, ... 0xfafa).
bool is_grease(std::uint16_t value);

}  // namespace rdpscope::tls
