// SPDX-License-Identifier: MIT
// libFuzzer target for dissect/credssp: TSRequest framing and decoding, the
// Early User Authorization Result, status names.
#include <cstddef>
#include <cstdint>

#include "dissect/credssp.hpp"

using namespace rdpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes in(data, size);
    if (auto n = credssp::ts_request_length(in)) {
        if (*n > size) __builtin_trap();
        auto t = credssp::decode_ts_request(in.first(*n));
        if (t && t->error_code) (void)credssp::status_name(*t->error_code);
    }
    (void)credssp::decode_ts_request(in);
    (void)credssp::decode_early_user_auth_result(in);
    return 0;
}
