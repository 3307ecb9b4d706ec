// SPDX-License-Identifier: MIT
// The RD Gateway's decrypted side, as GatewayTunnel wires it (analyze/
// gateway_stage.hpp): the plaintext of both directions, in arbitrary chunks,
// read as HTTP/1.1 heads and bodies (identity and chunked, the HTTP
// transport's OUT seed), WebSocket frames, MS-TSGU packets, HTTP/2 with HPACK
// and MS-KKDCP when the server "selected" h2 -- and the RDP bytes the data
// packets carry going into a real inner connection (X.224, TLS, MCS), the KDC
// proxy's Kerberos into the tracker's KerberosFlows.  Every event is turned
// into its report fields.  The decoders have targets of their own; this one
// reaches the state that joins them: modes switching mid-chunk, a body's end
// inside a frame, the inner connection opened, fed and closed.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analyze/connection.hpp"
#include "analyze/gateway_inner.hpp"
#include "analyze/gateway_stage.hpp"
#include "analyze/kerberos_flows.hpp"
#include "analyze/observer.hpp"
#include "report/pdu_fields.hpp"

namespace {

using namespace rdpscope;

struct NullObserver : Observer {
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
};

// GatewayTunnel's wiring without its TLS: the stage's channel and data go to
// an InnerRdp made on first need, as GatewayTunnel makes it.
class Inner : public GatewayInner {
public:
    explicit Inner(const InnerSetup& s) : setup_(s) {}
    void channel_request(std::uint64_t frame, std::int64_t ts_ns, const std::string& target,
                         std::uint16_t port) override {
        get().channel_request(frame, ts_ns, target, port);
    }
    void channel_response(bool ok, std::uint64_t frame, std::int64_t ts_ns) override {
        if (inner_) inner_->channel_response(ok, frame, ts_ns);
    }
    void inner_data(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) override {
        get().data(dir, data, frame, ts_ns, out);
    }
    void inner_close(Dir from, std::uint64_t frame, std::int64_t ts_ns) override {
        if (inner_) inner_->close(from, frame, ts_ns, false);
    }
    void outer_closed(std::uint64_t frame, std::int64_t ts_ns) {
        if (inner_) inner_->close(Dir::c2s, frame, ts_ns, true);
    }

private:
    InnerRdp& get() {
        if (!inner_) inner_ = std::make_unique<InnerRdp>(setup_);
        return *inner_;
    }
    InnerSetup setup_;
    std::unique_ptr<InnerRdp> inner_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The outer connection the inner one is tied to: a client and a gateway on 443.
    Connection outer;
    outer.side[0] = Endpoint{IpAddr{4, {10, 0, 0, 131}}, 49779};
    outer.side[1] = Endpoint{IpAddr{4, {10, 0, 0, 7}}, 443};
    InnerSetup setup;
    setup.outer = &outer;
    Inner inner(setup);
    NullObserver obs;
    KerberosFlows kerberos(obs);
    // Byte 0, bit 0: the server selected h2 by ALPN (RFC 7301), as the KDC
    // proxy connections of mstsc's gateway captures do.
    TlsFacts tls;
    if (data[0] & 1) tls.alpn = "h2";
    GatewayStage stage;
    stage.set_inner(&inner);
    stage.set_http2(&tls, &kerberos);
    std::vector<PduEvent> out;
    std::size_t i = 1;
    std::uint64_t frame = 1;
    // Each chunk: a control byte (bit 0 the direction, bits 1-7 the length
    // 0..127), then the bytes.
    while (i < size) {
        const std::uint8_t ctl = data[i++];
        const Dir dir = (ctl & 1) ? Dir::s2c : Dir::c2s;
        const std::size_t n = std::min<std::size_t>(ctl >> 1, size - i);
        stage.plaintext(dir, {data + i, n}, frame, static_cast<std::int64_t>(frame) * 1'000'000, out);
        for (const PduEvent& e : out) (void)pdu_fields(e);
        out.clear();
        i += n;
        ++frame;
    }
    inner.outer_closed(frame, static_cast<std::int64_t>(frame) * 1'000'000);
    (void)to_string(stage.facts().transport);
    return 0;
}
