// SPDX-License-Identifier: MIT
// Report writers: they format what the analysis found and never analyse.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/run.hpp"

namespace rdpscope {

enum class Format { text, json };

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
    void end_file(const FileStats&) override {}

private:
    // One PDU's line or JSON object, for a TCP connection or (`udp`) a UDP flow.
    void print_pdu(const PduEvent& e, std::uint64_t conn, bool udp, Dir d, const Endpoint& src, const Endpoint& dst);
};

// `rdpscope analyze`: one entry per RDP connection, then a file summary.
class ReportWriter : public WriterBase {
public:
    using WriterBase::WriterBase;
    void connection_done(const Connection& c, const Verdict& v) override;
    void connection_verdict(const Connection& c, const Verdict& v) override;
    // Live (capture, replay): print each connection when its verdict is decided,
    // with the figures so far; otherwise when it ends, with all its figures.
    void set_live(bool on) { live_ = on; }
    void end_file(const FileStats& stats) override;
    void udp_flow_done(const UdpFlowFacts& f) override;  // writers_udp.cpp
    // After the last input: the summary by cause (text line or {"type":"summary"}).
    void finish();
    void set_color(bool on) { color_ = on; }
    // Connections whose handshake did not complete (exit status 1).
    std::uint64_t incomplete() const { return incomplete_; }

private:
    void emit_text(const nlohmann::ordered_json& j);
    std::map<std::string, std::uint64_t> by_cause_;
    std::uint64_t connections_total_ = 0, incomplete_ = 0;
    bool header_printed_ = false;
    bool color_ = false;
    bool live_ = false;
    void print_connection(const Connection& c, const Verdict& v);
};

// The text form of one connection's summary (exposed for tests).
std::string render_connection_text(const nlohmann::ordered_json& conn, bool color = false);

}  // namespace rdpscope
