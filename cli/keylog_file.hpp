// SPDX-License-Identifier: MIT
// The --keylog FILE of analyze, dissect, replay and capture: an NSS key log
// (dissect/keylog.hpp) read from a file that may keep growing (a client
// writing SSLKEYLOGFILE while `capture` runs): opened once, before the
// capture drops its privileges, and read again for new lines on each poll().
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "analyze/rsa_keys.hpp"
#include "dissect/keylog.hpp"

namespace rdpscope::cli {

class KeyLogFile {
public:
    // False, with `why`, when the file cannot be opened.
    bool open(const std::string& path, std::string& why);
    bool is_open() const { return file_ != nullptr; }
    // Reads what was appended since the last call.
    void poll();
    // The input is over: a last line without its end counts too.
    void finish() { log.finish(); }
    // One line on `err` when lines were skipped (never their content), or
    // when the file held no secrets at all (`live`: that it is read again as
    // the capture goes on).
    void say_problems(std::FILE* err, bool live = false) const;

    keylog::KeyLog log;

    // --rsa-key FILE (several allowed): read once, at start (capture: before
    // the privileges drop).  False with `why` when a file cannot be read or
    // holds no RSA private key.
    bool add_rsa_key(const std::string& path, std::string& why);
    RsaKeys rsa_keys;

private:
    struct Closer {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, Closer> file_;
    std::string path_;
};

}  // namespace rdpscope::cli
