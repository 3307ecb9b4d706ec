// SPDX-License-Identifier: MIT
// TLS record decryption with OpenSSL 3 EVP: see tls_decrypt.hpp.
#include "analyze/tls_decrypt.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>

#include "dissect/tls_names.hpp"

namespace rdpscope {

namespace {

// The AEAD suites rdpscope decrypts: cipher, key length, the IV taken from
// the key block (TLS 1.2: GCM's 4-byte salt, ChaCha20's 12 bytes) and the
// hash of the PRF (TLS 1.2) or HKDF (TLS 1.3).
struct Suite {
    std::uint16_t id;
    const char* cipher;
    std::uint8_t key_length;
    std::uint8_t fixed_iv;      // TLS 1.2 only
    std::uint8_t explicit_nonce;  // TLS 1.2 GCM: 8; ChaCha20: 0
    const char* digest;
};

constexpr Suite kSuites[] = {
    // TLS 1.2 AES-GCM (RFC 5288, RFC 5289)
    {0x009C, "AES-128-GCM", 16, 4, 8, "SHA256"},  // TLS_RSA_WITH_AES_128_GCM_SHA256
    {0x009D, "AES-256-GCM", 32, 4, 8, "SHA384"},  // TLS_RSA_WITH_AES_256_GCM_SHA384
    {0x009E, "AES-128-GCM", 16, 4, 8, "SHA256"},  // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
    {0x009F, "AES-256-GCM", 32, 4, 8, "SHA384"},  // TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
    {0xC02B, "AES-128-GCM", 16, 4, 8, "SHA256"},  // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    {0xC02C, "AES-256-GCM", 32, 4, 8, "SHA384"},  // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    {0xC02F, "AES-128-GCM", 16, 4, 8, "SHA256"},  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    {0xC030, "AES-256-GCM", 32, 4, 8, "SHA384"},  // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    // TLS 1.2 ChaCha20-Poly1305 (RFC 7905)
    {0xCCA8, "ChaCha20-Poly1305", 32, 12, 0, "SHA256"},
    {0xCCA9, "ChaCha20-Poly1305", 32, 12, 0, "SHA256"},
    {0xCCAA, "ChaCha20-Poly1305", 32, 12, 0, "SHA256"},
    // TLS 1.3 (RFC 8446 B.4)
    {0x1301, "AES-128-GCM", 16, 12, 0, "SHA256"},
    {0x1302, "AES-256-GCM", 32, 12, 0, "SHA384"},
    {0x1303, "ChaCha20-Poly1305", 32, 12, 0, "SHA256"},
};

constexpr std::size_t kTagLength = 16;

const Suite* find_suite(std::uint16_t id) {
    for (const auto& s : kSuites)
        if (s.id == id) return &s;
    return nullptr;
}

// RFC 5246 5: PRF(secret, label, seed), through EVP_KDF "TLS1-PRF".
bool tls12_prf(const char* digest, Bytes secret, std::string_view label, Bytes seed1, Bytes seed2, std::uint8_t* out,
               std::size_t n) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
    if (!kdf) return false;
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!ctx) return false;
    // The seed parameters concatenate: label + server_random + client_random.
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<std::uint8_t*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<char*>(label.data()), label.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<std::uint8_t*>(seed1.data()), seed1.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<std::uint8_t*>(seed2.data()), seed2.size()),
        OSSL_PARAM_construct_end(),
    };
    const bool ok = EVP_KDF_derive(ctx, out, n, params) > 0;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

// RFC 8446 7.1: HKDF-Expand-Label(Secret, Label, "", Length), the HkdfLabel
// built here and expanded with EVP_KDF "HKDF" in expand-only mode.
bool hkdf_expand_label(const char* digest, Bytes secret, std::string_view label, std::uint8_t* out, std::size_t n) {
    std::uint8_t info[2 + 1 + 255 + 1];
    std::size_t at = 0;
    info[at++] = static_cast<std::uint8_t>(n >> 8);
    info[at++] = static_cast<std::uint8_t>(n);
    const std::string_view prefix = "tls13 ";
    info[at++] = static_cast<std::uint8_t>(prefix.size() + label.size());
    std::memcpy(info + at, prefix.data(), prefix.size());
    at += prefix.size();
    std::memcpy(info + at, label.data(), label.size());
    at += label.size();
    info[at++] = 0;  // empty context
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (!kdf) return false;
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!ctx) return false;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, at),
        OSSL_PARAM_construct_end(),
    };
    const bool ok = EVP_KDF_derive(ctx, out, n, params) > 0;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

}  // namespace

