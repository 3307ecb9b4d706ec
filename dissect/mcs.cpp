// SPDX-License-Identifier: MIT
#include "dissect/mcs.hpp"

#include "dissect/ber.hpp"
#include "dissect/per.hpp"

namespace rdpscope::mcs {

namespace {

constexpr std::string_view layer = "mcs";

// `short_kind` is what running out of bytes means where the read happened:
// need_more at the top level, malformed inside a complete length-bounded body.
template <typename Status>
DecodeError from_status(Status s, std::string_view field, std::size_t offset, ErrorKind short_kind) {
    switch (s) {
        case Status::short_input: return DecodeError{layer, field, offset, short_kind, 0};
        case Status::unsupported: return DecodeError::unsupported(layer, field, offset);
        default: return DecodeError::malformed(layer, field, offset);
    }
}

#define RDPSCOPE_TRY(expr)                 \
    if (auto e_ = (expr)) return *e_;

// ---- BER connect PDUs (T.125 section 7 part 2) -------------------------------

// Reads inside a connect PDU's complete, length-bounded body: a short read there
// means a length lied, so it is malformed.
struct BerBody {
    Reader& r;

    template <typename T>
    std::optional<DecodeError> read(ber::Status (*read_field)(Reader&, T&), T& v, std::string_view field) {
        const std::size_t at = r.offset();
        if (auto s = read_field(r, v); s != ber::Status::ok) return from_status(s, field, at, ErrorKind::malformed);
        return std::nullopt;
    }
};

// The [APPLICATION n] wrapper: the only place where the end of the buffer
// means "wait for more".  Returns the complete body.
Decoded<Reader> read_connect_envelope(Reader& r, const ber::Identifier& want, std::string_view field) {
    const std::size_t at = r.offset();
    ber::Header h;
    if (auto s = ber::read_header(r, h); s != ber::Status::ok)
        return from_status(s, field, at, ErrorKind::need_more);
    if (!(h.id == want)) return DecodeError::malformed(layer, field, at);
    auto body = r.sub(h.length);
    if (!body) return DecodeError::need_more(layer, field, at, at + h.header_size + h.length);
    return *body;
}

// DomainParameters ::= SEQUENCE { maxChannelIds, maxUserIds, maxTokenIds,
// numPriorities, minThroughput, maxHeight, maxMCSPDUsize, protocolVersion }
Decoded<DomainParameters> read_domain_parameters(Reader& r, std::string_view field) {
    const std::size_t at = r.offset();
    Reader seq;
    if (auto s = ber::read_expected(r, ber::sequence_id, seq); s != ber::Status::ok)
        return from_status(s, field, at, ErrorKind::malformed);
    DomainParameters p;
    std::uint64_t* fields[] = {&p.max_channel_ids, &p.max_user_ids,   &p.max_token_ids,
                               &p.num_priorities,  &p.min_throughput, &p.max_height,
                               &p.max_mcs_pdu_size, &p.protocol_version};
    BerBody b{seq};
    for (std::uint64_t* f : fields) RDPSCOPE_TRY(b.read(ber::read_integer, *f, field));
    return p;  // trailing content in the SEQUENCE is ignored (extensions)
}

// ---- PER domain PDUs (T.125 section 7 parts 3-10) ----------------------------

// Result ENUMERATED (16 values) as it follows a 6-bit CHOICE index and a
// 1-bit OPTIONAL bitmap: strict ALIGNED PER puts its 4 bits in bit 0 of the
// first octet and the top 3 bits of the second, then pads.  Some encoders
// (FreeRDP) write the result as a whole second octet instead; padding bits
// must be zero in PER, so non-zero low bits identify that style.  Both agree
// on 0 = rt-successful, the value every capture holds.
std::uint8_t read_result_bits(std::uint8_t b0, std::uint8_t b1) {
    if ((b1 & 0x1f) != 0) return b1;
    return static_cast<std::uint8_t>(((b0 & 0x01) << 3) | (b1 >> 5));
}

struct PerReader {
    Reader& r;

