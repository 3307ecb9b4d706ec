// SPDX-License-Identifier: MIT
// T.125 MCS PDUs as RDP uses them (MS-RDPBCGR 2.2.1.3 - 2.2.1.11, 2.2.2.3).
//
// Input: the user data of one X.224 Data TPDU (the bytes after 02 f0 80).
// Two encodings share that space:
//  * Connect-Initial / Connect-Response are BER, tagged [APPLICATION 101/102]
//    (first octet 0x7f, the high-tag-number form); their userData is a T.124
//    GCC ConnectData, decoded here too (gcc.hpp).
//  * Every later PDU is a DomainMCSPDU in ALIGNED PER: the top 6 bits of the
//    first octet are the CHOICE index (T.125 section 7 part 10).
//
// need_more vs malformed: the end of the buffer given is treated as "more
// may come" (need_more, with `needed` when a length says how much); a length
// that runs past an enclosing length that *is* complete is malformed, naming
// the field.  A caller that knows its TPDU is complete (TPKT framed) may
// treat need_more as malformed.
//
// Bytes members are views into the caller's buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "dissect/direction.hpp"
#include "dissect/gcc.hpp"
#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::mcs {

// T.125 7 part 1: user and channel ids are 1001-based on the wire for UserId.
inline constexpr std::uint16_t user_id_base = 1001;

// T.125 7 part 2 DomainParameters (BER SEQUENCE of 8 INTEGER).
struct DomainParameters {
    std::uint64_t max_channel_ids = 0;
    std::uint64_t max_user_ids = 0;
    std::uint64_t max_token_ids = 0;
    std::uint64_t num_priorities = 0;
    std::uint64_t min_throughput = 0;
    std::uint64_t max_height = 0;
    std::uint64_t max_mcs_pdu_size = 0;
    std::uint64_t protocol_version = 0;
};

// MS-RDPBCGR 2.2.1.3 / T.125 7 part 2 Connect-Initial.
struct ConnectInitial {
    Bytes calling_domain_selector;
    Bytes called_domain_selector;
    bool upward_flag = false;
    DomainParameters target, minimum, maximum;
    Bytes user_data;  // the GCC ConnectData, raw
    // The GCC decode of user_data.  A GCC problem does not hide the MCS
    // fields: `gcc` is empty and `gcc_error` says why.
    std::optional<gcc::ConferenceCreateRequest> gcc;
    std::optional<DecodeError> gcc_error;
};

// MS-RDPBCGR 2.2.1.4 / T.125 7 part 2 Connect-Response.
struct ConnectResponse {
    std::uint64_t result = 0;  // T.125 Result, 0 = rt-successful (names::mcs_result)
    std::uint64_t called_connect_id = 0;
    DomainParameters domain_parameters;
    Bytes user_data;
    std::optional<gcc::ConferenceCreateResponse> gcc;
    std::optional<DecodeError> gcc_error;
};

// Connect-Additional / Connect-Result ([APPLICATION 103/104]): not used by
// RDP; kept with their tag.
struct OtherConnectPdu {
    std::uint32_t tag = 0;
    Bytes body;
};

// MS-RDPBCGR 2.2.1.5 Erect Domain Request (T.125 7 part 3).
struct ErectDomainRequest {
    std::uint64_t sub_height = 0;
    std::uint64_t sub_interval = 0;
};

// MS-RDPBCGR 2.2.1.6 Attach User Request: no fields.
struct AttachUserRequest {};

// MS-RDPBCGR 2.2.1.7 Attach User Confirm.
struct AttachUserConfirm {
    std::uint8_t result = 0;                  // T.125 Result
    std::optional<std::uint16_t> initiator;   // the user channel id, e.g. 1007
};

// MS-RDPBCGR 2.2.1.8 Channel Join Request.
struct ChannelJoinRequest {
    std::uint16_t initiator = 0;
    std::uint16_t channel_id = 0;
};

// MS-RDPBCGR 2.2.1.9 Channel Join Confirm.
struct ChannelJoinConfirm {
    std::uint8_t result = 0;
    std::uint16_t initiator = 0;
    std::uint16_t requested = 0;
    std::optional<std::uint16_t> channel_id;
};

// T.125 7 part 6 SendDataRequest / SendDataIndication (MS-RDPBCGR 2.2.1.10
// onward: every slow-path PDU after the connection sequence rides in one).
struct SendData {
    std::uint16_t initiator = 0;
    std::uint16_t channel_id = 0;
    std::uint8_t priority = 0;  // DataPriority: 0 top, 1 high, 2 medium, 3 low
    bool segment_begin = false;
    bool segment_end = false;
    Bytes user_data;  // e.g. the security header + payload (rdp_security.hpp)
};
struct SendDataRequest : SendData {};     // client -> server
struct SendDataIndication : SendData {};  // server -> client

// MS-RDPBCGR 2.2.2.3 / T.125 7 part 3 Disconnect Provider Ultimatum.
struct DisconnectProviderUltimatum {
    std::uint8_t reason = 0;  // T.125 Reason, 3 = rn-user-requested (names::mcs_reason)
};

// A DomainMCSPDU RDP does not use (token PDUs, detach...): index and body.
struct OtherDomainPdu {
    std::uint8_t choice = 0;  // T.125 DomainMCSPDU CHOICE index 0..42
    Bytes body;               // everything after the first octet
};

using Pdu = std::variant<ConnectInitial, ConnectResponse, OtherConnectPdu, ErectDomainRequest,
                         AttachUserRequest, AttachUserConfirm, ChannelJoinRequest, ChannelJoinConfirm,
                         SendDataRequest, SendDataIndication, DisconnectProviderUltimatum,
                         OtherDomainPdu>;

// DomainMCSPDU CHOICE indexes used by RDP (T.125 7 part 10).
enum DomainPduType : std::uint8_t {
    erect_domain_request = 1,
    disconnect_provider_ultimatum = 8,
    attach_user_request = 10,
    attach_user_confirm = 11,
    channel_join_request = 14,
    channel_join_confirm = 15,
    send_data_request = 25,
    send_data_indication = 26,
};

// The entry point: any MCS PDU in X.224 DT user data.
Decoded<Pdu> decode(Bytes x224_user_data);

// The specific decoders (what decode() dispatches to).
Decoded<ConnectInitial> decode_connect_initial(Bytes x224_user_data);
Decoded<ConnectResponse> decode_connect_response(Bytes x224_user_data);
Decoded<Pdu> decode_domain_pdu(Bytes x224_user_data);

// Which side sends this PDU in RDP (MS-RDPBCGR 1.3.1.1); nullopt for PDUs
// either side may send (Disconnect Provider Ultimatum, others).  Lets a
// caller flag a PDU arriving from the wrong side.
std::optional<Dir> sender(const Pdu& pdu);

// A short name for logs: "ConnectInitial", "SendDataRequest", ... or
// "DomainMCSPDU#<n>" for OtherDomainPdu.
std::string pdu_name(const Pdu& pdu);

}  // namespace rdpscope::mcs
