// SPDX-License-Identifier: MIT
// RD Gateway connections end to end: synthetic captures of a client talking
// to a gateway on 443 -- TCP, a TLS 1.2 handshake, then records this test
// seals itself (tests/tls_sealer.hpp) holding the HTTP/1.1 requests and
// answers (RFC 9112), the 101 upgrade and WebSocket frames (RFC 6455, the
// client's masked) carrying MS-TSGU packets built field by field from
// MS-TSGU 2.2.10.  Each gateway rule fires on its capture; an ordinary HTTPS
// exchange with the same keys yields no gateway, and without keys nothing is
// decoded.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "analyze/gateway_stage.hpp"
#include "analyze/gateway_udp.hpp"
#include "analyze/run.hpp"
#include "analyze/verdict.hpp"
#include "dissect/dtls_record.hpp"
#include "dissect/rdp_neg.hpp"
#include "report/writers.hpp"
#include "capture_builder.hpp"
#include "rdp_builder.hpp"
#include "test_util.hpp"
#include "tls_sealer.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using namespace rdpscope::test::rdp;
using namespace rdpscope::test::sealed;

namespace {

B text(const std::string& s) { return B(s.begin(), s.end()); }
void le16(B& b, std::uint16_t v) { b.insert(b.end(), {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)}); }
void le32b(B& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
B utf16(const std::string& s) {
    B b;
    for (char c : s) le16(b, static_cast<std::uint8_t>(c));
    le16(b, 0);
    return b;
}

// MS-TSGU 2.2.10.9: packetType, reserved, packetLength (the whole packet), then the body.
B packet(std::uint16_t type, const B& body) {
    B b;
    le16(b, type);
    le16(b, 0);
    le32b(b, static_cast<std::uint32_t>(8 + body.size()));
    b.insert(b.end(), body.begin(), body.end());
    return b;
}
B handshake_request() { return packet(0x1, {1, 0, 0, 0, 0, 0}); }  // 1.0, clientVersion 0, extendedAuth none
B handshake_response(std::uint32_t err = 0) {
    B b;
    le32b(b, err);
    b.insert(b.end(), {1, 0, 0, 0, 0, 0});
    return packet(0x2, b);
}
B tunnel_create() { return packet(0x4, {0x3f, 0, 0, 0, 0, 0, 0, 0}); }
B tunnel_response(std::uint32_t status = 0) {  // serverVersion, statusCode, fieldsPresent TUNNEL_ID, reserved, tunnelId
    B b;
    le16(b, 0);
    le32b(b, status);
    le16(b, 1);
    le16(b, 0);
    le32b(b, 7);
    return packet(0x5, b);
}
B tunnel_auth() {  // fieldsPresent, cbClientName, clientName
    const B name = utf16("PC1");
    B b;
    le16(b, 0);
    le16(b, static_cast<std::uint16_t>(name.size()));
    b.insert(b.end(), name.begin(), name.end());
    return packet(0x6, b);
}
B tunnel_auth_response(std::uint32_t err = 0) {  // errorCode, fieldsPresent, reserved
    B b;
    le32b(b, err);
    le32b(b, 0);
    return packet(0x7, b);
}
B channel_create() {  // numResources 1, numAltResources 0, port 3389, protocol 3, "srv1"
    B b = {1, 0};
    le16(b, 3389);
    le16(b, 3);
    const B name = utf16("srv1");
    le16(b, static_cast<std::uint16_t>(name.size()));
    b.insert(b.end(), name.begin(), name.end());
    return packet(0x8, b);
}
B channel_response(std::uint32_t err = 0) {  // errorCode, fieldsPresent CHANNELID (when granted), reserved, channelId
    B b;
    le32b(b, err);
    le16(b, err ? 0 : 1);
    le16(b, 0);
    if (!err) le32b(b, 1);
    return packet(0x9, b);
}
B data_packet(const B& rdp) {
    B b;
    le16(b, static_cast<std::uint16_t>(rdp.size()));
    b.insert(b.end(), rdp.begin(), rdp.end());
    return packet(0xA, b);
}

// RFC 6455 5.2: one binary frame, FIN; masked (the client's) with a fixed key.
B frame(const B& payload, bool masked) {
    B b = {0x82};
    const std::size_t n = payload.size();
    const std::uint8_t m = masked ? 0x80 : 0;
    if (n < 126) b.push_back(static_cast<std::uint8_t>(m | n));
    else b.insert(b.end(), {static_cast<std::uint8_t>(m | 126), static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
    const std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (masked) b.insert(b.end(), key, key + 4);
    for (std::size_t i = 0; i < n; ++i) b.push_back(masked ? payload[i] ^ key[i & 3] : payload[i]);
    return b;
}

const std::string kRequest =
    "RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    "Host: gw.example.test\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const std::string kUpgrade =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kMWzzhZxOo=\r\n\r\n";

struct Gw {
    Capture cap;
    Conv cv{cap};
    Sealer cs, ss;
    Gw() {
        auto [c, s] = sealers(kAes256Gcm);
        cs = c;
        ss = s;
        cv.sv.port = 443;
        cv.handshake();
        cv.client(client_hello(0, "gw.example.test"));
        cv.server(server_hello_done({}, kAes256Gcm.id));
        B point = {65, 0x04};
        point.insert(point.end(), 64, 0x11);
        const B finished = handshake(20, B(12, 0xF1));
        cv.client(join({tls_record(22, handshake(16, point)), tls_record(20, {1}), cs.seal(22, finished)}));
        cv.server(join({tls_record(20, {1}), ss.seal(22, finished)}));
    }
    void client(const B& plain) { cv.client(cs.seal(23, plain)); }
    void server(const B& plain) { cv.server(ss.seal(23, plain)); }
    void client_packet(const B& p) { client(frame(p, true)); }
    void server_packet(const B& p) { server(frame(p, false)); }
    // The WebSocket transport up to the tunnel authorization, all granted.
    void upgrade_and_tunnel() {
        client(text(kRequest));
        server(text(kUpgrade));
        client_packet(handshake_request());
        server_packet(handshake_response());
        client_packet(tunnel_create());
        server_packet(tunnel_response());
        client_packet(tunnel_auth());
    }
};

struct GatewaySeen {
    Verdict v;
    GatewayFacts g;
};

struct InnerSeen {
    Verdict v;
    Connection::ViaGateway via;
    std::string client, server;
    std::uint64_t cr_frame = 0, cc_frame = 0, client_hello_frame = 0;
};

class Collect : public FileObserver {
public:
    std::vector<GatewaySeen> gateways;
    std::vector<InnerSeen> inner;   // the RDP connections inside a gateway's tunnel
    std::uint64_t gateway_conn = ~0ull;
    std::vector<std::uint64_t> gateway_ids;  // of `gateways`, in order
    std::size_t connections = 0;    // the others
    std::vector<std::string> pdus;
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
    void connection_done(const Connection& c, const Verdict& v) override {
        CHECK(rule_allows(v.rule, v.cause, v.code.code));
        if (!c.via_gateway) {
            ++connections;
            return;
        }
        inner.push_back({v, *c.via_gateway, to_string(c.client()), to_string(c.server()), c.rdp.neg.cr_frame,
                         c.rdp.neg.cc_frame, c.rdp.tls.facts().client_hello_frame});
    }
    void gateway_done(const Connection& c, const Verdict& v) override {
        CHECK(rule_allows(v.rule, v.cause, v.code.code));
        gateway_conn = c.id;
        gateway_ids.push_back(c.id);
        gateways.push_back({v, c.gateway->facts()});
    }
};

Collect run(Gw& gw, bool keys = true) {
    gw.cv.client_fin();
    gw.cv.server_fin();
    auto& cap = gw.cap;
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-gateway");
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

}  // namespace

TEST_CASE("gateway: WebSocket transport, the channel opens and carries RDP", "[gateway]") {
    Gw gw;
    gw.upgrade_and_tunnel();
    gw.server_packet(tunnel_auth_response());
    gw.client_packet(channel_create());
    gw.server_packet(channel_response());
    gw.client_packet(data_packet(connection_request(rdpneg::PROTOCOL_SSL)));
    gw.server_packet(data_packet(connection_confirm(rdpneg::PROTOCOL_SSL)));
    auto col = run(gw);
    CHECK(col.connections == 0);  // no RDP connection on the wire
    REQUIRE(col.gateways.size() == 1);
    const auto& [v, g] = col.gateways[0];
    CHECK(g.transport == GatewayFacts::Transport::websocket);
    CHECK(std::string(to_string(g.transport)) == "rdg-websocket");
    CHECK(g.method == "RDG_OUT_DATA");
    CHECK(g.upgrade_frame != 0);
    CHECK(g.handshake.status == 0u);
    CHECK(g.tunnel_id == 7u);
    CHECK(g.client_name == "PC1");
    CHECK(g.target_host == "srv1");
    CHECK(g.target_port == 3389);
    CHECK(g.channel_id == 1u);
    CHECK(g.data_packets[0] == 1);
    CHECK(g.data_packets[1] == 1);
    CHECK(v.cause == Cause::none);
    CHECK(v.verdict == "gateway_channel_open");
    CHECK(v.phase == Phase::gateway_channel);
    CHECK_FALSE(v.stalled_at);
}

TEST_CASE("gateway: HTTP 401 after the client answered the challenge", "[gateway]") {
    Gw gw;
    gw.client(text(kRequest));
    gw.server(text("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate TlRMTVNTUAACAAAA\r\nContent-Length: 4\r\n\r\nbody"));
    gw.client(text(kRequest));
    gw.server(text("HTTP/1.1 401 User Account Restricted\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n"
                   "Content-Length: 0\r\n\r\n"));
    auto col = run(gw);
    REQUIRE(col.gateways.size() == 1);
    const auto& [v, g] = col.gateways[0];
    REQUIRE(g.responses.size() == 2);
    CHECK(g.responses[1].reason == "User Account Restricted");
    CHECK(v.cause == Cause::authentication_failure);
    CHECK(v.verdict == "gateway_auth_refused");
    CHECK(v.stalled_at == Phase::gateway_auth);
    CHECK(v.phase == Phase::gateway_connect);
    CHECK(v.confidence == Confidence::high);
    CHECK(v.summary.find("User Account Restricted") != std::string::npos);
    CHECK(v.summary.find("Negotiate, NTLM") != std::string::npos);
}

TEST_CASE("gateway: a lone first challenge is only a medium-confidence refusal", "[gateway]") {
    Gw gw;
    gw.client(text(kRequest));
    gw.server(text("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n"));
    auto col = run(gw);
    REQUIRE(col.gateways.size() == 1);
    CHECK(col.gateways[0].v.verdict == "gateway_auth_refused");
    CHECK(col.gateways[0].v.confidence == Confidence::medium);
}

TEST_CASE("gateway: the resource authorization policy denies the target", "[gateway]") {
    Gw gw;
    gw.upgrade_and_tunnel();
    gw.server_packet(tunnel_auth_response());
    gw.client_packet(channel_create());
    gw.server_packet(channel_response(0x800759DA));
    auto col = run(gw);
    REQUIRE(col.gateways.size() == 1);
    const auto& v = col.gateways[0].v;
    CHECK(v.cause == Cause::gateway_policy_denied);
    CHECK(v.verdict == "gateway_rap_denied");
    CHECK(v.stalled_at == Phase::gateway_channel);
    CHECK(v.phase == Phase::gateway_tunnel);
    CHECK(v.summary.find("E_PROXY_RAP_ACCESSDENIED") != std::string::npos);
    CHECK(v.summary.find("srv1:3389") != std::string::npos);
}

TEST_CASE("gateway: the gateway cannot reach the target", "[gateway]") {
    Gw gw;
    gw.upgrade_and_tunnel();
    gw.server_packet(tunnel_auth_response());
    gw.client_packet(channel_create());
    gw.server_packet(channel_response(0x800759DD));
    auto col = run(gw);
    REQUIRE(col.gateways.size() == 1);
    CHECK(col.gateways[0].v.cause == Cause::server_unresponsive);
    CHECK(col.gateways[0].v.verdict == "gateway_target_unreachable");
}

TEST_CASE("gateway: the connection authorization policy denies the user", "[gateway]") {
    Gw gw;
    gw.upgrade_and_tunnel();
    gw.server_packet(tunnel_auth_response(0x800759DB));
    auto col = run(gw);
    REQUIRE(col.gateways.size() == 1);
    CHECK(col.gateways[0].v.cause == Cause::gateway_policy_denied);
    CHECK(col.gateways[0].v.verdict == "gateway_cap_denied");
    CHECK(col.gateways[0].v.stalled_at == Phase::gateway_tunnel);
}

TEST_CASE("gateway: the client closes after the upgrade, before the tunnel", "[gateway]") {
    Gw gw;
    gw.client(text(kRequest));
    gw.server(text(kUpgrade));
    auto col = run(gw);
    REQUIRE(col.gateways.size() == 1);
    CHECK(col.gateways[0].v.cause == Cause::closed_by_client);
    CHECK(col.gateways[0].v.verdict == "closed_during_gateway_tunnel");
}

TEST_CASE("gateway: ordinary HTTPS with keys, and a gateway without keys, give no gateway", "[gateway]") {
    {
        Gw gw;
        gw.client(text("GET /index.html HTTP/1.1\r\nHost: www.example.test\r\n\r\n"));
        gw.server(text("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
        auto col = run(gw);
        CHECK(col.gateways.empty());
        CHECK(col.connections == 0);
    }
    {
        Gw gw;
        gw.upgrade_and_tunnel();
        auto col = run(gw, false);
        CHECK(col.gateways.empty());
        CHECK(col.connections == 0);
    }
}

// The RDP connection carried by the data packets (MS-TSGU 2.2.10.6) goes
// through the ordinary pipeline and gets its own verdict, naming its gateway.
TEST_CASE("gateway: the RDP connection inside the tunnel is judged on its own", "[gateway]") {
    SECTION("the client closes the tunnel right after the Connection Confirm: it refused the selected protocol") {
        Gw gw;
        gw.upgrade_and_tunnel();
        gw.server_packet(tunnel_auth_response());
        gw.client_packet(channel_create());
        gw.server_packet(channel_response());
        // Offered SSL|HYBRID, given SSL only: less than the client's best (given its best,
        // a client that leaves at once is a probe, rule probe_after_confirm).
        gw.client_packet(data_packet(connection_request(rdpneg::PROTOCOL_SSL | rdpneg::PROTOCOL_HYBRID)));
        gw.server_packet(data_packet(connection_confirm(rdpneg::PROTOCOL_SSL)));
        auto col = run(gw);  // then the client's FIN, the server's
        REQUIRE(col.gateways.size() == 1);
        CHECK(col.gateways[0].v.verdict == "gateway_channel_open");
        REQUIRE(col.inner.size() == 1);
        const auto& in = col.inner[0];
        CHECK(in.via.conn == col.gateway_conn);
        CHECK(in.via.target == "srv1");
        CHECK(in.via.port == 3389);
        CHECK(in.server.ends_with(":443"));  // the tunnel's ends: the client and the gateway
        CHECK(in.cr_frame != 0);
        CHECK(in.cc_frame > in.cr_frame);
        INFO(in.v.verdict << ": " << in.v.summary << " phase " << (in.v.phase ? to_string(*in.v.phase) : "-")
                          << " stalled_at " << (in.v.stalled_at ? to_string(*in.v.stalled_at) : "-"));
        // Rule client_refused_protocol: within 5 s of the Connection Confirm
        // the client closes (here: the tunnel's FIN) without sending anything;
        // judged as on a plain TCP connection (tests/test_verdict.cpp).
        CHECK(in.v.phase == Phase::tcp_connect);
        CHECK(in.v.stalled_at == Phase::x224_negotiation);
        CHECK(in.v.waiting_on == WaitingOn::client);
        CHECK(in.v.cause == Cause::protocol_mismatch);
        CHECK(in.v.verdict == "client_refused_selected_protocol");
    }
    SECTION("the target refuses the TLS handshake: tls_mismatch inside, the gateway's channel open") {
        Gw gw;
        gw.upgrade_and_tunnel();
        gw.server_packet(tunnel_auth_response());
        gw.client_packet(channel_create());
        gw.server_packet(channel_response());
        gw.client_packet(data_packet(connection_request(rdpneg::PROTOCOL_SSL)));
        gw.server_packet(data_packet(connection_confirm(rdpneg::PROTOCOL_SSL)));
        gw.client_packet(data_packet(client_hello()));
        gw.server_packet(data_packet(alert(40)));  // handshake_failure
        auto col = run(gw);
        REQUIRE(col.gateways.size() == 1);
        CHECK(col.gateways[0].v.verdict == "gateway_channel_open");
        REQUIRE(col.inner.size() == 1);
        const auto& in = col.inner[0];
        INFO(in.v.verdict << ": " << in.v.summary);
        CHECK(in.client_hello_frame > in.cc_frame);
        CHECK(in.v.cause == Cause::tls_mismatch);
        CHECK(in.v.verdict == "alert_handshake_failure");
        CHECK(in.v.stalled_at == Phase::tls_handshake);
    }
    SECTION("a refused channel carries no RDP connection") {
        Gw gw;
        gw.upgrade_and_tunnel();
        gw.server_packet(tunnel_auth_response());
        gw.client_packet(channel_create());
        gw.server_packet(channel_response(0x800759DAu));  // E_PROXY_RAP_ACCESSDENIED
        auto col = run(gw);
        REQUIRE(col.gateways.size() == 1);
        CHECK(col.inner.empty());
    }
}

// What `analyze` prints for a gateway capture: the inner connection names its
// gateway and has no TCP of its own; the summary counts the gateways, and one
// whose channel did not open makes the exit status 1.
namespace {

struct Printed {
    std::string out;
    std::uint64_t incomplete = 0;
};

Printed print(Gw& gw, Format format) {
    gw.cv.client_fin();
    gw.cv.server_fin();
    auto& cap = gw.cap;
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile in("rdpscope-gateway-in"), out("rdpscope-gateway-out");
    cap.write(in.path());
    keylog::KeyLog log;
    log.feed(keylog_line());
    log.finish();
    TrackerOptions opt;
    opt.keys = &log;
    std::FILE* o = std::fopen(out.path().c_str(), "w");
    std::FILE* err = std::fopen("/dev/null", "w");
    Printed p;
    {
        ReportWriter w(o, err, format);
        run_file(in.path(), w, opt, err);
        w.finish();
        p.incomplete = w.incomplete();
    }
    std::fclose(o);
    std::fclose(err);
    std::ifstream f(out.path());
    std::stringstream ss;
    ss << f.rdbuf();
    p.out = ss.str();
    return p;
}

}  // namespace

TEST_CASE("gateway: analyze names the inner connection's gateway and counts gateways in the summary", "[gateway][report]") {
    auto build_open = [](Gw& gw) {
        gw.upgrade_and_tunnel();
        gw.server_packet(tunnel_auth_response());
        gw.client_packet(channel_create());
        gw.server_packet(channel_response());
        gw.client_packet(data_packet(connection_request(rdpneg::PROTOCOL_SSL)));
        gw.server_packet(data_packet(connection_confirm(rdpneg::PROTOCOL_SSL)));
    };
    {
        Gw gw;
        build_open(gw);
        const Printed p = print(gw, Format::json);
        nlohmann::json gateway, inner, summary;
        std::istringstream lines(p.out);
        for (std::string line; std::getline(lines, line);) {
            auto j = nlohmann::json::parse(line);
            const std::string type = j.value("type", "");
            if (type == "gateway") gateway = j;
            if (type == "connection") inner = j;
            if (type == "summary") summary = j;
        }
        REQUIRE(gateway.is_object());
        REQUIRE(inner.is_object());
        CHECK(inner["transport"] == "rdg-tunnel");
        CHECK(inner["via_gateway"]["conn"] == gateway["conn"]);
        CHECK(inner["via_gateway"]["target"] == "srv1");
        CHECK(inner["via_gateway"]["port"] == 3389);
        CHECK_FALSE(inner.contains("tcp"));
        CHECK(inner["negotiation"]["selected_protocol"] == rdpneg::PROTOCOL_SSL);
        REQUIRE(summary.is_object());
        CHECK(summary["connections"] == 1);  // the inner one
        CHECK(summary["gateways"]["connections"] == 1);
        CHECK(summary["gateways"]["channel_open"] == 1);
        CHECK(p.incomplete == 1);  // the inner handshake stopped before TLS
    }
    {
        Gw gw;
        build_open(gw);
        const Printed p = print(gw, Format::text);
        CHECK(p.out.find("RDP in gateway tunnel") != std::string::npos);
        CHECK(p.out.find("carried by gateway #0 to srv1:3389") != std::string::npos);
        CHECK(p.out.find("1 RD Gateway connection, 1 with the channel open") != std::string::npos);
    }
    {
        Gw gw;
        gw.upgrade_and_tunnel();
        gw.server_packet(tunnel_auth_response());
        gw.client_packet(channel_create());
        gw.server_packet(channel_response(0x800759DAu));  // E_PROXY_RAP_ACCESSDENIED
        const Printed p = print(gw, Format::json);
        CHECK(p.out.find("\"type\":\"connection\"") == std::string::npos);
        CHECK(p.out.find("\"gateways\":{\"connections\":1,\"channel_open\":0") != std::string::npos);
        CHECK(p.incomplete == 1);  // the refused gateway: exit status 1
    }
}

// ---- without keys: recognised by shape (analyze/gateway_shape.hpp) ----------
namespace {

// A ServerHello (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) selecting
// ALPN `proto` (RFC 7301 3.1), and ServerHelloDone: one record.
B server_hello_alpn(const std::string& proto) {
    B body = {3, 3};
    for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(0x40 + i));
    body.insert(body.end(), {0, 0xC0, 0x2F, 0});  // session id, suite, compression
    B ext = {0x00, 0x10, 0, static_cast<std::uint8_t>(proto.size() + 3), 0, static_cast<std::uint8_t>(proto.size() + 1),
             static_cast<std::uint8_t>(proto.size())};
    ext.insert(ext.end(), proto.begin(), proto.end());
    body.push_back(0);
    body.push_back(static_cast<std::uint8_t>(ext.size()));
    body.insert(body.end(), ext.begin(), ext.end());
    return tls_record(22, join({handshake(2, body), handshake(14, {})}));
}

// TCP and a TLS 1.2 handshake on another connection of the capture; its
// records are opaque (no keys): CCS then an "encrypted" Finished each way.
void tls_up(Conv& cv, const B& server_hello) {
    cv.sv.port = 443;
    cv.handshake();
    cv.client(client_hello(0, "gw.example.test"));
    cv.server(server_hello);
    B point = {65, 0x04};
    point.insert(point.end(), 64, 0x11);
    cv.client(join({tls_record(22, handshake(16, point)), tls_record(20, {1}), tls_record(22, B(40, 0xE1))}));
    cv.server(join({tls_record(20, {1}), tls_record(22, B(40, 0xE2))}));
}

Collect run_capture(Capture& cap, TrackerOptions opt = {}) {
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-gateway-shape");
    cap.write(file.path());
    Collect col;
    std::FILE* err = std::fopen("/dev/null", "w");
    run_file(file.path(), col, opt, err);
    std::fclose(err);
    return col;
}

}  // namespace

// MS-TSGU 2.2.3.2: after the upgrade one connection carries the session both
// ways.  Seventy exchanges 20 ms apart (an inner RDP connection sends about 40
// client records before any input): 300 bytes up, 1500 down each.
TEST_CASE("gateway without keys: a long two-way connection has the WebSocket transport's shape", "[gateway]") {
    Gw gw;
    gw.upgrade_and_tunnel();
    for (int i = 0; i < 70; ++i) {
        gw.cv.client(app_data(300), true, 20 * kMs);
        gw.cv.server(app_data(1500), true, 2 * kMs);
    }
    auto col = run(gw, false);
    REQUIRE(col.gateways.size() == 1);
    const auto& v = col.gateways[0].v;
    CHECK(v.rule == "gateway_tunnel_shape");
    CHECK(v.verdict == "gateway_tunnel_shape");
    CHECK(v.cause == Cause::none);
    CHECK(v.confidence == Confidence::medium);  // no ALPN offered, as mstsc
    CHECK(v.phase == Phase::gateway_connect);
    CHECK(v.summary.find("WebSocket transport") != std::string::npos);
    CHECK(col.connections == 0);
}

// MS-TSGU 2.2.3.1: RDG_OUT_DATA (the gateway's data) and RDG_IN_DATA (the
// client's) on two connections opened together.
TEST_CASE("gateway without keys: a pair of one-way connections has the HTTP transport's shape", "[gateway]") {
    Capture cap;
    Conv out(cap, 0), in(cap, 50 * kMs);
    in.cl.port = 50001;
    tls_up(out, server_hello_done({}, 0xC02F));
    tls_up(in, server_hello_done({}, 0xC02F));
    out.client(app_data(300));
    in.client(app_data(300));
    for (int i = 0; i < 12; ++i) {
        out.server(app_data(1400), true, 100 * kMs);
        in.client(app_data(900), true, 100 * kMs);
    }
    in.server(app_data(200));
    for (Conv* c : {&out, &in}) {
        c->client_fin();
        c->server_fin();
    }
    auto col = run_capture(cap);
    REQUIRE(col.gateways.size() == 2);
    for (const auto& g : col.gateways) {
        CHECK(g.v.rule == "gateway_tunnel_shape");
        CHECK(g.v.summary.find("HTTP transport") != std::string::npos);
    }
    CHECK(((col.gateways[0].v.summary.find("RDG_OUT_DATA") != std::string::npos) !=
           (col.gateways[1].v.summary.find("RDG_OUT_DATA") != std::string::npos)));
}

// Ordinary HTTPS: a page, then a download (one way); neither shape.
TEST_CASE("gateway without keys: ordinary HTTPS on 443 is no gateway", "[gateway]") {
    Capture cap;
    Conv page(cap, 0), download(cap, 20 * kMs);
    download.cl.port = 50001;
    tls_up(page, server_hello_done({}, 0xC02F));
    tls_up(download, server_hello_done({}, 0xC02F));
    page.client(app_data(400));
    page.server(app_data(3000));
    download.client(app_data(400));
    for (int i = 0; i < 30; ++i) download.server(app_data(1400), true, 100 * kMs);
    for (Conv* c : {&page, &download}) {
        c->client_fin();
        c->server_fin();
    }
    auto col = run_capture(cap);
    CHECK(col.gateways.empty());
    CHECK(col.connections == 0);
}

// A short connection without ALPN beside an HTTP/2 one to the same server
// (mstsc's KDC proxy, MS-KKDCP): said, with low confidence, to be HTTPS that
// may or may not be a gateway; the HTTP/2 one is not reported.  Named by
// --gateway, a short connection is said to be so as well.
TEST_CASE("gateway without keys: a gateway client's marks without a tunnel's shape", "[gateway]") {
    auto build = [](Capture& cap, bool kdc_proxy) {
        Conv tunnel(cap, 0), kdc(cap, 30 * kMs);
        kdc.cl.port = 50001;
        tls_up(tunnel, server_hello_done({}, 0xC02F));
        tunnel.client(app_data(500));
        tunnel.server(app_data(700));
        tunnel.client(app_data(1500));
        tunnel.server(app_data(400));
        tunnel.server_fin();
        tunnel.client_fin();
        if (kdc_proxy) {
            tls_up(kdc, server_hello_alpn("h2"));
            kdc.client(app_data(300));
            kdc.server(app_data(300));
            kdc.client_fin();
            kdc.server_fin();
        }
    };
    {
        Capture cap;
        build(cap, true);
        auto col = run_capture(cap);
        REQUIRE(col.gateways.size() == 1);
        const auto& v = col.gateways[0].v;
        CHECK(v.rule == "gateway_stopped");
        CHECK(v.confidence == Confidence::low);
        CHECK(v.cause == Cause::closed_by_server);
        CHECK(v.summary.find("may or may not be a gateway") != std::string::npos);
        CHECK(v.summary.find("HTTP/2") != std::string::npos);
    }
    {
        Capture cap;
        build(cap, false);
        CHECK(run_capture(cap).gateways.empty());
    }
    {
        Capture cap;
        build(cap, false);
        TrackerOptions opt;
        opt.gateway_names.push_back({"GW.example.test", 0});
        auto col = run_capture(cap, opt);
        REQUIRE(col.gateways.size() == 1);
        CHECK(col.gateways[0].v.confidence == Confidence::low);
        CHECK(col.gateways[0].v.summary.find("--gateway names its server") != std::string::npos);
    }
}

TEST_CASE("gateway shape: the rules on briefs", "[gateway]") {
    ShapeBrief a;
    a.conn = 1;
    a.client_hello_frame = 4;
    a.first_ts = 0;
    a.tls_up_ts = 100'000'000;
    a.last_ts = 5'000'000'000;
    a.app_bytes = {100'000, 250'000};
    a.app_records = {400, 390};
    CHECK(classify_shape(a, {}).kind == GatewayShape::Kind::websocket);
    // Keep-alive HTTPS (a few dozen requests, pages back) is long and two-way too: not a tunnel.
    ShapeBrief keepalive = a;
    keepalive.app_bytes = {17'375, 254'683};
    keepalive.app_records = {25, 33};
    CHECK(classify_shape(keepalive, {}).kind == GatewayShape::Kind::none);
    keepalive.app_records = {70, 80};  // an RDP connection's worth of client records
    CHECK(classify_shape(keepalive, {}).kind == GatewayShape::Kind::websocket);
    ShapeBrief shortened = a;
    shortened.last_ts = 600'000'000;  // half a second after TLS
    CHECK(classify_shape(shortened, {}).kind == GatewayShape::Kind::none);
    ShapeBrief h2 = a;
    h2.h2 = true;  // HTTP/2 carries no MS-TSGU tunnel
    CHECK(classify_shape(h2, {}).kind == GatewayShape::Kind::none);
    ShapeBrief out = a, in = a;
    out.app_bytes = {600, 300'000};
    in.conn = 2;
    in.app_bytes = {80'000, 400};
    const auto s = classify_shape(out, {in});
    CHECK(s.kind == GatewayShape::Kind::http_pair);
    CHECK(s.out_channel);
    CHECK(s.partner_conn == 2);
    CHECK_FALSE(classify_shape(in, {out}).out_channel);
    ShapeBrief elsewhere = in;
    elsewhere.server.port = 8443;  // another server: no pair
    CHECK(classify_shape(out, {elsewhere}).kind == GatewayShape::Kind::none);
}

// ---- the HTTP transport with keys: two connections (MS-TSGU 2.2.3.1, 3.3.5) ----
namespace {

// One connection to the gateway, TLS up with the test's keys (both
// connections of a pair share the randoms, hence the key block; each seals
// from sequence number 0).
struct Leg {
    Conv cv;
    Sealer cs, ss;
    Leg(Capture& cap, std::int64_t start, std::uint16_t client_port) : cv(cap, start) {
        auto [c, s] = sealers(kAes256Gcm);
        cs = c;
        ss = s;
        cv.cl.port = client_port;
        cv.sv.port = 443;
        cv.handshake();
        cv.client(client_hello(0, "gw.example.test"));
        cv.server(server_hello_done({}, kAes256Gcm.id));
        B point = {65, 0x04};
        point.insert(point.end(), 64, 0x11);
        const B finished = handshake(20, B(12, 0xF1));
        cv.client(join({tls_record(22, handshake(16, point)), tls_record(20, {1}), cs.seal(22, finished)}));
        cv.server(join({tls_record(20, {1}), ss.seal(22, finished)}));
    }
    void client(const B& plain) { cv.client(cs.seal(23, plain)); }
    void server(const B& plain) { cv.server(ss.seal(23, plain)); }
    // `other` then this one: this one's next packet comes after the other's last.
    Leg& after(const Leg& other) {
        cv.t = std::max(cv.t, other.cv.t);
        return *this;
    }
};

// RFC 9112 7.1: one chunk (size in hex, CRLF, data, CRLF), as FreeRDP's and
// mstsc's IN channel send each packet.
B chunk(const B& data) {
    B b = text(fmt::format("{:X}\r\n", data.size()));
    b.insert(b.end(), data.begin(), data.end());
    b.push_back('\r');
    b.push_back('\n');
    return b;
}

const std::string kConnId = "RDG-Connection-Id: {958F92D8-DA20-467A-BBE3-65E7E9B4EDCF}\r\n";
std::string rdg_request(const char* method, const std::string& extra) {
    return fmt::format("{} /remoteDesktopGateway/ HTTP/1.1\r\nHost: gw.example.test\r\nAccept: */*\r\n{}{}\r\n", method,
                       kConnId, extra);
}

// MS-TSGU 3.3.5.1: the OUT channel authenticated (a 401, then the 200 with
// its seed: 10 bytes 0xAB 0xCD, as Windows Server sends), then the IN channel
// authenticated and its chunked request begun with the handshake request.
struct Pair {
    Capture cap;
    Leg out{cap, 0, 50000};
    Leg in{cap, 0, 50001};
    // `seed`: what follows the OUT channel's 200 (Windows: 0xAB 0xCD five times).
    explicit Pair(B seed = {0xAB, 0xCD, 0xAB, 0xCD, 0xAB, 0xCD, 0xAB, 0xCD, 0xAB, 0xCD}) {
        out.client(text(rdg_request("RDG_OUT_DATA", "Content-Length: 0\r\n")));
        out.server(text("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n"
                        "Content-Length: 0\r\n\r\n"));
        out.client(text(rdg_request("RDG_OUT_DATA", "Authorization: Negotiate TlRMTVNTUAADAAAA\r\nContent-Length: 0\r\n")));
        out.server(join({text("HTTP/1.1 200 OK\r\n\r\n"), seed}));
        in.after(out);
        in.client(text(rdg_request("RDG_IN_DATA", "Authorization: Negotiate TlRMTVNTUAADAAAA\r\nContent-Length: 0\r\n")));
        in.server(text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        in.client(join({text(rdg_request("RDG_IN_DATA", "Transfer-Encoding: chunked\r\n")), chunk(handshake_request())}));
        out.after(in).server(handshake_response());
    }
    // A packet each way: the client's as a chunk of the IN channel, the gateway's in the OUT channel's body.
    void up(const B& p) { in.after(out).client(chunk(p)); }
    void down(const B& p) { out.after(in).server(p); }
    void tunnel_and_channel() {
        up(tunnel_create());
        down(tunnel_response());
        up(tunnel_auth());
        down(tunnel_auth_response());
        up(channel_create());
        down(channel_response());
    }
    Collect run() {
        for (Leg* l : {&in, &out}) {
            l->after(out).after(in);
            l->cv.client_fin();
            l->cv.server_fin();
        }
        std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        const TempFile file("rdpscope-gateway-http");
        cap.write(file.path());
        keylog::KeyLog log;
        log.feed(keylog_line());
        log.finish();
        TrackerOptions opt;
        opt.keys = &log;
        Collect col;
        std::FILE* err = std::fopen("/dev/null", "w");
        run_file(file.path(), col, opt, err);
        std::fclose(err);
        return col;
    }
};

struct Tied {
    const GatewaySeen* out = nullptr;
    const GatewaySeen* in = nullptr;
    std::uint64_t out_id = 0, in_id = 0;
};
Tied tied(const Collect& col) {
    Tied t;
    for (std::size_t i = 0; i < col.gateways.size(); ++i) {
        if (col.gateways[i].g.method == "RDG_OUT_DATA") {
            t.out = &col.gateways[i];
            t.out_id = col.gateway_ids[i];
        } else {
            t.in = &col.gateways[i];
            t.in_id = col.gateway_ids[i];
        }
    }
    return t;
}

}  // namespace

// The client's packets as chunks of the IN channel's request body, the
// gateway's in the OUT channel's response body after its seed: both
// connections are tied and hold the whole exchange, the RDP connection inside
// is judged once, and a data packet cut across two chunks (and two TLS
// records) is put back together.
TEST_CASE("gateway: HTTP transport, the IN and OUT channels tied and their packets decoded", "[gateway]") {
    Pair p;
    p.tunnel_and_channel();
    // Offered SSL|HYBRID, given SSL only, then the client leaves (as in the WebSocket case above).
    const B cr = data_packet(connection_request(rdpneg::PROTOCOL_SSL | rdpneg::PROTOCOL_HYBRID));
    const B first(cr.begin(), cr.begin() + 11), rest(cr.begin() + 11, cr.end());
    p.in.after(p.out).client(chunk(first));
    p.in.client(chunk(rest));
    p.down(data_packet(connection_confirm(rdpneg::PROTOCOL_SSL)));
    auto col = p.run();
    CHECK(col.connections == 0);
    REQUIRE(col.gateways.size() == 2);
    const Tied t = tied(col);
    REQUIRE(t.out);
    REQUIRE(t.in);
    for (const GatewaySeen* s : {t.out, t.in}) {
        const GatewayFacts& g = s->g;
        INFO(g.method << ": " << s->v.verdict << " -- " << s->v.summary << " -- " << g.problem);
        CHECK(g.transport == GatewayFacts::Transport::http);
        CHECK(std::string(to_string(g.transport)) == "rdg-http");
        CHECK(g.connection_id == "{958F92D8-DA20-467A-BBE3-65E7E9B4EDCF}");
        CHECK(g.problem.empty());
        CHECK(g.handshake.request_frame != 0);
        CHECK(g.handshake.status == 0u);
        CHECK(g.handshake.response_frame > g.handshake.request_frame);
        CHECK(g.tunnel_id == 7u);
        CHECK(g.client_name == "PC1");
        CHECK(g.target_host == "srv1");
        CHECK(g.target_port == 3389);
        CHECK(g.channel_id == 1u);
        CHECK(g.data_packets[0] == 1);
        CHECK(g.data_packets[1] == 1);
        CHECK(g.data_bytes[0] == cr.size() - 10);
        CHECK(s->v.verdict == "gateway_channel_open");
        CHECK(s->v.cause == Cause::none);
        CHECK(s->v.phase == Phase::gateway_channel);
    }
    CHECK(t.out->g.http_channel == GatewayFacts::Channel::out);
    CHECK(t.in->g.http_channel == GatewayFacts::Channel::in);
    CHECK(t.out->g.partner_conn == t.in_id);
    CHECK(t.in->g.partner_conn == t.out_id);
    CHECK(t.out->g.seed_bytes == 10u);
    CHECK_FALSE(t.in->g.seed_bytes);
    // The same frames in both: requests on the IN connection, responses on the OUT one.
    CHECK(t.out->g.channel.request_frame == t.in->g.channel.request_frame);
    CHECK(t.out->g.channel.response_frame == t.in->g.channel.response_frame);
    REQUIRE(col.inner.size() == 1);  // one RDP connection inside, not one per channel
    const auto& in = col.inner[0];
    CHECK(in.via.conn == t.out_id);
    CHECK(in.via.target == "srv1");
    CHECK(in.via.port == 3389);
    CHECK(in.cr_frame != 0);
    CHECK(in.cc_frame > in.cr_frame);
    INFO(in.v.verdict << ": " << in.v.summary);
    CHECK(in.v.cause == Cause::protocol_mismatch);
    CHECK(in.v.verdict == "client_refused_selected_protocol");
}

TEST_CASE("gateway: HTTP transport, the gateway refuses the channel", "[gateway]") {
    Pair p;
    p.up(tunnel_create());
    p.down(tunnel_response());
    p.up(tunnel_auth());
    p.down(tunnel_auth_response());
    p.up(channel_create());
    p.down(channel_response(0x800759DAu));  // E_PROXY_RAP_ACCESSDENIED
    auto col = p.run();
    REQUIRE(col.gateways.size() == 2);
    for (const auto& s : col.gateways) {
        CHECK(s.v.cause == Cause::gateway_policy_denied);
        CHECK(s.v.verdict == "gateway_rap_denied");
    }
    CHECK(col.inner.empty());
}

// Near misses: a chunk size that is not hex stops the IN channel's decoding
// with a decode problem, no crash; the OUT channel's own bytes still decode.
// An IN channel without its OUT channel (not captured) decodes alone.
TEST_CASE("gateway: HTTP transport, a broken chunk and a lone IN channel", "[gateway]") {
    {
        Pair p;
        p.in.after(p.out).client(text("zz\r\n"));
        p.down(tunnel_response());
        auto col = p.run();
        REQUIRE(col.gateways.size() == 2);
        const Tied t = tied(col);
        REQUIRE(t.in);
        REQUIRE(t.out);
        CHECK(t.in->g.problem.find("the IN channel's chunked body does not decode") != std::string::npos);
        CHECK(t.in->g.problem_frame != 0);
        CHECK(t.in->v.summary.find("chunked body does not decode") != std::string::npos);
        CHECK(t.out->g.problem.empty());
        CHECK(t.out->g.handshake.request_frame != 0);  // the first chunk was whole
        CHECK(t.out->g.tunnel.response_frame != 0);
        CHECK(t.out->g.tunnel.request_frame == 0);
    }
    {
        Capture cap;
        Leg in{cap, 0, 50001};
        in.client(text(rdg_request("RDG_IN_DATA", "Authorization: Negotiate TlRMTVNTUAADAAAA\r\nContent-Length: 0\r\n")));
        in.server(text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        in.client(text(rdg_request("RDG_IN_DATA", "Transfer-Encoding: chunked\r\n")));
        in.client(join({chunk(handshake_request()), chunk(tunnel_create())}));
        in.cv.client_fin();
        in.cv.server_fin();
        std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        const TempFile file("rdpscope-gateway-in");
        cap.write(file.path());
        keylog::KeyLog log;
        log.feed(keylog_line());
        log.finish();
        TrackerOptions opt;
        opt.keys = &log;
        Collect col;
        std::FILE* err = std::fopen("/dev/null", "w");
        run_file(file.path(), col, opt, err);
        std::fclose(err);
        REQUIRE(col.gateways.size() == 1);
        const auto& g = col.gateways[0].g;
        CHECK(g.http_channel == GatewayFacts::Channel::in);
        CHECK_FALSE(g.partner_conn);
        CHECK(g.handshake.request_frame != 0);
        CHECK(g.tunnel.request_frame != 0);
        CHECK(col.gateways[0].v.stalled_at == Phase::gateway_tunnel);
    }
}

// The OUT channel's body without the handshake response in its first 100
// bytes is not the HTTP transport's: a decode problem, not packets read from
// random bytes.
TEST_CASE("gateway: HTTP transport, an OUT channel body that holds no packets", "[gateway]") {
    Pair p(B(150, 0x5A));
    auto col = p.run();
    const Tied t = tied(col);
    REQUIRE(t.out);
    CHECK(t.out->g.handshake.response_frame == 0);
    CHECK(t.out->g.problem.find("no handshake response in its first 100 bytes") != std::string::npos);
    CHECK_FALSE(t.out->g.seed_bytes);
}

// ---- the UDP transport without keys (MS-TSGU 1.3.3: DTLS on UDP 3391) ---------
namespace {

void put_be(B& b, std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// RFC 6347 4.1: a record -- type, version ({254, 255} DTLS 1.0, {254, 253}
// DTLS 1.2), epoch, 48-bit sequence number, length -- then the fragment.
B dtls_record(std::uint8_t type, std::uint16_t epoch, std::uint64_t seq, const B& fragment,
              std::uint16_t version = 0xFEFD) {
    B b = {type};
    put_be(b, version, 2);
    put_be(b, epoch, 2);
    put_be(b, seq, 6);
    put_be(b, fragment.size(), 2);
    b.insert(b.end(), fragment.begin(), fragment.end());
    return b;
}
// 4.2.2: a handshake message -- msg_type, length (3), message_seq (2),
// fragment_offset (3), fragment_length (3) -- unfragmented, in one record of epoch 0.
B dtls_handshake(std::uint8_t type, std::uint16_t message_seq, const B& body, std::uint64_t record_seq,
                 std::uint16_t record_version = 0xFEFD) {
    B h = {type};
    put_be(h, body.size(), 3);
    put_be(h, message_seq, 2);
    put_be(h, 0, 3);
    put_be(h, body.size(), 3);
    h.insert(h.end(), body.begin(), body.end());
    return dtls_record(22, 0, record_seq, h, record_version);
}
// 4.2.1: ClientHello { client_version, random[32], session_id<0..32>,
// cookie<0..2^8-1>, cipher_suites<2..>, compression_methods<1..> }.
B client_hello_body(const B& cookie) {
    B b = {0xFE, 0xFD};             // client_version DTLS 1.2
    b.insert(b.end(), 32, 0x5A);    // random
    b.push_back(0);                 // session_id: empty
    b.push_back(static_cast<std::uint8_t>(cookie.size()));
    b.insert(b.end(), cookie.begin(), cookie.end());
    b.insert(b.end(), {0, 4, 0xC0, 0x2F, 0xC0, 0x30});  // two suites
    b.insert(b.end(), {1, 0});                          // compression: null
    return b;
}
// 4.2.1: HelloVerifyRequest { server_version, cookie<0..2^8-1> }; the server
// SHOULD say DTLS 1.0 here whatever it negotiates later.
B hello_verify_body(const B& cookie) {
    B b = {0xFE, 0xFF, static_cast<std::uint8_t>(cookie.size())};
    b.insert(b.end(), cookie.begin(), cookie.end());
    return b;
}
// RFC 5246 7.4.1.3 (DTLS 1.2's): server_version, random, session_id, suite, compression.
B server_hello_body() {
    B b = {0xFE, 0xFD};
    b.insert(b.end(), 32, 0x6B);
    b.push_back(0);
    b.insert(b.end(), {0xC0, 0x2F, 0});
    return b;
}
// MS-TSGU 2.2.11.9 UDP_CORRELATION_INFO, little-endian: uReserved 0 (4
// bytes), uSignature1 0x1DAA, uCorrelationId, uSignature2 0xAA1D, uCbStruct 26.
B correlation_info(const B& id) {
    B b = {0, 0, 0, 0, 0xAA, 0x1D};
    b.insert(b.end(), id.begin(), id.end());
    b.insert(b.end(), {0x1D, 0xAA, 26, 0});
    return b;
}
Endpoint ep4(std::uint32_t ip, std::uint16_t port) {
    Endpoint e;
    e.ip.version = 4;
    for (int i = 0; i < 4; ++i) e.ip.b[i] = static_cast<std::uint8_t>(ip >> (24 - 8 * i));
    e.port = port;
    return e;
}
const B kCorrelationId = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                          0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0, 0x01};

struct UdpSeen {
    GatewayUdpFacts f;
    Verdict v;
};
class CollectUdp : public Collect {
public:
    std::vector<UdpSeen> udp;
    FileStats stats;
    void end_file(const FileStats& s) override { stats = s; }
    void gateway_udp_done(const GatewayUdpFacts& f, const Verdict& v) override {
        CHECK(rule_allows(v.rule, v.cause, v.code.code));
        udp.push_back({f, v});
    }
};

// A gateway's HTTPS connection (no keys: its TLS only) opened first, then
// from the same client a UDP flow to `port` carrying `datagrams` (the
// client's when true), 15 ms apart, while the HTTPS connection is open.
CollectUdp run_udp(std::uint16_t port, const std::vector<std::pair<bool, B>>& datagrams, bool with_tcp = true) {
    Capture cap;
    Conv tcp(cap, 0);
    if (with_tcp) {
        tls_up(tcp, server_hello_done({}, 0xC02F));
        tcp.client(app_data(500));
        tcp.server(app_data(700));
    }
    const Host cl{kClientIp, 50010}, gw{kServerIp, port};
    std::int64_t t = 2 * kSec;
    for (const auto& [from_client, payload] : datagrams) {
        t += 15 * kMs;
        cap.at(t, from_client ? udp_dgram(cl, gw, payload) : udp_dgram(gw, cl, payload));
    }
    if (with_tcp) {
        tcp.t = t + 10 * kMs;
        tcp.client_fin();
        tcp.server_fin();
    }
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-gateway-udp");
    cap.write(file.path());
    CollectUdp col;
    std::FILE* err = std::fopen("/dev/null", "w");
    run_file(file.path(), col, TrackerOptions{}, err);
    std::fclose(err);
    return col;
}

// MS-TSGU 1.3.3.1.1 and RFC 6347 4.2.1 / 4.2.4: ClientHello (with the
// correlation info appended), HelloVerifyRequest, ClientHello with the cookie;
// the server's flight; the client's ClientKeyExchange, ChangeCipherSpec and
// Finished (epoch 1); the server's ChangeCipherSpec and Finished; then the
// encrypted CONNECT_PKT / CONNECT_PKT_RESP and data (1.3.3.1.2-3).
std::vector<std::pair<bool, B>> dtls_session() {
    const B cookie(20, 0xC5);
    return {
        {true, join({dtls_handshake(1, 0, client_hello_body({}), 0), correlation_info(kCorrelationId)})},  // 1
        {false, dtls_handshake(3, 0, hello_verify_body(cookie), 0, 0xFEFF)},                                 // 2
        {true, dtls_handshake(1, 1, client_hello_body(cookie), 1)},                                          // 3
        {false, join({dtls_handshake(2, 1, server_hello_body(), 1), dtls_handshake(11, 2, B(300, 0x04), 2),
                      dtls_handshake(14, 3, {}, 3)})},                                                       // 4
        {true, join({dtls_handshake(16, 2, B(66, 0x05), 2), dtls_record(20, 0, 3, {1}),
                     dtls_record(22, 1, 0, B(40, 0x06))})},                                                  // 5
        {false, join({dtls_record(20, 0, 4, {1}), dtls_record(22, 1, 0, B(40, 0x07))})},                     // 6
        {true, dtls_record(23, 1, 1, B(200, 0x08))},                                                         // 7
        {false, dtls_record(23, 1, 1, B(120, 0x09))},                                                        // 8
        {true, dtls_record(23, 1, 2, B(900, 0x0A))},                                                         // 9
        {false, dtls_record(23, 1, 2, B(1100, 0x0B))},                                                       // 10
    };
}

}  // namespace

TEST_CASE("dtls: the records of a datagram and the correlation info after a ClientHello", "[gateway]") {
    const B hello = dtls_handshake(1, 0, client_hello_body({}), 0);
    auto d = dtls::decode_datagram(join({hello, correlation_info(kCorrelationId)}));
    REQUIRE(d);
    REQUIRE(d->total == 1);
    CHECK(d->records[0].type == 22);
    CHECK(d->records[0].version == 0xFEFD);
    CHECK(d->records[0].epoch == 0);
    CHECK(d->records[0].sequence == 0);
    CHECK(d->records[0].length == hello.size() - 13);
    CHECK(d->records[0].handshake_type == 1);
    CHECK(d->records[0].hello_version == 0xFEFD);
    CHECK(d->has_correlation);
    CHECK(B(d->correlation_id.begin(), d->correlation_id.end()) == kCorrelationId);
    // The flight of three handshake records in one datagram; a 48-bit sequence number.
    auto flight = dtls::decode_datagram(join({dtls_handshake(2, 1, server_hello_body(), 0x0000ABCDEF012345),
                                              dtls_handshake(14, 3, {}, 2)}));
    REQUIRE(flight);
    CHECK(flight->total == 2);
    CHECK(flight->records[0].sequence == 0x0000ABCDEF012345);
    CHECK(flight->records[0].hello_version == 0xFEFD);
    CHECK(flight->records[1].handshake_type == 14);
    CHECK_FALSE(flight->has_correlation);
    // A tail that is not the correlation info (a signature wrong) is no record either.
    B bad = correlation_info(kCorrelationId);
    bad[4] = 0xAB;
    CHECK_FALSE(dtls::decode_datagram(join({hello, bad})));
    // The correlation info alone is not DTLS; nor is a TLS record header ({3, 3}).
    CHECK_FALSE(dtls::decode_datagram(correlation_info(kCorrelationId)));
    B tls = hello;
    tls[1] = 3;
    tls[2] = 3;
    CHECK_FALSE(dtls::decode_datagram(tls));
    // A length past the datagram.
    CHECK_FALSE(dtls::decode_datagram(B(hello.begin(), hello.end() - 1)));
    // Encrypted records (epoch 1) carry no handshake type.
    auto enc = dtls::decode_datagram(dtls_record(22, 1, 0, B(40, 0x01)));
    REQUIRE(enc);
    CHECK(enc->records[0].handshake_type == 0);
}

TEST_CASE("gateway without keys: DTLS on UDP 3391 beside the gateway's HTTPS is its UDP transport", "[gateway]") {
    auto col = run_udp(3391, dtls_session());
    REQUIRE(col.udp.size() == 1);
    const auto& [f, v] = col.udp[0];
    CHECK(f.server.port == 3391);
    CHECK(f.client.port == 50010);
    CHECK(f.record_version == 0xFEFD);
    CHECK(f.client_version == 0xFEFD);
    CHECK(f.version == 0xFEFD);  // the ServerHello's, not the HelloVerifyRequest's 1.0
    CHECK(f.datagrams[0] == 5);
    CHECK(f.datagrams[1] == 5);
    CHECK(f.records[0] == 7);  // 1 + 1 + 3 + 1 + 1
    CHECK(f.records[1] == 8);  // 1 + 3 + 2 + 1 + 1
    REQUIRE(f.has_correlation);
    CHECK(B(f.correlation_id.begin(), f.correlation_id.end()) == kCorrelationId);
    CHECK(f.not_dtls == 0);
    // Frames: the TCP connection's come first; the datagrams are in order after it.
    CHECK(f.client_hello_frame == f.first_frame);
    CHECK(f.hello_verify_frame == f.first_frame + 1);
    CHECK(f.server_hello_frame == f.first_frame + 3);
    CHECK(f.first_encrypted_frame[0] == f.first_frame + 4);
    CHECK(f.first_encrypted_frame[1] == f.first_frame + 5);
    CHECK(f.last_frame == f.first_frame + 9);
    REQUIRE(f.tcp_conn);
    CHECK(*f.tcp_conn == 0);  // the HTTPS connection, the capture's first
    CHECK(v.rule == "gateway_udp_transport");
    CHECK(v.verdict == "gateway_udp_transport");
    CHECK(v.cause == Cause::none);
    CHECK(v.confidence == Confidence::medium);
    CHECK(v.phase == Phase::gateway_connect);
    CHECK(v.summary.find("DTLS 1.2") != std::string::npos);
    CHECK(v.summary.find("cannot be read") != std::string::npos);
    CHECK(v.summary.find("#0") != std::string::npos);
    CHECK(v.evidence.size() == 5);
    CHECK(col.stats.gateway_udp_flows == 1);
    CHECK(col.stats.gateway_udp_not_followed == 0);
    // Alone (no HTTPS to the same gateway): said with low confidence, the scanner named as possible.
    auto alone = run_udp(3391, dtls_session(), false);
    REQUIRE(alone.udp.size() == 1);
    CHECK_FALSE(alone.udp[0].f.tcp_conn);
    CHECK(alone.udp[0].v.confidence == Confidence::low);
    CHECK(alone.udp[0].v.summary.find("scanner") != std::string::npos);
}

// A gateway that only answers the hello (a cookie, then nothing): the
// transport is there but the DTLS handshake did not finish -- low confidence.
TEST_CASE("gateway without keys: DTLS on 3391 answered by a HelloVerifyRequest only", "[gateway]") {
    auto s = dtls_session();
    s.resize(3);
    auto col = run_udp(3391, s);
    REQUIRE(col.udp.size() == 1);
    const auto& [f, v] = col.udp[0];
    CHECK(f.handshake_answered());
    CHECK_FALSE(f.encrypted_both_ways());
    CHECK(f.version == 0);  // no ServerHello: the version negotiated is not known
    CHECK(v.rule == "gateway_udp_transport");
    CHECK(v.confidence == Confidence::low);
    CHECK(v.summary.find("did not finish") != std::string::npos);
}

// MS-TSGU 1.3.3.1.1: the client resends its first packet until the gateway
// answers; here it never does.
TEST_CASE("gateway without keys: a DTLS ClientHello to 3391 never answered", "[gateway]") {
    const B hello = join({dtls_handshake(1, 0, client_hello_body({}), 0), correlation_info(kCorrelationId)});
    auto col = run_udp(3391, {{true, hello}, {true, hello}, {true, hello}});
    REQUIRE(col.udp.size() == 1);
    const auto& [f, v] = col.udp[0];
    CHECK(f.datagrams[0] == 3);
    CHECK(f.datagrams[1] == 0);
    CHECK_FALSE(f.handshake_answered());
    REQUIRE(f.tcp_conn);
    CHECK(v.rule == "gateway_udp_unanswered");
    CHECK(v.verdict == "gateway_udp_unanswered");
    CHECK(v.cause == Cause::server_unresponsive);
    CHECK(v.confidence == Confidence::low);
    CHECK(v.stalled_at == Phase::gateway_connect);
    CHECK(v.waiting_on == WaitingOn::server);
    CHECK(v.summary.find("cannot tell") != std::string::npos);
    REQUIRE(v.evidence.size() == 2);
    CHECK(v.evidence[0].frame == f.first_frame);
    CHECK(v.evidence[1].frame == f.first_frame + 2);
}

// Near misses: other bytes on UDP 3391 are not the gateway's; DTLS on another port is not looked at.
TEST_CASE("gateway without keys: UDP 3391 without DTLS, and DTLS elsewhere, are no gateway", "[gateway]") {
    auto other = run_udp(3391, {{true, text("hello, not DTLS at all")}, {false, text("nor this")}});
    CHECK(other.udp.empty());
    CHECK(other.stats.gateway_udp_flows == 0);
    B tls_version = dtls_handshake(1, 0, client_hello_body({}), 0);
    tls_version[1] = 0x03;  // {3, 3}: a TLS record header, not DTLS
    tls_version[2] = 0x03;
    CHECK(run_udp(3391, {{true, tls_version}}).udp.empty());
    CHECK(run_udp(4433, dtls_session()).udp.empty());
    // UDP 3389 is RDP-UDP's, never the gateway's.
    CHECK(run_udp(3389, dtls_session()).udp.empty());
}

// A flood to 3391 from many sources: at most GatewayUdpFlows::kMaxFlows
// flows are followed at once; the datagrams of new flows past that are
// counted, not kept.  Other bytes cost nothing at all.
TEST_CASE("gateway without keys: a flood of datagrams to 3391 from many sources stays bounded", "[gateway]") {
    constexpr std::size_t kMax = GatewayUdpFlows::kMaxFlows;
    constexpr std::size_t kSources = kMax + 1000;
    Capture cap;
    const B hello = dtls_handshake(1, 0, client_hello_body({}), 0);
    const B junk = text("\x01\x02 not DTLS");
    for (std::size_t i = 0; i < kSources; ++i) {
        // All within one second: no flow goes idle meanwhile.
        const Host src{0x0B000000u + static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(40000 + i % 20000)};
        cap.at(static_cast<std::int64_t>(i) * 100, udp_dgram(src, {kServerIp, 3391}, hello));
        const Host other{0x0C000000u + static_cast<std::uint32_t>(i), 40000};
        cap.at(static_cast<std::int64_t>(i) * 100 + 50, udp_dgram(other, {kServerIp, 3391}, junk));
    }
    const TempFile file("rdpscope-gateway-udp-flood");
    cap.write(file.path());
    CollectUdp col;
    std::FILE* err = std::fopen("/dev/null", "w");
    run_file(file.path(), col, TrackerOptions{}, err);
    std::fclose(err);
    CHECK(col.udp.size() == kMax);
    CHECK(col.stats.gateway_udp_flows == kMax);
    CHECK(col.stats.gateway_udp_not_followed == kSources - kMax);
    for (const auto& u : col.udp) CHECK(u.v.rule == "gateway_udp_unanswered");
    // The table itself, fed directly: never past the bound, and after a
    // retirement a new flow is followed again.
    GatewayUdpFlows flows({3391});
    for (std::size_t i = 0; i < kSources; ++i) {
        const Endpoint src = ep4(0x0B000000u + static_cast<std::uint32_t>(i), 40000);
        flows.datagram(i, src, ep4(kServerIp, 3391), hello, i + 1, static_cast<std::int64_t>(i));
        CHECK(flows.size() <= kMax);
    }
    CHECK(flows.size() == kMax);
    CHECK(flows.untracked() == kSources - kMax);
    CHECK(flows.retire(10'000'000'000, 1'000'000'000, false).size() == kMax);
    CHECK(flows.size() == 0);
}

// What `analyze` prints of a UDP transport flow: the fields the README names.
TEST_CASE("gateway without keys: analyze prints the UDP transport flow and counts it", "[gateway][report]") {
    Capture cap;
    Conv tcp(cap, 0);
    tls_up(tcp, server_hello_done({}, 0xC02F));
    const Host cl{kClientIp, 50010}, gw{kServerIp, 3391};
    std::int64_t t = 2 * kSec;
    for (const auto& [from_client, payload] : dtls_session()) {
        t += 15 * kMs;
        cap.at(t, from_client ? udp_dgram(cl, gw, payload) : udp_dgram(gw, cl, payload));
    }
    tcp.t = t + 10 * kMs;
    tcp.client_fin();
    tcp.server_fin();
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile in("rdpscope-gateway-udp-in");
    cap.write(in.path());
    auto print = [&](Format format) {
        const TempFile out("rdpscope-gateway-udp-out");
        std::FILE* o = std::fopen(out.path().c_str(), "w");
        std::FILE* err = std::fopen("/dev/null", "w");
        {
            ReportWriter w(o, err, format);
            run_file(in.path(), w, TrackerOptions{}, err);
            w.finish();
        }
        std::fclose(o);
        std::fclose(err);
        std::ifstream f(out.path());
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    };
    std::istringstream lines(print(Format::json));
    nlohmann::json gwj, file_summary, summary;
    for (std::string line; std::getline(lines, line);) {
        auto j = nlohmann::json::parse(line);
        if (j["type"] == "gateway" && j.value("transport", "") == "rdg-udp") gwj = j;
        if (j["type"] == "file_summary") file_summary = j;
        if (j["type"] == "summary") summary = j;
    }
    REQUIRE(gwj.is_object());
    CHECK_FALSE(gwj.contains("conn"));  // a udp.stream number is no tcp.stream number
    CHECK(gwj["udp_stream"] == 0);      // the capture's first UDP flow
    CHECK(gwj["server"] == "10.0.0.2:3391");
    CHECK(gwj["recognised_by"] == "shape");
    CHECK(gwj["rule"] == "gateway_udp_transport");
    const auto& u = gwj["udp"];
    CHECK(u["dtls_version"] == "1.2");
    CHECK(u["client_version"] == "1.2");
    CHECK(u["record_version"] == "1.2");
    CHECK(u["c2s_datagrams"] == 5);
    CHECK(u["s2c_records"] == 8);
    CHECK(u["handshake_answered"] == true);
    CHECK(u["handshake_finished"] == true);
    CHECK(u["correlation_id"] == "11223344-5566-7788-99aa-bbccddeef001");  // wire order, dashed
    CHECK(u["tcp_conn"] == 0);
    CHECK(u["hello_verify_request_frame"].get<std::uint64_t>() == u["client_hello_frame"].get<std::uint64_t>() + 1);
    CHECK(file_summary["gateway_udp_flows"] == 1);
    CHECK_FALSE(file_summary.contains("gateway_udp_datagrams_not_followed"));
    CHECK(summary["gateways"]["udp_flows"] == 1);
    const std::string text = print(Format::text);
    CHECK(text.find("gateway UDP flow #0 10.0.0.1:50010 -> 10.0.0.2:3391 (rdg-udp)") != std::string::npos);
    CHECK(text.find("udp (no keys): DTLS 1.2") != std::string::npos);
    CHECK(text.find("beside #0") != std::string::npos);
}
