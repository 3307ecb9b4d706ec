// SPDX-License-Identifier: MIT
// Bytes_ of the RDP connection sequence for synthetic captures, built per spec:
// X.224 Connection Request / Confirm with RDP_NEG_REQ, RDP_NEG_RSP and
// RDP_NEG_FAILURE (MS-RDPBCGR 2.2.1.1, 2.2.1.2), an MCS Connect Initial
// (T.125 BER, MS-RDPBCGR 2.2.1.3), TLS 1.2 records (RFC 5246: ClientHello,
// ServerHello, ServerHelloDone, ClientKeyExchange, ChangeCipherSpec, an
// encrypted Finished, application data, alerts) -- and a TCP conversation
// (Conv) that numbers the segments and ACKs them, so a test says only what
// each side sends and when.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "capture_builder.hpp"
#include "certificates.hpp"
#include "test_util.hpp"

namespace rdpscope::test::rdp {


inline void le32(Bytes_& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// TPKT (RFC 1006): version 3, reserved, length of the whole packet.
inline Bytes_ tpkt(const Bytes_& body) {
    Bytes_ b(4 + body.size());
    b[0] = 3;
    b[2] = static_cast<std::uint8_t>(b.size() >> 8);
    b[3] = static_cast<std::uint8_t>(b.size());
    std::copy(body.begin(), body.end(), b.begin() + 4);
    return b;
}

// X.224 Connection Request with RDP_NEG_REQ (type 1, length 8, requestedProtocols).
inline Bytes_ connection_request(std::uint32_t requested) {
    Bytes_ b = {14, 0xE0, 0, 0, 0, 0, 0, 1, 0, 8, 0};  // LI 14, CR, dst-ref, src-ref, class; RDP_NEG_REQ
    le32(b, requested);
    return tpkt(b);
}

// X.224 Connection Confirm with RDP_NEG_RSP (type 2, flags 0, length 8, selectedProtocol).
inline Bytes_ connection_confirm(std::uint32_t selected) {
    Bytes_ b = {14, 0xD0, 0, 0, 0x12, 0x34, 0, 2, 0, 8, 0};
    le32(b, selected);
    return tpkt(b);
}

// X.224 Connection Confirm with RDP_NEG_FAILURE (type 3, flags 0, length 8, failureCode).
inline Bytes_ negotiation_failure(std::uint32_t code) {
    Bytes_ b = {14, 0xD0, 0, 0, 0x12, 0x34, 0, 3, 0, 8, 0};
    le32(b, code);
    return tpkt(b);
}

// A legacy X.224 Connection Request: no RDP_NEG_REQ (MS-RDPBCGR 2.2.1.1:
// rdpNegReq is optional; a client without it can use only standard RDP
// security), and "Cookie: mstshash=<user>\r\n" when `user` is given.
inline Bytes_ legacy_connection_request(const std::string& user = "") {
    Bytes_ b = {0, 0xE0, 0, 0, 0, 0, 0};  // LI (set below), CR, dst-ref, src-ref, class 0
    if (!user.empty()) {
        const std::string cookie = "Cookie: mstshash=" + user + "\r\n";
        b.insert(b.end(), cookie.begin(), cookie.end());
    }
    b[0] = static_cast<std::uint8_t>(b.size() - 1);
    return tpkt(b);
}

// The Connection Confirm answering it: no rdpNegData (MS-RDPBCGR 3.2.5.3.2 /
// 2.2.1.2: left empty when the request carried none).
inline Bytes_ legacy_connection_confirm() { return tpkt({6, 0xD0, 0, 0, 0x12, 0x34, 0}); }

// An MCS Disconnect Provider Ultimatum (T.125 11.15; MS-RDPBCGR 2.2.2.3) in an
// X.224 Data TPDU: DomainMCSPDU choice 8 and reason rn-user-requested (3), PER:
// 001000 011 0000000 = 21 80.
inline Bytes_ mcs_disconnect_ultimatum() { return tpkt({2, 0xF0, 0x80, 0x21, 0x80}); }

// BER (X.690): a definite-length TLV.
inline Bytes_ ber(std::initializer_list<std::uint8_t> tag, const Bytes_& value) {
    Bytes_ b(tag);
    if (value.size() < 0x80) b.push_back(static_cast<std::uint8_t>(value.size()));
    else { b.push_back(0x82); b.push_back(static_cast<std::uint8_t>(value.size() >> 8)); b.push_back(static_cast<std::uint8_t>(value.size())); }
    b.insert(b.end(), value.begin(), value.end());
    return b;
}
inline Bytes_ ber_int(std::uint32_t v) {
    Bytes_ val;
    do { val.insert(val.begin(), static_cast<std::uint8_t>(v)); v >>= 8; } while (v);
    if (val[0] & 0x80) val.insert(val.begin(), 0);
    return ber({0x02}, val);
}

// An MCS Connect Initial (T.125 11.1; MS-RDPBCGR 2.2.1.3) in an X.224 Data TPDU.
// Its userData is empty: the GCC layer is not what these tests are about.
inline Bytes_ mcs_connect_initial() {
    auto params = [](std::uint32_t channels, std::uint32_t users, std::uint32_t tokens, std::uint32_t pdu) {
        Bytes_ p;
        for (std::uint32_t v : {channels, users, tokens, 1u, 0u, 1u, pdu, 2u}) {
            const Bytes_ i = ber_int(v);
            p.insert(p.end(), i.begin(), i.end());
        }
        return ber({0x30}, p);
    };
    Bytes_ body = ber({0x04}, {1});   // callingDomainSelector
    for (const Bytes_& x : {ber({0x04}, {1}), ber({0x01}, {0xFF}), params(34, 2, 0, 65535), params(1, 1, 1, 1056),
                           params(65535, 64535, 65535, 65535), ber({0x04}, {})})
        body.insert(body.end(), x.begin(), x.end());
    Bytes_ b = {2, 0xF0, 0x80};  // X.224 Data TPDU, EOT
    const Bytes_ ci = ber({0x7F, 0x65}, body);
    b.insert(b.end(), ci.begin(), ci.end());
    return tpkt(b);
}

// ---- TLS 1.2 (RFC 5246) ----------------------------------------------------

inline Bytes_ tls_record(std::uint8_t type, const Bytes_& fragment, std::uint16_t version = 0x0303) {
    Bytes_ b(5 + fragment.size());
    b[0] = type;
    b[1] = static_cast<std::uint8_t>(version >> 8);
    b[2] = static_cast<std::uint8_t>(version);
    b[3] = static_cast<std::uint8_t>(fragment.size() >> 8);
    b[4] = static_cast<std::uint8_t>(fragment.size());
    std::copy(fragment.begin(), fragment.end(), b.begin() + 5);
    return b;
}

// An encrypted application-data record carrying `length` bytes.
inline Bytes_ app_data(std::size_t length) { return tls_record(23, Bytes_(length, 0x5A)); }

inline Bytes_ handshake(std::uint8_t type, const Bytes_& body) {
    Bytes_ b(4 + body.size());
    b[0] = type;
    b[1] = static_cast<std::uint8_t>(body.size() >> 16);
    b[2] = static_cast<std::uint8_t>(body.size() >> 8);
    b[3] = static_cast<std::uint8_t>(body.size());
    std::copy(body.begin(), body.end(), b.begin() + 4);
    return b;
}

// ClientHello: TLS 1.2, one cipher suite (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
// no compression; a server_name extension (RFC 6066 3) when `sni` is given;
// `padding` bytes of a padding extension (RFC 7685) make it larger.
inline Bytes_ client_hello(std::size_t padding = 0, const std::string& sni = "") {
    Bytes_ body = {3, 3};
    for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(i));  // random
    body.insert(body.end(), {0, 0, 2, 0xC0, 0x2F, 1, 0});  // session id, cipher suites, compression
    Bytes_ ext;
    auto u16 = [](Bytes_& b, std::size_t v) { b.push_back(static_cast<std::uint8_t>(v >> 8)); b.push_back(static_cast<std::uint8_t>(v)); };
    if (!sni.empty()) {
        u16(ext, 0x0000);            // server_name
        u16(ext, sni.size() + 5);    // extension_data length
        u16(ext, sni.size() + 3);    // ServerNameList length
        ext.push_back(0);            // host_name
        u16(ext, sni.size());
        ext.insert(ext.end(), sni.begin(), sni.end());
    }
    if (padding) {
        u16(ext, 0x0015);
        u16(ext, padding);
        ext.insert(ext.end(), padding, 0);
    }
    if (!ext.empty()) {
        u16(body, ext.size());
        body.insert(body.end(), ext.begin(), ext.end());
    }
    return tls_record(22, handshake(1, body), 0x0301);
}

// ServerHello (the suite the client offered), a Certificate message with
// `cert` (DER) when given, and ServerHelloDone: one record.
// `suite`: the cipher suite it selects (default TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).
inline Bytes_ server_hello_done(const Bytes_& cert = {}, std::uint16_t suite = 0xC02F) {
    Bytes_ body = {3, 3};
    for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(0x80 + i));
    body.insert(body.end(), {0, static_cast<std::uint8_t>(suite >> 8), static_cast<std::uint8_t>(suite), 0});
    Bytes_ msgs = handshake(2, body);
    if (!cert.empty()) {
        auto u24 = [](Bytes_& b, std::size_t v) {
            for (int sh : {16, 8, 0}) b.push_back(static_cast<std::uint8_t>(v >> sh));
        };
        Bytes_ list;
        u24(list, cert.size() + 3);  // certificate_list length
        u24(list, cert.size());
        list.insert(list.end(), cert.begin(), cert.end());
        const Bytes_ c = handshake(11, list);
        msgs.insert(msgs.end(), c.begin(), c.end());
    }
    const Bytes_ done = handshake(14, {});
    msgs.insert(msgs.end(), done.begin(), done.end());
    return tls_record(22, msgs);
}


