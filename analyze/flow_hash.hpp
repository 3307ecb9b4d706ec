// SPDX-License-Identifier: MIT
// A hash of a flow's two endpoints for the flow tables: two 64-bit words per
// address and the ports, mixed by multiply-xorshift.  A byte-at-a-time FNV
// over the same 36 bytes showed in the profile of a jump-box capture; this is
// a handful of multiplies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dissect/address.hpp"

namespace rdpscope {

// One step: fold a 64-bit word into the hash.
inline std::uint64_t hash_mix(std::uint64_t h, std::uint64_t w) noexcept {
    h ^= w;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

inline std::size_t hash_endpoints(const Endpoint& a, const Endpoint& b) noexcept {
    constexpr auto mix = hash_mix;
    std::uint64_t w[4];
    std::memcpy(&w[0], a.ip.b.data(), 8);
    std::memcpy(&w[1], a.ip.b.data() + 8, 8);
    std::memcpy(&w[2], b.ip.b.data(), 8);
    std::memcpy(&w[3], b.ip.b.data() + 8, 8);
    std::uint64_t h = (std::uint64_t{a.port} << 32 | std::uint64_t{b.port} << 16 | a.ip.version) ^ 0x5DEECE66Dull;
    for (auto x : w) h = mix(h, x);
    return static_cast<std::size_t>(mix(h, b.ip.version));
}

// One address (its version and 16 bytes): the flood's distinct sources
// (flood.cpp) and the groups' client index.
inline std::uint64_t hash_address(const IpAddr& a) noexcept {
    std::uint64_t w[2];
    std::memcpy(w, a.b.data(), 16);
    return hash_mix(hash_mix(hash_mix(0x243F6A8885A308D3ull, a.version), w[0]), w[1]);
}
struct AddressHash {
    std::size_t operator()(const IpAddr& a) const noexcept { return static_cast<std::size_t>(hash_address(a)); }
};

// Endpoint == and < as the defaulted operators order them (version, address
// bytes, port), with word compares instead of the memcmp calls the defaulted
// std::array compare makes: these run several times per packet.
inline bool same_endpoint(const Endpoint& a, const Endpoint& b) noexcept {
    std::uint64_t x[2], y[2];
    std::memcpy(x, a.ip.b.data(), 16);
    std::memcpy(y, b.ip.b.data(), 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0 && a.port == b.port && a.ip.version == b.ip.version;
}

inline bool endpoint_less(const Endpoint& a, const Endpoint& b) noexcept {
    if (a.ip.version != b.ip.version) return a.ip.version < b.ip.version;
    std::uint64_t x[2], y[2];
    std::memcpy(x, a.ip.b.data(), 16);
    std::memcpy(y, b.ip.b.data(), 16);
    // Lexicographic byte order = numeric order of the big-endian words.
    const std::uint64_t x0 = __builtin_bswap64(x[0]), y0 = __builtin_bswap64(y[0]);
    if (x0 != y0) return x0 < y0;
    const std::uint64_t x1 = __builtin_bswap64(x[1]), y1 = __builtin_bswap64(y[1]);
    if (x1 != y1) return x1 < y1;
    return a.port < b.port;
}

}  // namespace rdpscope
