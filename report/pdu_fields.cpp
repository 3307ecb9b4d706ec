// SPDX-License-Identifier: MIT
#include "report/pdu_fields.hpp"

#include <fmt/format.h>

#include <type_traits>

#include "analyze/text.hpp"
#include "dissect/credssp.hpp"
#include "dissect/http2.hpp"
#include "dissect/kerberos.hpp"
#include "dissect/mcs.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_neg.hpp"
#include "dissect/rdp_share.hpp"
#include "dissect/tsgu.hpp"
#include "dissect/websocket.hpp"
#include "report/error_text.hpp"
#include "report/tcp_json.hpp"

namespace rdpscope {

namespace {

// Builds one event's field list in order.
class Out {
public:
    explicit Out(PduFields& f) : f_(f) {}
    Out& add(std::string_view k, std::int64_t v) { return put<std::int64_t>(k, v); }
    Out& add(std::string_view k, std::string v) { return put<std::string>(k, std::move(v)); }
    Out& add_bool(std::string_view k, bool v) { return put<bool>(k, v); }
    Out& add_list(std::string_view k, std::vector<std::string> v) { return put<std::vector<std::string>>(k, std::move(v)); }

private:
    // Built in place: GCC 12 warns (falsely) about copying a braced temporary variant.
    template <typename T, typename V>
    Out& put(std::string_view k, V&& v) {
        Field& f = f_.fields.emplace_back();
        f.key = k;
        f.value.template emplace<T>(std::forward<V>(v));
        return *this;
    }
    PduFields& f_;
};

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }


std::vector<std::string> to_strings(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

std::string version_text(std::uint16_t v) { return tls::version_name_wireshark(v); }

// ---- one function per kind: the name, then the fields ----------------------

void fill(const ev::TcpAnalysisFlags& p, PduFields& f) {
    f.pdu = "tcp.analysis";
    Out(f).add_list("tcp_flags", tcp_flag_names(p.flags));
}

void fill(const ev::IcmpError& p, PduFields& f) {
    f.pdu = p.v6 ? "icmpv6.error" : "icmp.error";
    icmp::Message m;
    m.v6 = p.v6;
    m.type = p.type;
    m.code = p.code;
    m.kind = p.kind;
    Out o(f);
    o.add("type", p.type).add("code", p.code).add("description", icmp::describe(m)).add("from", to_string(p.from));
    if (p.kind == icmp::Kind::packet_too_big) o.add("mtu", static_cast<std::int64_t>(p.mtu));
}

void fill(const ev::ProxyRequest& p, PduFields& f) {
    f.pdu = "proxy.request";
    Out(f).add("proxy", std::string(proxy::name(p.kind))).add("target", p.target);
}

void fill(const ev::ProxyReply& p, PduFields& f) {
    f.pdu = "proxy.reply";
    Out(f).add("proxy", std::string(proxy::name(p.kind))).add("status", static_cast<std::int64_t>(p.status));
}

void fill(const ev::X224Malformed& p, PduFields& f) {
    f.pdu = "x224.malformed";
    Out(f).add("error", error_text(p.error));
}

void fill(const ev::X224Tpdu& p, PduFields& f) {
    f.pdu = x224::name(p.type);
    Out o(f);
    switch (p.type) {
        case x224::Type::cr:
            if (p.error) { o.add("error", error_text(*p.error)); break; }
            if (p.cookie) o.add("cookie", printable(*p.cookie));
            if (p.routing_token) o.add("routing_token", printable(*p.routing_token));
            break;
        case x224::Type::cc:
            if (p.error) o.add("error", error_text(*p.error));
            break;
        case x224::Type::dr: o.add("reason", p.reason); break;
        case x224::Type::er: o.add("cause", p.reason); break;
        case x224::Type::dt: o.add("length", i64(p.length)); break;
        case x224::Type::unknown: o.add("code", p.code); break;
    }
}

void fill(const ev::NegRequest& p, PduFields& f) {
    f.pdu = "rdp.neg_req";
    Out(f).add("flags", p.flags).add("requested_protocols", p.requested_protocols)
        .add("requested_protocols_names", rdpneg::protocol_flags(p.requested_protocols));
}

void fill(const ev::CorrelationInfo& p, PduFields& f) {
    f.pdu = "rdp.correlation_info";
    Out(f).add("correlation_id", guid_text(p.id));
}

void fill(const ev::NegResponse& p, PduFields& f) {
    f.pdu = "rdp.neg_rsp";
    Out(f).add("flags", p.flags).add("selected_protocol", p.selected_protocol)
        .add("selected_protocol_name", std::string(rdpneg::protocol_name(p.selected_protocol)));
}

void fill(const ev::NegFailure& p, PduFields& f) {
    f.pdu = "rdp.neg_failure";
    Out(f).add("failure_code", p.failure_code).add("failure_name", std::string(rdpneg::failure_name(p.failure_code)));
}

// ---- TLS: each record's version comes last ---------------------------------

void record_version(const ev::TlsRecord& p, PduFields& f) { Out(f).add("record_version", version_text(p.record_version)); }

void fill(const ev::TlsClientHello& p, PduFields& f) {
    f.pdu = "tls.client_hello";
    Out o(f);
    if (p.error) {
        o.add("error", std::string(p.error->field));
    } else {
        o.add("version", version_text(p.version));
        o.add("max_version", version_text(p.max_version));
        o.add("cipher_suites", i64(p.cipher_suites));
        if (p.sni) o.add("sni", *p.sni);
        if (!p.alpn.empty()) o.add_list("alpn", p.alpn);
        std::vector<std::string> groups;
        for (auto g : p.groups) if (!tls::is_grease(g)) groups.push_back(tls::named_group_name(g));
        if (!groups.empty()) o.add_list("groups", groups);
    }
    record_version(p, f);
}

void fill(const ev::TlsServerHello& p, PduFields& f) {
    f.pdu = "tls.server_hello";
    Out o(f);
    if (p.error) {
        o.add("error", std::string(p.error->field));
    } else {
        o.add("version", version_text(p.version));
        o.add("cipher_suite", p.cipher_suite).add("cipher_suite_name", tls::cipher_suite_name(p.cipher_suite));
        if (p.hello_retry_request) o.add_bool("hello_retry_request", true);
    }
    record_version(p, f);
}

void fill(const ev::TlsCertificate& p, PduFields& f) {
    f.pdu = "tls.certificate";
    Out o(f);
    if (p.error) {
        o.add("error", std::string(p.error->field));
    } else {
        o.add("certificates", i64(p.certificates));
        if (p.has_leaf && p.leaf_error) {
            o.add("error", fmt::format("{} {}", p.leaf_error->layer, p.leaf_error->field));
        } else if (p.has_leaf) {
            o.add("subject", p.subject).add("issuer", p.issuer);
            if (p.expired) o.add_bool("expired", true);
            if (p.self_signed) o.add_bool("self_signed", true);
        }
    }
    record_version(p, f);
}

void fill(const ev::TlsHandshake& p, PduFields& f) {
    using HT = tls::HandshakeType;
    switch (p.type) {
        case HT::server_key_exchange: f.pdu = "tls.server_key_exchange"; break;
        case HT::certificate_request: f.pdu = "tls.certificate_request"; break;
        case HT::server_hello_done: f.pdu = "tls.server_hello_done"; break;
        case HT::client_key_exchange: f.pdu = "tls.client_key_exchange"; break;
        case HT::new_session_ticket: f.pdu = "tls.new_session_ticket"; break;
        default:
            f.pdu = "tls.handshake";
            Out(f).add("type", static_cast<std::int64_t>(p.type)).add("type_name", tls::handshake_type_name(p.type));
            break;
    }
    record_version(p, f);
}

void fill(const ev::TlsEncryptedHandshake& p, PduFields& f) {
    f.pdu = "tls.encrypted_handshake";
    Out(f).add("length", i64(p.length));
    record_version(p, f);
}

void fill(const ev::TlsChangeCipherSpec& p, PduFields& f) {
    f.pdu = "tls.change_cipher_spec";
    record_version(p, f);
}

void fill(const ev::TlsAlert& p, PduFields& f) {
    f.pdu = p.encrypted ? "tls.encrypted_alert" : "tls.alert";
    if (p.decoded) {
        Out(f).add("level", p.level).add("level_name", tls::alert_level_name(p.level))
            .add("description", p.description).add("description_name", tls::alert_description_name(p.description));
    }
    record_version(p, f);
}

void fill(const ev::TlsApplicationData& p, PduFields& f) {
    f.pdu = "tls.application_data";
    Out(f).add("length", i64(p.length));
    record_version(p, f);
}

void fill(const ev::TlsHeartbeat& p, PduFields& f) {
    f.pdu = "tls.heartbeat";
    record_version(p, f);
}

void fill(const ev::TlsError& p, PduFields& f) {
    f.pdu = "tls.error";
    if (p.error)
        Out(f).add("error", stream_error_text(*p.error));
    record_version(p, f);
}

// ---- inside TLS, with keys ---------------------------------------------------

void fill(const ev::TlsDecryptFailed& p, PduFields& f) {
    f.pdu = "tls.decrypt_failed";
    Out(f).add("direction", std::string(p.dir == Dir::c2s ? "client" : "server"));
}

void fill(const ev::CredsspTsRequest& p, PduFields& f) {
    f.pdu = p.error ? "credssp.malformed" : "credssp.ts_request";
    Out o(f);
    if (p.error) {
        o.add("error", error_text(*p.error));
        return;
    }
    const auto& r = p.request;
    o.add("version", r.version);
    if (r.nego_tokens) {
        o.add("nego_tokens", i64(r.nego_tokens)).add("token", std::string(credssp::to_string(r.token_kind)));
        if (r.ntlm_message) o.add("ntlm_message", std::string(credssp::ntlm_message_name(r.ntlm_message)));
        if (r.ntlm) {
            // MS-NLMP 2.2.1: names only, never the responses or keys.
            const auto& n = *r.ntlm;
            for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"ntlm_domain", &n.domain},
                                       {"ntlm_user", &n.user},
                                       {"ntlm_workstation", &n.workstation},
                                       {"ntlm_target_name", &n.target_name},
                                       {"ntlm_nb_computer", &n.nb_computer},
                                       {"ntlm_dns_computer", &n.dns_computer},
                                       {"ntlm_dns_domain", &n.dns_domain}})
                if (!v->empty()) o.add(k, *v);
            if (n.version)
                o.add("ntlm_windows_version", fmt::format("{}.{}.{}", n.version->major, n.version->minor, n.version->build));
        }
        if (r.krb5_tok_id) o.add("kerberos_message", std::string(credssp::krb5_token_name(r.krb5_tok_id)));
        if (r.kerberos) {
            const auto& k = *r.kerberos;
            if (k.sname) o.add("kerberos_service", k.sname->joined());
            if (!k.srealm.empty()) o.add("kerberos_realm", k.srealm);
            if (k.error_code) {
                o.add("kerberos_error_code", static_cast<std::int64_t>(*k.error_code));
                if (auto en = krb::error_name(*k.error_code); !en.empty()) o.add("kerberos_error_name", std::string(en));
            }
        }
    }
    if (r.auth_info) o.add_bool("auth_info", true);
    if (r.pub_key_auth) o.add_bool("pub_key_auth", true);
    if (r.client_nonce) o.add_bool("client_nonce", true);
    if (r.error_code) {
        o.add("error_code", fmt::format("0x{:08X}", *r.error_code));
        if (const char* n = credssp::status_name(*r.error_code)) o.add("error_name", std::string(n));
    }
}

