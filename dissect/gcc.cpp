// SPDX-License-Identifier: MIT
#include "dissect/gcc.hpp"

#include <algorithm>

#include "dissect/per.hpp"

namespace rdpscope::gcc {

namespace {

constexpr std::string_view layer = "gcc";

// Everything GCC decodes sits inside a complete, length-bounded container
// (the MCS userData OCTET STRING), so running out of bytes means a length
// lied: malformed, never need_more.
DecodeError from_per(per::Status s, std::string_view field, std::size_t offset) {
    return s == per::Status::unsupported ? DecodeError::unsupported(layer, field, offset)
                                         : DecodeError::malformed(layer, field, offset);
}

// T.124 section 8.7: t124Identifier = { itu-t recommendation t 124 version(0) 1 }.
constexpr std::array<std::uint8_t, 5> t124_v1_oid{0x00, 0x14, 0x7c, 0x00, 0x01};
// MS-RDPBCGR 2.2.1.3 / 2.2.1.4: the H.221 keys of the client and server sets.
constexpr std::array<std::uint8_t, 4> client_h221_key{'D', 'u', 'c', 'a'};
constexpr std::array<std::uint8_t, 4> server_h221_key{'M', 'c', 'D', 'n'};

template <std::size_t N>
bool equals(Bytes b, const std::array<std::uint8_t, N>& want) {
    return b.size() == N && std::equal(b.begin(), b.end(), want.begin());
}

// Reads an optional trailing field: present only if it fits entirely.
template <typename T>
bool read_optional(Reader& r, std::optional<T>& out) {
    T v{};
    bool ok = false;
    if constexpr (sizeof(T) == 1) ok = r.u8(v);
    else if constexpr (sizeof(T) == 2) ok = r.u16le(v);
    else ok = r.u32le(v);
    if (ok) out = v;
    return ok;
}

// ---- T.124 ConnectData plumbing ---------------------------------------------

// ConnectData ::= SEQUENCE { t124Identifier Key, connectPDU OCTET STRING }
// Key ::= CHOICE { object OBJECT IDENTIFIER, h221NonStandard ... }: one bit,
// then padding to the octet.  RDP always sends the T.124 v1 OID.
struct ConnectDataHead {
    Bytes oid;
    std::size_t connect_pdu_length = 0;
    std::size_t length_offset = 0;  // where the connectPDU length sits, for errors
};

Decoded<ConnectDataHead> read_connect_data_head(Reader& r) {
    std::uint8_t key_choice = 0;
    if (!r.u8(key_choice)) return DecodeError::malformed(layer, "ConnectData.t124Identifier", r.offset());
    if (key_choice & 0x80) return DecodeError::unsupported(layer, "ConnectData.t124Identifier", r.offset() - 1);
    ConnectDataHead h;
    const std::size_t oid_at = r.offset();
    if (auto s = per::read_object_identifier(r, h.oid); s != per::Status::ok)
        return from_per(s, "ConnectData.t124Identifier", oid_at);
    if (!equals(h.oid, t124_v1_oid)) return DecodeError::unsupported(layer, "ConnectData.t124Identifier", oid_at);
    h.length_offset = r.offset();
    if (auto s = per::read_length(r, h.connect_pdu_length); s != per::Status::ok)
        return from_per(s, "ConnectData.connectPDU.length", h.length_offset);
    return h;
}

// UserData ::= SET OF SEQUENCE { key Key, value OCTET STRING OPTIONAL }
// (T.124 8.7).  Each element starts with one octet: bit 7 = value present,
// bit 6 = key is h221NonStandard (OCTET STRING (SIZE (4..255))), else an OID.
// Returns key and value of the first set keyed `want`.
struct UserDataSet {
    Bytes key;
    Bytes value;
};

template <std::size_t N>
Decoded<UserDataSet> find_user_data(Reader& r, const std::array<std::uint8_t, N>& want) {
    std::size_t count = 0;
    const std::size_t count_at = r.offset();
    if (auto s = per::read_length(r, count); s != per::Status::ok)
        return from_per(s, "UserData.count", count_at);
    std::optional<UserDataSet> found;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint8_t head = 0;
        if (!r.u8(head)) return DecodeError::malformed(layer, "UserData.count", count_at);  // fewer sets than counted
        const bool value_present = head & 0x80;
        const bool h221 = head & 0x40;
        Bytes key;
        const std::size_t key_at = r.offset();
        auto s = h221 ? per::read_octet_string_min(r, 4, key) : per::read_object_identifier(r, key);
        if (s != per::Status::ok) return from_per(s, "UserData.key", key_at);
        if (!value_present) continue;
        Bytes value;
        const std::size_t value_at = r.offset();
        if (auto vs = per::read_octet_string(r, value); vs != per::Status::ok)
            return from_per(vs, "UserData.value.length", value_at);
        if (!found && h221 && equals(key, want)) found = UserDataSet{key, value};
    }
    if (!found) return DecodeError::unsupported(layer, "UserData.key", count_at);
    return *found;
}

// ---- client blocks ----------------------------------------------------------

Decoded<ClientCoreData> read_client_core(Reader r) {
    ClientCoreData c;
    // Fixed part (RDP 4.0 onward).
    if (!r.u32le(c.version)) return DecodeError::malformed(layer, "ClientCoreData.version", r.offset());
    if (!r.u16le(c.desktop_width)) return DecodeError::malformed(layer, "ClientCoreData.desktopWidth", r.offset());
    if (!r.u16le(c.desktop_height)) return DecodeError::malformed(layer, "ClientCoreData.desktopHeight", r.offset());
    if (!r.u16le(c.color_depth)) return DecodeError::malformed(layer, "ClientCoreData.colorDepth", r.offset());
    if (!r.u16le(c.sas_sequence)) return DecodeError::malformed(layer, "ClientCoreData.SASSequence", r.offset());
    if (!r.u32le(c.keyboard_layout)) return DecodeError::malformed(layer, "ClientCoreData.keyboardLayout", r.offset());
    if (!r.u32le(c.client_build)) return DecodeError::malformed(layer, "ClientCoreData.clientBuild", r.offset());
    auto name = r.bytes(32);
    if (!name) return DecodeError::malformed(layer, "ClientCoreData.clientName", r.offset());
    c.client_name = utf16le_to_utf8(*name);
    if (!r.u32le(c.keyboard_type)) return DecodeError::malformed(layer, "ClientCoreData.keyboardType", r.offset());
    if (!r.u32le(c.keyboard_subtype))
        return DecodeError::malformed(layer, "ClientCoreData.keyboardSubType", r.offset());
    if (!r.u32le(c.keyboard_function_keys))
        return DecodeError::malformed(layer, "ClientCoreData.keyboardFunctionKey", r.offset());
    auto ime = r.bytes(64);
    if (!ime) return DecodeError::malformed(layer, "ClientCoreData.imeFileName", r.offset());
    c.ime_file_name = utf16le_to_utf8(*ime);

    // Optional tail: each field only if it and all before it are present.
    auto tail = [&]() -> bool {
        if (!read_optional(r, c.post_beta2_color_depth)) return false;
        if (!read_optional(r, c.client_product_id)) return false;
        if (!read_optional(r, c.serial_number)) return false;
        if (!read_optional(r, c.high_color_depth)) return false;
        if (!read_optional(r, c.supported_color_depths)) return false;
        if (!read_optional(r, c.early_capability_flags)) return false;
        auto dig = r.bytes(64);
        if (!dig) return false;
        c.client_dig_product_id = utf16le_to_utf8(*dig);
        if (!read_optional(r, c.connection_type)) return false;
        if (!r.skip(1)) return false;  // pad1octet
        if (!read_optional(r, c.server_selected_protocol)) return false;
        if (!read_optional(r, c.desktop_physical_width)) return false;
        if (!read_optional(r, c.desktop_physical_height)) return false;
        if (!read_optional(r, c.desktop_orientation)) return false;
        if (!read_optional(r, c.desktop_scale_factor)) return false;
        if (!read_optional(r, c.device_scale_factor)) return false;
        return true;
    };
    tail();
    c.trailing_bytes = r.remaining();
    return c;
}

Decoded<ClientSecurityData> read_client_security(Reader r) {
    ClientSecurityData s;
    if (!r.u32le(s.encryption_methods))
        return DecodeError::malformed(layer, "ClientSecurityData.encryptionMethods", r.offset());
    if (!r.u32le(s.ext_encryption_methods))
        return DecodeError::malformed(layer, "ClientSecurityData.extEncryptionMethods", r.offset());
    return s;
}

Decoded<ClientNetworkData> read_client_network(Reader r) {
    ClientNetworkData n;
    const std::size_t count_at = r.offset();
    if (!r.u32le(n.channel_count)) return DecodeError::malformed(layer, "ClientNetworkData.channelCount", count_at);
    // The count is attacker-chosen: it must fit the block before we reserve.
    if (std::uint64_t{n.channel_count} * 12 > r.remaining())
        return DecodeError::malformed(layer, "ClientNetworkData.channelCount", count_at);
    n.channels.reserve(n.channel_count);
    for (std::uint32_t i = 0; i < n.channel_count; ++i) {
        ChannelDef d;
        d.raw_name = *r.bytes(8);
        const auto nul = std::find(d.raw_name.begin(), d.raw_name.end(), std::uint8_t{0});
        d.name = as_text(d.raw_name.first(static_cast<std::size_t>(nul - d.raw_name.begin())));
        r.u32le(d.options);
        n.channels.push_back(d);
    }
    return n;
}

Decoded<ClientClusterData> read_client_cluster(Reader r) {
    ClientClusterData c;
    if (!r.u32le(c.flags)) return DecodeError::malformed(layer, "ClientClusterData.Flags", r.offset());
    if (!r.u32le(c.redirected_session_id))
        return DecodeError::malformed(layer, "ClientClusterData.RedirectedSessionID", r.offset());
    return c;
}

Decoded<ClientMonitorData> read_client_monitor(Reader r) {
    ClientMonitorData m;
    if (!r.u32le(m.flags)) return DecodeError::malformed(layer, "ClientMonitorData.flags", r.offset());
    const std::size_t count_at = r.offset();
    if (!r.u32le(m.monitor_count)) return DecodeError::malformed(layer, "ClientMonitorData.monitorCount", count_at);
    if (std::uint64_t{m.monitor_count} * 20 > r.remaining())
        return DecodeError::malformed(layer, "ClientMonitorData.monitorCount", count_at);
    m.monitors.reserve(m.monitor_count);
    for (std::uint32_t i = 0; i < m.monitor_count; ++i) {
        // TS_MONITOR_DEF: signed coordinates of the virtual desktop, then flags.
        // The count check above guarantees the 20 bytes are there.
        std::uint32_t edge[4] = {};
        MonitorDef d;
        for (std::uint32_t& e : edge) r.u32le(e);
        r.u32le(d.flags);
        d.left = static_cast<std::int32_t>(edge[0]);
        d.top = static_cast<std::int32_t>(edge[1]);
        d.right = static_cast<std::int32_t>(edge[2]);
        d.bottom = static_cast<std::int32_t>(edge[3]);
        m.monitors.push_back(d);
    }
    return m;
}

// ---- server blocks ----------------------------------------------------------

Decoded<ServerCoreData> read_server_core(Reader r) {
    ServerCoreData c;
    if (!r.u32le(c.version)) return DecodeError::malformed(layer, "ServerCoreData.version", r.offset());
    if (read_optional(r, c.client_requested_protocols)) read_optional(r, c.early_capability_flags);
    c.trailing_bytes = r.remaining();
    return c;
}

Decoded<RsaPublicKey> read_rsa_public_key(Reader r) {
    RsaPublicKey k;
    if (!r.u32le(k.magic)) return DecodeError::malformed(layer, "RSA_PUBLIC_KEY.magic", r.offset());
    const std::size_t keylen_at = r.offset();
    if (!r.u32le(k.keylen)) return DecodeError::malformed(layer, "RSA_PUBLIC_KEY.keylen", keylen_at);
    if (!r.u32le(k.bitlen)) return DecodeError::malformed(layer, "RSA_PUBLIC_KEY.bitlen", r.offset());
    if (!r.u32le(k.datalen)) return DecodeError::malformed(layer, "RSA_PUBLIC_KEY.datalen", r.offset());
    if (!r.u32le(k.public_exponent)) return DecodeError::malformed(layer, "RSA_PUBLIC_KEY.pubExp", r.offset());
    auto modulus = r.bytes(k.keylen);
    if (!modulus) return DecodeError::malformed(layer, "RSA_PUBLIC_KEY.keylen", keylen_at);
    k.modulus = *modulus;
    return k;
}

Decoded<ProprietaryCertificate> read_proprietary(Reader& r) {
    ProprietaryCertificate p;
    if (!r.u32le(p.sig_alg_id))
        return DecodeError::malformed(layer, "PROPRIETARYSERVERCERTIFICATE.dwSigAlgId", r.offset());
    if (!r.u32le(p.key_alg_id))
        return DecodeError::malformed(layer, "PROPRIETARYSERVERCERTIFICATE.dwKeyAlgId", r.offset());
    if (!r.u16le(p.public_key_blob_type))
        return DecodeError::malformed(layer, "PROPRIETARYSERVERCERTIFICATE.wPublicKeyBlobType", r.offset());
    const std::size_t key_len_at = r.offset();
    std::uint16_t key_len = 0;
    if (!r.u16le(key_len))
        return DecodeError::malformed(layer, "PROPRIETARYSERVERCERTIFICATE.wPublicKeyBlobLen", key_len_at);
    auto key = r.sub(key_len);
    if (!key) return DecodeError::malformed(layer, "PROPRIETARYSERVERCERTIFICATE.wPublicKeyBlobLen", key_len_at);
    auto rsa = read_rsa_public_key(*key);
    if (!rsa) return rsa.error();
    p.public_key = rsa.value();
    if (!r.u16le(p.signature_blob_type))
        return DecodeError::malformed(layer, "PROPRIETARYSERVERCERTIFICATE.wSignatureBlobType", r.offset());
    const std::size_t sig_len_at = r.offset();
    std::uint16_t sig_len = 0;
    if (!r.u16le(sig_len))
        return DecodeError::malformed(layer, "PROPRIETARYSERVERCERTIFICATE.wSignatureBlobLen", sig_len_at);
    auto sig = r.bytes(sig_len);
    if (!sig) return DecodeError::malformed(layer, "PROPRIETARYSERVERCERTIFICATE.wSignatureBlobLen", sig_len_at);
    p.signature = *sig;
    return p;
}

// MS-RDPBCGR 5.3.3.2: NumCertBlobs, then {cbCert, abCert} per certificate,
// then 8 + 4 * NumCertBlobs bytes of padding (ignored).
Decoded<std::vector<Bytes>> read_x509_chain(Reader& r) {
    const std::size_t count_at = r.offset();
    std::uint32_t count = 0;
    if (!r.u32le(count)) return DecodeError::malformed(layer, "X509CertificateChain.NumCertBlobs", count_at);
    // Each certificate takes at least its 4-byte length: bound the count by
    // the bytes there before trusting it.
    if (std::uint64_t{count} * 4 > r.remaining())
        return DecodeError::malformed(layer, "X509CertificateChain.NumCertBlobs", count_at);
    std::vector<Bytes> chain;
    chain.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t len_at = r.offset();
        std::uint32_t len = 0;
        if (!r.u32le(len)) return DecodeError::malformed(layer, "X509CertificateChain.cbCert", len_at);
        auto der = r.bytes(len);
        if (!der) return DecodeError::malformed(layer, "X509CertificateChain.cbCert", len_at);
        chain.push_back(*der);
    }
    return chain;
}

