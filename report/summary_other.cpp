// SPDX-License-Identifier: MIT
#include "report/summary_other.hpp"

#include <fmt/format.h>

#include "dissect/dns.hpp"
#include "dissect/ip.hpp"
#include "dissect/kerberos.hpp"
#include "report/json_util.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

json kerberos_json(const std::vector<KerberosNote>& notes) {
    json out = json::array();
    for (const auto& n : notes) {
        json k = {{"frame", n.frame},
                  {"time", epoch_seconds(n.ts_ns)},
                  {"transport", n.tcp ? "tcp" : "udp"},
                  {"client", to_string(n.client)},
                  {"kdc", to_string(n.kdc)},
                  {"message", std::string(krb::msg_type_name(n.type))}};
        if (n.error_code) {
            k["error_code"] = *n.error_code;
            const auto name = krb::error_name(*n.error_code);
            if (!name.empty()) k["error_name"] = std::string(name);
            const auto meaning = krb::error_meaning(*n.error_code);
            if (!meaning.empty()) k["error_meaning"] = std::string(meaning);
        }
        if (!n.cname.empty()) k["cname"] = valid_utf8(n.cname);
        if (!n.crealm.empty()) k["crealm"] = valid_utf8(n.crealm);
        if (!n.sname.empty()) k["sname"] = valid_utf8(n.sname);
        if (!n.srealm.empty()) k["srealm"] = valid_utf8(n.srealm);
        if (n.e_text) k["e_text"] = valid_utf8(*n.e_text);
        if (n.termsrv()) k["termsrv"] = true;
        if (n.names_server) k["names_server"] = *n.names_server;
        if (n.proxied) {
            // MS-KKDCP: carried by a KDC proxy over HTTPS; `kdc` is the proxy.
            k["via"] = "kdc_proxy";
            k["kdc_proxy_conn"] = n.flow;
            if (n.http2_stream) k["http2_stream"] = n.http2_stream;
            if (n.target_domain) k["target_domain"] = valid_utf8(*n.target_domain);
        }
        k["tie"] = n.during ? "during" : "before";
        out.push_back(std::move(k));
    }
    return out;
}

std::string render_kerberos_text(const json& j) {
    if (!j.contains("kerberos")) return {};
    const auto& ks = j["kerberos"];
    std::string kdcs;
    for (const auto& k : ks) {
        auto kdc = k["kdc"].get<std::string>();
        if (k.contains("via")) kdc += " (KDC proxy)";
        if (kdcs.find(kdc) == std::string::npos) kdcs += (kdcs.empty() ? "" : ", ") + kdc;
    }
    std::string s = fmt::format("  kerberos     {} message{} with the KDC {} (frames {}-{})\n", ks.size(),
                                ks.size() == 1 ? "" : "s", kdcs, ks.front()["frame"].get<std::uint64_t>(),
                                ks.back()["frame"].get<std::uint64_t>());
    for (const auto& k : ks) {
        if (!k.contains("error_code")) continue;
        s += fmt::format("               frame {:<6} KRB-ERROR {}{}{}\n", k["frame"].get<std::uint64_t>(),
                         k.value("error_name", fmt::format("{}", k["error_code"].get<int>())),
                         k.contains("sname") ? " for " + k["sname"].get<std::string>() : "",
                         k.contains("error_meaning") ? ": " + k["error_meaning"].get<std::string>() : "");
    }
    return s;
}

bool no_rdp(const FileStats& s) {
    return s.rdp_connections == 0 && s.other.rdp_udp_flows == 0 && s.flood.attempts == 0;
}

