// SPDX-License-Identifier: MIT
#include "dissect/ber.hpp"

namespace rdpscope::ber {

Status read_identifier(Reader& r, Identifier& id) {
    Reader t = r;
    std::uint8_t first = 0;
    if (!t.u8(first)) return Status::short_input;
    Identifier out;
    out.cls = static_cast<TagClass>(first >> 6);
    out.constructed = (first & 0x20) != 0;
    out.number = first & 0x1f;
    if (out.number == 0x1f) {
        // High-tag-number form (X.690 8.1.2.4): base-128 digits, top bit set
        // on all but the last.  Four digits give 28 bits, far beyond any tag
        // T.125 defines; a longer run is garbage.
        out.number = 0;
        for (int digits = 0;; ++digits) {
            if (digits == 4) return Status::unsupported;
            std::uint8_t b = 0;
            if (!t.u8(b)) return Status::short_input;
            if (digits == 0 && b == 0x80) return Status::invalid;  // 8.1.2.4.2 c): no leading zero digit
            out.number = (out.number << 7) | (b & 0x7f);
            if ((b & 0x80) == 0) break;
        }
    }
    id = out;
    r = t;
    return Status::ok;
}

Status read_length(Reader& r, std::size_t& length) {
    Reader t = r;
    std::uint8_t first = 0;
    if (!t.u8(first)) return Status::short_input;
    if (first < 0x80) {
        length = first;
        r = t;
        return Status::ok;
    }
    if (first == 0x80) return Status::unsupported;  // indefinite form
    if (first == 0xff) return Status::invalid;      // 8.1.3.5 c): reserved
    const std::size_t n = first & 0x7f;
    if (n > max_length_octets) return Status::unsupported;
    std::uint64_t acc = 0;
    if (!t.uint_be(n, acc)) return Status::short_input;
    length = static_cast<std::size_t>(acc);
    r = t;
    return Status::ok;
}

Status read_header(Reader& r, Header& h) {
    Reader t = r;
    const std::size_t start = t.consumed();
    Header out;
    if (Status s = read_identifier(t, out.id); s != Status::ok) return s;
    if (Status s = read_length(t, out.length); s != Status::ok) return s;
    out.header_size = t.consumed() - start;
    h = out;
    r = t;
    return Status::ok;
}

Status read_expected(Reader& r, const Identifier& expected, Reader& content) {
    Reader t = r;
    Header h;
    if (Status s = read_header(t, h); s != Status::ok) return s;
    if (!(h.id == expected)) return Status::invalid;
    auto body = t.sub(h.length);
    if (!body) return Status::short_input;
    content = *body;
    r = t;
    return Status::ok;
}

namespace {

// INTEGER and ENUMERATED share content rules (X.690 8.3, 8.4).
Status read_unsigned_content(Reader& r, const Identifier& expected, std::uint64_t& value) {
    Reader t = r;
    Reader content;
    if (Status s = read_expected(t, expected, content); s != Status::ok) return s;
    if (content.empty()) return Status::invalid;  // 8.3.1: at least one octet
    if (!content.uint_be(content.remaining(), value)) return Status::unsupported;  // more than 8 octets
    r = t;
    return Status::ok;
}

}  // namespace

Status read_integer(Reader& r, std::uint64_t& value) {
    return read_unsigned_content(r, integer_id, value);
}

Status read_enumerated(Reader& r, std::uint64_t& value) {
    return read_unsigned_content(r, enumerated_id, value);
}

Status read_boolean(Reader& r, bool& value) {
    Reader t = r;
    Reader content;
    if (Status s = read_expected(t, boolean_id, content); s != Status::ok) return s;
    std::uint8_t b = 0;
    if (content.remaining() != 1 || !content.u8(b)) return Status::invalid;  // 8.2.1
    value = b != 0;
    r = t;
    return Status::ok;
}

Status read_octet_string(Reader& r, Bytes& value) {
    Reader t = r;
    Reader content;
    if (Status s = read_expected(t, octet_string_id, content); s != Status::ok) return s;
    value = content.rest();
    r = t;
    return Status::ok;
}

}  // namespace rdpscope::ber
