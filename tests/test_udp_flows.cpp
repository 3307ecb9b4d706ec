// SPDX-License-Identifier: MIT
// The RDP-UDP flow table (analyze/udp_flows) run whole over the bundled
// captures: handshakes that fail, come up, switch to RDP-UDP2, and flows
// numbered as tshark's udp.stream, compared with Zeek's rdpeudp test outputs
// and conn.log.
#include <catch2/catch.hpp>

#include "report/render_security.hpp"
#include "stage_collector.hpp"

using namespace rdpscope;
using namespace rdpscope::test;

namespace {

const UdpFlowFacts* flow(const Collector& col, std::uint64_t id) {
    for (const auto& f : col.flows)
        if (f.id == id) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("RDP-UDP: a handshake whose SYNs go unanswered (Zeek: rdpeudp_syn only - conn.log S0)", "[rdpudp][zeek]") {
    for (const char* pcap : {"tests/pcaps/public/zeek/rdpeudp-handshake-fail.pcap",
                             "tests/pcaps/public/zeek/rdp-rdpeudp-handshake-fail.untrimmed.pcap"}) {
        INFO("capture " << pcap);
        Collector col = run(pcap);
        REQUIRE(col.flows.size() == 1);
        const UdpFlowFacts& f = col.flows[0];
        CHECK(f.id == 0);  // tshark udp.stream
        CHECK(to_string(f.client()) == "192.168.38.1:63568");
        CHECK(to_string(f.server()) == "192.168.38.102:3389");
        CHECK(std::string(f.state()) == "syn_unanswered");
        CHECK_FALSE(f.up());
        CHECK(f.syns == 3);
        CHECK(f.syn_acks == 0);
        CHECK(f.established_frame == 0);
        CHECK(f.client_version == 2u);  // SYNEX uUdpVer RDPUDP_PROTOCOL_VERSION_2
        CHECK(f.correlation_id == "f8530360-ca7f-4241-a673-74e5201a0000");
        // Zeek conn.log: orig_pkts 3, orig_bytes 3696, resp_pkts 0; duration 6.226782 s.
        CHECK(f.datagrams[0] == 3);
        CHECK(f.bytes[0] == 3696);
        CHECK(f.datagrams[1] == 0);
        CHECK(f.last_syn_ts - f.first_syn_ts == 6'226'782'000);
        std::size_t syn_events = 0;
        for (const auto& e : col.events) syn_events += e.udp && e.pdu == "rdpudp.syn";
        CHECK(syn_events == 3);
        const json j = udp_flow_json(f);
        CHECK(j["type"] == "udp_flow");
        CHECK(j["transport"] == "udp");
        CHECK(j["state"] == "syn_unanswered");
        CHECK(j["up"] == false);
        CHECK(j["syn"]["count"] == 3);
    }
    // The untrimmed capture has the TCP connection: the flow is tied to it by address.
    Collector col = run("tests/pcaps/public/zeek/rdp-rdpeudp-handshake-fail.untrimmed.pcap");
    REQUIRE(col.flows.size() == 1);
    CHECK(col.flows[0].tcp_conn == 0u);
    CHECK(col.flows[0].tie == "address_pair");
    CHECK(col.flows[0].syn_frames == std::vector<std::uint64_t>{56, 527, 1391});
    const ConnSeen* c = col.conn(0);
    REQUIRE(c);
    REQUIRE(c->report.contains("udp"));
    REQUIRE(c->report["udp"].size() == 1);
    CHECK(c->report["udp"][0]["conn"] == 0);
    CHECK(c->report["udp"][0]["state"] == "syn_unanswered");
    CHECK(render_security_text(c->report).find("UNANSWERED") != std::string::npos);
}

TEST_CASE("RDP-UDP: a v1 handshake that comes up (Zeek: syn, synack, established version 1)", "[rdpudp][zeek]") {
    for (const char* pcap : {"tests/pcaps/public/zeek/rdpeudp-handshake-success.pcap",
                             "tests/pcaps/public/zeek/rdp-rdpeudp-handshake-success.untrimmed.pcap"}) {
        INFO("capture " << pcap);
        Collector col = run(pcap);
        REQUIRE(col.flows.size() == 1);
        const UdpFlowFacts& f = col.flows[0];
        CHECK(f.id == 0);
        CHECK(to_string(f.client()) == "[::1]:61291");
        CHECK(std::string(f.state()) == "established");
        CHECK(f.up());
        CHECK(f.syns == 1);
        CHECK(f.syn_acks == 1);
        CHECK_FALSE(f.rdpudp2);  // Zeek: rdpeudp_established version 1
        CHECK(f.client_version == 3u);
        CHECK(f.server_version == 2u);
        CHECK_FALSE(f.lossy);
        CHECK(f.correlation_id == "7855d064-fbaf-43f0-b6e8-f8aadfad0000");
        CHECK(f.data_datagrams[0] > 0);
        CHECK(f.data_datagrams[1] > 0);
    }
    Collector trimmed = run("tests/pcaps/public/zeek/rdpeudp-handshake-success.pcap");
    const UdpFlowFacts& f = trimmed.flows.at(0);
    CHECK(f.syn_frames == std::vector<std::uint64_t>{1});
    CHECK(f.syn_ack_frame == 2);
    CHECK(f.established_frame == 3);
    // Zeek conn.log: orig 5 packets / 1738 bytes, resp 5 / 2655.
    CHECK(f.datagrams[0] == 5);
    CHECK(f.bytes[0] == 1738);
    CHECK(f.datagrams[1] == 5);
    CHECK(f.bytes[1] == 2655);
    // Zeek's rdpeudp_data events: 4 data datagrams each way.
    CHECK(f.data_datagrams[0] == 4);
    CHECK(f.data_datagrams[1] == 4);
    const Event* syn = trimmed.find(1, "rdpudp.syn");
    REQUIRE(syn);
    CHECK(syn->udp);
    CHECK(syn->fields.at("version") == "3");
    CHECK(syn->fields.at("correlation_id") == "7855d064-fbaf-43f0-b6e8-f8aadfad0000");
    const Event* sa = trimmed.find(2, "rdpudp.syn_ack");
    REQUIRE(sa);
    CHECK(sa->fields.at("version_name") == "RDPUDP_PROTOCOL_VERSION_2");

    Collector untrimmed = run("tests/pcaps/public/zeek/rdp-rdpeudp-handshake-success.untrimmed.pcap");
    CHECK(untrimmed.flows.at(0).tcp_conn == 0u);
    const ConnSeen* c = untrimmed.conn(0);
    REQUIRE(c);
    CHECK(c->report["udp"][0]["state"] == "established");
    CHECK(c->report["udp"][0]["established_frame"] == 74);
}

TEST_CASE("RDP-UDP: version 3 switches to RDP-UDP2 (Zeek: established version 2)", "[rdpudp][zeek]") {
    Collector col = run("tests/pcaps/public/zeek/rdpeudp2-handshake-success.pcap");
    REQUIRE(col.flows.size() == 1);
    const UdpFlowFacts& f = col.flows[0];
    CHECK(std::string(f.state()) == "established");
    CHECK(f.rdpudp2);
    CHECK(f.client_version == 0x0101u);
    CHECK(f.server_version == 0x0101u);
    CHECK(f.established_frame == 3);
    // Zeek conn.log: orig 3 / 2398 bytes, resp 7 / 6585.
    CHECK(f.datagrams[0] == 3);
    CHECK(f.bytes[0] == 2398);
    CHECK(f.datagrams[1] == 7);
    CHECK(f.bytes[1] == 6585);
    // Zeek's rdpeudp_data: 2 from the client, 6 from the server.
    CHECK(f.data_datagrams[0] == 2);
    CHECK(f.data_datagrams[1] == 6);
    const Event* d = col.find(3, "rdpudp.data");
    REQUIRE(d);
    CHECK(d->fields.at("framing") == "2");
}

TEST_CASE("RDP-UDP: ndpi rdp2.pcap, three flows numbered as tshark's udp.stream", "[rdpudp]") {
    Collector col = run("tests/pcaps/public/ndpi/rdp2.pcap");
    REQUIRE(col.flows.size() == 3);
    const UdpFlowFacts* a = flow(col, 0);
    const UdpFlowFacts* b = flow(col, 1);
    const UdpFlowFacts* c = flow(col, 2);
    REQUIRE((a && b && c));
    // tshark: frames 1-6 udp.stream 0 (SYN,CORRELATIONID,SYNEX / SYN,SYNEX then RDP-UDP2),
    // 7-32 stream 1 (no handshake in the capture), 33-39 stream 2 (SYN lossy).
    CHECK(to_string(a->client()) == "192.168.122.181:54759");
    CHECK(std::string(a->state()) == "established");
    CHECK(a->rdpudp2);
    CHECK(a->first_frame == 1);
    CHECK(a->last_frame == 6);
    CHECK(to_string(b->client()) == "10.8.37.100:51652");
    CHECK(std::string(b->state()) == "mid_flow");
    CHECK(b->up());
    CHECK(b->first_frame == 7);
    CHECK(b->last_frame == 32);
    CHECK(to_string(c->client()) == "10.50.181.210:60355");
    CHECK(std::string(c->state()) == "established");
    CHECK(c->lossy);
    CHECK_FALSE(c->rdpudp2);
    CHECK(c->correlation_id == "72b53b84-7b4a-475d-b6ab-6b2304020000");
    for (const auto& e : col.events) {
        if (!e.udp) continue;
        INFO("frame " << e.frame);
        CHECK(e.conn == (e.frame <= 6 ? 0u : e.frame <= 32 ? 1u : 2u));
    }
}
