// SPDX-License-Identifier: MIT
// Link, IP and transport decoding on real frames read through libpcap, with
// the values tshark 4.0 shows for the same frames.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "capture/pcap_file.hpp"
#include "dissect/packet.hpp"
#include "test_util.hpp"

using namespace rdpscope;

namespace {

// Reads frame `n` (1-based) of a bundled capture into `storage` and decodes it.
struct Frame {
    std::vector<std::uint8_t> bytes;
    CapturedPacket pkt;
    PacketInfo info;
};

Frame read_frame(const std::string& rel, std::uint64_t n) {
    std::string err;
    auto f = PcapFile::open(test::source_path(rel), err);
    REQUIRE(f);
    Frame out;
    for (;;) {
        REQUIRE(f->next(out.pkt, err) == PcapFile::Next::packet);
        if (out.pkt.frame == n) break;
    }
    out.bytes.assign(out.pkt.data.begin(), out.pkt.data.end());
    out.info = decode_packet(out.pkt.linktype, out.bytes);
    return out;
}

}  // namespace

TEST_CASE("BSD loopback (DLT_NULL), IPv4 and a SYN's options: ndpi/rdp.pcap frame 1", "[packet]") {
    auto f = read_frame("tests/pcaps/public/ndpi/rdp.pcap", 1);
    const auto& p = f.info;
    REQUIRE_FALSE(p.error);
    CHECK(f.pkt.linktype == link::null_bsd);
    CHECK(p.link.network == link::Network::ipv4);
    CHECK(to_string(p.ip.src) == "172.16.2.185");
    CHECK(to_string(p.ip.dst) == "192.168.2.142");
    CHECK(p.ip.ttl == 64);
    CHECK(p.ip.ip_id == 0);
    CHECK(p.ip.dont_fragment);
    CHECK_FALSE(p.ip.fragment);
    REQUIRE(p.transport == Transport::tcp);
    CHECK(p.tcp.src_port == 52494);
    CHECK(p.tcp.dst_port == 3389);
    CHECK(p.tcp.seq == 4189905496u);
    CHECK(p.tcp.has(tcp::SYN));
    CHECK_FALSE(p.tcp.has(tcp::ACK));
    CHECK(p.tcp.window == 65535);
    CHECK(p.tcp.options.mss == 1273);
    CHECK(p.tcp.options.window_scale == 5);
    CHECK(p.tcp.options.sack_permitted);
    CHECK(p.tcp.payload.empty());
}

TEST_CASE("802.1Q VLAN and UDP: ndpi/rdp2.pcap frame 7 (pcapng)", "[packet]") {
    auto f = read_frame("tests/pcaps/public/ndpi/rdp2.pcap", 7);
    const auto& p = f.info;
    REQUIRE_FALSE(p.error);
    CHECK(p.link.vlan_tags == 1);
    CHECK(p.link.ethertype == 0x0800);
    CHECK(to_string(p.ip.src) == "10.8.37.100");
    CHECK(to_string(p.ip.dst) == "10.100.2.87");
    CHECK(p.ip.ttl == 125);
    REQUIRE(p.transport == Transport::udp);
    CHECK(p.udp.src_port == 51652);
    CHECK(p.udp.dst_port == 3389);
    CHECK(p.udp.length == 346);
    CHECK(p.udp.payload.size() == 338);
}

TEST_CASE("IPv6 loopback: zeek/rdp-rdpeudp-handshake-success.untrimmed.pcap frame 1", "[packet]") {
    auto f = read_frame("tests/pcaps/public/zeek/rdp-rdpeudp-handshake-success.untrimmed.pcap", 1);
    const auto& p = f.info;
    REQUIRE_FALSE(p.error);
    CHECK(p.link.ethertype == 0x86DD);
    CHECK(p.ip.version == 6);
    CHECK(to_string(p.ip.src) == "::1");
    CHECK(p.ip.ttl == 128);
    REQUIRE(p.transport == Transport::tcp);
    CHECK(p.tcp.src_port == 55275);
    CHECK(p.tcp.options.mss == 65475);
    CHECK(p.tcp.options.window_scale == 0);
}

