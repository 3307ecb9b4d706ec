// What the analysis reports as it goes: one event per decoded PDU, each a
// named list of fields that the writers (text, JSON) print without knowing the
// protocol.  Events are per PDU, not per packet, so their small allocations
// stay off the per-packet path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rdpscope {

enum class Dir : std::uint8_t { c2s, s2c };
inline const char* to_string(Dir d) { return d == Dir::c2s ? "c2s" : "s2c"; }
inline int idx(Dir d) { return d == Dir::c2s ? 0 : 1; }  // an index into per-direction arrays

struct Field {
    std::string_view key;  // JSON field name: a contract, see README
    std::variant<std::int64_t, std::string, bool, std::vector<std::string>> value;
};

struct PduEvent {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    std::string_view pdu;  // "x224.cr", "rdp.neg_req", ...
    std::vector<Field> fields;

    PduEvent& add(std::string_view k, std::int64_t v) { return put<std::int64_t>(k, v); }
    PduEvent& add(std::string_view k, std::string v) { return put<std::string>(k, std::move(v)); }
    PduEvent& add_bool(std::string_view k, bool v) { return put<bool>(k, v); }
    PduEvent& add_list(std::string_view k, std::vector<std::string> v) { return put<std::vector<std::string>>(k, std::move(v)); }

private:
    // Built in place: GCC 12 warns (falsely) about copying a braced temporary variant.
    template <typename T, typename V>
    PduEvent& put(std::string_view k, V&& v) {
        Field& f = fields.emplace_back();
        f.key = k;
        f.value.template emplace<T>(std::forward<V>(v));
        return *this;
    }
};

}  // namespace rdpscope
