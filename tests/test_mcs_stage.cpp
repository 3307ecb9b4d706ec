// The issue-5 stages run whole, in process, over the bundled captures: the MCS
// stage (standard RDP security), the TLS facts, the RDP-UDP flow table and the
// report objects built from them (summary_security), compared with
//  * Zeek's baselines (tests/pcaps/public/zeek/baselines: rdp.log, ssl.log,
//    x509.log, conn.log and the event outputs of the rdpeudp tests) on every
//    field Zeek logs that we report too;
//  * tshark 4.0 on the lab captures (tests/pcaps/lab-tshark/*.jsonl, recorded
//    by tools/record-lab-tls-baselines with -d tcp.port==3389,tls): TLS
//    versions, cipher suites, SNI, alerts, certificates, and every MCS PDU.
// None of it needs Zeek or tshark at test time.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "report/error_text.hpp"
#include "report/pdu_fields.hpp"
#include "report/render_security.hpp"
#include "analyze/run.hpp"
#include "report/summary_security.hpp"
#include "report/writers.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_neg.hpp"
#include "dissect/tls.hpp"
#include "test_util.hpp"

using namespace rdpscope;
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

struct Event {
    std::uint64_t frame = 0, conn = 0;
    bool udp = false;
    std::string pdu;
    std::map<std::string, std::string> fields;
};

struct ConnSeen {
    std::uint64_t id = 0;
    std::string client, server;
    NegotiationFacts neg;
    McsFacts mcs;
    TlsFacts tls;
    std::vector<UdpFlowFacts> udp;
    json report;  // the issue-5 objects, as summarize() adds them
};

class Collector : public FileObserver {
public:
    std::vector<Event> events;
    std::vector<ConnSeen> conns;
    std::vector<UdpFlowFacts> flows;
    std::vector<std::string> problems;

    void begin_file(const std::string&, bool, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void pdu(const Connection& c, Dir, const PduEvent& e) override { events.push_back(event(c.id, false, e)); }
    void udp_pdu(const UdpFlowFacts& f, Dir, const PduEvent& e) override { events.push_back(event(f.id, true, e)); }
    void connection_done(const Connection& c, const Verdict&) override {
        ConnSeen s;
        s.id = c.id;
        s.client = to_string(c.client());
        s.server = to_string(c.server());
        s.neg = c.rdp.neg;
        s.mcs = c.rdp.mcs.facts();
        s.tls = c.rdp.tls.facts();
        s.udp = c.udp;
        s.report = json::object();
        add_security_objects(s.report, c, false);
        conns.push_back(std::move(s));
    }
    void udp_flow_done(const UdpFlowFacts& f) override { flows.push_back(f); }
    void problem(std::uint64_t, const Connection*, const std::string& what) override { problems.push_back(what); }

    const ConnSeen* conn(std::uint64_t id) const {
        for (const auto& c : conns)
            if (c.id == id) return &c;
        return nullptr;
    }
    const ConnSeen* conn_from(const std::string& client) const {
        for (const auto& c : conns)
            if (c.client == client) return &c;
        return nullptr;
    }
    const Event* find(std::uint64_t frame, const std::string& pdu) const {
        for (const auto& e : events)
            if (e.frame == frame && e.pdu == pdu) return &e;
        return nullptr;
    }

private:
    static Event event(std::uint64_t id, bool udp, const PduEvent& e) {
        const PduFields pf = pdu_fields(e);
        Event s{e.frame, id, udp, std::string(pf.pdu), {}};
        for (const auto& f : pf.fields)
            std::visit([&](const auto& v) {
                std::ostringstream o;
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::vector<std::string>>) {
                    for (std::size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << v[i];
                } else if constexpr (std::is_same_v<std::decay_t<decltype(v)>, bool>) {
                    o << (v ? "true" : "false");
                } else {
                    o << v;
                }
                s.fields[std::string(f.key)] = o.str();
            }, f.value);
        return s;
    }
};

Collector run(const std::string& rel) {
    Collector col;
    REQUIRE(run_file(test::source_path(rel), col, TrackerOptions{}, stderr) != FileStatus::unusable);
    return col;
}

// ---- Zeek logs ---------------------------------------------------------------

using ZeekRow = std::map<std::string, std::string>;

std::vector<ZeekRow> read_zeek_log(const std::string& name) {
    std::ifstream in(test::source_path("tests/pcaps/public/zeek/baselines/" + name));
    REQUIRE(in.good());
    std::vector<std::string> fields;
    std::vector<ZeekRow> rows;
    std::string line;
    auto split = [](const std::string& l) {
        std::vector<std::string> out;
        std::stringstream ss(l);
        std::string cell;
        while (std::getline(ss, cell, '\t')) out.push_back(cell);
        return out;
    };
    while (std::getline(in, line)) {
        if (line.rfind("#fields", 0) == 0) {
            fields = split(line);
            fields.erase(fields.begin());
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        auto cells = split(line);
        ZeekRow r;
        for (std::size_t i = 0; i < fields.size() && i < cells.size(); ++i) r[fields[i]] = cells[i];
        rows.push_back(r);
    }
    return rows;
}

// Zeek's ASCII writer escapes a backslash as two.
std::string zeek_unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\\') ++i;
        out += s[i];
    }
    return out;
}

