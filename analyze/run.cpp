#include "analyze/run.hpp"

#include <fmt/format.h>

#include <chrono>

#include "analyze/progress.hpp"
#include "capture/pcap_file.hpp"
#include "capture/pcap_writer.hpp"
#include "capture/replay.hpp"
#include "dissect/link.hpp"

namespace rdpscope {

FileStatus run_source(PacketSource& src, bool nano, FileObserver& obs, const RunOptions& opt, std::FILE* err) {
    const std::string name = opt.name.empty() ? src.describe() : opt.name;
    if (!link::supported(src.linktype())) {
        fmt::print(err,
                   "rdpscope: {}: unsupported link type {}; rdpscope reads Ethernet (with VLAN tags), "
                   "Linux cooked v1/v2, raw IPv4/IPv6 and BSD loopback captures\n",
                   name, src.linktype());
        return FileStatus::unusable;
    }
    // A progress line on a terminal for a file (see progress.hpp); the
    // observer is wrapped only then, so that it erases the line before output.
    Progress progress(err, name, src.size());
    ProgressObserver with_progress(obs, progress);
    FileObserver& out = progress.enabled() ? with_progress : obs;
    Tracker tracker(out, opt.tracker);
    out.begin_file(name, nano, &tracker.stats());
    FileStatus status = FileStatus::ok;
    CapturedPacket pkt;
    std::string why;
    auto last_tick = std::chrono::steady_clock::now();
    while (!(opt.stop && *opt.stop)) {
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
            progress.clear();
            fmt::print(err, "rdpscope: {}: {}; the frames before it were analysed\n", name, why);
            status = FileStatus::warnings;
            break;
        }
        if (opt.writer) {
            // Frame numbers are those of the written file, so evidence opens in Wireshark.
            const std::uint64_t written = opt.writer->write(pkt, why);
            if (written) pkt.frame = written;
            else { progress.clear(); fmt::print(err, "rdpscope: {}\n", why); }
        }
        tracker.advance(pkt.ts_ns);
        tracker.packet(pkt);
        progress.tick(src, tracker.stats());
    }
    progress.clear();
    tracker.finish();
    if (tracker.stats().packets == 0 && status == FileStatus::ok && !opt.writer)
        fmt::print(err, "rdpscope: {}: the capture holds no packets\n", name);
    out.end_file(tracker.stats());
    return status;
}

FileStatus run_file(const std::string& path, FileObserver& obs, const TrackerOptions& opt, std::FILE* err) {
    std::string why;
    auto file = PcapFile::open(path, why);
    if (!file) {
        fmt::print(err, "rdpscope: {}: {}\n", path, why);
        return FileStatus::unusable;
    }
    const bool nano = file->nanosecond_file();
    FileSource src(std::move(file));
    RunOptions ro;
    ro.tracker = opt;
    return run_source(src, nano, obs, ro, err);
}

}  // namespace rdpscope
