// SPDX-License-Identifier: MIT
#include "dissect/proxy.hpp"

#include <algorithm>

namespace rdpscope::proxy {

namespace {

constexpr std::size_t kMaxHttpHeader = 8192;  // a CONNECT header longer than this is not a proxy

// SOCKS5 address: ATYP 1 = IPv4, 3 = domain (length-prefixed), 4 = IPv6; then port.
std::optional<DecodeError> socks5_address(Reader& r, Preamble& p) {
    std::uint8_t atyp;
    if (!r.u8(atyp)) return DecodeError::need_more("socks5", "atyp", r.offset());
    std::size_t n = 0;
    if (atyp == 1) n = 4;
    else if (atyp == 4) n = 16;
    else if (atyp == 3) {
        std::uint8_t len;
        if (!r.u8(len)) return DecodeError::need_more("socks5", "domain_length", r.offset());
        auto host = r.bytes(len);
        if (!host) return DecodeError::need_more("socks5", "domain", r.offset());
        p.target_host = as_text(*host);
    } else {
        return DecodeError::malformed("socks5", "atyp", r.offset());
    }
    if (n) {
        auto addr = r.bytes(n);
        if (!addr) return DecodeError::need_more("socks5", "address", r.offset());
        std::copy(addr->begin(), addr->end(), p.target_ip);
        p.target_ip_version = n == 4 ? 4 : 6;
    }
    if (!r.u16be(p.target_port)) return DecodeError::need_more("socks5", "port", r.offset());
    return std::nullopt;
}

Decoded<Preamble> socks5_client(Bytes stream) {
    Reader r(stream);
    Preamble p;
    std::uint8_t ver, nmethods;
    // Greeting: VER NMETHODS METHODS...
    if (!r.u8(ver)) return DecodeError::need_more("socks5", "version", r.offset());
    if (ver != 5) return DecodeError::malformed("socks5", "version", r.offset());
    if (!r.u8(nmethods)) return DecodeError::need_more("socks5", "nmethods", r.offset());
    if (nmethods == 0) return DecodeError::malformed("socks5", "nmethods", r.offset());
    if (!r.skip(nmethods)) return DecodeError::need_more("socks5", "methods", r.offset());
    // RFC 1929 user/password sub-negotiation, if the client goes on with it.
    auto next = r.peek_u8();
    if (!next) return DecodeError::need_more("socks5", "request", r.offset());
    if (*next == 1) {
        std::uint8_t v, ulen, plen;
        r.u8(v);
        if (!r.u8(ulen) || !r.skip(ulen)) return DecodeError::need_more("socks5", "username", r.offset());
        if (!r.u8(plen) || !r.skip(plen)) return DecodeError::need_more("socks5", "password", r.offset());
    }
    // Request: VER CMD RSV ATYP DST.ADDR DST.PORT
    std::uint8_t cmd, rsv;
    if (!r.u8(ver)) return DecodeError::need_more("socks5", "request.version", r.offset());
    if (ver != 5) return DecodeError::malformed("socks5", "request.version", r.offset());
    if (!r.u8(cmd) || !r.u8(rsv)) return DecodeError::need_more("socks5", "request.cmd", r.offset());
    if (cmd != 1) return DecodeError::malformed("socks5", "request.cmd", r.offset());  // only CONNECT can carry RDP
    if (auto e = socks5_address(r, p)) return *e;
    p.length = r.consumed();
    return p;
}

Decoded<Preamble> socks5_server(Bytes stream) {
    Reader r(stream);
    Preamble p;
    std::uint8_t ver, method;
    if (!r.u8(ver)) return DecodeError::need_more("socks5", "version", r.offset());
    if (ver != 5) return DecodeError::malformed("socks5", "version", r.offset());
    if (!r.u8(method)) return DecodeError::need_more("socks5", "method", r.offset());
    if (method == 0xFF) { p.length = r.consumed(); p.status = 0xFF; return p; }  // no acceptable method: ends here
    if (method == 2) {  // user/password status
        std::uint8_t v, status;
        if (!r.u8(v) || !r.u8(status)) return DecodeError::need_more("socks5", "auth_status", r.offset());
        if (status != 0) { p.length = r.consumed(); p.status = status; return p; }
    }
    std::uint8_t rep, rsv;
    if (!r.u8(ver)) return DecodeError::need_more("socks5", "reply.version", r.offset());
    if (ver != 5) return DecodeError::malformed("socks5", "reply.version", r.offset());
    if (!r.u8(rep) || !r.u8(rsv)) return DecodeError::need_more("socks5", "reply.rep", r.offset());
    if (auto e = socks5_address(r, p)) return *e;
    p.status = rep;
    p.length = r.consumed();
    return p;
}

// SOCKS4: VN=4 CD=1 DSTPORT DSTIP USERID NUL [HOST NUL for 4a]
Decoded<Preamble> socks4_client(Bytes stream) {
    Reader r(stream);
    Preamble p;
    std::uint8_t vn, cd;
    if (!r.u8(vn) || !r.u8(cd)) return DecodeError::need_more("socks4", "command", r.offset());
    if (vn != 4 || cd != 1) return DecodeError::malformed("socks4", "command", r.offset());
    if (!r.u16be(p.target_port)) return DecodeError::need_more("socks4", "port", r.offset());
    auto ip = r.bytes(4);
    if (!ip) return DecodeError::need_more("socks4", "address", r.offset());
    std::copy(ip->begin(), ip->end(), p.target_ip);
    p.target_ip_version = 4;
    auto skip_cstring = [&r](std::size_t cap) {
        for (std::size_t i = 0; i < cap; ++i) {
            std::uint8_t c;
            if (!r.u8(c)) return false;
            if (c == 0) return true;
        }
        return false;
    };
    if (!skip_cstring(256)) return DecodeError::need_more("socks4", "userid", r.offset());
    const bool socks4a = (*ip)[0] == 0 && (*ip)[1] == 0 && (*ip)[2] == 0 && (*ip)[3] != 0;
    if (socks4a && !skip_cstring(256)) return DecodeError::need_more("socks4", "host", r.offset());
    p.length = r.consumed();
    return p;
}

Decoded<Preamble> socks4_server(Bytes stream) {
    Reader r(stream);
    Preamble p;
    std::uint8_t vn, cd;
    if (!r.u8(vn) || !r.u8(cd) || !r.skip(6)) return DecodeError::need_more("socks4", "reply", r.offset());
    p.status = cd;
    p.length = r.consumed();
    return p;
}

// HTTP: everything up to and including the blank line ending the header.
Decoded<Preamble> http_header(Bytes stream, bool server) {
    const std::string_view text = as_text(stream);
    const auto end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (text.size() > kMaxHttpHeader) return DecodeError::malformed("http", "header", 0);
        return DecodeError::need_more("http", "header", text.size());
    }
    Preamble p;
    p.length = end + 4;
    if (server) {
        // "HTTP/1.1 200 Connection established"
        const auto sp = text.find(' ');
        if (sp == std::string_view::npos || sp + 4 > end) return DecodeError::malformed("http", "status", 0);
        int code = 0;
        for (std::size_t i = sp + 1; i < sp + 4; ++i) {
            if (text[i] < '0' || text[i] > '9') return DecodeError::malformed("http", "status", i);
            code = code * 10 + (text[i] - '0');
        }
        p.status = static_cast<std::uint8_t>(code / 100);  // the class is what matters
    } else {
        // "CONNECT host:port HTTP/1.1": the target is the second word of the first line.
        const std::string_view line = text.substr(0, text.find("\r\n"));
        const auto sp1 = line.find(' ');
        const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
        if (sp1 != std::string_view::npos) {
            const std::string_view target = line.substr(sp1 + 1, sp2 == std::string_view::npos ? sp2 : sp2 - sp1 - 1);
            const auto colon = target.rfind(':');
            p.target_host = target.substr(0, colon);
            if (colon != std::string_view::npos) {
                unsigned port = 0;
                for (char c : target.substr(colon + 1)) {
                    if (c < '0' || c > '9' || port > 65535) { port = 0; break; }
                    port = port * 10 + static_cast<unsigned>(c - '0');
                }
                p.target_port = static_cast<std::uint16_t>(port <= 65535 ? port : 0);
            }
        }
    }
    return p;
}

}  // namespace

