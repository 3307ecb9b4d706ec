// SPDX-License-Identifier: MIT
#include "report/summary_security.hpp"

#include "dissect/credssp.hpp"

#include <fmt/format.h>

#include "analyze/text.hpp"
#include "report/error_text.hpp"
#include "report/json_util.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_share.hpp"
#include "dissect/tls.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

json decryption_json(const DecryptFacts& d);

namespace {

json strings(const std::vector<std::string>& v) {
    json a = json::array();
    for (const auto& s : v) a.push_back(valid_utf8(s));
    return a;
}

double ms_between(std::int64_t from_ns, std::int64_t to_ns) { return static_cast<double>(to_ns - from_ns) / 1e6; }

// A certificate's fields, into the object open in w (the caller closes it).
void write_certificate_fields(JsonWriter& w, const x509::Certificate& c) {
    w.field("subject", valid_utf8(c.subject));
    w.field("issuer", valid_utf8(c.issuer));
    w.key("san").begin_array();
    for (const auto& s : c.san_dns) w.value(valid_utf8(s));
    for (const auto& s : c.san_ip) w.value(valid_utf8(s));
    w.end_array();
    w.field("not_before", c.not_before);
    w.field("not_after", c.not_after);
    w.field("expired_at_capture", c.expired_at_capture);
    if (c.not_yet_valid_at_capture) w.field("not_yet_valid_at_capture", true);
    w.field("self_signed", c.self_signed);
    w.field("key_type", c.key_type);
    w.field("key_bits", c.key_bits);
    w.field("sig_alg", c.sig_alg);
    w.field("serial", c.serial);
    w.field("sha256", c.sha256);
}

json certificate_json(const x509::Certificate& c) {
    return json_tree([&c](JsonWriter& w) {
        w.begin_object();
        write_certificate_fields(w, c);
        w.end_object();
    });
}

bool tls_seen(const TlsFacts& t) { return t.started() || t.server_hello_frame || !t.alerts.empty() || t.error; }

// The `tls` object of a connection that showed any TLS (tls_seen).
void write_tls(JsonWriter& w, const TlsFacts& t) {
    w.begin_object();
    if (t.client_hello_frame) w.field("client_hello_frame", t.client_hello_frame);
    if (t.server_hello_frame) w.field("server_hello_frame", t.server_hello_frame);
    if (t.client_hello_frame && t.server_hello_frame)
        w.field("server_hello_ms", ms_between(t.client_hello_ts, t.server_hello_ts));
    if (t.certificate_frame) w.field("certificate_frame", t.certificate_frame);
    if (t.certificate_request_frame) w.field("certificate_request_frame", t.certificate_request_frame);
    if (t.server_hello_done_frame) w.field("server_hello_done_frame", t.server_hello_done_frame);
    if (t.client_key_exchange_frame) w.field("client_key_exchange_frame", t.client_key_exchange_frame);
    if (t.finished_frame[0]) w.field("client_finished_frame", t.finished_frame[0]);
    if (t.finished_frame[1]) w.field("server_finished_frame", t.finished_frame[1]);
    w.field("established", t.established);
    if (t.client_max_version) {
        w.field("client_max_version", *t.client_max_version);
        w.field("client_max_version_name", tls::version_name_zeek(*t.client_max_version));
    }
    if (t.version) {
        w.field("version", *t.version);
        w.field("version_name", tls::version_name_zeek(*t.version));
    }
    if (t.cipher_suite) {
        w.field("cipher_suite", *t.cipher_suite);
        w.field("cipher_suite_name", tls::cipher_suite_name(*t.cipher_suite));
    }
    if (!t.sni.empty()) w.field("sni", valid_utf8(t.sni));
    if (t.sni_matches) w.field("sni_matches_cert", *t.sni_matches);
    if (!t.alpn_offered.empty()) {
        w.key("alpn_offered").begin_array();
        for (const auto& p : t.alpn_offered) w.value(valid_utf8(p));
        w.end_array();
    }
    if (!t.alpn.empty()) w.field("alpn", valid_utf8(t.alpn));
    w.key("alerts").begin_array();
    for (const auto& a : t.alerts) {
        w.begin_object();
        w.field("frame", a.frame);
        w.field("from", a.from == Dir::c2s ? "client" : "server");
        if (a.encrypted) {
            w.field("encrypted", true);
        } else {
            w.field("level", a.level);
            w.field("level_name", tls::alert_level_name(a.level));
            w.field("description", a.description);
            w.field("description_name", tls::alert_description_name(a.description));
        }
        w.end_object();
    }
    w.end_array();
    if (t.leaf) {
        w.key("certificate").begin_object();
        write_certificate_fields(w, *t.leaf);
        w.field("chain_length", t.chain_length);
        w.end_object();
    } else if (t.certificate_frame && t.chain_length) {
        w.key("certificate").begin_object().field("chain_length", t.chain_length).end_object();
    }
    if (const auto& ce = t.certificate_error)
        w.field("certificate_error", valid_utf8(ce->leaf ? fmt::format("{} {}", ce->error.layer, ce->error.field)
                                                         : std::string(ce->error.field)));
    if (t.app_records[0] || t.app_records[1]) {
        w.key("application_data").begin_object();
        w.key("c2s").begin_object().field("records", t.app_records[0]).field("bytes", t.app_bytes[0]).end_object();
        w.key("s2c").begin_object().field("records", t.app_records[1]).field("bytes", t.app_bytes[1]).end_object();
        w.end_object();
    }
    if (t.error) {
        w.field("error", valid_utf8(stream_error_text(*t.error)));
        w.field("error_frame", t.error_frame);
    }
    if (t.decryption) w.field("decryption", decryption_json(*t.decryption));
    w.end_object();
}

}  // namespace

