// SPDX-License-Identifier: MIT
#include "analyze/flood.hpp"

#include <algorithm>
#include <cstring>

#include "analyze/flow_hash.hpp"

namespace rdpscope {

namespace {

std::uint64_t address_hash(const IpAddr& a) {
    std::uint64_t w[2];
    std::memcpy(w, a.b.data(), 16);
    const std::uint64_t h = hash_mix(hash_mix(hash_mix(0x243F6A8885A308D3ull, a.version), w[0]), w[1]);
    return h ? h : 1;  // 0 marks an empty slot
}

}  // namespace

// Open addressing over 64-bit hashes of the addresses: 8 bytes a source,
// doubling from 4096 slots up to kMaxDistinct (load at most 1/2).  Two
// addresses with the same 64-bit hash would count once: at a million
// sources, a chance of about 3 in 10^8.  False when full (no longer exact).
bool FloodCounter::grow_distinct() {
    if (distinct_.empty()) {
        distinct_ = platform::ZeroedArray<std::uint64_t>(4096);
        return !distinct_.empty();
    }
    if (distinct_.size() >= kMaxDistinct) return false;
    platform::ZeroedArray<std::uint64_t> old(distinct_.size() * 2);
    if (old.empty()) return false;  // no memory: counted as "at least" from here on
    old.swap(distinct_);
    const std::size_t mask = distinct_.size() - 1;
    for (std::uint64_t x : old)
        if (x) {
            std::size_t i = x & mask;
            while (distinct_[i]) i = (i + 1) & mask;
            distinct_[i] = x;
        }
    return true;
}

void FloodCounter::insert_batch() {
    if (distinct_.empty() && !grow_distinct()) {
        st_.sources_at_least = true;
        batch_n_ = 0;
        return;
    }
    while ((distinct_n_ + batch_n_) * 2 > distinct_.size() && grow_distinct()) {
    }
    const std::size_t mask = distinct_.size() - 1;
    for (std::size_t k = 0; k < batch_n_; ++k) __builtin_prefetch(&distinct_[batch_[k] & mask]);
    for (std::size_t k = 0; k < batch_n_; ++k) {
        const std::uint64_t h = batch_[k];
        if ((distinct_n_ + 1) * 2 > distinct_.size()) {  // at the most the table holds exactly
            std::size_t i = h & mask;
            while (distinct_[i] && distinct_[i] != h) i = (i + 1) & mask;
            if (distinct_[i] != h) st_.sources_at_least = true;
            continue;
        }
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            if (distinct_[i] == h) break;
            if (!distinct_[i]) {
                distinct_[i] = h;
                ++distinct_n_;
                ++st_.sources;
                break;
            }
        }
    }
    batch_n_ = 0;
}

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
    batch_[batch_n_++] = h;
    if (batch_n_ == kBatch) insert_batch();
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
    if (batch_n_) insert_batch();
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
    distinct_ = {};
    distinct_n_ = 0;
    batch_n_ = 0;
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
