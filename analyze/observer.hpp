// SPDX-License-Identifier: MIT
// What the analysis tells whoever uses it: the Observer hears about PDUs,
// verdicts, finished connections and UDP flows as the tracker finds them; a
// FileObserver also hears about each input starting and ending (run_source,
// analyze/run.hpp).  The writers, `check` and the tests implement these.
#pragma once

#include <cstdint>
#include <string>

#include "analyze/event.hpp"

namespace rdpscope {

struct Connection;
struct Verdict;
struct UdpFlowFacts;
struct GatewayUdpFacts;
struct FileStats;
struct ConnBrief;

class Observer {
public:
    virtual ~Observer() = default;
    virtual void pdu(const Connection&, Dir, const PduEvent&) {}
    // The connection is finished (closed and quiet, or the input ended); it is
    // freed right after this call.  Only RDP connections (by port or content).
    virtual void connection_done(const Connection&, const Verdict&) {}
    // The verdict is decided (closed, stalled, completed): live output prints it
    // now; the connection may go on and is reported again, whole, by connection_done.
    virtual void connection_verdict(const Connection&, const Verdict&) {}
    // A probe beyond the listing budget judged by its shape
    // (TrackerOptions::judge_probes_by_shape): never built into a Connection,
    // so only its brief, in place of connection_done (the connection is not listed).
    virtual void probe_done(const ConnBrief&) {}
    // An RD Gateway connection (decrypted, recognised as a gateway's) is
    // finished, with its gateway verdict (analyze/gateway_verdict.hpp); it is
    // freed right after this call.
    virtual void gateway_done(const Connection&, const Verdict&) {}
    // A flow of the RD Gateway's UDP transport (DTLS on a gateway UDP port,
    // analyze/gateway_udp.hpp) is finished, with its verdict.
    virtual void gateway_udp_done(const GatewayUdpFacts&, const Verdict&) {}
    // RDP-UDP (flows on the RDP port): a PDU, and the flow finished (idle or end of input).
    virtual void udp_pdu(const UdpFlowFacts&, Dir, const PduEvent&) {}
    virtual void udp_flow_done(const UdpFlowFacts&) {}
    // A PDU of a flow that is neither an RDP connection nor an RDP-UDP flow
    // (Kerberos on port 88): `flow` is its tcp.stream or (`udp`) udp.stream.
    virtual void flow_pdu(std::uint64_t, bool, Dir, const Endpoint&, const Endpoint&, const PduEvent&) {}
    // A problem with the input worth a line on stderr; `conn` may be null.
    virtual void problem(std::uint64_t frame, const Connection* conn, const std::string& what) = 0;
};

// An Observer that also hears about inputs starting and ending.
class FileObserver : public Observer {
public:
    // `live_stats`: the input's figures, growing as it is read (first_ts for
    // times relative to its first packet).
    virtual void begin_file(const std::string& path, const FileStats* live_stats) = 0;
    virtual void end_file(const FileStats& stats) = 0;
};

}  // namespace rdpscope
