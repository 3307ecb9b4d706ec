// SPDX-License-Identifier: MIT
#include "dissect/tsgu.hpp"

#include <algorithm>

#include "dissect/gcc.hpp"

namespace rdpscope::tsgu {

namespace {

constexpr std::string_view kLayer = "tsgu";
constexpr std::size_t kMaxText = 512;  // names and messages are cut here

// 2.2.10.7 HTTP_UNICODE_STRING / 2.2.10.5 HTTP_BYTE_BLOB: cbLen (2), then cbLen bytes.
std::optional<Bytes> blob(Reader& r) {
    std::uint16_t n = 0;
    if (!r.u16le(n)) return std::nullopt;
    return r.bytes(n);
}

std::string text(Bytes utf16) {
    std::string s = gcc::utf16le_to_utf8(utf16.subspan(0, std::min(utf16.size(), kMaxText * 2)));
    while (!s.empty() && s.back() == '\0') s.pop_back();  // the terminating null
    return s;
}

struct Named {
    std::uint32_t code;
    const char* name;
    const char* text;
};

// 2.2.6 (the E_PROXY_* HRESULTs and, for the RPC transport's DWORDs, their
// Win32 low words); the words are ours.
constexpr Named kStatus[] = {
    {0x00000000, "S_OK", "success"},
    {0x000004CA, "ERROR_GRACEFUL_DISCONNECT", "the channel was closed normally"},
    {0x000004D4, "E_PROXY_CONNECTIONABORTED", "the connection to the target was aborted"},
    {0x800759D8, "E_PROXY_INTERNALERROR", "the gateway failed internally"},
    {0x000059D8, "E_PROXY_INTERNALERROR", "the gateway failed internally"},
    {0x800759DA, "E_PROXY_RAP_ACCESSDENIED",
     "the gateway's resource authorization policy (RD RAP) does not let this user reach the target"},
    {0x800759DB, "E_PROXY_NAP_ACCESSDENIED",
     "the gateway's connection authorization policy (RD CAP, health check) denied the client"},
    {0x800759DD, "E_PROXY_TS_CONNECTFAILED", "the gateway could not connect to the target RDP server"},
    {0x000059DD, "E_PROXY_TS_CONNECTFAILED", "the gateway could not connect to the target RDP server"},
    {0x800759DF, "E_PROXY_ALREADYDISCONNECTED", "the tunnel or channel was already disconnected"},
    {0x000059E6, "E_PROXY_MAXCONNECTIONSREACHED", "the gateway reached its connection limit"},
    {0x000059E8, "E_PROXY_NOTSUPPORTED", "the gateway does not support the request"},
    {0x800759E9, "E_PROXY_CAPABILITYMISMATCH", "the client and the gateway have no capability in common"},
    {0x800759ED, "E_PROXY_QUARANTINE_ACCESSDENIED", "the client failed the gateway's quarantine (health) check"},
    {0x800759EE, "E_PROXY_NOCERTAVAILABLE", "the gateway has no certificate to offer"},
    {0x000059F6, "E_PROXY_SESSIONTIMEOUT", "the gateway's session timeout expired"},
    {0x800759F7, "E_PROXY_COOKIE_BADPACKET", "the authentication cookie was malformed"},
    {0x800759F8, "E_PROXY_COOKIE_AUTHENTICATION_ACCESS_DENIED", "the gateway refused the authentication cookie"},
    {0x800759F9, "E_PROXY_UNSUPPORTED_AUTHENTICATION_METHOD",
     "the gateway does not support the client's authentication method"},
    {0x000059FA, "E_PROXY_REAUTH_AUTHN_FAILED", "reauthentication failed"},
    {0x000059FB, "E_PROXY_REAUTH_CAP_FAILED", "the connection authorization policy failed at reauthentication"},
    {0x000059FC, "E_PROXY_REAUTH_RAP_FAILED", "the resource authorization policy failed at reauthentication"},
    {0x000059FD, "E_PROXY_SDR_NOT_SUPPORTED_BY_TS", "the target does not support session redirection"},
    {0x00005A00, "E_PROXY_REAUTH_NAP_FAILED", "the health check failed at reauthentication"},
};

const Named* named(std::uint32_t status) {
    for (const auto& n : kStatus)
        if (n.code == status) return &n;
    return nullptr;
}

DecodeError short_at(const Reader& r, std::string_view field) { return DecodeError::malformed(kLayer, field, r.offset()); }

}  // namespace

const char* packet_type_name(std::uint16_t type) {
    switch (type) {
        case kHandshakeRequest: return "handshake_request";
        case kHandshakeResponse: return "handshake_response";
        case kExtendedAuth: return "extended_auth";
        case kTunnelCreate: return "tunnel_create";
        case kTunnelResponse: return "tunnel_response";
        case kTunnelAuth: return "tunnel_auth";
        case kTunnelAuthResponse: return "tunnel_auth_response";
        case kChannelCreate: return "channel_create";
        case kChannelResponse: return "channel_response";
        case kData: return "data";
        case kServiceMessage: return "service_message";
        case kReauthMessage: return "reauth_message";
        case kKeepalive: return "keepalive";
        case kCloseChannel: return "close_channel";
        case kCloseChannelResponse: return "close_channel_response";
        default: return "unknown";
    }
}

const char* status_name(std::uint32_t status) {
    const Named* n = named(status);
    return n ? n->name : nullptr;
}

const char* status_text(std::uint32_t status) {
    const Named* n = named(status);
    return n ? n->text : nullptr;
}

bool failed(std::uint32_t status) {
    if (status & 0x80000000u) return true;
    return status != 0 && status != 0x000004CA;
}

Decoded<Header> decode_header(Bytes stream) {
    Reader r(stream);
    Header h;
    if (!r.u16le(h.type) || !r.u16le(h.reserved) || !r.u32le(h.length))
        return DecodeError::need_more(kLayer, "header", 0, kHeaderLength);
    if (h.length < kHeaderLength || h.length > kMaxPacket) return DecodeError::malformed(kLayer, "packetLength", 4);
    return h;
}

Decoded<Packet> decode_packet(Bytes packet) {
    auto hd = decode_header(packet);
    if (!hd) return hd.error();
    if (packet.size() != hd->length) return DecodeError::malformed(kLayer, "packetLength", 4);
    Packet p;
    p.header = *hd;
    Reader r(packet.subspan(kHeaderLength), kHeaderLength);
    std::uint32_t u32 = 0;
    switch (p.header.type) {
        case kHandshakeRequest:  // verMajor, verMinor, clientVersion, extendedAuth
            if (!r.u8(p.version_major) || !r.u8(p.version_minor) || !r.u16le(p.version) || !r.u16le(p.extended_auth))
                return short_at(r, "handshake_request");
            break;
        case kHandshakeResponse:  // errorCode, verMajor, verMinor, serverVersion, extendedAuth
            if (!r.u32le(u32) || !r.u8(p.version_major) || !r.u8(p.version_minor) || !r.u16le(p.version) ||
                !r.u16le(p.extended_auth))
                return short_at(r, "handshake_response");
            p.status = u32;
            break;
        case kExtendedAuth: {  // errorCode, cbExtendedAuthBlob, blob
            if (!r.u32le(u32)) return short_at(r, "errorCode");
            p.status = u32;
            if (!blob(r)) return short_at(r, "extendedAuthBlob");
            break;
        }
        case kTunnelCreate: {  // capsFlags, fieldsPresent, reserved, [PAA cookie]
            std::uint16_t reserved = 0;
            if (!r.u32le(p.caps) || !r.u16le(p.fields_present) || !r.u16le(reserved)) return short_at(r, "tunnel_create");
            if ((p.fields_present & 0x1) && !blob(r)) return short_at(r, "paaCookie");
            break;
        }
        case kTunnelResponse: {  // serverVersion, statusCode, fieldsPresent, reserved, [tunnelId], [caps], ...
            std::uint16_t reserved = 0;
            if (!r.u16le(p.version) || !r.u32le(u32) || !r.u16le(p.fields_present) || !r.u16le(reserved))
                return short_at(r, "tunnel_response");
            p.status = u32;
            if (p.fields_present & 0x1) {
                if (!r.u32le(u32)) return short_at(r, "tunnelId");
                p.tunnel_id = u32;
            }
            if (p.fields_present & 0x2) {
                if (!r.u32le(p.caps)) return short_at(r, "capsFlags");
            }
            break;
        }
        case kTunnelAuth: {  // fieldsPresent, cbClientName, clientName, [statement of health]
            std::uint16_t n = 0;
            if (!r.u16le(p.fields_present) || !r.u16le(n)) return short_at(r, "tunnel_auth");
            auto name = r.bytes(n);
            if (!name) return short_at(r, "clientName");
            p.client_name = text(*name);
            break;
        }
        case kTunnelAuthResponse: {  // errorCode, fieldsPresent, reserved, [redirFlags], [idleTimeout], [SoH]
            std::uint16_t reserved = 0;
            if (!r.u32le(u32) || !r.u16le(p.fields_present) || !r.u16le(reserved))
                return short_at(r, "tunnel_auth_response");
            p.status = u32;
            if (p.fields_present & 0x1) {
                if (!r.u32le(u32)) return short_at(r, "redirFlags");
                p.redir_flags = u32;
            }
            if (p.fields_present & 0x2) {
                if (!r.u32le(u32)) return short_at(r, "idleTimeout");
                p.idle_timeout = u32;
            }
            break;
        }
        case kChannelCreate: {  // numResources, numAltResources, port, protocol, names
            if (!r.u8(p.resource_count) || !r.u8(p.alt_resource_count) || !r.u16le(p.port) || !r.u16le(p.protocol))
                return short_at(r, "channel_create");
            // 2.2.10.2: at least 1 and at most 50 resources, at most 3 alternates.
            if (p.resource_count == 0 || p.resource_count > 50) return DecodeError::malformed(kLayer, "numResources", 8);
            if (p.alt_resource_count > 3) return DecodeError::malformed(kLayer, "numAltResources", 9);
            std::size_t kept = 0;
            for (int i = 0; i < p.resource_count + p.alt_resource_count; ++i) {
                auto name = blob(r);
                if (!name) return short_at(r, "resourceName");
                if (kept < p.resources.size()) p.resources[kept++] = text(*name);
            }
            break;
        }
        case kChannelResponse: {  // errorCode, fieldsPresent, reserved, [channelId], [udpPort], [authnCookie]
            std::uint16_t reserved = 0, port = 0;
            if (!r.u32le(u32) || !r.u16le(p.fields_present) || !r.u16le(reserved))
                return short_at(r, "channel_response");
            p.status = u32;
            if (p.fields_present & 0x1) {
                if (!r.u32le(u32)) return short_at(r, "channelId");
                p.channel_id = u32;
            }
            // Windows writes the UDP port (0x4) before the cookie (0x2), as the
            // real gateway captures show.
            if (p.fields_present & 0x4) {
                if (!r.u16le(port)) return short_at(r, "udpPort");
                p.udp_port = port;
            }
            if ((p.fields_present & 0x2) && !blob(r)) return short_at(r, "authnCookie");
            break;
        }
        case kData: {  // cbDataLen, data
            auto d = blob(r);
            if (!d) return short_at(r, "data");
            p.data = *d;
            break;
        }
        case kServiceMessage: {
            auto m = blob(r);
            if (!m) return short_at(r, "message");
            p.message = text(*m);
            break;
        }
        case kReauthMessage: {
            std::uint64_t context = 0;
            if (!r.u64le(context)) return short_at(r, "reauthTunnelContext");
            break;
        }
        case kKeepalive: break;
        case kCloseChannel:
        case kCloseChannelResponse:
            if (!r.u32le(u32)) return short_at(r, "statusCode");
            p.status = u32;
            break;
        default: return DecodeError::unsupported(kLayer, "packetType", 0);
    }
    return p;
}

}  // namespace rdpscope::tsgu