std::string endpoint(const std::string& ip, const std::string& port) {
    return ip.find(':') != std::string::npos ? "[" + ip + "]:" + port : ip + ":" + port;
}

// The value we report for each rdp.log field, in Zeek's spelling ("-" unset).
std::string ours_for_zeek(const ConnSeen& c, const std::string& field) {
    const McsFacts& m = c.mcs;
    const json& r = c.report;
    const json core = r.contains("mcs") && r["mcs"].contains("client_core") ? r["mcs"]["client_core"] : json::object();
    const json sec = r.contains("security") ? r["security"] : json::object();
    auto str = [](const json& j, const char* k) { return j.contains(k) ? j[k].get<std::string>() : std::string("-"); };
    auto num = [](const json& j, const char* k) { return j.contains(k) ? std::to_string(j[k].get<std::uint64_t>()) : std::string("-"); };
    if (field == "cookie") return c.neg.cookie ? (c.neg.cookie->empty() ? "(empty)" : *c.neg.cookie) : "(empty)";
    if (field == "result") {
        if (c.neg.failure_code) return std::string(rdpneg::failure_name(*c.neg.failure_code));
        if (c.neg.effective_protocol().value_or(0) != 0) return "encrypted";
        return r.contains("mcs") ? str(r["mcs"], "gcc_result_name") : "-";
    }
    if (field == "security_protocol")
        return c.neg.selected_protocol ? std::string(rdpneg::protocol_name(*c.neg.selected_protocol)) : "-";
    if (field == "client_channels") {
        if (!r.contains("mcs") || !r["mcs"].contains("channels") || r["mcs"]["channels"].empty()) return "-";
        std::string s;
        for (const auto& ch : r["mcs"]["channels"]) s += (s.empty() ? "" : ",") + ch.get<std::string>();
        return s;
    }
    if (field == "keyboard_layout") return str(core, "keyboard_layout_name");
    if (field == "client_build") return str(core, "client_build_name");
    if (field == "client_name") return core.contains("client_name") ? core["client_name"].get<std::string>() : "-";
    if (field == "client_dig_product_id") {
        if (!core.contains("client_name")) return "-";
        return m.client_dig_product_id.empty() ? "(empty)" : m.client_dig_product_id;
    }
    if (field == "desktop_width") return num(core, "desktop_width");
    if (field == "desktop_height") return num(core, "desktop_height");
    if (field == "requested_color_depth") return str(core, "requested_color_depth");
    if (field == "cert_type") return str(sec, "server_cert_type_name");
    if (field == "cert_count") return sec.contains("cert_count") ? num(sec, "cert_count") : "0";
    if (field == "cert_permanent") return sec.contains("cert_permanent") ? (sec["cert_permanent"].get<bool>() ? "T" : "F") : "-";
    if (field == "encryption_level") return str(sec, "encryption_level_name");
    if (field == "encryption_method") return str(sec, "encryption_method_name");
    FAIL("no mapping for rdp.log field " << field);
    return "";
}

void check_rdp_log(const std::string& pcap, const std::string& log, std::size_t& compared) {
    INFO("capture " << pcap << " vs " << log);
    Collector col = run("tests/pcaps/public/zeek/" + pcap);
    const auto rows = read_zeek_log(log);
    REQUIRE(!rows.empty());
    for (const auto& row : rows) {
        const std::string client = endpoint(row.at("id.orig_h"), row.at("id.orig_p"));
        INFO("connection from " << client);
        const ConnSeen* c = col.conn_from(client);
        REQUIRE(c != nullptr);
        CHECK(c->server == endpoint(row.at("id.resp_h"), row.at("id.resp_p")));
        for (const char* f : {"cookie", "result", "security_protocol", "client_channels", "keyboard_layout",
                              "client_build", "client_name", "client_dig_product_id", "desktop_width",
                              "desktop_height", "requested_color_depth", "cert_type", "cert_count",
                              "cert_permanent", "encryption_level", "encryption_method"}) {
            INFO("field " << f);
            CHECK(ours_for_zeek(*c, f) == zeek_unescape(row.at(f)));
            ++compared;
        }
    }
}

}  // namespace

// ---- Zeek ----------------------------------------------------------------------

