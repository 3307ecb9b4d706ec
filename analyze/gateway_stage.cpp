// SPDX-License-Identifier: MIT
#include "analyze/gateway_stage.hpp"

#include "dissect/ascii.hpp"

#include "analyze/gateway_inner.hpp"

#include <algorithm>

#include "dissect/http1.hpp"
#include "dissect/tsgu.hpp"

namespace rdpscope {

namespace {

using ascii::iequal;

// MS-TSGU 2.2.3.1: the HTTP transport's two requests; 2.1.1: RPC over HTTP's.
GatewayFacts::Transport transport_of(const http1::Head& h) {
    if (iequal(h.method, "RDG_OUT_DATA") || iequal(h.method, "RDG_IN_DATA"))
        return h.websocket_upgrade() ? GatewayFacts::Transport::websocket : GatewayFacts::Transport::http;
    if (iequal(h.method, "RPC_IN_DATA") || iequal(h.method, "RPC_OUT_DATA")) return GatewayFacts::Transport::rpc;
    if (iequal(h.method, "POST") && ascii::istarts_with(h.target, "/KdcProxy"))
        return GatewayFacts::Transport::kdc_proxy;
    return GatewayFacts::Transport::other;
}

void erase_front(std::vector<std::uint8_t>& v, std::size_t n) {
    v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(n, v.size())));
}

}  // namespace

const char* to_string(GatewayFacts::Transport t) {
    switch (t) {
        case GatewayFacts::Transport::unknown: return "unknown";
        case GatewayFacts::Transport::websocket: return "rdg-websocket";
        case GatewayFacts::Transport::http: return "rdg-http";
        case GatewayFacts::Transport::rpc: return "rdg-rpc";
        case GatewayFacts::Transport::kdc_proxy: return "kdc-proxy";
        case GatewayFacts::Transport::http2: return "https-h2";
        case GatewayFacts::Transport::other: return "https";
    }
    return "unknown";
}

void GatewayStage::stop(Side& s, std::string why) {
    s.mode = Mode::stopped;
    s.buf.clear();
    s.buf.shrink_to_fit();
    s.tsgu.clear();
    s.tsgu.shrink_to_fit();
    s.body.clear();
    s.body.shrink_to_fit();
    s.gather = false;
    if (facts_.problem.empty()) {
        facts_.problem = std::move(why);
        facts_.problem_frame = frame_;
    }
}

void GatewayStage::plaintext(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns,
                             std::vector<PduEvent>& out) {
    frame_ = frame;
    ts_ns_ = ts_ns;
    Side& s = sides_[dir_index(dir)];
    // HTTP/2 (RFC 9113 3.2: ALPN h2 over TLS) from the first byte: the
    // server's SETTINGS may come before the client's preface is read.
    // Without the ALPN in clear (TLS 1.3's EncryptedExtensions), the
    // server's first frame says so: SETTINGS on stream 0 (RFC 9113 3.4), a
    // 9-byte header no HTTP/1.1 status line begins with.
    const bool server_settings = dir == Dir::s2c && data.size() >= 9 && data[3] == 0x04 && data[5] == 0 &&
                                 data[6] == 0 && data[7] == 0 && data[8] == 0 &&
                                 ((data[0] << 16) | (data[1] << 8) | data[2]) % 6 == 0;
    if (s.mode == Mode::http && !h2_ && s.buf.empty() && !facts_.requests && facts_.responses.empty() &&
        ((tls_ && tls_->alpn == "h2") || server_settings))
        start_http2(0);
    while (!data.empty() && s.mode != Mode::stopped) {
        if (s.mode == Mode::h2) {
            h2_->data(dir, data, frame, ts_ns, out);
            http2_seen();
            return;
        }
        if (s.mode == Mode::websocket) {
            run_websocket(dir, s, data, out);
            return;
        }
        if (s.mode == Mode::body) {
            data = run_body(dir, s, data, out);
            continue;
        }
        if (s.mode == Mode::packets) {
            data = run_packets(dir, s, data, out);
            continue;
        }
        // HTTP: gather a head, whole (decode_head refuses one past kMaxHead).
        s.buf.insert(s.buf.end(), data.begin(), data.end());
        data = {};
        run_http(dir, s, out);
        // After the 101, the bytes past its head are frames already.
        if (s.mode == Mode::websocket && !s.buf.empty()) {
            std::vector<std::uint8_t> rest;
            rest.swap(s.buf);
            run_websocket(dir, s, rest, out);
        }
        // After the head that starts the HTTP transport's packet stream, its body;
        // past the body's end (a chunked one's last chunk), the next head.
        while (s.mode == Mode::packets && !s.buf.empty()) {
            std::vector<std::uint8_t> rest;
            rest.swap(s.buf);
            const Bytes left = run_packets(dir, s, rest, out);
            if (left.empty() || s.mode != Mode::http) break;
            s.buf.assign(left.begin(), left.end());
            run_http(dir, s, out);
        }
    }
}