json no_rdp_json(const std::string& path, const FileStats& s) {
    const OtherTraffic& o = s.other;
    json j = {{"type", "no_rdp"}, {"file", path}, {"rdp_port", o.rdp_port}, {"packets", s.packets},
              {"syns_to_rdp_port", o.syns_to_rdp_port}};
    json dests = json::array();
    for (const auto& d : o.destinations)
        dests.push_back({{"server", to_string(d.server)}, {"syns", d.syns}, {"syn_acks", d.syn_acks},
                         {"resets", d.resets}, {"first_frame", d.first_frame}});
    j["connection_attempts"] = dests;
    if (o.syns_elsewhere) j["syns_elsewhere"] = o.syns_elsewhere;
    json dns = json::array();
    for (const auto& d : o.dns_failures) {
        json e = {{"frame", d.frame}, {"name", valid_utf8(d.name)}, {"rcode", d.rcode}};
        const auto rn = dns::rcode_name(d.rcode);
        if (!rn.empty()) e["rcode_name"] = std::string(rn);
        const auto qt = dns::qtype_name(d.qtype);
        e["qtype"] = qt.empty() ? json(d.qtype) : json(std::string(qt));
        dns.push_back(std::move(e));
    }
    j["dns_failures"] = dns;
    j["dns_failure_count"] = o.dns_failure_count;
    json icmp = json::array();
    for (const auto& e : o.icmp_errors) {
        json x = {{"frame", e.frame}, {"description", e.description}, {"from", e.from}};
        if (e.quoted_dst.ip.version) {
            x["quoted_dst"] = e.quoted_dst.port ? to_string(e.quoted_dst) : to_string(e.quoted_dst.ip);
            x["quoted_protocol"] = e.protocol == ip::kProtoTCP ? json("tcp") : e.protocol == ip::kProtoUDP ? json("udp") : json(e.protocol);
        }
        icmp.push_back(std::move(x));
    }
    j["icmp_errors"] = icmp;
    j["icmp_error_count"] = o.icmp_error_count;
    json krb = {{"messages", o.kerberos.messages}};
    json errs = json::array();
    for (const auto& [code, e] : o.kerberos.errors) {
        json x = {{"error_code", code}, {"count", e.count}, {"first_frame", e.first_frame}};
        const auto name = krb::error_name(code);
        if (!name.empty()) x["error_name"] = std::string(name);
        const auto meaning = krb::error_meaning(code);
        if (!meaning.empty()) x["error_meaning"] = std::string(meaning);
        if (!e.sname.empty()) x["sname"] = valid_utf8(e.sname);
        if (!e.cname.empty()) x["cname"] = valid_utf8(e.cname);
        errs.push_back(std::move(x));
    }
    krb["errors"] = errs;
    json services = json::array();
    for (const auto& sv : o.kerberos.services) services.push_back(valid_utf8(sv));
    krb["services"] = services;
    j["kerberos"] = krb;
    // The explanation in words, most telling first.
    json why = json::array();
    if (!s.packets) {
        why.push_back("the capture holds no packets");
    } else if (!o.syns_to_rdp_port) {
        why.push_back(fmt::format("no connection to port {} was attempted: no SYN to TCP {} and no datagram on UDP {} "
                                  "(the client never tried to connect here, connected elsewhere, or the capture "
                                  "filter or capture point missed it)",
                                  o.rdp_port, o.rdp_port, o.rdp_port));
    }
    if (o.dns_failure_count)
        why.push_back(fmt::format("{} DNS lookup{} failed (first: {} {}, frame {})", o.dns_failure_count,
                                  o.dns_failure_count == 1 ? "" : "s", o.dns_failures.front().name,
                                  o.dns_failures.front().rcode
                                      ? std::string(dns::rcode_name(o.dns_failures.front().rcode).empty()
                                                        ? "error"
                                                        : dns::rcode_name(o.dns_failures.front().rcode))
                                      : std::string("no address"),
                                  o.dns_failures.front().frame));
    if (o.icmp_error_count)
        why.push_back(fmt::format("{} ICMP error{} (first: {} from {}, frame {})", o.icmp_error_count,
                                  o.icmp_error_count == 1 ? "" : "s", o.icmp_errors.front().description,
                                  o.icmp_errors.front().from, o.icmp_errors.front().frame));
    for (const auto& [code, e] : o.kerberos.errors) {
        if (code == krb::KDC_ERR_PREAUTH_REQUIRED) continue;  // the normal first answer
        const auto name = krb::error_name(code);
        why.push_back(fmt::format("Kerberos error {}{} ({}x, first frame {}{})", name.empty() ? "?" : std::string(name),
                                  krb::error_meaning(code).empty() ? "" : ": " + std::string(krb::error_meaning(code)),
                                  e.count, e.first_frame, e.sname.empty() ? "" : ", for " + e.sname));
    }
    if (!o.destinations.empty()) {
        std::string list;
        for (const auto& d : o.destinations) {
            if (list.size() > 200) { list += ", ..."; break; }
            list += fmt::format("{}{} ({} SYN{}{})", list.empty() ? "" : ", ", to_string(d.server), d.syns,
                                d.syns == 1 ? "" : "s",
                                d.syn_acks ? ", answered" : d.resets ? ", refused" : ", unanswered");
        }
        why.push_back("connections were attempted to other ports: " + list);
    } else if (s.connections) {
        why.push_back(fmt::format("the capture holds {} TCP connection{} on other ports, all begun before it (no SYN)",
                                  s.connections, s.connections == 1 ? "" : "s"));
    }
    for (const auto& sv : o.kerberos.services)
        if (sv.size() > 8 && (sv.rfind("TERMSRV/", 0) == 0 || sv.rfind("termsrv/", 0) == 0)) {
            why.push_back(fmt::format("the client asked the KDC for a ticket to {}: it did connect to that RDP "
                                      "server, by a path this capture does not show on port {} (a gateway, another "
                                      "port or another interface)",
                                      sv, o.rdp_port));
            break;
        }
    for (const auto& sv : o.kerberos.services)
        if (sv.rfind("HTTP/", 0) == 0) {
            why.push_back(fmt::format("the client asked the KDC for a ticket to {}: a web service such as an RD "
                                      "Gateway (RDP inside HTTPS), which rdpscope does not see into",
                                      sv));
            break;
        }
    j["explanation"] = why;
    return j;
}

std::string render_no_rdp_text(const json& j) {
    std::string s = fmt::format("No RDP connection in this capture (nothing to TCP or UDP {}).\n",
                                j["rdp_port"].get<std::uint16_t>());
    for (const auto& w : j["explanation"]) s += "  - " + w.get<std::string>() + "\n";
    return s;
}

}  // namespace rdpscope
