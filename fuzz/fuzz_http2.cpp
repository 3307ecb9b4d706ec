// SPDX-License-Identifier: MIT
// HTTP/2 frames back to back (RFC 9113), their header blocks through one
// HPACK decoder (RFC 7541, dissect/hpack.hpp) as a direction of a connection
// feeds it, and the same bytes through the analysis's Http2Session as both
// directions of a KDC proxy connection.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "analyze/kdc_proxy.hpp"
#include "dissect/hpack.hpp"
#include "dissect/http2.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope;
    Bytes in(data, size);
    hpack::Inflater inflater;
    std::vector<hpack::Header> headers;
    while (!in.empty()) {
        auto f = http2::decode_frame(in);
        if (!f) break;
        const std::size_t n = http2::kFrameHeaderLength + f->header.length;
        if (n > in.size()) __builtin_trap();
        if (f->data.size() > f->header.length || f->block.size() > f->header.length) __builtin_trap();
        if (!f->block.empty() || f->header.type == http2::kHeaders || f->header.type == http2::kContinuation) {
            (void)inflater.inflate(f->block, f->end_headers(), headers);
            if (headers.size() > 4 * hpack::Inflater::kMaxHeaders) headers.clear();
        }
        if (inflater.table_size() > hpack::Inflater::kMaxTableSize) __builtin_trap();
        in = in.subspan(n);
    }
    // Both directions of a session: the client's preface first, then the input split in two.
    Http2Session s;
    std::vector<PduEvent> out;
    const std::string_view preface = http2::kPreface;
    s.data(Dir::c2s, Bytes(reinterpret_cast<const std::uint8_t*>(preface.data()), preface.size()), 1, 0, out);
    const std::size_t half = size / 2;
    s.data(Dir::s2c, Bytes(data, half), 2, 0, out);
    s.data(Dir::c2s, Bytes(data + half, size - half), 3, 0, out);
    return 0;
}
