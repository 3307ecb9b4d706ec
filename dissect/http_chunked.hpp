// SPDX-License-Identifier: MIT
// HTTP/1.1 chunked transfer coding (RFC 9112 7.1), decoded as a stream: a
// body arrives in pieces (TLS records), a chunk's size line or its data may be
// cut anywhere, so the decoder keeps its place between calls and hands out the
// chunk data in place.  An RD Gateway's HTTP transport (MS-TSGU 3.3.5.2)
// sends the client's packets as "self-delimiting chunks" of the IN channel's
// request body (RDG_IN_DATA, Transfer-Encoding: chunked); a proxy may chunk
// the OUT channel's response body too.  No allocation: the decoder is a few
// counters.
//
//   chunked-body = *chunk last-chunk trailer-section CRLF
//   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//   chunk-size   = 1*HEXDIG;  last-chunk = 1*("0") [ chunk-ext ] CRLF
//
// A recipient MAY take a bare LF for a line's end (RFC 9112 2.2): so does this.
#pragma once

#include <cstdint>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::http1 {

class ChunkedDecoder {
public:
    // A chunk-size line longer than this (its extensions) is not one a
    // gateway or a proxy writes.
    static constexpr std::uint32_t kMaxLine = 1024;
    // Nor a trailer section longer than this.
    static constexpr std::uint32_t kMaxTrailer = 16 * 1024;

    struct Step {
        std::size_t consumed = 0;  // bytes of the input used, framing and data
        Bytes data;                // chunk data (a part of the input), perhaps empty
        bool end = false;          // the last chunk and the trailer section are complete
    };

    // Reads `in` up to the end of the next run of chunk data (then `data` is
    // it), or to its end (framing only), or to the end of the body.  malformed
    // (offset into `in`) for a size line that is not hex digits, a size past
    // 64 bits, a chunk's data not followed by CRLF, a line or trailer past its
    // bound; after that the decoder stays failed.
    Decoded<Step> next(Bytes in);

    bool done() const { return state_ == State::done; }
    bool failed() const { return state_ == State::failed; }
    std::uint64_t chunks() const { return chunks_; }  // chunks with data, so far
    // Of the chunk being read, the data bytes still to come (0 between chunks).
    std::uint64_t data_left() const { return state_ == State::data ? left_ : 0; }

private:
    enum class State : std::uint8_t { size, ext, size_lf, data, data_cr, data_lf, trailer, trailer_lf, done, failed };
    State state_ = State::size;
    std::uint64_t size_ = 0, left_ = 0, chunks_ = 0;
    std::uint32_t digits_ = 0, line_ = 0, trailer_ = 0;
};

}  // namespace rdpscope::http1
