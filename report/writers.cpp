// SPDX-License-Identifier: MIT
#include "report/writers.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <type_traits>

#include "report/flood_json.hpp"
#include "report/groups_json.hpp"
#include "report/json_text.hpp"
#include "report/json_util.hpp"
#include "report/pdu_fields.hpp"
#include "report/render_security.hpp"
#include "report/render_verdict.hpp"
#include "report/summary.hpp"
#include "report/summary_other.hpp"
#include "report/tcp_json.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

namespace {

std::string human_bytes(std::uint64_t b) {
    if (b < 10'000) return fmt::format("{} B", b);
    if (b < 10'000'000) return fmt::format("{:.1f} kB", b / 1e3);
    return fmt::format("{:.1f} MB", b / 1e6);
}

std::string text_value(const Field& f) {
    if (auto* i = std::get_if<std::int64_t>(&f.value)) {
        // Protocol bit masks read best in hex, as Wireshark shows them.
        if (f.key == "flags" || f.key == "requested_protocols" || f.key == "selected_protocol")
            return fmt::format("0x{:x}", *i);
        return std::to_string(*i);
    }
    if (auto* b = std::get_if<bool>(&f.value)) return *b ? "true" : "false";
    if (auto* l = std::get_if<std::vector<std::string>>(&f.value)) return fmt::format("{}", fmt::join(*l, ","));
    const auto& s = std::get<std::string>(f.value);
    if (s.find(' ') != std::string::npos || s.empty()) return fmt::format("\"{}\"", s);
    return s;
}

}  // namespace

void WriterBase::begin_file(const std::string& path, const FileStats* stats) {
    path_ = path;
    file_stats_ = stats;
}

void WriterBase::problem(std::uint64_t frame, const Connection* conn, const std::string& what) {
    ++problems_;
    if (conn)
        fmt::print(err_, "rdpscope: {}: frame {}: connection {} ({} -> {}): {}\n", path_, frame, conn->id,
                   to_string(conn->client()), to_string(conn->server()), what);
    else
        fmt::print(err_, "rdpscope: {}: frame {}: {}\n", path_, frame, what);
}

void DissectWriter::pdu(const Connection& c, Dir d, const PduEvent& e) {
    print_pdu(e, c.id, false, d, d == Dir::c2s ? c.client() : c.server(), d == Dir::c2s ? c.server() : c.client());
}

void DissectWriter::print_pdu(const PduEvent& e, std::uint64_t conn, bool udp, Dir d, const Endpoint& src,
                              const Endpoint& dst) {
    const PduFields pf = pdu_fields(e);
    if (format_ == Format::json) {
        json j;
        j["file"] = path_;
        j["frame"] = e.frame;
        j["time"] = epoch_seconds(e.ts_ns);
        j["conn"] = conn;
        if (udp) j["transport"] = "udp";
        j["dir"] = to_string(d);
        j["src"] = to_string(src);
        j["dst"] = to_string(dst);
        j["pdu"] = pf.pdu;
        for (const auto& f : pf.fields)
            std::visit([&](const auto& v) {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) j[std::string(f.key)] = valid_utf8(v);
                else j[std::string(f.key)] = v;
            }, f.value);
        print_json_line(out_, j);
        return;
    }
    const double rel = file_stats_ ? static_cast<double>(e.ts_ns - file_stats_->first_ts) / 1e9 : 0.0;
    // UDP flows are numbered apart from TCP connections: "#u0" is udp.stream 0.
    std::string line = fmt::format("{:>7} {:>11.6f}  #{:<3} {} {} -> {}  {}", e.frame, rel,
                                   udp ? fmt::format("u{}", conn) : std::to_string(conn), to_string(d),
                                   to_string(src), to_string(dst), pf.pdu);
    for (const auto& f : pf.fields) line += fmt::format(" {}={}", f.key, text_value(f));
    fmt::print(out_, "{}\n", line);
}

// The groups hear every connection when it ends, with all its figures, in
// both modes, so live and offline find the same groups and blocks.
void ReportWriter::connection_done(const Connection& c, const Verdict& v) {
    const ConnBrief b = brief_of(c, v);
    if (!c.listed) return unlisted(b);
    groups_.add(b);
    if (!live_) return print_connection(c, v);
    live_groups(c.last_ts);
}

