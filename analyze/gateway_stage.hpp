// SPDX-License-Identifier: MIT
// An RD Gateway connection (MS-TSGU HTTP transport, 2.2.3) seen from inside
// its TLS: the decrypted bytes of each direction are read as HTTP/1.1 heads
// (the RDG_OUT_DATA / RDG_IN_DATA requests, 401 challenges, the 101 upgrade),
// then -- after a WebSocket upgrade -- as WebSocket frames (RFC 6455) whose
// payload is the MS-TSGU packet stream: handshake, tunnel, tunnel
// authorization, channel, data, keep-alive, close.  Keeps the facts the
// gateway's judgement needs and reports each PDU as a dissect event.  The
// TLS itself is TlsStage's (it calls plaintext() for every decrypted record).
// A KDC proxy (MS-KKDCP, POST /KdcProxy) over HTTP/1.1 is recognised here too.
#pragma once

#include <array>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyze/event.hpp"
#include "analyze/gateway_shape.hpp"
#include "analyze/tls_stage.hpp"
#include "dissect/websocket.hpp"

namespace rdpscope {

struct GatewayFacts {
    // What the decrypted HTTP showed the connection to be.
    enum class Transport : std::uint8_t {
        unknown,    // nothing decrypted (yet)
        websocket,  // RDG_OUT_DATA with Upgrade: websocket (MS-TSGU 2.2.3.2)
        http,       // RDG_OUT_DATA / RDG_IN_DATA without the upgrade (MS-TSGU 2.2.3.1)
        rpc,        // RPC_IN_DATA / RPC_OUT_DATA (RPC over HTTP, MS-TSGU 2.1.1)
        kdc_proxy,  // POST /KdcProxy (MS-KKDCP) over HTTP/1.1
        http2,      // HTTP/2 (in the real captures, the KDC proxy): not decoded
        other,      // some other HTTP: not a gateway
    };
    Transport transport = Transport::unknown;
    std::string method, target;  // the first request
    std::uint64_t first_request_frame = 0;
    std::int64_t first_request_ts = 0;
    std::uint64_t requests = 0;

    struct Response {
        std::uint64_t frame = 0;
        std::int64_t ts_ns = 0;
        std::uint16_t status = 0;
        std::string reason;
        std::vector<std::string> schemes;  // WWW-Authenticate, in order
        bool negotiate_token = false;      // a Negotiate / NTLM round carrying a token
    };
    std::vector<Response> responses;  // the first kMaxResponses
    static constexpr std::size_t kMaxResponses = 16;
    std::uint64_t upgrade_frame = 0;  // the 101 Switching Protocols
    std::int64_t upgrade_ts = 0;

    // One MS-TSGU request and its response.
    struct Step {
        std::uint64_t request_frame = 0, response_frame = 0;
        std::int64_t request_ts = 0, response_ts = 0;
        std::optional<std::uint32_t> status;
    };
    Step handshake, tunnel, tunnel_auth, channel;
    std::optional<std::uint32_t> tunnel_id, channel_id;
    std::string client_name;     // tunnel auth
    std::string target_host;     // channel create: the first resource
    std::uint16_t target_port = 0;
    std::array<std::uint64_t, 2> data_packets{}, data_bytes{};  // by Dir
    std::array<std::uint64_t, 2> first_data_frame{};
    std::uint64_t keepalives = 0;
    std::uint64_t close_frame = 0;
    std::optional<std::uint32_t> close_status;
    std::uint64_t websocket_close_frame = 0;
    std::uint16_t websocket_close_code = 0;
    std::string problem;  // why decoding stopped, in words
    std::uint64_t problem_frame = 0;