json decryption_json(const DecryptFacts& d) {
    auto pair = [](const std::array<std::uint64_t, 2>& a) { return json{{"c2s", a[0]}, {"s2c", a[1]}}; };
    json j = {{"keys_found", d.keys_found}, {"records", pair(d.records)}, {"bytes", pair(d.bytes)}};
    if (d.keys_found) j["keys_from"] = d.from_rsa_key ? "rsa_key" : "key_log";
    if (d.skipped[0] || d.skipped[1]) j["skipped"] = pair(d.skipped);
    if (d.undecrypted[0] || d.undecrypted[1]) j["undecrypted"] = pair(d.undecrypted);
    for (int i = 0; i < 2; ++i)
        if (d.failed_frame[i]) j[i == 0 ? "c2s_failed_frame" : "s2c_failed_frame"] = d.failed_frame[i];
    if (!d.problem.empty()) j["problem"] = d.problem;
    return j;
}

json tls_json(const TlsFacts& t) {
    if (!tls_seen(t)) return json::object();
    return json_tree([&t](JsonWriter& w) { write_tls(w, t); });
}

// MS-NLMP 2.2.1: the names and versions an NTLM message carries (never its
// challenge responses, session key or MIC).
json ntlm_json(const ntlm::Message& m) {
    json j = json::object();
    auto put = [&j](const char* k, const std::string& v) {
        if (!v.empty()) j[k] = v;
    };
    put("domain", m.domain);
    put("user", m.user);
    put("workstation", m.workstation);
    put("target_name", m.target_name);
    put("nb_computer", m.nb_computer);
    put("nb_domain", m.nb_domain);
    put("dns_computer", m.dns_computer);
    put("dns_domain", m.dns_domain);
    put("dns_tree", m.dns_tree);
    if (m.version)
        j["windows_version"] = fmt::format("{}.{}.{}", m.version->major, m.version->minor, m.version->build);
    if (m.type == 3) {
        j["ntlm_v2"] = m.ntlm_v2();
        if (m.anonymous()) j["anonymous"] = true;
    }
    return j;
}

// The clear parts of a Kerberos message carried in a negoToken (RFC 4120).
json krb_token_json(const credssp::TsRequest& r) {
    json j = {{"message", credssp::krb5_token_name(r.krb5_tok_id)}};
    if (r.krb5_user_to_user) j["user_to_user"] = true;
    if (!r.kerberos) return j;
    const krb::Message& m = *r.kerberos;
    // Kerberos strings are bytes from the wire (RFC 4120 5.2.1): JSON needs
    // them valid UTF-8, as the KDC notes' (summary_other.cpp) are.
    if (m.sname) j["service"] = valid_utf8(m.sname->joined());
    if (!m.srealm.empty()) j["realm"] = valid_utf8(m.srealm);
    if (m.cname) j["client"] = valid_utf8(m.cname->joined());
    if (m.error_code) {
        j["error_code"] = *m.error_code;
        if (auto n = krb::error_name(*m.error_code); !n.empty()) j["error_name"] = std::string(n);
    }
    if (m.e_text) j["e_text"] = valid_utf8(*m.e_text);
    return j;
}

