// SPDX-License-Identifier: MIT
// Share Control PDUs (dissect/rdp_share): Demand / Confirm Active, Deactivate
// All, Server Redirection, and the Data PDUs Set Error Info, Save Session
// Info, Synchronize, Control, Font Map.
//
// Vectors: built field by field from the layouts of MS-RDPBCGR 2.2.1.13.1.1,
// 2.2.1.13.2.1, 2.2.3.1.1, 2.2.5.1.1, 2.2.8.1.1.1.1/2, 2.2.10.1.1.x and
// 2.2.13.1 (each vector names its section); the values are the ones the
// spec gives as examples (shareId 0x000103EA, originatorId 0x03EA, "RDP").
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dissect/rdp_share.hpp"
#include "tests/test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;

namespace {

void put16(std::vector<std::uint8_t>& b, std::uint16_t v) {
    b.push_back(v & 0xff);
    b.push_back(v >> 8);
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
    put16(b, v & 0xffff);
    put16(b, v >> 16);
}
void utf16(std::vector<std::uint8_t>& b, const std::string& s, std::size_t field) {
    std::size_t n = 0;
    for (char c : s) { b.push_back(static_cast<std::uint8_t>(c)); b.push_back(0); n += 2; }
    for (; n < field; ++n) b.push_back(0);
}

// Share Control Header + Share Data Header around `body` (2.2.8.1.1.1.1/2).
std::vector<std::uint8_t> data_pdu(std::uint8_t type2, const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> b;
    const auto total = static_cast<std::uint16_t>(18 + body.size());
    put16(b, total);
    put16(b, 0x0017);  // PDUTYPE_DATAPDU | TS_PROTOCOL_VERSION
    put16(b, 0x03EA);  // pduSource
    put32(b, 0x000103EA);
    b.push_back(0);     // pad1
    b.push_back(1);     // STREAM_LOW
    put16(b, static_cast<std::uint16_t>(body.size() + 4));
    b.push_back(type2);
    b.push_back(0);     // compressedType
    put16(b, 0);        // compressedLength
    b.insert(b.end(), body.begin(), body.end());
    return b;
}

}  // namespace

TEST_CASE("Set Error Info (2.2.5.1.1): the code and its name", "[rdp_share]") {
    // totalLength 22, pduType 0x0017, pduSource 0x03EA, shareId 0x000103EA,
    // streamId 1, uncompressedLength 4+4, pduType2 0x2F, errorInfo 7.
    const auto b = hex("1600 1700 ea03 ea030100 00 01 0800 2f 00 0000 07000000");
    auto d = share::decode(b);
    REQUIRE(d);
    CHECK(d->header.total_length == 22);
    CHECK(d->header.type() == share::PDUTYPE_DATAPDU);
    const auto& data = std::get<share::Data>(d->body);
    CHECK(data.share_id == 0x000103EA);
    CHECK(data.pdu_type2 == share::PDUTYPE2_SET_ERROR_INFO_PDU);
    CHECK(std::get<share::SetErrorInfo>(data.body).error_info == 7);
    CHECK(share::errinfo_name(0x7) == "ERRINFO_SERVER_DENIED_CONNECTION");
    CHECK(share::errinfo_name(0xB) == "ERRINFO_RPC_INITIATED_DISCONNECT_BYUSER");
    CHECK(share::errinfo_name(0x102) == "ERRINFO_LICENSE_NO_LICENSE");
    CHECK(share::errinfo_name(0x400) == "ERRINFO_CB_DESTINATION_NOT_FOUND");
    CHECK(share::errinfo_name(0x8).empty());
    // The RDP-specific range from 0x10C9 as MS-RDPBCGR 2.2.5.1.1 spells it,
    // with the cache / GDI+ and security-data codes the table lacked before.
    CHECK(share::errinfo_name(0x10C9) == "ERRINFO_UNKNOWNPDUTYPE2");
    CHECK(share::errinfo_name(0x10E3) == "ERRINFO_BADSUPRESSOUTPUTPDU");  // sic, the spec's spelling
    CHECK(share::errinfo_name(0x10F5) == "ERRINFO_BITMAPCACHEERRORPDUBADLENGTH2");
    CHECK(share::errinfo_name(0x10F7) == "ERRINFO_DNGCACHEERRORPDUBADLENGTH");
    CHECK(share::errinfo_name(0x10F8) == "ERRINFO_GDIPLUSPDUBADLENGTH");
    CHECK(share::errinfo_name(0x1111) == "ERRINFO_SECURITYDATATOOSHORT2");
    CHECK(share::errinfo_name(0x1126) == "ERRINFO_SECURITYDATATOOSHORT23");
    CHECK(share::errinfo_name(0x1194) == "ERRINFO_ENCPKGMISMATCH");
    CHECK(share::errinfo_name(0x1127).empty());
}

