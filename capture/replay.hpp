// SPDX-License-Identifier: MIT
// Sources over a capture file: as fast as it reads (offline analysis), or at
// its recorded pace (replay), so the live pipeline's timers can be watched and
// tested without a network.
#pragma once

#include <memory>
#include <string>

#include "capture/pcap_file.hpp"
#include "capture/source.hpp"

namespace rdpscope {

class FileSource : public PacketSource {
public:
    explicit FileSource(std::unique_ptr<PcapFile> f) : file_(std::move(f)) {}
    Status next(CapturedPacket& out, std::string& error, int wait_ms) override;
    std::int64_t now_ns() const override { return last_ts_; }
    int linktype() const override { return file_->linktype(); }
    std::vector<int> linktypes() const override {
        std::vector<int> out;
        for (const auto& i : file_->interfaces()) out.push_back(i.linktype);
        return out.empty() ? std::vector<int>{file_->linktype()} : out;
    }
    std::string describe() const override { return file_->path(); }
    std::string application() const override { return file_->application(); }
    const std::vector<CaptureInterface>* interfaces() const override { return &file_->interfaces(); }
    const std::vector<CaptureSecrets>* secrets() const override { return &file_->secrets(); }
    std::uint64_t position() const override { return file_->position(); }
    std::uint64_t size() const override { return file_->file_size(); }
    PcapFile& file() { return *file_; }

protected:
    std::unique_ptr<PcapFile> file_;
    std::int64_t last_ts_ = 0;
};

// Hands each packet over when its time has come: (ts - first ts) / speed
// after the start.  speed <= 0 means as fast as possible (then it equals a
// FileSource, with the idle ticks of a live source in between).
class ReplaySource : public FileSource {
public:
    ReplaySource(std::unique_ptr<PcapFile> f, double speed) : FileSource(std::move(f)), speed_(speed) {}
    Status next(CapturedPacket& out, std::string& error, int wait_ms) override;
    std::int64_t now_ns() const override;

private:
    double speed_;
    bool started_ = false;
    std::int64_t first_ts_ = 0;
    std::int64_t wall_start_ = 0;
    bool have_pending_ = false;
    CapturedPacket pending_{};
    std::string pending_error_;
    Status pending_status_ = Status::packet;
};

}  // namespace rdpscope
