// SPDX-License-Identifier: MIT
// Copies of one packet in one capture (issue 13, part 3) and the link layers
// pktmon and etl2pcapng write (part 4): pcapng files built here as pktmon
// (one Ethernet interface, each packet 6 times microseconds apart, unfinished
// checksums on sent packets, native 802.11 frames labelled Ethernet), netsh
// trace + etl2pcapng (the same frame on an adapter and a filter layer) and a
// SPAN port (a second copy with another TTL and checksum) would, with the
// counts expected from how they were built.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sstream>

#include "capture_builder.hpp"
#include "dissect/packet.hpp"
#include "pcapng_builder.hpp"
#include "run_writer.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using json = nlohmann::json;

namespace {

constexpr std::uint32_t kCli = 0x0A000001, kSrv = 0x0A000002;
constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // microseconds

// A client SYN with IPv4 ID `id`.
Bytes_ syn(std::uint16_t id, std::uint8_t ttl = 128) {
    Bytes_ f = tcp_seg({kCli, 50000}, {kSrv, 3389}, S, 1000, 0, {}, ttl);
    put16(f, 18, id);
    return f;
}

// As a sending Windows host hands it to the NIC under checksum offload: IPv4
// checksum 0, TCP checksum some partial sum.
Bytes_ unfinished(Bytes_ f, std::uint16_t partial) {
    put16(f, 24, 0);
    put16(f, 34 + 16, partial);
    return f;
}

// The Ethernet frame `eth` as a native 802.11 QoS data frame to the AP (To DS),
// LLC/SNAP before the EtherType (IEEE 802.11-2020 9.3.2.1, RFC 1042).
Bytes_ as_wifi(const Bytes_& eth) {
    Bytes_ w = {0x88, 0x01, 0, 0};
    const Bytes_ bssid = {2, 0, 0, 0, 0, 0xAA};
    w.insert(w.end(), bssid.begin(), bssid.end());   // address 1: the AP
    w.insert(w.end(), eth.begin() + 6, eth.begin() + 12);  // address 2: the sender
    w.insert(w.end(), eth.begin(), eth.begin() + 6);  // address 3: the destination
    w.insert(w.end(), {0, 0, 0, 0});                  // sequence control, QoS control
    w.insert(w.end(), {0xAA, 0xAA, 0x03, 0, 0, 0});
    w.insert(w.end(), eth.begin() + 12, eth.end());   // EtherType and the IP packet
    return w;
}

struct Result {
    std::vector<json> conns;
    json file;
    std::string err;
};

Result analyze(const Pcapng& f) {
    const TempFile tmp("rdpscope-copies");
    f.write(tmp.path());
    const WriterOutput w = run_writer(tmp.path(), true);
    Result r;
    r.err = w.err;
    r.conns = connections_in(w.out);
    std::istringstream lines(w.out);
    for (std::string line; std::getline(lines, line);) {
        auto j = json::parse(line);
        if (j["type"] == "file_summary") r.file = j;
    }
    return r;
}

}  // namespace

TEST_CASE("link: 802.11 data frames, native (105) or labelled Ethernet by pktmon", "[copies][packet]") {
    const Bytes_ eth = syn(0x100);
    const Bytes_ wifi = as_wifi(eth);
    SECTION("LINKTYPE_IEEE802_11") {
        const PacketInfo p = decode_packet(link::ieee802_11, wifi);
        REQUIRE_FALSE(p.error);
        CHECK(p.link.network == link::Network::ipv4);
        CHECK(p.transport == Transport::tcp);
        CHECK(p.tcp.dst_port == 3389);
        CHECK_FALSE(p.link.wifi_as_ethernet);
    }
    SECTION("labelled Ethernet: read as 802.11 and said so") {
        const PacketInfo p = decode_packet(link::ethernet, wifi);
        REQUIRE_FALSE(p.error);
        CHECK(p.link.wifi_as_ethernet);
        CHECK(p.ip.ip_id == 0x100);
        CHECK(p.tcp.src_port == 50000);
        // The same IP packet as the Ethernet frame's: the same fingerprint.
        CHECK(copy_fingerprint(p) == copy_fingerprint(decode_packet(link::ethernet, eth)));
    }
    SECTION("a protected (encrypted) frame, a management frame: not IP") {
        Bytes_ prot = wifi;
        prot[1] |= 0x40;
        CHECK(decode_packet(link::ieee802_11, prot).link.network == link::Network::other);
        Bytes_ beacon = wifi;
        beacon[0] = 0x80;
        CHECK(decode_packet(link::ieee802_11, beacon).link.network == link::Network::other);
        // Labelled Ethernet, such a frame is an unknown EtherType, as before.
        const PacketInfo p = decode_packet(link::ethernet, prot);
        CHECK_FALSE(p.link.wifi_as_ethernet);
        CHECK(p.link.network == link::Network::other);
    }
    SECTION("a real Ethernet frame is never taken for 802.11") {
        const PacketInfo p = decode_packet(link::ethernet, eth);
        CHECK_FALSE(p.link.wifi_as_ethernet);
        CHECK(p.link.ethertype == 0x0800);
    }
}

