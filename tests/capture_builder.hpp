// SPDX-License-Identifier: MIT
// A small capture builder for the unit tests: Ethernet, IPv4, TCP/UDP/ICMP,
// written as classic pcap with microsecond times -- for the cases the bundled
// captures do not have (timeouts, port reuse, odd orders).
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace rdpscope::test {

using Bytes_ = std::vector<std::uint8_t>;

inline std::uint16_t csum(const std::uint8_t* p, std::size_t n) {
    std::uint32_t s = 0;
    for (std::size_t i = 0; i + 1 < n; i += 2) s += p[i] << 8 | p[i + 1];
    if (n & 1) s += p[n - 1] << 8;
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return static_cast<std::uint16_t>(~s);
}

inline void put16(Bytes_& b, std::size_t at, std::uint16_t v) { b[at] = v >> 8; b[at + 1] = v & 0xFF; }
inline void put32(Bytes_& b, std::size_t at, std::uint32_t v) { put16(b, at, v >> 16); put16(b, at + 2, v & 0xFFFF); }

struct Host {
    std::uint32_t ip;
    std::uint16_t port;
};

inline Bytes_ ipv4(Host src, Host dst, std::uint8_t proto, const Bytes_& l4, std::uint8_t ttl = 64) {
    Bytes_ f(14 + 20 + l4.size());
    std::copy(l4.begin(), l4.end(), f.begin() + 34);
    f[12] = 0x08;  // Ethernet, IPv4
    f[14] = 0x45;
    put16(f, 16, static_cast<std::uint16_t>(20 + l4.size()));
    put16(f, 18, 0x1234);
    f[22] = ttl;
    f[23] = proto;
    put32(f, 26, src.ip);
    put32(f, 30, dst.ip);
    put16(f, 24, csum(f.data() + 14, 20));
    return f;
}

enum : std::uint8_t { F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10 };

inline Bytes_ tcp_seg(Host src, Host dst, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, const Bytes_& data = {},
                      std::uint8_t ttl = 64) {
    Bytes_ t(20);
    put16(t, 0, src.port);
    put16(t, 2, dst.port);
    put32(t, 4, seq);
    put32(t, 8, ack);
    t[12] = 0x50;
    t[13] = flags;
    put16(t, 14, 64240);
    t.insert(t.end(), data.begin(), data.end());
    return ipv4(src, dst, 6, t, ttl);
}

inline Bytes_ udp_dgram(Host src, Host dst, const Bytes_& data) {
    Bytes_ u(8);
    put16(u, 0, src.port);
    put16(u, 2, dst.port);
    put16(u, 4, static_cast<std::uint16_t>(8 + data.size()));
    u.insert(u.end(), data.begin(), data.end());
    return ipv4(src, dst, 17, u);
}

// An ICMP port unreachable from `router` quoting a packet (its IP header and first 8 bytes).
inline Bytes_ icmp_unreachable(std::uint32_t router, const Bytes_& quoted, std::uint32_t to) {
    Bytes_ m = {3, 3, 0, 0, 0, 0, 0, 0};
    m.insert(m.end(), quoted.begin() + 14, quoted.begin() + 14 + 28);
    put16(m, 2, csum(m.data(), m.size()));
    return ipv4({router, 0}, {to, 0}, 1, m);
}

struct Capture {
    std::vector<std::pair<std::int64_t, Bytes_>> packets;  // microseconds; written in this order
    void at(std::int64_t us, Bytes_ f) { packets.emplace_back(us, std::move(f)); }
    void write(const std::string& path) const {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        REQUIRE(f);
        const std::uint32_t hdr[6] = {0xA1B2C3D4, 0x00040002, 0, 0, 262144, 1};
        std::fwrite(hdr, 4, 6, f);
        for (const auto& [us, b] : packets) {
            const std::int64_t t = 1'700'000'000'000'000 + us;
            const std::uint32_t rec[4] = {static_cast<std::uint32_t>(t / 1'000'000), static_cast<std::uint32_t>(t % 1'000'000),
                                          static_cast<std::uint32_t>(b.size()), static_cast<std::uint32_t>(b.size())};
            std::fwrite(rec, 4, 4, f);
            std::fwrite(b.data(), 1, b.size(), f);
        }
        std::fclose(f);
    }
};

// A file of its own in the temp directory, removed at the end of its scope.
// ctest runs every test case as its own process, in parallel: a fixed name
// let one case read the capture another was writing.
class TempFile {
public:
    explicit TempFile(const std::string& stem) {
        std::string tmpl = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX.pcap")).string();
        const int fd = ::mkstemps(tmpl.data(), 5);
        REQUIRE(fd >= 0);
        ::close(fd);
        path_ = tmpl;
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace rdpscope::test
