// SPDX-License-Identifier: MIT
// TcpAnalysis on hand-built segment sequences: every per-frame flag (as
// Wireshark 4.0 sets it; tshark's verdict on the same sequences is in the
// comments where it is not obvious) and the figures for the verdict engine.
// Plus the three ways a SYN fails in the lab captures, which must read as
// three different findings.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>

#include "analyze/run.hpp"
#include "analyze/tcp_analysis.hpp"
#include "report/tcp_json.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using json = nlohmann::ordered_json;

// GCC sees the replacement pair below as mismatched where it inlines allocators.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// Counts heap allocations while `g_count_allocations` is set (the no-allocation
// test below); otherwise the replacement behaves as the standard operator new.
namespace {
bool g_count_allocations = false;
std::size_t g_allocations = 0;
}  // namespace
void* operator new(std::size_t n) {
    if (g_count_allocations) ++g_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
// The nothrow form too (std::stable_sort's buffer uses it): every new the
// program makes must come from the malloc these deletes free into.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (g_count_allocations) ++g_allocations;
    return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

constexpr std::uint32_t C = 1000, S = 5000;  // ISNs of the client (side 0) and the server (side 1)

struct Opt {
    std::uint16_t mss = 0;
    std::int16_t ws = -1;
    bool sack = false;
    std::uint8_t ttl = 0;       // 0: 64 for the client, 61 for the server
    std::int64_t ip_id = -1;    // -1: counting up per side
    bool v6 = false;
};

// Sends segments through one TcpAnalysis, numbering frames from 1.
struct Conv {
    TcpAnalysis a;
    tcp::Header h;  // the analysis keeps no pointer to it past on_segment
    std::uint64_t frame = 0;
    std::uint32_t ip_id[2] = {0x100, 0x900};

    std::uint32_t send(int side, double t_ms, const char* fl, std::uint32_t seq, std::uint32_t ack, std::uint16_t win,
                       std::uint32_t len, Opt o = {}) {
        h = tcp::Header{};
        for (const char* p = fl; *p; ++p)
            switch (*p) {
                case 'S': h.flags |= tcp::SYN; break;
                case 'A': h.flags |= tcp::ACK; break;
                case 'F': h.flags |= tcp::FIN; break;
                case 'R': h.flags |= tcp::RST; break;
                case 'P': h.flags |= tcp::PSH; break;
            }
        h.seq = seq;
        h.ack = ack;
        h.window = win;
        h.options.mss = o.mss;
        h.options.window_scale = o.ws;
        h.options.sack_permitted = o.sack;
        TcpSegment s;
        s.frame = ++frame;
        s.ts_ns = static_cast<std::int64_t>(t_ms * 1e6) + 1'700'000'000'000'000'000;
        s.side = side;
        s.tcp = &h;
        s.payload_len = len;
        s.ttl = o.ttl ? o.ttl : (side == 0 ? 64 : 61);
        s.ip_id = o.ip_id >= 0 ? static_cast<std::uint32_t>(o.ip_id) : ip_id[side]++;
        s.dont_fragment = !o.v6;
        s.ipv6 = o.v6;
        s.ip_total_length = 40 + len;
        return a.on_segment(s);
    }
    // SYN at t, SYN-ACK at t+rtt_srv, ACK rtt_cli later; windows not scaled unless asked.
    void handshake(double t = 0, double to_server = 10, double to_client = 0.1, std::int16_t ws = -1) {
        send(0, t, "S", C, 0, 64240, 0, {1460, ws, true});
        send(1, t + to_server, "SA", S, C + 1, 65160, 0, {1380, ws, true});
        send(0, t + to_server + to_client, "A", C + 1, S + 1, 64240, 0);
    }
};

}  // namespace

TEST_CASE("flag names", "[tcp]") {
    CHECK(tcp_flag_names(TCP_RETRANSMISSION | TCP_FAST_RETRANSMISSION) ==
          std::vector<std::string>{"tcp.retransmission", "tcp.fast_retransmission"});
    CHECK(tcp_flag_names(TCP_DUPLICATE_FRAME | TCP_ACKED_UNSEEN) ==
          std::vector<std::string>{"tcp.acked_unseen", "tcp.duplicate_frame"});
    CHECK(tcp_flag_names(0).empty());
}

