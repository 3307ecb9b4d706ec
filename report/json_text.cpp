// SPDX-License-Identifier: MIT
#include "report/json_text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace rdpscope {

namespace {

using json = nlohmann::ordered_json;

// Does any of the 8 bytes in w need more than copying: below 0x20, '"',
// '\\', or above 0x7F?  (The word-at-a-time tests of "Bit Twiddling Hacks":
// has-less-than and has-zero-byte, exact as a yes or no.)
bool special(std::uint64_t w) {
    constexpr std::uint64_t k01 = 0x0101010101010101ull, k80 = 0x8080808080808080ull;
    const auto has_zero = [](std::uint64_t v) { return (v - k01) & ~v & k80; };
    return (((w - k01 * 0x20) & ~w & k80) | has_zero(w ^ (k01 * '"')) | has_zero(w ^ (k01 * '\\')) | (w & k80)) != 0;
}

// As nlohmann's serializer::dump_escaped (ensure_ascii off) writes a string
// of ASCII; false, with nothing appended, for one holding any other byte.
bool append_ascii_string(std::string& out, std::string_view s) {
    const std::size_t mark = out.size();
    out.push_back('"');
    std::size_t run = 0;  // start of the bytes not yet appended
    std::size_t i = 0;
    while (i < s.size()) {
        // Eight plain bytes at a time; then the byte that is not.
        if (s.size() - i >= 8) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (!special(w)) {
                i += 8;
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            out.resize(mark);
            return false;
        }
        out.append(s.data() + run, i - run);
        run = ++i;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case 0x08: out += "\\b"; break;
            case 0x09: out += "\\t"; break;
            case 0x0A: out += "\\n"; break;
            case 0x0C: out += "\\f"; break;
            case 0x0D: out += "\\r"; break;
            default: {
                // Other control characters: \u and four lowercase hex digits.
                static constexpr char kHex[] = "0123456789abcdef";
                const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
                out.append(u, sizeof u);
            }
        }
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
    return true;
}

void append_string(std::string& out, const std::string& s) {
    if (!append_ascii_string(out, s)) out += json(s).dump();
}

template <typename N>
void append_integer(std::string& out, N n) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

void append_double(std::string& out, double x) {
    if (!std::isfinite(x)) {
        out += "null";
        return;
    }
    std::array<char, 64> buf;  // the size of the serializer's number buffer
    const char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), x);
    out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}

}  // namespace

void append_json(std::string& out, const json& j) {
    switch (j.type()) {
        case json::value_t::object: {
            const auto& fields = j.get_ref<const json::object_t&>();
            out.push_back('{');
            bool first = true;
            for (const auto& [key, value] : fields) {
                if (!first) out.push_back(',');
                first = false;
                append_string(out, key);
                out.push_back(':');
                append_json(out, value);
            }
            out.push_back('}');
            return;
        }
        case json::value_t::array: {
            const auto& items = j.get_ref<const json::array_t&>();
            out.push_back('[');
            bool first = true;
            for (const json& v : items) {
                if (!first) out.push_back(',');
                first = false;
                append_json(out, v);
            }
            out.push_back(']');
            return;
        }
        case json::value_t::string: append_string(out, j.get_ref<const std::string&>()); return;
        case json::value_t::boolean: out += j.get<bool>() ? "true" : "false"; return;
        case json::value_t::number_integer: append_integer(out, j.get<std::int64_t>()); return;
        case json::value_t::number_unsigned: append_integer(out, j.get<std::uint64_t>()); return;
        case json::value_t::number_float: append_double(out, j.get<double>()); return;
        case json::value_t::null: out += "null"; return;
        default: out += j.dump(); return;  // binary, discarded: never in a report
    }
}

void print_json_line(std::FILE* out, const json& j) {
    std::string s;
    s.reserve(4096);
    append_json(s, j);
    s.push_back('\n');
    std::fwrite(s.data(), 1, s.size(), out);
}

TextBesideDump text_beside_dump(const nlohmann::ordered_json& j) {
    TextBesideDump r;
    try { r.dump = j.dump(); } catch (const nlohmann::ordered_json::type_error&) { r.dump_refused = true; }
    try { r.text = json_text(j); } catch (const nlohmann::ordered_json::type_error&) { r.text_refused = true; }
    return r;
}

}  // namespace rdpscope
