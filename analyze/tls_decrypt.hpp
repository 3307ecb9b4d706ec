// SPDX-License-Identifier: MIT
// Decryption of one TLS connection's records with the secrets of an NSS key
// log (dissect/keylog.hpp), through OpenSSL 3's EVP interfaces:
//   TLS 1.2: key block = PRF(master_secret, "key expansion", server_random +
//     client_random) (RFC 5246 6.3, EVP_KDF "TLS1-PRF"); AES-GCM (RFC 5288:
//     4-byte implicit salt + 8-byte explicit nonce) and ChaCha20-Poly1305
//     (RFC 7905: the IV XOR the sequence number), additional data =
//     seq_num + type + version + plaintext length (RFC 5246 6.2.3.3).
//   TLS 1.0-1.2 CBC: the key block also holds the MAC keys (6.3; TLS 1.0 and
//     1.1 with the MD5+SHA1 PRF, RFC 2246 5); AES or 3DES in CBC mode with
//     HMAC-SHA1/SHA256/SHA384, MAC-then-encrypt (6.2.3.2) or encrypt-then-MAC
//     when both hellos negotiate it (RFC 7366); TLS 1.0's chained IV.
//   TLS 1.3: key and iv = HKDF-Expand-Label(traffic secret, "key"/"iv", "")
//     (RFC 8446 7.1, 7.3; EVP_KDF "HKDF" expand-only), nonce = iv XOR seq,
//     additional data = the record header (5.2); the handshake traffic
//     secrets until each side's Finished, then *_TRAFFIC_SECRET_0, and the
//     next one after each KeyUpdate (7.2).
// Records are taken in order, per direction, as the record framer delivers
// them from the reassembled stream.  A record that fails to authenticate
// stops decryption of that direction (wrong key, or bytes missing from the
// capture); the caller says so.  With only the application traffic secrets
// of TLS 1.3 (a partial key log), the handshake records are skipped and
// counted.
// Live, the key log may get a session's secrets only after its first
// encrypted records went by (the client writes them during its handshake):
// with a `refresh` function the decryptor reads the key log again on each
// protected record until they come (for at most kMaxPendingRecords records),
// counting the records it could not read so that the sequence numbers stay
// right; TLS 1.3 records missed that way are skipped as with a partial log.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dissect/direction.hpp"
#include "dissect/keylog.hpp"
#include "dissect/tls.hpp"

namespace rdpscope {

class RsaKeys;

class TlsDecryptor {
public:
    enum class Outcome : std::uint8_t {
        clear,        // not protected (before ChangeCipherSpec / the ServerHello)
        plaintext,    // decrypted: `type` and `data`
        skipped,      // TLS 1.3 handshake record without the handshake secret
        unavailable,  // no keys for this record (none for the session, a suite not supported, stopped)
        failed,       // did not authenticate: this direction stops here
    };
    struct Result {
        Outcome outcome = Outcome::clear;
        std::uint8_t type = 0;  // the content type (TLS 1.3: the inner one)
        Bytes data;             // the plaintext, valid until the next call
    };

    // `rsa`: servers' private keys for RSA key exchange (may be null).
    // `refresh`: re-reads a growing key log (live), or null when it is complete.
    TlsDecryptor(const keylog::KeyLog& keys, const RsaKeys* rsa = nullptr,
                 const std::function<void()>* refresh = nullptr);
    // Protected records a session waits for its secrets to appear in a
    // growing key log before it is given up as without keys.
    static constexpr std::uint32_t kMaxPendingRecords = 64;
    ~TlsDecryptor();
    TlsDecryptor(const TlsDecryptor&) = delete;
    TlsDecryptor& operator=(const TlsDecryptor&) = delete;

    // Every record of direction `dir`, in stream order, after the session took
    // it in (its summary holds the hellos seen so far).
    Result record(Dir dir, const tls::RecordHeader& header, Bytes payload, const tls::Summary& summary);

    // Why nothing (or not everything) could be decrypted, in words: empty
    // while all is well.  Never holds a secret.
    const std::string& problem() const { return problem_; }
    bool keys_found() const { return state_ == State::ready; }
    // Where the keys came from.
    enum class Source : std::uint8_t { none, key_log, rsa_key };
    Source source() const { return source_; }
    bool from_rsa_key() const { return source_ == Source::rsa_key; }

private:
    struct Side;
    // pending: a growing key log does not hold the session's secrets yet.
    enum class State : std::uint8_t { waiting, pending, ready, no_keys };
    void set_up(const tls::Summary& summary);
    void set_up_keys(const keylog::Entry& e);
    Result pending_record(Side& s, Bytes payload);
    bool await_secret(Side& s, Dir dir);
    bool set_up_tls12(const keylog::Entry& e);
    bool set_up_from_master(Bytes master);
    bool set_up_rsa(const tls::Summary& summary, const tls::ClientHello& ch, const tls::ServerHello& sh);
    void keep_transcript(Bytes payload);
    bool set_up_tls13(Side& s, const keylog::Entry& e, bool client, bool application);
    bool next_traffic_secret(Side& s);
    Result decrypt(Side& s, const tls::RecordHeader& header, Bytes payload, bool* auth_failed);
    Result decrypt_cbc(Side& s, const tls::RecordHeader& header, Bytes payload, bool* auth_failed);
    void note(std::string what);

    const keylog::KeyLog& keys_;
    const RsaKeys* rsa_ = nullptr;
    const std::function<void()>* refresh_ = nullptr;
    std::uint32_t pending_records_ = 0;  // protected records seen while State::pending
    Source source_ = Source::none;
    // With RSA keys: the plaintext handshake messages in the order they
    // crossed (RFC 7627 3's session hash covers them up to the
    // ClientKeyExchange), bounded (16 KiB); freed once the keys are set up.
    std::vector<std::uint8_t> transcript_;
    bool transcript_overflow_ = false;
    State state_ = State::waiting;
    std::uint16_t version_ = 0, suite_ = 0;
    bool encrypt_then_mac_ = false;  // RFC 7366, CBC only
    keylog::ClientRandom client_random_{};
    std::array<std::uint8_t, 32> server_random_{};
    std::array<std::unique_ptr<Side>, 2> sides_;
    std::vector<std::uint8_t> out_;
    std::string problem_;
};

}  // namespace rdpscope
