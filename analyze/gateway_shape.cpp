// SPDX-License-Identifier: MIT
#include "analyze/gateway_shape.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "analyze/connection.hpp"

namespace rdpscope {

ShapeBrief brief_of(const Connection& c, bool named) {
    ShapeBrief b;
    b.conn = c.id;
    b.first_frame = c.first_frame;
    b.client = c.client().ip;
    b.server = c.server();
    b.first_ts = c.first_ts;
    b.last_ts = c.last_ts;
    b.named = named;
    if (!c.gateway) return b;
    const TlsFacts& t = c.gateway->tls();
    b.client_hello_frame = t.client_hello_frame;
    if (t.finished_frame[0] && t.finished_frame[1]) b.tls_up_ts = std::max(t.finished_ts[0], t.finished_ts[1]);
    b.app_bytes = t.app_bytes;
    b.app_records = t.app_records;
    b.alpn_offered = !t.alpn_offered.empty();
    b.h2 = t.alpn == "h2";
    b.sni = t.sni;
    return b;
}

const char* to_string(GatewayShape::Kind k) {
    switch (k) {
        case GatewayShape::Kind::none: return "none";
        case GatewayShape::Kind::http_pair: return "http_pair";
        case GatewayShape::Kind::websocket: return "websocket";
        case GatewayShape::Kind::possible: return "possible";
    }
    return "none";
}

namespace {

constexpr int kC2s = 0, kS2c = 1;

std::int64_t active_ns(const ShapeBrief& b) { return b.tls_up_ts ? b.last_ts - b.tls_up_ts : 0; }

// One way carries the data, the other little: kS2c for RDG_OUT_DATA, kC2s
// for RDG_IN_DATA; -1 for neither.
int carried_way(const ShapeBrief& b, const ShapeLimits& lim) {
    for (int d : {kS2c, kC2s}) {
        const std::uint64_t mine = b.app_bytes[d], other = b.app_bytes[1 - d];
        if (mine >= lim.min_bytes && b.app_records[d] >= lim.min_records && mine >= lim.dominance * other) return d;
    }
    return -1;
}

bool long_lived(const ShapeBrief& b, const ShapeLimits& lim) { return b.tls_up_ts && active_ns(b) >= lim.min_active_ns; }

bool near(const ShapeBrief& a, const ShapeBrief& b, const ShapeLimits& lim) {
    const std::int64_t d = a.first_ts > b.first_ts ? a.first_ts - b.first_ts : b.first_ts - a.first_ts;
    return a.conn != b.conn && a.client == b.client && a.server == b.server && d <= lim.pair_window_ns;
}

std::string kib(std::uint64_t n) { return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024.0); }

}  // namespace

GatewayShape classify_shape(const ShapeBrief& me, const std::vector<ShapeBrief>& others, const ShapeLimits& lim) {
    GatewayShape s;
    s.alpn_offered = me.alpn_offered;
    s.named = me.named;
    s.app_bytes = me.app_bytes;
    s.app_records = me.app_records;
    s.active_seconds = static_cast<double>(active_ns(me)) / 1e9;
    // HTTP/2 carries no MS-TSGU tunnel (its transports are HTTP/1.1 requests
    // and a WebSocket upgrade, MS-TSGU 2.2.3); nor does a connection that never finished its TLS handshake
    // tell anything of what it would have carried.
    if (me.h2 || !me.client_hello_frame) return s;
    for (const auto& o : others) {
        if (o.h2 && near(me, o, lim) && !s.kdc_proxy_conn) {
            s.kdc_proxy_conn = o.conn;
            s.kdc_proxy_frame = o.client_hello_frame;
        }
    }
    const std::string sizes = fmt::format("{} to the server in {} records, {} back in {}, over {:.1f} s", kib(me.app_bytes[kC2s]),
                                          me.app_records[kC2s], kib(me.app_bytes[kS2c]), me.app_records[kS2c],
                                          s.active_seconds);
    const char* alpn = me.alpn_offered ? "; its client offers ALPN, which mstsc's gateway client does not: it may be "
                                         "ordinary HTTPS"
                                       : "; no ALPN offered, as mstsc's gateway client";
    // The HTTP transport's pair: one carries each way, both long-lived.
    const int mine = long_lived(me, lim) ? carried_way(me, lim) : -1;
    if (mine >= 0) {
        for (const auto& o : others) {
            if (o.h2 || !near(me, o, lim) || !long_lived(o, lim)) continue;
            if (carried_way(o, lim) != 1 - mine) continue;
            s.kind = GatewayShape::Kind::http_pair;
            s.out_channel = mine == kS2c;
            s.partner_conn = o.conn;
            s.partner_first_frame = o.first_frame;
            s.why = fmt::format("without keys, by its shape: with connection #{} opened beside it to the same server, "
                                "the pair of MS-TSGU's HTTP transport (or RPC over HTTP) -- this one carries the {} "
                                "({}){}",
                                o.conn, s.out_channel ? "gateway's data (RDG_OUT_DATA)" : "client's data (RDG_IN_DATA)",
                                sizes, alpn);
            return s;
        }
    }
    // The WebSocket transport: one long two-way connection.
    const auto lo = std::min(me.app_bytes[kC2s], me.app_bytes[kS2c]);
    const auto hi = std::max(me.app_bytes[kC2s], me.app_bytes[kS2c]);
    if (long_lived(me, lim) && lo >= lim.min_bytes && me.app_records[kC2s] >= lim.ws_min_client_records &&
        me.app_records[kS2c] >= lim.min_records && hi <= lim.max_imbalance * lo) {
        s.kind = GatewayShape::Kind::websocket;
        s.why = fmt::format("without keys, by its shape: one long connection carrying both ways, as MS-TSGU's "
                            "WebSocket transport does ({}){}",
                            sizes, alpn);
        return s;
    }
    // Neither shape: a gateway client's marks only.
    if (me.named || (s.kdc_proxy_conn && !me.alpn_offered)) {
        s.kind = GatewayShape::Kind::possible;
        s.why = fmt::format("without keys this is HTTPS that may or may not be a gateway connection: {}; it has neither "
                            "the HTTP transport's pair nor the WebSocket transport's long two-way shape ({})",
                            me.named ? "--gateway names its server"
                                     : fmt::format("no ALPN offered, as mstsc's gateway client, and an HTTP/2 "
                                                   "connection (#{}, a KDC proxy's shape) to the same server beside it",
                                                   s.kdc_proxy_conn),
                            sizes);
    }
    return s;
}

}  // namespace rdpscope