json credssp_json(const TlsFacts& t) {
    json j = json::object();
    if (!t.decryption || (!t.decryption->credssp_read() && !t.decryption->euar && t.decryption->credssp_error.empty()))
        return j;
    const DecryptFacts& d = *t.decryption;
    json reqs = json::array();
    for (const auto& n : d.ts_requests) {
        const auto& r = n.request;
        json e = {{"frame", n.frame}, {"from", n.dir == Dir::c2s ? "client" : "server"}, {"version", r.version}};
        if (r.nego_tokens) {
            e["nego_tokens"] = r.nego_tokens;
            e["token"] = credssp::to_string(r.token_kind);
            if (r.ntlm_message) e["ntlm_message"] = credssp::ntlm_message_name(r.ntlm_message);
            if (r.ntlm) {
                if (json n = ntlm_json(*r.ntlm); !n.empty()) e["ntlm"] = std::move(n);
            }
            if (r.krb5_tok_id) e["kerberos"] = krb_token_json(r);
        }
        if (r.auth_info) e["auth_info"] = true;
        if (r.pub_key_auth) e["pub_key_auth"] = true;
        if (r.client_nonce) e["client_nonce"] = true;
        if (r.error_code) {
            e["error_code"] = fmt::format("0x{:08X}", *r.error_code);
            if (const char* name = credssp::status_name(*r.error_code)) e["error_name"] = name;
        }
        reqs.push_back(std::move(e));
    }
    j["ts_requests"] = std::move(reqs);
    // Who logs on, and to which server, as NTLM names them (the last AUTHENTICATE and CHALLENGE).
    for (auto it = d.ts_requests.rbegin(); it != d.ts_requests.rend(); ++it) {
        const auto& n = it->request.ntlm;
        if (!n) continue;
        if (n->type == 3 && !j.contains("user") && !n->user.empty())
            j["user"] = n->domain.empty() ? n->user : n->domain + "\\" + n->user;
        if (n->type == 2 && !j.contains("server_name")) {
            const std::string& name = !n->dns_computer.empty() ? n->dns_computer : n->nb_computer;
            if (!name.empty()) j["server_name"] = name;
        }
    }
    if (d.error_code) {
        j["error_code"] = fmt::format("0x{:08X}", *d.error_code);
        if (const char* name = credssp::status_name(*d.error_code)) j["error_name"] = name;
        j["error_frame"] = d.error_frame;
    }
    if (d.auth_info_frame) j["auth_info_frame"] = d.auth_info_frame;
    if (d.euar) {
        j["early_user_authorization_result"] = *d.euar;
        j["early_user_authorization_result_name"] = credssp::euar_name(*d.euar);
        j["early_user_authorization_result_frame"] = d.euar_frame;
    }
    if (!d.credssp_error.empty()) j["error"] = d.credssp_error;
    return j;
}

