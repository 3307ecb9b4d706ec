// SPDX-License-Identifier: MIT
// SOCKS4/5 and HTTP CONNECT preambles, both directions.
#include <cstddef>
#include <cstdint>

#include "dissect/proxy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope::proxy;
    rdpscope::Bytes in(data, size);
    (void)classify_client(in);
    for (Kind k : {Kind::socks4, Kind::socks5, Kind::http_connect}) {
        auto c = client_preamble(k, in);
        if (c && c->length > size) __builtin_trap();
        auto s = server_preamble(k, in);
        if (s && s->length > size) __builtin_trap();
    }
    return 0;
}
