// SPDX-License-Identifier: MIT
#include "analyze/read_ahead.hpp"

#include "dissect/link.hpp"

namespace rdpscope {

ReadAhead::ReadAhead(PacketSource& src, const std::vector<CaptureSecrets>* secrets, std::size_t secrets_taken)
    : src_(src), dsb_(secrets), dsb_seen_(secrets_taken) {
    for (std::size_t i = 0; i < kBatches; ++i) {
        auto b = std::make_unique<Batch>();
        b->bytes.reserve(kBytes + kSlack);
        b->frames.reserve(kFrames);
        free_.push_back(b.get());
        owned_.push_back(std::move(b));
    }
    reader_ = std::thread([this] { read_loop(); });
}

ReadAhead::~ReadAhead() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        quit_ = true;
    }
    to_reader_.notify_one();
    reader_.join();
}

void ReadAhead::read_loop() {
    for (;;) {
        Batch* b = nullptr;
        {
            std::unique_lock<std::mutex> lock(mu_);
            to_reader_.wait(lock, [this] { return quit_ || !free_.empty(); });
            if (quit_) return;
            b = free_.back();
            free_.pop_back();
        }
        const bool more = fill(*b);
        {
            std::lock_guard<std::mutex> lock(mu_);
            full_.push_back(b);
        }
        to_tracker_.notify_one();
        if (!more) return;
    }
}

bool ReadAhead::fill(Batch& b) {
    b.bytes.clear();
    b.frames.clear();
    b.secrets.clear();
    b.last = PacketSource::Status::packet;
    b.why.clear();
    CapturedPacket pkt;
    bool have = stashed_;  // the frame that did not fit in the last batch
    if (have) pkt = stash_;
    stashed_ = false;
    while (b.frames.size() < kFrames && b.bytes.size() < kBytes) {
        if (!have) {
            const PacketSource::Status r = src_.next(pkt, b.why, 0);
            if (r == PacketSource::Status::idle) continue;  // a file never idles
            if (r != PacketSource::Status::packet) {
                b.last = r;
                return false;
            }
        }
        have = false;
        const std::size_t need = pkt.data.size() + pkt.comment.size();
        if (b.bytes.size() + need > b.bytes.capacity()) {
            if (!b.frames.empty()) {
                // It opens the next batch; the source keeps its bytes until
                // it is asked again, and nothing is read before that.
                stash_ = pkt;
                stashed_ = true;
                return true;
            }
            b.bytes.reserve(need);  // empty: nothing points into it yet
        }
        // The key logs read before this frame, handed over with it.
        for (; dsb_ && dsb_seen_ < dsb_->size(); ++dsb_seen_) {
            const CaptureSecrets& s = (*dsb_)[dsb_seen_];
            if (s.type == kSecretsTlsKeyLog) b.secrets.emplace_back(b.frames.size(), s.data);
        }
        Frame& f = b.frames.emplace_back();
        f.pkt = pkt;
        f.pkt.data = {b.bytes.data() + b.bytes.size(), pkt.data.size()};
        b.bytes.insert(b.bytes.end(), pkt.data.begin(), pkt.data.end());
        if (!pkt.comment.empty()) {
            f.pkt.comment = {reinterpret_cast<const char*>(b.bytes.data() + b.bytes.size()), pkt.comment.size()};
            b.bytes.insert(b.bytes.end(), pkt.comment.begin(), pkt.comment.end());
        }
        if (link::supported(f.pkt.linktype)) {
            f.info = decode_packet(f.pkt.linktype, f.pkt.data);
            f.fingerprint = f.info.error ? 0 : copy_fingerprint(f.info);
        } else {
            f.info = PacketInfo{};
            f.fingerprint = 0;
        }
        f.position = src_.position();
    }
    return true;
}

PacketSource::Status ReadAhead::next(const Frame*& out, std::string& why) {
    secrets_now_.clear();
    while (!cur_ || at_ == cur_->frames.size()) {
        if (cur_) {
            if (cur_->last != PacketSource::Status::packet) {
                why = cur_->why;
                return cur_->last;
            }
            {
                std::lock_guard<std::mutex> lock(mu_);
                free_.push_back(cur_);
            }
            to_reader_.notify_one();
            cur_ = nullptr;
        }
        std::unique_lock<std::mutex> lock(mu_);
        to_tracker_.wait(lock, [this] { return !full_.empty(); });
        cur_ = full_.front();
        full_.pop_front();
        at_ = 0;
        secret_at_ = 0;
    }
    for (; secret_at_ < cur_->secrets.size() && cur_->secrets[secret_at_].first == at_; ++secret_at_)
        secrets_now_.push_back(cur_->secrets[secret_at_].second);
    out = &cur_->frames[at_++];
    return PacketSource::Status::packet;
}

}  // namespace rdpscope
