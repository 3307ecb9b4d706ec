// SPDX-License-Identifier: MIT
// Standard RDP Security PDUs inside MCS Send Data (MS-RDPBCGR 2.2.1.10 -
// 2.2.1.12, 2.2.8.1.1.2): the security header that starts the Send Data
// userData, and what it announces: the Security Exchange PDU (the client
// random, RSA-encrypted with the server's key), the Client Info PDU, and
// licensing PDUs.
//
// When to call: with Standard RDP Security (selectedProtocol 0) every Send
// Data PDU of the connection sequence up to licensing carries a security
// header; later ones carry one only if the encryption level is not None.
// Under TLS/CredSSP (Enhanced RDP Security) only the Client Info and licensing
// PDUs do.  The caller knows which case it is in.
//
// Everything here is in clear on the wire except what SEC_ENCRYPT covers:
// an encrypted payload is returned as a view, undecoded.
//
// The input is the complete Send Data userData (its PER length bounded it),
// so every length overrun is malformed, naming the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "dissect/rdp_autodetect.hpp"
#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::rdpsec {

// MS-RDPBCGR 2.2.8.1.1.2.1 TS_SECURITY_HEADER flags.
enum SecurityFlags : std::uint16_t {
    SEC_EXCHANGE_PKT = 0x0001,
    SEC_TRANSPORT_REQ = 0x0002,
    RDP_SEC_TRANSPORT_RSP = 0x0004,
    SEC_ENCRYPT = 0x0008,
    SEC_RESET_SEQNO = 0x0010,
    SEC_IGNORE_SEQNO = 0x0020,
    SEC_INFO_PKT = 0x0040,
    SEC_LICENSE_PKT = 0x0080,
    SEC_LICENSE_ENCRYPT = 0x0200,  // _CS from the client, _SC from the server
    SEC_REDIRECTION_PKT = 0x0400,
    SEC_SECURE_CHECKSUM = 0x0800,
    SEC_AUTODETECT_REQ = 0x1000,
    SEC_AUTODETECT_RSP = 0x2000,
    SEC_HEARTBEAT = 0x4000,
    SEC_FLAGSHI_VALID = 0x8000,
};

struct SecurityHeader {
    std::uint16_t flags = 0;
    std::uint16_t flags_hi = 0;  // unused by the spec, kept raw
    // TS_SECURITY_HEADER1 (2.2.8.1.1.2.2): with SEC_ENCRYPT, an 8-byte MAC.
    Bytes data_signature;
    // TS_SECURITY_HEADER2 (2.2.8.1.1.2.3): FIPS adds length, version, padlen.
    std::optional<std::uint16_t> fips_length;
    std::uint8_t fips_version = 0;
    std::uint8_t fips_padlen = 0;
    bool encrypted() const { return flags & SEC_ENCRYPT; }
};

// MS-RDPBCGR 2.2.1.10.1 TS_SECURITY_PACKET.
struct SecurityExchange {
    std::uint32_t length = 0;          // encrypted random + 8 bytes of padding
    Bytes encrypted_client_random;     // `length` bytes
};

// MS-RDPBCGR 2.2.1.11.1.1 TS_INFO_PACKET, when sent in clear (encryption
// level None, or under TLS once the caller has the plaintext).  The password
// is never copied out: only its length.
struct ClientInfoClear {
    std::uint32_t code_page = 0;
    std::uint32_t flags = 0;  // INFO_* (INFO_UNICODE 0x10 selects UTF-16 strings)
    std::string domain;
    std::string user_name;
    std::uint16_t password_length = 0;
    std::string alternate_shell;
    std::string working_dir;
    Bytes extra_info;  // TS_EXTENDED_INFO_PACKET, undecoded
};

// MS-RDPBCGR 2.2.1.11 Client Info PDU: a marker, plus the clear fields when
// they are in clear.
struct ClientInfo {
    bool encrypted = false;
    Bytes payload;  // after the security header
    std::optional<ClientInfoClear> clear;
    std::optional<DecodeError> clear_error;  // a clear payload we could not read
};

// MS-RDPBCGR 2.2.1.12 licensing PDU: the preamble, and the error message
// (the common "STATUS_VALID_CLIENT" shortcut) when in clear.
struct License {
    bool encrypted = false;
    std::optional<std::uint8_t> msg_type;  // LICENSE_PREAMBLE bMsgType (names::license_msg_type)
    std::uint8_t preamble_flags = 0;       // PREAMBLE_VERSION_* in the low nibble
    std::uint16_t msg_size = 0;
    std::optional<std::uint32_t> error_code;        // ERROR_ALERT: dwErrorCode
    std::optional<std::uint32_t> state_transition;  // ERROR_ALERT: dwStateTransition (names::license_state_transition)
    // ERROR_ALERT: bbErrorInfo's LICENSE_BINARY_BLOB header (2.2.1.12.1.2;
    // BB_ERROR_BLOB 0x0004, empty with STATUS_VALID_CLIENT).
    std::optional<std::uint16_t> error_blob_type, error_blob_length;
    Bytes payload;                                  // after the security header
};

// MS-RDPBCGR 2.2.14.3 / 2.2.14.4 auto-detect request / response, and
// 2.2.15.1 / 2.2.15.2 the multitransport request / response, in clear:
// decoded by dissect/rdp_autodetect; `error` when the body did not decode.
struct AutoDetect {
    std::optional<autodetect::Message> message;
    std::optional<DecodeError> error;
    Bytes payload;
};
struct Multitransport {
    std::optional<autodetect::MultitransportRequest> request;
    std::optional<autodetect::MultitransportResponse> response;
    std::optional<DecodeError> error;
    Bytes payload;
};

// Any other flagged PDU: encrypted data, redirection, heartbeat.
struct Other {
    Bytes payload;
};

struct Pdu {
    SecurityHeader header;
    std::variant<SecurityExchange, ClientInfo, License, Other, AutoDetect, Multitransport> body;
};

struct Options {
    // FIPS encryption (encryptionMethod 0x10) uses TS_SECURITY_HEADER2.
    bool fips = false;
};

// Decode the security header at the start of a Send Data userData and the
// PDU it announces.
Decoded<Pdu> decode(Bytes send_data_user_data, Options options = {}, std::size_t base_offset = 0);

// The clear TS_INFO_PACKET alone (after the security header).
Decoded<ClientInfoClear> decode_client_info(Bytes info_packet, std::size_t base_offset = 0);

}  // namespace rdpscope::rdpsec