void fill(const ev::EarlyUserAuthResult& p, PduFields& f) {
    f.pdu = "rdp.early_user_authorization_result";
    Out(f).add("result", p.result).add("result_name", std::string(credssp::euar_name(p.result)));
}

// ---- MCS, GCC, RDP security ------------------------------------------------

void fill(const ev::McsError& p, PduFields& f) {
    f.pdu = "mcs.error";
    Out(f).add("error", error_text(p.error)).add("length", i64(p.length));
}

void fill(const ev::McsConnectInitial& p, PduFields& f) {
    f.pdu = "mcs.connect_initial";
    Out o(f);
    o.add("max_channel_ids", i64(p.max_channel_ids));
    o.add("max_mcs_pdu_size", i64(p.max_mcs_pdu_size));
    if (p.gcc_error) o.add("error", error_text(*p.gcc_error));
}

void fill(const ev::McsConnectResponse& p, PduFields& f) {
    f.pdu = "mcs.connect_response";
    Out o(f);
    o.add("result", i64(p.result)).add("result_name", std::string(names::mcs_result(p.result)));
    o.add("max_mcs_pdu_size", i64(p.max_mcs_pdu_size));
    if (p.gcc_result) o.add("gcc_result", *p.gcc_result).add("gcc_result_name", names::gcc_result(*p.gcc_result));
    if (p.gcc_error) o.add("error", error_text(*p.gcc_error));
}

