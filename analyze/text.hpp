// SPDX-License-Identifier: MIT
// Small text forms of raw protocol values, shared by the stages that write
// them into facts and events (rdp_stream, mcs_stage, udp_flows): one spelling
// each, so that values from different PDUs compare as text.
#pragma once

#include <string>
#include <string_view>

#include "dissect/reader.hpp"

namespace rdpscope {

// Printable ASCII kept, every other byte escaped as "\xNN", so the text and
// JSON writers always get valid UTF-8 (cookies, routing tokens, channel names).
std::string printable(std::string_view s);

// A 16-byte id (RDP_CORRELATION_INFO, the RDP-UDP correlation id) in wire
// order, dashed like a GUID: "01234567-89ab-cdef-0123-456789abcdef".
std::string guid_text(Bytes g);

}  // namespace rdpscope
