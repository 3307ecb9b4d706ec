// SPDX-License-Identifier: MIT
// WebSocket frames back to back, unmasked as the gateway stage does.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dissect/websocket.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope;
    Bytes in(data, size);
    std::vector<std::uint8_t> payload;
    while (!in.empty()) {
        auto h = websocket::decode_frame_header(in);
        if (!h) break;
        if (h->header_length > in.size() || h->header_length > 14) __builtin_trap();
        in = in.subspan(h->header_length);
        const std::size_t n = h->payload_length < in.size() ? static_cast<std::size_t>(h->payload_length) : in.size();
        payload.assign(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
        if (h->masked) websocket::unmask(h->mask, 0, payload);
        if (h->opcode == websocket::kClose) (void)websocket::decode_close(payload);
        in = in.subspan(n);
    }
    return 0;
}
