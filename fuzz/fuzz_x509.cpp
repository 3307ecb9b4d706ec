// SPDX-License-Identifier: MIT
// libFuzzer target for dissect/x509: describe() through OpenSSL on arbitrary DER, the
// host check, names, and chains (the input split in two at its first byte).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dissect/x509.hpp"

using namespace rdpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes in(data, size);
    if (auto c = x509::describe(in, 1700000000)) {
        // The description must be self-consistent.
        if (c->self_signed && !c->self_issued) __builtin_trap();
        if (c->sha256.size() != 64) __builtin_trap();
        (void)c->matches_name("rdp.example");
        (void)c->matches_name("192.0.2.1");
        (void)c->matches_name("2001:db8::1");
        for (const auto& dns : c->san_dns) (void)c->matches_name(dns);
        if (!c->subject_cn.empty()) (void)c->matches_name(c->subject_cn);
    }
    (void)x509::describe_name(in);
    if (size > 1) {
        const std::size_t cut = 1 + data[0] % (size - 1);
        auto chain = x509::describe_chain({in.subspan(1, cut - 1), in.subspan(cut)}, 0);
        if (chain.chain_length != 2 || chain.certs.size() != 2) __builtin_trap();
        // A host name taken from the input itself.
        (void)x509::matches_name(in.subspan(cut), as_text(in.subspan(1, cut - 1)));
    }
    return 0;
}
