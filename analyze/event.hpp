// SPDX-License-Identifier: MIT
// What the analysis reports as it goes: one event per decoded PDU, a typed
// struct per PDU kind carrying the decoded values (numbers, flags, the raw
// strings the PDU holds).  The analysis names no output field and builds no
// display text: the report (report/pdu_fields.hpp) turns each kind into its
// `pdu` name and fields for the writers.  Events are per PDU, not per packet,
// so their few allocations stay off the per-packet path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dissect/address.hpp"
#include "dissect/credssp.hpp"
#include "dissect/direction.hpp"
#include "dissect/gcc.hpp"
#include "dissect/icmp.hpp"
#include "dissect/proxy.hpp"
#include "dissect/rdp_autodetect.hpp"
#include "dissect/result.hpp"
#include "dissect/tls.hpp"
#include "dissect/x224.hpp"

namespace rdpscope {

namespace ev {

// ---- TCP (the connection tracker) ------------------------------------------

// Wireshark's tcp.analysis.* findings for one frame (TcpFlag bits).
struct TcpAnalysisFlags {
    std::uint32_t flags = 0;
};

// An ICMP / ICMPv6 error quoting one of the flow's packets (TCP or UDP).
struct IcmpError {
    bool v6 = false;
    std::uint8_t type = 0, code = 0;
    icmp::Kind kind = icmp::Kind::other;
    std::uint32_t mtu = 0;
    IpAddr from;  // the ICMP packet's source
};

// ---- Proxy preamble, X.224 and the RDP negotiation (RdpSession) -------------

struct ProxyRequest {
    proxy::Kind kind = proxy::Kind::none;
    std::string target;  // host:port, as ProxyFacts holds it
};

struct ProxyReply {
    proxy::Kind kind = proxy::Kind::none;
    int status = 0;
};

// A TPKT whose X.224 TPDU does not decode.
struct X224Malformed {
    DecodeError error;
};

// One X.224 TPDU.  CR: cookie / routing token (raw bytes) or the negotiation
// structure's decode error; CC: that error; DR: reason; ER: cause (in
// `reason`); DT: user data length; unknown: the code byte.
struct X224Tpdu {
    x224::Type type = x224::Type::unknown;
    std::optional<DecodeError> error;
    std::optional<std::string> cookie, routing_token;
    std::uint8_t reason = 0;
    std::uint8_t code = 0;
    std::uint64_t length = 0;
};

struct NegRequest {
    std::uint8_t flags = 0;
    std::uint32_t requested_protocols = 0;
};

struct CorrelationInfo {
    std::array<std::uint8_t, 16> id{};  // in wire order
};

struct NegResponse {
    std::uint8_t flags = 0;
    std::uint32_t selected_protocol = 0;
};

struct NegFailure {
    std::uint32_t failure_code = 0;
};

// ---- TLS (TlsStage); each carries the record's version ----------------------

struct TlsRecord {
    std::uint16_t record_version = 0;
};

struct TlsClientHello : TlsRecord {
    std::optional<DecodeError> error;  // the ClientHello body does not decode
    std::uint16_t version = 0, max_version = 0;
    std::uint64_t cipher_suites = 0;   // how many
    std::optional<std::string> sni;
    std::vector<std::string> alpn;
    std::vector<std::uint16_t> groups;  // supported_groups, GREASE included
};

struct TlsServerHello : TlsRecord {
    std::optional<DecodeError> error;
    std::uint16_t version = 0;
    std::uint16_t cipher_suite = 0;
    bool hello_retry_request = false;
};

struct TlsCertificate : TlsRecord {
    std::optional<DecodeError> error;       // the Certificate message does not decode
    std::uint64_t certificates = 0;
    bool has_leaf = false;                  // at least one certificate
    std::optional<DecodeError> leaf_error;  // the first certificate does not parse
    std::string subject, issuer;
    bool expired = false, self_signed = false;
};

// A handshake message with nothing more decoded (ServerHelloDone, ...).
struct TlsHandshake : TlsRecord {
    tls::HandshakeType type{};
};

struct TlsEncryptedHandshake : TlsRecord {
    std::uint64_t length = 0;
};

struct TlsChangeCipherSpec : TlsRecord {};

struct TlsAlert : TlsRecord {
    bool encrypted = false;
    bool decoded = false;  // level and description known
    std::uint8_t level = 0, description = 0;
};

struct TlsApplicationData : TlsRecord {
    std::uint64_t length = 0;
};

struct TlsHeartbeat : TlsRecord {};

struct TlsError : TlsRecord {
    std::optional<DecodeError> error;  // offset counted from the start of the direction's stream
};

// ---- inside TLS, with keys (TlsStage + analyze/tls_decrypt.hpp) --------------

// A record that did not decrypt: this direction is not decrypted further.
struct TlsDecryptFailed {
    Dir dir = Dir::c2s;
};

// A CredSSP TSRequest read from decrypted application data (MS-CSSP 2.2.1);
// authInfo and pubKeyAuth: presence only.
struct CredsspTsRequest {
    std::optional<DecodeError> error;  // the plaintext is no TSRequest
    credssp::TsRequest request;
};

// HYBRID_EX: the server's Early User Authorization Result (MS-RDPBCGR 2.2.10.2).
struct EarlyUserAuthResult {
    std::uint32_t result = 0;
};

// ---- MCS, GCC and RDP security (McsStage) ----------------------------------

// Common to the PDUs of one MCS PDU: its first event says when the PDU came
// from the side that should not send it.
struct McsPdu {
    bool wrong_direction = false;
};

struct McsError : McsPdu {
    DecodeError error;
    std::uint64_t length = 0;
};

struct McsConnectInitial : McsPdu {
    std::uint64_t max_channel_ids = 0, max_mcs_pdu_size = 0;
    std::optional<DecodeError> gcc_error;
};

struct McsConnectResponse : McsPdu {
    std::uint64_t result = 0;
    std::uint64_t max_mcs_pdu_size = 0;
    std::optional<std::uint8_t> gcc_result;
    std::optional<DecodeError> gcc_error;
};

struct McsErectDomain : McsPdu {
    std::uint64_t sub_height = 0, sub_interval = 0;
};

struct McsAttachUserRequest : McsPdu {};

struct McsAttachUserConfirm : McsPdu {
    std::uint64_t result = 0;
    std::optional<std::uint16_t> initiator;
};

struct McsChannelJoinRequest : McsPdu {
    std::uint16_t initiator = 0, channel_id = 0;
};

struct McsChannelJoinConfirm : McsPdu {
    std::uint64_t result = 0;
    std::uint16_t initiator = 0, requested = 0;
    std::optional<std::uint16_t> channel_id;
};

struct McsDisconnectProviderUltimatum : McsPdu {
    std::uint8_t reason = 0;
};

// A Connect PDU (by tag) or DomainMCSPDU (by CHOICE index) RDP does not use.
struct McsOther : McsPdu {
    bool connect_pdu = false;
    std::uint32_t number = 0;
};

// A Send Data PDU shown as such: without a security header, or one whose
// body is not decoded further.
struct McsSendData : McsPdu {
    std::uint16_t channel_id = 0;
    std::uint64_t length = 0;
    std::optional<std::uint16_t> security_flags;  // the security header's flags, when there is one
    bool encrypted = false;
};

struct GccClientCore : McsPdu {
    gcc::ClientCoreData core;
};

struct GccClientSecurity : McsPdu {
    gcc::ClientSecurityData security;
};

struct GccClientNetwork : McsPdu {
    std::uint32_t channel_count = 0;
    std::vector<std::string> channels;  // the names' raw bytes
};

struct GccClientCluster : McsPdu {
    gcc::ClientClusterData cluster;
};

struct GccClientMonitor : McsPdu {
    std::uint32_t flags = 0, monitor_count = 0;
};

struct GccClientMultitransport : McsPdu {
    std::uint32_t flags = 0;
};

struct GccServerCore : McsPdu {
    gcc::ServerCoreData core;
};

struct GccServerSecurity : McsPdu {
    std::uint32_t encryption_method = 0, encryption_level = 0;
    std::optional<std::uint32_t> server_random_length;
    bool has_certificate = false;
    std::uint32_t cert_chain_version = 0;
    std::uint64_t cert_count = 0;
    bool cert_permanent = false;
    std::optional<DecodeError> certificate_error;
};

struct GccServerNetwork : McsPdu {
    std::uint16_t io_channel = 0;
    std::uint32_t channel_count = 0;
};

struct GccServerMessageChannel : McsPdu {
    std::uint16_t channel_id = 0;
};

struct GccServerMultitransport : McsPdu {
    std::uint32_t flags = 0;
};

// A Send Data PDU whose security header does not decode.
struct RdpSecurityError : McsPdu {
    std::uint16_t channel_id = 0;
    std::uint64_t length = 0;
    DecodeError error;
};

struct RdpSecurityExchange : McsPdu {
    std::uint32_t length = 0;
};

struct RdpClientInfo : McsPdu {
    bool encrypted = false;
    std::uint64_t length = 0;
    bool clear = false;  // the fields below were read
    std::uint32_t code_page = 0, flags = 0;
    std::string domain, user_name;
    std::optional<DecodeError> clear_error;
};

struct RdpLicense : McsPdu {
    bool encrypted = false;
    std::optional<std::uint8_t> msg_type;
    std::optional<std::uint32_t> error_code, state_transition;
};

// MS-RDPBCGR 2.2.14 auto-detect request / response (dissect/rdp_autodetect).
struct RdpAutoDetect : McsPdu {
    std::uint16_t channel_id = 0;
    std::optional<autodetect::Message> message;
    std::optional<DecodeError> error;
};

// MS-RDPBCGR 2.2.15 multitransport request / response (the cookie never kept).
struct RdpMultitransport : McsPdu {
    std::uint16_t channel_id = 0;
    std::optional<autodetect::MultitransportRequest> request;
    std::optional<autodetect::MultitransportResponse> response;
    std::optional<DecodeError> error;
};

// ---- Share Control PDUs (McsStage; MS-RDPBCGR 2.2.8.1.1.1), read in clear
// or from decrypted TLS --------------------------------------------------------

// Demand / Confirm Active, Deactivate All, and the Data PDUs shown by type
// (Synchronize, Control, Font List / Map, Shutdown, and others by pduType2).
struct RdpShareControl : McsPdu {
    std::uint8_t pdu_type = 0;                 // share::PduType
    std::optional<std::uint8_t> pdu_type2;     // Data PDUs
    std::optional<std::uint32_t> share_id;
    std::string source_descriptor;             // Demand / Confirm Active
    std::optional<std::uint16_t> capability_sets;
    std::optional<std::uint32_t> session_id;   // Demand Active
    std::optional<std::uint16_t> action;       // Control
    bool compressed = false;
    bool flow = false;                         // a flow-control PDU
};

// 2.2.5.1 Set Error Info.
struct RdpSetErrorInfo : McsPdu {
    std::uint32_t error_info = 0;
};

// 2.2.10.1 Save Session Info (the logon notification).  No password is ever in it.
struct RdpSaveSessionInfo : McsPdu {
    std::uint32_t info_type = 0;
    std::string domain, user_name;
    std::optional<std::uint32_t> session_id, fields_present, error_notification_type, error_notification_data;
};

// 2.2.13 Server Redirection.
struct RdpServerRedirection : McsPdu {
    std::uint32_t session_id = 0, redir_flags = 0;
    std::string target_net_address, user_name, domain;
};

// A Share Control PDU that does not decode.
struct RdpShareError : McsPdu {
    std::uint16_t channel_id = 0;
    std::uint64_t length = 0;
    DecodeError error;
};

// ---- RDP-UDP (UdpFlows) ----------------------------------------------------

struct RdpUdpError {
    DecodeError error;
    std::uint64_t length = 0;
};

struct RdpUdpSyn {
    std::uint16_t flags = 0;
    std::vector<std::uint8_t> correlation_id;  // empty when absent
    std::optional<std::uint16_t> version;
    std::optional<std::uint16_t> upstream_mtu, downstream_mtu;
    std::uint64_t retransmission = 0;  // SYNs before this one
};

struct RdpUdpSynAck {
    std::uint16_t flags = 0;
    std::optional<std::uint16_t> version;
    std::optional<std::uint16_t> upstream_mtu, downstream_mtu;
    bool rdpudp2 = false;
    bool syn_not_captured = false;
};

struct RdpUdpData {
    unsigned framing = 1;      // 1: MS-RDPEUDP, 2: MS-RDPEUDP2
    bool v1 = false, v2 = false;  // which header `flags` and `length` are from (neither: not decoded)
    std::uint16_t flags = 0;
    std::uint64_t length = 0;
    bool dummy = false;
};

struct RdpUdpFin {};

// ---- Kerberos on port 88 (KerberosFlows) ------------------------------------

// One Kerberos message (RFC 4120 5): what is in clear of it, or why it does
// not decode (`error`; then only `type` may be set, from its first bytes).
struct KerberosMessage {
    std::optional<DecodeError> error;
    std::uint32_t type = 0;                  // application tag: 10 AS-REQ ... 30 KRB-ERROR
    std::optional<std::int32_t> error_code;  // KRB-ERROR
    std::string cname, crealm, sname, srealm;  // principals joined with '/'; "" when absent
    std::optional<std::string> e_text;
    std::string stime, till;                 // KerberosTime text
    std::vector<std::int32_t> padata_types;
    bool tcp = false;
};

// ---- RD Gateway (GatewayStage, analyze/gateway_stage.hpp) --------------------

// An HTTP/1.1 message head inside the gateway's TLS (RFC 9112): a request's
// method and target, or a response's status, reason phrase and the
// authentication schemes it offers (http1::Scheme bits, names in order).
struct GatewayHttp {
    bool request = false;
    std::string method, target;
    std::uint16_t status = 0;
    std::string reason;
    std::vector<std::string> schemes;
    bool websocket_upgrade = false;
    std::optional<DecodeError> error;  // the head did not decode (then nothing else is set)
};

// A WebSocket Close frame (RFC 6455 5.5.1).
struct GatewayWebSocketClose {
    std::uint16_t code = 0;
};

// One MS-TSGU HTTP packet (2.2.10), with what the report prints of it.
struct GatewayPacket {
    std::uint16_t type = 0;
    std::uint32_t length = 0;
    std::optional<std::uint32_t> status;
    std::optional<std::uint32_t> tunnel_id, channel_id;
    std::optional<std::uint16_t> udp_port;
    std::string client_name, resource;
    std::uint16_t port = 0;
    std::uint16_t extended_auth = 0;
    std::uint32_t data_length = 0;
    std::optional<DecodeError> error;
};

// ---- The KDC proxy over HTTP/2 (Http2Session, analyze/kdc_proxy.hpp) ---------

// One HTTP/2 frame (RFC 9113 4.1, 6) inside a decrypted TLS connection, or
// the client's connection preface (type kPrefaceType).  For HEADERS /
// CONTINUATION ending a header block: the block's headers that say what the
// stream is (HPACK-decoded, RFC 7541).
struct Http2Frame {
    static constexpr std::uint16_t kPrefaceType = 0x100;
    std::uint16_t type = 0;
    std::uint8_t flags = 0;
    std::uint32_t stream_id = 0;
    std::uint32_t length = 0;
    std::uint8_t pad_length = 0;
    std::uint32_t data_length = 0;                     // DATA without padding
    std::vector<std::pair<std::uint16_t, std::uint32_t>> settings;  // SETTINGS
    std::optional<std::uint32_t> error_code;           // RST_STREAM, GOAWAY
    std::uint32_t last_stream_id = 0;                  // GOAWAY
    std::uint32_t increment = 0;                       // WINDOW_UPDATE
    bool headers_done = false;                         // a header block ended here
    std::string method, path, authority, status, content_type;
    std::optional<std::uint64_t> content_length;
    std::uint32_t header_count = 0;
    std::optional<DecodeError> error;  // the frame (or its header block) did not decode
};

// A KDC-PROXY-MESSAGE (MS-KKDCP 2.2.2) carried by a /KdcProxy stream's body;
// the Kerberos message inside follows as a KerberosMessage event.
struct KdcProxyMessage {
    std::uint32_t stream_id = 0;
    bool request = false;
    std::uint32_t length = 0;  // of the Kerberos message
    std::optional<std::string> target_domain;
    std::optional<std::uint32_t> dclocator_hint;
    std::optional<DecodeError> error;
};

}  // namespace ev

using Pdu = std::variant<
    ev::TcpAnalysisFlags, ev::IcmpError,
    ev::ProxyRequest, ev::ProxyReply, ev::X224Malformed, ev::X224Tpdu, ev::NegRequest, ev::CorrelationInfo,
    ev::NegResponse, ev::NegFailure,
    ev::TlsClientHello, ev::TlsServerHello, ev::TlsCertificate, ev::TlsHandshake, ev::TlsEncryptedHandshake,
    ev::TlsChangeCipherSpec, ev::TlsAlert, ev::TlsApplicationData, ev::TlsHeartbeat, ev::TlsError,
    ev::TlsDecryptFailed, ev::CredsspTsRequest, ev::EarlyUserAuthResult,
    ev::McsError, ev::McsConnectInitial, ev::McsConnectResponse, ev::McsErectDomain, ev::McsAttachUserRequest,
    ev::McsAttachUserConfirm, ev::McsChannelJoinRequest, ev::McsChannelJoinConfirm,
    ev::McsDisconnectProviderUltimatum, ev::McsOther, ev::McsSendData,
    ev::GccClientCore, ev::GccClientSecurity, ev::GccClientNetwork, ev::GccClientCluster, ev::GccClientMonitor,
    ev::GccClientMultitransport, ev::GccServerCore, ev::GccServerSecurity, ev::GccServerNetwork,
    ev::GccServerMessageChannel, ev::GccServerMultitransport,
    ev::RdpSecurityError, ev::RdpSecurityExchange, ev::RdpClientInfo, ev::RdpLicense,
    ev::RdpAutoDetect, ev::RdpMultitransport,
    ev::RdpShareControl, ev::RdpSetErrorInfo, ev::RdpSaveSessionInfo, ev::RdpServerRedirection, ev::RdpShareError,
    ev::RdpUdpError, ev::RdpUdpSyn, ev::RdpUdpSynAck, ev::RdpUdpData, ev::RdpUdpFin,
    ev::KerberosMessage, ev::GatewayHttp, ev::GatewayWebSocketClose, ev::GatewayPacket, ev::Http2Frame,
    ev::KdcProxyMessage>;

struct PduEvent {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    Pdu pdu;
};

}  // namespace rdpscope
