// Reading pcap (either byte order, micro- or nanosecond) and pcapng through libpcap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "capture/packet.hpp"

struct pcap;

namespace rdpscope {

class PcapFile {
public:
    // Opens `path`; on failure returns nullptr and sets `error` to a sentence
    // that says what is wrong (missing, not a capture, unsupported link type...).
    static std::unique_ptr<PcapFile> open(const std::string& path, std::string& error);
    ~PcapFile();
    PcapFile(const PcapFile&) = delete;
    PcapFile& operator=(const PcapFile&) = delete;

    enum class Next { packet, end, error };
    // On `error`, `error` says why (e.g. the file ends in the middle of a
    // packet); the packets before are good.
    Next next(CapturedPacket& out, std::string& error);

    int linktype() const { return linktype_; }
    const char* linktype_name() const;
    int snaplen() const;
    std::uint64_t file_size() const { return file_size_; }
    std::uint64_t position() const;  // bytes read so far (for progress)
    const std::string& path() const { return path_; }
    bool nanosecond_file() const { return nano_file_; }

private:
    PcapFile() = default;
    static constexpr std::size_t kReadBuffer = 1 << 20;  // stdio buffer of the file (see open())
    pcap* handle_ = nullptr;
    std::unique_ptr<char[]> buffer_;  // the FILE's buffer; freed after ~PcapFile's pcap_close closed the FILE
    std::string path_;
    int linktype_ = 0;
    std::uint64_t frame_ = 0;
    std::uint64_t file_size_ = 0;
    bool nano_file_ = false;
};

}  // namespace rdpscope
