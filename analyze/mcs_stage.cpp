// SPDX-License-Identifier: MIT
#include "analyze/mcs_stage.hpp"

#include <fmt/format.h>

#include <type_traits>

#include "analyze/text.hpp"
#include "dissect/gcc.hpp"
#include "dissect/rdp_security.hpp"
#include "dissect/rdp_share.hpp"
#include "dissect/x509.hpp"

namespace rdpscope {

namespace {

bool wrong_direction(const mcs::Pdu& p, Dir dir) {
    const auto s = mcs::sender(p);
    if (!s) return false;
    return (*s == Dir::c2s) != (dir == Dir::c2s);
}

}  // namespace

bool McsStage::is_virtual_channel(std::uint16_t channel_id) const {
    for (auto id : facts_.channel_ids)
        if (id == channel_id) return true;
    return false;
}

void McsStage::on_fast_path(Dir dir, std::uint64_t frame, std::int64_t ts_ns) {
    const int d = dir_index(dir);
    ++facts_.fastpath_pdus[d];
    if (!facts_.first_fastpath_frame[d]) facts_.first_fastpath_frame[d] = frame;
    if (dir == Dir::s2c) {
        facts_.last_server_pdu_frame = frame;
        facts_.last_server_pdu_ts = ts_ns;
    } else {
        facts_.last_client_pdu_frame = frame;
        facts_.last_client_pdu_ts = ts_ns;
    }
}

bool McsStage::on_share(Dir dir, const mcs::SendData& sd, std::uint64_t frame, std::int64_t ts_ns, bool after_info,
                        std::vector<PduEvent>& out) {
    if (is_virtual_channel(sd.channel_id)) return false;
    auto decoded = share::decode(sd.user_data);
    if (!decoded) {
        // Not counted as the connection's MCS error: the sequence itself decoded.
        ev::RdpShareError e;
        e.channel_id = sd.channel_id;
        e.length = sd.user_data.size();
        e.error = decoded.error();
        out.push_back(PduEvent{frame, ts_ns, e});
        return true;
    }
    const share::Pdu& p = *decoded;
    const int d = dir_index(dir);
    ev::RdpShareControl e;
    e.pdu_type = p.header.type();
    bool always = true;  // a PDU of the connection sequence (or its end): always shown
    if (std::holds_alternative<share::Flow>(p.body)) {
        e.flow = true;
        always = false;
    } else if (auto* da = std::get_if<share::DemandActive>(&p.body)) {
        if (dir == Dir::s2c && !facts_.demand_active_frame) {
            facts_.demand_active_frame = frame;
            facts_.demand_active_ts = ts_ns;
            facts_.session_id = da->session_id;
        }
        e.share_id = da->share_id;
        e.source_descriptor = da->source_descriptor;
        e.capability_sets = da->capability_sets;
        e.session_id = da->session_id;
    } else if (auto* ca = std::get_if<share::ConfirmActive>(&p.body)) {
        if (dir == Dir::c2s && !facts_.confirm_active_frame) {
            facts_.confirm_active_frame = frame;
            facts_.confirm_active_ts = ts_ns;
        }
        e.share_id = ca->share_id;
        e.source_descriptor = ca->source_descriptor;
        e.capability_sets = ca->capability_sets;
    } else if (auto* da2 = std::get_if<share::DeactivateAll>(&p.body)) {
        if (dir == Dir::s2c && !facts_.deactivate_frame) facts_.deactivate_frame = frame;
        e.share_id = da2->share_id;
    } else if (auto* red = std::get_if<share::ServerRedirection>(&p.body)) {
        if (dir == Dir::s2c && !facts_.redirection)
            facts_.redirection = McsFacts::Redirection{frame, ts_ns, red->session_id, red->redir_flags, red->target_net_address};
        ev::RdpServerRedirection r;
        r.session_id = red->session_id;
        r.redir_flags = red->redir_flags;
        r.target_net_address = red->target_net_address;
        r.user_name = red->user_name;
        r.domain = red->domain;
        out.push_back(PduEvent{frame, ts_ns, std::move(r)});
        return true;
    } else if (auto* data = std::get_if<share::Data>(&p.body)) {
        e.share_id = data->share_id;
        e.pdu_type2 = data->pdu_type2;
        e.compressed = data->compressed();
        if (auto* err = std::get_if<share::SetErrorInfo>(&data->body)) {
            if (dir == Dir::s2c && err->error_info != 0) {
                facts_.error_info = err->error_info;
                facts_.error_info_frame = frame;
                facts_.error_info_ts = ts_ns;
            }
            ev::RdpSetErrorInfo x;
            x.error_info = err->error_info;
            out.push_back(PduEvent{frame, ts_ns, x});
            return true;
        }
        if (auto* ssi = std::get_if<share::SaveSessionInfo>(&data->body)) {
            if (dir == Dir::s2c) {
                ++facts_.save_session_infos;
                const bool logon = ssi->info_type != share::SaveSessionInfo::INFOTYPE_LOGON_EXTENDED_INFO;
                if (logon && !facts_.logon)
                    facts_.logon = McsFacts::Logon{frame, ts_ns, ssi->info_type, ssi->domain, ssi->user_name, ssi->session_id};
                if (ssi->error_notification_type) {
                    facts_.logon_error_type = ssi->error_notification_type;
                    facts_.logon_error_data = ssi->error_notification_data;
                    facts_.logon_error_frame = frame;
                }
            }
            ev::RdpSaveSessionInfo x;
            x.info_type = ssi->info_type;
            x.domain = ssi->domain;
            x.user_name = ssi->user_name;
            x.session_id = ssi->session_id;
            x.fields_present = ssi->fields_present;
            x.error_notification_type = ssi->error_notification_type;
            x.error_notification_data = ssi->error_notification_data;
            out.push_back(PduEvent{frame, ts_ns, std::move(x)});
            return true;
        }
        if (auto* c = std::get_if<share::Control>(&data->body)) e.action = c->action;
        switch (data->pdu_type2) {
            case share::PDUTYPE2_FONTLIST:
                if (dir == Dir::c2s) facts_.font_list_frame = frame;
                break;
            case share::PDUTYPE2_FONTMAP:
                if (dir == Dir::s2c && !facts_.font_map_frame) {
                    facts_.font_map_frame = frame;
                    facts_.font_map_ts = ts_ns;
                }
                break;
            case share::PDUTYPE2_SYNCHRONIZE:
            case share::PDUTYPE2_CONTROL:
            case share::PDUTYPE2_SHUTDOWN_REQUEST:
            case share::PDUTYPE2_SHUTDOWN_DENIED:
            case share::PDUTYPE2_BITMAPCACHE_PERSISTENT_LIST:
                break;
            default:
                always = false;
        }
    }
    if (!always && after_info && data_events_[d]++ >= kMcsDataEvents) return true;  // counted, not shown
    out.push_back(PduEvent{frame, ts_ns, std::move(e)});
    return true;
}

void McsStage::note_error(const DecodeError& e, std::uint64_t frame) {
    if (!facts_.error) {
        facts_.error = e;
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
        note_error(decoded.error(), frame);
        ev::McsError e;
        e.error = decoded.error();
        e.length = user_data.size();
        out.push_back(PduEvent{frame, ts_ns, std::move(e)});
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
        ev::McsErectDomain e;
        e.sub_height = ed->sub_height;
        e.sub_interval = ed->sub_interval;
        out.push_back(PduEvent{frame, ts_ns, e});
    } else if (std::holds_alternative<mcs::AttachUserRequest>(pdu)) {
        if (!facts_.attach_user_request_frame) {
            facts_.attach_user_request_frame = frame;
            facts_.attach_user_request_ts = ts_ns;
        }
        out.push_back(PduEvent{frame, ts_ns, ev::McsAttachUserRequest{}});
    } else if (auto* auc = std::get_if<mcs::AttachUserConfirm>(&pdu)) {
        if (!facts_.attach_user_confirm_frame) {
            facts_.attach_user_confirm_frame = frame;
            facts_.attach_user_confirm_ts = ts_ns;
            facts_.attach_user_result = auc->result;
            if (auc->initiator) facts_.user_channel = *auc->initiator;
        }
        ev::McsAttachUserConfirm e;
        e.result = auc->result;
        e.initiator = auc->initiator;
        out.push_back(PduEvent{frame, ts_ns, e});
    } else if (auto* cjr = std::get_if<mcs::ChannelJoinRequest>(&pdu)) {
        ++facts_.channel_join_requests;
        facts_.last_channel_join_request_frame = frame;
        if (facts_.joins.size() < McsFacts::kMaxJoins)
            facts_.joins.push_back({cjr->channel_id, frame, 0, std::nullopt});
        ev::McsChannelJoinRequest e;
        e.initiator = cjr->initiator;
        e.channel_id = cjr->channel_id;
        out.push_back(PduEvent{frame, ts_ns, e});
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
        ev::McsChannelJoinConfirm e;
        e.result = cjc->result;
        e.initiator = cjc->initiator;
        e.requested = cjc->requested;
        e.channel_id = cjc->channel_id;
        out.push_back(PduEvent{frame, ts_ns, e});
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
        ev::McsDisconnectProviderUltimatum e;
        e.reason = dpu->reason;
        out.push_back(PduEvent{frame, ts_ns, e});
    } else {
        ev::McsOther e;
        if (auto* oc = std::get_if<mcs::OtherConnectPdu>(&pdu)) {
            e.connect_pdu = true;
            e.number = oc->tag;
        } else if (auto* od = std::get_if<mcs::OtherDomainPdu>(&pdu)) {
            e.number = od->choice;
        }
        out.push_back(PduEvent{frame, ts_ns, e});
    }
    if (wrong_dir && out.size() > first_event)
        std::visit([](auto& p) {
            if constexpr (std::is_base_of_v<ev::McsPdu, std::decay_t<decltype(p)>>) p.wrong_direction = true;
        }, out[first_event].pdu);
}

void McsStage::on_connect_initial(const mcs::ConnectInitial& ci, std::uint64_t frame, std::int64_t ts_ns,
                                  std::vector<PduEvent>& out) {
    const bool first = !facts_.connect_initial_frame;
    if (first) {
        facts_.connect_initial_frame = frame;
        facts_.connect_initial_ts = ts_ns;
    }
    ev::McsConnectInitial e;
    e.max_channel_ids = ci.target.max_channel_ids;
    e.max_mcs_pdu_size = ci.target.max_mcs_pdu_size;
    if (ci.gcc_error) {
        note_error(*ci.gcc_error, frame);
        e.gcc_error = ci.gcc_error;
    }
    out.push_back(PduEvent{frame, ts_ns, e});
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
        ev::GccClientCore g;
        g.core = c;
        out.push_back(PduEvent{frame, ts_ns, std::move(g)});
    }
    if (s.security) {
        if (first) facts_.client_encryption_methods = s.security->encryption_methods;
        ev::GccClientSecurity g;
        g.security = *s.security;
        out.push_back(PduEvent{frame, ts_ns, g});
    }
    if (s.network) {
        ev::GccClientNetwork g;
        g.channel_count = s.network->channel_count;
        for (const auto& ch : s.network->channels) {
            if (first) facts_.channels.push_back(printable(ch.name));
            g.channels.emplace_back(ch.name);
        }
        out.push_back(PduEvent{frame, ts_ns, std::move(g)});
    }
    if (s.cluster) {
        if (first) facts_.cluster_flags = s.cluster->flags;
        ev::GccClientCluster g;
        g.cluster = *s.cluster;
        out.push_back(PduEvent{frame, ts_ns, g});
    }
    if (s.monitor) {
        if (first) facts_.monitor_count = s.monitor->monitor_count;
        ev::GccClientMonitor g;
        g.flags = s.monitor->flags;
        g.monitor_count = s.monitor->monitor_count;
        out.push_back(PduEvent{frame, ts_ns, g});
    }
    if (s.multitransport_flags) {
        if (first) facts_.client_multitransport_flags = s.multitransport_flags;
        ev::GccClientMultitransport g;
        g.flags = *s.multitransport_flags;
        out.push_back(PduEvent{frame, ts_ns, g});
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
    ev::McsConnectResponse e;
    e.result = cr.result;
    e.max_mcs_pdu_size = cr.domain_parameters.max_mcs_pdu_size;
    if (cr.gcc) e.gcc_result = cr.gcc->result;
    if (cr.gcc_error) {
        note_error(*cr.gcc_error, frame);
        e.gcc_error = cr.gcc_error;
    }
    out.push_back(PduEvent{frame, ts_ns, e});
    if (!cr.gcc) return;
    const gcc::ServerSettings& s = cr.gcc->settings;

    if (s.core) {
        if (first) {
            facts_.server_version = s.core->version;
            facts_.server_requested_protocols = s.core->client_requested_protocols;
        }
        ev::GccServerCore g;
        g.core = *s.core;
        out.push_back(PduEvent{frame, ts_ns, g});
    }
    if (s.security) {
        const auto& sec = *s.security;
        ev::GccServerSecurity g;
        g.encryption_method = sec.encryption_method;
        g.encryption_level = sec.encryption_level;
        g.server_random_length = sec.server_random_len;
        if (sec.certificate) {
            const auto& cert = *sec.certificate;
            g.has_certificate = true;
            g.cert_chain_version = cert.chain_version();
            g.cert_count = cert.count();
            g.cert_permanent = cert.permanent();
        }
        if (sec.certificate_error) {
            g.certificate_error = sec.certificate_error;
            if (first) facts_.server_security_error = sec.certificate_error;
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
                    else if (!facts_.server_security_error)
                        facts_.server_security_error = c.error();
                }
            }
        }
        out.push_back(PduEvent{frame, ts_ns, g});
    }
    if (s.network) {
        if (first) {
            facts_.io_channel = s.network->mcs_channel_id;
            facts_.channel_ids = s.network->channel_ids;
        }
        ev::GccServerNetwork g;
        g.io_channel = s.network->mcs_channel_id;
        g.channel_count = s.network->channel_count;
        out.push_back(PduEvent{frame, ts_ns, g});
    }
    if (s.message_channel_id) {
        if (first) facts_.message_channel = s.message_channel_id;
        ev::GccServerMessageChannel g;
        g.channel_id = *s.message_channel_id;
        out.push_back(PduEvent{frame, ts_ns, g});
    }
    if (s.multitransport_flags) {
        if (first) facts_.server_multitransport_flags = s.multitransport_flags;
        ev::GccServerMultitransport g;
        g.flags = *s.multitransport_flags;
        out.push_back(PduEvent{frame, ts_ns, g});
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
    if (facts_.decrypted) {
        // Enhanced RDP Security (MS-RDPBCGR 5.4): a security header only on
        // the Client Info, licensing, auto-detect and multitransport PDUs
        // (2.2.1.11, 2.2.1.12, 2.2.14, 2.2.15).  A Share Control PDU starts
        // with its own total length (or 0x8000, a flow PDU); a virtual
        // channel's data with its channel PDU header.
        const std::uint16_t first16 =
            sd.user_data.size() >= 2 ? static_cast<std::uint16_t>(sd.user_data[0] | sd.user_data[1] << 8) : 0;
        header = !is_virtual_channel(sd.channel_id) && first16 != sd.user_data.size() && first16 != 0x8000;
    } else if (no_encryption && facts_.license_frame) {
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
        ev::McsSendData e;
        e.channel_id = sd.channel_id;
        e.length = sd.user_data.size();
        e.security_flags = flags;
        e.encrypted = encrypted;
        out.push_back(PduEvent{frame, ts_ns, e});
    };
    if (!header) {
        if (!on_share(dir, sd, frame, ts_ns, after_info, out)) data_event(std::nullopt, false);
        return;
    }
    auto sec = rdpsec::decode(sd.user_data, rdpsec::Options{fips_});
    if (!sec) {
        note_error(sec.error(), frame);
        ev::RdpSecurityError e;
        e.channel_id = sd.channel_id;
        e.length = sd.user_data.size();
        e.error = sec.error();
        out.push_back(PduEvent{frame, ts_ns, e});
        return;
    }
    const rdpsec::SecurityHeader& h = sec->header;
    if (auto* x = std::get_if<rdpsec::SecurityExchange>(&sec->body)) {
        if (!facts_.security_exchange_frame) {
            facts_.security_exchange_frame = frame;
            facts_.security_exchange_ts = ts_ns;
        }
        ev::RdpSecurityExchange e;
        e.length = x->length;
        out.push_back(PduEvent{frame, ts_ns, e});
    } else if (auto* ci = std::get_if<rdpsec::ClientInfo>(&sec->body)) {
        if (!facts_.client_info_frame && dir == Dir::c2s) {
            facts_.client_info_frame = frame;
            facts_.client_info_ts = ts_ns;
            facts_.client_info_encrypted = ci->encrypted;
        }
        if (ci->clear && dir == Dir::c2s && !facts_.client_info_flags) {
            facts_.client_info_flags = ci->clear->flags;
            facts_.client_info_user = ci->clear->user_name;
            facts_.client_info_domain = ci->clear->domain;
        }
        ev::RdpClientInfo e;
        e.encrypted = ci->encrypted;
        e.length = ci->payload.size();
        if (ci->clear) {
            e.clear = true;
            e.code_page = ci->clear->code_page;
            e.flags = ci->clear->flags;
            e.domain = ci->clear->domain;
            e.user_name = ci->clear->user_name;
        } else {
            e.clear_error = ci->clear_error;
        }
        out.push_back(PduEvent{frame, ts_ns, std::move(e)});
    } else if (auto* l = std::get_if<rdpsec::License>(&sec->body)) {
        if (!facts_.license_frame && dir == Dir::s2c) {
            facts_.license_frame = frame;
            facts_.license_ts = ts_ns;
            facts_.license_encrypted = l->encrypted;
            facts_.license_msg_type = l->msg_type;
            facts_.license_error_code = l->error_code;
        }
        ev::RdpLicense e;
        e.encrypted = l->encrypted;
        e.msg_type = l->msg_type;
        e.error_code = l->error_code;
        e.state_transition = l->state_transition;
        out.push_back(PduEvent{frame, ts_ns, e});
    } else if (auto* a = std::get_if<rdpsec::AutoDetect>(&sec->body)) {
        ev::RdpAutoDetect e;
        e.channel_id = sd.channel_id;
        e.message = a->message;
        e.error = a->error;
        out.push_back(PduEvent{frame, ts_ns, e});
    } else if (auto* t = std::get_if<rdpsec::Multitransport>(&sec->body)) {
        ev::RdpMultitransport e;
        e.channel_id = sd.channel_id;
        e.request = t->request;
        e.response = t->response;
        e.error = t->error;
        out.push_back(PduEvent{frame, ts_ns, e});
    } else {
        data_event(h.flags, h.encrypted());
    }
}

}  // namespace rdpscope
