// SPDX-License-Identifier: MIT
// A flow table: open addressing with linear probing, keys and values stored
// in the slots.  std::unordered_map took a bucket array read, a node read and
// a key compare per packet (two or three cache misses, a modulo by a prime);
// here a packet costs one probe that usually lands in one or two adjacent
// cache lines.  Erasing shifts the following entries back (no tombstones), so
// a pointer to a value is valid only until the next insert or erase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rdpscope {

template <class K, class V, class Hash>
class FlowTable {
public:
    explicit FlowTable(std::size_t capacity = 1024) { slots_.resize(round_up(capacity)); }

    V* find(const K& key) {
        const std::uint64_t h = Hash{}(key);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            Slot& s = slots_[i];
            if (!s.used) return nullptr;
            if (s.hash == static_cast<std::uint32_t>(h) && s.key == key) return &s.value;
        }
    }

    // The entry with this hash for which match(key, value) holds (e.g. an id kept elsewhere).
    template <class Match>
    std::pair<const K*, V*> find_hashed(std::uint64_t h, Match&& match) {
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            Slot& s = slots_[i];
            if (!s.used) return {nullptr, nullptr};
            if (s.hash == static_cast<std::uint32_t>(h) && match(s.key, s.value)) return {&s.key, &s.value};
        }
    }

    // The value for `key`, default-constructed if it was not there; true if inserted.
    std::pair<V*, bool> try_emplace(const K& key) {
        if ((size_ + 1) * 4 > slots_.size() * 3) grow();
        const std::uint64_t h = Hash{}(key);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            Slot& s = slots_[i];
            if (!s.used) {
                s.used = true;
                s.hash = static_cast<std::uint32_t>(h);
                s.key = key;
                s.value = V{};
                ++size_;
                return {&s.value, true};
            }
            if (s.hash == static_cast<std::uint32_t>(h) && s.key == key) return {&s.value, false};
        }
    }

    bool erase(const K& key) {
        const std::uint64_t h = Hash{}(key);
        std::size_t i = h & mask();
        for (;; i = (i + 1) & mask()) {
            if (!slots_[i].used) return false;
            if (slots_[i].hash == static_cast<std::uint32_t>(h) && slots_[i].key == key) break;
        }
        erase_at(i);
        return true;
    }

    // Look at `count` slots from `cursor` on (and move it past them), erasing
    // the entries for which drop(key, value) holds: a table swept a part at a
    // time.  An entry the backward shift moves into the slot just emptied is
    // looked at too.
    template <class Drop>
    void erase_some(std::size_t& cursor, std::size_t count, Drop&& drop) {
        std::size_t i = cursor & mask();
        for (std::size_t n = 0; n < count; ++n) {
            // The shift can fill slot i again: look at it until it holds a keeper.
            while (slots_[i].used && drop(slots_[i].key, slots_[i].value)) erase_at(i);
            i = (i + 1) & mask();
        }
        cursor = i;
    }

    std::size_t size() const { return size_; }
    std::size_t capacity() const { return slots_.size(); }
    void clear() {
        for (auto& s : slots_) {
            s.used = false;
            s.value = V{};
        }
        size_ = 0;
    }
    // Visit every (key, value); no inserts or erases meanwhile.
    template <class F>
    void for_each(F&& f) {
        for (auto& s : slots_)
            if (s.used) f(s.key, s.value);
    }

private:
    void erase_at(std::size_t i) {
        // Backward shift: move each following entry into the hole if the hole
        // lies between its home slot and where it is.
        for (std::size_t j = (i + 1) & mask();; j = (j + 1) & mask()) {
            Slot& s = slots_[j];
            if (!s.used) break;
            const std::size_t home = s.hash & mask();
            if (((j - home) & mask()) >= ((j - i) & mask())) {
                slots_[i] = std::move(s);
                i = j;
            }
        }
        slots_[i].used = false;
        slots_[i].value = V{};  // free what it held now
        --size_;
    }

    struct Slot {
        std::uint32_t hash = 0;  // low bits of the hash: the home slot, and a cheap compare
        bool used = false;
        K key{};
        V value{};
    };
    static std::size_t round_up(std::size_t n) {
        std::size_t c = 16;
        while (c < n) c *= 2;
        return c;
    }
    std::size_t mask() const { return slots_.size() - 1; }
    void grow() {
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        for (auto& s : old) {
            if (!s.used) continue;
            for (std::size_t i = s.hash & mask();; i = (i + 1) & mask()) {
                if (!slots_[i].used) {
                    slots_[i] = std::move(s);
                    break;
                }
            }
        }
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;
};

}  // namespace rdpscope
