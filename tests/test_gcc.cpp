// SPDX-License-Identifier: MIT
// MCS Connect Initial / Connect Response (T.125 BER) and the T.124 GCC
// Conference Create PDUs and settings blocks they carry (gcc.hpp).
//
// Expected values come from the specification's own annotations (MS-RDPBCGR
// 4.1.3 / 4.1.4), from Zeek's rdp.log baselines and Suricata's test.yaml for
// the same captures, and from tshark 4.0's decode of the same frames.
#include <catch2/catch.hpp>

#include <numeric>
#include <string>
#include <vector>

#include "dissect/mcs.hpp"
#include "dissect/rdp_names.hpp"
#include "tests/test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;

namespace {

std::vector<std::uint8_t> x224_user_data(const std::vector<std::uint8_t>& b) {
    REQUIRE(b.size() >= 7);
    REQUIRE(b[0] == 0x03);
    REQUIRE(((b[2] << 8) | b[3]) == static_cast<int>(b.size()));
    REQUIRE((b[4] == 0x02 && b[5] == 0xf0 && b[6] == 0x80));
    return {b.begin() + 7, b.end()};
}
std::vector<std::uint8_t> x224_user_data(const char* frame_hex) { return x224_user_data(hex(frame_hex)); }

mcs::ConnectInitial connect_initial(const std::vector<std::uint8_t>& data) {
    auto d = mcs::decode(data);
    REQUIRE(d.ok());
    REQUIRE(std::holds_alternative<mcs::ConnectInitial>(d.value()));
    const auto& ci = std::get<mcs::ConnectInitial>(d.value());
    if (ci.gcc_error) FAIL("gcc: " << ci.gcc_error->field << " at " << ci.gcc_error->offset);
    return ci;
}

mcs::ConnectResponse connect_response(const std::vector<std::uint8_t>& data) {
    auto d = mcs::decode(data);
    REQUIRE(d.ok());
    REQUIRE(std::holds_alternative<mcs::ConnectResponse>(d.value()));
    const auto& cr = std::get<mcs::ConnectResponse>(d.value());
    if (cr.gcc_error) FAIL("gcc: " << cr.gcc_error->field << " at " << cr.gcc_error->offset);
    return cr;
}

std::string join_channels(const gcc::ClientNetworkData& n) {
    std::string out;
    for (const auto& c : n.channels) {
        if (!out.empty()) out += ',';
        out.append(c.name);  // appended, not concatenated: GCC 12 warns (falsely) on the temporary
    }
    return out;
}

// The rdp.log columns Zeek fills from these two PDUs, computed the way
// Zeek's scripts/base/protocols/rdp/main.zeek does, tab-separated, "-" when
// unset and "(empty)" for an empty string.
std::string zeek_columns(const mcs::ConnectInitial& ci, const mcs::ConnectResponse* cr) {
    const auto& s = ci.gcc->settings;
    auto field = [](const std::string& v) { return v.empty() ? std::string("(empty)") : v; };
    std::vector<std::string> cols;
    cols.push_back(s.network ? join_channels(*s.network) : "-");
    cols.push_back(names::keyboard_layout(s.core->keyboard_layout));
    cols.push_back(names::client_build(s.core->client_build));
    cols.push_back(field(s.core->client_name));
    cols.push_back(field(s.core->client_dig_product_id.value_or("")));
    cols.push_back(std::to_string(s.core->desktop_width));
    cols.push_back(std::to_string(s.core->desktop_height));
    cols.push_back(s.core->zeek_requested_color_depth());
    const gcc::ServerSecurityData* sec = cr && cr->gcc && cr->gcc->settings.security ? &*cr->gcc->settings.security : nullptr;
    const gcc::ServerCertificate* cert = sec && sec->certificate ? &*sec->certificate : nullptr;
    cols.push_back(cert ? names::cert_type(cert->chain_version()) : "-");
    cols.push_back(std::to_string(cert ? cert->count() : 0));
    cols.push_back(cert ? (cert->permanent() ? "T" : "F") : "-");
    cols.push_back(sec ? names::encryption_level(sec->encryption_level) : "-");
    cols.push_back(sec ? names::encryption_method(sec->encryption_method) : "-");
    return std::accumulate(std::next(cols.begin()), cols.end(), cols.front(),
                           [](std::string a, const std::string& b) { return a + "\t" + b; });
}

// MS-RDPBCGR 4.1.3 Client MCS Connect Initial PDU with GCC Conference Create Request.
const char* const spec_connect_initial = R"(
    03 00 01 a0 02 f0 80 7f 65 82 01 94 04 01 01 04 01 01 01 01 ff 30 19 02 01 22 02 01 02 02 01 00
    02 01 01 02 01 00 02 01 01 02 02 ff ff 02 01 02 30 19 02 01 01 02 01 01 02 01 01 02 01 01 02 01
    00 02 01 01 02 02 04 20 02 01 02 30 1c 02 02 ff ff 02 02 fc 17 02 02 ff ff 02 01 01 02 01 00 02
    01 01 02 02 ff ff 02 01 02 04 82 01 33 00 05 00 14 7c 00 01 81 2a 00 08 00 10 00 01 c0 00 44 75
    63 61 81 1c 01 c0 d8 00 04 00 08 00 00 05 00 04 01 ca 03 aa 09 04 00 00 ce 0e 00 00 45 00 4c 00
    54 00 4f 00 4e 00 53 00 2d 00 44 00 45 00 56 00 32 00 00 00 00 00 00 00 00 00 00 00 04 00 00 00
    00 00 00 00 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 01 ca 01 00 00 00 00 00 18 00 07 00 01 00 36 00 39 00 37 00 31 00 32 00
    2d 00 37 00 38 00 33 00 2d 00 30 00 33 00 35 00 37 00 39 00 37 00 34 00 2d 00 34 00 32 00 37 00
    31 00 34 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 c0 0c 00
    0d 00 00 00 00 00 00 00 02 c0 0c 00 1b 00 00 00 00 00 00 00 03 c0 2c 00 03 00 00 00 72 64 70 64
    72 00 00 00 00 00 80 80 63 6c 69 70 72 64 72 00 00 00 a0 c0 72 64 70 73 6e 64 00 00 00 00 00 c0
)";

