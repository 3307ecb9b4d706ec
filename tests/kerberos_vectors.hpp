// SPDX-License-Identifier: MIT
// Kerberos messages built byte for byte from RFC 4120 section 5's ASN.1
// (EXPLICIT tags, DER) for the tests; tshark 4.0 decodes each without a
// malformed field and reads the values their comments give.
#pragma once

#include "test_util.hpp"

namespace rdpscope::test::krbvec {

using rdpscope::test::hex;

// KRB-ERROR: pvno 5, stime 20240101120000Z, susec 123456, error-code 24
// (KDC_ERR_PREAUTH_FAILED), crealm EXAMPLE.COM, cname alice (NT-PRINCIPAL),
// realm EXAMPLE.COM, sname krbtgt/EXAMPLE.COM (NT-SRV-INST), e-text "bad pw".
inline const auto kError24 = hex(
    "7e 81 8a 30 81 87 a0 03 02 01 05 a1 03 02 01 1e a4 11 18 0f 32 30 32 34 30 31 30 31 31 32 30 30 "
    "30 30 5a a5 05 02 03 01 e2 40 a6 03 02 01 18 a7 0d 1b 0b 45 58 41 4d 50 4c 45 2e 43 4f 4d a8 12 "
    "30 10 a0 03 02 01 01 a1 09 30 07 1b 05 61 6c 69 63 65 a9 0d 1b 0b 45 58 41 4d 50 4c 45 2e 43 4f "
    "4d aa 20 30 1e a0 03 02 01 02 a1 17 30 15 1b 06 6b 72 62 74 67 74 1b 0b 45 58 41 4d 50 4c 45 2e "
    "43 4f 4d ab 08 1b 06 62 61 64 20 70 77 ");
// AS-REQ: padata PA-PAC-REQUEST (128); req-body kdc-options 0x40810010, cname
// alice, realm EXAMPLE.COM, sname krbtgt/EXAMPLE.COM, till 20370913024805Z,
// nonce 0x8badf00d (five content octets: a leading zero), etypes 18 17 23.
inline const auto kAsReq = hex(
    "6a 81 9f 30 81 9c a1 03 02 01 05 a2 03 02 01 0a a3 15 30 13 30 11 a1 04 02 02 00 80 a2 09 04 07 "
    "30 05 a0 03 01 01 ff a4 79 30 77 a0 07 03 05 00 40 81 00 10 a1 12 30 10 a0 03 02 01 01 a1 09 30 "
    "07 1b 05 61 6c 69 63 65 a2 0d 1b 0b 45 58 41 4d 50 4c 45 2e 43 4f 4d a3 20 30 1e a0 03 02 01 02 "
    "a1 17 30 15 1b 06 6b 72 62 74 67 74 1b 0b 45 58 41 4d 50 4c 45 2e 43 4f 4d a5 11 18 0f 32 30 33 "
    "37 30 39 31 33 30 32 34 38 30 35 5a a7 07 02 05 00 8b ad f0 0d a8 0b 30 09 02 01 12 02 01 11 02 "
    "01 17 ");
// TGS-REQ: padata type 128; req-body realm EXAMPLE.COM, sname
// TERMSRV/host1.example.com, no cname (RFC 4120 5.4.1: only in AS-REQ), nonce 12345.
inline const auto kTgsReq = hex(
    "6c 81 89 30 81 86 a1 03 02 01 05 a2 03 02 01 0c a3 15 30 13 30 11 a1 04 02 02 00 80 a2 09 04 07 "
    "30 05 a0 03 01 01 00 a4 63 30 61 a0 07 03 05 00 40 81 00 00 a2 0d 1b 0b 45 58 41 4d 50 4c 45 2e "
    "43 4f 4d a3 27 30 25 a0 03 02 01 02 a1 1e 30 1c 1b 07 54 45 52 4d 53 52 56 1b 11 68 6f 73 74 31 "
    "2e 65 78 61 6d 70 6c 65 2e 63 6f 6d a5 11 18 0f 32 30 33 37 30 39 31 33 30 32 34 38 30 35 5a a7 "
    "04 02 02 30 39 a8 05 30 03 02 01 12 ");
// TGS-REP: crealm EXAMPLE.COM, cname alice, Ticket [APPLICATION 1] realm
// EXAMPLE.COM sname TERMSRV/host1.example.com, enc-parts etype 18.
inline const auto kTgsRep = hex(
    "6d 81 91 30 81 8e a0 03 02 01 05 a1 03 02 01 0d a3 0d 1b 0b 45 58 41 4d 50 4c 45 2e 43 4f 4d a4 "
    "12 30 10 a0 03 02 01 01 a1 09 30 07 1b 05 61 6c 69 63 65 a5 50 61 4e 30 4c a0 03 02 01 05 a1 0d "
    "1b 0b 45 58 41 4d 50 4c 45 2e 43 4f 4d a2 27 30 25 a0 03 02 01 02 a1 1e 30 1c 1b 07 54 45 52 4d "
    "53 52 56 1b 11 68 6f 73 74 31 2e 65 78 61 6d 70 6c 65 2e 63 6f 6d a3 0d 30 0b a0 03 02 01 12 a2 "
    "04 04 02 de ad a6 0d 30 0b a0 03 02 01 12 a2 04 04 02 be ef ");
// KRB-ERROR 7 (KDC_ERR_S_PRINCIPAL_UNKNOWN) for TERMSRV/10.0.0.5: no crealm, no cname, no e-text.
inline const auto kError7 = hex(
    "7e 58 30 56 a0 03 02 01 05 a1 03 02 01 1e a4 11 18 0f 32 30 32 34 30 31 30 31 31 32 30 30 30 31 "
    "5a a5 03 02 01 01 a6 03 02 01 07 a9 0d 1b 0b 45 58 41 4d 50 4c 45 2e 43 4f 4d aa 1e 30 1c a0 03 "
    "02 01 02 a1 15 30 13 1b 07 54 45 52 4d 53 52 56 1b 08 31 30 2e 30 2e 30 2e 35 ");

}  // namespace rdpscope::test::krbvec
