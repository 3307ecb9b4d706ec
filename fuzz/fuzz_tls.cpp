// SPDX-License-Identifier: MIT
// libFuzzer target for dissect/tls: every decoder on the raw input, then the input as
// a two-direction TLS stream through Session, chunked as the input's first bytes say.
// Checks the bounds the API promises (framer <= one record, assembler <= one message).
#include <cstddef>
#include <cstdint>

#include "dissect/tls.hpp"

using namespace rdpscope;
using namespace rdpscope::tls;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void names_of(const ClientHello& ch) {
    for (auto s : ch.cipher_suites) (void)cipher_suite_name(s);
    for (auto g : ch.supported_groups) (void)named_group_name(g);
    for (auto a : ch.signature_algorithms) (void)signature_scheme_name(a);
    for (const auto& e : ch.extensions) {
        (void)extension_name(e.type);
        check(e.data.size() == e.length);
    }
    (void)version_name_zeek(ch.max_version());
    (void)version_name_wireshark(ch.legacy_version);
}

void decoders(Bytes in) {
    (void)decode_record_header(in);
    if (auto r = decode_record(in)) check(r->payload.size() == r->header.length);
    if (auto h = decode_handshake(in)) check(h->body.size() == h->header.length);
    if (auto ch = decode_client_hello(in)) names_of(*ch);
    if (auto sh = decode_server_hello(in)) (void)cipher_suite_name(sh->cipher_suite);
    (void)decode_certificate(in, false);
    (void)decode_certificate(in, true);
    for (std::uint16_t v : {kSSLv3, kTLSv10, kTLSv12}) {
        (void)decode_certificate_request(in, v);
        for (std::uint16_t suite : {0xc030, 0x009e, 0xc018, 0x0034, 0x002f, 0x1301}) {
            (void)decode_server_key_exchange(in, suite, v);
            (void)decode_client_key_exchange(in, suite, v);
        }
    }
    (void)decode_server_hello_done(in);
    (void)decode_new_session_ticket(in);
    (void)decode_finished(in);
    if (auto a = decode_alert(in)) {
        (void)alert_level_name(a->level);
        (void)alert_description_name(a->description);
    }
    (void)decode_change_cipher_spec(in);
}

void assembler(Bytes in, std::size_t piece) {
    HandshakeAssembler a(1024);
    for (std::size_t at = 0; at < in.size(); at += piece) {
        auto res = a.push(in.subspan(at, std::min(piece, in.size() - at)), (at / piece) % 7 == 6);
        for (const auto& m : res.messages) check(m.encrypted || m.body.size() == m.length);
        check(a.buffered() <= kHandshakeHeaderLength + 1024);
    }
}

void session(Bytes in, std::size_t piece) {
    // Alternate directions every `piece` bytes; the framers see two independent streams.
    Session s;
    int dir = 0;
    for (std::size_t at = 0; at < in.size(); at += piece, dir ^= 1) {
        auto events = s.feed(static_cast<Dir>(dir), in.subspan(at, std::min(piece, in.size() - at)));
        for (const auto& e : events) {
            if (e.kind == Event::Kind::handshake) check(e.message && e.message->body.size() == e.message->length);
            check(e.record_length <= kMaxRecordLength);
        }
    }
    const Summary& sum = s.summary();
    if (!sum.client_hello.empty()) check(decode_client_hello(sum.client_hello).ok());
    if (!sum.server_hello.empty()) check(decode_server_hello(sum.server_hello).ok());
    check(sum.history.size() <= 100);
}

void framer(Bytes in, std::size_t piece) {
    RecordFramer f;
    std::uint64_t total = 0;
    for (std::size_t at = 0; at < in.size(); at += piece) {
        auto err = push_all(f, in.subspan(at, std::min(piece, in.size() - at)), [&](const FramedRecord& r) {
            check(r.payload.size() == r.header.length);
            check(r.stream_offset == total);
            total += kRecordHeaderLength + r.header.length;
        });
        check(f.buffered() <= kRecordHeaderLength + kMaxRecordLength);
        if (err) break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes in(data, size);
    decoders(in);
    if (size < 2) return 0;
    // The first byte picks the chunk size, the rest is the stream.
    const std::size_t piece = 1 + data[0] % 64;
    const Bytes stream = in.subspan(1);
    framer(stream, piece);
    framer(stream, stream.size());
    assembler(stream, piece);
    session(stream, piece * 37);
    session(stream, piece);
    return 0;
}
