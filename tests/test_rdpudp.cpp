// SPDX-License-Identifier: MIT
// RDP-UDP datagrams (rdpudp.hpp) from Zeek's three RDPEUDP captures.
//
// Expected values: the bytes' meaning per MS-RDPEUDP / MS-RDPEUDP2 as tshark
// 4.0 labels these frames (SYN,CORRELATIONID,SYNEX / SYN,SYNEX / AOA,DUMMY),
// Zeek's event baselines (rdpeudp_syn, rdpeudp_synack, established version 1
// or 2, rdpeudp_data payloads), and the TLS records the payloads must start
// with.
#include <catch2/catch.hpp>

#include <vector>

#include "dissect/rdp_names.hpp"
#include "dissect/rdpudp.hpp"
#include "tests/test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;

namespace {

// SYN datagrams are zero-padded to 1232 bytes (MS-RDPEUDP 3.1.5.1.1); the
// vectors hold the bytes before the padding and this puts it back.
std::vector<std::uint8_t> padded(const char* h, std::size_t wire_size) {
    auto b = hex(h);
    REQUIRE(b.size() <= wire_size);
    b.resize(wire_size, 0);
    return b;
}

rdpudp::Datagram decoded(const std::vector<std::uint8_t>& b, rdpudp::Framing f = rdpudp::Framing::detect) {
    auto d = rdpudp::decode(b, f);
    if (!d.ok()) FAIL(d.error().field << " at " << d.error().offset);
    return d.value();
}

// Every strict prefix stops cleanly with `truncated`.
void check_prefixes_truncated(const std::vector<std::uint8_t>& b, rdpudp::Framing f) {
    for (std::size_t n = 0; n < b.size(); ++n) {
        auto d = rdpudp::decode(Bytes(b.data(), n), f);
        if (d.ok()) continue;  // a shorter datagram can be valid on its own (e.g. data cut)
        INFO("prefix length " << n);
        CHECK(d.error().kind == ErrorKind::truncated);
        CHECK(d.error().layer == "rdpudp");
    }
}

// zeek/rdpeudp-handshake-fail.pcap frame 1: client SYN (SYNEX, CORRELATION_ID); 1232 bytes on the wire, all zero after these
const char* const udp_fail_syn = R"(
    ff ff ff ff 00 40 18 01 ee 40 71 dc 04 d0 04 d0 f8 53 03 60 ca 7f 42 41 a6 73 74 e5 20 1a 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 02
)";

// zeek/rdpeudp-handshake-success.pcap frame 1: client SYN; 1232 bytes on the wire, all zero after these
const char* const udp_ok_syn = R"(
    ff ff ff ff 00 40 18 01 0b 12 7f 15 04 d0 04 d0 78 55 d0 64 fb af 43 f0 b6 e8 f8 aa df ad 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 03
)";

// zeek/rdpeudp-handshake-success.pcap frame 2: server SYN+ACK; 1232 bytes on the wire, all zero after these
const char* const udp_ok_synack = R"(
    0b 12 7f 15 00 40 10 05 0f 94 ea 0b 04 d0 04 d0 00 01 00 02
)";

// zeek/rdpeudp2-handshake-success.pcap frame 1: client SYN, uUdpVer 0x0101; 1232 bytes on the wire, all zero after these
const char* const udp2_syn = R"(
    ff ff ff ff 00 40 18 01 a7 eb 5d a4 04 d0 04 d0 a2 e2 c8 18 6d e3 4f 1e 8d 0f 91 75 e4 cd 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 01
)";

// zeek/rdpeudp2-handshake-success.pcap frame 2: server SYN+ACK, uUdpVer 0x0101; 1232 bytes on the wire, all zero after these
const char* const udp2_synack = R"(
    a7 eb 5d a4 00 40 10 05 05 47 d7 2b 04 d0 04 d0 00 01 01 01
)";

// zeek/rdpeudp2-handshake-success.pcap frame 4: RDP-UDP2 dummy packet (AOA, DATA); 1007 bytes on the wire, all zero after these
const char* const udp2_dummy_client = R"(
    00 14 c0 64 00 65 00 f0
)";