json mcs_json(const McsFacts& m) {
    json j = json::object();
    if (!m.started() && !m.erect_domain_frame && !m.attach_user_request_frame && !m.security_exchange_frame &&
        !m.client_info_frame && !m.disconnect_frame && !m.error)
        return j;
    if (m.connect_initial_frame) j["connect_initial_frame"] = m.connect_initial_frame;
    if (m.client_build || m.desktop_width || !m.client_name.empty()) {
        json c;
        if (m.client_version) {
            c["version"] = *m.client_version;
            if (auto v = names::rdp_version(*m.client_version); !v.empty()) c["version_name"] = v;
        }
        if (m.client_build) {
            c["client_build"] = *m.client_build;
            c["client_build_name"] = names::client_build(*m.client_build);
        }
        c["client_name"] = valid_utf8(m.client_name);
        if (m.keyboard_layout) {
            c["keyboard_layout"] = *m.keyboard_layout;
            c["keyboard_layout_name"] = names::keyboard_layout(*m.keyboard_layout);
        }
        if (m.desktop_width) c["desktop_width"] = *m.desktop_width;
        if (m.desktop_height) c["desktop_height"] = *m.desktop_height;
        if (m.color_depth) c["color_depth"] = *m.color_depth;
        if (!m.requested_color_depth.empty()) c["requested_color_depth"] = m.requested_color_depth;
        if (!m.client_dig_product_id.empty()) c["client_dig_product_id"] = valid_utf8(m.client_dig_product_id);
        // RNS_UD_CS_* (MS-RDPBCGR 2.2.1.3.2): error-info support, skip channel join, ...
        if (m.early_capability_flags) {
            c["early_capability_flags"] = *m.early_capability_flags;
            json names = json::array();
            for (const auto& n : names::early_capability_flags(*m.early_capability_flags)) names.push_back(n);
            c["early_capability_flags_names"] = names;
        }
        j["client_core"] = c;
    }
    if (m.client_encryption_methods) {
        j["client_encryption_methods"] = *m.client_encryption_methods;
        j["client_encryption_methods_names"] = names::encryption_method_flags(*m.client_encryption_methods);
    }
    if (m.connect_initial_frame) j["channels"] = strings(m.channels);
    if (m.client_multitransport_flags) j["client_multitransport_flags"] = *m.client_multitransport_flags;
    if (m.connect_response_frame) {
        j["connect_response_frame"] = m.connect_response_frame;
        if (m.connect_initial_frame) j["connect_response_ms"] = ms_between(m.connect_initial_ts, m.connect_response_ts);
    }
    if (m.connect_result) {
        j["result"] = *m.connect_result;
        j["result_name"] = names::mcs_result(*m.connect_result);
    }
    if (m.gcc_result) {
        j["gcc_result"] = *m.gcc_result;
        j["gcc_result_name"] = names::gcc_result(*m.gcc_result);
    }
    if (m.io_channel) j["io_channel"] = *m.io_channel;
    if (!m.channel_ids.empty()) j["channel_ids"] = m.channel_ids;
    if (m.message_channel) j["message_channel"] = *m.message_channel;
    if (m.server_multitransport_flags) j["server_multitransport_flags"] = *m.server_multitransport_flags;
    if (m.erect_domain_frame) j["erect_domain_frame"] = m.erect_domain_frame;
    if (m.attach_user_request_frame || m.attach_user_confirm_frame) {
        json a = json::object();
        if (m.attach_user_request_frame) a["request_frame"] = m.attach_user_request_frame;
        if (m.attach_user_confirm_frame) a["confirm_frame"] = m.attach_user_confirm_frame;
        if (m.attach_user_result) {
            a["result"] = *m.attach_user_result;
            a["result_name"] = names::mcs_result(*m.attach_user_result);
        }
        if (m.user_channel) a["user_channel"] = m.user_channel;
        j["attach_user"] = a;
    }
    if (m.channel_join_requests || m.channel_join_confirms) {
        json cj = {{"requests", m.channel_join_requests}, {"confirms", m.channel_join_confirms}};
        if (m.last_channel_join_request_frame) cj["last_request_frame"] = m.last_channel_join_request_frame;
        if (m.last_channel_join_confirm_frame) cj["last_confirm_frame"] = m.last_channel_join_confirm_frame;
        if (m.failed_join_result) {
            cj["failed_result"] = *m.failed_join_result;
            cj["failed_result_name"] = names::mcs_result(*m.failed_join_result);
        }
        json list = json::array();
        for (const auto& x : m.joins) {
            json e = {{"channel_id", x.channel_id}, {"request_frame", x.request_frame}};
            if (x.confirm_frame) e["confirm_frame"] = x.confirm_frame;
            if (x.result) e["result"] = *x.result;
            list.push_back(e);
        }
        cj["joins"] = list;
        j["channel_joins"] = cj;
    }
    if (m.security_exchange_frame) j["security_exchange_frame"] = m.security_exchange_frame;
    if (m.client_info_frame) {
        j["client_info_frame"] = m.client_info_frame;
        j["client_info_encrypted"] = m.client_info_encrypted;
    }
    if (m.license_frame) {
        json l = {{"frame", m.license_frame}, {"encrypted", m.license_encrypted}};
        if (m.license_msg_type) {
            l["msg_type"] = *m.license_msg_type;
            l["msg_type_name"] = names::license_msg_type(*m.license_msg_type);
        }
        if (m.license_error_code) {
            l["error_code"] = *m.license_error_code;
            l["error_code_name"] = names::license_error_code(*m.license_error_code);
        }
        j["license"] = l;
    }
    if (m.client_info_frame)
        j["pdus_after_client_info"] = {{"c2s", m.pdus_after_client_info[0]}, {"s2c", m.pdus_after_client_info[1]}};
    if (m.disconnect_frame) {
        json d = {{"frame", m.disconnect_frame}};
        if (m.disconnect_from) d["from"] = *m.disconnect_from == Dir::c2s ? "client" : "server";
        if (m.disconnect_reason) {
            d["reason"] = *m.disconnect_reason;
            d["reason_name"] = names::mcs_reason(*m.disconnect_reason);
        }
        j["disconnect"] = d;
    }
    if (m.last_server_pdu_frame) j["last_server_pdu_frame"] = m.last_server_pdu_frame;
    // Issue 15: read from decrypted TLS (or in clear). Never a password.
    if (m.decrypted) j["decrypted"] = true;
    if (m.client_info_flags) {
        j["client_info"] = {{"flags", *m.client_info_flags},
                            {"user_name", valid_utf8(printable(m.client_info_user))},
                            {"domain", valid_utf8(printable(m.client_info_domain))}};
    }
    if (m.demand_active_frame) j["demand_active_frame"] = m.demand_active_frame;
    if (m.session_id) j["session_id"] = *m.session_id;
    if (m.confirm_active_frame) j["confirm_active_frame"] = m.confirm_active_frame;
    if (m.font_map_frame) j["font_map_frame"] = m.font_map_frame;
    if (m.error_info) {
        j["error_info"] = {{"code", *m.error_info},
                           {"name", std::string(share::errinfo_name(*m.error_info))},
                           {"frame", m.error_info_frame}};
    }
    if (m.logon) {
        json l = {{"frame", m.logon->frame},
                  {"info_type", m.logon->info_type},
                  {"info_type_name", std::string(share::info_type_name(m.logon->info_type))}};
        if (!m.logon->user_name.empty()) l["user_name"] = valid_utf8(printable(m.logon->user_name));
        if (!m.logon->domain.empty()) l["domain"] = valid_utf8(printable(m.logon->domain));
        if (m.logon->session_id) l["session_id"] = *m.logon->session_id;
        j["logon"] = l;
    }
    if (m.save_session_infos) j["save_session_infos"] = m.save_session_infos;
    if (m.logon_error_type) {
        const std::uint32_t type = *m.logon_error_type, data = m.logon_error_data.value_or(0);
        json le = {{"type", type}, {"data", data}, {"frame", m.logon_error_frame}};
        // 2.2.10.1.1.4.1.1: a LOGON_MSG_* type (the data is then the session
        // id), or an NTSTATUS with LOGON_FAILED_* / LOGON_WARNING data.
        if (auto n = share::logon_error_type_name(type); !n.empty()) {
            le["type_name"] = std::string(n);
            le["session_id"] = data;
        } else if (const char* st = credssp::status_name(type)) {
            le["type_name"] = st;
        }
        if (auto n = share::logon_error_data_name(type, data); !n.empty()) le["data_name"] = std::string(n);
        j["logon_error"] = le;
    }
    if (m.deactivate_frame) j["deactivate_all_frame"] = m.deactivate_frame;
    if (m.redirection) {
        json r = {{"frame", m.redirection->frame},
                  {"session_id", m.redirection->session_id},
                  {"redir_flags", m.redirection->redir_flags}};
        if (!m.redirection->target_net_address.empty())
            r["target_net_address"] = valid_utf8(printable(m.redirection->target_net_address));
        j["redirection"] = r;
    }
    if (m.fastpath_pdus[0] || m.fastpath_pdus[1])
        j["fastpath_pdus"] = {{"c2s", m.fastpath_pdus[0]}, {"s2c", m.fastpath_pdus[1]}};
    if (m.error) {
        j["error"] = valid_utf8(error_text(*m.error));
        j["error_frame"] = m.error_frame;
    }
    return j;
}

