// SPDX-License-Identifier: MIT
#include "report/groups_json.hpp"

#include <fmt/format.h>

#include "report/json_util.hpp"
#include "report/summary.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

json attempt_json(const AttemptInfo& a) {
    return {{"id", a.id},
            {"index", a.index},
            {"connections", a.connections},
            {"outcome", to_string(outcome_of(a))},
            {"final_conn", a.final_conn},
            {"final_cause", to_string(a.final_cause)},
            {"final_verdict", to_string(a.final_code)}};
}

namespace {

json block_json(const Amendment& a) {
    return {{"client", to_string(a.client.ip)},
            {"start", epoch_seconds(a.block_start_ts)},
            {"start_frame", a.block_start_frame},
            {"conns", a.block_conns}};
}

json evidence_json(const std::vector<EvidenceNote>& ev) {
    json out = json::array();
    for (const auto& e : ev) out.push_back({{"frame", e.frame}, {"note", e.note}});
    return out;
}

}  // namespace

void apply_amendment(json& j, const Amendment& a) {
    json own = {{"cause", j["cause"]},           {"verdict", j["verdict"]}, {"confidence", j["confidence"]},
                {"waiting_on", j["waiting_on"]}, {"rule", j["rule"]},       {"summary", j["summary"]}};
    j["waiting_on"] = to_string(WaitingOn::network);
    j["cause"] = to_string(a.cause);
    j["verdict"] = to_string(a.code);
    j["confidence"] = to_string(a.confidence);
    j["summary"] = a.summary;
    json ev = evidence_json(a.evidence);
    for (const auto& e : j["evidence"]) ev.push_back(e);
    j["evidence"] = ev;
    j["rule"] = a.rule;
    // The codes of the amended verdict (the connection's own go with connection_verdict).
    if (j.contains("client_codes")) own["client_codes"] = j["client_codes"];
    if (auto cc = client_codes_for(a.cause, a.code)) j["client_codes"] = client_codes_json(*cc);
    else j.erase("client_codes");
    j["connection_verdict"] = own;
    j["block"] = block_json(a);
}

json amendment_json(const Amendment& a) {
    return {{"conn", a.conn},
            {"cause", to_string(a.cause)},
            {"verdict", to_string(a.code)},
            {"waiting_on", to_string(WaitingOn::network)},
            {"confidence", to_string(a.confidence)},
            {"rule", a.rule},
            {"summary", a.summary},
            {"evidence", evidence_json(a.evidence)},
            {"connection_verdict", {{"cause", to_string(a.original_cause)}, {"verdict", to_string(a.original_code)}}},
            {"block", block_json(a)}};
}

json group_json(const GroupView& g, bool final) {
    json j;
    j["type"] = "group";
    j["scope"] = g.pair ? "pair" : "client";
    j["client"] = to_string(g.client);
    if (g.pair) j["server"] = to_string(g.server);
    j["final"] = final;
    j["connections"] = g.connections;
    j["first"] = epoch_seconds(g.first_ts);
    j["last"] = epoch_seconds(g.last_ts);
    const double span = static_cast<double>(g.last_ts - g.first_ts) / 1e9;
    j["duration"] = span;
    // Connections per minute over the group's span; none for a single instant.
    j["rate_per_minute"] = span > 0 ? json(static_cast<double>(g.connections) * 60.0 / span) : json(nullptr);
    json causes = json::object();
    for (const auto& [c, n] : g.by_cause) causes[to_string(c)] = n;
    j["by_cause"] = causes;
    json codes = json::object();
    for (const auto& [c, n] : g.by_code) codes[c] = n;
    j["by_verdict"] = codes;
    j["completed"] = g.completed;
    j["nla_failures"] = g.nla_failures;
    j["probes"] = g.probes;
    if (!g.pair) {
        j["servers"] = g.servers;
        j["servers_failed"] = g.servers_failed;
        j["hosts_probed"] = g.hosts_probed;
        j["servers_capped"] = g.servers_capped;
    }
    j["pattern"] = g.pattern == Pattern::none ? json(nullptr) : json(to_string(g.pattern));
    if (g.pattern != Pattern::none) j["pattern_evidence"] = g.pattern_why;
    j["conns"] = g.ids;
    j["conns_not_listed"] = g.more;
    if (!g.amends.empty()) {
        json am = json::array();
        for (const auto& a : g.amends) am.push_back(amendment_json(a));
        j["amends"] = am;
    }
    return j;
}

