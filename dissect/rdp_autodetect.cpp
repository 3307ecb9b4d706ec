// SPDX-License-Identifier: MIT
#include "dissect/rdp_autodetect.hpp"

namespace rdpscope::autodetect {

namespace {

constexpr std::string_view layer = "rdp_autodetect";

}  // namespace

Decoded<Message> decode(Bytes data, std::size_t base_offset) {
    Reader r(data, base_offset);
    Message m;
    if (!r.u8(m.header_length) || !r.u8(m.header_type_id) || !r.u16le(m.sequence_number) || !r.u16le(m.type))
        return DecodeError::malformed(layer, "RDP_AUTODETECT header", r.offset());
    if (m.header_type_id > Message::TYPE_ID_AUTODETECT_RESPONSE)
        return DecodeError::malformed(layer, "headerTypeId", base_offset + 1);
    auto u32 = [&](std::optional<std::uint32_t>& out, std::string_view field) -> std::optional<DecodeError> {
        std::uint32_t v = 0;
        if (!r.u32le(v)) return DecodeError::malformed(layer, field, r.offset());
        out = v;
        return std::nullopt;
    };
    auto payload = [&](std::string_view field) -> std::optional<DecodeError> {
        std::uint16_t len = 0;
        if (!r.u16le(len) || !r.skip(len)) return DecodeError::malformed(layer, field, r.offset());
        m.payload_length = len;
        return std::nullopt;
    };
    std::optional<DecodeError> e;
    if (m.request()) {
        switch (m.type) {
            case 0x0002: e = payload("RDP_BW_PAYLOAD.payloadLength"); break;       // 2.2.14.1.3
            case 0x002B: e = payload("RDP_BW_STOP.payloadLength"); break;          // 2.2.14.1.4
            case 0x0840:                                                            // 2.2.14.1.5
                if (!(e = u32(m.base_rtt, "RDP_NETCHAR_RESULT.baseRTT"))) e = u32(m.average_rtt, "RDP_NETCHAR_RESULT.averageRTT");
                break;
            case 0x0880:
                if (!(e = u32(m.bandwidth, "RDP_NETCHAR_RESULT.bandwidth"))) e = u32(m.average_rtt, "RDP_NETCHAR_RESULT.averageRTT");
                break;
            case 0x08C0:
                if (!(e = u32(m.base_rtt, "RDP_NETCHAR_RESULT.baseRTT")) && !(e = u32(m.bandwidth, "RDP_NETCHAR_RESULT.bandwidth")))
                    e = u32(m.average_rtt, "RDP_NETCHAR_RESULT.averageRTT");
                break;
            default: break;  // RDP_RTT_REQUEST, RDP_BW_START, the other RDP_BW_STOP: the header alone
        }
    } else {
        switch (m.type) {
            case 0x0003:
            case 0x000B:  // 2.2.14.2.2 RDP_BW_RESULTS
                if (!(e = u32(m.time_delta, "RDP_BW_RESULTS.timeDelta"))) e = u32(m.byte_count, "RDP_BW_RESULTS.byteCount");
                break;
            case 0x0018:  // 2.2.14.2.3 RDP_NETCHAR_SYNC
                if (!(e = u32(m.bandwidth, "RDP_NETCHAR_SYNC.bandwidth"))) e = u32(m.rtt, "RDP_NETCHAR_SYNC.rtt");
                break;
            default: break;  // RDP_RTT_RESPONSE (0x0000): the header alone
        }
    }
    if (e) return *e;
    return m;
}

Decoded<MultitransportRequest> decode_multitransport_request(Bytes data, std::size_t base_offset) {
    Reader r(data, base_offset);
    MultitransportRequest m;
    if (!r.u32le(m.request_id)) return DecodeError::malformed(layer, "requestId", r.offset());
    if (!r.u16le(m.requested_protocol)) return DecodeError::malformed(layer, "requestedProtocol", r.offset());
    if (!r.u16le(m.reserved)) return DecodeError::malformed(layer, "reserved", r.offset());
    if (!r.skip(16)) return DecodeError::malformed(layer, "securityCookie", r.offset());
    m.has_security_cookie = true;
    return m;
}

Decoded<MultitransportResponse> decode_multitransport_response(Bytes data, std::size_t base_offset) {
    Reader r(data, base_offset);
    MultitransportResponse m;
    if (!r.u32le(m.request_id)) return DecodeError::malformed(layer, "requestId", r.offset());
    if (!r.u32le(m.hr_response)) return DecodeError::malformed(layer, "hrResponse", r.offset());
    return m;
}

std::string_view message_name(std::uint8_t id, std::uint16_t type) {
    if (id == Message::TYPE_ID_AUTODETECT_REQUEST) {
        switch (type) {
            case 0x0001: case 0x1001: return "RDP_RTT_REQUEST";
            case 0x0014: case 0x0114: case 0x1014: return "RDP_BW_START";
            case 0x0002: return "RDP_BW_PAYLOAD";
            case 0x002B: case 0x0429: case 0x0629: return "RDP_BW_STOP";
            case 0x0840: case 0x0880: case 0x08C0: return "RDP_NETCHAR_RESULT";
            default: return "";
        }
    }
    if (id == Message::TYPE_ID_AUTODETECT_RESPONSE) {
        switch (type) {
            case 0x0000: return "RDP_RTT_RESPONSE";
            case 0x0003: case 0x000B: return "RDP_BW_RESULTS";
            case 0x0018: return "RDP_NETCHAR_SYNC";
            default: return "";
        }
    }
    return "";
}

std::string_view requested_protocol_name(std::uint16_t p) {
    switch (p) {
        case 0x01: return "INITITATE_REQUEST_PROTOCOL_UDPFECR";
        case 0x04: return "INITITATE_REQUEST_PROTOCOL_UDPFECL";
        default: return "";
    }
}

std::string_view hr_response_name(std::uint32_t hr) {
    switch (hr) {
        case 0x00000000: return "S_OK";
        case 0x80004004: return "E_ABORT";
        default: return "";
    }
}

}  // namespace rdpscope::autodetect
