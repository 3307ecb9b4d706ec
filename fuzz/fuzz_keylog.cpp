// SPDX-License-Identifier: MIT
// libFuzzer target for dissect/keylog: the whole input as one key log, and the
// same input fed in two pieces (split at its first byte), which must give the
// same sessions and counts.
#include <cstddef>
#include <cstdint>

#include "dissect/keylog.hpp"

using namespace rdpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes in(data, size);
    keylog::KeyLog whole;
    whole.feed(in);
    whole.finish();
    if (size > 1) {
        keylog::KeyLog parts;
        const std::size_t cut = 1 + data[0] % (size - 1);
        parts.feed(in.first(cut));
        parts.feed(in.subspan(cut));
        parts.finish();
        if (parts.sessions() != whole.sessions() || parts.stats().secrets != whole.stats().secrets ||
            parts.stats().skipped != whole.stats().skipped)
            __builtin_trap();
    }
    const auto& s = whole.stats();
    if (s.secrets + s.ignored + s.skipped + s.dropped != s.lines) __builtin_trap();
    return 0;
}
