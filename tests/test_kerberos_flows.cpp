// SPDX-License-Identifier: MIT
// Kerberos on port 88 tied to the RDP connection it explains, and the report
// of a capture without RDP.  Synthetic captures: a Windows-like client asks
// its KDC (10.0.0.3) during the connection, after the X.224 exchange and
// before TLS, as mstsc does (awakecoding's rdp-nla-ntlm-rejected2: frames
// 7-10 between the Connection Confirm and the ClientHello); the NLA then fails
// (NTLM records, a short server record, the client's reset).  The expectations
// are how each capture is built: which client asked, when, what the KDC said.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analyze/run.hpp"
#include "analyze/verdict.hpp"
#include "capture_builder.hpp"
#include "dissect/kerberos.hpp"
#include "dissect/rdp_neg.hpp"
#include "kerberos_vectors.hpp"
#include "rdp_builder.hpp"
#include "report/pdu_fields.hpp"
#include "report/writers.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
using namespace rdpscope::test::rdp;
using namespace rdpscope::test::krbvec;
using rdpscope::test::source_path;

namespace {

constexpr std::uint32_t kKdcIp = 0x0A000003, kOtherClientIp = 0x0A000009;
constexpr std::uint32_t kSsl = rdpneg::PROTOCOL_SSL, kHybrid = rdpneg::PROTOCOL_HYBRID;

// kError24 with another error code (the byte after "a6 03 02 01").
Bytes_ krb_error(std::uint8_t code) {
    Bytes_ m = kError24;
    for (std::size_t i = 0; i + 4 < m.size(); ++i)
        if (m[i] == 0xa6 && m[i + 1] == 0x03 && m[i + 2] == 0x02 && m[i + 3] == 0x01) m[i + 4] = code;
    return m;
}

Bytes_ framed(const Bytes_& msg) {  // RFC 4120 7.2.2
    Bytes_ b(4);
    put32(b, 0, static_cast<std::uint32_t>(msg.size()));
    b.insert(b.end(), msg.begin(), msg.end());
    return b;
}

// One exchange over TCP from `client` (port `port`) to the KDC at time `t`
// (microseconds): the request, and the answer in two segments (the record
// split inside its length prefix's message, so it must be reassembled).
void kdc_tcp(Capture& cap, std::int64_t t, std::uint32_t client, std::uint16_t port, const Bytes_& request,
             const Bytes_& answer) {
    const Host c{client, port}, k{kKdcIp, 88};
    std::uint32_t cs = 5000, ks = 70000;
    cap.at(t, tcp_seg(c, k, S, cs - 1, 0));
    cap.at(t + 100, tcp_seg(k, c, S | A, ks - 1, cs));
    cap.at(t + 200, tcp_seg(c, k, A, cs, ks));
    const Bytes_ req = framed(request);
    cap.at(t + 300, tcp_seg(c, k, P | A, cs, ks, req));
    cs += static_cast<std::uint32_t>(req.size());
    const Bytes_ ans = framed(answer);
    const std::size_t cut = ans.size() / 2;
    cap.at(t + 400, tcp_seg(k, c, A, ks, cs, Bytes_(ans.begin(), ans.begin() + static_cast<std::ptrdiff_t>(cut))));
    cap.at(t + 500, tcp_seg(k, c, P | A, ks + static_cast<std::uint32_t>(cut), cs,
                            Bytes_(ans.begin() + static_cast<std::ptrdiff_t>(cut), ans.end())));
    ks += static_cast<std::uint32_t>(ans.size());
    cap.at(t + 600, tcp_seg(c, k, F | A, cs, ks));
    cap.at(t + 700, tcp_seg(k, c, F | A, ks, cs + 1));
    cap.at(t + 800, tcp_seg(c, k, A, cs + 1, ks + 1));
}

void kdc_udp(Capture& cap, std::int64_t t, std::uint32_t client, std::uint16_t port, const Bytes_& request,
             const Bytes_& answer) {
    const Host c{client, port}, k{kKdcIp, 88};
    cap.at(t, udp_dgram(c, k, request));
    cap.at(t + 300, udp_dgram(k, c, answer));
}

struct Seen {
    Verdict verdict;
    std::vector<KerberosNote> kerberos;
    std::string client;
};

class Collect : public FileObserver {
public:
    std::vector<Seen> conns;
    std::vector<std::pair<std::uint64_t, PduFields>> events;  // frame, fields of the Kerberos events
    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void problem(std::uint64_t, const Connection*, const std::string&) override {}
    void connection_done(const Connection& c, const Verdict& v) override {
        conns.push_back({v, c.kerberos, to_string(c.client())});
    }
    void flow_pdu(std::uint64_t, bool, Dir, const Endpoint&, const Endpoint&, const PduEvent& e) override {
        events.emplace_back(e.frame, pdu_fields(e.pdu));
    }
};

Collect run(Capture c) {
    std::stable_sort(c.packets.begin(), c.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile file("rdpscope-kerberos");
    c.write(file.path());
    Collect col;
    std::FILE* err = std::fopen("/dev/null", "w");
    run_file(file.path(), col, TrackerOptions{}, err);
    std::fclose(err);
    return col;
}

// The frame number (1-based, in time order) of the packet at time t.
std::uint64_t frame_at(Capture c, std::int64_t t) {
    std::stable_sort(c.packets.begin(), c.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < c.packets.size(); ++i)
        if (c.packets[i].first == t) return i + 1;
    return 0;
}

// The RDP connection: X.224 (HYBRID), then (from `after_cc`) TLS and an NLA
// that fails -- three NTLM records, a short server record, the client's reset.
// Returns the time of the Connection Confirm.
std::int64_t rdp_with_failing_nla(Conv& cv, std::int64_t pause_after_cc) {
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    cv.server(connection_confirm(kHybrid));
    const std::int64_t cc = cv.t;
    cv.step(pause_after_cc);
    cv.client(client_hello());
    cv.server(server_hello_done());
    cv.client(client_finish());
    cv.server(server_finish());
    cv.client(app_data(86));
    cv.server(app_data(324));
    cv.client(app_data(706));
    cv.server(app_data(44));
    cv.client_rst();
    return cc;
}

const KerberosNote* find_error(const std::vector<KerberosNote>& ks, std::int32_t code) {
    for (const auto& k : ks)
        if (k.error_code == code) return &k;
    return nullptr;
}

}  // namespace

TEST_CASE("Kerberos: a KRB-ERROR during a failing NLA is its cause", "[kerberos][verdict]") {
    Capture cap;
    Conv cv(cap, 1 * kSec);
    const std::int64_t cc = rdp_with_failing_nla(cv, 500 * kMs);
    // Between the Connection Confirm and the ClientHello, as mstsc asks.
    const std::int64_t t_krb = cc + 100 * kMs;
    SECTION("wrong password: AS-REQ answered KDC_ERR_PREAUTH_FAILED over TCP") {
        kdc_tcp(cap, t_krb, kClientIp, 50001, kAsReq, krb_error(24));
        const std::uint64_t err_frame = frame_at(cap, t_krb + 500);  // the segment that completes the record
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        const auto& s = col.conns[0];
        CHECK(s.verdict.rule == "kerberos_error");
        CHECK(s.verdict.cause == Cause::authentication_failure);
        CHECK(s.verdict.verdict == "kerberos_error");
        CHECK(s.verdict.stalled_at == Phase::credssp);
        CHECK(s.verdict.waiting_on == WaitingOn::server);
        CHECK(s.verdict.confidence == Confidence::high);
        CHECK(s.verdict.summary.find("KDC_ERR_PREAUTH_FAILED") != std::string::npos);
        CHECK(s.verdict.summary.find("alice@EXAMPLE.COM") != std::string::npos);
        bool evidence = false;
        for (const auto& e : s.verdict.evidence) evidence |= e.frame == err_frame;
        CHECK(evidence);
        REQUIRE(s.kerberos.size() == 2);  // the AS-REQ and the KRB-ERROR
        CHECK(s.kerberos[0].type == 10);
        CHECK(s.kerberos[0].cname == "alice");
        const auto* e = find_error(s.kerberos, 24);
        REQUIRE(e);
        CHECK(e->frame == err_frame);
        CHECK(e->during);
        CHECK(e->tcp);
        CHECK(to_string(e->kdc) == "10.0.0.3:88");
        CHECK(e->sname == "krbtgt/EXAMPLE.COM");
        // The dissect events: one per message, the error reassembled from its two segments.
        REQUIRE(col.events.size() == 2);
        CHECK(col.events[0].second.pdu == "kerberos.as_req");
        CHECK(col.events[1].first == err_frame);
        CHECK(col.events[1].second.pdu == "kerberos.krb_error");
    }
    SECTION("locked account over UDP: KDC_ERR_CLIENT_REVOKED") {
        kdc_udp(cap, t_krb, kClientIp, 50002, kAsReq, krb_error(18));
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule == "kerberos_error");
        CHECK(col.conns[0].verdict.summary.find("KDC_ERR_CLIENT_REVOKED") != std::string::npos);
        const auto* e = find_error(col.conns[0].kerberos, 18);
        REQUIRE(e);
        CHECK_FALSE(e->tcp);
        REQUIRE(col.events.size() == 2);
        CHECK(col.events[1].second.pdu == "kerberos.krb_error");
    }
    SECTION("clock skew just before the connection is tied too (before)") {
        kdc_udp(cap, 0, kClientIp, 50003, kAsReq, krb_error(37));
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule == "kerberos_error");
        CHECK(col.conns[0].verdict.confidence == Confidence::medium);
        const auto* e = find_error(col.conns[0].kerberos, 37);
        REQUIRE(e);
        CHECK_FALSE(e->during);
    }
    SECTION("near miss: PREAUTH_REQUIRED is the KDC's normal first answer, not a failure") {
        kdc_tcp(cap, t_krb, kClientIp, 50001, kAsReq, krb_error(25));
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        CHECK(find_error(col.conns[0].kerberos, 25));  // tied all the same
    }
    SECTION("near miss: the error is for another service's ticket, not the logon or TERMSRV") {
        Bytes_ other = krb_error(24);
        const Bytes_ krbtgt = {'k', 'r', 'b', 't', 'g', 't'};
        auto at = std::search(other.begin(), other.end(), krbtgt.begin(), krbtgt.end());
        REQUIRE(at != other.end());
        const Bytes_ cifs = {'c', 'i', 'f', 's', '0', '0'};  // same length: every DER length stays right
        std::copy(cifs.begin(), cifs.end(), at);
        kdc_tcp(cap, t_krb, kClientIp, 50001, kTgsReq, other);
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        const auto* e = find_error(col.conns[0].kerberos, 24);
        REQUIRE(e);  // tied all the same
        CHECK(e->sname == "cifs00/EXAMPLE.COM");
    }
    SECTION("near miss: the error went to another client") {
        kdc_tcp(cap, t_krb, kOtherClientIp, 50001, kAsReq, krb_error(24));
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        CHECK(col.conns[0].kerberos.empty());
        CHECK(col.events.size() == 2);  // decoded all the same
    }
    SECTION("near miss: the same client's error a minute before the connection") {
        Capture shifted;
        for (auto& [t, f] : cap.packets) shifted.at(t + 60 * kSec, f);
        kdc_tcp(shifted, 0, kClientIp, 50001, kAsReq, krb_error(24));
        const auto col = run(shifted);
        REQUIRE(col.conns.size() == 1);
        CHECK(col.conns[0].verdict.rule != "kerberos_error");
        CHECK(col.conns[0].kerberos.empty());
    }
}

