// SPDX-License-Identifier: MIT
#include "dissect/rdpudp.hpp"

#include <algorithm>

namespace rdpscope::rdpudp {

namespace {

constexpr std::string_view layer = "rdpudp";

// MS-RDPEUDP 2.2.2.7: "The maximum size of the ACK Vector is 2048 bytes."
constexpr std::uint16_t max_ack_vector_size = 2048;

// ---- MS-RDPEUDP (v1) --------------------------------------------------------

std::optional<DecodeError> read_syn_payloads(Reader& r, V1Packet& p) {
    const std::uint16_t flags = p.header.flags;
    SynData s;
    const std::size_t syn_at = r.offset();
    if (!r.u32be(s.initial_sequence_number) || !r.u16be(s.upstream_mtu) || !r.u16be(s.downstream_mtu))
        return DecodeError::truncated(layer, "RDPUDP_SYNDATA_PAYLOAD", syn_at);
    p.syn = s;
    if (flags & RDPUDP_FLAG_CORRELATION_ID) {
        const std::size_t at = r.offset();
        auto id = r.bytes(16);
        if (!id || !r.skip(16))
            return DecodeError::truncated(layer, "RDPUDP_CORRELATION_ID_PAYLOAD", at);  // + 16 reserved
        p.correlation_id = *id;
    }
    if (flags & RDPUDP_FLAG_SYNEX) {
        const std::size_t at = r.offset();
        SynEx x;
        if (!r.u16be(x.flags) || !r.u16be(x.version))
            return DecodeError::truncated(layer, "RDPUDP_SYNDATAEX_PAYLOAD", at);
        if (x.version == RDPUDP_PROTOCOL_VERSION_3) {
            auto hash = r.bytes(32);
            if (!hash) return DecodeError::truncated(layer, "RDPUDP_SYNDATAEX_PAYLOAD.cookieHash", at + 4);
            x.cookie_hash = *hash;
        }
        p.synex = x;
    }
    // The rest of a SYN datagram is zero padding up to the MTU (3.1.5.1.1).
    return std::nullopt;
}

std::optional<DecodeError> read_ack_payloads(Reader& r, V1Packet& p) {
    const std::uint16_t flags = p.header.flags;
    if (flags & RDPUDP_FLAG_ACK) {
        const std::size_t at = r.offset();
        AckVector v;
        if (!r.u16be(v.size)) return DecodeError::truncated(layer, "RDPUDP_ACK_VECTOR_HEADER.uAckVectorSize", at);
        if (v.size > max_ack_vector_size)
            return DecodeError::malformed(layer, "RDPUDP_ACK_VECTOR_HEADER.uAckVectorSize", at);
        auto elems = r.bytes(v.size);
        // Padding to the next 4-byte boundary of the structure.
        const std::size_t pad = (4 - (2 + std::size_t{v.size}) % 4) % 4;
        if (!elems || !r.skip(pad)) return DecodeError::truncated(layer, "RDPUDP_ACK_VECTOR_HEADER.AckVector", at + 2);
        v.elements = *elems;
        p.ack_vector = v;
    }
    if (flags & RDPUDP_FLAG_ACK_OF_ACKS) {
        std::uint32_t sn = 0;
        if (!r.u32be(sn)) return DecodeError::truncated(layer, "RDPUDP_ACK_OF_ACKVECTOR_HEADER", r.offset());
        p.ack_of_acks = sn;
    }
    if (flags & RDPUDP_FLAG_FEC) {
        const std::size_t at = r.offset();
        FecPayload f;
        if (!r.u32be(f.sn_coded) || !r.u32be(f.sn_source_start) || !r.u8(f.range) || !r.u8(f.fec_index) ||
            !r.skip(2))
            return DecodeError::truncated(layer, "RDPUDP_FEC_PAYLOAD_HEADER", at);
        if (!r.u16be(f.payload_size)) return DecodeError::truncated(layer, "RDPUDP_PAYLOAD_PREFIX", r.offset());
        p.fec = f;
        p.data = r.rest();
    } else if (flags & RDPUDP_FLAG_DATA) {
        const std::size_t at = r.offset();
        SourcePayload s;
        if (!r.u32be(s.sn_coded) || !r.u32be(s.sn_source_start))
            return DecodeError::truncated(layer, "RDPUDP_SOURCE_PAYLOAD_HEADER", at);
        p.source = s;
        p.data = r.rest();
    }
    return std::nullopt;
}

Decoded<Datagram> decode_v1(Bytes payload) {
    Reader r(payload);
    V1Packet p;
    if (!r.u32be(p.header.sn_source_ack) || !r.u16be(p.header.receive_window_size) || !r.u16be(p.header.flags))
        return DecodeError::truncated(layer, "RDPUDP_FEC_HEADER", 0);
    const std::uint16_t flags = p.header.flags;
    Datagram d;
    d.version = 1;
    if (flags & RDPUDP_FLAG_SYN) {
        if (auto e = read_syn_payloads(r, p)) return *e;
        d.kind = (flags & RDPUDP_FLAG_ACK) ? Kind::syn_ack : Kind::syn;
    } else {
        if (auto e = read_ack_payloads(r, p)) return *e;
        if (flags & RDPUDP_FLAG_FIN) d.kind = Kind::fin;
        else if (flags & (RDPUDP_FLAG_DATA | RDPUDP_FLAG_FEC)) d.kind = Kind::data;
        else if (flags & RDPUDP_FLAG_ACK) d.kind = Kind::ack;
        else d.kind = Kind::other;
    }
    d.v1 = std::move(p);
    return d;
}

// ---- MS-RDPEUDP2 (v2) -------------------------------------------------------

// The headers before DataBody data never exceed 2 + 22 + 1 + 3 + 2 + 2 + 134
// + 2 = 168 bytes, so an unswapped copy of the first 256 packet bytes is
// enough to parse them without touching the heap.
constexpr std::size_t v2_header_window = 256;

// PacketPrefixByte bits, least significant first (MS-RDPEUDP2 2.2.1.3):
// bit 0 Reserved, bits 1-4 Packet_Type_Index, bits 5-7 Short_Packet_Length.
bool plausible_v2_prefix(std::uint8_t prefix) {
    const std::uint8_t type = (prefix >> 1) & 0x0f;
    return (prefix & 0x01) == 0 && (type == 0 || type == 8);
}

Decoded<Datagram> decode_v2(Bytes wire) {
    // 3.1.1.1.5: a sender pads packets shorter than 7 bytes, so every datagram
    // holds at least prefix + 7 bytes.
    if (wire.size() < 8) return DecodeError::truncated(layer, "RDPUDP2.PacketPrefixByte", 0);
    V2Packet p;
    p.prefix = wire[7];
    p.packet_type_index = (p.prefix >> 1) & 0x0f;
    p.short_packet_length = p.prefix >> 5;
    if (!plausible_v2_prefix(p.prefix)) return DecodeError::malformed(layer, "RDPUDP2.PacketPrefixByte", 7);

    // Undo the swap: packet byte i is wire[i + 1], except packet byte 6,
    // which the swap moved to wire[0].
    std::size_t packet_len = wire.size() - 1;
    if (p.short_packet_length != 0 && p.short_packet_length < 7) packet_len = p.short_packet_length;
    std::array<std::uint8_t, v2_header_window> head{};
    const std::size_t copied = std::min(packet_len, head.size());
    for (std::size_t i = 0; i < copied; ++i) head[i] = (i == 6) ? wire[0] : wire[i + 1];
    // Offsets in errors are packet offsets + 1 (after the prefix), close
    // enough to the wire offset to find the field.
    Reader r(Bytes(head.data(), copied), 1);

    std::uint16_t header = 0;
    if (!r.u16le(header)) return DecodeError::truncated(layer, "RDPUDP2.Header", 1);
    p.flags = header & 0x0fff;
    p.log_window_size = static_cast<std::uint8_t>(header >> 12);

    // Optional payloads in the order 2.2.1 prescribes.
    if (p.flags & V2_ACK) {
        const std::size_t at = r.offset();
        V2Ack a;
        std::uint8_t delay = 0;
        if (!r.u16le(a.seq_num) || !r.u24le(a.received_ts) || !r.u8(a.send_ack_time_gap) || !r.u8(delay))
            return DecodeError::truncated(layer, "RDPUDP2.ACK", at);
        a.num_delayed_acks = delay & 0x0f;
        a.delay_ack_time_scale = delay >> 4;
        if (!r.skip(a.num_delayed_acks)) return DecodeError::truncated(layer, "RDPUDP2.ACK.delayAckTimeAdditions", at);
        p.ack = a;
    }
    if (p.flags & V2_OVERHEADSIZE) {
        std::uint8_t v = 0;
        if (!r.u8(v)) return DecodeError::truncated(layer, "RDPUDP2.OverheadSize", r.offset());
        p.overhead_size = v;
    }
    if (p.flags & V2_DELAYACKINFO) {
        const std::size_t at = r.offset();
        V2DelayAckInfo i;
        if (!r.u8(i.max_delayed_acks) || !r.u16le(i.delayed_ack_timeout_ms))
            return DecodeError::truncated(layer, "RDPUDP2.DelayAckInfo", at);
        p.delay_ack_info = i;
    }
    if (p.flags & V2_AOA) {
        std::uint16_t v = 0;
        if (!r.u16le(v)) return DecodeError::truncated(layer, "RDPUDP2.AckOfAcks", r.offset());
        p.ack_of_acks_seq_num = v;
    }
    if (p.flags & V2_DATA) {
        std::uint16_t v = 0;
        if (!r.u16le(v)) return DecodeError::truncated(layer, "RDPUDP2.DataHeader", r.offset());
        p.data_seq_num = v;
    }
    if (p.flags & V2_ACKVEC) {
        const std::size_t at = r.offset();
        V2AckVec v;
        std::uint8_t size_ts = 0;
        if (!r.u16le(v.base_seq_num) || !r.u8(size_ts)) return DecodeError::truncated(layer, "RDPUDP2.ACKVEC", at);
        v.coded_ack_vec_size = size_ts & 0x7f;
        if (size_ts & 0x80) {  // TimeStampPresent
            std::uint32_t ts = 0;
            std::uint8_t gap = 0;
            if (!r.u24le(ts) || !r.u8(gap)) return DecodeError::truncated(layer, "RDPUDP2.ACKVEC.TimeStamp", at);
            v.timestamp = ts;
            v.send_ack_time_gap_ms = gap;
        }
        if (!r.skip(v.coded_ack_vec_size)) return DecodeError::truncated(layer, "RDPUDP2.ACKVEC.codedAckVector", at);
        p.ack_vec = v;
    }
    Datagram d;
    d.version = 2;
    if (p.flags & V2_DATA) {
        std::uint16_t v = 0;
        if (!r.u16le(v)) return DecodeError::truncated(layer, "RDPUDP2.DataBody.ChannelSeqNum", r.offset());
        p.channel_seq_num = v;
        const std::size_t k = r.consumed();  // packet offset of the data
        if (k <= 6 && packet_len > 6) p.data_head = head[6];
        const std::size_t tail_from = std::max<std::size_t>(k, 7) + 1;  // wire offset
        const std::size_t tail_to = packet_len + 1;
        if (tail_from < tail_to) p.data_tail = wire.subspan(tail_from, tail_to - tail_from);
        d.kind = Kind::data;
    } else {
        d.kind = (p.flags & V2_ACK) ? Kind::ack : Kind::other;
    }
    d.v2 = std::move(p);
    return d;
}

}  // namespace

std::vector<std::uint8_t> V2Packet::data() const {
    std::vector<std::uint8_t> out;
    out.reserve(data_size());
    if (data_head) out.push_back(*data_head);
    out.insert(out.end(), data_tail.begin(), data_tail.end());
    return out;
}

bool Datagram::switches_to_v2() const {
    return kind == Kind::syn_ack && v1 && v1->synex && v1->synex->version == RDPUDP_PROTOCOL_VERSION_3;
}

Decoded<Datagram> decode(Bytes udp_payload, Framing framing) {
    if (framing == Framing::v1) return decode_v1(udp_payload);
    if (framing == Framing::v2) return decode_v2(udp_payload);
    if (udp_payload.size() < 8) return DecodeError::truncated(layer, "RDPUDP_FEC_HEADER", 0);
    const std::uint8_t b7 = udp_payload[7];
    // SYN (bit 0) or ACK (bit 2) in v1 uFlags cannot be a v2 prefix byte.
    if ((b7 & (RDPUDP_FLAG_SYN | RDPUDP_FLAG_ACK)) == 0 && plausible_v2_prefix(b7)) return decode_v2(udp_payload);
    return decode_v1(udp_payload);
}

}  // namespace rdpscope::rdpudp
