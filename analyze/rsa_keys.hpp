// SPDX-License-Identifier: MIT
// Servers' RSA private keys (--rsa-key FILE.pem), for TLS sessions with RSA
// key exchange (TLS_RSA_WITH_*): the client's ClientKeyExchange carries the
// pre-master secret encrypted to the server certificate's key (RFC 5246
// 7.4.7.1), so the server's key recovers it, and from it the master secret
// (8.1; with the extended master secret, RFC 7627 4, from the session hash).
// Sessions with (EC)DHE key exchange cannot be decrypted this way: they need
// a key log.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dissect/reader.hpp"

namespace rdpscope {

class RsaKeys {
public:
    RsaKeys();
    ~RsaKeys();
    RsaKeys(const RsaKeys&) = delete;
    RsaKeys& operator=(const RsaKeys&) = delete;

    // Takes the private keys of a PEM text (PKCS#1 or PKCS#8, unencrypted).
    // False with `why` (no key material in it) when it holds no RSA private key.
    bool add_pem(Bytes pem, std::string& why);
    std::size_t size() const;
    bool empty() const { return size() == 0; }

    using PreMaster = std::array<std::uint8_t, 48>;
    struct Recovered {
        PreMaster pre_master{};
    };
    // RFC 5246 7.4.7.1: the EncryptedPreMasterSecret (PKCS #1 v1.5), decrypted
    // by the key whose public half is the leaf certificate's, else by each key
    // in turn; a result must be 48 bytes starting with `client_version`.
    std::optional<Recovered> pre_master(Bytes encrypted, Bytes leaf_der, std::uint16_t client_version) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rdpscope