    bool is_gateway() const {
        return transport == Transport::websocket || transport == Transport::http || transport == Transport::rpc;
    }
};

const char* to_string(GatewayFacts::Transport t);  // "rdg-websocket", "rdg-http", "rdg-rpc", "kdc-proxy", ...

// Where the tunnel's channel and the RDP bytes carried by its data packets
// go (analyze/gateway_inner.hpp): the channel create request and response
// (MS-TSGU 2.2.10.2/.3), every data packet's bytes (2.2.10.6), and the close
// (close channel 2.2.10.4/.5, or a WebSocket Close), each from `dir`'s side.
class GatewayInner {
public:
    virtual ~GatewayInner() = default;
    virtual void channel_request(std::uint64_t frame, std::int64_t ts_ns, const std::string& target,
                                 std::uint16_t port) = 0;
    virtual void channel_response(bool ok, std::uint64_t frame, std::int64_t ts_ns) = 0;
    virtual void inner_data(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns,
                            std::vector<PduEvent>& out) = 0;
    virtual void inner_close(Dir from, std::uint64_t frame, std::int64_t ts_ns) = 0;
};

class GatewayStage : public TlsPlaintextSink {
public:
    void plaintext(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) override;
    const GatewayFacts& facts() const { return facts_; }
    void set_inner(GatewayInner* inner) { inner_ = inner; }

private:
    enum class Mode : std::uint8_t { http, body, websocket, stopped };
    struct Side {
        Mode mode = Mode::http;
        std::vector<std::uint8_t> buf;    // an incomplete HTTP head or WebSocket frame header
        std::uint64_t body_left = 0;      // HTTP body bytes to skip
        std::optional<websocket::FrameHeader> frame;  // the frame whose payload is coming
        std::uint64_t payload_done = 0;   // of it, bytes already read
        std::vector<std::uint8_t> close;  // a Close frame's payload
        std::vector<std::uint8_t> tsgu;   // an incomplete MS-TSGU packet
    };
    void run_http(Dir dir, Side& s, std::vector<PduEvent>& out);
    void run_websocket(Dir dir, Side& s, Bytes data, std::vector<PduEvent>& out);
    void run_tsgu(Dir dir, Side& s, std::vector<PduEvent>& out);
    void on_packet(Dir dir, Bytes packet, std::vector<PduEvent>& out);
    void stop(Side& s, std::string why);

    GatewayFacts facts_;
    std::array<Side, 2> sides_;
    GatewayInner* inner_ = nullptr;
    std::uint64_t frame_ = 0;
    std::int64_t ts_ns_ = 0;
};

// The outer connection of a gateway candidate (TLS on a gateway port, keys
// given): its TLS, and the gateway protocol read from the TLS's plaintext.
// Fed instead of RdpSession while the stream is TLS; a client whose first
// bytes are not a TLS handshake record is handed back to RdpSession.
class InnerRdp;
struct InnerSetup;
class GatewayTunnel : private GatewayInner {
public:
    // `inner`: for the RDP connection carried in the tunnel.
    explicit GatewayTunnel(const InnerSetup& inner);  // inner.keys: the key log, used once TLS starts if not empty
    ~GatewayTunnel() override;
    GatewayTunnel(const GatewayTunnel&) = delete;
    GatewayTunnel& operator=(const GatewayTunnel&) = delete;
    // False when `first` (a direction's first bytes) is not a TLS handshake
    // record: then the connection is not a gateway's and nothing was taken.
    bool on_data(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);
    bool wants_bytes(Dir dir) const { return !not_tls_ && !tls_.failed(dir); }
    bool not_tls() const { return not_tls_; }
    const TlsFacts& tls() const { return tls_.facts(); }
    const GatewayFacts& facts() const { return stage_.facts(); }
    GatewayStage& stage() { return stage_; }
    // Nothing decrypted: what its shape says (analyze/gateway_shape.hpp), set by the tracker at judgement.
    void set_shape(GatewayShape s) { shape_ = std::move(s); }
    const GatewayShape& shape() const { return shape_; }
    // The transport: read from the decrypted HTTP, else told by the shape
    // (a pair: rdg-http, which RPC over HTTP looks like too); unknown else.
    GatewayFacts::Transport transport() const;
    // The RDP connection inside, once its channel opened or it carried data; else null.
    InnerRdp* inner() const;
    // The outer connection closed (the tracker, before judging): the inner one with it.
    void outer_closed(Dir from, std::uint64_t frame, std::int64_t ts_ns, bool reset);

private:
    void channel_request(std::uint64_t frame, std::int64_t ts_ns, const std::string& target,
                         std::uint16_t port) override;
    void channel_response(bool ok, std::uint64_t frame, std::int64_t ts_ns) override;
    void inner_data(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) override;
    void inner_close(Dir from, std::uint64_t frame, std::int64_t ts_ns) override;

    TlsStage tls_;
    GatewayStage stage_;
    std::unique_ptr<InnerSetup> setup_;
    std::unique_ptr<InnerRdp> inner_;
    GatewayShape shape_;
    bool started_ = false, not_tls_ = false;
};

}  // namespace rdpscope