TEST_CASE("handshake: RTT, options, frames - vantage from the timing", "[tcp]") {
    SECTION("near the client: the SYN-ACK takes the whole round trip") {
        Conv c;
        c.handshake(0, 20, 0.05, 7);
        const auto& h = c.a.handshake();
        CHECK(h.syn_frame == 1);
        CHECK(h.syn_ack_frame == 2);
        CHECK(h.ack_frame == 3);
        CHECK(*h.syn_to_syn_ack_ms == Approx(20));
        CHECK(*c.a.rtt_ms() == Approx(20.05));
        CHECK(c.a.vantage(0).where == TcpVantage::client);
        CHECK(std::string(c.a.vantage(0).basis) == "handshake_timing");
        CHECK(c.a.side(0).mss == 1460);
        CHECK(c.a.side(1).mss == 1380);
        CHECK(c.a.side(0).window_scale == 7);
        CHECK(c.a.side(1).sack_permitted);
        CHECK(c.a.side(0).syn_ttl == 64);
    }
    SECTION("near the server") {
        Conv c;
        c.handshake(0, 0.05, 20);
        CHECK(c.a.vantage(0).where == TcpVantage::server);
    }
    SECTION("in between") {
        Conv c;
        c.handshake(0, 8, 12);
        CHECK(c.a.vantage(0).where == TcpVantage::middle);
    }
    SECTION("a sub-millisecond round trip: the TTLs decide") {
        Conv c;
        c.send(0, 0, "S", C, 0, 64240, 0, {1460, -1, false, 63});
        c.send(1, 0.02, "SA", S, C + 1, 65160, 0, {1460, -1, false, 64});
        c.send(0, 0.04, "A", C + 1, S + 1, 64240, 0, {0, -1, false, 63});
        CHECK(c.a.vantage(0).where == TcpVantage::server);
        CHECK(std::string(c.a.vantage(0).basis) == "ttl");
    }
    SECTION("no handshake, nothing to say") {
        Conv c;
        c.send(0, 0, "PA", C, S, 500, 10, {0, -1, false, 60});
        CHECK(c.a.vantage(0).where == TcpVantage::unknown);
        CHECK_FALSE(c.a.rtt_ms());
    }
}

TEST_CASE("SYN retransmissions and their back-off", "[tcp]") {
    Conv c;
    CHECK(c.send(0, 0, "S", C, 0, 64240, 0) == 0);
    CHECK(c.send(0, 1000, "S", C, 0, 64240, 0) == TCP_RETRANSMISSION);
    CHECK(c.send(0, 2000, "S", C, 0, 64240, 0) == TCP_RETRANSMISSION);
    CHECK(c.send(0, 4000, "S", C, 0, 64240, 0) == TCP_RETRANSMISSION);
    CHECK(c.a.side(0).syn_retransmissions == 3);
    CHECK(c.a.side(0).retransmissions == 3);
    CHECK(c.a.syn_intervals_ms(0) == std::vector<double>{1000, 1000, 2000});
    REQUIRE(c.a.retransmits(0).size() == 1);
    const auto& r = c.a.retransmits(0)[0];
    CHECK(r.syn);
    CHECK(r.first_frame == 1);
    CHECK(r.resends == 3);
    CHECK(r.resend_frames[2] == 4);
    CHECK(r.acked_frame == 0);
    CHECK(TcpAnalysis::resend_intervals_ms(r) == std::vector<double>{1000, 1000, 2000});
    CHECK(c.a.side(0).lost_after_capture == 1);
    CHECK(*c.a.loss_estimate_pct(0) == Approx(75));
    const json j = tcp_json(c.a, 0);
    CHECK(j["c2s"]["syn_retransmissions"] == 3);
    CHECK(j["c2s"]["syn_intervals_ms"] == json::array({1000.0, 1000.0, 2000.0}));
    CHECK(j["s2c"]["packets"] == 0);
    CHECK(j["rtt_ms"].is_null());
}

TEST_CASE("SYN-ACK retransmissions - the SYN-ACK answers the last SYN", "[tcp]") {
    Conv c;
    c.send(0, 0, "S", C, 0, 64240, 0);
    c.send(0, 1000, "S", C, 0, 64240, 0);
    c.send(1, 1010, "SA", S, C + 1, 65160, 0);
    CHECK(c.send(1, 2010, "SA", S, C + 1, 65160, 0) == TCP_RETRANSMISSION);
    c.send(0, 2020, "A", C + 1, S + 1, 64240, 0);
    CHECK(c.a.side(1).syn_ack_retransmissions == 1);
    CHECK(c.a.handshake().syn_frame == 2);
    CHECK(*c.a.rtt_ms() == Approx(1020));
    CHECK(c.a.syn_intervals_ms(1) == std::vector<double>{1000});
    REQUIRE(c.a.retransmits(1).size() == 1);
    CHECK(c.a.retransmits(1)[0].acked_frame == 5);
}

TEST_CASE("data retransmission after a timeout: the original frame, then ACKed", "[tcp]") {
    Conv c;
    c.handshake();
    CHECK(c.send(0, 20, "PA", C + 1, S + 1, 502, 300) == 0);                     // 4
    CHECK(c.send(0, 230, "PA", C + 1, S + 1, 502, 300) == TCP_RETRANSMISSION);   // 5
    CHECK(c.send(0, 650, "PA", C + 1, S + 1, 502, 300) == TCP_RETRANSMISSION);   // 6
    c.send(1, 660, "A", S + 1, C + 301, 509, 0);                                  // 7
    REQUIRE(c.a.retransmits(0).size() == 1);
    const auto& r = c.a.retransmits(0)[0];
    CHECK(r.seq == 1);
    CHECK(r.len == 300);
    CHECK(r.first_frame == 4);
    CHECK(r.resends == 2);
    CHECK(r.acked_frame == 7);
    CHECK(TcpAnalysis::resend_intervals_ms(r) == std::vector<double>{210, 420});
    CHECK(c.a.side(0).lost_after_capture == 1);
    CHECK(c.a.side(0).max_acked_segment == 300);
    CHECK(c.a.max_unacked_segment(0).first == 0);
}

