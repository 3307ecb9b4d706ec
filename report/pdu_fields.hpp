// SPDX-License-Identifier: MIT
// The dissect events (analyze/event.hpp) in the report's words: each typed
// PDU event becomes its `pdu` name ("x224.cr", "rdp.neg_req", ...) and a list
// of named fields, in the order the writers print them.  The field names and
// the `_name` / `_names` strings are a contract (README): they are made here
// and nowhere else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "analyze/event.hpp"

namespace rdpscope {

struct Field {
    std::string_view key;  // JSON field name: a contract, see README
    std::variant<std::int64_t, std::string, bool, std::vector<std::string>> value;
};

struct PduFields {
    std::string_view pdu;  // "x224.cr", "rdp.neg_req", ...
    std::vector<Field> fields;
};

// The event's name and fields.
PduFields pdu_fields(const Pdu& pdu);
inline PduFields pdu_fields(const PduEvent& e) { return pdu_fields(e.pdu); }
// Only its name.
std::string_view pdu_name(const Pdu& pdu);
inline std::string_view pdu_name(const PduEvent& e) { return pdu_name(e.pdu); }

}  // namespace rdpscope