TEST_CASE("Kerberos: no SPN for TERMSRV explains the NTLM fallback", "[kerberos][verdict]") {
    Capture cap;
    Conv cv(cap, 1 * kSec);
    const std::int64_t cc = rdp_with_failing_nla(cv, 500 * kMs);
    kdc_tcp(cap, cc + 100 * kMs, kClientIp, 50001, kTgsReq, kError7);
    const auto col = run(cap);
    REQUIRE(col.conns.size() == 1);
    const auto& s = col.conns[0];
    CHECK(s.verdict.rule != "kerberos_error");  // an unknown service name does not refuse the user
    const auto* e = find_error(s.kerberos, krb::KDC_ERR_S_PRINCIPAL_UNKNOWN);
    REQUIRE(e);
    CHECK(e->termsrv());
    CHECK(e->sname == "TERMSRV/10.0.0.5");
    if (s.verdict.cause == Cause::authentication_failure || s.verdict.cause == Cause::none) {
        CHECK(s.verdict.summary.find("fell back to NTLM") != std::string::npos);
        bool evidence = false;
        for (const auto& ev : s.verdict.evidence) evidence |= ev.frame == e->frame;
        CHECK(evidence);
    }
}

TEST_CASE("no RDP at all: the report says so and what is there", "[kerberos][report]") {
    Capture cap;
    const Host client{kClientIp, 51000}, web{0x0A000007, 443}, dns_server{0x0A000035, 53};
    // A DNS lookup of the RDP host that fails: NXDOMAIN (RFC 1035 4.1.1 RCODE 3).
    Bytes_ query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                    3, 'r', 'd', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};
    Bytes_ answer = query;
    answer[2] = 0x81;
    answer[3] = 0x83;  // QR, RD, RA, NXDOMAIN
    cap.at(1 * kSec, udp_dgram({kClientIp, 52000}, dns_server, query));
    cap.at(1 * kSec + 500, udp_dgram(dns_server, {kClientIp, 52000}, answer));
    // A connection to 443 instead, answered.
    cap.at(2 * kSec, tcp_seg(client, web, S, 99, 0));
    cap.at(2 * kSec + 100, tcp_seg(web, client, S | A, 999, 100));
    // A Kerberos error for the user.
    kdc_udp(cap, 3 * kSec, kClientIp, 50010, kAsReq, krb_error(24));
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile in("rdpscope-nordp"), out("rdpscope-nordp-out");
    cap.write(in.path());
    for (Format format : {Format::json, Format::text}) {
        std::FILE* o = std::fopen(out.path().c_str(), "w");
        std::FILE* err = std::fopen("/dev/null", "w");
        ReportWriter w(o, err, format);
        run_file(in.path(), w, TrackerOptions{}, err);
        w.finish();
        std::fclose(o);
        std::fclose(err);
        std::ifstream f(out.path());
        std::stringstream ss;
        ss << f.rdbuf();
        const std::string text = ss.str();
        if (format == Format::text) {
            CHECK(text.find("No RDP connection in this capture") != std::string::npos);
            CHECK(text.find("rdp.example") != std::string::npos);
            CHECK(text.find("KDC_ERR_PREAUTH_FAILED") != std::string::npos);
            CHECK(text.find("10.0.0.7:443") != std::string::npos);
            continue;
        }
        nlohmann::json no_rdp;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            auto j = nlohmann::json::parse(line);
            if (j.value("type", "") == "no_rdp") no_rdp = j;
        }
        REQUIRE(no_rdp.is_object());
        CHECK(no_rdp["syns_to_rdp_port"] == 0);
        REQUIRE(no_rdp["connection_attempts"].size() == 1);
        CHECK(no_rdp["connection_attempts"][0]["server"] == "10.0.0.7:443");
        CHECK(no_rdp["connection_attempts"][0]["syn_acks"] == 1);
        REQUIRE(no_rdp["dns_failures"].size() == 1);
        CHECK(no_rdp["dns_failures"][0]["name"] == "rdp.example");
        CHECK(no_rdp["dns_failures"][0]["rcode_name"] == "NXDOMAIN");
        CHECK(no_rdp["dns_failures"][0]["frame"] == 2);
        REQUIRE(no_rdp["kerberos"]["errors"].size() == 1);
        CHECK(no_rdp["kerberos"]["errors"][0]["error_name"] == "KDC_ERR_PREAUTH_FAILED");
        CHECK(no_rdp["explanation"].size() >= 4);
    }
}

