// SPDX-License-Identifier: MIT
// X.224 class 0 TPDUs as RDP uses them (ITU-T X.224 13.3-13.7, MS-RDPBCGR 2.2.1.1-2.2.1.2):
// Connection Request/Confirm, Disconnect Request, Data and Error.
#pragma once

#include <cstdint>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::x224 {

enum class Type : std::uint8_t { cr, cc, dr, dt, er, unknown };

// The TPDU code is the upper nibble of the second byte (for CR/CC the lower
// nibble is the credit, CDT).
constexpr std::uint8_t kCodeCR = 0xE0;
constexpr std::uint8_t kCodeCC = 0xD0;
constexpr std::uint8_t kCodeDR = 0x80;
constexpr std::uint8_t kCodeDT = 0xF0;
constexpr std::uint8_t kCodeER = 0x70;

struct Tpdu {
    Type type = Type::unknown;
    std::uint8_t length_indicator = 0;  // header length excluding the LI byte
    std::uint8_t code = 0;              // raw second byte
    std::uint16_t dst_ref = 0, src_ref = 0;  // CR, CC, DR
    std::uint8_t class_option = 0;           // CR, CC
    std::uint8_t reason = 0;                 // DR reason / ER cause
    bool eot = false;                        // DT: last data unit of the TSDU
    Bytes variable;   // CR/CC: the variable part (RDP puts cookie and negotiation here)
    Bytes user_data;  // DT: the payload carried (MCS); CR/CC: bytes beyond LI, if any
};

// Decodes the TPKT payload.  A declared LI longer than the bytes present is
// malformed (the TPKT already delimits the whole TPDU).
Decoded<Tpdu> decode(Bytes tpkt_payload);

const char* name(Type t);  // "x224.cr", ...

}  // namespace rdpscope::x224
