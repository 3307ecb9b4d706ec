// SPDX-License-Identifier: MIT
#include "analyze/disconnect_codes.hpp"

namespace rdpscope {

const std::vector<MainDisconnectCode>& main_disconnect_codes() {
    // IMsTscAxEvents::OnDisconnected: every code with Microsoft's name and
    // description; on_wire for the codes a verdict names (analyze/client_codes.cpp).
    static const std::vector<MainDisconnectCode> codes = {
        {0x0, "disconnectReasonNoInfo", "No information is available", ""},
        {0x1, "disconnectReasonLocalNotError", "Local disconnection (not an error code)",
         "the client closes by itself with no fault before it: the user cancelled or declined a prompt"},
        {0x2, "disconnectReasonRemoteByUser", "Remote disconnection by user (not an error code)", ""},
        {0x3, "disconnectReasonByServer", "Remote disconnection by server (not an error code)",
         "the server's Disconnect Provider Ultimatum, then its close"},
        {0x104, "disconnectReasonDNSLookupFailed", "DNS name lookup failure", "no TCP connection at all: DNS only"},
        {0x106, "disconnectReasonOutOfMemory", "Out of memory", ""},
        {0x108, "disconnectReasonConnectionTimedOut", "Connection timed out",
         "a handshake that stalls with the server owing the next packet (no answer, loss, a black hole)"},
        {0x204, "disconnectReasonSocketConnectFailed", "Windows Sockets connect failed",
         "the SYN answered by a RST or an ICMP unreachable, or never answered (connect() fails)"},
        {0x206, "disconnectReasonOutOfMemory2", "Out of memory", ""},
        {0x208, "disconnectReasonHostNotFound", "Host not found error", ""},
        {0x304, "disconnectReasonWinsockSendFailed", "Windows Sockets send call failed", ""},
        {0x306, "disconnectReasonOutOfMemory3", "Out of memory", ""},
        {0x308, "disconnectReasonInvalidIPAddr", "The IP address specified is not valid", ""},
        {0x404, "disconnectReasonSocketRecvFailed", "Windows Sockets recv call failed",
         "a RST during the handshake (recv fails with a reset connection)"},
        {0x406, "disconnectReasonInvalidSecurityData", "Security data is not valid",
         "the client refuses the security protocol the server selected"},
        {0x408, "disconnectReasonInternalError", "Internal error", ""},
        {0x506, "disconnectReasonInvalidEncryption", "The encryption method specified is not valid",
         "standard RDP security: the server refuses the client's encryption methods"},
        {0x508, "disconnectReasonDNSLookupFailed2", "DNS lookup failed", ""},
        {0x604, "disconnectReasonGetHostByNameFailed", "Windows Sockets gethostbyname call failed", ""},
        {0x606, "disconnectReasonInvalidServerSecurityInfo", "Server security data is not valid",
         "the server selected a security protocol the client did not request"},
        {0x608, "disconnectReasonTimerError", "Internal timer error", ""},
        {0x704, "disconnectReasonTimeoutOccurred", "Time-out occurred", ""},
        {0x706, "disconnectReasonServerCertificateUnpackErr", "Failed to unpack server certificate",
         "standard RDP security: a server certificate the client cannot read"},
        {0x804, "disconnectReasonInvalidIP", "Bad IP address specified", ""},
        {0x807, "SSL_ERR_LOGON_FAILURE", "Login failed",
         "NLA: the server refuses the credentials (a CredSSP errorCode, or its close during CredSSP)"},
        {0x808, "disconnectReasonLicensingFailed", "License negotiation failed", ""},
        {0x904, "disconnectReasonAtClientWinsockFDCLOSE", "Socket closed",
         "the server's FIN or RST during or after the handshake (after a Set Error Info, an alert, a refusal)"},
        {0x906, "disconnectReasonInternalSecurityError", "Internal security error",
         "the TLS handshake fails: an alert, a certificate the client refuses"},
        {0x908, "disconnectReasonLicensingTimeout", "Licensing time-out", ""},
        {0xA06, "disconnectReasonInternalSecurityError2", "Internal security error", ""},
        {0xA07, "SSL_ERR_NO_SUCH_USER", "The specified user has no account", "NLA: the KDC or server does not know the user"},
        {0xB06, "disconnectReasonEncryptionError", "Encryption error", ""},
        {0xB07, "SSL_ERR_ACCOUNT_DISABLED", "The account is disabled", "NLA: errorCode STATUS_ACCOUNT_DISABLED"},
        {0xC06, "disconnectReasonDecryptionError", "Decryption error", ""},
        {0xC07, "SSL_ERR_ACCOUNT_RESTRICTION", "The account is restricted", "NLA: errorCode STATUS_ACCOUNT_RESTRICTION"},
        {0xC08, "disconnectReasonClientDecompressionError", "Decompression error", ""},
        {0xD07, "SSL_ERR_ACCOUNT_LOCKED_OUT", "The account is locked out", "NLA: errorCode STATUS_ACCOUNT_LOCKED_OUT"},
        {0xE07, "SSL_ERR_ACCOUNT_EXPIRED", "The account is expired", "NLA: errorCode STATUS_ACCOUNT_EXPIRED"},
        {0xF07, "SSL_ERR_PASSWORD_EXPIRED", "The password is expired", "NLA: errorCode STATUS_PASSWORD_EXPIRED"},
        {0x1207, "SSL_ERR_PASSWORD_MUST_CHANGE", "The user password must be changed before logging on for the first time",
         "NLA: errorCode STATUS_PASSWORD_MUST_CHANGE"},
        {0x1607, "SSL_ERR_DELEGATION_POLICY", "The policy does not support delegation of credentials to the target server", ""},
        {0x1707, "SSL_ERR_POLICY_NTLM_ONLY",
         "Delegation of credentials to the target server is not allowed unless mutual authentication has been achieved",
         "NLA over NTLM refused where the policy wants Kerberos"},
        {0x1807, "SSL_ERR_NO_AUTHENTICATING_AUTHORITY", "No authority could be contacted for authentication",
         "NLA: Kerberos fails (no KDC, clock skew, a trust)"},
        {0x1B07, "SSL_ERR_CERT_EXPIRED", "The received certificate is expired",
         "an expired server certificate the client refuses"},
        {0x1C07, "SSL_ERR_SMARTCARD_WRONG_PIN", "An incorrect PIN was presented to the smart card", ""},
        {0x2107, "SSL_ERR_FRESH_CRED_REQUIRED_BY_SERVER",
         "The server authentication policy does not allow connection requests using saved credentials", ""},
        {0x2207, "SSL_ERR_SMARTCARD_CARD_BLOCKED", "The smart card is blocked", ""},
    };
    return codes;
}

const MainDisconnectCode* find_main_code(std::uint32_t code) {
    for (const auto& c : main_disconnect_codes())
        if (c.code == code) return &c;
    return nullptr;
}

std::string_view extended_code_name(std::uint32_t code) {
    // ExtendedDisconnectReasonCode enumeration.  (Its syntax block lists
    // exDiscReasonLogoffByUser as 2, a slip: the value is 12, as
    // ERRINFO_LOGOFF_BY_USER 0x0000000C in MS-RDPBCGR 2.2.5.1.1.)
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
        case 267: return "exDiscReasonLicenseCreatingLicStoreAccDenied";
        case 768: return "exDiscReasonRdpEncInvalidCredentials";
        default: return "";
    }
}

