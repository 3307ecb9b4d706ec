// SPDX-License-Identifier: MIT
// NTLM message decoding (MS-NLMP 2.2.1): see ntlm.hpp.
#include "dissect/ntlm.hpp"

#include <algorithm>
#include <array>

#include "dissect/gcc.hpp"

namespace rdpscope::ntlm {

namespace {

constexpr std::array<std::uint8_t, 8> kSignature{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

// 2.2.1: a payload field is Len (2), MaxLen (2), BufferOffset (4), little-endian.
struct Field {
    std::uint16_t length = 0;
    std::uint32_t offset = 0;
};
bool read_field(Reader& r, Field& f) {
    std::uint16_t max = 0;
    return r.u16le(f.length) && r.u16le(max) && r.u32le(f.offset);
}

// The field's bytes, or nothing when it points outside the message.
std::optional<Bytes> field_bytes(Bytes msg, const Field& f) {
    if (f.length == 0) return Bytes();
    if (f.offset > msg.size() || f.length > msg.size() - f.offset) return std::nullopt;
    return msg.subspan(f.offset, f.length);
}

// 2.2.2.5 NTLMSSP_NEGOTIATE_UNICODE: UTF-16LE (up to the first NUL; a lone
// surrogate becomes U+FFFD), else the OEM code page (read as Latin-1: the
// names are ASCII in practice); at most kMaxChars characters, and control
// characters are not printed as such.
std::string text(Bytes b, bool unicode) {
    std::string out;
    if (unicode) {
        out = gcc::utf16le_to_utf8(b.first(std::min(b.size(), 2 * kMaxChars)));
    } else {
        for (std::size_t i = 0; i < b.size() && i < kMaxChars; ++i) {
            if (b[i] < 0x80) {
                out += static_cast<char>(b[i]);
            } else {
                out += static_cast<char>(0xC0 | b[i] >> 6);
                out += static_cast<char>(0x80 | (b[i] & 0x3F));
            }
        }
    }
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    return out;
}

bool read_version(Reader& r, Version& v) {
    std::uint8_t reserved[3];
    return r.u8(v.major) && r.u8(v.minor) && r.u16le(v.build) && r.u8(reserved[0]) && r.u8(reserved[1]) &&
           r.u8(reserved[2]) && r.u8(v.revision);
}

// 2.2.2.1 AV_PAIR list: AvId (2), AvLen (2), Value; MsvAvEOL (0) ends it.
void read_target_info(Bytes info, Message& m) {
    Reader r(info);
    while (r.remaining() >= 4) {
        std::uint16_t id = 0, len = 0;
        r.u16le(id);
        r.u16le(len);
        if (id == 0 || len > r.remaining()) return;
        const Bytes v = info.subspan(r.offset(), len);
        r.skip(len);
        switch (id) {
            case 1: m.nb_computer = text(v, true); break;   // MsvAvNbComputerName
            case 2: m.nb_domain = text(v, true); break;     // MsvAvNbDomainName
            case 3: m.dns_computer = text(v, true); break;  // MsvAvDnsComputerName
            case 4: m.dns_domain = text(v, true); break;    // MsvAvDnsDomainName
            case 5: m.dns_tree = text(v, true); break;      // MsvAvDnsTreeName
            case 7:                                          // MsvAvTimestamp
                if (len == 8) {
                    std::uint64_t t = 0;
                    for (int i = 7; i >= 0; --i) t = t << 8 | v[static_cast<std::size_t>(i)];
                    m.timestamp = t;
                }
                break;
            default: break;
        }
    }
}

}  // namespace

bool Message::anonymous() const {
    return type == 3 && ((flags & NEGOTIATE_ANONYMOUS) || (user.empty() && nt_response_length == 0));
}

Decoded<Message> decode(Bytes data) {
    Reader r(data);
    for (std::size_t i = 0; i < kSignature.size(); ++i) {
        std::uint8_t b = 0;
        if (!r.u8(b)) return DecodeError::truncated(kLayer, "Signature", i);
        if (b != kSignature[i]) return DecodeError::malformed(kLayer, "Signature", i);
    }
    std::uint32_t type = 0;
    if (!r.u32le(type)) return DecodeError::truncated(kLayer, "MessageType", 8);
    Message m;
    m.type = static_cast<std::uint8_t>(type);
    // Where the payload starts: the first non-empty field's offset.
    std::size_t payload_start = data.size();
    auto starts = [&payload_start](std::initializer_list<Field> fs) {
        for (const Field& f : fs)
            if (f.length && f.offset < payload_start) payload_start = f.offset;
    };
    switch (type) {
        case 1: {  // 2.2.1.1 NEGOTIATE_MESSAGE
            Field domain, workstation;
            if (!r.u32le(m.flags) || !read_field(r, domain) || !read_field(r, workstation))
                return DecodeError::truncated(kLayer, "NEGOTIATE_MESSAGE", r.offset());
            // The supplied names are OEM (2.2.1.1: NTLMSSP_NEGOTIATE_OEM_*_SUPPLIED).
            starts({domain, workstation});
            if (auto b = field_bytes(data, domain)) m.domain = text(*b, false);
            if (auto b = field_bytes(data, workstation)) m.workstation = text(*b, false);
            break;
        }
        case 2: {  // 2.2.1.2 CHALLENGE_MESSAGE
            Field target, info;
            std::uint64_t challenge = 0, reserved = 0;
            if (!read_field(r, target) || !r.u32le(m.flags) || !r.u64le(challenge) || !r.u64le(reserved) ||
                !read_field(r, info))
                return DecodeError::truncated(kLayer, "CHALLENGE_MESSAGE", r.offset());
            starts({target, info});
            const bool unicode = m.flags & NEGOTIATE_UNICODE;
            auto t = field_bytes(data, target);
            auto i = field_bytes(data, info);
            if (!t) return DecodeError::malformed(kLayer, "TargetNameFields", 12);
            if (!i) return DecodeError::malformed(kLayer, "TargetInfoFields", 40);
            m.target_name = text(*t, unicode);
            read_target_info(*i, m);
            break;
        }
        case 3: {  // 2.2.1.3 AUTHENTICATE_MESSAGE
            Field lm, nt, domain, user, workstation, key;
            if (!read_field(r, lm) || !read_field(r, nt) || !read_field(r, domain) || !read_field(r, user) ||
                !read_field(r, workstation) || !read_field(r, key) || !r.u32le(m.flags))
                return DecodeError::truncated(kLayer, "AUTHENTICATE_MESSAGE", r.offset());
            starts({lm, nt, domain, user, workstation, key});
            const bool unicode = m.flags & NEGOTIATE_UNICODE;
            auto d = field_bytes(data, domain), u = field_bytes(data, user), w = field_bytes(data, workstation);
            if (!d) return DecodeError::malformed(kLayer, "DomainNameFields", 28);
            if (!u) return DecodeError::malformed(kLayer, "UserNameFields", 36);
            if (!w) return DecodeError::malformed(kLayer, "WorkstationFields", 44);
            m.domain = text(*d, unicode);
            m.user = text(*u, unicode);
            m.workstation = text(*w, unicode);
            m.lm_response_length = lm.length;
            m.nt_response_length = nt.length;
            break;
        }
        default: return DecodeError::unsupported(kLayer, "MessageType", 8);
    }
    // The VERSION structure follows the fixed fields when negotiated (a
    // message whose payload starts earlier has none there).
    if ((m.flags & NEGOTIATE_VERSION) && r.offset() + 8 <= payload_start) {
        Version v;
        if (read_version(r, v)) m.version = v;
    }
    return m;
}

}  // namespace rdpscope::ntlm