// A TLS 1.3 ServerHello (RFC 8446 4.1.3: legacy_version 0x0303, a
// supported_versions extension selecting 0x0304, an x25519 key_share), then
// ChangeCipherSpec and the encrypted flight (EncryptedExtensions, Certificate,
// CertificateVerify, Finished) as application-data records.
inline Bytes_ server_hello_tls13(std::uint16_t suite = 0x1302) {
    Bytes_ body = {3, 3};
    for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(0x80 + i));
    body.push_back(32);  // legacy_session_id_echo
    for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(i));
    body.insert(body.end(), {static_cast<std::uint8_t>(suite >> 8), static_cast<std::uint8_t>(suite), 0});
    Bytes_ ext = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,  // supported_versions: TLS 1.3
                  0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};  // key_share: x25519, 32 bytes
    ext.insert(ext.end(), 32, 0x77);
    body.push_back(static_cast<std::uint8_t>(ext.size() >> 8));
    body.push_back(static_cast<std::uint8_t>(ext.size()));
    body.insert(body.end(), ext.begin(), ext.end());
    Bytes_ b = tls_record(22, handshake(2, body));
    for (const Bytes_& r : {tls_record(20, {1}), app_data(23), app_data(720), app_data(281), app_data(69)})
        b.insert(b.end(), r.begin(), r.end());
    return b;
}