// MS-RDPBCGR 4.1.4 Server MCS Connect Response PDU with GCC Conference Create Response.
const char* const spec_connect_response = R"(
    03 00 01 51 02 f0 80 7f 66 82 01 45 0a 01 00 02 01 00 30 1a 02 01 22 02 01 03 02 01 00 02 01 01
    02 01 00 02 01 01 02 03 00 ff f8 02 01 02 04 82 01 1f 00 05 00 14 7c 00 01 2a 14 76 0a 01 01 00
    01 c0 00 4d 63 44 6e 81 08 01 0c 0c 00 04 00 08 00 00 00 00 00 03 0c 10 00 eb 03 03 00 ec 03 ed
    03 ee 03 00 00 02 0c ec 00 02 00 00 00 02 00 00 00 20 00 00 00 b8 00 00 00 10 11 77 20 30 61 0a
    12 e4 34 a1 1e f2 c3 9f 31 7d a4 5f 01 89 34 96 e0 ff 11 08 69 7f 1a c3 d2 01 00 00 00 01 00 00
    00 01 00 00 00 06 00 5c 00 52 53 41 31 48 00 00 00 00 02 00 00 3f 00 00 00 01 00 01 00 cb 81 fe
    ba 6d 61 c3 55 05 d5 5f 2e 87 f8 71 94 d6 f1 a5 cb f1 5f 0c 3d f8 70 02 96 c4 fb 9b c8 3c 2d 55
    ae e8 ff 32 75 ea 68 79 e5 a2 01 fd 31 a0 b1 1f 55 a6 1f c1 f6 d1 83 88 63 26 56 12 bc 00 00 00
    00 00 00 00 00 08 00 48 00 e9 e1 d6 28 46 8b 4e f5 0a df fd ee 21 99 ac b4 e1 8f 5f 81 57 82 ef
    9d 96 52 63 27 18 29 db b3 4a fd 9a da 42 ad b5 69 21 89 0e 1d c0 4c 1a a8 aa 71 3e 0f 54 b9 9a
    e4 99 68 3f 6c d6 76 84 61 00 00 00 00 00 00 00 00
)";

// zeek/rdp-proprietary-encryption.pcap frame 14 (conn 2, 172.21.128.16:1312 -> 3389): TPKT + X.224 DT + MCS Connect Initial
const char* const prop_client_data = R"(
    03 00 01 ac 02 f0 80 7f 65 82 01 a0 04 01 01 04 01 01 01 01 ff 30 19 02 01 22 02 01 02 02 01 00
    02 01 01 02 01 00 02 01 01 02 02 ff ff 02 01 02 30 19 02 01 01 02 01 01 02 01 01 02 01 01 02 01
    00 02 01 01 02 02 04 20 02 01 02 30 1c 02 02 ff ff 02 02 fc 17 02 02 ff ff 02 01 01 02 01 00 02
    01 01 02 02 ff ff 02 01 02 04 82 01 3f 00 05 00 14 7c 00 01 81 36 00 08 00 10 00 01 c0 00 44 75
    63 61 81 28 01 c0 d8 00 04 00 08 00 80 04 60 03 01 ca 03 aa 09 04 00 00 70 17 00 00 46 00 52 00
    4f 00 47 00 2d 00 50 00 4f 00 4e 00 44 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 00 00 00
    00 00 00 00 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 01 ca 01 00 00 00 00 00 18 00 0f 00 0b 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 c0 0c 00
    0d 00 00 00 00 00 00 00 02 c0 0c 00 1b 00 00 00 00 00 00 00 03 c0 38 00 04 00 00 00 72 64 70 64
    72 00 00 00 00 00 80 80 72 64 70 73 6e 64 00 00 00 00 00 c0 64 72 64 79 6e 76 63 00 00 00 80 c0
    63 6c 69 70 72 64 72 00 00 00 a0 c0
)";

// zeek/rdp-proprietary-encryption.pcap frame 15: MCS Connect Response, proprietary RSA certificate
const char* const prop_server_data = R"(
    03 00 01 51 02 f0 80 7f 66 82 01 45 0a 01 00 02 01 00 30 1a 02 01 22 02 01 03 02 01 00 02 01 01
    02 01 00 02 01 01 02 03 00 ff f8 02 01 02 04 82 01 1f 00 05 00 14 7c 00 01 2a 14 76 0a 01 01 00
    01 c0 00 4d 63 44 6e 81 08 01 0c 0c 00 04 00 08 00 00 00 00 00 03 0c 10 00 eb 03 04 00 ec 03 ed
    03 ee 03 ef 03 02 0c ec 00 02 00 00 00 03 00 00 00 20 00 00 00 b8 00 00 00 e3 23 f1 2b c9 f1 f5
    1e 9a 05 71 45 b0 03 a3 6e 7e f0 70 62 82 4e cf a2 77 0a e9 1f 9d 03 37 d1 01 00 00 00 01 00 00
    00 01 00 00 00 06 00 5c 00 52 53 41 31 48 00 00 00 00 02 00 00 3f 00 00 00 01 00 01 00 93 52 0c
    e9 c5 32 5c 81 05 a6 5d b2 4e df 86 47 d7 86 d3 59 cd db ee b0 58 8d 99 e0 d0 ff 10 76 7b 2e de
    32 8d cd ad e6 51 32 b0 1b 8c 2c 18 71 be 89 0b 94 7c 79 14 09 ad c8 f6 33 77 f9 74 b1 00 00 00
    00 00 00 00 00 08 00 48 00 46 ba 01 19 95 7a e7 a7 ec 06 04 e0 57 a0 51 55 89 14 09 d8 1d f9 6e
    f5 2c b6 7a df ff 42 9d 95 ba 49 fb c6 5b 14 0c 69 4f 85 83 d2 aa d9 92 0a d5 3d 53 04 98 d0 aa
    f1 5e 9d 62 b6 85 c8 76 20 00 00 00 00 00 00 00 00
)";