void GatewayStage::start_http2(std::size_t preface_done) {
    if (!h2_) {
        h2_ = std::make_unique<Http2Session>(preface_done);
        h2_->set_sink(kdc_sink_);
    }
    if (facts_.transport == GatewayFacts::Transport::unknown) facts_.transport = GatewayFacts::Transport::http2;
    for (auto& side : sides_) {
        side.mode = Mode::h2;
        side.buf.clear();
    }
}

// What an HTTP/2 connection turned out to be: a KDC proxy once a stream POSTed to /KdcProxy.
void GatewayStage::http2_seen() {
    if (h2_ && h2_->kdc_proxy() && facts_.transport == GatewayFacts::Transport::http2)
        facts_.transport = GatewayFacts::Transport::kdc_proxy;
}

void GatewayStage::run_http(Dir dir, Side& s, std::vector<PduEvent>& out) {
    while (s.mode == Mode::http && !s.buf.empty()) {
        auto h = http1::decode_head(s.buf);
        if (!h) {
            if (h.error().kind == ErrorKind::need_more) return;
            ev::GatewayHttp e;
            e.error = h.error();
            out.push_back(PduEvent{frame_, ts_ns_, std::move(e)});
            stop(s, dir == Dir::c2s ? "the client's decrypted bytes are not HTTP/1.1"
                                    : "the server's decrypted bytes are not HTTP/1.1");
            return;
        }
        ev::GatewayHttp e;
        e.request = h->request;
        e.websocket_upgrade = h->websocket_upgrade();
        if (h->request) {
            e.method = h->method;
            e.target = h->target;
            if (!facts_.requests++) {
                facts_.method = e.method;
                facts_.target = e.target;
                facts_.first_request_frame = frame_;
                facts_.first_request_ts = ts_ns_;
                facts_.transport = transport_of(*h);
                if (auto id = h->field("RDG-Connection-Id")) facts_.connection_id = *id;
            }
        } else {
            e.status = h->status;
            e.reason = h->reason;
            const auto ch = http1::challenges(*h);
            for (std::size_t i = 0; i < ch.count; ++i) e.schemes.emplace_back(ch.names[i]);
            if (facts_.responses.size() < GatewayFacts::kMaxResponses)
                facts_.responses.push_back({frame_, ts_ns_, h->status, e.reason, e.schemes, ch.negotiate_token, ch.ntlm_token});
        }
        out.push_back(PduEvent{frame_, ts_ns_, e});
        if (h->request && h->version == "HTTP/2.0") {
            // RFC 9113 3.4: the HTTP/2 connection preface ("PRI * HTTP/2.0"):
            // frames with HPACK-coded headers follow (analyze/kdc_proxy.hpp).
            if (facts_.requests == 1) facts_.transport = GatewayFacts::Transport::http2;
            const std::size_t head = h->length;
            std::vector<std::uint8_t> rest(s.buf.begin() + static_cast<std::ptrdiff_t>(std::min(head, s.buf.size())),
                                           s.buf.end());
            s.buf.clear();
            start_http2(head);
            if (!rest.empty()) h2_->data(dir, rest, frame_, ts_ns_, out);
            http2_seen();
            return;
        }
        const std::size_t head = h->length;
        const bool upgrade = !h->request && h->status == 101 && e.websocket_upgrade;
        const bool chunked = h->chunked;
        const std::uint64_t body = h->content_length.value_or(0);
        const bool informational = !h->request && h->status >= 100 && h->status < 200;
        // The KDC proxy over HTTP/1.1 (MS-KKDCP 2.1, 3.2.5: a POST whose body,
        // and whose 200 answer's body, is a KDC-PROXY-MESSAGE): the bodies are
        // gathered; an answer that is no 200 is told to the sink as such.
        bool gather = false;
        std::string kdc_path, kdc_name;
        if (h->request) {
            Pending p{iequal(h->method, "POST") && kdc_proxy_path(h->target), std::string(h->target),
                      std::string(h->field("Host").value_or(std::string_view()))};
            gather = p.kdc;
            kdc_path = p.path;
            kdc_name = p.host;
            if (pending_.size() >= kMaxPending) pending_.erase(pending_.begin());
            pending_.push_back(std::move(p));
        } else if (!informational && !pending_.empty()) {
            Pending p = std::move(pending_.front());
            pending_.erase(pending_.begin());
            if (p.kdc && h->status == 200) {
                gather = true;
                kdc_path = std::move(p.path);
                kdc_name = std::move(p.host);
            } else if (p.kdc && kdc_sink_) {
                ProxyAnswer a;
                a.name = p.host;
                a.path = p.path;
                a.status = h->status;
                a.reason = std::string(h->reason);
                a.frame = frame_;
                a.ts_ns = ts_ns_;
                kdc_sink_->answer(a);
            }
        }
        erase_front(s.buf, head);
        if (upgrade) {
            // RFC 6455 4.2.2: after the 101 both directions carry frames.
            facts_.upgrade_frame = frame_;
            facts_.upgrade_ts = ts_ns_;
            for (auto& side : sides_)
                if (side.mode != Mode::stopped) side.mode = Mode::websocket;
            // The other side's bytes held as the start of an HTTP head are
            // frames now (a client that did not wait for the 101, RFC 6455
            // 4.1; or a lying capture): read as such, else a frame header
            // would be sought in them (fuzz_gateway found it).
            const Dir other = dir == Dir::c2s ? Dir::s2c : Dir::c2s;
            Side& o = sides_[dir_index(other)];
            if (o.mode == Mode::websocket && !o.buf.empty()) {
                std::vector<std::uint8_t> held;
                held.swap(o.buf);
                run_websocket(other, o, held, out);
            }
            return;
        }
        // MS-TSGU 3.3.5.2: from the tunnel's creation on, the client's packets
        // are the IN channel's request body (RDG_IN_DATA, in self-delimiting
        // chunks; an identity body of a Content-Length taken as well), the
        // gateway's the OUT channel's response body: its final 200 (3.3.5.1
        // step 4) has no entity length and lasts until the connection closes
        // (a proxy may chunk it).  A 200 to an RDG_OUT_DATA that asked for the
        // upgrade is a gateway without the WebSocket transport: the HTTP one.
        if (h->request && iequal(e.method, "RDG_IN_DATA") && !e.websocket_upgrade && (chunked || body)) {
            begin_packets(s, chunked, body, GatewayFacts::Channel::in);
            return;
        }
        if (!h->request && h->status == 200 && iequal(facts_.method, "RDG_OUT_DATA") &&
            (facts_.transport == GatewayFacts::Transport::http || facts_.transport == GatewayFacts::Transport::websocket)) {
            facts_.transport = GatewayFacts::Transport::http;
            begin_packets(s, chunked, ~std::uint64_t{0}, GatewayFacts::Channel::out);
            return;
        }
        if (chunked && !gather) {
            // Another message's chunked body: not decoded here.
            stop(s, "an HTTP body in chunked transfer coding (the HTTP transport's packet stream) is not decoded");
            return;
        }
        if (!informational && (body || chunked)) {
            s.mode = Mode::body;
            s.body_left = body;
            s.body_chunked = chunked;
            s.chunks = {};
            s.gather = gather;
            s.too_big = false;
            s.body.clear();
            s.kdc_path = std::move(kdc_path);
            s.kdc_name = std::move(kdc_name);
            std::vector<std::uint8_t> rest;
            rest.swap(s.buf);
            const Bytes left = run_body(dir, s, rest, out);
            s.buf.assign(left.begin(), left.end());
        }
    }
}