Decoded<ServerCertificate> read_server_certificate(Reader r) {
    ServerCertificate c;
    if (!r.u32le(c.dw_version)) return DecodeError::malformed(layer, "SERVER_CERTIFICATE.dwVersion", r.offset());
    c.body = r.rest();
    switch (c.chain_version()) {
        case 1: {
            auto p = read_proprietary(r);
            if (!p) return p.error();
            c.proprietary = p.value();
            break;
        }
        case 2: {
            auto chain = read_x509_chain(r);
            if (!chain) return chain.error();
            c.x509_chain = std::move(chain.value());
            break;
        }
        default:
            break;  // unknown chain version: kept as body
    }
    return c;
}

Decoded<ServerSecurityData> read_server_security(Reader r) {
    ServerSecurityData s;
    if (!r.u32le(s.encryption_method))
        return DecodeError::malformed(layer, "ServerSecurityData.encryptionMethod", r.offset());
    if (!r.u32le(s.encryption_level))
        return DecodeError::malformed(layer, "ServerSecurityData.encryptionLevel", r.offset());
    // 2.2.1.4.3: with method and level both 0 nothing more is sent.
    if (r.empty() && s.encryption_method == 0 && s.encryption_level == 0) return s;
    const std::size_t random_len_at = r.offset();
    std::uint32_t random_len = 0, cert_len = 0;
    if (!r.u32le(random_len)) return DecodeError::malformed(layer, "ServerSecurityData.serverRandomLen", random_len_at);
    const std::size_t cert_len_at = r.offset();
    if (!r.u32le(cert_len)) return DecodeError::malformed(layer, "ServerSecurityData.serverCertLen", cert_len_at);
    s.server_random_len = random_len;
    s.server_cert_len = cert_len;
    auto random = r.bytes(random_len);
    if (!random) return DecodeError::malformed(layer, "ServerSecurityData.serverRandomLen", random_len_at);
    s.server_random = *random;
    auto cert = r.sub(cert_len);
    if (!cert) return DecodeError::malformed(layer, "ServerSecurityData.serverCertLen", cert_len_at);
    if (cert_len > 0) {
        auto decoded = read_server_certificate(*cert);
        if (decoded) s.certificate = std::move(decoded.value());
        else s.certificate_error = decoded.error();
    }
    return s;
}

