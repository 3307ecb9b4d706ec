// SPDX-License-Identifier: MIT
// Reading capture files: classic pcap (either byte order, micro- or
// nanosecond, and the modified-pcap variant libpcap reads) and pcapng, by our
// own reader rather than libpcap's.  libpcap refuses a pcapng whose interfaces
// have different link types (Wireshark capturing Ethernet and loopback,
// etl2pcapng's one interface per pktmon component), hides the interface,
// direction and comment of each packet and the Decryption Secrets Blocks, and
// the Windows build must read files without wpcap.  libpcap stays for live
// capture, BPF and writing files.
//
// Frame numbers are Wireshark's: every packet record (EPB, SPB, OPB), every
// systemd Journal Export block and every custom block counts as a frame
// (Wireshark 4.0 shows those as frames; here they are counted and skipped).  Formats:
// tcpdump.org's pcap-savefile(5), draft-ietf-opsawg-pcapng (the pcapng spec).
//
// Bounded by construction: one record buffer, grown to the largest record
// read and never beyond kMaxRecord; interfaces and secrets have caps too, so a
// hostile file gets an error naming the frame, never an allocation it asked for.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "capture/packet.hpp"

namespace rdpscope {

// One interface of a pcapng section (classic pcap: the one of the file).
struct CaptureInterface {
    int linktype = 0;            // LINKTYPE_* value as written in the file
    std::uint32_t snaplen = 0;   // 0: no limit
    std::string name, description;
    // Timestamp unit: 10^-exp10 s, or 2^-exp2 s (pcapng if_tsresol).
    int exp10 = 6, exp2 = -1;
    std::int64_t offset_s = 0;   // if_tsoffset, seconds added to every timestamp
};

// A Decryption Secrets Block (pcapng block type 0x0000000A).
// pcapng DSB secrets type of an NSS key log ("TLSK", pcapng spec 4.7).
inline constexpr std::uint32_t kSecretsTlsKeyLog = 0x544c534b;

struct CaptureSecrets {
    std::uint32_t type = 0;      // 0x544c534b "TLSK": an NSS key log
    std::uint64_t frame_before = 0;  // the number of frames read before it
    std::string data;
};

class PcapFile {
public:
    // The largest record accepted: frames after GSO/GRO, LSO and BIG TCP
    // (80,066 bytes seen) fit with room; a block claiming more is an error
    // naming the frame, never an allocation.
    static constexpr std::uint32_t kMaxRecord = 1u << 20;  // 1 MiB
    static constexpr std::size_t kMaxInterfaces = 4096;     // per section
    static constexpr std::size_t kMaxSecretBytes = 64u << 20;  // all DSBs together
    static constexpr std::size_t kMaxSecretBlocks = 1024;

    // Opens `path`; on failure returns nullptr and sets `error` to a sentence
    // that says what is wrong (missing, not a capture, header cut short...).
    static std::unique_ptr<PcapFile> open(const std::string& path, std::string& error);
    // Reads from a stream the caller opened (a fuzzer's fmemopen); takes it.
    static std::unique_ptr<PcapFile> open_stream(std::FILE* fp, const std::string& name, std::uint64_t size,
                                                 std::string& error);
    ~PcapFile();
    PcapFile(const PcapFile&) = delete;
    PcapFile& operator=(const PcapFile&) = delete;

    enum class Next { packet, end, error };
    // On `error`, `error` says why (e.g. the file ends in the middle of a
    // packet); the packets before are good.
    Next next(CapturedPacket& out, std::string& error);

    // The first interface's link type (classic pcap: the file's).
    int linktype() const { return linktype_; }
    int snaplen() const { return static_cast<int>(snaplen_); }
    std::uint64_t file_size() const { return file_size_; }
    std::uint64_t position() const { return offset_; }  // bytes read so far (for progress)
    const std::string& path() const { return path_; }
    bool pcapng() const { return pcapng_; }
    // The interfaces of the current section (pcapng), or the file's one.
    const std::vector<CaptureInterface>& interfaces() const { return interfaces_; }
    const std::vector<CaptureSecrets>& secrets() const { return secrets_; }
    // The application that wrote the current section (pcapng shb_userappl; pktmon
    // writes "Packet Monitor"), "" when not given.
    const std::string& application() const { return application_; }
    // Frames Wireshark numbers that carry no packet (journal entries, custom blocks).
    std::uint64_t non_packet_frames() const { return non_packet_frames_; }

private:
    PcapFile() = default;
    static std::unique_ptr<PcapFile> start(std::FILE* fp, const std::string& name, std::uint64_t size,
                                           std::string& error);
    bool read_exact(void* to, std::size_t n, std::size_t& got);
    // The next n bytes, in place in record_ (read a block at a time); got < n
    // when the file ends first (then got bytes).  Valid until the next take().
    const std::uint8_t* take(std::size_t n, std::size_t& got);
    bool seek(std::uint64_t at);
    Next next_pcap(CapturedPacket& out, std::string& error);
    Next next_pcapng(CapturedPacket& out, std::string& error);
    // One pcapng block: a packet (out filled), another block (section,
    // interface, secrets, a journal entry, skipped blocks), the end, or an error.
    enum class Block { packet, other, end, error };
    Block read_block(CapturedPacket& out, std::string& error);
    // pcapng block bodies; return false with `error` set when the file is unusable from here.
    bool section_header(const std::uint8_t* b, std::size_t n, std::string& error);
    bool interface_description(const std::uint8_t* b, std::size_t n, std::string& error);
    bool decryption_secrets(const std::uint8_t* b, std::size_t n, std::string& error);
    std::uint16_t u16(const std::uint8_t* p) const;
    std::uint32_t u32(const std::uint8_t* p) const;
    std::int64_t to_ns(const CaptureInterface& i, std::uint64_t units) const;
    std::string frame_error(const char* what) const;

    static constexpr std::size_t kReadBuffer = 1 << 20;  // bytes read at a time (see take())
    std::FILE* fp_ = nullptr;
    // The read buffer: kReadBuffer, or the largest record (at most kMaxRecord
    // + a block's framing); records are handed out in place.
    std::vector<std::uint8_t> record_;
    std::size_t read_at_ = 0, read_end_ = 0;  // record_[read_at_, read_end_): read, not yet taken
    std::string path_;
    std::uint64_t file_size_ = 0, offset_ = 0;
    std::uint64_t frame_ = 0, non_packet_frames_ = 0;
    int linktype_ = 0;
    std::uint32_t snaplen_ = 0;
    bool pcapng_ = false, swapped_ = false, nano_file_ = false;
    bool modified_pcap_ = false;  // libpcap's "Kuznetzov" variant: 8 more bytes per record header
    bool have_section_ = false;
    std::vector<CaptureInterface> interfaces_;
    std::vector<CaptureSecrets> secrets_;
    std::string application_;
    std::size_t secret_bytes_ = 0;
};

}  // namespace rdpscope