void ReportWriter::probe_done(const ConnBrief& b) { unlisted(b); }

// A flood's probe beyond the listing budget: grouped, counted in the summary
// here, in the `flood` object by the analysis, never printed.
void ReportWriter::unlisted(const ConnBrief& b) {
    groups_.add(b);
    count_cause(by_cause_, to_string(b.cause));
    ++connections_total_;
    if (b.cause != Cause::none) ++incomplete_;
    if (live_) live_groups(b.last_ts);
}

// Live: what later connections tell comes in the group objects, once a
// minute of packet time (README: "Groups, attempts and blocks").
void ReportWriter::live_groups(std::int64_t last_ts) {
    if (last_ts - last_groups_ts_ >= 60'000'000'000) {
        if (last_groups_ts_) {
            groups_.find_blocks();
            emit_groups(false);
        }
        last_groups_ts_ = last_ts;
    }
}

void ReportWriter::connection_verdict(const Connection& c, const Verdict& v) {
    if (live_ && c.listed) print_connection(c, v);
}

void ReportWriter::begin_file(const std::string& path, const FileStats* stats) {
    WriterBase::begin_file(path, stats);
    groups_.clear();
    held_.clear();
    printed_.clear();
    not_printed_ = 0;
    last_groups_ts_ = 0;
}

void ReportWriter::print_connection(const Connection& c, const Verdict& v) {
    Held h;
    h.client = c.client().ip;
    if (format_ == Format::json && !sink_) {
        // JSON Lines: the object's text, never a tree (report/json_text.hpp JsonWriter).
        h.id = c.id;
        h.cause = to_string(v.cause);
        h.text = summary_text(c, v);
        if (!live_) h.text.shrink_to_fit();  // held by the thousand: its length, not the capacity it grew to
    } else {
        h.j = summarize(c, v);
        if (sink_ && segments_) h.segments = tcp_segments_json(c.tcp, c.client_side());
    }
    if (live_) {
        release(h);  // printed now, with the figures so far
        return;
    }
    held_.push_back(std::move(h));
    if (held_.size() > kMaxHeld) {
        groups_.find_blocks(held_.front().client);
        release(held_.front());
        held_.pop_front();
    }
}

// A connection is printed: with its attempt and any amendment from the
// connections around it, in full, on one line, or left to its group.
void ReportWriter::release(Held& h) {
    if (!h.text.empty()) {
        if (!groups_.attempt_of(h.id) && !groups_.amendment_of(h.id)) {
            // As it was held: the file's name is its last field.
            count_cause(by_cause_, h.cause);
            ++connections_total_;
            if (h.cause != "none") ++incomplete_;
            h.text.pop_back();  // the closing brace
            fmt::print(out_, "{},\"file\":{}}}\n", h.text, json_text(json(path_)));
            std::fflush(out_);
            return;
        }
        h.j = parse_report_text(h.text);
        h.text.clear();
    }
    json& j = h.j;
    const std::uint64_t id = j["conn"].get<std::uint64_t>();
    if (auto a = groups_.attempt_of(id)) j["attempt"] = attempt_json(*a);
    if (const Amendment* a = groups_.amendment_of(id)) apply_amendment(j, *a);
    const std::string cause = j["cause"].get<std::string>();
    count_cause(by_cause_, cause);
    ++connections_total_;
    if (cause != "none") ++incomplete_;
    if (format_ == Format::json) {
        j["file"] = path_;
        print_json_line(out_, j);
    } else if (!all_ && groups_.client_pattern(h.client) != Pattern::none) {
        // A brute force, spray or scan: its first 3 connections in full, the
        // next ones a line each, and only the group when it has more than 20.
        const std::uint64_t n = ++printed_[h.client];
        if (groups_.client_connections(h.client) > 20) ++not_printed_;
        else if (n > 3) {
            if (!header_printed_) emit_text(json());
            fmt::print(out_, "{}\n", render_connection_line(j));
        } else emit_text(j);
    } else {
        emit_text(j);
    }
    std::fflush(out_);
    if (sink_) {
        j["file"] = path_;
        if (!h.segments.is_null()) j["segments"] = std::move(h.segments);
        sink_->object(j);
    }
}