TEST_CASE("duplicate ACKs and a fast retransmission", "[tcp]") {
    Conv c;
    c.handshake();
    for (int i = 0; i < 4; ++i) c.send(0, 20 + i, "PA", C + 1 + 1000 * i, S + 1, 502, 1000);  // 4..7
    CHECK(c.send(1, 30, "A", S + 1, C + 1001, 509, 0) == 0);
    CHECK(c.send(1, 31, "A", S + 1, C + 1001, 509, 0) == TCP_DUP_ACK);
    CHECK(c.send(1, 32, "A", S + 1, C + 1001, 509, 0) == TCP_DUP_ACK);
    CHECK(c.send(1, 33, "A", S + 1, C + 1001, 509, 0) == TCP_DUP_ACK);
    CHECK(c.send(0, 34, "PA", C + 1001, S + 1, 502, 1000) == (TCP_RETRANSMISSION | TCP_FAST_RETRANSMISSION));
    CHECK(c.a.side(1).dup_acks == 3);
    CHECK(c.a.side(0).fast_retransmissions == 1);
    CHECK(c.a.side(0).retransmissions == 1);
    CHECK(c.a.retransmits(0)[0].first_frame == 5);

    SECTION("more than 20 ms after the last dup ACK it is a plain retransmission") {
        Conv d;
        d.handshake();
        for (int i = 0; i < 3; ++i) d.send(0, 20 + i, "PA", C + 1 + 1000 * i, S + 1, 502, 1000);
        d.send(1, 30, "A", S + 1, C + 1001, 509, 0);
        d.send(1, 31, "A", S + 1, C + 1001, 509, 0);
        d.send(1, 32, "A", S + 1, C + 1001, 509, 0);
        CHECK(d.send(0, 60, "PA", C + 1001, S + 1, 502, 1000) == TCP_RETRANSMISSION);
    }
}

TEST_CASE("spurious retransmission: the bytes were ACKed already", "[tcp]") {
    Conv c;
    c.handshake();
    c.send(1, 20, "PA", S + 1, C + 1, 509, 19);  // 4
    c.send(0, 21, "A", C + 1, S + 20, 502, 0);   // 5
    CHECK(c.send(1, 230, "PA", S + 1, C + 1, 509, 19) == (TCP_RETRANSMISSION | TCP_SPURIOUS_RETRANSMISSION));
    CHECK(c.a.side(1).spurious_retransmissions == 1);
    REQUIRE(c.a.retransmits(1).size() == 1);
    CHECK(c.a.retransmits(1)[0].first_frame == 4);
    CHECK(c.a.retransmits(1)[0].spurious == 1);
    CHECK(c.a.retransmits(1)[0].acked_frame == 5);
    CHECK(c.a.side(1).lost_after_capture == 0);
    // Wireshark checks for spurious before out-of-order (tshark 4.0 agrees).
    Conv d;
    d.handshake();
    d.send(0, 100, "PA", C + 1, S + 1, 502, 100);
    d.send(0, 101, "PA", C + 101, S + 1, 502, 100);
    d.send(1, 105, "A", S + 1, C + 201, 509, 0);
    CHECK(d.send(0, 106, "PA", C + 1, S + 1, 502, 100) == (TCP_RETRANSMISSION | TCP_SPURIOUS_RETRANSMISSION));
}

TEST_CASE("gaps: out-of-order fill, loss before the capture point, bytes the capture missed", "[tcp]") {
    SECTION("a fill within the round trip is out-of-order, not a loss") {
        Conv c;
        c.handshake();
        c.send(0, 20, "PA", C + 1, S + 1, 502, 100);
        CHECK(c.send(0, 21, "PA", C + 201, S + 1, 502, 100) == TCP_LOST_SEGMENT);
        CHECK(c.send(0, 22, "PA", C + 101, S + 1, 502, 100) == TCP_OUT_OF_ORDER);
        CHECK(c.a.side(0).lost_before_capture == 0);
        CHECK(c.a.side(0).gap_bytes == 100);
        CHECK(c.a.retransmits(0).empty());
    }
    SECTION("a late fill is a retransmission of a segment lost before the capture point") {
        Conv c;
        c.handshake();
        c.send(0, 20, "PA", C + 1, S + 1, 502, 100);
        c.send(0, 21, "PA", C + 201, S + 1, 502, 100);
        c.send(1, 30, "A", S + 1, C + 101, 509, 0);
        CHECK(c.send(0, 240, "PA", C + 101, S + 1, 502, 100) == TCP_RETRANSMISSION);
        c.send(1, 250, "A", S + 1, C + 301, 509, 0);
        CHECK(c.a.side(0).lost_before_capture == 1);
        CHECK(c.a.side(0).lost_after_capture == 0);
        REQUIRE(c.a.retransmits(0).size() == 1);
        CHECK(c.a.retransmits(0)[0].first_frame == 0);
        CHECK(c.a.retransmits(0)[0].acked_frame == 8);
        CHECK(c.a.side(0).unseen_bytes == 0);
    }
    SECTION("the receiver ACKs bytes never captured") {
        Conv c;
        c.handshake();
        c.send(0, 20, "PA", C + 1, S + 1, 502, 100);
        CHECK(c.send(0, 21, "PA", C + 201, S + 1, 502, 100) == TCP_LOST_SEGMENT);
        // The hole ACKed: the receiver got it, the capture did not (no loss in the network).
        CHECK(c.send(1, 30, "A", S + 1, C + 301, 509, 0) == TCP_ACKED_UNSEEN);
        CHECK(c.a.side(0).unseen_bytes == 100);
        CHECK(c.a.side(0).lost_before_capture == 0);
        CHECK(c.send(1, 40, "A", S + 1, C + 501, 509, 0) == TCP_ACKED_UNSEEN);
        CHECK(c.a.side(0).unseen_bytes == 300);  // and 200 beyond the last captured segment
        CHECK(c.a.side(1).acked_unseen == 2);  // counted on the side of the frame, as tshark's filter does
        // Flagged once while the other side stays silent; a dup ACK, not a second "unseen".
        CHECK(c.send(1, 50, "A", S + 1, C + 501, 509, 0) == TCP_DUP_ACK);
    }
}

