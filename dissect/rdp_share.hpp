// SPDX-License-Identifier: MIT
// The slow-path PDUs of the RDP connection sequence and session that start
// with a Share Control Header (MS-RDPBCGR 2.2.8.1.1.1.1): Demand Active /
// Confirm Active (capability exchange, 2.2.1.13), Deactivate All (2.2.3.1),
// the Enhanced Security Server Redirection PDU (2.2.13.3.1), and the Data
// PDUs behind a Share Data Header (2.2.8.1.1.1.2): Synchronize, Control,
// Font List / Font Map (finalization, 2.2.1.14 - 2.2.1.22), Set Error Info
// (2.2.5.1), Save Session Info (2.2.10.1), Shutdown Request / Denied.
//
// Input: the userData of one MCS Send Data PDU that carries no security
// header (under TLS / CredSSP every PDU after licensing; under standard RDP
// security without encryption, likewise).  The caller knows that case.
//
// Only what the analysis needs is decoded: ids, codes, the logon's user,
// domain and session id.  Capability sets are counted, not decoded; a
// redirection's password and cookies are never read.  Bytes members are
// views into the caller's buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::share {

// TS_SHARECONTROLHEADER pduType (the low 4 bits).
enum PduType : std::uint8_t {
    PDUTYPE_DEMANDACTIVEPDU = 0x1,
    PDUTYPE_CONFIRMACTIVEPDU = 0x3,
    PDUTYPE_DEACTIVATEALLPDU = 0x6,
    PDUTYPE_DATAPDU = 0x7,
    PDUTYPE_SERVER_REDIR_PKT = 0xA,
};

// TS_SHAREDATAHEADER pduType2 (2.2.8.1.1.1.2), the ones named here.
enum PduType2 : std::uint8_t {
    PDUTYPE2_UPDATE = 0x02,
    PDUTYPE2_CONTROL = 0x14,
    PDUTYPE2_POINTER = 0x1B,
    PDUTYPE2_INPUT = 0x1C,
    PDUTYPE2_SYNCHRONIZE = 0x1F,
    PDUTYPE2_REFRESH_RECT = 0x21,
    PDUTYPE2_PLAY_SOUND = 0x22,
    PDUTYPE2_SUPPRESS_OUTPUT = 0x23,
    PDUTYPE2_SHUTDOWN_REQUEST = 0x24,
    PDUTYPE2_SHUTDOWN_DENIED = 0x25,
    PDUTYPE2_SAVE_SESSION_INFO = 0x26,
    PDUTYPE2_FONTLIST = 0x27,
    PDUTYPE2_FONTMAP = 0x28,
    PDUTYPE2_SET_KEYBOARD_INDICATORS = 0x29,
    PDUTYPE2_BITMAPCACHE_PERSISTENT_LIST = 0x2B,
    PDUTYPE2_BITMAPCACHE_ERROR_PDU = 0x2C,
    PDUTYPE2_SET_KEYBOARD_IME_STATUS = 0x2D,
    PDUTYPE2_OFFSCRCACHE_ERROR_PDU = 0x2E,
    PDUTYPE2_SET_ERROR_INFO_PDU = 0x2F,
    PDUTYPE2_DRAWNINEGRID_ERROR_PDU = 0x30,
    PDUTYPE2_DRAWGDIPLUS_ERROR_PDU = 0x31,
    PDUTYPE2_ARC_STATUS_PDU = 0x32,
    PDUTYPE2_STATUS_INFO_PDU = 0x36,
    PDUTYPE2_MONITOR_LAYOUT_PDU = 0x37,
};

struct ControlHeader {
    std::uint16_t total_length = 0;
    std::uint16_t pdu_type = 0;  // raw: type in bits 0-3, version in 4-15
    std::optional<std::uint16_t> pdu_source;  // absent when totalLength is 4
    std::uint8_t type() const { return pdu_type & 0x0F; }
};

// 2.2.1.13.1.1 TS_DEMAND_ACTIVE_PDU.
struct DemandActive {
    std::uint32_t share_id = 0;
    std::string source_descriptor;  // "RDP" from Windows
    std::uint16_t capability_sets = 0;
    std::optional<std::uint32_t> session_id;
};

// 2.2.1.13.2.1 TS_CONFIRM_ACTIVE_PDU.
struct ConfirmActive {
    std::uint32_t share_id = 0;
    std::uint16_t originator_id = 0;  // 0x03EA, the server channel
    std::string source_descriptor;
    std::uint16_t capability_sets = 0;
};

// 2.2.3.1.1 TS_DEACTIVATE_ALL_PDU.
struct DeactivateAll {
    std::uint32_t share_id = 0;
};

