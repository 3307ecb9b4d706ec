// SPDX-License-Identifier: MIT
// Evidence across connections: what one connection cannot show by itself.
//
// Every connection keeps its own verdict (verdict.cpp); this module looks at
// the finished connections together, grouped by client -> server pair and by
// client across servers, and finds three things:
//  * patterns: `brute_force` (>= 10 NLA failures from one client to one
//    server), `spray` (one client's NLA failing on >= 5 servers), `scan` (SYNs
//    or X.224-only probes from one client to >= 5 hosts);
//  * attempts: mstsc retries by itself -- an RDP_NEG_FAILURE, then a new
//    connection offering other protocols; NLA refused, then a retry without
//    it -- so consecutive connections of one pair, the next starting within a
//    few seconds of the previous one ending in a refusal and offering other
//    protocols, are one user-level attempt with one outcome;
//  * blocks: a firewall or IPS that starts dropping a client's packets cuts
//    every connection of that client at the same moment, mid-handshake, and
//    leaves its later SYNs unanswered.  One by one those look like loss or a
//    path-MTU black hole; together they are `firewall_drop` / `client_blocked`
//    (the cross-connection rule, cross_connection_rules()).  The verdicts of
//    the connections cut come back as amendments.
//
// Bounded: at most Options::max_pairs pairs and max_clients clients are
// followed (the rest are counted as not grouped), each group keeps counts and
// at most max_ids connection ids (and how many more there were), a client's
// timing for the block rule covers its last max_recent connections, and the
// attempt records are pruned oldest first.  All timing is packet time.
// Names no output field: report/groups_json.cpp does.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyze/connection.hpp"
#include "analyze/flow_hash.hpp"
#include "analyze/verdict.hpp"

namespace rdpscope {

// What the grouping needs of one connection whose verdict is decided.
struct ConnBrief {
    std::uint64_t id = 0;
    Endpoint client, server;
    std::int64_t first_ts = 0, last_ts = 0;
    std::uint64_t first_frame = 0, last_frame = 0;
    Cause cause = Cause::none;
    VerdictId code;
    std::optional<Phase> phase, stalled_at;
    std::optional<std::uint32_t> requested;  // RDP_NEG_REQ requestedProtocols
    bool nla_failure = false;  // authentication_failure, or NLA selected and the connection ended in credssp by either side
    bool probe = false;        // not completed and the client sent nothing after its X.224 request (or only SYNs)
    bool refused = false;      // ended in a negotiation refusal or an NLA failure: mstsc may retry at once
    // For the block rule: the server's last packet, and what the client sent after it.
    std::int64_t server_last_ts = 0;        // 0: the server never sent anything
    std::uint64_t server_last_frame = 0;
    std::int64_t client_last_ts = 0;
    std::uint64_t client_last_frame = 0;
    std::uint64_t client_unanswered = 0;    // client packets after the server's last one
    bool server_closed = false;             // the server sent a FIN or RST
    bool cuttable = false;                  // its own verdict is one a block can explain (loss, MTU, no answer, ...)
};
ConnBrief brief_of(const Connection& c, const Verdict& v);
// Whether its verdict is one a block can explain (ConnBrief::cuttable).
bool cuttable(const ConnBrief& b);

enum class Pattern : std::uint8_t { none, brute_force, spray, scan };
const char* to_string(Pattern p);

// Thresholds of the patterns (the definitions).
inline constexpr std::uint64_t kBruteForceFailures = 10;  // NLA failures, one client -> one server
inline constexpr std::uint64_t kSprayServers = 5;         // servers one client failed NLA on
inline constexpr std::uint64_t kScanHosts = 5;            // hosts one client probed

// A connection's place in a user-level attempt (present only when the attempt
// has more than one connection).
struct AttemptInfo {
    std::uint64_t id = 0;        // the attempt: its first connection's id
    std::uint32_t index = 0;     // 0 for the first connection
    std::uint32_t connections = 0;
    std::uint64_t final_conn = 0;  // its last connection so far
    Cause final_cause = Cause::none;
    VerdictId final_code;
};
enum class AttemptOutcome : std::uint8_t { connected, failed, unknown };
const char* to_string(AttemptOutcome o);
AttemptOutcome outcome_of(const AttemptInfo& a);

// A verdict the cross-connection rule gives a connection instead of its own.
struct Amendment {
    std::uint64_t conn = 0;
    Endpoint client;
    Cause cause = Cause::firewall_drop;
    VerdictId code{VerdictCode::client_blocked, 0};
    Confidence confidence = Confidence::medium;
    std::string rule;      // the cross-connection rule's id
    std::string summary;
    std::vector<EvidenceNote> evidence;
    std::int64_t block_start_ts = 0;          // the block began right after the servers' last packet, at this time
    std::uint64_t block_start_frame = 0;
    std::vector<std::uint64_t> block_conns;   // the client's connections the block explains (bounded)
    Cause original_cause = Cause::none;       // the connection's own verdict
    VerdictId original_code;
    std::string original_rule;
};

// A group as the report shows it: counts, times, pattern, connection ids.
struct GroupView {
    bool pair = true;                 // client -> server; else the client across servers
    IpAddr client;
    Endpoint server;                  // pair only
    std::uint64_t connections = 0;
    std::int64_t first_ts = 0, last_ts = 0;
    std::map<Cause, std::uint64_t> by_cause;
    std::map<std::string, std::uint64_t> by_code;  // the verdict codes as the vocabulary spells them
    std::uint64_t nla_failures = 0, probes = 0, completed = 0;
    std::uint64_t servers = 0, servers_failed = 0, hosts_probed = 0;  // client groups
    bool servers_capped = false;      // more distinct servers than followed: the counts are lower bounds
    std::vector<std::uint64_t> ids;   // the first max_ids connections
    std::uint64_t more = 0;           // connections beyond those
    Pattern pattern = Pattern::none;
    std::string pattern_why;          // the evidence for the pattern, in words
    std::vector<Amendment> amends;    // blocks found on this client (client groups)
};

class ConnectionGroups {
public:
    struct Options {
        std::size_t max_pairs = 4096, max_clients = 4096;
        std::size_t max_ids = 64;           // connection ids listed per group
        std::size_t max_servers = 256;      // distinct servers followed per client
        std::size_t max_recent = 64;        // a client's connections the block rule looks at
        std::size_t max_attempts = 4096;    // attempt records kept
        std::int64_t retry_window_ns = 5'000'000'000;  // mstsc retries within a few seconds
        std::int64_t block_window_ns = 2'000'000'000;  // "the same moment": the cut connections' last answers within this
    };
    ConnectionGroups() : ConnectionGroups(Options{}) {}
    explicit ConnectionGroups(Options o) : opt_(o) {}
    // client_index_ points into clients_: moved with it (the map's nodes
    // move), never copied.
    ConnectionGroups(const ConnectionGroups&) = delete;
    ConnectionGroups& operator=(const ConnectionGroups&) = delete;
    ConnectionGroups(ConnectionGroups&&) = default;
    ConnectionGroups& operator=(ConnectionGroups&&) = default;

