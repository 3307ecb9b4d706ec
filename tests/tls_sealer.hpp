// SPDX-License-Identifier: MIT
// TLS 1.2 and 1.3 AEAD records sealed by the test itself (RFC 5246 6.2.3.3, 6.3), for
// synthetic captures whose decryption is under test: the key block from a
// fixed master secret and the randoms of rdp_builder's client_hello() and
// server_hello_done(), and the key-log line naming that master secret (or
// another one, for a key that is not the session's).
#pragma once

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <string>
#include <utility>
#include <vector>

#include "rdp_builder.hpp"

namespace rdpscope::test::sealed {

using B = std::vector<std::uint8_t>;

struct Suite12 {
    std::uint16_t id;
    const char* cipher;
    int key_len, iv_len;
    bool explicit_nonce;
    const char* prf;
};
inline constexpr Suite12 kAes256Gcm{0xC030, "AES-256-GCM", 32, 4, true, "SHA384"};

inline B join(std::initializer_list<B> parts) {
    B b;
    for (const auto& p : parts) b.insert(b.end(), p.begin(), p.end());
    return b;
}

// One direction's sealing state: key, IV, sequence number.
struct Sealer {
    const Suite12* s;
    B key, iv;
    std::uint64_t seq = 0;
    B seal(std::uint8_t type, const B& plain) {
        std::uint8_t nonce[12];
        B explicit_part;
        std::copy(iv.begin(), iv.end(), nonce);
        if (s->explicit_nonce) {
            for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<std::uint8_t>(seq >> (56 - 8 * i));
            explicit_part.assign(nonce + 4, nonce + 12);
        } else {
            for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<std::uint8_t>(seq >> (56 - 8 * i));
        }
        B aad;
        for (int i = 0; i < 8; ++i) aad.push_back(static_cast<std::uint8_t>(seq >> (56 - 8 * i)));
        aad.insert(aad.end(), {type, 3, 3, static_cast<std::uint8_t>(plain.size() >> 8), static_cast<std::uint8_t>(plain.size())});
        EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, s->cipher, nullptr);
        EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
        B out(plain.size() + 16);
        int len = 0, fin = 0;
        REQUIRE(EVP_EncryptInit_ex2(ctx, c, key.data(), nonce, nullptr) > 0);
        REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) > 0);
        REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size())) > 0);
        REQUIRE(EVP_EncryptFinal_ex(ctx, out.data() + len, &fin) > 0);
        REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + plain.size()) > 0);
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
        ++seq;
        return rdp::tls_record(type, join({explicit_part, out}));
    }
};

inline const B kMaster(48, 0x42);

inline std::string keylog_line(const B& master = kMaster) {
    std::string s = "CLIENT_RANDOM ";
    for (int i = 0; i < 32; ++i) s += fmt::format("{:02x}", i);
    s += ' ';
    for (auto b : master) s += fmt::format("{:02x}", b);
    return s + "\r\n";
}

// RFC 5246 6.3: key_block = PRF(master, "key expansion", server_random + client_random).
inline std::pair<Sealer, Sealer> sealers(const Suite12& s) {
    B server_random, client_random;
    for (int i = 0; i < 32; ++i) {
        server_random.push_back(static_cast<std::uint8_t>(0x80 + i));
        client_random.push_back(static_cast<std::uint8_t>(i));
    }
    const std::string label = "key expansion";
    B block(2 * (s.key_len + s.iv_len));
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(s.prf), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<std::uint8_t*>(kMaster.data()), kMaster.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<char*>(label.data()), label.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, server_random.data(), 32),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, client_random.data(), 32),
        OSSL_PARAM_construct_end()};
    REQUIRE(EVP_KDF_derive(ctx, block.data(), block.size(), p) > 0);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    auto at = [&](int off, int n) { return B(block.begin() + off, block.begin() + off + n); };
    Sealer c{&s, at(0, s.key_len), at(2 * s.key_len, s.iv_len)};
    Sealer v{&s, at(s.key_len, s.key_len), at(2 * s.key_len + s.iv_len, s.iv_len)};
    return {c, v};
}


// TLS 1.3 (RFC 8446): HKDF-Expand-Label through OpenSSL's own "TLS13-KDF"
// (expand only, prefix "tls13 ", empty context), independent of the
// HkdfLabel rdpscope builds itself.
inline B expand_label13(const char* digest, const B& secret, const std::string& label, std::size_t n) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS13-KDF", nullptr);
    REQUIRE(kdf);
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const char prefix[] = "tls13 ";
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, const_cast<char*>(prefix), 6),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, const_cast<char*>(label.data()), label.size()),
        OSSL_PARAM_construct_end()};
    B out(n);
    REQUIRE(EVP_KDF_derive(ctx, out.data(), n, p) > 0);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return out;
}

// One direction of TLS_AES_256_GCM_SHA384 (0x1302): key and iv from the
// traffic secret (7.3), nonce = iv XOR seq, additional data = the record
// header, the inner content type after the content (5.2); update() is a
// KeyUpdate's next secret (7.2: "traffic upd").
struct Sealer13 {
    B secret, key, iv;
    std::uint64_t seq = 0;
    explicit Sealer13(const B& s) { use(s); }
    void use(const B& s) {
        secret = s;
        key = expand_label13("SHA384", s, "key", 32);
        iv = expand_label13("SHA384", s, "iv", 12);
        seq = 0;
    }
    void update() { use(expand_label13("SHA384", secret, "traffic upd", secret.size())); }
    B seal(std::uint8_t type, const B& content) {
        B inner = content;
        inner.push_back(type);
        B nonce = iv;
        for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<std::uint8_t>(seq >> (56 - 8 * i));
        const std::size_t len = inner.size() + 16;
        const B aad = {23, 3, 3, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
        EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
        EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
        B out(len);
        int n = 0, fin = 0;
        REQUIRE(EVP_EncryptInit_ex2(ctx, c, key.data(), nonce.data(), nullptr) > 0);
        REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) > 0);
        REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &n, inner.data(), static_cast<int>(inner.size())) > 0);
        REQUIRE(EVP_EncryptFinal_ex(ctx, out.data() + n, &fin) > 0);
        REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + inner.size()) > 0);
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
        ++seq;
        return rdp::tls_record(23, out);
    }
};

// The four TLS 1.3 traffic secrets of a test session (48 bytes each, SHA-384)
// and their key-log lines for client_hello()'s random.
struct Secrets13 {
    B client_hs = B(48, 0x51), server_hs = B(48, 0x52), client_app = B(48, 0x53), server_app = B(48, 0x54);
    std::string keylog() const {
        std::string random;
        for (int i = 0; i < 32; ++i) random += fmt::format("{:02x}", i);
        auto line = [&](const char* label, const B& secret) {
            std::string l = fmt::format("{} {} ", label, random);
            for (auto b : secret) l += fmt::format("{:02x}", b);
            return l + "\n";
        };
        return line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", client_hs) + line("SERVER_HANDSHAKE_TRAFFIC_SECRET", server_hs) +
               line("CLIENT_TRAFFIC_SECRET_0", client_app) + line("SERVER_TRAFFIC_SECRET_0", server_app);
    }
};

}  // namespace rdpscope::test::sealed
