// SPDX-License-Identifier: MIT
#include "report/summary.hpp"

#include <cmath>

#include <fmt/format.h>

#include "analyze/disconnect_codes.hpp"
#include "report/json_text.hpp"
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

// The report's JSON of one connection is written field by field
// (JsonWriter, report/json_text.hpp), not built as a tree: its tree was most
// of the cost of a listed connection (issue 16).  The tree the text and
// HTML writers read is this text parsed (summarize below).

void write_negotiation(JsonWriter& w, const NegotiationFacts& n) {
    w.begin_object();
    if (n.cr_frame) {
        w.field("request_frame", n.cr_frame);
        // Cookies are bytes from the wire: JSON needs them valid UTF-8.
        if (n.cookie) w.field("cookie", valid_utf8(*n.cookie));
        if (n.routing_token) w.field("routing_token", valid_utf8(*n.routing_token));
        if (n.requested_protocols) {
            w.field("requested_protocols", *n.requested_protocols);
            w.field("requested_protocols_names", rdpneg::protocol_flags(*n.requested_protocols));
            w.field("request_flags", n.request_flags);
        } else {
            w.field("legacy_request", true);  // no RDP_NEG_REQ: a pre-RDP 5.2 style client
        }
        if (n.correlation_id) w.field("correlation_id", *n.correlation_id);
    }
    if (n.cc_frame) {
        w.field("confirm_frame", n.cc_frame);
        if (n.cr_frame) w.field("confirm_ms", static_cast<double>(n.cc_ts - n.cr_ts) / 1e6);
        if (n.selected_protocol) {
            w.field("selected_protocol", *n.selected_protocol);
            w.field("selected_protocol_name", rdpneg::protocol_name(*n.selected_protocol));
            w.field("response_flags", n.response_flags);
        } else if (n.failure_code) {
            w.field("failure_code", *n.failure_code);
            w.field("failure_name", rdpneg::failure_name(*n.failure_code));
        } else if (n.error.empty()) {
            w.field("legacy_confirm", true);  // no RDP_NEG_RSP: standard RDP security
        }
    }
    if (n.dr_frame) w.field("disconnect_frame", n.dr_frame);
    if (!n.error.empty()) w.field("error", n.error);
    w.end_object();
}

void write_phase(JsonWriter& w, const char* key, const std::optional<Phase>& p) {
    w.key(key);
    if (p) w.value(to_string(*p));
    else w.value(nullptr);
}

// The verdict's fields (phase ... client_codes), into the object open in w.
void write_verdict_fields(JsonWriter& w, const Verdict& v) {
    write_phase(w, "phase", v.phase);
    write_phase(w, "stalled_at", v.stalled_at);
    w.key("waiting_on");
    if (v.waiting_on) w.value(to_string(*v.waiting_on));
    else w.value(nullptr);
    w.field("cause", to_string(v.cause));
    w.field("verdict", v.verdict);
    w.field("confidence", to_string(v.confidence));
    w.field("summary", v.summary);
    w.key("evidence").begin_array();
    for (const auto& e : v.evidence) w.begin_object().field("frame", e.frame).field("note", e.note).end_object();
    w.end_array();
    w.key("ladder").begin_array();
    for (const auto& s : v.timeline.steps) {
        w.begin_object();
        w.field("phase", to_string(s.phase));
        w.field("started", s.started);
        w.field("done", s.done);
        if (s.inferred) w.field("inferred", true);
        if (s.decrypted) w.field("decrypted", true);
        if (s.start_frame) w.field("start_frame", s.start_frame);
        if (s.end_frame) w.field("end_frame", s.end_frame);
        if (s.start_ts) w.field("start", epoch_seconds(s.start_ts));
        if (s.end_ts) w.field("end", epoch_seconds(s.end_ts));
        if (!s.note.empty()) w.field("note", s.note);
        w.end_object();
    }
    w.end_array();
    w.field("rule", v.rule);
    if (v.client_codes) {
        w.key("client_codes");
        write_client_codes(w, *v.client_codes);
    }
}

