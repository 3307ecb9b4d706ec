// SPDX-License-Identifier: MIT
// libFuzzer target for dissect/kerberos: one message from arbitrary bytes, and
// the TCP framing (length prefix, then the message it bounds).
#include <cstddef>
#include <cstdint>

#include "dissect/kerberos.hpp"

using namespace rdpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes in(data, size);
    if (auto m = krb::decode_message(in)) {
        if (krb::msg_type_name(m->type).empty()) __builtin_trap();
        if (m->type == 30 && !m->error_code) __builtin_trap();
        if (m->padata_types.size() > krb::kMaxPadata) __builtin_trap();
        if (m->cname) (void)m->cname->joined();
        if (m->sname) (void)m->sname->joined();
        if (m->error_code) (void)krb::error_name(*m->error_code);
    }
    if (auto len = krb::tcp_record_length(in); len && size >= 4 && *len <= size - 4)
        (void)krb::decode_message(in.subspan(4, *len), 4);
    return 0;
}
