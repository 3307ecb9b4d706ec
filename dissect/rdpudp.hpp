// SPDX-License-Identifier: MIT
// RDP-UDP: the UDP transport of RDP (MS-RDPEUDP 2.2, MS-RDPEUDP2 2.2), one
// datagram to or from UDP port 3389 at a time.
//
// Two framings share the port:
//  * MS-RDPEUDP ("v1"), big-endian: every datagram starts with an
//    RDPUDP_FEC_HEADER {snSourceAck, uReceiveWindowSize, uFlags}.  The
//    handshake (SYN, SYN+ACK) always uses it, whatever version follows.
//  * MS-RDPEUDP2 ("v2"), little-endian, used after a SYN+ACK whose SYNEX
//    payload says RDPUDP_PROTOCOL_VERSION_3 (0x0101).  A v2 datagram starts
//    with a PacketPrefixByte that the sender swapped with the 8th byte
//    (MS-RDPEUDP2 3.1.1.1.5); undoing the swap gives prefix + packet.
//
// The decoder is stateless: with Framing::detect it tells the two apart by
// byte 7, which is uFlags' low byte in v1 and the swapped prefix byte in v2.
// Every v1 datagram has SYN or ACK set (bits 0 and 2 of that byte); a valid
// prefix byte has both clear (reserved bit 0, Packet_Type_Index 0 or 8).  A
// caller that tracked the handshake can force the framing instead.
//
// A datagram is complete by nature, so running out of bytes is `truncated`
// (the capture cut it, or the sender lied; a datagram cannot say which);
// values the spec bounds (uAckVectorSize <= 2048, prefix fields) are
// malformed when out of bounds.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::rdpudp {

// MS-RDPEUDP 2.2.2.1 uFlags.
enum Flags : std::uint16_t {
    RDPUDP_FLAG_SYN = 0x0001,
    RDPUDP_FLAG_FIN = 0x0002,
    RDPUDP_FLAG_ACK = 0x0004,
    RDPUDP_FLAG_DATA = 0x0008,
    RDPUDP_FLAG_FEC = 0x0010,
    RDPUDP_FLAG_CN = 0x0020,
    RDPUDP_FLAG_CWR = 0x0040,
    RDPUDP_FLAG_SACK_OPTION = 0x0080,
    RDPUDP_FLAG_ACK_OF_ACKS = 0x0100,
    RDPUDP_FLAG_SYNLOSSY = 0x0200,
    RDPUDP_FLAG_ACKDELAYED = 0x0400,
    RDPUDP_FLAG_CORRELATION_ID = 0x0800,
    RDPUDP_FLAG_SYNEX = 0x1000,
};

// MS-RDPEUDP 2.2.2.9 uUdpVer.
enum Version : std::uint16_t {
    RDPUDP_PROTOCOL_VERSION_1 = 0x0001,
    RDPUDP_PROTOCOL_VERSION_2 = 0x0002,
    RDPUDP_PROTOCOL_VERSION_3 = 0x0101,  // => MS-RDPEUDP2 after the handshake
};

// MS-RDPEUDP2 2.2.1.1 header Flags.
enum V2Flags : std::uint16_t {
    V2_ACK = 0x001,
    V2_DATA = 0x004,
    V2_ACKVEC = 0x008,
    V2_AOA = 0x010,
    V2_OVERHEADSIZE = 0x040,
    V2_DELAYACKINFO = 0x100,
};

// MS-RDPEUDP 2.2.2.1 RDPUDP_FEC_HEADER.
struct FecHeader {
    std::uint32_t sn_source_ack = 0;  // 0xffffffff in the client's SYN
    std::uint16_t receive_window_size = 0;
    std::uint16_t flags = 0;
};

// MS-RDPEUDP 2.2.2.5 RDPUDP_SYNDATA_PAYLOAD.
struct SynData {
    std::uint32_t initial_sequence_number = 0;
    std::uint16_t upstream_mtu = 0;    // 1132..1232
    std::uint16_t downstream_mtu = 0;
};

// MS-RDPEUDP 2.2.2.9 RDPUDP_SYNDATAEX_PAYLOAD.
struct SynEx {
    std::uint16_t flags = 0;    // RDPUDP_VERSION_INFO_VALID 0x0001
    std::uint16_t version = 0;  // uUdpVer, raw: clients have been seen sending 0x0003
    Bytes cookie_hash;          // 32 bytes, only with RDPUDP_PROTOCOL_VERSION_3
};

// MS-RDPEUDP 2.2.2.7 RDPUDP_ACK_VECTOR_HEADER.
struct AckVector {
    std::uint16_t size = 0;
    Bytes elements;  // ACK vector elements: state (2 bits) + run length (6 bits)
};