TEST_CASE("rdp.log: MCS/GCC settings and standard security equal Zeek's, field by field", "[mcs][zeek]") {
    std::size_t compared = 0;
    check_rdp_log("rdp-proprietary-encryption.pcap", "scripts.base.protocols.rdp.rdp-proprietary-encryption__rdp.log", compared);
    check_rdp_log("rdp-x509.pcap", "scripts.base.protocols.rdp.rdp-x509__rdp.log", compared);
    check_rdp_log("rdp-unknown-keyboard.pcap", "scripts.base.protocols.rdp.rdp-unknown-keyboard__rdp.log", compared);
    check_rdp_log("rdp-to-ssl.pcap", "scripts.base.protocols.rdp.rdp-to-ssl__rdp.log", compared);
    check_rdp_log("rdp-no-cookie-mstshash.pcap", "scripts.base.protocols.rdp.rdp-no-cookie-msthash__rdp.log", compared);
    CHECK(compared == 7 * 16);
}

TEST_CASE("rdp-proprietary-encryption: the whole MCS connection sequence, frame by frame as tshark shows it",
          "[mcs]") {
    Collector col = run("tests/pcaps/public/zeek/rdp-proprietary-encryption.pcap");
    const ConnSeen* c = col.conn(1);
    REQUIRE(c);
    const McsFacts& m = c->mcs;
    // tshark: 14 ClientData, 15 ServerData, 16 erectDomainRequest, 17 attachUserRequest,
    // 19 attachUserConfirm, 20-31 six join request/confirm pairs, 32 SecurityExchange,
    // 33 ClientInfo [Encrypted], 35 the first server PDU after it (licensing, encrypted).
    CHECK(m.connect_initial_frame == 14);
    CHECK(m.connect_response_frame == 15);
    CHECK(m.connect_result == 0u);
    CHECK(m.gcc_result == 0u);
    CHECK(m.erect_domain_frame == 16);
    CHECK(m.attach_user_request_frame == 17);
    CHECK(m.attach_user_confirm_frame == 19);
    CHECK(m.attach_user_result == 0u);
    CHECK(m.user_channel == 1008);
    CHECK(m.channel_join_requests == 6);
    CHECK(m.channel_join_confirms == 6);
    CHECK(m.last_channel_join_confirm_frame == 31);
    CHECK_FALSE(m.failed_join_result);
    REQUIRE(m.joins.size() == 6);
    const std::uint16_t want[] = {1008, 1003, 1004, 1005, 1006, 1007};
    for (std::size_t i = 0; i < 6; ++i) {
        CHECK(m.joins[i].channel_id == want[i]);
        CHECK(m.joins[i].request_frame == 20 + 2 * i);
        CHECK(m.joins[i].confirm_frame == 21 + 2 * i);
        CHECK(m.joins[i].result == 0u);
    }
    CHECK(m.io_channel == 1003u);
    CHECK(m.channel_ids == std::vector<std::uint16_t>{1004, 1005, 1006, 1007});
    CHECK(m.security_exchange_frame == 32);
    CHECK(m.client_info_frame == 33);
    CHECK(m.client_info_encrypted);
    CHECK(m.license_frame == 35);
    CHECK(m.license_encrypted);
    // Send Data PDUs after the Client Info, as tshark counts t124.DomainMCSPDU 25/26 past frame 33.
    CHECK(m.pdus_after_client_info[0] == 31);
    CHECK(m.pdus_after_client_info[1] == 21);
    // tshark: DomainMCSPDU 8 (disconnectProviderUltimatum) from the server, reason rn-user-requested.
    CHECK(m.disconnect_frame == 538);
    CHECK(m.disconnect_reason == 3u);
    CHECK(m.disconnect_from == Dir::s2c);
    CHECK_FALSE(m.error);
    // Zeek's rdp-client-security-data and rdp-client-cluster-data outputs for this capture.
    CHECK(m.client_encryption_methods == 27u);
    CHECK(m.cluster_flags == 0x0du);

    // The dissect events carry the same values.
    const Event* core = col.find(14, "gcc.client_core");
    REQUIRE(core);
    CHECK(core->fields.at("client_build") == "6000");
    CHECK(core->fields.at("client_build_name") == "RDP 6.0");
    CHECK(core->fields.at("client_name") == "FROG-POND");
    CHECK(core->fields.at("keyboard_layout") == "1033");
    CHECK(core->fields.at("keyboard_layout_name") == "English - United States");
    CHECK(core->fields.at("desktop_width") == "1152");
    CHECK(core->fields.at("desktop_height") == "864");
    CHECK(core->fields.at("color_depth") == "32");
    const Event* net = col.find(14, "gcc.client_network");
    REQUIRE(net);
    CHECK(net->fields.at("channels") == "rdpdr,rdpsnd,drdynvc,cliprdr");
    const Event* sec = col.find(15, "gcc.server_security");
    REQUIRE(sec);
    CHECK(sec->fields.at("encryption_method") == "2");
    CHECK(sec->fields.at("encryption_method_name") == "128bit");
    CHECK(sec->fields.at("encryption_level_name") == "High");
    CHECK(sec->fields.at("server_cert_type") == "1");
    CHECK(sec->fields.at("cert_count") == "1");
    CHECK(sec->fields.at("permanent") == "true");
    const Event* auc = col.find(19, "mcs.attach_user_confirm");
    REQUIRE(auc);
    CHECK(auc->fields.at("result") == "0");
    CHECK(auc->fields.at("initiator") == "1008");
    const Event* cjc = col.find(23, "mcs.channel_join_confirm");
    REQUIRE(cjc);
    CHECK(cjc->fields.at("channel_id") == "1003");
    CHECK(col.find(32, "rdp.security_exchange"));
    const Event* ci = col.find(33, "rdp.client_info");
    REQUIRE(ci);
    CHECK(ci->fields.at("encrypted") == "true");
    const Event* dpu = col.find(538, "mcs.disconnect_provider_ultimatum");
    REQUIRE(dpu);
    CHECK(dpu->fields.at("reason_name") == "rn-user-requested");
    // After the Client Info the data PDUs are counted, the first few shown.
    std::size_t shown = 0;
    for (const auto& e : col.events)
        if (e.conn == 1 && e.pdu == "mcs.send_data" && e.frame > 33) ++shown;
    CHECK(shown == 2 * kMcsDataEvents);

    // The report object and its text.
    const json& r = c->report;
    REQUIRE(r.contains("mcs"));
    CHECK(r["mcs"]["client_core"]["client_build"] == 6000);
    CHECK(r["mcs"]["client_core"]["client_name"] == "FROG-POND");
    CHECK(r["mcs"]["client_core"]["keyboard_layout"] == 1033);
    CHECK(r["mcs"]["client_core"]["desktop_width"] == 1152);
    CHECK(r["mcs"]["client_core"]["desktop_height"] == 864);
    CHECK(r["mcs"]["client_core"]["color_depth"] == 32);
    CHECK(r["mcs"]["channels"] == json::array({"rdpdr", "rdpsnd", "drdynvc", "cliprdr"}));
    CHECK(r["security"]["encryption_method"] == 2);
    CHECK(r["security"]["encryption_level"] == 3);
    CHECK(r["security"]["server_cert_type"] == 1);
    CHECK_FALSE(r.contains("tls"));
    const std::string text = render_security_text(r);
    CHECK(text.find("client \"FROG-POND\" build 6000 (RDP 6.0), 1152x864 32-bit") != std::string::npos);
    CHECK(text.find("Disconnect Provider Ultimatum rn-user-requested from the server") != std::string::npos);
    CHECK(text.find("standard RDP security: 128bit encryption, level High") != std::string::npos);
    // The refused connection (#0) has no MCS at all.
    REQUIRE(col.conn(0));
    CHECK_FALSE(col.conn(0)->report.contains("mcs"));
}

