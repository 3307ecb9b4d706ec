// SPDX-License-Identifier: MIT
#include "analyze/flood.hpp"

#include <algorithm>
#include <cstring>

#include "analyze/flow_hash.hpp"

namespace rdpscope {

namespace {

std::uint64_t address_hash(const IpAddr& a) {
    const std::uint64_t h = hash_address(a);
    return h ? h : 1;  // 0 marks an empty slot
}

}  // namespace

// Doubling (load at most 1/2).  Two IPv6 addresses with the same 64-bit hash
// would count once: at a million sources, a chance of about 3 in 10^8.
// False when full or out of memory (no longer exact).
template <class T>
bool DistinctSet<T>::grow() {
    if (slots_.empty()) {
        slots_ = platform::ZeroedArray<T>(4096);
        return !slots_.empty();
    }
    if (slots_.size() >= kMaxSlots) return false;
    platform::ZeroedArray<T> old(slots_.size() * 2);
    if (old.empty()) return false;
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (T x : old)
        if (x) {
            std::size_t i = home(x) & mask;
            while (slots_[i]) i = (i + 1) & mask;
            slots_[i] = x;
        }
    return true;
}

template <class T>
void DistinctSet<T>::flush(std::uint64_t& count, bool& at_least) {
    if (!batch_n_) return;
    if (slots_.empty() && !grow()) {
        at_least = true;
        batch_n_ = 0;
        return;
    }
    while ((n_ + batch_n_) * 2 > slots_.size() && grow()) {
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t k = 0; k < batch_n_; ++k) __builtin_prefetch(&slots_[home(batch_[k]) & mask]);
    for (std::size_t k = 0; k < batch_n_; ++k) {
        const T v = batch_[k];
        std::size_t i = home(v) & mask;
        while (slots_[i] && slots_[i] != v) i = (i + 1) & mask;
        if (slots_[i] == v) continue;
        if ((n_ + 1) * 2 > slots_.size()) {  // at the most the table holds exactly
            at_least = true;
            continue;
        }
        slots_[i] = v;
        ++n_;
        ++count;
    }
    batch_n_ = 0;
}

template class DistinctSet<std::uint32_t>;
template class DistinctSet<std::uint64_t>;

void FloodCounter::attempt(const IpAddr& client, const Endpoint& server, std::uint64_t syns,
                           std::uint64_t first_frame, std::int64_t first_ts, std::uint64_t last_frame,
                           std::int64_t last_ts) {
    ++st_.attempts;
    st_.syn_packets += syns;
    if (!st_.first_frame || first_frame < st_.first_frame) {
        st_.first_frame = first_frame;
        st_.first_ts = first_ts;
    }
    if (last_frame > st_.last_frame) {
        st_.last_frame = last_frame;
        st_.last_ts = last_ts;
    }
    const std::uint64_t h = address_hash(client);
    if (client.version == 4) {
        std::uint32_t v4;
        std::memcpy(&v4, client.b.data(), 4);
        if (v4) distinct4_.add(v4, st_.sources, st_.sources_at_least);
        else if (!zero_source_) {
            zero_source_ = true;
            ++st_.sources;
        }
    } else {
        distinct_other_.add(h, st_.sources, st_.sources_at_least);
    }
    count_source(client, h);
    if (std::find(servers_.begin(), servers_.end(), server) == servers_.end()) {
        if (servers_.size() < kMaxServers) {
            servers_.push_back(server);
            ++st_.servers;
        } else {
            st_.servers_at_least = true;
        }
    }
}

void FloodCounter::count_source(const IpAddr& client, std::uint64_t h) {
    if (top_index_.empty()) top_index_.resize(2 * kMaxTopSources);
    const std::size_t mask = top_index_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        TopSlot& s = top_index_[i];
        if (!s.index) {
            if (top_list_.size() >= kMaxTopSources) {
                ++st_.sources_not_counted;
                return;
            }
            top_list_.push_back({client, 1});
            s = {h, top_list_.size()};
            return;
        }
        if (s.hash == h && top_list_[s.index - 1].address == client) {
            ++top_list_[s.index - 1].attempts;
            return;
        }
    }
}

void FloodCounter::not_listed(Cause cause, std::uint64_t first_frame, std::uint64_t last_frame) {
    ++st_.not_listed;
    ++st_.not_listed_by_cause[cause];
    if (!st_.not_listed_first_frame || first_frame < st_.not_listed_first_frame) st_.not_listed_first_frame = first_frame;
    st_.not_listed_last_frame = std::max(st_.not_listed_last_frame, last_frame);
}

FloodStats FloodCounter::stats() {
    distinct4_.flush(st_.sources, st_.sources_at_least);
    distinct_other_.flush(st_.sources, st_.sources_at_least);
    FloodStats s = st_;
    std::vector<SourceCount> all = top_list_;
    // By attempts, then by address (a deterministic order among equals).
    std::sort(all.begin(), all.end(), [](const SourceCount& a, const SourceCount& b) {
        return a.attempts != b.attempts ? a.attempts > b.attempts : a.address < b.address;
    });
    if (all.size() > 10) all.resize(10);
    s.top_sources = std::move(all);
    return s;
}

void FloodCounter::clear() {
    const auto mp = st_.max_pending_attempts, pm = st_.listed_per_minute, mf = st_.max_full_connections;
    st_ = {};
    set_bounds(mp, pm, mf);
    distinct4_.clear();
    distinct_other_.clear();
    zero_source_ = false;
    top_index_ = {};
    top_list_ = {};
    servers_.clear();
}

void RecentKeys::insert(std::uint64_t h) {
    h = h ? h : 1;  // 0 marks an empty slot
    if (gen_[0].empty()) gen_[0].assign(2 * kGeneration, 0);
    if (n_[0] >= kGeneration) {
        gen_[1].swap(gen_[0]);
        n_[1] = n_[0];
        gen_[0].assign(2 * kGeneration, 0);
        n_[0] = 0;
    }
    const std::size_t mask = gen_[0].size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        if (gen_[0][i] == h) return;
        if (!gen_[0][i]) {
            gen_[0][i] = h;
            ++n_[0];
            return;
        }
    }
}

bool RecentKeys::find(const std::vector<std::uint64_t>& t, std::uint64_t h) {
    if (t.empty()) return false;
    const std::size_t mask = t.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        if (t[i] == h) return true;
        if (!t[i]) return false;
    }
}

bool RecentKeys::contains(std::uint64_t h) const {
    h = h ? h : 1;
    return find(gen_[0], h) || find(gen_[1], h);
}

void RecentKeys::clear() {
    for (int g = 0; g < 2; ++g) {
        gen_[g].clear();
        gen_[g].shrink_to_fit();
        n_[g] = 0;
    }
}

// Tokens come back at per_minute_ per 60 s of packet time, up to per_minute_.
bool ListingBudget::available(std::int64_t now_ns) {
    if (per_minute_ == 0) return true;  // no budget: every connection listed
    if (last_ns_ && now_ns > last_ns_) {
        carry_ns_ += now_ns - last_ns_;
        const std::int64_t per_token = 60'000'000'000 / static_cast<std::int64_t>(per_minute_);
        if (per_token > 0 && carry_ns_ >= per_token) {
            const std::uint64_t add = static_cast<std::uint64_t>(carry_ns_ / per_token);
            carry_ns_ %= per_token;
            tokens_ = std::min(per_minute_, tokens_ + add);
            if (tokens_ == per_minute_) carry_ns_ = 0;
        }
    }
    if (now_ns > last_ns_) last_ns_ = now_ns;
    return tokens_ > 0;
}

}  // namespace rdpscope
