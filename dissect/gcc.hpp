// SPDX-License-Identifier: MIT
// T.124 GCC Conference Create Request / Response and the RDP settings blocks
// they carry (MS-RDPBCGR 2.2.1.3 / 2.2.1.4).
//
// Nesting on the wire: MCS Connect-Initial.userData (BER OCTET STRING) holds a
// T.124 ConnectData (PER): the T.124 object identifier, then a ConnectGCCPDU
// whose conferenceCreateRequest carries one user-data set keyed "Duca"; its
// value is a run of settings blocks, each a little-endian TS_UD_HEADER
// {type, length} and a body.  The server answers the same way with a
// conferenceCreateResponse keyed "McDn".
//
// Lifetimes: Bytes members are views into the buffer given to the decoder;
// strings (client name etc.) are converted copies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::gcc {

// TS_UD_HEADER types (MS-RDPBCGR 2.2.1.3.1, 2.2.1.4.1).
enum BlockType : std::uint16_t {
    CS_CORE = 0xC001,
    CS_SECURITY = 0xC002,
    CS_NET = 0xC003,
    CS_CLUSTER = 0xC004,
    CS_MONITOR = 0xC005,
    CS_MCS_MSGCHANNEL = 0xC006,
    CS_MONITOR_EX = 0xC008,
    CS_MULTITRANSPORT = 0xC00A,
    SC_CORE = 0x0C01,
    SC_SECURITY = 0x0C02,
    SC_NET = 0x0C03,
    SC_MCS_MSGCHANNEL = 0x0C04,
    SC_MULTITRANSPORT = 0x0C08,
};

// A block we keep but do not decode: type, declared length and body.
struct UnknownBlock {
    std::uint16_t type = 0;
    std::uint16_t length = 0;  // as declared, header included
    Bytes body;
};

// ---- client blocks ----------------------------------------------------------

// MS-RDPBCGR 2.2.1.3.2 TS_UD_CS_CORE.  Everything after imeFileName is
// optional: a client stops wherever its version of the spec stopped, and the
// block length says where.  A field is present only if all of it fits.
struct ClientCoreData {
    std::uint32_t version = 0;  // RDP_VERSION_4 0x00080001, RDP_VERSION_5_PLUS 0x00080004, ...
    std::uint16_t desktop_width = 0;
    std::uint16_t desktop_height = 0;
    std::uint16_t color_depth = 0;  // RNS_UD_COLOR_* 0xCA00..0xCA04, superseded by the fields below
    std::uint16_t sas_sequence = 0;
    std::uint32_t keyboard_layout = 0;  // Windows KLID
    std::uint32_t client_build = 0;
    std::string client_name;  // 32-byte UTF-16LE field, to the first NUL, as UTF-8
    std::uint32_t keyboard_type = 0;
    std::uint32_t keyboard_subtype = 0;
    std::uint32_t keyboard_function_keys = 0;
    std::string ime_file_name;  // 64-byte UTF-16LE field, as UTF-8

    std::optional<std::uint16_t> post_beta2_color_depth;
    std::optional<std::uint16_t> client_product_id;
    std::optional<std::uint32_t> serial_number;
    std::optional<std::uint16_t> high_color_depth;        // 4, 8, 15, 16, 24
    std::optional<std::uint16_t> supported_color_depths;  // RNS_UD_*BPP_SUPPORT bits
    std::optional<std::uint16_t> early_capability_flags;  // RNS_UD_CS_* bits
    std::optional<std::string> client_dig_product_id;     // 64-byte UTF-16LE field
    std::optional<std::uint8_t> connection_type;          // (pad1octet follows and is skipped)
    std::optional<std::uint32_t> server_selected_protocol;
    std::optional<std::uint32_t> desktop_physical_width;
    std::optional<std::uint32_t> desktop_physical_height;
    std::optional<std::uint16_t> desktop_orientation;
    std::optional<std::uint32_t> desktop_scale_factor;
    std::optional<std::uint32_t> device_scale_factor;
    // Bytes left after the last field we know: a newer spec's fields, or a
    // field cut in the middle.  Kept as a count, not an error.
    std::size_t trailing_bytes = 0;

    static constexpr std::uint16_t RNS_UD_CS_WANT_32BPP_SESSION = 0x0002;

    // The colour depth the client asks for, in bits, following the
    // precedence of MS-RDPBCGR 2.2.1.3.2: earlyCapabilityFlags WANT_32BPP
    // beats highColorDepth, which beats postBeta2ColorDepth, which beats
    // colorDepth.  nullopt if the deciding field holds an unknown code.
    std::optional<unsigned> effective_color_depth() const;
    // What Zeek logs as requested_color_depth: "32bit" if WANT_32BPP is set,
    // else the highColorDepth name ("16bit", "high_color_depth-N"); "" when
    // the client sent no highColorDepth.
    std::string zeek_requested_color_depth() const;
};

