// SPDX-License-Identifier: MIT
// The TLS and MCS stages run whole over the lab captures, compared with
// tshark 4.0 (tests/pcaps/lab-tshark/*.jsonl, recorded by
// tools/record-lab-tls-baselines with -d tcp.port==3389,tls): TLS versions,
// cipher suites, SNI, alerts, certificates, and every MCS PDU and GCC
// setting.  None of it needs tshark at test time.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "dissect/rdp_names.hpp"
#include "dissect/rdp_neg.hpp"
#include "dissect/tls.hpp"
#include "stage_collector.hpp"

using namespace rdpscope;
using namespace rdpscope::test;
namespace fs = std::filesystem;

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