// An HTTP/1.1 message body (RFC 9112 6.3): `body_left` bytes, or chunks to
// the last one; a KDC proxy's gathered.  Returns the bytes past its end.
Bytes GatewayStage::run_body(Dir dir, Side& s, Bytes data, std::vector<PduEvent>& out) {
    auto keep = [&s](Bytes d) {
        if (!s.gather || s.too_big || d.empty()) return;
        if (s.body.size() + d.size() > Http2Session::kMaxBody) {
            s.too_big = true;
            s.body.clear();
            s.body.shrink_to_fit();
            return;
        }
        s.body.insert(s.body.end(), d.begin(), d.end());
    };
    while (s.mode == Mode::body && !data.empty()) {
        if (s.body_chunked) {
            auto st = s.chunks.next(data);
            if (!st) {
                stop(s, "a /KdcProxy body's chunked transfer coding does not decode (RFC 9112 7.1)");
                return {};
            }
            keep(st->data);
            data = data.subspan(st->consumed);
            if (st->end) body_end(dir, s, out);
            else if (!st->consumed) break;
        } else {
            const std::uint64_t n = std::min<std::uint64_t>(s.body_left, data.size());
            keep(data.subspan(0, static_cast<std::size_t>(n)));
            s.body_left -= n;
            data = data.subspan(static_cast<std::size_t>(n));
            if (s.body_left == 0) body_end(dir, s, out);
        }
    }
    return data;
}

