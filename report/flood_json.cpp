// SPDX-License-Identifier: MIT
#include "report/flood_json.hpp"

#include <fmt/format.h>

#include "report/json_util.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

namespace {

// 412803 -> "412,803": flood figures are read by eye.
std::string grouped(std::uint64_t n) {
    std::string d = std::to_string(n), out;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (i && (d.size() - i) % 3 == 0) out += ',';
        out += d[i];
    }
    return out;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return grouped(n) + " " + (n == 1 ? one : many);
}

}  // namespace

json flood_json(const std::string& path, const FloodStats& f) {
    json j = {{"type", "flood"}, {"file", path}};
    if (f.attempts) {
        json a = {{"attempts", f.attempts},
                  {"syn_packets", f.syn_packets},
                  {"sources", f.sources},
                  {"sources_at_least", f.sources_at_least},
                  {"servers", f.servers},
                  {"servers_at_least", f.servers_at_least},
                  {"first_frame", f.first_frame},
                  {"last_frame", f.last_frame},
                  {"first_time", epoch_seconds(f.first_ts)},
                  {"last_time", epoch_seconds(f.last_ts)}};
        json top = json::array();
        for (const SourceCount& s : f.top_sources) top.push_back({{"address", to_string(s.address)}, {"attempts", s.attempts}});
        a["top_sources"] = top;
        a["attempts_of_sources_not_counted"] = f.sources_not_counted;
        a["held_at_most"] = f.max_pending_attempts;
        j["unanswered_syn_attempts"] = a;
    }
    if (f.not_listed) {
        json causes = json::object();
        for (const auto& [c, n] : f.not_listed_by_cause) causes[to_string(c)] = n;
        j["not_listed"] = {{"connections", f.not_listed},
                           {"by_cause", causes},
                           {"first_frame", f.not_listed_first_frame},
                           {"last_frame", f.not_listed_last_frame},
                           {"listed_per_minute", f.listed_per_minute}};
        if (f.judged_by_shape)
            j["not_listed"]["judged_by_shape"] = {{"connections", f.judged_by_shape},
                                                  {"shapes", f.shapes},
                                                  {"late_packets", f.shape_late_packets}};
    }
    if (f.other_attempts)
        j["unanswered_syn_attempts_other_ports"] = {{"attempts", f.other_attempts},
                                                    {"syn_packets", f.other_syn_packets},
                                                    {"first_frame", f.other_first_frame},
                                                    {"last_frame", f.other_last_frame},
                                                    {"kept_at_most", f.max_pending_attempts}};
    if (f.retired_early)
        j["retired_early"] = {{"connections", f.retired_early},
                              {"late_packets", f.late_packets},
                              {"max_full_connections", f.max_full_connections}};
    if (f.udp_retired_early || f.udp_other_not_kept || f.udp_not_listed)
        j["udp_flows"] = {{"not_listed", f.udp_not_listed},
                          {"listed_per_minute", f.listed_per_minute},
                          {"retired_early", f.udp_retired_early},
                          {"held_at_most", f.max_udp_flows},
                          {"other_datagrams_not_kept", f.udp_other_not_kept},
                          {"other_held_at_most", f.max_other_udp_flows}};
    return j;
}

