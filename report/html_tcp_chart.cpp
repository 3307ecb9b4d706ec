// SPDX-License-Identifier: MIT
// The TCP time-sequence chart of one direction (Stevens' graph, as
// Wireshark's "TCP Stream Graphs" draws it), inline SVG, for the kept
// segments of the handshake: each data segment a vertical bar from its
// sequence number to its end, the peer's ACKs as a step line and its receive
// window above it, retransmissions, duplicate ACKs and zero windows marked by
// shape and letter, and the end of what was kept (the stall, when the
// handshake stalled).  Formats the connection object only.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "report/html.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

std::string html_tcp_chart_svg(const json& j, const char* dir) {
    if (!j.contains("segments")) return {};
    const json& segs = j["segments"]["list"];
    const std::string me = dir, peer = me == "c2s" ? "s2c" : "c2s";
    bool data = false;
    double t0 = 0, t1 = 0, ymax = 1;
    bool first = true;
    for (const auto& g : segs) {
        const double t = g.value("time", 0.0);
        if (first) t0 = t, first = false;
        t1 = std::max(t1, t);
        if (g.value("dir", std::string()) == me) {
            if (g.value("len", 0u)) data = true;
            ymax = std::max(ymax, static_cast<double>(g.value("seq", 0u) + g.value("len", 0u)));
        } else if (!g["flags"].empty()) {
            ymax = std::max(ymax, static_cast<double>(g.value("ack", 0u)));
        }
    }
    if (!data) return {};
    // The receiver's window scale (RFC 7323 2.2): applied when both sides sent the option.
    int shift = 0;
    if (j.contains("tcp") && j["tcp"].contains(peer) && j["tcp"].contains(me)) {
        const auto& a = j["tcp"][peer];
        const auto& b = j["tcp"][me];
        if (a.contains("window_scale") && a["window_scale"].is_number() && b.contains("window_scale") && b["window_scale"].is_number() &&
            a["window_scale"].get<int>() >= 0 && b["window_scale"].get<int>() >= 0)
            shift = std::min(a["window_scale"].get<int>(), 14);
    }
    const double span = std::max(t1 - t0, 1e-6);
    // The window may dwarf the data: the y axis ends at twice the data, at most.
    double wmax = ymax;
    for (const auto& g : segs)
        if (g.value("dir", std::string()) == peer && g.value("ack", 0u))
            wmax = std::max(wmax, static_cast<double>(g.value("ack", 0u)) + std::ldexp(g.value("win", 0u), shift));
    const double ytop = std::min(wmax, ymax * 2) * 1.05;
    constexpr int W = 940, H = 310, L = 70, R = 20, T = 16, B = 56;
    const auto X = [&](double t) { return L + (t - t0) / span * (W - L - R); };
    const auto Y = [&](double v) { return H - B - std::min(v, ytop) / ytop * (H - T - B); };

    std::string s = fmt::format("<svg class=\"tcpchart\" data-dir=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" role=\"img\" "
                                "aria-label=\"TCP time-sequence chart, {}\">\n",
                                me, W, H, W, me);
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/><line x1=\"{0}\" y1=\"{3}\" x2=\"{0}\" y2=\"{1}\" stroke=\"#333\"/>\n",
                     L, H - B, W - R, T);
    for (int i = 0; i <= 4; ++i) {
        const double t = t0 + span * i / 4, v = ytop * i / 4;
        s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">{:.1f} ms</text>", X(t), H - B + 14, (t - t0) * 1e3);
        s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"muted\">{:.0f}</text>\n", L - 4, Y(v) + 4, v);
    }
    s += fmt::format("<text x=\"{}\" y=\"{}\" class=\"muted\">time since the first segment &#8594;</text>"
                     "<text x=\"4\" y=\"{}\" class=\"muted\">seq</text>\n", W / 2 - 80, H - B + 28, T + 4);
    // The peer's ACK line (solid steps) and window line (dotted steps).
    std::string ack_pts, win_pts;
    double last_ack = -1, last_win = -1;
    for (const auto& g : segs) {
        if (g.value("dir", std::string()) != peer) continue;
        bool has_ack = false;
        for (const auto& f : g["flags"]) has_ack |= f.get<std::string>() == "ACK";
        if (!has_ack) continue;
        const double x = X(g.value("time", 0.0));
        const double a = g.value("ack", 0u);
        const double w = a + std::ldexp(g.value("win", 0u), shift);
        if (last_ack >= 0) ack_pts += fmt::format(" {:.1f},{:.1f}", x, Y(last_ack)), win_pts += fmt::format(" {:.1f},{:.1f}", x, Y(last_win));
        ack_pts += fmt::format(" {:.1f},{:.1f}", x, Y(a));
        win_pts += fmt::format(" {:.1f},{:.1f}", x, Y(w));
        last_ack = a, last_win = w;
        if (g.contains("analysis"))
            for (const auto& n : g["analysis"]) {
                const std::string f = n.get<std::string>();
                if (f == "tcp.dup_ack")
                    s += fmt::format("<g class=\"dupack\" data-frame=\"{}\"><polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"#8a5300\"/>"
                                     "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"9\">D</text></g>",
                                     g.value("frame", 0u), x, Y(a) + 2, x - 4, Y(a) + 9, x + 4, Y(a) + 9, x + 5, Y(a) + 10);
                if (f == "tcp.zero_window")
                    s += fmt::format("<g class=\"zerowin\" data-frame=\"{}\"><text x=\"{:.1f}\" y=\"{:.1f}\" font-weight=\"bold\">ZW</text></g>",
                                     g.value("frame", 0u), x + 2, Y(a) - 4);
            }
    }
    if (last_ack >= 0) {
        const double xe = X(t1);
        ack_pts += fmt::format(" {:.1f},{:.1f}", xe, Y(last_ack));
        win_pts += fmt::format(" {:.1f},{:.1f}", xe, Y(last_win));
        s += fmt::format("<polyline class=\"ack\" points=\"{}\" fill=\"none\" stroke=\"#1b5e20\" stroke-width=\"1.5\"/>\n", ack_pts);
        s += fmt::format("<polyline class=\"window\" points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-dasharray=\"2 3\"/>\n", win_pts);
    }
    // The segments: an I-beam each; a retransmission hollow, red, with an R.
    for (const auto& g : segs) {
        if (g.value("dir", std::string()) != me || !g.value("len", 0u)) continue;
        const double x = X(g.value("time", 0.0));
        const double a = g.value("seq", 0u), b = a + g.value("len", 0u);
        bool rtx = false;
        if (g.contains("analysis"))
            for (const auto& n : g["analysis"]) rtx |= n.get<std::string>() == "tcp.retransmission";
        const char* c = rtx ? "#b00020" : "#1a3d7c";
        s += fmt::format("<g class=\"seg{}\" data-frame=\"{}\"><title>frame {}: seq {}, {} bytes{}</title>"
                         "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\"/>"
                         "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\"/><line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\"/>",
                         rtx ? " rtx" : "", g.value("frame", 0u), g.value("frame", 0u), a, b - a, rtx ? ", retransmission" : "", x, Y(a), x, Y(b), c,
                         x - 3, Y(a), x + 3, Y(a), c, x - 3, Y(b), x + 3, Y(b), c);
        if (rtx) s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-weight=\"bold\" fill=\"#b00020\">R</text>", x + 4, Y(b) - 2);
        s += "</g>\n";
    }
    if (j.value("cause", std::string()) != "none") {
        const double x = X(t1);
        s += fmt::format("<g class=\"stall\"><line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#b00020\" stroke-dasharray=\"6 3\"/>"
                         "<text x=\"{3:.1f}\" y=\"{4}\" text-anchor=\"end\" font-weight=\"bold\">&#9632; last kept segment; then nothing (stall)</text></g>\n",
                         x, T, H - B, x - 4, T + 10);
    }
    s += fmt::format("<text x=\"{}\" y=\"{}\" class=\"muted\">I bars: segments (R: retransmission); solid steps: the peer's ACKs (D: duplicate ACK, ZW: zero "
                     "window); dotted steps: ACK + receive window</text>\n",
                     L, H - 6);
    s += "</svg>\n";
    return s;
}

}  // namespace rdpscope
