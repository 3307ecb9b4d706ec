// SPDX-License-Identifier: MIT
// report/pdu_fields: typed dissect events become the `pdu` name and the
// ordered fields `rdpscope dissect` prints.  Covers kinds and details the
// bundled captures do not reach (wrong_direction, unused MCS PDUs, the
// generic TLS handshake event, raw bytes in a cookie, RDP_CORRELATION_INFO).
// Expected names and values come from the specs the decoders follow.  Also
// the decode errors the MCS and TLS facts keep typed, as the summary words them.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "report/pdu_fields.hpp"
#include "report/json_text.hpp"
#include "report/summary_security.hpp"

using namespace rdpscope;

namespace {

// key -> value as text, and the keys in order.
struct Flat {
    std::string pdu;
    std::vector<std::string> keys;
    std::map<std::string, std::string> v;
};

Flat flat(const Pdu& p) {
    const PduFields pf = pdu_fields(p);
    Flat f{std::string(pf.pdu), {}, {}};
    for (const auto& x : pf.fields) {
        std::ostringstream o;
        std::visit([&](const auto& v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::vector<std::string>>) {
                for (std::size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << v[i];
            } else if constexpr (std::is_same_v<std::decay_t<decltype(v)>, bool>) {
                o << (v ? "true" : "false");
            } else {
                o << v;
            }
        }, x.value);
        f.keys.emplace_back(x.key);
        f.v[std::string(x.key)] = o.str();
    }
    return f;
}

}  // namespace

TEST_CASE("pdu_fields: RDP_NEG_REQ names the requested protocols", "[pdu_fields]") {
    // MS-RDPBCGR 2.2.1.1.1: PROTOCOL_SSL 1 | PROTOCOL_HYBRID 2 | PROTOCOL_HYBRID_EX 8.
    const Flat f = flat(ev::NegRequest{0, 0x0B});
    CHECK(f.pdu == "rdp.neg_req");
    CHECK(f.keys == std::vector<std::string>{"flags", "requested_protocols", "requested_protocols_names"});
    CHECK(f.v.at("requested_protocols") == "11");
    CHECK(f.v.at("requested_protocols_names") == "SSL|HYBRID|HYBRID_EX");
}

TEST_CASE("pdu_fields: X.224 TPDUs", "[pdu_fields]") {
    ev::X224Tpdu cr;
    cr.type = x224::Type::cr;
    cr.cookie = std::string("mstshash=a\x01", 11);  // a control byte in the cookie is escaped
    Flat f = flat(cr);
    CHECK(f.pdu == "x224.cr");
    CHECK(f.v.at("cookie") == "mstshash=a\\x01");

    ev::X224Tpdu er;
    er.type = x224::Type::er;
    er.reason = 2;  // X.224 13.12: ER carries a reject cause
    f = flat(er);
    CHECK(f.pdu == "x224.er");
    CHECK(f.keys == std::vector<std::string>{"cause"});
    CHECK(f.v.at("cause") == "2");

    f = flat(ev::X224Malformed{DecodeError{"x224", "li", 4, ErrorKind::malformed, 0}});
    CHECK(f.pdu == "x224.malformed");
    CHECK(f.v.at("error") == "x224 li malformed at byte 4");
}

TEST_CASE("pdu_fields: RDP_CORRELATION_INFO id in wire order, dashed", "[pdu_fields]") {
    ev::CorrelationInfo c;
    for (std::size_t i = 0; i < 16; ++i) c.id[i] = static_cast<std::uint8_t>(i);
    const Flat f = flat(c);
    CHECK(f.pdu == "rdp.correlation_info");
    CHECK(f.v.at("correlation_id") == "00010203-0405-0607-0809-0a0b0c0d0e0f");
}

TEST_CASE("pdu_fields: wrong_direction comes last on an MCS event", "[pdu_fields]") {
    ev::McsOther o;
    o.number = 5;  // T.125 DomainMCSPDU CHOICE 5: a PDU RDP does not use
    o.wrong_direction = true;
    Flat f = flat(o);
    CHECK(f.pdu == "mcs.other");
    CHECK(f.keys == std::vector<std::string>{"name", "wrong_direction"});
    CHECK(f.v.at("name") == "DomainMCSPDU#5");

    ev::McsConnectInitial ci;
    ci.max_channel_ids = 34;
    ci.max_mcs_pdu_size = 65535;
    ci.gcc_error = DecodeError{"gcc", "h221_key", 21, ErrorKind::malformed, 0};
    ci.wrong_direction = true;
    f = flat(ci);
    CHECK(f.keys == std::vector<std::string>{"max_channel_ids", "max_mcs_pdu_size", "error", "wrong_direction"});
    CHECK(f.v.at("error") == "gcc h221_key malformed at byte 21");
    CHECK(f.v.at("wrong_direction") == "true");
}