Decoded<ServerNetworkData> read_server_network(Reader r) {
    ServerNetworkData n;
    if (!r.u16le(n.mcs_channel_id)) return DecodeError::malformed(layer, "ServerNetworkData.MCSChannelId", r.offset());
    const std::size_t count_at = r.offset();
    if (!r.u16le(n.channel_count)) return DecodeError::malformed(layer, "ServerNetworkData.channelCount", count_at);
    if (std::size_t{n.channel_count} * 2 > r.remaining())
        return DecodeError::malformed(layer, "ServerNetworkData.channelCount", count_at);
    n.channel_ids.reserve(n.channel_count);
    for (std::uint16_t i = 0; i < n.channel_count; ++i) {
        std::uint16_t id = 0;
        r.u16le(id);
        n.channel_ids.push_back(id);
    }
    // An odd count is followed by 2 bytes of padding; nothing to check.
    return n;
}

// ---- block runs -------------------------------------------------------------

struct BlockHeader {
    std::uint16_t type = 0;
    std::uint16_t length = 0;
    Reader body;
};

// TS_UD_HEADER (2.2.1.3.1): type and length (header included), little-endian.
Decoded<BlockHeader> read_block_header(Reader& r) {
    BlockHeader h;
    const std::size_t at = r.offset();
    if (!r.u16le(h.type)) return DecodeError::malformed(layer, "TS_UD_HEADER.type", at);
    if (!r.u16le(h.length) || h.length < 4) return DecodeError::malformed(layer, "TS_UD_HEADER.length", at + 2);
    auto body = r.sub(h.length - 4u);
    if (!body) return DecodeError::malformed(layer, "TS_UD_HEADER.length", at + 2);
    h.body = *body;
    return h;
}

