// SPDX-License-Identifier: MIT
// HTTP/1.1 message heads (RFC 9112 2-5): the start line (a request's method
// and target, a response's status code and reason phrase) and the header
// fields, and the challenges of WWW-Authenticate (RFC 9110 11.6.1).  An RD
// Gateway's HTTP transport (MS-TSGU 2.2.3) and KDC proxy speak HTTP/1.1 inside
// TLS; Windows gateways put the cause of a refusal in the reason phrase
// ("User Account Restricted").  Only heads are decoded: the bodies that follow
// are measured (Content-Length, chunked) for the caller to skip.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::http1 {

// A head longer than this is not one an RD Gateway exchanges (Windows' own
// limit, HTTP.sys MaxRequestBytes, is 16 KiB).
constexpr std::size_t kMaxHead = 16 * 1024;
constexpr std::size_t kMaxFields = 64;

struct Field {
    std::string_view name, value;  // the value without surrounding whitespace
};

struct Head {
    bool request = false;
    std::string_view method, target;  // request
    std::string_view version;         // "HTTP/1.1"
    std::uint16_t status = 0;         // response
    std::string_view reason;          // response; may be empty
    std::size_t length = 0;           // bytes of the head, its final CRLF CRLF included
    std::array<Field, kMaxFields> fields{};
    std::size_t field_count = 0;      // fields beyond kMaxFields are not kept
    std::optional<std::uint64_t> content_length;
    bool chunked = false;             // Transfer-Encoding ends with "chunked"

    // The first field of that name (case-insensitive), or nothing.
    std::optional<std::string_view> field(std::string_view name) const;
    // Upgrade: websocket with Connection: Upgrade (RFC 6455 4.1), on either side.
    bool websocket_upgrade() const;
};

// need_more until the head's end (CR LF CR LF) is in `stream`; malformed when
// the start line or a field line breaks RFC 9112, or the head is longer than
// kMaxHead.  The strings point into `stream`.
Decoded<Head> decode_head(Bytes stream);

// The authentication schemes a response offers (WWW-Authenticate, every field
// of that name), RFC 9110 11.6.1: challenge = auth-scheme [ 1*SP ( token68 /
// #auth-param ) ], challenges separated by commas.
enum Scheme : std::uint16_t {
    kNegotiate = 1 << 0,
    kNtlm = 1 << 1,
    kKerberos = 1 << 2,
    kDigest = 1 << 3,
    kBasic = 1 << 4,
    kBearer = 1 << 5,
    kOtherScheme = 1 << 15,
};
struct Challenges {
    std::uint16_t schemes = 0;             // Scheme bits
    std::array<std::string_view, 8> names{};  // in order offered, the first 8
    std::size_t count = 0;
    bool negotiate_token = false;          // a Negotiate/NTLM challenge carries a token (a round of the exchange)
    bool ntlm_token = false;               // that token is NTLM's (MS-NLMP 2.2.1: it starts "NTLMSSP\0")
};
Challenges challenges(const Head& h);
// The same for one field value (exposed for tests).
void add_challenges(std::string_view value, Challenges& out);

// Whether `first` (a stream's first bytes) can start an HTTP/1.x request: a
// method token then a space.  Not a full check: decode_head() decides.
bool may_start_request(Bytes first);

}  // namespace rdpscope::http1
