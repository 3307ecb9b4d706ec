// SPDX-License-Identifier: MIT
// Dropping privileges once the capture device is open: root (or CAP_NET_RAW)
// is needed only to open it.
#pragma once

#include <string>

namespace rdpscope {

struct DropResult {
    bool dropped = false;
    unsigned uid = 0, gid = 0;
    std::string error;  // non-empty: could not drop (the caller must stop)
};

// When running as root, switch to `user` (default "nobody"); otherwise nothing.
DropResult drop_privileges(const std::string& user);

}  // namespace rdpscope
