// SPDX-License-Identifier: MIT
#include "report/summary.hpp"

#include <cmath>

#include <fmt/format.h>

#include "analyze/disconnect_codes.hpp"
#include "report/json_util.hpp"
#include "report/summary_other.hpp"
#include "report/summary_security.hpp"
#include "report/tcp_json.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_neg.hpp"
#include "dissect/rdp_share.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

const char* furthest_step(const Connection& c) { return to_string(furthest_rung(c)); }

namespace {

json negotiation_json(const NegotiationFacts& n) {
    json j = json::object();
    if (n.cr_frame) {
        j["request_frame"] = n.cr_frame;
        // Cookies are bytes from the wire: JSON needs them valid UTF-8.
        if (n.cookie) j["cookie"] = valid_utf8(*n.cookie);
        if (n.routing_token) j["routing_token"] = valid_utf8(*n.routing_token);
        if (n.requested_protocols) {
            j["requested_protocols"] = *n.requested_protocols;
            j["requested_protocols_names"] = rdpneg::protocol_flags(*n.requested_protocols);
            j["request_flags"] = n.request_flags;
        } else {
            j["legacy_request"] = true;  // no RDP_NEG_REQ: a pre-RDP 5.2 style client
        }
        if (n.correlation_id) j["correlation_id"] = *n.correlation_id;
    }
    if (n.cc_frame) {
        j["confirm_frame"] = n.cc_frame;
        if (n.cr_frame) j["confirm_ms"] = static_cast<double>(n.cc_ts - n.cr_ts) / 1e6;
        if (n.selected_protocol) {
            j["selected_protocol"] = *n.selected_protocol;
            j["selected_protocol_name"] = rdpneg::protocol_name(*n.selected_protocol);
            j["response_flags"] = n.response_flags;
        } else if (n.failure_code) {
            j["failure_code"] = *n.failure_code;
            j["failure_name"] = rdpneg::failure_name(*n.failure_code);
        } else if (n.error.empty()) {
            j["legacy_confirm"] = true;  // no RDP_NEG_RSP: standard RDP security
        }
    }
    if (n.dr_frame) j["disconnect_frame"] = n.dr_frame;
    if (!n.error.empty()) j["error"] = n.error;
    return j;
}

}  // namespace

namespace {

// What the Windows client most likely showed (issue 15): main and extended
// disconnect codes, with their names (analyze/disconnect_codes.hpp).
void verdict_fields(const Verdict& v, json& j) {
    auto opt_phase = [](const std::optional<Phase>& p) { return p ? json(to_string(*p)) : json(nullptr); };
    j["phase"] = opt_phase(v.phase);
    j["stalled_at"] = opt_phase(v.stalled_at);
    j["waiting_on"] = v.waiting_on ? json(to_string(*v.waiting_on)) : json(nullptr);
    j["cause"] = to_string(v.cause);
    j["verdict"] = v.verdict;
    j["confidence"] = to_string(v.confidence);
    j["summary"] = v.summary;
    // Fields appended (json_util.hpp append_field), not built from
    // initializer lists: those were most of this function's cost, which is
    // paid for every connection listed (issue 16).
    json ev = json::array();
    ev.get_ref<json::array_t&>().reserve(v.evidence.size());
    for (const auto& e : v.evidence) {
        json item = json::object();
        append_field(item, "frame", e.frame);
        append_field(item, "note", e.note);
        ev.push_back(std::move(item));
    }
    j["evidence"] = std::move(ev);
    json ladder = json::array();
    ladder.get_ref<json::array_t&>().reserve(v.timeline.steps.size());
    for (const auto& s : v.timeline.steps) {
        json st = json::object();
        append_field(st, "phase", to_string(s.phase));
        append_field(st, "started", s.started);
        append_field(st, "done", s.done);
        if (s.inferred) append_field(st, "inferred", true);
        if (s.decrypted) append_field(st, "decrypted", true);
        if (s.start_frame) append_field(st, "start_frame", s.start_frame);
        if (s.end_frame) append_field(st, "end_frame", s.end_frame);
        if (s.start_ts) append_field(st, "start", epoch_seconds(s.start_ts));
        if (s.end_ts) append_field(st, "end", epoch_seconds(s.end_ts));
        if (!s.note.empty()) append_field(st, "note", s.note);
        ladder.push_back(std::move(st));
    }
    j["ladder"] = std::move(ladder);
    j["rule"] = v.rule;
    if (v.client_codes) j["client_codes"] = client_codes_json(*v.client_codes);
}

// After a completed handshake: how the session ended (null otherwise, or while open).
json session_end_json(const Connection& c, const Verdict& v) {
    if (v.cause != Cause::none) return nullptr;
    const auto e = session_end(c);
    if (!e) return nullptr;
    json j = {{"by", e->by_client ? "client" : "server"}, {"how", to_string(e->how)}, {"frame", e->frame},
              {"time", epoch_seconds(e->ts_ns)}};
    if (e->last_server_record_frame)
        j["last_server_record"] = {{"frame", e->last_server_record_frame},
                                   {"length", e->last_server_record_length},
                                   {"ultimatum_sized", e->ultimatum_sized}};
    if (e->ultimatum_frame) j["ultimatum_frame"] = e->ultimatum_frame;
    // What ended the session, as the connection sequence says it (issue 15):
    // the server's Set Error Info, else an ultimatum, else the TCP close.
    if (e->error_info) {
        j["error_info"] = {{"code", *e->error_info},
                           {"name", std::string(share::errinfo_name(*e->error_info))},
                           {"frame", e->error_info_frame}};
    }
    if (e->ultimatum_by_client) {
        json u = {{"frame", e->ultimatum_frame}, {"from", *e->ultimatum_by_client ? "client" : "server"}};
        if (e->ultimatum_reason) {
            u["reason"] = *e->ultimatum_reason;
            u["reason_name"] = names::mcs_reason(*e->ultimatum_reason);
        }
        j["ultimatum"] = std::move(u);
    }
    if (e->decrypted) j["decrypted"] = true;
    if (e->error_info) j["client_codes"] = client_codes_json(client_codes_for_errinfo(*e->error_info));
    j["ended_by"] = e->error_info                ? "set_error_info"
                    : e->ultimatum_by_client     ? (*e->ultimatum_by_client ? "client_ultimatum" : "server_ultimatum")
                    : e->by_client               ? "client_close"
                                                 : "server_close";
    return j;
}

}  // namespace

