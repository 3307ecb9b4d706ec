// SPDX-License-Identifier: MIT
// The progress line: only on a terminal and for an input with a size; what it shows.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "analyze/connection.hpp"
#include "analyze/verdict.hpp"
#include "report/progress.hpp"

using namespace rdpscope;

TEST_CASE("the progress line: bytes of the size, packets per second, connections - erased after", "[progress]") {
    char* buf = nullptr;
    std::size_t n = 0;
    std::FILE* f = open_memstream(&buf, &n);
    {
        Progress not_terminal(f);
        CHECK_FALSE(not_terminal.may_draw());
        not_terminal.started("x.pcap", 1000);
        CHECK_FALSE(not_terminal.enabled());
        Progress p(f, true);
        REQUIRE(p.may_draw());
        p.started("interface eth0", 0);  // no size (a live interface)
        CHECK_FALSE(p.enabled());
        p.started("/captures/jump-box.pcap", 2'000'000);
        REQUIRE(p.enabled());
        FileStats st;
        st.packets = 5000;
        st.connections = 1234;
        st.rdp_connections = 7;
        p.update(1'000'000, st);  // too soon after the start: not drawn
        std::fflush(f);
        CHECK(n == 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(120));
        p.update(1'000'000, st);
        p.clear();
    }
    std::fclose(f);
    const std::string out(buf, n);
    std::free(buf);
    CHECK(out.rfind("\rjump-box.pcap [", 0) == 0);
    CHECK(out.find(" 50%  1/2 MB") != std::string::npos);
    CHECK(out.find("pkt/s  1,234 conns, 7 RDP\033[K") != std::string::npos);
    CHECK(out.ends_with("\r\033[K"));
}

// Everything the inner observer hears reaches it through the progress
// wrapper: an RD Gateway's connection too (analyze on a terminal printed no
// gateway while the wrapper dropped them).
TEST_CASE("the progress line: the wrapper passes gateways on", "[progress]") {
    struct Count : FileObserver {
        int gateways = 0;
        void begin_file(const std::string&, const FileStats*) override {}
        void end_file(const FileStats&) override {}
        void problem(std::uint64_t, const Connection*, const std::string&) override {}
        void gateway_done(const Connection&, const Verdict&) override { ++gateways; }
    } inner;
    std::FILE* f = std::fopen("/dev/null", "w");
    {
        Progress bar(f, true);
        ProgressObserver shown(inner, bar);
        Connection c;
        Verdict v;
        static_cast<Observer&>(shown).gateway_done(c, v);
    }
    std::fclose(f);
    CHECK(inner.gateways == 1);
}
