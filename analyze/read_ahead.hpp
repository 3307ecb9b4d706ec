// SPDX-License-Identifier: MIT
// Reading and decoding a capture file on a second thread, a few batches ahead
// of the tracker (issue 16).  On a file every packet is read, decoded to its
// layers and fingerprinted for the copy filter before the tracker sees it;
// that is a quarter of the work on a SYN flood and an eighth on an NLA brute
// force, and none of it touches the tracker's state, so it runs beside it.
//
// What the tracker receives is what the source gave, in the same order: the
// frames, each with the pcapng Decryption Secrets Blocks read before it, then
// the end or the error that stopped the reading.  The source is used by the
// reading thread alone from construction until this object is destroyed.  Memory is bounded: kBatches batches of at most kFrames frames
// and kBytes bytes (grown for one frame larger than that).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capture/packet.hpp"
#include "capture/source.hpp"
#include "dissect/packet.hpp"

namespace rdpscope {

class ReadAhead {
public:
    struct Frame {
        CapturedPacket pkt;            // data and comment point into the batch
        PacketInfo info;               // decode_packet(pkt.linktype, pkt.data), when the link type is read
        std::uint64_t fingerprint = 0; // copy_fingerprint(info); 0 on a decode error
        std::uint64_t position = 0;    // bytes of the input read after this frame (progress)
    };
    static constexpr std::size_t kBatches = 3;
    // Each batch handed over is a thread woken up, on one side or the
    // other: on the README's VM that costs ~75 us of CPU time, and with 384
    // frames a batch the SYN flood's 2,600 hand-overs were more than the
    // reading and decoding themselves (the reading thread alone, with a
    // tracker doing nothing: 0.31 s; the same reading and decoding in one
    // thread: 0.06 s).  Small frames (floods) fill a batch by count, large
    // ones (RDP sessions) by kBytes; a frame is ~420 bytes here, so 1024 of
    // them cost ~1 MiB more in all than 384 (issue 16, README Performance).
    static constexpr std::size_t kFrames = 1024;
    // A batch is handed over once it holds kBytes; its buffer has room for
    // one more frame of up to kSlack bytes (a larger one starts a batch).
    static constexpr std::size_t kBytes = 192 * 1024;
    static constexpr std::size_t kSlack = 64 * 1024;

    // `secrets`: the source's Decryption Secrets Blocks (null: none are
    // taken), of which the first `secrets_taken` were already taken.
    ReadAhead(PacketSource& src, const std::vector<CaptureSecrets>* secrets, std::size_t secrets_taken);
    ~ReadAhead();
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // The next frame (valid until the next call), or the end, or the error
    // that stopped the reading (`why` says which).  Never `idle`.  The key
    // logs (pcapng DSB type TLSK) read before the frame are in secrets().
    PacketSource::Status next(const Frame*& out, std::string& why);
    // The TLS key log texts read before the frame next() returned last and
    // after the one before it.
    const std::vector<std::string>& secrets() const { return secrets_now_; }

private:
    struct Batch {
        std::vector<std::uint8_t> bytes;  // the frames' data and comments; capacity reserved, never moved while filled
        std::vector<Frame> frames;
        // (index of the frame they come before, key log text)
        std::vector<std::pair<std::size_t, std::string>> secrets;
        PacketSource::Status last = PacketSource::Status::packet;  // end or error after the frames
        std::string why;
    };
    void read_loop();
    // Fills `b` from the source; false once the input ended or failed.
    bool fill(Batch& b);

    PacketSource& src_;
    const std::vector<CaptureSecrets>* dsb_;
    std::size_t dsb_seen_;
    std::vector<std::unique_ptr<Batch>> owned_;
    std::mutex mu_;
    std::condition_variable to_reader_, to_tracker_;
    std::vector<Batch*> free_;        // under mu_: for the reader to fill
    std::deque<Batch*> full_;         // under mu_: filled, oldest first
    bool quit_ = false;               // under mu_: the tracker stopped early
    // The reader's side: a frame too large for the rest of a batch, for the next.
    CapturedPacket stash_;
    bool stashed_ = false;
    // The tracker's side.
    Batch* cur_ = nullptr;
    std::size_t at_ = 0;
    std::size_t secret_at_ = 0;
    std::vector<std::string> secrets_now_;
    std::thread reader_;
};

}  // namespace rdpscope
