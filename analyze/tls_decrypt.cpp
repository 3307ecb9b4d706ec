// SPDX-License-Identifier: MIT
// TLS record decryption with OpenSSL 3 EVP: see tls_decrypt.hpp.
#include "analyze/tls_decrypt.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>

#include "analyze/rsa_keys.hpp"
#include "dissect/tls_names.hpp"

namespace rdpscope {

namespace {

// The suites rdpscope decrypts.  AEAD: the IV taken from the key block
// (TLS 1.2: GCM's 4-byte salt, ChaCha20's 12 bytes) and the explicit nonce
// in each record.  CBC (TLS 1.0-1.2): the block cipher, the record MAC's hash
// and length; MAC-then-encrypt (RFC 5246 6.2.3.2) unless both hellos carry
// encrypt_then_mac (RFC 7366).  `digest`: the hash of the TLS 1.2 PRF or of
// TLS 1.3's HKDF (TLS 1.0 and 1.1 always use MD5+SHA1, RFC 2246 5).
enum class Mode : std::uint8_t { aead, cbc };
struct Suite {
    std::uint16_t id;
    Mode mode;
    const char* cipher;
    std::uint8_t key_length;
    std::uint8_t fixed_iv;        // AEAD, TLS 1.2: from the key block; CBC: the block size
    std::uint8_t explicit_nonce;  // TLS 1.2 GCM: 8; ChaCha20: 0
    const char* digest;
    const char* mac = nullptr;    // CBC: HMAC hash
    std::uint8_t mac_length = 0;
};

constexpr Suite kSuites[] = {
    // TLS 1.2 AES-GCM (RFC 5288, RFC 5289)
    {0x009C, Mode::aead, "AES-128-GCM", 16, 4, 8, "SHA256"},  // TLS_RSA_WITH_AES_128_GCM_SHA256
    {0x009D, Mode::aead, "AES-256-GCM", 32, 4, 8, "SHA384"},  // TLS_RSA_WITH_AES_256_GCM_SHA384
    {0x009E, Mode::aead, "AES-128-GCM", 16, 4, 8, "SHA256"},  // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
    {0x009F, Mode::aead, "AES-256-GCM", 32, 4, 8, "SHA384"},  // TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
    {0xC02B, Mode::aead, "AES-128-GCM", 16, 4, 8, "SHA256"},  // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    {0xC02C, Mode::aead, "AES-256-GCM", 32, 4, 8, "SHA384"},  // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    {0xC02F, Mode::aead, "AES-128-GCM", 16, 4, 8, "SHA256"},  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    {0xC030, Mode::aead, "AES-256-GCM", 32, 4, 8, "SHA384"},  // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    // TLS 1.2 ChaCha20-Poly1305 (RFC 7905)
    {0xCCA8, Mode::aead, "ChaCha20-Poly1305", 32, 12, 0, "SHA256"},
    {0xCCA9, Mode::aead, "ChaCha20-Poly1305", 32, 12, 0, "SHA256"},
    {0xCCAA, Mode::aead, "ChaCha20-Poly1305", 32, 12, 0, "SHA256"},
    // CBC with HMAC (RFC 5246 A.5, RFC 4492 6, RFC 5289 3.1): what SChannel
    // still offers and older servers choose.  The *_SHA256/_SHA384 ones are TLS 1.2 only.
    {0x000A, Mode::cbc, "DES-EDE3-CBC", 24, 8, 0, "SHA256", "SHA1", 20},  // TLS_RSA_WITH_3DES_EDE_CBC_SHA
    {0x0016, Mode::cbc, "DES-EDE3-CBC", 24, 8, 0, "SHA256", "SHA1", 20},  // TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA
    {0xC012, Mode::cbc, "DES-EDE3-CBC", 24, 8, 0, "SHA256", "SHA1", 20},  // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
    {0x002F, Mode::cbc, "AES-128-CBC", 16, 16, 0, "SHA256", "SHA1", 20},  // TLS_RSA_WITH_AES_128_CBC_SHA
    {0x0033, Mode::cbc, "AES-128-CBC", 16, 16, 0, "SHA256", "SHA1", 20},  // TLS_DHE_RSA_WITH_AES_128_CBC_SHA
    {0x0035, Mode::cbc, "AES-256-CBC", 32, 16, 0, "SHA256", "SHA1", 20},  // TLS_RSA_WITH_AES_256_CBC_SHA
    {0x0039, Mode::cbc, "AES-256-CBC", 32, 16, 0, "SHA256", "SHA1", 20},  // TLS_DHE_RSA_WITH_AES_256_CBC_SHA
    {0x003C, Mode::cbc, "AES-128-CBC", 16, 16, 0, "SHA256", "SHA256", 32},  // TLS_RSA_WITH_AES_128_CBC_SHA256
    {0x003D, Mode::cbc, "AES-256-CBC", 32, 16, 0, "SHA256", "SHA256", 32},  // TLS_RSA_WITH_AES_256_CBC_SHA256
    {0x0067, Mode::cbc, "AES-128-CBC", 16, 16, 0, "SHA256", "SHA256", 32},  // TLS_DHE_RSA_WITH_AES_128_CBC_SHA256
    {0x006B, Mode::cbc, "AES-256-CBC", 32, 16, 0, "SHA256", "SHA256", 32},  // TLS_DHE_RSA_WITH_AES_256_CBC_SHA256
    {0xC009, Mode::cbc, "AES-128-CBC", 16, 16, 0, "SHA256", "SHA1", 20},  // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
    {0xC00A, Mode::cbc, "AES-256-CBC", 32, 16, 0, "SHA256", "SHA1", 20},  // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
    {0xC013, Mode::cbc, "AES-128-CBC", 16, 16, 0, "SHA256", "SHA1", 20},  // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    {0xC014, Mode::cbc, "AES-256-CBC", 32, 16, 0, "SHA256", "SHA1", 20},  // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
    {0xC023, Mode::cbc, "AES-128-CBC", 16, 16, 0, "SHA256", "SHA256", 32},  // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
    {0xC024, Mode::cbc, "AES-256-CBC", 32, 16, 0, "SHA384", "SHA384", 48},  // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384
    {0xC027, Mode::cbc, "AES-128-CBC", 16, 16, 0, "SHA256", "SHA256", 32},  // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
    {0xC028, Mode::cbc, "AES-256-CBC", 32, 16, 0, "SHA384", "SHA384", 48},  // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384
    // TLS 1.3 (RFC 8446 B.4)
    {0x1301, Mode::aead, "AES-128-GCM", 16, 12, 0, "SHA256"},
    {0x1302, Mode::aead, "AES-256-GCM", 32, 12, 0, "SHA384"},
    {0x1303, Mode::aead, "ChaCha20-Poly1305", 32, 12, 0, "SHA256"},
};

constexpr std::size_t kTagLength = 16;
constexpr std::uint8_t kKeyUpdate = 24;  // RFC 8446 4 HandshakeType key_update

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
    std::array<std::uint8_t, 16> iv{};  // AEAD: the first 12 bytes; TLS 1.0 CBC: the chained IV
    EVP_CIPHER_CTX* ctx = nullptr;
    // CBC: the record MAC (RFC 5246 6.2.3.1).
    std::array<std::uint8_t, 48> mac_key{};
    EVP_MAC_CTX* mac = nullptr;
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
    bool key_update = false;  // a KeyUpdate went by (RFC 8446 4.6.3): the next record is under the next secret
    // The traffic secret in use (TLS 1.3), for KeyUpdate's next one; wiped.
    std::array<std::uint8_t, 48> secret{};
    std::uint8_t secret_length = 0;
    // Protected records that went by before a growing key log held the
    // secrets (State::pending), and the last ciphertext block of the last one
    // (TLS 1.0 CBC chains it as the next record's IV).
    std::uint64_t missed = 0;
    std::array<std::uint8_t, 16> missed_last_block{};
    // TLS 1.3 with a growing key log: this side's secret is not there yet,
    // any of them (at set-up) or the application one (after its Finished);
    // `missed` counts its records meanwhile.
    enum class Awaiting : std::uint8_t { none, any, application } awaiting = Awaiting::none;

