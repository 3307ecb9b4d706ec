// SPDX-License-Identifier: MIT
#include "report/error_text.hpp"

#include <fmt/format.h>

namespace rdpscope {

std::string error_text(const DecodeError& e) {
    return fmt::format("{} {} {} at byte {}", e.layer, e.field, to_string(e.kind), e.offset);
}

std::string stream_error_text(const DecodeError& e) {
    return fmt::format("{} {} {} at stream byte {}", e.layer, e.field, to_string(e.kind), e.offset);
}

}  // namespace rdpscope
