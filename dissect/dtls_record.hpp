// SPDX-License-Identifier: MIT
// DTLS records (RFC 6347 4.1, DTLS 1.0 / 1.2): a datagram holds one or more
// DTLSPlaintext / DTLSCiphertext records -- content type, version, epoch,
// 48-bit sequence number, length, fragment -- and, in the clear (epoch 0), the
// handshake messages' headers (4.2.2: type, length, message_seq, fragment
// offset and length).  An RD Gateway's UDP transport (MS-TSGU 1.3.3, 3.4)
// runs over DTLS on UDP 3391; without keys this is what can be read of it.
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
};

// The records of one datagram, the first kMaxRecords of them.
struct Datagram {
    static constexpr std::size_t kMaxRecords = 8;
    std::array<Record, kMaxRecords> records{};
    std::size_t count = 0;     // records kept
    std::size_t total = 0;     // records in the datagram
};

// malformed when a record's content type is not 20-23 ("content_type"), its
// version not DTLS 1.0 / 1.2 ("version"), its length past the bound or past
// the datagram ("length"), or the datagram is empty or shorter than a header.
Decoded<Datagram> decode_datagram(Bytes payload);

const char* handshake_name(std::uint8_t type);  // "client_hello", ...; "handshake" for the others

}  // namespace rdpscope::dtls
