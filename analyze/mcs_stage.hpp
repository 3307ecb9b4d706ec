// SPDX-License-Identifier: MIT
// The standard-RDP-security part of an RDP connection (selectedProtocol 0, or a
// legacy CC): the X.224 Data TPDUs after the negotiation carry MCS in clear
// (Connect Initial/Response with the GCC user data, Erect Domain, Attach User,
// Channel Joins, Security Exchange, Client Info, licensing).  Decodes each,
// reports it as a dissect event, and keeps the facts the verdict engine and
// the report need.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyze/event.hpp"
#include "dissect/mcs.hpp"
#include "dissect/reader.hpp"
#include "dissect/x509.hpp"

namespace rdpscope {

struct McsFacts {
    // Frames (0 = not seen) and times of each step of the connection sequence.
    std::uint64_t connect_initial_frame = 0, connect_response_frame = 0;
    std::int64_t connect_initial_ts = 0, connect_response_ts = 0;
    std::optional<std::uint64_t> connect_result;        // T.125 Result of the Connect Response (0 = success)
    std::uint64_t erect_domain_frame = 0;
    std::uint64_t attach_user_request_frame = 0, attach_user_confirm_frame = 0;
    std::optional<std::uint8_t> attach_user_result;
    std::uint16_t user_channel = 0;
    std::size_t channel_join_requests = 0, channel_join_confirms = 0;
    std::uint64_t last_channel_join_request_frame = 0, last_channel_join_confirm_frame = 0;
    std::optional<std::uint8_t> failed_join_result;     // the first non-zero join result
    std::uint64_t security_exchange_frame = 0;
    std::uint64_t client_info_frame = 0;
    std::uint64_t license_frame = 0;                    // first server licensing PDU
    std::uint64_t disconnect_frame = 0;                 // Disconnect Provider Ultimatum
    std::optional<std::uint8_t> disconnect_reason;
    std::array<std::uint64_t, 2> pdus_after_client_info{};  // by Dir: sustained data = established
    std::uint64_t last_server_pdu_frame = 0;
    std::int64_t last_server_pdu_ts = 0;
    std::optional<DecodeError> error;  // the first MCS, GCC or security layer structure that did not decode

    // Settings from the GCC user data (what the report and Zeek's rdp.log show).
    std::optional<std::uint32_t> client_build, keyboard_layout, desktop_width, desktop_height, color_depth;
    std::string client_name;
    std::optional<std::uint32_t> client_encryption_methods;
    std::vector<std::string> channels;
    std::optional<std::uint32_t> server_encryption_method, server_encryption_level;
    std::optional<std::uint32_t> server_cert_chain_version;  // 1 proprietary, 2 X.509
    std::size_t server_cert_count = 0;
    bool server_cert_permanent = false;

    // ---- additions (issue 5) ------------------------------------------------
    // Times of the steps the fields above give frames for (0 = not seen).
    std::int64_t erect_domain_ts = 0, attach_user_request_ts = 0, attach_user_confirm_ts = 0;
    std::int64_t security_exchange_ts = 0, client_info_ts = 0, license_ts = 0, disconnect_ts = 0;
    std::uint64_t error_frame = 0;           // where `error` was found
    std::optional<Dir> disconnect_from;      // who sent the Disconnect Provider Ultimatum
    std::optional<std::uint8_t> gcc_result;  // ConferenceCreateResponse result (Zeek's rdp.log "result")
    // Each channel join, in request order (at most kMaxJoins).
    struct Join {
        std::uint16_t channel_id = 0;
        std::uint64_t request_frame = 0, confirm_frame = 0;
        std::optional<std::uint8_t> result;
    };
    std::vector<Join> joins;
    static constexpr std::size_t kMaxJoins = 64;
    // Client core extras, as Zeek logs them.
    std::optional<std::uint32_t> client_version;  // RDP_VERSION_*
    std::string requested_color_depth;            // Zeek's requested_color_depth ("16bit", "32bit"), "" if not sent
    std::string client_dig_product_id;
    std::optional<std::uint16_t> early_capability_flags;
    std::optional<std::uint32_t> server_selected_protocol;  // the client's echo of the X.224 choice
    std::optional<std::uint32_t> cluster_flags;
    std::optional<std::uint32_t> monitor_count;
    std::optional<std::uint32_t> client_multitransport_flags, server_multitransport_flags;
    // Server side extras.
    std::optional<std::uint32_t> server_version;
    std::optional<std::uint32_t> server_requested_protocols;  // the server's echo of the client's request
    std::optional<std::uint16_t> io_channel;
    std::vector<std::uint16_t> channel_ids;  // the server's ids for the requested static channels, in order
    std::optional<std::uint16_t> message_channel;
    std::optional<DecodeError> server_security_error;  // the Server Security Data's certificate did not decode
    std::vector<x509::Certificate> server_x509_chain;  // certificate chain version 2, in wire order
    // Client Info and licensing.
    bool client_info_encrypted = false;
    std::optional<std::uint8_t> license_msg_type;      // of the first licensing PDU, when in clear
    std::optional<std::uint32_t> license_error_code;   // ERROR_ALERT dwErrorCode (7 = STATUS_VALID_CLIENT)
    bool license_encrypted = false;
    std::array<std::uint64_t, 2> send_data{};           // Send Data PDUs by Dir, all of them
    std::array<std::uint64_t, 2> send_data_bytes{};
    std::array<std::uint64_t, 2> first_pdu_after_client_info_frame{};  // by Dir
    std::uint64_t last_client_pdu_frame = 0;
    std::int64_t last_client_pdu_ts = 0;