void ReportWriter::emit_groups(bool final) {
    for (const GroupView& g : groups_.groups(!final)) {
        json j = group_json(g, final);
        if (sink_ && final) {
            json k = j;
            k["file"] = path_;
            sink_->object(k);
        }
        if (format_ == Format::json) {
            j["file"] = path_;
            print_json_line(out_, j);
            continue;
        }
        // Text: the groups that name a pattern or a block.
        if (g.pattern == Pattern::none && g.amends.empty()) continue;
        if (!header_printed_) emit_text(json());
        fmt::print(out_, "{}\n", render_group_text(j));
    }
    std::fflush(out_);
}

// Printed as soon as the verdict is known: live capture needs it now.
void ReportWriter::emit_text(const json& j) {
    if (!header_printed_) {
        fmt::print(out_, "== {} ==\n", path_);
        header_printed_ = true;
    }
    if (j.is_null()) return;  // the header only
    fmt::print(out_, "{}\n", render_connection_text(j, color_));
}

void ReportWriter::finish() {
    json s = {{"type", "summary"}, {"connections", connections_total_}, {"completed", connections_total_ - incomplete_}};
    json causes = json::object();
    for (const auto& [k, n] : by_cause_) causes[k] = n;
    s["by_cause"] = causes;
    if (gateways_total_) {
        // RD Gateway connections (the `gateway` objects): a gateway whose
        // channel did not open counts as a handshake that did not complete.
        json g = {{"connections", gateways_total_}, {"channel_open", gateways_total_ - gateways_incomplete_}};
        json gc = json::object();
        for (const auto& [k, n] : gateway_by_cause_) gc[k] = n;
        g["by_cause"] = gc;
        if (gateways_udp_) g["udp_flows"] = gateways_udp_;
        s["gateways"] = g;
    } else if (gateways_udp_) {
        s["gateways"] = {{"connections", 0}, {"channel_open", 0}, {"by_cause", json::object()}, {"udp_flows", gateways_udp_}};
    }
    // Every attempt counted: those a flood bound left unjudged too.
    if (syn_attempts_not_judged_) s["syn_attempts_not_judged"] = syn_attempts_not_judged_;
    if (sink_) sink_->object(s);
    if (format_ == Format::json) {
        print_json_line(out_, s);
        return;
    }
    if (!connections_total_ && !syn_attempts_not_judged_ && !gateways_total_) return;
    std::string line;
    for (const auto& [k, n] : by_cause_) line += fmt::format("{}{} {}", line.empty() ? "" : ", ", n, k);
    if (syn_attempts_not_judged_)
        line += fmt::format("; and {} SYN attempt{} unanswered, not judged one by one (flood)", syn_attempts_not_judged_,
                            syn_attempts_not_judged_ == 1 ? "" : "s");
    fmt::print(out_, "Summary: {} connection{}, {} completed; by cause: {}\n", connections_total_,
               connections_total_ == 1 ? "" : "s", connections_total_ - incomplete_, line.empty() ? "-" : line);
    if (gateways_total_) {
        std::string g;
        for (const auto& [k, n] : gateway_by_cause_) g += fmt::format("{}{} {}", g.empty() ? "" : ", ", n, k);
        fmt::print(out_, "         {} RD Gateway connection{}, {} with the channel open; by cause: {}\n", gateways_total_,
                   gateways_total_ == 1 ? "" : "s", gateways_total_ - gateways_incomplete_, g);
    }
}