// After a completed handshake: how the session ended (null otherwise, or while open).
void write_session_end(JsonWriter& w, const Connection& c, const Verdict& v) {
    const auto e = v.cause == Cause::none ? session_end(c) : std::nullopt;
    if (!e) {
        w.value(nullptr);
        return;
    }
    w.begin_object();
    w.field("by", e->by_client ? "client" : "server");
    w.field("how", to_string(e->how));
    w.field("frame", e->frame);
    w.field("time", epoch_seconds(e->ts_ns));
    if (e->last_server_record_frame) {
        w.key("last_server_record").begin_object();
        w.field("frame", e->last_server_record_frame);
        w.field("length", e->last_server_record_length);
        w.field("ultimatum_sized", e->ultimatum_sized);
        w.end_object();
    }
    if (e->ultimatum_frame) w.field("ultimatum_frame", e->ultimatum_frame);
    // What ended the session, as the connection sequence says it (issue 15):
    // the server's Set Error Info, else an ultimatum, else the TCP close.
    if (e->error_info) {
        w.key("error_info").begin_object();
        w.field("code", *e->error_info);
        w.field("name", share::errinfo_name(*e->error_info));
        w.field("frame", e->error_info_frame);
        w.end_object();
    }
    if (e->ultimatum_by_client) {
        w.key("ultimatum").begin_object();
        w.field("frame", e->ultimatum_frame);
        w.field("from", *e->ultimatum_by_client ? "client" : "server");
        if (e->ultimatum_reason) {
            w.field("reason", *e->ultimatum_reason);
            w.field("reason_name", names::mcs_reason(*e->ultimatum_reason));
        }
        w.end_object();
    }
    if (e->decrypted) w.field("decrypted", true);
    if (e->error_info) {
        w.key("client_codes");
        write_client_codes(w, client_codes_for_errinfo(*e->error_info));
    }
    w.field("ended_by", e->error_info              ? "set_error_info"
                        : e->ultimatum_by_client   ? (*e->ultimatum_by_client ? "client_ultimatum" : "server_ultimatum")
                        : e->by_client             ? "client_close"
                                                   : "server_close");
    w.end_object();
}

}  // namespace

void add_verdict_fields(const Verdict& v, json& j) {
    json f = json_tree([&v](JsonWriter& w) {
        w.begin_object();
        write_verdict_fields(w, v);
        w.end_object();
    });
    // As assigning each field would: a key j holds already keeps its place.
    for (auto& [key, value] : f.items()) j[key] = std::move(value);
}

// What the Windows client most likely showed (issue 15): main and extended
// disconnect codes, with their names (analyze/disconnect_codes.hpp).
void write_client_codes(JsonWriter& w, const ClientCodes& c) {
    w.begin_object();
    if (c.main) {
        w.field("main", fmt::format("0x{:X}", *c.main));
        w.field("main_likely", c.main_likely);
        if (const auto* m = find_main_code(*c.main); m && !m->name.empty()) w.field("main_name", m->name);
    } else {
        w.field("main", nullptr);
    }
    if (!c.also.empty()) {
        w.key("also").begin_array();
        for (auto x : c.also) w.value(fmt::format("0x{:X}", x));
        w.end_array();
    }
    if (c.extended) {
        w.field("extended", fmt::format("0x{:X}", *c.extended));
        if (auto n = extended_code_name(*c.extended); !n.empty()) w.field("extended_name", n);
        if (auto n = share::errinfo_name(*c.extended); !n.empty()) w.field("errinfo_name", n);
    }
    if (!c.events.empty()) w.field("where_to_look", c.events);
    if (!c.note.empty()) w.field("why", c.note);
    w.end_object();
}

json client_codes_json(const ClientCodes& c) {
    return json_tree([&c](JsonWriter& w) { write_client_codes(w, c); });
}

