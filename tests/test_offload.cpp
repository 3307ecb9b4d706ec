// SPDX-License-Identifier: MIT
// Frames captured before the NIC segmented them (TSO/LSO, what Npcap shows on
// a Windows sender), after GSO/GRO, and Linux BIG TCP: an IP length of 0 is
// the frame's length, and frames over the MTU or over 64 KiB are read whole.
// Expected TCP lengths are tcpdump's for the same files (tests/pcaps/offload/README.md).
#include <catch2/catch.hpp>

#include "capture/pcap_file.hpp"
#include "dissect/packet.hpp"
#include "test_util.hpp"

using namespace rdpscope;

namespace {

PacketInfo first_packet(const std::string& name, std::uint32_t& caplen) {
    std::string err;
    auto f = PcapFile::open(test::source_path("tests/pcaps/offload/" + name), err);
    REQUIRE(f);
    CapturedPacket p;
    REQUIRE(f->next(p, err) == PcapFile::Next::packet);
    caplen = p.caplen;
    return decode_packet(p.linktype, p.data);
}

}  // namespace

TEST_CASE("offload: IPv4 total length 0 from a Windows TSO sender is the frame's length", "[offload][packet]") {
    std::uint32_t caplen = 0;
    const PacketInfo p = first_packet("ipv4_tcp_http_xml_tso.pcap", caplen);
    CHECK_FALSE(p.error);
    CHECK(caplen == 2030);
    CHECK(p.ip.length_from_frame);
    CHECK(p.ip.total_length == 2016);
    CHECK(p.ip.ttl == 128);
    REQUIRE(p.transport == Transport::tcp);
    CHECK(p.tcp.payload.size() == 1976);
    CHECK(p.tcp.seq == 1891338696u);
}

TEST_CASE("offload: a GSO frame over the MTU keeps its declared length", "[offload][packet]") {
    std::uint32_t caplen = 0;
    const PacketInfo p = first_packet("gso-ipv4.pcap", caplen);
    CHECK_FALSE(p.error);
    CHECK_FALSE(p.ip.length_from_frame);
    CHECK(p.ip.total_length == 7292);
    CHECK(p.tcp.payload.size() == 7240);
}

TEST_CASE("offload: BIG TCP over IPv4 and IPv6 (length 0, frames over 64 KiB)", "[offload][packet]") {
    std::uint32_t caplen = 0;
    const PacketInfo v4 = first_packet("bigtcp-ipv4.pcap", caplen);
    CHECK(caplen == 80066);
    CHECK_FALSE(v4.error);
    CHECK(v4.ip.length_from_frame);
    CHECK(v4.ip.total_length == 80052);
    CHECK(v4.tcp.payload.size() == 80000);
    const PacketInfo v6 = first_packet("bigtcp-ipv6.pcap", caplen);
    CHECK_FALSE(v6.error);
    CHECK(v6.ip.length_from_frame);
    CHECK(v6.ip.total_length == 80040);
    CHECK(v6.tcp.payload.size() == 79968);
}
