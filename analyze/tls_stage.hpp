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
#include <optional>
#include <string>
#include <vector>

#include "analyze/event.hpp"
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

    static constexpr std::size_t kMaxRecordNotes = 64;
    bool started() const { return client_hello_frame != 0; }
};

class TlsStage {
public:
    // `dir` of the bytes; `frame`/`ts` of the segment that completed them.
    void feed(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);
    const TlsFacts& facts() const { return facts_; }
    bool failed(Dir dir) const;

private:
    void on_event(const tls::Event& e, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);
    Pdu on_handshake(Dir dir, const tls::HandshakeMessage& m, std::uint64_t frame, std::int64_t ts_ns);

    tls::Session session_;
    TlsFacts facts_;
    std::array<std::uint32_t, 2> app_events_{};
    std::vector<tls::Event> events_;  // of the last feed(), reused
};

// The dissect events for application data stop after this many per direction:
// past the handshake they are the session itself, counted in the analysis.
constexpr std::uint32_t kTlsAppDataEvents = 16;

}  // namespace rdpscope
