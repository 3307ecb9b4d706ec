// SPDX-License-Identifier: MIT
#include "analyze/run.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <memory>
#include <system_error>

#include "analyze/read_ahead.hpp"
#include "capture/pcap_file.hpp"
#include "capture/pcap_writer.hpp"
#include "capture/replay.hpp"
#include "capture/vantage.hpp"
#include "dissect/link.hpp"

namespace rdpscope {

namespace {

// The file's figures with what it says of each interface (name, description,
// the vantage point they tell: capture/vantage.hpp).
FileStats with_interfaces(const FileStats& s, const PacketSource& src) {
    FileStats out = s;
    const std::vector<CaptureInterface>* ifs = src.interfaces();
    if (!ifs) return out;
    if (out.interfaces.size() < ifs->size()) out.interfaces.resize(ifs->size());
    for (std::size_t i = 0; i < ifs->size(); ++i) {
        const CaptureInterface& ci = (*ifs)[i];
        InterfaceStats& is = out.interfaces[i];
        is.linktype = ci.linktype;
        is.name = ci.name;
        is.description = ci.description;
        const Vantage v = vantage_of(ci, src.application(), ifs->size());
        is.vantage = v.kind;
        is.vantage_text = v.text;
    }
    return out;
}

}  // namespace

FileStatus run_source(PacketSource& src, FileObserver& obs, const RunOptions& opt, std::FILE* err) {
    const std::string name = opt.name.empty() ? src.describe() : opt.name;
    // Unusable only when no interface has a link type rdpscope reads: a
    // pcapng may mix them (etl2pcapng: Ethernet, 802.11 and raw IP), and the
    // frames of the others count as decode errors.
    const std::vector<int> types = src.linktypes();
    bool any = false;
    for (int t : types) any |= link::supported(t);
    if (!any) {
        fmt::print(err,
                   "rdpscope: {}: unsupported link type {}; rdpscope reads Ethernet (with VLAN tags), "
                   "Linux cooked v1/v2, raw IPv4/IPv6 and BSD loopback captures\n",
                   name, fmt::join(types, ", "));
        return FileStatus::unusable;
    }
    RunWatcher* const watcher = opt.watcher;
    if (watcher) watcher->started(name, src.size());
    // The capture's own secrets (pcapng Decryption Secrets Blocks, NSS key log
    // text: type TLSK) join the key log given, or make one.
    TrackerOptions topt = opt.tracker;
    keylog::KeyLog dsb_keys;
    const std::vector<CaptureSecrets>* dsb = topt.ignore_capture_secrets ? nullptr : src.secrets();
    if (dsb && !topt.keys) topt.keys = &dsb_keys;
    std::size_t dsb_taken = 0;
    auto feed_keys = [&](const std::string& key_log) {
        topt.keys->feed(key_log);
        topt.keys->finish();  // a block holds whole lines
    };
    auto take_secrets = [&] {
        for (; dsb && dsb_taken < dsb->size(); ++dsb_taken)
            if ((*dsb)[dsb_taken].type == kSecretsTlsKeyLog) feed_keys((*dsb)[dsb_taken].data);
    };
    take_secrets();
    Tracker tracker(obs, topt);
    obs.begin_file(name, &tracker.stats());
    FileStatus status = FileStatus::ok;
    CapturedPacket pkt;
    std::string why;
    // The input is unreadable from here: say so, and whether anything was read.
    auto failed = [&] {
        if (watcher) watcher->interrupt();
        // Damaged before its first frame, the file gave nothing to analyse:
        // that is an unusable input (exit 2), like a cut file header.
        const bool nothing_read = tracker.stats().packets == 0;
        fmt::print(err, "rdpscope: {}: {}; {}\n", name, why,
                   nothing_read ? "no frame could be read before it" : "the frames before it were analysed");
        status = nothing_read ? FileStatus::unusable : FileStatus::warnings;
    };
    std::unique_ptr<ReadAhead> ahead;
    if (opt.read_ahead && !opt.writer && !opt.on_tick) {
        try {
            ahead = std::make_unique<ReadAhead>(src, dsb, dsb_taken);
        } catch (const std::system_error&) {
            // No second thread to be had (a process or container limit): read in turn.
        }
    }
    const bool ahead_used = ahead != nullptr;
    if (ahead) {
        const ReadAhead::Frame* f = nullptr;
        while (!(opt.stop && *opt.stop)) {
            const auto r = ahead->next(f, why);
            if (r == PacketSource::Status::end) break;
            if (r == PacketSource::Status::error) {
                failed();
                break;
            }
            for (const std::string& key_log : ahead->secrets()) feed_keys(key_log);
            tracker.advance(f->pkt.ts_ns);
            tracker.packet(f->pkt, f->info, f->fingerprint);
            if (watcher) watcher->packet(f->position, tracker.stats());
        }
        ahead.reset();  // the reading thread ends before the source is asked anything more
    }
    auto last_tick = std::chrono::steady_clock::now();
    while (!ahead_used && !(opt.stop && *opt.stop)) {
        if (opt.on_tick && std::chrono::steady_clock::now() - last_tick >= std::chrono::seconds(1)) {
            last_tick = std::chrono::steady_clock::now();
            opt.on_tick(tracker);
        }
        const auto r = src.next(pkt, why, opt.tick_ms);
        if (r == PacketSource::Status::end) break;
        if (r == PacketSource::Status::idle) {
            tracker.advance(src.now_ns());
            continue;
        }
        if (r == PacketSource::Status::error) {
            failed();
            break;
        }
        if (opt.writer) {
            // Frame numbers are those of the written file, so evidence opens in Wireshark.
            const std::uint64_t written = opt.writer->write(pkt, why);
            if (written) pkt.frame = written;
            else {
                if (watcher) watcher->interrupt();
                fmt::print(err, "rdpscope: {}\n", why);
            }
        }
        if (dsb && dsb_taken < dsb->size()) take_secrets();
        tracker.advance(pkt.ts_ns);
        tracker.packet(pkt);
        if (watcher) watcher->packet(src.position(), tracker.stats());
    }
    if (watcher) watcher->interrupt();
    if (opt.on_tick) opt.on_tick(tracker);  // live: the last drop counts, before the open connections are judged
    tracker.finish();
    if (tracker.stats().packets == 0 && status == FileStatus::ok && !opt.writer)
        fmt::print(err, "rdpscope: {}: the capture holds no packets\n", name);
    // pktmon keeps 128 bytes of each packet unless told otherwise, which cuts
    // every handshake packet: say once per file how to capture whole ones.
    if (tracker.stats().cut_by_snaplen && src.application().rfind("Packet Monitor", 0) == 0)
        fmt::print(err,
                   "rdpscope: {}: pktmon cut {} packets short (its --pkt-size is 128 bytes by default): capture "
                   "again with `pktmon start --capture --pkt-size 0`\n",
                   name, tracker.stats().cut_by_snaplen);
    obs.end_file(with_interfaces(tracker.stats(), src));
    return status;
}

FileStatus run_file(const std::string& path, FileObserver& obs, const TrackerOptions& opt, std::FILE* err,
                    RunWatcher* watcher) {
    std::string why;
    auto file = PcapFile::open(path, why);
    if (!file) {
        fmt::print(err, "rdpscope: {}: {}\n", path, why);
        return FileStatus::unusable;
    }
    FileSource src(std::move(file));
    RunOptions ro;
    ro.tracker = opt;
    ro.watcher = watcher;
    ro.read_ahead = true;
    return run_source(src, obs, ro, err);
}

}  // namespace rdpscope