TEST_CASE("windows: zero, probe, update, full - keep-alive", "[tcp]") {
    SECTION("zero window, zero window probes and their ACKs, window update") {
        Conv c;
        c.handshake();
        c.send(0, 20, "PA", C + 1, S + 1, 502, 1000);
        CHECK(c.send(1, 21, "A", S + 1, C + 1001, 0, 0) == TCP_ZERO_WINDOW);
        CHECK(c.send(0, 300, "A", C + 1001, S + 1, 502, 1) == TCP_ZERO_WINDOW_PROBE);
        CHECK(c.send(1, 301, "A", S + 1, C + 1001, 0, 0) == TCP_ZERO_WINDOW);  // the probe's ACK
        CHECK(c.send(1, 400, "A", S + 1, C + 1001, 200, 0) == TCP_WINDOW_UPDATE);
        CHECK(c.a.side(1).zero_windows == 2);
        CHECK(c.a.side(0).zero_window_probes == 1);
        CHECK(c.a.side(1).window_updates == 1);
    }
    SECTION("window full: the segment reaches the edge of the scaled window") {
        Conv c;
        c.handshake(0, 10, 0.1, 2);
        c.send(1, 15, "A", S + 1, C + 1, 100, 0);  // the server's first ACK: its window is scaled from now on
        CHECK(c.send(0, 20, "PA", C + 1, S + 1, 502, 400) == TCP_WINDOW_FULL);
        CHECK(c.a.side(0).window_full == 1);
        // Before that first ACK, the SYN-ACK's window counts unscaled.
        Conv d;
        d.handshake(0, 10, 0.1, 2);
        CHECK(d.send(0, 20, "PA", C + 1, S + 1, 502, 400) == 0);
    }
    SECTION("keep-alive: one byte before the next sequence number") {
        Conv c;
        c.handshake();
        c.send(0, 20, "PA", C + 1, S + 1, 502, 10);
        c.send(1, 21, "A", S + 1, C + 11, 509, 0);
        CHECK(c.send(0, 10000, "A", C + 10, S + 1, 502, 0) == TCP_KEEP_ALIVE);
        CHECK(c.send(1, 10001, "A", S + 1, C + 11, 509, 0) == 0);  // its ACK: not a dup ACK
        CHECK(c.send(0, 20000, "A", C + 10, S + 1, 502, 1) == TCP_KEEP_ALIVE);
        CHECK(c.a.side(0).keep_alives == 2);
        CHECK(c.a.side(0).retransmissions == 0);
    }
}

TEST_CASE("frames captured twice are duplicates, not retransmissions", "[tcp]") {
    Conv c;
    c.handshake();
    CHECK(c.send(0, 20, "PA", C + 1, S + 1, 502, 100, {0, -1, false, 0, 0x4242}) == 0);
    CHECK(c.send(0, 20.004, "PA", C + 1, S + 1, 502, 100, {0, -1, false, 0, 0x4242}) == TCP_DUPLICATE_FRAME);
    CHECK(c.send(1, 21, "A", S + 1, C + 101, 509, 0, {0, -1, false, 0, 0x77}) == 0);
    CHECK(c.send(1, 21.001, "A", S + 1, C + 101, 509, 0, {0, -1, false, 0, 0x77}) == TCP_DUPLICATE_FRAME);
    CHECK(c.a.side(0).duplicate_frames == 1);
    CHECK(c.a.side(1).duplicate_frames == 1);
    CHECK(c.a.side(0).retransmissions == 0);
    CHECK(c.a.side(1).dup_acks == 0);
    CHECK(c.a.retransmits(0).empty());
    // Another IP ID: a real resend.
    CHECK(c.send(0, 300, "PA", C + 1, S + 1, 502, 100) == (TCP_RETRANSMISSION | TCP_SPURIOUS_RETRANSMISSION));
    SECTION("a stack's second RST, answering the peer's FIN, is not a copy") {
        Conv d;
        d.handshake();
        d.send(0, 20, "RA", C + 1, S + 1, 0, 0, {0, -1, false, 0, 0});
        d.send(1, 21, "FA", S + 1, C + 1, 509, 0);
        CHECK(d.send(0, 22, "R", C + 1, 0, 0, 0, {0, -1, false, 0, 0}) == 0);
        CHECK(d.a.side(0).duplicate_frames == 0);
        CHECK(d.a.side(0).rst == 2);
    }
}