void fill(const ev::McsErectDomain& p, PduFields& f) {
    f.pdu = "mcs.erect_domain";
    Out(f).add("sub_height", i64(p.sub_height)).add("sub_interval", i64(p.sub_interval));
}

void fill(const ev::McsAttachUserRequest&, PduFields& f) { f.pdu = "mcs.attach_user_request"; }

void fill(const ev::McsAttachUserConfirm& p, PduFields& f) {
    f.pdu = "mcs.attach_user_confirm";
    Out o(f);
    o.add("result", i64(p.result)).add("result_name", std::string(names::mcs_result(p.result)));
    if (p.initiator) o.add("initiator", *p.initiator);
}

void fill(const ev::McsChannelJoinRequest& p, PduFields& f) {
    f.pdu = "mcs.channel_join_request";
    Out(f).add("initiator", p.initiator).add("channel_id", p.channel_id);
}

void fill(const ev::McsChannelJoinConfirm& p, PduFields& f) {
    f.pdu = "mcs.channel_join_confirm";
    Out o(f);
    o.add("result", i64(p.result)).add("result_name", std::string(names::mcs_result(p.result)));
    o.add("initiator", p.initiator).add("requested", p.requested);
    if (p.channel_id) o.add("channel_id", *p.channel_id);
}

void fill(const ev::McsDisconnectProviderUltimatum& p, PduFields& f) {
    f.pdu = "mcs.disconnect_provider_ultimatum";
    Out(f).add("reason", p.reason).add("reason_name", std::string(names::mcs_reason(p.reason)));
}

void fill(const ev::McsOther& p, PduFields& f) {
    f.pdu = "mcs.other";
    const mcs::Pdu named = p.connect_pdu ? mcs::Pdu(mcs::OtherConnectPdu{p.number, {}})
                                         : mcs::Pdu(mcs::OtherDomainPdu{static_cast<std::uint8_t>(p.number), {}});
    Out(f).add("name", mcs::pdu_name(named));
}