// Stores a decoded block unless that type was already seen.
template <typename T, typename Settings>
std::optional<DecodeError> keep(Settings& s, std::optional<T>& slot, Decoded<T> d) {
    if (!d) return d.error();
    if (slot) ++s.duplicates;
    else slot = std::move(d.value());
    return std::nullopt;
}

// The same for a block that is one little-endian integer (uint16 or uint32).
template <typename T, typename Settings>
std::optional<DecodeError> keep_le(Settings& s, std::optional<T>& slot, Reader body, std::string_view field) {
    T v = 0;
    bool ok = false;
    if constexpr (sizeof(T) == 2) ok = body.u16le(v);
    else ok = body.u32le(v);
    if (!ok) return DecodeError::malformed(layer, field, body.offset());
    if (slot) ++s.duplicates;
    else slot = v;
    return std::nullopt;
}

// The user-data blocks (TS_UD_HEADER + body, MS-RDPBCGR 2.2.1.3.1) one after the
// other, their types in `order`; on_block(settings, header) decodes each.
template <typename Settings, typename OnBlock>
Decoded<Settings> decode_blocks(Bytes blocks, std::size_t base_offset, OnBlock on_block) {
    Reader r(blocks, base_offset);
    Settings s;
    while (!r.empty()) {
        auto h = read_block_header(r);
        if (!h) return h.error();
        const BlockHeader& b = h.value();
        s.order.push_back(b.type);
        if (std::optional<DecodeError> err = on_block(s, b)) return *err;
    }
    return s;
}

}  // namespace

