// SPDX-License-Identifier: MIT
// T.125 BER helpers: the subset of ITU-T X.690 Basic Encoding Rules that the
// MCS connect PDUs use (T.125 section 7 part 2 and Annex A: Connect-Initial,
// Connect-Response and their DomainParameters are BER, unlike every later
// MCS PDU, which is PER).
//
// Why status codes and not Decoded<T>: the helpers do not know which layer or
// field they serve, nor whether running out of bytes means "wait for more"
// (top level of a stream) or "a length lied" (inside a complete, bounded
// structure).  The caller knows both, so it turns a Status into its own
// DecodeError.  Every helper leaves the reader where it was when it fails.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dissect/reader.hpp"

namespace rdpscope::ber {

enum class Status {
    ok,
    short_input,  // the encoding continues past the end of the reader
    invalid,      // the bytes are not what X.690 or T.125 allows here
    unsupported,  // legal BER we deliberately do not take (indefinite length, huge tags)
};

// X.690 8.1.2: class in the top two bits of the first identifier octet.
enum class TagClass : std::uint8_t { universal = 0, application = 1, context = 2, private_use = 3 };

struct Identifier {
    TagClass cls = TagClass::universal;
    bool constructed = false;
    std::uint32_t number = 0;
    bool operator==(const Identifier&) const = default;
};

// The universal types T.125 uses (X.680 8.4).
inline constexpr Identifier boolean_id{TagClass::universal, false, 1};
inline constexpr Identifier integer_id{TagClass::universal, false, 2};
inline constexpr Identifier octet_string_id{TagClass::universal, false, 4};
inline constexpr Identifier enumerated_id{TagClass::universal, false, 10};
inline constexpr Identifier sequence_id{TagClass::universal, true, 16};

// T.125 7 part 2: Connect-Initial ::= [APPLICATION 101], Connect-Response ::= [APPLICATION 102].
inline constexpr Identifier connect_initial_id{TagClass::application, true, 101};
inline constexpr Identifier connect_response_id{TagClass::application, true, 102};

// Longest definite length we accept: 4 length octets (X.690 8.1.3.5).  Nothing
// on the RDP path comes near; more octets is an attacker or garbage.
inline constexpr std::size_t max_length_octets = 4;

// Identifier octets (X.690 8.1.2), including the high-tag-number form used by
// [APPLICATION 101] (0x7f 0x65).  Tag numbers above 2^28 are unsupported.
Status read_identifier(Reader& r, Identifier& id);

// Definite length octets (X.690 8.1.3).  Indefinite form (0x80) is
// unsupported: T.125 PDUs are always sent with definite lengths.
Status read_length(Reader& r, std::size_t& length);

struct Header {
    Identifier id;
    std::size_t length = 0;       // content octets
    std::size_t header_size = 0;  // identifier + length octets
};

// Identifier and length, without touching the content.
Status read_header(Reader& r, Header& h);

// A whole TLV whose identifier must be `expected`: `content` becomes a child
// reader over exactly the content octets and `r` moves past them.
// short_input if the content runs past the end of `r`; invalid if the
// identifier differs.
Status read_expected(Reader& r, const Identifier& expected, Reader& content);

// INTEGER (X.690 8.3) read as unsigned, as RDP peers write DomainParameters
// (e.g. maxChannelIds 0xffff is sent as 02 02 ff ff).  Up to 8 content octets.
Status read_integer(Reader& r, std::uint64_t& value);
// ENUMERATED (X.690 8.4), same content rules as INTEGER.
Status read_enumerated(Reader& r, std::uint64_t& value);
// BOOLEAN (X.690 8.2): one content octet, any non-zero value is TRUE.
Status read_boolean(Reader& r, bool& value);
// OCTET STRING, primitive form only (X.690 8.7.2); the view points into `r`.
Status read_octet_string(Reader& r, Bytes& value);

}  // namespace rdpscope::ber