// zeek/rdpeudp-handshake-success.pcap frame 3: client ACK+DATA carrying a TLS ClientHello; whole datagram, 203 bytes
const char* const udp_ok_data_client = R"(
    0f 94 ea 0b 04 00 00 0c 00 00 00 00 0b 12 7f 16 0b 12 7f 16 16 03 03 00 b2 01 00 00 ae 03 03 5d
    40 b9 50 2b 7a 9d 71 26 c1 61 1e 8b 03 84 fe 40 b5 3e a8 71 ea 2a b8 38 24 f0 f6 e0 0f 99 da 00
    00 3c c0 2c c0 2b c0 30 c0 2f 00 9f 00 9e c0 24 c0 23 c0 28 c0 27 c0 0a c0 09 c0 14 c0 13 00 39
    00 33 00 9d 00 9c 00 3d 00 3c 00 35 00 2f 00 0a 00 6a 00 40 00 38 00 32 00 13 00 05 00 04 01 00
    00 49 00 00 00 0e 00 0c 00 00 09 6c 6f 63 61 6c 68 6f 73 74 00 0a 00 08 00 06 00 1d 00 17 00 18
    00 0b 00 02 01 00 00 0d 00 14 00 12 04 01 05 01 02 01 04 03 05 03 02 03 02 02 06 01 06 03 00 23
    00 00 00 17 00 00 ff 01 00 01 00
)";

// zeek/rdpeudp2-handshake-success.pcap frame 3: RDP-UDP2 DATA carrying a TLS ClientHello; whole datagram, 159 bytes
const char* const udp2_data_client = R"(
    00 14 c1 01 f4 01 64 e0 64 00 01 00 16 03 03 00 8e 01 00 00 8a 03 03 5e 66 d9 f7 16 19 37 47 19
    e0 ea 6c 0e e6 c1 87 00 0d 4b f2 0f cc f2 ac 4b 73 53 5f f3 f0 78 85 00 00 2a c0 2c c0 2b c0 30
    c0 2f 00 9f 00 9e c0 24 c0 23 c0 28 c0 27 c0 0a c0 09 c0 14 c0 13 00 9d 00 9c 00 3d 00 3c 00 35
    00 2f 00 0a 01 00 00 37 00 0a 00 08 00 06 00 1d 00 17 00 18 00 0b 00 02 01 00 00 0d 00 14 00 12
    04 01 05 01 02 01 04 03 05 03 02 03 02 02 06 01 06 03 00 23 00 00 00 17 00 00 ff 01 00 01 00
)";

// zeek/rdpeudp2-handshake-success.pcap frame 6: RDP-UDP2 AOA+DATA from the server; whole datagram, 75 bytes
const char* const udp2_data_server6 = R"(
    02 14 c0 64 00 65 00 e0 00 bd cd d3 07 bc 54 57 e6 51 0e de 63 95 55 8b 99 09 b8 68 f1 b6 06 62
    cb 59 81 e9 94 36 26 05 ff a1 83 e9 e2 55 f2 80 ca 59 9a a0 3d 15 ed b3 19 5d 83 70 a7 18 28 48
    39 6a 8c a6 45 01 f7 0e 00 00 00
)";

// zeek/rdpeudp-handshake-success.pcap frame 4: server ACK+DATA (TLS ServerHello); first 64 of 1172 bytes
const char* const udp_ok_data_server_head = R"(
    0b 12 7f 16 00 c8 00 0c 00 01 00 1f 0f 94 ea 0c 0f 94 ea 0c 16 03 03 04 7b 02 00 00 51 03 03 5d
    40 b9 50 b4 96 23 7f 54 b9 ea 01 cd e7 e0 6e 29 d6 ba da 00 9f 39 f2 5f d1 ea 1e 21 94 4d 4a 20
)";

// zeek/rdpeudp2-handshake-success.pcap frame 5: RDP-UDP2 ACK+DATA with every optional payload but ACKVEC; first 64 of 1250 bytes
const char* const udp2_data_server_head = R"(
    00 55 c1 64 00 03 01 e0 01 00 0a 01 f4 01 64 00 64 00 01 00 16 03 01 05 0b 02 00 00 51 03 01 5e
    66 d9 f0 f4 fa 76 bd 85 66 01 64 04 dc 2b da 97 b9 15 2d 0b 16 9d 39 e1 c4 92 65 b8 d1 67 88 20
)";

}  // namespace

