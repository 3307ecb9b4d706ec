// SPDX-License-Identifier: MIT
// Where in the sending or receiving host an interface of a capture file sat,
// as far as the file tells: netsh trace + etl2pcapng names each interface
// after the adapter or filter layer it logged (src: microsoft/etl2pcapng
// src/main.c, v1.12: `eth:<ifindex>:<vlan>`, `wifi:<ifindex>`, `mbb:<ifindex>`,
// `vNIC:<nic type>:<port name>:<ifindex>:<vlan>`, `Rras:<ifindex>:<routing
// domain>:<user>`, description `LWF over IfIndex <miniport>`); pktmon's own
// pcapng (shb_userappl "Packet Monitor") puts every component's copy of a
// packet on one unnamed Ethernet interface; Npcap names its adapters
// `\Device\NPF_{GUID}` and its loopback `\Device\NPF_Loopback`.  Nothing here
// knows RDP.
#pragma once

#include <string>

#include "capture/pcap_file.hpp"

namespace rdpscope {

struct Vantage {
    // A short word for JSON ("adapter", "filter_layer", "wifi_adapter",
    // "mobile_broadband", "vswitch_port", "vpn", "pktmon_components",
    // "npcap_adapter", "loopback"); "" when the file does not say.
    std::string kind;
    std::string text;  // the same in words, with what the name carries (ifindex, VLAN, port)
};

// `application`: the section's shb_userappl; `interfaces`: how many the section has.
Vantage vantage_of(const CaptureInterface& i, const std::string& application, std::size_t interfaces);

}  // namespace rdpscope
