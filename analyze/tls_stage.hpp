// SPDX-License-Identifier: MIT
// The TLS part of an RDP connection (selectedProtocol SSL, HYBRID, HYBRID_EX...),
// starting on the byte after the X.224 Connection Confirm: feeds both
// directions to the TLS decoders, reports each record as a dissect event, and
// keeps the facts the verdict engine needs (which messages came, when, in
// which frame; alerts; the server certificate; the encrypted records after the
// handshake, from which the CredSSP and MCS phases are inferred).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyze/event.hpp"
#include "dissect/credssp.hpp"
#include "dissect/keylog.hpp"
#include "dissect/tls.hpp"
#include "dissect/x509.hpp"

namespace rdpscope {

struct TlsAlertNote {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    Dir from = Dir::c2s;
    bool encrypted = false;  // after ChangeCipherSpec: level and description unknown
    std::uint8_t level = 0, description = 0;
};

// One encrypted record after the handshake (its size and time are all a
// capture without keys shows of CredSSP and the RDP connection sequence).
struct TlsRecordNote {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    Dir dir = Dir::c2s;
    std::uint32_t length = 0;
};

// A TSRequest read from decrypted CredSSP (MS-CSSP 2.2.1).
struct TsRequestNote {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    Dir dir = Dir::c2s;
    credssp::TsRequest request;
};

// What keys made readable (present only when a key log or a capture's
// secrets were given): records decrypted per direction, where it stopped,
// and the CredSSP messages read.
struct DecryptFacts {
    bool keys_found = false;                    // the session's secrets were in the key log (or came from an RSA key)
    bool from_rsa_key = false;                  // the master secret came from --rsa-key, not a key log
    std::string problem;                        // why (some of) it was not decrypted, in words; no secret
    std::array<std::uint64_t, 2> records{}, bytes{};   // decrypted records and plaintext bytes, by Dir
    std::array<std::uint64_t, 2> skipped{};            // TLS 1.3 handshake records without the handshake secret
    std::array<std::uint64_t, 2> undecrypted{};        // protected records left encrypted (no keys, stopped)
    std::array<std::uint64_t, 2> failed_frame{};       // the record that did not authenticate, by Dir
    std::vector<TsRequestNote> ts_requests;             // the first kMaxTsRequests
    std::optional<std::uint32_t> error_code;            // the server's errorCode (MS-CSSP 2.2.1), the last one
    std::uint64_t error_frame = 0;
    std::int64_t error_ts = 0;
    std::uint64_t auth_info_frame = 0;                  // the client's TSRequest with authInfo (credentials)
    std::int64_t auth_info_ts = 0;
    std::optional<std::uint32_t> euar;                  // HYBRID_EX Early User Authorization Result
    std::uint64_t euar_frame = 0;
    std::int64_t euar_ts = 0;
    std::uint64_t credssp_end_frame = 0;                // the client's first TPKT after CredSSP (the Connect Initial)
    std::int64_t credssp_end_ts = 0;
    std::string credssp_error;                          // CredSSP plaintext that did not decode, described
    static constexpr std::size_t kMaxTsRequests = 32;
    bool credssp_read() const { return !ts_requests.empty(); }
};

struct TlsFacts {
    std::uint64_t client_hello_frame = 0, server_hello_frame = 0, certificate_frame = 0;
    std::uint64_t server_hello_done_frame = 0, client_key_exchange_frame = 0, certificate_request_frame = 0;
    std::int64_t client_hello_ts = 0, server_hello_ts = 0, certificate_ts = 0;
    std::array<std::uint64_t, 2> ccs_frame{};       // by Dir
    std::array<std::uint64_t, 2> finished_frame{};  // the first encrypted handshake record, by Dir
    std::array<std::int64_t, 2> finished_ts{};
    std::uint64_t server_flight_end_frame = 0;      // frame that completed the server's first flight
    std::optional<std::uint16_t> client_max_version, version, cipher_suite;
    std::string sni;
    // ALPN (RFC 7301 3.1): the protocols the ClientHello offers, and the one
    // the ServerHello selects when it is in clear (TLS 1.2; TLS 1.3 puts it in
    // the encrypted EncryptedExtensions).  An RD Gateway's tunnel is HTTP/1.1
    // (MS-TSGU 2.2.3); mstsc offers no ALPN there, while its KDC proxy
    // connection to the same host offers h2 and gets it.
    std::vector<std::string> alpn_offered;
    std::string alpn;
    std::optional<x509::Certificate> leaf;
    // The server sent a Certificate message that does not decode, or (leaf)
    // whose first certificate does not parse; the last one seen.
    struct CertificateError {
        DecodeError error;
        bool leaf = false;
    };
    std::optional<CertificateError> certificate_error;
    std::size_t chain_length = 0;
    std::optional<bool> sni_matches;
    std::vector<TlsAlertNote> alerts;
    std::vector<TlsRecordNote> records;   // encrypted application data, the first kMaxRecordNotes
    std::array<std::uint64_t, 2> app_records{}, app_bytes{};
    std::array<std::uint64_t, 2> last_app_frame{};
    std::array<std::uint32_t, 2> last_app_length{};  // the length of that last record
    std::array<std::int64_t, 2> last_app_ts{};
    bool established = false;
    std::optional<DecodeError> error;  // the TLS stream broke (framing): decoding stopped; offset in the direction's stream
    std::uint64_t error_frame = 0;
    std::optional<DecryptFacts> decryption;  // with keys only