TEST_CASE("rdpeudp-handshake-fail: the client SYN", "[rdpudp][pcap]") {
    auto b = padded(udp_fail_syn, 1232);
    auto d = decoded(b);
    CHECK(d.version == 1);
    CHECK(d.kind == rdpudp::Kind::syn);
    const auto& p = *d.v1;
    CHECK(p.header.sn_source_ack == 0xffffffff);
    CHECK(p.header.receive_window_size == 64);
    CHECK(p.header.flags == 0x1801);
    CHECK(names::rdpudp_flags(p.header.flags) ==
          std::vector<std::string_view>{"RDPUDP_FLAG_SYN", "RDPUDP_FLAG_CORRELATION_ID", "RDPUDP_FLAG_SYNEX"});
    REQUIRE(p.syn);
    CHECK(p.syn->initial_sequence_number == 0xee4071dc);
    CHECK(p.syn->upstream_mtu == 1232);
    CHECK(p.syn->downstream_mtu == 1232);
    REQUIRE(p.correlation_id.size() == 16);
    CHECK(p.correlation_id[0] == 0xf8);
    CHECK(p.correlation_id[13] == 0x1a);
    REQUIRE(p.synex);
    CHECK(p.synex->flags == 0x0001);  // RDPUDP_VERSION_INFO_VALID
    CHECK(p.synex->version == rdpudp::RDPUDP_PROTOCOL_VERSION_2);
    CHECK(p.synex->cookie_hash.empty());
    CHECK(p.data.empty());
    CHECK_FALSE(d.switches_to_v2());
}

TEST_CASE("rdpeudp-handshake-success: SYN, SYN+ACK, then v1 data", "[rdpudp][pcap]") {
    auto syn_b = padded(udp_ok_syn, 1232);
    auto syn = decoded(syn_b);
    CHECK(syn.kind == rdpudp::Kind::syn);
    CHECK(syn.v1->syn->initial_sequence_number == 0x0b127f15);
    CHECK(syn.v1->synex->version == 0x0003);  // not a defined uUdpVer; kept raw
    CHECK(names::rdpudp_version(syn.v1->synex->version).empty());

    auto ack_b = padded(udp_ok_synack, 1232);
    auto synack = decoded(ack_b);
    CHECK(synack.kind == rdpudp::Kind::syn_ack);
    const auto& a = *synack.v1;
    CHECK(a.header.flags == 0x1005);  // SYN | ACK | SYNEX
    // MS-RDPEUDP 3.1.5.1.3: the SYN+ACK acknowledges the client's initial sequence number.
    CHECK(a.header.sn_source_ack == syn.v1->syn->initial_sequence_number);
    CHECK(a.syn->initial_sequence_number == 0x0f94ea0b);
    CHECK(a.correlation_id.empty());
    CHECK(a.synex->version == rdpudp::RDPUDP_PROTOCOL_VERSION_2);
    CHECK_FALSE(synack.switches_to_v2());  // Zeek: rdpeudp_established ..., 1

    auto data_b = hex(udp_ok_data_client);
    auto data = decoded(data_b);
    CHECK(data.version == 1);
    CHECK(data.kind == rdpudp::Kind::data);
    const auto& p = *data.v1;
    CHECK(p.header.sn_source_ack == 0x0f94ea0b);  // the server's initial sequence number
    CHECK(p.header.flags == (rdpudp::RDPUDP_FLAG_ACK | rdpudp::RDPUDP_FLAG_DATA));
    REQUIRE(p.ack_vector);
    CHECK(p.ack_vector->size == 0);
    REQUIRE(p.source);
    CHECK(p.source->sn_coded == 0x0b127f16);  // initial sequence number + 1
    CHECK(p.source->sn_source_start == 0x0b127f16);
    // Zeek rdpeudp_data is_orig: T, version 1, data: \x16\x03\x03\x00\xb2\x01...
    REQUIRE(p.data.size() == 183);
    CHECK(p.data[0] == 0x16);
    CHECK(p.data[1] == 0x03);
    CHECK(p.data[2] == 0x03);
    CHECK(((p.data[3] << 8) | p.data[4]) + 5 == 183);  // one whole TLS record
    check_prefixes_truncated(data_b, rdpudp::Framing::detect);

    auto srv_b = hex(udp_ok_data_server_head);
    auto srv = decoded(srv_b);
    CHECK(srv.kind == rdpudp::Kind::data);
    REQUIRE(srv.v1->ack_vector);
    CHECK(srv.v1->ack_vector->size == 1);
    CHECK(srv.v1->ack_vector->elements[0] == 0x00);
    CHECK(srv.v1->source->sn_coded == 0x0f94ea0c);
    CHECK(srv.v1->data[0] == 0x16);  // \x16\x03\x03\x04{\x02 ...
    CHECK(srv.v1->data[5] == 0x02);  // ServerHello
}

