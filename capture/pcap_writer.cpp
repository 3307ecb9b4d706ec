// SPDX-License-Identifier: MIT
#include "capture/pcap_writer.hpp"

#include <pcap/pcap.h>

#ifndef _WIN32
#include <unistd.h>
#endif

namespace rdpscope {

bool PcapWriter::open(pcap*, int linktype, int snaplen, const std::string& path, std::uint64_t rotate_bytes,
                      unsigned rotate_count, std::string& error) {
    base_ = path;
    rotate_bytes_ = rotate_bytes;
    rotate_count_ = rotate_count;
    linktype_ = linktype;
    snaplen_ = snaplen;
    // A "dead" handle with nanosecond precision: the written file keeps the
    // capture's timestamps exactly (pcap magic a1b23c4d).
    dead_ = pcap_open_dead_with_tstamp_precision(linktype, snaplen, PCAP_TSTAMP_PRECISION_NANO);
    return open_current(error);
}

bool PcapWriter::open_current(std::string& error) {
    current_ = rotate_bytes_ ? base_ + "." + std::to_string(index_) : base_;
    dumper_ = pcap_dump_open(dead_, current_.c_str());
    if (!dumper_) {
        error = "cannot write " + current_ + ": " + pcap_geterr(dead_);
        return false;
    }
#ifndef _WIN32
    if (owner_uid_ >= 0) (void)::chown(current_.c_str(), static_cast<uid_t>(owner_uid_), static_cast<gid_t>(owner_gid_));
#endif
    written_ = 0;
    frames_ = 0;
    return true;
}

void PcapWriter::chown_to(unsigned uid, unsigned gid) {
    owner_uid_ = static_cast<int>(uid);
    owner_gid_ = static_cast<int>(gid);
#ifndef _WIN32
    if (!current_.empty()) (void)::chown(current_.c_str(), uid, gid);
#endif
}

PcapWriter::~PcapWriter() {
    if (dumper_) pcap_dump_close(dumper_);
    if (dead_) pcap_close(dead_);
}

void PcapWriter::flush() {
    if (dumper_) pcap_dump_flush(dumper_);
}

std::uint64_t PcapWriter::write(const CapturedPacket& p, std::string& error) {
    if (!dumper_) return 0;
    if (rotate_bytes_ && written_ >= rotate_bytes_) {
        pcap_dump_close(dumper_);
        dumper_ = nullptr;
        index_ = rotate_count_ ? (index_ + 1) % rotate_count_ : index_ + 1;
        if (!open_current(error)) return 0;
    }
    pcap_pkthdr hdr{};
    hdr.ts.tv_sec = static_cast<decltype(hdr.ts.tv_sec)>(p.ts_ns / 1'000'000'000);
    hdr.ts.tv_usec = static_cast<decltype(hdr.ts.tv_usec)>(p.ts_ns % 1'000'000'000);  // ns: the dead handle is nano
    hdr.caplen = p.caplen;
    hdr.len = p.wirelen;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &hdr, p.data.data());
    // Flush per packet: the file is evidence, and a killed capture must keep it.
    pcap_dump_flush(dumper_);
    written_ += 16 + p.caplen;
    return ++frames_;
}

}  // namespace rdpscope