TEST_CASE("ssl.log: TLS version, cipher, SNI, certificate equal Zeek's", "[tls][zeek]") {
    struct Case { const char* pcap; const char* log; };
    std::size_t rows_compared = 0;
    for (const Case k : {Case{"rdp-to-ssl.pcap", "scripts.base.protocols.rdp.rdp-to-ssl__ssl.log"},
                         Case{"rdp-no-cookie-mstshash.pcap", "scripts.base.protocols.rdp.rdp-no-cookie-msthash__ssl.log"}}) {
        INFO("capture " << k.pcap);
        Collector col = run(std::string("tests/pcaps/public/zeek/") + k.pcap);
        for (const auto& row : read_zeek_log(k.log)) {
            const ConnSeen* c = col.conn_from(endpoint(row.at("id.orig_h"), row.at("id.orig_p")));
            REQUIRE(c);
            REQUIRE(c->report.contains("tls"));
            const json& t = c->report["tls"];
            CHECK(t["version_name"] == row.at("version"));
            CHECK(t["cipher_suite_name"] == row.at("cipher"));
            CHECK(t.value("sni", std::string("-")) == row.at("server_name"));
            CHECK((t["established"].get<bool>() ? "T" : "F") == row.at("established"));
            REQUIRE(c->tls.leaf);
            CHECK(c->tls.leaf->sha256 == row.at("cert_chain_fps"));
            CHECK(t["certificate"]["sha256"] == row.at("cert_chain_fps"));
            CHECK(c->tls.leaf->subject_zeek == zeek_unescape(row.at("subject")));
            CHECK(c->tls.leaf->issuer_zeek == zeek_unescape(row.at("issuer")));
            CHECK(t["certificate"]["subject"] == zeek_unescape(row.at("subject")));
            const std::string sni_match = t.contains("sni_matches_cert") ? (t["sni_matches_cert"].get<bool>() ? "T" : "F") : "-";
            CHECK(sni_match == row.at("sni_matches_cert"));
            CHECK(t["alerts"].empty() == (row.at("last_alert") == "-"));
            ++rows_compared;
        }
    }
    CHECK(rows_compared == 3);
}