void GatewayStage::body_end(Dir dir, Side& s, std::vector<PduEvent>& out) {
    s.mode = Mode::http;
    if (s.gather && !s.too_big && !s.body.empty())
        kdc_proxy_body(dir, s.body, 0, s.kdc_path, s.kdc_name, kdc_sink_, frame_, ts_ns_, out);
    s.gather = false;
    s.body.clear();
    s.body.shrink_to_fit();
}

void GatewayStage::run_websocket(Dir dir, Side& s, Bytes data, std::vector<PduEvent>& out) {
    while (!data.empty() && s.mode == Mode::websocket) {
        if (!s.frame) {
            // A frame header (2 to 14 bytes), perhaps split across records.
            const std::size_t had = s.buf.size();
            const std::size_t take = std::min<std::size_t>(14 - std::min<std::size_t>(had, 14), data.size());
            s.buf.insert(s.buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
            auto h = websocket::decode_frame_header(s.buf);
            if (!h) {
                if (h.error().kind == ErrorKind::need_more) {
                    data = data.subspan(take);
                    continue;
                }
                stop(s, "a WebSocket frame header does not decode (RFC 6455 5.2)");
                return;
            }
            // Of the bytes just taken, those past the header are payload.
            // (s.buf holds at most a header's first bytes: had < header_length.)
            if (h->header_length <= had) {
                stop(s, "a WebSocket frame header does not decode (RFC 6455 5.2)");
                return;
            }
            const std::size_t used = h->header_length - had;
            data = data.subspan(used);
            s.buf.clear();
            s.frame = *h;
            s.payload_done = 0;
            s.close.clear();
        }
        websocket::FrameHeader& f = *s.frame;
        const std::uint64_t left = f.payload_length - s.payload_done;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, data.size()));
        if (n) {
            const std::size_t at = f.opcode == websocket::kClose ? s.close.size() : s.tsgu.size();
            auto& dst = f.opcode == websocket::kClose ? s.close : s.tsgu;
            if (f.opcode == websocket::kBinary || f.opcode == websocket::kContinuation || f.opcode == websocket::kClose) {
                dst.insert(dst.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
                if (f.masked) websocket::unmask(f.mask, s.payload_done, std::span(dst).subspan(at, n));
            }
            s.payload_done += n;
            data = data.subspan(n);
        }
        if (s.payload_done == f.payload_length) {
            if (f.opcode == websocket::kClose) {
                auto c = websocket::decode_close(s.close);
                ev::GatewayWebSocketClose e;
                if (c) e.code = c->code;
                if (inner_) inner_->inner_close(dir, frame_, ts_ns_);
                if (!facts_.websocket_close_frame) {
                    facts_.websocket_close_frame = frame_;
                    facts_.websocket_close_code = e.code;
                }
                out.push_back(PduEvent{frame_, ts_ns_, e});
            }
            s.frame.reset();
        }
        if (s.tsgu.size() >= tsgu::kHeaderLength) run_tsgu(dir, s, out);
    }
}

void GatewayStage::run_tsgu(Dir dir, Side& s, std::vector<PduEvent>& out) {
    std::size_t at = 0;
    while (s.tsgu.size() - at >= tsgu::kHeaderLength) {
        const Bytes rest = std::span(s.tsgu).subspan(at);
        auto h = tsgu::decode_header(rest);
        if (!h) {
            ev::GatewayPacket e;
            e.error = h.error();
            out.push_back(PduEvent{frame_, ts_ns_, e});
            stop(s, "an MS-TSGU packet header does not decode (MS-TSGU 2.2.10.9)");
            return;
        }
        if (rest.size() < h->length) break;
        on_packet(dir, rest.subspan(0, h->length), out);
        at += h->length;
    }
    erase_front(s.tsgu, at);
}

