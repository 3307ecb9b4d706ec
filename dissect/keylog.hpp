// SPDX-License-Identifier: MIT
// NSS key log (the SSLKEYLOGFILE format Wireshark, FreeRDP, OpenSSL, NSS and
// browsers write; also the payload of a pcapng Decryption Secrets Block of
// type TLSK, 0x544c534b): one "LABEL <client_random hex> <secret hex>" per
// line.  Labels kept: CLIENT_RANDOM (TLS 1.0-1.2 master secret, 48 bytes) and
// the four TLS 1.3 traffic secrets (RFC 8446 7.1).  Other known labels
// (EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET, RSA ...) are counted as
// ignored.
//
// Lenient, because key logs come from many tools: Windows writes CRLF, tools
// that dump SChannel's secrets from lsass leave runs of NUL bytes, files are
// appended to while a capture runs.  CR, LF and NUL all end a line; blank lines
// and '#' comments are skipped silently; any other line that is not a key log
// line is counted (never kept, never printed: it may hold a secret).  A line
// without its end is held until more bytes come (feed()) or the input ends
// (finish()), so a growing file can be read as it grows.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "dissect/reader.hpp"

namespace rdpscope::keylog {

enum class Label : std::uint8_t {
    client_random,                    // CLIENT_RANDOM: the TLS <= 1.2 master secret
    client_handshake_traffic_secret,  // CLIENT_HANDSHAKE_TRAFFIC_SECRET
    server_handshake_traffic_secret,  // SERVER_HANDSHAKE_TRAFFIC_SECRET
    client_traffic_secret_0,          // CLIENT_TRAFFIC_SECRET_0
    server_traffic_secret_0,          // SERVER_TRAFFIC_SECRET_0
};
inline constexpr std::size_t kLabels = 5;
const char* to_string(Label l);

// A secret: 48 bytes (master secret; SHA-384 suites) or 32 (SHA-256 suites).
struct Secret {
    std::array<std::uint8_t, 64> bytes{};
    std::uint8_t length = 0;
    Bytes view() const { return Bytes(bytes.data(), length); }
};

using ClientRandom = std::array<std::uint8_t, 32>;

// Every secret logged for one TLS session (keyed by its ClientHello random).
struct Entry {
    std::array<std::optional<Secret>, kLabels> secrets;
    const Secret* get(Label l) const {
        const auto& s = secrets[static_cast<std::size_t>(l)];
        return s ? &*s : nullptr;
    }
};

// What the lines held, for the one message the user gets.
struct Stats {
    std::uint64_t lines = 0;     // non-blank, non-comment lines
    std::uint64_t secrets = 0;   // lines kept (a repeated line counts again)
    std::uint64_t ignored = 0;   // key log lines of a label rdpscope does not use
    std::uint64_t skipped = 0;   // lines that are not key log lines
    std::uint64_t dropped = 0;   // key log lines past kMaxSessions sessions
};

class KeyLog {
public:
    // Sessions kept at most: far more than any capture needs, and a bound on a
    // hostile or runaway file (about 400 bytes each).
    static constexpr std::size_t kMaxSessions = 1u << 20;
    // A line longer than this is not a key log line (the longest is ~180 bytes).
    static constexpr std::size_t kMaxLine = 1024;

    // The next bytes of the log, in any chunking.
    void feed(Bytes data);
    void feed(std::string_view text) { feed(Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())); }
    // The input ended: a last line without its end is taken too.
    void finish();

    const Entry* find(const ClientRandom& client_random) const;
    std::size_t sessions() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    const Stats& stats() const { return stats_; }

private:
    void line(std::string_view l);

    std::map<ClientRandom, Entry> entries_;
    Stats stats_;
    std::string pending_;     // the start of a line whose end has not come yet
    bool overlong_ = false;   // the pending line passed kMaxLine: skip to its end
};

// One line, parsed (exposed for tests): nullopt when it is not a key log line
// of a kept label; `known_label` tells a line of an ignored label apart.
struct Line {
    Label label{};
    ClientRandom client_random{};
    Secret secret;
};
std::optional<Line> parse_line(std::string_view line, bool* known_label = nullptr);

}  // namespace rdpscope::keylog
