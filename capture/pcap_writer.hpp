// SPDX-License-Identifier: MIT
// Writes captured packets to a pcap file (libpcap's pcap_dump), optionally as a
// ring of files rotated by size, so the evidence frames open in Wireshark.
#pragma once

#include <cstdint>
#include <string>

#include "capture/packet.hpp"

struct pcap;
struct pcap_dumper;

namespace rdpscope {

class PcapWriter {
public:
    // rotate_bytes == 0: one file.  Else FILE is FILE.0, FILE.1 ... up to
    // rotate_count files (0 = unbounded), the oldest overwritten.
    bool open(pcap* source_handle, int linktype, int snaplen, const std::string& path, std::uint64_t rotate_bytes,
              unsigned rotate_count, std::string& error);
    ~PcapWriter();
    // Returns the frame number the packet has in the file it was written to.
    std::uint64_t write(const CapturedPacket& p, std::string& error);
    const std::string& current_path() const { return current_; }
    void flush();
    void chown_to(unsigned uid, unsigned gid);

private:
    bool open_current(std::string& error);
    pcap* dead_ = nullptr;
    pcap_dumper* dumper_ = nullptr;
    std::string base_, current_;
    std::uint64_t rotate_bytes_ = 0, written_ = 0, frames_ = 0;
    unsigned rotate_count_ = 0, index_ = 0;
    int linktype_ = 0, snaplen_ = 0;
    int owner_uid_ = -1, owner_gid_ = -1;
};

}  // namespace rdpscope
