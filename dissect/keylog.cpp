// SPDX-License-Identifier: MIT
// NSS key log: see keylog.hpp.  The format is NSS's ("NSS Key Log Format",
// also described in draft-ietf-tls-keylogfile): fields separated by a space,
// client random and secret in hex.
#include "dissect/keylog.hpp"

#include <algorithm>

namespace rdpscope::keylog {

namespace {

struct LabelName {
    std::string_view name;
    std::optional<Label> label;  // nullopt: known, not used
};

constexpr LabelName kNames[] = {
    {"CLIENT_RANDOM", Label::client_random},
    {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", Label::client_handshake_traffic_secret},
    {"SERVER_HANDSHAKE_TRAFFIC_SECRET", Label::server_handshake_traffic_secret},
    {"CLIENT_TRAFFIC_SECRET_0", Label::client_traffic_secret_0},
    {"SERVER_TRAFFIC_SECRET_0", Label::server_traffic_secret_0},
    {"EXPORTER_SECRET", std::nullopt},
    {"EARLY_EXPORTER_SECRET", std::nullopt},
    {"CLIENT_EARLY_TRAFFIC_SECRET", std::nullopt},
    {"RSA", std::nullopt},  // "RSA <encrypted pre-master prefix> <pre-master>": not a client random
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// `hex` into `out`; false unless it is exactly 2 * out.size() hex digits.
bool unhex(std::string_view hex, std::uint8_t* out, std::size_t n) {
    if (hex.size() != 2 * n) return false;
    for (std::size_t i = 0; i < n; ++i) {
        const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return true;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view next_field(std::string_view& s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    std::size_t n = 0;
    while (n < s.size() && !is_space(s[n])) ++n;
    std::string_view f = s.substr(0, n);
    s.remove_prefix(n);
    return f;
}

bool is_line_end(std::uint8_t c) { return c == '\n' || c == '\r' || c == '\0'; }

}  // namespace

const char* to_string(Label l) {
    switch (l) {
        case Label::client_random: return "CLIENT_RANDOM";
        case Label::client_handshake_traffic_secret: return "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
        case Label::server_handshake_traffic_secret: return "SERVER_HANDSHAKE_TRAFFIC_SECRET";
        case Label::client_traffic_secret_0: return "CLIENT_TRAFFIC_SECRET_0";
        case Label::server_traffic_secret_0: return "SERVER_TRAFFIC_SECRET_0";
    }
    return "?";
}

std::optional<Line> parse_line(std::string_view s, bool* known_label) {
    if (known_label) *known_label = false;
    const std::string_view name = next_field(s);
    const LabelName* found = nullptr;
    for (const auto& n : kNames)
        if (n.name == name) found = &n;
    if (!found) return std::nullopt;
    const std::string_view random = next_field(s), secret = next_field(s);
    if (!next_field(s).empty()) return std::nullopt;  // a fourth field: not this format
    if (random.empty() || secret.empty()) return std::nullopt;
    if (!found->label) {
        if (known_label) *known_label = true;
        return std::nullopt;
    }
    Line out;
    out.label = *found->label;
    if (!unhex(random, out.client_random.data(), out.client_random.size())) return std::nullopt;
    // The master secret is 48 bytes (RFC 5246 8.1); a TLS 1.3 secret is as long
    // as the suite's hash: 32 (SHA-256) or 48 (SHA-384).
    const std::size_t n = secret.size() / 2;
    const bool length_ok = out.label == Label::client_random ? n == 48 : (n == 32 || n == 48);
    if (!length_ok || !unhex(secret, out.secret.bytes.data(), n)) return std::nullopt;
    out.secret.length = static_cast<std::uint8_t>(n);
    if (known_label) *known_label = true;
    return out;
}

void KeyLog::line(std::string_view l) {
    while (!l.empty() && is_space(l.front())) l.remove_prefix(1);
    while (!l.empty() && is_space(l.back())) l.remove_suffix(1);
    if (l.empty() || l.front() == '#') return;
    ++stats_.lines;
    bool known = false;
    auto parsed = parse_line(l, &known);
    if (!parsed) {
        ++(known ? stats_.ignored : stats_.skipped);
        return;
    }
    auto it = entries_.find(parsed->client_random);
    if (it == entries_.end()) {
        if (entries_.size() >= kMaxSessions) {
            ++stats_.dropped;
            return;
        }
        it = entries_.emplace(parsed->client_random, Entry{}).first;
    }
    it->second.secrets[static_cast<std::size_t>(parsed->label)] = parsed->secret;
    ++stats_.secrets;
}

void KeyLog::feed(Bytes data) {
    while (!data.empty()) {
        const auto end = std::find_if(data.begin(), data.end(), is_line_end);
        const std::size_t n = static_cast<std::size_t>(end - data.begin());
        if (!overlong_) {
            if (pending_.size() + n > kMaxLine) {
                overlong_ = true;
                pending_.clear();
            } else {
                pending_.append(reinterpret_cast<const char*>(data.data()), n);
            }
        }
        if (end == data.end()) return;  // the line goes on in the next bytes
        if (overlong_) {
            ++stats_.lines;
            ++stats_.skipped;
        } else {
            line(pending_);
        }
        pending_.clear();
        overlong_ = false;
        data = data.subspan(n + 1);
    }
}

void KeyLog::finish() {
    if (overlong_) {
        ++stats_.lines;
        ++stats_.skipped;
    } else if (!pending_.empty()) {
        line(pending_);
    }
    pending_.clear();
    overlong_ = false;
}

const Entry* KeyLog::find(const ClientRandom& client_random) const {
    auto it = entries_.find(client_random);
    return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace rdpscope::keylog
