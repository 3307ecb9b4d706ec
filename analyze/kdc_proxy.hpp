// SPDX-License-Identifier: MIT
// The KDC proxy over HTTP/2: mstsc, when it cannot reach a KDC, POSTs its
// Kerberos messages to the RD Gateway's /KdcProxy (MS-KKDCP), in the real
// Windows captures over HTTP/2 (ALPN h2).  Http2Session reads the decrypted
// bytes of such a connection (GatewayStage hands them over once it sees h2):
// the client's preface and the frames of both directions (RFC 9113,
// dissect/http2.hpp), each direction's header blocks through its own HPACK
// decoder (RFC 7541, dissect/hpack.hpp: the dynamic table is per direction),
// the request and response bodies of the /KdcProxy streams, each a
// KDC-PROXY-MESSAGE (dissect/kkdcp.hpp) whose Kerberos message goes to a
// KdcProxySink -- the tracker's KerberosFlows, which keeps it as it keeps
// port 88's, to tie to the RDP connections it explains.
// Bounded: frames over kMaxFrame are passed over (a header block among them
// ends the decoding: its table is lost), at most kMaxStreams streams at once,
// a body gathered up to kMaxBody, the first kMaxFrameEvents frame events per
// direction (then only HEADERS, RST_STREAM, GOAWAY).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/event.hpp"
#include "dissect/hpack.hpp"

namespace rdpscope {

// A Kerberos message a KDC proxy carried, for the KDC proxy's sink.
struct ProxiedKerberos {
    std::uint64_t conn = 0;      // the HTTPS connection (tcp.stream)
    Endpoint client, server;     // its ends
    Dir dir = Dir::c2s;          // c2s: the client's request; s2c: the KDC's answer
    std::uint32_t stream_id = 0; // the HTTP/2 stream (one request and its answer); 0 over HTTP/1.1
    std::string path;            // the request's :path
    std::string name;            // the proxy's name: the TLS SNI, else the request's :authority / Host
    std::optional<std::string> target_domain;
    Bytes message;               // the Kerberos message (RFC 4120 5), without the length prefix
    std::uint64_t frame = 0;     // the frame that completed the body
    std::int64_t ts_ns = 0;
};

// A /KdcProxy request the proxy answered with another status than 200: no
// KDC-PROXY-MESSAGE came back (MS-KKDCP 3.2.5.1: a proxy that cannot reach a
// KDC, or whose service is off -- a gateway without the KDC proxy answers 503).
struct ProxyAnswer {
    std::uint64_t conn = 0;       // the HTTPS connection (tcp.stream)
    Endpoint client, server;
    std::string name;             // the TLS SNI, else the request's :authority / Host
    std::uint32_t stream_id = 0;  // the HTTP/2 stream; 0 over HTTP/1.1
    std::string path;             // the request's path
    std::uint16_t status = 0;
    std::string reason;           // HTTP/1.1's reason phrase (HTTP/2 has none)
    std::uint64_t frame = 0;      // the response's head
    std::int64_t ts_ns = 0;
};

class KdcProxySink {
public:
    virtual ~KdcProxySink() = default;
    // Returns the message's dissect event.
    virtual ev::KerberosMessage proxied(const ProxiedKerberos& m) = 0;
    virtual void answer(const ProxyAnswer&) {}
};

// A /KdcProxy body complete in one direction (an HTTP/2 stream's, or an
// HTTP/1.1 message's: `stream_id` 0): its KDC-PROXY-MESSAGE (MS-KKDCP 2.2.2)
// as a dissect event, its Kerberos message to `sink` (whose event follows).
// `name`: the request's :authority / Host.  True when it decoded.
bool kdc_proxy_body(Dir dir, Bytes body, std::uint32_t stream_id, const std::string& path, const std::string& name,
                    KdcProxySink* sink, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);

// Whether an HTTP request's path is a KDC proxy's (MS-KKDCP 2.2.1 leaves it to
// the implementer; Windows' KDC proxy service, and mstsc through an RD Gateway, use /KdcProxy).
bool kdc_proxy_path(std::string_view path);

// What a KDC proxy connection showed, for its report.
struct KdcProxyFacts {
    std::uint64_t frames = 0;
    std::uint64_t requests = 0, responses = 0;   // header blocks of /KdcProxy streams
    std::uint64_t messages = 0;                  // KDC-PROXY-MESSAGEs decoded
    std::optional<std::uint32_t> goaway_error;
    std::uint64_t goaway_frame = 0;
    std::string problem;  // why decoding stopped
    std::uint64_t problem_frame = 0;
};

class Http2Session {
public:
    static constexpr std::size_t kMaxFrame = 64 * 1024;
    static constexpr std::size_t kMaxStreams = 32;
    static constexpr std::size_t kMaxBody = 64 * 1024;
    static constexpr std::uint64_t kMaxFrameEvents = 64;

    // `preface_done`: bytes of the client's preface (RFC 9113 3.4) already
    // read (GatewayStage read "PRI * HTTP/2.0\r\n\r\n" as an HTTP/1.1 head).
    explicit Http2Session(std::size_t preface_done = 0) : preface_done_(preface_done) {}
    void set_sink(KdcProxySink* sink) { sink_ = sink; }
    void data(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);
    const KdcProxyFacts& facts() const { return facts_; }
    bool kdc_proxy() const { return facts_.requests > 0; }
    bool stopped(Dir dir) const { return sides_[dir_index(dir)].stopped; }

private:
    struct Side {
        std::vector<std::uint8_t> buf;     // the frame being gathered
        std::uint64_t skip = 0;            // payload bytes of an oversized frame still to pass over
        hpack::Inflater hpack;             // the header blocks this side sends
        std::uint32_t block_stream = 0;    // a header block under way (HEADERS without END_HEADERS)
        bool block_end_stream = false;
        std::vector<hpack::Header> headers;
        std::uint64_t events = 0;
        bool stopped = false;
    };
    struct Stream {
        std::uint32_t id = 0;
        bool kdc = false;                   // POST to /KdcProxy
        std::string path;
        std::string authority;
        std::array<std::vector<std::uint8_t>, 2> body;
        std::array<bool, 2> too_big{};
    };
    void on_frame(Dir dir, Side& s, Bytes bytes, std::vector<PduEvent>& out);
    void headers_done(Dir dir, Side& s, ev::Http2Frame& e);
    void body_done(Dir dir, Stream& st, std::vector<PduEvent>& out);
    Stream* stream(std::uint32_t id, bool create);
    void drop(std::uint32_t id);
    void stop(Side& s, std::string why);

    std::size_t preface_done_;
    std::array<Side, 2> sides_;
    std::vector<Stream> streams_;
    KdcProxyFacts facts_;
    KdcProxySink* sink_ = nullptr;
    std::uint64_t frame_ = 0;
    std::int64_t ts_ns_ = 0;
};

}  // namespace rdpscope
