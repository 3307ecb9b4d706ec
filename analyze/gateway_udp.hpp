// SPDX-License-Identifier: MIT
// The RD Gateway's UDP transport (MS-TSGU 1.3.3, 2.2.11, 3.4): once the HTTP
// or WebSocket transport's channel is open (1.5.4: the main channel first,
// which hands the client its UDP authentication cookie), a client may carry
// the RDP connection's UDP side through the gateway on UDP 3391, over DTLS
// (RFC 4347 / 6347).  Without the DTLS keys what can be seen is the DTLS
// record layer: whether the client's ClientHello got an answer, the records
// and bytes each way, the timing, and the correlation id the client appends
// to its first ClientHello (2.2.11.9).  A flow to a gateway UDP port whose
// first datagram seen is not DTLS is not the gateway's: it is not kept at all
// (a flood of other bytes to 3391 costs no memory here); DTLS on other ports
// is not looked at.  (UDP 3389 is RDP-UDP, MS-RDPEUDP: analyze/udp_flows.hpp.)
//
// Bounded: at most kMaxFlows flows at once, in a FlowTable that grows by
// doubling up to that size (no allocation per datagram).  A datagram of a new
// flow past the bound is counted (untracked()) and not followed; that flow is
// picked up at its next datagram once a flow has retired (idle timeout).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "analyze/flow_table.hpp"
#include "analyze/udp_flows.hpp"
#include "dissect/address.hpp"

namespace rdpscope {

struct GatewayUdpFacts {
    std::optional<std::uint64_t> id;  // udp.stream, when known
    Endpoint client, server;  // the client sent the first datagram (to the gateway port)
    std::uint64_t first_frame = 0, last_frame = 0;
    std::int64_t first_ts = 0, last_ts = 0;
    std::array<std::uint64_t, 2> datagrams{}, bytes{}, records{};  // by Dir; bytes of UDP payload
    std::uint16_t record_version = 0;          // the first record's (0xFEFF DTLS 1.0, 0xFEFD 1.2)
    std::uint16_t client_version = 0;          // the first ClientHello's client_version (the highest offered)
    std::uint16_t version = 0;                 // the ServerHello's server_version: the version negotiated
    bool has_correlation = false;              // MS-TSGU 2.2.11.9 UDP_CORRELATION_INFO after the ClientHello
    std::array<std::uint8_t, 16> correlation_id{};
    std::uint64_t client_hello_frame = 0;      // the first ClientHello (in the clear, epoch 0)
    std::uint64_t hello_verify_frame = 0;      // HelloVerifyRequest (the server's cookie exchange)
    std::uint64_t server_hello_frame = 0;      // ServerHello
    std::array<std::uint64_t, 2> first_encrypted_frame{};  // by Dir: the first record of epoch 1 and on
    std::uint64_t not_dtls = 0;                // datagrams that did not decode as DTLS records
    std::uint64_t first_not_dtls_frame = 0;
    std::optional<std::uint64_t> tcp_conn;     // the TLS connection on a gateway port of the same client and server
    std::uint64_t tcp_first_frame = 0;

    bool handshake_answered() const { return client_hello_frame && (server_hello_frame || hello_verify_frame); }
    bool encrypted_both_ways() const { return first_encrypted_frame[0] && first_encrypted_frame[1]; }
};

// The flows to the gateway UDP ports.  Bounded: at most kMaxFlows at once;
// a flow retires after the idle timeout or at the end of input.
class GatewayUdpFlows {
public:
    static constexpr std::size_t kMaxFlows = 4096;
    explicit GatewayUdpFlows(std::vector<std::uint16_t> ports) : ports_(std::move(ports)), flows_(16) {}
    bool on_port(std::uint16_t src, std::uint16_t dst) const;
    // A datagram of a flow on a gateway port; `id` its udp.stream number when
    // known.  Returns the flow's facts when it is a new one still DTLS (for
    // the caller to tie it to a TCP connection), else null.
    GatewayUdpFacts* datagram(std::optional<std::uint64_t> id, const Endpoint& src, const Endpoint& dst, Bytes payload,
                              std::uint64_t frame, std::int64_t ts_ns);
    // The flows idle for longer than `idle_ns` at `now_ns` (all of them when
    // `all`), by first frame, forgotten here; valid until the next call.
    const std::vector<GatewayUdpFacts>& retire(std::int64_t now_ns, std::int64_t idle_ns, bool all);
    std::uint64_t untracked() const { return untracked_; }  // datagrams of new flows past the bound
    std::size_t size() const { return flows_.size(); }

private:
    std::vector<std::uint16_t> ports_;
    FlowTable<UdpFlows::Key, GatewayUdpFacts, UdpFlows::KeyHash> flows_;
    std::vector<GatewayUdpFacts> retired_;  // reused: its storage stays
    std::uint64_t untracked_ = 0;
};

}  // namespace rdpscope
