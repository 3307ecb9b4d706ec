// SPDX-License-Identifier: MIT
// The KDC proxy over HTTP/2: HPACK (RFC 7541) through our wrapper of
// libnghttp2 against RFC 7541 Appendix C's examples, HTTP/2 frames (RFC 9113)
// built here field by field, a KDC-PROXY-MESSAGE (MS-KKDCP 2.2.2) built
// around RFC 4120-shaped Kerberos messages (tests/kerberos_vectors.hpp), and
// synthetic captures: a client's RDP connection whose NLA fails while, on
// another connection, it asks a KDC proxy on 443 over h2 (records sealed in
// the test, tests/tls_sealer.hpp) and the proxy's answer is a KRB-ERROR.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "analyze/kdc_proxy.hpp"
#include "analyze/run.hpp"
#include "analyze/verdict.hpp"
#include "dissect/hpack.hpp"
#include "dissect/http2.hpp"
#include "dissect/kerberos.hpp"
#include "dissect/kkdcp.hpp"
#include "dissect/rdp_neg.hpp"
#include "capture_builder.hpp"
#include "kerberos_vectors.hpp"
#include "rdp_builder.hpp"
#include "report/pdu_fields.hpp"
#include "test_util.hpp"
#include "tls_sealer.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using namespace rdpscope::test::rdp;
using namespace rdpscope::test::sealed;
using namespace rdpscope::test::krbvec;

namespace {

B text(const std::string& s) { return B(s.begin(), s.end()); }

std::vector<hpack::Header> inflate(hpack::Inflater& inf, const B& block) {
    std::vector<hpack::Header> out;
    auto r = inf.inflate(block, true, out);
    REQUIRE(r);
    CHECK(*r == out.size());
    return out;
}

std::vector<std::pair<std::string, std::string>> pairs(const std::vector<hpack::Header>& hs) {
    std::vector<std::pair<std::string, std::string>> v;
    for (const auto& h : hs) v.emplace_back(h.name, h.value);
    return v;
}

using Hdrs = std::vector<std::pair<std::string, std::string>>;

// RFC 9113 4.1: Length (24), Type, Flags, R + Stream Identifier (31).
B h2frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, const B& payload) {
    const auto n = payload.size();
    B b = {static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n), type,
           flags, static_cast<std::uint8_t>(stream >> 24), static_cast<std::uint8_t>(stream >> 16),
           static_cast<std::uint8_t>(stream >> 8), static_cast<std::uint8_t>(stream)};
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

// DER length and TLV (X.690 8.1.3: short form below 128).
B tlv(std::uint8_t tag, const B& content) {
    B b = {tag};
    const auto n = content.size();
    if (n < 128) b.push_back(static_cast<std::uint8_t>(n));
    else if (n < 256) b.insert(b.end(), {0x81, static_cast<std::uint8_t>(n)});
    else b.insert(b.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
    b.insert(b.end(), content.begin(), content.end());
    return b;
}

// MS-KKDCP 2.2.2: SEQUENCE { [0] OCTET STRING (4-octet length, message),
// [1] GeneralString target-domain OPTIONAL, [2] INTEGER dclocator-hint OPTIONAL }.
B kdc_proxy_message(const B& krb, const std::string& domain = "", int hint = -1) {
    B octets = {static_cast<std::uint8_t>(krb.size() >> 24), static_cast<std::uint8_t>(krb.size() >> 16),
                static_cast<std::uint8_t>(krb.size() >> 8), static_cast<std::uint8_t>(krb.size())};
    octets.insert(octets.end(), krb.begin(), krb.end());
    B seq = tlv(0xa0, tlv(0x04, octets));
    if (!domain.empty()) {
        const B d = tlv(0xa1, tlv(0x1b, text(domain)));
        seq.insert(seq.end(), d.begin(), d.end());
    }
    if (hint >= 0) {
        const B h = tlv(0xa2, tlv(0x02, {static_cast<std::uint8_t>(hint)}));
        seq.insert(seq.end(), h.begin(), h.end());
    }
    return tlv(0x30, seq);
}

// kError24 with another error code (the byte after "a6 03 02 01").
B krb_error(std::uint8_t code) {
    B m = kError24;
    for (std::size_t i = 0; i + 4 < m.size(); ++i)
        if (m[i] == 0xa6 && m[i + 1] == 0x03 && m[i + 2] == 0x02 && m[i + 3] == 0x01) m[i + 4] = code;
    return m;
}

}  // namespace

// RFC 7541 C.3: three requests on one connection without Huffman coding, the
// dynamic table carried from one to the next (its size after each: 57, 110, 164).
TEST_CASE("HPACK: RFC 7541 C.3 requests without Huffman coding", "[kdc_proxy][hpack]") {
    REQUIRE(hpack::available());  // libnghttp2 is required on Linux (CMake option RDPSCOPE_KDC_PROXY)
    hpack::Inflater inf;
    CHECK((pairs(inflate(inf, hex("82 86 84 41 0f 77 77 77 2e 65 78 61 6d 70 6c 65 2e 63 6f 6d"))) ==
          Hdrs{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}}));
    CHECK(inf.table_size() == 57);
    CHECK((pairs(inflate(inf, hex("82 86 84 be 58 08 6e 6f 2d 63 61 63 68 65"))) ==
          Hdrs{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"},
            {"cache-control", "no-cache"}}));
    CHECK(inf.table_size() == 110);
    CHECK((pairs(inflate(inf, hex("82 87 85 bf 40 0a 63 75 73 74 6f 6d 2d 6b 65 79 0c 63 75 73 74 6f 6d 2d 76 61 6c 75 65"))) ==
          Hdrs{{":method", "GET"}, {":scheme", "https"}, {":path", "/index.html"}, {":authority", "www.example.com"},
            {"custom-key", "custom-value"}}));
    CHECK(inf.table_size() == 164);
}

