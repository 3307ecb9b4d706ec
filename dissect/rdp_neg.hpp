// SPDX-License-Identifier: MIT
// RDP connection-initiation data carried in the X.224 CR / CC variable part
// (MS-RDPBCGR 2.2.1.1 and 2.2.1.2): routing token or cookie, RDP_NEG_REQ,
// RDP_CORRELATION_INFO, RDP_NEG_RSP and RDP_NEG_FAILURE.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::rdpneg {

// 2.2.1.1.1 requestedProtocols / 2.2.1.2.1 selectedProtocol values.
enum Protocol : std::uint32_t {
    PROTOCOL_RDP = 0x0,
    PROTOCOL_SSL = 0x1,
    PROTOCOL_HYBRID = 0x2,
    PROTOCOL_RDSTLS = 0x4,
    PROTOCOL_HYBRID_EX = 0x8,
    PROTOCOL_RDSAAD = 0x10,
};

enum Type : std::uint8_t { TYPE_RDP_NEG_REQ = 1, TYPE_RDP_NEG_RSP = 2, TYPE_RDP_NEG_FAILURE = 3, TYPE_RDP_CORRELATION_INFO = 6 };

constexpr std::string_view kCookiePrefix = "Cookie: mstshash=";

struct NegReq {
    std::uint8_t flags = 0;
    std::uint16_t length = 0;
    std::uint32_t requested_protocols = 0;
};

struct CorrelationInfo {
    std::uint8_t flags = 0;
    std::array<std::uint8_t, 16> id{};
};

struct Request {  // from an X.224 CR
    std::optional<std::string_view> cookie;         // the name after "mstshash="
    std::optional<std::string_view> routing_token;  // any other CR LF-terminated token
    std::optional<NegReq> neg_req;
    std::optional<CorrelationInfo> correlation;
    std::size_t trailing = 0;  // unexplained bytes after what was decoded
};

struct NegRsp {
    std::uint8_t flags = 0;
    std::uint16_t length = 0;
    std::uint32_t selected_protocol = 0;
};

struct NegFailure {
    std::uint8_t flags = 0;
    std::uint16_t length = 0;
    std::uint32_t failure_code = 0;
};

struct Confirm {  // from an X.224 CC
    std::optional<NegRsp> neg_rsp;
    std::optional<NegFailure> neg_failure;
    std::size_t trailing = 0;
};

// The variable part of a CR.  A neg structure whose length field is not 8 is
// malformed (the spec fixes it), as Zeek's &enforce and Wireshark both treat it.
Decoded<Request> decode_request(Bytes variable);
Decoded<Confirm> decode_confirm(Bytes variable);

const char* failure_name(std::uint32_t code);   // "SSL_REQUIRED_BY_SERVER", ...
const char* protocol_name(std::uint32_t value); // a single selectedProtocol value
std::string protocol_flags(std::uint32_t mask); // "SSL|HYBRID|HYBRID_EX", "RDP" for 0

}  // namespace rdpscope::rdpneg
