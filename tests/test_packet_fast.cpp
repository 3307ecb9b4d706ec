// SPDX-License-Identifier: MIT
// decode_packet's fast path (Ethernet + IPv4, decoded in place) must give what
// the general link and IP decoders give, field for field: on every frame of
// every bundled capture, and on those frames damaged (bytes changed, frames
// cut) so that the fast path's own checks are exercised.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "capture/pcap_file.hpp"
#include "dissect/packet.hpp"
#include "test_util.hpp"

using namespace rdpscope;

namespace {

bool same_span(Bytes a, Bytes b) { return a.data() == b.data() && a.size() == b.size(); }

// Empty string when equal, else the first field that differs.
std::string differ(const PacketInfo& a, const PacketInfo& b) {
    if (a.error.has_value() != b.error.has_value()) return "error presence";
    if (a.error) {
        const DecodeError &x = *a.error, &y = *b.error;
        if (x.layer != y.layer || x.field != y.field || x.offset != y.offset || x.kind != y.kind || x.needed != y.needed)
            return "error";
    }
    if (a.link.network != b.link.network || a.link.ethertype != b.link.ethertype ||
        a.link.vlan_tags != b.link.vlan_tags || !same_span(a.link.payload, b.link.payload))
        return "link";
    const ip::Header &i = a.ip, &j = b.ip;
    if (i.version != j.version || i.src != j.src || i.dst != j.dst || i.protocol != j.protocol || i.ttl != j.ttl ||
        i.ip_id != j.ip_id || i.dont_fragment != j.dont_fragment || i.fragment != j.fragment ||
        i.first_fragment != j.first_fragment || i.header_length != j.header_length ||
        i.total_length != j.total_length || i.payload_cut != j.payload_cut || !same_span(i.payload, j.payload))
        return "ip";
    if (a.transport != b.transport || a.ip_fragment_without_header != b.ip_fragment_without_header) return "transport";
    const tcp::Header &t = a.tcp, &u = b.tcp;
    if (t.src_port != u.src_port || t.dst_port != u.dst_port || t.seq != u.seq || t.ack != u.ack ||
        t.header_length != u.header_length || t.flags != u.flags || t.window != u.window ||
        t.options.mss != u.options.mss || t.options.window_scale != u.options.window_scale ||
        t.options.sack_permitted != u.options.sack_permitted || t.options.sack_blocks != u.options.sack_blocks ||
        t.options.timestamps != u.options.timestamps || t.options.ts_val != u.options.ts_val ||
        t.options.ts_ecr != u.options.ts_ecr || !same_span(t.payload, u.payload))
        return "tcp";
    if (a.udp.src_port != b.udp.src_port || a.udp.dst_port != b.udp.dst_port || a.udp.length != b.udp.length ||
        !same_span(a.udp.payload, b.udp.payload))
        return "udp";
    if (a.icmp.v6 != b.icmp.v6 || a.icmp.type != b.icmp.type || a.icmp.code != b.icmp.code ||
        a.icmp.kind != b.icmp.kind || a.icmp.mtu != b.icmp.mtu || a.icmp.quote.has_value() != b.icmp.quote.has_value())
        return "icmp";
    return "";
}

std::vector<std::string> bundled_captures() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(test::source_path("tests/pcaps"))) {
        const std::string name = e.path().filename().string();
        if (e.is_regular_file() && (name.ends_with(".pcap") || name.ends_with(".pcapng"))) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("decode_packet's fast path equals the general decoders on every bundled frame, whole and damaged",
          "[packet][fast]") {
    std::mt19937 rng(20240304);
    std::size_t frames = 0, fast = 0;
    for (const auto& path : bundled_captures()) {
        std::string err;
        auto f = PcapFile::open(path, err);
        if (!f) continue;  // the bad/ captures that are no captures
        CapturedPacket pkt;
        while (f->next(pkt, err) == PcapFile::Next::packet) {
            const std::vector<std::uint8_t> orig(pkt.data.begin(), pkt.data.end());
            ++frames;
            if (pkt.linktype == link::ethernet && orig.size() >= 14 && orig[12] == 0x08 && orig[13] == 0x00) ++fast;
            {
                const auto a = decode_packet(pkt.linktype, orig), b = decode_packet_general(pkt.linktype, orig);
                INFO(path << " frame " << pkt.frame);
                REQUIRE(differ(a, b) == "");
            }
            // Damaged copies: a few bytes of the Ethernet/IP/TCP headers changed, or the frame cut.
            for (int k = 0; k < 12; ++k) {
                std::vector<std::uint8_t> d = orig;
                if (k % 3 == 2 && !d.empty()) {
                    d.resize(rng() % d.size());
                } else {
                    const std::size_t span = std::min<std::size_t>(d.size(), 14 + 60);
                    for (int n = 0; n < 1 + k % 3 && span; ++n) d[rng() % span] = static_cast<std::uint8_t>(rng());
                }
                const auto a = decode_packet(pkt.linktype, d), b = decode_packet_general(pkt.linktype, d);
                INFO(path << " frame " << pkt.frame << " damaged copy " << k);
                REQUIRE(differ(a, b) == "");
            }
        }
    }
    CHECK(frames > 10000);
    CHECK(fast > 5000);  // the fast path was tried on most of them
}
