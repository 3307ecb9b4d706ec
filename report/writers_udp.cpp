// The writers' UDP side: RDP-UDP events for `rdpscope dissect` and UDP flow
// reports for `rdpscope analyze` (declared with the writers in writers.hpp).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/json_util.hpp"
#include "report/pdu_fields.hpp"
#include "report/summary.hpp"
#include "report/summary_security.hpp"
#include "report/writers.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

namespace {

std::string field_text(const Field& f) {
    if (auto* i = std::get_if<std::int64_t>(&f.value)) return std::to_string(*i);
    if (auto* b = std::get_if<bool>(&f.value)) return *b ? "true" : "false";
    if (auto* l = std::get_if<std::vector<std::string>>(&f.value)) return fmt::format("{}", fmt::join(*l, ","));
    const auto& s = std::get<std::string>(f.value);
    if (s.find(' ') != std::string::npos || s.empty()) return fmt::format("\"{}\"", s);
    return s;
}

}  // namespace

void DissectWriter::udp_pdu(const UdpFlowFacts& f, Dir d, const PduEvent& e) {
    const PduFields pf = pdu_fields(e);
    const Endpoint& src = d == Dir::c2s ? f.client() : f.server();
    const Endpoint& dst = d == Dir::c2s ? f.server() : f.client();
    if (format_ == Format::json) {
        json j;
        j["file"] = path_;
        j["frame"] = e.frame;
        j["time"] = epoch_seconds(e.ts_ns);
        j["conn"] = f.id;
        j["transport"] = "udp";
        j["dir"] = to_string(d);
        j["src"] = to_string(src);
        j["dst"] = to_string(dst);
        j["pdu"] = pf.pdu;
        for (const auto& x : pf.fields)
            std::visit([&](const auto& v) {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) j[std::string(x.key)] = valid_utf8(v);
                else j[std::string(x.key)] = v;
            }, x.value);
        fmt::print(out_, "{}\n", j.dump());
        return;
    }
    const double rel = file_stats_ ? static_cast<double>(e.ts_ns - file_stats_->first_ts) / 1e9 : 0.0;
    // UDP flows are numbered apart from TCP connections: "#u0" is udp.stream 0.
    std::string line = fmt::format("{:>7} {:>11.6f}  #{:<3} {} {} -> {}  {}", e.frame, rel, fmt::format("u{}", f.id),
                                   to_string(d), to_string(src), to_string(dst), pf.pdu);
    for (const auto& x : pf.fields) line += fmt::format(" {}={}", x.key, field_text(x));
    fmt::print(out_, "{}\n", line);
}

void ReportWriter::udp_flow_done(const UdpFlowFacts& f) {
    // A flow tied to a TCP connection is reported in that connection's `udp`.
    if (f.tcp_conn) return;
    json j = udp_flow_json(f);
    if (format_ == Format::json) {
        j["file"] = path_;
        fmt::print(out_, "{}\n", j.dump());
    } else {
        emit_text(j);
    }
}

}  // namespace rdpscope
