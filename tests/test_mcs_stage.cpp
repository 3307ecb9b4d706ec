// SPDX-License-Identifier: MIT
// The MCS stage (analyze/mcs_stage: the MCS connection sequence, GCC, standard
// RDP security) run whole over the bundled captures and on hand-made PDUs.
// Its settings against Zeek's rdp.log: test_zeek_logs.cpp; against tshark on
// the lab captures: test_lab_vs_tshark.cpp.
#include <catch2/catch.hpp>

#include "report/error_text.hpp"
#include "report/pdu_fields.hpp"
#include "report/render_security.hpp"
#include "stage_collector.hpp"

using namespace rdpscope;
using namespace rdpscope::test;

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

TEST_CASE("text: a Client Info read from decrypted TLS says decrypted, not in clear", "[mcs][report]") {
    // The mcs object as report/summary_security.cpp names it: a Client Info
    // read in clear under standard security, and one read from decrypted TLS.
    json clear = {{"mcs", {{"client_info_frame", 42}, {"client_info_encrypted", false}}}};
    CHECK(render_security_text(clear).find("Client Info (in clear)") != std::string::npos);
    json decrypted = clear;
    decrypted["mcs"]["decrypted"] = true;
    const std::string text = render_security_text(decrypted);
    CHECK(text.find("Client Info (decrypted)") != std::string::npos);
    CHECK(text.find("in clear") == std::string::npos);
}
