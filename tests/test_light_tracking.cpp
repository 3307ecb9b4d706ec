// SPDX-License-Identifier: MIT
// The tracker's light tracking (connections off the RDP port kept small until
// they could be RDP, the UDP flows off the RDP port kept out of UdpFlows) must
// not change a thing: `rdpscope analyze` and `rdpscope dissect` print the same
// with TrackerOptions::light on and off -- on every bundled capture, and on a
// synthetic capture made of the cases the light paths have to get right.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <map>

#include "report/writers.hpp"
#include "capture_builder.hpp"
#include "kerberos_vectors.hpp"
#include "run_writer.hpp"
#include "test_util.hpp"

using namespace rdpscope;
using namespace rdpscope::test;

namespace {

// What a writer prints for a capture, stdout and stderr.
std::string run(const std::string& path, bool analyze, bool light) {
    TrackerOptions opt;
    opt.light = light;
    const WriterOutput w = run_writer(path, analyze, opt);
    return w.out + "\n--- stderr ---\n" + w.err;
}

void same_both_ways(const std::string& path) {
    INFO(path);
    CHECK(run(path, true, true) == run(path, true, false));
    CHECK(run(path, false, true) == run(path, false, false));
}


const Bytes_ kCR = test::hex("03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 03 00 00 00");
const Bytes_ kCC = test::hex("03 00 00 13 0e d0 00 00 12 34 00 02 1f 08 00 02 00 00 00");
const Bytes_ kTls = test::hex("16 03 01 00 30 01 00 00 2c 03 03 aa bb cc dd ee ff 00 11 22 33");
const Bytes_ kHttp = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ', '2', '0', '0', ' ', 'O', 'K', '\r', '\n'};
const Bytes_ kSsh = {'S', 'S', 'H', '-', '2', '.', '0', '-', 'x', '\r', '\n'};
const Bytes_ kSocks5 = test::hex("05 01 00  05 01 00 01 0a 00 00 03 0d 3d");  // greeting and CONNECT 10.0.0.3:3389
const Bytes_ kSocks5Reply = test::hex("05 00  05 00 00 01 0a 00 00 03 0d 3d");

// An RDP-UDP SYN (zeek's rdpeudp-handshake-success.pcap, frame 1).
const Bytes_ kRdpUdpSyn = test::hex("ffffffff004018010b127f1504d004d07855d064fbaf43f0b6e8f8aadfad0000000000000000000000000000000000000001000300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");

constexpr std::uint32_t kCli = 0x0A000001, kSrv = 0x0A000002, kRouter = 0x0A0000FE;
constexpr std::int64_t kSec = 1'000'000;

// A handshake on `port`, the client's first bytes, the server's; returns the time after it.
std::int64_t conversation(Capture& c, std::int64_t t, std::uint16_t cport, std::uint16_t port, std::uint32_t isn,
                          const Bytes_& first, const Bytes_& answer, bool close = true) {
    const Host cl{kCli, cport}, sv{kSrv, port};
    const std::uint32_t sisn = isn ^ 0x5A5A5A5A;
    c.at(t, tcp_seg(cl, sv, S, isn, 0));
    c.at(t + 100, tcp_seg(sv, cl, S | A, sisn, isn + 1));
    c.at(t + 200, tcp_seg(cl, sv, A, isn + 1, sisn + 1));
    std::uint32_t cs = isn + 1, ss = sisn + 1;
    if (!first.empty()) {
        c.at(t + 300, tcp_seg(cl, sv, P | A, cs, ss, first));
        cs += static_cast<std::uint32_t>(first.size());
    }
    if (!answer.empty()) {
        c.at(t + 400, tcp_seg(sv, cl, P | A, ss, cs, answer));
        ss += static_cast<std::uint32_t>(answer.size());
    }
    if (close) {
        c.at(t + 500, tcp_seg(cl, sv, F | A, cs, ss));
        c.at(t + 600, tcp_seg(sv, cl, F | A, ss, cs + 1));
        c.at(t + 700, tcp_seg(cl, sv, A, cs + 1, ss + 1));
    }
    return t + 1000;
}

}  // namespace

TEST_CASE("light tracking changes nothing: every bundled capture", "[tracker][light]") {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(test::source_path("tests/pcaps"))) {
        const std::string name = e.path().filename().string();
        if (!e.is_regular_file() || !(name.ends_with(".pcap") || name.ends_with(".pcapng"))) continue;
        same_both_ways(e.path());
        ++n;
    }
    CHECK(n > 50);
}

