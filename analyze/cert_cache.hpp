// SPDX-License-Identifier: MIT
// Certificates already described, by their DER bytes.  A server sends the
// same certificate to every client: on a jump box or an exposed host the
// capture holds it hundreds of times, and describing it (OpenSSL: parse,
// decode the public key, two digests) cost more than everything else the
// handshake's packets need (perf, issue 16).  The description does not
// depend on the connection except for the validity at capture time, which is
// worked out again for each use from notBefore/notAfter, as x509::describe
// does; a host-name check is kept per name.
//
// Bounded: kEntries certificates (replaced in turn), kNames names each.
#pragma once

#include <array>
#include <cstdint>
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dissect/x509.hpp"

namespace rdpscope {

class CertificateCache {
public:
    static constexpr std::size_t kEntries = 64;
    static constexpr std::size_t kNames = 8;

    // x509::describe(der, capture_time_seconds), the same answer.
    Decoded<x509::Certificate> describe(Bytes der, std::int64_t capture_time_seconds) {
        Entry& e = entry(der);
        if (e.described) {
            Decoded<x509::Certificate> d = *e.described;
            if (d) {
                d.value().expired_at_capture = capture_time_seconds > d->not_after;
                d.value().not_yet_valid_at_capture = capture_time_seconds < d->not_before;
            }
            return d;
        }
        Decoded<x509::Certificate> d = x509::describe(der, capture_time_seconds);
        e.described = d;
        return d;
    }

    // x509::matches_name(der, host), the same answer.
    bool matches_name(Bytes der, std::string_view host) {
        Entry& e = entry(der);
        for (const auto& [name, match] : e.names)
            if (name == host) return match;
        const bool match = x509::matches_name(der, host);
        if (e.names.size() < kNames) e.names.emplace_back(std::string(host), match);
        return match;
    }

private:
    struct Entry {
        std::uint64_t hash = 0;
        std::vector<std::uint8_t> der;
        std::optional<Decoded<x509::Certificate>> described;
        std::vector<std::pair<std::string, bool>> names;
    };

    static std::uint64_t hash_of(Bytes der) {
        std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a: certificates are a few KB, once per handshake
        for (std::uint8_t b : der) h = (h ^ b) * 0x100000001b3ull;
        return h;
    }

    Entry& entry(Bytes der) {
        const std::uint64_t h = hash_of(der);
        for (Entry& e : entries_)
            if (e.hash == h && e.der.size() == der.size() && std::equal(der.begin(), der.end(), e.der.begin()))
                return e;
        Entry& e = entries_[next_];
        next_ = (next_ + 1) % kEntries;
        e = Entry{};
        e.hash = h;
        e.der.assign(der.begin(), der.end());
        return e;
    }

    std::array<Entry, kEntries> entries_{};
    std::size_t next_ = 0;
};

}  // namespace rdpscope
