// SPDX-License-Identifier: MIT
// libFuzzer target for report/json_text: the report's JSON serializer must
// write exactly what nlohmann's dump() writes (or refuse what it refuses),
// for any document nlohmann parses and for any bytes taken as a string
// (strings in a report come from packets: cookies, certificate names).
#include <cstddef>
#include <cstdint>
#include <string>

#include "report/json_text.hpp"

using json = nlohmann::ordered_json;

namespace {

void same(const json& j) {
    std::string want, got;
    bool want_threw = false, got_threw = false;
    try { want = j.dump(); } catch (const json::type_error&) { want_threw = true; }
    try { got = rdpscope::json_text(j); } catch (const json::type_error&) { got_threw = true; }
    if (want_threw != got_threw || want != got) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    same(json(bytes));
    json doc = json::parse(bytes, nullptr, false);
    if (!doc.is_discarded()) same(doc);
    return 0;
}