json security_json(const McsFacts& m) {
    json j = json::object();
    if (!m.server_encryption_method && !m.server_encryption_level) return j;
    j["layer"] = "standard_rdp";
    if (m.server_encryption_method) {
        j["encryption_method"] = *m.server_encryption_method;
        j["encryption_method_name"] = names::encryption_method(*m.server_encryption_method);
    }
    if (m.server_encryption_level) {
        j["encryption_level"] = *m.server_encryption_level;
        j["encryption_level_name"] = names::encryption_level(*m.server_encryption_level);
    }
    if (m.server_cert_chain_version) {
        j["server_cert_type"] = *m.server_cert_chain_version;
        j["server_cert_type_name"] = names::cert_type(*m.server_cert_chain_version);
        j["cert_count"] = m.server_cert_count;
        j["cert_permanent"] = m.server_cert_permanent;
    }
    if (!m.server_x509_chain.empty()) {
        json list = json::array();
        for (const auto& c : m.server_x509_chain) list.push_back(certificate_json(c));
        j["certificates"] = list;
    }
    if (m.server_security_error) j["error"] = valid_utf8(error_text(*m.server_security_error));
    return j;
}

namespace {

// The parts of a UDP flow both report forms share.
void udp_common(const UdpFlowFacts& f, json& j) {
    j["state"] = f.state();
    j["up"] = f.up();
    if (f.syns) {
        json syn = {{"count", f.syns}, {"frames", f.syn_frames}, {"first", epoch_seconds(f.first_syn_ts)}};
        if (f.syns > 1) syn["span"] = static_cast<double>(f.last_syn_ts - f.first_syn_ts) / 1e9;
        j["syn"] = syn;
    }
    if (f.syn_ack_frame) {
        j["syn_ack_frame"] = f.syn_ack_frame;
        if (f.first_syn_ts) j["syn_ack_ms"] = ms_between(f.first_syn_ts, f.syn_ack_ts);
    }
    if (f.established_frame) j["established_frame"] = f.established_frame;
    if (f.client_version) {
        j["version"] = *f.client_version;
        if (auto n = names::rdpudp_version(*f.client_version); !n.empty()) j["version_name"] = n;
    }
    if (f.server_version) {
        j["server_version"] = *f.server_version;
        if (auto n = names::rdpudp_version(*f.server_version); !n.empty()) j["server_version_name"] = n;
    }
    if (f.syn_ack_frame) j["rdpudp2"] = f.rdpudp2;
    if (f.syns) j["lossy"] = f.lossy;
    if (!f.correlation_id.empty()) j["correlation_id"] = f.correlation_id;
    if (f.fin_frame) j["fin_frame"] = f.fin_frame;
    if (!f.icmp.empty()) {
        json a = json::array();
        for (const auto& i : f.icmp)
            a.push_back({{"frame", i.frame}, {"type", i.type}, {"code", i.code}, {"description", i.description},
                         {"from", i.from}});
        j["icmp"] = a;
    }
}

}  // namespace