void fill(const ev::McsSendData& p, PduFields& f) {
    f.pdu = "mcs.send_data";
    Out o(f);
    o.add("channel_id", p.channel_id).add("length", i64(p.length));
    if (p.security_flags) {
        o.add_bool("encrypted", p.encrypted);
        if (auto n = names::security_flags(*p.security_flags); !n.empty()) o.add_list("security_flags", to_strings(n));
    }
}

void fill(const ev::GccClientCore& p, PduFields& f) {
    f.pdu = "gcc.client_core";
    const gcc::ClientCoreData& c = p.core;
    Out g(f);
    g.add("version", c.version);
    if (auto v = names::rdp_version(c.version); !v.empty()) g.add("version_name", std::string(v));
    g.add("client_build", c.client_build).add("client_build_name", names::client_build(c.client_build));
    g.add("client_name", c.client_name);
    g.add("keyboard_layout", c.keyboard_layout).add("keyboard_layout_name", names::keyboard_layout(c.keyboard_layout));
    g.add("desktop_width", c.desktop_width).add("desktop_height", c.desktop_height);
    if (auto bits = c.effective_color_depth()) g.add("color_depth", static_cast<std::int64_t>(*bits));
    if (auto z = c.zeek_requested_color_depth(); !z.empty()) g.add("requested_color_depth", z);
    if (c.client_dig_product_id && !c.client_dig_product_id->empty())
        g.add("client_dig_product_id", *c.client_dig_product_id);
    if (c.early_capability_flags)
        g.add_list("early_capability_flags", to_strings(names::early_capability_flags(*c.early_capability_flags)));
    if (c.connection_type) {
        auto n = names::connection_type(*c.connection_type);
        g.add("connection_type", *c.connection_type);
        if (!n.empty()) g.add("connection_type_name", std::string(n));
    }
    if (c.server_selected_protocol) g.add("server_selected_protocol", *c.server_selected_protocol);
}

void fill(const ev::GccClientSecurity& p, PduFields& f) {
    f.pdu = "gcc.client_security";
    Out g(f);
    g.add("encryption_methods", p.security.encryption_methods);
    g.add_list("encryption_methods_names", names::encryption_method_flags(p.security.encryption_methods));
    if (p.security.ext_encryption_methods) g.add("ext_encryption_methods", p.security.ext_encryption_methods);
}

void fill(const ev::GccClientNetwork& p, PduFields& f) {
    f.pdu = "gcc.client_network";
    std::vector<std::string> channels;
    for (const auto& ch : p.channels) channels.push_back(printable(ch));
    Out(f).add("channel_count", p.channel_count).add_list("channels", std::move(channels));
}

void fill(const ev::GccClientCluster& p, PduFields& f) {
    f.pdu = "gcc.client_cluster";
    const gcc::ClientClusterData& c = p.cluster;
    Out g(f);
    g.add("flags", c.flags);
    g.add_bool("redirection_supported", c.redirection_supported());
    g.add("redirection_version", c.redirection_version() + 1);
    if (c.session_id_valid()) g.add("redirected_session_id", c.redirected_session_id);
}

void fill(const ev::GccClientMonitor& p, PduFields& f) {
    f.pdu = "gcc.client_monitor";
    Out(f).add("flags", p.flags).add("monitor_count", p.monitor_count);
}

void fill(const ev::GccClientMultitransport& p, PduFields& f) {
    f.pdu = "gcc.client_multitransport";
    Out(f).add("flags", p.flags);
}

void fill(const ev::GccServerCore& p, PduFields& f) {
    f.pdu = "gcc.server_core";
    const gcc::ServerCoreData& c = p.core;
    Out g(f);
    g.add("version", c.version);
    if (auto v = names::rdp_version(c.version); !v.empty()) g.add("version_name", std::string(v));
    if (c.client_requested_protocols) g.add("client_requested_protocols", *c.client_requested_protocols);
    if (c.early_capability_flags) g.add("early_capability_flags", *c.early_capability_flags);
}

void fill(const ev::GccServerSecurity& p, PduFields& f) {
    f.pdu = "gcc.server_security";
    Out g(f);
    g.add("encryption_method", p.encryption_method).add("encryption_method_name", names::encryption_method(p.encryption_method));
    g.add("encryption_level", p.encryption_level).add("encryption_level_name", names::encryption_level(p.encryption_level));
    if (p.server_random_length) g.add("server_random_length", *p.server_random_length);
    if (p.has_certificate) {
        g.add("server_cert_type", p.cert_chain_version).add("server_cert_type_name", names::cert_type(p.cert_chain_version));
        g.add("cert_count", i64(p.cert_count));
        g.add_bool("permanent", p.cert_permanent);
    }
    if (p.certificate_error) g.add("error", error_text(*p.certificate_error));
}

void fill(const ev::GccServerNetwork& p, PduFields& f) {
    f.pdu = "gcc.server_network";
    Out(f).add("io_channel", p.io_channel).add("channel_count", p.channel_count);
}