TEST_CASE("copy fingerprint: TTL and checksums do not count, the IPv4 ID and the bytes do", "[copies][packet]") {
    auto fp = [](const Bytes_& f) { return copy_fingerprint(decode_packet(link::ethernet, f)); };
    const Bytes_ a = syn(0x100);
    CHECK(fp(a) != 0);
    CHECK(fp(unfinished(a, 0x1234)) == fp(a));  // pktmon's sent copy
    CHECK(fp(syn(0x100, 127)) == fp(a));        // a SPAN port's routed copy (TTL and IP checksum differ)
    CHECK(fp(syn(0x101)) != fp(a));             // sent again: a new IPv4 ID
    Bytes_ other_seq = a;
    put32(other_seq, 34 + 4, 2000);
    CHECK(fp(other_seq) != fp(a));
    // No ID to tell two sends apart: never a copy.
    CHECK(fp(syn(0)) == 0);
}

TEST_CASE("pktmon: each packet logged 6 times is one packet, and a SYN sent again is a retransmission", "[copies][pcapng]") {
    // pktmon etl2pcap: shb_userappl "Packet Monitor", one Ethernet interface
    // without options, no packet options.  The client sends its SYN three
    // times (IPv4 IDs 0x100, 0x101, 0x102, one and two seconds apart), each
    // logged 6 times 1 us apart, with unfinished checksums on some copies.
    Pcapng f;
    f.shb({Pcapng::text(4, "Packet Monitor")}).idb(1);
    const std::int64_t at[] = {0, 1'000'000, 3'000'000};
    for (int s = 0; s < 3; ++s)
        for (int c = 0; c < 6; ++c) {
            const Bytes_ pkt = syn(static_cast<std::uint16_t>(0x100 + s));
            f.epb(0, kT0 + at[s] + c, c % 2 ? unfinished(pkt, static_cast<std::uint16_t>(c)) : pkt);
        }
    const Result r = analyze(f);
    REQUIRE(r.conns.size() == 1);
    const json& c = r.conns[0];
    CHECK(c["verdict"] == "syn_unanswered");
    CHECK(c["tcp"]["c2s"]["syn_retransmissions"] == 2);
    CHECK(c["tcp"]["c2s"]["retransmissions"] == 2);  // the two resends, as tshark flags them; no copy among them
    CHECK(c["duplicate_copies"] == 15);
    CHECK(c["tcp"]["c2s"]["duplicate_frames"] == 15);
    // Evidence names first copies only (frames 1, 7, 13).
    for (const auto& e : c["evidence"]) {
        INFO(e.dump());
        CHECK((e["frame"].get<int>() - 1) % 6 == 0);
    }
    CHECK(c["tcp"]["c2s"]["retransmitted"][0]["resend_frames"] == json::array({7, 13}));
    CHECK(r.file["packets"] == 18);
    CHECK(r.file["duplicate_copies"] == 15);
    CHECK_FALSE(r.file.contains("copies_across_interfaces"));
    REQUIRE(r.file["interfaces"].size() == 1);
    CHECK(r.file["interfaces"][0]["vantage"] == "pktmon_components");
    CHECK(r.file["interfaces"][0]["duplicate_copies"] == 15);
}

TEST_CASE("pktmon on Wi-Fi: the 802.11 frames labelled Ethernet are read and are copies too", "[copies][pcapng]") {
    // As in github:dolphin2410-archive/gdn backup.pcapng: each packet 3 times
    // as Ethernet (upper components), then 3 times as native 802.11 (the
    // miniport), all on the one Ethernet interface.
    Pcapng f;
    f.shb({Pcapng::text(4, "Packet Monitor")}).idb(1);
    for (int s = 0; s < 2; ++s) {
        const Bytes_ pkt = syn(static_cast<std::uint16_t>(0x200 + s));
        for (int c = 0; c < 6; ++c) f.epb(0, kT0 + s * 1'000'000 + c, c < 3 ? pkt : as_wifi(pkt));
    }
    const Result r = analyze(f);
    CHECK(r.file["packets"] == 12);
    CHECK(r.file["wifi_frames_as_ethernet"] == 6);
    CHECK(r.file["duplicate_copies"] == 10);
    CHECK(r.file["decode_errors"] == 0);
    REQUIRE(r.conns.size() == 1);
    CHECK(r.conns[0]["tcp"]["c2s"]["syn_retransmissions"] == 1);
}