std::string render_connection_text(const json& j, bool color) {
    if (j.value("type", std::string()) == "udp_flow") return render_udp_flow_text(j);
    const std::string transport = j["transport"].get<std::string>();
    std::string s = fmt::format("#{} {} {} -> {}   {}   {:.3f} s   frames {}-{}\n", j["conn"].get<std::uint64_t>(),
                                transport == "tcp" ? "TCP" : transport == "rdg-tunnel" ? "RDP in gateway tunnel" : "UDP",
                                j["client"].get<std::string>(), j["server"].get<std::string>(),
                                utc_time(j["start"].get<double>()), j["duration"].get<double>(),
                                j["first_frame"].get<std::uint64_t>(), j["last_frame"].get<std::uint64_t>());
    if (j.contains("via_gateway")) {
        const auto& g = j["via_gateway"];
        s += fmt::format("  gateway      carried by gateway #{} to {}:{} (the gateway's own TCP connection to the "
                         "target is not in the capture; frames are the tunnel's)\n",
                         g["conn"].get<std::uint64_t>(), g.value("target", std::string("?")), g.value("port", 0));
    }
    s += render_verdict_text(j, color);
    if (j.contains("proxy")) {
        const auto& p = j["proxy"];
        s += fmt::format("  proxy        {} CONNECT to {}{}\n", p["kind"].get<std::string>(),
                         p.value("target", std::string("?")),
                         p.contains("status") ? fmt::format(", reply {}", p["status"].get<int>()) : "");
    }
    const auto& n = j["negotiation"];
    if (n.contains("request_frame")) {
        std::string who;
        if (n.contains("cookie")) who = fmt::format(" cookie \"{}\"", n["cookie"].get<std::string>());
        if (n.contains("routing_token")) who = fmt::format(" routing token \"{}\"", n["routing_token"].get<std::string>());
        std::string what = n.contains("requested_protocols")
                               ? fmt::format("requests {} (0x{:x})", n["requested_protocols_names"].get<std::string>(),
                                             n["requested_protocols"].get<std::uint32_t>())
                               : std::string("legacy request (no RDP_NEG_REQ: standard RDP security)");
        s += fmt::format("  negotiation  frame {:<6} client{} {}\n", n["request_frame"].get<std::uint64_t>(), who, what);
    }
    if (n.contains("confirm_frame")) {
        std::string what;
        if (n.contains("selected_protocol"))
            what = fmt::format("selects {} (0x{:x})", n["selected_protocol_name"].get<std::string>(),
                               n["selected_protocol"].get<std::uint32_t>());
        else if (n.contains("failure_code"))
            what = fmt::format("refuses: RDP_NEG_FAILURE {} ({})", n["failure_name"].get<std::string>(),
                               n["failure_code"].get<std::uint32_t>());
        else if (n.contains("legacy_confirm")) what = "confirms without RDP_NEG_RSP: standard RDP security";
        else what = "confirms";
        s += fmt::format("               frame {:<6} server {}{}\n", n["confirm_frame"].get<std::uint64_t>(), what,
                         n.contains("confirm_ms") ? fmt::format(" after {:.1f} ms", n["confirm_ms"].get<double>()) : "");
    }
    if (n.contains("error")) s += fmt::format("               malformed: {}\n", n["error"].get<std::string>());
    if (n.contains("disconnect_frame"))
        s += fmt::format("               frame {:<6} X.224 Disconnect Request\n", n["disconnect_frame"].get<std::uint64_t>());
    s += render_security_text(j);

    if (j.contains("not_rdp"))
        s += fmt::format("  not RDP      frame {}: {}\n", j["not_rdp"]["frame"].get<std::uint64_t>(),
                         j["not_rdp"]["reason"].get<std::string>());
    static const json kNoTcp = json::object();
    const auto& t = j.contains("tcp") ? j["tcp"] : kNoTcp;
    auto side = [](const json& d, const char* who) {
        std::string x = fmt::format("{} {} packets {}", who, d["packets"].get<std::uint64_t>(),
                                    human_bytes(d["bytes"].get<std::uint64_t>()));
        if (d["syn"].get<int>() > 1) x += fmt::format(", {} SYNs", d["syn"].get<int>());
        if (d["syn_ack"].get<int>() > 1) x += fmt::format(", {} SYN-ACKs", d["syn_ack"].get<int>());
        if (d["fin"].get<int>()) x += ", FIN";
        if (d["rst"].get<int>()) x += ", RST";
        return x;
    };
    if (!t.empty()) {
        s += fmt::format("  tcp          {}; {}\n", side(t["c2s"], "client"), side(t["s2c"], "server"));
        s += describe_tcp(t);
    }
    for (const auto& i : j["icmp"])
        s += fmt::format("  icmp         frame {}: {} from {}{}\n", i["frame"].get<std::uint64_t>(),
                         i["description"].get<std::string>(), i["from"].get<std::string>(),
                         i.contains("mtu") ? fmt::format(" (next-hop MTU {})", i["mtu"].get<std::uint32_t>()) : "");
    s += render_kerberos_text(j);
    if (j.contains("capture_gaps"))
        for (const char* d : {"c2s", "s2c"})
            if (j["capture_gaps"].contains(d))
                s += fmt::format("  gap          {}: {} bytes missing from the capture, first at frame {}\n", d,
                                 j["capture_gaps"][d]["bytes"].get<std::uint64_t>(),
                                 j["capture_gaps"][d]["first_frame"].get<std::uint64_t>());
    if (j.contains("cut_by_snaplen"))
        s += fmt::format("  snaplen      {} packets cut by the capture's snaplen\n", j["cut_by_snaplen"].get<std::uint64_t>());
    if (j.contains("duplicate_copies"))
        s += fmt::format("  copies       {} copies of its packets (the same packet logged again within 1 ms) left out\n",
                         j["duplicate_copies"].get<std::uint64_t>());
    return s;
}

