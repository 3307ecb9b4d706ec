// SPDX-License-Identifier: MIT
// UDP floods: the flows held are bounded by count, on the RDP port
// (UdpFlowOptions::max_rdp_flows) and off it (UdpOtherFlows::kMaxFlows),
// every flow is still reported or counted, and the flood object says what
// the bounds did.  Expectations from how each capture is built.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analyze/udp_flows.hpp"
#include "analyze/udp_other.hpp"
#include "capture_builder.hpp"
#include "run_writer.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using json = nlohmann::json;

namespace {

std::vector<json> records(const std::string& lines, const std::string& type) {
    std::vector<json> out;
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line);) {
        json j = json::parse(line);
        if (j["type"] == type) out.push_back(std::move(j));
    }
    return out;
}

// `flows` single datagrams (22 zero bytes: not RDP-UDP) from distinct
// sources and ports (never 3389) to 10.0.0.2:port, `gap_us` apart.
std::string udp_flood(TempFile& f, std::uint16_t port, std::uint32_t flows, std::int64_t gap_us) {
    Capture c;
    const Host server{0x0A000002, port};
    for (std::uint32_t i = 0; i < flows; ++i) {
        std::uint16_t sport = static_cast<std::uint16_t>(1024 + i % 60000);
        if (sport == 3389) sport = 1023;
        c.at(static_cast<std::int64_t>(i) * gap_us, udp_dgram(Host{0x0B000000u + i, sport}, server, Bytes_(22, 0)));
    }
    c.write(f.path());
    return f.path();
}

}  // namespace

TEST_CASE("UDP flows off the RDP port: beyond the bound a flow is not held, and each of its datagrams counted",
          "[udp][flood]") {
    constexpr std::int64_t idle = 600;
    IdleFlowSet<UdpOtherFlows::Key4, UdpOtherFlows::Key4Hash> set;
    const UdpOtherFlows::Key4 a{1, 2, 53, 5300}, b{1, 2, 53, 5301}, c{1, 2, 53, 5302};
    CHECK(set.datagram(a, 0, idle, 2));
    CHECK(set.datagram(b, 1, idle, 2));
    CHECK(set.datagram(c, 2, idle, 2));  // full: new, not held
    CHECK(set.datagram(c, 3, idle, 2));  // so new again
    CHECK_FALSE(set.datagram(a, 4, idle, 2));  // held ones as before
    CHECK(set.not_kept() == 2);
    CHECK(set.size() == 2);
    // Once sweeps have freed the idle ones, c is held.
    for (int i = 0; i < 17; ++i) set.expire(700 + i, idle);
    CHECK(set.size() == 0);
    CHECK(set.datagram(c, 800, idle, 2));
    CHECK_FALSE(set.datagram(c, 801, idle, 2));
    CHECK(set.not_kept() == 2);
}

TEST_CASE("a UDP flood on the RDP port: at most max_rdp_flows held, every flow listed or counted once", "[udp][flood]") {
    // 20,000 one-datagram flows 1 ms apart (20 s): all within the idle
    // timeout, so without a bound all would be held to the end.
    constexpr std::uint32_t kFlows = 20000;
    const std::uint64_t bound = UdpFlowOptions{}.max_rdp_flows;
    REQUIRE(bound < kFlows);
    TempFile f("udp-flood-3389");
    const auto out = run_writer(udp_flood(f, 3389, kFlows, 1000), true);
    const auto flows = records(out.out, "udp_flow");
    std::set<std::uint64_t> ids;
    for (const auto& j : flows) {
        CHECK(j["state"] != "established");
        ids.insert(j["conn"].get<std::uint64_t>());
    }
    CHECK(ids.size() == flows.size());  // each flow once, numbered as udp.stream numbers them
    CHECK(*ids.rbegin() < kFlows);
    const auto flood = records(out.out, "flood");
    REQUIRE(flood.size() == 1);
    // None came up, none is tied to a TCP connection: listed while the
    // budget lasts (1000, and 1000 a minute refilled over the 20 s), the
    // rest counted; every flow one or the other.
    CHECK(flows.size() >= 1000);
    CHECK(flows.size() <= 1000 + 1000 * 20 / 60 + 1);
    CHECK(flood[0]["udp_flows"]["not_listed"].get<std::uint64_t>() + flows.size() == kFlows);
    CHECK(flood[0]["udp_flows"]["listed_per_minute"] == 1000);
    // Each flow beyond the bound retired one held flow early.
    CHECK(flood[0]["udp_flows"]["retired_early"] == kFlows - bound);
    CHECK(flood[0]["udp_flows"]["held_at_most"] == bound);
    CHECK(flood[0]["udp_flows"]["other_datagrams_not_kept"] == 0);
}

TEST_CASE("a UDP flood off the RDP port: at most kMaxFlows held, the rest counted", "[udp][flood]") {
    // kMaxFlows + 5000 one-datagram flows to the discard port, 10 us apart.
    const std::uint32_t flows = UdpOtherFlows::kMaxFlows + 5000;
    TempFile f("udp-flood-9");
    const auto out = run_writer(udp_flood(f, 9, flows, 10), true);
    CHECK(records(out.out, "udp_flow").empty());  // flows off the RDP port are never reported
    const auto flood = records(out.out, "flood");
    REQUIRE(flood.size() == 1);
    CHECK(flood[0]["udp_flows"]["other_datagrams_not_kept"] == 5000);
    CHECK(flood[0]["udp_flows"]["other_held_at_most"] == UdpOtherFlows::kMaxFlows);
    CHECK(flood[0]["udp_flows"]["retired_early"] == 0);
}
