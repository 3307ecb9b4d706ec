// SPDX-License-Identifier: MIT
// The codes a Windows Remote Desktop client shows when a connection ends, and
// how they tie to what the wire shows.
//
// Sources (Microsoft's published tables):
//  * main code ("disconnectReason"): IMsTscAxEvents::OnDisconnected,
//    https://learn.microsoft.com/windows/win32/termserv/imstscaxevents-ondisconnected
//  * extended code: the ExtendedDisconnectReasonCode enumeration,
//    https://learn.microsoft.com/windows/win32/termserv/extendeddisconnectreasoncode
//    whose values equal the ERRINFO codes of the server's Set Error Info PDU
//    (MS-RDPBCGR 2.2.5.1.1) in the protocol-independent and licensing ranges.
// The wire proves the extended code when the server sent Set Error Info (it is
// the errorInfo value); the main code is what the client's socket saw, which
// the capture can only make likely.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace rdpscope {

struct MainDisconnectCode {
    std::uint32_t code;
    std::string_view name;     // the disconnectReason* name ("" where the current table gives none)
    std::string_view meaning;
    std::string_view on_wire;  // what a capture shows when a client reports it
};

// Every main code named by a verdict or by `explain`.
const std::vector<MainDisconnectCode>& main_disconnect_codes();
const MainDisconnectCode* find_main_code(std::uint32_t code);

// The exDiscReason* name of an extended code ("" if none): 0-12 and the
// licensing range 256-266 are named there; every ERRINFO code has its
// MS-RDPBCGR name (share::errinfo_name).
std::string_view extended_code_name(std::uint32_t code);

// What the client most likely showed for a connection the server ended:
// main code, extended code (the ERRINFO read from the wire, if any),
// whether the main code is only likely, and where to look on the machines.
struct ClientCodes {
    std::uint32_t main = 0;
    std::optional<std::uint32_t> extended;
    bool main_likely = true;
    std::string_view events;  // event logs to check, in words
};

// For a Set Error Info code: the client shows disconnectReasonByServer-style
// main code 0x904 (the server closed the socket after it) with the ERRINFO as
// the extended reason.
ClientCodes client_codes_for_errinfo(std::uint32_t errinfo);

// Which verdict names which codes (for `rdpscope explain` and its test).
struct VerdictCodes {
    std::string_view verdict;  // cause / verdict code
    std::uint32_t main;
    std::optional<std::uint32_t> extended;
};
const std::vector<VerdictCodes>& verdict_codes();

}  // namespace rdpscope
