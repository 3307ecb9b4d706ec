// SPDX-License-Identifier: MIT
// The Kerberos KDC proxy protocol (MS-KKDCP): a client that cannot reach a
// KDC on port 88 POSTs its Kerberos messages over HTTPS to a proxy (an RD
// Gateway's /KdcProxy), each wrapped in a KDC-PROXY-MESSAGE (2.2.2):
//
//   KDC-PROXY-MESSAGE ::= SEQUENCE {
//       kerb-message   [0] OCTET STRING,
//       target-domain  [1] KERB-REALM OPTIONAL,   -- GeneralString
//       dclocator-hint [2] INTEGER OPTIONAL }
//
// kerb-message holds the Kerberos message as on TCP (RFC 4120 7.2.2): a
// 4-octet big-endian length, then the message (dissect/kerberos.hpp decodes
// it).  DER, as 2.2.2 requires.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::kkdcp {

struct ProxyMessage {
    Bytes kerb_message;                  // the Kerberos message, without its length prefix
    std::uint32_t length = 0;            // the prefix's value (equal to kerb_message's size)
    std::optional<std::string> target_domain;
    std::optional<std::uint32_t> dclocator_hint;
    std::size_t encoded_length = 0;      // of the whole KDC-PROXY-MESSAGE
};

// malformed when the outer SEQUENCE, a field or the length prefix does not
// agree with the bytes (a prefix larger than the octet string, or the
// reserved high bit set: RFC 4120 7.2.2); truncated when the bytes end early.
Decoded<ProxyMessage> decode(Bytes body);

}  // namespace rdpscope::kkdcp
