// SPDX-License-Identifier: MIT
// The one result shape every decoder returns: a value, or an error naming the
// layer, the field and the offset where decoding stopped, and what kind of stop
// it was.  Decoders never throw and never log; the caller decides what to say.
#pragma once

#include <cstddef>
#include <string_view>
#include <variant>

namespace rdpscope {

enum class ErrorKind {
    need_more,   // the structure continues beyond the bytes given (stream: wait)
    truncated,   // the capture cut the packet (caplen < wire length)
    malformed,   // the bytes contradict the spec
    unsupported, // well-formed, but something we do not decode
};

struct DecodeError {
    std::string_view layer;  // "tpkt", "x224", "ipv4", ...
    std::string_view field;  // the field whose read or check failed
    std::size_t offset = 0;  // byte offset of that field in the buffer given
    ErrorKind kind = ErrorKind::malformed;
    std::size_t needed = 0;  // for need_more: total bytes the structure needs, if known

    // The one set of factories every decoder uses, one argument order:
    // layer, field, offset (then, for need_more, the bytes needed).
    static DecodeError malformed(std::string_view layer, std::string_view field, std::size_t offset) {
        return {layer, field, offset, ErrorKind::malformed, 0};
    }
    static DecodeError truncated(std::string_view layer, std::string_view field, std::size_t offset) {
        return {layer, field, offset, ErrorKind::truncated, 0};
    }
    static DecodeError unsupported(std::string_view layer, std::string_view field, std::size_t offset) {
        return {layer, field, offset, ErrorKind::unsupported, 0};
    }
    static DecodeError need_more(std::string_view layer, std::string_view field, std::size_t offset,
                                 std::size_t needed = 0) {
        return {layer, field, offset, ErrorKind::need_more, needed};
    }
};

std::string_view to_string(ErrorKind k);

template <typename T>
class Decoded {
public:
    Decoded(T value) : v_(std::move(value)) {}
    Decoded(DecodeError err) : v_(err) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const { return std::get<0>(v_); }
    T& value() { return std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    T* operator->() { return &std::get<0>(v_); }
    const T& operator*() const { return std::get<0>(v_); }
    // Non-const too, so that std::move(*d) moves (a const one copied: the
    // first ClientHello of each connection was copied, vectors and all, 8
    // allocations a connection on an NLA flood; issue 16).
    T& operator*() { return std::get<0>(v_); }
    const DecodeError& error() const { return std::get<1>(v_); }

private:
    std::variant<T, DecodeError> v_;
};

}  // namespace rdpscope
