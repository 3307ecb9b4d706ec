// SPDX-License-Identifier: MIT
#include "report/json_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace rdpscope {

namespace {

using json = nlohmann::ordered_json;

// An object's fields as ordered_json keeps them, to append to without the
// search for an equal key that operator[] makes (a report object writes each
// key once).
std::vector<json::object_t::value_type>& fields_of(json& object) {
    return static_cast<std::vector<json::object_t::value_type>&>(object.get_ref<json::object_t&>());
}

// Does any of the 8 bytes in w need more than copying (JsonWriter::special)?
bool special(std::uint64_t w) { return JsonWriter::special(w); }

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

void append_string(std::string& out, std::string_view s) {
    if (!append_ascii_string(out, s)) out += json(s).dump();
}

template <typename N>
void append_integer(std::string& out, N n) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

// x as the serializer writes it, into 64 bytes at p (the size of its number
// buffer); returns the end.
constexpr std::size_t kDoubleRoom = 64;
char* write_double(char* p, double x) {
    if (!std::isfinite(x)) {
        std::memcpy(p, "null", 4);
        return p + 4;
    }
    return nlohmann::detail::to_chars(p, p + kDoubleRoom, x);
}

void append_double(std::string& out, double x) {
    std::array<char, kDoubleRoom> buf;
    const char* end = write_double(buf.data(), x);
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

std::string JsonWriter::take() {
    buf_.resize(len_);
    std::string text = std::move(buf_);
    buf_.clear();
    len_ = 0;
    depth_ = 0;
    has_items_[0] = false;
    after_key_ = false;
    return text;
}

// A connection's object is ~4 KiB: room for it at once, then doubling.
void JsonWriter::grow(std::size_t n) { buf_.resize(std::max({buf_.size() * 2, len_ + n, std::size_t{4096}})); }

// A string with bytes to escape or to check as UTF-8: as append_json writes it.
JsonWriter& JsonWriter::escaped(std::string_view s, bool is_key) {
    std::string text;
    append_string(text, s);  // may throw (invalid UTF-8) before anything is written
    char* p = comma(room(text.size() + 2));
    std::memcpy(p, text.data(), text.size());
    p += text.size();
    if (is_key) {
        *p++ = ':';
        after_key_ = true;
    }
    return done(p);
}

JsonWriter& JsonWriter::open(char c) {
    // Deeper than the report ever nests is a bug of the caller's, not input.
    if (depth_ + 1 > kMaxDepth) throw std::logic_error("JsonWriter: nested too deep");
    if (tree_) {
        ++depth_;
        open_.push_back(place(c == '{' ? json::object() : json::array()));
        return *this;
    }
    char* p = comma(room(2));
    *p++ = c;
    has_items_[++depth_] = false;
    return done(p);
}

json* JsonWriter::place(json v) {
    after_key_ = false;
    if (open_.empty()) {
        *tree_ = std::move(v);
        return tree_;
    }
    json& top = *open_.back();
    if (top.is_array()) {
        auto& items = top.get_ref<json::array_t&>();
        items.push_back(std::move(v));
        return &items.back();
    }
    // Appended: the caller writes each key once (see the class comment).
    auto& fields = fields_of(top);
    fields.emplace_back(std::move(key_), std::move(v));
    return &fields.back().second;
}

JsonWriter& JsonWriter::value(double x) {
    if (tree_) return std::isfinite(x) ? put(x) : put(nullptr);
    char* p = comma(room(kDoubleRoom + 1));
    return done(write_double(p, x));
}

namespace {

// A tree the caller built, as its text would read back: non-negative
// integers unsigned, non-finite doubles null.  (Not through its text: that
// would refuse invalid UTF-8, which the text writer never did.)
json as_read_back(const json& j) {
    switch (j.type()) {
        case json::value_t::number_integer: {
            const auto n = j.get<std::int64_t>();
            return n < 0 ? json(n) : json(static_cast<std::uint64_t>(n));
        }
        case json::value_t::number_float: return std::isfinite(j.get<double>()) ? j : json(nullptr);
        case json::value_t::array: {
            json a = json::array();
            for (const json& v : j) a.push_back(as_read_back(v));
            return a;
        }
        case json::value_t::object: {
            json o = json::object();
            auto& fields = fields_of(o);
            for (const auto& [key, value] : j.get_ref<const json::object_t&>()) fields.emplace_back(key, as_read_back(value));
            return o;
        }
        default: return j;
    }
}

}  // namespace

JsonWriter& JsonWriter::value(const json& j) {
    if (tree_) return put(as_read_back(j));
    std::string text;
    append_json(text, j);  // may throw (invalid UTF-8) before anything is written
    char* p = comma(room(text.size() + 1));
    std::memcpy(p, text.data(), text.size());
    return done(p + text.size());
}

namespace {

// nlohmann's SAX interface, building the tree through a JsonWriter in tree
// mode: as its DOM parser does, but appending object fields as they come.
class AppendingBuilder {
public:
    explicit AppendingBuilder(json& root) : w_(root) {}
    bool null() { return w_.value(nullptr), true; }
    bool boolean(bool b) { return w_.value(b), true; }
    bool number_integer(json::number_integer_t n) { return w_.value(n), true; }
    bool number_unsigned(json::number_unsigned_t n) { return w_.value(n), true; }
    bool number_float(json::number_float_t x, const json::string_t&) { return w_.value(x), true; }
    bool string(json::string_t& s) { return w_.value(s), true; }
    bool binary(json::binary_t&) { return false; }  // not in JSON text
    bool start_object(std::size_t) { return w_.begin_object(), true; }
    bool key(json::string_t& k) { return w_.key(k), true; }
    bool end_object() { return w_.end_object(), true; }
    bool start_array(std::size_t) { return w_.begin_array(), true; }
    bool end_array() { return w_.end_array(), true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

private:
    JsonWriter w_;
};

}  // namespace

json parse_report_text(std::string_view text) {
    json j;
    AppendingBuilder b(j);
    if (!json::sax_parse(text, &b)) throw std::logic_error("parse_report_text: not JSON");
    return j;
}

void print_json_line(std::FILE* out, const json& j) {
    std::string s;
    s.reserve(4096);
    append_json(s, j);
    s.push_back('\n');
    std::fwrite(s.data(), 1, s.size(), out);
}

namespace {

std::size_t depth_of(const json& j) {
    std::size_t d = 0;
    if (j.is_structured())
        for (const auto& v : j) d = std::max(d, depth_of(v));
    return j.is_structured() ? d + 1 : 0;
}

// j written as a report writes its fields, one call per value.
void write_tree(JsonWriter& w, const json& j) {
    switch (j.type()) {
        case json::value_t::object:
            w.begin_object();
            for (const auto& [key, value] : j.get_ref<const json::object_t&>()) {
                w.key(key);
                write_tree(w, value);
            }
            w.end_object();
            return;
        case json::value_t::array:
            w.begin_array();
            for (const json& v : j) write_tree(w, v);
            w.end_array();
            return;
        case json::value_t::string: w.value(j.get_ref<const std::string&>()); return;
        case json::value_t::boolean: w.value(j.get<bool>()); return;
        case json::value_t::number_integer: w.value(j.get<std::int64_t>()); return;
        case json::value_t::number_unsigned: w.value(j.get<std::uint64_t>()); return;
        case json::value_t::number_float: w.value(j.get<double>()); return;
        default: w.value(nullptr); return;
    }
}

}  // namespace

TextBesideDump text_beside_dump(const nlohmann::ordered_json& j) {
    TextBesideDump r;
    try { r.dump = j.dump(); } catch (const nlohmann::ordered_json::type_error&) { r.dump_refused = true; }
    try { r.text = json_text(j); } catch (const nlohmann::ordered_json::type_error&) { r.text_refused = true; }
    if (depth_of(j) > JsonWriter::max_depth()) {
        r.written = r.text;
        r.written_refused = r.text_refused;
        return r;
    }
    try {
        JsonWriter w;
        write_tree(w, j);
        r.written = w.take();
    } catch (const nlohmann::ordered_json::type_error&) {
        r.written.clear();
        r.written_refused = true;
    }
    if (!r.text_refused) {
        const json tree = json_tree([&j](JsonWriter& w) { write_tree(w, j); });
        r.tree_agrees = tree == json::parse(r.text) && tree.dump() == r.text;
    }
    return r;
}

}  // namespace rdpscope
