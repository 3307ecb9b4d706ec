// SPDX-License-Identifier: MIT
// Every packet source (file, live interface, timed replay) hands packets on
// the same way, and says what time it is in packet time when no packet comes,
// so timers (the stall timeout) run on packet timestamps everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/packet.hpp"
#include "capture/pcap_file.hpp"

namespace rdpscope {

class PacketSource {
public:
    virtual ~PacketSource() = default;
    enum class Status { packet, idle, end, error };
    // Waits at most `wait_ms` (live and replay; a file never waits).  `idle`:
    // no packet yet; `now_ns()` tells the current packet time.
    virtual Status next(CapturedPacket& out, std::string& error, int wait_ms) = 0;
    // The current time on the packets' clock (epoch ns), 0 before any is known.
    virtual std::int64_t now_ns() const = 0;
    virtual int linktype() const = 0;
    // Every link type the input declares so far (a pcapng file: one per
    // interface, which may differ); one for a pcap file or an interface.
    virtual std::vector<int> linktypes() const { return {linktype()}; }
    // The input's interfaces as it describes them (a pcapng section's), or
    // null when it says nothing (live capture).
    virtual const std::vector<CaptureInterface>* interfaces() const { return nullptr; }
    // The pcapng Decryption Secrets Blocks read so far (null: the input has
    // none of its kind: pcap, live); they grow as the file is read.
    virtual const std::vector<CaptureSecrets>* secrets() const { return nullptr; }
    // The program that wrote the input, when it says (pcapng shb_userappl).
    virtual std::string application() const { return {}; }
    virtual std::string describe() const = 0;
    // Bytes read of the input and its size, for a progress bar (0 if unknown).
    virtual std::uint64_t position() const { return 0; }
    virtual std::uint64_t size() const { return 0; }
};

}  // namespace rdpscope