// RFC 7541 C.4: the same requests with Huffman coding.
TEST_CASE("HPACK: RFC 7541 C.4 requests with Huffman coding", "[kdc_proxy][hpack]") {
    REQUIRE(hpack::available());  // libnghttp2 is required on Linux (CMake option RDPSCOPE_KDC_PROXY)
    hpack::Inflater inf;
    CHECK((pairs(inflate(inf, hex("82 86 84 41 8c f1 e3 c2 e5 f2 3a 6b a0 ab 90 f4 ff"))) ==
          Hdrs{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}}));
    CHECK(inf.table_size() == 57);
    CHECK((pairs(inflate(inf, hex("82 86 84 be 58 86 a8 eb 10 64 9c bf"))) ==
          Hdrs{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"},
            {"cache-control", "no-cache"}}));
    CHECK(inf.table_size() == 110);
    CHECK((pairs(inflate(inf, hex("82 87 85 bf 40 88 25 a8 49 e9 5b a9 7d 7f 89 25 a8 49 e9 5b b8 e8 b4 bf"))) ==
          Hdrs{{":method", "GET"}, {":scheme", "https"}, {":path", "/index.html"}, {":authority", "www.example.com"},
            {"custom-key", "custom-value"}}));
    CHECK(inf.table_size() == 164);
}

TEST_CASE("HPACK: a block split across fragments, and a bad index", "[kdc_proxy][hpack]") {
    REQUIRE(hpack::available());  // libnghttp2 is required on Linux (CMake option RDPSCOPE_KDC_PROXY)
    hpack::Inflater inf;
    const B block = hex("82 86 84 41 0f 77 77 77 2e 65 78 61 6d 70 6c 65 2e 63 6f 6d");
    std::vector<hpack::Header> out;
    REQUIRE(inf.inflate(std::span(block).subspan(0, 7), false, out));
    REQUIRE(inf.inflate(std::span(block).subspan(7), true, out));
    CHECK((pairs(out) == Hdrs{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}}));
    // Index 70 with an empty dynamic table (RFC 7541 2.3.3: a decoding error).
    hpack::Inflater bad;
    out.clear();
    CHECK_FALSE(bad.inflate(hex("c6"), true, out));
    CHECK(bad.failed());
    CHECK_FALSE(bad.inflate(hex("82"), true, out));  // the table is lost: nothing more decodes
}

TEST_CASE("HTTP/2: frames built per RFC 9113", "[kdc_proxy][http2]") {
    SECTION("DATA with padding and END_STREAM (6.1)") {
        const B f = h2frame(0x0, 0x09, 1, join({{4}, text("hello"), B(4, 0)}));
        auto d = http2::decode_frame(f);
        REQUIRE(d);
        CHECK(d->header.length == 10);
        CHECK(d->header.stream_id == 1);
        CHECK(d->pad_length == 4);
        CHECK(as_text(d->data) == "hello");
        CHECK(d->end_stream());
    }
    SECTION("HEADERS with padding and priority (6.2)") {
        const B block = hex("82 86 84");
        const B f = h2frame(0x1, 0x2c, 3, join({{2, 0x80, 0, 0, 1, 15}, block, {0, 0}}));
        auto d = http2::decode_frame(f);
        REQUIRE(d);
        CHECK(d->end_headers());
        CHECK_FALSE(d->end_stream());
        CHECK(d->exclusive);
        CHECK(d->dependency == 1);
        CHECK(d->weight == 15);
        CHECK(B(d->block.begin(), d->block.end()) == block);
    }
    SECTION("CONTINUATION (6.10), SETTINGS (6.5), RST_STREAM (6.4), GOAWAY (6.8), WINDOW_UPDATE (6.9)") {
        auto c = http2::decode_frame(h2frame(0x9, 0x4, 5, hex("be")));
        REQUIRE(c);
        CHECK(c->end_headers());
        CHECK(c->block.size() == 1);
        auto s = http2::decode_frame(h2frame(0x4, 0, 0, hex("00 03 00 00 00 64 00 04 00 00 ff ff")));
        REQUIRE(s);
        REQUIRE(s->setting_count == 2);
        CHECK(http2::setting_name(s->settings[0].id) == "MAX_CONCURRENT_STREAMS");
        CHECK(s->settings[0].value == 100);
        CHECK(http2::setting_name(s->settings[1].id) == "INITIAL_WINDOW_SIZE");
        CHECK(s->settings[1].value == 65535);
        CHECK(http2::decode_frame(h2frame(0x4, 0x1, 0, {}))->ack());
        auto r = http2::decode_frame(h2frame(0x3, 0, 5, hex("00 00 00 08")));
        REQUIRE(r);
        CHECK(r->error_code == 8);
        CHECK(http2::error_name(r->error_code) == "CANCEL");
        auto g = http2::decode_frame(h2frame(0x7, 0, 0, join({hex("80 00 00 03 00 00 00 0b"), text("calm")})));
        REQUIRE(g);
        CHECK(g->last_stream_id == 3);  // the reserved bit cleared
        CHECK(http2::error_name(g->error_code) == "ENHANCE_YOUR_CALM");
        CHECK(as_text(g->debug) == "calm");
        auto w = http2::decode_frame(h2frame(0x8, 0, 0, hex("00 01 00 00")));
        REQUIRE(w);
        CHECK(w->increment == 65536);
    }
    SECTION("errors RFC 9113 names") {
        // Padding as long as the payload (6.1: PROTOCOL_ERROR).
        CHECK_FALSE(http2::decode_frame(h2frame(0x0, 0x08, 1, {4, 0, 0, 0})));
        CHECK_FALSE(http2::decode_frame(h2frame(0x0, 0, 0, text("x"))));        // DATA on stream 0
        CHECK_FALSE(http2::decode_frame(h2frame(0x4, 0, 0, hex("00 03 00"))));  // SETTINGS not a multiple of 6
        CHECK_FALSE(http2::decode_frame(h2frame(0x4, 0x1, 0, hex("00 03 00 00 00 64"))));  // an ACK with a payload
        CHECK_FALSE(http2::decode_frame(h2frame(0x4, 0, 1, {})));               // SETTINGS on a stream
        CHECK_FALSE(http2::decode_frame(h2frame(0x3, 0, 1, hex("00 00 08"))));  // RST_STREAM not 4 octets
        const B full = h2frame(0x0, 0, 1, text("hello"));
        auto more = http2::decode_frame(B(full.begin(), full.end() - 2));
        REQUIRE_FALSE(more);
        CHECK(more.error().kind == ErrorKind::need_more);
        // An unknown type is given, not refused (4.1).
        auto u = http2::decode_frame(h2frame(0xfa, 0, 1, text("ext")));
        REQUIRE(u);
        CHECK(std::string(http2::type_name(u->header.type)) == "unknown");
    }
}

