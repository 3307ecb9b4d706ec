#include "analyze/udp_other.hpp"

#include "analyze/flow_hash.hpp"

namespace rdpscope {

std::size_t UdpOtherFlows::Hash::operator()(const UdpFlows::Key& k) const noexcept {
    return hash_endpoints(k.lo, k.hi);
}

bool UdpOtherFlows::Equal::operator()(const UdpFlows::Key& a, const UdpFlows::Key& b) const noexcept {
    return same_endpoint(a.lo, b.lo) && same_endpoint(a.hi, b.hi);
}

// A flow's deadline is last_ts + idle: a sweep at now retires it when
// now - last_ts > idle.  A later datagram moves last_ts on and the queued
// deadline becomes early, which is harmless: the flow is looked at then and
// queued again.  Only a datagram stamped earlier than the last one (files are
// not always in time order) needs a new, earlier deadline at once.
bool UdpOtherFlows::datagram(const UdpFlows::Key& k, std::int64_t ts_ns) {
    auto [it, fresh] = flows_.try_emplace(k, Flow{ts_ns, ts_ns + idle_ns_});
    Flow& f = it->second;
    if (fresh) {
        queue_.push({f.queued, k});
        return true;
    }
    f.last_ts = ts_ns;
    if (ts_ns + idle_ns_ < f.queued) {
        f.queued = ts_ns + idle_ns_;
        queue_.push({f.queued, k});
    }
    return false;
}

void UdpOtherFlows::expire(std::int64_t now_ns) {
    while (!queue_.empty() && queue_.top().at < now_ns) {
        const Deadline d = queue_.top();
        queue_.pop();
        auto it = flows_.find(d.key);
        if (it == flows_.end() || it->second.queued != d.at) continue;  // stale entry
        Flow& f = it->second;
        if (now_ns - f.last_ts > idle_ns_) {
            flows_.erase(it);
        } else {
            f.queued = f.last_ts + idle_ns_;
            queue_.push({f.queued, d.key});
        }
    }
}

void UdpOtherFlows::clear() {
    flows_.clear();
    queue_ = {};
}

}  // namespace rdpscope
