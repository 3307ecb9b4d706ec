// SPDX-License-Identifier: MIT
// Share Control PDUs: Demand/Confirm Active, Deactivate All, Server
// Redirection, Set Error Info, Save Session Info (dissect/rdp_share).
#include <cstddef>
#include <cstdint>

#include "dissect/rdp_share.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rdpscope::Bytes in(data, size);
    auto d = rdpscope::share::decode(in);
    if (d && d->header.total_length > size && d->header.total_length != 0x8000) __builtin_trap();
    (void)rdpscope::share::decode_redirection(in);
    return 0;
}