TEST_CASE("RST: who, after what, and whether its TTL fits its sender", "[tcp]") {
    SECTION("refused: RST/ACK answering the SYN") {
        Conv c;
        c.send(0, 0, "S", C, 0, 64240, 0);
        c.send(1, 0.05, "RA", 0, C + 1, 0, 0, {0, -1, false, 63, 0});
        REQUIRE(c.a.resets().size() == 1);
        const auto& r = c.a.resets()[0];
        CHECK(r.side == 1);
        CHECK(r.frame == 2);
        CHECK(r.answers_syn);
        CHECK(r.after == TcpState::syn);
        CHECK(r.after_frame == 1);
        CHECK(r.ref_frame == 0);  // nothing else from the server to compare with
        CHECK_FALSE(c.a.rst_ttl_mismatch());
    }
    SECTION("injected: the server's RST arrives with another TTL than its SYN-ACK") {
        Conv c;
        c.handshake();
        c.send(1, 15, "A", S + 1, C + 1, 509, 0);
        c.send(1, 16, "PA", S + 1, C + 1, 509, 19);
        c.send(0, 17, "PA", C + 1, S + 20, 502, 300);
        c.send(1, 17.03, "R", S + 20, 0, 0, 0, {0, -1, false, 64, 0});
        REQUIRE(c.a.resets().size() == 1);
        const auto& r = c.a.resets()[0];
        CHECK(r.side == 1);
        CHECK(r.ttl == 64);
        CHECK(r.ref_ttl == 61);
        CHECK(r.ref_frame == 2);
        CHECK(r.ttl_mismatch);
        CHECK(r.after == TcpState::data);
        CHECK(r.after_side == 0);
        CHECK(r.prev_ip_id == 0x902);
        CHECK(r.ip_id_out_of_sequence);
        CHECK(c.a.rst_ttl_mismatch());
        const json j = tcp_json(c.a, 0);
        CHECK(j["rst_ttl_mismatch"] == true);
        CHECK(j["resets"][0]["by"] == "server");
        CHECK(j["resets"][0]["ref_ttl"] == 61);
        CHECK(describe_tcp(j).find("likely injected by a middlebox") != std::string::npos);
    }
}

TEST_CASE("ICMP errors quoting the connection", "[tcp]") {
    Conv c;
    c.send(0, 0, "S", C, 0, 64240, 0);
    TcpIcmpInput in;
    in.frame = 2;
    in.type = 3;
    in.code = 13;
    in.quoted_side = 0;
    in.quoted_seq = C;
    in.ttl = 64;
    const auto& e = c.a.on_icmp(in);
    CHECK(e.kind == TcpIcmpKind::admin_prohibited);
    CHECK(e.quotes_syn);
    CHECK(e.quoted_frame == 1);
    in.code = 4;
    in.mtu = 1400;
    in.quoted_seq = C + 1;
    CHECK(c.a.on_icmp(in).kind == TcpIcmpKind::frag_needed);
    CHECK(c.a.icmp_errors()[1].mtu == 1400);
    CHECK_FALSE(c.a.icmp_errors()[1].quotes_syn);
    in.v6 = true;
    in.type = 2;
    CHECK(c.a.on_icmp(in).kind == TcpIcmpKind::packet_too_big);
    in.type = 1;
    in.code = 4;
    CHECK(c.a.on_icmp(in).kind == TcpIcmpKind::port_unreachable);
    in.code = 1;
    CHECK(c.a.on_icmp(in).kind == TcpIcmpKind::admin_prohibited);
    in.v6 = false;
    in.type = 3;
    in.code = 1;
    CHECK(c.a.on_icmp(in).kind == TcpIcmpKind::host_unreachable);
    in.code = 0;
    CHECK(c.a.on_icmp(in).kind == TcpIcmpKind::net_unreachable);
    json j = json::object();
    tcp_icmp_json(c.a.icmp_errors()[0], j);
    CHECK(j["kind"] == "admin_prohibited");
    CHECK(j["quotes_syn"] == true);
}

