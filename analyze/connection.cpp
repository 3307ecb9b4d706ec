// SPDX-License-Identifier: MIT
#include "analyze/connection.hpp"

#include <new>
#include <vector>

namespace rdpscope {

namespace {

// Spare Connection blocks: at most kSpareBlocks (7 MiB), about the
// connections max_full_connections lets the tracker free at once.  Not under
// AddressSanitizer, which must see each block freed to find its misuse.
// GCC defines __SANITIZE_ADDRESS__; clang (the fuzz and sanitize builds) only
// answers __has_feature(address_sanitizer).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RDPSCOPE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(RDPSCOPE_ASAN)
constexpr std::size_t kSpareBlocks = 0;
#else
constexpr std::size_t kSpareBlocks = 1024;
#endif
struct Spares {
    std::vector<void*> blocks;
    ~Spares() {
        for (void* p : blocks) ::operator delete(p);
    }
};
thread_local Spares spares;

}  // namespace

void* Connection::operator new(std::size_t size) {
    if (size == sizeof(Connection) && !spares.blocks.empty()) {
        void* p = spares.blocks.back();
        spares.blocks.pop_back();
        return p;
    }
    return ::operator new(size);
}

void Connection::operator delete(void* p, std::size_t size) noexcept {
    if (p && size == sizeof(Connection) && spares.blocks.size() < kSpareBlocks) {
        if (spares.blocks.capacity() == 0) {
            try {
                spares.blocks.reserve(kSpareBlocks);
            } catch (const std::bad_alloc&) {
            }
        }
        if (spares.blocks.size() < spares.blocks.capacity()) {
            spares.blocks.push_back(p);
            return;
        }
    }
    ::operator delete(p);
}

int Connection::client_side() const {
    // The SYN's sender is the client (a SYN-ACK's sender the server).
    if (stats[0].syn) return 0;
    if (stats[1].syn) return 1;
    if (stats[0].syn_ack) return 1;
    if (stats[1].syn_ack) return 0;
    if (rdp.client_side_by_content() >= 0) return rdp.client_side_by_content();
    const bool p0 = side[0].port == 3389, p1 = side[1].port == 3389;
    if (p0 && !p1) return 1;
    return 0;
}

bool Connection::closed() const {
    return stats[0].rst || stats[1].rst || (stats[0].fin && stats[1].fin);
}

bool Connection::tcp_established() const {
    const int c = client_side();
    return stats[c].syn && stats[1 - c].syn_ack && stats[c].packets > stats[c].syn;
}

}  // namespace rdpscope