ClientCodes client_codes_for_errinfo(std::uint32_t errinfo) {
    ClientCodes c;
    c.main = 0x904;  // the server closes the socket after its Set Error Info (MS-RDPBCGR 3.3.5.7.1: it MUST disconnect)
    c.extended = errinfo;
    c.main_likely = true;
    c.note = "the server's Set Error Info names the reason (the extended code); the client's socket then sees the "
             "server's close";
    if (errinfo >= 0x100 && errinfo <= 0x10A)
        c.events = "the server's RD Licensing events (TerminalServices-Licensing) and the licensing mode / server it is configured with";
    else if (errinfo >= 0x400 && errinfo <= 0x412)
        c.events = "the Connection Broker's event log (Microsoft-Windows-TerminalServices-SessionBroker)";
    else if (errinfo == 0x9)
        c.events = "the server's Security log: 4825 (a user was denied access to Remote Desktop: not in Remote Desktop "
                   "Users, or without 'Allow log on through Remote Desktop Services')";
    else
        c.events = "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational (events 131, 140) and "
                   "TerminalServices-LocalSessionManager/Operational on the server; the Security log (4624/4625) for the logon";
    return c;
}

ClientCodes client_codes_for_status(std::uint32_t status) {
    // NTSTATUS (MS-ERREF 2.3.1) / SECURITY_STATUS (MS-ERREF 2.1) of the
    // TSRequest errorCode -> the SSL_ERR_* code of IMsTscAxEvents::OnDisconnected
    // whose description matches; the Security log's 4625 carries the same
    // NTSTATUS as its Status / Sub Status.
    ClientCodes c;
    c.main_likely = true;
    switch (status) {
        case 0xC000006E: case 0xC000006F: case 0xC0000070:
            c.main = 0xC07;  // SSL_ERR_ACCOUNT_RESTRICTION
            c.events = "the server's Security log: 4625 with Status 0xC000006E and Sub Status 0xC000006F (logon hours), "
                       "0xC0000070 (workstation) or 0xC000006E (a restriction such as Protected Users over NTLM)";
            break;
        case 0xC0000234:
            c.main = 0xD07;  // SSL_ERR_ACCOUNT_LOCKED_OUT
            c.events = "the server's Security log: 4625 with Status 0xC0000234; on a domain the DC's 4740 (account locked "
                       "out) names the caller that locked it";
            break;
        case 0xC0000072:
            c.main = 0xB07;  // SSL_ERR_ACCOUNT_DISABLED
            c.events = "the server's Security log: 4625 with Sub Status 0xC0000072 (account disabled)";
            break;
        case 0xC0000193:
            c.main = 0xE07;  // SSL_ERR_ACCOUNT_EXPIRED
            c.events = "the server's Security log: 4625 with Sub Status 0xC0000193 (account expired)";
            break;
        case 0xC0000071:
            c.main = 0xF07;  // SSL_ERR_PASSWORD_EXPIRED
            c.events = "the server's Security log: 4625 with Sub Status 0xC0000071 (password expired)";
            break;
        case 0xC0000224:
            c.main = 0x1207;  // SSL_ERR_PASSWORD_MUST_CHANGE
            c.events = "the server's Security log: 4625 with Sub Status 0xC0000224 (password must change)";
            break;
        case 0xC0000064:
            c.main = 0x807;  // SSL_ERR_LOGON_FAILURE (SSL_ERR_NO_SUCH_USER where Kerberos says so)
            c.also = {0xA07};
            c.events = "the server's Security log: 4625 with Status 0xC000006D and Sub Status 0xC0000064 (no such user); "
                       "RemoteDesktopServices-RdpCoreTS/Operational 140";
            break;
        case 0xC000015B:
            c.main = 0x807;
            c.events = "the server's Security log: 4625 with Status 0xC000015B (the logon type, Remote Desktop, not "
                       "granted: 'Allow / Deny log on through Remote Desktop Services')";
            c.note = "Microsoft's table has no code closer to a missing logon right than SSL_ERR_LOGON_FAILURE";
            break;
        case 0x80090302:
            c.main = 0x807;
            c.also = {0x1707};
            c.events = "the server's Security log: 4625 (Authentication Package NTLM); the NTLM restriction policies "
                       "(Network security: Restrict NTLM) on the server and the domain";
            c.note = "SEC_E_UNSUPPORTED_FUNCTION: the client names it an authentication error";
            break;
        case 0x80090324: case 0xC0000133:
            c.main = 0x807;
            c.also = {0x1807};
            c.events = "the server's Security log: 4625 with Sub Status 0xC0000133 (clocks out of sync); the DC's 4771 "
                       "with Failure Code 0x25 (KRB_AP_ERR_SKEW)";
            break;
        default:
            c.main = 0x807;  // SSL_ERR_LOGON_FAILURE: 0xC000006D, 0xC000006A, 0x8009030C and the rest
            c.events = "the server's Security log: 4625 with Status 0xC000006D and Sub Status 0xC000006A (wrong password) "
                       "or 0xC0000064 (no such user); RemoteDesktopServices-RdpCoreTS/Operational 140 (the user name or "
                       "password is not correct); on a domain the DC's 4776 (NTLM) / 4771 (Kerberos pre-authentication)";
            break;
    }
    return c;
}

}  // namespace rdpscope
