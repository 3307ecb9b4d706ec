// SPDX-License-Identifier: MIT
#include "analyze/disconnect_codes.hpp"

namespace rdpscope {

const std::vector<MainDisconnectCode>& main_disconnect_codes() {
    // IMsTscAxEvents::OnDisconnected, the codes a handshake verdict can lead to.
    static const std::vector<MainDisconnectCode> codes = {
        {0x3, "disconnectReasonByServer", "Remote disconnection by server (not an error code)",
         "the server's Disconnect Provider Ultimatum, then its close"},
        {0x104, "disconnectReasonDNSLookupFailed", "DNS name lookup failure", "no TCP connection at all: DNS only"},
        {0x108, "disconnectReasonConnectionTimedOut", "Connection timed out",
         "SYNs unanswered, or a handshake that stalls with the server owing the next packet"},
        {0x204, "", "Winsock socket connect failure",
         "a RST or an ICMP unreachable answering the SYN"},
        {0x406, "disconnectReasonInvalidSecurityData", "Invalid security data", "a malformed security exchange"},
        {0x706, "", "Failed to unpack server certificate",
         "a server certificate the client cannot read (standard RDP security)"},
        {0x904, "disconnectReasonAtClientWinsockFDCLOSE", "Socket closed",
         "the server's FIN or RST during or after the handshake"},
        {0xC06, "disconnectReasonDecryptionError", "Decryption error", "standard RDP security: a record the client could not decrypt"},
    };
    return codes;
}

const MainDisconnectCode* find_main_code(std::uint32_t code) {
    for (const auto& c : main_disconnect_codes())
        if (c.code == code) return &c;
    return nullptr;
}

std::string_view extended_code_name(std::uint32_t code) {
    // ExtendedDisconnectReasonCode enumeration.
    switch (code) {
        case 0: return "exDiscReasonNoInfo";
        case 1: return "exDiscReasonAPIInitiatedDisconnect";
        case 2: return "exDiscReasonAPIInitiatedLogoff";
        case 3: return "exDiscReasonServerIdleTimeout";
        case 4: return "exDiscReasonServerLogonTimeout";
        case 5: return "exDiscReasonReplacedByOtherConnection";
        case 6: return "exDiscReasonOutOfMemory";
        case 7: return "exDiscReasonServerDeniedConnection";
        case 8: return "exDiscReasonServerDeniedConnectionFips";
        case 9: return "exDiscReasonServerInsufficientPrivileges";
        case 10: return "exDiscReasonServerFreshCredsRequired";
        case 11: return "exDiscReasonRpcInitiatedDisconnectByUser";
        case 12: return "exDiscReasonLogoffByUser";
        case 256: return "exDiscReasonLicenseInternal";
        case 257: return "exDiscReasonLicenseNoLicenseServer";
        case 258: return "exDiscReasonLicenseNoLicense";
        case 259: return "exDiscReasonLicenseErrClientMsg";
        case 260: return "exDiscReasonLicenseHwidDoesntMatchLicense";
        case 261: return "exDiscReasonLicenseErrClientLicense";
        case 262: return "exDiscReasonLicenseCantFinishProtocol";
        case 263: return "exDiscReasonLicenseClientEndedProtocol";
        case 264: return "exDiscReasonLicenseErrClientEncryption";
        case 265: return "exDiscReasonLicenseCantUpgradeLicense";
        case 266: return "exDiscReasonLicenseNoRemoteConnections";
        default: return "";
    }
}

ClientCodes client_codes_for_errinfo(std::uint32_t errinfo) {
    ClientCodes c;
    c.main = 0x904;  // the server closes the socket after its Set Error Info (MS-RDPBCGR 3.3.5.7.1: it MUST disconnect)
    c.extended = errinfo;
    c.main_likely = true;
    if (errinfo >= 0x100 && errinfo <= 0x10A)
        c.events = "the server's RD Licensing events (TerminalServices-Licensing) and the licensing mode / server it is configured with";
    else if (errinfo >= 0x400 && errinfo <= 0x412)
        c.events = "the Connection Broker's event log (Microsoft-Windows-TerminalServices-SessionBroker)";
    else
        c.events = "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational (events 131, 140) and "
                   "TerminalServices-LocalSessionManager/Operational on the server; the Security log (4624/4625) for the logon";
    return c;
}

const std::vector<VerdictCodes>& verdict_codes() {
    // The server_error_info rule's verdicts and the session end after a
    // Set Error Info: main 0x904 (likely), extended = the ERRINFO code.
    static const std::vector<VerdictCodes> v = {
        {"closed_by_server / server_denied_connection", 0x904, 0x7},
        {"closed_by_server / server_insufficient_privileges", 0x904, 0x9},
        {"closed_by_server / server_logon_timeout", 0x904, 0x4},
        {"closed_by_server / server_fresh_credentials_required", 0x904, 0xA},
        {"closed_by_server / licensing_failed", 0x904, 0x102},
        {"closed_by_server / broker_error", 0x904, 0x400},
        {"session_end: Set Error Info ERRINFO_RPC_INITIATED_DISCONNECT_BYUSER", 0x904, 0xB},
        {"session_end: Set Error Info ERRINFO_LOGOFF_BY_USER", 0x904, 0xC},
    };
    return v;
}

}  // namespace rdpscope
