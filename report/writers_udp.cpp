// SPDX-License-Identifier: MIT
// The writers' UDP side: RDP-UDP events for `rdpscope dissect` and UDP flow
// reports for `rdpscope analyze` (declared with the writers in writers.hpp).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/json_text.hpp"
#include "report/json_util.hpp"
#include "report/summary.hpp"
#include "report/summary_security.hpp"
#include "report/writers.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

void DissectWriter::udp_pdu(const UdpFlowFacts& f, Dir d, const PduEvent& e) {
    print_pdu(e, f.id, true, d, d == Dir::c2s ? f.client() : f.server(), d == Dir::c2s ? f.server() : f.client());
}

void ReportWriter::udp_flow_done(const UdpFlowFacts& f) {
    // A flow tied to a TCP connection is reported in that connection's `udp`;
    // one beyond the listing budget is counted in the `flood` object.
    if (f.tcp_conn || !f.listed) return;
    json j = udp_flow_json(f);
    if (format_ == Format::json) {
        j["file"] = path_;
        print_json_line(out_, j);
    } else {
        emit_text(j);
    }
}

}  // namespace rdpscope
