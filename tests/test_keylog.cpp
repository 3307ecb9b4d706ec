// SPDX-License-Identifier: MIT
// The NSS key log parser (dissect/keylog): the five labels it keeps, as
// OpenSSL's SSL_CTX_set_keylog_callback and NSS write them; Windows line ends;
// NUL runs as SChannel secret dumpers leave them; junk counted and never kept;
// a file read while it grows.
#include <catch2/catch.hpp>

#include <string>

#include "dissect/keylog.hpp"

using namespace rdpscope;
using namespace rdpscope::keylog;

namespace {

std::string rep(const char* two_hex, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += two_hex;
    return s;
}

ClientRandom random_of(std::uint8_t b) {
    ClientRandom r;
    r.fill(b);
    return r;
}

const std::string kR1 = rep("11", 32), kR2 = rep("22", 32);
const std::string kMaster = rep("aa", 48), kSecret32 = rep("bb", 32), kSecret48 = rep("cc", 48);

}  // namespace

TEST_CASE("keylog: CLIENT_RANDOM and the four TLS 1.3 secrets are kept by client random", "[keylog]") {
    KeyLog k;
    k.feed("# comment written by SSLKEYLOGFILE users\n"
           "CLIENT_RANDOM " + kR1 + " " + kMaster + "\n" +
           "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + kR2 + " " + kSecret32 + "\n" +
           "SERVER_HANDSHAKE_TRAFFIC_SECRET " + kR2 + " " + kSecret48 + "\n" +
           "CLIENT_TRAFFIC_SECRET_0 " + kR2 + " " + kSecret32 + "\n" +
           "SERVER_TRAFFIC_SECRET_0 " + kR2 + " " + kSecret32 + "\n" +
           "EXPORTER_SECRET " + kR2 + " " + kSecret32 + "\n");
    k.finish();
    CHECK(k.sessions() == 2);
    CHECK(k.stats().lines == 6);
    CHECK(k.stats().secrets == 5);
    CHECK(k.stats().ignored == 1);
    CHECK(k.stats().skipped == 0);
    const Entry* e1 = k.find(random_of(0x11));
    REQUIRE(e1);
    REQUIRE(e1->get(Label::client_random));
    CHECK(e1->get(Label::client_random)->length == 48);
    CHECK(e1->get(Label::client_random)->bytes[47] == 0xaa);
    CHECK_FALSE(e1->get(Label::client_traffic_secret_0));
    const Entry* e2 = k.find(random_of(0x22));
    REQUIRE(e2);
    CHECK(e2->get(Label::client_handshake_traffic_secret)->length == 32);
    CHECK(e2->get(Label::server_handshake_traffic_secret)->length == 48);
    CHECK(e2->get(Label::server_handshake_traffic_secret)->bytes[0] == 0xcc);
    CHECK(e2->get(Label::client_traffic_secret_0));
    CHECK(e2->get(Label::server_traffic_secret_0));
    CHECK_FALSE(e2->get(Label::client_random));
    CHECK_FALSE(k.find(random_of(0x33)));
}

TEST_CASE("keylog: CRLF, NUL runs and upper-case hex as Windows tools write them", "[keylog]") {
    std::string text = "CLIENT_RANDOM " + kR1 + " " + rep("AB", 48) + "\r\n";
    text += std::string(300, '\0');
    text += "CLIENT_RANDOM " + kR2 + " " + kMaster + "\r\n";
    text += std::string(7, '\0');
    KeyLog k;
    k.feed(text);
    k.finish();
    CHECK(k.sessions() == 2);
    CHECK(k.stats().skipped == 0);
    CHECK(k.find(random_of(0x11))->get(Label::client_random)->bytes[0] == 0xab);
}

TEST_CASE("keylog: junk lines are counted, not kept", "[keylog]") {
    KeyLog k;
    k.feed("hello world\n"
           "CLIENT_RANDOM " + kR1 + "\n" +                                  // no secret
           "CLIENT_RANDOM " + kR1 + " " + kSecret32 + "\n" +                // a master secret is 48 bytes
           "CLIENT_RANDOM " + rep("11", 31) + " " + kMaster + "\n" +        // short random
           "CLIENT_RANDOM " + kR1 + " " + kMaster + " extra\n" +           // a fourth field
           "CLIENT_RANDOM " + kR1 + " " + rep("zz", 48) + "\n" +            // not hex
           "SERVER_TRAFFIC_SECRET_0 " + kR1 + " " + rep("bb", 40) + "\n" +  // 40 bytes: no suite's hash
           std::string(5000, 'x') + "\n" +                                   // overlong
           "CLIENT_RANDOM " + kR2 + " " + kMaster + "\n");
    k.finish();
    CHECK(k.stats().lines == 9);
    CHECK(k.stats().skipped == 8);
    CHECK(k.stats().secrets == 1);
    CHECK(k.sessions() == 1);
    CHECK(k.find(random_of(0x22)));
    CHECK_FALSE(k.find(random_of(0x11)));
}

TEST_CASE("keylog: a growing file read in pieces gives the same result", "[keylog]") {
    const std::string text = "CLIENT_RANDOM " + kR1 + " " + kMaster + "\r\nCLIENT_RANDOM " + kR2 + " " + kMaster;
    for (std::size_t cut = 0; cut <= text.size(); cut += 7) {
        KeyLog k;
        k.feed(std::string_view(text).substr(0, cut));
        k.feed(std::string_view(text).substr(cut));
        CHECK(k.sessions() == 1);  // the last line has no end yet
        k.finish();
        CHECK(k.sessions() == 2);
        CHECK(k.stats().lines == 2);
    }
}

TEST_CASE("keylog: parse_line on the labels rdpscope ignores", "[keylog]") {
    bool known = false;
    CHECK_FALSE(parse_line("CLIENT_EARLY_TRAFFIC_SECRET " + kR1 + " " + kSecret32, &known));
    CHECK(known);
    CHECK_FALSE(parse_line("NOT_A_LABEL " + kR1 + " " + kSecret32, &known));
    CHECK_FALSE(known);
    auto l = parse_line("CLIENT_TRAFFIC_SECRET_0\t" + kR1 + "\t" + kSecret48, &known);
    REQUIRE(l);
    CHECK(l->label == Label::client_traffic_secret_0);
    CHECK(l->secret.length == 48);
}
