// SPDX-License-Identifier: MIT
#include "analyze/udp_other.hpp"

#include <cstring>

#include "analyze/flow_hash.hpp"

namespace rdpscope {

std::size_t UdpOtherFlows::KeyHash::operator()(const UdpFlows::Key& k) const noexcept {
    return hash_endpoints(k.lo, k.hi);
}

std::size_t UdpOtherFlows::Key4Hash::operator()(const Key4& k) const noexcept {
    const std::uint64_t ports = std::uint64_t{k.lo_port} << 16 | k.hi_port;
    return static_cast<std::size_t>(hash_mix(hash_mix(0x5DEECE66Dull, std::uint64_t{k.lo_ip} << 32 | k.hi_ip), ports));
}

bool UdpOtherFlows::datagram(const UdpFlows::Key& k, std::int64_t ts_ns) {
    if (k.lo.ip.version == 4 && k.hi.ip.version == 4) {
        Key4 k4;
        std::memcpy(&k4.lo_ip, k.lo.ip.b.data(), 4);
        std::memcpy(&k4.hi_ip, k.hi.ip.b.data(), 4);
        k4.lo_port = k.lo.port;
        k4.hi_port = k.hi.port;
        return v4_.datagram(k4, ts_ns, idle_ns_, max_flows_);
    }
    return v6_.datagram(k, ts_ns, idle_ns_, max_flows_);
}

void UdpOtherFlows::expire(std::int64_t now_ns) {
    v4_.expire(now_ns, idle_ns_);
    v6_.expire(now_ns, idle_ns_);
}

void UdpOtherFlows::clear() {
    v4_.clear();
    v6_.clear();
}

}  // namespace rdpscope
