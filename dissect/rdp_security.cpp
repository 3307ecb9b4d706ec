// SPDX-License-Identifier: MIT
#include "dissect/rdp_security.hpp"

#include "dissect/gcc.hpp"

namespace rdpscope::rdpsec {

namespace {

constexpr std::string_view layer = "rdpsec";

// TS_SECURITY_HEADER, then HEADER1 or HEADER2 when SEC_ENCRYPT is set.
Decoded<SecurityHeader> read_header(Reader& r, const Options& options) {
    SecurityHeader h;
    if (!r.u16le(h.flags)) return DecodeError::malformed(layer, "TS_SECURITY_HEADER.flags", r.offset());
    if (!r.u16le(h.flags_hi)) return DecodeError::malformed(layer, "TS_SECURITY_HEADER.flagsHi", r.offset());
    if (!h.encrypted()) return h;
    if (options.fips) {
        std::uint16_t len = 0;
        if (!r.u16le(len)) return DecodeError::malformed(layer, "TS_SECURITY_HEADER2.length", r.offset());
        h.fips_length = len;
        if (!r.u8(h.fips_version)) return DecodeError::malformed(layer, "TS_SECURITY_HEADER2.version", r.offset());
        if (!r.u8(h.fips_padlen)) return DecodeError::malformed(layer, "TS_SECURITY_HEADER2.padlen", r.offset());
    }
    auto sig = r.bytes(8);
    if (!sig) return DecodeError::malformed(layer, "TS_SECURITY_HEADER1.dataSignature", r.offset());
    h.data_signature = *sig;
    return h;
}

Decoded<SecurityExchange> read_security_exchange(Reader& r) {
    SecurityExchange x;
    const std::size_t at = r.offset();
    if (!r.u32le(x.length)) return DecodeError::malformed(layer, "TS_SECURITY_PACKET.length", at);
    auto random = r.bytes(x.length);
    if (!random) return DecodeError::malformed(layer, "TS_SECURITY_PACKET.length", at);
    x.encrypted_client_random = *random;
    return x;
}

// LICENSE_PREAMBLE (2.2.1.12.1.1), and for ERROR_ALERT the first two fields
// of LICENSE_ERROR_MESSAGE (2.2.1.12.1.3).
License read_license(Reader r, bool encrypted) {
    License l;
    l.encrypted = encrypted;
    l.payload = r.rest();
    if (encrypted) return l;
    std::uint8_t type = 0;
    if (!r.u8(type) || !r.u8(l.preamble_flags) || !r.u16le(l.msg_size)) return l;
    l.msg_type = type;
    if (type == 0xff) {
        std::uint32_t code = 0, transition = 0;
        if (r.u32le(code) && r.u32le(transition)) {
            l.error_code = code;
            l.state_transition = transition;
            std::uint16_t blob_type = 0, blob_len = 0;
            if (r.u16le(blob_type) && r.u16le(blob_len)) {
                l.error_blob_type = blob_type;
                l.error_blob_length = blob_len;
            }
        }
    }
    return l;
}

// A TS_INFO_PACKET string: `cb` bytes (without terminator) then the
// terminator, 2 bytes in Unicode, 1 in ANSI.
std::optional<std::string> read_info_string(Reader& r, std::uint16_t cb, bool unicode) {
    auto text = r.bytes(cb);
    if (!text || !r.skip(unicode ? 2 : 1)) return std::nullopt;
    if (unicode) return gcc::utf16le_to_utf8(*text);
    std::string s(as_text(*text));
    if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
    return s;
}

}  // namespace

Decoded<ClientInfoClear> decode_client_info(Bytes info_packet, std::size_t base_offset) {
    Reader r(info_packet, base_offset);
    ClientInfoClear c;
    if (!r.u32le(c.code_page)) return DecodeError::malformed(layer, "TS_INFO_PACKET.CodePage", r.offset());
    if (!r.u32le(c.flags)) return DecodeError::malformed(layer, "TS_INFO_PACKET.flags", r.offset());
    const bool unicode = c.flags & 0x00000010;  // INFO_UNICODE
    // Five lengths, then the five strings in the same order.
    static constexpr std::string_view names[5] = {"TS_INFO_PACKET.cbDomain", "TS_INFO_PACKET.cbUserName",
                                                  "TS_INFO_PACKET.cbPassword", "TS_INFO_PACKET.cbAlternateShell",
                                                  "TS_INFO_PACKET.cbWorkingDir"};
    std::uint16_t cb[5] = {};
    std::size_t cb_at[5] = {};
    for (int i = 0; i < 5; ++i) {
        cb_at[i] = r.offset();
        if (!r.u16le(cb[i])) return DecodeError::malformed(layer, names[i], cb_at[i]);
    }
    std::string* out[5] = {&c.domain, &c.user_name, nullptr, &c.alternate_shell, &c.working_dir};
    for (int i = 0; i < 5; ++i) {
        if (i == 2) {
            // The password: skip it, keep only its length.
            c.password_length = cb[i];
            if (!r.skip(cb[i]) || !r.skip(unicode ? 2 : 1)) return DecodeError::malformed(layer, names[i], cb_at[i]);
            continue;
        }
        auto s = read_info_string(r, cb[i], unicode);
        if (!s) return DecodeError::malformed(layer, names[i], cb_at[i]);
        *out[i] = std::move(*s);
    }
    c.extra_info = r.rest();
    return c;
}

Decoded<Pdu> decode(Bytes send_data_user_data, Options options, std::size_t base_offset) {
    Reader r(send_data_user_data, base_offset);
    auto header = read_header(r, options);
    if (!header) return header.error();
    Pdu pdu{header.value(), Other{}};
    const SecurityHeader& h = pdu.header;
    if (h.flags & SEC_EXCHANGE_PKT) {
        // Never encrypted: it carries what the keys are derived from.
        auto x = read_security_exchange(r);
        if (!x) return x.error();
        pdu.body = x.value();
    } else if (h.flags & SEC_INFO_PKT) {
        ClientInfo info;
        info.encrypted = h.encrypted();
        info.payload = r.rest();
        if (!info.encrypted) {
            auto clear = decode_client_info(info.payload, r.offset());
            if (clear) info.clear = std::move(clear.value());
            else info.clear_error = clear.error();
        }
        pdu.body = std::move(info);
    } else if (h.flags & SEC_LICENSE_PKT) {
        pdu.body = read_license(r, h.encrypted());
    } else if ((h.flags & (SEC_AUTODETECT_REQ | SEC_AUTODETECT_RSP)) && !h.encrypted()) {
        // 2.2.14.3 / 2.2.14.4: a basic security header, then one auto-detect message.
        AutoDetect a;
        a.payload = r.rest();
        auto m = autodetect::decode(a.payload, r.offset());
        if (m) a.message = m.value();
        else a.error = m.error();
        pdu.body = a;
    } else if ((h.flags & (SEC_TRANSPORT_REQ | RDP_SEC_TRANSPORT_RSP)) && !h.encrypted()) {
        // 2.2.15.1 / 2.2.15.2: the server's request, the client's response.
        Multitransport t;
        t.payload = r.rest();
        if (h.flags & SEC_TRANSPORT_REQ) {
            auto m = autodetect::decode_multitransport_request(t.payload, r.offset());
            if (m) t.request = m.value();
            else t.error = m.error();
        } else {
            auto m = autodetect::decode_multitransport_response(t.payload, r.offset());
            if (m) t.response = m.value();
            else t.error = m.error();
        }
        pdu.body = t;
    } else {
        pdu.body = Other{r.rest()};
    }
    return pdu;
}

}  // namespace rdpscope::rdpsec
