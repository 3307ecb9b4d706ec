// SPDX-License-Identifier: MIT
// The message-channel PDUs of the connection sequence that carry a basic
// security header (under TLS too): network auto-detection (MS-RDPBCGR 2.2.14,
// SEC_AUTODETECT_REQ / SEC_AUTODETECT_RSP) and the multitransport bootstrap
// (2.2.15, SEC_TRANSPORT_REQ / SEC_TRANSPORT_RSP).
//
// Input: the bytes after the security header.  Pure decoders: no I/O, no
// globals; the multitransport security cookie (a secret binding the UDP
// transport to this connection) is never copied out, only its presence.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::autodetect {

// 2.2.14.1 / 2.2.14.2: every auto-detect message starts with headerLength,
// headerTypeId (TYPE_ID_AUTODETECT_REQUEST 0x00 / _RESPONSE 0x01),
// sequenceNumber and requestType / responseType; the fields after depend on
// the type.
struct Message {
    std::uint8_t header_length = 0;
    std::uint8_t header_type_id = 0;
    std::uint16_t sequence_number = 0;
    std::uint16_t type = 0;  // requestType or responseType
    std::optional<std::uint16_t> payload_length;                      // RDP_BW_PAYLOAD, RDP_BW_STOP 0x002B
    std::optional<std::uint32_t> base_rtt, bandwidth, average_rtt;    // RDP_NETCHAR_RESULT (by type), RDP_NETCHAR_SYNC
    std::optional<std::uint32_t> time_delta, byte_count;              // RDP_BW_RESULTS
    std::optional<std::uint32_t> rtt;                                 // RDP_NETCHAR_SYNC
    static constexpr std::uint8_t TYPE_ID_AUTODETECT_REQUEST = 0x00, TYPE_ID_AUTODETECT_RESPONSE = 0x01;
    bool request() const { return header_type_id == TYPE_ID_AUTODETECT_REQUEST; }
};

// 2.2.15.1 Initiate Multitransport Request PDU (after the security header).
struct MultitransportRequest {
    std::uint32_t request_id = 0;
    std::uint16_t requested_protocol = 0;  // INITITATE_REQUEST_PROTOCOL_UDPFECR 0x01, _UDPFECL 0x04
    std::uint16_t reserved = 0;
    bool has_security_cookie = false;      // 16 bytes, never copied
};

// 2.2.15.2 Initiate Multitransport Response PDU.
struct MultitransportResponse {
    std::uint32_t request_id = 0;
    std::uint32_t hr_response = 0;  // S_OK 0x00000000, E_ABORT 0x80004004
};

Decoded<Message> decode(Bytes data, std::size_t base_offset = 0);
Decoded<MultitransportRequest> decode_multitransport_request(Bytes data, std::size_t base_offset = 0);
Decoded<MultitransportResponse> decode_multitransport_response(Bytes data, std::size_t base_offset = 0);

// The structure a message is, by headerTypeId and type (RDP_RTT_REQUEST,
// RDP_BW_START, RDP_BW_PAYLOAD, RDP_BW_STOP, RDP_NETCHAR_RESULT,
// RDP_RTT_RESPONSE, RDP_BW_RESULTS, RDP_NETCHAR_SYNC); "" if unknown.
std::string_view message_name(std::uint8_t header_type_id, std::uint16_t type);
// INITITATE_REQUEST_PROTOCOL_UDPFECR / _UDPFECL (the spec's spelling); "" otherwise.
std::string_view requested_protocol_name(std::uint16_t protocol);
// S_OK / E_ABORT; "" otherwise.
std::string_view hr_response_name(std::uint32_t hr);

}  // namespace rdpscope::autodetect
