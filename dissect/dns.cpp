// SPDX-License-Identifier: MIT
#include "dissect/dns.hpp"

#include "dissect/name_table.hpp"

namespace rdpscope::dns {

namespace {

constexpr std::string_view kLayer = "dns";

constexpr Named<std::uint8_t> kRcodes[] = {
    {0, "NOERROR"}, {1, "FORMERR"}, {2, "SERVFAIL"}, {3, "NXDOMAIN"}, {4, "NOTIMP"}, {5, "REFUSED"},
    {6, "YXDOMAIN"}, {7, "YXRRSET"}, {8, "NXRRSET"}, {9, "NOTAUTH"}, {10, "NOTZONE"},
};
constexpr Named<std::uint16_t> kTypes[] = {
    {1, "A"}, {2, "NS"}, {5, "CNAME"}, {6, "SOA"}, {12, "PTR"}, {15, "MX"}, {16, "TXT"}, {28, "AAAA"}, {33, "SRV"},
    {65, "HTTPS"}, {255, "ANY"},
};

}  // namespace

std::string_view rcode_name(std::uint8_t rcode) { return lookup(kRcodes, rcode); }
std::string_view qtype_name(std::uint16_t qtype) { return lookup(kTypes, qtype); }

Decoded<Message> decode(Bytes udp_payload, bool question) {
    Reader r(udp_payload);
    Message m;
    std::uint16_t flags = 0, ns = 0, ar = 0;
    if (!r.u16be(m.id) || !r.u16be(flags) || !r.u16be(m.questions) || !r.u16be(m.answers) || !r.u16be(ns) ||
        !r.u16be(ar))
        return DecodeError::malformed(kLayer, "header", r.offset());
    m.response = (flags & 0x8000) != 0;
    m.rcode = static_cast<std::uint8_t>(flags & 0x000f);
    if (m.questions == 0 || !question) return m;
    // QNAME: length-prefixed labels ending with a zero octet (RFC 1035 4.1.2).
    std::size_t total = 0;
    for (;;) {
        const std::size_t at = r.offset();
        std::uint8_t len = 0;
        if (!r.u8(len)) return DecodeError::malformed(kLayer, "qname", at);
        if (len == 0) break;
        if (len & 0xc0) return DecodeError::unsupported(kLayer, "qname", at);  // compression pointer or extended label
        total += len + 1u;
        if (total > kMaxName) return DecodeError::malformed(kLayer, "qname", at);
        auto label = r.bytes(len);
        if (!label) return DecodeError::malformed(kLayer, "qname", at);
        if (!m.qname.empty()) m.qname += '.';
        m.qname.append(as_text(*label));
    }
    std::uint16_t qclass = 0;
    if (!r.u16be(m.qtype) || !r.u16be(qclass)) return DecodeError::malformed(kLayer, "qtype", r.offset());
    return m;
}

}  // namespace rdpscope::dns
