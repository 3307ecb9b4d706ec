// SPDX-License-Identifier: MIT
// The capture-file reader (capture/pcap_file): pcapng files built here block
// by block, with what Windows tools and Wireshark put in them -- interfaces of
// different link types, direction flags and comments (etl2pcapng), journal
// blocks that Wireshark numbers as frames, Decryption Secrets Blocks, other
// timestamp resolutions, big-endian sections -- and the broken and hostile
// shapes, each with the error it must give.  Expectations come from what was
// built (draft-ietf-opsawg-pcapng for the layout), never from the reader.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "capture/pcap_file.hpp"
#include "report/writers.hpp"
#include "capture_builder.hpp"
#include "pcapng_builder.hpp"
#include "run_writer.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using namespace rdpscope::test;

namespace {

constexpr std::uint32_t kCli = 0x0A000001, kSrv = 0x0A000002;

// capture_builder's segments are Ethernet frames already.
Bytes_ ethernet(const Bytes_& frame) { return frame; }
// DLT_NULL as Npcap writes it: the address family in host (little-endian)
// order (2 = IPv4) in place of the Ethernet header.
Bytes_ null_loopback(const Bytes_& frame) {
    Bytes_ f = {2, 0, 0, 0};
    f.resize(4 + frame.size() - 14);
    std::copy(frame.begin() + 14, frame.end(), f.begin() + 4);
    return f;
}
Bytes_ syn(std::uint16_t sport) { return tcp_seg({kCli, sport}, {kSrv, 3389}, 0x02, 1000, 0); }

struct Read {
    std::vector<CapturedPacket> packets;
    std::vector<std::vector<std::uint8_t>> data;
    std::vector<std::string> comments;
    std::string error;
    bool opened = false;
    std::vector<CaptureInterface> interfaces;
    std::vector<CaptureSecrets> secrets;
    std::uint64_t non_packet_frames = 0;
    int linktype = -1;
};

Read read_all(const Pcapng& file) {
    const TempFile tmp("rdpscope-pcapng");
    file.write(tmp.path());
    Read r;
    auto f = PcapFile::open(tmp.path(), r.error);
    if (!f) return r;
    r.opened = true;
    r.linktype = f->linktype();
    CapturedPacket p;
    for (;;) {
        const auto n = f->next(p, r.error);
        if (n != PcapFile::Next::packet) break;
        r.packets.push_back(p);
        r.data.emplace_back(p.data.begin(), p.data.end());
        r.comments.emplace_back(p.comment);
    }
    r.interfaces = f->interfaces();
    r.secrets = f->secrets();
    r.non_packet_frames = f->non_packet_frames();
    return r;
}

std::vector<nlohmann::json> analyze_json(const Pcapng& file, std::string* err_text = nullptr) {
    const TempFile tmp("rdpscope-pcapng-run");
    file.write(tmp.path());
    const WriterOutput w = run_writer(tmp.path(), true);
    if (err_text) *err_text = w.err;
    return connections_in(w.out);
}

}  // namespace

