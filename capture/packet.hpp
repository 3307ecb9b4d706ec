// A captured frame as every packet source hands it on.  Nothing here knows RDP.
#pragma once

#include <cstdint>
#include <span>

namespace rdpscope {

struct CapturedPacket {
    std::uint64_t frame = 0;    // 1-based, counting every record, as Wireshark numbers frames
    std::int64_t ts_ns = 0;     // epoch nanoseconds
    std::uint32_t caplen = 0;   // bytes present
    std::uint32_t wirelen = 0;  // bytes on the wire
    int linktype = 0;
    std::span<const std::uint8_t> data;  // valid until the next packet is read
};

}  // namespace rdpscope
