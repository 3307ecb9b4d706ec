// SPDX-License-Identifier: MIT
// One direction of a TCP connection turned back into the byte stream the
// application wrote: out-of-order segments held until the hole before them
// fills, overlaps and retransmissions delivered once, and holes the capture
// never filled reported as gaps.  Memory is bounded: at most `max_pending` bytes
// wait out of order; beyond that the hole is declared a gap.
//
// Sequence numbers are unwrapped into 64-bit stream offsets (0 = the first byte
// after the SYN, or the first byte seen when the capture started mid-stream).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "dissect/reader.hpp"

namespace rdpscope::tcp {

class StreamSink {
public:
    virtual ~StreamSink() = default;
    // In-order bytes; `frame` is the captured frame that completed them.
    virtual void on_data(Bytes data, std::uint64_t frame, std::int64_t ts_ns) = 0;
    // `length` bytes of the stream are missing from the capture.
    virtual void on_gap(std::uint64_t length, std::uint64_t frame) = 0;
};

enum class SegmentFate : std::uint8_t {
    empty,         // no payload (pure ACK, SYN, FIN without data)
    in_order,      // delivered now
    overlap,       // partly old: the new tail was delivered
    old,           // entirely already delivered: a retransmission (or a duplicate frame)
    buffered,      // ahead of a hole: held
    overflow,      // ahead of a hole and the buffer was full: the hole became a gap
    ignored,       // reassembly stopped for this stream
};

class Reassembler {
public:
    explicit Reassembler(std::size_t max_pending = 256 * 1024) : max_pending_(max_pending) {}

    // The SYN's sequence number: data starts at isn + 1.
    void set_isn(std::uint32_t isn);
    SegmentFate segment(std::uint32_t seq, Bytes payload, bool fin, std::uint64_t frame, std::int64_t ts_ns,
                        StreamSink& sink);
    // The peer acknowledged up to `ack`: anything below it that we never saw was
    // lost by the capture, not by the network (the receiver got it).
    void acked(std::uint32_t ack, std::uint64_t frame, StreamSink& sink);
    // End of the connection or of the capture: what waits behind a hole is
    // delivered after reporting the hole.
    void flush(std::uint64_t frame, StreamSink& sink);
    // Reassembly no longer needed (the analysis has what it wants): free buffers.
    void stop();

    bool started() const { return base_known_; }
    bool stopped() const { return stopped_; }
    std::uint64_t delivered() const { return next_; }
    std::uint64_t gap_bytes() const { return gap_bytes_; }
    std::size_t pending_bytes() const { return pending_bytes_; }
    bool fin_seen() const { return fin_known_; }
    bool fin_reached() const { return fin_known_ && next_ >= fin_offset_; }

private:
    std::int64_t unwrap(std::uint32_t seq) const;
    std::uint64_t offset_of(std::uint32_t seq) const;
    void deliver_pending(std::int64_t ts_ns, StreamSink& sink);
    void skip_to(std::uint64_t offset, std::uint64_t frame, StreamSink& sink);

    std::size_t max_pending_;
    bool base_known_ = false;
    bool stopped_ = false;
    std::uint32_t base_seq_ = 0;  // sequence number of stream offset 0
    std::uint64_t next_ = 0;      // next stream offset to deliver
    std::uint64_t gap_bytes_ = 0;
    bool fin_known_ = false;
    std::uint64_t fin_offset_ = 0;
    struct Pending {
        std::vector<std::uint8_t> bytes;
        std::uint64_t frame;
    };
    std::map<std::uint64_t, Pending> pending_;  // by stream offset; only out-of-order data lives here
    std::size_t pending_bytes_ = 0;
};

}  // namespace rdpscope::tcp
