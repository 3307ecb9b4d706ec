// SPDX-License-Identifier: MIT
// CredSSP TSRequest (MS-CSSP 2.2.1):
//   TSRequest ::= SEQUENCE {
//     version     [0] INTEGER,
//     negoTokens  [1] NegoData OPTIONAL,        -- SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING }
//     authInfo    [2] OCTET STRING OPTIONAL,
//     pubKeyAuth  [3] OCTET STRING OPTIONAL,
//     errorCode   [4] INTEGER OPTIONAL,         -- versions 3, 4, 6
//     clientNonce [5] OCTET STRING OPTIONAL }   -- versions 5, 6
// The context tags are explicit (DER), so each field is [n] { inner TLV }.
#include "dissect/credssp.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "dissect/ber.hpp"

namespace rdpscope::credssp {

namespace {

using ber::Status;

DecodeError error_at(Status s, std::string_view field, std::size_t offset) {
    if (s == Status::unsupported) return DecodeError::unsupported(kLayer, field, offset);
    return DecodeError::malformed(kLayer, field, offset);
}

ber::Identifier context(std::uint32_t n) { return {ber::TagClass::context, true, n}; }

// An INTEGER of up to 8 content octets as two's complement, low 32 bits kept
// (errorCode may come as 02 04 80 09 03 02 or, positive, 02 05 00 80 09 03 02).
Status read_int32(Reader& r, std::uint32_t& v) {
    Reader content;
    if (Status s = ber::read_expected(r, ber::integer_id, content); s != Status::ok) return s;
    const std::size_t n = content.remaining();
    if (n == 0) return Status::invalid;
    if (n > 8) return Status::unsupported;
    std::uint64_t raw = 0;
    for (std::size_t i = 0; i < n; ++i) raw = raw << 8 | *content.peek_u8(i);
    v = static_cast<std::uint32_t>(raw);
    return Status::ok;
}

TokenKind token_kind(Bytes t) {
    static constexpr std::array<std::uint8_t, 8> kNtlm{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    if (t.size() >= 8 && std::equal(kNtlm.begin(), kNtlm.end(), t.begin())) return TokenKind::ntlm;
    if (t.empty()) return TokenKind::none;
    // RFC 2743 3.1: [APPLICATION 0] InitialContextToken; SPNEGO's OID 1.3.6.1.5.5.2
    // (06 06 2b 06 01 05 05 02) follows its length, Kerberos's (06 09 2a 86 48 86 f7 12 01 02 02) likewise.
    static constexpr std::array<std::uint8_t, 8> kSpnegoOid{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
    static constexpr std::array<std::uint8_t, 4> kKrbOid{0x06, 0x09, 0x2a, 0x86};
    if (t[0] == 0x60) {
        if (std::search(t.begin(), t.begin() + std::min<std::size_t>(t.size(), 16), kSpnegoOid.begin(),
                        kSpnegoOid.end()) != t.begin() + std::min<std::size_t>(t.size(), 16))
            return TokenKind::spnego;
        if (std::search(t.begin(), t.begin() + std::min<std::size_t>(t.size(), 16), kKrbOid.begin(),
                        kKrbOid.end()) != t.begin() + std::min<std::size_t>(t.size(), 16))
            return TokenKind::kerberos;
        return TokenKind::other;
    }
    if (t[0] == 0xa1) return TokenKind::spnego;  // NegTokenResp (RFC 4178 4.2.2)
    return TokenKind::other;
}

// The NTLM message type inside a token (raw, or wrapped in SPNEGO).
std::uint8_t ntlm_message(Bytes t) {
    static constexpr std::array<std::uint8_t, 8> kNtlm{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    auto it = std::search(t.begin(), t.end(), kNtlm.begin(), kNtlm.end());
    const std::size_t at = static_cast<std::size_t>(it - t.begin());
    if (it == t.end() || at + 12 > t.size()) return 0;
    const std::uint32_t type = t[at + 8] | t[at + 9] << 8 | t[at + 10] << 16 | static_cast<std::uint32_t>(t[at + 11]) << 24;
    return type >= 1 && type <= 3 ? static_cast<std::uint8_t>(type) : 0;
}

// RFC 4121 4.1 / RFC 1964 1.1: the krb5 mechanism OID (user-to-user: one
// more arc, .3), then the 2-byte TOK_ID, then the Kerberos message --
// wherever it sits in the token (raw, or SPNEGO's mechToken / responseToken;
// SPNEGO's mechTypes list the OIDs too, followed by no TOK_ID).
void read_krb5_token(Bytes t, TsRequest& out) {
    static constexpr std::array<std::uint8_t, 9> kKrb5{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
    for (auto it = t.begin(); (it = std::search(it, t.end(), kKrb5.begin(), kKrb5.end())) != t.end(); ++it) {
        const std::size_t oid = static_cast<std::size_t>(it - t.begin());
        if (oid < 2 || t[oid - 2] != 0x06) continue;
        std::size_t at = oid + kKrb5.size();
        bool u2u = false;
        if (t[oid - 1] == 0x0a && at < t.size() && t[at] == 0x03) {
            u2u = true;
            ++at;
        } else if (t[oid - 1] != 0x09) {
            continue;
        }
        if (at + 2 > t.size()) continue;
        const std::uint16_t tok = static_cast<std::uint16_t>(t[at] << 8 | t[at + 1]);
        if (std::string_view(krb5_token_name(tok)) == "unknown") continue;
        out.krb5_tok_id = tok;
        out.krb5_user_to_user = u2u;
        if (tok <= 0x0300) {
            if (auto m = krb::decode_message(t.subspan(at + 2))) out.kerberos = std::move(*m);
        }
        return;
    }
}

Status read_nego_data(Reader& r, TsRequest& out) {
    Reader seq;
    if (Status s = ber::read_expected(r, ber::sequence_id, seq); s != Status::ok) return s;
    while (!seq.empty()) {
        Reader item, tag0, token;
        if (Status s = ber::read_expected(seq, ber::sequence_id, item); s != Status::ok) return s;
        if (Status s = ber::read_expected(item, context(0), tag0); s != Status::ok) return s;
        Bytes t;
        if (Status s = ber::read_octet_string(tag0, t); s != Status::ok) return s;
        if (out.nego_tokens++ == 0) {
            out.token_kind = token_kind(t);
            out.ntlm_message = ntlm_message(t);
            read_krb5_token(t, out);
            if (out.ntlm_message) {
                // The NTLM message runs from its signature to the token's end
                // (raw, or SPNEGO's mechToken / responseToken, RFC 4178 4.2).
                static constexpr std::array<std::uint8_t, 8> kNtlm{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
                const auto it = std::search(t.begin(), t.end(), kNtlm.begin(), kNtlm.end());
                if (auto m = ntlm::decode(t.subspan(static_cast<std::size_t>(it - t.begin())))) out.ntlm = std::move(*m);
            }
        }
    }
    return Status::ok;
}

}  // namespace

const char* to_string(TokenKind k) {
    switch (k) {
        case TokenKind::none: return "none";
        case TokenKind::ntlm: return "ntlm";
        case TokenKind::spnego: return "spnego";
        case TokenKind::kerberos: return "kerberos";
        case TokenKind::other: return "other";
    }
    return "other";
}

Decoded<std::size_t> ts_request_length(Bytes data) {
    Reader r(data);
    ber::Header h;
    const Status s = ber::read_header(r, h);
    if (s == Status::short_input) return DecodeError::need_more(kLayer, "TSRequest", 0);
    if (s != Status::ok) return error_at(s, "TSRequest", 0);
    if (h.id != ber::sequence_id) return DecodeError::malformed(kLayer, "TSRequest", 0);
    const std::size_t total = h.header_size + h.length;
    if (total > data.size()) return DecodeError::need_more(kLayer, "TSRequest", 0, total);
    return total;
}

Decoded<TsRequest> decode_ts_request(Bytes data) {
    Reader top(data), r;
    if (Status s = ber::read_expected(top, ber::sequence_id, r); s != Status::ok) {
        if (s == Status::short_input) return DecodeError::need_more(kLayer, "TSRequest", 0);
        return error_at(s, "TSRequest", 0);
    }
    TsRequest out;
    // version [0] is required; the others optional, in tag order.
    std::uint32_t last_tag = 0;
    bool have_version = false;
    while (!r.empty()) {
        const std::size_t at = r.offset();
        ber::Header h;
        Reader peek = r;
        if (Status s = ber::read_header(peek, h); s != Status::ok) return error_at(s, "field", at);
        if (h.id.cls != ber::TagClass::context || !h.id.constructed || h.id.number > 5 ||
            (have_version && h.id.number <= last_tag))
            return DecodeError::malformed(kLayer, "field", at);
        Reader field;
        if (Status s = ber::read_expected(r, h.id, field); s != Status::ok) return error_at(s, "field", at);
        Status s = Status::ok;
        Bytes os;
        switch (h.id.number) {
            case 0: s = read_int32(field, out.version); have_version = true; break;
            case 1: s = read_nego_data(field, out); break;
            case 2: s = ber::read_octet_string(field, os); out.auth_info = true; break;
            case 3: s = ber::read_octet_string(field, os); out.pub_key_auth = true; break;
            case 4: {
                std::uint32_t v = 0;
                s = read_int32(field, v);
                out.error_code = v;
                break;
            }
            case 5: s = ber::read_octet_string(field, os); out.client_nonce = true; break;
        }
        static constexpr std::string_view kNames[] = {"version", "negoTokens", "authInfo",
                                                       "pubKeyAuth", "errorCode", "clientNonce"};
        if (s != Status::ok) return error_at(s, kNames[h.id.number], at);
        if (!have_version) return DecodeError::malformed(kLayer, "version", at);
        last_tag = h.id.number;
    }
    if (!have_version) return DecodeError::malformed(kLayer, "version", 0);
    return out;
}

Decoded<std::uint32_t> decode_early_user_auth_result(Bytes data) {
    Reader r(data);
    std::uint32_t v = 0;
    if (!r.u32le(v)) return DecodeError::need_more(kLayer, "authorizationResult", 0, 4);
    if (!r.empty()) return DecodeError::malformed(kLayer, "authorizationResult", 4);
    return v;
}

const char* ntlm_message_name(std::uint8_t type) {
    switch (type) {
        case 1: return "NEGOTIATE";
        case 2: return "CHALLENGE";
        case 3: return "AUTHENTICATE";
        default: return "unknown";
    }
}

const char* krb5_token_name(std::uint16_t tok_id) {
    switch (tok_id) {
        case 0x0100: return "AP-REQ";     // RFC 4121 4.1
        case 0x0200: return "AP-REP";
        case 0x0300: return "KRB-ERROR";
        case 0x0400: return "TGT-REQ";    // user-to-user (KERB-TGT-REQUEST)
        case 0x0401: return "TGT-REP";
        default: return "unknown";
    }
}

const char* euar_name(std::uint32_t result) {
    switch (result) {
        case 0: return "AUTHZ_SUCCESS";
        case 5: return "AUTHZ_ACCESS_DENIED";
        default: return "unknown";
    }
}

const char* status_name(std::uint32_t code) {
    switch (code) {
        // NTSTATUS, MS-ERREF 2.3.1
        case 0x00000000: return "STATUS_SUCCESS";
        case 0xC000005E: return "STATUS_NO_LOGON_SERVERS";
        case 0xC0000064: return "STATUS_NO_SUCH_USER";
        case 0xC000006A: return "STATUS_WRONG_PASSWORD";
        case 0xC000006D: return "STATUS_LOGON_FAILURE";
        case 0xC000006E: return "STATUS_ACCOUNT_RESTRICTION";
        case 0xC000006F: return "STATUS_INVALID_LOGON_HOURS";
        case 0xC0000070: return "STATUS_INVALID_WORKSTATION";
        case 0xC0000071: return "STATUS_PASSWORD_EXPIRED";
        case 0xC0000072: return "STATUS_ACCOUNT_DISABLED";
        case 0xC0000133: return "STATUS_TIME_DIFFERENCE_AT_DC";
        case 0xC000015B: return "STATUS_LOGON_TYPE_NOT_GRANTED";
        case 0xC0000193: return "STATUS_ACCOUNT_EXPIRED";
        case 0xC0000224: return "STATUS_PASSWORD_MUST_CHANGE";
        case 0xC0000234: return "STATUS_ACCOUNT_LOCKED_OUT";
        case 0xC0000413: return "STATUS_AUTHENTICATION_FIREWALL_FAILED";
        case 0xC0000022: return "STATUS_ACCESS_DENIED";
        // SECURITY_STATUS (HRESULT), MS-ERREF 2.1.1 / winerror.h
        case 0x80090302: return "SEC_E_UNSUPPORTED_FUNCTION";
        case 0x80090304: return "SEC_E_INTERNAL_ERROR";
        case 0x80090308: return "SEC_E_INVALID_TOKEN";
        case 0x8009030C: return "SEC_E_LOGON_DENIED";
        case 0x8009030E: return "SEC_E_NO_CREDENTIALS";
        case 0x80090311: return "SEC_E_NO_AUTHENTICATING_AUTHORITY";
        case 0x80090322: return "SEC_E_WRONG_PRINCIPAL";
        case 0x80090324: return "SEC_E_TIME_SKEW";
        case 0x80090327: return "SEC_E_CERT_UNKNOWN";
        case 0x80090328: return "SEC_E_CERT_EXPIRED";
        case 0x8009033F: return "SEC_E_MUTUAL_AUTH_FAILED";
        case 0x80090346: return "SEC_E_BAD_BINDINGS";
        case 0x80090350: return "SEC_E_DOWNGRADE_DETECTED";
        case 0x80090363: return "SEC_E_DELEGATION_POLICY";
        case 0x80090364: return "SEC_E_POLICY_NLTM_ONLY";
        case 0x80004005: return "E_FAIL";
        case 0x80070005: return "E_ACCESSDENIED";
        default: return nullptr;
    }
}

}  // namespace rdpscope::credssp
