// SPDX-License-Identifier: MIT
// The per-connection RDP decoder (proxy preamble, X.224, after-negotiation
// framing) fed arbitrary byte streams in arbitrary chunks from both sides;
// each event it emits is turned into its report fields (report/pdu_fields).
#include <cstddef>
#include <cstdint>

#include "analyze/rdp_stream.hpp"
#include "report/pdu_fields.hpp"

namespace {
struct Null : rdpscope::RdpEvents {
    void pdu(int, rdpscope::PduEvent&& e) override { (void)rdpscope::pdu_fields(e); }
    void problem(int, std::uint64_t, const std::string&) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rdpscope::RdpSession s;
    Null ev;
    std::size_t i = 0;
    std::uint64_t frame = 1;
    // Each chunk: one control byte (side, gap flag, length 0..63), then the bytes.
    while (i < size) {
        const std::uint8_t ctl = data[i++];
        const int side = ctl & 1;
        const std::size_t n = std::min<std::size_t>(ctl >> 2, size - i);
        if (ctl & 2) s.on_gap(side, n + 1, frame, ev);
        else s.on_data(side, {data + i, n}, frame, static_cast<std::int64_t>(frame), -1, ev);
        i += n;
        ++frame;
    }
    return 0;
}
