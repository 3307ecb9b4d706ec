// SPDX-License-Identifier: MIT
// TLS record layer: record header, RecordFramer, Alert, ChangeCipherSpec.
// Section numbers: RFC 5246 (TLS 1.2) unless marked 8446 (TLS 1.3).
#include "dissect/tls_record.hpp"

#include <algorithm>

namespace rdpscope::tls {

// ---------------------------------------------------------------------------
// Record layer
// ---------------------------------------------------------------------------

Decoded<RecordHeader> decode_record_header(Bytes data) {
    // Check what is there in field order, so a stream that is plainly not TLS
    // (a TPKT 0x03, say) is rejected on its first byte instead of waiting for five.
    if (data.empty()) return DecodeError::need_more(kLayer, "record.header", 0, kRecordHeaderLength);
    const std::uint8_t type = data[0];
    if (type & 0x80) {
        // SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2): 2-byte length, msg type 1.
        if (data.size() < 3) return DecodeError::need_more(kLayer, "record.content_type", 0, 3);
        if (data[2] == 1) return DecodeError::unsupported(kLayer, "record.sslv2", 0);
        return DecodeError::malformed(kLayer, "record.content_type", 0);
    }
    if (type < 20 || type > 24) return DecodeError::malformed(kLayer, "record.content_type", 0);
    if (data.size() >= 2 && data[1] != 3) return DecodeError::malformed(kLayer, "record.version", 1);
    Reader r(data);
    RecordHeader h;
    std::uint8_t t = 0;
    if (!r.u8(t) || !r.u16be(h.version) || !r.u16be(h.length))
        return DecodeError::need_more(kLayer, "record.header", data.size(), kRecordHeaderLength);
    h.type = static_cast<ContentType>(t);
    if (h.length > kMaxRecordLength) return DecodeError::malformed(kLayer, "record.length", 3);
    return h;
}

Decoded<Record> decode_record(Bytes data) {
    auto h = decode_record_header(data);
    if (!h) return h.error();
    const std::size_t total = kRecordHeaderLength + h->length;
    if (data.size() < total) return DecodeError::need_more(kLayer, "record.fragment", kRecordHeaderLength, total);
    return Record{*h, data.subspan(kRecordHeaderLength, h->length)};
}

FrameStep RecordFramer::fail(DecodeError e, std::uint64_t header_offset, std::size_t consumed) {
    e.offset = static_cast<std::size_t>(header_offset) + e.offset;
    failure_ = e;
    offset_ += consumed;
    FrameStep step;
    step.consumed = consumed;
    step.error = e;
    return step;
}

FrameStep RecordFramer::push(Bytes data) {
    FrameStep step;
    if (failure_) {
        step.error = failure_;
        return step;
    }
    if (delivered_) {
        buffer_.clear();
        skipped_ = 0;
        delivered_ = false;
    }

    if (buffer_.empty()) {
        // Fast path: a record lying whole in the input is handed out as a view.
        auto h = decode_record_header(data);
        if (!h && h.error().kind != ErrorKind::need_more) return fail(h.error(), offset_, 0);
        if (h && data.size() >= kRecordHeaderLength + h->length) {
            const std::size_t total = kRecordHeaderLength + h->length;
            step.record = FramedRecord{*h, data.subspan(kRecordHeaderLength, h->length), offset_};
            step.consumed = total;
            offset_ += total;
            return step;
        }
        record_start_ = offset_;
    }

    // Slow path: the record straddles inputs; gather it in buffer_, header first.
    std::size_t used = 0;
    if (buffer_.size() < kRecordHeaderLength) {
        const std::size_t take = std::min(kRecordHeaderLength - buffer_.size(), data.size());
        buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
        used += take;
        auto h = decode_record_header(buffer_);
        if (!h && h.error().kind != ErrorKind::need_more) return fail(h.error(), record_start_, used);
        if (!h) {
            step.consumed = used;
            offset_ += used;
            return step;
        }
    }
    const RecordHeader h = decode_record_header(buffer_).value();  // validated above
    const std::size_t total = kRecordHeaderLength + h.length;
    // Skipping decided at the payload's first byte, kept to the record's end.
    const bool skip = skipped_ > 0 || (skip_app_ && h.type == ContentType::application_data &&
                                       buffer_.size() == kRecordHeaderLength);
    const std::size_t take = std::min(total - buffer_.size() - skipped_, data.size() - used);
    if (skip) skipped_ += take;
    else buffer_.insert(buffer_.end(), data.begin() + static_cast<std::ptrdiff_t>(used),
                        data.begin() + static_cast<std::ptrdiff_t>(used + take));
    used += take;
    step.consumed = used;
    offset_ += used;
    if (buffer_.size() + skipped_ == total) {
        step.record = FramedRecord{h, Bytes(buffer_).subspan(kRecordHeaderLength), record_start_};
        delivered_ = true;  // cleared on the next push, so the view stays valid until then
    }
    return step;
}

// ---------------------------------------------------------------------------
// Alert, ChangeCipherSpec
// ---------------------------------------------------------------------------

Decoded<Alert> decode_alert(Bytes payload) {
    // RFC 5246 7.2: struct { AlertLevel level; AlertDescription description; }.
    // Anything but two bytes here is a fragment (need_more) or ciphertext, which the
    // caller knows from the ChangeCipherSpec state (malformed if it asks anyway).
    if (payload.size() < 2) return DecodeError::need_more(kLayer, "alert", payload.size(), 2);
    if (payload.size() > 2) return DecodeError::malformed(kLayer, "alert.length", 2);
    return Alert{payload[0], payload[1]};
}

Decoded<ChangeCipherSpec> decode_change_cipher_spec(Bytes payload) {
    // RFC 5246 7.1: struct { enum { change_cipher_spec(1), (255) } type; }.
    if (payload.empty()) return DecodeError::need_more(kLayer, "change_cipher_spec.type", 0, 1);
    if (payload.size() != 1 || payload[0] != 1) return DecodeError::malformed(kLayer, "change_cipher_spec.type", 0);
    return ChangeCipherSpec{};
}

}  // namespace rdpscope::tls
