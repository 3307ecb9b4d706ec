// SPDX-License-Identifier: MIT
#include "analyze/groups.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "dissect/rdp_neg.hpp"

namespace rdpscope {

// The per-connection verdicts a block explains: nothing came back (loss, a
// path-MTU black hole, a drop, a server that went quiet, a handshake still
// moving when the capture ended), or the client gave up after sending again.
bool cuttable(const ConnBrief& b) {
    switch (b.cause) {
        case Cause::packet_loss:
        case Cause::path_mtu:
        case Cause::firewall_drop:
        case Cause::server_unresponsive:
        case Cause::in_progress:
            return true;
        case Cause::closed_by_client:
            return b.client_unanswered >= 2;
        default:
            return false;
    }
}

namespace {

constexpr const char* kBlockRule = "client_blocked";

std::string conn_list(const std::vector<std::uint64_t>& ids, std::size_t max = 12) {
    std::string s;
    for (std::size_t i = 0; i < ids.size() && i < max; ++i) s += fmt::format("{}#{}", s.empty() ? "" : ", ", ids[i]);
    if (ids.size() > max) s += fmt::format(" and {} more", ids.size() - max);
    return s;
}

double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }  // durations in words

}  // namespace

const char* to_string(Pattern p) {
    switch (p) {
        case Pattern::none: return "none";
        case Pattern::brute_force: return "brute_force";
        case Pattern::spray: return "spray";
        case Pattern::scan: return "scan";
    }
    return "?";
}

const char* to_string(AttemptOutcome o) {
    switch (o) {
        case AttemptOutcome::connected: return "connected";
        case AttemptOutcome::failed: return "failed";
        case AttemptOutcome::unknown: return "unknown";
    }
    return "?";
}

AttemptOutcome outcome_of(const AttemptInfo& a) {
    if (a.final_cause == Cause::none) return AttemptOutcome::connected;
    if (a.final_cause == Cause::in_progress || a.final_cause == Cause::incomplete_capture) return AttemptOutcome::unknown;
    return AttemptOutcome::failed;
}

const std::vector<RuleInfo>& cross_connection_rules() {
    static const std::vector<RuleInfo> rules = {
        {kBlockRule,
         {Cause::firewall_drop},
         {VerdictCode::client_blocked},
         "(across connections, after the rules above) one client's connections, each judged as loss, a path-MTU "
         "black hole, a drop or no answer, were cut at the same moment (the servers' last packets within 2 s of "
         "each other, the client sending after them and nothing coming back) and its later SYNs went unanswered: "
         "at least 3 connections, at least 1 cut mid-handshake; high confidence when one of those servers still "
         "answered another client afterwards"},
    };
    return rules;
}

ConnBrief brief_of(const Connection& c, const Verdict& v) {
    ConnBrief b;
    const int cs = c.client_side(), ss = 1 - cs;
    b.id = c.id;
    b.client = c.client();
    b.server = c.server();
    b.first_ts = c.first_ts;
    b.last_ts = c.last_ts;
    b.first_frame = c.first_frame;
    b.last_frame = c.last_frame;
    b.cause = v.cause;
    b.code = v.code;
    b.phase = v.phase;
    b.stalled_at = v.stalled_at;
    b.requested = c.rdp.neg.requested_protocols;
    const auto& sel = c.rdp.neg.selected_protocol;
    const bool nla = sel && (*sel & (rdpneg::PROTOCOL_HYBRID | rdpneg::PROTOCOL_HYBRID_EX));
    b.nla_failure = v.cause == Cause::authentication_failure ||
                    (nla && v.stalled_at == Phase::credssp &&
                     (v.cause == Cause::closed_by_client || v.cause == Cause::closed_by_server));
    // A probe: nothing from the client after its X.224 request (MS-RDPBCGR
    // 1.3.1.1: the request is the first PDU), or no request at all.
    b.probe = v.cause != Cause::none && c.rdp.sides[cs].secured_first_frame == 0 &&
              (!v.phase || *v.phase <= Phase::x224_negotiation);
    b.refused = b.nla_failure || v.cause == Cause::protocol_mismatch || v.cause == Cause::tls_mismatch;
    b.server_last_ts = c.stats[ss].packets ? c.stats[ss].last_ts : 0;
    b.server_last_frame = c.stats[ss].packets ? c.stats[ss].last_frame : 0;
    b.client_last_ts = c.stats[cs].last_ts;
    b.client_last_frame = c.stats[cs].last_frame;
    b.client_unanswered = c.stats[cs].since_peer;
    b.server_closed = c.stats[ss].fin || c.stats[ss].rst;
    b.cuttable = cuttable(b);
    return b;
}

