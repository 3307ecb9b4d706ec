// SPDX-License-Identifier: MIT
// IP addresses and transport endpoints as plain values (no heap, no sockets API).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace rdpscope {

struct IpAddr {
    std::uint8_t version = 0;  // 4 or 6; 0 = unset
    std::array<std::uint8_t, 16> b{};  // IPv4 uses the first 4 bytes

    bool operator==(const IpAddr&) const = default;
    auto operator<=>(const IpAddr&) const = default;
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