TEST_CASE("logon error names: a LOGON_MSG type makes the data a session id", "[rdp_share]") {
    // MS-RDPBCGR 2.2.10.1.1.4.1.1 TS_LOGON_ERRORS_INFO.
    CHECK(share::logon_error_type_name(0xFFFFFFFA) == "LOGON_MSG_NO_PERMISSION");
    CHECK(share::logon_error_type_name(0xFFFFFFFE) == "LOGON_MSG_SESSION_CONTINUE");
    CHECK(share::logon_error_type_name(0xC000006D).empty());  // an NTSTATUS
    CHECK(share::logon_error_data_name(0xC000006D, 0) == "LOGON_FAILED_BAD_PASSWORD");
    CHECK(share::logon_error_data_name(0xC0000224, 1) == "LOGON_FAILED_UPDATE_PASSWORD");
    CHECK(share::logon_error_data_name(0xC000006D, 3) == "LOGON_WARNING");
    CHECK(share::logon_error_data_name(0xFFFFFFFE, 0).empty());  // session 0, not BAD_PASSWORD
}

TEST_CASE("Set Error Info cut short is malformed, naming the field", "[rdp_share]") {
    const auto b = hex("1600 1700 ea03 ea030100 00 01 0800 2f 00 0000 0700");
    auto d = share::decode(b);
    REQUIRE(!d);
    CHECK(d.error().kind == ErrorKind::malformed);
    CHECK(d.error().field == "TS_SHARECONTROLHEADER.totalLength");
    // A declared length that fits, a body that does not.
    auto c = share::decode(hex("1400 1700 ea03 ea030100 00 01 0800 2f 00 0000 0700"));
    REQUIRE(!c);
    CHECK(c.error().field == "TS_SET_ERROR_INFO_PDU.errorInfo");
}

TEST_CASE("Save Session Info INFOTYPE_LOGON (2.2.10.1.1.1): user, domain, session id", "[rdp_share]") {
    std::vector<std::uint8_t> body;
    put32(body, 0);       // infoType INFOTYPE_LOGON
    put32(body, 8);       // cbDomain: "LAB" + NUL in UTF-16
    utf16(body, "LAB", 52);
    put32(body, 12);      // cbUserName: "alice" + NUL
    utf16(body, "alice", 512);
    put32(body, 3);       // SessionId
    const auto b = data_pdu(share::PDUTYPE2_SAVE_SESSION_INFO, body);
    auto d = share::decode(b);
    REQUIRE(d);
    const auto& s = std::get<share::SaveSessionInfo>(std::get<share::Data>(d->body).body);
    CHECK(s.info_type == 0);
    CHECK(s.domain == "LAB");
    CHECK(s.user_name == "alice");
    CHECK(s.session_id == 3u);
    CHECK(share::info_type_name(0) == "INFOTYPE_LOGON");
    // One byte short of the SessionId.
    auto cut = b;
    cut.pop_back();
    cut[0] = static_cast<std::uint8_t>(cut.size() & 0xff);
    cut[1] = static_cast<std::uint8_t>(cut.size() >> 8);
    auto e = share::decode(cut);
    REQUIRE(!e);
    CHECK(e.error().field == "TS_LOGON_INFO.SessionId");
}