json udp_json(const std::vector<UdpFlowFacts>& flows) {
    // Each flow as its own report object says it, less what the connection already says.
    json a = json::array();
    for (const auto& f : flows) {
        json j = udp_flow_json(f);
        j.erase("type");
        j.erase("transport");
        j.erase("tcp_conn");
        a.push_back(std::move(j));
    }
    return a;
}

json udp_flow_json(const UdpFlowFacts& f) {
    json j;
    j["type"] = "udp_flow";
    j["conn"] = f.id;
    j["transport"] = "udp";
    j["client"] = to_string(f.client());
    j["server"] = to_string(f.server());
    j["first_frame"] = f.first_frame;
    j["last_frame"] = f.last_frame;
    j["start"] = epoch_seconds(f.first_ts);
    j["duration"] = static_cast<double>(f.last_ts - f.first_ts) / 1e9;
    udp_common(f, j);
    for (auto [name, d] : {std::pair{"c2s", 0}, std::pair{"s2c", 1}}) {
        json s = {{"datagrams", f.datagrams[d]}, {"bytes", f.bytes[d]}, {"data", f.data_datagrams[d]}};
        if (f.first_data_frame[d]) s["first_data_frame"] = f.first_data_frame[d];
        j[name] = s;
    }
    if (f.errors) {
        j["errors"] = f.errors;
        j["error"] = f.first_error;
        j["error_frame"] = f.first_error_frame;
    }
    if (f.tcp_conn) {
        j["tcp_conn"] = *f.tcp_conn;
        j["tie"] = f.tie;
    }
    return j;
}

void write_security_objects(JsonWriter& w, const Connection& c) {
    // The `tls` object written as text (every connection of an NLA flood has
    // one); the others, empty or rare, through their trees.
    if (json m = mcs_json(c.rdp.mcs.facts()); !m.empty()) w.field("mcs", m);
    if (json s = security_json(c.rdp.mcs.facts()); !s.empty()) w.field("security", s);
    if (tls_seen(c.rdp.tls.facts())) {
        w.key("tls");
        write_tls(w, c.rdp.tls.facts());
    }
    if (json cs = credssp_json(c.rdp.tls.facts()); !cs.empty()) w.field("credssp", cs);
    if (!c.udp.empty()) w.field("udp", udp_json(c.udp));
}

}  // namespace rdpscope