TEST_CASE("rdpeudp2-handshake-success: version 3 switches to RDP-UDP2", "[rdpudp][pcap]") {
    auto syn_b = padded(udp2_syn, 1232);
    auto syn = decoded(syn_b);
    CHECK(syn.kind == rdpudp::Kind::syn);
    CHECK(syn.v1->synex->version == rdpudp::RDPUDP_PROTOCOL_VERSION_3);
    CHECK(syn.v1->synex->cookie_hash.size() == 32);

    auto ack_b = padded(udp2_synack, 1232);
    auto synack = decoded(ack_b);
    CHECK(synack.kind == rdpudp::Kind::syn_ack);
    CHECK(synack.v1->header.sn_source_ack == 0xa7eb5da4);
    CHECK(synack.switches_to_v2());  // Zeek: rdpeudp_established ..., 2

    // Frame 3: the client's first RDP-UDP2 packet, a TLS ClientHello.
    auto c_b = hex(udp2_data_client);
    auto c = decoded(c_b);
    CHECK(c.version == 2);
    CHECK(c.kind == rdpudp::Kind::data);
    const auto& p = *c.v2;
    CHECK(p.prefix == 0xe0);  // wire byte 7: type 0, Short_Packet_Length 7
    CHECK_FALSE(p.dummy());
    CHECK(p.flags == 0x114);
    CHECK(names::rdpudp2_flags(p.flags) == std::vector<std::string_view>{"DATA", "AOA", "DELAYACKINFO"});
    CHECK(p.log_window_size == 12);
    REQUIRE(p.delay_ack_info);
    CHECK(p.delay_ack_info->max_delayed_acks == 1);
    CHECK(p.delay_ack_info->delayed_ack_timeout_ms == 500);
    CHECK(p.ack_of_acks_seq_num == std::optional<std::uint16_t>(100));
    CHECK(p.data_seq_num == std::optional<std::uint16_t>(100));
    CHECK(p.channel_seq_num == std::optional<std::uint16_t>(1));
    auto tls = p.data();
    REQUIRE(tls.size() == c_b.size() - 12);
    CHECK(tls[0] == 0x16);
    CHECK(tls[5] == 0x01);  // ClientHello
    CHECK(((tls[3] << 8) | tls[4]) + 5 == static_cast<int>(tls.size()));
    CHECK_FALSE(p.data_head);  // headers longer than 6 bytes: the data is one view
    check_prefixes_truncated(c_b, rdpudp::Framing::v2);

    // Frame 4: a dummy packet (tshark "AOA,DUMMY").
    auto dummy_b = padded(udp2_dummy_client, 1007);
    auto dummy = decoded(dummy_b);
    CHECK(dummy.version == 2);
    CHECK(dummy.v2->dummy());
    CHECK(dummy.v2->packet_type_index == 8);
    CHECK(dummy.v2->flags == (rdpudp::V2_AOA | rdpudp::V2_DATA));
    CHECK(dummy.v2->ack_of_acks_seq_num == std::optional<std::uint16_t>(100));
    CHECK(dummy.v2->data_seq_num == std::optional<std::uint16_t>(101));

    // Frame 5: the server's answer with ACK, OverheadSize, DelayAckInfo, AOA, DATA.
    auto s_b = hex(udp2_data_server_head);
    auto s = decoded(s_b);
    const auto& q = *s.v2;
    CHECK(q.flags == 0x155);
    REQUIRE(q.ack);
    CHECK(q.ack->seq_num == 100);  // acknowledges the client's DataSeqNum 100
    CHECK(q.ack->received_ts == 0x000103);
    CHECK(q.ack->send_ack_time_gap == 1);
    CHECK(q.ack->num_delayed_acks == 0);
    CHECK(q.overhead_size == std::optional<std::uint8_t>(10));
    CHECK(q.delay_ack_info->delayed_ack_timeout_ms == 500);
    CHECK(q.data_seq_num == std::optional<std::uint16_t>(100));
    auto hello = q.data();
    CHECK(hello[0] == 0x16);
    CHECK(hello[1] == 0x03);
    CHECK(hello[2] == 0x01);
    CHECK(hello[5] == 0x02);  // ServerHello

    // Frame 6: the swap put ChannelSeqNum's low byte (0x02) at the front of
    // the datagram; the decoder puts it back.
    auto f6_b = hex(udp2_data_server6);
    auto f6 = decoded(f6_b);
    const auto& r = *f6.v2;
    CHECK(r.flags == (rdpudp::V2_AOA | rdpudp::V2_DATA));
    CHECK(r.data_seq_num == std::optional<std::uint16_t>(101));
    CHECK(r.channel_seq_num == std::optional<std::uint16_t>(0x0002));
    CHECK(f6_b[0] == 0x02);
    CHECK_FALSE(r.data_head);
    CHECK(r.data_size() == f6_b.size() - 9);  // prefix + 8 bytes of headers
    CHECK(r.data_tail[0] == 0xbd);
}