// MS-RDPEUDP 2.2.2.4 RDPUDP_SOURCE_PAYLOAD_HEADER.
struct SourcePayload {
    std::uint32_t sn_coded = 0;
    std::uint32_t sn_source_start = 0;
};

// MS-RDPEUDP 2.2.2.2 RDPUDP_FEC_PAYLOAD_HEADER + 2.2.2.3 RDPUDP_PAYLOAD_PREFIX.
struct FecPayload {
    std::uint32_t sn_coded = 0;
    std::uint32_t sn_source_start = 0;
    std::uint8_t range = 0;
    std::uint8_t fec_index = 0;
    std::uint16_t payload_size = 0;  // cbPayloadSize
};

struct V1Packet {
    FecHeader header;
    std::optional<SynData> syn;
    Bytes correlation_id;  // 16 bytes (RDPUDP_CORRELATION_ID_PAYLOAD), empty if absent
    std::optional<SynEx> synex;
    std::optional<AckVector> ack_vector;
    std::optional<std::uint32_t> ack_of_acks;  // RDPUDP_ACK_OF_ACKVECTOR_HEADER
    std::optional<SourcePayload> source;
    std::optional<FecPayload> fec;
    Bytes data;  // the upper-layer payload (TLS/DTLS records); empty for SYN, SYN+ACK, bare ACK
};

// MS-RDPEUDP2 2.2.1.2.1 ACK payload.
struct V2Ack {
    std::uint16_t seq_num = 0;
    std::uint32_t received_ts = 0;  // 24 bits
    std::uint8_t send_ack_time_gap = 0;
    std::uint8_t num_delayed_acks = 0;
    std::uint8_t delay_ack_time_scale = 0;
};

// MS-RDPEUDP2 2.2.1.2.3 DelayAckInfo payload.
struct V2DelayAckInfo {
    std::uint8_t max_delayed_acks = 0;
    std::uint16_t delayed_ack_timeout_ms = 0;
};

// MS-RDPEUDP2 2.2.1.2.6 ACKVEC payload.
struct V2AckVec {
    std::uint16_t base_seq_num = 0;
    std::uint8_t coded_ack_vec_size = 0;
    std::optional<std::uint32_t> timestamp;  // 24 bits
    std::optional<std::uint8_t> send_ack_time_gap_ms;
};

struct V2Packet {
    // MS-RDPEUDP2 2.2.1.3 PacketPrefixByte.
    std::uint8_t prefix = 0;
    std::uint8_t packet_type_index = 0;    // 0 normal, 8 dummy
    std::uint8_t short_packet_length = 0;  // 7 means "7 or more"
    bool dummy() const { return packet_type_index == 8; }

    // 2.2.1.1 Header: 12 bits of Flags, 4 bits of LogWindowSize.
    std::uint16_t flags = 0;
    std::uint8_t log_window_size = 0;

    std::optional<V2Ack> ack;
    std::optional<std::uint8_t> overhead_size;
    std::optional<V2DelayAckInfo> delay_ack_info;
    std::optional<std::uint16_t> ack_of_acks_seq_num;
    std::optional<std::uint16_t> data_seq_num;    // DataHeader
    std::optional<V2AckVec> ack_vec;
    std::optional<std::uint16_t> channel_seq_num; // DataBody

    // DataBody data.  Because of the prefix swap, the data byte at packet
    // offset 6 (only reachable when the headers take exactly 6 bytes) is the
    // datagram's first byte; it is held in `data_head`.  The rest is a view.
    std::optional<std::uint8_t> data_head;
    Bytes data_tail;
    std::size_t data_size() const { return (data_head ? 1 : 0) + data_tail.size(); }
    std::vector<std::uint8_t> data() const;
};

enum class Kind {
    syn,      // v1 SYN without ACK: the client opens
    syn_ack,  // v1 SYN+ACK: the server answers
    ack,      // acknowledgement only
    data,     // carries payload (v1 DATA/FEC, v2 DATA)
    fin,      // v1 FIN
    other,
};

struct Datagram {
    unsigned version = 1;  // framing: 1 = MS-RDPEUDP, 2 = MS-RDPEUDP2
    Kind kind = Kind::other;
    std::optional<V1Packet> v1;
    std::optional<V2Packet> v2;

    // For a SYN+ACK: true when the negotiated version is
    // RDPUDP_PROTOCOL_VERSION_3, i.e. the rest of the flow is MS-RDPEUDP2.
    bool switches_to_v2() const;
};

enum class Framing { detect, v1, v2 };

Decoded<Datagram> decode(Bytes udp_payload, Framing framing = Framing::detect);

}  // namespace rdpscope::rdpudp
