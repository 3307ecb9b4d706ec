// SPDX-License-Identifier: MIT
// Bounds-checked, non-owning byte reader shared by every decoder.
//
// Why one reader: every length field on the RDP path (TPKT, X.224 LI, BER, PER,
// GCC block, TLS, DER) bounds the bytes that follow it.  `sub(n)` hands out a
// child reader limited to exactly those n bytes, so a decoder can never read past
// the structure it is decoding, whatever the declared lengths say.
//
// A failed read returns false / nullopt and moves nothing; `offset()` tells where
// the decoder stood, which decoders put into their DecodeError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace rdpscope {

using Bytes = std::span<const std::uint8_t>;

class Reader {
public:
    Reader() = default;
    explicit Reader(Bytes data, std::size_t base_offset = 0) : data_(data), base_(base_offset) {}

    std::size_t remaining() const { return data_.size() - pos_; }
    bool empty() const { return remaining() == 0; }
    // Offset of the next byte, counted from the start of the outermost buffer.
    std::size_t offset() const { return base_ + pos_; }
    std::size_t consumed() const { return pos_; }
    Bytes rest() const { return data_.subspan(pos_); }
    Bytes whole() const { return data_; }

    bool skip(std::size_t n) {
        if (n > remaining()) return false;
        pos_ += n;
        return true;
    }

    std::optional<Bytes> bytes(std::size_t n) {
        if (n > remaining()) return std::nullopt;
        Bytes out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    // A child reader over the next n bytes; this reader moves past them.
    std::optional<Reader> sub(std::size_t n) {
        if (n > remaining()) return std::nullopt;
        Reader child(data_.subspan(pos_, n), offset());
        pos_ += n;
        return child;
    }

    std::optional<std::uint8_t> peek_u8(std::size_t at = 0) const {
        if (at >= remaining()) return std::nullopt;
        return data_[pos_ + at];
    }

    bool u8(std::uint8_t& v) {
        if (remaining() < 1) return false;
        v = data_[pos_++];
        return true;
    }
    bool u16be(std::uint16_t& v) { return read_be(v, 2); }
    bool u24be(std::uint32_t& v) { return read_be(v, 3); }
    bool u32be(std::uint32_t& v) { return read_be(v, 4); }
    // A big-endian unsigned integer of n bytes, n <= 8 (BER / PER contents and lengths).
    bool uint_be(std::size_t n, std::uint64_t& v) { return n <= 8 && read_be(v, n); }
    bool u16le(std::uint16_t& v) { return read_le(v, 2); }
    bool u24le(std::uint32_t& v) { return read_le(v, 3); }
    bool u32le(std::uint32_t& v) { return read_le(v, 4); }
    bool u64le(std::uint64_t& v) { return read_le(v, 8); }

    // Reads up to and including `delim` (two bytes, e.g. CR LF); returns the
    // bytes before it.  Fails without moving when the delimiter is absent.
    std::optional<Bytes> until(std::uint8_t d0, std::uint8_t d1) {
        for (std::size_t i = pos_; i + 1 < data_.size(); ++i) {
            if (data_[i] == d0 && data_[i + 1] == d1) {
                Bytes out = data_.subspan(pos_, i - pos_);
                pos_ = i + 2;
                return out;
            }
        }
        return std::nullopt;
    }

private:
    template <typename T>
    bool read_be(T& v, std::size_t n) {
        if (remaining() < n) return false;
        T acc = 0;
        for (std::size_t i = 0; i < n; ++i) acc = static_cast<T>((acc << 8) | data_[pos_ + i]);
        v = acc;
        pos_ += n;
        return true;
    }
    template <typename T>
    bool read_le(T& v, std::size_t n) {
        if (remaining() < n) return false;
        T acc = 0;
        for (std::size_t i = n; i-- > 0;) acc = static_cast<T>((acc << 8) | data_[pos_ + i]);
        v = acc;
        pos_ += n;
        return true;
    }

    Bytes data_{};
    std::size_t pos_ = 0;
    std::size_t base_ = 0;
};

inline std::string_view as_text(Bytes b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// An owned copy of the bytes.
inline std::vector<std::uint8_t> to_vector(Bytes b) { return {b.begin(), b.end()}; }

}  // namespace rdpscope
