// SPDX-License-Identifier: MIT
// An RD Gateway recognised without keys, by the shape of its connections.
// MS-TSGU's transports seen from outside their TLS:
//  * HTTP transport (MS-TSGU 2.2.3.1, 3.3.5.1): two long-lived HTTPS
//    connections from one client to one gateway, opened together: RDG_OUT_DATA
//    carries the gateway's data to the client (after the request head the
//    client sends almost nothing), RDG_IN_DATA the client's to the gateway
//    (one chunked request body; the gateway answers only its head).  RPC over
//    HTTP (the RPC_IN_DATA / RPC_OUT_DATA pair, MS-TSGU 2.1.1) has the same
//    shape and cannot be told from it without keys.
//  * WebSocket transport (2.2.3.2): one connection carrying both directions
//    for as long as the session lasts.
// The TLS is what the ordinary TLS stage saw: SNI, ALPN offered and selected,
// records and bytes each way.  A tunnel is HTTP/1.1, so a connection that
// negotiated h2 is not one (mstsc's KDC proxy connection to the gateway,
// MS-KKDCP, does).  Plain HTTPS -- a page, a download -- lacks both shapes;
// what is left ("possible") is said with low confidence and why.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dissect/address.hpp"

namespace rdpscope {

struct Connection;

// What the shape rules read of one TLS connection on a gateway port.
struct ShapeBrief {
    std::uint64_t conn = 0, first_frame = 0, client_hello_frame = 0;
    IpAddr client;
    Endpoint server;
    std::int64_t first_ts = 0, last_ts = 0;
    std::int64_t tls_up_ts = 0;                          // both Finished seen; 0: TLS never came up
    std::array<std::uint64_t, 2> app_bytes{}, app_records{};  // encrypted application data, by Dir
    bool alpn_offered = false;  // the ClientHello offers ALPN (mstsc's tunnel does not)
    bool h2 = false;            // the ServerHello selected h2: HTTP/2, not a tunnel
    bool named = false;         // --gateway names its server
    std::string sni;
};

ShapeBrief brief_of(const Connection& c, bool named);

struct GatewayShape {
    enum class Kind : std::uint8_t {
        none,       // ordinary HTTPS as far as can be seen
        http_pair,  // one of an RDG_OUT_DATA / RDG_IN_DATA pair (or RPC_OUT/IN_DATA)
        websocket,  // one long two-way connection
        possible,   // neither shape, but a gateway client's marks (no ALPN beside a KDC proxy, or --gateway)
    };
    Kind kind = Kind::none;
    bool out_channel = false;  // http_pair: this one carries the gateway's data (RDG_OUT_DATA)
    std::uint64_t partner_conn = 0, partner_first_frame = 0;  // http_pair: the other one
    std::uint64_t kdc_proxy_conn = 0, kdc_proxy_frame = 0;    // an h2 connection beside it to the same server
    bool alpn_offered = false, named = false;
    std::array<std::uint64_t, 2> app_bytes{}, app_records{};
    double active_seconds = 0;  // from TLS up to the last packet
    std::string why;            // the sentence the verdict gives
};

// Thresholds, from the transports' description above: a tunnel carries an RDP
// session, seconds long and kilobytes each way (a Windows logon alone is tens
// of kilobytes from the server); the pair is opened within seconds.
struct ShapeLimits {
    std::int64_t min_active_ns = 1'000'000'000;
    std::int64_t pair_window_ns = 10'000'000'000;
    std::uint64_t min_bytes = 4096;      // each way (websocket), the carried way (pair)
    std::uint64_t min_records = 8;       // each way (websocket), the carried way (pair)
    std::uint64_t dominance = 4;         // pair: the carried way at least this many times the other
    std::uint64_t max_imbalance = 64;    // websocket: neither way more than this many times the other
    // websocket: the client's records at least.  A lone long two-way HTTPS
    // connection is also what ordinary keep-alive HTTPS is (requests one way,
    // pages back): on the bench's jump-box mix, 171 such connections with 8 to
    // 39 client records were called tunnels.  An RDP connection carried
    // through a tunnel sends, from the client, the gateway's handshake, tunnel
    // and channel requests, then the inner X.224, TLS, CredSSP, the MCS
    // connection sequence and finalization: about 40 records before any
    // input; the real gateway sessions (awakecoding's captures) sent 310-540.
    // Below this, only --gateway or a KDC proxy beside it say "possible".
    std::uint64_t ws_min_client_records = 64;
};

// `me` against the other TLS connections on gateway ports seen around it
// (open or recently ended; `others` may hold `me` itself, skipped by conn id).
GatewayShape classify_shape(const ShapeBrief& me, const std::vector<ShapeBrief>& others, const ShapeLimits& lim = {});

const char* to_string(GatewayShape::Kind k);  // "http_pair", "websocket", "possible", "none"

}  // namespace rdpscope
