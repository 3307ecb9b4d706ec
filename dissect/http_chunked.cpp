// SPDX-License-Identifier: MIT
#include "dissect/http_chunked.hpp"

#include <algorithm>

namespace rdpscope::http1 {

namespace {

constexpr std::string_view kLayer = "http_chunked";

int hex(std::uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Decoded<ChunkedDecoder::Step> ChunkedDecoder::next(Bytes in) {
    Step step;
    std::size_t i = 0;
    auto fail = [&](std::string_view field) {
        state_ = State::failed;
        return DecodeError::malformed(kLayer, field, i);
    };
    // A chunk-size line ended: the data, or (size 0) the trailer section.
    auto line_done = [&] {
        if (size_ == 0) {
            state_ = State::trailer;
            line_ = 0;
        } else {
            state_ = State::data;
            left_ = size_;
            ++chunks_;
        }
    };
    while (i < in.size()) {
        const std::uint8_t c = in[i];
        switch (state_) {
            case State::size: {
                const int d = hex(c);
                if (d >= 0) {
                    if (size_ > (~std::uint64_t{0} >> 4)) return fail("chunk_size");
                    size_ = size_ << 4 | static_cast<std::uint64_t>(d);
                    ++digits_;
                    ++i;
                    break;
                }
                if (!digits_) return fail("chunk_size");
                if (c == ';' || c == ' ' || c == '\t') {  // chunk-ext, after optional whitespace (BWS)
                    state_ = State::ext;
                    line_ = 0;
                } else if (c == '\r') {
                    state_ = State::size_lf;
                } else if (c == '\n') {
                    line_done();
                } else {
                    return fail("chunk_size");
                }
                ++i;
                break;
            }
            case State::ext:
                if (c == '\r') state_ = State::size_lf;
                else if (c == '\n') line_done();
                else if (++line_ > kMaxLine) return fail("chunk_ext");
                ++i;
                break;
            case State::size_lf:
                if (c != '\n') return fail("chunk_size");
                ++i;
                line_done();
                break;
            case State::data: {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size() - i));
                step.data = in.subspan(i, n);
                i += n;
                left_ -= n;
                if (left_ == 0) state_ = State::data_cr;
                step.consumed = i;
                return step;
            }
            case State::data_cr:  // the CRLF after a chunk's data
                if (c == '\r') {
                    state_ = State::data_lf;
                } else if (c == '\n') {
                    state_ = State::size;
                    size_ = 0;
                    digits_ = 0;
                } else {
                    return fail("chunk_data_end");
                }
                ++i;
                break;
            case State::data_lf:
                if (c != '\n') return fail("chunk_data_end");
                state_ = State::size;
                size_ = 0;
                digits_ = 0;
                ++i;
                break;
            case State::trailer:  // field lines, then an empty line
                if (c == '\r') {
                    state_ = State::trailer_lf;
                } else if (c == '\n') {
                    if (line_ == 0) state_ = State::done;
                    line_ = 0;
                } else {
                    ++line_;
                }
                if (++trailer_ > kMaxTrailer) return fail("trailer");
                ++i;
                if (state_ == State::done) {
                    step.consumed = i;
                    step.end = true;
                    return step;
                }
                break;
            case State::trailer_lf:
                if (c != '\n') return fail("trailer");
                ++i;
                if (line_ == 0) {
                    state_ = State::done;
                    step.consumed = i;
                    step.end = true;
                    return step;
                }
                line_ = 0;
                state_ = State::trailer;
                break;
            case State::done:
                step.end = true;
                step.consumed = i;
                return step;
            case State::failed:
                return DecodeError::malformed(kLayer, "after_error", i);
        }
    }
    if (state_ == State::failed) return DecodeError::malformed(kLayer, "after_error", 0);
    step.consumed = i;
    step.end = state_ == State::done;
    return step;
}

}  // namespace rdpscope::http1
