// SPDX-License-Identifier: MIT
#include "dissect/result.hpp"

namespace rdpscope {

std::string_view to_string(ErrorKind k) {
    switch (k) {
        case ErrorKind::need_more: return "incomplete";
        case ErrorKind::truncated: return "cut by the capture's snaplen";
        case ErrorKind::malformed: return "malformed";
        case ErrorKind::unsupported: return "unsupported";
    }
    return "unknown";
}

}  // namespace rdpscope