void ReportWriter::end_file(const FileStats& stats) {
    // The cross-connection rule over what the file held, then the held
    // connections in order, then the groups.
    groups_.find_blocks();
    for (Held& h : held_) release(h);
    held_.clear();
    emit_groups(true);
    if (format_ == Format::text && not_printed_)
        fmt::print(out_, "({} connection{} of clients with a named pattern printed only in their group; --all prints "
                         "every connection)\n\n",
                   not_printed_, not_printed_ == 1 ? "" : "s");
    groups_.clear();
    json sum = summarize_file(path_, stats);
    const bool none = no_rdp(stats);
    syn_attempts_not_judged_ += stats.flood.attempts;
    if (stats.flood.any()) {
        const json f = flood_json(path_, stats.flood);
        if (sink_) sink_->object(f);
        if (format_ == Format::json) {
            print_json_line(out_, f);
        } else {
            if (!header_printed_) emit_text(json());
            fmt::print(out_, "{}\n", render_flood_text(f));
        }
    }
    if (sink_) {
        if (none) sink_->object(no_rdp_json(path_, stats));
        sink_->object(sum);
    }
    if (format_ == Format::json) {
        if (none) print_json_line(out_, no_rdp_json(path_, stats));
        print_json_line(out_, sum);
        return;
    }
    if (!header_printed_) fmt::print(out_, "== {} ==\n", path_);
    if (none) fmt::print(out_, "{}", render_no_rdp_text(no_rdp_json(path_, stats)));
    header_printed_ = false;
    fmt::print(out_, "{} connection{} to RDP (by port or content) in {} packets ({} TCP connections in all)", stats.rdp_connections,
               stats.rdp_connections == 1 ? "" : "s", stats.packets, stats.connections);
    if (stats.ip_fragments) fmt::print(out_, "; {} IP fragments", stats.ip_fragments);
    if (stats.cut_by_snaplen) fmt::print(out_, "; {} packets cut by the snaplen", stats.cut_by_snaplen);
    if (stats.duplicate_copies)
        fmt::print(out_, "; {} copies of packets left out ({} on another interface than the first)", stats.duplicate_copies,
                   stats.copies_across_interfaces);
    if (stats.wifi_as_ethernet)
        fmt::print(out_, "; {} 802.11 frames labelled Ethernet, read as 802.11", stats.wifi_as_ethernet);
    if (stats.unread_link_type) fmt::print(out_, "; {} frames of a link type not read", stats.unread_link_type);
    fmt::print(out_, "\n");
    if (sum.contains("interfaces"))
        for (const auto& i : sum["interfaces"])
            fmt::print(out_, "  interface {} {}: {}{} frames, {} copies\n", i["id"].get<std::size_t>(),
                       i.value("name", std::string("(unnamed)")),
                       i.contains("vantage_text") ? i["vantage_text"].get<std::string>() + "; " : std::string(),
                       i["frames"].get<std::uint64_t>(), i["duplicate_copies"].get<std::uint64_t>());
    fmt::print(out_, "\n");
}

}  // namespace rdpscope
