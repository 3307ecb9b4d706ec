// SPDX-License-Identifier: MIT
// Builds pcapng files block by block, in either byte order, as
// draft-ietf-opsawg-pcapng lays them out: for the reader's tests (several
// interfaces and link types, direction flags, comments, journal and secrets
// blocks, broken lengths), with expectations taken from what was built.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rdpscope::test {

class Pcapng {
public:
    explicit Pcapng(bool big_endian = false) : be_(big_endian) {}

    // An option: code, value (padded to 4 on output).
    struct Opt {
        std::uint16_t code;
        std::vector<std::uint8_t> value;
    };
    static Opt text(std::uint16_t code, std::string_view s) { return {code, {s.begin(), s.end()}}; }
    Opt u8opt(std::uint16_t code, std::uint8_t v) const { return {code, {v}}; }
    Opt u32opt(std::uint16_t code, std::uint32_t v) const {
        std::vector<std::uint8_t> b;
        put32(b, v);
        return {code, b};
    }
    Opt u64opt(std::uint16_t code, std::uint64_t v) const {
        std::vector<std::uint8_t> b;
        if (be_) { put32(b, static_cast<std::uint32_t>(v >> 32)); put32(b, static_cast<std::uint32_t>(v)); }
        else { put32(b, static_cast<std::uint32_t>(v)); put32(b, static_cast<std::uint32_t>(v >> 32)); }
        return {code, b};
    }

    Pcapng& shb(const std::vector<Opt>& opts = {}) {
        std::vector<std::uint8_t> b;
        put32(b, 0x1a2b3c4d);
        put16(b, 1);
        put16(b, 0);
        put32(b, 0xffffffff);
        put32(b, 0xffffffff);  // section length -1: not given
        options(b, opts);
        return block(0x0a0d0d0a, b);
    }
    Pcapng& idb(std::uint16_t linktype, std::uint32_t snaplen = 0, const std::vector<Opt>& opts = {}) {
        std::vector<std::uint8_t> b;
        put16(b, linktype);
        put16(b, 0);
        put32(b, snaplen);
        options(b, opts);
        return block(1, b);
    }
    Pcapng& epb(std::uint32_t iface, std::uint64_t ts, const std::vector<std::uint8_t>& data,
                const std::vector<Opt>& opts = {}, std::uint32_t wirelen = 0) {
        std::vector<std::uint8_t> b;
        put32(b, iface);
        put32(b, static_cast<std::uint32_t>(ts >> 32));
        put32(b, static_cast<std::uint32_t>(ts));
        put32(b, static_cast<std::uint32_t>(data.size()));
        put32(b, wirelen ? wirelen : static_cast<std::uint32_t>(data.size()));
        padded(b, data);
        options(b, opts);
        return block(6, b);
    }
    Pcapng& opb(std::uint16_t iface, std::uint64_t ts, const std::vector<std::uint8_t>& data) {
        std::vector<std::uint8_t> b;
        put16(b, iface);
        put16(b, 0);
        put32(b, static_cast<std::uint32_t>(ts >> 32));
        put32(b, static_cast<std::uint32_t>(ts));
        put32(b, static_cast<std::uint32_t>(data.size()));
        put32(b, static_cast<std::uint32_t>(data.size()));
        padded(b, data);
        return block(2, b);
    }
    Pcapng& spb(const std::vector<std::uint8_t>& data) {
        std::vector<std::uint8_t> b;
        put32(b, static_cast<std::uint32_t>(data.size()));
        padded(b, data);
        return block(3, b);
    }
    Pcapng& journal(std::string_view entry) {
        std::vector<std::uint8_t> b(entry.begin(), entry.end());
        while (b.size() % 4) b.push_back(0);
        return block(9, b);
    }
    Pcapng& dsb(std::uint32_t type, std::string_view secrets) {
        std::vector<std::uint8_t> b;
        put32(b, type);
        put32(b, static_cast<std::uint32_t>(secrets.size()));
        padded(b, {secrets.begin(), secrets.end()});
        return block(10, b);
    }
    // Any block type with a body as given (padded to 4).
    Pcapng& block(std::uint32_t type, std::vector<std::uint8_t> body) {
        while (body.size() % 4) body.push_back(0);
        const auto total = static_cast<std::uint32_t>(body.size() + 12);
        put32(out_, type);
        put32(out_, total);
        out_.insert(out_.end(), body.begin(), body.end());
        put32(out_, total);
        return *this;
    }
    // Raw bytes (a block header that lies about its length, a cut file).
    Pcapng& raw(const std::vector<std::uint8_t>& b) { out_.insert(out_.end(), b.begin(), b.end()); return *this; }
    Pcapng& raw32(std::uint32_t v) { put32(out_, v); return *this; }

    const std::vector<std::uint8_t>& bytes() const { return out_; }
    void write(const std::string& path) const {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        if (!f) throw std::runtime_error("cannot write " + path);
        std::fwrite(out_.data(), 1, out_.size(), f);
        std::fclose(f);
    }

private:
    void put16(std::vector<std::uint8_t>& b, std::uint16_t v) const {
        if (be_) { b.push_back(static_cast<std::uint8_t>(v >> 8)); b.push_back(static_cast<std::uint8_t>(v)); }
        else { b.push_back(static_cast<std::uint8_t>(v)); b.push_back(static_cast<std::uint8_t>(v >> 8)); }
    }
    void put32(std::vector<std::uint8_t>& b, std::uint32_t v) const {
        if (be_) { put16(b, static_cast<std::uint16_t>(v >> 16)); put16(b, static_cast<std::uint16_t>(v)); }
        else { put16(b, static_cast<std::uint16_t>(v)); put16(b, static_cast<std::uint16_t>(v >> 16)); }
    }
    static void padded(std::vector<std::uint8_t>& b, const std::vector<std::uint8_t>& d) {
        b.insert(b.end(), d.begin(), d.end());
        while (b.size() % 4) b.push_back(0);
    }
    void options(std::vector<std::uint8_t>& b, const std::vector<Opt>& opts) const {
        if (opts.empty()) return;
        for (const auto& o : opts) {
            put16(b, o.code);
            put16(b, static_cast<std::uint16_t>(o.value.size()));
            padded(b, o.value);
        }
        put32(b, 0);  // opt_endofopt
    }
    bool be_;
    std::vector<std::uint8_t> out_;
};

}  // namespace rdpscope::test