// zeek/rdp-x509.pcap frame 11: MCS Connect Initial (client JOHN-PC-LAPTOP)
const char* const x509_client_data = R"(
    03 00 01 be 02 f0 80 7f 65 82 01 b2 04 01 01 04 01 01 01 01 ff 30 19 02 01 22 02 01 02 02 01 00
    02 01 01 02 01 00 02 01 01 02 02 ff ff 02 01 02 30 19 02 01 01 02 01 01 02 01 01 02 01 01 02 01
    00 02 01 01 02 02 04 20 02 01 02 30 1c 02 02 ff ff 02 02 fc 17 02 02 ff ff 02 01 01 02 01 00 02
    01 01 02 02 ff ff 02 01 02 04 82 01 51 00 05 00 14 7c 00 01 81 48 00 08 00 10 00 01 c0 00 44 75
    63 61 81 3a 01 c0 ea 00 04 00 08 00 80 07 38 04 01 ca 03 aa 09 04 00 00 80 25 00 00 4a 00 4f 00
    48 00 4e 00 2d 00 50 00 43 00 2d 00 4c 00 41 00 50 00 54 00 4f 00 50 00 00 00 00 00 04 00 00 00
    00 00 00 00 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 01 ca 01 00 00 00 00 00 10 00 0f 00 ad 07 33 00 63 00 35 00 37 00 31 00
    65 00 64 00 30 00 2d 00 33 00 34 00 31 00 35 00 2d 00 34 00 37 00 34 00 62 00 2d 00 61 00 65 00
    39 00 34 00 2d 00 37 00 34 00 65 00 31 00 35 00 31 00 62 00 00 00 07 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 c0 0c 00 15 00 00 00 00 00 00 00 02 c0 0c 00 1b 00
    00 00 00 00 00 00 03 c0 38 00 04 00 00 00 72 64 70 64 72 00 00 00 00 00 80 80 72 64 70 73 6e 64
    00 00 00 00 00 c0 63 6c 69 70 72 64 72 00 00 00 a0 c0 64 72 64 79 6e 76 63 00 00 00 80 c0
)";

// zeek/rdp-x509.pcap frames 12 + 13 (one TPKT across two segments): MCS Connect Response, X.509 chain of 2
const char* const x509_server_data = R"(
    03 00 05 7d 02 f0 80 7f 66 82 05 71 0a 01 00 02 01 00 30 1a 02 01 22 02 01 03 02 01 00 02 01 01
    02 01 00 02 01 01 02 03 00 ff f8 02 01 02 04 82 05 4b 00 05 00 14 7c 00 01 2a 14 76 0a 01 01 00
    01 c0 00 4d 63 44 6e 85 34 01 0c 0c 00 04 00 08 00 00 00 00 00 03 0c 10 00 eb 03 04 00 ec 03 ed
    03 ee 03 ef 03 02 0c 18 05 02 00 00 00 02 00 00 00 20 00 00 00 e4 04 00 00 9f da 06 05 a0 e3 6f
    69 0b ff 0c a0 b1 21 db 62 da e4 1b 97 12 35 37 5c 71 2b 64 2d 8a e3 cf a7 02 00 00 80 02 00 00
    00 5f 01 00 00 30 82 01 5b 30 82 01 09 a0 03 02 01 02 02 08 59 eb 28 cb 02 b1 a0 d4 30 09 06 05
    2b 0e 03 02 1d 05 00 30 2c 31 2a 30 11 06 03 55 04 03 1e 0a 00 53 00 45 00 52 00 56 00 52 30 15
    06 03 55 04 07 1e 0e 00 54 00 55 00 52 00 4e 00 42 00 4b 00 4c 30 1e 17 0d 31 35 30 32 31 31 31
    34 31 35 30 36 5a 17 0d 31 35 30 35 31 32 30 30 30 30 30 30 5a 30 2c 31 2a 30 11 06 03 55 04 03
    1e 0a 00 53 00 45 00 52 00 56 00 52 30 15 06 03 55 04 07 1e 0e 00 54 00 55 00 52 00 4e 00 42 00
    4b 00 4c 30 5c 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01 05 00 03 4b 00 30 48 02 41 00 d3 14 74 f6
    9f 98 3d 55 77 57 f6 68 0d 76 5c 19 65 f1 9f 8b 7d 31 a6 05 a2 aa 3b 47 e1 4b a9 d0 1a 3f ce 17
    80 40 2e 77 83 8f 7b b5 e4 7b e1 2c 18 ee fc c3 e2 77 ff d9 d6 93 6a d6 ce 98 09 fd 02 03 01 00
    01 a3 13 30 11 30 0f 06 03 55 1d 13 04 08 30 06 01 01 ff 02 01 00 30 09 06 05 2b 0e 03 02 1d 05
    00 03 41 00 8a 92 64 74 5d 17 d5 00 3e 74 c9 03 9a 10 e0 c1 f3 ae 56 d8 ef 0f 55 23 cd a8 82 09
    f5 6b da d2 6a 18 ca a9 b2 a1 d1 2a 7a ee 6b 57 85 8a 3a 07 aa fb 11 6c 5f b9 fe ff 75 92 ab aa
    02 fe ac 9c 65 03 00 00 30 82 03 61 30 82 03 0f a0 03 02 01 02 02 05 01 00 00 00 01 30 09 06 05
    2b 0e 03 02 1d 05 00 30 2c 31 2a 30 11 06 03 55 04 03 1e 0a 00 53 00 45 00 52 00 56 00 52 30 15
    06 03 55 04 07 1e 0e 00 54 00 55 00 52 00 4e 00 42 00 4b 00 4c 30 1e 17 0d 31 33 30 34 30 35 31
    35 31 35 35 35 5a 17 0d 31 36 31 32 33 31 32 33 35 39 35 39 5a 30 81 8e 31 81 8b 30 21 06 03 55
    04 03 1e 1a 00 6e 00 63 00 61 00 6c 00 72 00 70 00 63 00 3a 00 53 00 45 00 52 00 56 00 52 30 21
    06 03 55 04 07 1e 1a 00 6e 00 63 00 61 00 6c 00 72 00 70 00 63 00 3a 00 53 00 45 00 52 00 56 00
    52 30 43 06 03 55 04 05 1e 3c 00 31 00 42 00 63 00 4b 00 65 00 66 00 59 00 53 00 46 00 39 00 37
    00 45 00 76 00 6b 00 61 00 69 00 43 00 71 00 61 00 68 00 50 00 59 00 38 00 75 00 50 00 64 00 30
    00 3d 00 0d 00 0a 30 5c 30 0d 06 09 2a 86 48 86 f7 0d 01 01 04 05 00 03 4b 00 30 48 02 41 00 f2
    2d 4e 9a 36 ed 8f 68 44 49 ed e3 80 f8 6d b3 fc 03 60 ad 64 4d c4 e3 a5 d2 00 e9 24 7b 92 ef a8
    65 76 10 e7 fb e2 25 6f 46 83 7c 33 d8 62 0c cb b3 66 96 3b 13 c6 77 2b 60 42 8c b2 21 ac c7 02
    03 01 00 01 a3 82 01 b7 30 82 01 b3 30 14 06 09 2b 06 01 04 01 82 37 12 04 01 01 ff 04 04 01 00
    05 00 30 3c 06 09 2b 06 01 04 01 82 37 12 02 01 01 ff 04 2c 4d 00 69 00 63 00 72 00 6f 00 73 00
    6f 00 66 00 74 00 20 00 43 00 6f 00 72 00 70 00 6f 00 72 00 61 00 74 00 69 00 6f 00 6e 00 00 00
    30 81 cd 06 09 2b 06 01 04 01 82 37 12 05 01 01 ff 04 81 bc 00 30 00 00 01 00 00 00 02 00 00 00
    09 04 00 00 1c 00 4a 00 66 00 4a 00 b0 00 01 00 33 00 64 00 32 00 36 00 37 00 39 00 35 00 34 00
    2d 00 65 00 65 00 63 00 37 00 2d 00 31 00 31 00 64 00 31 00 2d 00 62 00 39 00 34 00 65 00 2d 00
    30 00 30 00 64 00 30 00 34 00 66 00 61 00 33 00 30 00 38 00 30 00 64 00 00 00 33 00 64 00 32 00
    36 00 37 00 39 00 35 00 34 00 2d 00 64 00 65 00 61 00 37 00 2d 00 31 00 32 00 64 00 31 00 2d 00
    62 00 39 00 34 00 65 00 2d 00 30 00 30 00 63 00 30 00 34 00 66 00 61 00 33 00 30 00 38 00 30 00
    64 00 00 00 00 00 00 10 00 80 d4 00 00 00 00 00 30 68 06 09 2b 06 01 04 01 82 37 12 06 01 01 ff
    04 58 00 30 00 00 00 00 0c 00 3c 00 53 00 45 00 52 00 56 00 52 00 00 00 36 00 39 00 37 00 31 00
    33 00 2d 00 30 00 31 00 32 00 2d 00 34 00 37 00 30 00 31 00 37 00 36 00 33 00 2d 00 34 00 34 00
    37 00 35 00 31 00 00 00 54 00 55 00 52 00 4e 00 42 00 4b 00 4c 00 00 00 00 00 30 23 06 03 55 1d
    23 01 01 ff 04 19 30 17 a1 0e a4 0c 53 00 45 00 52 00 56 00 52 00 00 00 82 05 01 00 00 00 01 30
    09 06 05 2b 0e 03 02 1d 05 00 03 41 00 aa d1 53 19 b3 8a da f8 85 77 35 cc 8a 23 af 10 d4 c0 c2
    40 7c a6 00 92 16 3e 4e 65 e3 83 31 c2 23 95 ec be 98 58 1f 61 d9 92 42 79 fa 48 3f 72 aa 40 64
    c0 1d 34 01 64 91 ee 23 7c e2 6b cc e3 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
)";

