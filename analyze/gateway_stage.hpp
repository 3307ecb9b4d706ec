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
#include "analyze/kdc_proxy.hpp"
#include "analyze/kerberos_flows.hpp"
#include "analyze/tls_stage.hpp"
#include "dissect/http_chunked.hpp"
#include "dissect/websocket.hpp"

namespace rdpscope {

struct GatewayFacts {
    // What the decrypted HTTP showed the connection to be.
    enum class Transport : std::uint8_t {
        unknown,    // nothing decrypted (yet)
        websocket,  // RDG_OUT_DATA with Upgrade: websocket (MS-TSGU 2.2.3.2)
        http,       // RDG_OUT_DATA / RDG_IN_DATA without the upgrade (MS-TSGU 2.2.3.1)
        rpc,        // RPC_IN_DATA / RPC_OUT_DATA (RPC over HTTP, MS-TSGU 2.1.1)
        kdc_proxy,  // POST /KdcProxy (MS-KKDCP), over HTTP/1.1 or HTTP/2
        http2,      // HTTP/2 that is no KDC proxy (none of its requests POSTs to /KdcProxy)
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
        bool ntlm = false;                 // that token is an NTLM message: the client authenticates with NTLM
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

    // The HTTP transport (MS-TSGU 2.2.3.1, 3.3.5): two connections, the OUT
    // channel (RDG_OUT_DATA: the gateway's packets in its 200 response's body)
    // and the IN channel (RDG_IN_DATA: the client's, in a chunked request
    // body).  Each connection of a tied pair holds the facts of both
    // directions' packets; the frames name whichever connection carried them.
    enum class Channel : std::uint8_t { none, out, in };
    Channel http_channel = Channel::none;  // set when its packet stream starts
    std::optional<std::uint64_t> partner_conn;  // the other connection of the pair, once tied
    std::string connection_id;            // RDG-Connection-Id (2.2.3.2.1) of the first request
    std::uint64_t stream_frame = 0;       // where its packet stream starts (the OUT's 200, the IN's chunked request)
    std::optional<std::uint32_t> seed_bytes;  // OUT channel: the random entity body before the packets (3.3.5.1)

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

// Where the HTTP transport's two connections are tied (the tracker): the IN
// channel finds its OUT channel, and each hands the other the packets it
// decoded, so that the facts of both directions and the RDP connection inside
// (owned by the OUT channel) are whole.
class GatewayRelay {
public:
    virtual ~GatewayRelay() = default;
    // The IN channel `self`, its packet stream starting, looks for its OUT
    // channel (same client, same server, the same RDG-Connection-Id when both
    // sent one); when found, both are told (GatewayStage::paired) and its id returned.
    virtual std::optional<std::uint64_t> pair_http(std::uint64_t self) = 0;
    // A packet `self`'s connection decoded, for connection `to` (its partner).
    virtual void relay(std::uint64_t to, Dir dir, Bytes packet, std::uint64_t frame, std::int64_t ts_ns,
                       std::vector<PduEvent>& out) = 0;
};

class GatewayStage : public TlsPlaintextSink {
public:
    void plaintext(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) override;
    const GatewayFacts& facts() const { return facts_; }
    void set_inner(GatewayInner* inner) { inner_ = inner; }
    // `self`: this connection's id, for the relay.
    void set_relay(GatewayRelay* relay, std::uint64_t self) {
        relay_ = relay;
        self_ = self;
    }
    // Tied to `partner`: an IN channel leaves the RDP connection inside to its OUT channel.
    void paired(std::uint64_t partner);
    // A packet the partner decoded: its facts (and the inner connection's
    // bytes, for the OUT channel), no event of its own.
    void peer_packet(Dir dir, Bytes packet, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);
    // HTTP/2 (analyze/kdc_proxy.hpp): the TLS's facts tell whether the
    // server selected h2; the KDC proxy's Kerberos messages go to `sink`.
    void set_http2(const TlsFacts* tls, KdcProxySink* sink) {
        tls_ = tls;
        kdc_sink_ = sink;
    }
    const Http2Session* http2() const { return h2_.get(); }

private:
    enum class Mode : std::uint8_t { http, body, websocket, packets, h2, stopped };
    void start_http2(std::size_t preface_done);
    void http2_seen();
    struct Side {
        Mode mode = Mode::http;
        std::vector<std::uint8_t> buf;    // an incomplete HTTP head or WebSocket frame header
        std::uint64_t body_left = 0;      // HTTP body bytes to skip; packets: identity body bytes to come
        bool chunked = false;             // packets: the body is chunked (RFC 9112 7.1)
        bool seeking = false;             // packets: before the first packet (the OUT channel's seed)
        http1::ChunkedDecoder chunks;
        std::optional<websocket::FrameHeader> frame;  // the frame whose payload is coming
        std::uint64_t payload_done = 0;   // of it, bytes already read
        std::vector<std::uint8_t> close;  // a Close frame's payload
        std::vector<std::uint8_t> tsgu;   // an incomplete MS-TSGU packet
        // body: an HTTP/1.1 message body (identity: body_left; chunked: `chunks`),
        // gathered when it is a KDC proxy's (`gather`), up to Http2Session::kMaxBody.
        bool body_chunked = false;
        bool gather = false, too_big = false;
        std::vector<std::uint8_t> body;
        std::string kdc_path, kdc_name;   // the /KdcProxy request it belongs to: path, Host
    };
    // The HTTP/1.1 requests not yet answered (RFC 9112 9.3.2: answers come in
    // their order), the last kMaxPending: whether each POSTs to /KdcProxy.
    struct Pending {
        bool kdc = false;
        std::string path, host;
    };
    static constexpr std::size_t kMaxPending = 8;
    std::vector<Pending> pending_;
    Bytes run_body(Dir dir, Side& s, Bytes data, std::vector<PduEvent>& out);
    void body_end(Dir dir, Side& s, std::vector<PduEvent>& out);
    void run_http(Dir dir, Side& s, std::vector<PduEvent>& out);
    void run_websocket(Dir dir, Side& s, Bytes data, std::vector<PduEvent>& out);
    void run_tsgu(Dir dir, Side& s, std::vector<PduEvent>& out);
    void begin_packets(Side& s, bool chunked, std::uint64_t length, GatewayFacts::Channel role);
    Bytes run_packets(Dir dir, Side& s, Bytes data, std::vector<PduEvent>& out);
    bool seek_first_packet(Side& s);
    void on_packet(Dir dir, Bytes packet, std::vector<PduEvent>& out);
    void apply(Dir dir, Bytes packet, std::vector<PduEvent>& out, bool own);
    void stop(Side& s, std::string why);

