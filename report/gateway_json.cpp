// SPDX-License-Identifier: MIT
#include "report/gateway_json.hpp"

#include <fmt/format.h>

#include "analyze/gateway_udp.hpp"
#include "analyze/text.hpp"
#include "dissect/tsgu.hpp"
#include "report/json_text.hpp"
#include "report/json_util.hpp"
#include "report/summary.hpp"
#include "report/summary_security.hpp"
#include "report/writers.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

namespace {

json step_json(const GatewayFacts::Step& s) {
    json j = json::object();
    if (s.request_frame) j["request_frame"] = s.request_frame;
    if (s.response_frame) j["response_frame"] = s.response_frame;
    if (s.status) {
        j["status"] = fmt::format("0x{:08X}", *s.status);
        if (const char* n = tsgu::status_name(*s.status)) j["status_name"] = n;
        if (const char* t = tsgu::status_text(*s.status)) j["status_text"] = t;
    }
    return j;
}

}  // namespace

json gateway_json(const Connection& c, const Verdict& v) {
    const GatewayFacts& g = c.gateway->facts();
    json j;
    j["type"] = "gateway";
    j["conn"] = c.id;
    j["transport"] = to_string(c.gateway->transport());
    const GatewayShape& sh = c.gateway->shape();
    const bool by_shape = g.transport == GatewayFacts::Transport::unknown && sh.kind != GatewayShape::Kind::none;
    j["recognised_by"] = by_shape ? "shape" : "decrypted";
    j["client"] = to_string(c.client());
    j["server"] = to_string(c.server());
    j["first_frame"] = c.first_frame;
    j["last_frame"] = c.last_frame;
    j["start"] = epoch_seconds(c.first_ts);
    j["duration"] = static_cast<double>(c.last_ts - c.first_ts) / 1e9;
    add_verdict_fields(v, j);
    j.erase("ladder");
    if (by_shape) {
        json x = {{"kind", to_string(sh.kind)},
                  {"c2s_bytes", sh.app_bytes[0]}, {"c2s_records", sh.app_records[0]},
                  {"s2c_bytes", sh.app_bytes[1]}, {"s2c_records", sh.app_records[1]},
                  {"active_seconds", sh.active_seconds}, {"alpn_offered", sh.alpn_offered}};
        if (sh.kind == GatewayShape::Kind::http_pair) {
            x["channel"] = sh.out_channel ? "out" : "in";
            x["partner_conn"] = sh.partner_conn;
            x["partner_first_frame"] = sh.partner_first_frame;
        }
        if (sh.kdc_proxy_conn) x["kdc_proxy_conn"] = sh.kdc_proxy_conn;
        if (sh.named) x["named"] = true;
        j["shape"] = std::move(x);
        if (json tj = tls_json(c.gateway->tls()); !tj.empty()) j["tls"] = std::move(tj);
        return j;
    }
    json http = {{"method", g.method}, {"target", g.target}, {"request_frame", g.first_request_frame},
                 {"requests", g.requests}};
    json responses = json::array();
    for (const auto& r : g.responses) {
        json x = {{"frame", r.frame}, {"status", r.status}, {"reason", r.reason}};
        if (!r.schemes.empty()) x["auth_schemes"] = r.schemes;
        responses.push_back(x);
    }
    http["responses"] = responses;
    if (!g.responses.empty()) http["status"] = g.responses.back().status;
    if (g.upgrade_frame) http["upgrade_frame"] = g.upgrade_frame;
    if (!g.connection_id.empty()) http["connection_id"] = g.connection_id;
    if (g.http_channel != GatewayFacts::Channel::none) {
        // The HTTP transport's pair (MS-TSGU 2.2.3.1): which one this is, where its packets start, the other one.
        http["channel"] = g.http_channel == GatewayFacts::Channel::out ? "out" : "in";
        http["stream_frame"] = g.stream_frame;
        if (g.seed_bytes) http["seed_bytes"] = *g.seed_bytes;
        if (g.partner_conn) http["partner_conn"] = *g.partner_conn;
    }
    j["http"] = http;
    json t = json::object();
    if (g.handshake.request_frame || g.handshake.response_frame) t["handshake"] = step_json(g.handshake);
    if (g.tunnel.request_frame || g.tunnel.response_frame) {
        t["tunnel"] = step_json(g.tunnel);
        if (g.tunnel_id) t["tunnel"]["tunnel_id"] = *g.tunnel_id;
    }
    if (g.tunnel_auth.request_frame || g.tunnel_auth.response_frame) {
        t["tunnel_auth"] = step_json(g.tunnel_auth);
        if (!g.client_name.empty()) t["tunnel_auth"]["client_name"] = g.client_name;
    }
    if (g.channel.request_frame || g.channel.response_frame) {
        t["channel"] = step_json(g.channel);
        if (!g.target_host.empty()) t["channel"]["target"] = g.target_host;
        if (g.target_port) t["channel"]["port"] = g.target_port;
        if (g.channel_id) t["channel"]["channel_id"] = *g.channel_id;
    }
    if (g.data_packets[0] || g.data_packets[1])
        t["data"] = {{"c2s_packets", g.data_packets[0]}, {"c2s_bytes", g.data_bytes[0]},
                     {"s2c_packets", g.data_packets[1]}, {"s2c_bytes", g.data_bytes[1]}};
    if (g.keepalives) t["keepalives"] = g.keepalives;
    if (g.close_frame) {
        t["close"] = {{"frame", g.close_frame}};
        if (g.close_status) t["close"]["status"] = fmt::format("0x{:08X}", *g.close_status);
    }
    if (g.websocket_close_frame) t["websocket_close"] = {{"frame", g.websocket_close_frame}, {"code", g.websocket_close_code}};
    j["tsgu"] = t;
    if (!g.problem.empty()) j["decode_problem"] = {{"frame", g.problem_frame}, {"what", g.problem}};
    if (json tj = tls_json(c.gateway->tls()); !tj.empty()) j["tls"] = std::move(tj);
    return j;
}