    ~Side() {
        EVP_CIPHER_CTX_free(ctx);
        EVP_MAC_CTX_free(mac);
        OPENSSL_cleanse(mac_key.data(), mac_key.size());
        OPENSSL_cleanse(secret.data(), secret.size());
    }
    bool key(const char* cipher, const std::uint8_t* k) {
        EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, cipher, nullptr);
        if (!c) return false;
        if (!ctx) ctx = EVP_CIPHER_CTX_new();
        const bool ok = ctx && EVP_DecryptInit_ex2(ctx, c, k, nullptr, nullptr) > 0 &&
                        EVP_CIPHER_CTX_set_padding(ctx, 0) > 0;  // CBC: TLS padding is checked here, not by EVP
        EVP_CIPHER_free(c);
        keyed = ok;
        seq = 0;
        confirmed = false;
        return ok;
    }
    // CBC: an HMAC context for the suite's hash (Suite::mac), keyed per
    // record with mac_key.
    const Suite* mac_suite = nullptr;
    bool mac_ready(const Suite& s) {
        EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (!m) return false;
        EVP_MAC_CTX_free(mac);
        mac = EVP_MAC_CTX_new(m);
        EVP_MAC_free(m);
        mac_suite = &s;
        return mac != nullptr;
    }
    // RFC 5246 6.2.3.1: HMAC(MAC_write_key, seq_num + type + version + length + fragment),
    // compared in constant time with `expected`.
    bool mac_matches(std::uint8_t type, std::uint16_t version, Bytes fragment, Bytes expected) {
        std::uint8_t head[13];
        for (int i = 0; i < 8; ++i) head[i] = static_cast<std::uint8_t>(seq >> (56 - 8 * i));
        head[8] = type;
        head[9] = static_cast<std::uint8_t>(version >> 8);
        head[10] = static_cast<std::uint8_t>(version);
        head[11] = static_cast<std::uint8_t>(fragment.size() >> 8);
        head[12] = static_cast<std::uint8_t>(fragment.size());
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(mac_suite->mac), 0),
            OSSL_PARAM_construct_end(),
        };
        std::uint8_t out[EVP_MAX_MD_SIZE];
        std::size_t n = 0;
        const bool ok = EVP_MAC_init(mac, mac_key.data(), mac_suite->mac_length, params) > 0 &&
                        EVP_MAC_update(mac, head, sizeof head) > 0 &&
                        EVP_MAC_update(mac, fragment.data(), fragment.size()) > 0 &&
                        EVP_MAC_final(mac, out, &n, sizeof out) > 0;
        return ok && n == expected.size() && CRYPTO_memcmp(out, expected.data(), n) == 0;
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
            if (hs_header[0] == kKeyUpdate) key_update = true;
        }
    }
};

