// SPDX-License-Identifier: MIT
// Live capture on an interface through libpcap (Npcap's wpcap on Windows: the
// same API; platform differences stay in this folder).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/source.hpp"

struct pcap;

namespace rdpscope {

struct LiveOptions {
    std::string interface;              // "any" for all (Linux); Windows: \Device\NPF_{GUID} or "Ethernet"
    std::string filter;                 // BPF; empty: the default RDP filter
    std::vector<std::uint16_t> ports{3389};
    int snaplen = 262144;               // whole packets: certificates span full segments
    int buffer_bytes = 16 * 1024 * 1024;
    bool promiscuous = false;
    // Immediate mode hands each packet over as it arrives (libpcap on Linux
    // then uses a TPACKET_V2 ring of fixed-size frames: with the interface's
    // offloads on, 64 KiB a frame, so 16 MiB hold 256 packets).  Off, the
    // kernel packs packets into the ring's blocks (TPACKET_V3) and hands a
    // block over when it is full or batch_ms have passed: thousands of packets
    // in the same buffer, one wake-up per block.  A verdict then comes at most
    // batch_ms later, well inside any stall timeout.
    bool immediate = false;
    int batch_ms = 100;
};

// The default kernel filter: TCP and UDP on the RDP ports, plus ICMP/ICMPv6
// errors (they quote the connection they refer to).
std::string default_filter(const std::vector<std::uint16_t>& ports);

struct InterfaceInfo {
    std::string name, description;
    std::string friendly;               // Windows' adapter name ("Ethernet"); empty elsewhere
    std::vector<std::string> addresses;
    bool up = false, running = false, loopback = false;
};
// pcap_findalldevs; on failure returns empty and sets `error`.
std::vector<InterfaceInfo> list_interfaces(std::string& error);

class LiveSource : public PacketSource {
public:
    // Opens and activates the device and installs the filter.  On failure
    // returns nullptr and says why in words (no such interface, permission,
    // interface down, filter does not compile).
    static std::unique_ptr<LiveSource> open(const LiveOptions& opt, std::string& error);
    ~LiveSource() override;

    Status next(CapturedPacket& out, std::string& error, int wait_ms) override;
    std::int64_t now_ns() const override;
    int linktype() const override { return linktype_; }
    std::string describe() const override { return "interface " + opt_.interface; }

    struct Drops {
        std::uint64_t received = 0, dropped_kernel = 0, dropped_interface = 0;
    };
    Drops drops() const;
    pcap* handle() const { return handle_; }
    void break_loop();

private:
    LiveSource() = default;
    pcap* handle_ = nullptr;
    LiveOptions opt_;
    int linktype_ = 0;
    int fd_ = -1;
    void* event_ = nullptr;             // Windows: pcap_getevent's handle
    std::int64_t ts_scale_ = 1;         // ns per unit of the header's tv_usec
    std::uint64_t frame_ = 0;
    std::int64_t last_ts_ = 0;
};

}  // namespace rdpscope
