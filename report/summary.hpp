// The result of analysing one connection, as a JSON value: the data model the
// writers print (JSON as is, text rendered from it), so both always agree.
#pragma once

#include <nlohmann/json.hpp>

#include "analyze/connection.hpp"
#include "analyze/tracker.hpp"
#include "analyze/verdict.hpp"

namespace rdpscope {

// Seconds since the epoch as a JSON number, to the microsecond.
nlohmann::ordered_json epoch_seconds(std::int64_t ts_ns, bool nano);

// The furthest handshake step the connection reached (README: "furthest_step"):
// the name of analyze's furthest_rung(), read from the connection as reported.
const char* furthest_step(const Connection& c);

nlohmann::ordered_json summarize(const Connection& c, const Verdict& v, bool nano_precision);
nlohmann::ordered_json summarize_file(const std::string& path, const FileStats& s, bool nano_precision);

}  // namespace rdpscope
