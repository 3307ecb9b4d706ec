// SPDX-License-Identifier: MIT
// Code tables for the RDP handshake: numeric codes on the wire -> names.
//
// Where Zeek logs a field (rdp.log), the name is spelled the way Zeek writes
// it, including its fallback for unknown codes ("encryption_method-9"), so
// our output can be compared with Zeek's baselines line by line.  Elsewhere
// the names are the identifiers of the specification that defines the code
// (T.125 Result / Reason, MS-RDPBCGR flag names, MS-RDPEUDP flag names).
//
// Pure lookups: no state, no I/O.  Functions returning std::string build a
// fallback for unknown codes; those returning std::string_view return "" for
// an unknown code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rdpscope::names {

// --- Standard RDP security (MS-RDPBCGR 2.2.1.3.3 / 2.2.1.4.3) --------------

// encryptionMethod as the server selects it: 0 None, 1 40bit, 2 128bit,
// 8 56bit, 0x10 FIPS.  (Zeek's table keys FIPS as 10 decimal, a typo for the
// spec's 0x10; we follow the spec, so 0x10 -> "FIPS".)
std::string encryption_method(std::uint32_t method);
// The client's encryptionMethods bit mask -> the names of the bits set, in
// bit order ("40bit", "128bit", "56bit", "FIPS"); unknown bits as "0x...".
std::vector<std::string> encryption_method_flags(std::uint32_t methods);
// encryptionLevel: None, Low, Client compatible, High, FIPS.
std::string encryption_level(std::uint32_t level);
// SERVER_CERTIFICATE dwVersion & 0x7fffffff: 1 "RSA" (proprietary), 2 "X.509".
std::string cert_type(std::uint32_t cert_chain_version);

// --- Client core data (MS-RDPBCGR 2.2.1.3.2) -------------------------------

// Zeek's client_build names (RDP 5.1 for 2600, RDP 6.0 for 6000, RDP 8.1 for
// 9600...), "client_build-N" otherwise.
std::string client_build(std::uint32_t build);
// The version field: RDP_VERSION_4 "RDP 4.0", RDP_VERSION_5_PLUS "RDP 5.0+",
// RDP_VERSION_10_0..10_12 "RDP 10.0".."RDP 10.12"; "" otherwise.
std::string_view rdp_version(std::uint32_t version);
// Exact KLID lookup in the Windows keyboard-layout table; "" if absent.
std::string_view keyboard_layout_exact(std::uint32_t klid);
// What Zeek logs as keyboard_layout: the exact name; else, when the low 16
// bits (the language id) name a layout, "<name> (Best Guess for <decimal>)";
// else "keyboard-<decimal>".
std::string keyboard_layout(std::uint32_t klid);
// An effective colour depth in bits -> "16bit" etc.
std::string color_depth_bits(unsigned bits);
// highColorDepth as Zeek logs it: 4/8/15/16/24 -> "Nbit", else "high_color_depth-N".
std::string high_color_depth(std::uint16_t value);
// The names of the earlyCapabilityFlags bits set (RNS_UD_CS_*).
std::vector<std::string_view> early_capability_flags(std::uint16_t flags);
// connectionType (CONNECTION_TYPE_*), "" if unknown.
std::string_view connection_type(std::uint8_t type);
// CHANNEL_DEF options bits set (CHANNEL_OPTION_*).
std::vector<std::string_view> channel_options(std::uint32_t options);

// --- MCS (T.125) and GCC (T.124) --------------------------------------------

// T.125 Result (7 part 1): "rt-successful" ... "rt-user-rejected"; "" if > 15.
std::string_view mcs_result(std::uint64_t result);
// T.125 Reason (7 part 3): "rn-domain-disconnected" ... "rn-channel-purged".
std::string_view mcs_reason(std::uint8_t reason);
// T.125 DataPriority: top, high, medium, low.
std::string_view mcs_priority(std::uint8_t priority);
// ConferenceCreateResponse result as Zeek logs it ("Success", "User rejected"...,
// "result-N" otherwise).
std::string gcc_result(std::uint8_t result);

// --- Security header and licensing (MS-RDPBCGR 2.2.8.1.1.2.1, 2.2.1.12) ----

// Names of the TS_SECURITY_HEADER flags set (SEC_EXCHANGE_PKT, SEC_ENCRYPT ...).
std::vector<std::string_view> security_flags(std::uint16_t flags);
// LICENSE_PREAMBLE bMsgType: LICENSE_REQUEST ... ERROR_ALERT; "" if unknown.
std::string_view license_msg_type(std::uint8_t type);
// LICENSE_ERROR_MESSAGE dwErrorCode: ERR_INVALID_SERVER_CERTIFICATE ... STATUS_VALID_CLIENT.
std::string_view license_error_code(std::uint32_t code);
// LICENSE_ERROR_MESSAGE dwStateTransition (2.2.1.12.1.3, MS-RDPELE 3.1.5.2):
// ST_TOTAL_ABORT, ST_NO_TRANSITION, ST_RESET_PHASE_TO_START, ST_RESEND_LAST_MESSAGE.
std::string_view license_state_transition(std::uint32_t transition);

// --- RDP-UDP (MS-RDPEUDP 2.2.2.1, MS-RDPEUDP2 2.2.1.1) ---------------------

// RDPUDP_FLAG_* bits set in uFlags.
std::vector<std::string_view> rdpudp_flags(std::uint16_t flags);
// RDPUDP_PROTOCOL_VERSION_1/2/3; "" otherwise.
std::string_view rdpudp_version(std::uint16_t version);
// RDP-UDP2 header Flags bits set (ACK, DATA, ACKVEC, AOA, OVERHEADSIZE, DELAYACKINFO).
std::vector<std::string_view> rdpudp2_flags(std::uint16_t flags);

}  // namespace rdpscope::names