// ---- public -----------------------------------------------------------------

std::optional<unsigned> ClientCoreData::effective_color_depth() const {
    if (early_capability_flags && (*early_capability_flags & RNS_UD_CS_WANT_32BPP_SESSION)) return 32;
    if (high_color_depth) {
        switch (*high_color_depth) {
            case 4: case 8: case 15: case 16: case 24: return *high_color_depth;
            default: return std::nullopt;
        }
    }
    // postBeta2ColorDepth and colorDepth share the RNS_UD_COLOR_* codes.
    const std::uint16_t code = post_beta2_color_depth ? *post_beta2_color_depth : color_depth;
    switch (code) {
        case 0xCA00: return 4;
        case 0xCA01: return 8;
        case 0xCA02: return 15;
        case 0xCA03: return 16;
        case 0xCA04: return 24;
        default: return std::nullopt;
    }
}

std::string ClientCoreData::zeek_requested_color_depth() const {
    if (early_capability_flags && (*early_capability_flags & RNS_UD_CS_WANT_32BPP_SESSION)) return "32bit";
    if (!high_color_depth) return {};
    switch (*high_color_depth) {
        case 4: case 8: case 15: case 16: case 24: return std::to_string(*high_color_depth) + "bit";
        default: return "high_color_depth-" + std::to_string(*high_color_depth);
    }
}

