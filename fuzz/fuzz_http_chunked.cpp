// SPDX-License-Identifier: MIT
// HTTP/1.1 chunked transfer coding, decoded as a stream: the input (after its
// first byte) is fed in pieces of the first byte's size, as TLS records cut a
// body; the data handed out must lie inside the piece given, the bytes used
// never pass its end, and the data of the pieces must be the same as that of
// the input fed whole.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dissect/http_chunked.hpp"

namespace {

std::vector<std::uint8_t> decode(rdpscope::Bytes in, std::size_t piece, bool& failed) {
    using namespace rdpscope;
    std::vector<std::uint8_t> data;
    http1::ChunkedDecoder d;
    failed = false;
    while (!in.empty()) {
        Bytes part = in.subspan(0, std::min(piece, in.size()));
        while (!part.empty()) {
            auto s = d.next(part);
            if (!s) {
                if (!d.failed()) __builtin_trap();
                failed = true;
                return data;
            }
            if (s->consumed > part.size()) __builtin_trap();
            if (!s->data.empty() && (s->data.data() < part.data() || s->data.data() + s->data.size() > part.data() + part.size()))
                __builtin_trap();
            data.insert(data.end(), s->data.begin(), s->data.end());
            if (s->end) {
                if (!d.done()) __builtin_trap();
                return data;
            }
            if (s->consumed == 0) __builtin_trap();  // no progress on bytes given
            part = part.subspan(s->consumed);
        }
        in = in.subspan(std::min(piece, in.size()));
    }
    return data;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope;
    if (size < 1) return 0;
    const std::size_t piece = data[0] % 64 + 1;
    Bytes in(data + 1, size - 1);
    bool failed_whole = false, failed_pieces = false;
    const auto whole = decode(in, in.size() + 1, failed_whole);
    const auto pieces = decode(in, piece, failed_pieces);
    if (failed_whole != failed_pieces || whole != pieces) __builtin_trap();
    return 0;
}
