// SPDX-License-Identifier: MIT
// Where and why a connection's handshake stalled.
//
// The decision is a table of rules (verdict.cpp, kRules): each row names the
// evidence it needs, in words, and declares the causes and verdict codes it can
// give (judge() asserts a verdict is among them); the rule itself says who was
// owed the next packet and how sure the capture makes us.  Rows are tried in order and
// the first that matches decides; the order is the reviewable policy (a
// completed handshake first, so loss never hides success; definite refusals and
// alerts before loss, so loss never invents a cause; timing-based guesses last).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/connection.hpp"
#include "analyze/disconnect_codes.hpp"
#include "analyze/timeline.hpp"

namespace rdpscope {

// The vocabulary of a verdict, declared once: every cause, every verdict code
// and who can be waited on, with the names the output uses.  Wireshark's
// expert fields and Zeek's notice enum play the same part.

#define RDPSCOPE_CAUSES(X) \
    X(none)                   \
    X(packet_loss)            \
    X(firewall_drop)          \
    X(connection_refused)     \
    X(firewall_reject)        \
    X(path_mtu)               \
    X(certificate_rejection)  \
    X(server_tls_failure)     \
    X(tls_mismatch)           \
    X(protocol_mismatch)      \
    X(authentication_failure) \
    X(gateway_policy_denied)  \
    X(server_unresponsive)    \
    X(middlebox_reset)        \
    X(closed_by_client)       \
    X(closed_by_server)       \
    X(incomplete_capture)     \
    X(in_progress)

enum class Cause : std::uint8_t {
#define RDPSCOPE_X(name) name,
    RDPSCOPE_CAUSES(RDPSCOPE_X)
#undef RDPSCOPE_X
};
const char* to_string(Cause c);
std::optional<Cause> cause_from_string(std::string_view s);
const std::vector<Cause>& all_causes();

// Who owed the next packet.
#define RDPSCOPE_WAITING_ON(X) X(client) X(server) X(network)

enum class WaitingOn : std::uint8_t {
#define RDPSCOPE_X(name) name,
    RDPSCOPE_WAITING_ON(RDPSCOPE_X)
#undef RDPSCOPE_X
};
const char* to_string(WaitingOn w);
const std::vector<WaitingOn>& all_waiting_on();

// What completes the name of a code that is a family (a prefix and a value
// named by the protocol), and which values it can take.
enum class CodeParam : std::uint8_t {
    none,                  // a fixed code
    phase,                 // any Phase: "closed_during_" + to_string(Phase)
    tls_alert,             // any TLS alert description (0-255), as tls::alert_description_name
    tls_certificate_alert, // the certificate alerts: bad_certificate ... certificate_required
    neg_failure,           // an RDP_NEG_FAILURE code, MS-RDPBCGR 2.2.1.2.2, lower case without "_by_server"
    icmp_reject,           // the ICMP kinds that reject a connection (TcpIcmpKind)
};

// Every verdict code: its enumerator, its name (a family's prefix) and its
// parameter.  The output strings are exactly these names, completed for a
// family by the parameter's name.
#define RDPSCOPE_VERDICT_CODES(X)                                 \
    X(handshake_complete, none)                                   \
    X(not_rdp_listener, none)                                     \
    X(not_an_rdp_client, none)                                    \
    X(rst_answering_syn, none)                                    \
    X(icmp_, icmp_reject)                                         \
    X(syn_unanswered, none)                                       \
    X(syn_ack_dropped, none)                                      \
    X(half_open_abandoned, none)                                  \
    X(neg_failure_, neg_failure)                                  \
    X(server_selected_unrequested_protocol, none)                 \
    X(client_refused_selected_protocol, none)                     \
    X(alert_, tls_alert)                                          \
    X(client_alert_, tls_certificate_alert)                       \
    X(rst_after_client_hello, none)                               \
    X(rst_during_, phase)                                         \
    X(server_tls_setup_failed, none)                              \
    X(reset_after_client_hello, none)                             \
    X(closed_after_client_hello, none)                            \
    X(cert_expired, none)                                         \
    X(cert_not_yet_valid, none)                                   \
    X(cert_name_mismatch, none)                                   \
    X(cert_untrusted, none)                                       \
    X(large_segments_dropped, none)                               \
    X(icmp_fragmentation_needed, none)                            \
    X(client_data_blackholed, none)                               \
    X(client_hello_blackholed, none)                              \
    X(x224_request_blackholed, none)                              \
    X(early_user_authorization_denied, none)                      \
    X(ntlm_rejected, none)                                        \
    X(credssp_error, none)                                        \
    X(logon_failure, none)                                        \
    X(account_restriction, none)                                  \
    X(account_locked_out, none)                                   \
    X(account_disabled, none)                                     \
    X(account_expired, none)                                      \
    X(password_expired, none)                                     \
    X(logon_type_not_granted, none)                               \
    X(ntlm_not_allowed, none)                                     \
    X(kerberos_clock_skew, none)                                  \
    X(authz_access_denied, none)                                  \
    X(kerberos_error, none)                                       \
    X(credssp_version_policy, none)                               \
    X(credentials_rejected, none)                                 \
    X(rdstls_auth_failed, none)                                   \
    X(rdsaad_auth_failed, none)                                   \
    X(connect_initial_refused, none)                              \
    X(legacy_request_to_tls_only, none)                           \
    X(standard_security_incompatible, none)                       \
    X(started_mid_stream, none)                                   \
    X(started_mid_session, none)                                  \
    X(capture_gap, none)                                          \
    X(handshake_timeout, none)                                    \
    X(rst_after_request, none)                                    \
    X(legacy_request_refused, none)                               \
    X(probe_closed_after_confirm, none)                           \
    X(fin_after_request, none)                                    \
    X(no_connection_confirm, none)                                \
    X(capture_ended, none)                                        \
    X(handshake_moving, none)                                     \
    X(auth_only, none)                                            \
    X(closed_during_, phase)                                      \
    X(no_answer_during_, phase)                                   \
    X(stalled_unacknowledged, none)                               \
    X(waiting_for_client, none)                                   \
    X(client_blocked, none)                                       \
    X(server_denied_connection, none)                             \
    X(server_insufficient_privileges, none)                       \
    X(server_logon_timeout, none)                                 \
    X(server_fresh_credentials_required, none)                    \
    X(licensing_failed, none)                                     \
    X(broker_error, none)                                         \
    X(server_error_info, none)                                    \
    X(server_redirection, none)                                    \
    X(logon_failed_bad_password, none)                            \
    X(logon_failed_update_password, none)                         \
    X(logon_failed_other, none)                                   \
    X(logon_no_permission, none)                                  \
    X(logon_disconnect_refused, none)                             \
    X(logon_session_contention, none)                             \
    X(logon_session_terminated, none)                             \
    X(gateway_auth_refused, none)                                 \
    X(gateway_http_error, none)                                   \
    X(gateway_tunnel_refused, none)                               \
    X(gateway_cap_denied, none)                                   \
    X(gateway_rap_denied, none)                                   \
    X(gateway_target_unreachable, none)                           \
    X(gateway_channel_refused, none)                              \
    X(gateway_channel_open, none)                                 \
    X(gateway_tunnel_shape, none)                                 \
    X(gateway_udp_transport, none)                                \
    X(gateway_udp_unanswered, none)

enum class VerdictCode : std::uint8_t {
#define RDPSCOPE_X(name, param) name,
    RDPSCOPE_VERDICT_CODES(RDPSCOPE_X)
#undef RDPSCOPE_X
};
const char* to_string(VerdictCode c);  // the code's name; a family's prefix
CodeParam param_of(VerdictCode c);
const std::vector<VerdictCode>& all_verdict_codes();

// A verdict code with its parameter, when the code is a family: a Phase, a
// TLS alert description, an RDP_NEG_FAILURE code or a TcpIcmpKind.
struct VerdictId {
    VerdictCode code = VerdictCode::handshake_complete;
    std::uint32_t param = 0;
    bool operator==(const VerdictId&) const = default;
};
std::string to_string(const VerdictId& id);
// Every string a code can produce (a family: one per value of its parameter).
std::vector<std::string> expand(VerdictCode c);
// How a family's parameter reads, for documentation ("<phase>").
const char* param_placeholder(CodeParam p);
// The names of the values a family's parameter can take (for tls_alert, the
// named alerts; a number without a name reads "unknown-N"), and what they are.
std::vector<std::string> param_names(CodeParam p);
const char* param_note(CodeParam p);

enum class Confidence : std::uint8_t { high, medium, low };
const char* to_string(Confidence c);

struct EvidenceNote {
    std::uint64_t frame = 0;
    std::string note;
};

struct Verdict {
    Timeline timeline;
    std::optional<Phase> phase;       // furthest phase completed
    std::optional<Phase> stalled_at;  // null when the handshake completed
    std::optional<WaitingOn> waiting_on;
    Cause cause = Cause::none;
    VerdictId code;                   // the verdict code within the cause
    std::string verdict;              // to_string(code): the code as the output spells it
    Confidence confidence = Confidence::medium;
    std::string summary;
    std::vector<EvidenceNote> evidence;
    std::string rule;                 // the rule that decided (for review)
    // What the Windows client most likely showed (analyze/disconnect_codes.hpp),
    // for the verdicts that can tell.
    std::optional<ClientCodes> client_codes;
};

struct JudgeContext {
    std::int64_t now_ns = 0;                       // the capture's "now": its end, or the live clock
    std::int64_t stall_timeout_ns = 30'000'000'000;
    bool input_ended = true;                       // the capture is over (offline), or still running (live)
    std::uint64_t capture_drops = 0;               // packets the capture dropped while the connection was open
    // Brief: only what the groups and the counts read -- cause, code, phase,
    // stalled_at, waiting_on, confidence -- the same as in full; no summary,
    // evidence, timeline, rule name, verdict string or client codes.  For a
    // verdict whose words nobody prints (a flood's probe beyond the listing
    // budget, analyze/flood.hpp; whether a stall is held for the client).
    bool brief = false;
};

Verdict judge(const Connection& c, const JudgeContext& ctx);

// Whether the verdict now would be in_progress / waiting_for_client: the
// handshake stalled with the client owing the next packet, nothing sent left
// unacknowledged, nobody closed.  The tracker holds such a verdict for a while.
bool stall_waits_on_client(const Connection& c, const JudgeContext& ctx);

// The rules, for documentation (`rdpscope rules`, the README) and checking:
// id, the causes and verdict codes the rule can produce, and its evidence in
// words.  judge() asserts, and tests/test_verdict.cpp checks, that a verdict
// is among those its rule declares.
struct RuleInfo {
    const char* id;
    std::vector<Cause> causes;
    std::vector<VerdictCode> codes;
    const char* when;
};
// The per-connection rules (kRules), then the cross-connection rules
// (analyze/groups.hpp, cross_connection_rules()).
const std::vector<RuleInfo>& rule_table();
// The RD Gateway's rules (analyze/gateway_verdict.cpp), listed after those.
const std::vector<RuleInfo>& gateway_rules();
// The rule `rule` may decide `cause` with `code`.
bool rule_allows(std::string_view rule, Cause cause, VerdictCode code);

// What the Windows client most likely showed for a verdict, and where to look
// on the machines (analyze/client_codes.cpp, from Microsoft's tables): nullopt
// where nothing failed or the capture cannot tell.  judge() and judge_gateway()
// attach it to every verdict whose rule did not set codes of its own.
std::optional<ClientCodes> client_codes_for(Cause cause, const VerdictId& id);
// The table has an entry (codes, or an explicit "none" with its reason) for
// `code` decided with `cause`.
bool client_codes_listed(Cause cause, VerdictCode code);

}  // namespace rdpscope