std::string render_gateway_text(const json& j) {
    std::string out;
    if (j.contains("udp"))  // the UDP transport: a flow, numbered as udp.stream
        out = fmt::format("gateway UDP flow{} {} -> {} ({})\n",
                          j.contains("udp_stream") ? fmt::format(" #{}", j["udp_stream"].get<std::uint64_t>()) : "",
                          j.value("client", std::string()), j.value("server", std::string()),
                          j.value("transport", std::string()));
    else
        out = fmt::format("gateway #{} {} -> {} ({})\n", j.value("conn", 0), j.value("client", std::string()),
                          j.value("server", std::string()), j.value("transport", std::string()));
    const std::string cause = j.value("cause", std::string());
    out += fmt::format("  verdict: {} ({}), {} confidence\n", j.value("verdict", std::string()), cause,
                       j.value("confidence", std::string()));
    if (j.contains("phase") && !j["phase"].is_null())
        out += fmt::format("  reached: {}", j["phase"].get<std::string>());
    else
        out += "  reached: nothing";
    if (j.contains("stalled_at") && !j["stalled_at"].is_null())
        out += fmt::format(", stopped at {}", j["stalled_at"].get<std::string>());
    out += "\n";
    out += fmt::format("  {}\n", j.value("summary", std::string()));
    if (j.contains("shape")) {
        const auto& s = j["shape"];
        out += fmt::format("  shape (no keys): {}, {} B in {} records to the server, {} B in {} back, {:.1f} s", s.value("kind", std::string()),
                           s.value("c2s_bytes", 0ull), s.value("c2s_records", 0ull), s.value("s2c_bytes", 0ull),
                           s.value("s2c_records", 0ull), s.value("active_seconds", 0.0));
        if (j.contains("tls") && j["tls"].contains("sni")) out += fmt::format(", SNI {}", j["tls"]["sni"].get<std::string>());
        out += "\n";
    }
    if (j.contains("udp")) {
        const auto& u = j["udp"];
        out += fmt::format("  udp (no keys): DTLS {}, {} B in {} records to the gateway, {} B in {} back",
                           u.value("dtls_version", std::string("version not seen")), u.value("c2s_bytes", 0ull),
                           u.value("c2s_records", 0ull), u.value("s2c_bytes", 0ull), u.value("s2c_records", 0ull));
        if (u.contains("tcp_conn")) out += fmt::format(", beside #{}", u["tcp_conn"].get<std::uint64_t>());
        if (u.contains("correlation_id")) out += fmt::format(", correlation id {}", u["correlation_id"].get<std::string>());
        out += "\n";
    }
    if (j.contains("http")) {
        const auto& h = j["http"];
        out += fmt::format("  http: {} {}", h.value("method", std::string()), h.value("target", std::string()));
        for (const auto& r : h["responses"]) {
            out += fmt::format("; {} {}", r.value("status", 0), r.value("reason", std::string()));
            if (r.contains("auth_schemes")) {
                std::string s;
                for (const auto& x : r["auth_schemes"]) s += (s.empty() ? "" : ",") + x.get<std::string>();
                out += " [" + s + "]";
            }
        }
        if (h.contains("channel")) {
            out += fmt::format("; the {} channel", h["channel"].get<std::string>() == "out" ? "OUT" : "IN");
            if (h.contains("partner_conn")) out += fmt::format(" (with #{})", h["partner_conn"].get<std::uint64_t>());
            else out += " (its partner not seen)";
        }
        out += "\n";
    }
    if (j.contains("tsgu")) {
        for (const char* k : {"handshake", "tunnel", "tunnel_auth", "channel"}) {
            if (!j["tsgu"].contains(k)) continue;
            const auto& s = j["tsgu"][k];
            out += fmt::format("  {}: {}", k, s.value("status_name", s.value("status", std::string("no response"))));
            if (s.contains("target")) out += fmt::format(" (target {}:{})", s["target"].get<std::string>(), s.value("port", 0));
            out += "\n";
        }
    }
    for (const auto& e : j["evidence"])
        out += fmt::format("    frame {}: {}\n", e.value("frame", 0), e.value("note", std::string()));
    return out;
}

