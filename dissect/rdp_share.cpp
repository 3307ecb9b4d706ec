// SPDX-License-Identifier: MIT
#include "dissect/rdp_share.hpp"

#include "dissect/gcc.hpp"

namespace rdpscope::share {

namespace {

constexpr std::string_view layer = "rdp";

// A fixed-size UTF-16LE field, to its first NUL (or its declared byte count).
std::string utf16_field(Bytes field, std::size_t declared) {
    if (declared < field.size()) field = field.first(declared);
    return gcc::utf16le_to_utf8(field);
}

Decoded<std::string> source_descriptor(Reader& r, std::uint16_t length, std::string_view field) {
    auto b = r.bytes(length);
    if (!b) return DecodeError::malformed(layer, field, r.offset());
    std::string s(as_text(*b));
    if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
    return s;
}

Decoded<SaveSessionInfo> decode_save_session_info(Reader& r) {
    SaveSessionInfo s;
    if (!r.u32le(s.info_type)) return DecodeError::malformed(layer, "TS_SAVE_SESSION_INFO_PDU_DATA.infoType", r.offset());
    switch (s.info_type) {
        case SaveSessionInfo::INFOTYPE_LOGON: {
            // 2.2.10.1.1.1 TS_LOGON_INFO: cbDomain, Domain[52], cbUserName, UserName[512], SessionId.
            std::uint32_t cb_domain = 0, cb_user = 0, session = 0;
            if (!r.u32le(cb_domain)) return DecodeError::malformed(layer, "TS_LOGON_INFO.cbDomain", r.offset());
            auto domain = r.bytes(52);
            if (!domain) return DecodeError::malformed(layer, "TS_LOGON_INFO.Domain", r.offset());
            if (!r.u32le(cb_user)) return DecodeError::malformed(layer, "TS_LOGON_INFO.cbUserName", r.offset());
            auto user = r.bytes(512);
            if (!user) return DecodeError::malformed(layer, "TS_LOGON_INFO.UserName", r.offset());
            if (!r.u32le(session)) return DecodeError::malformed(layer, "TS_LOGON_INFO.SessionId", r.offset());
            s.domain = utf16_field(*domain, cb_domain);
            s.user_name = utf16_field(*user, cb_user);
            s.session_id = session;
            return s;
        }
        case SaveSessionInfo::INFOTYPE_LOGON_LONG: {
            // 2.2.10.1.1.2 TS_LOGON_INFO_VERSION_2: Version, Size, SessionId,
            // cbDomain, cbUserName, Pad[558], Domain, UserName (both NUL-terminated).
            std::uint16_t version = 0;
            std::uint32_t size = 0, session = 0, cb_domain = 0, cb_user = 0;
            if (!r.u16le(version) || !r.u32le(size) || !r.u32le(session) || !r.u32le(cb_domain) || !r.u32le(cb_user))
                return DecodeError::malformed(layer, "TS_LOGON_INFO_VERSION_2", r.offset());
            if (!r.skip(558)) return DecodeError::malformed(layer, "TS_LOGON_INFO_VERSION_2.Pad", r.offset());
            auto domain = r.bytes(cb_domain);
            if (!domain) return DecodeError::malformed(layer, "TS_LOGON_INFO_VERSION_2.Domain", r.offset());
            auto user = r.bytes(cb_user);
            if (!user) return DecodeError::malformed(layer, "TS_LOGON_INFO_VERSION_2.UserName", r.offset());
            s.domain = utf16_field(*domain, cb_domain);
            s.user_name = utf16_field(*user, cb_user);
            s.session_id = session;
            return s;
        }
        case SaveSessionInfo::INFOTYPE_LOGON_PLAINNOTIFY:
            return s;  // 576 bytes of padding
        case SaveSessionInfo::INFOTYPE_LOGON_EXTENDED_INFO: {
            // 2.2.10.1.1.4 TS_LOGON_INFO_EXTENDED: Length, FieldsPresent, then
            // each present field as cbFieldData + data, in bit order.
            std::uint16_t length = 0;
            std::uint32_t present = 0;
            if (!r.u16le(length) || !r.u32le(present))
                return DecodeError::malformed(layer, "TS_LOGON_INFO_EXTENDED", r.offset());
            s.fields_present = present;
            if (present & SaveSessionInfo::LOGON_EX_AUTORECONNECTCOOKIE) {
                std::uint32_t cb = 0;
                if (!r.u32le(cb)) return DecodeError::malformed(layer, "TS_LOGON_INFO_FIELD.cbFieldData", r.offset());
                auto f = r.sub(cb);
                if (!f) return DecodeError::malformed(layer, "ARC_SC_PRIVATE_PACKET", r.offset());
                // 2.2.4.2 ARC_SC_PRIVATE_PACKET: cbLen, Version, LogonId, ArcRandomBits[16].
                std::uint32_t cb_len = 0, version = 0, logon_id = 0;
                if (f->u32le(cb_len) && f->u32le(version) && f->u32le(logon_id)) s.session_id = logon_id;
            }
            if (present & SaveSessionInfo::LOGON_EX_LOGONERRORS) {
                std::uint32_t cb = 0;
                if (!r.u32le(cb)) return DecodeError::malformed(layer, "TS_LOGON_INFO_FIELD.cbFieldData", r.offset());
                auto f = r.sub(cb);
                if (!f) return DecodeError::malformed(layer, "TS_LOGON_ERRORS_INFO", r.offset());
                std::uint32_t type = 0, data = 0;
                if (!f->u32le(type) || !f->u32le(data))
                    return DecodeError::malformed(layer, "TS_LOGON_ERRORS_INFO", f->offset());
                s.error_notification_type = type;
                s.error_notification_data = data;
            }
            return s;
        }
        default:
            return s;
    }
}

Decoded<Data> decode_data(Reader& r, std::uint16_t total_length) {
    // 2.2.8.1.1.1.2 TS_SHAREDATAHEADER (after the control header).
    Data d;
    std::uint8_t pad1 = 0;
    std::uint16_t uncompressed = 0, compressed_length = 0;
    if (!r.u32le(d.share_id) || !r.u8(pad1) || !r.u8(d.stream_id) || !r.u16le(uncompressed) || !r.u8(d.pdu_type2) ||
        !r.u8(d.compressed_type) || !r.u16le(compressed_length))
        return DecodeError::malformed(layer, "TS_SHAREDATAHEADER", r.offset());
    (void)total_length;
    if (d.compressed()) return d;  // bulk-compressed: the body is not read
    switch (d.pdu_type2) {
        case PDUTYPE2_SYNCHRONIZE: {
            Synchronize s;
            if (!r.u16le(s.message_type) || !r.u16le(s.target_user))
                return DecodeError::malformed(layer, "TS_SYNCHRONIZE_PDU", r.offset());
            d.body = s;
            break;
        }
        case PDUTYPE2_CONTROL: {
            Control c;
            if (!r.u16le(c.action) || !r.u16le(c.grant_id) || !r.u32le(c.control_id))
                return DecodeError::malformed(layer, "TS_CONTROL_PDU", r.offset());
            d.body = c;
            break;
        }
        case PDUTYPE2_SET_ERROR_INFO_PDU: {
            SetErrorInfo e;
            if (!r.u32le(e.error_info)) return DecodeError::malformed(layer, "TS_SET_ERROR_INFO_PDU.errorInfo", r.offset());
            d.body = e;
            break;
        }
        case PDUTYPE2_SAVE_SESSION_INFO: {
            auto s = decode_save_session_info(r);
            if (!s) return s.error();
            d.body = std::move(s.value());
            break;
        }
        default:
            break;
    }
    return d;
}

}  // namespace

Decoded<ServerRedirection> decode_redirection(Bytes packet, std::size_t base_offset) {
    // 2.2.13.1 RDP_SERVER_REDIRECTION_PACKET: Flags (SEC_REDIRECTION_PKT),
    // Length, SessionID, RedirFlags, then the optional fields in order.
    Reader r(packet, base_offset);
    ServerRedirection s;
    std::uint16_t flags = 0, length = 0;
    if (!r.u16le(flags) || !r.u16le(length) || !r.u32le(s.session_id) || !r.u32le(s.redir_flags))
        return DecodeError::malformed(layer, "RDP_SERVER_REDIRECTION_PACKET", r.offset());
    if (flags != 0x0400) return DecodeError::malformed(layer, "RDP_SERVER_REDIRECTION_PACKET.Flags", base_offset);
    auto field = [&](std::uint32_t bit, std::string_view name, std::string* out) -> std::optional<DecodeError> {
        if (!(s.redir_flags & bit)) return std::nullopt;
        std::uint32_t len = 0;
        if (!r.u32le(len)) return DecodeError::malformed(layer, name, r.offset());
        auto b = r.bytes(len);
        if (!b) return DecodeError::malformed(layer, name, r.offset());
        if (out) *out = gcc::utf16le_to_utf8(*b);
        return std::nullopt;
    };
    if (auto e = field(ServerRedirection::LB_TARGET_NET_ADDRESS, "TargetNetAddress", &s.target_net_address)) return *e;
    if (auto e = field(ServerRedirection::LB_LOAD_BALANCE_INFO, "LoadBalanceInfo", nullptr)) return *e;
    if (auto e = field(ServerRedirection::LB_USERNAME, "UserName", &s.user_name)) return *e;
    if (auto e = field(ServerRedirection::LB_DOMAIN, "Domain", &s.domain)) return *e;
    return s;
}

Decoded<Pdu> decode(Bytes user_data, std::size_t base_offset) {
    Reader r(user_data, base_offset);
    Pdu p;
    if (!r.u16le(p.header.total_length))
        return DecodeError::malformed(layer, "TS_SHARECONTROLHEADER.totalLength", r.offset());
    if (p.header.total_length == 0x8000) {
        // 2.2.8.1.1.1.1: a totalLength of 0x8000 marks a flow-control PDU, ignored.
        p.body = Flow{};
        return p;
    }
    if (p.header.total_length < 4 || p.header.total_length > user_data.size())
        return DecodeError::malformed(layer, "TS_SHARECONTROLHEADER.totalLength", base_offset);
    if (!r.u16le(p.header.pdu_type)) return DecodeError::malformed(layer, "TS_SHARECONTROLHEADER.pduType", r.offset());
    if (p.header.total_length >= 6) {
        std::uint16_t src = 0;
        if (!r.u16le(src)) return DecodeError::malformed(layer, "TS_SHARECONTROLHEADER.pduSource", r.offset());
        p.header.pdu_source = src;
    }
    auto body = r.sub(p.header.total_length - r.consumed());
    if (!body) return DecodeError::malformed(layer, "TS_SHARECONTROLHEADER.totalLength", base_offset);
    Reader& b = *body;
    switch (p.header.type()) {
        case PDUTYPE_DEMANDACTIVEPDU: {
            DemandActive d;
            std::uint16_t len_src = 0, len_caps = 0, pad = 0;
            if (!b.u32le(d.share_id) || !b.u16le(len_src) || !b.u16le(len_caps))
                return DecodeError::malformed(layer, "TS_DEMAND_ACTIVE_PDU", b.offset());
            auto src = source_descriptor(b, len_src, "TS_DEMAND_ACTIVE_PDU.sourceDescriptor");
            if (!src) return src.error();
            d.source_descriptor = *src;
            if (len_caps < 4 || !b.u16le(d.capability_sets) || !b.u16le(pad) || !b.skip(len_caps - 4u))
                return DecodeError::malformed(layer, "TS_DEMAND_ACTIVE_PDU.capabilitySets", b.offset());
            std::uint32_t session = 0;
            if (b.u32le(session)) d.session_id = session;
            p.body = d;
            return p;
        }
        case PDUTYPE_CONFIRMACTIVEPDU: {
            ConfirmActive c;
            std::uint16_t len_src = 0, len_caps = 0, pad = 0;
            if (!b.u32le(c.share_id) || !b.u16le(c.originator_id) || !b.u16le(len_src) || !b.u16le(len_caps))
                return DecodeError::malformed(layer, "TS_CONFIRM_ACTIVE_PDU", b.offset());
            auto src = source_descriptor(b, len_src, "TS_CONFIRM_ACTIVE_PDU.sourceDescriptor");
            if (!src) return src.error();
            c.source_descriptor = *src;
            if (len_caps < 4 || !b.u16le(c.capability_sets) || !b.u16le(pad) || !b.skip(len_caps - 4u))
                return DecodeError::malformed(layer, "TS_CONFIRM_ACTIVE_PDU.capabilitySets", b.offset());
            p.body = c;
            return p;
        }
        case PDUTYPE_DEACTIVATEALLPDU: {
            DeactivateAll d;
            // Some servers send only the header (2.2.3.1.1: shareId and a 1-byte descriptor follow).
            if (!b.empty() && !b.u32le(d.share_id))
                return DecodeError::malformed(layer, "TS_DEACTIVATE_ALL_PDU.shareId", b.offset());
            p.body = d;
            return p;
        }
        case PDUTYPE_SERVER_REDIR_PKT: {
            // 2.2.13.3.1: the header, 2 bytes of padding, the redirection packet.
            if (!b.skip(2)) return DecodeError::malformed(layer, "TS_ENHANCED_SECURITY_SERVER_REDIRECTION.pad", b.offset());
            auto red = decode_redirection(b.rest(), b.offset());
            if (!red) return red.error();
            p.body = std::move(red.value());
            return p;
        }
        case PDUTYPE_DATAPDU: {
            auto d = decode_data(b, p.header.total_length);
            if (!d) return d.error();
            p.body = std::move(d.value());
            return p;
        }
        default:
            p.body = Other{};
            return p;
    }
}

std::string_view errinfo_name(std::uint32_t code) {
    // MS-RDPBCGR 2.2.5.1.1 errorInfo: protocol-independent codes, licensing
    // codes, Connection Broker codes, RDP-specific codes.
    switch (code) {
        case 0x00000000: return "ERRINFO_NONE";
        case 0x00000001: return "ERRINFO_RPC_INITIATED_DISCONNECT";
        case 0x00000002: return "ERRINFO_RPC_INITIATED_LOGOFF";
        case 0x00000003: return "ERRINFO_IDLE_TIMEOUT";
        case 0x00000004: return "ERRINFO_LOGON_TIMEOUT";
        case 0x00000005: return "ERRINFO_DISCONNECTED_BY_OTHERCONNECTION";
        case 0x00000006: return "ERRINFO_OUT_OF_MEMORY";
        case 0x00000007: return "ERRINFO_SERVER_DENIED_CONNECTION";
        case 0x00000009: return "ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES";
        case 0x0000000A: return "ERRINFO_SERVER_FRESH_CREDENTIALS_REQUIRED";
        case 0x0000000B: return "ERRINFO_RPC_INITIATED_DISCONNECT_BYUSER";
        case 0x0000000C: return "ERRINFO_LOGOFF_BY_USER";
        case 0x0000000F: return "ERRINFO_CLOSE_STACK_ON_DRIVER_NOT_READY";
        case 0x00000010: return "ERRINFO_SERVER_DWM_CRASH";
        case 0x00000011: return "ERRINFO_CLOSE_STACK_ON_DRIVER_FAILURE";
        case 0x00000012: return "ERRINFO_CLOSE_STACK_ON_DRIVER_IFACE_FAILURE";
        case 0x00000017: return "ERRINFO_SERVER_WINLOGON_CRASH";
        case 0x00000018: return "ERRINFO_SERVER_CSRSS_CRASH";
        case 0x00000100: return "ERRINFO_LICENSE_INTERNAL";
        case 0x00000101: return "ERRINFO_LICENSE_NO_LICENSE_SERVER";
        case 0x00000102: return "ERRINFO_LICENSE_NO_LICENSE";
        case 0x00000103: return "ERRINFO_LICENSE_BAD_CLIENT_MSG";
        case 0x00000104: return "ERRINFO_LICENSE_HWID_DOESNT_MATCH_LICENSE";
        case 0x00000105: return "ERRINFO_LICENSE_BAD_CLIENT_LICENSE";
        case 0x00000106: return "ERRINFO_LICENSE_CANT_FINISH_PROTOCOL";
        case 0x00000107: return "ERRINFO_LICENSE_CLIENT_ENDED_PROTOCOL";
        case 0x00000108: return "ERRINFO_LICENSE_BAD_CLIENT_ENCRYPTION";
        case 0x00000109: return "ERRINFO_LICENSE_CANT_UPGRADE_LICENSE";
        case 0x0000010A: return "ERRINFO_LICENSE_NO_REMOTE_CONNECTIONS";
        case 0x00000400: return "ERRINFO_CB_DESTINATION_NOT_FOUND";
        case 0x00000402: return "ERRINFO_CB_LOADING_DESTINATION";
        case 0x00000404: return "ERRINFO_CB_REDIRECTING_TO_DESTINATION";
        case 0x00000405: return "ERRINFO_CB_SESSION_ONLINE_VM_WAKE";
        case 0x00000406: return "ERRINFO_CB_SESSION_ONLINE_VM_BOOT";
        case 0x00000407: return "ERRINFO_CB_SESSION_ONLINE_VM_NO_DNS";
        case 0x00000408: return "ERRINFO_CB_DESTINATION_POOL_NOT_FREE";
        case 0x00000409: return "ERRINFO_CB_CONNECTION_CANCELLED";
        case 0x00000410: return "ERRINFO_CB_CONNECTION_ERROR_INVALID_SETTINGS";
        case 0x00000411: return "ERRINFO_CB_SESSION_ONLINE_VM_BOOT_TIMEOUT";
        case 0x00000412: return "ERRINFO_CB_SESSION_ONLINE_VM_SESSMON_FAILED";
        case 0x000010C9: return "ERRINFO_UNKNOWNPDUTYPE2";
        case 0x000010CA: return "ERRINFO_UNKNOWNPDUTYPE";
        case 0x000010CB: return "ERRINFO_DATAPDUSEQUENCE";
        case 0x000010CD: return "ERRINFO_CONTROLPDUSEQUENCE";
        case 0x000010CE: return "ERRINFO_INVALIDCONTROLPDUACTION";
        case 0x000010CF: return "ERRINFO_INVALIDINPUTPDUTYPE";
        case 0x000010D0: return "ERRINFO_INVALIDINPUTPDUMOUSE";
        case 0x000010D1: return "ERRINFO_INVALIDREFRESHRECTPDU";
        case 0x000010D2: return "ERRINFO_CREATEUSERDATAFAILED";
        case 0x000010D3: return "ERRINFO_CONNECTFAILED";
        case 0x000010D4: return "ERRINFO_CONFIRMACTIVEWRONGSHAREID";
        case 0x000010D5: return "ERRINFO_CONFIRMACTIVEWRONGORIGINATOR";
        case 0x000010DA: return "ERRINFO_PERSISTENTKEYPDUBADLENGTH";
        case 0x000010DB: return "ERRINFO_PERSISTENTKEYPDUILLEGALFIRST";
        case 0x000010DC: return "ERRINFO_PERSISTENTKEYPDUTOOMANYTOTALKEYS";
        case 0x000010DD: return "ERRINFO_PERSISTENTKEYPDUTOOMANYCACHEKEYS";
        case 0x000010DE: return "ERRINFO_INPUTPDUBADLENGTH";
        case 0x000010DF: return "ERRINFO_BITMAPCACHEERRORPDUBADLENGTH";
        case 0x000010E0: return "ERRINFO_SECURITYDATATOOSHORT";
        case 0x000010E1: return "ERRINFO_VCHANNELDATATOOSHORT";
        case 0x000010E2: return "ERRINFO_SHAREDATATOOSHORT";
        case 0x000010E3: return "ERRINFO_BADSUPRESSOUTPUTPDU";
        case 0x000010E5: return "ERRINFO_CONFIRMACTIVEPDUTOOSHORT";
        case 0x000010E7: return "ERRINFO_CAPABILITYSETTOOSMALL";
        case 0x000010E8: return "ERRINFO_CAPABILITYSETTOOLARGE";
        case 0x000010E9: return "ERRINFO_NOCURSORCACHE";
        case 0x000010EA: return "ERRINFO_BADCAPABILITIES";
        case 0x000010EC: return "ERRINFO_VIRTUALCHANNELDECOMPRESSIONERR";
        case 0x000010ED: return "ERRINFO_INVALIDVCCOMPRESSIONTYPE";
        case 0x000010EF: return "ERRINFO_INVALIDCHANNELID";
        case 0x000010F0: return "ERRINFO_VCHANNELSTOOMANY";
        case 0x000010F3: return "ERRINFO_REMOTEAPPSNOTENABLED";
        case 0x000010F4: return "ERRINFO_CACHECAPNOTSET";
        case 0x000010F5: return "ERRINFO_BITMAPCACHEERRORPDUBADLENGTH2";
        case 0x000010F6: return "ERRINFO_OFFSCRCACHEERRORPDUBADLENGTH";
        case 0x000010F7: return "ERRINFO_DNGCACHEERRORPDUBADLENGTH";
        case 0x000010F8: return "ERRINFO_GDIPLUSPDUBADLENGTH";
        case 0x00001111: return "ERRINFO_SECURITYDATATOOSHORT2";
        case 0x00001112: return "ERRINFO_SECURITYDATATOOSHORT3";
        case 0x00001113: return "ERRINFO_SECURITYDATATOOSHORT4";
        case 0x00001114: return "ERRINFO_SECURITYDATATOOSHORT5";
        case 0x00001115: return "ERRINFO_SECURITYDATATOOSHORT6";
        case 0x00001116: return "ERRINFO_SECURITYDATATOOSHORT7";
        case 0x00001117: return "ERRINFO_SECURITYDATATOOSHORT8";
        case 0x00001118: return "ERRINFO_SECURITYDATATOOSHORT9";
        case 0x00001119: return "ERRINFO_SECURITYDATATOOSHORT10";
        case 0x0000111A: return "ERRINFO_SECURITYDATATOOSHORT11";
        case 0x0000111B: return "ERRINFO_SECURITYDATATOOSHORT12";
        case 0x0000111C: return "ERRINFO_SECURITYDATATOOSHORT13";
        case 0x0000111D: return "ERRINFO_SECURITYDATATOOSHORT14";
        case 0x0000111E: return "ERRINFO_SECURITYDATATOOSHORT15";
        case 0x0000111F: return "ERRINFO_SECURITYDATATOOSHORT16";
        case 0x00001120: return "ERRINFO_SECURITYDATATOOSHORT17";
        case 0x00001121: return "ERRINFO_SECURITYDATATOOSHORT18";
        case 0x00001122: return "ERRINFO_SECURITYDATATOOSHORT19";
        case 0x00001123: return "ERRINFO_SECURITYDATATOOSHORT20";
        case 0x00001124: return "ERRINFO_SECURITYDATATOOSHORT21";
        case 0x00001125: return "ERRINFO_SECURITYDATATOOSHORT22";
        case 0x00001126: return "ERRINFO_SECURITYDATATOOSHORT23";
        case 0x00001129: return "ERRINFO_BADMONITORDATA";
        case 0x0000112A: return "ERRINFO_VCDECOMPRESSEDREASSEMBLEFAILED";
        case 0x0000112B: return "ERRINFO_VCDATATOOLONG";
        case 0x0000112C: return "ERRINFO_BAD_FRAME_ACK_DATA";
        case 0x0000112D: return "ERRINFO_GRAPHICSMODENOTSUPPORTED";
        case 0x0000112E: return "ERRINFO_GRAPHICSSUBSYSTEMRESETFAILED";
        case 0x0000112F: return "ERRINFO_GRAPHICSSUBSYSTEMFAILED";
        case 0x00001130: return "ERRINFO_TIMEZONEKEYNAMELENGTHTOOSHORT";
        case 0x00001131: return "ERRINFO_TIMEZONEKEYNAMELENGTHTOOLONG";
        case 0x00001132: return "ERRINFO_DYNAMICDSTDISABLEDFIELDMISSING";
        case 0x00001133: return "ERRINFO_VCDECODINGERROR";
        case 0x00001134: return "ERRINFO_VIRTUALDESKTOPTOOLARGE";
        case 0x00001135: return "ERRINFO_MONITORGEOMETRYVALIDATIONFAILED";
        case 0x00001136: return "ERRINFO_INVALIDMONITORCOUNT";
        case 0x00001191: return "ERRINFO_UPDATESESSIONKEYFAILED";
        case 0x00001192: return "ERRINFO_DECRYPTFAILED";
        case 0x00001193: return "ERRINFO_ENCRYPTFAILED";
        case 0x00001194: return "ERRINFO_ENCPKGMISMATCH";
        case 0x00001195: return "ERRINFO_DECRYPTFAILED2";
        default: return "";
    }
}

std::string_view pdu_type_name(std::uint8_t type) {
    switch (type) {
        case PDUTYPE_DEMANDACTIVEPDU: return "PDUTYPE_DEMANDACTIVEPDU";
        case PDUTYPE_CONFIRMACTIVEPDU: return "PDUTYPE_CONFIRMACTIVEPDU";
        case PDUTYPE_DEACTIVATEALLPDU: return "PDUTYPE_DEACTIVATEALLPDU";
        case PDUTYPE_DATAPDU: return "PDUTYPE_DATAPDU";
        case PDUTYPE_SERVER_REDIR_PKT: return "PDUTYPE_SERVER_REDIR_PKT";
        default: return "";
    }
}

std::string_view pdu_type2_name(std::uint8_t t) {
    switch (t) {
        case PDUTYPE2_UPDATE: return "PDUTYPE2_UPDATE";
        case PDUTYPE2_CONTROL: return "PDUTYPE2_CONTROL";
        case PDUTYPE2_POINTER: return "PDUTYPE2_POINTER";
        case PDUTYPE2_INPUT: return "PDUTYPE2_INPUT";
        case PDUTYPE2_SYNCHRONIZE: return "PDUTYPE2_SYNCHRONIZE";
        case PDUTYPE2_REFRESH_RECT: return "PDUTYPE2_REFRESH_RECT";
        case PDUTYPE2_PLAY_SOUND: return "PDUTYPE2_PLAY_SOUND";
        case PDUTYPE2_SUPPRESS_OUTPUT: return "PDUTYPE2_SUPPRESS_OUTPUT";
        case PDUTYPE2_SHUTDOWN_REQUEST: return "PDUTYPE2_SHUTDOWN_REQUEST";
        case PDUTYPE2_SHUTDOWN_DENIED: return "PDUTYPE2_SHUTDOWN_DENIED";
        case PDUTYPE2_SAVE_SESSION_INFO: return "PDUTYPE2_SAVE_SESSION_INFO";
        case PDUTYPE2_FONTLIST: return "PDUTYPE2_FONTLIST";
        case PDUTYPE2_FONTMAP: return "PDUTYPE2_FONTMAP";
        case PDUTYPE2_SET_KEYBOARD_INDICATORS: return "PDUTYPE2_SET_KEYBOARD_INDICATORS";
        case PDUTYPE2_BITMAPCACHE_PERSISTENT_LIST: return "PDUTYPE2_BITMAPCACHE_PERSISTENT_LIST";
        case PDUTYPE2_BITMAPCACHE_ERROR_PDU: return "PDUTYPE2_BITMAPCACHE_ERROR_PDU";
        case PDUTYPE2_SET_KEYBOARD_IME_STATUS: return "PDUTYPE2_SET_KEYBOARD_IME_STATUS";
        case PDUTYPE2_OFFSCRCACHE_ERROR_PDU: return "PDUTYPE2_OFFSCRCACHE_ERROR_PDU";
        case PDUTYPE2_SET_ERROR_INFO_PDU: return "PDUTYPE2_SET_ERROR_INFO_PDU";
        case PDUTYPE2_DRAWNINEGRID_ERROR_PDU: return "PDUTYPE2_DRAWNINEGRID_ERROR_PDU";
        case PDUTYPE2_DRAWGDIPLUS_ERROR_PDU: return "PDUTYPE2_DRAWGDIPLUS_ERROR_PDU";
        case PDUTYPE2_ARC_STATUS_PDU: return "PDUTYPE2_ARC_STATUS_PDU";
        case PDUTYPE2_STATUS_INFO_PDU: return "PDUTYPE2_STATUS_INFO_PDU";
        case PDUTYPE2_MONITOR_LAYOUT_PDU: return "PDUTYPE2_MONITOR_LAYOUT_PDU";
        default: return "";
    }
}

std::string_view control_action_name(std::uint16_t action) {
    switch (action) {
        case 1: return "CTRLACTION_REQUEST_CONTROL";
        case 2: return "CTRLACTION_GRANTED_CONTROL";
        case 3: return "CTRLACTION_DETACH";
        case 4: return "CTRLACTION_COOPERATE";
        default: return "";
    }
}

std::string_view logon_error_type_name(std::uint32_t type) {
    // 2.2.10.1.1.4.1.1 TS_LOGON_ERRORS_INFO ErrorNotificationType: an NTSTATUS,
    // or one of the LOGON_MSG_* codes (then ErrorNotificationData is the
    // session id).  0xFFFFFFF8 is not in the specification's list: FreeRDP
    // names it LOGON_MSG_SESSION_BUSY_OPTIONS (include/freerdp/freerdp.h).
    switch (type) {
        case 0xFFFFFFF8: return "LOGON_MSG_SESSION_BUSY_OPTIONS";
        case 0xFFFFFFF9: return "LOGON_MSG_DISCONNECT_REFUSED";
        case 0xFFFFFFFA: return "LOGON_MSG_NO_PERMISSION";
        case 0xFFFFFFFB: return "LOGON_MSG_BUMP_OPTIONS";
        case 0xFFFFFFFC: return "LOGON_MSG_RECONNECT_OPTIONS";
        case 0xFFFFFFFD: return "LOGON_MSG_SESSION_TERMINATE";
        case 0xFFFFFFFE: return "LOGON_MSG_SESSION_CONTINUE";
        default: return "";
    }
}

std::string_view logon_error_data_name(std::uint32_t type, std::uint32_t data) {
    // ErrorNotificationData: the session id after a LOGON_MSG_* type, else
    // one of LOGON_FAILED_BAD_PASSWORD ... LOGON_WARNING.
    if (!logon_error_type_name(type).empty()) return "";
    switch (data) {
        case 0: return "LOGON_FAILED_BAD_PASSWORD";
        case 1: return "LOGON_FAILED_UPDATE_PASSWORD";
        case 2: return "LOGON_FAILED_OTHER";
        case 3: return "LOGON_WARNING";
        default: return "";
    }
}

std::string_view info_type_name(std::uint32_t t) {
    switch (t) {
        case 0: return "INFOTYPE_LOGON";
        case 1: return "INFOTYPE_LOGON_LONG";
        case 2: return "INFOTYPE_LOGON_PLAINNOTIFY";
        case 3: return "INFOTYPE_LOGON_EXTENDED_INFO";
        default: return "";
    }
}

}  // namespace rdpscope::share
