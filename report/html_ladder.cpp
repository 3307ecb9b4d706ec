// SPDX-License-Identifier: MIT
// The ladder diagram of one connection, as inline SVG: the client's and the
// server's columns, one arrow per kept TCP segment (frame, time, size), named
// by the frames the connection object names (X.224, TLS, MCS, ... fields
// ending in _frame), with retransmissions, lost/unseen segments, RSTs, ICMP
// errors and TLS alerts marked in words and shapes, the handshake phases
// bracketed (inferred ones dashed and labelled so), and the stall with the
// waiting side highlighted.  Formats the object only.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "report/html.hpp"
#include "report/json_util.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

namespace {

constexpr int kWidth = 940;
constexpr int kClientX = 210, kServerX = 590, kPathX = 400;
constexpr int kTop = 76, kRow = 22;

std::string words(std::string s) {
    std::replace(s.begin(), s.end(), '_', ' ');
    return s;
}

// The names the connection object gives to frames: "negotiation.request_frame"
// -> "X.224 Connection Request", a few by hand, the rest from the key.
void name_frames(const json& j, const std::string& parent, std::map<std::uint64_t, std::string>& names, int depth = 0) {
    static const std::map<std::string, std::string> kKnown = {
        {"negotiation.request_frame", "X.224 Connection Request"},
        {"negotiation.confirm_frame", "X.224 Connection Confirm"},
        {"negotiation.disconnect_frame", "X.224 Disconnect Request"},
        {"tls.client_hello_frame", "TLS ClientHello"},
        {"tls.server_hello_frame", "TLS ServerHello"},
        {"tls.certificate_frame", "TLS Certificate"},
        {"tls.server_hello_done_frame", "TLS ServerHelloDone"},
        {"tls.client_key_exchange_frame", "TLS ClientKeyExchange"},
        {"tls.certificate_request_frame", "TLS CertificateRequest"},
        {"tls.client_finished_frame", "TLS Finished (client)"},
        {"tls.server_finished_frame", "TLS Finished (server)"},
    };
    if (depth > 3 || !j.is_object()) return;
    for (const auto& [k, v] : j.items()) {
        if (parent.empty() && (k == "tcp" || k == "ladder" || k == "evidence" || k == "segments" || k == "icmp" ||
                               k == "after_negotiation" || k == "attempt" || k == "first_frame" || k == "last_frame"))
            continue;
        const std::string path = parent.empty() ? k : parent + "." + k;
        if (v.is_object()) {
            name_frames(v, path, names, depth + 1);
        } else if (v.is_number_unsigned() && k.size() > 6 && k.ends_with("_frame") && v.get<std::uint64_t>()) {
            const auto it = kKnown.find(path);
            std::string name = it != kKnown.end() ? it->second : words(path.substr(0, path.size() - 6));
            auto& slot = names[v.get<std::uint64_t>()];
            if (slot.find(name) == std::string::npos) slot += (slot.empty() ? "" : " + ") + name;
        }
    }
}

struct Mark {
    std::string text;  // the words on the arrow
    bool alert = false, rst = false, rtx = false, lost = false;
};

}  // namespace

