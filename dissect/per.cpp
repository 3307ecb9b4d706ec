// SPDX-License-Identifier: MIT
#include "dissect/per.hpp"

namespace rdpscope::per {

Status read_length(Reader& r, std::size_t& length) {
    Reader t = r;
    std::uint8_t first = 0;
    if (!t.u8(first)) return Status::short_input;
    if ((first & 0x80) == 0) {
        length = first;
    } else if ((first & 0xc0) == 0x80) {
        std::uint8_t second = 0;
        if (!t.u8(second)) return Status::short_input;
        length = (static_cast<std::size_t>(first & 0x3f) << 8) | second;
    } else {
        return Status::unsupported;  // fragmented (X.691 10.9.3.8)
    }
    r = t;
    return Status::ok;
}

Status read_integer16(Reader& r, std::uint16_t lower_bound, std::uint16_t& value) {
    Reader t = r;
    std::uint16_t raw = 0;
    if (!t.u16be(raw)) return Status::short_input;
    const std::uint32_t v = std::uint32_t{raw} + lower_bound;
    if (v > 0xffff) return Status::invalid;  // beyond the type's upper bound 65535
    value = static_cast<std::uint16_t>(v);
    r = t;
    return Status::ok;
}

Status read_integer(Reader& r, std::uint64_t& value) {
    Reader t = r;
    std::size_t n = 0;
    if (Status s = read_length(t, n); s != Status::ok) return s;
    if (n == 0) return Status::invalid;  // X.691 12.2.6: at least one octet
    if (n > 8) return Status::unsupported;
    if (!t.uint_be(n, value)) return Status::short_input;
    r = t;
    return Status::ok;
}

Status read_object_identifier(Reader& r, Bytes& content) {
    return read_octet_string(r, content);  // same shape: length determinant + octets
}

Status read_octet_string(Reader& r, Bytes& value) {
    Reader t = r;
    std::size_t n = 0;
    if (Status s = read_length(t, n); s != Status::ok) return s;
    auto content = t.bytes(n);
    if (!content) return Status::short_input;
    value = *content;
    r = t;
    return Status::ok;
}

Status read_octet_string_min(Reader& r, std::size_t min, Bytes& value) {
    Reader t = r;
    std::uint8_t encoded = 0;
    if (!t.u8(encoded)) return Status::short_input;
    auto content = t.bytes(encoded + min);
    if (!content) return Status::short_input;
    value = *content;
    r = t;
    return Status::ok;
}

Status read_numeric_string(Reader& r, std::size_t min, std::string& value) {
    Reader t = r;
    std::uint8_t encoded = 0;
    if (!t.u8(encoded)) return Status::short_input;
    const std::size_t digits = encoded + min;
    auto packed = t.bytes((digits + 1) / 2);
    if (!packed) return Status::short_input;
    std::string out;
    out.reserve(digits);
    for (std::size_t i = 0; i < digits; ++i) {
        const std::uint8_t byte = (*packed)[i / 2];
        const std::uint8_t nibble = (i % 2 == 0) ? (byte >> 4) : (byte & 0x0f);
        if (nibble > 9) return Status::invalid;
        out.push_back(static_cast<char>('0' + nibble));
    }
    value = std::move(out);
    r = t;
    return Status::ok;
}

}  // namespace rdpscope::per
