// SPDX-License-Identifier: MIT
// rdpscope --version: what was built from which commit, and the libraries it
// runs with.
#pragma once

#include <string>

namespace rdpscope::cli {

// Written at build time by cmake/build-info.cmake: the CMake project version
// and the git commit (40 hex digits, "-modified" after it when tracked files
// had uncommitted changes; "unknown" outside a git checkout).
extern const char* const kVersion;
extern const char* const kGitCommit;

// The --version text: "rdpscope VERSION" (the first line, as help2man and
// scripts read it), then the commit, the capture library and OpenSSL as they
// report themselves at run time (the shared libraries actually loaded, not the
// headers built against), and the licence.
std::string version_text();

}  // namespace rdpscope::cli
