// SPDX-License-Identifier: MIT
#include "capture/replay.hpp"

#include <chrono>
#include <thread>

namespace rdpscope {

namespace {
std::int64_t mono_ns() {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

PacketSource::Status FileSource::next(CapturedPacket& out, std::string& error, int) {
    switch (file_->next(out, error)) {
        case PcapFile::Next::packet:
            last_ts_ = out.ts_ns;
            return Status::packet;
        case PcapFile::Next::end:
            return Status::end;
        case PcapFile::Next::error:
            return Status::error;
    }
    return Status::error;
}

std::int64_t ReplaySource::now_ns() const {
    if (!started_) return 0;
    if (speed_ <= 0) return last_ts_;
    const double elapsed = static_cast<double>(mono_ns() - wall_start_) * speed_;
    return first_ts_ + static_cast<std::int64_t>(elapsed);
}

PacketSource::Status ReplaySource::next(CapturedPacket& out, std::string& error, int wait_ms) {
    if (!have_pending_) {
        pending_status_ = FileSource::next(pending_, pending_error_, 0);
        have_pending_ = true;
        if (pending_status_ == Status::packet && !started_) {
            started_ = true;
            first_ts_ = pending_.ts_ns;
            wall_start_ = mono_ns();
        }
    }
    if (pending_status_ != Status::packet) {
        have_pending_ = false;
        error = pending_error_;
        return pending_status_;
    }
    if (speed_ > 0) {
        // Wait for the packet's time, but no longer than wait_ms: the caller's
        // timers must get their turn in between.
        const std::int64_t due_wall = wall_start_ + static_cast<std::int64_t>(
                                                        static_cast<double>(pending_.ts_ns - first_ts_) / speed_);
        const std::int64_t wait = due_wall - mono_ns();
        if (wait > 0) {
            const std::int64_t cap = static_cast<std::int64_t>(wait_ms) * 1'000'000;
            std::this_thread::sleep_for(std::chrono::nanoseconds(std::min(wait, cap)));
            if (wait > cap) return Status::idle;
        }
    }
    // The packet's bytes stay valid: libpcap's buffer is only reused by the next read.
    out = pending_;
    last_ts_ = out.ts_ns;
    have_pending_ = false;
    return Status::packet;
}

}  // namespace rdpscope