json gateway_udp_json(const GatewayUdpFacts& f, const Verdict& v) {
    json j;
    j["type"] = "gateway";
    // A UDP flow: its udp.stream number, never `conn` (a tcp.stream number).
    if (f.id) j["udp_stream"] = *f.id;
    j["transport"] = "rdg-udp";
    j["recognised_by"] = "shape";
    j["client"] = to_string(f.client);
    j["server"] = to_string(f.server);
    j["first_frame"] = f.first_frame;
    j["last_frame"] = f.last_frame;
    j["start"] = epoch_seconds(f.first_ts);
    j["duration"] = static_cast<double>(f.last_ts - f.first_ts) / 1e9;
    add_verdict_fields(v, j);
    j.erase("ladder");
    json u = json::object();
    auto version = [](std::uint16_t x) -> std::string {
        return x == 0xFEFD ? "1.2" : x == 0xFEFF ? "1.0" : fmt::format("0x{:04X}", x);
    };
    if (f.version) u["dtls_version"] = version(f.version);  // the ServerHello's: negotiated
    if (f.client_version) u["client_version"] = version(f.client_version);
    if (f.record_version) u["record_version"] = version(f.record_version);
    u["c2s_datagrams"] = f.datagrams[0];
    u["c2s_bytes"] = f.bytes[0];
    u["c2s_records"] = f.records[0];
    u["s2c_datagrams"] = f.datagrams[1];
    u["s2c_bytes"] = f.bytes[1];
    u["s2c_records"] = f.records[1];
    u["handshake_answered"] = f.handshake_answered();
    u["handshake_finished"] = f.encrypted_both_ways();
    if (f.has_correlation) u["correlation_id"] = guid_text(Bytes(f.correlation_id.data(), f.correlation_id.size()));
    if (f.client_hello_frame) u["client_hello_frame"] = f.client_hello_frame;
    if (f.hello_verify_frame) u["hello_verify_request_frame"] = f.hello_verify_frame;
    if (f.server_hello_frame) u["server_hello_frame"] = f.server_hello_frame;
    if (f.first_encrypted_frame[0]) u["c2s_first_encrypted_frame"] = f.first_encrypted_frame[0];
    if (f.first_encrypted_frame[1]) u["s2c_first_encrypted_frame"] = f.first_encrypted_frame[1];
    if (f.not_dtls) u["not_dtls_datagrams"] = f.not_dtls;
    if (f.tcp_conn) u["tcp_conn"] = *f.tcp_conn;
    j["udp"] = std::move(u);
    return j;
}

void ReportWriter::gateway_udp_done(const GatewayUdpFacts& f, const Verdict& v) {
    ++gateways_udp_;
    json j = gateway_udp_json(f, v);
    j["file"] = path_;
    if (sink_) sink_->object(j);
    if (format_ == Format::json) {
        print_json_line(out_, j);
    } else {
        if (!header_printed_) emit_text(json());
        const std::string text = render_gateway_text(j);
        fmt::print(out_, "{}\n", text);
    }
}

void ReportWriter::gateway_done(const Connection& c, const Verdict& v) {
    ++gateways_total_;
    count_cause(gateway_by_cause_, to_string(v.cause));
    if (v.cause != Cause::none) ++gateways_incomplete_;
    json j = gateway_json(c, v);
    j["file"] = path_;
    if (sink_) sink_->object(j);
    if (format_ == Format::json) {
        print_json_line(out_, j);
    } else {
        if (!header_printed_) emit_text(json());
        fmt::print(out_, "{}\n", render_gateway_text(j));
    }
}

}  // namespace rdpscope
