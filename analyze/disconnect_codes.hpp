// SPDX-License-Identifier: MIT
// The codes a Windows Remote Desktop client shows when a connection ends, and
// how they tie to what the wire shows.
//
// Sources (Microsoft's published tables):
//  * main code ("disconnectReason"): IMsTscAxEvents::OnDisconnected,
//    https://learn.microsoft.com/windows/win32/termserv/imstscaxevents-ondisconnected
//    (the disconnectReason* codes, and the SSL_ERR_* codes the NLA client
//    reports: 0x807 SSL_ERR_LOGON_FAILURE ... 0x2207 SSL_ERR_SMARTCARD_CARD_BLOCKED);
//    the same values with short names in the Remote Desktop Protocol API's
//    OnConnectionTerminated (SocketConnectFailed 516 = 0x204,
//    ServerCertificateUnpackErr 1798 = 0x706).
//  * extended code: the ExtendedDisconnectReasonCode enumeration,
//    https://learn.microsoft.com/windows/win32/termserv/extendeddisconnectreasoncode
//    whose values equal the ERRINFO codes of the server's Set Error Info PDU
//    (MS-RDPBCGR 2.2.5.1.1) in the protocol-independent and licensing ranges,
//    and whose protocol range (4096-32767) holds MS-RDPBCGR's RDP-specific
//    ERRINFO codes (0x10C9 and up).
// The wire proves the extended code when the server sent Set Error Info (it is
// the errorInfo value); the main code is what the client's socket or security
// layer saw, which a capture can only make likely.
//
// Where to look on the machines (each from Microsoft's documentation):
//  * Security 4625 "An account failed to log on", its Status / Sub Status
//    (learn.microsoft.com .../auditing/event-4625), 4624, 4740, 4768, 4769,
//    4771, 4776, 4825 (a user was denied access to Remote Desktop), 5152 (the
//    Filtering Platform blocked a packet);
//  * Schannel 36870, 36874, 36887, 36888 (System log; Microsoft's "Schannel
//    events" and the Schannel alert codes in "Schannel error codes for TLS and
//    SSL alerts");
//  * Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational 131 (the
//    server accepted a TCP connection), 140 (a connection failed: user name or
//    password not correct);
//  * Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational
//    1057 / 1058 (the RD Session Host could not create / replace its
//    self-signed certificate; Microsoft's "RDP fails with event ID 1058 & event
//    36870"), 1006 (many incomplete connections), 258-260 (the listener);
//  * the client's Microsoft-Windows-TerminalServices-RDPClient/Operational
//    1026 (the client disconnected, with the reason code it showed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rdpscope {

struct MainDisconnectCode {
    std::uint32_t code;
    std::string_view name;     // the disconnectReason* / SSL_ERR_* name
    std::string_view meaning;  // Microsoft's description
    std::string_view on_wire;  // what a capture shows when a client reports it ("" where no verdict names it)
};

// Every main code of IMsTscAxEvents::OnDisconnected (so `explain` knows any
// code a user reads off the dialog).
const std::vector<MainDisconnectCode>& main_disconnect_codes();
const MainDisconnectCode* find_main_code(std::uint32_t code);

// The exDiscReason* name of an extended code ("" if none): 0-12, the
// licensing range 256-267 and 768 are named there; every ERRINFO code has its
// MS-RDPBCGR name (share::errinfo_name).
std::string_view extended_code_name(std::uint32_t code);
// The protocol range of ExtendedDisconnectReasonCode (exDiscReasonProtocolRangeStart-End).
constexpr bool in_protocol_range(std::uint32_t code) { return code >= 4096 && code <= 32767; }

// What the client most likely showed for a connection that failed or ended:
// main code (none where Microsoft's table has no code for it), extended code
// (the ERRINFO read from the wire, if any), whether the main code is only
// likely, other main codes the client may show instead, where to look on the
// machines and why.
struct ClientCodes {
    std::optional<std::uint32_t> main;
    std::optional<std::uint32_t> extended;
    bool main_likely = true;
    std::vector<std::uint32_t> also;
    std::string_view events;  // event logs to check, in words
    std::string_view note;    // why these codes (or why none)
};

// For a Set Error Info code: the client shows main code 0x904 (the server
// closed the socket after it) with the ERRINFO as the extended reason.
ClientCodes client_codes_for_errinfo(std::uint32_t errinfo);

// For a logon error of the server's Save Session Info (verdict rule
// logon_error): mstsc reports it through IMsTscAxEvents::OnLogonError (its
// LOGON_FAILED_* / ARBITRATION_CODE_* values), not a disconnect code; the
// connection then ends by the server's close (0x904) or the user's (0x1).
enum class VerdictCode : std::uint8_t;
ClientCodes client_codes_for_logon_error(VerdictCode code, bool server_closed);

// For the NTSTATUS / SECURITY_STATUS of a decrypted CredSSP errorCode: the
// SSL_ERR_* code mstsc reports (0x807 where the table has no closer one).
ClientCodes client_codes_for_status(std::uint32_t status);

// Which verdict names which codes (for `rdpscope explain`, `rdpscope rules`
// and the test that every one is known to explain); analyze/client_codes.cpp.
struct VerdictCodes {
    std::string verdict;  // cause / verdict code
    std::optional<std::uint32_t> main;
    std::optional<std::uint32_t> extended;
    std::vector<std::uint32_t> also;
    std::string_view events;
    std::string_view note;
};
const std::vector<VerdictCodes>& verdict_codes();

}  // namespace rdpscope
