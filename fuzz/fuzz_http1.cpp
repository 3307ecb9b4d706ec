// SPDX-License-Identifier: MIT
// HTTP/1.1 heads and their WWW-Authenticate challenges.
#include <cstddef>
#include <cstdint>

#include "dissect/http1.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope;
    Bytes in(data, size);
    (void)http1::may_start_request(in);
    auto h = http1::decode_head(in);
    if (h) {
        if (h->length > size || h->field_count > http1::kMaxFields) __builtin_trap();
        auto c = http1::challenges(*h);
        if (c.count > c.names.size()) __builtin_trap();
        (void)h->websocket_upgrade();
    }
    return 0;
}
