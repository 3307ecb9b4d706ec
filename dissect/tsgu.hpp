// SPDX-License-Identifier: MIT
// MS-TSGU HTTP transport packets (2.2.10): what an RD Gateway client and
// server exchange inside the HTTP (RDG_OUT_DATA / RDG_IN_DATA) or WebSocket
// transport -- the handshake, tunnel creation and authorization, channel
// creation, data, keep-alive, close -- each with its HRESULT status where it
// has one (2.2.6, E_PROXY_*).  All fields are little-endian.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::tsgu {

// 2.2.5.3.3 HTTP_PACKET_TYPE
enum PacketType : std::uint16_t {
    kHandshakeRequest = 0x1,
    kHandshakeResponse = 0x2,
    kExtendedAuth = 0x3,
    kTunnelCreate = 0x4,
    kTunnelResponse = 0x5,
    kTunnelAuth = 0x6,
    kTunnelAuthResponse = 0x7,
    kChannelCreate = 0x8,
    kChannelResponse = 0x9,
    kData = 0xA,
    kServiceMessage = 0xB,
    kReauthMessage = 0xC,
    kKeepalive = 0xD,
    kCloseChannel = 0x10,
    kCloseChannelResponse = 0x11,
};
const char* packet_type_name(std::uint16_t type);  // "tunnel_create", ...; "unknown" otherwise

constexpr std::size_t kHeaderLength = 8;  // 2.2.10.9 HTTP_PACKET_HEADER
// A packet longer than this is not one a gateway sends (data packets carry at
// most 65535 bytes, cbDataLen being 16 bits; the channel response's cookie
// and the tunnel's certificates are a few KiB).
constexpr std::uint32_t kMaxPacket = 1 << 20;

struct Header {
    std::uint16_t type = 0;
    std::uint16_t reserved = 0;
    std::uint32_t length = 0;  // the whole packet, header included
};
// need_more under 8 bytes; malformed for a length under 8 or over kMaxPacket.
Decoded<Header> decode_header(Bytes stream);

// Extended authentication methods (2.2.5.3.2 HTTP_EXTENDED_AUTH).
enum ExtendedAuth : std::uint16_t { kAuthNone = 0, kAuthSmartCard = 1, kAuthPaa = 2, kAuthSspiNtlm = 4 };

struct Packet {
    Header header;
    // Responses, extended auth, close channel: the HRESULT (2.2.6).
    std::optional<std::uint32_t> status;
    // Handshake request / response (2.2.10.10, 2.2.10.11).
    std::uint8_t version_major = 0, version_minor = 0;
    std::uint16_t version = 0;        // clientVersion / serverVersion
    std::uint16_t extended_auth = 0;
    // Tunnel create (2.2.10.18): capsFlags; tunnel response (2.2.10.20): the server's caps.
    std::uint32_t caps = 0;
    std::uint16_t fields_present = 0;
    std::optional<std::uint32_t> tunnel_id;     // tunnel response, HTTP_TUNNEL_RESPONSE_FIELD_TUNNEL_ID
    std::optional<std::uint32_t> redir_flags;   // tunnel auth response, 2.2.10.16
    std::optional<std::uint32_t> idle_timeout;  // tunnel auth response, minutes
    std::optional<std::uint32_t> channel_id;    // channel response, 2.2.10.4
    std::optional<std::uint16_t> udp_port;      // channel response: the UDP transport's port
    // Tunnel auth (2.2.10.14): the client's machine name.
    std::string client_name;
    // Channel create (2.2.10.2): the target(s) and port the client asks for.
    std::array<std::string, 4> resources{};  // the first 4 resource names, then alternates
    std::uint8_t resource_count = 0, alt_resource_count = 0;
    std::uint16_t port = 0, protocol = 0;
    // Data (2.2.10.6): the bytes carried (into the buffer given); service message text.
    Bytes data;
    std::string message;
};

// One whole packet: `packet` holds exactly header.length bytes (decode_header
// first).  malformed when a field runs past the packet or contradicts 2.2.10.
Decoded<Packet> decode_packet(Bytes packet);

// The name of an HRESULT an RD Gateway returns: "S_OK", "E_PROXY_RAP_ACCESSDENIED", ...
// (2.2.6; the HRESULT and its Win32 low word alike); null when not one of them.
const char* status_name(std::uint32_t status);
// What it means, in words; null when not named.
const char* status_text(std::uint32_t status);
// The status is a failure (severity bit set, or a non-zero Win32 code other than
// ERROR_GRACEFUL_DISCONNECT).
bool failed(std::uint32_t status);

}  // namespace rdpscope::tsgu