TEST_CASE("pcapng: interfaces of different link types are all read (Ethernet and loopback together)", "[pcapng]") {
    Pcapng f;
    f.shb().idb(1, 65535).idb(0, 262144);
    f.epb(0, 1'700'000'000'000'000, ethernet(syn(50000)));
    f.epb(1, 1'700'000'000'000'100, null_loopback(syn(50001)));
    f.epb(0, 1'700'000'000'000'200, ethernet(syn(50002)));
    const Read r = read_all(f);
    REQUIRE(r.opened);
    CHECK(r.error.empty());
    REQUIRE(r.packets.size() == 3);
    CHECK(r.linktype == 1);
    CHECK(r.packets[0].linktype == 1);
    CHECK(r.packets[1].linktype == 0);
    CHECK(r.packets[1].interface == 1);
    CHECK(r.packets[2].linktype == 1);
    CHECK(r.packets[0].frame == 1);
    CHECK(r.packets[2].frame == 3);
    // Microseconds by default (no if_tsresol).
    CHECK(r.packets[1].ts_ns == 1'700'000'000'000'100'000);
    CHECK(r.packets[1].caplen == r.data[1].size());
    CHECK(r.data[1][0] == 2);
}

TEST_CASE("pcapng: the SYNs on both interfaces are judged, with their frame numbers", "[pcapng]") {
    Pcapng f;
    f.shb().idb(1).idb(0);
    const std::int64_t t0 = 1'700'000'000'000'000;  // us
    for (int i = 0; i < 3; ++i) {
        f.epb(0, t0 + i * 1'000'000, ethernet(syn(50000)));
        f.epb(1, t0 + i * 1'000'000 + 10, null_loopback(syn(50001)));
    }
    f.journal("__REALTIME_TIMESTAMP=1\nMESSAGE=an ETW event\n");
    std::string err;
    const auto conns = analyze_json(f, &err);
    CHECK(err.empty());
    REQUIRE(conns.size() == 2);
    for (const auto& c : conns) {
        CHECK(c["cause"] == "firewall_drop");
        CHECK(c["verdict"] == "syn_unanswered");
    }
    // Frames 1, 3, 5 are the Ethernet SYNs, 2, 4, 6 the loopback ones.
    CHECK(conns[0]["evidence"][0]["frame"] == 1);
    CHECK(conns[1]["evidence"][0]["frame"] == 2);
}

TEST_CASE("pcapng: a first interface of a link type rdpscope does not read (ETW) does not make the file unusable", "[pcapng]") {
    // Interfaces of several link types, the first one not read here
    // (LINKTYPE_ETW 290, what Wireshark's etwdump writes).
    Pcapng f;
    f.shb().idb(290).idb(1);
    const std::int64_t t0 = 1'700'000'000'000'000;
    f.epb(0, t0, Bytes_(40, 0x88));
    for (int i = 0; i < 3; ++i) f.epb(1, t0 + i * 1'000'000 + 10, ethernet(syn(50001)));
    std::string err;
    const auto conns = analyze_json(f, &err);
    CHECK(err.find("unsupported link type") == std::string::npos);
    REQUIRE(conns.size() == 1);
    CHECK(conns[0]["verdict"] == "syn_unanswered");
    // A file whose every interface is unreadable is unusable, naming the types.
    Pcapng g;
    g.shb().idb(290).idb(127).epb(0, t0, Bytes_(40, 0x88));
    const auto none = analyze_json(g, &err);
    CHECK(none.empty());
    CHECK_THAT(err, Catch::Contains("unsupported link type 290, 127"));
}

TEST_CASE("pcapng: pktmon's truncated packets are reported once, with the flag that keeps them whole", "[pcapng]") {
    // pktmon's own pcapng: shb_userappl "Packet Monitor", one Ethernet
    // interface, packets cut to --pkt-size (128 bytes by default).
    // Two packets (the second with the next IPv4 ID and sequence number: not
    // a copy of the first).
    const Bytes_ full = ethernet(tcp_seg({kCli, 50000}, {kSrv, 3389}, 0x18, 1, 1, Bytes_(300, 0x41)));
    Bytes_ next = ethernet(tcp_seg({kCli, 50000}, {kSrv, 3389}, 0x18, 301, 1, Bytes_(300, 0x41)));
    put16(next, 18, 0x1235);
    const Bytes_ cut(full.begin(), full.begin() + 128), cut2(next.begin(), next.begin() + 128);
    Pcapng f;
    f.shb({Pcapng::text(4, "Packet Monitor")}).idb(1);
    f.epb(0, 1'700'000'000'000'000, cut, {}, static_cast<std::uint32_t>(full.size()));
    f.epb(0, 1'700'000'000'000'100, cut2, {}, static_cast<std::uint32_t>(next.size()));
    std::string err;
    analyze_json(f, &err);
    CHECK_THAT(err, Catch::Contains("pktmon cut 2 packets short"));
    CHECK_THAT(err, Catch::Contains("pktmon start --capture --pkt-size 0"));
    // Another writer's truncated file gets no pktmon advice.
    Pcapng g;
    g.shb({Pcapng::text(4, "Dumpcap (Wireshark) 4.0.17")}).idb(1);
    g.epb(0, 1'700'000'000'000'000, cut, {}, static_cast<std::uint32_t>(full.size()));
    analyze_json(g, &err);
    CHECK(err.find("pktmon") == std::string::npos);
}

// tshark 4.0 on such a file numbers journal and custom blocks as frames, and
// NRB, ISB, DSB and blocks of unknown type not.
TEST_CASE("pcapng: journal and custom blocks are frames, as Wireshark numbers them - NRB, ISB, DSB are not", "[pcapng]") {
    Pcapng f;
    f.shb().idb(1);
    f.journal("__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE=one\n");
    f.epb(0, 1, ethernet(syn(1)));
    f.journal("__REALTIME_TIMESTAMP=1700000000000001\nMESSAGE=two\n");
    f.block(0x00000BAD, {0xd9, 0x7e, 0, 0, 'a', 'b'});
    f.block(0x40000BAD, {0xd9, 0x7e, 0, 0, 'c'});
    f.block(4, {0, 0, 0, 0});                      // NRB, empty
    f.block(5, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});  // ISB
    f.dsb(0x544c534b, "CLIENT_RANDOM 00 11\n");
    f.block(0x12345, {1, 2, 3, 4});
    f.epb(0, 2, ethernet(syn(2)));
    const Read r = read_all(f);
    REQUIRE(r.packets.size() == 2);
    CHECK(r.packets[0].frame == 2);
    CHECK(r.packets[1].frame == 6);
    CHECK(r.non_packet_frames == 4);
}

TEST_CASE("pcapng: a journal block before the first interface does not hide the link type", "[pcapng]") {
    Pcapng f;
    f.shb().journal("MESSAGE=early\n").idb(101).epb(0, 5, syn(1));
    const Read r = read_all(f);
    REQUIRE(r.opened);
    CHECK(r.linktype == 101);
    REQUIRE(r.packets.size() == 1);
    CHECK(r.packets[0].frame == 2);
    CHECK(r.packets[0].linktype == 101);
}

TEST_CASE("pcapng: direction flags and comments as etl2pcapng writes them", "[pcapng]") {
    Pcapng f;
    f.shb().idb(1, 65535, {Pcapng::text(2, "eth:7:0"), Pcapng::text(3, "LWF over IfIndex 7")});
    f.epb(0, 10, ethernet(syn(1)), {f.u32opt(2, 2), Pcapng::text(1, "PID=4 TID=128")});
    f.epb(0, 11, ethernet(syn(1)), {f.u32opt(2, 1)});
    f.epb(0, 12, ethernet(syn(1)));
    const Read r = read_all(f);
    REQUIRE(r.packets.size() == 3);
    CHECK(r.packets[0].direction == 2);
    CHECK(r.comments[0] == "PID=4 TID=128");
    CHECK(r.packets[1].direction == 1);
    CHECK(r.comments[1].empty());
    CHECK(r.packets[2].direction == 0);
    REQUIRE(r.interfaces.size() == 1);
    CHECK(r.interfaces[0].name == "eth:7:0");
    CHECK(r.interfaces[0].description == "LWF over IfIndex 7");
    CHECK(r.interfaces[0].snaplen == 65535);
}

TEST_CASE("pcapng: Decryption Secrets Blocks are kept with their place among the frames", "[pcapng]") {
    const std::string keylog = "CLIENT_RANDOM 00112233 44556677\r\n";
    Pcapng f;
    f.shb().idb(1);
    f.dsb(0x544c534b, keylog);
    f.epb(0, 1, ethernet(syn(1)));
    f.dsb(0x5353484b, "ssh");
    const Read r = read_all(f);
    REQUIRE(r.secrets.size() == 2);
    CHECK(r.secrets[0].type == 0x544c534b);
    CHECK(r.secrets[0].data == keylog);
    CHECK(r.secrets[0].frame_before == 0);
    CHECK(r.secrets[1].type == 0x5353484b);
    CHECK(r.secrets[1].frame_before == 1);
    // A DSB whose secrets length runs past the block is skipped, as Wireshark does.
    Pcapng g;
    g.shb().idb(1);
    std::vector<std::uint8_t> body = {0x4b, 0x53, 0x4c, 0x54, 0xff, 0, 0, 0, 'x', 'y', 'z', 0};
    g.block(10, body).epb(0, 1, ethernet(syn(1)));
    const Read s = read_all(g);
    CHECK(s.secrets.empty());
    CHECK(s.packets.size() == 1);
}

TEST_CASE("pcapng: if_tsresol (powers of 10 and of 2) and if_tsoffset", "[pcapng]") {
    Pcapng f;
    f.shb();
    f.idb(1, 0, {f.u8opt(9, 9)});                     // nanoseconds
    f.idb(1, 0, {f.u8opt(9, 0x80 | 10)});             // 2^-10 s
    f.idb(1, 0, {f.u8opt(9, 3), f.u64opt(14, 100)});  // milliseconds, +100 s
    f.epb(0, 1'700'000'000'123'456'789ull, ethernet(syn(1)));
    f.epb(1, 3 * 1024 + 512, ethernet(syn(2)));
    f.epb(2, 2'500, ethernet(syn(3)));
    const Read r = read_all(f);
    REQUIRE(r.packets.size() == 3);
    CHECK(r.packets[0].ts_ns == 1'700'000'000'123'456'789);
    CHECK(r.packets[1].ts_ns == 3'500'000'000);
    CHECK(r.packets[2].ts_ns == 102'500'000'000);
}

TEST_CASE("pcapng: big-endian sections, simple and obsolete packet blocks, a second section", "[pcapng]") {
    Pcapng be(true);
    be.shb().idb(1, 0).epb(0, 7, ethernet(syn(1))).opb(0, 8, ethernet(syn(2))).spb(ethernet(syn(3)));
    Pcapng le;
    le.shb().idb(0).epb(0, 9, null_loopback(syn(4)));
    Pcapng both = be;
    both.raw(le.bytes());
    const Read r = read_all(both);
    REQUIRE(r.error.empty());
    REQUIRE(r.packets.size() == 4);
    CHECK(r.packets[0].ts_ns == 7'000);
    CHECK(r.packets[1].ts_ns == 8'000);
    CHECK(r.packets[2].caplen == ethernet(syn(3)).size());
    CHECK(r.data[2] == ethernet(syn(3)));
    // The second section starts its interface ids again, with its own link type.
    CHECK(r.packets[3].linktype == 0);
    CHECK(r.packets[3].interface == 0);
    CHECK(r.packets[3].frame == 4);
}

TEST_CASE("pcapng: frames larger than 64 KiB (BIG TCP, GRO) are read whole", "[pcapng]") {
    Bytes_ big = ethernet(tcp_seg({kCli, 1}, {kSrv, 3389}, 0x18, 1, 1, Bytes_(80'000, 0x41)));
    Pcapng f;
    f.shb().idb(1).epb(0, 1, big);
    const Read r = read_all(f);
    REQUIRE(r.packets.size() == 1);
    CHECK(r.packets[0].caplen == big.size());
    CHECK(r.data[0] == big);
}

TEST_CASE("pcapng: broken and hostile files end with a message, never an allocation they ask for", "[pcapng]") {
    SECTION("a block claiming 1 GB") {
        Pcapng f;
        f.shb().idb(1).epb(0, 1, ethernet(syn(1)));
        f.raw32(6).raw32(1u << 30).raw(Bytes_(64, 0));
        const Read r = read_all(f);
        CHECK(r.packets.size() == 1);
        CHECK_THAT(r.error, Catch::Contains("claims a length of 1073741824 bytes"));
        CHECK_THAT(r.error, Catch::Contains("after frame 1"));
    }
    SECTION("a block length that is not a multiple of 4") {
        Pcapng f;
        f.shb().idb(1);
        f.raw32(6).raw32(33).raw(Bytes_(40, 0));
        const Read r = read_all(f);
        CHECK(r.packets.empty());
        CHECK_THAT(r.error, Catch::Contains("which no block can have"));
    }
    SECTION("a trailing length that disagrees") {
        Pcapng f;
        f.shb().idb(1);
        f.raw32(6).raw32(16).raw32(0).raw32(20);
        const Read r = read_all(f);
        CHECK_THAT(r.error, Catch::Contains("does not end with its length"));
    }
    SECTION("more interfaces than any capture has") {
        Pcapng f;
        f.shb();
        for (int i = 0; i < 5000; ++i) f.idb(1);
        f.epb(0, 1, ethernet(syn(1)));
        const Read r = read_all(f);
        CHECK(r.packets.empty());
        CHECK_THAT(r.error, Catch::Contains("more than 4096 interfaces"));
    }
    SECTION("a packet naming an interface that was never declared") {
        Pcapng f;
        f.shb().idb(1).epb(3, 1, ethernet(syn(1)));
        const Read r = read_all(f);
        CHECK(r.packets.empty());
        CHECK_THAT(r.error, Catch::Contains("frame 1: it names interface 3, but the section declares only 1"));
    }
    SECTION("a packet's captured length past its block") {
        Pcapng f;
        f.shb().idb(1);
        std::vector<std::uint8_t> body(20 + 8, 0);
        body[12] = 200;  // caplen 200 (little-endian) in a 28-byte body
        f.block(6, body);
        const Read r = read_all(f);
        CHECK_THAT(r.error, Catch::Contains("says 200 captured bytes but holds 8"));
    }
    SECTION("a file cut inside a packet block") {
        Pcapng f;
        f.shb().idb(1).epb(0, 1, ethernet(syn(1))).epb(0, 2, ethernet(syn(2)));
        Bytes_ cut(f.bytes().begin(), f.bytes().end() - 10);
        Pcapng g;
        g.raw(cut);
        const Read r = read_all(g);
        CHECK(r.packets.size() == 1);
        CHECK_THAT(r.error, Catch::Contains("the file ends in the middle of frame 2"));
    }
    SECTION("a comment bomb: options are bounded by their block") {
        Pcapng f;
        f.shb().idb(1);
        std::vector<Pcapng::Opt> opts;
        for (int i = 0; i < 15; ++i) opts.push_back(Pcapng::text(1, std::string(60'000, 'c')));
        f.epb(0, 1, ethernet(syn(1)), opts);
        const Read r = read_all(f);
        CHECK(r.packets.size() == 1);
        CHECK(r.comments[0].size() == 60'000);
    }
    SECTION("a file that ends inside the block header after the last packet") {
        Pcapng f;
        f.shb().idb(1).epb(0, 1, ethernet(syn(1)));
        f.raw({6, 0, 0});
        const Read r = read_all(f);
        CHECK(r.packets.size() == 1);
        CHECK_THAT(r.error, Catch::Contains("the file ends in the middle of a block header after frame 1"));
    }
    SECTION("a file that ends inside a block header before any packet") {
        Pcapng f;
        f.shb().idb(1);
        f.raw({6, 0, 0});
        const Read r = read_all(f);
        REQUIRE(r.opened);
        CHECK(r.packets.empty());
        CHECK_THAT(r.error, Catch::Contains("the file ends in the middle of a block header after frame 0"));
    }
    SECTION("a flood of secrets blocks keeps at most 1024") {
        Pcapng f;
        f.shb().idb(1);
        for (int i = 0; i < 3000; ++i) f.dsb(0x544c534b, "x");
        f.epb(0, 1, ethernet(syn(1)));
        const Read r = read_all(f);
        CHECK(r.secrets.size() == 1024);
        CHECK(r.packets.size() == 1);
    }
    SECTION("a section header with a bad byte-order magic") {
        Pcapng f;
        f.raw32(0x0a0d0d0a).raw32(28).raw32(0x01020304).raw(Bytes_(12, 0)).raw32(28);
        const Read r = read_all(f);
        CHECK_FALSE(r.opened);
        CHECK_THAT(r.error, Catch::Contains("no valid byte-order magic (04030201)"));
    }
}

TEST_CASE("pcap: records larger than libpcap's 256 KiB limit are read, larger than 1 MiB refused by frame", "[pcapng]") {
    const TempFile tmp("rdpscope-bigpcap");
    {
        std::FILE* f = std::fopen(tmp.path().c_str(), "wb");
        const std::uint32_t hdr[6] = {0xA1B2C3D4, 0x00040002, 0, 0, 65535, 1};
        std::fwrite(hdr, 4, 6, f);
        const Bytes_ big(300'000, 0x5a);
        const std::uint32_t rec[4] = {1, 2, static_cast<std::uint32_t>(big.size()), static_cast<std::uint32_t>(big.size())};
        std::fwrite(rec, 4, 4, f);
        std::fwrite(big.data(), 1, big.size(), f);
        const std::uint32_t bad[4] = {1, 3, 0x80000000u, 0x80000000u};
        std::fwrite(bad, 4, 4, f);
        std::fclose(f);
    }
    std::string err;
    auto f = PcapFile::open(tmp.path(), err);
    REQUIRE(f);
    CapturedPacket p;
    REQUIRE(f->next(p, err) == PcapFile::Next::packet);
    CHECK(p.caplen == 300'000);  // not cut to the header's snaplen of 65535
    CHECK(p.ts_ns == 1'000'002'000);
    REQUIRE(f->next(p, err) == PcapFile::Next::error);
    CHECK_THAT(err, Catch::Contains("frame 2: its record claims 2147483648 bytes"));
}

TEST_CASE("pcap: records across the reader's 1 MiB blocks, and one larger than a block, come out whole", "[pcapng]") {
    // 3000 records of 1000 bytes (each filled with its index), one of
    // 1 MiB (kMaxRecord, larger than the 1 MiB + header read at a time), and
    // 10 more: every record's bytes and timestamp as written, wherever the
    // block boundaries fall.
    const TempFile tmp("rdpscope-blocks");
    auto fill = [](std::size_t i, std::size_t n) { return Bytes_(n, static_cast<std::uint8_t>(i * 7 + 1)); };
    std::vector<std::size_t> sizes(3000, 1000);
    sizes.push_back(PcapFile::kMaxRecord);
    for (int i = 0; i < 10; ++i) sizes.push_back(60 + i);
    {
        std::FILE* f = std::fopen(tmp.path().c_str(), "wb");
        const std::uint32_t hdr[6] = {0xA1B2C3D4, 0x00040002, 0, 0, 65535, 1};
        std::fwrite(hdr, 4, 6, f);
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            const Bytes_ data = fill(i, sizes[i]);
            const std::uint32_t rec[4] = {static_cast<std::uint32_t>(i), 5, static_cast<std::uint32_t>(data.size()),
                                          static_cast<std::uint32_t>(data.size())};
            std::fwrite(rec, 4, 4, f);
            std::fwrite(data.data(), 1, data.size(), f);
        }
        std::fclose(f);
    }
    std::string err;
    auto f = PcapFile::open(tmp.path(), err);
    REQUIRE(f);
    CapturedPacket p;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        REQUIRE(f->next(p, err) == PcapFile::Next::packet);
        CHECK(p.frame == i + 1);
        CHECK(p.ts_ns == static_cast<std::int64_t>(i) * 1'000'000'000 + 5'000);
        REQUIRE(p.caplen == sizes[i]);
        const Bytes_ want = fill(i, sizes[i]);
        CHECK(std::equal(p.data.begin(), p.data.end(), want.begin(), want.end()));
    }
    CHECK(f->next(p, err) == PcapFile::Next::end);
    CHECK(f->position() == f->file_size());
}