TEST_CASE("a capture with RDP has no no_rdp object", "[kerberos][report]") {
    Capture cap;
    Conv cv(cap, 1 * kSec);
    rdp_with_failing_nla(cv, 10 * kMs);
    std::stable_sort(cap.packets.begin(), cap.packets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const TempFile in("rdpscope-rdp"), out("rdpscope-rdp-out");
    cap.write(in.path());
    std::FILE* o = std::fopen(out.path().c_str(), "w");
    std::FILE* err = std::fopen("/dev/null", "w");
    ReportWriter w(o, err, Format::json);
    run_file(in.path(), w, TrackerOptions{}, err);
    std::fclose(o);
    std::fclose(err);
    std::ifstream f(out.path());
    std::stringstream ss;
    ss << f.rdbuf();
    CHECK(ss.str().find("\"no_rdp\"") == std::string::npos);
}

TEST_CASE("no RDP at all: a bundled capture of one TCP segment between two other ports", "[kerberos][report]") {
    // tests/pcaps/offload/gso-ipv4.pcap (tcpdump's test suite): one GSO segment
    // 10.25.132.11:38407 -> 10.25.132.13:39701, flags PSH+ACK, no SYN, nothing on 3389.
    const TempFile out("rdpscope-gso-out");
    std::FILE* o = std::fopen(out.path().c_str(), "w");
    std::FILE* err = std::fopen("/dev/null", "w");
    ReportWriter w(o, err, Format::json);
    run_file(source_path("tests/pcaps/offload/gso-ipv4.pcap"), w, TrackerOptions{}, err);
    std::fclose(o);
    std::fclose(err);
    std::ifstream f(out.path());
    nlohmann::json no_rdp;
    for (std::string line; std::getline(f, line);) {
        auto j = nlohmann::json::parse(line);
        if (j.value("type", "") == "no_rdp") no_rdp = j;
    }
    REQUIRE(no_rdp.is_object());
    CHECK(no_rdp["packets"] == 1);
    CHECK(no_rdp["syns_to_rdp_port"] == 0);
    CHECK(no_rdp["connection_attempts"].empty());
    CHECK(no_rdp["dns_failures"].empty());
    CHECK(no_rdp["kerberos"]["messages"] == 0);
    REQUIRE(no_rdp["explanation"].size() == 2);
    CHECK(no_rdp["explanation"][0].get<std::string>().find("no connection to port 3389") != std::string::npos);
    CHECK(no_rdp["explanation"][1].get<std::string>().find("1 TCP connection on other ports") != std::string::npos);
}

// ---- more than address and time: the TERMSRV name against the server's names ----

namespace {
// An NLA the server refuses by closing after the NTLM AUTHENTICATE, the
// ClientHello naming `sni`.
std::int64_t rdp_with_sni(Conv& cv, const std::string& sni) {
    cv.handshake();
    cv.client(connection_request(kSsl | kHybrid));
    cv.server(connection_confirm(kHybrid));
    const std::int64_t cc = cv.t;
    cv.step(500 * kMs);
    cv.client(client_hello(0, sni));
    cv.server(server_hello_done());
    cv.client(client_finish());
    cv.server(server_finish());
    cv.client(app_data(86));
    cv.server(app_data(324));
    cv.client(app_data(706));
    cv.server_fin();  // the server refuses the NTLM AUTHENTICATE by closing
    return cc;
}
// kError7 (TERMSRV/10.0.0.5) naming another address of the same length.
Bytes_ error7_for(const std::string& address) {
    Bytes_ m = kError7;
    const std::string old = "10.0.0.5";
    auto at = std::search(m.begin(), m.end(), old.begin(), old.end());
    std::copy(address.begin(), address.end(), at);
    return m;
}
}  // namespace

TEST_CASE("Kerberos: a TERMSRV ticket is tied by the name of the server it is for", "[kerberos][verdict]") {
    Capture cap;
    Conv cv(cap, 1 * kSec);
    const std::int64_t cc = rdp_with_sni(cv, "rdp.example.com");
    SECTION("the ticket names this server (its address, 10.0.0.2): the NTLM fallback is explained") {
        kdc_tcp(cap, cc + 100 * kMs, kClientIp, 50001, kTgsReq, error7_for("10.0.0.2"));
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        const auto* e = find_error(col.conns[0].kerberos, krb::KDC_ERR_S_PRINCIPAL_UNKNOWN);
        REQUIRE(e);
        CHECK(e->names_server == true);
        const auto& v = col.conns[0].verdict;
        CHECK(v.cause == Cause::authentication_failure);
        CHECK(v.summary.find("fell back to NTLM") != std::string::npos);
    }
    SECTION("near miss: during the connection, a ticket for another server (10.0.0.5): listed, not its cause") {
        kdc_tcp(cap, cc + 100 * kMs, kClientIp, 50001, kTgsReq, kError7);
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        const auto* e = find_error(col.conns[0].kerberos, krb::KDC_ERR_S_PRINCIPAL_UNKNOWN);
        REQUIRE(e);
        CHECK(e->names_server == false);
        CHECK(col.conns[0].verdict.cause == Cause::authentication_failure);
        CHECK(col.conns[0].verdict.summary.find("fell back to NTLM") == std::string::npos);
    }
    SECTION("near miss: just before the connection, a ticket for another server: not this connection's") {
        kdc_tcp(cap, 0, kClientIp, 50001, kTgsReq, kError7);
        const auto col = run(cap);
        REQUIRE(col.conns.size() == 1);
        CHECK_FALSE(find_error(col.conns[0].kerberos, krb::KDC_ERR_S_PRINCIPAL_UNKNOWN));
    }
    SECTION("without a name in TLS (no SNI, no certificate): address and time alone, as before") {
        Capture bare;
        Conv b(bare, 1 * kSec);
        const std::int64_t cc2 = rdp_with_failing_nla(b, 500 * kMs);
        kdc_tcp(bare, cc2 + 100 * kMs, kClientIp, 50001, kTgsReq, kError7);
        const auto col = run(bare);
        REQUIRE(col.conns.size() == 1);
        const auto* e = find_error(col.conns[0].kerberos, krb::KDC_ERR_S_PRINCIPAL_UNKNOWN);
        REQUIRE(e);
        CHECK_FALSE(e->names_server.has_value());
    }
}

TEST_CASE("Kerberos: a service principal's host against a server's names", "[kerberos]") {
    const std::vector<std::string> names = {"IT-HELP-TEST.ad.it-help.ninja", "192.0.2.7"};
    CHECK(host_matches("it-help-test.ad.it-help.ninja", names));  // without case
    CHECK(host_matches("IT-HELP-TEST", names));                   // the NetBIOS name: the first label
    CHECK(host_matches("192.0.2.7", names));
    CHECK_FALSE(host_matches("it-help-test.other.example", names));
    CHECK_FALSE(host_matches("192", names));                       // an address has no first label
    CHECK_FALSE(host_matches("IT-HELP-DC", names));
    CHECK_FALSE(host_matches("", names));
}
