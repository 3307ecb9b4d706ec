// SPDX-License-Identifier: MIT
#include "dissect/http2.hpp"

namespace rdpscope::http2 {

namespace {
constexpr std::string_view kLayer = "http2";
}

const char* type_name(std::uint8_t type) {
    switch (type) {
        case kData: return "DATA";
        case kHeaders: return "HEADERS";
        case kPriority: return "PRIORITY";
        case kRstStream: return "RST_STREAM";
        case kSettings: return "SETTINGS";
        case kPushPromise: return "PUSH_PROMISE";
        case kPing: return "PING";
        case kGoaway: return "GOAWAY";
        case kWindowUpdate: return "WINDOW_UPDATE";
        case kContinuation: return "CONTINUATION";
        default: return "unknown";
    }
}

std::string_view error_name(std::uint32_t code) {
    // RFC 9113 7, Error Codes.
    switch (code) {
        case 0x0: return "NO_ERROR";
        case 0x1: return "PROTOCOL_ERROR";
        case 0x2: return "INTERNAL_ERROR";
        case 0x3: return "FLOW_CONTROL_ERROR";
        case 0x4: return "SETTINGS_TIMEOUT";
        case 0x5: return "STREAM_CLOSED";
        case 0x6: return "FRAME_SIZE_ERROR";
        case 0x7: return "REFUSED_STREAM";
        case 0x8: return "CANCEL";
        case 0x9: return "COMPRESSION_ERROR";
        case 0xa: return "CONNECT_ERROR";
        case 0xb: return "ENHANCE_YOUR_CALM";
        case 0xc: return "INADEQUATE_SECURITY";
        case 0xd: return "HTTP_1_1_REQUIRED";
        default: return {};
    }
}

std::string_view setting_name(std::uint16_t id) {
    // RFC 9113 6.5.2 (and RFC 8441's ENABLE_CONNECT_PROTOCOL, RFC 9218's NO_RFC7540_PRIORITIES).
    switch (id) {
        case 0x1: return "HEADER_TABLE_SIZE";
        case 0x2: return "ENABLE_PUSH";
        case 0x3: return "MAX_CONCURRENT_STREAMS";
        case 0x4: return "INITIAL_WINDOW_SIZE";
        case 0x5: return "MAX_FRAME_SIZE";
        case 0x6: return "MAX_HEADER_LIST_SIZE";
        case 0x8: return "ENABLE_CONNECT_PROTOCOL";
        case 0x9: return "NO_RFC7540_PRIORITIES";
        default: return {};
    }
}

Decoded<FrameHeader> decode_frame_header(Bytes stream) {
    Reader r(stream);
    FrameHeader h;
    if (!r.u24be(h.length) || !r.u8(h.type) || !r.u8(h.flags) || !r.u32be(h.stream_id))
        return DecodeError::need_more(kLayer, "frame_header", 0, kFrameHeaderLength);
    h.stream_id &= 0x7fffffffu;  // 4.1: the reserved bit is ignored on receipt
    return h;
}

Decoded<Frame> decode_frame(Bytes bytes) {
    auto hd = decode_frame_header(bytes);
    if (!hd) return hd.error();
    Frame f;
    f.header = *hd;
    const FrameHeader& h = f.header;
    if (bytes.size() - kFrameHeaderLength < h.length)
        return DecodeError::need_more(kLayer, "payload", kFrameHeaderLength, kFrameHeaderLength + h.length);
    Reader r(bytes.subspan(kFrameHeaderLength, h.length), kFrameHeaderLength);
    // 6.1 / 6.2: Pad Length, then the padding at the end, which must leave
    // room for what comes before it.
    auto unpad = [&](std::size_t fixed) -> bool {
        if (h.flags & kPadded) {
            if (!r.u8(f.pad_length)) return false;
            if (static_cast<std::size_t>(f.pad_length) + fixed > r.remaining()) return false;
        }
        return true;
    };
    switch (h.type) {
        case kData:
            if (h.stream_id == 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            if (!unpad(0)) return DecodeError::malformed(kLayer, "pad_length", kFrameHeaderLength);
            f.data = r.rest().subspan(0, r.remaining() - f.pad_length);
            break;
        case kHeaders: {
            if (h.stream_id == 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            const std::size_t prio = (h.flags & kPriorityFlag) ? 5 : 0;
            if (!unpad(prio)) return DecodeError::malformed(kLayer, "pad_length", kFrameHeaderLength);
            if (prio) {
                std::uint32_t dep = 0;
                if (!r.u32be(dep) || !r.u8(f.weight)) return DecodeError::malformed(kLayer, "priority", r.offset());
                f.exclusive = dep >> 31;
                f.dependency = dep & 0x7fffffffu;
            }
            f.block = r.rest().subspan(0, r.remaining() - f.pad_length);
            break;
        }
        case kContinuation:
            if (h.stream_id == 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            f.block = r.rest();
            break;
        case kPriority: {
            if (h.stream_id == 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            std::uint32_t dep = 0;
            if (h.length != 5 || !r.u32be(dep) || !r.u8(f.weight)) return DecodeError::malformed(kLayer, "length", 0);
            f.exclusive = dep >> 31;
            f.dependency = dep & 0x7fffffffu;
            break;
        }
        case kRstStream:
            if (h.stream_id == 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            if (h.length != 4 || !r.u32be(f.error_code)) return DecodeError::malformed(kLayer, "length", 0);
            break;
        case kSettings:
            if (h.stream_id != 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            if (h.length % 6 || ((h.flags & kAck) && h.length)) return DecodeError::malformed(kLayer, "length", 0);
            while (!r.empty()) {
                Setting s;
                r.u16be(s.id);
                r.u32be(s.value);
                if (f.setting_count < Frame::kMaxSettings) f.settings[f.setting_count++] = s;
                ++f.settings_total;
            }
            break;
        case kPing:
            if (h.stream_id != 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            if (h.length != 8) return DecodeError::malformed(kLayer, "length", 0);
            break;
        case kGoaway:
            if (h.stream_id != 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            if (!r.u32be(f.last_stream_id) || !r.u32be(f.error_code)) return DecodeError::malformed(kLayer, "length", 0);
            f.last_stream_id &= 0x7fffffffu;
            f.debug = r.rest();
            break;
        case kWindowUpdate:
            if (h.length != 4 || !r.u32be(f.increment)) return DecodeError::malformed(kLayer, "length", 0);
            f.increment &= 0x7fffffffu;
            break;
        case kPushPromise:
            // Sent by a server only when the client enabled push; read as a header block after the promised id.
            if (h.stream_id == 0) return DecodeError::malformed(kLayer, "stream_id", 5);
            if (!unpad(4)) return DecodeError::malformed(kLayer, "pad_length", kFrameHeaderLength);
            r.u32be(f.last_stream_id);
            f.last_stream_id &= 0x7fffffffu;
            f.block = r.rest().subspan(0, r.remaining() - f.pad_length);
            break;
        default: break;  // 4.1 / 5.5: unknown types are ignored
    }
    return f;
}

}  // namespace rdpscope::http2