// zeek/rdp-unknown-keyboard.pcap frame 11: the rdp-x509 Connect Initial with keyboardLayout edited to 0x0004041e
const char* const unknown_kbd_client_data = R"(
    03 00 01 be 02 f0 80 7f 65 82 01 b2 04 01 01 04 01 01 01 01 ff 30 19 02 01 22 02 01 02 02 01 00
    02 01 01 02 01 00 02 01 01 02 02 ff ff 02 01 02 30 19 02 01 01 02 01 01 02 01 01 02 01 01 02 01
    00 02 01 01 02 02 04 20 02 01 02 30 1c 02 02 ff ff 02 02 fc 17 02 02 ff ff 02 01 01 02 01 00 02
    01 01 02 02 ff ff 02 01 02 04 82 01 51 00 05 00 14 7c 00 01 81 48 00 08 00 10 00 01 c0 00 44 75
    63 61 81 3a 01 c0 ea 00 04 00 08 00 80 07 38 04 01 ca 03 aa 1e 04 04 00 80 25 00 00 4a 00 4f 00
    48 00 4e 00 2d 00 50 00 43 00 2d 00 4c 00 41 00 50 00 54 00 4f 00 50 00 00 00 00 00 04 00 00 00
    00 00 00 00 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 01 ca 01 00 00 00 00 00 10 00 0f 00 ad 07 33 00 63 00 35 00 37 00 31 00
    65 00 64 00 30 00 2d 00 33 00 34 00 31 00 35 00 2d 00 34 00 37 00 34 00 62 00 2d 00 61 00 65 00
    39 00 34 00 2d 00 37 00 34 00 65 00 31 00 35 00 31 00 62 00 00 00 07 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 c0 0c 00 15 00 00 00 00 00 00 00 02 c0 0c 00 1b 00
    00 00 00 00 00 00 03 c0 38 00 04 00 00 00 72 64 70 64 72 00 00 00 00 00 80 80 72 64 70 73 6e 64
    00 00 00 00 00 c0 63 6c 69 70 72 64 72 00 00 00 a0 c0 64 72 64 79 6e 76 63 00 00 00 80 c0
)";

// suricata-verify/rdp-protocol/RDP-003.pcap frame 7: MCS Connect Initial (client ISD2-KM84178)
const char* const rdp003_client_data = R"(
    03 00 01 9c 02 f0 80 7f 65 82 01 90 04 01 01 04 01 01 01 01 ff 30 19 02 01 22 02 01 02 02 01 00
    02 01 01 02 01 00 02 01 01 02 02 ff ff 02 01 02 30 19 02 01 01 02 01 01 02 01 01 02 01 01 02 01
    00 02 01 01 02 02 04 20 02 01 02 30 1c 02 02 ff ff 02 02 fc 17 02 02 ff ff 02 01 01 02 01 00 02
    01 01 02 02 ff ff 02 01 02 04 82 01 2f 00 05 00 14 7c 00 01 81 26 00 08 00 10 00 01 c0 00 44 75
    63 61 81 18 01 c0 d4 00 04 00 08 00 80 04 60 03 01 ca 03 aa 09 04 00 00 28 0a 00 00 49 00 53 00
    44 00 32 00 2d 00 4b 00 4d 00 38 00 34 00 31 00 37 00 38 00 00 00 00 00 00 00 00 00 04 00 00 00
    00 00 00 00 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 01 ca 01 00 00 00 00 00 0f 00 07 00 01 00 35 00 35 00 32 00 37 00 34 00
    2d 00 4f 00 45 00 4d 00 2d 00 30 00 30 00 31 00 31 00 39 00 30 00 33 00 2d 00 30 00 30 00 31 00
    30 00 37 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 c0 0c 00 09 00 00 00
    00 00 00 00 02 c0 0c 00 0b 00 00 00 00 00 00 00 03 c0 2c 00 03 00 00 00 72 64 70 64 72 00 00 00
    00 00 80 80 63 6c 69 70 72 64 72 00 00 00 a0 c0 72 64 70 73 6e 64 00 00 00 00 00 c0
)";