std::string render_flood_text(const json& j) {
    std::string s;
    if (j.contains("unanswered_syn_attempts")) {
        const json& a = j["unanswered_syn_attempts"];
        const auto n = a["attempts"].get<std::uint64_t>();
        s += fmt::format("flood        {} further {} ({}) from {}{} to {}{} unanswered, not judged one by one: "
                         "SYN flood or scan; frames {}-{}\n",
                         grouped(n), n == 1 ? "SYN attempt" : "SYN attempts",
                         plural(a["syn_packets"].get<std::uint64_t>(), "SYN", "SYNs"),
                         a["sources_at_least"].get<bool>() ? "at least " : "",
                         plural(a["sources"].get<std::uint64_t>(), "source", "sources"),
                         a["servers_at_least"].get<bool>() ? "at least " : "",
                         plural(a["servers"].get<std::uint64_t>(), "server", "servers"),
                         a["first_frame"].get<std::uint64_t>(), a["last_frame"].get<std::uint64_t>());
        std::string top;
        for (const auto& t : a["top_sources"])
            top += fmt::format("{}{} ({})", top.empty() ? "" : ", ", t["address"].get<std::string>(),
                               grouped(t["attempts"].get<std::uint64_t>()));
        if (!top.empty()) {
            s += fmt::format("             top sources: {}", top);
            if (const auto more = a["attempts_of_sources_not_counted"].get<std::uint64_t>())
                s += fmt::format(" (the attempts of {} beyond the first {} sources are not counted by source)",
                                 grouped(more), FloodCounter::kMaxTopSources);
            s += "\n";
        }
    }
    if (j.contains("not_listed")) {
        const json& l = j["not_listed"];
        std::string causes;
        for (const auto& [c, n] : l["by_cause"].items())
            causes += fmt::format("{}{} {}", causes.empty() ? "" : ", ", grouped(n.get<std::uint64_t>()), c);
        s += fmt::format("flood        {} further probe-like {} (only SYNs, an X.224 request alone, an NLA "
                         "failure) judged and grouped but not listed, over {} a minute: {}; frames {}-{}\n",
                         grouped(l["connections"].get<std::uint64_t>()),
                         l["connections"].get<std::uint64_t>() == 1 ? "connection" : "connections",
                         grouped(l["listed_per_minute"].get<std::uint64_t>()), causes,
                         l["first_frame"].get<std::uint64_t>(), l["last_frame"].get<std::uint64_t>());
        if (l.contains("judged_by_shape")) {
            const json& b = l["judged_by_shape"];
            const auto n = b["connections"].get<std::uint64_t>(), shapes = b["shapes"].get<std::uint64_t>(),
                       late = b["late_packets"].get<std::uint64_t>();
            s += fmt::format("             of them {} given the verdict of the first connection of the same "
                             "shape ({} {} judged in full), never built one by one; {} later {} of theirs in "
                             "no report's figures\n",
                             grouped(n), grouped(shapes), shapes == 1 ? "shape" : "shapes", grouped(late),
                             late == 1 ? "packet" : "packets");
        }
    }
    if (j.contains("unanswered_syn_attempts_other_ports")) {
        const json& o = j["unanswered_syn_attempts_other_ports"];
        const auto n = o["attempts"].get<std::uint64_t>();
        s += fmt::format("flood        {} further {} ({}) to ports other than RDP's unanswered, forgotten beyond the "
                         "newest {} (a scan or a SYN flood; never reported either way); frames {}-{}\n",
                         grouped(n), n == 1 ? "SYN attempt" : "SYN attempts",
                         plural(o["syn_packets"].get<std::uint64_t>(), "SYN", "SYNs"),
                         grouped(o["kept_at_most"].get<std::uint64_t>()), o["first_frame"].get<std::uint64_t>(),
                         o["last_frame"].get<std::uint64_t>());
    }
    if (j.contains("retired_early")) {
        const json& r = j["retired_early"];
        s += fmt::format("flood        {} {} judged and freed before their linger or idle time was over, to keep at "
                         "most {} connections open; {} later {} of theirs in no report's figures\n",
                         grouped(r["connections"].get<std::uint64_t>()),
                         r["connections"].get<std::uint64_t>() == 1 ? "connection" : "connections",
                         grouped(r["max_full_connections"].get<std::uint64_t>()),
                         grouped(r["late_packets"].get<std::uint64_t>()),
                         r["late_packets"].get<std::uint64_t>() == 1 ? "packet" : "packets");
    }
    if (j.contains("udp_flows")) {
        const json& u = j["udp_flows"];
        const auto early = u["retired_early"].get<std::uint64_t>(), other = u["other_datagrams_not_kept"].get<std::uint64_t>(),
                   unlisted = u["not_listed"].get<std::uint64_t>();
        if (unlisted)
            s += fmt::format("flood        {} further UDP {} on the RDP port that never came up, of no TCP connection, "
                             "counted but not listed, over {} a minute (a UDP flood or scan)\n",
                             grouped(unlisted), unlisted == 1 ? "flow" : "flows",
                             grouped(u["listed_per_minute"].get<std::uint64_t>()));
        if (early)
            s += fmt::format("flood        {} UDP {} on the RDP port reported and freed before their idle time was over, "
                             "to keep at most {} open (a UDP flood or scan); UDP stream numbers may run ahead of "
                             "Wireshark's from then on\n",
                             grouped(early), early == 1 ? "flow" : "flows", grouped(u["held_at_most"].get<std::uint64_t>()));
        if (other)
            s += fmt::format("flood        {} UDP {} off the RDP port found the table of such flows full ({}; a UDP flood "
                             "or scan) and each counted as a new flow; UDP stream numbers may run ahead of Wireshark's "
                             "from then on\n",
                             grouped(other), other == 1 ? "datagram" : "datagrams",
                             grouped(u["other_held_at_most"].get<std::uint64_t>()));
    }
    return s;
}

}  // namespace rdpscope
