#include "analyze/run.hpp"

#include <fmt/format.h>

#include "capture/pcap_file.hpp"
#include "dissect/link.hpp"

namespace rdpscope {

FileStatus run_file(const std::string& path, FileObserver& obs, const TrackerOptions& opt, std::FILE* err) {
    std::string why;
    auto file = PcapFile::open(path, why);
    if (!file) {
        fmt::print(err, "rdpscope: {}: {}\n", path, why);
        return FileStatus::unusable;
    }
    if (!link::supported(file->linktype())) {
        fmt::print(err,
                   "rdpscope: {}: unsupported link type {} ({}); rdpscope reads Ethernet (with VLAN tags), "
                   "Linux cooked v1/v2, raw IPv4/IPv6 and BSD loopback captures\n",
                   path, file->linktype(), file->linktype_name());
        return FileStatus::unusable;
    }
    Tracker tracker(obs, opt);
    obs.begin_file(path, file->nanosecond_file(), &tracker.stats());
    FileStatus status = FileStatus::ok;
    CapturedPacket pkt;
    for (;;) {
        const auto r = file->next(pkt, why);
        if (r == PcapFile::Next::end) break;
        if (r == PcapFile::Next::error) {
            fmt::print(err, "rdpscope: {}: {}; the frames before it were analysed\n", path, why);
            status = FileStatus::warnings;
            break;
        }
        tracker.packet(pkt);
    }
    tracker.finish();
    if (tracker.stats().packets == 0 && status == FileStatus::ok)
        fmt::print(err, "rdpscope: {}: the capture holds no packets\n", path);
    obs.end_file(tracker.stats());
    return status;
}

}  // namespace rdpscope
