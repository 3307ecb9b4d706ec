// SPDX-License-Identifier: MIT
// Proxy preambles that can precede RDP on a TCP stream: SOCKS5 (RFC 1928, with
// RFC 1929 user/password), SOCKS4/4a, and HTTP CONNECT (RFC 9110 9.3.6).
// Each function measures how many bytes of one direction's stream the preamble
// takes, so the caller can start TPKT framing right after it.
#pragma once

#include <cstdint>
#include <string_view>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::proxy {

enum class Kind : std::uint8_t { none, socks4, socks5, http_connect };

const char* name(Kind k);

// Guess from the client's first bytes.  none = not a known preamble.
Kind classify_client(Bytes first_bytes);

struct Preamble {
    std::size_t length = 0;        // bytes of this direction's stream it takes
    std::string_view target_host;  // where the client asked to go ("" if an address)
    std::uint16_t target_port = 0;
    std::uint8_t target_ip[16] = {};
    std::uint8_t target_ip_version = 0;
    std::uint8_t status = 0;       // server side: reply code (SOCKS REP / HTTP status / 100)
};

// need_more while the preamble is incomplete; malformed when the bytes break it.
Decoded<Preamble> client_preamble(Kind k, Bytes stream);
Decoded<Preamble> server_preamble(Kind k, Bytes stream);

}  // namespace rdpscope::proxy