void GatewayStage::begin_packets(Side& s, bool chunked, std::uint64_t length, GatewayFacts::Channel role) {
    s.mode = Mode::packets;
    s.chunked = chunked;
    s.chunks = {};
    s.body_left = chunked ? 0 : length;
    s.seeking = role == GatewayFacts::Channel::out;
    s.tsgu.clear();
    facts_.http_channel = role;
    if (!facts_.stream_frame) facts_.stream_frame = frame_;
    if (role == GatewayFacts::Channel::in && relay_ && !facts_.partner_conn) {
        // The OUT channel answered its 200 before the IN channel was opened (3.3.5.1): it is there now.
        facts_.partner_conn = relay_->pair_http(self_);
        if (facts_.partner_conn) inner_ = nullptr;  // the OUT channel's
    }
}

void GatewayStage::paired(std::uint64_t partner) {
    facts_.partner_conn = partner;
    if (facts_.http_channel == GatewayFacts::Channel::in) inner_ = nullptr;
}

// The body of a message that carries packets, from `data`; what is past its
// end (a chunked body's last chunk) is returned, for the next head.
Bytes GatewayStage::run_packets(Dir dir, Side& s, Bytes data, std::vector<PduEvent>& out) {
    while (!data.empty() && s.mode == Mode::packets) {
        Bytes piece;
        bool ended = false;
        if (s.chunked) {
            auto st = s.chunks.next(data);
            if (!st) {
                ev::GatewayHttp e;
                e.request = dir == Dir::c2s;
                e.error = st.error();
                out.push_back(PduEvent{frame_, ts_ns_, std::move(e)});
                stop(s, dir == Dir::c2s ? "the IN channel's chunked body does not decode (RFC 9112 7.1)"
                                        : "the OUT channel's chunked body does not decode (RFC 9112 7.1)");
                return {};
            }
            piece = st->data;
            data = data.subspan(st->consumed);
            ended = st->end;
        } else {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(s.body_left, data.size()));
            piece = data.subspan(0, n);
            data = data.subspan(n);
            s.body_left -= n;
            ended = s.body_left == 0;
        }
        if (!piece.empty()) {
            s.tsgu.insert(s.tsgu.end(), piece.begin(), piece.end());
            if (s.seeking && !seek_first_packet(s)) {
                if (s.mode == Mode::stopped) return {};
            } else if (s.tsgu.size() >= tsgu::kHeaderLength) {
                run_tsgu(dir, s, out);
            }
        }
        if (ended && s.mode == Mode::packets) {
            // The body is over: a packet cut by its end is lost with it.
            s.mode = Mode::http;
            s.tsgu.clear();
        }
    }
    return data;
}

// MS-TSGU 3.3.5.1 step 4: after the OUT channel's 200 the gateway sends "a
// random entity body of limited size (100 bytes)" -- Windows Server sends 10
// bytes, 0xAB 0xCD five times -- so that a reverse proxy starts passing the
// response; the packets follow.  The first is the handshake response
// (2.2.10.11: type 2, 18 bytes long), whose header is looked for in the first
// 100 bytes and more.  False while not found.
bool GatewayStage::seek_first_packet(Side& s) {
    static constexpr std::uint8_t kFirst[8] = {tsgu::kHandshakeResponse, 0, 0, 0, 18, 0, 0, 0};
    constexpr std::size_t kMaxSeed = 100;
    const auto at = std::search(s.tsgu.begin(), s.tsgu.end(), std::begin(kFirst), std::end(kFirst));
    if (at == s.tsgu.end()) {
        if (s.tsgu.size() >= kMaxSeed + sizeof kFirst)
            stop(s, "the OUT channel's body holds no handshake response in its first 100 bytes (MS-TSGU 3.3.5.1)");
        return false;
    }
    const auto n = static_cast<std::size_t>(at - s.tsgu.begin());
    if (n > kMaxSeed) {
        stop(s, "the OUT channel's body holds no handshake response in its first 100 bytes (MS-TSGU 3.3.5.1)");
        return false;
    }
    facts_.seed_bytes = static_cast<std::uint32_t>(n);
    erase_front(s.tsgu, n);
    s.seeking = false;
    return true;
}