void add_verdict_fields(const Verdict& v, json& j) { verdict_fields(v, j); }

// What the Windows client most likely showed (issue 15): main and extended
// disconnect codes, with their names (analyze/disconnect_codes.hpp).
json client_codes_json(const ClientCodes& c) {
    json j;
    if (c.main) {
        j["main"] = fmt::format("0x{:X}", *c.main);
        j["main_likely"] = c.main_likely;
        if (const auto* m = find_main_code(*c.main); m && !m->name.empty()) j["main_name"] = m->name;
    } else {
        j["main"] = nullptr;
    }
    if (!c.also.empty()) {
        json a = json::array();
        for (auto x : c.also) a.push_back(fmt::format("0x{:X}", x));
        j["also"] = std::move(a);
    }
    if (c.extended) {
        j["extended"] = fmt::format("0x{:X}", *c.extended);
        if (auto n = extended_code_name(*c.extended); !n.empty()) j["extended_name"] = n;
        if (auto n = share::errinfo_name(*c.extended); !n.empty()) j["errinfo_name"] = n;
    }
    if (!c.events.empty()) j["where_to_look"] = c.events;
    if (!c.note.empty()) j["why"] = c.note;
    return j;
}

json summarize(const Connection& c, const Verdict& v) {
    const int cs = c.client_side(), ss = 1 - cs;
    json j;
    j["type"] = "connection";
    j["conn"] = c.id;
    // Inside an RD Gateway's tunnel (analyze/gateway_inner.hpp): no TCP of its
    // own on the wire; the gateway connection that carried it, and its target.
    j["transport"] = c.via_gateway ? "rdg-tunnel" : "tcp";
    j["client"] = to_string(c.client());
    j["server"] = to_string(c.server());
    if (c.via_gateway) {
        json g = {{"conn", c.via_gateway->conn}};
        if (!c.via_gateway->target.empty()) g["target"] = c.via_gateway->target;
        if (c.via_gateway->port) g["port"] = c.via_gateway->port;
        j["via_gateway"] = std::move(g);
    }
    j["first_frame"] = c.first_frame;
    j["last_frame"] = c.last_frame;
    j["start"] = epoch_seconds(c.first_ts);
    j["duration"] = static_cast<double>(c.last_ts - c.first_ts) / 1e9;
    verdict_fields(v, j);
    j["furthest_step"] = furthest_step(c);
    j["session_end"] = session_end_json(c, v);
    j["rdp"] = c.rdp.is_rdp();
    j["negotiation"] = negotiation_json(c.rdp.neg);
    if (c.rdp.proxy.kind != proxy::Kind::none) {
        json p = {{"kind", proxy::name(c.rdp.proxy.kind)}};
        if (!c.rdp.proxy.target.empty()) p["target"] = c.rdp.proxy.target;
        if (c.rdp.proxy.status) p["status"] = *c.rdp.proxy.status;
        if (c.rdp.proxy.request_frame) p["request_frame"] = c.rdp.proxy.request_frame;
        j["proxy"] = std::move(p);
    }
    json sec = json::object();
    for (auto [name, s] : {std::pair{"c2s", cs}, std::pair{"s2c", ss}}) {
        const auto& f = c.rdp.sides[s];
        if (!f.secured_first_frame) continue;
        sec[name] = {{"first_frame", f.secured_first_frame}, {"bytes", f.secured_bytes}};
        if (f.tpkt_pdus) sec[name]["tpkt_pdus"] = f.tpkt_pdus;
        if (f.fastpath_pdus) sec[name]["fastpath_pdus"] = f.fastpath_pdus;
    }
    if (!sec.empty()) j["after_negotiation"] = std::move(sec);
    add_security_objects(j, c);
    if (!c.via_gateway) j["tcp"] = tcp_json(c.tcp, cs);
    json gaps = json::object();
    for (auto [name, s] : {std::pair{"c2s", cs}, std::pair{"s2c", ss}}) {
        const auto& f = c.rdp.sides[s];
        if (f.gap_frame) gaps[name] = {{"first_frame", f.gap_frame}, {"bytes", f.gap_bytes}};
    }
    if (!gaps.empty()) j["capture_gaps"] = std::move(gaps);
    const std::uint64_t cut = c.stats[0].cut_by_snaplen + c.stats[1].cut_by_snaplen;
    if (cut) j["cut_by_snaplen"] = cut;
    if (const std::uint64_t copies = c.stats[0].duplicate_copies + c.stats[1].duplicate_copies)
        j["duplicate_copies"] = copies;
    json icmp = json::array();
    for (const auto& n : c.icmp) {
        json e = {{"frame", n.frame}, {"type", n.type}, {"code", n.code}, {"description", n.description},
                  {"from", n.from}};
        if (n.mtu) e["mtu"] = n.mtu;
        for (const auto& te : c.tcp.icmp_errors())
            if (te.frame == n.frame) tcp_icmp_json(te, e);
        icmp.push_back(std::move(e));
    }
    j["icmp"] = std::move(icmp);
    if (c.icmp_total > c.icmp.size()) j["icmp_total"] = c.icmp_total;  // more than the ones listed
    if (!c.kerberos.empty()) j["kerberos"] = kerberos_json(c.kerberos);
    if (!c.rdp.not_rdp_reason.empty())
        j["not_rdp"] = {{"frame", c.rdp.not_rdp_frame}, {"reason", c.rdp.not_rdp_reason}};
    return j;
}