// The client's TLS 1.3 ChangeCipherSpec and encrypted Finished.
inline Bytes_ client_finish_tls13() {
    Bytes_ b = tls_record(20, {1});
    const Bytes_ f = app_data(69);
    b.insert(b.end(), f.begin(), f.end());
    return b;
}

// ClientKeyExchange (an opaque ECDH point), ChangeCipherSpec and the encrypted Finished.
inline Bytes_ client_finish() {
    Bytes_ point = {65, 0x04};  // ECPoint: length, uncompressed form (RFC 8422 5.7)
    point.insert(point.end(), 64, 0x11);
    Bytes_ b = tls_record(22, handshake(16, point));
    for (const Bytes_& r : {tls_record(20, {1}), tls_record(22, Bytes_(40, 0xAB))}) b.insert(b.end(), r.begin(), r.end());
    return b;
}

// ChangeCipherSpec and the encrypted Finished.
inline Bytes_ server_finish() {
    Bytes_ b = tls_record(20, {1});
    const Bytes_ f = tls_record(22, Bytes_(40, 0xCD));
    b.insert(b.end(), f.begin(), f.end());
    return b;
}


// A plaintext alert (RFC 5246 7.2): level 2 fatal.
inline Bytes_ alert(std::uint8_t description, std::uint8_t level = 2) { return tls_record(21, {level, description}); }

enum : std::uint8_t {
    kHandshakeFailure = 40,
    kBadCertificate = 42,
    kUnknownCa = 48,
    kProtocolVersion = 70,
    kInternalError = 80,
    kUnexpectedMessage = 10,
};

// ---- a TCP conversation ----------------------------------------------------

constexpr std::uint32_t kClientIp = 0x0A000001, kServerIp = 0x0A000002, kRouterIp = 0x0A0000FE;
constexpr std::int64_t kMs = 1000, kSec = 1'000'000;

inline Bytes_ segment(Host src, Host dst, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, const Bytes_& data,
                     std::uint8_t ttl) {
    return tcp_seg(src, dst, flags, seq, ack, data, ttl);
}

// One TCP connection from kClientIp to kServerIp:3389.  Times are
// microseconds; every call moves the clock on by `gap` (default 10 ms).
struct Conv {
    Capture& cap;
    Host cl{kClientIp, 50000}, sv{kServerIp, 3389};
    std::uint32_t cseq = 1000, sseq = 900000;
    std::int64_t t = 0;
    std::uint8_t client_ttl = 64, server_ttl = 64;

    explicit Conv(Capture& c, std::int64_t start = 0) : cap(c), t(start) {}