TEST_CASE("MS-KKDCP: a KDC-PROXY-MESSAGE around a Kerberos message", "[kdc_proxy][kkdcp]") {
    const B m = kdc_proxy_message(kAsReq, "EXAMPLE.COM", 1);
    auto d = kkdcp::decode(m);
    REQUIRE(d);
    CHECK(d->length == kAsReq.size());
    CHECK(B(d->kerb_message.begin(), d->kerb_message.end()) == kAsReq);
    REQUIRE(d->target_domain);
    CHECK(*d->target_domain == "EXAMPLE.COM");
    CHECK(d->dclocator_hint == 1u);
    CHECK(d->encoded_length == m.size());
    auto k = krb::decode_message(d->kerb_message);
    REQUIRE(k);
    CHECK(k->type == 10);
    CHECK(k->cname->joined() == "alice");

    const B em = kdc_proxy_message(kError24);
    auto e = kkdcp::decode(em);
    REQUIRE(e);
    CHECK_FALSE(e->target_domain);
    CHECK_FALSE(e->dclocator_hint);
    CHECK(krb::decode_message(e->kerb_message)->error_code == 24);

    // The length prefix must be the octet string's rest (RFC 4120 7.2.2).
    B bad = kdc_proxy_message(kAsReq);
    bad[bad.size() - kAsReq.size() - 1] ^= 0x01;
    CHECK_FALSE(kkdcp::decode(bad));
    CHECK_FALSE(kkdcp::decode(B(m.begin(), m.end() - 3)));  // cut short
    CHECK_FALSE(kkdcp::decode(text("<!DOCTYPE HTML PUBLIC")));  // a 503 page, not a message
}

// ---- synthetic captures -------------------------------------------------------
namespace {

constexpr std::uint32_t kGatewayIp = 0x0A000007;
constexpr std::uint32_t kSsl = rdpneg::PROTOCOL_SSL, kHybrid = rdpneg::PROTOCOL_HYBRID;

// A ServerHello (TLS 1.2, the sealer's suite and server random) selecting
// ALPN h2 (RFC 7301 3.1), and ServerHelloDone: one record.
B server_hello_h2() {
    B body = {3, 3};
    for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(0x80 + i));
    body.insert(body.end(), {0, static_cast<std::uint8_t>(kAes256Gcm.id >> 8), static_cast<std::uint8_t>(kAes256Gcm.id), 0});
    const B ext = {0x00, 0x10, 0, 5, 0, 3, 2, 'h', '2'};
    body.push_back(0);
    body.push_back(static_cast<std::uint8_t>(ext.size()));
    body.insert(body.end(), ext.begin(), ext.end());
    return tls_record(22, join({handshake(2, body), handshake(14, {})}));
}

// HPACK blocks (RFC 7541 6.1, 6.2) written by hand.  The first request puts
// :authority and content-type into the client's dynamic table (6.2.1), the
// second refers to them by index 62/63 (2.3.3), so it decodes only when the
// table of that direction was kept.
B literal(const std::string& s) { return join({{static_cast<std::uint8_t>(s.size())}, text(s)}); }
B request_block(bool first, const std::string& path, const std::string& authority = "gw.example.test") {
    B b = {0x83, 0x87};                          // :method POST, :scheme https
    b = join({b, {0x04}, literal(path)});        // :path, literal without indexing, indexed name 4
    if (first)
        return join({b, {0x41}, literal(authority), {0x5f}, literal("application/kerberos")});
    return join({b, {0xbf, 0xbe}});
}
B response_block(bool first) {
    if (first) return join({{0x88, 0x5f}, literal("application/kerberos")});  // :status 200, content-type
    return {0x88, 0xbe};
}