TEST_CASE("Save Session Info INFOTYPE_LOGON_LONG (2.2.10.1.1.2)", "[rdp_share]") {
    std::vector<std::uint8_t> body;
    put32(body, 1);       // INFOTYPE_LOGON_LONG
    put16(body, 1);       // Version SAVE_SESSION_PDU_VERSION_ONE
    put32(body, 18);      // Size
    put32(body, 2);       // SessionId
    put32(body, 8);       // cbDomain
    put32(body, 8);       // cbUserName
    body.insert(body.end(), 558, 0);
    utf16(body, "LAB", 8);
    utf16(body, "bob", 8);
    auto d = share::decode(data_pdu(share::PDUTYPE2_SAVE_SESSION_INFO, body));
    REQUIRE(d);
    const auto& s = std::get<share::SaveSessionInfo>(std::get<share::Data>(d->body).body);
    CHECK(s.info_type == 1);
    CHECK(s.domain == "LAB");
    CHECK(s.user_name == "bob");
    CHECK(s.session_id == 2u);
}

TEST_CASE("Save Session Info INFOTYPE_LOGON_EXTENDED_INFO (2.2.10.1.1.4): cookie's LogonId, logon errors", "[rdp_share]") {
    std::vector<std::uint8_t> body;
    put32(body, 3);            // INFOTYPE_LOGON_EXTENDED_INFO
    put16(body, 6 + 4 + 28 + 4 + 8);  // Length
    put32(body, 0x3);          // LOGON_EX_AUTORECONNECTCOOKIE | LOGON_EX_LOGONERRORS
    put32(body, 28);           // cbFieldData: ARC_SC_PRIVATE_PACKET
    put32(body, 28);           // cbLen
    put32(body, 1);            // Version
    put32(body, 5);            // LogonId
    body.insert(body.end(), 16, 0xAA);
    put32(body, 8);            // cbFieldData: TS_LOGON_ERRORS_INFO
    put32(body, 0xFFFFFFFE);   // LOGON_MSG_SESSION_CONTINUE
    put32(body, 0);
    body.insert(body.end(), 570, 0);  // Pad
    auto d = share::decode(data_pdu(share::PDUTYPE2_SAVE_SESSION_INFO, body));
    REQUIRE(d);
    const auto& s = std::get<share::SaveSessionInfo>(std::get<share::Data>(d->body).body);
    CHECK(s.fields_present == 3u);
    CHECK(s.session_id == 5u);
    CHECK(s.error_notification_type == 0xFFFFFFFEu);
    CHECK(s.error_notification_data == 0u);
}

TEST_CASE("Demand Active (2.2.1.13.1.1) and Confirm Active (2.2.1.13.2.1)", "[rdp_share]") {
    std::vector<std::uint8_t> b;
    put16(b, 6 + 4 + 2 + 2 + 4 + 4 + 8 + 4);
    put16(b, 0x0011);      // PDUTYPE_DEMANDACTIVEPDU | version
    put16(b, 0x03EA);
    put32(b, 0x000103EA);  // shareId
    put16(b, 4);           // lengthSourceDescriptor
    put16(b, 4 + 8);       // lengthCombinedCapabilities
    b.insert(b.end(), {'R', 'D', 'P', 0});
    put16(b, 2);           // numberCapabilities
    put16(b, 0);
    put16(b, 0x0008); put16(b, 4);  // CAPSTYPE_POINTER, header only
    put16(b, 0x000D); put16(b, 4);  // CAPSTYPE_INPUT, header only
    put32(b, 1);           // sessionId
    auto d = share::decode(b);
    REQUIRE(d);
    const auto& da = std::get<share::DemandActive>(d->body);
    CHECK(da.share_id == 0x000103EA);
    CHECK(da.source_descriptor == "RDP");
    CHECK(da.capability_sets == 2);
    CHECK(da.session_id == 1u);

    std::vector<std::uint8_t> c;
    put16(c, 6 + 4 + 2 + 2 + 2 + 6 + 4 + 4);
    put16(c, 0x0013);      // PDUTYPE_CONFIRMACTIVEPDU
    put16(c, 1007);        // pduSource: the user channel
    put32(c, 0x000103EA);
    put16(c, 0x03EA);      // originatorId
    put16(c, 6);
    put16(c, 4 + 4);
    c.insert(c.end(), {'M', 'S', 'T', 'S', 'C', 0});
    put16(c, 1);
    put16(c, 0);
    put16(c, 0x0008); put16(c, 4);
    auto e = share::decode(c);
    REQUIRE(e);
    const auto& ca = std::get<share::ConfirmActive>(e->body);
    CHECK(ca.originator_id == 0x03EA);
    CHECK(ca.source_descriptor == "MSTSC");
    CHECK(ca.capability_sets == 1);
    // lengthCombinedCapabilities past the PDU: malformed.
    c[14] = 0x40;
    auto f = share::decode(c);
    REQUIRE(!f);
    CHECK(f.error().field == "TS_CONFIRM_ACTIVE_PDU.capabilitySets");
}