std::string html_ladder_svg(const json& j) {
    if (!j.contains("segments") || j["segments"]["list"].empty())
        return "<p class=\"note\">No TCP segments kept for this connection (the ladder needs <code>--html</code> from the start of the connection).</p>\n";
    const json& segs = j["segments"]["list"];
    std::map<std::uint64_t, std::string> names;
    name_frames(j, "", names);
    std::map<std::uint64_t, std::string> alerts;
    if (j.contains("tls") && j["tls"].contains("alerts"))
        for (const auto& a : j["tls"]["alerts"])
            alerts[a.value("frame", std::uint64_t{0})] = a.contains("description_name")
                                                             ? "TLS alert " + a["description_name"].get<std::string>()
                                                             : std::string("TLS alert (encrypted)");
    std::map<std::uint64_t, std::string> evidence;
    for (const auto& e : j["evidence"]) evidence[e.value("frame", std::uint64_t{0})] = e.value("note", std::string());

    // Rows: the segments and the ICMP errors, in frame order.
    struct RowRef {
        std::uint64_t frame;
        const json* seg;
        const json* icmp;
    };
    std::vector<RowRef> rows;
    for (const auto& s : segs) rows.push_back({s.value("frame", std::uint64_t{0}), &s, nullptr});
    const std::uint64_t last_kept = rows.empty() ? 0 : rows.back().frame;
    if (j.contains("icmp"))
        for (const auto& i : j["icmp"])
            if (i.value("frame", std::uint64_t{0}) <= last_kept || j["segments"].value("not_kept", 0) == 0)
                rows.push_back({i.value("frame", std::uint64_t{0}), nullptr, &i});
    std::stable_sort(rows.begin(), rows.end(), [](const RowRef& a, const RowRef& b) { return a.frame < b.frame; });
    std::map<std::uint64_t, std::size_t> row_of;
    for (std::size_t i = 0; i < rows.size(); ++i) row_of.emplace(rows[i].frame, i);

    const double t0 = segs.front().value("time", 0.0);
    const bool complete = j.value("cause", std::string()) == "none";
    const std::string stalled = j.contains("stalled_at") && j["stalled_at"].is_string() ? j["stalled_at"].get<std::string>() : "";
    const std::string waiting = j.contains("waiting_on") && j["waiting_on"].is_string() ? j["waiting_on"].get<std::string>() : "";
    const int stall_rows = complete ? 1 : 2;
    const int height = kTop + static_cast<int>(rows.size()) * kRow + stall_rows * kRow + 20;

    std::string s = fmt::format(
        "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" role=\"img\" "
        "aria-label=\"ladder diagram of connection {}\">\n",
        kWidth, height, kWidth, j.value("conn", std::uint64_t{0}));
    // The waiting side's column, highlighted by a thick dashed frame and a label.
    if (!complete && !waiting.empty()) {
        const int x = waiting == "client" ? kClientX : waiting == "server" ? kServerX : kPathX;
        s += fmt::format("<g class=\"waiting\" data-waiting-on=\"{}\"><rect x=\"{}\" y=\"34\" width=\"60\" height=\"{}\" fill=\"#fff3cd\" "
                         "stroke=\"#8a5300\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/></g>\n",
                         html_escape(waiting), x - 30, height - 44);
    }
    s += fmt::format("<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">client</text>"
                     "<text x=\"{}\" y=\"32\" text-anchor=\"middle\" class=\"muted\">{}</text>\n",
                     kClientX, kClientX, html_escape(valid_utf8(j.value("client", std::string()))));
    s += fmt::format("<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">server</text>"
                     "<text x=\"{}\" y=\"32\" text-anchor=\"middle\" class=\"muted\">{}</text>\n",
                     kServerX, kServerX, html_escape(valid_utf8(j.value("server", std::string()))));
    // The outcome at the top too, so that the first screen shows it.
    if (complete)
        s += fmt::format("<text x=\"{}\" y=\"54\" text-anchor=\"middle\" font-weight=\"bold\" font-size=\"13\">&#10004; handshake completed</text>\n", kPathX);
    else
        s += fmt::format("<text x=\"{}\" y=\"54\" text-anchor=\"middle\" font-weight=\"bold\" font-size=\"13\" fill=\"#b00020\">&#9632; STALLED{} &#8212; "
                         "waiting on {}</text>\n",
                         kPathX, stalled.empty() ? std::string() : " at " + html_escape(words(stalled)),
                         html_escape(waiting.empty() ? std::string("(cannot tell)") : waiting));
    s += fmt::format("<text x=\"8\" y=\"32\" class=\"muted\">frame · time</text><text x=\"{}\" y=\"32\" class=\"muted\">phase</text>\n", kServerX + 52);
    const int bottom = height - 10;
    s += fmt::format("<line x1=\"{0}\" y1=\"38\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333\" stroke-width=\"2\"/>"
                     "<line x1=\"{1}\" y1=\"38\" x2=\"{1}\" y2=\"{2}\" stroke=\"#333\" stroke-width=\"2\"/>\n",
                     kClientX, kServerX, bottom);

    for (std::size_t i = 0; i < rows.size(); ++i) {
        const int y = kTop + static_cast<int>(i) * kRow;
        const RowRef& r = rows[i];
        if (r.icmp) {
            const json& ic = *r.icmp;
            // From the path (a router or the host) back to the client.
            s += fmt::format("<g class=\"icmp\" data-frame=\"{}\"><text x=\"8\" y=\"{}\">{}</text>"
                             "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#b00020\" stroke-width=\"2\" stroke-dasharray=\"2 2\"/>"
                             "<polygon points=\"{},{} {},{} {},{}\" fill=\"#b00020\"/>"
                             "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">&#9888; ICMP {} from {}</text></g>\n",
                             r.frame, y + 4, r.frame, kPathX, y, kClientX + 8, y + 8, kClientX, y + 8, kClientX + 10, y + 3,
                             kClientX + 10, y + 13, (kClientX + kPathX) / 2 + 40, y - 3, html_escape(valid_utf8(ic.value("description", std::string()))),
                             html_escape(valid_utf8(ic.value("from", std::string()))));
            continue;
        }
        const json& g = *r.seg;
        const bool c2s = g.value("dir", std::string()) == "c2s";
        const auto len = g.value("len", std::uint64_t{0});
        std::string flags;
        bool rst = false;
        for (const auto& f : g["flags"]) {
            const std::string n = f.get<std::string>();
            if (n == "RST") rst = true;
            if (n == "PSH") continue;
            flags += (flags.empty() ? "" : ",") + n;
        }
        Mark m;
        m.rst = rst;
        std::vector<std::string> analysis;
        if (g.contains("analysis"))
            for (const auto& a : g["analysis"]) {
                const std::string n = a.get<std::string>();
                analysis.push_back(n);
                if (n == "tcp.retransmission") m.rtx = true;
                if (n == "tcp.lost_segment" || n == "tcp.acked_unseen") m.lost = true;
            }
        if (const auto it = names.find(r.frame); it != names.end()) m.text = it->second;
        else if (len) m.text = fmt::format("data [{}]", flags);
        else m.text = flags;
        if (const auto it = alerts.find(r.frame); it != alerts.end()) {
            m.alert = true;
            m.text += " + " + it->second;
        }
        if (len) m.text += fmt::format(" · {} B", len);
        std::string tags;
        if (m.rtx) tags += " RETRANSMISSION";
        if (m.rst && m.text.find("RST") == std::string::npos) tags += " RST";
        if (m.alert) tags += " ALERT";
        for (const auto& a : analysis)
            if (a != "tcp.retransmission") tags += " " + a.substr(4);
        const int x1 = c2s ? kClientX : kServerX, x2 = c2s ? kServerX : kClientX;
        const int tip = c2s ? x2 - 10 : x2 + 10;
        const char* color = m.rst || m.alert ? "#b00020" : m.rtx ? "#8a5300" : "#1a3d7c";
        const double ms = (g.value("time", 0.0) - t0) * 1e3;
        const bool evid = evidence.count(r.frame) > 0;
        s += fmt::format("<g class=\"arrow{}{}{}\" data-frame=\"{}\" data-dir=\"{}\">", m.rtx ? " rtx" : "", m.rst ? " rst" : "",
                         evid ? " evidence" : "", r.frame, c2s ? "c2s" : "s2c");
        s += fmt::format("<title>frame {}: {}{}{}</title>", r.frame, html_escape(valid_utf8(m.text)), html_escape(tags),
                         evid ? html_escape(" — evidence: " + valid_utf8(evidence[r.frame])) : std::string());
        s += fmt::format("<text x=\"8\" y=\"{}\"{}>{}{} · {:.1f} ms</text>", y + 4, evid ? " font-weight=\"bold\"" : "", evid ? "&#9733; " : "",
                         r.frame, ms);
        s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>", x1, y, tip, y + 8, color,
                         m.rst ? 3 : 1.5, m.rtx ? " stroke-dasharray=\"6 4\"" : "");
        if (m.rst)  // a bar across the tip: the connection is cut
            s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"3\"/>", tip, y + 1, y + 15, color);
        else
            s += fmt::format("<polygon points=\"{},{} {},{} {},{}\" fill=\"{}\"/>", x2, y + 8, tip, y + 3, tip, y + 13, color);
        s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}{}</text>", (kClientX + kServerX) / 2, y - 2,
                         html_escape(valid_utf8(m.text)), tags.empty() ? "" : " <tspan font-weight=\"bold\">" + html_escape(tags) + "</tspan>");
        s += "</g>\n";
    }

    // The phases, bracketed at the right from their first to their last frame.
    int phase_col = 0;
    for (const auto& st : j["ladder"]) {
        if (!st.value("started", false)) continue;
        const auto a = row_of.lower_bound(st.value("start_frame", std::uint64_t{0}));
        if (a == row_of.end()) continue;
        const bool done = st.value("done", false);
        const bool inferred = st.value("inferred", false);
        std::size_t last = rows.size() - 1;
        if (done && st.contains("end_frame")) {
            auto b = row_of.upper_bound(st["end_frame"].get<std::uint64_t>());
            if (b != row_of.begin()) last = std::prev(b)->second;
        }
        const int y1 = kTop + static_cast<int>(a->second) * kRow - 6, y2 = kTop + static_cast<int>(std::max(last, a->second)) * kRow + 12;
        const int x = kServerX + 40 + (phase_col++ % 2) * 6;
        const std::string phase = st.value("phase", std::string());
        s += fmt::format("<g class=\"phase\" data-phase=\"{}\" data-done=\"{}\" data-inferred=\"{}\"><title>{}</title>"
                         "<path d=\"M{} {} h6 V{} h-6\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\"{}/>"
                         "<text x=\"{}\" y=\"{}\">{}{}</text><text x=\"{}\" y=\"{}\" class=\"muted\">{}</text></g>\n",
                         html_escape(phase), done ? "true" : "false", inferred ? "true" : "false",
                         html_escape(valid_utf8(words(phase) + (st.contains("note") ? ": " + st["note"].get<std::string>() : std::string()))), x, y1, y2,
                         inferred ? " stroke-dasharray=\"4 3\"" : "", x + 12, y1 + 10, done ? "&#10004; " : "&#9675; ", html_escape(words(phase)),
                         x + 12, y1 + 22,
                         std::string(!done && !complete && phase == stalled ? "\u2716 STALLED HERE; " : "") +
                             (inferred ? "inferred from record sizes" : done ? "seen in clear" : "started, not completed"));
    }
    // The end: completed, or the stall and who was waiting.
    const int y = kTop + static_cast<int>(rows.size()) * kRow + 4;
    if (complete) {
        s += fmt::format("<g class=\"end completed\"><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">&#10004; handshake completed</text></g>\n",
                         kPathX, y + 8);
    } else {
        s += fmt::format("<g class=\"end stall\" data-stalled-at=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#b00020\" "
                         "stroke-width=\"2\" stroke-dasharray=\"8 4\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">"
                         "&#9632; STALLED{} &#8212; waiting on {}</text></g>\n",
                         html_escape(stalled), kClientX - 40, y - 6, kServerX - kClientX + 80, kRow + 14, kPathX, y + 12,
                         stalled.empty() ? std::string() : " at " + html_escape(words(stalled)), html_escape(waiting.empty() ? std::string("(cannot tell)") : waiting));
    }
    s += "</svg>\n";
    if (const auto n = j["segments"].value("not_kept", std::uint64_t{0}))
        s += fmt::format("<p class=\"note\">The ladder shows the first {} segments; {} later segment(s) are not drawn.</p>\n", segs.size(), n);
    return s;
}

}  // namespace rdpscope
