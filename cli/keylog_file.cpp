// SPDX-License-Identifier: MIT
#include "cli/keylog_file.hpp"

#include <fmt/format.h>

#include <openssl/crypto.h>

#include <cerrno>
#include <cstring>

namespace rdpscope::cli {

namespace {
// The key's bytes do not linger in freed memory.
void wipe(std::vector<std::uint8_t>& b) { OPENSSL_cleanse(b.data(), b.size()); }
}  // namespace

bool KeyLogFile::open(const std::string& path, std::string& why) {
    path_ = path;
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) {
        why = fmt::format("{}: cannot open the key log: {}", path, std::strerror(errno));
        return false;
    }
    poll();
    return true;
}

void KeyLogFile::poll() {
    if (!file_) return;
    std::uint8_t buf[16384];
    for (;;) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, file_.get());
        if (n) log.feed(Bytes(buf, n));
        if (n < sizeof buf) break;
    }
    std::clearerr(file_.get());  // at its end now; a later poll() reads what is appended
}

bool KeyLogFile::add_rsa_key(const std::string& path, std::string& why) {
    std::unique_ptr<std::FILE, Closer> f(std::fopen(path.c_str(), "rb"));
    if (!f) {
        why = fmt::format("{}: cannot open the RSA key: {}", path, std::strerror(errno));
        return false;
    }
    // A PEM key is a few kilobytes; a file far larger is not one.
    std::vector<std::uint8_t> pem(256 * 1024);
    const std::size_t n = std::fread(pem.data(), 1, pem.size(), f.get());
    pem.resize(n);
    std::string reason;
    const bool ok = rsa_keys.add_pem(Bytes(pem), reason);
    wipe(pem);
    if (!ok) why = fmt::format("{}: {}", path, reason);
    return ok;
}

void KeyLogFile::say_problems(std::FILE* err, bool live) const {
    const auto& s = log.stats();
    if (s.skipped)
        fmt::print(err, "rdpscope: {}: {} of its {} lines are not NSS key log lines and were skipped\n", path_,
                   s.skipped, s.lines);
    if (s.dropped)
        fmt::print(err, "rdpscope: {}: {} secrets beyond the first {} sessions were not kept\n", path_, s.dropped,
                   keylog::KeyLog::kMaxSessions);
    if (log.empty() && live)
        fmt::print(err, "rdpscope: {}: no secrets in the key log yet; it is read again as the capture goes on\n", path_);
    else if (log.empty())
        fmt::print(err, "rdpscope: {}: no CLIENT_RANDOM or TLS 1.3 traffic secret in the key log\n", path_);
}

}  // namespace rdpscope::cli