TEST_CASE("x509.log: the X.509 chain of standard RDP security equals Zeek's", "[mcs][zeek]") {
    Collector col = run("tests/pcaps/public/zeek/rdp-x509.pcap");
    REQUIRE(col.conns.size() == 1);
    const auto& chain = col.conns[0].mcs.server_x509_chain;
    const auto rows = read_zeek_log("scripts.base.protocols.rdp.rdp-x509__x509.log");
    REQUIRE(rows.size() == 2);
    REQUIRE(chain.size() == rows.size());
    const json& certs = col.conns[0].report["security"]["certificates"];
    REQUIRE(certs.size() == 2);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        INFO("certificate " << i);
        const auto& row = rows[i];
        const auto& c = chain[i];
        CHECK(c.sha256 == row.at("fingerprint"));
        CHECK(std::to_string(c.version) == row.at("certificate.version"));
        CHECK(c.serial == row.at("certificate.serial"));
        CHECK(c.subject_zeek == zeek_unescape(row.at("certificate.subject")));
        CHECK(c.issuer_zeek == zeek_unescape(row.at("certificate.issuer")));
        CHECK(std::to_string(c.not_before) + ".000000" == row.at("certificate.not_valid_before"));
        CHECK(std::to_string(c.not_after) + ".000000" == row.at("certificate.not_valid_after"));
        CHECK(c.key_alg == row.at("certificate.key_alg"));
        CHECK(c.key_type == row.at("certificate.key_type"));
        CHECK(std::to_string(c.key_bits) == row.at("certificate.key_length"));
        CHECK(c.exponent == row.at("certificate.exponent"));
        CHECK(certs[i]["sha256"] == row.at("fingerprint"));
        CHECK(certs[i]["key_bits"] == c.key_bits);
        CHECK(certs[i]["not_after"] == c.not_after);
    }
}

// ---- RDP-UDP ---------------------------------------------------------------------