namespace {

void write_summary(JsonWriter& w, const Connection& c, const Verdict& v) {
    const int cs = c.client_side(), ss = 1 - cs;
    w.begin_object();
    w.field("type", "connection");
    w.field("conn", c.id);
    // Inside an RD Gateway's tunnel (analyze/gateway_inner.hpp): no TCP of its
    // own on the wire; the gateway connection that carried it, and its target.
    w.field("transport", c.via_gateway ? "rdg-tunnel" : "tcp");
    w.field("client", to_string(c.client()));
    w.field("server", to_string(c.server()));
    if (c.via_gateway) {
        w.key("via_gateway").begin_object();
        w.field("conn", c.via_gateway->conn);
        if (!c.via_gateway->target.empty()) w.field("target", c.via_gateway->target);
        if (c.via_gateway->port) w.field("port", c.via_gateway->port);
        w.end_object();
    }
    w.field("first_frame", c.first_frame);
    w.field("last_frame", c.last_frame);
    w.field("start", epoch_seconds(c.first_ts));
    w.field("duration", static_cast<double>(c.last_ts - c.first_ts) / 1e9);
    write_verdict_fields(w, v);
    w.field("furthest_step", furthest_step(c));
    w.key("session_end");
    write_session_end(w, c, v);
    w.field("rdp", c.rdp.is_rdp());
    w.key("negotiation");
    write_negotiation(w, c.rdp.neg);
    if (c.rdp.proxy.kind != proxy::Kind::none) {
        w.key("proxy").begin_object();
        w.field("kind", proxy::name(c.rdp.proxy.kind));
        if (!c.rdp.proxy.target.empty()) w.field("target", c.rdp.proxy.target);
        if (c.rdp.proxy.status) w.field("status", *c.rdp.proxy.status);
        if (c.rdp.proxy.request_frame) w.field("request_frame", c.rdp.proxy.request_frame);
        w.end_object();
    }
    const bool secured = c.rdp.sides[cs].secured_first_frame || c.rdp.sides[ss].secured_first_frame;
    if (secured) {
        w.key("after_negotiation").begin_object();
        for (auto [name, s] : {std::pair{"c2s", cs}, std::pair{"s2c", ss}}) {
            const auto& f = c.rdp.sides[s];
            if (!f.secured_first_frame) continue;
            w.key(name).begin_object();
            w.field("first_frame", f.secured_first_frame);
            w.field("bytes", f.secured_bytes);
            if (f.tpkt_pdus) w.field("tpkt_pdus", f.tpkt_pdus);
            if (f.fastpath_pdus) w.field("fastpath_pdus", f.fastpath_pdus);
            w.end_object();
        }
        w.end_object();
    }
    write_security_objects(w, c);
    if (!c.via_gateway) {
        w.key("tcp");
        write_tcp(w, c.tcp, cs);
    }
    if (c.rdp.sides[cs].gap_frame || c.rdp.sides[ss].gap_frame) {
        w.key("capture_gaps").begin_object();
        for (auto [name, s] : {std::pair{"c2s", cs}, std::pair{"s2c", ss}}) {
            const auto& f = c.rdp.sides[s];
            if (f.gap_frame) w.key(name).begin_object().field("first_frame", f.gap_frame).field("bytes", f.gap_bytes).end_object();
        }
        w.end_object();
    }
    const std::uint64_t cut = c.stats[0].cut_by_snaplen + c.stats[1].cut_by_snaplen;
    if (cut) w.field("cut_by_snaplen", cut);
    if (const std::uint64_t copies = c.stats[0].duplicate_copies + c.stats[1].duplicate_copies)
        w.field("duplicate_copies", copies);
    w.key("icmp").begin_array();
    for (const auto& n : c.icmp) {
        json e = {{"frame", n.frame}, {"type", n.type}, {"code", n.code}, {"description", n.description},
                  {"from", n.from}};
        if (n.mtu) e["mtu"] = n.mtu;
        for (const auto& te : c.tcp.icmp_errors())
            if (te.frame == n.frame) tcp_icmp_json(te, e);
        w.value(e);
    }
    w.end_array();
    if (c.icmp_total > c.icmp.size()) w.field("icmp_total", c.icmp_total);  // more than the ones listed
    if (!c.kerberos.empty()) w.field("kerberos", kerberos_json(c.kerberos));
    if (!c.rdp.not_rdp_reason.empty())
        w.key("not_rdp").begin_object().field("frame", c.rdp.not_rdp_frame).field("reason", c.rdp.not_rdp_reason).end_object();
    w.end_object();
}

}  // namespace

std::string summary_text(const Connection& c, const Verdict& v) {
    JsonWriter w;
    write_summary(w, c, v);
    return w.take();
}

json summarize(const Connection& c, const Verdict& v) {
    return json_tree([&](JsonWriter& w) { write_summary(w, c, v); });
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
