// SPDX-License-Identifier: MIT
// NTLM messages (MS-NLMP 2.2.1) as they travel in CredSSP's negoTokens: who
// the client says it is (AUTHENTICATE: domain, user, workstation), who the
// server says it is (CHALLENGE: its NetBIOS and DNS names in the target
// info, 2.2.2.1), and the Windows version each side announces (2.2.2.10).
// The challenge responses, the session key and the MIC are proofs of the
// password: only their presence and lengths are kept, never their bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::ntlm {

inline constexpr std::string_view kLayer = "ntlm";

// NegotiateFlags bits this decoder reads (2.2.2.5).
inline constexpr std::uint32_t NEGOTIATE_UNICODE = 0x00000001;
inline constexpr std::uint32_t NEGOTIATE_ANONYMOUS = 0x00000800;
inline constexpr std::uint32_t NEGOTIATE_VERSION = 0x02000000;

// 2.2.2.10 VERSION: the Windows product version (e.g. 10.0 build 20348).
struct Version {
    std::uint8_t major = 0, minor = 0;
    std::uint16_t build = 0;
    std::uint8_t revision = 0;  // NTLMSSP_REVISION_W2K3 = 0x0F
};

struct Message {
    std::uint8_t type = 0;  // 1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE
    std::uint32_t flags = 0;
    std::optional<Version> version;  // when NEGOTIATE_VERSION is set
    // NEGOTIATE (when supplied) and AUTHENTICATE, as UTF-8.
    std::string domain, workstation;
    std::string user;  // AUTHENTICATE
    // CHALLENGE: TargetName and the target info's AV pairs (2.2.2.1).
    std::string target_name, nb_computer, nb_domain, dns_computer, dns_domain, dns_tree;
    std::optional<std::uint64_t> timestamp;  // MsvAvTimestamp, FILETIME
    // AUTHENTICATE: lengths only.
    std::uint16_t lm_response_length = 0, nt_response_length = 0;
    bool anonymous() const;  // 3.2.5.1.2: empty user and NT response (or NEGOTIATE_ANONYMOUS)
    bool ntlm_v2() const { return nt_response_length > 24; }  // 3.3.2: NTLMv2 responses are longer than 24 bytes
};

// One NTLM message starting at data[0] ("NTLMSSP\0"); its payload fields are
// read from `data` (offsets count from the signature).
Decoded<Message> decode(Bytes data);

// Strings are cut to this many characters (a name is at most 256).
inline constexpr std::size_t kMaxChars = 256;

}  // namespace rdpscope::ntlm