namespace {

const UdpFlowFacts* flow(const Collector& col, std::uint64_t id) {
    for (const auto& f : col.flows)
        if (f.id == id) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("RDP-UDP: a handshake whose SYNs go unanswered (Zeek: rdpeudp_syn only; conn.log S0)", "[rdpudp][zeek]") {
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
        const json j = udp_flow_json(f, false);
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

// ---- tshark on the lab captures ------------------------------------------------------

namespace {

std::vector<json> read_jsonl(const fs::path& p) {
    std::vector<json> out;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

std::string file_sha256(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
    return hex;
}

// The tshark baseline of a lab capture, without its meta line; empty (with a
// warning) when there is none or the capture was re-recorded since.
std::optional<std::vector<json>> lab_baseline(const fs::path& pcap) {
    const fs::path p = fs::path(test::source_path("tests/pcaps/lab-tshark")) / (pcap.stem().string() + ".jsonl");
    if (!fs::exists(p)) {
        WARN("no tshark baseline for " << pcap.filename() << ": run tools/record-lab-tls-baselines");
        return std::nullopt;
    }
    auto rows = read_jsonl(p);
    if (rows.empty() || rows[0].value("type", "") != "meta" || rows[0]["pcap_sha256"] != file_sha256(pcap)) {
        WARN("the tshark baseline of " << pcap.filename() << " is older than the capture: run tools/record-lab-tls-baselines");
        return std::nullopt;
    }
    rows.erase(rows.begin());
    return rows;
}

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

}  // namespace

TEST_CASE("lab captures: TLS versions, suites, SNI, alerts and certificates equal tshark's", "[tls][tshark][lab]") {
    const fs::path lab = test::source_path("tests/pcaps/lab");
    std::size_t captures = 0, hellos = 0, certs = 0, alerts = 0;
    for (const auto& entry : fs::directory_iterator(lab)) {
        if (entry.path().extension() != ".pcap") continue;
        const auto baseline = lab_baseline(entry.path());
        if (!baseline) continue;
        INFO("capture " << entry.path().filename());
        Collector col = run(fs::relative(entry.path(), test::source_path("")).string());
        ++captures;
        for (const auto& row : *baseline) {
            const std::string type = row["type"];
            if (type == "mcs") continue;
            const std::uint64_t frame = row["frame"];
            INFO("frame " << frame << " " << type);
            const ConnSeen* c = col.conn(row["stream"].get<std::uint64_t>());
            REQUIRE(c != nullptr);
            const TlsFacts& t = c->tls;
            const json& tj = c->report.contains("tls") ? c->report["tls"] : json::object();
            if (type == "client_hello") {
                CHECK(t.client_hello_frame == frame);
                CHECK(t.sni == row.value("sni", std::string()));
                CHECK(tj.value("sni", std::string()) == row.value("sni", std::string()));
                ++hellos;
            } else if (type == "server_hello") {
                CHECK(t.server_hello_frame == frame);
                CHECK(t.version == row["version"].get<std::uint16_t>());
                CHECK(t.cipher_suite == row["cipher"].get<std::uint16_t>());
                CHECK(tj["version"] == row["version"]);
                CHECK(tj["cipher_suite"] == row["cipher"]);
                CHECK(tj["cipher_suite_name"] == tls::cipher_suite_name(row["cipher"].get<std::uint16_t>()));
                ++hellos;
            } else if (type == "certificate") {
                CHECK(t.certificate_frame == frame);
                const json& list = row["certs"];
                CHECK(t.chain_length == list.size());
                if (list.empty()) continue;
                const json& leaf = list[0];
                REQUIRE(t.leaf);
                CHECK(t.leaf->sha256 == leaf["sha256"]);
                CHECK(lower(t.leaf->serial) == lower(leaf["serial"]));
                if (!leaf["subject_cn"].empty()) CHECK(t.leaf->subject_cn == leaf["subject_cn"].back());
                if (!leaf["issuer_cn"].empty())
                    CHECK(t.leaf->issuer.find("CN=" + leaf["issuer_cn"].back().get<std::string>()) != std::string::npos);
                CHECK(t.leaf->not_before == leaf["not_before"]);
                CHECK(t.leaf->not_after == leaf["not_after"]);
                if (leaf.contains("key_bits")) CHECK(t.leaf->key_bits == leaf["key_bits"]);
                std::vector<std::string> san(t.leaf->san_dns);
                san.insert(san.end(), t.leaf->san_ip.begin(), t.leaf->san_ip.end());
                CHECK(san == leaf["san"].get<std::vector<std::string>>());
                // The report object carries the same.
                REQUIRE(tj.contains("certificate"));
                const json& cj = tj["certificate"];
                CHECK(cj["sha256"] == leaf["sha256"]);
                CHECK(cj["not_after"] == leaf["not_after"]);
                CHECK(cj["san"] == leaf["san"]);
                CHECK(cj["chain_length"] == list.size());
                for (const char* k : {"subject", "issuer", "not_before", "expired_at_capture", "self_signed",
                                      "key_type", "key_bits"})
                    CHECK(cj.contains(k));
                ++certs;
            } else if (type == "alert" || type == "encrypted_alert") {
                bool found = false;
                for (const auto& a : t.alerts) {
                    if (a.frame != frame) continue;
                    found = true;
                    CHECK(a.encrypted == (type == "encrypted_alert"));
                    if (type == "alert") {
                        CHECK(a.level == row["level"].get<int>());
                        CHECK(a.description == row["description"].get<int>());
                    }
                }
                CHECK(found);
                bool in_report = false;
                for (const auto& a : tj["alerts"]) in_report = in_report || a["frame"] == frame;
                CHECK(in_report);
                ++alerts;
            }
        }
    }
    // The lab's TLS cases (the counts when the baselines were recorded: 63 captures,
    // 65 hellos, 5 certificates in clear, 11 alerts).
    CHECK(captures >= 20);
    CHECK(hellos >= 20);
    CHECK(certs >= 3);  // TLS 1.3 hides the certificate from both
    CHECK(alerts >= 5);
}

TEST_CASE("lab captures: every MCS PDU and GCC setting equals tshark's", "[mcs][tshark][lab]") {
    const fs::path lab = test::source_path("tests/pcaps/lab");
    std::size_t frames = 0, settings = 0;
    for (const auto& entry : fs::directory_iterator(lab)) {
        if (entry.path().extension() != ".pcap") continue;
        const auto baseline = lab_baseline(entry.path());
        if (!baseline) continue;
        std::vector<json> rows;
        for (const auto& r : *baseline)
            if (r["type"] == "mcs") rows.push_back(r);
        if (rows.empty()) continue;
        INFO("capture " << entry.path().filename());
        Collector col = run(fs::relative(entry.path(), test::source_path("")).string());
        for (const auto& row : rows) {
            const std::uint64_t frame = row["frame"];
            INFO("frame " << frame);
            const ConnSeen* c = col.conn(row["stream"].get<std::uint64_t>());
            REQUIRE(c);
            // Under TLS the MCS stage is not used.  (xrdp sends a Disconnect Provider
            // Ultimatum in clear after a failed TLS handshake, e.g. tls-cipher-mismatch
            // frame 12: the TLS stage reports it as a broken record.)
            if (c->neg.effective_protocol().value_or(0) != 0) continue;
            // Our MCS events in that frame, by T.125 choice.
            std::vector<int> domain, connect;
            for (const auto& e : col.events) {
                if (e.frame != frame || e.udp) continue;
                if (e.pdu == "mcs.connect_initial") connect.push_back(101);
                else if (e.pdu == "mcs.connect_response") connect.push_back(102);
                else if (e.pdu == "mcs.erect_domain") domain.push_back(1);
                else if (e.pdu == "mcs.disconnect_provider_ultimatum") domain.push_back(8);
                else if (e.pdu == "mcs.attach_user_request") domain.push_back(10);
                else if (e.pdu == "mcs.attach_user_confirm") domain.push_back(11);
                else if (e.pdu == "mcs.channel_join_request") domain.push_back(14);
                else if (e.pdu == "mcs.channel_join_confirm") domain.push_back(15);
            }
            std::vector<int> want_connect = row["connect"].get<std::vector<int>>();
            std::vector<int> want_domain;
            for (int d : row["domain"].get<std::vector<int>>())
                if (d != 25 && d != 26) want_domain.push_back(d);  // Send Data: counted below
            CHECK(connect == want_connect);
            CHECK(domain == want_domain);
            ++frames;
            const McsFacts& m = c->mcs;
            if (row.contains("client_build")) { CHECK(m.client_build == row["client_build"].get<std::uint32_t>()); ++settings; }
            if (row.contains("client_name")) { CHECK(m.client_name == row["client_name"].get<std::string>()); ++settings; }
            if (row.contains("desktop_width")) { CHECK(m.desktop_width == row["desktop_width"].get<std::uint32_t>()); ++settings; }
            if (row.contains("desktop_height")) { CHECK(m.desktop_height == row["desktop_height"].get<std::uint32_t>()); ++settings; }
            if (row.contains("keyboard_layout")) { CHECK(m.keyboard_layout == row["keyboard_layout"].get<std::uint32_t>()); ++settings; }
            if (row.contains("channels")) { CHECK(m.channels == row["channels"].get<std::vector<std::string>>()); ++settings; }
            if (row.contains("encryption_method")) { CHECK(m.server_encryption_method == row["encryption_method"].get<std::uint32_t>()); ++settings; }
            if (row.contains("encryption_level")) { CHECK(m.server_encryption_level == row["encryption_level"].get<std::uint32_t>()); ++settings; }
            if (row.contains("security_exchange")) CHECK(m.security_exchange_frame == frame);
            if (row.contains("client_info")) CHECK(m.client_info_frame == frame);
            // tshark 4.0 reads a FIPS header (TS_SECURITY_HEADER2) on unencrypted licensing
            // PDUs too and then shows a bMsgType that is no message type (ok-rdp-fips-xrdp
            // frame 33: 0xb4); compare only the values that name a licensing message.
            if (row.contains("license_msg_types") && m.license_frame == frame && m.license_msg_type &&
                !names::license_msg_type(static_cast<std::uint8_t>(row["license_msg_types"][0].get<int>())).empty())
                CHECK(*m.license_msg_type == row["license_msg_types"][0].get<int>());
        }
        // Send Data after the Client Info, per direction, as tshark counts DomainMCSPDU 25 / 26.
        for (const auto& c : col.conns) {
            if (!c.mcs.client_info_frame) continue;
            std::array<std::uint64_t, 2> want{};
            for (const auto& row : rows) {
                if (row["stream"] != c.id || row["frame"].get<std::uint64_t>() <= c.mcs.client_info_frame) continue;
                for (int d : row["domain"].get<std::vector<int>>()) {
                    if (d == 25) ++want[0];
                    if (d == 26) ++want[1];
                }
            }
            CHECK(c.mcs.pdus_after_client_info == want);
        }
    }
    CHECK(frames >= 60);  // 133 when recorded: ok-rdp-fips-xrdp, ok-rdp-rc4-shadow, neg-rdp-rc4-xrdp
    CHECK(settings >= 16);
}

TEST_CASE("ok-rdp-fips-xrdp: FIPS security headers decode (TS_SECURITY_HEADER2)", "[mcs][lab]") {
    // Frame numbers come from the lab's re-recordable capture: the order is checked,
    // the frames themselves against tshark in the test above.
    Collector col = run("tests/pcaps/lab/ok-rdp-fips-xrdp.pcap");
    REQUIRE(col.conns.size() == 1);
    const McsFacts& m = col.conns[0].mcs;
    CHECK(m.server_encryption_method == 0x10u);  // tshark: "FIPS140-1 3DES (FIPS140-1)"
    CHECK(m.server_encryption_level == 4u);
    CHECK(m.connect_response_frame > m.connect_initial_frame);
    CHECK(m.security_exchange_frame > m.connect_response_frame);
    CHECK(m.client_info_frame > m.security_exchange_frame);
    CHECK(m.client_info_encrypted);
    CHECK(m.license_frame > m.client_info_frame);
    CHECK(m.license_msg_type == 1u);  // LICENSE_REQUEST, in clear after a basic security header
    CHECK(m.pdus_after_client_info[0] > 0);
    CHECK(m.pdus_after_client_info[1] > 0);
    CHECK_FALSE(m.error);
    bool valid_client = false;
    for (const auto& e : col.events) {
        CHECK(e.pdu != "rdp.error");
        CHECK(e.pdu != "mcs.error");
        if (e.pdu == "rdp.license" && e.fields.count("error_code_name"))
            valid_client = e.fields.at("error_code_name") == "STATUS_VALID_CLIENT";
    }
    CHECK(valid_client);
    CHECK(col.conns[0].report["security"]["encryption_method_name"] == "FIPS");
    CHECK(col.conns[0].report["security"]["encryption_level_name"] == "FIPS");
}

// ---- robustness ------------------------------------------------------------------------

TEST_CASE("MCS stage: garbage and cut PDUs give error events naming layer and field", "[mcs]") {
    McsStage st;
    std::vector<PduEvent> out;
    // A Connect Initial tag with a length running past the TPDU.
    const auto ci = test::hex("7f 65 82 01 94 04 01 01");
    st.on_data_tpdu(Dir::c2s, ci, 5, 0, out);
    REQUIRE(out.size() == 1);
    CHECK(pdu_name(out[0]) == "mcs.error");
    const std::string err = std::get<std::string>(pdu_fields(out[0]).fields[0].value);
    CHECK(err.rfind("mcs ", 0) == 0);
    REQUIRE(st.facts().error);
    CHECK(error_text(*st.facts().error) == err);
    CHECK(st.facts().error_frame == 5);
    // An invalid DomainMCSPDU choice (63 > 42).
    out.clear();
    const auto bad = test::hex("fc 00");
    st.on_data_tpdu(Dir::s2c, bad, 6, 0, out);
    REQUIRE(out.size() == 1);
    CHECK(pdu_name(out[0]) == "mcs.error");
    CHECK(std::get<std::string>(pdu_fields(out[0]).fields[0].value).find("DomainMCSPDU.choice") != std::string::npos);
    // Send Data whose security header is cut short.
    out.clear();
    const auto sd = test::hex("64 00 06 03 eb 70 02 01 00");
    st.on_data_tpdu(Dir::c2s, sd, 7, 0, out);
    REQUIRE(out.size() == 1);
    CHECK(pdu_name(out[0]) == "rdp.error");
    // Pseudo-random bytes never crash and always produce an event.
    std::uint32_t x = 12345;
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::uint8_t> b(static_cast<std::size_t>(round % 97));
        for (auto& v : b) { x = x * 1103515245 + 12345; v = static_cast<std::uint8_t>(x >> 16); }
        if (!b.empty() && round % 3 == 0) b[0] = 0x64;  // Send Data Request
        if (b.size() > 1 && round % 5 == 0) { b[0] = 0x7f; b[1] = 0x65; }
        out.clear();
        st.on_data_tpdu(round % 2 ? Dir::c2s : Dir::s2c, b, 100 + round, 0, out);
        CHECK_FALSE(out.empty());
    }
}

TEST_CASE("every bundled capture: analyze and dissect in both formats run through", "[mcs][rdpudp][robustness]") {
    std::FILE* null = std::fopen("/dev/null", "w");
    REQUIRE(null);
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(test::source_path("tests/pcaps"))) {
        const auto name = e.path().filename().string();
        if (!e.is_regular_file() || name.find(".pcap") == std::string::npos) continue;
        if (name.ends_with(".tsv") || name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".out")) continue;
        INFO("capture " << e.path());
        for (Format f : {Format::text, Format::json}) {
            DissectWriter d(null, null, f);
            CHECK_NOTHROW(run_file(e.path().string(), d, TrackerOptions{}, null));
            ReportWriter r(null, null, f);
            CHECK_NOTHROW(run_file(e.path().string(), r, TrackerOptions{}, null));
        }
        ++files;
    }
    std::fclose(null);
    CHECK(files >= 80);
}
