// Where and why a connection's handshake stalled.
//
// The decision is a table of rules (verdict.cpp, kRules): each row names the
// evidence it needs, in words, and the cause, verdict code, who was owed the
// next packet and how sure the capture makes us.  Rows are tried in order and
// the first that matches decides; the order is the reviewable policy (a
// completed handshake first, so loss never hides success; definite refusals and
// alerts before loss, so loss never invents a cause; timing-based guesses last).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyze/connection.hpp"
#include "analyze/timeline.hpp"

namespace rdpscope {

enum class Cause : std::uint8_t {
    none,
    packet_loss,
    firewall_drop,
    connection_refused,
    firewall_reject,
    path_mtu,
    certificate_rejection,
    server_tls_failure,
    tls_mismatch,
    protocol_mismatch,
    authentication_failure,
    server_unresponsive,
    middlebox_reset,
    closed_by_client,
    closed_by_server,
    incomplete_capture,
    in_progress,
};
const char* to_string(Cause c);
std::optional<Cause> cause_from_string(std::string_view s);

enum class Confidence : std::uint8_t { high, medium, low };
const char* to_string(Confidence c);

struct EvidenceNote {
    std::uint64_t frame = 0;
    std::string note;
};

struct Verdict {
    Timeline timeline;
    std::optional<Phase> phase;       // furthest phase completed
    std::optional<Phase> stalled_at;  // null when the handshake completed
    std::optional<std::string> waiting_on;  // "client", "server", "network"
    Cause cause = Cause::none;
    std::string verdict;              // short code within the cause
    Confidence confidence = Confidence::medium;
    std::string summary;
    std::vector<EvidenceNote> evidence;
    std::string rule;                 // the rule that decided (for review)
};

struct JudgeContext {
    std::int64_t now_ns = 0;                       // the capture's "now": its end, or the live clock
    std::int64_t stall_timeout_ns = 30'000'000'000;
    bool input_ended = true;                       // the capture is over (offline), or still running (live)
    std::uint64_t capture_drops = 0;               // packets the capture dropped while the connection was open
};

Verdict judge(const Connection& c, const JudgeContext& ctx);

// The rules, for documentation (README, --help): id and the evidence in words.
struct RuleInfo {
    const char* id;
    const char* cause;
    const char* when;
};
std::vector<RuleInfo> rule_table();

}  // namespace rdpscope