// One direction's keys and place in the record sequence.
struct TlsDecryptor::Side {
    bool protected_ = false;  // TLS 1.2: after its ChangeCipherSpec
    bool keyed = false;
    bool stopped = false;
    std::uint64_t seq = 0;
    std::array<std::uint8_t, 12> iv{};
    EVP_CIPHER_CTX* ctx = nullptr;
    // TLS 1.3
    bool application = false;   // on *_TRAFFIC_SECRET_0
    bool probing = false;       // no handshake secret: trying the application key on each record
    bool confirmed = false;     // a record decrypted with the current key
    // TLS 1.3 handshake messages inside the protected records: where the
    // current one ends, to see the Finished go by (then the keys change).
    std::uint32_t hs_left = 0;
    std::uint8_t hs_header[4]{};
    std::uint8_t hs_have = 0;
    bool finished = false;

    ~Side() { EVP_CIPHER_CTX_free(ctx); }
    bool key(const char* cipher, const std::uint8_t* k) {
        EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, cipher, nullptr);
        if (!c) return false;
        if (!ctx) ctx = EVP_CIPHER_CTX_new();
        const bool ok = ctx && EVP_DecryptInit_ex2(ctx, c, k, nullptr, nullptr) > 0;
        EVP_CIPHER_free(c);
        keyed = ok;
        seq = 0;
        confirmed = false;
        return ok;
    }
    // TLS 1.3: follow the handshake messages of a decrypted handshake record.
    void walk_handshake(Bytes b) {
        while (!b.empty()) {
            if (hs_left) {
                const std::size_t n = std::min<std::size_t>(hs_left, b.size());
                hs_left -= static_cast<std::uint32_t>(n);
                b = b.subspan(n);
                continue;
            }
            hs_header[hs_have++] = b[0];
            b = b.subspan(1);
            if (hs_have < 4) continue;
            hs_have = 0;
            hs_left = static_cast<std::uint32_t>(hs_header[1]) << 16 | hs_header[2] << 8 | hs_header[3];
            if (hs_header[0] == static_cast<std::uint8_t>(tls::HandshakeType::finished)) finished = true;
        }
    }
};

TlsDecryptor::TlsDecryptor(const keylog::KeyLog& keys) : keys_(keys) {
    for (auto& s : sides_) s = std::make_unique<Side>();
}

TlsDecryptor::~TlsDecryptor() = default;

void TlsDecryptor::note(std::string what) {
    if (problem_.empty()) problem_ = std::move(what);
}

bool TlsDecryptor::set_up_tls12(const keylog::Entry& e) {
    const keylog::Secret* master = e.get(keylog::Label::client_random);
    if (!master) {
        note("the key log has no CLIENT_RANDOM line for this session");
        return false;
    }
    const Suite* s = find_suite(suite_);
    // key block: client_write_key, server_write_key, client_write_IV, server_write_IV (6.3; AEAD: no MAC keys)
    std::uint8_t block[2 * 32 + 2 * 12];
    const std::size_t n = 2u * s->key_length + 2u * s->fixed_iv;
    if (!tls12_prf(s->digest, master->view(), "key expansion", Bytes(server_random_), Bytes(client_random_), block, n)) {
        note("OpenSSL could not derive the key block (TLS1-PRF)");
        return false;
    }
    for (int d = 0; d < 2; ++d) {
        Side& side = *sides_[d];
        if (!side.key(s->cipher, block + d * s->key_length)) {
            note(std::string("OpenSSL has no ") + s->cipher);
            return false;
        }
        std::memcpy(side.iv.data(), block + 2 * s->key_length + d * s->fixed_iv, s->fixed_iv);
    }
    OPENSSL_cleanse(block, sizeof block);
    return true;
}

