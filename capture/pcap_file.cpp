// SPDX-License-Identifier: MIT
#include "capture/pcap_file.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <limits>

#include "platform/platform.hpp"

namespace rdpscope {

namespace {

// pcap-savefile(5): the magic numbers as a little-endian read of the first 4 bytes.
constexpr std::uint32_t kPcapUsec = 0xa1b2c3d4, kPcapNsec = 0xa1b23c4d, kPcapModified = 0xa1b2cd34;
constexpr std::uint32_t kPcapngShb = 0x0a0d0d0a;   // palindromic: the same in both byte orders
constexpr std::uint32_t kPcapngByteOrder = 0x1a2b3c4d;
constexpr std::size_t kPcapFileHeader = 24, kPcapRecordHeader = 16, kModifiedExtra = 8;

// pcapng block types (draft-ietf-opsawg-pcapng §4, §10.1).
enum : std::uint32_t {
    kIdb = 1, kOpb = 2, kSpb = 3, kNrb = 4, kIsb = 5, kEpb = 6,
    kJournal = 9,  // systemd Journal Export: Wireshark numbers it as a frame
    kDsb = 10,
    // Custom blocks (copyable, and not to be copied): Wireshark 4.0 numbers
    // them as frames too (checked with tshark 4.0; NRB, ISB, DSB and unknown
    // types it does not).
    kCustom = 0x00000BAD, kCustomNoCopy = 0x40000BAD,
};
// A block's framing (type, length, trailing length) and the largest header of
// a packet block (EPB: 20 bytes), on top of the record: anything larger is
// not a block this reader will allocate for.
constexpr std::uint32_t kMaxBlock = PcapFile::kMaxRecord + 64 * 1024;
// Options (§3.5): code, length, value padded to 4.
constexpr std::uint16_t kOptEnd = 0, kOptComment = 1;
constexpr std::uint16_t kIfName = 2, kIfDescription = 3, kIfTsresol = 9, kIfTsoffset = 14;
constexpr std::uint16_t kEpbFlags = 2;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint32_t kMaxNameBytes = 256;  // interface names and descriptions kept

std::uint32_t pad4(std::uint32_t n) { return (n + 3u) & ~3u; }

std::uint32_t bswap32(std::uint32_t v) {
    return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

std::string hex4(const std::uint8_t* b) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
    return hex;
}

// Walks the options of a block body; `f(code, value, length)` per option.
template <typename F>
void for_each_option(const std::uint8_t* p, std::size_t n, bool swapped, F&& f) {
    std::size_t at = 0;
    while (at + 4 <= n) {
        std::uint16_t code = static_cast<std::uint16_t>(p[at] | p[at + 1] << 8);
        std::uint16_t len = static_cast<std::uint16_t>(p[at + 2] | p[at + 3] << 8);
        if (swapped) {
            code = static_cast<std::uint16_t>(code >> 8 | code << 8);
            len = static_cast<std::uint16_t>(len >> 8 | len << 8);
        }
        at += 4;
        if (code == kOptEnd) return;
        if (len > n - at) return;  // an option running past its block: ignore the rest, keep the packet
        f(code, p + at, len);
        at += pad4(len);
    }
}

bool ends_with_ci(const std::string& s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
}

// What a file that is no capture is, when Windows tools wrote it: their
// traces must be converted first, and the message says with which command.
std::string not_a_capture(const std::string& name, const std::uint8_t* head) {
    if (head[0] == 0x1f && head[1] == 0x8b) return "the file is gzip-compressed: gunzip it first";
    if (head[0] == 'M' && head[1] == 'S' && head[2] == 'C' && head[3] == 'F')
        return "a Windows cabinet (.cab), not a capture: `netsh trace` puts its diagnostics there and the packets "
               "in the .etl beside it; convert that with `etl2pcapng NetTrace.etl NetTrace.pcapng` "
               "(github.com/microsoft/etl2pcapng)";
    if (ends_with_ci(name, ".etl"))
        return "an ETW trace (.etl), not a capture: convert it first, with `pktmon etl2pcap FILE.etl --out "
               "FILE.pcapng` if pktmon wrote it, or `etl2pcapng FILE.etl FILE.pcapng` for `netsh trace` "
               "(github.com/microsoft/etl2pcapng)";
    return "not a pcap or pcapng capture (unrecognised magic number " + hex4(head) + ")";
}

}  // namespace

std::uint16_t PcapFile::u16(const std::uint8_t* p) const {
    const std::uint16_t v = static_cast<std::uint16_t>(p[0] | p[1] << 8);
    return swapped_ ? static_cast<std::uint16_t>(v >> 8 | v << 8) : v;
}

std::uint32_t PcapFile::u32(const std::uint8_t* p) const {
    const std::uint32_t v = le32(p);
    return swapped_ ? bswap32(v) : v;
}

std::unique_ptr<PcapFile> PcapFile::open(const std::string& path, std::string& error) {
    const platform::PathInfo st = platform::stat_path(path);
    if (st.error) {
        error = std::strerror(st.error);
        return nullptr;
    }
    if (st.directory) {
        error = "is a directory";
        return nullptr;
    }
    std::FILE* fp = platform::open_file(path, "rb");
    if (!fp) {
        error = std::strerror(errno);
        return nullptr;
    }
    // Read in blocks of kReadBuffer by take() itself: no stdio buffer in
    // between, so no copy of its own.  setvbuf must come
    // before the first read.
    std::setvbuf(fp, nullptr, _IONBF, 0);
    return start(fp, path, st.size, error);
}

std::unique_ptr<PcapFile> PcapFile::open_stream(std::FILE* fp, const std::string& name, std::uint64_t size,
                                                std::string& error) {
    return start(fp, name, size, error);
}

std::unique_ptr<PcapFile> PcapFile::start(std::FILE* fp, const std::string& name, std::uint64_t size,
                                          std::string& error) {
    std::unique_ptr<PcapFile> f(new PcapFile());
    f->fp_ = fp;
    f->path_ = name;
    f->file_size_ = size;
    std::uint8_t head[kPcapFileHeader];
    std::size_t got = 0;
    if (!f->read_exact(head, 4, got)) {
        error = got == 0 ? "the capture file header is cut short (the file is empty)"
                         : "the capture file header is cut short (the file holds " + std::to_string(got) + " bytes)";
        return nullptr;
    }
    const std::uint32_t magic = le32(head);
    if (magic == kPcapngShb) {
        f->pcapng_ = true;
        // Read the blocks before the first packet, so that linktype() and
        // every interface (their link types may differ) are known before it.
        // A journal block is read on the way (it counts as a frame, no more);
        // the first packet block is left for next(): the stream is a file,
        // so seek back over its header.
        CapturedPacket none;
        std::string why;
        if (!f->seek(0)) {
            error = "cannot seek in the file";
            return nullptr;
        }
        for (;;) {  // every block before the first packet: all interfaces declared up front
            std::uint8_t peek[8];
            std::size_t n = 0;
            const std::uint64_t at = f->offset_;
            if (!f->read_exact(peek, 8, n)) {
                if (!f->have_section_) {
                    error = "the capture file header is cut short (the file ends inside the pcapng section header)";
                    return nullptr;
                }
                // Nothing whole after the last block: next() reads it again
                // and says how the file ends.
                if (!f->seek(at)) {
                    error = "cannot seek in the file";
                    return nullptr;
                }
                break;
            }
            const std::uint32_t t = f->u32(peek);
            if (!f->seek(at)) {
                error = "cannot seek in the file";
                return nullptr;
            }
            if (f->have_section_ && (t == kEpb || t == kSpb || t == kOpb)) break;
            const Block r = f->read_block(none, why);
            if (r == Block::error || (r == Block::end && !f->have_section_)) {
                error = f->have_section_ ? why : "the capture file header is cut short or damaged (" + why + ")";
                return nullptr;
            }
            if (r == Block::end) break;
        }
        if (!f->interfaces_.empty()) {
            f->linktype_ = f->interfaces_[0].linktype;
            f->snaplen_ = f->interfaces_[0].snaplen;
        }
        return f;
    }
    bool swapped;
    switch (magic) {
        case kPcapUsec: case kPcapNsec: case kPcapModified: swapped = false; break;
        default:
            switch (bswap32(magic)) {
                case kPcapUsec: case kPcapNsec: case kPcapModified: swapped = true; break;
                default:
                    error = not_a_capture(name, head);
                    return nullptr;
            }
    }
    f->swapped_ = swapped;
    const std::uint32_t m = swapped ? bswap32(magic) : magic;
    f->nano_file_ = m == kPcapNsec;
    f->modified_pcap_ = m == kPcapModified;
    if (!f->read_exact(head + 4, kPcapFileHeader - 4, got)) {
        error = "the capture file header is cut short (the file holds " + std::to_string(4 + got) + " of the " +
                std::to_string(kPcapFileHeader) + " bytes of a pcap file header)";
        return nullptr;
    }
    const std::uint16_t major = f->u16(head + 4), minor = f->u16(head + 6);
    if (major != 2) {
        error = "unsupported pcap file version " + std::to_string(major) + "." + std::to_string(minor);
        return nullptr;
    }
    f->snaplen_ = f->u32(head + 16);
    // The upper bits of the link-type field carry the FCS length (pcap-savefile(5)).
    f->linktype_ = static_cast<int>(f->u32(head + 20) & 0x03FFFFFFu);
    CaptureInterface i;
    i.linktype = f->linktype_;
    i.snaplen = f->snaplen_;
    i.exp10 = f->nano_file_ ? 9 : 6;
    f->interfaces_.push_back(i);
    return f;
}

PcapFile::~PcapFile() {
    if (fp_) std::fclose(fp_);
}

bool PcapFile::read_exact(void* to, std::size_t n, std::size_t& got) {
    const std::uint8_t* p = take(n, got);
    if (got) std::memcpy(to, p, got);
    return got == n;
}

// The file is read a block at a time into record_ and records are handed
// out in place there: one copy (the kernel's), none per packet.  (Reading
// through mmap instead was slower: on the 2-vCPU VM of the README's figures
// the page faults and page-table work cost more than the copy; issue 16.)
const std::uint8_t* PcapFile::take(std::size_t n, std::size_t& got) {
    if (read_end_ - read_at_ < n) {
        // Keep what is left at the front, then fill the rest.
        const std::size_t left = read_end_ - read_at_;
        if (read_at_ && left) std::memmove(record_.data(), record_.data() + read_at_, left);
        read_at_ = 0;
        read_end_ = left;
        const std::size_t want = std::max(n, kReadBuffer);
        if (record_.size() < want) record_.resize(want);
        while (read_end_ < n) {
            const std::size_t r = std::fread(record_.data() + read_end_, 1, record_.size() - read_end_, fp_);
            if (r == 0) break;
            read_end_ += r;
        }
    }
    got = std::min(n, read_end_ - read_at_);
    const std::uint8_t* p = record_.data() + read_at_;
    read_at_ += got;
    offset_ += got;
    return p;
}

bool PcapFile::seek(std::uint64_t at) {
    if (std::fseek(fp_, static_cast<long>(at), SEEK_SET) != 0) return false;
    read_at_ = read_end_ = 0;
    offset_ = at;
    return true;
}

std::string PcapFile::frame_error(const char* what) const {
    return "frame " + std::to_string(frame_ + 1) + ": " + what;
}

std::int64_t PcapFile::to_ns(const CaptureInterface& i, std::uint64_t units) const {
    __int128 ns;
    if (i.exp2 >= 0) {
        ns = (static_cast<__int128>(units) * 1'000'000'000) >> std::min(i.exp2, 127);
    } else if (i.exp10 <= 9) {
        __int128 mul = 1;
        for (int k = i.exp10; k < 9; ++k) mul *= 10;
        ns = static_cast<__int128>(units) * mul;
    } else {
        __int128 div = 1;
        for (int k = 9; k < i.exp10 && k < 40; ++k) div *= 10;
        ns = static_cast<__int128>(units) / div;
    }
    ns += static_cast<__int128>(i.offset_s) * 1'000'000'000;
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max(), kMin = std::numeric_limits<std::int64_t>::min();
    return ns > kMax ? kMax : ns < kMin ? kMin : static_cast<std::int64_t>(ns);
}

PcapFile::Next PcapFile::next(CapturedPacket& out, std::string& error) {
    return pcapng_ ? next_pcapng(out, error) : next_pcap(out, error);
}

PcapFile::Next PcapFile::next_pcap(CapturedPacket& out, std::string& error) {
    std::uint8_t h[kPcapRecordHeader + kModifiedExtra];
    const std::size_t hlen = kPcapRecordHeader + (modified_pcap_ ? kModifiedExtra : 0);
    std::size_t got = 0;
    if (!read_exact(h, hlen, got)) {
        if (got == 0) return Next::end;
        error = "the file ends in the middle of frame " + std::to_string(frame_ + 1) + " (its record header has " +
                std::to_string(got) + " of " + std::to_string(hlen) + " bytes)";
        return Next::error;
    }
    const std::uint32_t sec = u32(h), frac = u32(h + 4), caplen = u32(h + 8), wirelen = u32(h + 12);
    if (caplen > kMaxRecord) {
        error = frame_error("") + "its record claims " + std::to_string(caplen) +
                " bytes, more than the largest frame rdpscope reads (" + std::to_string(kMaxRecord) +
                "): the file is damaged from here";
        return Next::error;
    }
    const std::uint8_t* data = take(caplen, got);
    if (got != caplen) {
        error = "the file ends in the middle of frame " + std::to_string(frame_ + 1) + " (its record needs " +
                std::to_string(caplen) + " bytes, the file holds " + std::to_string(got) + ")";
        return Next::error;
    }
    out.frame = ++frame_;
    out.ts_ns = static_cast<std::int64_t>(sec) * 1'000'000'000 + static_cast<std::int64_t>(frac) * (nano_file_ ? 1 : 1000);
    out.caplen = caplen;
    out.wirelen = wirelen;
    out.linktype = linktype_;
    out.interface = 0;
    out.direction = 0;
    out.comment = {};
    out.data = {data, caplen};
    return Next::packet;
}

PcapFile::Next PcapFile::next_pcapng(CapturedPacket& out, std::string& error) {
    for (;;) {
        const Block r = read_block(out, error);
        if (r == Block::packet) return Next::packet;
        if (r == Block::end) return Next::end;
        if (r == Block::error) return Next::error;
    }
}

PcapFile::Block PcapFile::read_block(CapturedPacket& out, std::string& error) {
    {
        const std::uint64_t block_at = offset_;
        std::uint8_t h[12];
        std::size_t got = 0;
        if (!read_exact(h, 8, got)) {
            if (got == 0) return Block::end;
            error = "the file ends in the middle of a block header after frame " + std::to_string(frame_);
            return Block::error;
        }
        std::uint32_t type = u32(h);
        if (le32(h) == kPcapngShb) {
            // A new section: its byte-order magic decides how to read everything after it.
            if (!read_exact(h + 8, 4, got)) {
                error = "the file ends in the middle of a section header after frame " + std::to_string(frame_);
                return Block::error;
            }
            const std::uint32_t bom = le32(h + 8);
            if (bom == kPcapngByteOrder) swapped_ = false;
            else if (bswap32(bom) == kPcapngByteOrder) swapped_ = true;
            else {
                error = "a pcapng section header at byte " + std::to_string(block_at) +
                        " has no valid byte-order magic (" + hex4(h + 8) + "): the file is damaged from here";
                return Block::error;
            }
            type = kPcapngShb;
        }
        const std::uint32_t total = u32(h + 4);
        const std::uint32_t framing = type == kPcapngShb ? 12 : 8;  // bytes of the block already read
        if (total < 12 || total % 4 != 0 || total > kMaxBlock) {
            error = "a pcapng block at byte " + std::to_string(block_at) + " (after frame " + std::to_string(frame_) +
                    ") claims a length of " + std::to_string(total) + " bytes" +
                    (total > kMaxBlock ? ", more than rdpscope reads in one block (" + std::to_string(kMaxBlock) + ")"
                                       : ", which no block can have") +
                    ": the file is damaged from here";
            return Block::error;
        }
        if (total < framing + 4) {
            error = "a pcapng section header at byte " + std::to_string(block_at) + " is shorter than its fields";
            return Block::error;
        }
        const std::uint32_t rest = total - framing;  // body after what was read, and the trailing length
        const std::uint8_t* const body = take(rest, got);
        if (got != rest) {
            const bool frame_block = type == kEpb || type == kSpb || type == kOpb || type == kJournal;
            error = frame_block ? "the file ends in the middle of frame " + std::to_string(frame_ + 1) +
                                      " (its block needs " + std::to_string(total) + " bytes, the file holds " +
                                      std::to_string(framing + got) + ")"
                                : "the file ends in the middle of a block after frame " + std::to_string(frame_);
            return Block::error;
        }
        if (u32(body + rest - 4) != total) {
            error = "a pcapng block at byte " + std::to_string(block_at) + " (after frame " + std::to_string(frame_) +
                    ") does not end with its length: the file is damaged from here";
            return Block::error;
        }
        const std::uint8_t* b = body;
        const std::size_t n = rest - 4;  // the body (after type/length, and for an SHB after the byte-order magic)
        switch (type) {
            case kPcapngShb:
                return section_header(b, n, error) ? Block::other : Block::error;
            case kIdb:
                return interface_description(b, n, error) ? Block::other : Block::error;
            case kDsb:
                return decryption_secrets(b, n, error) ? Block::other : Block::error;
            case kJournal: case kCustom: case kCustomNoCopy:
                ++frame_;
                ++non_packet_frames_;
                return Block::other;
            case kEpb: case kOpb: case kSpb: break;
            default: return Block::other;  // NRB, ISB and unknown blocks: no frame
        }
        // A packet block.
        std::uint32_t iface = 0, caplen = 0, wirelen = 0;
        std::uint64_t units = 0;
        std::size_t data_at = 0, opts_at = 0;
        if (type == kSpb) {
            if (n < 4) { error = frame_error("its simple packet block is shorter than its fields"); return Block::error; }
            wirelen = u32(b);
            data_at = 4;
            caplen = static_cast<std::uint32_t>(std::min<std::size_t>(wirelen, n - 4));
            if (!interfaces_.empty() && interfaces_[0].snaplen) caplen = std::min(caplen, interfaces_[0].snaplen);
            opts_at = n;
        } else {
            // EPB: interface u32; OPB: interface u16, drops u16; then both
            // timestamp high and low, captured and original length.
            constexpr std::size_t fixed = 20;
            if (n < fixed) { error = frame_error("its packet block is shorter than its fields"); return Block::error; }
            if (type == kEpb) iface = u32(b);
            else iface = u16(b);  // OPB: interface u16, drops u16
            units = static_cast<std::uint64_t>(u32(b + 4)) << 32 | u32(b + 8);
            caplen = u32(b + 12);
            wirelen = u32(b + 16);
            data_at = fixed;
            if (caplen > n - fixed) {
                error = frame_error("its packet block says ") + std::to_string(caplen) +
                        " captured bytes but holds " + std::to_string(n - fixed) + ": the file is damaged";
                return Block::error;
            }
            opts_at = data_at + pad4(caplen);
        }
        if (iface >= interfaces_.size()) {
            error = frame_error("") + "it names interface " + std::to_string(iface) + ", but the section declares " +
                    (interfaces_.empty() ? std::string("none before it") : "only " + std::to_string(interfaces_.size()));
            return Block::error;
        }
        const CaptureInterface& i = interfaces_[iface];
        out.frame = ++frame_;
        out.ts_ns = type == kSpb ? 0 : to_ns(i, units);
        out.caplen = caplen;
        out.wirelen = wirelen;
        out.linktype = i.linktype;
        out.interface = iface;
        out.direction = 0;
        out.comment = {};
        out.data = {b + data_at, caplen};
        if (opts_at < n)
            for_each_option(b + opts_at, n - opts_at, swapped_, [&](std::uint16_t code, const std::uint8_t* v, std::uint16_t len) {
                if (code == kOptComment && out.comment.empty()) out.comment = {reinterpret_cast<const char*>(v), len};
                else if (code == kEpbFlags && len == 4) out.direction = static_cast<std::uint8_t>(u32(v) & 3u);
            });
        return Block::packet;
    }
}

bool PcapFile::section_header(const std::uint8_t* b, std::size_t n, std::string& error) {
    // After the byte-order magic: major u16, minor u16, section length i64, options.
    if (n < 12) {
        error = "a pcapng section header is shorter than its fields";
        return false;
    }
    const std::uint16_t major = u16(b);
    if (major != 1) {
        error = "unsupported pcapng version " + std::to_string(major) + "." + std::to_string(u16(b + 2));
        return false;
    }
    have_section_ = true;
    interfaces_.clear();  // interface ids restart with every section
    application_.clear();
    for_each_option(b + 12, n - 12, swapped_, [&](std::uint16_t code, const std::uint8_t* v, std::uint16_t len) {
        if (code == kShbUserAppl)
            application_.assign(reinterpret_cast<const char*>(v), std::min<std::uint32_t>(len, kMaxNameBytes));
    });
    return true;
}

bool PcapFile::interface_description(const std::uint8_t* b, std::size_t n, std::string& error) {
    if (n < 8) {
        error = "an interface description block after frame " + std::to_string(frame_) + " is shorter than its fields";
        return false;
    }
    if (interfaces_.size() >= kMaxInterfaces) {
        error = "the section declares more than " + std::to_string(kMaxInterfaces) +
                " interfaces (at frame " + std::to_string(frame_) + "): the file is damaged or hostile";
        return false;
    }
    CaptureInterface i;
    i.linktype = u16(b);
    i.snaplen = u32(b + 4);
    for_each_option(b + 8, n - 8, swapped_, [&](std::uint16_t code, const std::uint8_t* v, std::uint16_t len) {
        const auto text = [&] { return std::string(reinterpret_cast<const char*>(v), std::min<std::uint32_t>(len, kMaxNameBytes)); };
        if (code == kIfName) i.name = text();
        else if (code == kIfDescription) i.description = text();
        else if (code == kIfTsresol && len >= 1) {
            // MSB clear: 10^-v seconds; set: 2^-(v & 0x7f).
            if (v[0] & 0x80) { i.exp2 = v[0] & 0x7f; }
            else { i.exp10 = v[0]; i.exp2 = -1; }
        } else if (code == kIfTsoffset && len == 8) {
            const std::uint64_t hi = u32(v + (swapped_ ? 0 : 4)), lo = u32(v + (swapped_ ? 4 : 0));
            i.offset_s = static_cast<std::int64_t>(hi << 32 | lo);
        }
    });
    interfaces_.push_back(std::move(i));
    return true;
}

bool PcapFile::decryption_secrets(const std::uint8_t* b, std::size_t n, std::string& error) {
    (void)error;
    // Secrets type u32, secrets length u32 (without padding), data, options.
    if (n < 8) return true;  // too short to hold anything: skipped, as Wireshark does
    const std::uint32_t type = u32(b), len = u32(b + 4);
    if (len > n - 8) return true;
    // Beyond any real key log (bytes, or blocks): ignored, so memory stays bounded.
    if (secret_bytes_ + len > kMaxSecretBytes || secrets_.size() >= kMaxSecretBlocks) return true;
    secret_bytes_ += len;
    secrets_.push_back({type, frame_, std::string(reinterpret_cast<const char*>(b + 8), len)});
    return true;
}

}  // namespace rdpscope
