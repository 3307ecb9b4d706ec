// SPDX-License-Identifier: MIT
// The TCP analysis (analyze/tcp_analysis.hpp) as the report shows it: JSON
// objects and text lines.  The analysis keeps the figures; this names them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/tcp_analysis.hpp"
#include "report/json_text.hpp"

namespace rdpscope {

// "tcp.retransmission", ... for the TcpFlag bits set in `bits` (the `tcp_flags` of a tcp.analysis event).
std::vector<std::string> tcp_flag_names(std::uint32_t bits);

// The `tcp` object of `rdpscope analyze --format json`, c2s/s2c by `client_side`:
//   rtt_ms (number|null), vantage ("client"|"server"|"middle"|"unknown"), vantage_basis,
//   handshake {syn_frame, syn_ack_frame, ack_frame, syn_to_syn_ack_ms, syn_ack_to_ack_ms} (when a SYN or SYN-ACK was seen),
//   closed_first ("client"|"server"|null), half_closed,
//   resets [{frame, by, with_ack, ttl, ref_ttl, ref_frame, ttl_mismatch, ip_id, prev_ip_id,
//            ip_id_out_of_sequence, after_frame, after_by, after, answers_syn}], rst_ttl_mismatch,
//   c2s / s2c {packets, bytes, syn, syn_ack, fin, rst, syn_retransmissions, syn_ack_retransmissions,
//            syn_intervals_ms, syn_new_isn, retransmissions, fast_retransmissions, spurious_retransmissions,
//            out_of_order, dup_acks, zero_windows, zero_window_probes, window_full, window_updates,
//            keep_alives, lost_segments, acked_unseen, duplicate_frames,
//            loss {before_capture, after_capture, unseen_bytes, gap_bytes, estimate_pct},
//            mss, window_scale, sack_permitted, ttl, df, max_segment, max_acked_segment, max_acked_frame,
//            max_unacked_segment {len, frame}, fin_frame,
//            retransmitted [{seq, len, syn, fin, first_frame, resend_frames, resends, intervals_ms,
//                            spurious, acked, acked_frame}]}
// Counts of Wireshark flags are frames of that direction (acked_unseen too: the
// frames ACKing the other side's uncaptured bytes), duplicates left out.
nlohmann::ordered_json tcp_json(const TcpAnalysis& a, int client_side);
// The same object written as text (report/json_text.hpp).
void write_tcp(JsonWriter& w, const TcpAnalysis& a, int client_side);

// The connection's `segments` object (analyze --html; analyze/tcp_analysis.hpp keep_segments):
//   {list: [{frame, time, dir ("c2s"|"s2c"), seq, ack, len, win, flags ["SYN","ACK",...],
//            analysis ["tcp.retransmission",...]}], not_kept}
// seq and ack relative to each direction's first kept segment (its ISN when it
// is the SYN), as Wireshark's relative sequence numbers; ack 0 without ACK.
nlohmann::ordered_json tcp_segments_json(const TcpAnalysis& a, int client_side);

// Extra fields of one `icmp` list entry (kind, quoted segment).
void tcp_icmp_json(const TcpIcmpError& e, nlohmann::ordered_json& into);

// The report's `tcp` lines in words (after the first), from tcp_json's object; each line ends in '\n'.
std::string describe_tcp(const nlohmann::ordered_json& tcp_json);

}  // namespace rdpscope
