// SPDX-License-Identifier: MIT
#include "cli/version.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "capture/pcap_version.hpp"
#include "dissect/hpack.hpp"

namespace rdpscope::cli {

std::string version_text() {
    // OpenSSL_version(OPENSSL_VERSION) is the loaded libcrypto's own text, e.g.
    // "OpenSSL 3.0.19 27 Jan 2026" (OPENSSL_VERSION_TEXT would be the headers').
    return fmt::format(
        "rdpscope {}\n"
        "commit: {}\n"
        "capture library: {}\n"
        "crypto library: {}\n"
        "HTTP/2 header library: {}\n"
        "licence: MIT",
        kVersion, kGitCommit, pcap_library_version(), OpenSSL_version(OPENSSL_VERSION), hpack::library_version());
}

}  // namespace rdpscope::cli
