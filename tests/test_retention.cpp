// SPDX-License-Identifier: MIT
// How long the tracker keeps what it no longer needs: unanswered connection
// attempts (scans leave thousands) are forgotten 64 s after their last SYN,
// no sooner than the stall timeout; the UDP flows off the RDP port are kept
// by time of last datagram, gone once a sweep finds them idle; the flow
// table frees entries a part at a time.  Memory follows the connections that
// are alive, so these decide it on a busy capture.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "analyze/flow_table.hpp"
#include "analyze/udp_other.hpp"
#include "report/writers.hpp"
#include "capture_builder.hpp"
#include "run_writer.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using namespace rdpscope::test;

namespace {

constexpr std::uint32_t kCli = 0x0A000001, kSrv = 0x0A000002;
constexpr std::int64_t kSec = 1'000'000;

// The `connection` objects `rdpscope analyze --format json` prints for a capture.
std::vector<nlohmann::json> connections(Capture c, const TrackerOptions& opt = {}) {
    std::stable_sort(c.packets.begin(), c.packets.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });  // in time order
    const TempFile file("rdpscope-retention");
    const std::string& path = file.path();
    c.write(path);
    return connections_in(run_writer(path, true, opt).out);
}

const nlohmann::json* by_conn(const std::vector<nlohmann::json>& conns, int id) {
    for (const auto& j : conns)
        if (j["conn"] == id) return &j;
    return nullptr;
}

// SYNs from 10.0.0.1:cport at the times given (microseconds), all with one ISN.
void syns(Capture& c, std::uint16_t cport, std::uint16_t port, std::initializer_list<std::int64_t> at) {
    for (std::int64_t t : at) c.at(t, tcp_seg({kCli, cport}, {kSrv, port}, S, 5000, 0));
}

// A whole RDP negotiation on 3389 at t: reported, numbered after what came before.
void rdp_connection(Capture& c, std::int64_t t, std::uint16_t cport) {
    const Host cl{kCli, cport}, sv{kSrv, 3389};
    const Bytes_ cr = hex("03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 03 00 00 00");
    const Bytes_ cc = hex("03 00 00 13 0e d0 00 00 12 34 00 02 1f 08 00 02 00 00 00");
    c.at(t, tcp_seg(cl, sv, S, 100, 0));
    c.at(t + 100, tcp_seg(sv, cl, S | A, 900, 101));
    c.at(t + 200, tcp_seg(cl, sv, A, 101, 901));
    c.at(t + 300, tcp_seg(cl, sv, P | A, 101, 901, cr));
    c.at(t + 400, tcp_seg(sv, cl, P | A, 901, 101 + static_cast<std::uint32_t>(cr.size()), cc));
}

}  // namespace