bool TlsDecryptor::set_up_tls13(Side& side, const keylog::Entry& e, bool client, bool application) {
    using L = keylog::Label;
    const L label = application ? (client ? L::client_traffic_secret_0 : L::server_traffic_secret_0)
                                : (client ? L::client_handshake_traffic_secret : L::server_handshake_traffic_secret);
    const keylog::Secret* secret = e.get(label);
    if (!secret) return false;
    const Suite* s = find_suite(suite_);
    std::uint8_t key[32];
    if (!hkdf_expand_label(s->digest, secret->view(), "key", key, s->key_length) ||
        !hkdf_expand_label(s->digest, secret->view(), "iv", side.iv.data(), 12) || !side.key(s->cipher, key)) {
        note("OpenSSL could not derive the TLS 1.3 keys (HKDF)");
        return false;
    }
    OPENSSL_cleanse(key, sizeof key);
    side.application = application;
    return true;
}

void TlsDecryptor::set_up(const tls::Summary& summary) {
    auto ch = tls::decode_client_hello(summary.client_hello);
    auto sh = tls::decode_server_hello(summary.server_hello);
    if (!ch || !sh) {
        state_ = State::no_keys;
        note("the capture misses the ClientHello or ServerHello, which name the session's keys");
        return;
    }
    client_random_ = ch->random;
    server_random_ = sh->random;
    version_ = sh->version();
    suite_ = sh->cipher_suite;
    const Suite* s = find_suite(suite_);
    const bool tls13 = version_ == tls::kTLSv13;
    if (!s || (tls13 != (suite_ >> 8 == 0x13)) || (!tls13 && version_ != tls::kTLSv12)) {
        state_ = State::no_keys;
        note("rdpscope does not decrypt " + tls::cipher_suite_name(suite_) + " (" + tls::version_name_wireshark(version_) +
             "); it decrypts TLS 1.2 and 1.3 with AES-GCM and ChaCha20-Poly1305");
        return;
    }
    const keylog::Entry* e = keys_.find(client_random_);
    if (!e) {
        state_ = State::no_keys;
        note("no secrets for this session in the key log (its ClientHello random is not there)");
        return;
    }
    if (!tls13) {
        state_ = set_up_tls12(*e) ? State::ready : State::no_keys;
        return;
    }
    bool any = false;
    for (int d = 0; d < 2; ++d) {
        Side& side = *sides_[d];
        if (set_up_tls13(side, *e, d == 0, false)) any = true;
        else if (set_up_tls13(side, *e, d == 0, true)) {
            side.probing = true;  // partial secrets: the handshake records cannot be read
            any = true;
            note("the key log has no TLS 1.3 handshake secrets for this session: its encrypted handshake is skipped");
        }
    }
    state_ = any ? State::ready : State::no_keys;
    if (!any) note("the key log has no TLS 1.3 traffic secrets for this session");
}