void GatewayStage::on_packet(Dir dir, Bytes packet, std::vector<PduEvent>& out) {
    apply(dir, packet, out, true);
    // The HTTP transport's pair: the partner's facts, and its inner connection's bytes.
    if (relay_ && facts_.partner_conn) relay_->relay(*facts_.partner_conn, dir, packet, frame_, ts_ns_, out);
}

void GatewayStage::peer_packet(Dir dir, Bytes packet, std::uint64_t frame, std::int64_t ts_ns,
                               std::vector<PduEvent>& out) {
    frame_ = frame;
    ts_ns_ = ts_ns;
    apply(dir, packet, out, false);
}

// One whole packet: the facts, the inner connection's part, and (`own`: this
// connection carried it) its dissect event.
void GatewayStage::apply(Dir dir, Bytes packet, std::vector<PduEvent>& out, bool own) {
    auto p = tsgu::decode_packet(packet);
    ev::GatewayPacket e;
    auto hd = tsgu::decode_header(packet);
    e.type = hd ? hd->type : 0;
    e.length = static_cast<std::uint32_t>(packet.size());
    if (!p) {
        e.error = p.error();
        if (own) out.push_back(PduEvent{frame_, ts_ns_, e});
        return;
    }
    e.status = p->status;
    e.tunnel_id = p->tunnel_id;
    e.channel_id = p->channel_id;
    e.udp_port = p->udp_port;
    e.client_name = p->client_name;
    e.extended_auth = p->extended_auth;
    if (p->resource_count) e.resource = p->resources[0];
    e.port = p->port;
    e.data_length = static_cast<std::uint32_t>(p->data.size());
    auto request = [&](GatewayFacts::Step& st) {
        if (!st.request_frame) {
            st.request_frame = frame_;
            st.request_ts = ts_ns_;
        }
    };
    auto response = [&](GatewayFacts::Step& st) {
        if (!st.response_frame) {
            st.response_frame = frame_;
            st.response_ts = ts_ns_;
            st.status = p->status;
        }
    };
    switch (p->header.type) {
        case tsgu::kHandshakeRequest: request(facts_.handshake); break;
        case tsgu::kHandshakeResponse: response(facts_.handshake); break;
        case tsgu::kTunnelCreate: request(facts_.tunnel); break;
        case tsgu::kTunnelResponse:
            response(facts_.tunnel);
            if (p->tunnel_id) facts_.tunnel_id = p->tunnel_id;
            break;
        case tsgu::kTunnelAuth:
            request(facts_.tunnel_auth);
            if (facts_.client_name.empty()) facts_.client_name = p->client_name;
            break;
        case tsgu::kTunnelAuthResponse: response(facts_.tunnel_auth); break;
        case tsgu::kChannelCreate:
            if (!facts_.channel.request_frame && inner_)
                inner_->channel_request(frame_, ts_ns_, p->resource_count ? std::string(p->resources[0]) : std::string(),
                                        p->port);
            request(facts_.channel);
            if (facts_.target_host.empty() && p->resource_count) {
                facts_.target_host = p->resources[0];
                facts_.target_port = p->port;
            }
            break;
        case tsgu::kChannelResponse:
            if (!facts_.channel.response_frame && inner_) inner_->channel_response(p->status == 0, frame_, ts_ns_);
            response(facts_.channel);
            if (p->channel_id) facts_.channel_id = p->channel_id;
            break;
        case tsgu::kData: {
            const int d = dir_index(dir);
            if (!facts_.data_packets[d]++) facts_.first_data_frame[d] = frame_;
            facts_.data_bytes[d] += p->data.size();
            // The session itself: only the first data packets are events;
            // the inner connection's own events follow.
            if (own && facts_.data_packets[d] <= 8) out.push_back(PduEvent{frame_, ts_ns_, e});
            if (inner_ && !p->data.empty()) inner_->inner_data(dir, p->data, frame_, ts_ns_, out);
            return;
        }
        case tsgu::kKeepalive:
            if (facts_.keepalives++ >= 4) return;
            break;
        case tsgu::kCloseChannel:
        case tsgu::kCloseChannelResponse:
            if (inner_) inner_->inner_close(dir, frame_, ts_ns_);
            if (!facts_.close_frame) {
                facts_.close_frame = frame_;
                facts_.close_status = p->status;
            }
            break;
        default: break;
    }
    if (own) out.push_back(PduEvent{frame_, ts_ns_, std::move(e)});
}