// A client's KDC proxy connection to kGatewayIp:443 over h2: TLS with ALPN
// h2, the server's SETTINGS first (as Windows' HTTP.sys sends it), the
// client's preface, SETTINGS, and one /KdcProxy exchange per (request,
// answer); records sealed with the test's key.  Returns the times of the
// segments carrying each answer.
struct KdcProxyConn {
    Capture& cap;
    Conv cv;
    Sealer cs, ss;
    std::string name;
    KdcProxyConn(Capture& c, std::int64_t start, std::uint32_t ip = kGatewayIp, std::string host = "gw.example.test")
        : cap(c), cv(c, start), name(std::move(host)) {
        auto [a, b] = sealers(kAes256Gcm);
        cs = a;
        ss = b;
        cv.cl.port = 50100;
        cv.sv = {ip, 443};
        cv.handshake(1 * kMs);
        cv.client(client_hello(0, name), true, 1 * kMs);
        cv.server(server_hello_h2(), true, 1 * kMs);
        B point = {65, 0x04};
        point.insert(point.end(), 64, 0x11);
        const B finished = handshake(20, B(12, 0xF1));
        cv.client(join({tls_record(22, handshake(16, point)), tls_record(20, {1}), cs.seal(22, finished)}), true, 1 * kMs);
        cv.server(join({tls_record(20, {1}), ss.seal(22, finished), ss.seal(23, h2frame(0x4, 0, 0, hex("00 03 00 00 00 64")))}),
                  true, 1 * kMs);
        cv.client(cs.seal(23, join({text(std::string(http2::kPreface)), h2frame(0x4, 0, 0, hex("00 04 00 00 ff ff")),
                                    h2frame(0x4, 0x1, 0, {})})),
                  true, 1 * kMs);
    }
    std::int64_t exchange(std::uint32_t stream, bool first, const std::string& path, const B& request, const B& answer) {
        // HEADERS without END_HEADERS, a CONTINUATION, then the body in two DATA frames (one padded).
        const B block = request_block(first, path, name);
        const std::size_t cut = block.size() / 2;
        const B body = kdc_proxy_message(request, "EXAMPLE.COM");
        const std::size_t half = body.size() / 2;
        cv.client(cs.seal(23, join({h2frame(0x1, 0, stream, B(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(cut))),
                                    h2frame(0x9, 0x4, stream, B(block.begin() + static_cast<std::ptrdiff_t>(cut), block.end())),
                                    h2frame(0x0, 0x8, stream, join({{3}, B(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(half)), B(3, 0)}))})),
                  true, 1 * kMs);
        cv.client(cs.seal(23, h2frame(0x0, 0x1, stream, B(body.begin() + static_cast<std::ptrdiff_t>(half), body.end()))), true,
                  1 * kMs);
        const B reply = kdc_proxy_message(answer);
        const std::int64_t t = cv.t + 1 * kMs;
        cv.server(ss.seal(23, join({h2frame(0x1, 0x4, stream, response_block(first)), h2frame(0x0, 0x1, stream, reply)})),
                  true, 1 * kMs);
        return t;
    }
    // A /KdcProxy request the server cannot serve: as a gateway whose KDC
    // proxy is off answers (HTTP.sys' 503 page, text/html).  Returns the
    // time of the answer's head.
    std::int64_t unavailable(std::uint32_t stream, const B& request) {
        const B body = kdc_proxy_message(request, "EXAMPLE.COM");
        cv.client(cs.seal(23, join({h2frame(0x1, 0x4, stream, request_block(true, "/KdcProxy", name)),
                                    h2frame(0x0, 0x1, stream, body)})),
                  true, 1 * kMs);
        // :status 503 (literal with incremental indexing, name 8: RFC 7541 6.2.1), content-type text/html.
        const B head = join({{0x48}, literal("503"), {0x5f}, literal("text/html; charset=us-ascii")});
        const std::int64_t t = cv.t + 1 * kMs;
        cv.server(ss.seal(23, join({h2frame(0x1, 0x4, stream, head),
                                    h2frame(0x0, 0x1, stream, text("<h2>Service Unavailable</h2>"))})),
                  true, 1 * kMs);
        return t;
    }
    void close() {
        cv.client(cs.seal(23, h2frame(0x7, 0, 0, hex("00 00 00 00 00 00 00 00"))), true, 1 * kMs);
        cv.client_fin(1 * kMs);
        cv.server_fin(1 * kMs);
    }
};

struct Seen {
    Verdict verdict;
    std::vector<KerberosNote> kerberos;
};

class Collect : public FileObserver {
public:
    std::vector<Seen> conns;
    std::size_t gateways = 0;
    std::vector<std::pair<std::uint64_t, PduFields>> events;  // of the KDC proxy connection (port 443)
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
    void pdu(const Connection& c, Dir, const PduEvent& e) override {
        if (c.server().port == 443) events.emplace_back(e.frame, pdu_fields(e.pdu));
    }
    void connection_done(const Connection& c, const Verdict& v) override { conns.push_back({v, c.kerberos}); }
    std::vector<Verdict> gateway_verdicts;
    void gateway_done(const Connection&, const Verdict& v) override {
        ++gateways;
        gateway_verdicts.push_back(v);
    }
};

std::uint64_t frame_at(Capture c, std::int64_t t) {
    std::stable_sort(c.packets.begin(), c.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < c.packets.size(); ++i)
        if (c.packets[i].first == t) return i + 1;
    return 0;
}

Collect run(Capture cap, bool keys = true) {
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-kdc-proxy");
    cap.write(file.path());
    keylog::KeyLog log;
    log.feed(keylog_line());
    log.finish();
    TrackerOptions opt;
    if (keys) opt.keys = &log;
    Collect col;
    std::FILE* err = std::fopen("/dev/null", "w");
    run_file(file.path(), col, opt, err);
    std::fclose(err);
    return col;
}

// The RDP connection (TLS 1.3, which the test's TLS 1.2 key does not open):
// X.224 HYBRID, a pause in which the client asks for tickets (mstsc asks
// between the Connection Confirm and TLS), then an NLA that fails: CredSSP
// records, a short server record, the client's reset.  Returns the time of
// the Connection Confirm.
std::int64_t rdp_with_failing_nla(Conv& cv, std::int64_t pause) {
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    cv.server(connection_confirm(kHybrid));
    const std::int64_t cc = cv.t;
    cv.step(pause);
    cv.client(client_hello());
    cv.server(server_hello_tls13(0x1302));
    cv.client(client_finish_tls13());
    cv.client(app_data(86));
    cv.server(app_data(324));
    cv.client(app_data(706));
    cv.server(app_data(44));
    cv.client_rst();
    return cc;
}

