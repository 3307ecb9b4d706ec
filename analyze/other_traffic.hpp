// SPDX-License-Identifier: MIT
// What a capture holds besides RDP, for a capture that holds no RDP at all:
// the report then says what is there that explains it (no SYN to the RDP
// port, the connections made to other ports, DNS lookups that failed, ICMP
// errors, Kerberos errors) instead of an empty report.  Gathered by the
// tracker for every file, bounded: the first few of each kind and counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/kerberos_flows.hpp"
#include "dissect/address.hpp"

namespace rdpscope {

struct OtherTraffic {
    static constexpr std::size_t kMaxDestinations = 16;
    static constexpr std::size_t kMaxListed = 8;

    std::uint16_t rdp_port = 3389;
    std::uint64_t rdp_udp_flows = 0;  // RDP-UDP flows (on the RDP port)

    // TCP connection attempts by the server they were made to: SYNs, and what answered them.
    struct Destination {
        Endpoint server;
        std::uint64_t syns = 0, syn_acks = 0, resets = 0;
        std::uint64_t first_frame = 0;
    };
    std::vector<Destination> destinations;  // the first kMaxDestinations servers SYNs went to
    std::uint64_t syns_elsewhere = 0;       // SYNs to servers beyond those
    std::uint64_t syns_to_rdp_port = 0;

    // DNS lookups (UDP 53) answered with an error, or with no answer to an A / AAAA question.
    struct DnsFailure {
        std::uint64_t frame = 0;
        std::string name;
        std::uint16_t qtype = 0;
        std::uint8_t rcode = 0;
    };
    std::uint64_t dns_responses = 0, dns_failure_count = 0;
    std::vector<DnsFailure> dns_failures;  // the first kMaxListed

    // ICMP / ICMPv6 errors quoting a packet.
    struct IcmpError {
        std::uint64_t frame = 0;
        std::string description, from;
        Endpoint quoted_dst;  // where the quoted packet was going
        std::uint8_t protocol = 0;
    };
    std::uint64_t icmp_error_count = 0;
    std::vector<IcmpError> icmp_errors;  // the first kMaxListed

    KerberosCounts kerberos;  // Kerberos on port 88 (copied at the end of the input)

    Destination* destination(const Endpoint& server) {
        for (auto& d : destinations)
            if (d.server == server) return &d;
        return nullptr;
    }
};

}  // namespace rdpscope