GatewayTunnel::GatewayTunnel(const InnerSetup& inner, KdcProxySink* kdc)
    : kdc_(kdc), setup_(std::make_unique<InnerSetup>(inner)) {
    // The same certificates as the RDP connections' (a gateway or web server
    // sends one certificate to every client; describing it is OpenSSL's
    // costliest work here: issue 16).  The key log is set when TLS starts
    // (on_data).
    tls_.set_certificate_cache(inner.certs);
    tls_.set_plaintext_sink(&stage_);
    stage_.set_inner(this);
    stage_.set_http2(&tls_.facts(), kdc ? this : nullptr);
}

ev::KerberosMessage GatewayTunnel::proxied(const ProxiedKerberos& m) {
    ProxiedKerberos k = m;
    if (const Connection* c = setup_->outer) {
        k.conn = c->id;
        k.client = c->client();
        k.server = c->server();
    }
    if (!tls().sni.empty()) k.name = tls().sni;
    return kdc_->proxied(k);
}

void GatewayTunnel::answer(const ProxyAnswer& m) {
    ProxyAnswer a = m;
    if (const Connection* c = setup_->outer) {
        a.conn = c->id;
        a.client = c->client();
        a.server = c->server();
    }
    if (!tls().sni.empty()) a.name = tls().sni;
    kdc_->answer(a);
}

GatewayTunnel::~GatewayTunnel() = default;

GatewayFacts::Transport GatewayTunnel::transport() const {
    if (facts().transport != GatewayFacts::Transport::unknown) return facts().transport;
    switch (shape_.kind) {
        case GatewayShape::Kind::http_pair: return GatewayFacts::Transport::http;
        case GatewayShape::Kind::websocket: return GatewayFacts::Transport::websocket;
        default: return GatewayFacts::Transport::unknown;
    }
}

InnerRdp* GatewayTunnel::inner() const { return inner_ && inner_->started() ? inner_.get() : nullptr; }

void GatewayTunnel::channel_request(std::uint64_t frame, std::int64_t ts_ns, const std::string& target,
                                    std::uint16_t port) {
    if (!inner_) inner_ = std::make_unique<InnerRdp>(*setup_);
    inner_->channel_request(frame, ts_ns, target, port);
}

void GatewayTunnel::channel_response(bool ok, std::uint64_t frame, std::int64_t ts_ns) {
    if (inner_) inner_->channel_response(ok, frame, ts_ns);
}

void GatewayTunnel::inner_data(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns,
                               std::vector<PduEvent>& out) {
    if (!inner_) inner_ = std::make_unique<InnerRdp>(*setup_);
    inner_->data(dir, data, frame, ts_ns, out);
}

void GatewayTunnel::inner_close(Dir from, std::uint64_t frame, std::int64_t ts_ns) {
    if (inner_) inner_->close(from, frame, ts_ns, false);
}

void GatewayTunnel::outer_closed(Dir from, std::uint64_t frame, std::int64_t ts_ns, bool reset) {
    if (inner_) inner_->close(from, frame, ts_ns, reset);
}

bool GatewayTunnel::on_data(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns,
                            std::vector<PduEvent>& out) {
    if (not_tls_) return false;
    if (!started_) {
        // RFC 8446 5.1 / RFC 5246 6.2.1: a handshake record (22), version 3.x.
        if (data.empty()) return true;
        if (data[0] != 22 || (data.size() > 1 && data[1] != 3)) {
            not_tls_ = true;
            return false;
        }
        started_ = true;
        // A key log still empty when TLS starts (a pcap's, a pcapng without
        // secrets) decrypts nothing: without it the records' payloads are only
        // counted, not gathered, as for an RDP connection (rdp_stream.cpp,
        // enter_secured).  Gathering every HTTPS record on a jump box's 443
        // cost a fifth of the mix's time (issue 16).
        if (setup_->keys && (!setup_->keys->empty() || setup_->keys_may_grow)) tls_.set_keys(setup_->keys, nullptr, false);
    }
    tls_.feed(dir, data, frame, ts_ns, out);
    return true;
}

}  // namespace rdpscope