Decoded<ClientCoreData> decode_client_core(Bytes body, std::size_t base_offset) {
    return read_client_core(Reader(body, base_offset));
}

Decoded<ClientNetworkData> decode_client_network(Bytes body, std::size_t base_offset) {
    return read_client_network(Reader(body, base_offset));
}

Decoded<ServerSecurityData> decode_server_security(Bytes body, std::size_t base_offset) {
    return read_server_security(Reader(body, base_offset));
}

Decoded<ServerCertificate> decode_server_certificate(Bytes cert, std::size_t base_offset) {
    return read_server_certificate(Reader(cert, base_offset));
}

Decoded<ClientSettings> decode_client_blocks(Bytes blocks, std::size_t base_offset) {
    return decode_blocks<ClientSettings>(
        blocks, base_offset, [](ClientSettings& s, const BlockHeader& b) -> std::optional<DecodeError> {
            switch (b.type) {
                case CS_CORE: return keep(s, s.core, read_client_core(b.body));
                case CS_SECURITY: return keep(s, s.security, read_client_security(b.body));
                case CS_NET: return keep(s, s.network, read_client_network(b.body));
                case CS_CLUSTER: return keep(s, s.cluster, read_client_cluster(b.body));
                case CS_MONITOR: return keep(s, s.monitor, read_client_monitor(b.body));
                case CS_MCS_MSGCHANNEL:
                    return keep_le(s, s.message_channel_flags, b.body, "ClientMessageChannelData.flags");
                case CS_MULTITRANSPORT:
                    return keep_le(s, s.multitransport_flags, b.body, "MultitransportChannelData.flags");
                default: s.unknown.push_back({b.type, b.length, b.body.rest()}); return std::nullopt;
            }
        });
}