TEST_CASE("light tracking changes nothing: the cases it has to get right", "[tracker][light]") {
    Capture c;
    std::int64_t t = 0;
    // Not RDP both ways: TLS on 443, HTTP answer on 8080, SSH with the server first.
    t = conversation(c, t, 40001, 443, 1000, kTls, kTls);
    t = conversation(c, t, 40002, 8080, 2000, kTls, kHttp);
    {
        const Host cl{kCli, 40003}, sv{kSrv, 22};
        c.at(t, tcp_seg(cl, sv, S, 3000, 0));
        c.at(t + 100, tcp_seg(sv, cl, S | A, 9000, 3001));
        c.at(t + 200, tcp_seg(cl, sv, A, 3001, 9001));
        c.at(t + 300, tcp_seg(sv, cl, P | A, 9001, 3001, kSsh));
        c.at(t + 400, tcp_seg(cl, sv, P | A, 3001, 9001 + kSsh.size(), kSsh));
        t += 1000;
    }
    // RDP by content on odd ports: the CR first; a server answering with a CC; SOCKS5.
    t = conversation(c, t, 40004, 8443, 4000, kCR, kCC);
    t = conversation(c, t, 40005, 5555, 5000, kTls, kCC);
    t = conversation(c, t, 40006, 1080, 6000, kSocks5, kSocks5Reply);
    // More payload-less packets than are held, then the CR.
    {
        const Host cl{kCli, 40007}, sv{kSrv, 6000};
        c.at(t, tcp_seg(cl, sv, S, 7000, 0));
        c.at(t + 100, tcp_seg(sv, cl, S | A, 17000, 7001));
        for (int i = 0; i < 40; ++i) c.at(t + 200 + i * 10, tcp_seg(cl, sv, A, 7001, 17001));
        c.at(t + 800, tcp_seg(cl, sv, P | A, 7001, 17001, kCR));
        t += 1000;
    }
    // The CR arrives after a later segment (out of order); a RST with data before the first data.
    {
        const Host cl{kCli, 40008}, sv{kSrv, 6001};
        c.at(t, tcp_seg(cl, sv, S, 8000, 0));
        c.at(t + 100, tcp_seg(sv, cl, S | A, 18000, 8001));
        c.at(t + 200, tcp_seg(cl, sv, P | A, 8001 + kCR.size(), 18001, kTls));
        c.at(t + 300, tcp_seg(cl, sv, P | A, 8001, 18001, kCR));
        const Host cl2{kCli, 40009}, sv2{kSrv, 6002};
        c.at(t + 400, tcp_seg(cl2, sv2, S, 9000, 0));
        c.at(t + 500, tcp_seg(sv2, cl2, S | A, 19000, 9001));
        c.at(t + 600, tcp_seg(sv2, cl2, R | A, 19001, 9001, kTls));
        c.at(t + 700, tcp_seg(cl2, sv2, P | A, 9001, 19001, kCR));
        t += 1000;
    }
    // Started before the capture (no SYN), with an RDP CR; and without.
    c.at(t, tcp_seg({kCli, 40010}, {kSrv, 7000}, P | A, 123456, 654321, kCR));
    c.at(t + 100, tcp_seg({kCli, 40011}, {kSrv, 7001}, P | A, 123456, 654321, kTls));
    c.at(t + 200, tcp_seg({kSrv, 7001}, {kCli, 40011}, P | A, 654321, 123456 + kTls.size(), kHttp));
    t += 1000;
    // A SYN scan, one port answered with RST; an ICMP error for a SYN then the connection goes on as RDP.
    for (int i = 0; i < 30; ++i) {
        const Host cl{kCli, 50000}, sv{kSrv, static_cast<std::uint16_t>(9000 + i)};
        c.at(t + i * 10, tcp_seg(cl, sv, S, 424242, 0));
        if (i % 3 == 0) c.at(t + i * 10 + 5, tcp_seg(sv, cl, R | A, 0, 424243));
    }
    {
        const Host cl{kCli, 40012}, sv{kSrv, 9500};
        const Bytes_ syn = tcp_seg(cl, sv, S, 11000, 0);
        c.at(t + 500, syn);
        c.at(t + 600, icmp_unreachable(kRouter, syn, kCli));
        c.at(t + 1 * kSec, tcp_seg(cl, sv, S, 11000, 0));
        c.at(t + 1 * kSec + 100, tcp_seg(sv, cl, S | A, 21000, 11001));
        c.at(t + 1 * kSec + 200, tcp_seg(cl, sv, P | A, 11001, 21001, kCR));
    }
    t += 2 * kSec;
    // Port reuse: the same ports again, closed and reopened, and a fresh SYN after data, as not RDP then as RDP.
    t = conversation(c, t, 40013, 8888, 12000, kTls, kHttp);
    t = conversation(c, t + kSec, 40013, 8888, 13000, kCR, kCC);
    t = conversation(c, t + kSec, 40014, 8889, 14000, kTls, kHttp, false);
    t = conversation(c, t + kSec, 40014, 8889, 15000, kCR, kCC, false);
    // Quiet for longer than the linger and idle timeouts, then the same ports without a SYN.
    t += 700 * kSec;
    c.at(t, tcp_seg({kCli, 40014}, {kSrv, 8889}, P | A, 16000, 26000, kCR));
    c.at(t + 100, tcp_seg({kCli, 40013}, {kSrv, 8888}, P | A, 17000, 27000, kTls));
    // Time going backwards in the file, for a light and for a full connection.
    t = conversation(c, t + kSec, 40015, 8890, 18000, kTls, kHttp, false);
    c.at(t - 650 * kSec, tcp_seg({kCli, 40015}, {kSrv, 8890}, A, 18001 + kTls.size(), 28000));
    t = conversation(c, t + kSec, 40016, 3389, 19000, kCR, kCC, false);
    c.at(t - 650 * kSec, tcp_seg({kCli, 40016}, {kSrv, 3389}, A, 19001 + kCR.size(), 29000));
    // UDP: flows off the RDP port reused after the idle timeout, RDP-UDP after them, an ICMP error for a
    // DNS query, a datagram stamped long before the others.
    for (int round = 0; round < 3; ++round) {
        t += 700 * kSec;
        for (int i = 0; i < 5; ++i) {
            const Bytes_ q = udp_dgram({kCli, static_cast<std::uint16_t>(5300 + i)}, {kSrv, 53}, {1, 2, 3, 4});
            c.at(t + i * 100, q);
            if (i == 2) c.at(t + i * 100 + 50, icmp_unreachable(kRouter, q, kCli));
        }
        c.at(t + 1000, udp_dgram({kCli, 123}, {kSrv, 123}, Bytes_(48, 0x23)));
        c.at(t + 2000, udp_dgram({kCli, 45000}, {kSrv, 3389}, kRdpUdpSyn));
        c.at(t + 3000, udp_dgram({kSrv, 3389}, {kCli, 45000}, kRdpUdpSyn));
    }
    c.at(t + 4000, udp_dgram({kCli, 123}, {kSrv, 123}, Bytes_(48, 0x23)));
    c.at(t - 900 * kSec, udp_dgram({kCli, 5301}, {kSrv, 53}, {1, 2, 3, 4}));
    c.at(t + 5000, udp_dgram({kCli, 5301}, {kSrv, 53}, {1, 2, 3, 4}));
    t += 700 * kSec;
    c.at(t, udp_dgram({kCli, 45001}, {kSrv, 3389}, kRdpUdpSyn));

    // Just inside the timeouts: a packet 599.6 s after the last one of an open
    // connection or flow, 59.6 s after a closed connection's last one, with a
    // sweep (once a second of packet time) 0.3 s before it.  The numbers of the
    // RDP connection and RDP-UDP flow after them tell whether they were retired.
    t += 700 * kSec;
    t = conversation(c, t, 40017, 8892, 20000, kTls, kHttp, false);                    // open, light
    const std::int64_t closed_at = conversation(c, t, 40018, 8893, 21000, kTls, kHttp);  // closed, light
    c.at(t, udp_dgram({kCli, 5400}, {kSrv, 53}, {1, 2, 3, 4}));
    c.at(closed_at + 59'300'000, udp_dgram({kCli, 5401}, {kSrv, 53}, {1}));
    c.at(closed_at + 59'600'000, tcp_seg({kCli, 40018}, {kSrv, 8893}, A, 21001 + kTls.size() + 1, 0));
    c.at(t + 599'300'000, udp_dgram({kCli, 5402}, {kSrv, 53}, {1}));
    c.at(t + 599'600'000, udp_dgram({kCli, 5400}, {kSrv, 53}, {1, 2, 3, 4}));
    c.at(t + 599'600'000, tcp_seg({kCli, 40017}, {kSrv, 8892}, A, 20001 + kTls.size(), 0));
    t += 599'800'000;
    // Kerberos on port 88, UDP (two datagrams of one flow: the second takes
    // the number noted at the first) and TCP (a 4-byte record length each way).
    c.at(t, udp_dgram({kCli, 5500}, {kSrv, 88}, test::krbvec::kAsReq));
    c.at(t + 100, udp_dgram({kSrv, 88}, {kCli, 5500}, test::krbvec::kError24));
    c.at(t + 150, udp_dgram({kCli, 5500}, {kSrv, 88}, test::krbvec::kAsReq));
    auto framed = [](const Bytes_& m) {
        Bytes_ b(4);
        put32(b, 0, static_cast<std::uint32_t>(m.size()));
        b.insert(b.end(), m.begin(), m.end());
        return b;
    };
    t = conversation(c, t + 200, 40020, 88, 23000, framed(test::krbvec::kAsReq), framed(test::krbvec::kError24));
    t = conversation(c, t, 40019, 3389, 22000, kCR, kCC);
    c.at(t, udp_dgram({kCli, 45002}, {kSrv, 3389}, kRdpUdpSyn));

    const TempFile file("rdpscope-light-cases");
    const std::string& path = file.path();
    c.write(path);
    same_both_ways(path);
    // And the RDP connections found by content are there.
    const std::string out = run(path, true, true);
    CHECK(out.find("\"server\":\"10.0.0.2:8443\"") != std::string::npos);
    CHECK(out.find("\"server\":\"10.0.0.2:6000\"") != std::string::npos);
    CHECK(out.find("\"server\":\"10.0.0.2:1080\"") != std::string::npos);
    // Kerberos: both messages of each exchange decoded, UDP and TCP.
    const std::string events = run(path, false, true);
    std::size_t errors = 0;
    for (auto at = events.find("kerberos.krb_error"); at != std::string::npos; at = events.find("kerberos.krb_error", at + 1)) ++errors;
    CHECK(errors == 2);
}
