// SPDX-License-Identifier: MIT
// The result of analysing one connection, as a JSON value: the data model the
// writers print (JSON as is, text rendered from it), so both always agree.
#pragma once

#include <nlohmann/json.hpp>

#include "analyze/connection.hpp"
#include "analyze/tracker.hpp"
#include "analyze/verdict.hpp"
#include "report/json_text.hpp"

namespace rdpscope {

// The furthest handshake step the connection reached (README: "furthest_step"):
// the name of analyze's furthest_rung(), read from the connection as reported.
const char* furthest_step(const Connection& c);

// A connection's report object as JSON text (what json_text of its tree
// would be), and as a tree (that text parsed) for the writers that read it.
std::string summary_text(const Connection& c, const Verdict& v);
nlohmann::ordered_json summarize(const Connection& c, const Verdict& v);
// The verdict's fields (phase ... rule) as a connection's JSON names them.
void add_verdict_fields(const Verdict& v, nlohmann::ordered_json& j);
// `client_codes` of a verdict or a session end (README "Disconnect codes").
nlohmann::ordered_json client_codes_json(const ClientCodes& c);
void write_client_codes(JsonWriter& w, const ClientCodes& c);
nlohmann::ordered_json summarize_file(const std::string& path, const FileStats& s);

}  // namespace rdpscope
