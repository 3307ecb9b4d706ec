// SPDX-License-Identifier: MIT
#include "report/explain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "analyze/disconnect_codes.hpp"
#include "dissect/rdp_share.hpp"

namespace rdpscope {

std::optional<std::uint32_t> parse_code(const std::string& t) {
    if (t.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        const bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
        const unsigned long long v = std::stoull(hex ? t.substr(2) : t, &used, hex ? 16 : 10);
        if (used != (hex ? t.size() - 2 : t.size()) || v > 0xFFFFFFFFull) return std::nullopt;
        return static_cast<std::uint32_t>(v);
    } catch (...) {
        return std::nullopt;
    }
}

namespace {

// The verdicts that name `code` as their main code (or as another the client
// may show), or as their extended code.
void verdicts_naming(std::FILE* out, bool main, std::uint32_t code) {
    std::string list;
    for (const auto& v : verdict_codes()) {
        const bool as_main = v.main == code;
        const bool as_also = std::find(v.also.begin(), v.also.end(), code) != v.also.end();
        if (main ? (as_main || as_also) : v.extended == code)
            list += fmt::format("\n    {}{}", v.verdict, main && !as_main ? " (as another code the client may show)" : "");
    }
    fmt::print(out, "  Named by: {}\n", list.empty() ? "no rdpscope verdict (yet)" : list);
}

// Where to look, from the verdicts naming `code` as their main code (each place once).
void where_to_look(std::FILE* out, std::uint32_t code) {
    std::vector<std::string_view> seen;
    for (const auto& v : verdict_codes()) {
        if (v.main != code || v.events.empty() || v.extended) continue;
        if (std::find(seen.begin(), seen.end(), v.events) != seen.end()) continue;
        seen.push_back(v.events);
    }
    for (std::size_t i = 0; i < seen.size(); ++i)
        fmt::print(out, "  {} {}.\n", i == 0 ? "Where to look:" : "           or:", seen[i]);
}

}  // namespace

int explain_codes(const std::string& code, const std::optional<std::string>& ext, std::FILE* out, std::FILE* err) {
    const auto main = parse_code(code);
    if (!main) {
        fmt::print(err, "rdpscope explain: '{}' is not a code (hex like 0x904, or decimal like 2308)\n", code);
        return 2;
    }
    const MainDisconnectCode* m = find_main_code(*main);
    if (!m) {
        fmt::print(err,
                   "rdpscope explain: 0x{:X} ({}) is not a disconnect code rdpscope knows; the client's codes are listed "
                   "in IMsTscAxEvents::OnDisconnected (learn.microsoft.com)\n",
                   *main, *main);
        return 2;
    }
    std::optional<std::uint32_t> e;
    if (ext) {
        e = parse_code(*ext);
        if (!e) {
            fmt::print(err, "rdpscope explain: '{}' is not a code (hex like 0x7, or decimal like 7)\n", *ext);
            return 2;
        }
        if (extended_code_name(*e).empty() && share::errinfo_name(*e).empty() && !in_protocol_range(*e)) {
            fmt::print(err,
                       "rdpscope explain: extended code 0x{:X} ({}) is neither an ExtendedDisconnectReasonCode nor an "
                       "ERRINFO code (MS-RDPBCGR 2.2.5.1.1) rdpscope knows\n",
                       *e, *e);
            return 2;
        }
    }
    fmt::print(out, "0x{:X} ({}){}: {}.\n", m->code, m->code, m->name.empty() ? "" : fmt::format(" {}", m->name), m->meaning);
    if (!m->on_wire.empty()) fmt::print(out, "  On the wire: {}.\n", m->on_wire);
    verdicts_naming(out, true, m->code);
    where_to_look(out, m->code);
    fmt::print(out, "  Source: IMsTscAxEvents::OnDisconnected (the main code is what the client's socket or security layer "
                    "saw: a capture makes it likely, not certain; the client's own log, "
                    "Microsoft-Windows-TerminalServices-RDPClient/Operational event 1026, records it).\n");
    if (e) {
        const auto xn = extended_code_name(*e);
        const auto en = share::errinfo_name(*e);
        fmt::print(out, "\nextended 0x{:X} ({}){}{}{}.\n", *e, *e, xn.empty() ? "" : fmt::format(" {}", xn),
                   en.empty() ? "" : fmt::format(" = {}", en),
                   in_protocol_range(*e) ? " (ExtendedDisconnectReasonCode's protocol range "
                                           "exDiscReasonProtocolRangeStart-End: an internal protocol error; check the "
                                           "server's event log)"
                                         : "");
        fmt::print(out,
                   "  On the wire: the server's Set Error Info PDU (MS-RDPBCGR 2.2.5.1) with errorInfo 0x{:X}, inside "
                   "TLS (readable with the session keys) or in clear under standard RDP security, then its Disconnect "
                   "Provider Ultimatum and its close.\n",
                   *e);
        verdicts_naming(out, false, *e);
        fmt::print(out, "  Where to look: {}.\n", client_codes_for_errinfo(*e).events);
        fmt::print(out, "  Source: ExtendedDisconnectReasonCode; MS-RDPBCGR 2.2.5.1.1 (errorInfo).\n");
    }
    fmt::print(out,
               "\nTo tell the reasons apart: capture on either side with the TLS keys (SSLKEYLOGFILE, or a pcapng with "
               "Decryption Secrets Blocks) so the Set Error Info and the connection sequence can be read: "
               "rdpscope analyze --keylog FILE CAPTURE.\n");
    return 0;
}

}  // namespace rdpscope
