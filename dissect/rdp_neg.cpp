// SPDX-License-Identifier: MIT
#include "dissect/rdp_neg.hpp"

#include <fmt/format.h>

namespace rdpscope::rdpneg {

namespace {

bool starts_with(Bytes b, std::string_view prefix) {
    return as_text(b).substr(0, prefix.size()) == prefix;
}

// The 8-byte type/flags/length/value structure shared by all three neg PDUs.
struct NegHeader {
    std::uint8_t type = 0, flags = 0;
    std::uint16_t length = 0;
    std::uint32_t value = 0;
};

std::optional<DecodeError> read_neg(Reader& r, NegHeader& h) {
    const std::size_t at = r.offset();
    if (!r.u8(h.type) || !r.u8(h.flags) || !r.u16le(h.length)) return DecodeError::truncated("rdp", "neg.header", at);
    if (h.length != 8) return DecodeError::malformed("rdp", "neg.length", at + 2);
    if (!r.u32le(h.value)) return DecodeError::truncated("rdp", "neg.value", r.offset());
    return std::nullopt;
}

}  // namespace

Decoded<Request> decode_request(Bytes variable) {
    Reader r(variable);
    Request req;
    // 2.2.1.1: the token or cookie comes first and ends with CR LF.  A cookie is
    // "Cookie: mstshash=NAME"; anything else CR LF-terminated is a routing token
    // (typically "Cookie: msts=...").
    if (!r.empty() && r.peek_u8() != TYPE_RDP_NEG_REQ) {
        auto line = r.until('\r', '\n');
        if (!line) return DecodeError::malformed("rdp", "cookie", r.offset());
        if (starts_with(*line, kCookiePrefix)) req.cookie = as_text(*line).substr(kCookiePrefix.size());
        else req.routing_token = as_text(*line);
    }
    if (r.remaining() >= 8 && r.peek_u8() == TYPE_RDP_NEG_REQ) {
        NegHeader h;
        if (auto e = read_neg(r, h)) return *e;
        req.neg_req = NegReq{h.flags, h.length, h.value};
    }
    // 2.2.1.1.2: correlation info, 36 bytes, only when the neg flags say so,
    // but recognise it by its type byte as Wireshark does.
    if (r.remaining() >= 36 && r.peek_u8() == TYPE_RDP_CORRELATION_INFO) {
        const std::size_t at = r.offset();
        std::uint8_t type = 0, flags = 0;
        std::uint16_t length = 0;
        r.u8(type); r.u8(flags); r.u16le(length);
        if (length != 36) return DecodeError::malformed("rdp", "correlation.length", at + 2);
        CorrelationInfo c;
        c.flags = flags;
        auto id = r.bytes(16);
        std::copy(id->begin(), id->end(), c.id.begin());
        r.skip(16);  // reserved
        req.correlation = c;
    }
    req.trailing = r.remaining();
    return req;
}

Decoded<Confirm> decode_confirm(Bytes variable) {
    Reader r(variable);
    Confirm c;
    if (r.empty()) return c;  // a legacy server: no negotiation response at all
    const auto type = *r.peek_u8();
    if (type != TYPE_RDP_NEG_RSP && type != TYPE_RDP_NEG_FAILURE)
        return DecodeError::malformed("rdp", "neg.type", r.offset());
    NegHeader h;
    if (auto e = read_neg(r, h)) return *e;
    if (type == TYPE_RDP_NEG_RSP) c.neg_rsp = NegRsp{h.flags, h.length, h.value};
    else c.neg_failure = NegFailure{h.flags, h.length, h.value};
    c.trailing = r.remaining();
    return c;
}

const char* failure_name(std::uint32_t code) {
    switch (code) {
        case 1: return "SSL_REQUIRED_BY_SERVER";
        case 2: return "SSL_NOT_ALLOWED_BY_SERVER";
        case 3: return "SSL_CERT_NOT_ON_SERVER";
        case 4: return "INCONSISTENT_FLAGS";
        case 5: return "HYBRID_REQUIRED_BY_SERVER";
        case 6: return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER";
        default: return "UNKNOWN";
    }
}

const char* protocol_name(std::uint32_t value) {
    switch (value) {
        case PROTOCOL_RDP: return "RDP";
        case PROTOCOL_SSL: return "SSL";
        case PROTOCOL_HYBRID: return "HYBRID";
        case PROTOCOL_RDSTLS: return "RDSTLS";
        case PROTOCOL_HYBRID_EX: return "HYBRID_EX";
        case PROTOCOL_RDSAAD: return "RDSAAD";
        default: return "UNKNOWN";
    }
}

std::string protocol_flags(std::uint32_t mask) {
    if (mask == 0) return "RDP";
    std::string out;
    std::uint32_t known = 0;
    for (std::uint32_t bit : {PROTOCOL_SSL, PROTOCOL_HYBRID, PROTOCOL_RDSTLS, PROTOCOL_HYBRID_EX, PROTOCOL_RDSAAD}) {
        known |= bit;
        if (mask & bit) {
            if (!out.empty()) out += '|';
            out += protocol_name(bit);
        }
    }
    if (mask & ~known) {
        if (!out.empty()) out += '|';
        out += fmt::format("0x{:x}", mask & ~known);
    }
    return out;
}

}  // namespace rdpscope::rdpneg