// 2.2.13.1 RDP_SERVER_REDIRECTION_PACKET (inside 2.2.13.3.1 under enhanced
// security).  The password, the load-balance info and the certificate are
// skipped, never copied.
struct ServerRedirection {
    std::uint32_t session_id = 0;
    std::uint32_t redir_flags = 0;  // LB_* (LB_TARGET_NET_ADDRESS 0x1, LB_LOAD_BALANCE_INFO 0x2, ...)
    std::string target_net_address;
    std::string user_name, domain;
    static constexpr std::uint32_t LB_TARGET_NET_ADDRESS = 0x1, LB_LOAD_BALANCE_INFO = 0x2, LB_USERNAME = 0x4,
                                   LB_DOMAIN = 0x8;
};

// 2.2.1.14.1 TS_SYNCHRONIZE_PDU.
struct Synchronize {
    std::uint16_t message_type = 0;
    std::uint16_t target_user = 0;
};

// 2.2.1.15.1 TS_CONTROL_PDU.
struct Control {
    std::uint16_t action = 0;  // CTRLACTION_REQUEST_CONTROL 1, GRANTED_CONTROL 2, DETACH 3, COOPERATE 4
    std::uint16_t grant_id = 0;
    std::uint32_t control_id = 0;
};

// 2.2.5.1.1 TS_SET_ERROR_INFO_PDU.
struct SetErrorInfo {
    std::uint32_t error_info = 0;  // ERRINFO_* (errinfo_name)
};

// 2.2.10.1.1 TS_SAVE_SESSION_INFO_PDU_DATA: the logon notification.
struct SaveSessionInfo {
    std::uint32_t info_type = 0;  // INFOTYPE_LOGON 0, _LONG 1, _PLAINNOTIFY 2, _EXTENDED_INFO 3
    std::string domain, user_name;          // INFOTYPE_LOGON / _LONG
    std::optional<std::uint32_t> session_id;  // _LOGON / _LONG; _EXTENDED_INFO: the auto-reconnect cookie's LogonId
    std::optional<std::uint32_t> fields_present;  // _EXTENDED_INFO: LOGON_EX_*
    // _EXTENDED_INFO with LOGON_EX_LOGONERRORS (2.2.10.1.1.4.1.1).
    std::optional<std::uint32_t> error_notification_type, error_notification_data;
    static constexpr std::uint32_t INFOTYPE_LOGON = 0, INFOTYPE_LOGON_LONG = 1, INFOTYPE_LOGON_PLAINNOTIFY = 2,
                                   INFOTYPE_LOGON_EXTENDED_INFO = 3;
    static constexpr std::uint32_t LOGON_EX_AUTORECONNECTCOOKIE = 0x1, LOGON_EX_LOGONERRORS = 0x2;
};

// A Data PDU: its header, and the body of the kinds decoded here.
struct Data {
    std::uint32_t share_id = 0;
    std::uint8_t stream_id = 0;
    std::uint8_t pdu_type2 = 0;
    std::uint8_t compressed_type = 0;
    std::variant<std::monostate, Synchronize, Control, SetErrorInfo, SaveSessionInfo> body;
    bool compressed() const { return compressed_type & 0x20; }  // PACKET_COMPRESSED
};

// The 2.2.8.1.1.1.1 flow-control PDU (first two bytes 0x8000).
struct Flow {};

// Any other share control type: its header only.
struct Other {};

struct Pdu {
    ControlHeader header;
    std::variant<Other, Flow, DemandActive, ConfirmActive, DeactivateAll, ServerRedirection, Data> body;
};

// Decode one Share Control PDU from a Send Data userData (no security header).
Decoded<Pdu> decode(Bytes user_data, std::size_t base_offset = 0);

// 2.2.13.1 RDP_SERVER_REDIRECTION_PACKET alone (the bytes from its Flags field).
Decoded<ServerRedirection> decode_redirection(Bytes packet, std::size_t base_offset = 0);

// Names ("" if unknown): the ERRINFO_* of 2.2.5.1.1, the share control type,
// the pduType2, the control action, the logon info type.
std::string_view errinfo_name(std::uint32_t code);
std::string_view pdu_type_name(std::uint8_t type);
std::string_view pdu_type2_name(std::uint8_t type2);
std::string_view control_action_name(std::uint16_t action);
std::string_view info_type_name(std::uint32_t info_type);
// 2.2.10.1.1.4.1.1 TS_LOGON_ERRORS_INFO: the ErrorNotificationType's
// LOGON_MSG_* name ("" for an NTSTATUS), and the ErrorNotificationData's
// LOGON_FAILED_* / LOGON_WARNING name ("" when it is a session id: after a
// LOGON_MSG_* type).
std::string_view logon_error_type_name(std::uint32_t type);
std::string_view logon_error_data_name(std::uint32_t type, std::uint32_t data);

}  // namespace rdpscope::share