// suricata-verify/rdp-protocol/RDP-003.pcap frame 8: MCS Connect Response (56-bit, Client compatible)
const char* const rdp003_server_data = R"(
    03 00 01 4d 02 f0 80 7f 66 82 01 41 0a 01 00 02 01 00 30 1a 02 01 22 02 01 03 02 01 00 02 01 01
    02 01 00 02 01 01 02 03 00 ff f8 02 01 02 04 82 01 1b 00 05 00 14 7c 00 01 2a 14 76 0a 01 01 00
    01 c0 00 4d 63 44 6e 81 04 01 0c 08 00 04 00 08 00 03 0c 10 00 eb 03 03 00 ec 03 ed 03 ee 03 00
    00 02 0c ec 00 08 00 00 00 02 00 00 00 20 00 00 00 b8 00 00 00 77 8e 84 ed 14 ed f1 08 3d 36 12
    84 c2 8d cd 52 da 72 30 1b e1 dc 7f df 62 ac cd 22 66 0b 33 72 01 00 00 00 01 00 00 00 01 00 00
    00 06 00 5c 00 52 53 41 31 48 00 00 00 00 02 00 00 3f 00 00 00 01 00 01 00 83 f6 d4 ca 7c 05 97
    5a 72 cb 0b 5c a0 ec e5 9d 46 84 70 e8 3a c0 58 90 91 a0 0c 91 19 bc ab 88 ef c9 6b 26 1a 62 90
    e8 a9 38 5b 5a a4 19 8f 5f 29 ca a6 c6 2c 91 43 90 03 bd a0 a2 e9 b8 a6 c9 00 00 00 00 00 00 00
    00 08 00 48 00 1b 0c 72 49 c4 78 2f 8c 7d 4c 9f c6 18 2f 31 64 c6 60 99 97 9f a4 f2 92 68 3d b0
    67 cf c7 11 a7 23 75 12 76 7a 01 19 9c a6 13 be af 06 47 dd 01 20 a9 4e 54 06 6f 6a 61 01 8e 57
    e7 25 ee 0f 3f 00 00 00 00 00 00 00 00
)";

}  // namespace

// ---- MS-RDPBCGR 4.1.3 / 4.1.4 -------------------------------------------------

TEST_CASE("MS-RDPBCGR 4.1.3 Connect Initial: MCS fields", "[mcs][gcc]") {
    const auto ci_bytes = x224_user_data(spec_connect_initial);
    auto ci = connect_initial(ci_bytes);
    CHECK(ci.calling_domain_selector.size() == 1);
    CHECK(ci.calling_domain_selector[0] == 0x01);
    CHECK(ci.called_domain_selector[0] == 0x01);
    CHECK(ci.upward_flag);
    CHECK(ci.target.max_channel_ids == 34);
    CHECK(ci.target.max_user_ids == 2);
    CHECK(ci.target.max_mcs_pdu_size == 0xffff);
    CHECK(ci.target.protocol_version == 2);
    CHECK(ci.minimum.max_channel_ids == 1);
    CHECK(ci.minimum.max_mcs_pdu_size == 0x420);
    CHECK(ci.maximum.max_channel_ids == 0xffff);
    CHECK(ci.maximum.max_user_ids == 0xfc17);
    CHECK(ci.user_data.size() == 0x133);
}

TEST_CASE("MS-RDPBCGR 4.1.3 Connect Initial: GCC and client blocks", "[gcc]") {
    const auto ci_bytes = x224_user_data(spec_connect_initial);
    auto ci = connect_initial(ci_bytes);
    const auto& g = *ci.gcc;
    CHECK(g.t124_identifier.size() == 5);
    CHECK(g.connect_pdu_length == 0x12a);
    CHECK(g.conference_name == "1");
    CHECK(as_text(g.h221_key) == "Duca");
    CHECK(g.user_data.size() == 0x11c);
    CHECK(g.settings.order == std::vector<std::uint16_t>{gcc::CS_CORE, gcc::CS_CLUSTER, gcc::CS_SECURITY, gcc::CS_NET});

    const auto& core = *g.settings.core;
    CHECK(core.version == 0x00080004);
    CHECK(core.desktop_width == 1280);
    CHECK(core.desktop_height == 1024);
    CHECK(core.color_depth == 0xca01);
    CHECK(core.sas_sequence == 0xaa03);
    CHECK(core.keyboard_layout == 0x409);
    CHECK(core.client_build == 3790);
    CHECK(core.client_name == "ELTONS-DEV2");
    CHECK(core.keyboard_type == 4);
    CHECK(core.keyboard_subtype == 0);
    CHECK(core.keyboard_function_keys == 12);
    CHECK(core.ime_file_name.empty());
    CHECK(core.post_beta2_color_depth == std::optional<std::uint16_t>(0xca01));
    CHECK(core.client_product_id == std::optional<std::uint16_t>(1));
    CHECK(core.serial_number == std::optional<std::uint32_t>(0));
    CHECK(core.high_color_depth == std::optional<std::uint16_t>(24));
    CHECK(core.supported_color_depths == std::optional<std::uint16_t>(7));
    CHECK(core.early_capability_flags == std::optional<std::uint16_t>(1));
    CHECK(core.client_dig_product_id == std::optional<std::string>("69712-783-0357974-42714"));
    CHECK(core.connection_type == std::optional<std::uint8_t>(0));
    CHECK(core.server_selected_protocol == std::optional<std::uint32_t>(0));
    CHECK_FALSE(core.desktop_physical_width);
    CHECK(core.trailing_bytes == 0);
    CHECK(core.effective_color_depth() == std::optional<unsigned>(24));

    CHECK(g.settings.cluster->flags == 0x0d);
    CHECK(g.settings.cluster->redirection_supported());
    CHECK(g.settings.cluster->redirection_version() == 3);  // REDIRECTION_VERSION4
    CHECK(g.settings.security->encryption_methods == 0x1b);
    CHECK(g.settings.security->ext_encryption_methods == 0);
    const auto& net = *g.settings.network;
    CHECK(net.channel_count == 3);
    CHECK(join_channels(net) == "rdpdr,cliprdr,rdpsnd");
    CHECK(net.channels[0].options == 0x80800000);
    CHECK(net.channels[1].options == 0xc0a00000);
    CHECK(net.channels[2].options == 0xc0000000);
    CHECK(net.channels[0].raw_name.size() == 8);
}