Decoded<ServerSettings> decode_server_blocks(Bytes blocks, std::size_t base_offset) {
    return decode_blocks<ServerSettings>(
        blocks, base_offset, [](ServerSettings& s, const BlockHeader& b) -> std::optional<DecodeError> {
            switch (b.type) {
                case SC_CORE: return keep(s, s.core, read_server_core(b.body));
                case SC_SECURITY: return keep(s, s.security, read_server_security(b.body));
                case SC_NET: return keep(s, s.network, read_server_network(b.body));
                case SC_MCS_MSGCHANNEL:
                    return keep_le(s, s.message_channel_id, b.body, "ServerMessageChannelData.MCSChannelID");
                case SC_MULTITRANSPORT:
                    return keep_le(s, s.multitransport_flags, b.body, "MultitransportChannelData.flags");
                default: s.unknown.push_back({b.type, b.length, b.body.rest()}); return std::nullopt;
            }
        });
}

Decoded<ConferenceCreateRequest> decode_conference_create_request(Bytes connect_data,
                                                                  std::size_t base_offset) {
    Reader r(connect_data, base_offset);
    ConferenceCreateRequest req;
    auto head = read_connect_data_head(r);
    if (!head) return head.error();
    req.t124_identifier = head->oid;
    req.connect_pdu_length = head->connect_pdu_length;
    auto pdu_or = r.sub(req.connect_pdu_length);
    if (!pdu_or) return DecodeError::malformed(layer, "ConnectData.connectPDU.length", head->length_offset);
    Reader pdu = *pdu_or;

    // Octet 1: ConnectGCCPDU CHOICE (extension bit, 3-bit index 0 =
    // conferenceCreateRequest), then ConferenceCreateRequest's extension bit
    // and its first three OPTIONAL bits (convenerPassword, password,
    // conductorPrivileges).  Octet 2: the other five OPTIONAL bits
    // (conductedPrivileges, nonConductedPrivileges, conferenceDescription,
    // callerIdentifier, userData), then ConferenceName's extension bit and its
    // text-present bit.
    std::uint8_t b0 = 0, b1 = 0;
    const std::size_t choice_at = pdu.offset();
    if (!pdu.u8(b0)) return DecodeError::malformed(layer, "ConnectGCCPDU.choice", choice_at);
    if ((b0 & 0x80) || ((b0 >> 4) & 0x07) != 0)
        return DecodeError::unsupported(layer, "ConnectGCCPDU.choice", choice_at);
    if (!pdu.u8(b1)) return DecodeError::malformed(layer, "ConferenceCreateRequest.optional", pdu.offset());
    const bool has_user_data = b1 & 0x08;
    const bool has_name_text = b1 & 0x02;
    // Passwords, privileges, description and caller id: no RDP client sends
    // them and their encodings are long; refuse rather than guess.
    if ((b0 & 0x07) || (b1 & 0xf0))
        return DecodeError::unsupported(layer, "ConferenceCreateRequest.optional", choice_at + 1);

    const std::size_t name_at = pdu.offset();
    if (auto s = per::read_numeric_string(pdu, 1, req.conference_name); s != per::Status::ok)
        return from_per(s, "ConferenceCreateRequest.conferenceName", name_at);
    if (has_name_text) {
        // text TextString ::= BMPString (SIZE (0..255)): length octet, 2 bytes per char.
        std::uint8_t chars = 0;
        if (!pdu.u8(chars) || !pdu.skip(2u * chars))
            return DecodeError::malformed(layer, "ConferenceCreateRequest.conferenceName.text", name_at);
    }
    // lockedConference, listedConference, conductibleConference, terminationMethod:
    // 5 bits, padded to the octet.
    if (!pdu.skip(1)) return DecodeError::malformed(layer, "ConferenceCreateRequest.terminationMethod", pdu.offset());
    if (!has_user_data) return DecodeError::malformed(layer, "ConferenceCreateRequest.userData", choice_at + 1);

    auto set = find_user_data(pdu, client_h221_key);
    if (!set) return set.error();
    req.h221_key = set->key;
    req.user_data = set->value;
    const std::size_t blocks_at = base_offset + static_cast<std::size_t>(req.user_data.data() - connect_data.data());
    auto settings = decode_client_blocks(req.user_data, blocks_at);
    if (!settings) return settings.error();
    req.settings = std::move(settings.value());
    return req;
}

