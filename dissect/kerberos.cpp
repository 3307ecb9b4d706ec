// SPDX-License-Identifier: MIT
#include "dissect/kerberos.hpp"

#include <array>

#include "dissect/ber.hpp"
#include "dissect/name_table.hpp"

namespace rdpscope::krb {

namespace {

constexpr std::string_view kLayer = "kerberos";

// RFC 4120 7.5.9; 62-66 reserved there for PKINIT and named by RFC 4556 3.1.3,
// 67-69 (RFC 4120 and RFC 6806), 70-76 RFC 4556 3.1.3.
constexpr Named<std::int32_t> kErrors[] = {
    {0, "KDC_ERR_NONE"},
    {1, "KDC_ERR_NAME_EXP"},
    {2, "KDC_ERR_SERVICE_EXP"},
    {3, "KDC_ERR_BAD_PVNO"},
    {4, "KDC_ERR_C_OLD_MAST_KVNO"},
    {5, "KDC_ERR_S_OLD_MAST_KVNO"},
    {6, "KDC_ERR_C_PRINCIPAL_UNKNOWN"},
    {7, "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
    {8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE"},
    {9, "KDC_ERR_NULL_KEY"},
    {10, "KDC_ERR_CANNOT_POSTDATE"},
    {11, "KDC_ERR_NEVER_VALID"},
    {12, "KDC_ERR_POLICY"},
    {13, "KDC_ERR_BADOPTION"},
    {14, "KDC_ERR_ETYPE_NOSUPP"},
    {15, "KDC_ERR_SUMTYPE_NOSUPP"},
    {16, "KDC_ERR_PADATA_TYPE_NOSUPP"},
    {17, "KDC_ERR_TRTYPE_NOSUPP"},
    {18, "KDC_ERR_CLIENT_REVOKED"},
    {19, "KDC_ERR_SERVICE_REVOKED"},
    {20, "KDC_ERR_TGT_REVOKED"},
    {21, "KDC_ERR_CLIENT_NOTYET"},
    {22, "KDC_ERR_SERVICE_NOTYET"},
    {23, "KDC_ERR_KEY_EXPIRED"},
    {24, "KDC_ERR_PREAUTH_FAILED"},
    {25, "KDC_ERR_PREAUTH_REQUIRED"},
    {26, "KDC_ERR_SERVER_NOMATCH"},
    {27, "KDC_ERR_MUST_USE_USER2USER"},
    {28, "KDC_ERR_PATH_NOT_ACCEPTED"},
    {29, "KDC_ERR_SVC_UNAVAILABLE"},
    {31, "KRB_AP_ERR_BAD_INTEGRITY"},
    {32, "KRB_AP_ERR_TKT_EXPIRED"},
    {33, "KRB_AP_ERR_TKT_NYV"},
    {34, "KRB_AP_ERR_REPEAT"},
    {35, "KRB_AP_ERR_NOT_US"},
    {36, "KRB_AP_ERR_BADMATCH"},
    {37, "KRB_AP_ERR_SKEW"},
    {38, "KRB_AP_ERR_BADADDR"},
    {39, "KRB_AP_ERR_BADVERSION"},
    {40, "KRB_AP_ERR_MSG_TYPE"},
    {41, "KRB_AP_ERR_MODIFIED"},
    {42, "KRB_AP_ERR_BADORDER"},
    {43, "KRB_AP_ERR_ILL_CR_TKT"},
    {44, "KRB_AP_ERR_BADKEYVER"},
    {45, "KRB_AP_ERR_NOKEY"},
    {46, "KRB_AP_ERR_MUT_FAIL"},
    {47, "KRB_AP_ERR_BADDIRECTION"},
    {48, "KRB_AP_ERR_METHOD"},
    {49, "KRB_AP_ERR_BADSEQ"},
    {50, "KRB_AP_ERR_INAPP_CKSUM"},
    {51, "KRB_AP_PATH_NOT_ACCEPTED"},
    {52, "KRB_ERR_RESPONSE_TOO_BIG"},
    {60, "KRB_ERR_GENERIC"},
    {61, "KRB_ERR_FIELD_TOOLONG"},
    {62, "KDC_ERROR_CLIENT_NOT_TRUSTED"},
    {63, "KDC_ERROR_KDC_NOT_TRUSTED"},
    {64, "KDC_ERROR_INVALID_SIG"},
    {65, "KDC_ERR_KEY_TOO_WEAK"},
    {66, "KDC_ERR_CERTIFICATE_MISMATCH"},
    {67, "KRB_AP_ERR_NO_TGT"},
    {68, "KDC_ERR_WRONG_REALM"},
    {69, "KRB_AP_ERR_USER_TO_USER_REQUIRED"},
    {70, "KDC_ERR_CANT_VERIFY_CERTIFICATE"},
    {71, "KDC_ERR_INVALID_CERTIFICATE"},
    {72, "KDC_ERR_REVOKED_CERTIFICATE"},
    {73, "KDC_ERR_REVOCATION_STATUS_UNKNOWN"},
    {74, "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE"},
    {75, "KDC_ERR_CLIENT_NAME_MISMATCH"},
    {76, "KDC_ERR_KDC_NAME_MISMATCH"},
};

// What the errors an RDP user meets mean, in words (Microsoft's event 4771 /
// 4768 failure-code table says the same of the Windows KDC).
constexpr Named<std::int32_t> kMeanings[] = {
    {1, "the account has expired"},
    {6, "the user name is not known to the domain"},
    {7, "the KDC knows no account with that service principal name: the client asked for a name (IP address, alias) no SPN is registered for"},
    {12, "the domain's policy refuses the logon (logon hours, workstation restrictions, Protected Users)"},
    {18, "the account is locked out, disabled or expired"},
    {23, "the password has expired and must be changed"},
    {24, "wrong password (or smartcard PIN)"},
    {25, "pre-authentication required: the normal first answer, the client retries with it"},
    {37, "the client's clock differs from the domain controller's by more than the allowed skew (5 minutes by default)"},
    {52, "the answer does not fit in UDP: the client retries over TCP"},
    {68, "the request went to the wrong realm: a referral"},
    {70, "the KDC cannot verify the smartcard certificate"},
    {71, "the smartcard certificate is invalid"},
    {72, "the smartcard certificate is revoked"},
    {73, "the revocation status of the smartcard certificate is unknown"},
    {74, "the revocation status of the smartcard certificate cannot be checked"},
    {75, "the smartcard certificate does not match the user name"},
};

using ber::Status;
using ber::TagClass;
using ber::Identifier;

constexpr Identifier context(std::uint32_t n) { return {TagClass::context, true, n}; }
constexpr Identifier kGeneralizedTime{TagClass::universal, false, 24};
constexpr Identifier kTicket{TagClass::application, true, 1};

// The error for a helper's Status at `r`'s position.
DecodeError error_at(Status s, std::string_view field, const Reader& r) {
    // Inside a message given whole, running out of bytes means a length lied.
    if (s == Status::unsupported) return DecodeError::unsupported(kLayer, field, r.offset());
    return DecodeError::malformed(kLayer, field, r.offset());
}

// Int32 / UInt32 (RFC 4120 5.2.4): a DER INTEGER of at most 5 content octets,
// two's complement.
Status read_int(Reader& r, std::int64_t& v) {
    Reader t = r;
    Reader content;
    if (Status s = ber::read_expected(t, ber::integer_id, content); s != Status::ok) return s;
    const std::size_t n = content.remaining();
    if (n == 0) return Status::invalid;
    if (n > 5) return Status::unsupported;
    std::uint64_t raw = 0;
    if (!content.uint_be(n, raw)) return Status::invalid;
    // Sign-extend from the top bit of the first octet.
    if (raw >> (8 * n - 1)) raw |= ~std::uint64_t{0} << (8 * n);
    v = static_cast<std::int64_t>(raw);
    r = t;
    return Status::ok;
}

// KerberosString / Realm (RFC 4120 5.2.1): GeneralString, IA5String in
// practice; any primitive universal string type is taken.
Status read_string(Reader& r, std::string& out) {
    Reader t = r;
    ber::Header h;
    if (Status s = ber::read_header(t, h); s != Status::ok) return s;
    const auto& id = h.id;
    const bool string_type = id.cls == TagClass::universal && !id.constructed &&
                             (id.number == 27 || id.number == 22 || id.number == 12 || id.number == 19 ||
                              id.number == 26);
    if (!string_type) return Status::invalid;
    if (h.length > kMaxString) return Status::unsupported;
    auto body = t.bytes(h.length);
    if (!body) return Status::short_input;
    out.assign(as_text(*body));
    r = t;
    return Status::ok;
}

Status read_time(Reader& r, std::string& out) {
    Reader t = r;
    Reader content;
    if (Status s = ber::read_expected(t, kGeneralizedTime, content); s != Status::ok) return s;
    if (content.remaining() > 32) return Status::invalid;  // "YYYYMMDDHHMMSSZ" is 15
    out.assign(as_text(content.rest()));
    r = t;
    return Status::ok;
}

// The content of `[n] EXPLICIT` around one value: `inner` reads exactly it.
Status explicit_content(Reader& r, const ber::Header& h, Reader& inner) {
    auto body = r.sub(h.length);
    if (!body) return Status::short_input;
    inner = *body;
    return Status::ok;
}

// PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
Status read_principal(Reader& r, Principal& p) {
    Reader seq;
    if (Status s = ber::read_expected(r, ber::sequence_id, seq); s != Status::ok) return s;
    Principal out;
    bool have_type = false, have_names = false;
    while (!seq.empty()) {
        ber::Header h;
        if (Status s = ber::read_header(seq, h); s != Status::ok) return s;
        Reader in;
        if (Status s = explicit_content(seq, h, in); s != Status::ok) return s;
        if (h.id == context(0)) {
            std::int64_t v = 0;
            if (Status s = read_int(in, v); s != Status::ok) return s;
            out.name_type = static_cast<std::int32_t>(v);
            have_type = true;
        } else if (h.id == context(1)) {
            Reader list;
            if (Status s = ber::read_expected(in, ber::sequence_id, list); s != Status::ok) return s;
            while (!list.empty()) {
                if (out.names.size() == kMaxComponents) return Status::unsupported;
                std::string part;
                if (Status s = read_string(list, part); s != Status::ok) return s;
                out.names.push_back(std::move(part));
            }
            have_names = true;
        }
    }
    if (!have_type || !have_names) return Status::invalid;
    p = std::move(out);
    return Status::ok;
}

// padata SEQUENCE OF PA-DATA; PA-DATA ::= SEQUENCE { padata-type [1] Int32, padata-value [2] OCTET STRING }
Status read_padata(Reader& r, std::vector<std::int32_t>& types) {
    Reader list;
    if (Status s = ber::read_expected(r, ber::sequence_id, list); s != Status::ok) return s;
    while (!list.empty()) {
        Reader pa;
        if (Status s = ber::read_expected(list, ber::sequence_id, pa); s != Status::ok) return s;
        while (!pa.empty()) {
            ber::Header h;
            if (Status s = ber::read_header(pa, h); s != Status::ok) return s;
            Reader in;
            if (Status s = explicit_content(pa, h, in); s != Status::ok) return s;
            if (h.id == context(1)) {
                std::int64_t v = 0;
                if (Status s = read_int(in, v); s != Status::ok) return s;
                if (types.size() < kMaxPadata) types.push_back(static_cast<std::int32_t>(v));
            }
        }
    }
    return Status::ok;
}

// The fields of a SEQUENCE of [n] EXPLICIT elements, in any order; elements
// the reader does not know are skipped.  `field(n, inner)` reads element n.
template <class F>
Decoded<bool> each_field(Reader& seq, std::string_view what, F&& field) {
    while (!seq.empty()) {
        ber::Header h;
        const Reader at = seq;
        if (Status s = ber::read_header(seq, h); s != Status::ok) return error_at(s, what, at);
        Reader in;
        if (Status s = explicit_content(seq, h, in); s != Status::ok) return error_at(s, what, at);
        if (h.id.cls != TagClass::context || !h.id.constructed) return DecodeError::malformed(kLayer, what, at.offset());
        if (auto err = field(h.id.number, in)) return *err;
    }
    return true;
}

using FieldError = std::optional<DecodeError>;

// KDC-REQ-BODY (RFC 4120 5.4.1).
FieldError read_req_body(Reader& r, Message& m) {
    Reader body;
    if (Status s = ber::read_expected(r, ber::sequence_id, body); s != Status::ok) return error_at(s, "req-body", r);
    auto res = each_field(body, "req-body", [&](std::uint32_t n, Reader& in) -> FieldError {
        Status s = Status::ok;
        std::int64_t v = 0;
        switch (n) {
            case 1: { Principal p; s = read_principal(in, p); if (s == Status::ok) m.cname = std::move(p); break; }
            case 2: s = read_string(in, m.crealm); m.srealm = m.crealm; break;  // the realm of both names
            case 3: { Principal p; s = read_principal(in, p); if (s == Status::ok) m.sname = std::move(p); break; }
            case 5: s = read_time(in, m.till); break;
            case 7:
                s = read_int(in, v);
                if (s == Status::ok) m.nonce = static_cast<std::uint32_t>(v);
                break;
            default: break;
        }
        if (s != Status::ok) return error_at(s, n == 1 ? "cname" : n == 2 ? "realm" : n == 3 ? "sname" : "req-body", in);
        return std::nullopt;
    });
    if (!res) return res.error();
    return std::nullopt;
}

// Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1] Realm, sname [2] PrincipalName, enc-part [3] }
FieldError read_ticket(Reader& r, Message& m) {
    Reader app, seq;
    if (Status s = ber::read_expected(r, kTicket, app); s != Status::ok) return error_at(s, "ticket", r);
    if (Status s = ber::read_expected(app, ber::sequence_id, seq); s != Status::ok) return error_at(s, "ticket", app);
    auto res = each_field(seq, "ticket", [&](std::uint32_t n, Reader& in) -> FieldError {
        Status s = Status::ok;
        if (n == 1) s = read_string(in, m.srealm);
        if (n == 2) { Principal p; s = read_principal(in, p); if (s == Status::ok) m.sname = std::move(p); }
        if (s != Status::ok) return error_at(s, n == 1 ? "ticket realm" : "ticket sname", in);
        return std::nullopt;
    });
    if (!res) return res.error();
    return std::nullopt;
}

}  // namespace

std::string_view msg_type_name(std::uint32_t tag) {
    switch (tag) {
        case 10: return "AS-REQ";
        case 11: return "AS-REP";
        case 12: return "TGS-REQ";
        case 13: return "TGS-REP";
        case 14: return "AP-REQ";
        case 15: return "AP-REP";
        case 30: return "KRB-ERROR";
        default: return {};
    }
}

bool is_request(std::uint32_t tag) { return tag == 10 || tag == 12; }

std::string_view error_name(std::int32_t code) { return lookup(kErrors, code); }
std::string_view error_meaning(std::int32_t code) { return lookup(kMeanings, code); }

std::string Principal::joined() const {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += '/';
        out += n;
    }
    return out;
}

Decoded<std::uint32_t> tcp_record_length(Bytes prefix) {
    Reader r(prefix);
    std::uint32_t len = 0;
    if (!r.u32be(len)) return DecodeError::need_more(kLayer, "record length", 0, 4);
    // RFC 4120 7.2.2: the high bit is reserved for an extension no KDC uses.
    if (len & 0x8000'0000u) return DecodeError::malformed(kLayer, "record length", 0);
    return len;
}

Decoded<Message> decode_message(Bytes msg, std::size_t base) {
    Reader r(msg, base);
    ber::Header h;
    if (Status s = ber::read_header(r, h); s != Status::ok) return error_at(s, "message", r);
    if (h.id.cls != TagClass::application || !h.id.constructed || msg_type_name(h.id.number).empty())
        return DecodeError::malformed(kLayer, "message type", base);
    auto body = r.sub(h.length);
    if (!body) return DecodeError::malformed(kLayer, "message length", base);
    Message m;
    m.type = h.id.number;
    Reader seq;
    if (Status s = ber::read_expected(*body, ber::sequence_id, seq); s != Status::ok) return error_at(s, "message", *body);
    if (m.type == 15) return m;  // AP-REP: only the type (its content is encrypted)

    const bool request = is_request(m.type);
    const bool error = m.type == 30;
    const bool ap_req = m.type == 14;
    auto res = each_field(seq, "message", [&](std::uint32_t n, Reader& in) -> FieldError {
        Status s = Status::ok;
        std::int64_t v = 0;
        if (ap_req) {
            // AP-REQ ::= SEQUENCE { pvno [0], msg-type [1], ap-options [2], ticket [3] Ticket,
            //   authenticator [4] } (5.5.1): the ticket names the service (CredSSP: TERMSRV/host).
            if (n == 1 && (s = read_int(in, v)) == Status::ok) m.msg_type_field = static_cast<std::int32_t>(v);
            if (n == 3) return read_ticket(in, m);
        } else if (request) {
            // KDC-REQ ::= SEQUENCE { pvno [1], msg-type [2], padata [3] OPTIONAL, req-body [4] }
            if (n == 2 && (s = read_int(in, v)) == Status::ok) m.msg_type_field = static_cast<std::int32_t>(v);
            if (n == 3) s = read_padata(in, m.padata_types);
            if (n == 4) return read_req_body(in, m);
        } else if (error) {
            // KRB-ERROR ::= SEQUENCE { pvno [0], msg-type [1], ctime [2], cusec [3], stime [4], susec [5],
            //   error-code [6], crealm [7], cname [8], realm [9], sname [10], e-text [11], e-data [12] }
            switch (n) {
                case 1: if ((s = read_int(in, v)) == Status::ok) m.msg_type_field = static_cast<std::int32_t>(v); break;
                case 2: s = read_time(in, m.ctime); break;
                case 4: s = read_time(in, m.stime); break;
                case 6: if ((s = read_int(in, v)) == Status::ok) m.error_code = static_cast<std::int32_t>(v); break;
                case 7: s = read_string(in, m.crealm); break;
                case 8: { Principal p; s = read_principal(in, p); if (s == Status::ok) m.cname = std::move(p); break; }
                case 9: s = read_string(in, m.srealm); break;
                case 10: { Principal p; s = read_principal(in, p); if (s == Status::ok) m.sname = std::move(p); break; }
                case 11: { std::string t; s = read_string(in, t); if (s == Status::ok) m.e_text = std::move(t); break; }
                default: break;
            }
        } else {
            // KDC-REP ::= SEQUENCE { pvno [0], msg-type [1], padata [2] OPTIONAL, crealm [3], cname [4],
            //   ticket [5] Ticket, enc-part [6] }
            switch (n) {
                case 1: if ((s = read_int(in, v)) == Status::ok) m.msg_type_field = static_cast<std::int32_t>(v); break;
                case 2: s = read_padata(in, m.padata_types); break;
                case 3: s = read_string(in, m.crealm); break;
                case 4: { Principal p; s = read_principal(in, p); if (s == Status::ok) m.cname = std::move(p); break; }
                case 5: return read_ticket(in, m);
                default: break;
            }
        }
        if (s != Status::ok) return error_at(s, "message field", in);
        return std::nullopt;
    });
    if (!res) return res.error();
    if (error && !m.error_code) return DecodeError::malformed(kLayer, "error-code", base);
    return m;
}

}  // namespace rdpscope::krb
