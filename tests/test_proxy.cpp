// SPDX-License-Identifier: MIT
// Proxy preambles before RDP: the SOCKS5 exchange of arkime/socks5-rdp.pcap
// byte for byte, HTTP CONNECT, SOCKS4, and cut or broken preambles.
#include <catch2/catch.hpp>

#include <string>

#include "dissect/proxy.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;

namespace {
Bytes B(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST_CASE("SOCKS5 CONNECT from arkime/socks5-rdp.pcap, frames 4-7", "[proxy]") {
    // Client stream: frame 4 greeting (no-auth), frame 6 CONNECT 10.0.0.1:3389, then the X.224 CR of frame 8.
    const auto client = hex("050100" "050100010a0000010d3d" "0300002924e0");
    CHECK(proxy::classify_client(client) == proxy::Kind::socks5);
    auto c = proxy::client_preamble(proxy::Kind::socks5, client);
    REQUIRE(c);
    CHECK(c->length == 13);
    CHECK(c->target_ip_version == 4);
    CHECK(c->target_ip[0] == 10);
    CHECK(c->target_ip[3] == 1);
    CHECK(c->target_port == 3389);
    // Server stream: frame 5 method selection, frame 7 reply (succeeded).
    const auto server = hex("0500" "05000001000000000000" "030000130ed0");
    auto s = proxy::server_preamble(proxy::Kind::socks5, server);
    REQUIRE(s);
    CHECK(s->length == 12);
    CHECK(s->status == 0);
    // Until frame 6 arrives the preamble is incomplete, not broken.
    auto early = proxy::client_preamble(proxy::Kind::socks5, Bytes(client).first(3));
    REQUIRE_FALSE(early);
    CHECK(early.error().kind == ErrorKind::need_more);
}

TEST_CASE("every prefix of the SOCKS5 exchange asks for more", "[proxy]") {
    const auto client = hex("050100050100010a0000010d3d");
    for (std::size_t n = 0; n < client.size(); ++n) {
        auto c = proxy::client_preamble(proxy::Kind::socks5, Bytes(client).first(n));
        REQUIRE_FALSE(c);
        CHECK(c.error().kind == ErrorKind::need_more);
    }
}

TEST_CASE("SOCKS5 with a domain name and user/password authentication", "[proxy]") {
    // Greeting offering user/password (2), RFC 1929 sub-negotiation, CONNECT rdp.example:3389.
    std::string host = "rdp.example";
    std::vector<std::uint8_t> v = hex("05 01 02  01 04 75 73 65 72 02 70 77  05 01 00 03");
    v.push_back(static_cast<std::uint8_t>(host.size()));
    v.insert(v.end(), host.begin(), host.end());
    v.push_back(0x0d);
    v.push_back(0x3d);
    auto c = proxy::client_preamble(proxy::Kind::socks5, v);
    REQUIRE(c);
    CHECK(c->length == v.size());
    CHECK(c->target_host == "rdp.example");
    CHECK(c->target_port == 3389);
    auto s = proxy::server_preamble(proxy::Kind::socks5, hex("05 02  01 00  05 00 00 01 0a 00 00 01 0d 3d"));
    REQUIRE(s);
    CHECK(s->length == 14);
    // A refused authentication ends the preamble with its status.
    auto refused = proxy::server_preamble(proxy::Kind::socks5, hex("05 02 01 01"));
    REQUIRE(refused);
    CHECK(refused->status == 1);
}

TEST_CASE("HTTP CONNECT preamble", "[proxy]") {
    const std::string req = "CONNECT rdp.example.com:3389 HTTP/1.1\r\nHost: rdp.example.com:3389\r\n\r\n";
    CHECK(proxy::classify_client(B(req)) == proxy::Kind::http_connect);
    const std::string stream = req + "\x03\x00";  // the X.224 CR follows; the views point into it
    auto c = proxy::client_preamble(proxy::Kind::http_connect, B(stream));
    REQUIRE(c);
    CHECK(c->length == req.size());
    CHECK(c->target_host == "rdp.example.com");
    CHECK(c->target_port == 3389);
    const std::string rsp = "HTTP/1.1 200 Connection established\r\n\r\n";
    auto s = proxy::server_preamble(proxy::Kind::http_connect, B(rsp));
    REQUIRE(s);
    CHECK(s->length == rsp.size());
    CHECK(s->status == 2);  // the 2xx class
    auto cut = proxy::client_preamble(proxy::Kind::http_connect, B(req.substr(0, 20)));
    REQUIRE_FALSE(cut);
    CHECK(cut.error().kind == ErrorKind::need_more);
    // A header that never ends is not a proxy preamble.
    auto endless = proxy::client_preamble(proxy::Kind::http_connect, B("CONNECT " + std::string(9000, 'a')));
    REQUIRE_FALSE(endless);
    CHECK(endless.error().kind == ErrorKind::malformed);
    // Found by the fuzzer: a header shorter than "CONNECT " must not throw.
    auto tiny = proxy::client_preamble(proxy::Kind::http_connect, hex("0d 0a 0d 0a ac"));
    REQUIRE(tiny);
    CHECK(tiny->length == 4);
}

TEST_CASE("SOCKS4 CONNECT", "[proxy]") {
    // VN 4, CD 1, port 3389, 10.0.0.1, user "u", NUL.
    const auto c4 = hex("04 01 0d 3d 0a 00 00 01 75 00");
    CHECK(proxy::classify_client(c4) == proxy::Kind::socks4);
    auto c = proxy::client_preamble(proxy::Kind::socks4, c4);
    REQUIRE(c);
    CHECK(c->length == 10);
    CHECK(c->target_port == 3389);
    auto s = proxy::server_preamble(proxy::Kind::socks4, hex("00 5a 0d 3d 0a 00 00 01"));
    REQUIRE(s);
    CHECK(s->status == 0x5a);
    CHECK(s->length == 8);
}

TEST_CASE("bytes that are not a preamble", "[proxy]") {
    CHECK(proxy::classify_client(hex("03 00 00 2c 27 e0")) == proxy::Kind::none);
    CHECK(proxy::classify_client(hex("16 03 01 00 a5")) == proxy::Kind::none);
    auto bad = proxy::client_preamble(proxy::Kind::socks5, hex("05 01 00 05 02 00 01 0a 00 00 01 0d 3d"));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().field == "request.cmd");  // BIND cannot carry RDP
}