void ConnectionGroups::Counts::add(const ConnBrief& b, std::size_t max_ids) {
    if (!connections || b.first_ts < first_ts) first_ts = b.first_ts;
    last_ts = std::max(last_ts, b.last_ts);
    ++connections;
    ++by_cause[b.cause];
    ++by_code[b.code];
    if (b.nla_failure) ++nla_failures;
    if (b.probe) ++probes;
    if (b.cause == Cause::none) ++completed;
    if (ids.size() < max_ids) ids.push_back(b.id);
    else ++more;
    changed = true;
}

void ConnectionGroups::add(const ConnBrief& b) {
    // A new client once the clients are all followed is not grouped, whatever
    // its pair: known without looking the pair up (a flood from many sources
    // comes here for every connection beyond the bound).
    const auto cit = client_index_.find(b.client.ip);
    if (cit == client_index_.end() && clients_.size() >= opt_.max_clients) {
        ++not_grouped_;
        return;
    }
    const auto pkey = std::make_pair(b.client.ip, b.server);
    auto pit = pairs_.find(pkey);
    if (pit == pairs_.end() && pairs_.size() >= opt_.max_pairs) {
        ++not_grouped_;
        return;
    }
    // Found above, or new (within the bounds): one lookup each, not two.
    Pair& p = pit != pairs_.end() ? pit->second : pairs_.try_emplace(pkey).first->second;
    Client& cl = cit != client_index_.end()
                     ? *cit->second
                     : *(client_index_[b.client.ip] = &clients_.try_emplace(b.client.ip).first->second);

    // A retry of the same attempt: the previous connection of this pair was
    // refused (RDP_NEG_FAILURE, a protocol or TLS mismatch, NLA failing) and
    // this one starts within the retry window after it ended, offering other
    // protocols (mstsc drops what was refused).  The same protocols again is
    // a new attempt by the user or a tool, not mstsc's own retry.
    if (p.n.connections && p.last_refused && b.first_ts >= p.last_start && b.first_ts - p.last_end <= opt_.retry_window_ns &&
        b.requested && p.last_requested && *b.requested != *p.last_requested) {
        auto a = attempt_of_.find(p.last_id);
        std::uint64_t aid = a != attempt_of_.end() ? a->second : p.last_id;
        Attempt& at = attempts_[aid];
        if (at.conns.empty()) {
            at.conns.push_back(p.last_id);
            attempt_of_[p.last_id] = aid;
        }
        at.conns.push_back(b.id);
        at.final_cause = b.cause;
        at.final_code = b.code;
        attempt_of_[b.id] = aid;
        // Bounded: the oldest attempts go first (ids grow with time).
        while (attempts_.size() > opt_.max_attempts) {
            for (auto id : attempts_.begin()->second.conns) attempt_of_.erase(id);
            attempts_.erase(attempts_.begin());
        }
    }
    p.n.add(b, opt_.max_ids);
    p.last_id = b.id;
    p.last_start = b.first_ts;
    p.last_end = b.last_ts;
    p.last_refused = b.refused;
    p.last_requested = b.requested;

    cl.n.add(b, opt_.max_ids);
    auto note = [&](std::set<Endpoint>& s, const Endpoint& e) {
        if (s.size() < opt_.max_servers) s.insert(e);
        else if (!s.count(e)) cl.capped = true;
    };
    note(cl.servers, b.server);
    if (b.nla_failure) note(cl.failed, b.server);
    if (b.probe) {
        if (cl.probed.size() < opt_.max_servers) cl.probed.insert(b.server.ip);
        else if (!cl.probed.count(b.server.ip)) cl.capped = true;
    }
    cl.recent.push_back(b);
    while (cl.recent.size() > opt_.max_recent) cl.recent.pop_front();
}

std::optional<AttemptInfo> ConnectionGroups::attempt_of(std::uint64_t conn) const {
    auto a = attempt_of_.find(conn);
    if (a == attempt_of_.end()) return std::nullopt;
    const Attempt& at = attempts_.at(a->second);
    AttemptInfo info;
    info.id = a->second;
    info.index = static_cast<std::uint32_t>(std::find(at.conns.begin(), at.conns.end(), conn) - at.conns.begin());
    info.connections = static_cast<std::uint32_t>(at.conns.size());
    info.final_conn = at.conns.back();
    info.final_cause = at.final_cause;
    info.final_code = at.final_code;
    return info;
}

