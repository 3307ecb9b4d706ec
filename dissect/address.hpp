// SPDX-License-Identifier: MIT
// IP addresses and transport endpoints as plain values (no heap, no sockets API).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <string>

namespace rdpscope {

struct IpAddr {
    std::uint8_t version = 0;  // 4 or 6; 0 = unset
    std::array<std::uint8_t, 16> b{};  // IPv4 uses the first 4 bytes

    // As the defaulted == (version, then every byte), by two 8-byte words:
    // the defaulted compare of the array is a memcmp call, made for every
    // SYN of a flood (the flood's server list, issue 16).
    bool operator==(const IpAddr& o) const {
        std::uint64_t x[2], y[2];
        std::memcpy(x, b.data(), 16);
        std::memcpy(y, o.b.data(), 16);
        return version == o.version && ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
    }
    // The defaulted order (version, then the bytes lexicographically), by two
    // big-endian words instead of a memcmp call: the key of the per-client
    // maps (groups, floods), compared a dozen times per connection (issue 16).
    std::strong_ordering operator<=>(const IpAddr& o) const {
        if (version != o.version) return version <=> o.version;
        if (const std::uint64_t x = word(0), y = o.word(0); x != y) return x <=> y;
        return word(8) <=> o.word(8);
    }

private:
    std::uint64_t word(std::size_t at) const {
        std::uint64_t w = 0;
        for (std::size_t i = 0; i < 8; ++i) w = (w << 8) | b[at + i];  // compiles to a load and a byte swap
        return w;
    }
};

struct Endpoint {
    IpAddr ip;
    std::uint16_t port = 0;

    bool operator==(const Endpoint&) const = default;
    auto operator<=>(const Endpoint&) const = default;
};

// Textual forms as Wireshark shows them: dotted quad; RFC 5952 for IPv6
// ("::1", "2001:db8::1"); endpoints "10.0.0.1:3389" and "[::1]:3389".
std::string to_string(const IpAddr& a);
std::string to_string(const Endpoint& e);

}  // namespace rdpscope
