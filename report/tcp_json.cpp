// SPDX-License-Identifier: MIT
// The TCP analysis in the report's words: the `tcp` object of
// `rdpscope analyze --format json`, the extra fields of an `icmp` entry, and
// the `tcp` lines of the text report.  Only reads TcpAnalysis's figures.
#include "report/tcp_json.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <utility>

#include "report/json_text.hpp"
#include "report/json_util.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

namespace {

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

}  // namespace

std::vector<std::string> tcp_flag_names(std::uint32_t bits) {
    static const std::pair<TcpFlag, const char*> kNames[] = {
        {TCP_RETRANSMISSION, "tcp.retransmission"},
        {TCP_FAST_RETRANSMISSION, "tcp.fast_retransmission"},
        {TCP_SPURIOUS_RETRANSMISSION, "tcp.spurious_retransmission"},
        {TCP_OUT_OF_ORDER, "tcp.out_of_order"},
        {TCP_DUP_ACK, "tcp.dup_ack"},
        {TCP_ZERO_WINDOW, "tcp.zero_window"},
        {TCP_LOST_SEGMENT, "tcp.lost_segment"},
        {TCP_ACKED_UNSEEN, "tcp.acked_unseen"},
        {TCP_DUPLICATE_FRAME, "tcp.duplicate_frame"},
        {TCP_KEEP_ALIVE, "tcp.keep_alive"},
        {TCP_WINDOW_UPDATE, "tcp.window_update"},
        {TCP_WINDOW_FULL, "tcp.window_full"},
        {TCP_ZERO_WINDOW_PROBE, "tcp.zero_window_probe"},
    };
    std::vector<std::string> out;
    for (auto [bit, name] : kNames)
        if (bits & bit) out.emplace_back(name);
    return out;
}

json tcp_segments_json(const TcpAnalysis& a, int client_side) {
    static const std::pair<std::uint8_t, const char*> kFlags[] = {
        {tcp::SYN, "SYN"}, {tcp::ACK, "ACK"}, {tcp::PSH, "PSH"}, {tcp::FIN, "FIN"}, {tcp::RST, "RST"}};
    const auto& log = a.logged_segments();
    std::array<std::optional<std::uint32_t>, 2> base;
    for (const auto& g : log)
        if (!base[g.side]) base[g.side] = g.seq;
    json list = json::array();
    for (const auto& g : log) {
        json f = json::array();
        for (auto [bit, name] : kFlags)
            if (g.tcp_flags & bit) f.push_back(name);
        const auto& peer = base[1 - g.side];
        json e{{"frame", g.frame},
               {"time", epoch_seconds(g.ts_ns)},
               {"dir", g.side == client_side ? "c2s" : "s2c"},
               {"seq", g.seq - *base[g.side]},
               {"ack", (g.tcp_flags & tcp::ACK) && peer ? g.ack - *peer : 0u},
               {"len", g.len},
               {"win", g.window},
               {"flags", f}};
        if (g.analysis) e["analysis"] = tcp_flag_names(g.analysis);
        list.push_back(std::move(e));
    }
    return json{{"list", std::move(list)}, {"not_kept", a.segments_not_logged()}};
}

