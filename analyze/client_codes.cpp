// SPDX-License-Identifier: MIT
// Every verdict's most likely Windows client disconnect codes and where to look
// on the machines (issue 15).  The codes are Microsoft's published tables
// (IMsTscAxEvents::OnDisconnected, ExtendedDisconnectReasonCode, MS-RDPBCGR
// 2.2.5.1.1; analyze/disconnect_codes.hpp names the sources); the events are
// from Microsoft's documentation of the Security log, Schannel and the Remote
// Desktop Services logs.  A main code is only ever "likely": the capture shows
// what the wire carried, not what the client's socket or security layer made
// of it.  Where Microsoft's table has no code for what happened, the entry
// says so instead of guessing one.
#include <fmt/format.h>

#include <algorithm>

#include "analyze/verdict.hpp"
#include "dissect/rdp_share.hpp"

namespace rdpscope {

namespace {

using V = VerdictCode;
using C = Cause;

// Where to look, shared by several verdicts.
constexpr std::string_view kEvFirewall =
    "the server's Windows Firewall log (pfirewall.log: DROP for TCP 3389) or Security event 5152 (the Filtering "
    "Platform blocked a packet), else the firewalls on the path";
constexpr std::string_view kEvListener =
    "on the server: whether TermService listens on the port (netstat -ano); TerminalServices-RemoteConnectionManager/"
    "Operational 258-260 (the listener started, stopped, failed); a RST from a firewall reject looks the same";
constexpr std::string_view kEvIcmp = "the router or firewall that sent the ICMP error (its address is the ICMP packet's source)";
constexpr std::string_view kEvPath =
    "no event on either machine records a drop in the path: the firewalls, IPS, NAT and VPN devices between (their "
    "drop logs); RemoteDesktopServices-RdpCoreTS/Operational 131 on the server shows whether the connection reached it";
constexpr std::string_view kEvMtu =
    "no event log records a path-MTU black hole: the MTU of VPN / tunnel links on the path (netsh interface ipv4 show "
    "subinterfaces) and whether ICMP fragmentation-needed is filtered";
constexpr std::string_view kEvServerClose =
    "on the server: RemoteDesktopServices-RdpCoreTS/Operational 131 (it accepted the connection) and the events after "
    "it; TerminalServices-RemoteConnectionManager/Operational 1006 (many incomplete connections: the server sheds them)";
constexpr std::string_view kEvMiddlebox =
    "no event on either machine (neither sent the RST): the firewall, IPS, load balancer or proxy between (its "
    "session / reset logs)";
constexpr std::string_view kEvTls =
    "the server's System log: Schannel 36874 (no cipher suite in common with the client), 36888 (the server generated "
    "a fatal alert: its alert and error state); the client's System log: Schannel 36887 (fatal alert received)";
constexpr std::string_view kEvTlsSetup =
    "the server's System log: Schannel 36870 (it cannot use its certificate's private key), 36874, 36888; "
    "TerminalServices-RemoteConnectionManager/Operational 1057 / 1058 (the RD Session Host could not create / replace "
    "its self-signed certificate)";
constexpr std::string_view kEvCert =
    "the client's System log: Schannel 36888 (the client generated a certificate alert); on the server: "
    "TerminalServices-RemoteConnectionManager/Operational 1057 / 1058 (its self-signed certificate could not be "
    "created / replaced) and the certificate RDP-Tcp uses (SSLCertificateSHA1Hash)";
constexpr std::string_view kEvCertPrompt =
    "the client's certificate prompt (the user declined it) or its 'If server authentication fails' policy; on the "
    "server: TerminalServices-RemoteConnectionManager/Operational 1057 / 1058 (its self-signed certificate could not "
    "be created / replaced) and the certificate RDP-Tcp uses";
constexpr std::string_view kEvNegotiation =
    "the server's RDP-Tcp settings (SecurityLayer, UserAuthentication: NLA) against the client's; "
    "RemoteDesktopServices-RdpCoreTS/Operational on the server";
constexpr std::string_view kEvNegCert =
    "the server has no usable TLS certificate: TerminalServices-RemoteConnectionManager/Operational 1057 / 1058, "
    "Schannel 36870 in its System log";
constexpr std::string_view kEvStandardSecurity =
    "the server's RDP-Tcp security settings (SecurityLayer, MinEncryptionLevel, the FIPS policy) and "
    "RemoteDesktopServices-RdpCoreTS/Operational";
constexpr std::string_view kEvLogon =
    "the server's Security log: 4625 (an account failed to log on) with Status 0xC000006D and Sub Status 0xC000006A "
    "(wrong password) or 0xC0000064 (no such user), 0xC0000234 (locked out), 0xC0000072 (disabled); "
    "RemoteDesktopServices-RdpCoreTS/Operational 140 (the user name or password is not correct); on a domain the "
    "DC's 4776 (NTLM) / 4771 (Kerberos pre-authentication)";
constexpr std::string_view kEvRdstls =
    "the target session host's Security log: 4625 (the redirected logon failed, with its status); the Connection "
    "Broker's Microsoft-Windows-TerminalServices-SessionBroker logs (the redirection that issued the cookie)";
constexpr std::string_view kEvRdsaad =
    "the host's Security log: 4625; its Microsoft-Windows-AAD/Operational log (the token or nonce check); the user's "
    "Entra ID sign-in log (Conditional Access, the 'Virtual Machine User Login' role)";
constexpr std::string_view kEvCredsspVersion =
    "the 'Encryption Oracle Remediation' policy (CredSSP) on client and server and their CredSSP updates; the "
    "server's Security log (4625) for the logon";
constexpr std::string_view kEvAuthz =
    "the server's Security log: 4624 (the network logon of NLA) then 4825 (a user was denied access to Remote "
    "Desktop: not in Remote Desktop Users, or without 'Allow log on through Remote Desktop Services')";
constexpr std::string_view kEvKerberos =
    "the domain controller's Security log: 4768 (a TGT requested) / 4769 (a service ticket requested) with their "
    "Result Code, 4771 (Kerberos pre-authentication failed) with its Failure Code";
constexpr std::string_view kEvClientClose =
    "the client: its Microsoft-Windows-TerminalServices-RDPClient/Operational 1026 records the reason it "
    "disconnected; nothing on the server";
constexpr std::string_view kEvGateway =
    "the gateway's Microsoft-Windows-TerminalServices-Gateway/Operational log (connection and resource authorization "
    "policy results) and its Security log (4625 for a refused logon)";
constexpr std::string_view kEvBroker = "the Connection Broker's Microsoft-Windows-TerminalServices-SessionBroker logs";

struct Entry {
    VerdictCode code;
    std::optional<Cause> cause;  // only for this cause (a code that two causes share)
    bool applies;                // false: nothing ended in failure, or the capture cannot tell
    std::optional<std::uint32_t> main;
    std::vector<std::uint32_t> also;
    std::string_view events;
    std::string_view note;
};

constexpr std::string_view kErrinfoNote =
    "the server's Set Error Info names the reason: its ERRINFO is the extended code, the client's socket then sees "
    "the server's close";
constexpr std::string_view kLogonErrorNote =
    "the server's Save Session Info names the logon error (MS-RDPBCGR 2.2.10.1.1.4.1.1); mstsc reports it through "
    "IMsTscAxEvents::OnLogonError (LOGON_FAILED_BAD_PASSWORD 0, LOGON_FAILED_UPDATE_PASSWORD 1, LOGON_FAILED_OTHER 2, "
    "ARBITRATION_CODE_* for the LOGON_MSG_* dialogs), not as a disconnect code: the disconnect code is the close "
    "that follows, the server's (0x904) or the user's at the logon screen (0x1)";
constexpr std::string_view kEvSessions =
    "on the server: TerminalServices-LocalSessionManager/Operational (the sessions, who is logged on, 24 / 25 "
    "disconnect and reconnect) and the Security log (4624 / 4625, 4778 / 4779 session reconnected / disconnected)";
constexpr std::string_view kGatewayNote =
    "the client shows the gateway's own error message; Microsoft's disconnect-code table has no code for it";

const std::vector<Entry>& entries() {
    static const std::vector<Entry> t = {
        {V::handshake_complete, {}, false, {}, {}, "", "the handshake completed: `session_end` says how the session ended"},
        // TCP never up: connect() fails.
        {V::rst_answering_syn, {}, true, 0x204, {}, kEvListener, "connect() fails: the connection was refused"},
        {V::icmp_, {}, true, 0x204, {}, kEvIcmp, "connect() fails: the network said unreachable / prohibited"},
        {V::syn_unanswered, {}, true, 0x204, {0x108}, kEvFirewall,
         "connect() fails after its SYN retries (WSAETIMEDOUT)"},
        {V::syn_ack_dropped, {}, true, 0x204, {0x108}, kEvPath,
         "connect() fails after its SYN retries: the server's SYN-ACKs never reach the client"},
        {V::half_open_abandoned, {}, false, {}, {}, "",
         "no Remote Desktop client waited on this connection (a spoofed source address or a half-open scanner)"},
        {V::client_blocked, {}, true, 0x204, {0x108}, kEvFirewall,
         "the later attempts' connect() fails; the cut connections time out"},
        // TCP up, then no answer or not RDP.
        {V::not_rdp_listener, {}, true, 0x904, {0x108}, kEvListener,
         "something other than Remote Desktop answers on the port and closes (or never answers)"},
        {V::not_an_rdp_client, {}, false, {}, {}, "RemoteDesktopServices-RdpCoreTS/Operational 131 on the server",
         "the client is no Remote Desktop client"},
        {V::x224_request_blackholed, {}, true, 0x108, {0x904}, kEvPath, "the client's data never arrives"},
        {V::client_hello_blackholed, {}, true, 0x108, {0x904}, kEvPath, "the client's data never arrives"},
        {V::client_data_blackholed, {}, true, 0x108, {0x904}, kEvPath, "the client's data never arrives"},
        {V::no_connection_confirm, {}, true, 0x108, {0x904}, kEvServerClose, "the server never answers the X.224 request"},
        {V::rst_after_request, {}, true, 0x904, {0x404}, kEvServerClose, "the server resets instead of answering"},
        {V::fin_after_request, {}, true, 0x904, {}, kEvServerClose, "the server closes instead of answering"},
        {V::legacy_request_refused, {}, true, 0x904, {0x404}, kEvStandardSecurity,
         "the server resets or closes a request without RDP_NEG_REQ (a pre-Vista client's, or a scanner's)"},
        {V::probe_closed_after_confirm, {}, false, {}, {}, "",
         "a probe, not a person's Remote Desktop client: it got the answer it asked for and left"},
        {V::handshake_timeout, {}, true, 0x108, {0x904}, kEvPath, "loss stalls the handshake until a side gives up"},
        {V::no_answer_during_, {}, true, 0x108, {0x904}, kEvServerClose, "the server owes the next packet and never sends it"},
        {V::stalled_unacknowledged, {}, true, 0x108, {0x904}, kEvPath, "data sent and never acknowledged"},
        {V::large_segments_dropped, {}, true, 0x108, {0x904}, kEvMtu, "large segments vanish: the handshake stalls"},
        {V::icmp_fragmentation_needed, {}, true, 0x108, {0x904}, kEvMtu, "large segments vanish: the handshake stalls"},
        {V::rst_after_client_hello, {}, true, 0x904, {0x404}, kEvMiddlebox, "a reset the client's socket reports as closed"},
        {V::rst_during_, {}, true, 0x904, {0x404}, kEvMiddlebox, "a reset the client's socket reports as closed"},
        // Negotiation.
        {V::neg_failure_, {}, true, {}, {}, kEvNegotiation,
         "the client reads the RDP_NEG_FAILURE code and shows a message for it (e.g. the server requires Network Level "
         "Authentication); Microsoft's table has no disconnect code for it"},
        {V::server_selected_unrequested_protocol, {}, true, 0x606, {0x406}, kEvNegotiation,
         "the client refuses the security protocol the server selected"},
        {V::client_refused_selected_protocol, {}, true, 0x406, {0x606}, kEvNegotiation,
         "the client refuses the security protocol the server selected"},
        {V::legacy_request_to_tls_only, {}, true, 0x904, {}, kEvStandardSecurity,
         "the server ends a connection that cannot negotiate the security it requires"},
        {V::connect_initial_refused, {}, true, 0x904, {}, kEvStandardSecurity, "the server closes at the Connect Initial"},
        {V::standard_security_incompatible, {}, true, 0x904, {0x506}, kEvStandardSecurity,
         "the server closes after the Client Info (an encryption level or method it refuses)"},
        // TLS.
        {V::alert_, {}, true, 0x906, {0x904}, kEvTls, "the TLS handshake fails in the client's security layer"},
        {V::server_tls_setup_failed, {}, true, 0x904, {0x906}, kEvTlsSetup, "the server cannot set up TLS and closes"},
        {V::reset_after_client_hello, {}, true, 0x904, {0x906}, kEvTlsSetup, "the server resets after the ClientHello"},
        {V::closed_after_client_hello, {}, true, 0x904, {0x906}, kEvTlsSetup, "the server closes after the ClientHello"},
        {V::client_alert_, {}, true, 0x906, {0x1}, kEvCert,
         "the client refuses the certificate itself; Microsoft's table names only the expired certificate "
         "(SSL_ERR_CERT_EXPIRED)"},
        {V::cert_expired, {}, true, 0x1B07, {0x1}, kEvCertPrompt, "the certificate has expired"},
        {V::cert_not_yet_valid, {}, true, 0x1, {0x906}, kEvCertPrompt,
         "the user (or policy) declined the certificate: a local disconnection"},
        {V::cert_name_mismatch, {}, true, 0x1, {0x906}, kEvCertPrompt,
         "the user (or policy) declined the certificate: a local disconnection"},
        {V::cert_untrusted, {}, true, 0x1, {0x906}, kEvCertPrompt,
         "the user (or policy) declined the certificate: a local disconnection"},
        // NLA.
        {V::early_user_authorization_denied, {}, true, 0x904, {}, kEvAuthz,
         "the server's Early User Authorization Result denies the user, then it closes"},
        {V::authz_access_denied, {}, true, 0x904, {}, kEvAuthz,
         "the server's Early User Authorization Result denies the user, then it closes"},
        {V::ntlm_rejected, {}, true, 0x807, {}, kEvLogon, "the server refuses the credentials"},
        {V::credssp_error, {}, true, 0x807, {0xC07, 0xD07, 0xB07, 0xE07, 0xF07, 0x1207}, kEvLogon,
         "an errorCode the keys would name; without them the failed logon is the likeliest"},
        {V::logon_failure, {}, true, 0x807, {}, kEvLogon, "the server refuses the credentials"},
        {V::credentials_rejected, {}, true, 0x807, {}, kEvLogon, "the server refuses the credentials"},
        {V::rdstls_auth_failed, {}, true, 0x807, {0x904}, kEvRdstls,
         "the target refuses the redirected credentials (an encrypted RDSTLS ResultCode); Microsoft's table has no "
         "closer code than SSL_ERR_LOGON_FAILURE"},
        {V::rdsaad_auth_failed, {}, true, 0x807, {0x904}, kEvRdsaad,
         "the host refuses the Entra ID sign-in (an encrypted authentication_result); Microsoft's table has no closer "
         "code than SSL_ERR_LOGON_FAILURE"},
        {V::credssp_version_policy, {}, true, 0x807, {}, kEvCredsspVersion,
         "the client and server's CredSSP versions and policy disagree; Microsoft's table has no closer code than "
         "SSL_ERR_LOGON_FAILURE"},
        {V::account_restriction, {}, true, 0xC07, {}, kEvLogon, "STATUS_ACCOUNT_RESTRICTION"},
        {V::account_locked_out, {}, true, 0xD07, {}, kEvLogon, "STATUS_ACCOUNT_LOCKED_OUT"},
        {V::account_disabled, {}, true, 0xB07, {}, kEvLogon, "STATUS_ACCOUNT_DISABLED"},
        {V::account_expired, {}, true, 0xE07, {}, kEvLogon, "STATUS_ACCOUNT_EXPIRED"},
        {V::password_expired, {}, true, 0xF07, {0x1207}, kEvLogon, "STATUS_PASSWORD_EXPIRED / STATUS_PASSWORD_MUST_CHANGE"},
        {V::logon_type_not_granted, {}, true, 0x807, {}, kEvLogon,
         "Microsoft's table has no code closer to a missing logon right than SSL_ERR_LOGON_FAILURE"},
        {V::ntlm_not_allowed, {}, true, 0x807, {0x1707}, kEvLogon, "the server refuses NTLM"},
        {V::kerberos_clock_skew, {}, true, 0x807, {0x1807}, kEvKerberos, "Kerberos refuses the clocks' difference"},
        {V::kerberos_error, {}, true, 0x807, {0xA07, 0xD07, 0xB07, 0xF07, 0x1807}, kEvKerberos,
         "the KDC refuses the user; its error code picks among the SSL_ERR codes"},
        // The server's Set Error Info (the rule sets the codes from the ERRINFO read).
        {V::server_denied_connection, {}, true, 0x904, {}, "", kErrinfoNote},
        {V::server_insufficient_privileges, {}, true, 0x904, {}, "", kErrinfoNote},
        {V::server_logon_timeout, {}, true, 0x904, {}, "", kErrinfoNote},
        {V::server_fresh_credentials_required, {}, true, 0x904, {}, "", kErrinfoNote},
        {V::licensing_failed, {}, true, 0x904, {}, "", kErrinfoNote},
        {V::broker_error, {}, true, 0x904, {}, "", kErrinfoNote},
        {V::server_error_info, {}, true, 0x904, {}, "", kErrinfoNote},
        {V::server_redirection, {}, false, {}, {}, kEvBroker, "the client follows the redirection to the target"},
        // The server's logon error (Save Session Info): the rule picks 0x904 or 0x1 by who closed.
        {V::logon_failed_bad_password, {}, true, 0x1, {0x904}, kEvLogon, kLogonErrorNote},
        {V::logon_failed_update_password, {}, true, 0x1, {0x904}, kEvLogon, kLogonErrorNote},
        {V::logon_failed_other, {}, true, 0x1, {0x904}, kEvLogon, kLogonErrorNote},
        {V::logon_no_permission, {}, true, 0x904, {0x1}, kEvAuthz, kLogonErrorNote},
        {V::logon_disconnect_refused, {}, true, 0x904, {0x1}, kEvSessions, kLogonErrorNote},
        {V::logon_session_contention, {}, true, 0x904, {0x1}, kEvSessions, kLogonErrorNote},
        {V::logon_session_terminated, {}, true, 0x904, {0x1}, kEvSessions, kLogonErrorNote},
        // Closed with no fault evidence.
        {V::auth_only, {}, false, {}, {}, "", "the client only checked the credentials and ended it itself"},
        {V::closed_during_, C::closed_by_server, true, 0x904, {}, kEvServerClose, "the server closed the connection"},
        {V::closed_during_, C::closed_by_client, true, 0x1, {}, kEvClientClose,
         "the client ended it: the user cancelled, or the client hit an error of its own"},
        {V::closed_during_, C::in_progress, false, {}, {}, "", "the connection had not ended when the capture did"},
        {V::closed_during_, C::incomplete_capture, false, {}, {}, "", "the capture misses part of the connection"},
        // Nothing ended, or the capture cannot tell.
        {V::started_mid_stream, {}, false, {}, {}, "", "the capture misses the connection's start"},
        {V::started_mid_session, {}, false, {}, {}, "", "the capture misses the connection's start"},
        {V::capture_gap, {}, false, {}, {}, "", "the capture misses handshake bytes"},
        {V::capture_ended, {}, false, {}, {}, "", "the connection was still moving when the capture ended"},
        {V::handshake_moving, {}, false, {}, {}, "", "the connection was still moving when the capture ended"},
        {V::waiting_for_client, {}, false, {}, {}, "", "the client owes the next packet (a person at a prompt?)"},
        // RD Gateway (its client messages are not disconnect codes of this table).
        {V::gateway_auth_refused, {}, true, {}, {}, kEvGateway, kGatewayNote},
        {V::gateway_http_error, {}, true, {}, {}, kEvGateway, kGatewayNote},
        {V::gateway_tunnel_refused, {}, true, {}, {}, kEvGateway, kGatewayNote},
        {V::gateway_cap_denied, {}, true, {}, {}, kEvGateway, kGatewayNote},
        {V::gateway_rap_denied, {}, true, {}, {}, kEvGateway, kGatewayNote},
        {V::gateway_target_unreachable, {}, true, {}, {}, kEvGateway, kGatewayNote},
        {V::gateway_channel_refused, {}, true, {}, {}, kEvGateway, kGatewayNote},
        {V::gateway_channel_open, {}, false, {}, {}, "", "the gateway reached the target"},
        {V::gateway_tunnel_shape, {}, false, {}, {}, "",
         "without keys the gateway's answers cannot be read; the tunnel carried data both ways, as a working one does"},
        {V::gateway_udp_transport, {}, false, {}, {}, "",
         "the DTLS of the gateway's UDP transport is not decrypted: what it carried cannot be read"},
        {V::gateway_udp_unanswered, {}, false, {}, {}, "",
         "the client falls back to the gateway's HTTP transport: the session goes on without UDP"},
    };
    return t;
}

const Entry* find_entry(Cause cause, VerdictCode code) {
    const Entry* any = nullptr;
    for (const auto& e : entries()) {
        if (e.code != code) continue;
        if (e.cause == cause) return &e;
        if (!e.cause && !any) any = &e;
    }
    return any;
}

constexpr std::uint8_t kAlertCertificateExpired = 45;          // RFC 5246 7.2
constexpr std::uint32_t kNegSslCertNotOnServer = 0x00000003;  // MS-RDPBCGR 2.2.1.2.2

}  // namespace

ClientCodes client_codes_for_logon_error(VerdictCode code, bool server_closed) {
    ClientCodes c;
    const Entry* e = find_entry(Cause::authentication_failure, code);
    if (e) {
        c.events = e->events;
        c.note = e->note;
    }
    c.main = server_closed ? 0x904u : 0x1u;  // disconnectReasonAtClientWinsockFDCLOSE / disconnectReasonLocalNotError
    c.also = {server_closed ? 0x1u : 0x904u};
    c.main_likely = true;
    return c;
}

bool client_codes_listed(Cause cause, VerdictCode code) { return find_entry(cause, code) != nullptr; }

std::optional<ClientCodes> client_codes_for(Cause cause, const VerdictId& id) {
    // Nothing failed, or the capture cannot tell: no code to name.
    if (cause == C::none || cause == C::in_progress || cause == C::incomplete_capture) return std::nullopt;
    const Entry* e = find_entry(cause, id.code);
    if (!e || !e->applies) return std::nullopt;
    ClientCodes c;
    c.main = e->main;
    c.also = e->also;
    c.events = e->events;
    c.note = e->note;
    c.main_likely = true;
    if (id.code == V::client_alert_ && id.param == kAlertCertificateExpired) {
        c.main = 0x1B07;  // SSL_ERR_CERT_EXPIRED
        c.also = {0x906};
        c.note = "the client refuses the expired certificate itself";
    }
    if (id.code == V::neg_failure_ && id.param == kNegSslCertNotOnServer) c.events = kEvNegCert;
    if (e->events.empty()) c.events = kEvServerClose;
    return c;
}

const std::vector<VerdictCodes>& verdict_codes() {
    static const std::vector<VerdictCodes> v = [] {
        std::vector<VerdictCodes> out;
        for (const auto& e : entries()) {
            if (!e.applies) continue;
            // The Set Error Info verdicts: their typical ERRINFO (the rule reads the real one).
            std::optional<std::uint32_t> ext;
            switch (e.code) {
                case V::server_denied_connection: ext = 0x7; break;
                case V::server_insufficient_privileges: ext = 0x9; break;
                case V::server_logon_timeout: ext = 0x4; break;
                case V::server_fresh_credentials_required: ext = 0xA; break;
                case V::licensing_failed: ext = 0x102; break;
                case V::broker_error: ext = 0x400; break;
                default: break;
            }
            std::string name = std::string(to_string(e.code)) + param_placeholder(param_of(e.code));
            if (e.cause) name = std::string(to_string(*e.cause)) + " / " + name;
            const bool errinfo = ext || e.code == V::server_error_info;
            const auto cc = client_codes_for_errinfo(ext.value_or(0x1));
            out.push_back({name, e.main, ext, e.also, errinfo ? cc.events : e.events, errinfo ? cc.note : e.note});
        }
        out.push_back({"client_alert_certificate_expired", 0x1B07, {}, {0x906}, kEvCert,
                       "the client refuses the expired certificate itself"});
        for (std::uint32_t x : {0xBu, 0xCu}) {
            const auto cc = client_codes_for_errinfo(x);
            out.push_back({fmt::format("session_end: Set Error Info {}", share::errinfo_name(x)), cc.main, x, {},
                           cc.events, cc.note});
        }
        return out;
    }();
    return v;
}

}  // namespace rdpscope
