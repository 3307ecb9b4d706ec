#include "analyze/tcp_analysis.hpp"

namespace rdpscope {

std::vector<std::string> tcp_flag_names(std::uint32_t bits) {
    static const std::pair<TcpFlag, const char*> kNames[] = {
        {TCP_RETRANSMISSION, "tcp.retransmission"},
        {TCP_FAST_RETRANSMISSION, "tcp.fast_retransmission"},
        {TCP_SPURIOUS_RETRANSMISSION, "tcp.spurious_retransmission"},
        {TCP_OUT_OF_ORDER, "tcp.out_of_order"},
        {TCP_DUP_ACK, "tcp.dup_ack"},
        {TCP_ZERO_WINDOW, "tcp.zero_window"},
        {TCP_LOST_SEGMENT, "tcp.lost_segment"},
        {TCP_ACKED_UNSEEN, "tcp.acked_unseen"},
        {TCP_DUPLICATE_FRAME, "tcp.duplicate_frame"},
        {TCP_KEEP_ALIVE, "tcp.keep_alive"},
        {TCP_WINDOW_UPDATE, "tcp.window_update"},
        {TCP_WINDOW_FULL, "tcp.window_full"},
        {TCP_ZERO_WINDOW_PROBE, "tcp.zero_window_probe"},
    };
    std::vector<std::string> out;
    for (auto [bit, name] : kNames)
        if (bits & bit) out.emplace_back(name);
    return out;
}

std::uint32_t TcpAnalysis::on_segment(const TcpSegment& s) {
    TcpSideCounters& c = side_[s.side];
    ++c.packets;
    c.bytes += s.payload_len;
    const auto f = s.tcp->flags;
    if (f & tcp::SYN) ++((f & tcp::ACK) ? c.syn_ack : c.syn);
    if (f & tcp::FIN) ++c.fin;
    if (f & tcp::RST) ++c.rst;
    return 0;
}

nlohmann::ordered_json TcpAnalysis::to_json(int client_side) const {
    auto side_json = [](const TcpSideCounters& s) {
        return nlohmann::ordered_json{{"packets", s.packets}, {"bytes", s.bytes}, {"syn", s.syn},
                                      {"syn_ack", s.syn_ack}, {"fin", s.fin}, {"rst", s.rst}};
    };
    return {{"c2s", side_json(side_[client_side])}, {"s2c", side_json(side_[1 - client_side])}};
}

}  // namespace rdpscope