TlsDecryptor::Result TlsDecryptor::decrypt(Side& s, const tls::RecordHeader& h, Bytes payload, bool* auth_failed) {
    Result r;
    r.outcome = Outcome::failed;
    *auth_failed = false;
    const bool tls13 = version_ == tls::kTLSv13;
    const Suite* suite = find_suite(suite_);
    const std::size_t nonce_bytes = tls13 ? 0 : suite->explicit_nonce;
    if (payload.size() < nonce_bytes + kTagLength) {
        *auth_failed = true;
        return r;
    }
    std::array<std::uint8_t, 12> nonce = s.iv;
    if (nonce_bytes) {
        std::memcpy(nonce.data() + 4, payload.data(), 8);  // RFC 5288 3: salt + explicit nonce
    } else {
        for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<std::uint8_t>(s.seq >> (56 - 8 * i));
    }
    const Bytes ct = payload.subspan(nonce_bytes, payload.size() - nonce_bytes - kTagLength);
    const Bytes tag = payload.last(kTagLength);
    std::uint8_t aad[13];
    std::size_t aad_len = 0;
    if (tls13) {
        aad[0] = static_cast<std::uint8_t>(h.type);
        aad[1] = static_cast<std::uint8_t>(h.version >> 8);
        aad[2] = static_cast<std::uint8_t>(h.version);
        aad[3] = static_cast<std::uint8_t>(h.length >> 8);
        aad[4] = static_cast<std::uint8_t>(h.length);
        aad_len = 5;
    } else {
        for (int i = 0; i < 8; ++i) aad[i] = static_cast<std::uint8_t>(s.seq >> (56 - 8 * i));
        aad[8] = static_cast<std::uint8_t>(h.type);
        aad[9] = static_cast<std::uint8_t>(h.version >> 8);
        aad[10] = static_cast<std::uint8_t>(h.version);
        aad[11] = static_cast<std::uint8_t>(ct.size() >> 8);
        aad[12] = static_cast<std::uint8_t>(ct.size());
        aad_len = 13;
    }
    if (out_.size() < ct.size() + 32) out_.resize(tls::kMaxRecordLength + 32);
    int len = 0, fin = 0;
    bool ok = EVP_DecryptInit_ex2(s.ctx, nullptr, nullptr, nonce.data(), nullptr) > 0 &&
              EVP_DecryptUpdate(s.ctx, nullptr, &len, aad, static_cast<int>(aad_len)) > 0 &&
              EVP_DecryptUpdate(s.ctx, out_.data(), &len, ct.data(), static_cast<int>(ct.size())) > 0 &&
              EVP_CIPHER_CTX_ctrl(s.ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagLength),
                                  const_cast<std::uint8_t*>(tag.data())) > 0 &&
              EVP_DecryptFinal_ex(s.ctx, out_.data() + len, &fin) > 0;
    if (!ok) {
        *auth_failed = true;
        return r;
    }
    ++s.seq;
    s.confirmed = true;
    std::size_t n = static_cast<std::size_t>(len + fin);
    std::uint8_t type = static_cast<std::uint8_t>(h.type);
    if (tls13) {
        // RFC 8446 5.2: content, then the real type, then zero padding.
        while (n > 0 && out_[n - 1] == 0) --n;
        if (n == 0) return r;  // no content type: a peer bug; treated as a failure
        type = out_[--n];
    }
    r.outcome = Outcome::plaintext;
    r.type = type;
    r.data = Bytes(out_.data(), n);
    return r;
}

TlsDecryptor::Result TlsDecryptor::record(Dir dir, const tls::RecordHeader& header, Bytes payload,
                                          const tls::Summary& summary) {
    Result r;
    Side& s = *sides_[dir_index(dir)];
    const bool tls13 = summary.version == tls::kTLSv13;
    if (header.type == tls::ContentType::change_cipher_spec) {
        if (!tls13) s.protected_ = true;  // RFC 5246 7.1: the next record is the first under the new keys
        return r;
    }
    if (tls13 ? header.type != tls::ContentType::application_data || summary.server_hello.empty() : !s.protected_)
        return r;
    if (state_ == State::waiting) set_up(summary);
    if (state_ != State::ready || s.stopped || !s.keyed) {
        r.outcome = Outcome::unavailable;
        return r;
    }
    bool auth_failed = false;
    r = decrypt(s, header, payload, &auth_failed);
    if (r.outcome == Outcome::plaintext) {
        if (tls13 && !s.application && r.type == static_cast<std::uint8_t>(tls::ContentType::handshake)) {
            s.walk_handshake(r.data);
            if (s.finished && s.hs_left == 0 && s.hs_have == 0) {
                // RFC 8446 7.2 / 4.4.4: after its Finished a side sends under the application secret.
                const keylog::Entry* e = keys_.find(client_random_);
                if (!e || !set_up_tls13(s, *e, dir == Dir::c2s, true)) {
                    s.stopped = true;
                    note("the key log has no TLS 1.3 application traffic secret for this session");
                }
            }
        }
        return r;
    }
    if (auth_failed && tls13 && s.probing && !s.confirmed) {
        // Without the handshake secret the first records are the encrypted
        // handshake: skip them until one opens with the application key.
        r.outcome = Outcome::skipped;
        return r;
    }
    s.stopped = true;
    r.outcome = Outcome::failed;
    return r;
}

}  // namespace rdpscope
