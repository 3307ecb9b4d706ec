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
    if (!rdpscope::text_beside_dump(j).agree()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    same(json(bytes));
    json doc = json::parse(bytes, nullptr, false);
    if (!doc.is_discarded()) same(doc);
    return 0;
}
