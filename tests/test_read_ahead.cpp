// SPDX-License-Identifier: MIT
// analyze/read_ahead: a file's frames handed over from the reading thread are
// those the source gives, in order, each decoded and fingerprinted, with the
// Decryption Secrets Blocks read before it, and the end or error after them;
// across batch boundaries (frame count, bytes, a frame larger than a batch's
// slack), from a pcapng built here.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "analyze/read_ahead.hpp"
#include "analyze/run.hpp"
#include "dissect/keylog.hpp"
#include "capture/replay.hpp"
#include "capture_builder.hpp"
#include "pcapng_builder.hpp"
#include "stage_collector.hpp"
#include "test_util.hpp"

using namespace rdpscope;

namespace {

// An Ethernet + IPv4 + TCP frame to port 3389 with `payload` bytes after the
// headers; `n` goes into the IPv4 ID and the source port, so that frames differ.
std::vector<std::uint8_t> frame(std::uint32_t n, std::size_t payload) {
    std::vector<std::uint8_t> f(14 + 20 + 20 + payload, 0);
    f[12] = 0x08;  // EtherType IPv4
    std::uint8_t* ip = f.data() + 14;
    const std::size_t total = 20 + 20 + payload;
    ip[0] = 0x45;
    ip[2] = static_cast<std::uint8_t>(total >> 8);
    ip[3] = static_cast<std::uint8_t>(total);
    ip[4] = static_cast<std::uint8_t>(n >> 8);
    ip[5] = static_cast<std::uint8_t>(n | 1);  // never ID 0 (no fingerprint)
    ip[8] = 64;
    ip[9] = 6;  // TCP
    ip[12] = 10; ip[15] = 1;
    ip[16] = 10; ip[19] = 2;
    std::uint8_t* tcp = ip + 20;
    tcp[0] = static_cast<std::uint8_t>(0x80 | (n >> 8));
    tcp[1] = static_cast<std::uint8_t>(n);
    tcp[2] = 0x0d; tcp[3] = 0x3d;  // 3389
    tcp[12] = 0x50;  // 20-byte header
    tcp[13] = 0x18;  // PSH ACK
    for (std::size_t i = 0; i < payload; ++i) f[54 + i] = static_cast<std::uint8_t>(n + i);
    return f;
}

struct Built {
    test::TempFile file{"rdpscope-read-ahead"};
    std::size_t frames = 0;
};

// Small frames past two batches' frame count, then larger ones that fill
// batches by bytes, two larger than a batch's slack (one right after others,
// one first in its batch), comments, a key log before the first frame, one
// mid-file and one of another type, then a block cut short.
constexpr std::uint32_t kSmall = 2 * ReadAhead::kFrames + 100;  // payloads of 60-120 bytes: batches end by count
constexpr std::uint32_t kBig = kSmall + 200;                     // the two larger than the slack
constexpr std::uint32_t kMidKeyLog = kBig + 200;                 // a key log written before this frame index
constexpr std::uint32_t kFramesBuilt = kMidKeyLog + 400;

void build(Built& b, bool cut) {
    using test::Pcapng;
    Pcapng p;
    p.shb().idb(1).dsb(kSecretsTlsKeyLog, "CLIENT_RANDOM 00 11\n");
    for (std::uint32_t i = 0; i < kFramesBuilt; ++i) {
        std::size_t size = i < kSmall ? 60 + (i % 7) * 10 : 60 + (i % 7) * 100;
        if (i == kBig) size = ReadAhead::kSlack + 5000;
        if (i == kBig + 1) size = 3 * ReadAhead::kBytes;  // larger than a whole batch
        if (i == kMidKeyLog) p.dsb(kSecretsTlsKeyLog, "CLIENT_RANDOM 22 33\n").dsb(0x12345678, "other");
        std::vector<Pcapng::Opt> opts;
        if (i % 100 == 3) opts.push_back(Pcapng::text(1, "comment " + std::to_string(i)));
        p.epb(0, 1'700'000'000'000'000ull + i, frame(i, size), opts);
        ++b.frames;
    }
    if (cut) p.raw32(6).raw32(4096).raw32(0);
    p.write(b.file.path());
}

}  // namespace

TEST_CASE("read ahead: the frames, secrets and end the source gives, in order", "[read_ahead]") {
    for (bool cut : {false, true}) {
        INFO("cut " << cut);
        Built b;
        build(b, cut);
        std::string why;
        FileSource in_turn(PcapFile::open(b.file.path(), why));
        auto ahead_file = PcapFile::open(b.file.path(), why);
        REQUIRE(ahead_file);
        FileSource ahead_src(std::move(ahead_file));
        // Secrets read at open (the DSB before the first frame) are taken by
        // the caller, as run_source does; the reader hands over the later ones.
        const std::size_t at_open = ahead_src.secrets()->size();
        CHECK(at_open == 1);
        ReadAhead ahead(ahead_src, ahead_src.secrets(), at_open);

        CapturedPacket want;
        std::string want_why, got_why;
        const ReadAhead::Frame* got = nullptr;
        std::size_t n = 0, secrets = 0;
        for (;; ++n) {
            const auto w = in_turn.next(want, want_why, 0);
            const auto g = ahead.next(got, got_why);
            REQUIRE(w == g);
            if (g != PacketSource::Status::packet) break;
            INFO("frame " << want.frame);
            REQUIRE(got->pkt.frame == want.frame);
            CHECK(got->pkt.ts_ns == want.ts_ns);
            CHECK(got->pkt.linktype == want.linktype);
            CHECK(got->pkt.wirelen == want.wirelen);
            REQUIRE(std::vector<std::uint8_t>(got->pkt.data.begin(), got->pkt.data.end()) ==
                    std::vector<std::uint8_t>(want.data.begin(), want.data.end()));
            CHECK(got->pkt.comment == want.comment);
            CHECK(got->position == in_turn.position());
            const PacketInfo p = decode_packet(want.linktype, want.data);
            REQUIRE(!p.error);
            CHECK(!got->info.error);
            CHECK(got->info.transport == Transport::tcp);
            CHECK(got->info.tcp.dst_port == 3389);
            CHECK(got->info.tcp.payload.size() == p.tcp.payload.size());
            CHECK(got->fingerprint == copy_fingerprint(p));
            CHECK(got->fingerprint != 0);
            // The mid-file key log comes with the frame written after it
            // (frame numbers count from 1), the block of another type not at all.
            if (want.frame == kMidKeyLog + 1) {
                REQUIRE(ahead.secrets().size() == 1);
                CHECK(ahead.secrets()[0] == "CLIENT_RANDOM 22 33\n");
            } else {
                CHECK(ahead.secrets().empty());
            }
            secrets += ahead.secrets().size();
        }
        CHECK(n == b.frames);
        CHECK(secrets == 1);
        CHECK(got_why == want_why);
        if (cut) CHECK(!got_why.empty());
        // Asked again after the end, it says the same.
        CHECK(ahead.next(got, got_why) == (cut ? PacketSource::Status::error : PacketSource::Status::end));
    }
}

TEST_CASE("read ahead: stopped early, the reading thread ends with it", "[read_ahead]") {
    Built b;
    build(b, false);
    std::string why;
    FileSource src(PcapFile::open(b.file.path(), why));
    {
        ReadAhead ahead(src, nullptr, 0);
        const ReadAhead::Frame* f = nullptr;
        REQUIRE(ahead.next(f, why) == PacketSource::Status::packet);
        CHECK(f->pkt.frame == 1);
    }  // destroyed while the reader may wait for a free batch: joins, no hang
    SUCCEED();
}

TEST_CASE("read ahead: the capture's key logs join the key log in use, as read in turn", "[read_ahead][keylog]") {
    // Three TLSK blocks: before the first frame, between frames 2 and 3, and
    // after the last frame (read after every packet: never needed, never taken).
    auto line = [](char r) {
        return "CLIENT_RANDOM " + std::string(64, r) + " " + std::string(96, 'a') + "\n";
    };
    test::Pcapng p;
    p.shb().idb(1).dsb(kSecretsTlsKeyLog, line('1'));
    p.epb(0, 1'700'000'000'000'000ull, frame(1, 10)).epb(0, 1'700'000'000'000'001ull, frame(2, 10));
    p.dsb(kSecretsTlsKeyLog, line('2'));
    p.epb(0, 1'700'000'000'000'002ull, frame(3, 10));
    p.dsb(kSecretsTlsKeyLog, line('3'));
    test::TempFile file("rdpscope-read-ahead-keys");
    p.write(file.path());
    std::FILE* null = std::fopen("/dev/null", "w");
    REQUIRE(null);
    for (bool ahead : {true, false}) {
        INFO("read ahead " << ahead);
        keylog::KeyLog keys;
        TrackerOptions opt;
        opt.keys = &keys;
        test::Collector seen;
        if (ahead) {
            run_file(file.path(), seen, opt, null);
        } else {
            std::string why;
            FileSource src(PcapFile::open(file.path(), why));
            RunOptions ro;
            ro.tracker = opt;
            run_source(src, seen, ro, null);
        }
        CHECK(keys.sessions() == 2);
        keylog::ClientRandom r1{}, r2{}, r3{};
        r1.fill(0x11);
        r2.fill(0x22);
        r3.fill(0x33);
        CHECK(keys.find(r1));
        CHECK(keys.find(r2));
        CHECK(!keys.find(r3));
    }
    std::fclose(null);
}
