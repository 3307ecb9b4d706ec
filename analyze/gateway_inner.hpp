// SPDX-License-Identifier: MIT
// The RDP connection carried inside an RD Gateway's tunnel: the bytes of the
// MS-TSGU data packets (2.2.10.6, PKT_TYPE_DATA) are an ordinary RDP stream
// between the client and the target the channel named (2.2.10.2), which the
// gateway relays over its own TCP connection.  They go through the ordinary
// RDP pipeline (RdpSession: X.224, TLS/CredSSP with the key log's secrets,
// MCS) of a Connection of their own, so the inner connection gets its own
// verdict from the ordinary rules.
//
// The inner TCP connection (gateway -> target) is not on the wire the capture
// saw; what stands for it is what the tunnel shows, in the outer connection's
// frames: the channel create request is its SYN (the client asks the gateway
// to connect), an S_OK channel response its SYN-ACK and ACK (the gateway
// reached the target), each data packet a segment acknowledged at once (the
// tunnel is reliable: the outer TCP acknowledged it), a close channel or
// WebSocket close its FIN, the outer connection's FIN or RST its FIN or RST.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analyze/connection.hpp"

namespace rdpscope {

class CertificateCache;
class RsaKeys;

// What the inner connection takes from its outer one.
struct InnerSetup {
    const Connection* outer = nullptr;  // owns the tunnel: outlives it; its sides are read when the channel opens
    const keylog::KeyLog* keys = nullptr;
    bool keys_may_grow = false;  // live: the key log is read again as the capture goes (TrackerOptions::refresh_keys)
    const RsaKeys* rsa_keys = nullptr;
    CertificateCache* certs = nullptr;
};

class InnerRdp {
public:
    explicit InnerRdp(const InnerSetup& s);
    InnerRdp(const InnerRdp&) = delete;
    InnerRdp& operator=(const InnerRdp&) = delete;

    void channel_request(std::uint64_t frame, std::int64_t ts_ns, const std::string& target, std::uint16_t port);
    void channel_response(bool ok, std::uint64_t frame, std::int64_t ts_ns);
    void data(Dir dir, Bytes bytes, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);
    // The tunnel ended from `from`'s side (reset: the outer connection was reset).
    void close(Dir from, std::uint64_t frame, std::int64_t ts_ns, bool reset);

    // Judged and reported: an S_OK channel, or data carried.
    bool started() const { return opened_ || carried_; }
    bool closed() const { return conn_.closed(); }
    const Connection& conn() const { return conn_; }
    // The client's Kerberos tied to it when it is judged (port 88, a KDC proxy).
    void set_kerberos(std::vector<KerberosNote> k) { conn_.kerberos = std::move(k); }

private:
    // A segment of the stand-in TCP connection, through the TCP analysis.
    void segment(int side, std::uint8_t flags, std::uint32_t len, std::uint64_t frame, std::int64_t ts_ns);

    Connection conn_;
    std::array<std::uint32_t, 2> next_seq_{};
    bool requested_ = false, opened_ = false, carried_ = false;
    std::array<bool, 2> fin_{};
};

}  // namespace rdpscope
