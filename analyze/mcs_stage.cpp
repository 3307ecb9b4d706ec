#include "analyze/mcs_stage.hpp"

#include <fmt/format.h>

#include "analyze/text.hpp"
#include "dissect/gcc.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_security.hpp"
#include "dissect/x509.hpp"

namespace rdpscope {

namespace {

std::string describe(const DecodeError& e) {
    return fmt::format("{} {} {} at byte {}", e.layer, e.field, to_string(e.kind), e.offset);
}

std::vector<std::string> to_strings(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }

bool wrong_direction(const mcs::Pdu& p, Dir dir) {
    const auto s = mcs::sender(p);
    if (!s) return false;
    return (*s == Dir::c2s) != (dir == Dir::c2s);
}

}  // namespace

void McsStage::note_error(const std::string& what, std::uint64_t frame) {
    if (facts_.error.empty()) {
        facts_.error = what;
        facts_.error_frame = frame;
    }
}

void McsStage::on_data_tpdu(Dir dir, Bytes user_data, std::uint64_t frame, std::int64_t ts_ns,
                            std::vector<PduEvent>& out) {
    if (dir == Dir::s2c) {
        facts_.last_server_pdu_frame = frame;
        facts_.last_server_pdu_ts = ts_ns;
    } else {
        facts_.last_client_pdu_frame = frame;
        facts_.last_client_pdu_ts = ts_ns;
    }
    auto decoded = mcs::decode(user_data);
    if (!decoded) {
        // The TPDU is complete (TPKT framed): running out of bytes is malformed too.
        const std::string what = describe(decoded.error());
        note_error(what, frame);
        PduEvent e{frame, ts_ns, "mcs.error", {}};
        e.add("error", what);
        e.add("length", i64(user_data.size()));
        out.push_back(std::move(e));
        return;
    }
    const mcs::Pdu& pdu = decoded.value();
    const bool wrong_dir = wrong_direction(pdu, dir);
    const std::size_t first_event = out.size();

    if (auto* ci = std::get_if<mcs::ConnectInitial>(&pdu)) {
        on_connect_initial(*ci, frame, ts_ns, out);
    } else if (auto* cr = std::get_if<mcs::ConnectResponse>(&pdu)) {
        on_connect_response(*cr, frame, ts_ns, out);
    } else if (auto* ed = std::get_if<mcs::ErectDomainRequest>(&pdu)) {
        if (!facts_.erect_domain_frame) {
            facts_.erect_domain_frame = frame;
            facts_.erect_domain_ts = ts_ns;
        }
        PduEvent e{frame, ts_ns, "mcs.erect_domain", {}};
        e.add("sub_height", i64(ed->sub_height)).add("sub_interval", i64(ed->sub_interval));
        out.push_back(std::move(e));
    } else if (std::holds_alternative<mcs::AttachUserRequest>(pdu)) {
        if (!facts_.attach_user_request_frame) {
            facts_.attach_user_request_frame = frame;
            facts_.attach_user_request_ts = ts_ns;
        }
        out.push_back(PduEvent{frame, ts_ns, "mcs.attach_user_request", {}});
    } else if (auto* auc = std::get_if<mcs::AttachUserConfirm>(&pdu)) {
        if (!facts_.attach_user_confirm_frame) {
            facts_.attach_user_confirm_frame = frame;
            facts_.attach_user_confirm_ts = ts_ns;
            facts_.attach_user_result = auc->result;
            if (auc->initiator) facts_.user_channel = *auc->initiator;
        }
        PduEvent e{frame, ts_ns, "mcs.attach_user_confirm", {}};
        e.add("result", auc->result).add("result_name", std::string(names::mcs_result(auc->result)));
        if (auc->initiator) e.add("initiator", *auc->initiator);
        out.push_back(std::move(e));
    } else if (auto* cjr = std::get_if<mcs::ChannelJoinRequest>(&pdu)) {
        ++facts_.channel_join_requests;
        facts_.last_channel_join_request_frame = frame;
        if (facts_.joins.size() < McsFacts::kMaxJoins)
            facts_.joins.push_back({cjr->channel_id, frame, 0, std::nullopt});
        PduEvent e{frame, ts_ns, "mcs.channel_join_request", {}};
        e.add("initiator", cjr->initiator).add("channel_id", cjr->channel_id);
        out.push_back(std::move(e));
    } else if (auto* cjc = std::get_if<mcs::ChannelJoinConfirm>(&pdu)) {
        ++facts_.channel_join_confirms;
        facts_.last_channel_join_confirm_frame = frame;
        if (cjc->result != 0 && !facts_.failed_join_result) facts_.failed_join_result = cjc->result;
        // The confirm answers the oldest unanswered request for that channel.
        for (auto& j : facts_.joins) {
            if (j.channel_id == cjc->requested && !j.confirm_frame) {
                j.confirm_frame = frame;
                j.result = cjc->result;
                break;
            }
        }
        PduEvent e{frame, ts_ns, "mcs.channel_join_confirm", {}};
        e.add("result", cjc->result).add("result_name", std::string(names::mcs_result(cjc->result)));
        e.add("initiator", cjc->initiator).add("requested", cjc->requested);
        if (cjc->channel_id) e.add("channel_id", *cjc->channel_id);
        out.push_back(std::move(e));
    } else if (auto* sdr = std::get_if<mcs::SendDataRequest>(&pdu)) {
        on_send_data(dir, *sdr, frame, ts_ns, out);
    } else if (auto* sdi = std::get_if<mcs::SendDataIndication>(&pdu)) {
        on_send_data(dir, *sdi, frame, ts_ns, out);
    } else if (auto* dpu = std::get_if<mcs::DisconnectProviderUltimatum>(&pdu)) {
        if (!facts_.disconnect_frame) {
            facts_.disconnect_frame = frame;
            facts_.disconnect_ts = ts_ns;
            facts_.disconnect_reason = dpu->reason;
            facts_.disconnect_from = dir;
        }
        PduEvent e{frame, ts_ns, "mcs.disconnect_provider_ultimatum", {}};
        e.add("reason", dpu->reason).add("reason_name", std::string(names::mcs_reason(dpu->reason)));
        out.push_back(std::move(e));
    } else {
        PduEvent e{frame, ts_ns, "mcs.other", {}};
        e.add("name", mcs::pdu_name(pdu));
        out.push_back(std::move(e));
    }
    if (wrong_dir && out.size() > first_event) out[first_event].add_bool("wrong_direction", true);
}

void McsStage::on_connect_initial(const mcs::ConnectInitial& ci, std::uint64_t frame, std::int64_t ts_ns,
                                  std::vector<PduEvent>& out) {
    const bool first = !facts_.connect_initial_frame;
    if (first) {
        facts_.connect_initial_frame = frame;
        facts_.connect_initial_ts = ts_ns;
    }
    PduEvent e{frame, ts_ns, "mcs.connect_initial", {}};
    e.add("max_channel_ids", i64(ci.target.max_channel_ids));
    e.add("max_mcs_pdu_size", i64(ci.target.max_mcs_pdu_size));
    if (ci.gcc_error) {
        const std::string what = describe(*ci.gcc_error);
        note_error(what, frame);
        e.add("error", what);
    }
    out.push_back(std::move(e));
    if (!ci.gcc) return;
    const gcc::ClientSettings& s = ci.gcc->settings;

    if (s.core) {
        const auto& c = *s.core;
        if (first) {
            facts_.client_version = c.version;
            facts_.client_build = c.client_build;
            facts_.client_name = c.client_name;
            facts_.keyboard_layout = c.keyboard_layout;
            facts_.desktop_width = c.desktop_width;
            facts_.desktop_height = c.desktop_height;
            if (auto bits = c.effective_color_depth()) facts_.color_depth = *bits;
            facts_.requested_color_depth = c.zeek_requested_color_depth();
            if (c.client_dig_product_id) facts_.client_dig_product_id = *c.client_dig_product_id;
            facts_.early_capability_flags = c.early_capability_flags;
            facts_.server_selected_protocol = c.server_selected_protocol;
        }
        PduEvent g{frame, ts_ns, "gcc.client_core", {}};
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
        out.push_back(std::move(g));
    }
    if (s.security) {
        if (first) facts_.client_encryption_methods = s.security->encryption_methods;
        PduEvent g{frame, ts_ns, "gcc.client_security", {}};
        g.add("encryption_methods", s.security->encryption_methods);
        g.add_list("encryption_methods_names", names::encryption_method_flags(s.security->encryption_methods));
        if (s.security->ext_encryption_methods) g.add("ext_encryption_methods", s.security->ext_encryption_methods);
        out.push_back(std::move(g));
    }
    if (s.network) {
        std::vector<std::string> channels;
        for (const auto& ch : s.network->channels) channels.push_back(printable(ch.name));
        if (first) facts_.channels = channels;
        PduEvent g{frame, ts_ns, "gcc.client_network", {}};
        g.add("channel_count", s.network->channel_count);
        g.add_list("channels", std::move(channels));
        out.push_back(std::move(g));
    }
    if (s.cluster) {
        if (first) facts_.cluster_flags = s.cluster->flags;
        PduEvent g{frame, ts_ns, "gcc.client_cluster", {}};
        g.add("flags", s.cluster->flags);
        g.add_bool("redirection_supported", s.cluster->redirection_supported());
        g.add("redirection_version", s.cluster->redirection_version() + 1);
        if (s.cluster->session_id_valid()) g.add("redirected_session_id", s.cluster->redirected_session_id);
        out.push_back(std::move(g));
    }
    if (s.monitor) {
        if (first) facts_.monitor_count = s.monitor->monitor_count;
        PduEvent g{frame, ts_ns, "gcc.client_monitor", {}};
        g.add("flags", s.monitor->flags).add("monitor_count", s.monitor->monitor_count);
        out.push_back(std::move(g));
    }
    if (s.multitransport_flags) {
        if (first) facts_.client_multitransport_flags = s.multitransport_flags;
        PduEvent g{frame, ts_ns, "gcc.client_multitransport", {}};
        g.add("flags", *s.multitransport_flags);
        out.push_back(std::move(g));
    }
}

void McsStage::on_connect_response(const mcs::ConnectResponse& cr, std::uint64_t frame, std::int64_t ts_ns,
                                   std::vector<PduEvent>& out) {
    const bool first = !facts_.connect_response_frame;
    if (first) {
        facts_.connect_response_frame = frame;
        facts_.connect_response_ts = ts_ns;
        facts_.connect_result = cr.result;
        if (cr.gcc) facts_.gcc_result = cr.gcc->result;
    }
    PduEvent e{frame, ts_ns, "mcs.connect_response", {}};
    e.add("result", i64(cr.result)).add("result_name", std::string(names::mcs_result(cr.result)));
    e.add("max_mcs_pdu_size", i64(cr.domain_parameters.max_mcs_pdu_size));
    if (cr.gcc) e.add("gcc_result", cr.gcc->result).add("gcc_result_name", names::gcc_result(cr.gcc->result));
    if (cr.gcc_error) {
        const std::string what = describe(*cr.gcc_error);
        note_error(what, frame);
        e.add("error", what);
    }
    out.push_back(std::move(e));
    if (!cr.gcc) return;
    const gcc::ServerSettings& s = cr.gcc->settings;

    if (s.core) {
        if (first) {
            facts_.server_version = s.core->version;
            facts_.server_requested_protocols = s.core->client_requested_protocols;
        }
        PduEvent g{frame, ts_ns, "gcc.server_core", {}};
        g.add("version", s.core->version);
        if (auto v = names::rdp_version(s.core->version); !v.empty()) g.add("version_name", std::string(v));
        if (s.core->client_requested_protocols) g.add("client_requested_protocols", *s.core->client_requested_protocols);
        if (s.core->early_capability_flags) g.add("early_capability_flags", *s.core->early_capability_flags);
        out.push_back(std::move(g));
    }
    if (s.security) {
        const auto& sec = *s.security;
        PduEvent g{frame, ts_ns, "gcc.server_security", {}};
        g.add("encryption_method", sec.encryption_method).add("encryption_method_name", names::encryption_method(sec.encryption_method));
        g.add("encryption_level", sec.encryption_level).add("encryption_level_name", names::encryption_level(sec.encryption_level));
        if (sec.server_random_len) g.add("server_random_length", *sec.server_random_len);
        if (sec.certificate) {
            const auto& cert = *sec.certificate;
            g.add("server_cert_type", cert.chain_version()).add("server_cert_type_name", names::cert_type(cert.chain_version()));
            g.add("cert_count", i64(cert.count()));
            g.add_bool("permanent", cert.permanent());
        }
        if (sec.certificate_error) {
            const std::string what = describe(*sec.certificate_error);
            g.add("error", what);
            if (first) facts_.server_security_error = what;
        }
        if (first) {
            facts_.server_encryption_method = sec.encryption_method;
            facts_.server_encryption_level = sec.encryption_level;
            fips_ = sec.encryption_method == 0x10;
            if (sec.certificate) {
                facts_.server_cert_chain_version = sec.certificate->chain_version();
                facts_.server_cert_count = sec.certificate->count();
                facts_.server_cert_permanent = sec.certificate->permanent();
                const std::int64_t now_s = ts_ns / 1'000'000'000;
                for (Bytes der : sec.certificate->x509_chain) {
                    auto c = x509::describe(der, now_s);
                    if (c) facts_.server_x509_chain.push_back(std::move(c.value()));
                    else if (facts_.server_security_error.empty())
                        facts_.server_security_error = describe(c.error());
                }
            }
        }
        out.push_back(std::move(g));
    }
    if (s.network) {
        if (first) {
            facts_.io_channel = s.network->mcs_channel_id;
            facts_.channel_ids = s.network->channel_ids;
        }
        PduEvent g{frame, ts_ns, "gcc.server_network", {}};
        g.add("io_channel", s.network->mcs_channel_id).add("channel_count", s.network->channel_count);
        out.push_back(std::move(g));
    }
    if (s.message_channel_id) {
        if (first) facts_.message_channel = s.message_channel_id;
        PduEvent g{frame, ts_ns, "gcc.server_message_channel", {}};
        g.add("channel_id", *s.message_channel_id);
        out.push_back(std::move(g));
    }
    if (s.multitransport_flags) {
        if (first) facts_.server_multitransport_flags = s.multitransport_flags;
        PduEvent g{frame, ts_ns, "gcc.server_multitransport", {}};
        g.add("flags", *s.multitransport_flags);
        out.push_back(std::move(g));
    }
}

void McsStage::on_send_data(Dir dir, const mcs::SendData& sd, std::uint64_t frame, std::int64_t ts_ns,
                            std::vector<PduEvent>& out) {
    const int d = dir_index(dir);
    ++facts_.send_data[d];
    facts_.send_data_bytes[d] += sd.user_data.size();
    const bool after_info = facts_.client_info_frame != 0;
    if (after_info) {
        ++facts_.pdus_after_client_info[d];
        if (!facts_.first_pdu_after_client_info_frame[d]) facts_.first_pdu_after_client_info_frame[d] = frame;
    }
    // Does a security header start the user data?  Under standard RDP security
    // every PDU up to licensing carries one; after licensing only when the
    // server chose encryption (MS-RDPBCGR 2.2.8.1.1.2).  Without encryption,
    // what follows licensing starts with a Share Control Header (its first
    // field the PDU length) or a channel PDU header: only a licensing PDU on
    // the I/O channel still carries a security header then.
    bool header = true;
    const bool no_encryption = facts_.server_encryption_method == 0u && facts_.server_encryption_level == 0u;
    if (no_encryption && facts_.license_frame) {
        header = false;
        if (sd.user_data.size() >= 4 && (!facts_.io_channel || sd.channel_id == *facts_.io_channel)) {
            const std::uint16_t first16 = static_cast<std::uint16_t>(sd.user_data[0] | sd.user_data[1] << 8);
            header = first16 != sd.user_data.size() && (first16 & rdpsec::SEC_LICENSE_PKT) != 0;
        }
    }
    auto data_event = [&](std::optional<std::uint16_t> flags, bool encrypted) {
        // After the Client Info the Send Data PDUs are the session: the first few
        // are shown, the rest counted.
        if (after_info && data_events_[d]++ >= kMcsDataEvents) return;
        PduEvent e{frame, ts_ns, "mcs.send_data", {}};
        e.add("channel_id", sd.channel_id).add("length", i64(sd.user_data.size()));
        if (flags) {
            e.add_bool("encrypted", encrypted);
            if (auto f = names::security_flags(*flags); !f.empty()) e.add_list("security_flags", to_strings(f));
        }
        out.push_back(std::move(e));
    };
    if (!header) {
        data_event(std::nullopt, false);
        return;
    }
    auto sec = rdpsec::decode(sd.user_data, rdpsec::Options{fips_});
    if (!sec) {
        const std::string what = describe(sec.error());
        note_error(what, frame);
        PduEvent e{frame, ts_ns, "rdp.error", {}};
        e.add("channel_id", sd.channel_id).add("length", i64(sd.user_data.size())).add("error", what);
        out.push_back(std::move(e));
        return;
    }
    const rdpsec::SecurityHeader& h = sec->header;
    if (auto* x = std::get_if<rdpsec::SecurityExchange>(&sec->body)) {
        if (!facts_.security_exchange_frame) {
            facts_.security_exchange_frame = frame;
            facts_.security_exchange_ts = ts_ns;
        }
        PduEvent e{frame, ts_ns, "rdp.security_exchange", {}};
        e.add("length", x->length);
        out.push_back(std::move(e));
    } else if (auto* ci = std::get_if<rdpsec::ClientInfo>(&sec->body)) {
        if (!facts_.client_info_frame && dir == Dir::c2s) {
            facts_.client_info_frame = frame;
            facts_.client_info_ts = ts_ns;
            facts_.client_info_encrypted = ci->encrypted;
        }
        PduEvent e{frame, ts_ns, "rdp.client_info", {}};
        e.add_bool("encrypted", ci->encrypted);
        e.add("length", i64(ci->payload.size()));
        if (ci->clear) {
            e.add("code_page", ci->clear->code_page).add("flags", ci->clear->flags);
            if (!ci->clear->domain.empty()) e.add("domain", ci->clear->domain);
            if (!ci->clear->user_name.empty()) e.add("user_name", ci->clear->user_name);
        } else if (ci->clear_error) {
            e.add("error", describe(*ci->clear_error));
        }
        out.push_back(std::move(e));
    } else if (auto* l = std::get_if<rdpsec::License>(&sec->body)) {
        if (!facts_.license_frame && dir == Dir::s2c) {
            facts_.license_frame = frame;
            facts_.license_ts = ts_ns;
            facts_.license_encrypted = l->encrypted;
            facts_.license_msg_type = l->msg_type;
            facts_.license_error_code = l->error_code;
        }
        PduEvent e{frame, ts_ns, "rdp.license", {}};
        e.add_bool("encrypted", l->encrypted);
        if (l->msg_type) {
            e.add("msg_type", *l->msg_type);
            if (auto n = names::license_msg_type(*l->msg_type); !n.empty()) e.add("msg_type_name", std::string(n));
        }
        if (l->error_code) {
            e.add("error_code", *l->error_code);
            if (auto n = names::license_error_code(*l->error_code); !n.empty()) e.add("error_code_name", std::string(n));
        }
        if (l->state_transition) e.add("state_transition", *l->state_transition);
        out.push_back(std::move(e));
    } else {
        data_event(h.flags, h.encrypted());
    }
}

}  // namespace rdpscope
