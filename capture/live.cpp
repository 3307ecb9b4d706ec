// SPDX-License-Identifier: MIT
#include "capture/live.hpp"

#include <pcap/pcap.h>

#include <chrono>
#include <cstring>

#include "capture/npcap.hpp"

#ifdef _WIN32
#include <ws2tcpip.h>
#include <windows.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#endif

namespace rdpscope {

namespace {

std::int64_t wall_ns() {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

std::string address_text(const sockaddr* sa) {
    if (!sa) return {};
    char buf[64] = {};
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
    return buf;
}

// libpcap's activation warnings and errors, in the words a user needs.
std::string explain_activate(int rc, pcap_t* h, const std::string& iface) {
    const std::string detail = pcap_geterr(h);
    switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return "no such interface '" + iface + "' (rdpscope capture -D lists them)";
        case PCAP_ERROR_PERM_DENIED:
#ifdef _WIN32
            // Npcap installed with "Restrict Npcap driver's access to Administrators only".
            return "no permission to capture on '" + iface +
                   "': Npcap is installed for Administrators only; run rdpscope from a terminal opened as "
                   "Administrator";
#else
            return "no permission to capture on '" + iface +
                   "': run as root or give the binary CAP_NET_RAW (setcap cap_net_raw,cap_net_admin=eip rdpscope)";
#endif
        case PCAP_ERROR_IFACE_NOT_UP:
            return "interface '" + iface + "' is down: bring it up first (ip link set " + iface + " up)";
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            return "no permission to put '" + iface + "' in promiscuous mode";
        default:
            return "cannot capture on '" + iface + "': " + detail;
    }
}

}  // namespace

std::string default_filter(const std::vector<std::uint16_t>& ports) {
    std::string p;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        if (i) p += " or ";
        p += "port " + std::to_string(ports[i]);
    }
    // Port 88: Kerberos (RFC 4120 7.2.1, 7.2.2, TCP and UDP), whose errors
    // say why a Windows client's NLA failed.  ICMP unreachable (3), source
    // quench (4), time exceeded (11); ICMPv6 errors are types 1-4.  IPv6
    // extension headers defeat the icmp6 byte test, so match ICMPv6 by its
    // next header only.
    return "((tcp or udp) and (" + p + " or port 88)) or (icmp and (icmp[icmptype] == 3 or icmp[icmptype] == 11)) or icmp6";
}

std::vector<InterfaceInfo> list_interfaces(std::string& error) {
    std::vector<InterfaceInfo> out;
    if (!npcap::load(error)) return out;
    pcap_if_t* all = nullptr;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    if (pcap_findalldevs(&all, errbuf) != 0) {
        error = errbuf;
        return out;
    }
    for (pcap_if_t* d = all; d; d = d->next) {
        InterfaceInfo i;
        i.name = d->name;
        i.friendly = npcap::friendly_name(i.name);
        if (d->description) i.description = d->description;
        i.up = (d->flags & PCAP_IF_UP) != 0;
        i.running = (d->flags & PCAP_IF_RUNNING) != 0;
        i.loopback = (d->flags & PCAP_IF_LOOPBACK) != 0;
        for (pcap_addr_t* a = d->addresses; a; a = a->next) {
            auto t = address_text(a->addr);
            if (!t.empty()) i.addresses.push_back(t);
        }
        out.push_back(std::move(i));
    }
    pcap_freealldevs(all);
    return out;
}

namespace {

// Npcap's devices are \Device\NPF_{GUID}; a person knows the adapter as
// "Ethernet" or "Wi-Fi" (capture -D prints both): take either.  Elsewhere the
// name is the device's.
std::string device_name(const std::string& given) {
#ifdef _WIN32
    if (given.rfind("\\Device\\", 0) == 0) return given;
    std::string why;
    for (const auto& i : list_interfaces(why))
        if (!i.friendly.empty() && _stricmp(i.friendly.c_str(), given.c_str()) == 0) return i.name;
#endif
    return given;
}

}  // namespace

