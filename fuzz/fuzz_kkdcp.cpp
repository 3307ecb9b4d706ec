// SPDX-License-Identifier: MIT
// A KDC-PROXY-MESSAGE (MS-KKDCP 2.2.2) and the Kerberos message inside it.
#include <cstddef>
#include <cstdint>

#include "dissect/kerberos.hpp"
#include "dissect/kkdcp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rdpscope;
    auto m = kkdcp::decode(Bytes(data, size));
    if (!m) return 0;
    if (m->kerb_message.size() != m->length || m->kerb_message.size() > size) __builtin_trap();
    if (m->kerb_message.data() < data || m->kerb_message.data() + m->kerb_message.size() > data + size) __builtin_trap();
    (void)krb::decode_message(m->kerb_message);
    return 0;
}
