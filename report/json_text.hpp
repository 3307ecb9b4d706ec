// SPDX-License-Identifier: MIT
// The report's JSON as text: byte for byte what nlohmann's dump() writes
// (compact, UTF-8 kept as it is, invalid UTF-8 an error, doubles by its own
// Grisu2 to_chars), at a fraction of its cost.
//
// Why not dump(): it decodes every byte of every string through a UTF-8
// state machine and copies through an output adapter; on a flood whose
// listed connections are all printed that was about 160,000 instructions a
// connection, 10% of the X.224 flood's and more of the NLA flood's (issue
// 16).  Here printable ASCII is copied a run at a time; a string holding any
// byte above 0x7F (rare: certificate names, cookies) is handed to nlohmann's
// own serializer, so what it does with UTF-8 stays exactly its own.
#pragma once

#include <array>
#include <cassert>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rdpscope {

// j's compact text appended to out.
void append_json(std::string& out, const nlohmann::ordered_json& j);

inline std::string json_text(const nlohmann::ordered_json& j) {
    std::string s;
    s.reserve(1024);
    append_json(s, j);
    return s;
}

// A JSON value written as text while it is built, with the bytes
// append_json writes for the tree the same calls would have built (the same
// escaping, numbers and doubles).  Why: a listed connection's report built
// as an nlohmann tree and then written cost ~300,000 instructions, most of
// it allocating and freeing the tree; on the NLA flood, whose ~11,000 listed
// connections are all printed, that was a quarter of the analysis (issue 16).
// The text goes into a buffer of its own, written through a pointer (a
// std::string appended to a piece at a time was half of the writer's cost);
// take() hands it over.  The caller writes fields in their order and each
// key once (a tree would have replaced a repeated key's value in place).
class JsonWriter {
public:
    JsonWriter() = default;
    // Writes into `tree` instead of text: the tree json::parse would give
    // for the text (non-negative integers unsigned, non-finite doubles null),
    // each field appended.  For the text and HTML writers, which read trees:
    // parsing the text back cost them more than building the tree had.
    explicit JsonWriter(nlohmann::ordered_json& tree) : tree_(&tree) {}

    // The text written so far; the writer is empty after.
    std::string take();

    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }
    // In an object: the key of the value written next.  A literal key is
    // plain (a key the code spells, checked in debug builds): copied as it is.
    template <std::size_t N>
    JsonWriter& key(const char (&k)[N]) {
        assert(plain(std::string_view(k, N - 1)));
        if (tree_) return tree_key(std::string_view(k, N - 1));
        char* p = comma(room(N + 3));
        *p++ = '"';
        std::memcpy(p, k, N - 1);
        p += N - 1;
        *p++ = '"';
        *p++ = ':';
        after_key_ = true;
        return done(p);
    }
    JsonWriter& key(std::string_view k) {
        if (tree_) return tree_key(k);
        if (!plain(k)) return escaped(k, true);
        char* p = room(k.size() + 4);
        p = comma(p);
        *p++ = '"';
        std::memcpy(p, k.data(), k.size());
        p += k.size();
        *p++ = '"';
        *p++ = ':';
        after_key_ = true;
        return done(p);
    }

    JsonWriter& value(std::nullptr_t) { return tree_ ? put(nullptr) : word("null", 4); }
    JsonWriter& value(bool b) {
        if (tree_) return put(b);
        return b ? word("true", 4) : word("false", 5);
    }
    template <std::integral N>
        requires(!std::same_as<N, bool> && !std::same_as<N, char>)
    JsonWriter& value(N n) {
        if (tree_) {
            if constexpr (std::is_signed_v<N>)
                if (n < 0) return put(static_cast<std::int64_t>(n));
            return put(static_cast<std::uint64_t>(n));
        }
        char* p = comma(room(24));
        return done(std::to_chars(p, p + 21, n).ptr);
    }
    JsonWriter& value(double x);
    JsonWriter& value(float x) { return value(static_cast<double>(x)); }
    JsonWriter& value(std::string_view s) {
        if (tree_) return put(std::string(s));
        if (!plain(s)) return escaped(s, false);
        char* p = comma(room(s.size() + 3));
        *p++ = '"';
        std::memcpy(p, s.data(), s.size());
        p += s.size();
        *p++ = '"';
        return done(p);
    }
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(const nlohmann::ordered_json& j);
    template <typename T>
    JsonWriter& value(const std::vector<T>& items) {
        begin_array();
        for (const auto& i : items) value(i);
        return end_array();
    }

    template <typename K, typename V>
    JsonWriter& field(const K& k, const V& v) {
        key(k);
        return value(v);
    }

    static constexpr std::size_t max_depth() { return kMaxDepth; }

    // Does any of the 8 bytes in w need more than copying: below 0x20, '"',
    // '\\', or above 0x7F?  (The word-at-a-time tests of "Bit Twiddling
    // Hacks": has-less-than and has-zero-byte, exact as a yes or no.)
    static bool special(std::uint64_t w) {
        constexpr std::uint64_t k01 = 0x0101010101010101ull, k80 = 0x8080808080808080ull;
        const auto has_zero = [](std::uint64_t v) { return (v - k01) & ~v & k80; };
        return (((w - k01 * 0x20) & ~w & k80) | has_zero(w ^ (k01 * '"')) | has_zero(w ^ (k01 * '\\')) | (w & k80)) != 0;
    }
    // Printable ASCII other than '"' and '\\': copied as it is.  Eight bytes
    // at a time, the last eight overlapping; a short string padded with spaces.
    static bool plain(std::string_view s) {
        std::uint64_t w = 0x2020202020202020ull;
        if (s.size() < 8) {
            std::memcpy(&w, s.data(), s.size());
            return !special(w);
        }
        for (std::size_t i = 0; i + 8 <= s.size(); i += 8) {
            std::memcpy(&w, s.data() + i, 8);
            if (special(w)) return false;
        }
        std::memcpy(&w, s.data() + s.size() - 8, 8);
        return !special(w);
    }

