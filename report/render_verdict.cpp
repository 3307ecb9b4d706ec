// SPDX-License-Identifier: MIT
#include "report/render_verdict.hpp"

#include <fmt/format.h>

namespace rdpscope {

namespace {

constexpr const char* kRed = "\x1b[31m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kReset = "\x1b[0m";

// Wraps `text` at `width` columns, every line after the first indented by `indent`.
std::string wrap(const std::string& text, std::size_t width, const std::string& indent) {
    std::string out, line;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        const std::string word = text.substr(start, end - start);
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out += line + "\n" + indent;
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
        start = end + 1;
    }
    return out + line;
}

}  // namespace

std::string render_verdict_text(const nlohmann::ordered_json& j, bool color) {
    if (!j.contains("cause")) return {};
    const std::string cause = j["cause"];
    const char* tint = cause == "none" ? kGreen : (cause == "in_progress" || cause == "incomplete_capture") ? kYellow : kRed;
    auto paint = [&](const std::string& s, const char* c) { return color ? std::string(c) + s + kReset : s; };

    std::string s;
    std::string head = cause == "none" ? std::string("handshake completed")
                                       : fmt::format("{} / {}", cause, j.value("verdict", std::string()));
    std::string where;
    if (!j["stalled_at"].is_null()) {
        where = fmt::format(": stalled at {}", j["stalled_at"].get<std::string>());
        if (!j["waiting_on"].is_null()) where += fmt::format(", waiting on the {}", j["waiting_on"].get<std::string>());
    }
    s += fmt::format("  verdict      {}{} ({} confidence)\n", paint(head, color ? kBold : ""), where,
                     j["confidence"].get<std::string>());
    if (color) s.replace(s.find(head), head.size(), std::string(tint) + kBold + head + kReset);
    s += "               " + wrap(j["summary"].get<std::string>(), 88, "               ") + "\n";
    // What the Windows client most likely showed, and where to look.
    if (j.contains("client_codes")) {
        const auto& c = j["client_codes"];
        std::string codes;
        if (!c["main"].is_null()) {
            codes = c["main"].get<std::string>();
            if (c.contains("extended")) codes += " extended " + c["extended"].get<std::string>();
            std::string names;
            if (c.contains("main_name")) names = c["main_name"].get<std::string>();
            if (c.contains("errinfo_name")) names += (names.empty() ? "" : ", ") + c["errinfo_name"].get<std::string>();
            if (c.value("main_likely", true)) names = names.empty() ? "likely" : "likely: " + names;
            if (!names.empty()) codes += " (" + names + ")";
            if (c.contains("also")) {
                std::string also;
                for (const auto& a : c["also"]) also += (also.empty() ? "" : ", ") + a.get<std::string>();
                codes += "; or " + also;
            }
        } else {
            codes = "none in Microsoft's table";
        }
        if (c.contains("why")) codes += ": " + c["why"].get<std::string>();
        s += "  client code  " + wrap(codes, 88, "               ") + "\n";
        if (c.contains("where_to_look"))
            s += "  look at      " + wrap(c["where_to_look"].get<std::string>(), 88, "               ") + "\n";
    }

    // The ladder: one line per applicable phase.
    const double start = j["start"].get<double>();
    bool first = true;
    for (const auto& st : j["ladder"]) {
        const std::string phase = st["phase"];
        std::string frames = "-";
        if (st.contains("start_frame")) {
            frames = fmt::format("{}", st["start_frame"].get<std::uint64_t>());
            if (st.contains("end_frame") && st["end_frame"] != st["start_frame"])
                frames += fmt::format("-{}", st["end_frame"].get<std::uint64_t>());
        }
        std::string when = st.contains("start") ? fmt::format("+{:.3f} s", st["start"].get<double>() - start) : "";
        std::string state;
        if (st["done"].get<bool>()) state = paint("done", kGreen);
        else if (!j["stalled_at"].is_null() && j["stalled_at"] == phase) state = paint("STALLED", kRed);
        else if (st["started"].get<bool>()) state = "started";
        else state = "-";
        if (st.value("inferred", false) && st["started"].get<bool>()) state += " (inferred)";
        if (st.value("decrypted", false) && st["started"].get<bool>()) state += " (decrypted)";
        s += fmt::format("  {:<12} {:<18} {:<14} {:<11} {}\n", first ? "ladder" : "", phase, frames, when, state);
        first = false;
    }
    if (!j["evidence"].empty()) {
        std::string ev;
        for (const auto& e : j["evidence"]) {
            if (!ev.empty()) ev += "; ";
            ev += fmt::format("frame {}: {}", e["frame"].get<std::uint64_t>(), e["note"].get<std::string>());
        }
        s += "  evidence     " + wrap(ev, 88, "               ") + "\n";
    }
    return s;
}

}  // namespace rdpscope