TEST_CASE("Deactivate All (2.2.3.1.1), flow PDU, finalization PDUs", "[rdp_share]") {
    auto d = share::decode(hex("0d00 1600 ea03 ea030100 0100 00"));
    REQUIRE(d);
    CHECK(d->header.type() == share::PDUTYPE_DEACTIVATEALLPDU);
    CHECK(std::get<share::DeactivateAll>(d->body).share_id == 0x000103EA);
    auto f = share::decode(hex("0080 41 00 0000"));
    REQUIRE(f);
    CHECK(std::holds_alternative<share::Flow>(f->body));
    // Control: CTRLACTION_COOPERATE (2.2.1.15.1).
    auto c = share::decode(data_pdu(share::PDUTYPE2_CONTROL, hex("0400 0000 00000000")));
    REQUIRE(c);
    const auto& ctl = std::get<share::Control>(std::get<share::Data>(c->body).body);
    CHECK(ctl.action == 4);
    CHECK(share::control_action_name(4) == "CTRLACTION_COOPERATE");
    // Synchronize (2.2.1.14.1): SYNCMSGTYPE_SYNC, targetUser 0x03EA.
    auto s = share::decode(data_pdu(share::PDUTYPE2_SYNCHRONIZE, hex("0100 ea03")));
    REQUIRE(s);
    CHECK(std::get<share::Synchronize>(std::get<share::Data>(s->body).body).target_user == 0x03EA);
    // Font Map (2.2.1.22.1): the type is read, the body left.
    auto m = share::decode(data_pdu(share::PDUTYPE2_FONTMAP, hex("0000 0000 0300 0400")));
    REQUIRE(m);
    CHECK(std::get<share::Data>(m->body).pdu_type2 == share::PDUTYPE2_FONTMAP);
}

TEST_CASE("Enhanced Security Server Redirection (2.2.13.3.1): target, user and domain, never the password", "[rdp_share]") {
    std::vector<std::uint8_t> red;
    put16(red, 0x0400);    // SEC_REDIRECTION_PKT
    put16(red, 0);         // Length (filled below)
    put32(red, 7);         // SessionID
    put32(red, 0x1 | 0x4 | 0x8 | 0x10);  // TARGET_NET_ADDRESS | USERNAME | DOMAIN | PASSWORD
    put32(red, 18); utf16(red, "10.0.0.9", 18);
    put32(red, 8); utf16(red, "eve", 8);
    put32(red, 8); utf16(red, "LAB", 8);
    put32(red, 4); red.insert(red.end(), {1, 2, 3, 4});  // the password blob: skipped
    red[2] = static_cast<std::uint8_t>(red.size());
    std::vector<std::uint8_t> b;
    put16(b, static_cast<std::uint16_t>(8 + red.size()));
    put16(b, 0x001A);      // PDUTYPE_SERVER_REDIR_PKT
    put16(b, 0x03EA);
    put16(b, 0);           // pad2Octets
    b.insert(b.end(), red.begin(), red.end());
    auto d = share::decode(b);
    REQUIRE(d);
    const auto& r = std::get<share::ServerRedirection>(d->body);
    CHECK(r.session_id == 7);
    CHECK(r.target_net_address == "10.0.0.9");
    CHECK(r.user_name == "eve");
    CHECK(r.domain == "LAB");
    // Wrong Flags (0x0000, not SEC_REDIRECTION_PKT): not a redirection packet.
    b[9] = 0;
    REQUIRE(!share::decode(b));
}
