// SPDX-License-Identifier: MIT
// rdpscope's facts and report objects against Zeek's logs of the same
// captures (tests/pcaps/public/zeek/baselines): rdp.log (MCS/GCC settings,
// standard RDP security), ssl.log (TLS) and x509.log (the server's chain), on
// every field Zeek logs that we report too.  None of it needs Zeek at test time.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>

#include "dissect/rdp_names.hpp"
#include "dissect/rdp_neg.hpp"
#include "dissect/tls.hpp"
#include "stage_collector.hpp"

using namespace rdpscope;
using namespace rdpscope::test;

namespace {

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