void fill(const ev::GccServerMessageChannel& p, PduFields& f) {
    f.pdu = "gcc.server_message_channel";
    Out(f).add("channel_id", p.channel_id);
}

void fill(const ev::GccServerMultitransport& p, PduFields& f) {
    f.pdu = "gcc.server_multitransport";
    Out(f).add("flags", p.flags);
}

void fill(const ev::RdpSecurityError& p, PduFields& f) {
    f.pdu = "rdp.error";
    Out(f).add("channel_id", p.channel_id).add("length", i64(p.length)).add("error", error_text(p.error));
}

void fill(const ev::RdpSecurityExchange& p, PduFields& f) {
    f.pdu = "rdp.security_exchange";
    Out(f).add("length", p.length);
}

void fill(const ev::RdpClientInfo& p, PduFields& f) {
    f.pdu = "rdp.client_info";
    Out o(f);
    o.add_bool("encrypted", p.encrypted);
    o.add("length", i64(p.length));
    if (p.clear) {
        o.add("code_page", p.code_page).add("flags", p.flags);
        if (!p.domain.empty()) o.add("domain", p.domain);
        if (!p.user_name.empty()) o.add("user_name", p.user_name);
    } else if (p.clear_error) {
        o.add("error", error_text(*p.clear_error));
    }
}

void fill(const ev::RdpLicense& p, PduFields& f) {
    f.pdu = "rdp.license";
    Out o(f);
    o.add_bool("encrypted", p.encrypted);
    if (p.msg_type) {
        o.add("msg_type", *p.msg_type);
        if (auto n = names::license_msg_type(*p.msg_type); !n.empty()) o.add("msg_type_name", std::string(n));
    }
    if (p.error_code) {
        o.add("error_code", *p.error_code);
        if (auto n = names::license_error_code(*p.error_code); !n.empty()) o.add("error_code_name", std::string(n));
    }
    if (p.state_transition) {
        o.add("state_transition", *p.state_transition);
        if (auto n = names::license_state_transition(*p.state_transition); !n.empty())
            o.add("state_transition_name", std::string(n));
    }
}

void fill(const ev::RdpAutoDetect& p, PduFields& f) {
    f.pdu = "rdp.auto_detect";
    Out o(f);
    o.add("channel_id", p.channel_id);
    if (p.error) {
        o.add("error", error_text(*p.error));
        return;
    }
    if (!p.message) return;
    const auto& m = *p.message;
    o.add("direction", m.request() ? "request" : "response");
    o.add("header_length", m.header_length).add("sequence_number", m.sequence_number);
    o.add(m.request() ? "request_type" : "response_type", m.type);
    if (auto n = autodetect::message_name(m.header_type_id, m.type); !n.empty()) o.add("message", std::string(n));
    if (m.payload_length) o.add("payload_length", *m.payload_length);
    if (m.base_rtt) o.add("base_rtt_ms", *m.base_rtt);
    if (m.bandwidth) o.add("bandwidth_kbps", *m.bandwidth);
    if (m.average_rtt) o.add("average_rtt_ms", *m.average_rtt);
    if (m.time_delta) o.add("time_delta_ms", *m.time_delta);
    if (m.byte_count) o.add("byte_count", *m.byte_count);
    if (m.rtt) o.add("rtt_ms", *m.rtt);
}

void fill(const ev::RdpMultitransport& p, PduFields& f) {
    Out o(f);
    f.pdu = p.response ? "rdp.multitransport_response" : "rdp.multitransport_request";
    o.add("channel_id", p.channel_id);
    if (p.error) {
        o.add("error", error_text(*p.error));
        return;
    }
    if (p.request) {
        o.add("request_id", p.request->request_id).add("requested_protocol", p.request->requested_protocol);
        if (auto n = autodetect::requested_protocol_name(p.request->requested_protocol); !n.empty())
            o.add("requested_protocol_name", std::string(n));
    }
    if (p.response) {
        o.add("request_id", p.response->request_id).add("hr_response", p.response->hr_response);
        if (auto n = autodetect::hr_response_name(p.response->hr_response); !n.empty())
            o.add("hr_response_name", std::string(n));
    }
}

// ---- Share Control PDUs (MS-RDPBCGR 2.2.8.1.1.1) ---------------------------

void fill(const ev::RdpShareControl& p, PduFields& f) {
    Out o(f);
    if (p.flow) {
        f.pdu = "rdp.flow";
        return;
    }
    switch (p.pdu_type) {
        case share::PDUTYPE_DEMANDACTIVEPDU: f.pdu = "rdp.demand_active"; break;
        case share::PDUTYPE_CONFIRMACTIVEPDU: f.pdu = "rdp.confirm_active"; break;
        case share::PDUTYPE_DEACTIVATEALLPDU: f.pdu = "rdp.deactivate_all"; break;
        case share::PDUTYPE_DATAPDU: f.pdu = "rdp.data"; break;
        default:
            f.pdu = "rdp.share_control";
            o.add("pdu_type", p.pdu_type);
            break;
    }
    if (p.share_id) o.add("share_id", *p.share_id);
    if (p.pdu_type2) {
        o.add("pdu_type2", *p.pdu_type2);
        if (auto n = share::pdu_type2_name(*p.pdu_type2); !n.empty()) o.add("pdu_type2_name", std::string(n));
    }
    if (p.compressed) o.add_bool("compressed", true);
    if (p.action) {
        o.add("action", *p.action);
        if (auto n = share::control_action_name(*p.action); !n.empty()) o.add("action_name", std::string(n));
    }
    if (!p.source_descriptor.empty()) o.add("source_descriptor", printable(p.source_descriptor));
    if (p.capability_sets) o.add("capability_sets", *p.capability_sets);
    if (p.session_id) o.add("session_id", *p.session_id);
}

