// SPDX-License-Identifier: MIT
#include "capture/privileges.hpp"

#ifndef _WIN32
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#endif

namespace rdpscope {

DropResult drop_privileges(const std::string& user) {
    DropResult r;
#ifndef _WIN32
    if (::geteuid() != 0) return r;  // already unprivileged (e.g. CAP_NET_RAW on the binary)
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) {
        r.error = "no such user '" + user + "' to drop privileges to (--user)";
        return r;
    }
    // Order matters: supplementary groups and gid while still root, uid last.
    if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) {
        r.error = "cannot drop privileges to '" + user + "'";
        return r;
    }
    if (::setuid(0) == 0) {  // must fail now
        r.error = "privileges were not dropped: still able to become root";
        return r;
    }
    r.dropped = true;
    r.uid = pw->pw_uid;
    r.gid = pw->pw_gid;
#else
    // Windows has nothing to drop to: a process keeps the token it started
    // with.  With Npcap in its admin-only mode ("Restrict Npcap driver's access
    // to Administrators only", the installer's choice) the whole rdpscope.exe
    // runs elevated; it reads packets and writes only stdout, stderr and the -w
    // file.  Without that mode any user may capture, no elevation needed.
    (void)user;
#endif
    return r;
}

}  // namespace rdpscope
