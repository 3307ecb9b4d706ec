// SPDX-License-Identifier: MIT
// DNS (RFC 1035 4.1): just enough of a response to say that a name did not
// resolve -- the header's RCODE and answer count, and the first question's
// name and type.  For a capture without RDP, a failed lookup of the server's
// name is often the whole story.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::dns {

inline constexpr std::uint16_t kPort = 53;

struct Message {
    std::uint16_t id = 0;
    bool response = false;     // QR
    std::uint8_t rcode = 0;    // RFC 1035 4.1.1 (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED)
    std::uint16_t questions = 0, answers = 0;
    std::string qname;         // the first question's name, dotted ("" for the root or no question)
    std::uint16_t qtype = 0;
};

// RCODE names (RFC 1035 4.1.1, RFC 6895 2.3): "NXDOMAIN" ...; "" when unknown.
std::string_view rcode_name(std::uint8_t rcode);
// Query type names for the ones a client asks before connecting: "A", "AAAA", "SRV" ...
std::string_view qtype_name(std::uint16_t qtype);

inline constexpr std::size_t kMaxName = 255;  // RFC 1035 2.3.4

// A DNS message over UDP (no TCP length prefix).  A question name that uses
// compression or runs past 255 octets is malformed (questions are never compressed in practice).
// `question`: false reads the header only (no name, no allocation).
Decoded<Message> decode(Bytes udp_payload, bool question = true);

}  // namespace rdpscope::dns