TEST_CASE("MS-RDPBCGR 4.1.4 Connect Response", "[mcs][gcc]") {
    const auto cr_bytes = x224_user_data(spec_connect_response);
    auto cr = connect_response(cr_bytes);
    CHECK(cr.result == 0);
    CHECK(cr.called_connect_id == 0);
    CHECK(cr.domain_parameters.max_channel_ids == 34);
    CHECK(cr.domain_parameters.max_user_ids == 3);
    CHECK(cr.domain_parameters.max_mcs_pdu_size == 0xfff8);
    const auto& g = *cr.gcc;
    CHECK(g.connect_pdu_length == 0x2a);  // the value every Windows server sends
    CHECK(g.connect_pdu_length_mismatch);
    CHECK(g.node_id == 0x79f3);          // 0x760a + 1001
    CHECK(g.tag == 1);
    CHECK(g.result == 0);
    CHECK(names::gcc_result(g.result) == "Success");
    CHECK(as_text(g.h221_key) == "McDn");
    CHECK(g.user_data.size() == 0x108);

    const auto& s = g.settings;
    CHECK(s.core->version == 0x00080004);
    CHECK(s.core->client_requested_protocols == std::optional<std::uint32_t>(0));
    CHECK_FALSE(s.core->early_capability_flags);
    CHECK(s.network->mcs_channel_id == 1003);
    CHECK(s.network->channel_ids == std::vector<std::uint16_t>{1004, 1005, 1006});
    const auto& sec = *s.security;
    CHECK(sec.encryption_method == 2);
    CHECK(sec.encryption_level == 2);
    CHECK(sec.server_random_len == std::optional<std::uint32_t>(32));
    CHECK(sec.server_cert_len == std::optional<std::uint32_t>(184));
    REQUIRE(sec.server_random.size() == 32);
    CHECK(sec.server_random[0] == 0x10);
    CHECK(sec.server_random[31] == 0xd2);
    REQUIRE(sec.certificate);
    const auto& cert = *sec.certificate;
    CHECK(cert.chain_version() == 1);
    CHECK(cert.permanent());
    REQUIRE(cert.proprietary);
    CHECK(cert.proprietary->sig_alg_id == 1);
    CHECK(cert.proprietary->key_alg_id == 1);
    CHECK(cert.proprietary->public_key_blob_type == 6);
    const auto& key = cert.proprietary->public_key;
    CHECK(key.magic == 0x31415352);  // "RSA1"
    CHECK(key.keylen == 72);
    CHECK(key.bitlen == 512);
    CHECK(key.datalen == 63);
    CHECK(key.public_exponent == 65537);
    REQUIRE(key.modulus.size() == 72);
    CHECK(key.modulus[0] == 0xcb);
    CHECK(key.modulus[63] == 0xbc);
    CHECK(cert.proprietary->signature_blob_type == 8);
    CHECK(cert.proprietary->signature.size() == 72);
    CHECK(cert.count() == 1);
}

// ---- real captures against Zeek / Suricata / tshark -------------------------

TEST_CASE("rdp-proprietary-encryption conn 2: what Zeek logs", "[gcc][pcap]") {
    const auto ci_bytes = x224_user_data(prop_client_data);
    auto ci = connect_initial(ci_bytes);
    const auto cr_bytes = x224_user_data(prop_server_data);
    auto cr = connect_response(cr_bytes);
    // zeek/baselines/...rdp-proprietary-encryption__rdp.log, columns
    // client_channels .. encryption_method of the second connection.
    CHECK(zeek_columns(ci, &cr) ==
          "rdpdr,rdpsnd,drdynvc,cliprdr\tEnglish - United States\tRDP 6.0\tFROG-POND\t(empty)\t1152\t864\t32bit"
          "\tRSA\t1\tT\tHigh\t128bit");
    CHECK(names::gcc_result(cr.gcc->result) == "Success");  // the log's result column

    // tshark 4.0 on frames 14 and 15.
    const auto& core = *ci.gcc->settings.core;
    CHECK(core.client_build == 6000);
    CHECK(core.high_color_depth == std::optional<std::uint16_t>(24));
    CHECK(core.early_capability_flags == std::optional<std::uint16_t>(11));
    CHECK(core.effective_color_depth() == std::optional<unsigned>(32));
    CHECK(ci.gcc->settings.cluster->flags == 0x0d);
    CHECK(ci.gcc->settings.security->encryption_methods == 0x1b);
    const auto& srv = cr.gcc->settings;
    CHECK(srv.network->channel_ids == std::vector<std::uint16_t>{1004, 1005, 1006, 1007});
    CHECK(srv.security->server_cert_len == std::optional<std::uint32_t>(184));
    CHECK(srv.security->server_random[0] == 0xe3);
    CHECK(srv.security->certificate->proprietary->public_key.bitlen == 512);
}