TEST_CASE("an unanswered attempt is kept through its SYN retransmissions, then forgotten", "[tracker][retention]") {
    Capture c;
    // Linux's schedule (tcp_syn_retries = 6): resends 1, 3, 7, 15, 31, 63 s
    // after the first SYN; the longest gap is 32 s.  One connection.
    syns(c, 41000, 3389, {0, 1 * kSec, 3 * kSec, 7 * kSec, 15 * kSec, 31 * kSec, 63 * kSec});
    // Off the RDP port (kept light): a resend 63.5 s after the first SYN is still it.
    syns(c, 41001, 8080, {1000, 63 * kSec + 500'000});
    // 64.5 and 65.5 s after their last SYN the same SYN again: both were
    // forgotten (at the sweeps, once a second of packet time), so new connections.
    syns(c, 41000, 3389, {127 * kSec + 500'000});
    syns(c, 41001, 8080, {129 * kSec});
    rdp_connection(c, 130 * kSec, 41002);

    const auto conns = connections(c);
    REQUIRE(conns.size() == 3);  // the two attempts on 3389 and the negotiation
    const auto* first = by_conn(conns, 0);
    REQUIRE(first);
    CHECK(first->at("client") == "10.0.0.1:41000");
    CHECK(first->at("first_frame") == 1);
    CHECK(first->at("last_frame") == 8);  // the SYN 63 s in: every resend in the one connection
    const auto* again = by_conn(conns, 2);  // 0 and 1 taken by the first two; 2: the SYN at 127.5 s
    REQUIRE(again);
    CHECK(again->at("client") == "10.0.0.1:41000");
    CHECK(again->at("first_frame") == 10);
    // 41001's second SYN took number 3: the negotiation is 4.
    const auto* rdp = by_conn(conns, 4);
    REQUIRE(rdp);
    CHECK(rdp->at("client") == "10.0.0.1:41002");
}

TEST_CASE("an attempt is kept at least as long as the stall timeout", "[tracker][retention]") {
    Capture c;
    syns(c, 41000, 3389, {0, 64 * kSec + 500'000});  // 64.5 s apart
    rdp_connection(c, 70 * kSec, 41002);
    TrackerOptions opt;
    opt.stall_timeout_ns = 90'000'000'000;  // --stall-timeout 90
    auto conns = connections(c, opt);
    REQUIRE(conns.size() == 2);
    CHECK(by_conn(conns, 0)->at("last_frame") == 2);  // one connection, both SYNs
    CHECK(by_conn(conns, 1)->at("client") == "10.0.0.1:41002");
    // With the default (30 s) the second SYN opens a new connection.
    conns = connections(c);
    REQUIRE(conns.size() == 3);
    CHECK(by_conn(conns, 0)->at("last_frame") == 1);
    CHECK(by_conn(conns, 1)->at("first_frame") == 2);
}

TEST_CASE("an answered connection is not an attempt: kept for the idle timeout", "[tracker][retention]") {
    Capture c;
    const Host cl{kCli, 41000}, sv{kSrv, 8080};
    c.at(0, tcp_seg(cl, sv, S, 5000, 0));
    c.at(100, tcp_seg(sv, cl, S | A, 7000, 5001));
    c.at(200, tcp_seg(cl, sv, A, 5001, 7001));
    // Quiet for 300 s, then data: still the same connection (had it been
    // forgotten, this would open one, and the SYN after it another).
    c.at(300 * kSec, tcp_seg(cl, sv, P | A, 5001, 7001, {'h', 'e', 'l', 'l', 'o'}));
    c.at(300 * kSec + 100, tcp_seg(cl, sv, S, 9000, 0));  // a new SYN: port reuse, a new one (1)
    rdp_connection(c, 301 * kSec, 41002);
    const auto conns = connections(c);
    REQUIRE(conns.size() == 1);
    CHECK(conns[0]["conn"] == 2);
}

TEST_CASE("UDP flows off the RDP port: gone once a sweep finds them idle", "[udp][retention]") {
    constexpr std::int64_t idle = 600;
    IdleFlowSet<UdpOtherFlows::Key4, UdpOtherFlows::Key4Hash> set;
    const UdpOtherFlows::Key4 a{1, 2, 53, 5300}, b{1, 2, 53, 5301};
    CHECK(set.datagram(a, 0, idle));  // new
    CHECK_FALSE(set.datagram(a, 10, idle));
    CHECK(set.datagram(b, 20, idle));
    set.expire(610, idle);  // a idle for exactly 600: not longer, kept
    CHECK_FALSE(set.datagram(a, 611, idle));
    set.expire(621, idle);  // b idle for 601: gone
    CHECK(set.datagram(b, 622, idle));
    CHECK_FALSE(set.datagram(a, 623, idle));
    CHECK(set.size() == 2);
    // Both idle: a sweep says so at once; freeing them takes the sweeps that look at the whole table.
    set.expire(1300, idle);
    CHECK(set.datagram(a, 1300, idle));
    for (int i = 1; i <= 17; ++i) set.expire(2000 + i, idle);
    CHECK(set.size() == 0);
}

TEST_CASE("UDP flows off the RDP port: a datagram stamped long ago is gone only at the next sweep", "[udp][retention]") {
    // Files are not always in time order.  A flow whose datagram is older than
    // the last sweep's horizon was not there for that sweep: the next one decides.
    constexpr std::int64_t idle = 600;
    IdleFlowSet<UdpOtherFlows::Key4, UdpOtherFlows::Key4Hash> set;
    const UdpOtherFlows::Key4 a{1, 2, 53, 5300};
    set.expire(1000, idle);
    CHECK(set.datagram(a, 100, idle));        // new, stamped 900 s before the sweep
    CHECK_FALSE(set.datagram(a, 101, idle));  // the same flow: no sweep since
    set.expire(1001, idle);
    CHECK(set.datagram(a, 1002, idle));       // that sweep found it idle: a new one
}

TEST_CASE("a flow table swept a part at a time keeps exactly the keepers", "[flow_table]") {
    // Every key in one of 8 home slots: long runs, so erasing shifts entries back.
    struct BadHash {
        std::size_t operator()(int k) const noexcept { return static_cast<std::size_t>(k % 8); }
    };
    FlowTable<int, int, BadHash> t(64);
    for (int k = 0; k < 40; ++k) *t.try_emplace(k).first = k * 10;
    REQUIRE(t.size() == 40);
    std::size_t cursor = 0;
    for (int pass = 0; pass < 4; ++pass)  // a quarter of the slots each time: all of them
        t.erase_some(cursor, t.capacity() / 4, [](int k, int v) { return k % 3 == 0 && v == k * 10; });
    for (int k = 0; k < 40; ++k) {
        INFO(k);
        if (k % 3 == 0) CHECK(t.find(k) == nullptr);
        else REQUIRE((t.find(k) && *t.find(k) == k * 10));
    }
    CHECK(t.size() == 40 - 14);
}