private:
    static constexpr std::size_t kMaxDepth = 31;  // the report nests a few levels

    // Room for n more bytes at the end of the text.
    char* room(std::size_t n) {
        if (buf_.size() - len_ < n) grow(n);
        return buf_.data() + len_;
    }
    void grow(std::size_t n);
    JsonWriter& done(char* end) {
        len_ = static_cast<std::size_t>(end - buf_.data());
        return *this;
    }
    // The comma before a value (in room already taken), unless it is the
    // first of its object or array or follows its key.
    char* comma(char* p) {
        if (after_key_) {
            after_key_ = false;
            return p;
        }
        if (has_items_[depth_]) *p++ = ',';
        has_items_[depth_] = true;
        return p;
    }
    JsonWriter& word(const char* w, std::size_t n) {
        char* p = comma(room(n + 1));
        std::memcpy(p, w, n);
        return done(p + n);
    }
    JsonWriter& escaped(std::string_view s, bool is_key);
    JsonWriter& open(char c);
    JsonWriter& close(char c) {
        --depth_;
        if (tree_) {
            open_.pop_back();
            return *this;
        }
        char* p = room(1);
        *p++ = c;
        return done(p);
    }

    // Tree mode: v where the text would put it; its place stays valid while
    // its container is the innermost open one, the only one appended to.
    JsonWriter& put(nlohmann::ordered_json v) {
        place(std::move(v));
        return *this;
    }
    nlohmann::ordered_json* place(nlohmann::ordered_json v);
    JsonWriter& tree_key(std::string_view k) {
        key_.assign(k);
        after_key_ = true;
        return *this;
    }

    std::string buf_;
    std::size_t len_ = 0;
    nlohmann::ordered_json* tree_ = nullptr;
    std::vector<nlohmann::ordered_json*> open_;  // tree mode: the containers open, innermost last
    std::string key_;                            // tree mode: the key of the next value
    std::array<bool, kMaxDepth + 1> has_items_{};  // per level open: a value was written
    std::size_t depth_ = 0;
    bool after_key_ = false;
};

// An object written by a JsonWriter in tree mode: write(w) builds it.
template <typename Write>
nlohmann::ordered_json json_tree(Write&& write) {
    nlohmann::ordered_json j;
    JsonWriter w(j);
    write(w);
    return j;
}

// The tree of a report object's text, as json::parse gives it, built
// appending each field: json::parse's ordered_json looks for every key among
// those before it (a report object has ~40 keys a level), and the text and
// HTML writers parse each connection's text (issue 16).  For text this
// program wrote: a key given twice is kept twice, where parse keeps the last.
nlohmann::ordered_json parse_report_text(std::string_view text);

// j's text and a newline written to out (a JSON Lines record).
void print_json_line(std::FILE* out, const nlohmann::ordered_json& j);

// json_text(j) beside dump()'s text, and beside j written call by call
// through a JsonWriter, each with whether it refused j (a type_error:
// invalid UTF-8).  For the tests and the fuzz target that hold the three to
// the same bytes.  A tree nested deeper than a JsonWriter goes is not
// written (written is then text).
// And the tree a JsonWriter in tree mode builds for j, against the text
// parsed (tree_agrees).
struct TextBesideDump {
    std::string dump, text, written;
    bool dump_refused = false, text_refused = false, written_refused = false;
    bool tree_agrees = true;
    bool agree() const {
        return dump_refused == text_refused && dump == text && written_refused == text_refused && written == text &&
               tree_agrees;
    }
};
TextBesideDump text_beside_dump(const nlohmann::ordered_json& j);

}  // namespace rdpscope