// What the Windows tools' files add (issue 13): copies collapsed, 802.11
// labelled Ethernet, frames of link types not read, and the interfaces when
// there are several or one says where it sat.  Each only when there is
// something to say, so other files' summaries stay as they were.
static void add_capture_shape(json& j, const FileStats& s) {
    if (s.live)
        j["live_capture"] = {{"received", s.live_received},
                             {"dropped_kernel", s.live_dropped_kernel},
                             {"dropped_interface", s.live_dropped_interface}};
    if (s.duplicate_copies) j["duplicate_copies"] = s.duplicate_copies;
    if (s.copies_across_interfaces) j["copies_across_interfaces"] = s.copies_across_interfaces;
    if (s.wifi_as_ethernet) j["wifi_frames_as_ethernet"] = s.wifi_as_ethernet;
    if (s.unread_link_type) j["unread_link_type_frames"] = s.unread_link_type;
    bool tell = s.interfaces.size() > 1;
    for (const auto& i : s.interfaces) tell |= !i.vantage.empty();
    if (!tell) return;
    json ifs = json::array();
    for (std::size_t n = 0; n < s.interfaces.size(); ++n) {
        const InterfaceStats& i = s.interfaces[n];
        json e = {{"id", n}, {"link_type", i.linktype}};
        if (!i.name.empty()) e["name"] = valid_utf8(i.name);
        if (!i.description.empty()) e["description"] = valid_utf8(i.description);
        if (!i.vantage.empty()) e["vantage"] = i.vantage, e["vantage_text"] = valid_utf8(i.vantage_text);
        e["frames"] = i.frames;
        e["duplicate_copies"] = i.duplicate_copies;
        ifs.push_back(std::move(e));
    }
    j["interfaces"] = std::move(ifs);
}

json summarize_file(const std::string& path, const FileStats& s) {
    json j = {{"type", "file_summary"},       {"file", path},
              {"packets", s.packets},         {"bytes", s.bytes},
              {"tcp_connections", s.connections}, {"rdp_connections", s.rdp_connections},
              {"ip_fragments", s.ip_fragments}, {"decode_errors", s.decode_errors},
              {"cut_by_snaplen", s.cut_by_snaplen}};
    add_capture_shape(j, s);
    if (s.gateway_udp_flows) j["gateway_udp_flows"] = s.gateway_udp_flows;
    if (s.gateway_udp_not_followed) j["gateway_udp_datagrams_not_followed"] = s.gateway_udp_not_followed;
    if (s.packets) {
        j["first_time"] = epoch_seconds(s.first_ts);
        j["last_time"] = epoch_seconds(s.last_ts);
    }
    return j;
}

}  // namespace rdpscope