TEST_CASE("timestamps and frame numbers: zeek/rdp-x509.pcap frames 1-2", "[packet]") {
    auto f1 = read_frame("tests/pcaps/public/zeek/rdp-x509.pcap", 1);
    CHECK(f1.pkt.frame == 1);
    CHECK(f1.pkt.ts_ns == 1423755591055977000LL);
    auto f2 = read_frame("tests/pcaps/public/zeek/rdp-x509.pcap", 2);
    CHECK(f2.pkt.ts_ns == 1423755591056057000LL);
    CHECK(f2.info.tcp.flags == (tcp::SYN | tcp::ACK));
}

TEST_CASE("IPv6 extension headers are walked to the transport header", "[packet]") {
    // tests/pcaps/formats/ipv6-extension-headers.pcap: hop-by-hop, then destination options, then TCP.
    auto f = read_frame("tests/pcaps/formats/ipv6-extension-headers.pcap", 4);
    const auto& p = f.info;
    REQUIRE_FALSE(p.error);
    CHECK(p.ip.protocol == ip::kProtoTCP);
    CHECK(p.ip.header_length == 40 + 16);
    CHECK(to_string(p.ip.src) == "2001:db8::c0a8:1c8");
    CHECK(p.tcp.dst_port == 3389);
    CHECK(p.tcp.payload.size() == 47);
}

TEST_CASE("IPv6 text form follows RFC 5952", "[packet]") {
    IpAddr a;
    a.version = 6;
    a.b = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    CHECK(to_string(a) == "2001:db8::1:0:0:1");
    a.b = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(to_string(a) == "2001:db8::");
    a.b = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};
    CHECK(to_string(a) == "::ffff:10.0.0.1");
    CHECK(to_string(Endpoint{a, 3389}) == "[::ffff:10.0.0.1]:3389");
}

TEST_CASE("IPv4 fragments are flagged - later fragments carry no ports", "[packet]") {
    // The SYN of ndpi/rdp.pcap with MF set, then the same header as a second fragment at offset 8.
    auto f = read_frame("tests/pcaps/public/ndpi/rdp.pcap", 1);
    std::vector<std::uint8_t> first = f.bytes, later = f.bytes;
    first[4 + 6] |= 0x20;  // after the 4-byte NULL header: flags byte, MF
    auto p1 = decode_packet(f.pkt.linktype, first);
    CHECK(p1.ip.fragment);
    CHECK(p1.ip.first_fragment);
    CHECK(p1.transport == Transport::tcp);
    later[4 + 6] = 0x00;
    later[4 + 7] = 0x01;  // offset 1 (8 bytes)
    auto p2 = decode_packet(f.pkt.linktype, later);
    CHECK(p2.ip.fragment);
    CHECK_FALSE(p2.ip.first_fragment);
    CHECK(p2.ip_fragment_without_header);
    CHECK(p2.transport == Transport::none);
}

TEST_CASE("truncated headers fail with the layer and field named", "[packet]") {
    auto f = read_frame("tests/pcaps/public/ndpi/rdp.pcap", 1);
    for (std::size_t n = 0; n < f.bytes.size(); ++n) {
        auto p = decode_packet(f.pkt.linktype, Bytes(f.bytes).first(n));
        if (n < 4 + 20 + 20) {
            REQUIRE(p.error);
            CHECK_FALSE(p.error->layer.empty());
            CHECK_FALSE(p.error->field.empty());
        }
    }
    auto bad = f.bytes;
    bad[4] = 0x45 - 2;  // IHL 3: shorter than an IPv4 header
    auto p = decode_packet(f.pkt.linktype, bad);
    REQUIRE(p.error);
    CHECK(p.error->layer == "ipv4");
    CHECK(p.error->field == "ihl");
}

TEST_CASE("IpAddr ==: the version and all sixteen bytes, as comparing them one by one says", "[packet]") {
    IpAddr base{6, {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}};
    std::vector<IpAddr> all{base};
    for (std::size_t i = 0; i < 16; ++i) {  // one byte different, in either 8-byte half
        IpAddr a = base;
        a.b[i] ^= 0x80;
        all.push_back(a);
    }
    IpAddr v4 = base;
    v4.version = 4;
    all.push_back(v4);
    all.push_back(IpAddr{});
    for (const IpAddr& a : all)
        for (const IpAddr& b : all) {
            const bool bytewise = a.version == b.version && std::equal(a.b.begin(), a.b.end(), b.b.begin());
            CHECK((a == b) == bytewise);
            CHECK((Endpoint{a, 3389} == Endpoint{b, 3389}) == bytewise);
        }
    CHECK_FALSE(Endpoint{base, 3389} == Endpoint{base, 3390});
}
