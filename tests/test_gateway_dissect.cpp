// SPDX-License-Identifier: MIT
// RD Gateway layers: HTTP/1.1 heads and WWW-Authenticate challenges (RFC 9112,
// RFC 9110 11.6.1 and RFC 6455 1.2 examples), chunked bodies (RFC 9112 7.1,
// written from its grammar), WebSocket frames (the RFC 6455
// 5.7 examples byte for byte), and MS-TSGU HTTP packets written field by
// field from MS-TSGU 2.2.10.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "dissect/ascii.hpp"
#include "dissect/http1.hpp"
#include "dissect/http_chunked.hpp"
#include "dissect/tsgu.hpp"
#include "dissect/websocket.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;

namespace {
// A view: the strings given must outlive the decoded heads (literals, named strings).
Bytes B(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST_CASE("ASCII case folding: letters only, as RFC 9110 field names and methods need", "[http1]") {
    CHECK(ascii::iequal("RDG_OUT_DATA", "rdg_out_data"));
    CHECK(ascii::iequal("Content-Length", "CONTENT-LENGTH"));
    CHECK_FALSE(ascii::iequal("RDG_OUT_DATA", "RDG_OUT_DAT"));
    // `c | 0x20` would take '@' for '`', '[' for '{', '_' for DEL.
    CHECK_FALSE(ascii::iequal("@", "`"));
    CHECK_FALSE(ascii::iequal("[", "{"));
    CHECK_FALSE(ascii::iequal("_", "\x7f"));
    CHECK(ascii::istarts_with("/kdcproxy/x", "/KdcProxy"));
    CHECK_FALSE(ascii::istarts_with("/Kdc", "/KdcProxy"));
    // Bytes above 0x7F are not letters: compared as they are.
    CHECK_FALSE(ascii::iequal("\xC9", "\xE9"));
}

TEST_CASE("HTTP: the RFC 6455 1.2 opening handshake", "[http1]") {
    const std::string req =
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n"
        "Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const std::string buf = req + "after";
    auto h = http1::decode_head(B(buf));
    REQUIRE(h);
    CHECK(h->request);
    CHECK(h->method == "GET");
    CHECK(h->target == "/chat");
    CHECK(h->version == "HTTP/1.1");
    CHECK(h->length == req.size());
    CHECK(h->field_count == 7);
    CHECK(h->field("host") == std::optional<std::string_view>("server.example.com"));
    CHECK(h->websocket_upgrade());

    const std::string resp =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kMWzzhZxOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n";
    auto r = http1::decode_head(B(resp));
    REQUIRE(r);
    CHECK_FALSE(r->request);
    CHECK(r->status == 101);
    CHECK(r->reason == "Switching Protocols");
    CHECK(r->websocket_upgrade());
    CHECK_FALSE(r->content_length);
}

TEST_CASE("HTTP: a head arrives in pieces, bodies are measured, broken heads are refused", "[http1]") {
    const std::string resp = "HTTP/1.1 401 User Account Restricted\r\nContent-Length: 341\r\n\r\n";
    for (std::size_t n = 0; n < resp.size(); ++n) {
        auto part = http1::decode_head(B(resp.substr(0, n)));
        REQUIRE_FALSE(part);
        CHECK(part.error().kind == ErrorKind::need_more);
    }
    auto r = http1::decode_head(B(resp));
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->reason == "User Account Restricted");
    CHECK(r->content_length == 341u);

    auto chunked = http1::decode_head(B("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
    REQUIRE(chunked);
    CHECK(chunked->chunked);
    auto no_reason = http1::decode_head(B("HTTP/1.1 204\r\n\r\n"));
    REQUIRE(no_reason);
    CHECK(no_reason->status == 204);
    CHECK(no_reason->reason.empty());
    // RDG_OUT_DATA is a method token like any other (MS-TSGU 2.2.3.1).
    auto rdg = http1::decode_head(B("RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nHost: gw\r\n\r\n"));
    REQUIRE(rdg);
    CHECK(rdg->method == "RDG_OUT_DATA");
    CHECK(rdg->target == "/remoteDesktopGateway/");

    for (const char* bad : {"\x16\x03\x01 x HTTP/1.1\r\n\r\n", "HTTP/1.1 4O1 No\r\n\r\n", "GET / HTTP/9\r\n\r\n",
                            "GET / HTTP/1.1\r\nno colon\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"}) {
        auto b = http1::decode_head(B(bad));
        REQUIRE_FALSE(b);
        CHECK(b.error().kind == ErrorKind::malformed);
    }
    std::string huge = "GET / HTTP/1.1\r\nX: " + std::string(http1::kMaxHead, 'a');
    auto h = http1::decode_head(B(huge));
    REQUIRE_FALSE(h);
    CHECK(h.error().kind == ErrorKind::malformed);
    CHECK(http1::may_start_request(B("RDG_OUT_DATA /")));
    CHECK(http1::may_start_request(B("POST /KdcProxy HTTP/1.1")));
    CHECK_FALSE(http1::may_start_request(hex("16030100")));
}

TEST_CASE("HTTP: WWW-Authenticate challenges (RFC 9110 11.6.1)", "[http1]") {
    // The RFC's example: two challenges, the second with three parameters.
    http1::Challenges c;
    http1::add_challenges(R"(Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"")", c);
    REQUIRE(c.count == 2);
    CHECK(c.names[0] == "Basic");
    CHECK(c.names[1] == "Newauth");
    CHECK(c.schemes == (http1::kBasic | http1::kOtherScheme));
    CHECK_FALSE(c.negotiate_token);

    // A Windows gateway's refusal: several schemes, Digest with quoted
    // parameters holding commas and '=', on one field line; then a Negotiate
    // round carrying a token (its base64 padding is no parameter).
    auto h = http1::decode_head(B(
        "HTTP/1.1 401 User Account Restricted\r\n"
        "WWW-Authenticate: Negotiate,NTLM,Digest qop=\"auth\",algorithm=MD5-sess,nonce=\"+a,b=\",realm=\"Digest\",Basic\r\n"
        "WWW-Authenticate: Negotiate TlRMTVNTUAACAAAA==\r\n\r\n"));
    REQUIRE(h);
    auto ch = http1::challenges(*h);
    REQUIRE(ch.count == 5);
    CHECK(ch.names[0] == "Negotiate");
    CHECK(ch.names[1] == "NTLM");
    CHECK(ch.names[2] == "Digest");
    CHECK(ch.names[3] == "Basic");
    CHECK(ch.names[4] == "Negotiate");
    CHECK(ch.schemes == (http1::kNegotiate | http1::kNtlm | http1::kDigest | http1::kBasic));
    CHECK(ch.negotiate_token);
}

namespace {

// Feeds `body` to a decoder `piece` bytes at a time; the chunk data, and what
// followed the body's end.
struct Dechunked {
    std::string data, after;
    bool end = false;
    std::optional<DecodeError> error;
};
Dechunked dechunk(std::string_view body, std::size_t piece) {
    Dechunked r;
    http1::ChunkedDecoder d;
    for (std::size_t at = 0; at < body.size() && !r.end && !r.error;) {
        Bytes part = B(body.substr(at, piece));
        at += part.size();
        while (!part.empty()) {
            auto s = d.next(part);
            if (!s) {
                r.error = s.error();
                break;
            }
            r.data.append(reinterpret_cast<const char*>(s->data.data()), s->data.size());
            part = part.subspan(s->consumed);
            if (s->end) {
                r.end = true;
                r.after = std::string(body.substr(at - part.size()));
                break;
            }
        }
    }
    return r;
}

}  // namespace

// RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, then
// last-chunk, trailer section, CRLF.  MS-TSGU 3.3.5.2 sends each packet of
// the IN channel as one chunk; a cut anywhere (TLS records) must not matter.
TEST_CASE("HTTP chunked: a body decoded whole and byte by byte", "[http1]") {
    const std::string body = "4\r\nWiki\r\n6;name=\"q\"\r\npedia \r\nA\r\nin chunks.\r\n0\r\nExpires: never\r\n\r\nRDG_IN_DATA";
    for (std::size_t piece : {body.size(), std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{13}}) {
        INFO("pieces of " << piece);
        const auto r = dechunk(body, piece);
        CHECK_FALSE(r.error);
        CHECK(r.end);
        CHECK(r.data == "Wikipedia in chunks.");
        CHECK(r.after == "RDG_IN_DATA");  // the next message's bytes are left alone
    }
    // Upper- and lower-case hex, a bare LF for a line's end (RFC 9112 2.2 lets a recipient take it).
    const auto r = dechunk("1a\n" + std::string(26, 'x') + "\n0\n\n", 3);
    CHECK(r.end);
    CHECK(r.data.size() == 26);
    http1::ChunkedDecoder d;
    auto s = d.next(B("1F\r\n"));
    REQUIRE(s);
    CHECK(d.data_left() == 31);
    CHECK(d.chunks() == 1);
    // A body not yet ended: no end, all used.
    const auto open = dechunk("3\r\nabc\r\n5\r\nde", 4);
    CHECK_FALSE(open.end);
    CHECK_FALSE(open.error);
    CHECK(open.data == "abcde");
}

TEST_CASE("HTTP chunked: broken sizes and framing are refused, and stay refused", "[http1]") {
    auto error_of = [](std::string_view body) {
        const auto r = dechunk(body, body.size());
        return r.error ? std::string(r.error->field) : std::string();
    };
    CHECK(error_of("zz\r\nabc") == "chunk_size");
    CHECK(error_of("\r\n") == "chunk_size");              // no digit
    CHECK(error_of("4 ;x=1\r\nabcd\r\n0\r\n\r\n").empty());  // BWS before a chunk-ext
    CHECK(error_of("12345678901234567\r\n") == "chunk_size");  // past 64 bits
    CHECK(error_of("3\r\nabcX\r\n") == "chunk_data_end");  // the data is longer than its size
    CHECK(error_of("3\rabc") == "chunk_size");            // CR without LF
    CHECK(error_of("1;" + std::string(2000, 'e') + "\r\n") == "chunk_ext");
    CHECK(error_of("0\r\n" + std::string(20000, 't')) == "trailer");
    http1::ChunkedDecoder d;
    auto bad = d.next(B("g\r\n"));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().kind == ErrorKind::malformed);
    CHECK(bad.error().offset == 0);
    CHECK(d.failed());
    CHECK_FALSE(d.next(B("1\r\na\r\n")));  // failed for good
}

TEST_CASE("WebSocket: the RFC 6455 5.7 examples", "[websocket]") {
    {  // A single-frame unmasked text message "Hello".
        auto f = hex("810548656c6c6f");
        auto h = websocket::decode_frame_header(f);
        REQUIRE(h);
        CHECK(h->fin);
        CHECK(h->opcode == websocket::kText);
        CHECK_FALSE(h->masked);
        CHECK(h->payload_length == 5);
        CHECK(h->header_length == 2);
    }
    {  // A single-frame masked text message "Hello".
        auto f = hex("818537fa213d7f9f4d5158");
        auto h = websocket::decode_frame_header(f);
        REQUIRE(h);
        CHECK(h->masked);
        CHECK(h->header_length == 6);
        std::vector<std::uint8_t> payload(f.begin() + 6, f.end());
        // Unmasked in two pieces: the mask position carries over.
        websocket::unmask(h->mask, 0, std::span(payload).subspan(0, 3));
        websocket::unmask(h->mask, 3, std::span(payload).subspan(3));
        CHECK(std::string(payload.begin(), payload.end()) == "Hello");
    }
    {  // A fragmented unmasked text message: "Hel" then "lo".
        auto a = websocket::decode_frame_header(hex("010348656c"));
        REQUIRE(a);
        CHECK_FALSE(a->fin);
        CHECK(a->opcode == websocket::kText);
        auto b = websocket::decode_frame_header(hex("80026c6f"));
        REQUIRE(b);
        CHECK(b->fin);
        CHECK(b->opcode == websocket::kContinuation);
    }
    {  // Unmasked Ping, masked Pong.
        auto ping = websocket::decode_frame_header(hex("890548656c6c6f"));
        REQUIRE(ping);
        CHECK(ping->opcode == websocket::kPing);
        auto pong = websocket::decode_frame_header(hex("8a8537fa213d7f9f4d5158"));
        REQUIRE(pong);
        CHECK(pong->opcode == websocket::kPong);
        CHECK(std::string(websocket::opcode_name(pong->opcode)) == "pong");
    }
    {  // 256 bytes binary in a single unmasked message; 64 KiB likewise.
        auto h256 = websocket::decode_frame_header(hex("827e0100"));
        REQUIRE(h256);
        CHECK(h256->payload_length == 256);
        CHECK(h256->header_length == 4);
        auto h64k = websocket::decode_frame_header(hex("827f0000000000010000"));
        REQUIRE(h64k);
        CHECK(h64k->payload_length == 65536);
        CHECK(h64k->header_length == 10);
    }
}

TEST_CASE("WebSocket: incomplete and malformed headers, close frames", "[websocket]") {
    const auto full = hex("82fe0100a1b2c3d4");
    for (std::size_t n = 0; n < full.size(); ++n) {
        auto h = websocket::decode_frame_header(std::span(full).subspan(0, n));
        REQUIRE_FALSE(h);
        CHECK(h.error().kind == ErrorKind::need_more);
    }
    REQUIRE(websocket::decode_frame_header(full));
    for (const char* bad : {"8300",                  // reserved opcode
                            "097d",                  // fragmented ping
                            "897e0080",              // ping longer than 125
                            "827e007d",              // 125 in the 16-bit form
                            "827f000000000000ffff",  // 65535 in the 64-bit form
                            "827f8000000000000000"}) {
        auto h = websocket::decode_frame_header(hex(bad));
        REQUIRE_FALSE(h);
        CHECK(h.error().kind == ErrorKind::malformed);
    }
    auto c = websocket::decode_close(hex("03e8 6279 65"));
    REQUIRE(c);
    CHECK(c->code == 1000);
    CHECK(c->reason.size() == 3);
    CHECK(websocket::decode_close({}));
    CHECK_FALSE(websocket::decode_close(hex("03")));
}

TEST_CASE("MS-TSGU: the handshake, tunnel and channel packets (2.2.10)", "[tsgu]") {
    {  // 2.2.10.10 HTTP_HANDSHAKE_REQUEST_PACKET: version 1.0, clientVersion 0, extendedAuth PAA.
        auto p = tsgu::decode_packet(hex("0100 0000 0e000000" "01 00 0000 0200"));
        REQUIRE(p);
        CHECK(p->header.type == tsgu::kHandshakeRequest);
        CHECK(p->version_major == 1);
        CHECK(p->extended_auth == tsgu::kAuthPaa);
        CHECK_FALSE(p->status);
    }
    {  // 2.2.10.11 HTTP_HANDSHAKE_RESPONSE_PACKET: errorCode S_OK, version 1.0, extendedAuth 7.
        auto p = tsgu::decode_packet(hex("0200 0000 12000000" "00000000 01 00 0000 0700"));
        REQUIRE(p);
        CHECK(p->status == 0u);
        CHECK(p->extended_auth == 7);
    }
    {  // 2.2.10.18 HTTP_TUNNEL_PACKET with a PAA cookie of 4 bytes.
        auto p = tsgu::decode_packet(hex("0400 0000 16000000" "3f000000 0100 0000 0400 deadbeef"));
        REQUIRE(p);
        CHECK(p->caps == 0x3f);
        CHECK(p->fields_present == 1);
    }
    {  // 2.2.10.20 HTTP_TUNNEL_RESPONSE: tunnelId 4 and caps 0x3f present.
        auto p = tsgu::decode_packet(hex("0500 0000 1a000000" "0000 00000000 0300 0000 04000000 3f000000"));
        REQUIRE(p);
        CHECK(p->status == 0u);
        CHECK(p->tunnel_id == 4u);
        CHECK(p->caps == 0x3f);
    }
    {  // 2.2.10.14 HTTP_TUNNEL_AUTH_PACKET: clientName "PC1" with its null, UTF-16LE.
        auto p = tsgu::decode_packet(hex("0600 0000 14000000" "0000 0800 5000 4300 3100 0000"));
        REQUIRE(p);
        CHECK(p->client_name == "PC1");
    }
    {  // 2.2.10.16 HTTP_TUNNEL_AUTH_RESPONSE: redirFlags HTTP_TUNNEL_REDIR_ENABLE_ALL, idleTimeout 0.
        auto p = tsgu::decode_packet(hex("0700 0000 18000000" "00000000 0300 0000 00000080 00000000"));
        REQUIRE(p);
        CHECK(p->redir_flags == 0x80000000u);
        CHECK(p->idle_timeout == 0u);
    }
    {  // 2.2.10.2 HTTP_CHANNEL_PACKET: one resource "srv", port 3389, protocol 3 (TCP).
        auto p = tsgu::decode_packet(hex("0800 0000 18000000" "01 00 3d0d 0300 0800 7300 7200 7600 0000"));
        REQUIRE(p);
        CHECK(p->resource_count == 1);
        CHECK(p->resources[0] == "srv");
        CHECK(p->port == 3389);
        CHECK(p->protocol == 3);
    }
    {  // 2.2.10.4 HTTP_CHANNEL_RESPONSE: channelId 1, udpPort 3391, a 2-byte cookie.
        auto p = tsgu::decode_packet(hex("0900 0000 1a000000" "00000000 0700 0000 01000000 3f0d 0200 abcd"));
        REQUIRE(p);
        CHECK(p->channel_id == 1u);
        CHECK(p->udp_port == 3391);
    }
    {  // The channel response refusing the target: E_PROXY_RAP_ACCESSDENIED, no fields.
        auto p = tsgu::decode_packet(hex("0900 0000 10000000" "da590780 0000 0000"));
        REQUIRE(p);
        REQUIRE(p->status);
        CHECK(tsgu::failed(*p->status));
        CHECK(std::string(tsgu::status_name(*p->status)) == "E_PROXY_RAP_ACCESSDENIED");
        CHECK_FALSE(p->channel_id);
    }
    {  // 2.2.10.6 HTTP_DATA_PACKET carrying an X.224 Connection Confirm's TPKT header.
        const auto bytes = hex("0a00 0000 0e000000" "0400 03000013");  // data points into it
        auto p = tsgu::decode_packet(bytes);
        REQUIRE(p);
        REQUIRE(p->data.size() == 4);
        CHECK(p->data[0] == 0x03);
    }
    {  // Keep-alive: the header alone; close channel with ERROR_GRACEFUL_DISCONNECT.
        auto k = tsgu::decode_packet(hex("0d00 0000 08000000"));
        REQUIRE(k);
        CHECK(std::string(tsgu::packet_type_name(k->header.type)) == "keepalive");
        auto c = tsgu::decode_packet(hex("1000 0000 0c000000 ca040000"));
        REQUIRE(c);
        CHECK(c->status == 0x4CAu);
        CHECK_FALSE(tsgu::failed(*c->status));
    }
}

TEST_CASE("MS-TSGU: headers, short packets, names", "[tsgu]") {
    auto h = tsgu::decode_header(hex("0a00 0000 1d00"));
    REQUIRE_FALSE(h);
    CHECK(h.error().kind == ErrorKind::need_more);
    CHECK(tsgu::decode_header(hex("0a00 0000 07000000")).error().kind == ErrorKind::malformed);
    CHECK(tsgu::decode_header(hex("0a00 0000 00002000")).error().kind == ErrorKind::malformed);
    // The length must be the buffer's.
    CHECK(tsgu::decode_packet(hex("0d00 0000 08000000 00")).error().kind == ErrorKind::malformed);
    // A data packet whose cbDataLen runs past the packet.
    CHECK(tsgu::decode_packet(hex("0a00 0000 0c000000 0500 0102")).error().kind == ErrorKind::malformed);
    // Zero resources break 2.2.10.2.
    CHECK(tsgu::decode_packet(hex("0800 0000 0e000000 00 00 3d0d 0300")).error().kind == ErrorKind::malformed);
    CHECK(tsgu::decode_packet(hex("7700 0000 08000000")).error().kind == ErrorKind::unsupported);
    CHECK(std::string(tsgu::status_name(0x800759DD)) == "E_PROXY_TS_CONNECTFAILED");
    CHECK(std::string(tsgu::status_name(0x000059DD)) == "E_PROXY_TS_CONNECTFAILED");
    CHECK(std::string(tsgu::status_name(0x800759DB)) == "E_PROXY_NAP_ACCESSDENIED");
    CHECK(tsgu::status_name(0x12345678) == nullptr);
    CHECK(tsgu::failed(0x000059DD));
    CHECK_FALSE(tsgu::failed(0));
}
