// SPDX-License-Identifier: MIT
// TCP reassembly on hand-built segment sequences: what the application wrote
// comes out once and in order; holes the capture never filled are gaps.
#include <catch2/catch.hpp>

#include <string>

#include "dissect/tcp_reassembly.hpp"

using namespace rdpscope;
using tcp::Reassembler;
using tcp::SegmentFate;

namespace {

struct Collect : tcp::StreamSink {
    std::string data;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;  // (length, frame)
    std::vector<std::uint64_t> frames;
    void on_data(Bytes b, std::uint64_t frame, std::int64_t) override {
        data.append(reinterpret_cast<const char*>(b.data()), b.size());
        frames.push_back(frame);
    }
    void on_gap(std::uint64_t len, std::uint64_t frame) override {
        gaps.emplace_back(len, frame);
        data.append(len, '#');
    }
};

Bytes B(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

}  // namespace

TEST_CASE("in-order segments after the SYN", "[reassembly]") {
    Reassembler r;
    Collect c;
    r.set_isn(1000);
    CHECK(r.segment(1001, B("hello "), false, 4, 0, c) == SegmentFate::in_order);
    CHECK(r.segment(1007, B("world"), false, 5, 0, c) == SegmentFate::in_order);
    CHECK(c.data == "hello world");
    CHECK(r.delivered() == 11);
    CHECK(c.frames == std::vector<std::uint64_t>{4, 5});
}

TEST_CASE("out-of-order segments wait for the hole, then come out in order", "[reassembly]") {
    Reassembler r;
    Collect c;
    r.set_isn(0);
    CHECK(r.segment(7, B("world"), false, 5, 0, c) == SegmentFate::buffered);
    CHECK(c.data.empty());
    CHECK(r.pending_bytes() == 5);
    CHECK(r.segment(1, B("hello "), false, 6, 0, c) == SegmentFate::in_order);
    CHECK(c.data == "hello world");
    CHECK(r.pending_bytes() == 0);
    // The buffered bytes are reported with the frame that carried them.
    CHECK(c.frames == std::vector<std::uint64_t>{6, 5});
}

TEST_CASE("retransmissions and overlaps deliver each byte once", "[reassembly]") {
    Reassembler r;
    Collect c;
    r.set_isn(99);
    r.segment(100, B("abcdef"), false, 1, 0, c);
    CHECK(r.segment(100, B("abcdef"), false, 2, 0, c) == SegmentFate::old);        // whole retransmission
    CHECK(r.segment(103, B("defghi"), false, 3, 0, c) == SegmentFate::overlap);    // repacketised
    CHECK(r.segment(101, B("bc"), false, 4, 0, c) == SegmentFate::old);
    CHECK(c.data == "abcdefghi");
    // An out-of-order duplicate is stored once.
    r.segment(115, B("xyz"), false, 5, 0, c);
    CHECK(r.segment(115, B("xyz"), false, 6, 0, c) == SegmentFate::old);
    CHECK(r.pending_bytes() == 3);
}

TEST_CASE("an ACK beyond what was captured turns the hole into a gap", "[reassembly]") {
    Reassembler r;
    Collect c;
    r.set_isn(0);
    r.segment(1, B("abc"), false, 1, 0, c);
    r.segment(11, B("klm"), false, 3, 0, c);  // bytes 4..10 never captured
    r.acked(14, 4, c);                          // the peer got everything
    REQUIRE(c.gaps.size() == 1);
    CHECK(c.gaps[0].first == 7);
    CHECK(c.gaps[0].second == 4);
    CHECK(c.data == "abc#######klm");
    CHECK(r.gap_bytes() == 7);
    // An ACK that only covers what we have is no gap.
    r.acked(14, 5, c);
    CHECK(c.gaps.size() == 1);
}

TEST_CASE("the ACK of a FIN is not a gap", "[reassembly]") {
    Reassembler r;
    Collect c;
    r.set_isn(0);
    r.segment(1, B("bye"), true, 1, 0, c);
    CHECK(r.fin_seen());
    r.acked(5, 2, c);  // data (3) + FIN (1)
    CHECK(c.gaps.empty());
    CHECK(r.fin_reached());
}

TEST_CASE("the out-of-order buffer is bounded", "[reassembly]") {
    Reassembler r(16);
    Collect c;
    r.set_isn(0);
    r.segment(1, B("a"), false, 1, 0, c);
    CHECK(r.segment(10, B("0123456789"), false, 2, 0, c) == SegmentFate::buffered);
    // Would exceed 16 pending bytes: the first hole becomes a gap.
    auto fate = r.segment(30, B("ABCDEFGHIJ"), false, 3, 0, c);
    CHECK(fate == SegmentFate::buffered);
    CHECK(r.pending_bytes() <= 16);
    REQUIRE(!c.gaps.empty());
    CHECK(c.data.substr(0, 1) == "a");
    CHECK(c.data.find("0123456789") != std::string::npos);
}

TEST_CASE("sequence numbers wrap around 2^32", "[reassembly]") {
    Reassembler r;
    Collect c;
    r.set_isn(0xFFFFFFFDu);
    r.segment(0xFFFFFFFEu, B("ab"), false, 1, 0, c);
    r.segment(0x00000000u, B("cd"), false, 2, 0, c);
    CHECK(c.data == "abcd");
    CHECK(c.gaps.empty());
}

TEST_CASE("a capture that starts mid-stream begins at the first data or ACK", "[reassembly]") {
    Reassembler r;
    Collect c;
    r.acked(5000, 1, c);  // the peer expects 5000 next: our stream starts there
    r.segment(5000, B("xy"), false, 2, 0, c);
    CHECK(c.data == "xy");
    Reassembler r2;
    Collect c2;
    r2.segment(777, B("q"), false, 1, 0, c2);
    CHECK(c2.data == "q");
}

TEST_CASE("flush reports the hole and delivers what waited behind it", "[reassembly]") {
    Reassembler r;
    Collect c;
    r.set_isn(0);
    r.segment(5, B("tail"), false, 7, 0, c);
    r.flush(9, c);
    REQUIRE(c.gaps.size() == 1);
    CHECK(c.gaps[0].first == 4);
    CHECK(c.data == "####tail");
    r.stop();
    CHECK(r.segment(9, B("more"), false, 10, 0, c) == SegmentFate::ignored);
}