    // Every read in a domain PDU can hit the end of the TPDU given: need_more.
    std::optional<DecodeError> u8(std::uint8_t& v, std::string_view field) {
        if (!r.u8(v)) return DecodeError::need_more(layer, field, r.offset());
        return std::nullopt;
    }
    std::optional<DecodeError> u16(std::uint16_t& v, std::string_view field) {
        if (!r.u16be(v)) return DecodeError::need_more(layer, field, r.offset());
        return std::nullopt;
    }
    std::optional<DecodeError> user_id(std::uint16_t& v, std::string_view field) {
        const std::size_t at = r.offset();
        if (auto s = per::read_integer16(r, user_id_base, v); s != per::Status::ok)
            return from_status(s, field, at, ErrorKind::need_more);
        return std::nullopt;
    }
    std::optional<DecodeError> integer(std::uint64_t& v, std::string_view field) {
        const std::size_t at = r.offset();
        if (auto s = per::read_integer(r, v); s != per::Status::ok)
            return from_status(s, field, at, ErrorKind::need_more);
        return std::nullopt;
    }
};

// ErectDomainRequest ::= SEQUENCE { subHeight INTEGER (0..MAX), subInterval INTEGER (0..MAX) }
Decoded<Pdu> read_erect_domain(PerReader p) {
    ErectDomainRequest e;
    RDPSCOPE_TRY(p.integer(e.sub_height, "ErectDomainRequest.subHeight"));
    RDPSCOPE_TRY(p.integer(e.sub_interval, "ErectDomainRequest.subInterval"));
    return Pdu{e};
}

// AttachUserConfirm ::= SEQUENCE { result Result, initiator UserId OPTIONAL }
Decoded<Pdu> read_attach_user_confirm(PerReader p, std::uint8_t b0) {
    AttachUserConfirm c;
    std::uint8_t b1 = 0;
    RDPSCOPE_TRY(p.u8(b1, "AttachUserConfirm.result"));
    c.result = read_result_bits(b0, b1);
    if (b0 & 0x02) {
        std::uint16_t id = 0;
        RDPSCOPE_TRY(p.user_id(id, "AttachUserConfirm.initiator"));
        c.initiator = id;
    }
    return Pdu{c};
}

// ChannelJoinRequest ::= SEQUENCE { initiator UserId, channelId ChannelId }
Decoded<Pdu> read_channel_join_request(PerReader p) {
    ChannelJoinRequest j;
    RDPSCOPE_TRY(p.user_id(j.initiator, "ChannelJoinRequest.initiator"));
    RDPSCOPE_TRY(p.u16(j.channel_id, "ChannelJoinRequest.channelId"));
    return Pdu{j};
}

// ChannelJoinConfirm ::= SEQUENCE { result Result, initiator UserId,
//                                   requested ChannelId, channelId ChannelId OPTIONAL }
Decoded<Pdu> read_channel_join_confirm(PerReader p, std::uint8_t b0) {
    ChannelJoinConfirm c;
    std::uint8_t b1 = 0;
    RDPSCOPE_TRY(p.u8(b1, "ChannelJoinConfirm.result"));
    c.result = read_result_bits(b0, b1);
    RDPSCOPE_TRY(p.user_id(c.initiator, "ChannelJoinConfirm.initiator"));
    RDPSCOPE_TRY(p.u16(c.requested, "ChannelJoinConfirm.requested"));
    if (b0 & 0x02) {
        std::uint16_t id = 0;
        RDPSCOPE_TRY(p.u16(id, "ChannelJoinConfirm.channelId"));
        c.channel_id = id;
    }
    return Pdu{c};
}

// SendDataRequest / SendDataIndication ::= SEQUENCE { initiator UserId,
//   channelId ChannelId, dataPriority DataPriority, segmentation Segmentation,
//   userData OCTET STRING }
// dataPriority (2 bits) and segmentation (BIT STRING {begin, end}, 2 bits)
// share one octet; userData has an aligned length determinant.
template <typename T>
Decoded<Pdu> read_send_data(PerReader p, std::string_view user_data_field) {
    T d;
    RDPSCOPE_TRY(p.user_id(d.initiator, "SendData.initiator"));
    RDPSCOPE_TRY(p.u16(d.channel_id, "SendData.channelId"));
    std::uint8_t flags = 0;
    RDPSCOPE_TRY(p.u8(flags, "SendData.dataPriority"));
    d.priority = flags >> 6;
    d.segment_begin = flags & 0x20;
    d.segment_end = flags & 0x10;
    const std::size_t len_at = p.r.offset();
    std::size_t len = 0;
    if (auto s = per::read_length(p.r, len); s != per::Status::ok)
        return from_status(s, user_data_field, len_at, ErrorKind::need_more);
    auto data = p.r.bytes(len);
    if (!data) return DecodeError::need_more(layer, user_data_field, len_at, p.r.offset() + len);
    d.user_data = *data;
    return Pdu{d};
}

// DisconnectProviderUltimatum ::= SEQUENCE { reason Reason }: Reason has 5
// values, 3 bits, right after the 6-bit CHOICE index (bits 1-0 of octet 1,
// bit 7 of octet 2).  21 80 = rn-user-requested.
Decoded<Pdu> read_disconnect(PerReader p, std::uint8_t b0) {
    std::uint8_t b1 = 0;
    RDPSCOPE_TRY(p.u8(b1, "DisconnectProviderUltimatum.reason"));
    DisconnectProviderUltimatum d;
    d.reason = static_cast<std::uint8_t>(((b0 & 0x03) << 1) | (b1 >> 7));
    return Pdu{d};
}

// The GCC PDU in a connect PDU's userData: decoded into `c.gcc`, or its error
// kept in `c.gcc_error` (the MCS PDU itself stays good).
template <typename Connect, typename DecodeGcc>
void decode_gcc(Connect& c, Bytes x224_user_data, DecodeGcc decode) {
    const std::size_t user_data_at = static_cast<std::size_t>(c.user_data.data() - x224_user_data.data());
    auto g = decode(c.user_data, user_data_at);
    if (g) c.gcc = std::move(g.value());
    else c.gcc_error = g.error();
}

}  // namespace

Decoded<ConnectInitial> decode_connect_initial(Bytes x224_user_data) {
    Reader r(x224_user_data);
    auto env = read_connect_envelope(r, ber::connect_initial_id, "ConnectInitial");
    if (!env) return env.error();
    Reader body = env.value();
    BerBody b{body};
    ConnectInitial ci;
    // Inside the envelope everything is bounded: short reads are malformed.
    RDPSCOPE_TRY(b.read(ber::read_octet_string, ci.calling_domain_selector, "ConnectInitial.callingDomainSelector"));
    RDPSCOPE_TRY(b.read(ber::read_octet_string, ci.called_domain_selector, "ConnectInitial.calledDomainSelector"));
    RDPSCOPE_TRY(b.read(ber::read_boolean, ci.upward_flag, "ConnectInitial.upwardFlag"));
    auto target = read_domain_parameters(body, "ConnectInitial.targetParameters");
    if (!target) return target.error();
    auto minimum = read_domain_parameters(body, "ConnectInitial.minimumParameters");
    if (!minimum) return minimum.error();
    auto maximum = read_domain_parameters(body, "ConnectInitial.maximumParameters");
    if (!maximum) return maximum.error();
    ci.target = target.value();
    ci.minimum = minimum.value();
    ci.maximum = maximum.value();
    RDPSCOPE_TRY(b.read(ber::read_octet_string, ci.user_data, "ConnectInitial.userData"));
    decode_gcc(ci, x224_user_data, gcc::decode_conference_create_request);
    return ci;
}

Decoded<ConnectResponse> decode_connect_response(Bytes x224_user_data) {
    Reader r(x224_user_data);
    auto env = read_connect_envelope(r, ber::connect_response_id, "ConnectResponse");
    if (!env) return env.error();
    Reader body = env.value();
    BerBody b{body};
    ConnectResponse cr;
    RDPSCOPE_TRY(b.read(ber::read_enumerated, cr.result, "ConnectResponse.result"));
    RDPSCOPE_TRY(b.read(ber::read_integer, cr.called_connect_id, "ConnectResponse.calledConnectId"));
    auto params = read_domain_parameters(body, "ConnectResponse.domainParameters");
    if (!params) return params.error();
    cr.domain_parameters = params.value();
    RDPSCOPE_TRY(b.read(ber::read_octet_string, cr.user_data, "ConnectResponse.userData"));
    decode_gcc(cr, x224_user_data, gcc::decode_conference_create_response);
    return cr;
}

#undef RDPSCOPE_TRY

Decoded<Pdu> decode_domain_pdu(Bytes x224_user_data) {
    Reader r(x224_user_data);
    PerReader p{r};
    std::uint8_t b0 = 0;
    if (!r.u8(b0)) return DecodeError::need_more(layer, "DomainMCSPDU.choice", 0);
    const std::uint8_t choice = b0 >> 2;
    switch (choice) {
        case erect_domain_request: return read_erect_domain(p);
        case disconnect_provider_ultimatum: return read_disconnect(p, b0);
        case attach_user_request: return Pdu{AttachUserRequest{}};
        case attach_user_confirm: return read_attach_user_confirm(p, b0);
        case channel_join_request: return read_channel_join_request(p);
        case channel_join_confirm: return read_channel_join_confirm(p, b0);
        case send_data_request: return read_send_data<SendDataRequest>(p, "SendDataRequest.userData");
        case send_data_indication: return read_send_data<SendDataIndication>(p, "SendDataIndication.userData");
        default:
            // T.125 DomainMCSPDU has 43 alternatives (0..42).
            if (choice > 42) return DecodeError::malformed(layer, "DomainMCSPDU.choice", 0);
            return Pdu{OtherDomainPdu{choice, r.rest()}};
    }
}

Decoded<Pdu> decode(Bytes x224_user_data) {
    if (x224_user_data.empty()) return DecodeError::need_more(layer, "DomainMCSPDU.choice", 0);
    if (x224_user_data[0] != 0x7f) return decode_domain_pdu(x224_user_data);
    // 0x7f: BER application class, constructed, high tag number follows.
    if (x224_user_data.size() < 2) return DecodeError::need_more(layer, "ConnectPDU.tag", 0);
    switch (x224_user_data[1]) {
        case 101: {
            auto ci = decode_connect_initial(x224_user_data);
            if (!ci) return ci.error();
            return Pdu{std::move(ci.value())};
        }
        case 102: {
            auto cr = decode_connect_response(x224_user_data);
            if (!cr) return cr.error();
            return Pdu{std::move(cr.value())};
        }
        default: {
            Reader r(x224_user_data);
            ber::Header h;
            if (auto s = ber::read_header(r, h); s != ber::Status::ok)
                return from_status(s, "ConnectPDU.tag", 0, ErrorKind::need_more);
            auto body = r.bytes(h.length);
            if (!body) return DecodeError::need_more(layer, "ConnectPDU.length", 0, h.header_size + h.length);
            return Pdu{OtherConnectPdu{h.id.number, *body}};
        }
    }
}

namespace {

struct SenderOf {
    std::optional<Dir> operator()(const ConnectInitial&) const { return Dir::c2s; }
    std::optional<Dir> operator()(const ErectDomainRequest&) const { return Dir::c2s; }
    std::optional<Dir> operator()(const AttachUserRequest&) const { return Dir::c2s; }
    std::optional<Dir> operator()(const ChannelJoinRequest&) const { return Dir::c2s; }
    std::optional<Dir> operator()(const SendDataRequest&) const { return Dir::c2s; }
    std::optional<Dir> operator()(const ConnectResponse&) const { return Dir::s2c; }
    std::optional<Dir> operator()(const AttachUserConfirm&) const { return Dir::s2c; }
    std::optional<Dir> operator()(const ChannelJoinConfirm&) const { return Dir::s2c; }
    std::optional<Dir> operator()(const SendDataIndication&) const { return Dir::s2c; }
    std::optional<Dir> operator()(const auto&) const { return std::nullopt; }
};

struct NameOf {
    std::string operator()(const ConnectInitial&) const { return "ConnectInitial"; }
    std::string operator()(const ConnectResponse&) const { return "ConnectResponse"; }
    std::string operator()(const OtherConnectPdu& o) const { return "ConnectPDU#" + std::to_string(o.tag); }
    std::string operator()(const ErectDomainRequest&) const { return "ErectDomainRequest"; }
    std::string operator()(const AttachUserRequest&) const { return "AttachUserRequest"; }
    std::string operator()(const AttachUserConfirm&) const { return "AttachUserConfirm"; }
    std::string operator()(const ChannelJoinRequest&) const { return "ChannelJoinRequest"; }
    std::string operator()(const ChannelJoinConfirm&) const { return "ChannelJoinConfirm"; }
    std::string operator()(const SendDataRequest&) const { return "SendDataRequest"; }
    std::string operator()(const SendDataIndication&) const { return "SendDataIndication"; }
    std::string operator()(const DisconnectProviderUltimatum&) const { return "DisconnectProviderUltimatum"; }
    std::string operator()(const OtherDomainPdu& o) const { return "DomainMCSPDU#" + std::to_string(o.choice); }
};

}  // namespace

std::optional<Dir> sender(const Pdu& pdu) { return std::visit(SenderOf{}, pdu); }

std::string pdu_name(const Pdu& pdu) { return std::visit(NameOf{}, pdu); }

}  // namespace rdpscope::mcs
