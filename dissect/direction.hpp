// SPDX-License-Identifier: MIT
// The one direction of travel on a connection, shared by the decoders (TLS
// session, MCS sender) and the analysis: client to server, server to client.
#pragma once

#include <cstdint>

namespace rdpscope {

enum class Dir : std::uint8_t { c2s, s2c };

inline const char* to_string(Dir d) { return d == Dir::c2s ? "c2s" : "s2c"; }

// 0 for c2s, 1 for s2c: the index of per-direction arrays.
inline int dir_index(Dir d) { return d == Dir::c2s ? 0 : 1; }

}  // namespace rdpscope