std::vector<std::string> names(const Collect& col) {
    std::vector<std::string> v;
    for (const auto& [f, e] : col.events) v.emplace_back(e.pdu);
    return v;
}

const Field* field(const PduFields& f, std::string_view key) {
    for (const auto& x : f.fields)
        if (x.key == key) return &x;
    return nullptr;
}

}  // namespace

TEST_CASE("KDC proxy over HTTP/2: a KRB-ERROR through the proxy is the NLA failure's cause", "[kdc_proxy][verdict]") {
    Capture cap;
    Conv rdp(cap, 1 * kSec);
    const std::int64_t cc = rdp_with_failing_nla(rdp, 2 * kSec);
    KdcProxyConn kdc(cap, cc + 100 * kMs);
    // The AS exchange: PREAUTH_REQUIRED (the usual first answer), then the
    // password's answer: PREAUTH_FAILED (wrong password) -- or, the near
    // miss, an AS-REP-less but harmless WRONG_REALM referral.
    SECTION("wrong password: KDC_ERR_PREAUTH_FAILED") {
        kdc.exchange(1, true, "/KdcProxy", kAsReq, krb_error(25));
        const std::int64_t t_err = kdc.exchange(3, false, "/KdcProxy", kAsReq, krb_error(24));
        kdc.close();
        const std::uint64_t err_frame = frame_at(cap, t_err);
        const auto col = run(cap);
        CHECK(col.gateways == 0);  // a KDC proxy is no gateway
        REQUIRE(col.conns.size() == 1);
        const auto& s = col.conns[0];
        CHECK(s.verdict.rule == "kerberos_error");
        CHECK(s.verdict.cause == Cause::authentication_failure);
        CHECK(s.verdict.stalled_at == Phase::credssp);
        CHECK(s.verdict.summary.find("KDC_ERR_PREAUTH_FAILED") != std::string::npos);
        CHECK(s.verdict.summary.find("through the KDC proxy 10.0.0.7:443") != std::string::npos);
        CHECK(s.verdict.summary.find("alice@EXAMPLE.COM") != std::string::npos);
        bool evidence = false;
        for (const auto& e : s.verdict.evidence) evidence |= e.frame == err_frame;
        CHECK(evidence);
        // The four messages, each from its stream, the KDC being the proxy.
        REQUIRE(s.kerberos.size() == 4);
        for (const auto& k : s.kerberos) {
            CHECK(k.proxied);
            CHECK(k.tcp);
            CHECK(to_string(k.kdc) == "10.0.0.7:443");
            CHECK(k.during);
        }
        CHECK(s.kerberos[0].type == 10);
        CHECK(s.kerberos[0].http2_stream == 1);
        CHECK(s.kerberos[0].target_domain == std::optional<std::string>("EXAMPLE.COM"));
        CHECK(s.kerberos[1].error_code == 25);
        CHECK(s.kerberos[3].error_code == 24);
        CHECK(s.kerberos[3].http2_stream == 3);
        CHECK(s.kerberos[3].frame == err_frame);
        // dissect: the frames, the decoded headers of both requests (the
        // second's from the dynamic table), the KDC-PROXY-MESSAGEs and Kerberos.
        const auto n = names(col);
        CHECK(std::count(n.begin(), n.end(), "http2.preface") == 1);
        CHECK(std::count(n.begin(), n.end(), "kkdcp.message") == 4);
        CHECK(std::count(n.begin(), n.end(), "kerberos.krb_error") == 2);
        CHECK(std::count(n.begin(), n.end(), "kerberos.as_req") == 2);
        CHECK(std::count(n.begin(), n.end(), "http2.goaway") == 1);
        int requests = 0, responses = 0;
        for (const auto& [f, e] : col.events) {
            if (const Field* p = field(e, "path")) {
                ++requests;
                CHECK(std::get<std::string>(p->value) == "/KdcProxy");
                CHECK(std::get<std::string>(field(e, "authority")->value) == "gw.example.test");
                CHECK(std::get<std::string>(field(e, "content_type")->value) == "application/kerberos");
                CHECK(e.pdu == "http2.continuation");
            }
            if (const Field* st = field(e, "status")) {
                ++responses;
                CHECK(std::get<std::string>(st->value) == "200");
                CHECK(std::get<std::string>(field(e, "content_type")->value) == "application/kerberos");
            }
        }
        CHECK(requests == 2);
        CHECK(responses == 2);
    }
    SECTION("near miss: only PREAUTH_REQUIRED, the normal first answer") {
        kdc.exchange(1, true, "/KdcProxy", kAsReq, krb_error(25));
        kdc.close();
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        REQUIRE(col.conns[0].kerberos.size() == 2);
        CHECK(col.conns[0].kerberos[1].error_code == 25);
    }
    SECTION("near miss: another path is no KDC proxy, nothing is taken for Kerberos") {
        kdc.exchange(1, true, "/api/upload", kAsReq, krb_error(24));
        kdc.close();
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        CHECK(col.conns[0].kerberos.empty());
        const auto n = names(col);
        CHECK(std::count(n.begin(), n.end(), "kkdcp.message") == 0);
        CHECK(std::count(n.begin(), n.end(), "http2.headers") == 2);
    }
    SECTION("without keys nothing is decoded") {
        kdc.exchange(1, true, "/KdcProxy", kAsReq, krb_error(24));
        kdc.close();
        const auto col = run(cap, false);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        CHECK(col.conns[0].kerberos.empty());
    }
}