const Amendment* ConnectionGroups::amendment_of(std::uint64_t conn) const {
    auto it = amended_.find(conn);
    return it == amended_.end() ? nullptr : &it->second;
}

bool ConnectionGroups::answered_elsewhere(const IpAddr& ip, const std::set<Endpoint>& servers, std::int64_t after) const {
    for (const auto& [other, cl] : clients_) {
        if (other == ip) continue;
        for (const auto& b : cl.recent)
            if (servers.count(b.server) && b.server_last_ts > after) return true;
    }
    return false;
}

// The cross-connection rule (cross_connection_rules()): a block of client C
// starting at T.  T is when any server last answered C; a connection was cut
// by it when its server's last packet came within the window before T and the
// client went on sending without an answer; a connection started after T
// whose server never answered is one of the block's later victims.
void ConnectionGroups::block_rule(const IpAddr& ip, Client& cl, std::vector<Amendment>& out) {
    std::int64_t heard = 0;
    std::uint64_t heard_frame = 0;
    for (const auto& b : cl.recent)
        if (b.server_last_ts > heard) {
            heard = b.server_last_ts;
            heard_frame = b.server_last_frame;
        }
    if (!heard) return;  // never answered at all: each connection's own verdict says it
    std::vector<const ConnBrief*> cut, later;
    for (const auto& b : cl.recent) {
        if (!b.cuttable || b.server_closed) continue;
        if (b.server_last_ts && b.client_unanswered && b.server_last_ts >= heard - opt_.block_window_ns) cut.push_back(&b);
        else if (!b.server_last_ts && b.first_ts > heard - opt_.block_window_ns) later.push_back(&b);
    }
    if (cut.empty() || cut.size() + later.size() < 3) return;
    std::vector<std::uint64_t> ids;
    std::set<Endpoint> servers;
    for (auto* b : cut) ids.push_back(b->id), servers.insert(b->server);
    for (auto* b : later) ids.push_back(b->id), servers.insert(b->server);
    std::sort(ids.begin(), ids.end());
    const bool others = answered_elsewhere(ip, servers, heard);
    const Confidence conf = others || cut.size() + later.size() >= 5 ? (others ? Confidence::high : Confidence::medium)
                                                                    : Confidence::medium;
    const std::string client = to_string(ip);
    for (const auto* group : {&cut, &later})
        for (const ConnBrief* b : *group) {
            if (amended_.count(b->id)) continue;
            Amendment a;
            a.conn = b->id;
            a.client = b->client;
            a.confidence = conf;
            a.rule = kBlockRule;
            a.block_start_ts = heard;
            a.block_start_frame = heard_frame;
            a.block_conns = ids;
            if (a.block_conns.size() > opt_.max_ids) a.block_conns.resize(opt_.max_ids);
            a.original_cause = b->cause;
            a.original_code = b->code;
            std::vector<std::uint64_t> others_ids;
            for (auto id : ids)
                if (id != b->id) others_ids.push_back(id);
            a.summary = fmt::format(
                "Client {} was blocked: nothing from {} reached it after frame {}, and {} of its connections "
                "stopped there together ({} cut mid-handshake while the client went on sending, {} later SYN-only "
                "attempt{} never answered). Judged alone this connection looked like {} / {}; together with "
                "connection{} {} it is a firewall or IPS dropping the client's packets (a rate limit or a reaction "
                "to many attempts), not loss or a path-MTU black hole.{}",
                client, servers.size() == 1 ? to_string(*servers.begin()) : "its servers", heard_frame, ids.size(),
                cut.size(), later.size(), later.size() == 1 ? "" : "s", to_string(b->cause), to_string(b->code),
                others_ids.size() == 1 ? "" : "s", conn_list(others_ids),
                others ? " Another client still got answers from the same server afterwards."
                       : " No other client of these servers is in the capture after that moment, so a server that "
                         "stopped answering everyone cannot be ruled out.");
            if (b->server_last_frame)
                a.evidence.push_back({b->server_last_frame, "the server's last packet on this connection"});
            if (b->client_last_frame)
                a.evidence.push_back({b->client_last_frame,
                                      fmt::format("the client's last packet: {} sent after the server's last, none "
                                                  "answered", b->client_unanswered)});
            if (heard_frame && heard_frame != b->server_last_frame)
                a.evidence.push_back({heard_frame, "the last packet any server sent this client (the block starts after it)"});
            std::sort(a.evidence.begin(), a.evidence.end(), [](const auto& x, const auto& y) { return x.frame < y.frame; });
            a.original_rule = {};
            out.push_back(a);
            amended_.emplace(b->id, std::move(a));
            cl.n.changed = true;
        }
    // Bounded: the oldest amendments go first.
    while (amended_.size() > opt_.max_attempts) amended_.erase(amended_.begin());
}

