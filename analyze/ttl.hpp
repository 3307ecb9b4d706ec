// SPDX-License-Identifier: MIT
// The TTLs (IPv4) and hop limits (IPv6) that operating systems start their
// packets with, and what a captured TTL says about the path behind it.
#pragma once

#include <cstdint>

namespace rdpscope {

// The TTL a packet that arrived with `ttl` most likely left its sender with:
// the first of 32, 64, 128 and 255 that is not below it (each router on the
// way takes one off).
constexpr int ttl_at_origin(std::uint8_t ttl) {
    for (int v : {32, 64, 128, 255})
        if (ttl <= v) return v;
    return 255;
}

// `ttl` is such a starting value itself: the packet crossed no router between
// its sender and the capture point (or the TTL says nothing).
constexpr bool is_initial_ttl(std::uint8_t ttl) { return ttl == ttl_at_origin(ttl); }

static_assert(is_initial_ttl(32) && is_initial_ttl(64) && is_initial_ttl(128) && is_initial_ttl(255));
static_assert(!is_initial_ttl(0) && !is_initial_ttl(63) && !is_initial_ttl(127) && !is_initial_ttl(254));

}  // namespace rdpscope
