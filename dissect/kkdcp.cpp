// SPDX-License-Identifier: MIT
#include "dissect/kkdcp.hpp"

#include "dissect/ber.hpp"

namespace rdpscope::kkdcp {

namespace {
constexpr std::string_view kLayer = "kkdcp";

DecodeError ber_error(ber::Status s, std::string_view field, std::size_t offset) {
    return s == ber::Status::short_input ? DecodeError::truncated(kLayer, field, offset)
                                         : DecodeError::malformed(kLayer, field, offset);
}

constexpr ber::Identifier context(std::uint32_t n) { return {ber::TagClass::context, true, n}; }
constexpr ber::Identifier kGeneralString{ber::TagClass::universal, false, 27};
}  // namespace

Decoded<ProxyMessage> decode(Bytes body) {
    Reader r(body);
    Reader seq;
    if (auto s = ber::read_expected(r, ber::sequence_id, seq); s != ber::Status::ok) return ber_error(s, "message", 0);
    ProxyMessage m;
    m.encoded_length = r.consumed();
    // [0] kerb-message
    Reader f0;
    if (auto s = ber::read_expected(seq, context(0), f0); s != ber::Status::ok)
        return ber_error(s, "kerb_message", seq.offset());
    Bytes km;
    if (auto s = ber::read_octet_string(f0, km); s != ber::Status::ok) return ber_error(s, "kerb_message", f0.offset());
    Reader k(km, f0.offset() - km.size());
    if (!k.u32be(m.length)) return DecodeError::malformed(kLayer, "kerb_message_length", k.offset());
    // RFC 4120 7.2.2: the high bit is reserved (a longer length would follow).
    if (m.length & 0x80000000u) return DecodeError::unsupported(kLayer, "kerb_message_length", k.offset() - 4);
    if (m.length != k.remaining()) return DecodeError::malformed(kLayer, "kerb_message_length", k.offset() - 4);
    m.kerb_message = k.rest();
    // [1] target-domain, [2] dclocator-hint: optional, in order.
    while (!seq.empty()) {
        const std::size_t at = seq.offset();
        ber::Header h;
        Reader peek = seq;
        if (auto s = ber::read_header(peek, h); s != ber::Status::ok) return ber_error(s, "field", at);
        Reader f;
        if (auto s = ber::read_expected(seq, h.id, f); s != ber::Status::ok) return ber_error(s, "field", at);
        if (h.id == context(1) && !m.target_domain) {
            Reader str;
            if (auto s = ber::read_expected(f, kGeneralString, str); s != ber::Status::ok)
                return ber_error(s, "target_domain", f.offset());
            m.target_domain = std::string(as_text(str.rest()));
        } else if (h.id == context(2) && !m.dclocator_hint) {
            std::uint64_t v = 0;
            if (auto s = ber::read_integer(f, v); s != ber::Status::ok) return ber_error(s, "dclocator_hint", f.offset());
            m.dclocator_hint = static_cast<std::uint32_t>(v);
        } else {
            return DecodeError::malformed(kLayer, "field", at);
        }
    }
    return m;
}

}  // namespace rdpscope::kkdcp
