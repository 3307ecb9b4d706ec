// SPDX-License-Identifier: MIT
// The RDP side of one TCP connection: takes each direction's reassembled bytes,
// frames them (proxy preamble, then TPKT), picks the decoder the handshake
// phase calls for, and keeps the facts the decoders return.
//
// Sides are 0 and 1 as the connection numbers them; which one is the client is
// learnt from the content (the side that sends the X.224 Connection Request).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analyze/event.hpp"
#include "analyze/mcs_stage.hpp"
#include "analyze/tls_stage.hpp"
#include "dissect/proxy.hpp"
#include "dissect/reader.hpp"

namespace rdpscope {

// Where the RDP decoder sends what it finds; the connection tracker adds the
// connection's identity and hands it to the writers.
class RdpEvents {
public:
    virtual ~RdpEvents() = default;
    virtual void pdu(int side, PduEvent&& e) = 0;
    // Something the user should know about this connection's bytes (stderr).
    virtual void problem(int side, std::uint64_t frame, const std::string& what) = 0;
};

struct NegotiationFacts {
    std::uint64_t cr_frame = 0, cc_frame = 0, dr_frame = 0;
    std::int64_t cr_ts = 0, cc_ts = 0;
    std::optional<std::string> cookie, routing_token, correlation_id;
    std::optional<std::uint32_t> requested_protocols;
    std::uint8_t request_flags = 0;
    std::optional<std::uint32_t> selected_protocol;
    std::uint8_t response_flags = 0;
    std::optional<std::uint32_t> failure_code;
    std::string error;  // a malformed negotiation structure, described
    bool confirm_seen() const { return cc_frame != 0; }
    // What the server chose, counting a legacy CC (no RDP_NEG_RSP) as standard RDP security.
    std::optional<std::uint32_t> effective_protocol() const {
        if (failure_code || !cc_frame) return std::nullopt;
        return selected_protocol ? selected_protocol : std::optional<std::uint32_t>(0);
    }
};

struct ProxyFacts {
    proxy::Kind kind = proxy::Kind::none;
    std::string target;          // host:port the client asked the proxy for
    std::optional<int> status;   // the proxy's reply code
    std::uint64_t request_frame = 0, reply_frame = 0;
};

class RdpSession : private PlaintextSink {
public:
    enum class Mode : std::uint8_t {
        start,        // nothing from this side yet
        preamble,     // inside a SOCKS / HTTP CONNECT preamble
        x224,         // TPKT + X.224 connection initiation
        secured,      // after the X.224 exchange: TLS (selectedProtocol != 0) or standard RDP security
        not_rdp,      // the bytes are not RDP: stop looking
        lost,         // a capture gap or a framing error broke the stream: stop looking
    };

    struct SideFacts {
        Mode mode = Mode::start;
        std::uint64_t first_data_frame = 0;
        std::uint64_t secured_first_frame = 0;  // first byte after the X.224 exchange
        std::int64_t secured_first_ts = 0;
        std::uint8_t secured_first_byte = 0;    // 0x16 = TLS handshake, 0x03 = TPKT
        std::uint64_t secured_bytes = 0;
        std::uint64_t tpkt_pdus = 0, fastpath_pdus = 0;
        std::uint64_t gap_frame = 0;            // first capture gap in this direction
        std::uint64_t gap_bytes = 0;
    };

    // `syn_client`: the side that sent the SYN, or -1 when the capture missed it.
    void on_data(int side, Bytes data, std::uint64_t frame, std::int64_t ts_ns, int syn_client, RdpEvents& ev);
    void on_gap(int side, std::uint64_t length, std::uint64_t frame, RdpEvents& ev);

    bool is_rdp() const { return neg.cr_frame != 0 || neg.cc_frame != 0; }
    // False when a side whose stream starts with `first` (the first bytes
    // on_data() gets) gives up on RDP at once, whichever side it is and
    // whatever the other side does: they are no X.224 TPDU and no proxy
    // preamble.  The tracker uses it to leave such connections light.
    static bool may_start_rdp(Bytes first);
    int client_side_by_content() const { return client_side_; }
    // True while decoding still needs this side's bytes (reassembly can stop otherwise).
    bool wants_bytes(int side) const;

    NegotiationFacts neg;
    ProxyFacts proxy;
    TlsStage tls;  // used when the server selected a TLS-based protocol
    // Secrets to decrypt TLS with (TrackerOptions::keys); null: none given.
    const keylog::KeyLog* keys = nullptr;
    const RsaKeys* rsa_keys = nullptr;  // TrackerOptions::rsa_keys
    const std::function<void()>* refresh_keys = nullptr;  // TrackerOptions::refresh_keys (live), or null
    McsStage mcs;  // used under standard RDP security (MCS in clear)
    std::array<SideFacts, 2> sides;
    std::string not_rdp_reason;  // why the connection's bytes are not RDP
    std::uint64_t not_rdp_frame = 0;
    int not_rdp_side = -1;
    // The capture began inside a session that was already up: no SYN, and a
    // side's first bytes are TLS records or RDP fast-path PDUs back to back,
    // which only a connection past its X.224 negotiation sends.  Not "not RDP":
    // an RDP session whose handshake the capture missed.
    enum class MidSession : std::uint8_t { none, tls, fast_path };
    MidSession mid_session = MidSession::none;
    std::uint64_t mid_session_frame = 0;
    int mid_session_side = -1;
    std::uint16_t mid_session_tls_version = 0;  // the first record's version (TLS 1.3 writes 0x0303 too, RFC 8446 5.1)

private:
    void start(int side, std::uint64_t frame, int syn_client, RdpEvents& ev);
    void run(int side, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev);
    bool run_preamble(int side, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev);
    bool run_x224(int side, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev);
    void run_secured(int side, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev);
    void on_x224_pdu(int side, Bytes pdu, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev);
    void enter_secured(int side);
    void feed_tls(int side, Bytes data, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev);
    void give_up(int side, Mode why, std::uint64_t frame, const std::string& reason, RdpEvents& ev);
    // The decrypted connection sequence (TlsStage's plaintext): TPKT-framed
    // X.224 Data for the MCS stage, and fast-path PDUs, counted.
    void plaintext(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) override;

    int client_side_ = -1;
    std::array<std::vector<std::uint8_t>, 2> buf_;  // bytes of an incomplete unit, per side
    std::array<std::vector<std::uint8_t>, 2> plain_;  // decrypted bytes of an incomplete PDU, by Dir
    std::array<bool, 2> plain_lost_{};                // the decrypted framing broke, by Dir
};

const char* to_string(RdpSession::Mode m);

}  // namespace rdpscope