// MS-RDPBCGR 2.2.1.3.3 TS_UD_CS_SEC.
struct ClientSecurityData {
    std::uint32_t encryption_methods = 0;      // 40BIT 0x01 | 128BIT 0x02 | 56BIT 0x08 | FIPS 0x10
    std::uint32_t ext_encryption_methods = 0;  // French locale only
};

// MS-RDPBCGR 2.2.1.3.4.1 CHANNEL_DEF.
struct ChannelDef {
    Bytes raw_name;         // the 8-byte field as sent
    std::string_view name;  // raw_name up to the first NUL, bytes kept as they are
    std::uint32_t options = 0;
};

// MS-RDPBCGR 2.2.1.3.4 TS_UD_CS_NET.
struct ClientNetworkData {
    std::uint32_t channel_count = 0;
    std::vector<ChannelDef> channels;
};

// MS-RDPBCGR 2.2.1.3.5 TS_UD_CS_CLUSTER.
struct ClientClusterData {
    std::uint32_t flags = 0;
    std::uint32_t redirected_session_id = 0;
    static constexpr std::uint32_t REDIRECTION_SUPPORTED = 0x01;
    static constexpr std::uint32_t REDIRECTED_SESSIONID_FIELD_VALID = 0x02;
    static constexpr std::uint32_t REDIRECTED_SMARTCARD = 0x40;
    bool redirection_supported() const { return flags & REDIRECTION_SUPPORTED; }
    bool session_id_valid() const { return flags & REDIRECTED_SESSIONID_FIELD_VALID; }
    bool smartcard() const { return flags & REDIRECTED_SMARTCARD; }
    // ServerSessionRedirectionVersionMask (bits 2-5): REDIRECTION_VERSION1 = 0 .. VERSION6 = 5.
    unsigned redirection_version() const { return (flags & 0x3c) >> 2; }
};

// MS-RDPBCGR 2.2.1.3.6.1 TS_MONITOR_DEF.
struct MonitorDef {
    std::int32_t left = 0, top = 0, right = 0, bottom = 0;
    std::uint32_t flags = 0;  // TS_MONITOR_PRIMARY 0x01
};

// MS-RDPBCGR 2.2.1.3.6 TS_UD_CS_MONITOR.
struct ClientMonitorData {
    std::uint32_t flags = 0;
    std::uint32_t monitor_count = 0;
    std::vector<MonitorDef> monitors;
};

// Every client block of one Conference Create Request.  A block type seen
// twice keeps its first occurrence; `duplicates` counts the others.
struct ClientSettings {
    std::optional<ClientCoreData> core;
    std::optional<ClientSecurityData> security;
    std::optional<ClientNetworkData> network;
    std::optional<ClientClusterData> cluster;
    std::optional<ClientMonitorData> monitor;
    std::optional<std::uint32_t> message_channel_flags;  // 2.2.1.3.7 TS_UD_CS_MCS_MSGCHANNEL
    std::optional<std::uint32_t> multitransport_flags;   // 2.2.1.3.8 TS_UD_CS_MULTITRANSPORT
    std::vector<UnknownBlock> unknown;                   // incl. CS_MONITOR_EX
    std::vector<std::uint16_t> order;                    // block types in wire order
    std::size_t duplicates = 0;
};

// ---- server blocks ----------------------------------------------------------

// MS-RDPBCGR 2.2.1.4.2 TS_UD_SC_CORE.
struct ServerCoreData {
    std::uint32_t version = 0;
    std::optional<std::uint32_t> client_requested_protocols;  // echo of the X.224 request
    std::optional<std::uint32_t> early_capability_flags;      // RNS_UD_SC_* bits
    std::size_t trailing_bytes = 0;
};

// MS-RDPBCGR 2.2.1.4.3.1.1.1 RSA_PUBLIC_KEY.
struct RsaPublicKey {
    std::uint32_t magic = 0;   // "RSA1" 0x31415352
    std::uint32_t keylen = 0;  // modulus bytes incl. 8 bytes of zero padding
    std::uint32_t bitlen = 0;
    std::uint32_t datalen = 0;
    std::uint32_t public_exponent = 0;
    Bytes modulus;  // little-endian, keylen bytes
};

// MS-RDPBCGR 2.2.1.4.3.1.1 PROPRIETARYSERVERCERTIFICATE.
struct ProprietaryCertificate {
    std::uint32_t sig_alg_id = 0;  // SIGNATURE_ALG_RSA 1
    std::uint32_t key_alg_id = 0;  // KEY_EXCHANGE_ALG_RSA 1
    std::uint16_t public_key_blob_type = 0;  // BB_RSA_KEY_BLOB 6
    RsaPublicKey public_key;
    std::uint16_t signature_blob_type = 0;  // BB_RSA_SIGNATURE_BLOB 8
    Bytes signature;
};

// MS-RDPBCGR 2.2.1.4.3.1 SERVER_CERTIFICATE; the X.509 chain is 5.3.3.2.
struct ServerCertificate {
    std::uint32_t dw_version = 0;
    std::uint32_t chain_version() const { return dw_version & 0x7fffffff; }  // 1 proprietary, 2 X.509
    // The t bit: 0 = permanently issued, 1 = temporarily issued (2.2.1.4.3.1).
    // This is Zeek's cert_permanent.
    bool permanent() const { return (dw_version & 0x80000000) == 0; }