namespace {

// One direction's figures, c2s or s2c of the `tcp` object.
void write_tcp_side(JsonWriter& w, const TcpAnalysis& a, int s) {
    const TcpSideFigures& f = a.side(s);
    w.begin_object();
    w.field("packets", f.packets);
    w.field("bytes", f.bytes);
    w.field("syn", f.syn);
    w.field("syn_ack", f.syn_ack);
    w.field("fin", f.fin);
    w.field("rst", f.rst);
    w.field("syn_retransmissions", f.syn_retransmissions);
    w.field("syn_ack_retransmissions", f.syn_ack_retransmissions);
    if (f.syn_count > 1) w.field("syn_intervals_ms", a.syn_intervals_ms(s));
    if (f.syn_new_isn) w.field("syn_new_isn", f.syn_new_isn);
    w.field("retransmissions", f.retransmissions);
    w.field("fast_retransmissions", f.fast_retransmissions);
    w.field("spurious_retransmissions", f.spurious_retransmissions);
    w.field("out_of_order", f.out_of_order);
    w.field("dup_acks", f.dup_acks);
    w.field("zero_windows", f.zero_windows);
    w.field("zero_window_probes", f.zero_window_probes);
    w.field("window_full", f.window_full);
    w.field("window_updates", f.window_updates);
    w.field("keep_alives", f.keep_alives);
    w.field("lost_segments", f.lost_segments);
    w.field("acked_unseen", f.acked_unseen);
    w.field("duplicate_frames", f.duplicate_frames);
    w.key("loss").begin_object();
    w.field("before_capture", f.lost_before_capture);
    w.field("after_capture", f.lost_after_capture);
    w.field("unseen_bytes", f.unseen_bytes);
    w.field("gap_bytes", f.gap_bytes);
    if (auto pct = a.loss_estimate_pct(s)) w.field("estimate_pct", *pct);
    w.end_object();
    if (f.mss) w.field("mss", f.mss);
    if (f.syn_ttl_frame) {
        w.field("window_scale", f.window_scale);
        w.field("sack_permitted", f.sack_permitted);
    }
    if (f.first_ttl) w.field("ttl", f.syn_ttl_frame ? f.syn_ttl : f.first_ttl);
    if (f.packets && !f.ipv6) w.field("df", f.df_packets == f.packets - f.duplicate_frames);
    w.field("max_segment", f.max_segment);
    w.field("max_acked_segment", f.max_acked_segment);
    if (f.max_acked_frame) w.field("max_acked_frame", f.max_acked_frame);
    if (auto [len, frame] = a.max_unacked_segment(s); len)
        w.key("max_unacked_segment").begin_object().field("len", len).field("frame", frame).end_object();
    if (f.first_fin_frame) w.field("fin_frame", f.first_fin_frame);
    if (!a.retransmits(s).empty()) {
        w.key("retransmitted").begin_array();
        for (const auto& r : a.retransmits(s)) {
            w.begin_object();
            w.field("seq", r.seq);
            w.field("len", r.len);
            if (r.syn) w.field("syn", true);
            if (r.fin) w.field("fin", true);
            w.field("first_frame", r.first_frame);
            w.key("resend_frames").begin_array();
            for (std::size_t i = 0; i < std::min<std::size_t>(r.resends, TcpRetransmit::kMaxResends); ++i)
                w.value(r.resend_frames[i]);
            w.end_array();
            w.field("resends", r.resends);
            w.field("intervals_ms", TcpAnalysis::resend_intervals_ms(r));
            if (r.spurious) w.field("spurious", r.spurious);
            w.field("acked", r.acked_frame != 0);
            if (r.acked_frame) w.field("acked_frame", r.acked_frame);
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

}  // namespace

void write_tcp(JsonWriter& w, const TcpAnalysis& a, int client_side) {
    const int cs = client_side, ss = 1 - client_side;
    w.begin_object();
    w.key("rtt_ms");
    if (auto r = a.rtt_ms()) w.value(round3(*r));
    else w.value(nullptr);
    const auto v = a.vantage(cs);
    const TcpHandshake& hs = a.handshake();
    w.field("vantage", to_string(v.where));
    w.field("vantage_basis", v.basis);
    if (hs.syn_frame || hs.syn_ack_frame) {
        w.key("handshake").begin_object();
        if (hs.syn_frame) w.field("syn_frame", hs.syn_frame);
        if (hs.syn_ack_frame) w.field("syn_ack_frame", hs.syn_ack_frame);
        if (hs.ack_frame) w.field("ack_frame", hs.ack_frame);
        if (hs.syn_to_syn_ack_ms) w.field("syn_to_syn_ack_ms", round3(*hs.syn_to_syn_ack_ms));
        if (hs.syn_ack_to_ack_ms) w.field("syn_ack_to_ack_ms", round3(*hs.syn_ack_to_ack_ms));
        w.end_object();
    }
    w.key("closed_first");
    if (a.first_fin_side() < 0) w.value(nullptr);
    else w.value(a.first_fin_side() == cs ? "client" : "server");
    w.field("half_closed", a.half_closed());
    w.key("resets").begin_array();
    for (const auto& r : a.resets()) {
        w.begin_object();
        w.field("frame", r.frame);
        w.field("by", r.side == cs ? "client" : "server");
        w.field("with_ack", r.with_ack);
        w.field("ttl", r.ttl);
        if (r.ref_frame) {
            w.field("ref_ttl", r.ref_ttl);
            w.field("ref_frame", r.ref_frame);
        }
        w.field("ttl_mismatch", r.ttl_mismatch);
        if (!r.ipv6) {
            w.field("ip_id", r.ip_id);
            if (r.prev_ip_id_known) w.field("prev_ip_id", r.prev_ip_id);
            w.field("ip_id_out_of_sequence", r.ip_id_out_of_sequence);
        }
        w.field("after_frame", r.after_frame);
        if (r.after_side >= 0) w.field("after_by", r.after_side == cs ? "client" : "server");
        w.field("after", to_string(r.after));
        w.field("answers_syn", r.answers_syn);
        w.end_object();
    }
    w.end_array();
    w.field("rst_ttl_mismatch", a.rst_ttl_mismatch());
    w.key("c2s");
    write_tcp_side(w, a, cs);
    w.key("s2c");
    write_tcp_side(w, a, ss);
    w.end_object();
}

json tcp_json(const TcpAnalysis& a, int client_side) {
    return json_tree([&](JsonWriter& w) { write_tcp(w, a, client_side); });
}

void tcp_icmp_json(const TcpIcmpError& e, json& into) {
    into["kind"] = to_string(e.kind);
    into["quotes_syn"] = e.quotes_syn;
    if (e.quoted_frame) into["quoted_frame"] = e.quoted_frame;
    into["ttl"] = e.ttl;
}

std::string describe_tcp(const json& t) {
    std::string s;
    auto u = [](const json& j, const char* k) -> std::uint64_t {
        return j.contains(k) && j[k].is_number() ? j[k].get<std::uint64_t>() : 0;
    };
    auto line = [&s](const std::string& text) { s += "               " + text + "\n"; };
    auto join_ms = [](const json& a) {
        std::string x;
        for (const auto& v : a) {
            if (!x.empty()) x += ", ";
            const double d = v.get<double>();
            x += d >= 1000 ? fmt::format("{:.1f} s", d / 1000) : fmt::format("{:.1f} ms", d);
        }
        return x;
    };
    // Handshake and vantage.
    std::string h;
    if (t.contains("handshake")) {
        const auto& hs = t["handshake"];
        if (!t["rtt_ms"].is_null()) h = fmt::format("handshake round trip {:.3f} ms", t["rtt_ms"].get<double>());
        else h = "handshake incomplete";
        std::string frames;
        if (hs.contains("syn_frame")) frames += fmt::format("SYN frame {}", u(hs, "syn_frame"));
        if (hs.contains("syn_ack_frame")) frames += fmt::format("{}SYN-ACK frame {}", frames.empty() ? "" : ", ", u(hs, "syn_ack_frame"));
        if (hs.contains("ack_frame")) frames += fmt::format(", ACK frame {}", u(hs, "ack_frame"));
        if (!frames.empty()) h += " (" + frames + ")";
    }
    const std::string vant = t["vantage"].get<std::string>();
    if (vant != "unknown") {
        const std::string where = vant == "middle" ? "between client and server" : "near the " + vant;
        const std::string basis = t["vantage_basis"].get<std::string>() == "ttl" ? "TTLs" : "handshake timing";
        h += fmt::format("{}captured {} (by {})", h.empty() ? "" : "; ", where, basis);
    }
    if (!h.empty()) line(h);
    for (const char* dir : {"c2s", "s2c"}) {
        const auto& d = t[dir];
        const char* who = std::string(dir) == "c2s" ? "client" : "server";
        std::vector<std::string> parts;
        if (u(d, "syn_retransmissions"))
            parts.push_back(fmt::format("SYN sent {} times{}", u(d, "syn_retransmissions") + 1,
                                        d.contains("syn_intervals_ms") ? " (retries after " + join_ms(d["syn_intervals_ms"]) + ")" : ""));
        if (u(d, "syn_ack_retransmissions"))
            parts.push_back(fmt::format("SYN-ACK sent {} times{}", u(d, "syn_ack_retransmissions") + 1,
                                        d.contains("syn_intervals_ms") ? " (retries after " + join_ms(d["syn_intervals_ms"]) + ")" : ""));
        // Retransmissions other than the SYN's / SYN-ACK's (those are said above).
        const std::uint64_t other_rtx = u(d, "retransmissions") - std::min(u(d, "retransmissions"),
                                        u(d, "syn_retransmissions") + u(d, "syn_ack_retransmissions"));
        if (other_rtx) {
            std::string x = fmt::format("{} retransmission{}", other_rtx, other_rtx == 1 ? "" : "s");
            std::vector<std::string> sub;
            if (u(d, "fast_retransmissions")) sub.push_back(fmt::format("{} fast", u(d, "fast_retransmissions")));
            if (u(d, "spurious_retransmissions")) sub.push_back(fmt::format("{} spurious", u(d, "spurious_retransmissions")));
            if (!sub.empty()) x += " (" + fmt::format("{}", fmt::join(sub, ", ")) + ")";
            parts.push_back(x);
        }
        auto count = [&](const char* key, const char* one, const char* many) {
            if (const auto n = u(d, key)) parts.push_back(fmt::format("{} {}", n, n == 1 ? one : many));
        };
        count("out_of_order", "out-of-order segment", "out-of-order segments");
        count("dup_acks", "duplicate ACK", "duplicate ACKs");
        count("zero_windows", "zero window", "zero windows");
        count("window_full", "window full", "windows full");
        count("keep_alives", "keep-alive", "keep-alives");
        if (const auto n = u(d, "lost_segments"))
            parts.push_back(fmt::format("{} gap{} in the capture ({} B never seen)", n, n == 1 ? "" : "s", u(d["loss"], "gap_bytes")));
        count("acked_unseen", "ACK of bytes the capture missed", "ACKs of bytes the capture missed");
        count("duplicate_frames", "frame captured twice", "frames captured twice");
        const auto& loss = d["loss"];
        if (u(loss, "before_capture") || (u(loss, "after_capture") && other_rtx))
            parts.push_back(fmt::format("segments lost: {} between it and the capture point, {} beyond{}", u(loss, "before_capture"),
                                        u(loss, "after_capture"),
                                        loss.contains("estimate_pct") ? fmt::format(" (~{:.1f}% of transmissions)", loss["estimate_pct"].get<double>()) : ""));
        if (u(loss, "unseen_bytes"))
            parts.push_back(fmt::format("{} B ACKed by the peer but not in the capture (capture drops)", u(loss, "unseen_bytes")));
        if (d.contains("max_unacked_segment") && u(d, "max_acked_segment") < u(d["max_unacked_segment"], "len"))
            parts.push_back(fmt::format("largest segment ACKed {} B, {} B at frame {} never ACKed", u(d, "max_acked_segment"),
                                        u(d["max_unacked_segment"], "len"), u(d["max_unacked_segment"], "frame")));
        if (!parts.empty()) line(fmt::format("{}: {}", who, fmt::join(parts, ", ")));
        if (d.contains("retransmitted"))
            for (const auto& r : d["retransmitted"]) {
                if (r.contains("syn")) continue;  // said with the SYN count
                if (u(r, "resends") < 2 && r["acked"].get<bool>()) continue;  // the ordinary single resend
                const std::string what = r.contains("fin") ? "FIN" : fmt::format("seq {} ({} B)", u(r, "seq"), u(r, "len"));
                const std::string from = u(r, "first_frame") ? fmt::format(" from frame {}", u(r, "first_frame")) : " (original not captured)";
                const std::string times = u(r, "resends") == 1 ? "once" : fmt::format("{} times", u(r, "resends"));
                line(fmt::format("{}: {}{} resent {}{}{}", who, what, from, times,
                                 r["intervals_ms"].empty() ? "" : " after " + join_ms(r["intervals_ms"]),
                                 r["acked"].get<bool>() ? fmt::format(", ACKed at frame {}", u(r, "acked_frame")) : ", never ACKed"));
            }
    }
    for (const auto& r : t["resets"]) {
        std::string x = fmt::format("RST from the {} at frame {} after frame {} ({})", r["by"].get<std::string>(), u(r, "frame"),
                                    u(r, "after_frame"), r["after"].get<std::string>());
        if (r["answers_syn"].get<bool>()) x += ", refusing the SYN";
        if (r["ttl_mismatch"].get<bool>())
            x += fmt::format(", TTL {} where frame {} had {}: likely injected by a middlebox", u(r, "ttl"), u(r, "ref_frame"), u(r, "ref_ttl"));
        else
            x += fmt::format(", TTL {}", u(r, "ttl"));
        if (r.contains("ip_id_out_of_sequence") && r["ip_id_out_of_sequence"].get<bool>())
            x += fmt::format(", IP ID {:#06x} out of its sender's sequence ({:#06x} before)", u(r, "ip_id"), u(r, "prev_ip_id"));
        line(x);
    }
    if (!t["closed_first"].is_null())
        line(fmt::format("{} closed first (FIN){}", t["closed_first"].get<std::string>() == "client" ? "the client" : "the server",
                         t["half_closed"].get<bool>() ? "; the other side kept sending (half-close)" : ""));
    return s;
}

}  // namespace rdpscope