void fill(const ev::RdpSetErrorInfo& p, PduFields& f) {
    f.pdu = "rdp.set_error_info";
    Out o(f);
    o.add("error_info", p.error_info);
    if (auto n = share::errinfo_name(p.error_info); !n.empty()) o.add("error_info_name", std::string(n));
}

void fill(const ev::RdpSaveSessionInfo& p, PduFields& f) {
    f.pdu = "rdp.save_session_info";
    Out o(f);
    o.add("info_type", p.info_type);
    if (auto n = share::info_type_name(p.info_type); !n.empty()) o.add("info_type_name", std::string(n));
    if (!p.domain.empty()) o.add("domain", printable(p.domain));
    if (!p.user_name.empty()) o.add("user_name", printable(p.user_name));
    if (p.session_id) o.add("session_id", *p.session_id);
    if (p.fields_present) o.add("fields_present", *p.fields_present);
    if (p.error_notification_type) {
        o.add("error_notification_type", *p.error_notification_type);
        if (auto n = share::logon_error_type_name(*p.error_notification_type); !n.empty())
            o.add("error_notification_type_name", std::string(n));
    }
    if (p.error_notification_data) {
        o.add("error_notification_data", *p.error_notification_data);
        if (auto n = share::logon_error_data_name(p.error_notification_type.value_or(0), *p.error_notification_data);
            !n.empty())
            o.add("error_notification_data_name", std::string(n));
    }
}

void fill(const ev::RdpServerRedirection& p, PduFields& f) {
    f.pdu = "rdp.server_redirection";
    Out o(f);
    o.add("session_id", p.session_id).add("redir_flags", p.redir_flags);
    if (!p.target_net_address.empty()) o.add("target_net_address", printable(p.target_net_address));
    if (!p.user_name.empty()) o.add("user_name", printable(p.user_name));
    if (!p.domain.empty()) o.add("domain", printable(p.domain));
}

void fill(const ev::RdpShareError& p, PduFields& f) {
    f.pdu = "rdp.share_error";
    Out(f).add("channel_id", p.channel_id).add("length", i64(p.length)).add("error", error_text(p.error));
}

// ---- RDP-UDP ---------------------------------------------------------------

void fill(const ev::RdpUdpError& p, PduFields& f) {
    f.pdu = "rdpudp.error";
    Out(f).add("error", error_text(p.error)).add("length", i64(p.length));
}

void fill(const ev::RdpUdpSyn& p, PduFields& f) {
    f.pdu = "rdpudp.syn";
    Out e(f);
    e.add_list("flags", to_strings(names::rdpudp_flags(p.flags)));
    if (!p.correlation_id.empty()) e.add("correlation_id", guid_text(p.correlation_id));
    if (p.version) {
        e.add("version", *p.version);
        if (auto n = names::rdpudp_version(*p.version); !n.empty()) e.add("version_name", std::string(n));
    }
    if (p.upstream_mtu) e.add("upstream_mtu", *p.upstream_mtu).add("downstream_mtu", p.downstream_mtu.value_or(0));
    if (p.retransmission) e.add("retransmission", i64(p.retransmission));
}

void fill(const ev::RdpUdpSynAck& p, PduFields& f) {
    f.pdu = "rdpudp.syn_ack";
    Out e(f);
    e.add_list("flags", to_strings(names::rdpudp_flags(p.flags)));
    if (p.version) {
        e.add("version", *p.version);
        if (auto n = names::rdpudp_version(*p.version); !n.empty()) e.add("version_name", std::string(n));
    }
    if (p.upstream_mtu) e.add("upstream_mtu", *p.upstream_mtu).add("downstream_mtu", p.downstream_mtu.value_or(0));
    if (p.rdpudp2) e.add_bool("rdpudp2", true);
    if (p.syn_not_captured) e.add_bool("syn_not_captured", true);
}

void fill(const ev::RdpUdpData& p, PduFields& f) {
    f.pdu = "rdpudp.data";
    Out e(f);
    e.add("framing", static_cast<std::int64_t>(p.framing));
    if (p.v1) {
        e.add_list("flags", to_strings(names::rdpudp_flags(p.flags)));
        e.add("length", i64(p.length));
    } else if (p.v2) {
        e.add_list("flags", to_strings(names::rdpudp2_flags(p.flags)));
        e.add("length", i64(p.length));
        if (p.dummy) e.add_bool("dummy", true);
    }
}

