// SPDX-License-Identifier: MIT
// libFuzzer target for dissect/ntlm: NTLM NEGOTIATE, CHALLENGE and
// AUTHENTICATE messages (MS-NLMP 2.2.1), their payload fields and AV pairs.
#include <cstddef>
#include <cstdint>

#include "dissect/ntlm.hpp"

using namespace rdpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto m = ntlm::decode(Bytes(data, size));
    if (m) {
        // Names are bounded (4 UTF-8 bytes per character at most).
        for (const std::string* s : {&m->domain, &m->user, &m->workstation, &m->target_name, &m->nb_computer,
                                     &m->nb_domain, &m->dns_computer, &m->dns_domain, &m->dns_tree})
            if (s->size() > 4 * ntlm::kMaxChars) __builtin_trap();
        (void)m->anonymous();
    }
    return 0;
}
