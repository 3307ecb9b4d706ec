// SPDX-License-Identifier: MIT
// Copies of one packet in one capture: pktmon logs a packet once per
// networking component it passes (6 to 8 copies on one interface, microseconds
// apart); netsh trace + etl2pcapng once per adapter and filter layer it passes
// (the same frame on several interfaces); a SPAN port may see a routed packet
// twice.  The copies are the same packet, not a retransmission: they are
// collapsed before TCP analysis, the first copy stands for the packet (its
// frame number is the evidence), and the others are counted.
//
// A copy has the same fingerprint (dissect copy_fingerprint: the IP header,
// the IPv4 ID included, the transport header and the payload's first bytes
// and length, less TTL and checksums) within
// kWindowNs of the packet's first copy, on any interface.  A retransmission
// comes later (an RTO is 200 ms or more; a fast retransmit waits for three
// duplicate ACKs, a round trip) and carries a new IPv4 ID and TCP timestamp.
//
// Bounded and allocation-free: a direct-mapped table of the latest packet per
// slot (the fingerprint's low bits), so a lookup is one compare.  Another
// packet landing in the slot between two copies makes the later copy count
// as a packet: with 4096 slots and copies microseconds apart, only on traffic
// of millions of packets a second.
#pragma once

#include <array>
#include <cstdint>

namespace rdpscope {

class CopyFilter {
public:
    static constexpr std::int64_t kWindowNs = 1'000'000;  // "within about a millisecond"
    static constexpr std::size_t kSlots = 4096;

    struct First {
        std::uint64_t frame = 0;
        std::uint32_t interface = 0;
    };
    // True when the packet of fingerprint `fp` at `ts_ns` is a copy of one
    // seen within the window (then `first` says which); else it is recorded
    // as a packet.  fp 0 (no fingerprint) is never a copy.
    bool copy(std::uint64_t fp, std::int64_t ts_ns, std::uint64_t frame, std::uint32_t interface, First& first) {
        if (!fp) return false;
        Slot& s = slots_[(fp ^ (fp >> 32)) % kSlots];
        if (s.fp == fp) {
            const std::int64_t d = ts_ns - s.ts_ns;
            if (d <= kWindowNs && d >= -kWindowNs) {
                first = {s.frame, s.interface};
                return true;
            }
        }
        s = {fp, ts_ns, frame, interface};
        return false;
    }

private:
    struct Slot {
        std::uint64_t fp = 0;
        std::int64_t ts_ns = 0;
        std::uint64_t frame = 0;
        std::uint32_t interface = 0;
    };
    std::array<Slot, kSlots> slots_{};
};

}  // namespace rdpscope