TEST_CASE("etl2pcapng: the same frame on the adapter and a filter layer, with the vantage of each", "[copies][pcapng]") {
    // netsh trace + etl2pcapng 1.12 (src/main.c): interfaces eth:<ifindex>:<vlan>,
    // a filter layer "LWF over IfIndex N", wifi:N (105); direction flags 2
    // (outbound) and "PID= TID=" comments; a journal block between packets.
    Pcapng f;
    f.shb()
        .idb(1, 65535, {Pcapng::text(2, "eth:7:0")})
        .idb(1, 65535, {Pcapng::text(2, "eth:12:0"), Pcapng::text(3, "LWF over IfIndex 7")})
        .idb(105, 65535, {Pcapng::text(2, "wifi:9")});
    const auto out = f.u32opt(2, 2);
    for (int s = 0; s < 2; ++s) {
        const Bytes_ pkt = syn(static_cast<std::uint16_t>(0x300 + s));
        f.journal("MESSAGE=some other ETW event\n");
        f.epb(1, kT0 + s * 1'000'000, pkt, {out, Pcapng::text(1, "PID=4 TID=88")});
        f.epb(0, kT0 + s * 1'000'000 + 3, pkt, {out, Pcapng::text(1, "PID=4 TID=88")});
        f.epb(2, kT0 + s * 1'000'000 + 5, as_wifi(pkt), {out});
    }
    const Result r = analyze(f);
    REQUIRE(r.conns.size() == 1);
    // Frames as Wireshark numbers them: journal 1, SYN 2-4, journal 5, SYN 6-8.
    CHECK(r.conns[0]["tcp"]["c2s"]["retransmitted"][0]["first_frame"] == 2);
    CHECK(r.conns[0]["tcp"]["c2s"]["retransmitted"][0]["resend_frames"] == json::array({6}));
    CHECK(r.conns[0]["duplicate_copies"] == 4);
    CHECK(r.file["duplicate_copies"] == 4);
    CHECK(r.file["copies_across_interfaces"] == 4);
    const json& ifs = r.file["interfaces"];
    REQUIRE(ifs.size() == 3);
    CHECK(ifs[0]["vantage"] == "adapter");
    CHECK_THAT(ifs[0]["vantage_text"].get<std::string>(), Catch::Contains("ifindex 7"));
    CHECK(ifs[1]["vantage"] == "filter_layer");
    CHECK_THAT(ifs[1]["vantage_text"].get<std::string>(), Catch::Contains("over adapter ifindex 7"));
    CHECK(ifs[2]["vantage"] == "wifi_adapter");
    CHECK(ifs[1]["duplicate_copies"] == 0);  // the filter layer logged each first
    CHECK(ifs[0]["duplicate_copies"] == 2);
    CHECK(ifs[2]["duplicate_copies"] == 2);
}

TEST_CASE("SPAN: a routed second copy (TTL, checksum) is a copy, and the same bytes with a new IPv4 ID are not", "[copies][pcapng]") {
    Pcapng f;
    f.shb().idb(1);
    f.epb(0, kT0, syn(0x400, 128));
    f.epb(0, kT0 + 100, syn(0x400, 127));   // the same packet after one more hop
    f.epb(0, kT0 + 200, syn(0x401, 128));   // another packet: a new ID (sent again at once)
    f.epb(0, kT0 + 5'000, syn(0x400, 128)); // the first again, 5 ms later: not a copy
    const Result r = analyze(f);
    CHECK(r.file["duplicate_copies"] == 1);
    REQUIRE(r.conns.size() == 1);
    CHECK(r.conns[0]["duplicate_copies"] == 1);
}

TEST_CASE("frames of an interface whose link type is not read are counted as such, not as decode errors", "[copies][pcapng]") {
    // LINKTYPE_ETW (290), what Wireshark's etwdump writes, beside Ethernet.
    Pcapng f;
    f.shb().idb(290).idb(1);
    for (int i = 0; i < 4; ++i) f.epb(0, kT0 + i, Bytes_(64, 0x11));
    f.epb(1, kT0 + 10, syn(0x500));
    const Result r = analyze(f);
    CHECK(r.file["unread_link_type_frames"] == 4);
    CHECK(r.file["decode_errors"] == 0);
    CHECK(r.file["packets"] == 5);
    CHECK(r.conns.size() == 1);
}

TEST_CASE("pcapng: a million interfaces and a 1 GB first block end with a message", "[copies][pcapng]") {
    SECTION("10^6 interface blocks: refused at the 4097th") {
        Pcapng f;
        f.shb();
        for (int i = 0; i < 1'000'000; ++i) f.idb(1, 0, {Pcapng::text(2, "eth:1:0")});
        f.epb(0, kT0, syn(0x600));
        const Result r = analyze(f);
        CHECK(r.conns.empty());
        CHECK_THAT(r.err, Catch::Contains("more than 4096 interfaces"));
    }
    SECTION("a block claiming 1 GB right after the section header") {
        Pcapng f;
        f.shb();
        f.raw32(1).raw32(1u << 30).raw(Bytes_(64, 0));
        const Result r = analyze(f);
        CHECK(r.conns.empty());
        CHECK_THAT(r.err, Catch::Contains("claims a length of 1073741824 bytes"));
    }
}
