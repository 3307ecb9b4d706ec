// SPDX-License-Identifier: MIT
// DTLS records (RFC 6347 4.1, DTLS 1.0 / 1.2): a datagram holds one or more
// DTLSPlaintext / DTLSCiphertext records -- content type, version, epoch,
// 48-bit sequence number, length, fragment -- and, in the clear (epoch 0), the
// handshake messages' headers (4.2.2: type, length, message_seq, fragment
// offset and length).  An RD Gateway's UDP transport (MS-TSGU 1.3.3, 3.4)
// runs over DTLS on UDP 3391; without keys this is what can be read of it.
// MS-TSGU 1.3.3.1.1 / 2.2.11.9: the client SHOULD append a 26-byte
// UDP_CORRELATION_INFO to the datagram of its first ClientHello, outside
// every DTLS length; it is read here as the datagram's tail.
#pragma once

#include <array>
#include <cstdint>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::dtls {

inline constexpr std::uint16_t kDtls10 = 0xFEFF;  // RFC 4347 4.1: {254, 255}
inline constexpr std::uint16_t kDtls12 = 0xFEFD;  // RFC 6347 4.1: {254, 253}
inline constexpr std::size_t kRecordHeaderLength = 13;
// RFC 6347 4.1: the length MUST NOT exceed 2^14 (+2048 for a ciphertext).
inline constexpr std::uint16_t kMaxRecordLength = (1u << 14) + 2048;

struct Record {
    std::uint8_t type = 0;  // 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data
    std::uint16_t version = 0;
    std::uint16_t epoch = 0;
    std::uint64_t sequence = 0;  // 48 bits
    std::uint16_t length = 0;
    // Epoch 0, handshake: the first message's type (1 ClientHello, 2
    // ServerHello, 3 HelloVerifyRequest, ...); 0 otherwise.
    std::uint8_t handshake_type = 0;
    // The hello's own version (ClientHello.client_version, ServerHello /
    // HelloVerifyRequest.server_version) when the record holds the start of
    // that message: RFC 6347 4.2.1 lets the record layer say DTLS 1.0 in the
    // hellos whatever is negotiated, the ServerHello's body says what was.
    std::uint16_t hello_version = 0;
};

// MS-TSGU 2.2.11.9 UDP_CORRELATION_INFO (little-endian): uReserved (4 bytes,
// 0), uSignature1 0x1DAA, uCorrelationId (16 bytes), uSignature2 0xAA1D,
// uCbStruct 26.
inline constexpr std::size_t kCorrelationInfoLength = 26;

// The records of one datagram, the first kMaxRecords of them.
struct Datagram {
    static constexpr std::size_t kMaxRecords = 8;
    std::array<Record, kMaxRecords> records{};
    std::size_t count = 0;     // records kept
    std::size_t total = 0;     // records in the datagram
    bool has_correlation = false;  // a UDP_CORRELATION_INFO followed the records
    std::array<std::uint8_t, 16> correlation_id{};  // its uCorrelationId, as sent
};

// malformed when a record's content type is not 20-23 ("content_type"), its
// version not DTLS 1.0 / 1.2 ("version"), its length past the bound or past
// the datagram ("length"), or the datagram is empty or shorter than a header.
// After at least one record, exactly 26 bytes that are a UDP_CORRELATION_INFO
// (reserved zero, both signatures, uCbStruct 26) end the datagram.
Decoded<Datagram> decode_datagram(Bytes payload);

const char* handshake_name(std::uint8_t type);  // "client_hello", ...; "handshake" for the others

}  // namespace rdpscope::dtls
