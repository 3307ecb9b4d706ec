// SPDX-License-Identifier: MIT
// The capture-file reader (pcap and pcapng) over arbitrary bytes: every
// record it hands out lies inside the input, frame numbers only grow, and it
// never allocates more than its bounds (ASan's allocation limit catches that).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "capture/pcap_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::FILE* fp = fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
    if (!fp) return 0;
    std::string error;
    auto f = rdpscope::PcapFile::open_stream(fp, "fuzz", size, error);  // takes fp, also on failure
    if (!f) return 0;
    rdpscope::CapturedPacket p;
    std::uint64_t last = 0;
    std::size_t bytes = 0;
    while (f->next(p, error) == rdpscope::PcapFile::Next::packet) {
        if (p.frame <= last || p.data.size() != p.caplen) __builtin_trap();
        last = p.frame;
        bytes += p.data.size();
        if (bytes > size) __builtin_trap();  // more bytes out than in
        if (!p.comment.empty() && p.comment.size() > size) __builtin_trap();
    }
    return 0;
}