void fill(const ev::RdpUdpFin&, PduFields& f) { f.pdu = "rdpudp.fin"; }

// "kerberos.as_req", "kerberos.krb_error" ... (RFC 4120 names, lower case, '_' for '-').
std::string_view kerberos_pdu_name(std::uint32_t type) {
    switch (type) {
        case 10: return "kerberos.as_req";
        case 11: return "kerberos.as_rep";
        case 12: return "kerberos.tgs_req";
        case 13: return "kerberos.tgs_rep";
        case 14: return "kerberos.ap_req";
        case 15: return "kerberos.ap_rep";
        case 30: return "kerberos.krb_error";
        default: return "kerberos.malformed";
    }
}

void fill(const ev::KerberosMessage& p, PduFields& f) {
    f.pdu = p.error ? "kerberos.malformed" : kerberos_pdu_name(p.type);
    Out o(f);
    if (p.error) {
        if (!krb::msg_type_name(p.type).empty()) o.add("msg_type", std::string(krb::msg_type_name(p.type)));
        o.add("error", error_text(*p.error));
        return;
    }
    if (p.error_code) {
        o.add("error_code", *p.error_code);
        const auto en = krb::error_name(*p.error_code);
        if (!en.empty()) o.add("error_name", std::string(en));
    }
    if (!p.cname.empty()) o.add("cname", p.cname);
    if (!p.crealm.empty()) o.add("crealm", p.crealm);
    if (!p.sname.empty()) o.add("sname", p.sname);
    if (!p.srealm.empty()) o.add("srealm", p.srealm);
    if (p.e_text) o.add("e_text", *p.e_text);
    if (!p.stime.empty()) o.add("stime", p.stime);
    if (!p.till.empty()) o.add("till", p.till);
    if (!p.padata_types.empty()) {
        std::vector<std::string> types;
        for (auto t : p.padata_types) types.push_back(std::to_string(t));
        o.add_list("padata_types", std::move(types));
    }
}

}  // namespace

// ---- RD Gateway --------------------------------------------------------------

void fill(const ev::GatewayHttp& p, PduFields& f) {
    Out o(f);
    if (p.error) {
        f.pdu = "http.malformed";
        o.add("error", error_text(*p.error));
        return;
    }
    if (p.request) {
        f.pdu = "http.request";
        o.add("method", p.method);
        o.add("target", p.target);
    } else {
        f.pdu = "http.response";
        o.add("status", p.status);
        if (!p.reason.empty()) o.add("reason", p.reason);
        if (!p.schemes.empty()) o.add_list("auth_schemes", p.schemes);
    }
    if (p.websocket_upgrade) o.add_bool("websocket_upgrade", true);
}

void fill(const ev::GatewayWebSocketClose& p, PduFields& f) {
    f.pdu = "websocket.close";
    Out o(f);
    if (p.code) o.add("code", p.code);
}

// The event names of the MS-TSGU packets (static: PduFields::pdu is a view).
std::string_view tsgu_pdu_name(std::uint16_t type) {
    switch (type) {
        case tsgu::kHandshakeRequest: return "tsgu.handshake_request";
        case tsgu::kHandshakeResponse: return "tsgu.handshake_response";
        case tsgu::kExtendedAuth: return "tsgu.extended_auth";
        case tsgu::kTunnelCreate: return "tsgu.tunnel_create";
        case tsgu::kTunnelResponse: return "tsgu.tunnel_response";
        case tsgu::kTunnelAuth: return "tsgu.tunnel_auth";
        case tsgu::kTunnelAuthResponse: return "tsgu.tunnel_auth_response";
        case tsgu::kChannelCreate: return "tsgu.channel_create";
        case tsgu::kChannelResponse: return "tsgu.channel_response";
        case tsgu::kData: return "tsgu.data";
        case tsgu::kServiceMessage: return "tsgu.service_message";
        case tsgu::kReauthMessage: return "tsgu.reauth_message";
        case tsgu::kKeepalive: return "tsgu.keepalive";
        case tsgu::kCloseChannel: return "tsgu.close_channel";
        case tsgu::kCloseChannelResponse: return "tsgu.close_channel_response";
        default: return "tsgu.unknown";
    }
}

void fill(const ev::GatewayPacket& p, PduFields& f) {
    Out o(f);
    if (p.error && p.error->kind != ErrorKind::unsupported) {
        f.pdu = "tsgu.malformed";
        o.add("packet_type", std::string(tsgu::packet_type_name(p.type)));
        o.add("error", error_text(*p.error));
        return;
    }
    f.pdu = tsgu_pdu_name(p.type);
    if (p.error) o.add("packet_type_value", p.type);
    o.add("length", p.length);
    if (p.status) {
        o.add("status", fmt::format("0x{:08X}", *p.status));
        if (const char* n = tsgu::status_name(*p.status)) o.add("status_name", std::string(n));
    }
    if (p.type == tsgu::kHandshakeRequest || p.type == tsgu::kHandshakeResponse) o.add("extended_auth", p.extended_auth);
    if (p.tunnel_id) o.add("tunnel_id", *p.tunnel_id);
    if (p.channel_id) o.add("channel_id", *p.channel_id);
    if (p.udp_port) o.add("udp_port", *p.udp_port);
    if (!p.client_name.empty()) o.add("client_name", p.client_name);
    if (!p.resource.empty()) o.add("resource", p.resource);
    if (p.port) o.add("port", p.port);
    if (p.type == tsgu::kData) o.add("data_length", p.data_length);
}