TEST_CASE("RDP-UDP2: data starting at the swapped byte", "[rdpudp]") {
    // Built by hand per MS-RDPEUDP2 3.1.1.1.5.1: packet 04 00 | 07 00 | 09 00 |
    // aa bb cc (Header DATA, DataSeqNum 7, ChannelSeqNum 9, 3 data bytes),
    // prefix 0xe0 prepended, then bytes 0 and 7 swapped.
    auto b = hex("aa 04 00 07 00 09 00 e0 bb cc");
    auto d = decoded(b);
    CHECK(d.version == 2);
    CHECK(d.kind == rdpudp::Kind::data);
    const auto& p = *d.v2;
    CHECK(p.data_seq_num == std::optional<std::uint16_t>(7));
    CHECK(p.channel_seq_num == std::optional<std::uint16_t>(9));
    CHECK(p.data_head == std::optional<std::uint8_t>(0xaa));
    CHECK(p.data() == std::vector<std::uint8_t>{0xaa, 0xbb, 0xcc});

    // MS-RDPEUDP2 3.1.1.1.5.1's own example: prefix 0x10 (a dummy packet),
    // packet 30 35 56 78 a2 36 73 ee 68 f2 -> on the wire 73 30 35 56 78 a2 36 10 ee 68 f2.
    auto ex = decoded(hex("73 30 35 56 78 a2 36 10 ee 68 f2"), rdpudp::Framing::v2);
    CHECK(ex.v2->prefix == 0x10);
    CHECK(ex.v2->dummy());
    CHECK(ex.v2->short_packet_length == 0);
    CHECK(ex.v2->flags == 0x530);  // header 0x3530, little-endian
    CHECK(ex.v2->log_window_size == 3);
}

TEST_CASE("RDP-UDP detection, short and out-of-bounds input", "[rdpudp]") {
    // Nothing to decode below the 8-byte FEC header.
    auto tiny = rdpudp::decode(hex("ff ff ff ff 00 40 18"));
    REQUIRE_FALSE(tiny.ok());
    CHECK(tiny.error().kind == ErrorKind::truncated);
    CHECK(tiny.error().field == "RDPUDP_FEC_HEADER");

    // Every prefix of the SYN (the unpadded part) is truncated.
    check_prefixes_truncated(hex(udp_fail_syn), rdpudp::Framing::detect);

    // uAckVectorSize above the spec's 2048: malformed, naming the field.
    auto big = rdpudp::decode(hex("0f 94 ea 0b 04 00 00 04 08 01 00 00"));
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().kind == ErrorKind::malformed);
    CHECK(big.error().field == "RDPUDP_ACK_VECTOR_HEADER.uAckVectorSize");
    CHECK(big.error().offset == 8);

    // uAckVectorSize within bounds but beyond the datagram: truncated.
    auto cut = rdpudp::decode(hex("0f 94 ea 0b 04 00 00 04 00 10 00 00"));
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.error().kind == ErrorKind::truncated);

    // Forcing v2 on a v1 ACK: byte 7 (0x0c) is no valid prefix byte.
    auto forced = rdpudp::decode(hex(udp_ok_data_client), rdpudp::Framing::v2);
    REQUIRE_FALSE(forced.ok());
    CHECK(forced.error().kind == ErrorKind::malformed);
    CHECK(forced.error().field == "RDPUDP2.PacketPrefixByte");

    // A v2 packet shorter than 7 bytes: Short_Packet_Length says where the
    // padding starts.  Packet: header 0x0001 (ACK) + SeqNum 5 + 3 bytes of the
    // ACK payload cut short -> truncated.
    // prefix 0xa0: type 0, length 5; swapped into byte 7.
    auto small = rdpudp::decode(hex("00 01 00 05 00 01 00 a0"), rdpudp::Framing::v2);
    REQUIRE_FALSE(small.ok());
    CHECK(small.error().kind == ErrorKind::truncated);
    CHECK(small.error().field == "RDPUDP2.ACK");

    // A bare v1 ACK and a FIN.
    auto ack = decoded(hex("0f 94 ea 0b 04 00 00 04 00 01 00 00"));
    CHECK(ack.kind == rdpudp::Kind::ack);
    CHECK(ack.v1->ack_vector->size == 1);
    auto fin = decoded(hex("0f 94 ea 0b 04 00 00 06 00 00 00 00"));
    CHECK(fin.kind == rdpudp::Kind::fin);
}