TEST_CASE("rdp-x509: X.509 chain across two TCP segments", "[gcc][pcap]") {
    const auto ci_bytes = x224_user_data(x509_client_data);
    auto ci = connect_initial(ci_bytes);
    const auto cr_bytes = x224_user_data(x509_server_data);
    auto cr = connect_response(cr_bytes);
    // zeek/baselines/...rdp-x509__rdp.log.
    CHECK(zeek_columns(ci, &cr) ==
          "rdpdr,rdpsnd,cliprdr,drdynvc\tEnglish - United States\tRDP 8.1\tJOHN-PC-LAPTOP"
          "\t3c571ed0-3415-474b-ae94-74e151b\t1920\t1080\t16bit\tX.509\t2\tF\tClient compatible\t128bit");

    const auto& core = *ci.gcc->settings.core;  // 234-byte block: every field through deviceScaleFactor
    CHECK(core.early_capability_flags == std::optional<std::uint16_t>(0x07ad));
    CHECK(core.connection_type == std::optional<std::uint8_t>(7));
    CHECK(names::connection_type(*core.connection_type) == "CONNECTION_TYPE_AUTODETECT");
    CHECK(core.desktop_physical_width == std::optional<std::uint32_t>(0));
    CHECK(core.device_scale_factor == std::optional<std::uint32_t>(0));
    CHECK(core.trailing_bytes == 0);
    CHECK(ci.gcc->settings.cluster->flags == 0x15);
    CHECK(ci.gcc->settings.cluster->redirection_version() == 5);  // REDIRECTION_VERSION6

    const auto& sec = *cr.gcc->settings.security;
    CHECK(sec.server_cert_len == std::optional<std::uint32_t>(1252));
    const auto& cert = *sec.certificate;
    CHECK(cert.dw_version == 0x80000002);
    CHECK_FALSE(cert.permanent());
    REQUIRE(cert.x509_chain.size() == 2);
    CHECK(cert.x509_chain[0].size() == 0x15f);
    CHECK(cert.x509_chain[1].size() == 0x365);
    CHECK(cert.x509_chain[0][0] == 0x30);  // DER SEQUENCE
    CHECK(cert.x509_chain[1][0] == 0x30);
}

TEST_CASE("rdp-unknown-keyboard: Zeek's best guess", "[gcc][pcap]") {
    const auto ci_bytes = x224_user_data(unknown_kbd_client_data);
    auto ci = connect_initial(ci_bytes);
    const auto& core = *ci.gcc->settings.core;
    CHECK(core.keyboard_layout == 0x0004041e);
    // zeek/baselines/...rdp-unknown-keyboard__rdp.log (no server response in the trace).
    CHECK(zeek_columns(ci, nullptr) ==
          "rdpdr,rdpsnd,cliprdr,drdynvc\tThai (Best Guess for 263198)\tRDP 8.1\tJOHN-PC-LAPTOP"
          "\t3c571ed0-3415-474b-ae94-74e151b\t1920\t1080\t16bit\t-\t0\t-\t-\t-");
}

TEST_CASE("RDP-003: what Suricata and tshark report", "[gcc][pcap]") {
    const auto ci_bytes = x224_user_data(rdp003_client_data);
    auto ci = connect_initial(ci_bytes);
    const auto& s = ci.gcc->settings;
    const auto& core = *s.core;
    // suricata-verify/rdp-protocol/test.yaml, connect_request event.
    CHECK(core.version == 0x00080004);  // "v5"
    CHECK(core.client_build == 2600);   // "Windows XP"
    CHECK(core.desktop_height == 864);
    CHECK(core.client_name == "ISD2-KM84178");
    CHECK(names::early_capability_flags(*core.early_capability_flags).front() == "RNS_UD_CS_SUPPORT_ERRINFO_PDU");
    CHECK(core.client_dig_product_id == std::optional<std::string>("55274-OEM-0011903-00107"));
    CHECK(join_channels(*s.network) == "rdpdr,cliprdr,rdpsnd");
    // tshark: 212-byte core block, connectionType present, serverSelectedProtocol not.
    CHECK(core.desktop_width == 1152);
    CHECK(core.high_color_depth == std::optional<std::uint16_t>(15));
    CHECK(core.connection_type == std::optional<std::uint8_t>(0));
    CHECK_FALSE(core.server_selected_protocol);
    CHECK(core.trailing_bytes == 0);
    CHECK(s.security->encryption_methods == 0x0b);

    const auto cr_bytes = x224_user_data(rdp003_server_data);
    auto cr = connect_response(cr_bytes);
    const auto& srv = cr.gcc->settings;
    CHECK(srv.core->version == 0x00080004);
    CHECK_FALSE(srv.core->client_requested_protocols);  // an 8-byte SC_CORE (TS 5.0)
    CHECK(srv.network->mcs_channel_id == 1003);
    CHECK(srv.network->channel_ids == std::vector<std::uint16_t>{1004, 1005, 1006});
    CHECK(names::encryption_method(srv.security->encryption_method) == "56bit");
    CHECK(names::encryption_level(srv.security->encryption_level) == "Client compatible");
    CHECK(srv.security->server_random[0] == 0x77);
    CHECK(srv.security->certificate->proprietary->public_key.public_exponent == 65537);
}

// ---- short and lying input ---------------------------------------------------

TEST_CASE("Every prefix of a Connect Initial / Response is need_more", "[mcs][gcc]") {
    for (const char* frame : {spec_connect_initial, spec_connect_response, x509_server_data}) {
        auto data = x224_user_data(frame);
        for (std::size_t n = 0; n < data.size(); ++n) {
            auto d = mcs::decode(Bytes(data.data(), n));
            INFO("prefix length " << n << " of " << data.size());
            REQUIRE_FALSE(d.ok());
            CHECK(d.error().kind == ErrorKind::need_more);
            // Once the BER header is in, the decoder knows the whole size.
            if (n >= 5) CHECK(d.error().needed == data.size());
        }
    }
}

TEST_CASE("A BER length lying inside the envelope is malformed, naming the field", "[mcs]") {
    auto data = x224_user_data(spec_connect_initial);
    // userData OCTET STRING: 04 82 01 33 at offset 0x69 of the TPDU; claim one more byte.
    const std::size_t at = 0x69 - 7;
    REQUIRE(data[at] == 0x04);
    data[at + 3] = 0x34;
    auto d = mcs::decode(data);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().kind == ErrorKind::malformed);
    CHECK(d.error().field == "ConnectInitial.userData");
    CHECK(d.error().offset == at);
}

