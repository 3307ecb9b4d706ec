// SPDX-License-Identifier: MIT
#include "capture/vantage.hpp"

#include <string_view>
#include <vector>

namespace rdpscope {

namespace {

// The ':'-separated fields of an etl2pcapng interface name after its prefix.
std::vector<std::string_view> fields(std::string_view s) {
    std::vector<std::string_view> out;
    for (std::size_t at = 0;;) {
        const std::size_t c = s.find(':', at);
        out.push_back(s.substr(at, c == std::string_view::npos ? std::string_view::npos : c - at));
        if (c == std::string_view::npos) return out;
        at = c + 1;
    }
}

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "VLAN 12" for a non-zero VLAN field.
std::string vlan(std::string_view v) { return v.empty() || v == "0" ? std::string() : ", VLAN " + std::string(v); }

std::string str(std::string_view v) { return std::string(v); }

}  // namespace

Vantage vantage_of(const CaptureInterface& i, const std::string& application, std::size_t interfaces) {
    const std::string_view name = i.name, desc = i.description;
    if (starts(application, "Packet Monitor") && interfaces == 1 && name.empty())
        return {"pktmon_components",
                "pktmon: every networking component a packet passed, on one interface (each packet several times)"};
    // etl2pcapng: a filter layer (LWF) above the miniport says so in the description.
    const bool lwf = starts(desc, "LWF over IfIndex ");
    std::string over;
    if (lwf) {
        const std::size_t end = desc.find(' ', 17);
        over = " (a filter layer over adapter ifindex " +
               str(desc.substr(17, end == std::string_view::npos ? end : end - 17)) + ")";
    }
    if (starts(name, "eth:")) {
        const auto f = fields(name.substr(4));
        return {lwf ? "filter_layer" : "adapter",
                "netsh trace: Ethernet adapter ifindex " + str(f[0]) + (f.size() > 1 ? vlan(f[1]) : "") + over};
    }
    if (starts(name, "wifi:"))
        return {lwf ? "filter_layer" : "wifi_adapter", "netsh trace: Wi-Fi adapter ifindex " + str(name.substr(5)) + over};
    if (starts(name, "mbb:"))
        return {lwf ? "filter_layer" : "mobile_broadband",
                "netsh trace: mobile broadband adapter ifindex " + str(name.substr(4)) + over};
    if (starts(name, "vNIC:")) {
        const auto f = fields(name.substr(5));
        return {"vswitch_port", "netsh trace: Hyper-V virtual switch, " + str(f[0]) + " port " +
                                    (f.size() > 1 ? str(f[1]) : "") + (f.size() > 3 ? vlan(f[3]) : "") + over};
    }
    if (starts(name, "Rras:")) {
        const auto f = fields(name.substr(5));
        return {"vpn", "netsh trace: RRAS (VPN) tunnel over ifindex " + str(f[0])};
    }
    if (starts(name, "\\Device\\NPF_Loopback")) return {"loopback", "Npcap loopback (this host to itself)"};
    if (starts(name, "\\Device\\NPF_"))
        return {"npcap_adapter", "Npcap adapter " + str(desc.empty() ? name : desc)};
    if (i.linktype == 0 || i.linktype == 108) return {"loopback", "loopback"};
    return {};
}

}  // namespace rdpscope
