// SPDX-License-Identifier: MIT
// The handshake ladder of one connection: which phases apply to the protocol
// the server selected, and for each whether it started and completed, in which
// frames, and whether that is seen in clear or only inferred from the sizes
// and directions of encrypted records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyze/connection.hpp"
#include "analyze/phase.hpp"

namespace rdpscope {

struct Step {
    Phase phase{};
    bool started = false, done = false;
    bool inferred = false;                 // from encrypted record sizes, not decoded PDUs
    bool decrypted = false;                // read from decrypted records (keys given)
    std::uint64_t start_frame = 0, end_frame = 0;
    std::int64_t start_ts = 0, end_ts = 0;
    std::string note;                      // what marked it, in words
};

// Encrypted records after the TLS handshake, as the inference reads them.
struct RecordPhases {
    int credssp_c2s = 0, credssp_s2c = 0;   // CredSSP records each way (NLA)
    bool size_known = false;                  // the cipher suite tells plaintext sizes (tls::record_protection)
    std::optional<std::size_t> first_client;  // the first record of the client after the TLS handshake
    // CredSSP's end (indexes into TlsFacts::records): the client's authInfo,
    // the server's Early User Authorization Result (HYBRID_EX), or the
    // server's TSRequest carrying only an errorCode (the credentials refused).
    std::optional<std::size_t> auth_info, euar, credssp_error;
    bool euar_may_be_error = false;           // a CBC suite gives the Result and the error TSRequest one size
    bool euar_by_count = false;               // placed by NTLM's message count, not by its size
    // RDSTLS and RDS AAD Auth (MS-RDPBCGR 5.4.5.3, 5.4.5.4): the server's first
    // record after TLS (RDSTLS Capabilities / Server Nonce), the client's
    // Authentication Request, the server's answer (RDSTLS Authentication
    // Response / RDS AAD Authentication Result).  Success and refusal differ
    // only in the encrypted result code: what follows tells them apart (the
    // client's Connect Initial, or a close).
    std::optional<std::size_t> rds_offer, rds_request, rds_result;
    // The answer's size against the RDSTLS Authentication Response's 10 bytes
    // of plaintext (2.2.17.4): nullopt when the suite hides it or for RDS AAD
    // (a JSON text of no fixed size, 2.2.18.3).
    std::optional<bool> rds_result_sized;
    std::optional<std::size_t> mcs_request;   // index into TlsFacts::records of the inferred Connect Initial
    std::optional<std::size_t> mcs_response;
    std::optional<std::size_t> join_end;      // last small record of the channel joins
    std::optional<std::size_t> client_info;
    std::optional<std::size_t> settings_reply;  // first large server record after the Client Info
    std::uint64_t s2c_bytes_after_settings = 0;
    int s2c_records_after_settings = 0;
    // The server's output after the Connect Response (all of it, also beyond
    // the noted records), and from the Response to its last record.
    std::uint64_t s2c_bytes_after_response = 0;
    int s2c_records_after_response = 0;
    std::int64_t s2c_span_after_response_ns = 0;
};

// The furthest rung of the handshake the capture shows, read from what each
// side sent (not from which phases completed): the coarse progress that
// `furthest_step` reports, also for connections the ladder cannot place.
enum class Rung : std::uint8_t {
    tcp_syn,       // a SYN (or a reset) and no answer
    tcp_connect,   // the TCP connection is up (or was captured mid-stream)
    not_rdp,       // one side's first bytes are not RDP
    x224_request,  // the X.224 Connection Request
    x224_confirm,  // the Connection Confirm (or a failure)
    tls_started,   // bytes after the negotiation, TLS or CredSSP selected
    mcs_started,   // bytes after the negotiation, standard RDP security
};
const char* to_string(Rung r);
// The furthest rung of the connection as it is now.  It is not part of the
// Timeline: a connection goes on after its verdict (its timeline is the one
// of that moment), and the report gives the rung of the whole connection, as
// it gives its TCP figures, from the connection it reports.
Rung furthest_rung(const Connection& c);

// How a connection ended after its handshake: who closed it first, how, and
// what the server sent last.  The handshake verdict stays about the
// handshake; this is what happened to the session after it.
struct SessionEnd {
    enum class How : std::uint8_t { fin, reset, tls_alert };
    bool by_client = false;
    How how = How::fin;
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    // The server's last encrypted record before the end, and whether its
    // plaintext has the 9 bytes of an MCS Disconnect Provider Ultimatum
    // (TPKT 4 + X.224 data 3 + the PER-encoded PDU 2, MS-RDPBCGR 2.2.2.3),
    // which Windows servers send at the end of every session (the user's
    // close or the server's own, after a Set Error Info: inside TLS).
    std::uint64_t last_server_record_frame = 0;
    std::uint32_t last_server_record_length = 0;
    bool ultimatum_sized = false;
    std::uint64_t ultimatum_frame = 0;  // the ultimatum, in clear or decrypted
    // Read from the connection sequence (in clear, or decrypted with keys):
    // the server's Set Error Info (MS-RDPBCGR 2.2.5.1) and who sent the
    // Disconnect Provider Ultimatum (2.2.2.3), when before the end.
    std::optional<std::uint32_t> error_info;
    std::uint64_t error_info_frame = 0;
    std::optional<bool> ultimatum_by_client;
    std::optional<std::uint8_t> ultimatum_reason;
    bool decrypted = false;
};
const char* to_string(SessionEnd::How h);
// Null while the connection is open.
std::optional<SessionEnd> session_end(const Connection& c);

struct Timeline {
    std::vector<Step> steps;               // the applicable phases, in order
    std::optional<Phase> reached;          // the furthest phase completed
    std::optional<Phase> next;             // the first phase not completed (nullopt: complete)
    std::optional<RecordPhases> records;   // the inference over encrypted records (TLS/NLA only)
    // The phases after a capture gap were implied by what went by after it
    // (the server's sustained output), not read: say so, with less confidence.
    bool implied_after_gap = false;
    bool complete() const { return !next.has_value(); }
    const Step* step(Phase p) const;
};

Timeline build_timeline(const Connection& c);

// `protocol`: the selected protocol (MS-RDPBCGR 2.2.1.2.1): what follows TLS.
RecordPhases infer_record_phases(const TlsFacts& t, std::uint32_t protocol);

}  // namespace rdpscope