TEST_CASE("FIN order and half-close - segment sizes", "[tcp]") {
    Conv c;
    c.handshake();
    c.send(0, 20, "PA", C + 1, S + 1, 502, 200);
    c.send(1, 21, "A", S + 1, C + 201, 509, 0);
    c.send(0, 22, "FA", C + 201, S + 1, 502, 0);
    c.send(1, 23, "PA", S + 1, C + 202, 509, 1200);  // the server goes on sending after the client's FIN
    c.send(1, 24, "PA", S + 1201, C + 202, 509, 1300);
    c.send(0, 25, "A", C + 202, S + 1201, 502, 0);
    c.send(1, 26, "FA", S + 2501, C + 202, 509, 0);
    CHECK(c.a.first_fin_side() == 0);
    CHECK(c.a.half_closed());
    CHECK(c.a.side(1).max_segment == 1300);
    CHECK(c.a.side(1).max_acked_segment == 1200);
    CHECK(c.a.max_unacked_segment(1) == std::pair<std::uint32_t, std::uint64_t>{1300, 8});
    const json j = tcp_json(c.a, 0);
    CHECK(j["closed_first"] == "client");
    CHECK(j["half_closed"] == true);
    CHECK(j["s2c"]["max_unacked_segment"]["len"] == 1300);
    CHECK(j["c2s"]["df"] == true);
}

TEST_CASE("the tcp JSON object has every documented key", "[tcp]") {
    Conv c;
    c.handshake();
    const json j = tcp_json(c.a, 0);
    for (const char* k : {"rtt_ms", "vantage", "vantage_basis", "handshake", "closed_first", "half_closed", "resets",
                          "rst_ttl_mismatch", "c2s", "s2c"})
        CHECK(j.contains(k));
    for (const char* d : {"c2s", "s2c"})
        for (const char* k : {"packets", "bytes", "syn", "syn_ack", "fin", "rst", "syn_retransmissions",
                              "syn_ack_retransmissions", "retransmissions", "fast_retransmissions",
                              "spurious_retransmissions", "out_of_order", "dup_acks", "zero_windows", "zero_window_probes",
                              "window_full", "window_updates", "keep_alives", "lost_segments", "acked_unseen",
                              "duplicate_frames", "loss", "max_segment", "max_acked_segment"}) {
            INFO(d << "." << k);
            CHECK(j[d].contains(k));
        }
}

TEST_CASE("Wireshark's conversation reset on a SYN with a new ISN", "[tcp]") {
    // tshark starts a new tcp.stream here; whatever the connection table does,
    // the analysis starts afresh: the new SYN is no retransmission.
    Conv c;
    c.send(0, 0, "S", C, 0, 64240, 0);
    CHECK(c.send(0, 1000, "S", C, 0, 64240, 0) == TCP_RETRANSMISSION);
    CHECK(c.send(0, 3000, "S", C + 777777, 0, 64240, 0) == 0);
    CHECK(c.a.side(0).syn_new_isn == 1);
    // A RST from the client moves Wireshark's next sequence number; the SYN sent
    // again afterwards is still a retransmission in the same stream (tshark 4.0).
    Conv d;
    d.send(0, 0, "S", C, 0, 64240, 0);
    d.send(0, 500, "R", C + 50000, 0, 0, 0);
    CHECK(d.send(0, 1000, "S", C, 0, 64240, 0) == TCP_RETRANSMISSION);
}

TEST_CASE("bounded memory: outstanding segments and retransmission records", "[tcp]") {
    Conv c;
    c.handshake();
    // 200 segments never ACKed: only the first kMaxOutstanding are recorded.
    for (std::uint32_t i = 0; i < 200; ++i) c.send(0, 20 + i, "PA", C + 1 + 100 * i, S + 1, 502, 100);
    // Resend all of them: records stop at kMaxRetransmits, the counts go on.
    for (std::uint32_t i = 0; i < 200; ++i)
        CHECK(c.send(0, 1000 + i, "PA", C + 1 + 100 * i, S + 1, 502, 100) == TCP_RETRANSMISSION);
    CHECK(c.a.side(0).retransmissions == 200);
    CHECK(c.a.retransmits(0).size() == TcpAnalysis::kMaxRetransmits);
    CHECK(c.a.retransmits(0)[0].first_frame == 4);
    // Beyond the outstanding bound the original frame is unknown.
    Conv d;
    d.handshake();
    for (std::uint32_t i = 0; i < 70; ++i) d.send(0, 20 + i, "PA", C + 1 + 100 * i, S + 1, 502, 100);
    d.send(0, 1000, "PA", C + 1 + 100 * 69, S + 1, 502, 100);
    REQUIRE(d.a.retransmits(0).size() == 1);
    CHECK(d.a.retransmits(0)[0].first_frame == 0);
}

