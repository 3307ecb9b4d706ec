// SPDX-License-Identifier: MIT
// CredSSP (MS-CSSP) messages as they travel inside TLS once it is decrypted:
// the TSRequest (MS-CSSP 2.2.1, DER), the Early User Authorization Result of
// HYBRID_EX (MS-RDPBCGR 2.2.10.2, a 4-byte little-endian code), and the names
// of the NTSTATUS / SECURITY_STATUS codes a TSRequest's errorCode carries.
//
// What is read of a TSRequest: its version, which fields are present, how many
// negoTokens and which NTLM message (NTLMSSP signature, MS-NLMP 2.2.1) or
// Kerberos/SPNEGO token they hold, and the errorCode.  authInfo and
// pubKeyAuth are encrypted with the security context's keys and hold the
// credentials: only their presence and length are kept, never their bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "dissect/kerberos.hpp"
#include "dissect/ntlm.hpp"
#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::credssp {

inline constexpr std::string_view kLayer = "credssp";

// The first negoToken's kind, from its first bytes.
enum class TokenKind : std::uint8_t {
    none,
    ntlm,       // a raw NTLM message ("NTLMSSP\0"), as FreeRDP sends it
    spnego,     // SPNEGO (RFC 4178): [APPLICATION 0] NegotiationToken or a NegTokenResp [1]
    kerberos,   // a raw Kerberos GSS token (OID 1.2.840.113554.1.2.2), an AP-REQ/AP-REP
    other,
};
const char* to_string(TokenKind k);

struct TsRequest {
    std::uint32_t version = 0;
    std::size_t nego_tokens = 0;        // negoTokens entries
    TokenKind token_kind = TokenKind::none;
    std::uint8_t ntlm_message = 0;      // 1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE (found inside the first token)
    std::optional<ntlm::Message> ntlm;  // that message decoded (names and versions; no proof of the password)
    // A krb5 GSS token (RFC 4121 4.1: OID 1.2.840.113554.1.2.2, or .3 for
    // user-to-user, RFC 4120 / draft-swift-win2k-krb-user2user, which Windows
    // uses for NLA), raw or inside SPNEGO: its TOK_ID (0x0100 AP-REQ, 0x0200
    // AP-REP, 0x0300 KRB-ERROR, 0x0400 TGT-REQ, 0x0401 TGT-REP; 0: none) and,
    // for the first three, the message's clear parts (dissect/kerberos.hpp).
    std::uint16_t krb5_tok_id = 0;
    bool krb5_user_to_user = false;
    std::optional<krb::Message> kerberos;
    bool auth_info = false, pub_key_auth = false, client_nonce = false;
    std::optional<std::uint32_t> error_code;  // [4], the 32 bits as sent (a negative INTEGER is a HRESULT)
};

// A whole TSRequest (the DER SEQUENCE and nothing after it is required).
Decoded<TsRequest> decode_ts_request(Bytes data);

// The length of the DER TLV starting at `data` (for framing a stream of
// TSRequests); need_more with `needed` when the header or content is not all
// there, malformed when it is not a SEQUENCE.
Decoded<std::size_t> ts_request_length(Bytes data);

// MS-RDPBCGR 2.2.10.2: AUTHZ_SUCCESS 0, AUTHZ_ACCESS_DENIED 5.
Decoded<std::uint32_t> decode_early_user_auth_result(Bytes data);

// MS-NLMP 2.2.1: NEGOTIATE, CHALLENGE, AUTHENTICATE.
const char* ntlm_message_name(std::uint8_t type);
// "AP-REQ", "AP-REP", "KRB-ERROR", "TGT-REQ", "TGT-REP", or "unknown".
const char* krb5_token_name(std::uint16_t tok_id);
// AUTHZ_SUCCESS, AUTHZ_ACCESS_DENIED, or "unknown".
const char* euar_name(std::uint32_t result);

// The name of an NTSTATUS (MS-ERREF 2.3.1) or SECURITY_STATUS/HRESULT
// (MS-ERREF 2.1) value CredSSP reports, null for one not in the table.
const char* status_name(std::uint32_t code);

}  // namespace rdpscope::credssp
