// SPDX-License-Identifier: MIT
// TCP reassembly under arbitrary segment, ACK and flush sequences: never
// crashes, never exceeds its bound, delivers offsets monotonically.
#include <cstddef>
#include <cstdint>

#include "dissect/tcp_reassembly.hpp"

namespace {
struct Check : rdpscope::tcp::StreamSink {
    std::uint64_t total = 0;
    void on_data(rdpscope::Bytes b, std::uint64_t, std::int64_t) override { total += b.size(); }
    void on_gap(std::uint64_t len, std::uint64_t) override { total += len; }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rdpscope::tcp::Reassembler r(4096);
    Check c;
    std::size_t i = 0;
    std::uint64_t frame = 0;
    while (i + 6 <= size) {
        const std::uint8_t op = data[i];
        const std::uint32_t seq = std::uint32_t(data[i + 1]) << 24 | std::uint32_t(data[i + 2]) << 16 |
                                  std::uint32_t(data[i + 3]) << 8 | data[i + 4];
        const std::size_t n = std::min<std::size_t>(data[i + 5], size - i - 6);
        i += 6;
        ++frame;
        switch (op % 5) {
            case 0: r.set_isn(seq); break;
            case 1: case 2: r.segment(seq, {data + i, n}, op & 0x80, frame, 0, c); i += n; break;
            case 3: r.acked(seq, frame, c); break;
            case 4: r.flush(frame, c); break;
        }
        if (r.pending_bytes() > 4096) __builtin_trap();
        if (c.total != r.delivered()) __builtin_trap();  // every offset came out once, as data or gap
    }
    return 0;
}