// ---- The KDC proxy over HTTP/2 -------------------------------------------------

// "http2.data", "http2.headers", ... (RFC 9113 6's frame names, lower case).
std::string_view http2_pdu_name(std::uint16_t type) {
    switch (type) {
        case ev::Http2Frame::kPrefaceType: return "http2.preface";
        case http2::kData: return "http2.data";
        case http2::kHeaders: return "http2.headers";
        case http2::kPriority: return "http2.priority";
        case http2::kRstStream: return "http2.rst_stream";
        case http2::kSettings: return "http2.settings";
        case http2::kPushPromise: return "http2.push_promise";
        case http2::kPing: return "http2.ping";
        case http2::kGoaway: return "http2.goaway";
        case http2::kWindowUpdate: return "http2.window_update";
        case http2::kContinuation: return "http2.continuation";
        default: return "http2.unknown";
    }
}

void fill(const ev::Http2Frame& p, PduFields& f) {
    Out o(f);
    if (p.error) {
        f.pdu = "http2.malformed";
        if (p.type != ev::Http2Frame::kPrefaceType) o.add("frame_type", std::string(http2::type_name(static_cast<std::uint8_t>(p.type))));
        o.add("stream", p.stream_id);
        o.add("error", error_text(*p.error));
        return;
    }
    f.pdu = http2_pdu_name(p.type);
    if (p.type == ev::Http2Frame::kPrefaceType) return;
    if (p.type > http2::kContinuation) o.add("frame_type_value", p.type);
    o.add("stream", p.stream_id);
    o.add("length", p.length);
    if (p.flags) o.add("flags", fmt::format("0x{:02x}", p.flags));
    if ((p.type == http2::kData || p.type == http2::kHeaders) && (p.flags & http2::kEndStream)) o.add_bool("end_stream", true);
    if ((p.type == http2::kSettings || p.type == http2::kPing) && (p.flags & http2::kAck)) o.add_bool("ack", true);
    if (p.pad_length) o.add("pad_length", p.pad_length);
    if (p.type == http2::kData) o.add("data_length", p.data_length);
    if (!p.settings.empty()) {
        std::vector<std::string> list;
        for (const auto& [id, v] : p.settings) {
            const auto n = http2::setting_name(id);
            list.push_back(fmt::format("{}={}", n.empty() ? fmt::format("0x{:x}", id) : std::string(n), v));
        }
        o.add_list("settings", std::move(list));
    }
    if (p.error_code) {
        o.add("error_code", *p.error_code);
        if (const auto n = http2::error_name(*p.error_code); !n.empty()) o.add("error_name", std::string(n));
    }
    if (p.type == http2::kGoaway) o.add("last_stream", p.last_stream_id);
    if (p.type == http2::kWindowUpdate) o.add("increment", p.increment);
    if (p.headers_done) {
        if (!p.method.empty()) o.add("method", p.method);
        if (!p.path.empty()) o.add("path", p.path);
        if (!p.authority.empty()) o.add("authority", p.authority);
        if (!p.status.empty()) o.add("status", p.status);
        if (!p.content_type.empty()) o.add("content_type", p.content_type);
        if (p.content_length) o.add("content_length", i64(*p.content_length));
        o.add("header_count", p.header_count);
    }
}

void fill(const ev::KdcProxyMessage& p, PduFields& f) {
    Out o(f);
    f.pdu = p.error ? "kkdcp.malformed" : "kkdcp.message";
    if (p.stream_id) o.add("stream", p.stream_id);  // HTTP/2's; over HTTP/1.1 none
    o.add("from", std::string(p.request ? "client" : "kdc_proxy"));
    if (p.error) {
        o.add("error", error_text(*p.error));
        return;
    }
    o.add("kerberos_length", p.length);
    if (p.target_domain) o.add("target_domain", *p.target_domain);
    if (p.dclocator_hint) o.add("dclocator_hint", *p.dclocator_hint);
}

PduFields pdu_fields(const Pdu& pdu) {
    PduFields f;
    std::visit([&f](const auto& p) {
        fill(p, f);
        // Said last, on the first event of an MCS PDU that came from the wrong side.
        if constexpr (std::is_base_of_v<ev::McsPdu, std::decay_t<decltype(p)>>)
            if (p.wrong_direction) Out(f).add_bool("wrong_direction", true);
    }, pdu);
    return f;
}

std::string_view pdu_name(const Pdu& pdu) { return pdu_fields(pdu).pdu; }

}  // namespace rdpscope
