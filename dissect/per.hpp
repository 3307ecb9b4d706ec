// SPDX-License-Identifier: MIT
// T.124 / T.125 PER helpers: the pieces of ITU-T X.691 ALIGNED PER that the
// MCS domain PDUs (T.125 section 7 parts 3-10) and the GCC ConnectData /
// Conference Create PDUs (T.124 section 8.7, Annex A) use on the RDP path.
//
// PER has no tags or outer lengths: a decoder walks the ASN.1 definition
// field by field.  These helpers read the octet-aligned pieces (length
// determinants, constrained integers, OIDs, numeric strings); the bit-field
// pieces (CHOICE indexes, OPTIONAL bitmaps, small ENUMERATEDs) are unpacked by
// the decoders themselves, next to the ASN.1 they implement, because where
// those bits sit depends on what precedes them.
//
// Like the BER helpers they return a Status and leave the reader untouched on
// failure; the caller names the field and decides need_more vs malformed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "dissect/reader.hpp"

namespace rdpscope::per {

enum class Status {
    ok,
    short_input,  // the encoding continues past the end of the reader
    invalid,      // the bytes are not what X.691 or the ASN.1 allows
    unsupported,  // legal PER we deliberately do not take (fragmented lengths)
};

// X.691 10.9 length determinant, aligned variant: one octet below 128, two
// octets (10xxxxxx xxxxxxxx) below 16384.  The fragmented form (11xxxxxx) is
// for values of 16K and up, which no RDP connect or domain PDU reaches.
Status read_length(Reader& r, std::size_t& length);

// Constrained whole number with range > 255 and <= 64K (X.691 10.5.7.3): two
// aligned octets holding value - lower_bound.  T.125 UserId / ChannelId and
// T.124 UserID use this with lower bound 1001 (or 0).
Status read_integer16(Reader& r, std::uint16_t lower_bound, std::uint16_t& value);

// Unconstrained / semi-constrained INTEGER (X.691 10.8, 12.2.6): a length
// determinant then that many octets.  Read unsigned, up to 8 octets.
Status read_integer(Reader& r, std::uint64_t& value);

// OBJECT IDENTIFIER (X.691 23): a length determinant then the BER content
// octets; the view points into `r`.
Status read_object_identifier(Reader& r, Bytes& content);

// OCTET STRING with a length determinant (X.691 17.8); the view points into `r`.
Status read_octet_string(Reader& r, Bytes& value);

// OCTET STRING (SIZE (min..255)) (X.691 17.6): one octet holding len - min.
// T.124 H221NonStandardIdentifier is SIZE (4..255).
Status read_octet_string_min(Reader& r, std::size_t min, Bytes& value);

// NumericString (SIZE (min..255)) with the T.124 SimpleNumericString alphabet
// "0".."9": one octet holding len - min, then 4 bits per digit (X.691 27.5.4).
// A nibble above 9 is invalid.
Status read_numeric_string(Reader& r, std::size_t min, std::string& value);

}  // namespace rdpscope::per