TEST_CASE("A lying GCC length spoils only the GCC part", "[gcc]") {
    const auto original = x224_user_data(spec_connect_initial);
    const std::size_t core_len = 0x86 - 7;  // 01 c0 [d8 00]: CS_CORE length
    const std::size_t chan_count = 0x178 - 7;  // CS_NET channelCount
    const std::size_t pdu_len = 0x74 - 7;      // connectPDU length 81 2a
    REQUIRE(original[core_len] == 0xd8);
    REQUIRE(original[chan_count] == 0x03);
    REQUIRE(original[pdu_len] == 0x81);

    struct Case {
        std::size_t at;
        std::uint8_t value;
        std::string_view field;
        std::size_t offset;
    };
    for (const Case& c : {Case{core_len + 1, 0xff, "TS_UD_HEADER.length", core_len},
                          Case{chan_count, 0x04, "ClientNetworkData.channelCount", chan_count},
                          Case{pdu_len + 1, 0x2b, "ConnectData.connectPDU.length", pdu_len}}) {
        auto data = original;
        data[c.at] = c.value;
        auto d = mcs::decode(data);
        REQUIRE(d.ok());  // the MCS layer is intact
        const auto& ci = std::get<mcs::ConnectInitial>(d.value());
        CHECK(ci.target.max_channel_ids == 34);
        CHECK_FALSE(ci.gcc);
        REQUIRE(ci.gcc_error);
        CHECK(ci.gcc_error->layer == "gcc");
        CHECK(ci.gcc_error->kind == ErrorKind::malformed);
        CHECK(ci.gcc_error->field == c.field);
        CHECK(ci.gcc_error->offset == c.offset);
    }
}

TEST_CASE("A lying certificate length keeps encryption method and level", "[gcc]") {
    auto data = x224_user_data(x509_server_data);
    std::size_t cb_cert = 0;
    {
        auto cr0 = connect_response(data);
        Bytes cert_body = cr0.gcc->settings.security->certificate->body;  // after dwVersion
        cb_cert = static_cast<std::size_t>(cert_body.data() - data.data()) + 4;  // after NumCertBlobs
    }
    REQUIRE(data[cb_cert] == 0x5f);
    data[cb_cert + 1] = 0x15;  // the first cbCert becomes 0x155f, past the end
    auto d = mcs::decode(data);
    REQUIRE(d.ok());
    const auto& cr = std::get<mcs::ConnectResponse>(d.value());
    REQUIRE(cr.gcc);
    const auto& sec = *cr.gcc->settings.security;
    CHECK(sec.encryption_method == 2);
    CHECK(sec.encryption_level == 2);
    CHECK_FALSE(sec.certificate);
    REQUIRE(sec.certificate_error);
    CHECK(sec.certificate_error->field == "X509CertificateChain.cbCert");
    CHECK(sec.certificate_error->offset == cb_cert);

    // And a certificate count no buffer could hold.
    auto cert = hex("02 00 00 80 ff ff ff 7f 00 00 00 00");
    auto c = gcc::decode_server_certificate(cert);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().field == "X509CertificateChain.NumCertBlobs");
    CHECK(c.error().offset == 4);
}

TEST_CASE("Unknown blocks and unknown certificate versions are kept", "[gcc]") {
    // CS_MONITOR_EX (not decoded), then an unassigned type, then CS_SECURITY twice.
    auto blocks = hex(R"(
        08 c0 0c 00 00 00 00 00 14 00 00 00
        99 c0 06 00 ab cd
        02 c0 0c 00 03 00 00 00 00 00 00 00
        02 c0 0c 00 1b 00 00 00 00 00 00 00)");
    auto s = gcc::decode_client_blocks(blocks);
    REQUIRE(s.ok());
    REQUIRE(s->unknown.size() == 2);
    CHECK(s->unknown[0].type == gcc::CS_MONITOR_EX);
    CHECK(s->unknown[0].length == 12);
    CHECK(s->unknown[1].type == 0xc099);
    CHECK(s->unknown[1].body.size() == 2);
    CHECK(s->security->encryption_methods == 0x03);  // the first one wins
    CHECK(s->duplicates == 1);
    CHECK(s->order.size() == 4);

    auto cert = gcc::decode_server_certificate(hex("07 00 00 00 de ad"));
    REQUIRE(cert.ok());
    CHECK(cert->chain_version() == 7);
    CHECK(cert->body.size() == 2);
    CHECK(cert->count() == 0);
    CHECK(names::cert_type(cert->chain_version()) == "cert_type-7");

    // A block shorter than its own header.
    auto bad = gcc::decode_client_blocks(hex("01 c0 03 00"), 100);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().field == "TS_UD_HEADER.length");
    CHECK(bad.error().offset == 102);
}

TEST_CASE("Client core: old clients stop early, colour depth precedence", "[gcc]") {
    // An RDP 4.0-style core block: the 128 fixed bytes and nothing else.
    std::vector<std::uint8_t> body(128, 0);
    body[0] = 0x01, body[2] = 0x08;     // version 0x00080001
    body[8] = 0x01, body[9] = 0xca;     // colorDepth RNS_UD_COLOR_8BPP
    body[20] = 'A';                     // clientName "A"
    auto c = gcc::decode_client_core(body);
    REQUIRE(c.ok());
    CHECK(names::rdp_version(c->version) == "RDP 4.0");
    CHECK(c->client_name == "A");
    CHECK_FALSE(c->post_beta2_color_depth);
    CHECK(c->effective_color_depth() == std::optional<unsigned>(8));
    CHECK(c->zeek_requested_color_depth().empty());

    // postBeta2ColorDepth present and half of clientProductId: the half is trailing.
    body.insert(body.end(), {0x03, 0xca, 0x01});
    c = gcc::decode_client_core(body);
    REQUIRE(c.ok());
    CHECK(c->post_beta2_color_depth == std::optional<std::uint16_t>(0xca03));
    CHECK(c->effective_color_depth() == std::optional<unsigned>(16));
    CHECK_FALSE(c->client_product_id);
    CHECK(c->trailing_bytes == 1);

    // Missing fixed part: malformed, naming the field.
    auto short_core = gcc::decode_client_core(Bytes(body.data(), 100), 10);
    REQUIRE_FALSE(short_core.ok());
    CHECK(short_core.error().field == "ClientCoreData.imeFileName");
    CHECK(short_core.error().offset == 10 + 64);

    // UTF-16: a surrogate pair and a lone surrogate.
    CHECK(gcc::utf16le_to_utf8(hex("3d d8 00 de 41 00")) == "\xf0\x9f\x98\x80" "A");
    CHECK(gcc::utf16le_to_utf8(hex("00 d8 41 00")) == "\xef\xbf\xbd" "A");
    CHECK(gcc::utf16le_to_utf8(hex("e9 00 00 00 42 00")) == "\xc3\xa9");
}