std::string render_connection_line(const json& j) {
    const std::string cause = j["cause"].get<std::string>();
    std::string what = cause == "none" ? std::string("handshake completed")
                                       : fmt::format("{} / {}", cause, j["verdict"].get<std::string>());
    if (!j["stalled_at"].is_null()) what += fmt::format(" at {}", j["stalled_at"].get<std::string>());
    return fmt::format("#{} {} -> {}  {}  {}  frames {}-{}", j["conn"].get<std::uint64_t>(), j["client"].get<std::string>(),
                       j["server"].get<std::string>(), utc_time(j["start"].get<double>()), what,
                       j["first_frame"].get<std::uint64_t>(), j["last_frame"].get<std::uint64_t>());
}

std::string render_group_text(const json& g) {
    std::string s;
    const bool pair = g["scope"] == "pair";
    std::string who = pair ? fmt::format("{} -> {}", g["client"].get<std::string>(), g["server"].get<std::string>())
                           : fmt::format("{} -> {} servers", g["client"].get<std::string>(), g["servers"].get<std::uint64_t>());
    std::string pattern = g["pattern"].is_null() ? std::string("group") : g["pattern"].get<std::string>();
    s += fmt::format("{} {}   {} connection{}, {} to {}", pattern, who, g["connections"].get<std::uint64_t>(),
                     g["connections"].get<std::uint64_t>() == 1 ? "" : "s", utc_time(g["first"].get<double>()),
                     utc_time(g["last"].get<double>()));
    if (!g["rate_per_minute"].is_null()) s += fmt::format(", {:.1f} per minute", g["rate_per_minute"].get<double>());
    s += "\n";
    if (g.contains("pattern_evidence")) s += fmt::format("  evidence     {}\n", g["pattern_evidence"].get<std::string>());
    std::string causes;
    for (const auto& [k, n] : g["by_cause"].items()) causes += fmt::format("{}{} {}", causes.empty() ? "" : ", ", n.get<std::uint64_t>(), k);
    s += fmt::format("  causes       {}\n", causes);
    std::string codes;
    for (const auto& [k, n] : g["by_verdict"].items()) codes += fmt::format("{}{} {}", codes.empty() ? "" : ", ", n.get<std::uint64_t>(), k);
    s += fmt::format("  verdicts     {}\n", codes);
    std::string ids;
    std::uint64_t shown = 0;
    for (const auto& id : g["conns"]) {
        if (shown == 12) break;
        ids += fmt::format("{}#{}", ids.empty() ? "" : " ", id.get<std::uint64_t>());
        ++shown;
    }
    const std::uint64_t rest = g["connections"].get<std::uint64_t>() - shown;
    if (rest) ids += fmt::format(" and {} more", rest);
    s += fmt::format("  conns        {}\n", ids);
    if (g.contains("amends")) {
        const auto& a0 = g["amends"][0];
        s += fmt::format("  blocked      from {} (after frame {}): connections", utc_time(a0["block"]["start"].get<double>()),
                         a0["block"]["start_frame"].get<std::uint64_t>());
        for (const auto& a : g["amends"]) s += fmt::format(" #{}", a["conn"].get<std::uint64_t>());
        s += fmt::format(" are {} / {} ({} confidence)\n", a0["cause"].get<std::string>(), a0["verdict"].get<std::string>(),
                         a0["confidence"].get<std::string>());
    }
    return s;
}

}  // namespace rdpscope
