// SPDX-License-Identifier: MIT
// RSA pre-master secret recovery with OpenSSL 3: see rsa_keys.hpp.
#include "analyze/rsa_keys.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>

namespace rdpscope {

struct RsaKeys::Impl {
    struct Free {
        void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
    };
    std::vector<std::unique_ptr<EVP_PKEY, Free>> keys;
};

RsaKeys::RsaKeys() : impl_(std::make_unique<Impl>()) {}
RsaKeys::~RsaKeys() = default;
std::size_t RsaKeys::size() const { return impl_->keys.size(); }

bool RsaKeys::add_pem(Bytes pem, std::string& why) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (!bio) {
        why = "out of memory";
        return false;
    }
    std::size_t added = 0, other = 0;
    // A PEM file may hold several blocks (a key and its certificate, several keys).
    while (EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)) {
        if (EVP_PKEY_is_a(k, "RSA")) {
            impl_->keys.emplace_back(k);
            ++added;
        } else {
            EVP_PKEY_free(k);
            ++other;
        }
    }
    BIO_free(bio);
    ERR_clear_error();
    if (added) return true;
    why = other ? "it holds no RSA private key (only other key types, which cannot decrypt a ClientKeyExchange)"
                : "it holds no unencrypted PEM private key (PKCS#1 'RSA PRIVATE KEY' or PKCS#8 'PRIVATE KEY')";
    return false;
}

namespace {

// PKCS #1 v1.5 decryption (RFC 8017 7.2.2) of one EncryptedPreMasterSecret.
bool decrypt_with(EVP_PKEY* key, Bytes encrypted, std::uint16_t client_version, RsaKeys::PreMaster& out) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    if (!ctx) return false;
    std::uint8_t buf[1024];
    std::size_t n = sizeof buf;
    const bool ok = EVP_PKEY_decrypt_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
                    static_cast<std::size_t>(EVP_PKEY_get_size(key)) <= sizeof buf &&
                    EVP_PKEY_decrypt(ctx, buf, &n, encrypted.data(), encrypted.size()) > 0;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    // RFC 5246 7.4.7.1: PreMasterSecret = client_version (2 bytes) + 46 random bytes.
    if (!ok || n != out.size() || buf[0] != (client_version >> 8) || buf[1] != (client_version & 0xFF)) {
        OPENSSL_cleanse(buf, sizeof buf);
        return false;
    }
    std::memcpy(out.data(), buf, out.size());
    OPENSSL_cleanse(buf, sizeof buf);
    return true;
}

}  // namespace

std::optional<RsaKeys::Recovered> RsaKeys::pre_master(Bytes encrypted, Bytes leaf_der, std::uint16_t client_version) const {
    Recovered r;
    EVP_PKEY* leaf_key = nullptr;
    X509* leaf = nullptr;
    if (!leaf_der.empty()) {
        const unsigned char* p = leaf_der.data();
        leaf = d2i_X509(nullptr, &p, static_cast<long>(leaf_der.size()));
        if (leaf) leaf_key = X509_get0_pubkey(leaf);
    }
    std::optional<Recovered> found;
    // The certificate's key first; the others only when no certificate names one
    // (a capture that misses the Certificate message).
    for (const auto& k : impl_->keys) {
        if (leaf_key && EVP_PKEY_eq(leaf_key, k.get()) == 1 && decrypt_with(k.get(), encrypted, client_version, r.pre_master)) {
            found = r;
            break;
        }
    }
    if (!found && !leaf_key) {
        for (const auto& k : impl_->keys) {
            if (decrypt_with(k.get(), encrypted, client_version, r.pre_master)) {
                found = r;
                break;
            }
        }
    }
    X509_free(leaf);
    ERR_clear_error();
    OPENSSL_cleanse(r.pre_master.data(), r.pre_master.size());
    return found;
}

}  // namespace rdpscope