    GatewayFacts facts_;
    std::array<Side, 2> sides_;
    GatewayInner* inner_ = nullptr;
    GatewayRelay* relay_ = nullptr;
    std::uint64_t self_ = 0;
    const TlsFacts* tls_ = nullptr;
    KdcProxySink* kdc_sink_ = nullptr;
    std::unique_ptr<Http2Session> h2_;
    std::uint64_t frame_ = 0;
    std::int64_t ts_ns_ = 0;
};

// The outer connection of a gateway candidate (TLS on a gateway port, keys
// given): its TLS, and the gateway protocol read from the TLS's plaintext.
// Fed instead of RdpSession while the stream is TLS; a client whose first
// bytes are not a TLS handshake record is handed back to RdpSession.
class InnerRdp;
struct InnerSetup;
class GatewayTunnel : private GatewayInner, private KdcProxySink {
public:
    // `inner`: for the RDP connection carried in the tunnel (inner.keys: the
    // key log, used once TLS starts if not empty); `kdc`: where a KDC proxy's
    // Kerberos messages go (the tracker's KerberosFlows).
    explicit GatewayTunnel(const InnerSetup& inner, KdcProxySink* kdc = nullptr);
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
    // The HTTP transport's pairing (the tracker), `self` this connection's id.
    void set_relay(GatewayRelay* relay, std::uint64_t self) { stage_.set_relay(relay, self); }
    // Nothing decrypted: what its shape says (analyze/gateway_shape.hpp), set by the tracker at judgement.
    void set_shape(GatewayShape s) { shape_ = std::move(s); }
    const GatewayShape& shape() const { return shape_; }
    // What the KDC proxies of the same host showed the same client (set by
    // the tracker at judgement, KerberosFlows::proxies_for), for the verdict.
    void set_kdc_proxy(KdcProxyTie t) { kdc_proxy_ = std::move(t); }
    const KdcProxyTie& kdc_proxy() const { return kdc_proxy_; }
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
    ev::KerberosMessage proxied(const ProxiedKerberos& m) override;  // the outer connection's ends, then on to kdc_
    void answer(const ProxyAnswer& a) override;                       // the same

    KdcProxySink* kdc_ = nullptr;
    TlsStage tls_;
    GatewayStage stage_;
    std::unique_ptr<InnerSetup> setup_;
    std::unique_ptr<InnerRdp> inner_;
    GatewayShape shape_;
    KdcProxyTie kdc_proxy_;
    bool started_ = false, not_tls_ = false;
};

}  // namespace rdpscope