std::unique_ptr<LiveSource> LiveSource::open(const LiveOptions& opt, std::string& error) {
    if (!npcap::load(error)) return nullptr;
    const std::string device = device_name(opt.interface);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* h = pcap_create(device.c_str(), errbuf);
    if (!h) {
        error = "cannot open interface '" + opt.interface + "': " + errbuf;
        return nullptr;
    }
    pcap_set_snaplen(h, opt.snaplen);
    pcap_set_promisc(h, opt.promiscuous ? 1 : 0);
    pcap_set_buffer_size(h, opt.buffer_bytes);
    // Batched by default (LiveOptions::immediate): a busy link's packets
    // fit the buffer; the block timeout bounds how long a quiet one waits.
    if (opt.immediate) pcap_set_immediate_mode(h, 1);
    else pcap_set_timeout(h, opt.batch_ms);
    pcap_set_tstamp_precision(h, PCAP_TSTAMP_PRECISION_NANO);
    const int rc = pcap_activate(h);
    if (rc < 0) {
        error = explain_activate(rc, h, opt.interface);
        pcap_close(h);
        return nullptr;
    }
    const std::string filter = opt.filter.empty() ? default_filter(opt.ports) : opt.filter;
    bpf_program prog{};
    if (pcap_compile(h, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        error = "the capture filter does not compile: " + std::string(pcap_geterr(h)) + " (filter: " + filter + ")";
        pcap_close(h);
        return nullptr;
    }
    const int set = pcap_setfilter(h, &prog);
    pcap_freecode(&prog);
    if (set != 0) {
        error = "cannot install the capture filter: " + std::string(pcap_geterr(h));
        pcap_close(h);
        return nullptr;
    }
    std::unique_ptr<LiveSource> src(new LiveSource());
    src->handle_ = h;
    src->opt_ = opt;
    src->linktype_ = pcap_datalink(h);
    // Nanoseconds where the capture has them; else microseconds (an Npcap or
    // libpcap that refused nanosecond stamps).
    src->ts_scale_ = pcap_get_tstamp_precision(h) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
    pcap_setnonblock(h, 1, errbuf);
#ifdef _WIN32
    src->event_ = pcap_getevent(h);
#else
    src->fd_ = pcap_get_selectable_fd(h);
#endif
    return src;
}

LiveSource::~LiveSource() {
    if (handle_) pcap_close(handle_);
}

void LiveSource::break_loop() { pcap_breakloop(handle_); }

std::int64_t LiveSource::now_ns() const { return wall_ns(); }

PacketSource::Status LiveSource::next(CapturedPacket& out, std::string& error, int wait_ms) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        const int rc = pcap_next_ex(handle_, &hdr, &data);
        if (rc == 1) {
            out.frame = ++frame_;
            out.ts_ns = static_cast<std::int64_t>(hdr->ts.tv_sec) * 1000000000 +
                        static_cast<std::int64_t>(hdr->ts.tv_usec) * ts_scale_;
            out.caplen = hdr->caplen;
            out.wirelen = hdr->len;
            out.linktype = linktype_;
            out.data = {data, hdr->caplen};
            last_ts_ = out.ts_ns;
            return Status::packet;
        }
        if (rc == PCAP_ERROR_BREAK) return Status::end;
        if (rc < 0) {
            error = pcap_geterr(handle_);
            return Status::error;
        }
        if (attempt == 1 || wait_ms <= 0) break;
#ifndef _WIN32
        // Nothing buffered: wait on the descriptor so timers still fire on time.
        pollfd p{fd_, POLLIN, 0};
        if (fd_ >= 0) ::poll(&p, 1, wait_ms);
#else
        // Npcap signals this event when packets are ready; Ctrl-C's flag is
        // looked at when the wait ends, as after poll() on Linux.
        if (event_) WaitForSingleObject(event_, static_cast<DWORD>(wait_ms));
#endif
    }
    return Status::idle;
}

LiveSource::Drops LiveSource::drops() const {
    Drops d;
    pcap_stat st{};
    if (pcap_stats(handle_, &st) == 0) {
        d.received = st.ps_recv;
        d.dropped_kernel = st.ps_drop;
        d.dropped_interface = st.ps_ifdrop;
    }
    return d;
}

}  // namespace rdpscope
