// SPDX-License-Identifier: MIT
// A decoder's error (dissect/result.hpp) as the report words it.
#pragma once

#include <string>

#include "dissect/result.hpp"

namespace rdpscope {

// "mcs DomainMCSPDU.choice malformed at byte 0": layer, field, kind, offset in the PDU.
std::string error_text(const DecodeError& e);
// The same for an offset counted from the start of a direction's stream (TLS).
std::string stream_error_text(const DecodeError& e);

}  // namespace rdpscope
