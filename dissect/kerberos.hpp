// SPDX-License-Identifier: MIT
// Kerberos V5 messages in clear on port 88 (RFC 4120): the KDC exchanges a
// Windows client makes before and during NLA -- AS-REQ/AS-REP for the user's
// ticket-granting ticket, TGS-REQ/TGS-REP for the service ticket
// (TERMSRV/<host> for RDP) -- and the KRB-ERROR that ends one.  An error there
// (KDC_ERR_PREAUTH_FAILED: wrong password; KDC_ERR_CLIENT_REVOKED: locked or
// disabled; KDC_ERR_S_PRINCIPAL_UNKNOWN: no SPN for the name used, hence NTLM)
// is readable without any key.
//
// Only the clear parts are read: message type, client and service principal
// and realm, error code and e-text, the times the message carries, the
// pre-authentication data types.  Encrypted parts are never looked into.
// The ASN.1 is DER (RFC 4120 5.1: EXPLICIT tags), read with dissect/ber.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::krb {

inline constexpr std::uint16_t kPort = 88;  // RFC 4120 7.2.1 (UDP), 7.2.2 (TCP)

// The application tags of the messages (RFC 4120 5.4.1, 5.4.2, 5.5.1, 5.9.1).
enum class MsgType : std::uint8_t {
    as_req = 10,
    as_rep = 11,
    tgs_req = 12,
    tgs_rep = 13,
    ap_req = 14,
    ap_rep = 15,
    krb_error = 30,
};
// "AS-REQ", "KRB-ERROR" ...; "" for a tag not listed above.
std::string_view msg_type_name(std::uint32_t tag);
bool is_request(std::uint32_t tag);  // AS-REQ, TGS-REQ (client to KDC)

// Error codes (RFC 4120 7.5.9; 62-76: PKINIT, RFC 4556 3.1.3, and later RFCs).
inline constexpr std::int32_t KDC_ERR_C_PRINCIPAL_UNKNOWN = 6;
inline constexpr std::int32_t KDC_ERR_S_PRINCIPAL_UNKNOWN = 7;
inline constexpr std::int32_t KDC_ERR_POLICY = 12;
inline constexpr std::int32_t KDC_ERR_BADOPTION = 13;
inline constexpr std::int32_t KDC_ERR_CLIENT_REVOKED = 18;
inline constexpr std::int32_t KDC_ERR_KEY_EXPIRED = 23;
inline constexpr std::int32_t KDC_ERR_PREAUTH_FAILED = 24;
inline constexpr std::int32_t KDC_ERR_PREAUTH_REQUIRED = 25;
inline constexpr std::int32_t KRB_AP_ERR_TKT_EXPIRED = 32;
inline constexpr std::int32_t KRB_AP_ERR_SKEW = 37;
inline constexpr std::int32_t KRB_ERR_RESPONSE_TOO_BIG = 52;
inline constexpr std::int32_t KDC_ERR_WRONG_REALM = 68;
// "KDC_ERR_PREAUTH_FAILED" ...; "" for a code without a name.
std::string_view error_name(std::int32_t code);
// What the error means for the user, in words ("wrong password" ...); "" when
// the table has nothing to add to the name.
std::string_view error_meaning(std::int32_t code);

// PrincipalName (RFC 4120 5.2.2).
struct Principal {
    std::int32_t name_type = 0;
    std::vector<std::string> names;  // name-string, raw bytes (KerberosString)
    // The components joined with '/', as RFC 1964 2.1.1 writes a principal: "TERMSRV/host.example".
    std::string joined() const;
    bool operator==(const Principal&) const = default;
};

struct Message {
    std::uint32_t type = 0;          // the application tag (MsgType), as on the wire
    std::optional<std::int32_t> msg_type_field;  // msg-type inside, normally equal to `type`
    std::optional<Principal> cname;  // AS-REQ body, AS-REP/TGS-REP, KRB-ERROR
    std::string crealm;              // realm of cname (for a request: the body's realm)
    std::optional<Principal> sname;  // request body, the Ticket of a reply, KRB-ERROR
    std::string srealm;              // realm of sname
    std::optional<std::int32_t> error_code;  // KRB-ERROR
    std::optional<std::string> e_text;       // KRB-ERROR e-text
    std::string stime, ctime, till;          // KerberosTime (GeneralizedTime text), when present
    std::optional<std::uint32_t> nonce;      // requests
    std::vector<std::int32_t> padata_types;  // PA-DATA types (requests and replies)
};

// Name-strings and realms longer than this are refused (malformed): none
// real comes near, and it bounds what a message can make us keep.
inline constexpr std::size_t kMaxString = 1024;
inline constexpr std::size_t kMaxComponents = 16;
inline constexpr std::size_t kMaxPadata = 32;

// One whole message: a UDP datagram's payload, or a TCP record without its
// length prefix.  `base` is the offset of `msg` in the caller's buffer, for errors.
Decoded<Message> decode_message(Bytes msg, std::size_t base = 0);

// TCP framing (RFC 4120 7.2.2): each message is preceded by its length in 4
// octets, big-endian, whose high bit is reserved (must be 0).  Returns the
// message length; need_more when fewer than 4 bytes are given; malformed when
// the reserved bit is set.
Decoded<std::uint32_t> tcp_record_length(Bytes prefix);

}  // namespace rdpscope::krb
