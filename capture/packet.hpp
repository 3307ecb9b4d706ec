// SPDX-License-Identifier: MIT
// A captured frame as every packet source hands it on.  Nothing here knows RDP.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace rdpscope {

struct CapturedPacket {
    std::uint64_t frame = 0;    // 1-based, counting every record, as Wireshark numbers frames
    std::int64_t ts_ns = 0;     // epoch nanoseconds
    std::uint32_t caplen = 0;   // bytes present
    std::uint32_t wirelen = 0;  // bytes on the wire
    int linktype = 0;           // LINKTYPE_* (files) or DLT_* (live) of the packet's interface
    std::uint32_t interface = 0;  // pcapng interface id (0 for pcap files and live capture)
    // pcapng epb_flags bits 0-1 (etl2pcapng writes them): 0 unknown, 1 inbound, 2 outbound.
    std::uint8_t direction = 0;
    std::span<const std::uint8_t> data;  // valid until the next packet is read
    std::string_view comment;            // pcapng opt_comment (the first), valid as `data`
};

}  // namespace rdpscope