    void step(std::int64_t gap) { t += gap; }
    void from_client(std::uint8_t flags, std::uint32_t seq, const Bytes_& data = {}) {
        cap.at(t, segment(cl, sv, flags, seq, sseq, data, client_ttl));
    }
    void from_server(std::uint8_t flags, std::uint32_t seq, const Bytes_& data = {}, std::uint8_t ttl = 0) {
        cap.at(t, segment(sv, cl, flags, seq, cseq, data, ttl ? ttl : server_ttl));
    }

    void syn(std::int64_t gap = 10 * kMs) { step(gap); cap.at(t, segment(cl, sv, S, cseq - 1, 0, {}, client_ttl)); }
    void syn_ack(std::int64_t gap = 10 * kMs) { step(gap); cap.at(t, segment(sv, cl, S | A, sseq - 1, cseq, {}, server_ttl)); }
    void ack_from_client(std::int64_t gap = 10 * kMs) { step(gap); from_client(A, cseq); }
    void ack_from_server(std::int64_t gap = 10 * kMs) { step(gap); from_server(A, sseq); }
    // SYN, SYN-ACK, ACK.
    void handshake(std::int64_t gap = 10 * kMs) { syn(gap); syn_ack(gap); ack_from_client(gap); }

    // Data from a side, ACKed by the other unless `acked` is false.
    void client(const Bytes_& data, bool acked = true, std::int64_t gap = 10 * kMs) {
        step(gap);
        from_client(P | A, cseq, data);
        cseq += static_cast<std::uint32_t>(data.size());
        if (acked) ack_from_server(gap);
    }
    void server(const Bytes_& data, bool acked = true, std::int64_t gap = 10 * kMs) {
        step(gap);
        from_server(P | A, sseq, data);
        sseq += static_cast<std::uint32_t>(data.size());
        if (acked) ack_from_client(gap);
    }
    // The client's last data sent again, `gap` later (a retransmission).
    void client_resend(const Bytes_& data, std::int64_t gap) {
        step(gap);
        from_client(P | A, cseq - static_cast<std::uint32_t>(data.size()), data);
    }
    void server_resend(const Bytes_& data, std::int64_t gap) {
        step(gap);
        from_server(P | A, sseq - static_cast<std::uint32_t>(data.size()), data);
    }
    void client_fin(std::int64_t gap = 10 * kMs) { step(gap); from_client(F | A, cseq); ++cseq; }
    void server_fin(std::int64_t gap = 10 * kMs) { step(gap); from_server(F | A, sseq); ++sseq; }
    void server_rst(std::int64_t gap = 10 * kMs, std::uint8_t ttl = 0) { step(gap); from_server(R | A, sseq, {}, ttl); }
    void client_rst(std::int64_t gap = 10 * kMs) { step(gap); from_client(R | A, cseq); }

    // The TCP handshake, the X.224 exchange (requested, selected) and the TLS 1.2 handshake.
    // `suite`: the cipher suite the server selects.
    void up_to_tls(std::uint32_t requested, std::uint32_t selected, std::uint16_t suite = 0xC02F) {
        handshake();
        client(connection_request(requested));
        server(connection_confirm(selected));
        client(client_hello());
        server(server_hello_done({}, suite));
        client(client_finish());
        server(server_finish());
    }
    // The same with TLS 1.3 (the server's flight and the client's Finished encrypted).
    void up_to_tls13(std::uint32_t requested, std::uint32_t selected, std::uint16_t suite = 0x1302) {
        handshake();
        client(connection_request(requested));
        server(connection_confirm(selected));
        client(client_hello());
        server(server_hello_tls13(suite));
        client(client_finish_tls13());
    }
};

// An ICMP error (RFC 792 / 1122) from `from` to the client quoting `quoted`
// (an Ethernet frame of the capture: its IP header and first 8 bytes).
// `mtu`: the next-hop MTU of a "fragmentation needed" (RFC 1191).
inline Bytes_ icmp_error(std::uint8_t type, std::uint8_t code, std::uint32_t from, const Bytes_& quoted,
                         std::uint16_t mtu = 0) {
    Bytes_ m = {type, code, 0, 0, 0, 0, static_cast<std::uint8_t>(mtu >> 8), static_cast<std::uint8_t>(mtu)};
    m.insert(m.end(), quoted.begin() + 14, quoted.begin() + 14 + 28);
    put16(m, 2, csum(m.data(), m.size()));
    return ipv4({from, 0}, {kClientIp, 0}, 1, m, 60);
}

// A datagram between two other hosts: it moves the capture's clock on and
// touches no RDP connection.
inline Bytes_ unrelated(std::uint16_t n = 0) {
    return udp_dgram({0x0A0000A0, static_cast<std::uint16_t>(40000 + n)}, {0x0A0000A1, 53}, {0, 1, 2, 3});
}

}  // namespace rdpscope::test::rdp