    std::optional<ProprietaryCertificate> proprietary;  // chain version 1
    std::vector<Bytes> x509_chain;                      // chain version 2: DER certs, in wire order
    Bytes body;                                         // certData, whatever the version

    // How many certificates the server sent, counted as Zeek's cert_count is.
    std::size_t count() const { return proprietary ? 1 : x509_chain.size(); }
};

// MS-RDPBCGR 2.2.1.4.3 TS_UD_SC_SEC1.
struct ServerSecurityData {
    std::uint32_t encryption_method = 0;  // one ENCRYPTION_METHOD_* value
    std::uint32_t encryption_level = 0;   // ENCRYPTION_LEVEL_*
    // Absent when method and level are both 0 (no encryption): then the
    // server sends neither random nor certificate.
    std::optional<std::uint32_t> server_random_len;
    std::optional<std::uint32_t> server_cert_len;
    Bytes server_random;
    std::optional<ServerCertificate> certificate;
    // A certificate we could not decode does not hide method and level.
    std::optional<DecodeError> certificate_error;
};

// MS-RDPBCGR 2.2.1.4.4 TS_UD_SC_NET.
struct ServerNetworkData {
    std::uint16_t mcs_channel_id = 0;  // the I/O channel, normally 1003
    std::uint16_t channel_count = 0;
    std::vector<std::uint16_t> channel_ids;  // one per requested static channel, in request order
};

struct ServerSettings {
    std::optional<ServerCoreData> core;
    std::optional<ServerSecurityData> security;
    std::optional<ServerNetworkData> network;
    std::optional<std::uint16_t> message_channel_id;     // 2.2.1.4.5 TS_UD_SC_MCS_MSGCHANNEL
    std::optional<std::uint32_t> multitransport_flags;   // 2.2.1.4.6 TS_UD_SC_MULTITRANSPORT
    std::vector<UnknownBlock> unknown;
    std::vector<std::uint16_t> order;
    std::size_t duplicates = 0;
};

// ---- T.124 ConnectData ------------------------------------------------------

// T.124 8.7 ConferenceCreateRequest inside ConnectData (MS-RDPBCGR 2.2.1.3).
struct ConferenceCreateRequest {
    Bytes t124_identifier;        // OID content octets, 00 14 7c 00 01 = {0 0 20 124 0 1}
    std::size_t connect_pdu_length = 0;
    std::string conference_name;  // numeric, "1" from every RDP client
    Bytes h221_key;               // "Duca"
    Bytes user_data;              // the settings blocks, undecoded
    ClientSettings settings;
};

// T.124 8.7 ConferenceCreateResponse (MS-RDPBCGR 2.2.1.4).
struct ConferenceCreateResponse {
    Bytes t124_identifier;
    // Windows servers put 0x2a here whatever follows (MS-RDPBCGR 4.1.4 shows
    // it), so the response's connectPDU length is recorded, not enforced.
    std::size_t connect_pdu_length = 0;
    bool connect_pdu_length_mismatch = false;
    std::uint16_t node_id = 0;  // UserID, 1001-based
    std::uint64_t tag = 0;
    std::uint8_t result = 0;  // 0 success .. 4 lockedConferenceNotSupported
    Bytes h221_key;           // "McDn"
    Bytes user_data;
    ServerSettings settings;
};

// Decode the MCS Connect-Initial userData.  `base_offset` is where
// `connect_data` starts in the caller's buffer, so errors point there.
// The input is complete by contract (a BER OCTET STRING's content): a length
// running past its end is malformed, naming the field.
Decoded<ConferenceCreateRequest> decode_conference_create_request(Bytes connect_data,
                                                                  std::size_t base_offset = 0);
Decoded<ConferenceCreateResponse> decode_conference_create_response(Bytes connect_data,
                                                                    std::size_t base_offset = 0);

// The settings block runs alone (the user-data value of the "Duca" / "McDn" set).
Decoded<ClientSettings> decode_client_blocks(Bytes blocks, std::size_t base_offset = 0);
Decoded<ServerSettings> decode_server_blocks(Bytes blocks, std::size_t base_offset = 0);

// Single block bodies (the bytes after the 4-byte TS_UD_HEADER).
Decoded<ClientCoreData> decode_client_core(Bytes body, std::size_t base_offset = 0);
Decoded<ClientNetworkData> decode_client_network(Bytes body, std::size_t base_offset = 0);
Decoded<ServerSecurityData> decode_server_security(Bytes body, std::size_t base_offset = 0);
Decoded<ServerCertificate> decode_server_certificate(Bytes cert, std::size_t base_offset = 0);

// UTF-16LE -> UTF-8, stopping at the first NUL code unit; unpaired
// surrogates become U+FFFD, an odd last byte is dropped.
std::string utf16le_to_utf8(Bytes utf16);

}  // namespace rdpscope::gcc