TlsDecryptor::TlsDecryptor(const keylog::KeyLog& keys, const RsaKeys* rsa, const std::function<void()>* refresh)
    : keys_(keys), rsa_(rsa), refresh_(refresh) {
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
    return set_up_from_master(master->view());
}

bool TlsDecryptor::set_up_from_master(Bytes master) {
    const Suite* s = find_suite(suite_);
    // key block (RFC 5246 6.3): client_write_MAC_key, server_write_MAC_key
    // (CBC only), client_write_key, server_write_key, client_write_IV,
    // server_write_IV (AEAD: the implicit nonce part; CBC: TLS 1.0's first IV).
    std::uint8_t block[2 * 48 + 2 * 32 + 2 * 16];
    const std::size_t n = 2u * s->mac_length + 2u * s->key_length + 2u * s->fixed_iv;
    // TLS 1.0 and 1.1: the PRF is P_MD5 XOR P_SHA1 (RFC 2246 5), "MD5-SHA1" to OpenSSL.
    const char* prf = version_ < tls::kTLSv12 ? "MD5-SHA1" : s->digest;
    if (!tls12_prf(prf, master, "key expansion", Bytes(server_random_), Bytes(client_random_), block, n)) {
        note("OpenSSL could not derive the key block (TLS1-PRF)");
        return false;
    }
    const std::uint8_t* at = block;
    for (int d = 0; d < 2; ++d) {
        Side& side = *sides_[d];
        if (s->mac_length) {
            std::memcpy(side.mac_key.data(), at + d * s->mac_length, s->mac_length);
            if (!side.mac_ready(*s)) {
                note(std::string("OpenSSL has no HMAC-") + s->mac);
                return false;
            }
        }
    }
    at += 2 * s->mac_length;
    for (int d = 0; d < 2; ++d) {
        Side& side = *sides_[d];
        if (!side.key(s->cipher, at + d * s->key_length)) {
            note(std::string("OpenSSL has no ") + s->cipher);
            return false;
        }
        std::memcpy(side.iv.data(), at + 2 * s->key_length + d * s->fixed_iv, s->fixed_iv);
    }
    OPENSSL_cleanse(block, sizeof block);
    return true;
}

