// SPDX-License-Identifier: MIT
// A flow table: open addressing with linear probing over a compact index
// (8 bytes a slot: a hash and the position of its entry), the keys and values
// stored densely beside it.  std::unordered_map took a bucket array read, a
// node read and a key compare per packet (two or three cache misses, a modulo
// by a prime).  Keys and values in the slots themselves made a slot about two
// cache lines, so a probe strode across lines, growing moved every value, and
// an empty slot cost its whole size to clear; under a SYN flood (a new key
// every packet, the oldest erased every packet) that was a third of the time.
// Here a lookup that misses reads one line of the index, a hit one more for
// the entry, and growing rehashes the index only.  Erasing shifts the
// following index slots back (no tombstones) and moves the last entry into
// the hole, so a pointer to a value is valid only until the next insert or
// erase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rdpscope {

template <class K, class V, class Hash>
class FlowTable {
public:
    explicit FlowTable(std::size_t capacity = 1024) {
        slots_.resize(round_up(capacity));
        items_.reserve(limit());
    }

    V* find(const K& key) {
        const std::uint64_t h = Hash{}(key);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            const Slot s = slots_[i];
            if (!s.index) return nullptr;
            if (s.hash == static_cast<std::uint32_t>(h) && items_[s.index - 1].key == key) return &items_[s.index - 1].value;
        }
    }

    // The entry with this hash for which match(key, value) holds (e.g. an id kept elsewhere).
    template <class Match>
    std::pair<const K*, V*> find_hashed(std::uint64_t h, Match&& match) {
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            const Slot s = slots_[i];
            if (!s.index) return {nullptr, nullptr};
            if (s.hash == static_cast<std::uint32_t>(h)) {
                Item& it = items_[s.index - 1];
                if (match(it.key, it.value)) return {&it.key, &it.value};
            }
        }
    }

    // The value for `key`, default-constructed if it was not there; true if inserted.
    std::pair<V*, bool> try_emplace(const K& key) {
        if (items_.size() + 1 > limit()) grow();
        const std::uint64_t h = Hash{}(key);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            Slot& s = slots_[i];
            if (!s.index) {
                items_.push_back(Item{key, V{}, static_cast<std::uint32_t>(h)});
                s.hash = static_cast<std::uint32_t>(h);
                s.index = static_cast<std::uint32_t>(items_.size());
                return {&items_.back().value, true};
            }
            if (s.hash == static_cast<std::uint32_t>(h) && items_[s.index - 1].key == key)
                return {&items_[s.index - 1].value, false};
        }
    }

    bool erase(const K& key) {
        const std::uint64_t h = Hash{}(key);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            const Slot s = slots_[i];
            if (!s.index) return false;
            if (s.hash == static_cast<std::uint32_t>(h) && items_[s.index - 1].key == key) {
                erase_slot(i);
                return true;
            }
        }
    }

    // Look at `count` entries from `cursor` on (and move it past them),
    // erasing those for which drop(key, value) holds: a table swept a part at
    // a time.  The entry moved into a place just emptied is looked at too.
    template <class Drop>
    void erase_some(std::size_t& cursor, std::size_t count, Drop&& drop) {
        std::size_t i = cursor;
        for (std::size_t n = 0; n < count && !items_.empty(); ++n) {
            if (i >= items_.size()) i = 0;
            while (i < items_.size() && drop(items_[i].key, items_[i].value)) erase_item(i);
            ++i;
        }
        cursor = i;
    }

    std::size_t size() const { return items_.size(); }
    std::size_t capacity() const { return slots_.size(); }
    void clear() {
        for (auto& s : slots_) s = Slot{};
        items_.clear();
    }
    // Visit every (key, value); no inserts or erases meanwhile.
    template <class F>
    void for_each(F&& f) {
        for (auto& it : items_) f(it.key, it.value);
    }

private:
    struct Slot {
        std::uint32_t hash = 0;   // low bits of the hash: the home slot, and a cheap compare
        std::uint32_t index = 0;  // the entry's position + 1; 0: empty
    };
    struct Item {
        K key;
        V value;
        std::uint32_t hash;
    };
    static std::size_t round_up(std::size_t n) {
        std::size_t c = 16;
        while (c < n) c *= 2;
        return c;
    }
    std::size_t mask() const { return slots_.size() - 1; }
    // At most three quarters of the slots used.  The entries' storage is
    // reserved to match, so it moves only when the index grows.
    std::size_t limit() const { return slots_.size() / 4 * 3; }

    // The index slot of the entry at position d.
    std::size_t slot_of(std::size_t d) const {
        for (std::size_t i = items_[d].hash & mask();; i = (i + 1) & mask())
            if (slots_[i].index == d + 1) return i;
    }
    void erase_item(std::size_t d) { erase_slot(slot_of(d)); }

    // Empty index slot i and its entry.
    void erase_slot(std::size_t i) {
        const std::size_t d = slots_[i].index - 1;
        // Backward shift: move each following slot into the hole if the hole
        // lies between its home slot and where it is.
        for (std::size_t j = (i + 1) & mask();; j = (j + 1) & mask()) {
            const Slot s = slots_[j];
            if (!s.index) break;
            const std::size_t home = s.hash & mask();
            if (((j - home) & mask()) >= ((j - i) & mask())) {
                slots_[i] = s;
                i = j;
            }
        }
        slots_[i] = Slot{};
        // The last entry fills the place (its slot is told), then the storage
        // shrinks by one: what the erased value held is freed now.
        const std::size_t last = items_.size() - 1;
        if (d != last) {
            slots_[slot_of(last)].index = static_cast<std::uint32_t>(d + 1);
            items_[d] = std::move(items_[last]);
        }
        items_.pop_back();
    }

    void grow() {
        std::vector<Slot> bigger(slots_.size() * 2);
        slots_.swap(bigger);
        for (const Slot& s : bigger) {
            if (!s.index) continue;
            std::size_t i = s.hash & mask();
            while (slots_[i].index) i = (i + 1) & mask();
            slots_[i] = s;
        }
        items_.reserve(limit());
    }

    std::vector<Slot> slots_;
    std::vector<Item> items_;
};

}  // namespace rdpscope