const char* name(Kind k) {
    switch (k) {
        case Kind::socks4: return "socks4";
        case Kind::socks5: return "socks5";
        case Kind::http_connect: return "http_connect";
        case Kind::none: break;
    }
    return "none";
}

Kind classify_client(Bytes b) {
    if (b.size() >= 2 && b[0] == 5 && b[1] >= 1 && b[1] <= 16) return Kind::socks5;
    if (b.size() >= 2 && b[0] == 4 && b[1] == 1) return Kind::socks4;
    if (as_text(b).substr(0, 8) == "CONNECT ") return Kind::http_connect;
    return Kind::none;
}

Decoded<Preamble> client_preamble(Kind k, Bytes stream) {
    switch (k) {
        case Kind::socks5: return socks5_client(stream);
        case Kind::socks4: return socks4_client(stream);
        case Kind::http_connect: return http_header(stream, false);
        case Kind::none: break;
    }
    return Preamble{};
}

Decoded<Preamble> server_preamble(Kind k, Bytes stream) {
    switch (k) {
        case Kind::socks5: return socks5_server(stream);
        case Kind::socks4: return socks4_server(stream);
        case Kind::http_connect: return http_header(stream, true);
        case Kind::none: break;
    }
    return Preamble{};
}

}  // namespace rdpscope::proxy
