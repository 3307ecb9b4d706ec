// SPDX-License-Identifier: MIT
// TLS record layer (RFC 5246 6.2.1, RFC 8446 5.1) as it runs on the RDP TCP
// stream: one TLSPlaintext header from a buffer, the RecordFramer that turns one
// direction's stream bytes into whole records, and the two record contents that
// are not handshake messages (Alert, ChangeCipherSpec).  Part of dissect/tls.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::tls {

// The DecodeError layer of every TLS decoder.
inline constexpr std::string_view kLayer = "tls";

inline constexpr std::size_t kRecordHeaderLength = 5;
// RFC 5246 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.  Anything
// longer is not TLS (or we lost sync), so the framer never buffers more.
inline constexpr std::size_t kMaxRecordLength = (1u << 14) + 2048;

// Protocol versions (RFC 8446 B / RFC 5246 A.1).
inline constexpr std::uint16_t kSSLv3 = 0x0300;
inline constexpr std::uint16_t kTLSv10 = 0x0301;
inline constexpr std::uint16_t kTLSv11 = 0x0302;
inline constexpr std::uint16_t kTLSv12 = 0x0303;
inline constexpr std::uint16_t kTLSv13 = 0x0304;

// RFC 5246 6.2.1 ContentType; other values are kept as numbers.
enum class ContentType : std::uint8_t {
    change_cipher_spec = 20,
    alert = 21,
    handshake = 22,
    application_data = 23,
    heartbeat = 24,  // RFC 6520
};

// ---------------------------------------------------------------------------
// 1. Record layer (RFC 5246 6.2.1, RFC 8446 5.1)
// ---------------------------------------------------------------------------

struct RecordHeader {
    ContentType type{};
    std::uint16_t version = 0;  // legacy_record_version
    std::uint16_t length = 0;   // payload length
};

// need_more (needed = 5) when fewer than 5 bytes; malformed when the content type
// is not 20..24 ("record.content_type"), the major version is not 3
// ("record.version") or the length exceeds 2^14+2048 ("record.length").
// The checks run on the bytes present, so a non-TLS first byte (a TPKT 0x03, say)
// is malformed at once rather than need_more.  An SSLv2-framed CLIENT-HELLO is
// reported as unsupported ("record.sslv2").
Decoded<RecordHeader> decode_record_header(Bytes data);

struct Record {
    RecordHeader header;
    Bytes payload;  // view into the buffer given
};

// Header plus its complete payload; need_more (needed = 5 + length) until then.
Decoded<Record> decode_record(Bytes data);

// ---------------------------------------------------------------------------
// 2a. RecordFramer: one direction's stream bytes -> whole records
// ---------------------------------------------------------------------------

struct FramedRecord {
    RecordHeader header;
    // Into the data given to push() when the record lay whole in it, else into the
    // framer's own buffer: valid until the next push().
    Bytes payload;
    std::uint64_t stream_offset = 0;  // offset of the record's first header byte in the stream
};

struct FrameStep {
    std::size_t consumed = 0;            // bytes of the input used; call again with the rest
    std::optional<FramedRecord> record;  // a record that ended within the input
    std::optional<DecodeError> error;    // a bad header: the framer stays failed from now on
};

// Feed it the bytes of one direction in stream order, in any chunking:
//
//   while (!data.empty()) {
//       auto step = framer.push(data);
//       data = data.subspan(step.consumed);
//       if (step.record) use(*step.record);
//       if (step.error) { report(*step.error); break; }
//   }
//
// It holds at most one partial record (5 + 2^14 + 2048 bytes) and copies nothing when
// a record lies whole in the input.  With skip_application_data(true), the payload
// of an application_data record split across inputs is not gathered either: the
// record is handed out with its header and an empty payload (for whoever needs
// only its length: without keys, nothing reads ciphertext).  The error's offset is the stream offset of the
// bad header.  After an error push() consumes nothing and repeats the error.
class RecordFramer {
public:
    FrameStep push(Bytes data);
    // Takes effect from the next record on.
    void skip_application_data(bool skip) { skip_app_ = skip; }

    bool failed() const { return failure_.has_value(); }
    std::size_t buffered() const { return delivered_ ? 0 : buffer_.size(); }  // bytes held (not those skipped)
    std::uint64_t stream_offset() const { return offset_; }  // bytes consumed so far

private:
    FrameStep fail(DecodeError e, std::uint64_t header_offset, std::size_t consumed);

    std::vector<std::uint8_t> buffer_;  // partial record: header, then payload
    bool delivered_ = false;            // buffer_ holds the record handed out last time
    std::uint64_t offset_ = 0;          // stream bytes consumed
    std::uint64_t record_start_ = 0;    // stream offset of the record being buffered
    bool skip_app_ = false;
    std::size_t skipped_ = 0;           // payload bytes of the record being framed passed over, not buffered
    std::optional<DecodeError> failure_;
};

// Convenience loop over push(): calls on_record(const FramedRecord&) for each complete
// record and returns the error that stopped the framer, if any.
template <typename OnRecord>
std::optional<DecodeError> push_all(RecordFramer& framer, Bytes data, OnRecord&& on_record) {
    while (!data.empty() || framer.failed()) {
        FrameStep step = framer.push(data);
        data = data.subspan(step.consumed);
        if (step.record) on_record(*step.record);
        if (step.error) return step.error;
        if (step.consumed == 0 && !step.record) break;
    }
    return std::nullopt;
}

// Alert, RFC 5246 7.2 / RFC 8446 6.  Payload of an alert (21) record sent in the
// clear; after ChangeCipherSpec it is ciphertext: report it as an encrypted alert.
struct Alert {
    std::uint8_t level = 0;        // 1 warning, 2 fatal
    std::uint8_t description = 0;  // alert_description_name()
};
Decoded<Alert> decode_alert(Bytes payload);

// ChangeCipherSpec, RFC 5246 7.1: a single byte 1.
struct ChangeCipherSpec {};
Decoded<ChangeCipherSpec> decode_change_cipher_spec(Bytes payload);

}  // namespace rdpscope::tls