TEST_CASE("pdu_fields: TLS events end with the record version", "[pdu_fields]") {
    ev::TlsHandshake h;
    h.type = tls::HandshakeType::finished;  // RFC 5246 7.4: finished(20)
    h.record_version = 0x0303;
    Flat f = flat(h);
    CHECK(f.pdu == "tls.handshake");
    CHECK(f.keys == std::vector<std::string>{"type", "type_name", "record_version"});
    CHECK(f.v.at("type") == "20");
    CHECK(f.v.at("type_name") == "finished");
    CHECK(f.v.at("record_version") == "TLS 1.2");

    h.type = tls::HandshakeType::server_hello_done;
    CHECK(flat(h).pdu == "tls.server_hello_done");

    ev::TlsError e;
    e.record_version = 0x0301;
    e.error = DecodeError{"tls", "record.length", 105, ErrorKind::malformed, 0};
    f = flat(e);
    CHECK(f.pdu == "tls.error");
    CHECK(f.v.at("error") == "tls record.length malformed at stream byte 105");
    CHECK(f.v.at("record_version") == "TLS 1.0");
}

TEST_CASE("pdu_fields: ICMPv6 packet too big carries the MTU", "[pdu_fields]") {
    ev::IcmpError i;
    i.v6 = true;
    i.type = 2;  // RFC 4443 3.2
    i.kind = icmp::Kind::packet_too_big;
    i.mtu = 1280;
    i.from.version = 6;
    i.from.b[15] = 1;
    const Flat f = flat(i);
    CHECK(f.pdu == "icmpv6.error");
    CHECK(f.keys == std::vector<std::string>{"type", "code", "description", "from", "mtu"});
    CHECK(f.v.at("description") == "packet too big");
    CHECK(f.v.at("from") == "::1");
    CHECK(f.v.at("mtu") == "1280");
}

TEST_CASE("summary: decode errors kept as typed facts are worded by the report", "[pdu_fields]") {
    McsFacts m;
    m.error = DecodeError{"mcs", "DomainMCSPDU.choice", 0, ErrorKind::malformed, 0};
    m.error_frame = 3;
    {
        const auto j = mcs_json(m);
        CHECK(j["error"] == "mcs DomainMCSPDU.choice malformed at byte 0");
        CHECK(j["error_frame"] == 3);
    }
    m.server_encryption_method = 2;  // 128-bit
    m.server_encryption_level = 2;   // client compatible
    m.server_security_error = DecodeError{"gcc", "X509CertificateChain.cbCert", 40, ErrorKind::malformed, 0};
    CHECK(security_json(m)["error"] == "gcc X509CertificateChain.cbCert malformed at byte 40");

    TlsFacts t;
    t.server_hello_frame = 4;
    t.certificate_error = TlsFacts::CertificateError{DecodeError{"tls", "certificate_list.length", 3, ErrorKind::malformed, 0}, false};
    CHECK(tls_json(t)["certificate_error"] == "certificate_list.length");
    t.certificate_error = TlsFacts::CertificateError{DecodeError{"x509", "certificate", 0, ErrorKind::malformed, 0}, true};
    CHECK(tls_json(t)["certificate_error"] == "x509 certificate");
    t.error = DecodeError{"tls", "record.content_type", 14, ErrorKind::malformed, 0};
    CHECK(tls_json(t)["error"] == "tls record.content_type malformed at stream byte 14");

    // A KRB-ERROR in a decrypted TSRequest whose strings are not UTF-8
    // (KerberosString is bytes on the wire): written, with U+FFFD for the
    // bad bytes, not refused when the connection's JSON is printed.
    TsRequestNote n;
    n.frame = 7;
    n.request.nego_tokens = 1;
    n.request.krb5_tok_id = 0x0300;
    n.request.kerberos = krb::Message{};
    n.request.kerberos->srealm = "R\xfe";
    n.request.kerberos->e_text = std::string("bad \xff");
    t.decryption = DecryptFacts{};
    t.decryption->ts_requests.push_back(n);
    const auto cj = credssp_json(t);
    CHECK(cj["ts_requests"][0]["kerberos"]["realm"] == "R\xef\xbf\xbd");
    CHECK(cj["ts_requests"][0]["kerberos"]["e_text"] == "bad \xef\xbf\xbd");
    CHECK_NOTHROW(json_text(cj));
}
