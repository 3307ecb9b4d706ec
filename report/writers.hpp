// SPDX-License-Identifier: MIT
// Report writers: they format what the analysis found and never analyse.
#pragma once

#include <cstdio>
#include <deque>
#include <map>
#include <string_view>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/groups.hpp"
#include "analyze/run.hpp"

namespace rdpscope {

enum class Format { text, json };

// Hears every object `analyze` forms, whatever --format prints: each
// {"type":"connection"} (with `file`, and `segments` when asked for), the
// final {"type":"group"} objects, {"type":"no_rdp"}, {"type":"file_summary"}
// and, last, {"type":"summary"}.  The HTML report (report/html.hpp) is
// written from them, so it shows what the JSON says.
class ReportSink {
public:
    virtual ~ReportSink() = default;
    virtual void object(const nlohmann::ordered_json& j) = 0;
};

// Shared by the writers: problems on stderr, naming file, frame and connection.
class WriterBase : public FileObserver {
public:
    WriterBase(std::FILE* out, std::FILE* err, Format f) : out_(out), err_(err), format_(f) {}
    void begin_file(const std::string& path, const FileStats* stats) override;
    void problem(std::uint64_t frame, const Connection* conn, const std::string& what) override;
    std::uint64_t problems() const { return problems_; }

protected:
    std::FILE* out_;
    std::FILE* err_;
    Format format_;
    std::string path_;
    const FileStats* file_stats_ = nullptr;  // the input's, as it is read
    std::uint64_t problems_ = 0;
};

// `rdpscope dissect`: one line (or JSON object) per decoded PDU.
class DissectWriter : public WriterBase {
public:
    using WriterBase::WriterBase;
    void pdu(const Connection& c, Dir d, const PduEvent& e) override;
    void udp_pdu(const UdpFlowFacts& f, Dir d, const PduEvent& e) override;  // writers_udp.cpp
    // Kerberos on port 88: numbered as its tcp.stream or (`udp`) udp.stream.
    void flow_pdu(std::uint64_t flow, bool udp, Dir d, const Endpoint& src, const Endpoint& dst,
                  const PduEvent& e) override {
        print_pdu(e, flow, udp, d, src, dst);
    }
    void end_file(const FileStats&) override {}

private:
    // One PDU's line or JSON object, for a TCP connection or (`udp`) a UDP flow.
    void print_pdu(const PduEvent& e, std::uint64_t conn, bool udp, Dir d, const Endpoint& src, const Endpoint& dst);
};

// `rdpscope analyze`: one entry per RDP connection, then a file summary.
class ReportWriter : public WriterBase {
public:
    using WriterBase::WriterBase;
    void begin_file(const std::string& path, const FileStats* stats) override;
    void connection_done(const Connection& c, const Verdict& v) override;
    void connection_verdict(const Connection& c, const Verdict& v) override;
    void probe_done(const ConnBrief& b) override;
    // Live (capture, replay): print each connection when its verdict is decided,
    // with the figures so far; otherwise when it ends, with all its figures.
    void set_live(bool on) { live_ = on; }
    void end_file(const FileStats& stats) override;
    void udp_flow_done(const UdpFlowFacts& f) override;  // writers_udp.cpp
    void gateway_done(const Connection& c, const Verdict& v) override;  // gateway_json.cpp
    void gateway_udp_done(const GatewayUdpFacts& f, const Verdict& v) override;  // gateway_json.cpp
    // After the last input: the summary by cause (text line or {"type":"summary"}).
    void finish();
    void set_color(bool on) { color_ = on; }
    // Text: print every connection in full, also those of a brute force,
    // spray or scan (by default the 4th to 20th connection of such a client
    // take a line each, and a client with more than 20 only its group).
    void set_all(bool on) { all_ = on; }
    // Also give every object to `sink` (the HTML report); `segments`: the
    // connections it hears carry their kept TCP segments (tcp_segments_json;
    // the tracker keeps them with TrackerOptions::keep_segments).
    void set_sink(ReportSink* sink, bool segments) {
        sink_ = sink;
        segments_ = segments;
    }
    // Connections whose handshake did not complete (exit status 1).
    std::uint64_t incomplete() const { return incomplete_ + syn_attempts_not_judged_ + gateways_incomplete_; }

private:
    // A connection whose verdict is decided, waiting (offline) for what later
    // connections tell about it: a retry of the same attempt, a block of its client.
    // With --format json and no sink, the connection is held serialized
    // (`text`, with its id and cause): a tree of a connection's ~300 values
    // takes several times the memory of its text: a thousand held trees were
    // 9 of the 35 MiB an all-RDP capture peaked at, and their page faults a
    // good part of its system time (issue 16).  It is parsed back only when an attempt or an amendment
    // must be added; dump(parse(dump(j))) is dump(j) for nlohmann's JSON.
    struct Held {
        IpAddr client;
        nlohmann::ordered_json j;
        nlohmann::ordered_json segments;  // for the sink only
        std::string text;                 // j serialized (j null then)
        std::uint64_t id = 0;
        std::string cause;
    };
    // Offline, connections are held, in order, at most this many; then the
    // oldest is printed with what is known by then.
    static constexpr std::size_t kMaxHeld = 1024;
    void emit_text(const nlohmann::ordered_json& j);
    void release(Held& h);
    void emit_groups(bool final);
    // Connections by cause, as the summary prints them (sorted by name).
    // Looked up by the cause's name without making a string of it: each
    // probe of a flood beyond the listing budget is counted here (issue 16).
    using CauseCounts = std::map<std::string, std::uint64_t, std::less<>>;
    static void count_cause(CauseCounts& counts, std::string_view cause) {
        if (auto it = counts.find(cause); it != counts.end()) ++it->second;
        else counts.emplace(std::string(cause), 1);
    }
    CauseCounts by_cause_;
    ConnectionGroups groups_;
    std::deque<Held> held_;
    std::map<IpAddr, std::uint64_t> printed_;  // text: connections printed of each client with a pattern
    std::uint64_t not_printed_ = 0;            // text: connections left to their group
    std::int64_t last_groups_ts_ = 0;          // live: packet time groups were last printed
    bool all_ = false;
    std::uint64_t connections_total_ = 0, incomplete_ = 0;
    std::uint64_t gateways_total_ = 0, gateways_incomplete_ = 0;  // RD Gateway connections (gateway_done)
    CauseCounts gateway_by_cause_;
    std::uint64_t gateways_udp_ = 0;  // flows of the RD Gateway's UDP transport (gateway_udp_done)
    std::uint64_t syn_attempts_not_judged_ = 0;  // left unjudged by the flood bound (analyze/flood.hpp)
    bool header_printed_ = false;
    bool color_ = false;
    bool live_ = false;
    ReportSink* sink_ = nullptr;
    bool segments_ = false;
    void print_connection(const Connection& c, const Verdict& v);
    void unlisted(const ConnBrief& b);
    void live_groups(std::int64_t last_ts);
};

// The text form of one connection's summary (exposed for tests).
std::string render_connection_text(const nlohmann::ordered_json& conn, bool color = false);

}  // namespace rdpscope
