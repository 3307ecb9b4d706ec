// SPDX-License-Identifier: MIT
#include "analyze/gateway_inner.hpp"

#include "dissect/tcp.hpp"

namespace rdpscope {

namespace {

// Where the inner connection's RDP decoder sends its events: after the
// tunnel's own, in the outer connection's dissect stream.
class Collect : public RdpEvents {
public:
    explicit Collect(std::vector<PduEvent>& out) : out_(out) {}
    void pdu(int, PduEvent&& e) override { out_.push_back(std::move(e)); }
    void problem(int, std::uint64_t, const std::string&) override {}

private:
    std::vector<PduEvent>& out_;
};

// Arbitrary initial sequence numbers of the stand-in connection.
constexpr std::array<std::uint32_t, 2> kIsn{0x10000000u, 0x20000000u};

}  // namespace

InnerRdp::InnerRdp(const InnerSetup& s) {
    conn_.id = s.outer->id;
    conn_.side = {s.outer->client(), s.outer->server()};
    conn_.rdp.keys = s.keys;
    conn_.rdp.rsa_keys = s.rsa_keys;
    conn_.rdp.tls.set_certificate_cache(s.certs);
    conn_.via_gateway = Connection::ViaGateway{s.outer->id, {}, 0};
    next_seq_ = kIsn;
}

void InnerRdp::segment(int side, std::uint8_t flags, std::uint32_t len, std::uint64_t frame, std::int64_t ts_ns) {
    if (!conn_.first_frame) {
        conn_.first_frame = frame;
        conn_.first_ts = ts_ns;
        conn_.progress_frame = frame;
        conn_.progress_ts = ts_ns;
    }
    conn_.last_frame = frame;
    conn_.last_ts = ts_ns;
    SideStats& st = conn_.stats[side];
    ++st.packets;
    st.bytes += len;
    st.last_ts = ts_ns;
    st.last_frame = frame;
    tcp::Header h;
    h.src_port = conn_.side[side].port;
    h.dst_port = conn_.side[1 - side].port;
    h.seq = next_seq_[side];
    h.flags = flags;
    h.window = 65535;
    h.header_length = 20;
    if (flags & tcp::ACK) h.ack = next_seq_[1 - side];
    if (flags & tcp::SYN) {
        if (flags & tcp::ACK) ++st.syn_ack;
        else if (!st.syn++) {
            st.syn_seq = h.seq;
            st.first_syn_frame = frame;
        }
    }
    if ((flags & tcp::FIN) && !st.fin++) st.first_fin_frame = frame;
    if ((flags & tcp::RST) && !st.rst++) st.first_rst_frame = frame;
    TcpSegment seg;
    seg.frame = frame;
    seg.ts_ns = ts_ns;
    seg.side = side;
    seg.tcp = &h;
    seg.payload_len = len;
    conn_.tcp.on_segment(seg);
    next_seq_[side] += len + ((flags & (tcp::SYN | tcp::FIN)) ? 1 : 0);
}

void InnerRdp::channel_request(std::uint64_t frame, std::int64_t ts_ns, const std::string& target, std::uint16_t port) {
    if (requested_ || carried_) return;
    requested_ = true;
    conn_.via_gateway->target = target;
    conn_.via_gateway->port = port;
    segment(0, tcp::SYN, 0, frame, ts_ns);
}

void InnerRdp::channel_response(bool ok, std::uint64_t frame, std::int64_t ts_ns) {
    if (!requested_ || opened_ || carried_ || !ok) return;
    opened_ = true;
    segment(1, tcp::SYN | tcp::ACK, 0, frame, ts_ns);
    segment(0, tcp::ACK, 0, frame, ts_ns);
}

void InnerRdp::data(Dir dir, Bytes bytes, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) {
    const int side = dir_index(dir);
    if (bytes.empty() || fin_[side] || conn_.closed()) return;
    carried_ = true;
    segment(side, tcp::ACK | tcp::PSH, static_cast<std::uint32_t>(bytes.size()), frame, ts_ns);
    segment(1 - side, tcp::ACK, 0, frame, ts_ns);
    conn_.progress_frame = frame;
    conn_.progress_ts = ts_ns;
    conn_.last_data_side = side;
    Collect ev(out);
    conn_.rdp.on_data(side, bytes, frame, ts_ns, opened_ ? 0 : -1, ev);
}

void InnerRdp::close(Dir from, std::uint64_t frame, std::int64_t ts_ns, bool reset) {
    const int side = dir_index(from);
    if (!started() || conn_.closed() || fin_[side]) return;
    if (reset) {
        segment(side, tcp::RST | tcp::ACK, 0, frame, ts_ns);
        return;
    }
    fin_[side] = true;
    segment(side, tcp::FIN | tcp::ACK, 0, frame, ts_ns);
    segment(1 - side, tcp::ACK, 0, frame, ts_ns);
}

}  // namespace rdpscope