    static constexpr std::size_t kMaxRecordNotes = 64;
    bool started() const { return client_hello_frame != 0; }
};

class TlsDecryptor;
class CertificateCache;

// Where the plaintext of the RDP connection sequence goes (the application
// data after CredSSP, or all of it under PROTOCOL_SSL): the RDP stream frames
// it and hands it to the MCS stage.  Events it produces come right after
// their record's own.
class PlaintextSink {
public:
    virtual ~PlaintextSink() = default;
    virtual void plaintext(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) = 0;
};
class RsaKeys;

// Where a connection that is not RDP at its start (an RD Gateway's HTTPS)
// takes its decrypted application data: every record's plaintext, in order,
// per direction.  Its events follow their record's own.
class TlsPlaintextSink {
public:
    virtual ~TlsPlaintextSink() = default;
    virtual void plaintext(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns,
                           std::vector<PduEvent>& out) = 0;
};

class TlsStage : private tls::RecordObserver {
public:
    TlsStage();
    ~TlsStage() override;
    TlsStage(TlsStage&&) noexcept;
    TlsStage& operator=(TlsStage&&) noexcept;
    // Decrypt with these secrets (null: never; the default).  `nla`: the
    // server selected CredSSP, whose TSRequests are then read.  The key log
    // must outlive the stage; it may grow meanwhile.
    void set_keys(const keylog::KeyLog* keys, bool nla);
    // Certificates described by earlier connections (null: describe each
    // anew); must outlive the stage.
    void set_certificate_cache(CertificateCache* certs) { certs_ = certs; }
    // must outlive the stage; it may grow meanwhile.  `rsa`: servers' private
    // keys for RSA key exchange (--rsa-key), or null.
    void set_keys(const keylog::KeyLog* keys, const RsaKeys* rsa, bool nla);
    // Live: re-reads the growing key log (TrackerOptions::refresh_keys) when
    // a session's secrets are not in it yet; null: the key log is complete.
    void set_key_refresh(const std::function<void()>* refresh) { refresh_ = refresh; }
    // `dir` of the bytes; `frame`/`ts` of the segment that completed them.
    // `sink` (used during this call only) gets the RDP plaintext, if any.
    void feed(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out,
              PlaintextSink* sink = nullptr);
    const TlsFacts& facts() const { return facts_; }
    bool failed(Dir dir) const;
    // Hand decrypted application data to `sink` rather than reading CredSSP
    // from it (null: CredSSP, the default).  The sink must outlive the stage.
    void set_plaintext_sink(TlsPlaintextSink* sink) { gateway_sink_ = sink; }

private:
    void on_event(const tls::Event& e, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);
    // `decoded`: the message as tls::Session decoded it (a ClientHello), or null.
    Pdu on_handshake(Dir dir, const tls::HandshakeMessage& m, const tls::ClientHello* decoded, std::uint64_t frame,
                     std::int64_t ts_ns);

    void record(Dir dir, const tls::FramedRecord& rec, const tls::Summary& summary, std::size_t events) override;
    void on_plaintext(Dir dir, Bytes data, std::size_t events);
    void forward(Dir dir, Bytes data, std::size_t events);
    void read_credssp(Dir dir, std::size_t events);

    tls::Session session_;
    TlsFacts facts_;
    // With keys only.
    const keylog::KeyLog* keys_ = nullptr;
    CertificateCache* certs_ = nullptr;
    const RsaKeys* rsa_ = nullptr;
    const std::function<void()>* refresh_ = nullptr;
    bool nla_ = false, credssp_over_ = false;
    bool rdp_plaintext_ = false;       // the connection sequence started in the plaintext: forward it
    PlaintextSink* sink_ = nullptr;    // during feed() only
    std::vector<PduEvent> sink_events_;
    std::unique_ptr<TlsDecryptor> decryptor_;
    std::array<std::vector<std::uint8_t>, 2> credssp_buf_;  // a TSRequest split across records
    std::vector<std::pair<std::size_t, PduEvent>> pending_;  // events from plaintext, after event index .first
    std::uint64_t frame_ = 0;
    std::int64_t ts_ns_ = 0;
    std::array<std::uint32_t, 2> app_events_{};
    TlsPlaintextSink* gateway_sink_ = nullptr;  // set_plaintext_sink (RD Gateway)
    std::vector<PduEvent> gateway_out_;
};

// The dissect events for application data stop after this many per direction:
// past the handshake they are the session itself, counted in the analysis.
constexpr std::uint32_t kTlsAppDataEvents = 16;

}  // namespace rdpscope
