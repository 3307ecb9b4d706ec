// SPDX-License-Identifier: MIT
// HPACK (RFC 7541), the header compression of HTTP/2: a header block is read
// against a dynamic table each direction of a connection keeps, so the
// decoder is stateful -- one Inflater per direction, fed every header block
// of that direction in order.  The decoding is libnghttp2's
// (nghttp2_hd_inflate_*, Debian's libnghttp2-dev): its decoder and Huffman
// table are the ones curl, Apache and nghttpx use, better kept than our own.
// Bounded: the dynamic table is capped at kMaxTableSize (RFC 7541 4.2: the
// decoder's SETTINGS_HEADER_TABLE_SIZE limits what the encoder may use), a
// block gives at most kMaxHeaders headers of at most kMaxValue bytes each.
// Without libnghttp2 (a build with RDPSCOPE_KDC_PROXY off: the Windows
// cross build) available() is false and inflate() says unsupported.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::hpack {

bool available();

struct Header {
    std::string name, value;  // value cut at kMaxValue bytes
    bool truncated = false;
};

class Inflater {
public:
    static constexpr std::size_t kDefaultTableSize = 4096;  // RFC 7541 / RFC 9113 6.5.2
    static constexpr std::size_t kMaxTableSize = 64 * 1024;
    static constexpr std::size_t kMaxHeaders = 64;
    static constexpr std::size_t kMaxValue = 1024;

    Inflater();
    ~Inflater();
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    // The receiver's SETTINGS_HEADER_TABLE_SIZE (capped at kMaxTableSize).
    void set_max_table_size(std::size_t size);
    // One header block fragment (a HEADERS, then its CONTINUATIONs); `last`
    // for the fragment that ends the block (END_HEADERS).  Headers decoded are
    // appended to `out` (at most kMaxHeaders for the block; more are
    // counted in `dropped`).  An error (RFC 7541 compression error) leaves
    // the table unusable: every later call fails too.
    Decoded<std::size_t> inflate(Bytes fragment, bool last, std::vector<Header>& out);
    bool failed() const { return failed_; }
    std::size_t dropped() const { return dropped_; }
    std::size_t table_size() const;  // the dynamic table's current size (RFC 7541 4.1)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    bool failed_ = false;
    std::size_t dropped_ = 0;
};

}  // namespace rdpscope::hpack
