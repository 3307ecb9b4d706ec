// SPDX-License-Identifier: MIT
#include "dissect/tcp_reassembly.hpp"

#include <algorithm>

namespace rdpscope::tcp {

void Reassembler::set_isn(std::uint32_t isn) {
    if (base_known_) return;  // a retransmitted SYN carries the same ISN
    base_seq_ = isn + 1;
    base_known_ = true;
}

// Unwrap: the offset nearest to the next expected one (RFC 1982 serial
// arithmetic); negative for bytes before the stream's start.
std::int64_t Reassembler::unwrap(std::uint32_t seq) const {
    const std::uint32_t next_seq = base_seq_ + static_cast<std::uint32_t>(next_);
    return static_cast<std::int64_t>(next_) + static_cast<std::int32_t>(seq - next_seq);
}

std::uint64_t Reassembler::offset_of(std::uint32_t seq) const {
    const std::int64_t off = unwrap(seq);
    return off < 0 ? 0 : static_cast<std::uint64_t>(off);
}

SegmentFate Reassembler::segment(std::uint32_t seq, Bytes payload, bool fin, std::uint64_t frame,
                                 std::int64_t ts_ns, StreamSink& sink) {
    if (stopped_) return SegmentFate::ignored;
    if (!base_known_) {
        if (payload.empty() && !fin) return SegmentFate::empty;
        base_seq_ = seq;  // started mid-stream: this is where our stream begins
        base_known_ = true;
    }
    const std::int64_t raw = unwrap(seq);
    if (fin) {
        const std::int64_t end = raw + static_cast<std::int64_t>(payload.size());
        if (end >= 0) { fin_known_ = true; fin_offset_ = static_cast<std::uint64_t>(end); }
    }
    if (payload.empty()) return SegmentFate::empty;

    const std::int64_t end = raw + static_cast<std::int64_t>(payload.size());
    if (end <= static_cast<std::int64_t>(next_)) return SegmentFate::old;
    if (raw <= static_cast<std::int64_t>(next_)) {
        const std::size_t skip = static_cast<std::size_t>(static_cast<std::int64_t>(next_) - raw);
        Bytes fresh = payload.subspan(skip);
        next_ += fresh.size();
        sink.on_data(fresh, frame, ts_ns);
        deliver_pending(ts_ns, sink);
        return skip ? SegmentFate::overlap : SegmentFate::in_order;
    }
    // Ahead of a hole: hold it, unless that would exceed the bound.
    const std::uint64_t off = static_cast<std::uint64_t>(raw);
    auto it = pending_.find(off);
    if (it != pending_.end() && it->second.bytes.size() >= payload.size()) return SegmentFate::old;
    if (pending_bytes_ + payload.size() > max_pending_) {
        // The hole is not going to be filled within any sane window: it is a gap.
        skip_to(pending_.empty() ? off : std::min(off, pending_.begin()->first), frame, sink);
        deliver_pending(ts_ns, sink);
        if (off <= next_) return segment(seq, payload, false, frame, ts_ns, sink) == SegmentFate::old
                                     ? SegmentFate::old : SegmentFate::overflow;
        // Still ahead (another hole): start buffering afresh.
    }
    if (it != pending_.end()) pending_bytes_ -= it->second.bytes.size();
    auto& slot = pending_[off];
    slot.bytes.assign(payload.begin(), payload.end());
    slot.frame = frame;
    pending_bytes_ += payload.size();
    return SegmentFate::buffered;
}

void Reassembler::deliver_pending(std::int64_t ts_ns, StreamSink& sink) {
    while (!pending_.empty()) {
        auto it = pending_.begin();
        if (it->first > next_) return;
        const std::uint64_t end = it->first + it->second.bytes.size();
        if (end > next_) {
            Bytes b(it->second.bytes);
            Bytes fresh = b.subspan(static_cast<std::size_t>(next_ - it->first));
            next_ = end;
            sink.on_data(fresh, it->second.frame, ts_ns);
        }
        pending_bytes_ -= it->second.bytes.size();
        pending_.erase(it);
    }
}

void Reassembler::skip_to(std::uint64_t offset, std::uint64_t frame, StreamSink& sink) {
    if (offset <= next_) return;
    const std::uint64_t len = offset - next_;
    gap_bytes_ += len;
    next_ = offset;
    sink.on_gap(len, frame);
}

void Reassembler::acked(std::uint32_t ack, std::uint64_t frame, StreamSink& sink) {
    if (stopped_) return;
    if (!base_known_) {
        // Mid-stream capture: the peer expects `ack` next, so our stream starts there.
        base_seq_ = ack;
        base_known_ = true;
        return;
    }
    std::uint64_t off = offset_of(ack);
    if (fin_known_ && off == fin_offset_ + 1) off = fin_offset_;  // the FIN's own sequence number
    if (off <= next_) return;
    if (off > next_ + (1u << 30)) return;  // not a plausible ACK of this stream
    // Bytes up to `off` reached the peer but not our capture.
    const std::uint64_t target = pending_.empty() ? off : std::min(off, pending_.begin()->first);
    skip_to(target, frame, sink);
    deliver_pending(0, sink);
    if (off > next_) skip_to(off, frame, sink);
}

void Reassembler::flush(std::uint64_t frame, StreamSink& sink) {
    if (stopped_) return;
    while (!pending_.empty()) {
        skip_to(pending_.begin()->first, frame, sink);
        deliver_pending(0, sink);
    }
}

void Reassembler::stop() {
    stopped_ = true;
    pending_.clear();
    pending_bytes_ = 0;
}

}  // namespace rdpscope::tcp