namespace {
// Key exchange by RSA encryption of the pre-master secret (RFC 5246 7.4.7.1):
// the TLS_RSA_WITH_* suites rdpscope decrypts.
bool rsa_key_exchange(std::uint16_t suite) {
    switch (suite) {
        case 0x000A: case 0x002F: case 0x0035: case 0x003C: case 0x003D: case 0x009C: case 0x009D: return true;
        default: return false;
    }
}
}  // namespace

void TlsDecryptor::keep_transcript(Bytes payload) {
    // A handshake up to the ClientKeyExchange is a few kilobytes (the
    // certificate chain is most of it; Windows' self-signed RDP certificate
    // is under 1 KiB).  16 KiB keeps the cost bounded when many connections
    // are held at once (TrackerOptions::max_full_connections) under --rsa-key.
    constexpr std::size_t kMaxTranscript = 16 * 1024;
    if (transcript_overflow_ || transcript_.size() + payload.size() > kMaxTranscript) {
        transcript_overflow_ = true;
        return;
    }
    transcript_.insert(transcript_.end(), payload.begin(), payload.end());
}

bool TlsDecryptor::set_up_rsa(const tls::Summary& summary, const tls::ClientHello& ch, const tls::ServerHello& sh) {
    if (!rsa_key_exchange(suite_)) {
        note("no secrets for this session in the key log, and its key exchange (" + tls::cipher_suite_name(suite_) +
             ") is not RSA: a server's private key cannot decrypt it");
        return false;
    }
    // The handshake messages the client and server sent before the
    // ClientKeyExchange, and that message itself (RFC 5246 7.4).
    Bytes t(transcript_);
    std::size_t at = 0, end = 0;
    Bytes cke;
    while (!transcript_overflow_ && at + 4 <= t.size()) {
        const std::size_t len = static_cast<std::size_t>(t[at + 1]) << 16 | t[at + 2] << 8 | t[at + 3];
        if (at + 4 + len > t.size()) break;
        if (t[at] == static_cast<std::uint8_t>(tls::HandshakeType::client_key_exchange)) {
            cke = t.subspan(at + 4, len);
            end = at + 4 + len;
            break;
        }
        at += 4 + len;
    }
    // TLS 1.0 and later: EncryptedPreMasterSecret with its 2-byte length (7.4.7.1).
    if (cke.size() < 2 || (static_cast<std::size_t>(cke[0]) << 8 | cke[1]) != cke.size() - 2) {
        note(transcript_overflow_ ? "the handshake before the ClientKeyExchange is too long to keep"
                                  : "the capture misses the client's ClientKeyExchange, which carries the encrypted pre-master secret");
        return false;
    }
    const Bytes leaf = summary.server_certificates.empty() ? Bytes() : Bytes(summary.server_certificates.front());
    auto pms = rsa_->pre_master(cke.subspan(2), leaf, ch.legacy_version);
    if (!pms) {
        note(leaf.empty() ? "none of the --rsa-key keys decrypts this session's pre-master secret"
                          : "none of the --rsa-key keys belongs to the server's certificate");
        return false;
    }
    const char* prf = version_ < tls::kTLSv12 ? "MD5-SHA1" : find_suite(suite_)->digest;
    std::uint8_t master[48];
    bool ok;
    if (ch.extended_master_secret && sh.extended_master_secret) {
        // RFC 7627 4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash),
        // session_hash = Hash(handshake_messages up to and including the ClientKeyExchange) (3).
        std::uint8_t hash[EVP_MAX_MD_SIZE];
        unsigned hash_len = 0;
        EVP_MD* md = EVP_MD_fetch(nullptr, prf, nullptr);
        ok = md && EVP_Digest(t.data(), end, hash, &hash_len, md, nullptr) > 0 &&
             tls12_prf(prf, Bytes(pms->pre_master), "extended master secret", Bytes(hash, hash_len), Bytes(), master,
                       sizeof master);
        EVP_MD_free(md);
    } else {
        // RFC 5246 8.1: PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random).
        ok = tls12_prf(prf, Bytes(pms->pre_master), "master secret", Bytes(client_random_), Bytes(server_random_),
                       master, sizeof master);
    }
    OPENSSL_cleanse(pms->pre_master.data(), pms->pre_master.size());
    if (!ok) {
        note("OpenSSL could not derive the master secret (TLS1-PRF)");
        return false;
    }
    ok = set_up_from_master(Bytes(master, sizeof master));
    OPENSSL_cleanse(master, sizeof master);
    return ok;
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
    const Bytes sv = secret->view();
    side.secret_length = static_cast<std::uint8_t>(std::min(sv.size(), side.secret.size()));
    std::memcpy(side.secret.data(), sv.data(), side.secret_length);
    return true;
}