Decoded<ConferenceCreateResponse> decode_conference_create_response(Bytes connect_data,
                                                                    std::size_t base_offset) {
    Reader r(connect_data, base_offset);
    ConferenceCreateResponse rsp;
    auto head = read_connect_data_head(r);
    if (!head) return head.error();
    rsp.t124_identifier = head->oid;
    rsp.connect_pdu_length = head->connect_pdu_length;
    rsp.connect_pdu_length_mismatch = rsp.connect_pdu_length != r.remaining();
    Reader pdu = r;  // bounded by the OCTET STRING, not by the (unreliable) length

    // Octet 1: ConnectGCCPDU extension bit and index (1 =
    // conferenceCreateResponse), the response's extension bit and its one
    // OPTIONAL bit (userData), two bits of padding.
    std::uint8_t b0 = 0;
    const std::size_t choice_at = pdu.offset();
    if (!pdu.u8(b0)) return DecodeError::malformed(layer, "ConnectGCCPDU.choice", choice_at);
    if ((b0 & 0x80) || ((b0 >> 4) & 0x07) != 1)
        return DecodeError::unsupported(layer, "ConnectGCCPDU.choice", choice_at);
    const bool has_user_data = b0 & 0x04;

    const std::size_t node_at = pdu.offset();
    if (auto s = per::read_integer16(pdu, 1001, rsp.node_id); s != per::Status::ok)
        return from_per(s, "ConferenceCreateResponse.nodeID", node_at);
    const std::size_t tag_at = pdu.offset();
    if (auto s = per::read_integer(pdu, rsp.tag); s != per::Status::ok)
        return from_per(s, "ConferenceCreateResponse.tag", tag_at);
    // result ENUMERATED { success, userRejected, resourcesNotAvailable,
    // rejectedForSymmetryBreaking, lockedConferenceNotSupported, ... }:
    // extension bit + 3 bits, padded.
    const std::size_t result_at = pdu.offset();
    std::uint8_t result = 0;
    if (!pdu.u8(result)) return DecodeError::malformed(layer, "ConferenceCreateResponse.result", result_at);
    if (result & 0x80) return DecodeError::unsupported(layer, "ConferenceCreateResponse.result", result_at);
    rsp.result = (result >> 4) & 0x07;
    if (!has_user_data) return rsp;  // a refusal may carry no settings

    auto set = find_user_data(pdu, server_h221_key);
    if (!set) return set.error();
    rsp.h221_key = set->key;
    rsp.user_data = set->value;
    const std::size_t blocks_at = base_offset + static_cast<std::size_t>(rsp.user_data.data() - connect_data.data());
    auto settings = decode_server_blocks(rsp.user_data, blocks_at);
    if (!settings) return settings.error();
    rsp.settings = std::move(settings.value());
    return rsp;
}

std::string utf16le_to_utf8(Bytes utf16) {
    std::string out;
    auto put = [&out](std::uint32_t cp) {
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else {
            out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        }
    };
    constexpr std::uint32_t replacement = 0xfffd;
    const std::size_t units = utf16.size() / 2;
    for (std::size_t i = 0; i < units; ++i) {
        const std::uint32_t u = utf16[2 * i] | (std::uint32_t{utf16[2 * i + 1]} << 8);
        if (u == 0) break;
        if (u >= 0xd800 && u <= 0xdbff && i + 1 < units) {
            const std::uint32_t lo = utf16[2 * i + 2] | (std::uint32_t{utf16[2 * i + 3]} << 8);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                put(0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
                ++i;
                continue;
            }
        }
        put((u >= 0xd800 && u <= 0xdfff) ? replacement : u);
    }
    return out;
}

}  // namespace rdpscope::gcc
