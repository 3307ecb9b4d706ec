#include "capture/pcap_file.hpp"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace rdpscope {

namespace {

// libpcap says "unknown file format" for anything that is not a capture;
// tell the user what the first bytes look like instead.
std::string describe_not_a_capture(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    unsigned char b[4] = {};
    f.read(reinterpret_cast<char*>(b), 4);
    const auto n = f.gcount();
    if (n == 0) return "the file is empty";
    if (n < 4) return "the file is too short to be a capture";
    if (b[0] == 0x1f && b[1] == 0x8b) return "the file is gzip-compressed: gunzip it first";
    return "not a pcap or pcapng capture (unrecognised magic number " +
           [&] { char hex[16]; std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]); return std::string(hex); }() +
           ")";
}

}  // namespace

std::unique_ptr<PcapFile> PcapFile::open(const std::string& path, std::string& error) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        error = std::strerror(errno);
        return nullptr;
    }
    if (S_ISDIR(st.st_mode)) {
        error = "is a directory";
        return nullptr;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<char[]> buffer;
    // Nanosecond precision: libpcap scales microsecond files up, so every
    // timestamp is in the same unit whatever the file holds.
#ifdef _WIN32
    // pcap_fopen_offline wants a FILE of libpcap's own C runtime: libpcap opens it.
    pcap_t* h = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
#else
    // libpcap reads the file with stdio, a 4 KiB buffer by default: a read()
    // per few packets.  Open the stream ourselves to give it 1 MiB (setvbuf
    // must come before the first read, which pcap_open_offline would do);
    // libpcap owns and closes it from here.
    FILE* fp = std::fopen(path.c_str(), "rb");
    if (!fp) {
        error = path + ": " + std::strerror(errno);  // as pcap_open_offline says it
        return nullptr;
    }
    buffer.reset(new char[kReadBuffer]);
    std::setvbuf(fp, buffer.get(), _IOFBF, kReadBuffer);
    pcap_t* h = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!h) std::fclose(fp);
#endif
    if (!h) {
        const std::string msg = errbuf;
        if (msg.find("unknown file format") != std::string::npos) error = describe_not_a_capture(path);
        else if (msg.find("truncated") != std::string::npos || msg.find("cut short") != std::string::npos)
            error = "the capture file header is cut short (" + msg + ")";
        else error = msg;
        return nullptr;
    }
    std::unique_ptr<PcapFile> f(new PcapFile());
    f->handle_ = h;
    f->buffer_ = std::move(buffer);
    f->path_ = path;
    f->linktype_ = pcap_datalink(h);
    f->file_size_ = static_cast<std::uint64_t>(st.st_size);
    // The file's own precision: pcap magic a1b23c4d, or pcapng if_tsresol 9.
    // libpcap does not expose it directly; pcap_get_tstamp_precision gives the
    // one we asked for, so read the magic ourselves for classic pcap.
    {
        std::ifstream in(path, std::ios::binary);
        unsigned char m[4] = {};
        in.read(reinterpret_cast<char*>(m), 4);
        const bool nano_le = m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1;
        const bool nano_be = m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d;
        f->nano_file_ = nano_le || nano_be;
    }
    return f;
}

PcapFile::~PcapFile() {
    if (handle_) pcap_close(handle_);
}

const char* PcapFile::linktype_name() const {
    const char* n = pcap_datalink_val_to_description(linktype_);
    return n ? n : "unknown";
}

int PcapFile::snaplen() const { return pcap_snapshot(handle_); }

std::uint64_t PcapFile::position() const {
    FILE* fp = pcap_file(handle_);
    if (!fp) return 0;
    const long pos = std::ftell(fp);
    return pos < 0 ? 0 : static_cast<std::uint64_t>(pos);
}

PcapFile::Next PcapFile::next(CapturedPacket& out, std::string& error) {
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(handle_, &hdr, &data);
    if (rc == 1) {
        out.frame = ++frame_;
        out.ts_ns = static_cast<std::int64_t>(hdr->ts.tv_sec) * 1000000000 + hdr->ts.tv_usec;  // tv_usec holds ns here
        out.caplen = hdr->caplen;
        out.wirelen = hdr->len;
        out.linktype = linktype_;
        out.data = {data, hdr->caplen};
        return Next::packet;
    }
    if (rc == PCAP_ERROR_BREAK) return Next::end;
    // PCAP_ERROR: the record after the last good frame could not be read.
    const std::string msg = pcap_geterr(handle_);
    if (msg.find("truncated") != std::string::npos)
        error = "the file ends in the middle of frame " + std::to_string(frame_ + 1) + " (" + msg + ")";
    else
        error = "cannot read frame " + std::to_string(frame_ + 1) + ": " + msg;
    return Next::error;
}

}  // namespace rdpscope