    // ---- additions (issue 15): read from decrypted TLS, or in clear ---------
    // Fed from the plaintext of TLS application data (keys given), not in clear.
    bool decrypted = false;
    // Capability exchange and finalization (MS-RDPBCGR 1.3.1.1 phases 9-10).
    std::uint64_t demand_active_frame = 0, confirm_active_frame = 0;
    std::int64_t demand_active_ts = 0, confirm_active_ts = 0;
    std::optional<std::uint32_t> session_id;  // the Demand Active's sessionId
    std::uint64_t font_list_frame = 0, font_map_frame = 0;  // the client's last and the server's last finalization PDU
    std::int64_t font_map_ts = 0;
    // The server's Set Error Info (2.2.5.1): the last non-zero code, and
    // where; ERRINFO_NONE (0) is ignored, as the spec says.
    std::optional<std::uint32_t> error_info;
    std::uint64_t error_info_frame = 0;
    std::int64_t error_info_ts = 0;
    // Save Session Info (2.2.10.1): the first logon notification.
    struct Logon {
        std::uint64_t frame = 0;
        std::int64_t ts_ns = 0;
        std::uint32_t info_type = 0;
        std::string domain, user_name;
        std::optional<std::uint32_t> session_id;
    };
    std::optional<Logon> logon;
    std::size_t save_session_infos = 0;
    std::optional<std::uint32_t> logon_error_type, logon_error_data;  // LOGON_EX_LOGONERRORS, the last
    std::uint64_t logon_error_frame = 0;
    // Deactivate All (2.2.3.1), Server Redirection (2.2.13).
    std::uint64_t deactivate_frame = 0;
    struct Redirection {
        std::uint64_t frame = 0;
        std::int64_t ts_ns = 0;
        std::uint32_t session_id = 0, redir_flags = 0;
        std::string target_net_address;
    };
    std::optional<Redirection> redirection;
    // Client Info (clear fields; never the password).
    std::string client_info_user, client_info_domain;
    std::optional<std::uint32_t> client_info_flags;
    // Fast-path PDUs after activation, by Dir (counted, not decoded).
    std::array<std::uint64_t, 2> fastpath_pdus{};
    std::array<std::uint64_t, 2> first_fastpath_frame{};
    bool started() const { return connect_initial_frame != 0 || connect_response_frame != 0; }
};

class McsStage {
public:
    // The user data of one X.224 Data TPDU from `dir`, completed in `frame`.
    void on_data_tpdu(Dir dir, Bytes user_data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out);
    const McsFacts& facts() const { return facts_; }
    // The plaintext stream is TLS-decrypted (MS-RDPBCGR 5.4: Enhanced RDP
    // Security): only the Client Info, licensing, auto-detect and
    // multitransport PDUs carry a security header.
    void set_decrypted() { facts_.decrypted = true; }
    // A fast-path PDU from `dir` (2.2.9.1.2 / 2.2.8.1.2): counted, not decoded.
    void on_fast_path(Dir dir, std::uint64_t frame, std::int64_t ts_ns);

private:
    void on_connect_initial(const mcs::ConnectInitial& ci, std::uint64_t frame, std::int64_t ts_ns,
                            std::vector<PduEvent>& out);
    void on_connect_response(const mcs::ConnectResponse& cr, std::uint64_t frame, std::int64_t ts_ns,
                             std::vector<PduEvent>& out);
    void on_send_data(Dir dir, const mcs::SendData& sd, std::uint64_t frame, std::int64_t ts_ns,
                      std::vector<PduEvent>& out);
    void note_error(const DecodeError& e, std::uint64_t frame);
    // A Send Data userData without a security header: a Share Control PDU
    // on the I/O (or message) channel, else a virtual channel's data.
    bool on_share(Dir dir, const mcs::SendData& sd, std::uint64_t frame, std::int64_t ts_ns, bool after_info,
                  std::vector<PduEvent>& out);
    bool is_virtual_channel(std::uint16_t channel_id) const;

    McsFacts facts_;
    bool fips_ = false;
    std::array<std::uint32_t, 2> data_events_{};
};

// The dissect events for Send Data PDUs after the Client Info stop after this
// many per direction: past the connection sequence they are the session, counted.
constexpr std::uint32_t kMcsDataEvents = 16;

}  // namespace rdpscope