TEST_CASE("no heap allocation per segment once a direction's records exist", "[tcp]") {
    Conv c;
    c.handshake();
    c.send(0, 20, "PA", C + 1, S + 1, 502, 100);
    c.send(1, 21, "PA", S + 1, C + 101, 509, 100);
    c.send(0, 300, "PA", C + 1, S + 101, 502, 100);
    c.send(1, 301, "PA", S + 1, C + 101, 509, 100);
    std::uint32_t seq = C + 101, peer = S + 101;
    // Bulk data with resends, gaps, duplicate and zero-window ACKs.  The lists
    // of outstanding segments and resends grow to what the traffic needs (to
    // their caps at most) over the first rounds; from then on, no allocation.
    auto rounds = [&](int n, double start) {
        for (int i = 0; i < n; ++i) {
            const double t = start + i * 3;
            c.send(0, t, "PA", seq, peer, 502, 1000);
            if (i % 7 == 3) c.send(0, t + 0.5, "PA", seq, peer, 502, 1000);         // resend
            if (i % 11 == 5) c.send(0, t + 1, "PA", seq + 3000, peer, 502, 1000);   // beyond a gap
            c.send(1, t + 1.5, "A", peer, seq + (i % 5 ? 1000 : 0), 509, 0);        // ACK, sometimes a dup ACK
            if (i % 13 == 0) c.send(1, t + 2, "A", peer, seq + 1000, 0, 0);         // zero window
            seq += 1000;
        }
    };
    g_allocations = 0;
    g_count_allocations = true;
    rounds(500, 400);
    g_count_allocations = false;
    const std::size_t growing = g_allocations;
    CHECK(growing <= 16);  // a few growth steps of two lists, not one per segment (2,000 here)
    g_allocations = 0;
    g_count_allocations = true;
    rounds(500, 2000);
    g_count_allocations = false;
    CHECK(g_allocations == 0);
    CHECK(c.a.side(0).retransmissions > 0);
    CHECK(c.a.side(0).lost_segments > 0);
}

// The segment log of the HTML report (keep_segments): off by default, the
// first N segments as sent, copies left out, bounded, two allocations.
TEST_CASE("segment log: first segments kept, bounded, relative in JSON", "[tcp]") {
    SECTION("off by default") {
        Conv c;
        c.handshake();
        CHECK(c.a.logged_segments().empty());
        CHECK(c.a.segments_not_logged() == 0);
    }
    SECTION("kept as sent, numbered relative to each side's ISN in JSON") {
        Conv c;
        c.a.keep_segments(TcpAnalysis::kMaxLoggedSegments);
        c.handshake(0, 10, 0.1, 7);
        c.send(0, 11, "PA", C + 1, S + 1, 502, 42);       // frame 4: the X.224 request
        c.send(0, 211, "PA", C + 1, S + 1, 502, 42);      // frame 5: resent
        c.send(1, 212, "A", S + 1, C + 43, 509, 0);       // frame 6
        const auto& log = c.a.logged_segments();
        REQUIRE(log.size() == 6);
        CHECK(log[3].frame == 4);
        CHECK(log[3].seq == C + 1);
        CHECK(log[3].len == 42);
        CHECK(log[3].side == 0);
        CHECK((log[4].analysis & TCP_RETRANSMISSION) != 0);
        CHECK(log[1].tcp_flags == (tcp::SYN | tcp::ACK));
        const json j = tcp_segments_json(c.a, 0);
        REQUIRE(j["list"].size() == 6);
        CHECK(j["list"][0]["flags"] == json::array({"SYN"}));
        CHECK(j["list"][3]["seq"] == 1);   // ISN + 1, as Wireshark's relative numbers
        CHECK(j["list"][3]["dir"] == "c2s");
        CHECK(j["list"][4]["analysis"] == json::array({"tcp.retransmission"}));
        CHECK(j["list"][5]["dir"] == "s2c");
        CHECK(j["list"][5]["ack"] == 43);
        CHECK(j["list"][5]["win"] == 509);
        CHECK(j["not_kept"] == 0);
    }
    SECTION("bounded: the first N, the rest counted, two allocations") {
        // The same 203 segments without and with the log: the log adds two allocations.
        auto allocations = [](std::size_t keep, Conv& c) {
            c.a.keep_segments(keep);
            g_allocations = 0;
            g_count_allocations = true;
            c.handshake();
            for (int i = 0; i < 200; ++i) c.send(0, 1 + i, "PA", C + 1 + 100 * i, S + 1, 502, 100);
            g_count_allocations = false;
            return g_allocations;
        };
        Conv plain, logged;
        const std::size_t without = allocations(0, plain);
        const std::size_t with = allocations(1000, logged);  // more than the bound: the bound holds
        CHECK(with == without + 2);
        CHECK(logged.a.logged_segments().size() == TcpAnalysis::kMaxLoggedSegments);
        CHECK(logged.a.segments_not_logged() == 203 - TcpAnalysis::kMaxLoggedSegments);
        CHECK(logged.a.logged_segments().back().frame == TcpAnalysis::kMaxLoggedSegments);
    }
    SECTION("copies left out") {
        Conv c;
        c.a.keep_segments(8);
        c.handshake();
        tcp::Header h;
        h.flags = tcp::ACK;
        h.seq = C + 1;
        h.ack = S + 1;
        TcpSegment s;
        s.frame = 4;
        s.side = 0;
        s.tcp = &h;
        s.copy = true;
        c.a.on_segment(s);
        CHECK(c.a.logged_segments().size() == 3);
    }
}

// ---- The lab captures: three ways a SYN fails, three findings. ----

