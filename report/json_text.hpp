// SPDX-License-Identifier: MIT
// The report's JSON as text: byte for byte what nlohmann's dump() writes
// (compact, UTF-8 kept as it is, invalid UTF-8 an error, doubles by its own
// Grisu2 to_chars), at a fraction of its cost.
//
// Why not dump(): it decodes every byte of every string through a UTF-8
// state machine and copies through an output adapter; on a flood whose
// listed connections are all printed that was about 160,000 instructions a
// connection, 10% of the X.224 flood's and more of the NLA flood's (issue
// 16).  Here printable ASCII is copied a run at a time; a string holding any
// byte above 0x7F (rare: certificate names, cookies) is handed to nlohmann's
// own serializer, so what it does with UTF-8 stays exactly its own.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace rdpscope {

// j's compact text appended to out.
void append_json(std::string& out, const nlohmann::ordered_json& j);

inline std::string json_text(const nlohmann::ordered_json& j) {
    std::string s;
    s.reserve(1024);
    append_json(s, j);
    return s;
}

// j's text and a newline written to out (a JSON Lines record).
void print_json_line(std::FILE* out, const nlohmann::ordered_json& j);

// json_text(j) beside dump()'s text, each with whether it refused j (a
// type_error: invalid UTF-8).  For the tests and the fuzz target that hold
// the two to the same bytes.
struct TextBesideDump {
    std::string dump, text;
    bool dump_refused = false, text_refused = false;
    bool agree() const { return dump_refused == text_refused && dump == text; }
};
TextBesideDump text_beside_dump(const nlohmann::ordered_json& j);

}  // namespace rdpscope