// ---- the gateway's verdict and its KDC proxy -----------------------------------
namespace {

// MS-TSGU 3.3.5.1 over the WebSocket transport: the client's RDG_OUT_DATA.
const std::string kRdgRequest =
    "RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    "Host: gw.example.test\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

// A client's gateway connection to kGatewayIp:443 (SNI gw.example.test), TLS
// 1.2 with the test's key, records sealed here.
struct GatewayConn {
    Conv cv;
    Sealer cs, ss;
    GatewayConn(Capture& c, std::int64_t start) : cv(c, start) {
        auto [a, b] = sealers(kAes256Gcm);
        cs = a;
        ss = b;
        cv.cl.port = 50200;
        cv.sv = {kGatewayIp, 443};
        cv.handshake(1 * kMs);
        cv.client(client_hello(0, "gw.example.test"), true, 1 * kMs);
        cv.server(server_hello_done({}, kAes256Gcm.id), true, 1 * kMs);
        B point = {65, 0x04};
        point.insert(point.end(), 64, 0x11);
        const B finished = handshake(20, B(12, 0xF1));
        cv.client(join({tls_record(22, handshake(16, point)), tls_record(20, {1}), cs.seal(22, finished)}), true, 1 * kMs);
        cv.server(join({tls_record(20, {1}), ss.seal(22, finished)}), true, 1 * kMs);
    }
    void client(const std::string& plain) { cv.client(cs.seal(23, text(plain)), true, 1 * kMs); }
    // Returns the time of the answer.
    std::int64_t server(const std::string& plain) {
        const std::int64_t t = cv.t + 1 * kMs;
        cv.server(ss.seal(23, text(plain)), true, 1 * kMs);
        return t;
    }
    // What the downgrade-failure capture's gateway does (awakecoding
    // rdp-rdg-no-kdc-proxy-ntlm-downgrade-failure): a first 401 whose
    // Negotiate token is an NTLM CHALLENGE ("TlRMTVNTUA" is "NTLMSSP\0",
    // MS-NLMP 2.2.1), then, after the client's answer, "401 User Account
    // Restricted".  Returns the time of the last 401.
    std::int64_t refuse() {
        client(kRdgRequest);
        server("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate TlRMTVNTUAACAAAADgAOADgAAAAVgoni\r\n"
               "Content-Length: 0\r\n\r\n");
        client(kRdgRequest);
        return server("HTTP/1.1 401 User Account Restricted\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n"
                      "Content-Length: 0\r\n\r\n");
    }
    void close() {
        cv.client_fin(1 * kMs);
        cv.server_fin(1 * kMs);
    }
};

bool cites(const Verdict& v, std::uint64_t frame) {
    for (const auto& e : v.evidence)
        if (e.frame == frame) return true;
    return false;
}

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("gateway verdict: the KDC proxy's 503 before the gateway's 401 is why the client used NTLM", "[kdc_proxy][gateway]") {
    Capture cap;
    GatewayConn gw(cap, 1 * kSec);
    SECTION("the gateway's own KDC proxy answers 503") {
        KdcProxyConn kdc(cap, 1 * kSec + 20 * kMs);
        const std::int64_t t503 = kdc.unavailable(1, kAsReq);
        kdc.close();
        gw.cv.step(200 * kMs);  // after the KDC proxy's answer
        gw.refuse();
        gw.close();
        const std::uint64_t f503 = frame_at(cap, t503);
        REQUIRE(f503 != 0);
        const auto col = run(cap);
        CHECK(col.gateways == 1);  // the KDC proxy is no gateway
        REQUIRE(col.gateway_verdicts.size() == 1);
        const Verdict& v = col.gateway_verdicts[0];
        // The verdict stays the refusal; the KDC proxy is its reason.
        CHECK(v.rule == "gateway_http_refused");
        CHECK(v.verdict == "gateway_auth_refused");
        CHECK(v.cause == Cause::authentication_failure);
        CHECK(v.confidence == Confidence::high);
        CHECK(has(v.summary, "User Account Restricted"));
        CHECK(has(v.summary, fmt::format("HTTP 503 (frame {})", f503)));
        CHECK(has(v.summary, "gw.example.test"));
        CHECK(has(v.summary, "POST /KdcProxy"));
        CHECK(has(v.summary, "NTLM instead"));
        CHECK(has(v.summary, "Protected Users"));
        CHECK(has(v.summary, "connection #1, tied to this one by the client, the server name and the time only"));
        CHECK(cites(v, f503));
        // Evidence in frame order: the 503 comes before the gateway's request.
        REQUIRE(v.evidence.size() >= 4);
        CHECK(v.evidence[0].frame == f503);
        CHECK(std::is_sorted(v.evidence.begin(), v.evidence.end(),
                             [](const auto& a, const auto& b) { return a.frame < b.frame; }));
    }
    SECTION("near miss: the 503 is another host's, so nothing ties it") {
        KdcProxyConn kdc(cap, 1 * kSec + 20 * kMs, 0x0A000009, "other.example.test");
        const std::int64_t t503 = kdc.unavailable(1, kAsReq);
        kdc.close();
        gw.cv.step(200 * kMs);
        gw.refuse();
        gw.close();
        const auto col = run(cap);
        REQUIRE(col.gateway_verdicts.size() == 1);
        const Verdict& v = col.gateway_verdicts[0];
        CHECK(v.verdict == "gateway_auth_refused");
        CHECK(has(v.summary, "User Account Restricted"));
        CHECK_FALSE(has(v.summary, "KDC proxy"));
        CHECK_FALSE(cites(v, frame_at(cap, t503)));
    }
    SECTION("near miss: the 503 comes after the refusal") {
        gw.cv.step(200 * kMs);
        gw.refuse();
        KdcProxyConn kdc(cap, gw.cv.t + 50 * kMs);
        kdc.unavailable(1, kAsReq);
        kdc.close();
        gw.cv.step(300 * kMs);
        gw.close();
        const auto col = run(cap);
        REQUIRE(col.gateway_verdicts.size() == 1);
        CHECK(col.gateway_verdicts[0].verdict == "gateway_auth_refused");
        CHECK_FALSE(has(col.gateway_verdicts[0].summary, "KDC proxy"));
    }
    SECTION("a KRB-ERROR through the KDC proxy that refuses the user is cited") {
        KdcProxyConn kdc(cap, 1 * kSec + 20 * kMs);
        kdc.exchange(1, true, "/KdcProxy", kAsReq, krb_error(25));
        const std::int64_t t24 = kdc.exchange(3, false, "/KdcProxy", kAsReq, krb_error(24));
        kdc.close();
        gw.cv.step(200 * kMs);
        gw.refuse();
        gw.close();
        const std::uint64_t f24 = frame_at(cap, t24);
        const auto col = run(cap);
        REQUIRE(col.gateway_verdicts.size() == 1);
        const Verdict& v = col.gateway_verdicts[0];
        CHECK(v.verdict == "gateway_auth_refused");
        CHECK(has(v.summary, fmt::format("the KDC refused alice@EXAMPLE.COM with KDC_ERR_PREAUTH_FAILED (24) (frame {})", f24)));
        CHECK_FALSE(has(v.summary, "(25)"));  // PREAUTH_REQUIRED is the KDC's normal first answer
        CHECK_FALSE(has(v.summary, "HTTP 503"));
        CHECK(cites(v, f24));
    }
    SECTION("near miss: only PREAUTH_REQUIRED through the KDC proxy") {
        KdcProxyConn kdc(cap, 1 * kSec + 20 * kMs);
        kdc.exchange(1, true, "/KdcProxy", kAsReq, krb_error(25));
        kdc.close();
        gw.cv.step(200 * kMs);
        gw.refuse();
        gw.close();
        const auto col = run(cap);
        REQUIRE(col.gateway_verdicts.size() == 1);
        CHECK(col.gateway_verdicts[0].verdict == "gateway_auth_refused");
        CHECK_FALSE(has(col.gateway_verdicts[0].summary, "KDC proxy"));
    }
}

// ---- the KDC proxy over HTTP/1.1 -------------------------------------------------
namespace {

// A client's KDC proxy connection to kGatewayIp:443 over HTTP/1.1 (MS-KKDCP
// 2.1: HTTP POST to the proxy's URL, Content-Type application/kerberos, the
// body a KDC-PROXY-MESSAGE): TLS 1.2 without ALPN, records sealed here.
struct Http1KdcProxy {
    Conv cv;
    Sealer cs, ss;
    Http1KdcProxy(Capture& c, std::int64_t start) : cv(c, start) {
        auto [a, b] = sealers(kAes256Gcm);
        cs = a;
        ss = b;
        cv.cl.port = 50300;
        cv.sv = {kGatewayIp, 443};
        cv.handshake(1 * kMs);
        cv.client(client_hello(0, "gw.example.test"), true, 1 * kMs);
        cv.server(server_hello_done({}, kAes256Gcm.id), true, 1 * kMs);
        B point = {65, 0x04};
        point.insert(point.end(), 64, 0x11);
        const B finished = handshake(20, B(12, 0xF1));
        cv.client(join({tls_record(22, handshake(16, point)), tls_record(20, {1}), cs.seal(22, finished)}), true, 1 * kMs);
        cv.server(join({tls_record(20, {1}), ss.seal(22, finished)}), true, 1 * kMs);
    }
    // The request's head and the first half of its body in one record, the
    // rest in the next (a body is gathered across records).
    void request(const B& krb) {
        const B body = kdc_proxy_message(krb, "EXAMPLE.COM");
        const std::size_t half = body.size() / 2;
        const std::string head = "POST /KdcProxy HTTP/1.1\r\nCache-Control: no-cache\r\nConnection: Keep-Alive\r\n"
                                 "Pragma: no-cache\r\nContent-Type: application/kerberos\r\nUser-Agent: kerberos/1.0\r\n"
                                 "Content-Length: " + std::to_string(body.size()) + "\r\nHost: gw.example.test\r\n\r\n";
        cv.client(cs.seal(23, join({text(head), B(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(half))})), true,
                  1 * kMs);
        cv.client(cs.seal(23, B(body.begin() + static_cast<std::ptrdiff_t>(half), body.end())), true, 1 * kMs);
    }
    // The answer, with a Content-Length or (`chunked`) in two chunks (RFC
    // 9112 7.1).  Returns the time of the segment that completes it.
    std::int64_t answer(const B& krb, bool chunked = false) {
        const B body = kdc_proxy_message(krb);
        B msg;
        if (chunked) {
            const std::size_t half = body.size() / 2;
            auto hexlen = [](std::size_t n) { return fmt::format("{:x}\r\n", n); };
            msg = join({text("HTTP/1.1 200 OK\r\nContent-Type: application/kerberos\r\nTransfer-Encoding: chunked\r\n\r\n"),
                        text(hexlen(half)), B(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(half)), text("\r\n"),
                        text(hexlen(body.size() - half)), B(body.begin() + static_cast<std::ptrdiff_t>(half), body.end()),
                        text("\r\n0\r\n\r\n")});
        } else {
            msg = join({text("HTTP/1.1 200 OK\r\nContent-Type: application/kerberos\r\nServer: Microsoft-HTTPAPI/2.0\r\n"
                             "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"),
                        body});
        }
        const std::int64_t t = cv.t + 1 * kMs;
        cv.server(ss.seal(23, msg), true, 1 * kMs);
        return t;
    }
    // A gateway whose KDC proxy is off (HTTP.sys' 503 page).  Returns its time.
    std::int64_t unavailable() {
        const std::string page = "<h2>Service Unavailable</h2>";
        const std::int64_t t = cv.t + 1 * kMs;
        cv.server(ss.seal(23, text("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html; charset=us-ascii\r\n"
                                   "Content-Length: " + std::to_string(page.size()) + "\r\n\r\n" + page)),
                  true, 1 * kMs);
        return t;
    }
    void close() {
        cv.client_fin(1 * kMs);
        cv.server_fin(1 * kMs);
    }
};

}  // namespace

TEST_CASE("KDC proxy over HTTP/1.1: a KRB-ERROR 24 through the proxy is the NLA failure's cause", "[kdc_proxy][http1]") {
    Capture cap;
    Conv rdp(cap, 1 * kSec);
    const std::int64_t cc = rdp_with_failing_nla(rdp, 2 * kSec);
    Http1KdcProxy kdc(cap, cc + 100 * kMs);
    SECTION("Content-Length bodies") {
        kdc.request(kAsReq);
        kdc.answer(krb_error(25));
        kdc.request(kAsReq);
        const std::int64_t t24 = kdc.answer(krb_error(24));
        kdc.close();
        const std::uint64_t f24 = frame_at(cap, t24);
        const auto col = run(cap);
        CHECK(col.gateways == 0);  // a KDC proxy is no gateway
        REQUIRE(col.conns.size() == 1);
        const auto& s = col.conns[0];
        CHECK(s.verdict.rule == "kerberos_error");
        CHECK(s.verdict.cause == Cause::authentication_failure);
        CHECK(s.verdict.summary.find("KDC_ERR_PREAUTH_FAILED") != std::string::npos);
        CHECK(s.verdict.summary.find("through the KDC proxy 10.0.0.7:443") != std::string::npos);
        CHECK(s.verdict.summary.find("alice@EXAMPLE.COM") != std::string::npos);
        bool cited = false;
        for (const auto& e : s.verdict.evidence)
            if (e.frame == f24) {
                cited = true;
                CHECK(e.note.find("(HTTP/1.1)") != std::string::npos);
            }
        CHECK(cited);
        REQUIRE(s.kerberos.size() == 4);
        for (const auto& k : s.kerberos) {
            CHECK(k.proxied);
            CHECK(k.http2_stream == 0);
            CHECK(to_string(k.kdc) == "10.0.0.7:443");
        }
        CHECK(s.kerberos[0].type == 10);  // AS-REQ
        CHECK(s.kerberos[0].target_domain == std::optional<std::string>("EXAMPLE.COM"));
        CHECK(s.kerberos[1].error_code == 25);
        CHECK(s.kerberos[3].error_code == 24);
        CHECK(s.kerberos[3].frame == f24);
        // dissect: the heads, the four KDC-PROXY-MESSAGEs (no HTTP/2 stream), the Kerberos messages.
        const auto n = names(col);
        CHECK(std::count(n.begin(), n.end(), "kkdcp.message") == 4);
        CHECK(std::count(n.begin(), n.end(), "kerberos.as_req") == 2);
        CHECK(std::count(n.begin(), n.end(), "kerberos.krb_error") == 2);
        for (const auto& [f, e] : col.events)
            if (e.pdu == "kkdcp.message") CHECK(field(e, "stream") == nullptr);
    }
    SECTION("a chunked answer") {
        kdc.request(kAsReq);
        const std::int64_t t24 = kdc.answer(krb_error(24), true);
        kdc.close();
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule == "kerberos_error");
        REQUIRE(col.conns[0].kerberos.size() == 2);
        CHECK(col.conns[0].kerberos[1].error_code == 24);
        CHECK(col.conns[0].kerberos[1].frame == frame_at(cap, t24));
    }
    SECTION("near miss: PREAUTH_REQUIRED only") {
        kdc.request(kAsReq);
        kdc.answer(krb_error(25));
        kdc.close();
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        REQUIRE(col.conns[0].kerberos.size() == 2);
    }
    SECTION("without keys nothing is decoded") {
        kdc.request(kAsReq);
        kdc.answer(krb_error(24));
        kdc.close();
        const auto col = run(cap, false);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        CHECK(col.conns[0].kerberos.empty());
    }
}

TEST_CASE("gateway verdict: a KDC proxy's 503 over HTTP/1.1 before the gateway's 401", "[kdc_proxy][http1][gateway]") {
    Capture cap;
    GatewayConn gw(cap, 1 * kSec);
    Http1KdcProxy kdc(cap, 1 * kSec + 20 * kMs);
    kdc.request(kAsReq);
    const std::int64_t t503 = kdc.unavailable();
    kdc.close();
    gw.cv.step(200 * kMs);
    gw.refuse();
    gw.close();
    const std::uint64_t f503 = frame_at(cap, t503);
    const auto col = run(cap);
    REQUIRE(col.gateway_verdicts.size() == 1);
    const Verdict& v = col.gateway_verdicts[0];
    CHECK(v.verdict == "gateway_auth_refused");
    CHECK(has(v.summary, fmt::format("HTTP 503 Service Unavailable (frame {})", f503)));
    CHECK(has(v.summary, "NTLM instead"));
    CHECK(cites(v, f503));
}