namespace {

struct LabConn {
    json tcp;
    json icmp = json::array();
    int client_side = 0;
};

class LabCollector : public FileObserver {
public:
    std::vector<LabConn> conns;
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void connection_done(const Connection& c, const Verdict&) override {
        LabConn l;
        l.client_side = c.client_side();
        l.tcp = tcp_json(c.tcp, c.client_side());
        for (const auto& e : c.tcp.icmp_errors()) {
            json x{{"frame", e.frame}, {"type", e.type}, {"code", e.code}};
            tcp_icmp_json(e, x);
            l.icmp.push_back(x);
        }
        conns.push_back(std::move(l));
    }
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
};

std::vector<LabConn> lab(const std::string& name) {
    LabCollector col;
    const auto path = test::source_path("tests/pcaps/lab/" + name + ".pcap");
    if (!std::filesystem::exists(path)) return {};
    run_file(path, col, TrackerOptions{}, stderr);
    return col.conns;
}

enum class SynFate { dropped, refused, icmp_prohibited, other };

// What the tcp / icmp objects say about a connection whose SYN got no SYN-ACK.
SynFate fate(const LabConn& c) {
    const auto& t = c.tcp;
    if (t["s2c"]["syn_ack"] != 0) return SynFate::other;
    bool prohibited = false;
    for (const auto& i : c.icmp) prohibited |= i["kind"] == "admin_prohibited" && i["quotes_syn"] == true;
    if (prohibited) return SynFate::icmp_prohibited;
    for (const auto& r : t["resets"])
        if (r["by"] == "server" && r["answers_syn"] == true) return SynFate::refused;
    if (t["c2s"]["syn_retransmissions"].get<int>() >= 2 && t["s2c"]["packets"] == 0 && c.icmp.empty()) return SynFate::dropped;
    return SynFate::other;
}

}  // namespace

TEST_CASE("lab: a dropped, a refused and an ICMP-prohibited SYN are three different findings", "[tcp][lab]") {
    const std::pair<const char*, SynFate> cases[] = {
        {"fw-syn-drop-router", SynFate::dropped},      {"fw-syn-drop-server", SynFate::dropped},
        {"fw-syn-drop-router-classic", SynFate::dropped},
        {"fw-port-closed", SynFate::refused},          {"fw-reject-rst-router", SynFate::refused},
        {"fw-reject-rst-server", SynFate::refused},
        {"fw-reject-icmp-router", SynFate::icmp_prohibited}, {"fw-reject-icmp-server", SynFate::icmp_prohibited},
    };
    int seen = 0;
    for (auto [name, want] : cases) {
        const auto conns = lab(name);
        if (conns.empty()) {
            WARN("lab capture " << name << " missing");
            continue;
        }
        ++seen;
        for (const auto& c : conns) {
            INFO(name << ": " << c.tcp.dump() << " icmp " << c.icmp.dump());
            CHECK(fate(c) == want);
            CHECK(c.tcp["vantage"] == "client");  // every one of them was captured at the client
        }
    }
    if (!seen) WARN("no fw-* lab captures: nothing checked");  // the lab may be re-recording them
    // The SYN drop: the RTO back-off is there to read.
    const auto drop = lab("fw-syn-drop-router");
    if (!drop.empty()) {
        const auto& iv = drop[0].tcp["c2s"]["syn_intervals_ms"];
        REQUIRE(iv.size() >= 3);
        CHECK(iv[0].get<double>() == Approx(1000).epsilon(0.1));
    }
}

TEST_CASE("lab: a RST forged by a middlebox shows in its TTL - the server's own does not", "[tcp][lab]") {
    const auto forged = lab("fw-rst-clienthello-router");
    const auto own = lab("fw-port-closed");
    if (forged.empty() || own.empty()) {
        WARN("lab captures missing");
        return;
    }
    CHECK(forged[0].tcp["rst_ttl_mismatch"] == true);
    CHECK(forged[0].tcp["resets"][0]["after"] == "data");
    CHECK(own[0].tcp["rst_ttl_mismatch"] == false);
}

TEST_CASE("lab: the capture point read from the handshake matches the lab's", "[tcp][lab]") {
    namespace fs = std::filesystem;
    const fs::path dir = test::source_path("tests/pcaps/lab");
    if (!fs::exists(dir)) return;
    int checked = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".pcap") continue;
        fs::path expect = e.path();
        expect.replace_extension(".expect.json");
        if (!fs::exists(expect)) continue;
        std::ifstream in(expect);
        const json x = json::parse(in, nullptr, false);
        if (x.is_discarded() || !x.contains("capture_point")) continue;
        LabCollector col;
        run_file(e.path().string(), col, TrackerOptions{}, stderr);
        for (const auto& c : col.conns) {
            if (!c.tcp.contains("handshake") || !c.tcp["handshake"].contains("ack_frame")) continue;
            INFO(e.path().filename().string());
            CHECK(c.tcp["vantage"] == x["capture_point"]);
            ++checked;
        }
    }
    if (!checked) WARN("no lab capture with a handshake and a capture point: nothing checked");
}
