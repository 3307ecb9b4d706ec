// SPDX-License-Identifier: MIT
// TPKT framing, X.224 TPDUs and the RDP negotiation structures.
#include <cstddef>
#include <cstdint>

#include "dissect/rdp_neg.hpp"
#include "dissect/tpkt.hpp"
#include "dissect/x224.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rdpscope::Bytes in(data, size);
    (void)rdpscope::tpkt::frame(in, true);
    auto payload = rdpscope::tpkt::payload(in);
    auto t = rdpscope::x224::decode(payload ? *payload : in);
    if (t) {
        auto req = rdpscope::rdpneg::decode_request(t->variable);
        if (req && req->cookie && req->cookie->size() > size) __builtin_trap();
        (void)rdpscope::rdpneg::decode_confirm(t->variable);
    }
    (void)rdpscope::rdpneg::decode_request(in);
    (void)rdpscope::rdpneg::decode_confirm(in);
    return 0;
}
