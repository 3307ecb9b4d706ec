// SPDX-License-Identifier: MIT
// libFuzzer target for dissect/dns: the header and first question of arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "dissect/dns.hpp"

using namespace rdpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (auto m = dns::decode(Bytes(data, size))) {
        if (m->qname.size() > dns::kMaxName) __builtin_trap();
        if (m->rcode > 15) __builtin_trap();
        (void)dns::rcode_name(m->rcode);
        (void)dns::qtype_name(m->qtype);
    }
    return 0;
}