// RFC 8446 7.2: application_traffic_secret_N+1 =
// HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length),
// then the key and iv from it as for the first (7.3), sequence numbers from 0.
bool TlsDecryptor::next_traffic_secret(Side& side) {
    const Suite* s = find_suite(suite_);
    std::array<std::uint8_t, 48> next{};
    std::uint8_t key[32];
    const Bytes current(side.secret.data(), side.secret_length);
    const bool ok = hkdf_expand_label(s->digest, current, "traffic upd", next.data(), side.secret_length) &&
                    hkdf_expand_label(s->digest, Bytes(next.data(), side.secret_length), "key", key, s->key_length) &&
                    hkdf_expand_label(s->digest, Bytes(next.data(), side.secret_length), "iv", side.iv.data(), 12) &&
                    side.key(s->cipher, key);
    OPENSSL_cleanse(key, sizeof key);
    side.secret = next;
    OPENSSL_cleanse(next.data(), next.size());
    return ok;
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
    // AEAD suites exist from TLS 1.2 on; CBC ones from TLS 1.0 (RFC 2246) to 1.2.
    const bool version_fits = tls13 ? suite_ >> 8 == 0x13
                                    : suite_ >> 8 != 0x13 && version_ <= tls::kTLSv12 && version_ >= 0x0301 &&
                                          (version_ == tls::kTLSv12 || (s && s->mode == Mode::cbc));
    if (!s || !version_fits) {
        state_ = State::no_keys;
        note("rdpscope does not decrypt " + tls::cipher_suite_name(suite_) + " (" + tls::version_name_wireshark(version_) +
             "); it decrypts TLS 1.0 to 1.3 with AES-GCM, ChaCha20-Poly1305, and AES or 3DES in CBC mode with HMAC");
        return;
    }
    // RFC 7366 2: encrypt-then-MAC only when both hellos carry the extension (and only for CBC).
    constexpr std::uint16_t kEncryptThenMac = 22;
    encrypt_then_mac_ = s->mode == Mode::cbc && ch->find_extension(kEncryptThenMac) && sh->find_extension(kEncryptThenMac);
    const keylog::Entry* e = keys_.find(client_random_);
    if (!e && rsa_ && !tls13) {
        state_ = set_up_rsa(summary, *ch, *sh) ? State::ready : State::no_keys;
        if (state_ == State::ready) source_ = Source::rsa_key;
        std::vector<std::uint8_t>().swap(transcript_);
        return;
    }
    std::vector<std::uint8_t>().swap(transcript_);
    if (!e) {
        // A growing key log is read again below, record by record.
        state_ = refresh_ ? State::pending : State::no_keys;
        if (!refresh_) note("no secrets for this session in the key log (its ClientHello random is not there)");
        return;
    }
    set_up_keys(*e);
}