std::vector<Amendment> ConnectionGroups::find_blocks() {
    std::vector<Amendment> out;
    for (auto& [ip, cl] : clients_) block_rule(ip, cl, out);
    return out;
}

std::vector<Amendment> ConnectionGroups::find_blocks(const IpAddr& client) {
    std::vector<Amendment> out;
    if (auto it = clients_.find(client); it != clients_.end()) block_rule(it->first, it->second, out);
    return out;
}

GroupView ConnectionGroups::view(const Counts& n) const {
    GroupView g;
    g.connections = n.connections;
    g.first_ts = n.first_ts;
    g.last_ts = n.last_ts;
    g.by_cause = n.by_cause;
    for (const auto& [code, k] : n.by_code) g.by_code[to_string(code)] += k;
    g.nla_failures = n.nla_failures;
    g.probes = n.probes;
    g.completed = n.completed;
    g.ids = n.ids;
    g.more = n.more;
    return g;
}

std::vector<GroupView> ConnectionGroups::groups(bool changed_only) {
    std::vector<GroupView> out;
    for (auto& [key, p] : pairs_) {
        if (p.n.connections < 2 || (changed_only && !p.n.changed)) continue;
        GroupView g = view(p.n);
        g.pair = true;
        g.client = key.first;
        g.server = key.second;
        if (p.n.nla_failures >= kBruteForceFailures) {
            g.pattern = Pattern::brute_force;
            g.pattern_why = fmt::format("{} NLA failures from {} to {} in {:.0f} s (brute force: at least {})",
                                        p.n.nla_failures, to_string(key.first), to_string(key.second),
                                        seconds(p.n.last_ts - p.n.first_ts), kBruteForceFailures);
        }
        if (changed_only) p.n.changed = false;
        out.push_back(std::move(g));
    }
    for (auto& [ip, cl] : clients_) {
        bool amended = false;
        for (const auto& b : cl.recent) amended |= amended_.count(b.id) > 0;
        if ((cl.servers.size() < 2 && !amended) || (changed_only && !cl.n.changed)) continue;
        GroupView g = view(cl.n);
        g.pair = false;
        g.client = ip;
        g.servers = cl.servers.size();
        g.servers_failed = cl.failed.size();
        g.hosts_probed = cl.probed.size();
        g.servers_capped = cl.capped;
        const char* atleast = cl.capped ? "at least " : "";
        if (cl.failed.size() >= kSprayServers) {
            g.pattern = Pattern::spray;
            g.pattern_why = fmt::format("NLA failed for {} on {}{} servers (password spraying: at least {})",
                                        to_string(ip), atleast, cl.failed.size(), kSprayServers);
        } else if (cl.probed.size() >= kScanHosts) {
            g.pattern = Pattern::scan;
            g.pattern_why = fmt::format("{} sent only SYNs or an X.224 request to {}{} hosts (a scan: at least {})",
                                        to_string(ip), atleast, cl.probed.size(), kScanHosts);
        }
        for (const auto& b : cl.recent)
            if (auto it = amended_.find(b.id); it != amended_.end()) g.amends.push_back(it->second);
        if (changed_only) cl.n.changed = false;
        out.push_back(std::move(g));
    }
    return out;
}

Pattern ConnectionGroups::client_pattern(const IpAddr& client) const {
    auto it = clients_.find(client);
    if (it == clients_.end()) return Pattern::none;
    if (it->second.failed.size() >= kSprayServers) return Pattern::spray;
    if (it->second.probed.size() >= kScanHosts) return Pattern::scan;
    for (auto p = pairs_.lower_bound({client, Endpoint{}}); p != pairs_.end() && p->first.first == client; ++p)
        if (p->second.n.nla_failures >= kBruteForceFailures) return Pattern::brute_force;
    return Pattern::none;
}

std::uint64_t ConnectionGroups::client_connections(const IpAddr& client) const {
    auto it = clients_.find(client);
    return it == clients_.end() ? 0 : it->second.n.connections;
}

void ConnectionGroups::clear() {
    pairs_.clear();
    clients_.clear();
    client_index_.clear();
    attempts_.clear();
    attempt_of_.clear();
    amended_.clear();
    not_grouped_ = 0;
}

}  // namespace rdpscope