    // A connection's verdict is decided: count it, link it to an attempt.
    void add(const ConnBrief& b);
    // The attempt a connection belongs to, when it is one of several.
    std::optional<AttemptInfo> attempt_of(std::uint64_t conn) const;
    // The cross-connection rule over every client's recent connections:
    // amendments not given before (each connection is amended at most once).
    std::vector<Amendment> find_blocks();
    // The same for one client only (offline, before its oldest held connection is printed).
    std::vector<Amendment> find_blocks(const IpAddr& client);
    // The amendment given to a connection, if any.
    const Amendment* amendment_of(std::uint64_t conn) const;
    // The groups worth reporting: pairs with more than one connection, clients
    // with connections to more than one server.  `changed_only`: those that
    // changed since the last call with it (live output, once a minute).
    std::vector<GroupView> groups(bool changed_only = false);
    // The pattern a client shows (its own or one of its pairs').
    Pattern client_pattern(const IpAddr& client) const;
    std::uint64_t client_connections(const IpAddr& client) const;
    std::uint64_t not_grouped() const { return not_grouped_; }
    void clear();

private:
    struct Counts {
        std::uint64_t connections = 0, nla_failures = 0, probes = 0, completed = 0;
        std::int64_t first_ts = 0, last_ts = 0;
        std::map<Cause, std::uint64_t> by_cause;
        std::map<VerdictId, std::uint64_t, bool (*)(const VerdictId&, const VerdictId&)> by_code{
            [](const VerdictId& a, const VerdictId& b) {
                return a.code != b.code ? a.code < b.code : a.param < b.param;
            }};
        std::vector<std::uint64_t> ids;
        std::uint64_t more = 0;
        bool changed = false;
        void add(const ConnBrief& b, std::size_t max_ids);
    };
    struct Pair {
        Counts n;
        // The last connection added, for linking a retry.
        std::uint64_t last_id = 0;
        std::int64_t last_end = 0, last_start = 0;
        bool last_refused = false;
        std::optional<std::uint32_t> last_requested;
    };
    struct Client {
        Counts n;
        std::set<Endpoint> servers, failed;
        std::set<IpAddr> probed;
        bool capped = false;
        std::deque<ConnBrief> recent;  // the last max_recent connections, for the block rule
    };
    struct Attempt {
        std::vector<std::uint64_t> conns;  // bounded by the retry chain (a few)
        Cause final_cause = Cause::none;
        VerdictId final_code;
    };
    void block_rule(const IpAddr& ip, Client& cl, std::vector<Amendment>& out);
    bool answered_elsewhere(const IpAddr& ip, const std::set<Endpoint>& servers, std::int64_t after) const;
    GroupView view(const Counts& n) const;

    Options opt_;
    std::map<std::pair<IpAddr, Endpoint>, Pair> pairs_;
    std::map<IpAddr, Client> clients_;
    // The same clients by hash: add() looks each connection's client up, and
    // a flood from more sources than are followed comes there for every one.
    std::unordered_map<IpAddr, Client*, AddressHash> client_index_;
    std::map<std::uint64_t, Attempt> attempts_;          // by attempt id
    std::map<std::uint64_t, std::uint64_t> attempt_of_;  // connection -> attempt id
    std::map<std::uint64_t, Amendment> amended_;         // connection -> its amendment
    std::uint64_t not_grouped_ = 0;
};

// The cross-connection rules, as rows of the rule table (rule_table() lists
// them after the per-connection rules).
const std::vector<RuleInfo>& cross_connection_rules();

}  // namespace rdpscope