void TlsDecryptor::set_up_keys(const keylog::Entry& e) {
    source_ = Source::key_log;
    const bool tls13 = version_ == tls::kTLSv13;
    if (!tls13) {
        state_ = set_up_tls12(e) ? State::ready : State::no_keys;
        // Records that went by while the key log lacked the secrets still
        // count in the sequence numbers (RFC 5246 6.1), and TLS 1.0's IV chain.
        for (auto& side : sides_) {
            if (!side->missed) continue;
            side->seq = side->missed;
            if (version_ < 0x0302) side->iv = side->missed_last_block;
        }
        return;
    }
    bool any = false;
    for (int d = 0; d < 2; ++d) {
        Side& side = *sides_[d];
        // A side whose first records went by unread may be past its Finished:
        // its handshake key no longer applies, so its records are tried with
        // the application key until one opens, as with a partial key log.
        if (!side.missed && set_up_tls13(side, e, d == 0, false)) any = true;
        else if (side.missed && set_up_tls13(side, e, d == 0, true)) {
            side.probing = true;
            any = true;
        } else if (set_up_tls13(side, e, d == 0, true)) {
            side.probing = true;  // partial secrets: the handshake records cannot be read
            any = true;
            note("the key log has no TLS 1.3 handshake secrets for this session: its encrypted handshake is skipped");
        } else if (refresh_) {
            side.awaiting = Side::Awaiting::any;  // the peers may not have written this side's secrets yet
            any = true;
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
    if (suite->mode == Mode::cbc) return decrypt_cbc(s, h, payload, auth_failed);
    const std::size_t nonce_bytes = tls13 ? 0 : suite->explicit_nonce;
    if (payload.size() < nonce_bytes + kTagLength) {
        *auth_failed = true;
        return r;
    }
    std::array<std::uint8_t, 12> nonce;
    std::memcpy(nonce.data(), s.iv.data(), nonce.size());
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

// CBC records (RFC 5246 6.2.3.2; RFC 4346 6.2.3.2; RFC 2246 6.2.3.2):
//   MAC-then-encrypt: E(content + MAC + padding), the MAC over the content;
//   encrypt-then-MAC (RFC 7366 3): E(content + padding) + MAC, the MAC over IV + ciphertext.
// TLS 1.1 and 1.2 send each record's IV as its first block; TLS 1.0 chains
// the last ciphertext block of the previous record (the first from the key block).
TlsDecryptor::Result TlsDecryptor::decrypt_cbc(Side& s, const tls::RecordHeader& h, Bytes payload, bool* auth_failed) {
    Result r;
    r.outcome = Outcome::failed;
    *auth_failed = true;
    const Suite* suite = find_suite(suite_);
    const std::size_t block = suite->fixed_iv, mac_len = suite->mac_length;
    const auto type = static_cast<std::uint8_t>(h.type);
    Bytes ct = payload;
    if (encrypt_then_mac_) {
        if (ct.size() < mac_len) return r;
        const Bytes mac = ct.last(mac_len);
        ct = ct.first(ct.size() - mac_len);
        if (!s.mac_matches(type, h.version, ct, mac)) return r;
    }
    std::array<std::uint8_t, 16> iv = s.iv;
    if (version_ >= 0x0302) {
        if (ct.size() < block) return r;
        std::memcpy(iv.data(), ct.data(), block);
        ct = ct.subspan(block);
    }
    if (ct.empty() || ct.size() % block != 0) return r;
    if (out_.size() < ct.size() + 32) out_.resize(tls::kMaxRecordLength + 32);
    int len = 0;
    if (EVP_DecryptInit_ex2(s.ctx, nullptr, nullptr, iv.data(), nullptr) <= 0 || EVP_CIPHER_CTX_set_padding(s.ctx, 0) <= 0 ||
        EVP_DecryptUpdate(s.ctx, out_.data(), &len, ct.data(), static_cast<int>(ct.size())) <= 0 ||
        static_cast<std::size_t>(len) != ct.size())
        return r;
    std::size_t n = ct.size();
    // Padding: padding_length + 1 bytes, each holding padding_length (6.2.3.2).
    const std::uint8_t pad = out_[n - 1];
    if (static_cast<std::size_t>(pad) + 1 > n) return r;
    for (std::size_t i = n - 1 - pad; i < n; ++i)
        if (out_[i] != pad) return r;
    n -= pad + 1u;
    if (!encrypt_then_mac_) {
        if (n < mac_len) return r;
        n -= mac_len;
        if (!s.mac_matches(type, h.version, Bytes(out_.data(), n), Bytes(out_.data() + n, mac_len))) return r;
    }
    if (version_ < 0x0302) std::memcpy(s.iv.data(), ct.data() + ct.size() - block, block);  // TLS 1.0 chaining
    *auth_failed = false;
    ++s.seq;
    s.confirmed = true;
    r.outcome = Outcome::plaintext;
    r.type = type;
    r.data = Bytes(out_.data(), n);
    return r;
}

// TLS 1.3, a growing key log: the side's secret may have come meanwhile.
// True when the side is keyed now (its sequence numbers go on from the
// records that went by); false, counting this record, while it is not.
bool TlsDecryptor::await_secret(Side& s, Dir dir) {
    (*refresh_)();
    const keylog::Entry* e = keys_.find(client_random_);
    const bool client = dir == Dir::c2s;
    bool keyed = false;
    if (e && s.awaiting == Side::Awaiting::application) {
        keyed = set_up_tls13(s, *e, client, true);
        if (keyed) s.seq = s.missed;  // every record since the Finished was under this secret
    } else if (e) {
        if (!s.missed && set_up_tls13(s, *e, client, false)) {
            keyed = true;
        } else if (set_up_tls13(s, *e, client, true)) {
            s.probing = true;  // past records may include the handshake: try until one opens
            keyed = true;
        }
    }
    if (keyed) {
        if (s.missed)
            note("the key log got a TLS 1.3 traffic secret only after " + std::to_string(s.missed) +
                 " of its side's encrypted records went by; those were not decrypted");
        s.awaiting = Side::Awaiting::none;
        return true;
    }
    ++s.missed;
    if (++pending_records_ >= kMaxPendingRecords) {
        s.awaiting = Side::Awaiting::none;
        s.stopped = true;
        note("the key log never got this session's TLS 1.3 traffic secret for one side, still none after " +
             std::to_string(kMaxPendingRecords) + " encrypted records");
    }
    return false;
}

// A protected record while a growing key log lacks the session's secrets:
// counted (its sequence number) and left encrypted; after kMaxPendingRecords
// the session is given up as without keys.
TlsDecryptor::Result TlsDecryptor::pending_record(Side& s, Bytes payload) {
    Result r;
    r.outcome = Outcome::unavailable;
    ++s.missed;
    const Suite* suite = find_suite(suite_);
    if (suite && suite->mode == Mode::cbc && payload.size() >= suite->fixed_iv)
        std::memcpy(s.missed_last_block.data(), payload.data() + payload.size() - suite->fixed_iv, suite->fixed_iv);
    if (++pending_records_ >= kMaxPendingRecords) {
        state_ = State::no_keys;
        note("no secrets for this session in the key log (its ClientHello random is not there), still none after " +
             std::to_string(kMaxPendingRecords) + " of its encrypted records");
    }
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
    if (rsa_ && state_ == State::waiting && header.type == tls::ContentType::handshake && !s.protected_)
        keep_transcript(payload);
    if (tls13 ? header.type != tls::ContentType::application_data || summary.server_hello.empty() : !s.protected_)
        return r;
    if (state_ == State::waiting) set_up(summary);
    if (state_ == State::pending) {
        (*refresh_)();
        if (const keylog::Entry* e = keys_.find(client_random_)) {
            set_up_keys(*e);
            if (sides_[0]->missed || sides_[1]->missed)
                note("the key log got this session's secrets only after " +
                     std::to_string(sides_[0]->missed + sides_[1]->missed) +
                     " of its encrypted records went by; those were not decrypted");
        } else {
            return pending_record(s, payload);
        }
    }
    if (state_ == State::ready && s.awaiting != Side::Awaiting::none && !await_secret(s, dir)) {
        r.outcome = Outcome::unavailable;
        return r;
    }
    if (state_ != State::ready || s.stopped || !s.keyed) {
        r.outcome = Outcome::unavailable;
        return r;
    }
    bool auth_failed = false;
    r = decrypt(s, header, payload, &auth_failed);
    if (r.outcome == Outcome::plaintext) {
        if (tls13 && s.application && r.type == static_cast<std::uint8_t>(tls::ContentType::handshake)) {
            // Post-handshake messages (RFC 8446 4.6): a KeyUpdate changes this side's keys after its record.
            s.walk_handshake(r.data);
            if (s.key_update && s.hs_left == 0 && s.hs_have == 0) {
                s.key_update = false;
                if (!next_traffic_secret(s)) {
                    s.stopped = true;
                    note("OpenSSL could not derive the TLS 1.3 keys after a KeyUpdate (HKDF)");
                }
            }
        } else if (tls13 && !s.application && r.type == static_cast<std::uint8_t>(tls::ContentType::handshake)) {
            s.walk_handshake(r.data);
            if (s.finished && s.hs_left == 0 && s.hs_have == 0) {
                // RFC 8446 7.2 / 4.4.4: after its Finished a side sends under the application secret.
                const keylog::Entry* e = keys_.find(client_random_);
                if (!e || !set_up_tls13(s, *e, dir == Dir::c2s, true)) {
                    if (refresh_) {
                        // Live: the peer writes it as it reads this Finished, often after the capture has it.
                        s.awaiting = Side::Awaiting::application;
                        s.missed = 0;
                    } else {
                        s.stopped = true;
                        note("the key log has no TLS 1.3 application traffic secret for this session");
                    }
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
