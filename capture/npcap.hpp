// SPDX-License-Identifier: MIT
// Live capture on Windows goes through Npcap's wpcap.dll, loaded at run time
// from Npcap's own folder (%SystemRoot%\System32\Npcap), as Wireshark does --
// never imported at link time, so that rdpscope.exe starts, and reads capture
// files, on a machine without Npcap.  capture/npcap_win.cpp defines the pcap_*
// functions rdpscope calls as forwarders into the loaded DLL.
//
// On Linux and every other system libpcap is linked normally: nothing to load.
#pragma once

#include <string>

namespace rdpscope::npcap {

#ifdef _WIN32
// Loads wpcap.dll from Npcap's folder once; false (with `why` in words: what is
// missing and how to get it) when Npcap is not installed or too old.
bool load(std::string& why);
// Windows' name for an Npcap device (\Device\NPF_{GUID}): the adapter's
// friendly name ("Ethernet", "Wi-Fi"), empty if unknown.
std::string friendly_name(const std::string& device);
#else
inline bool load(std::string&) { return true; }
inline std::string friendly_name(const std::string&) { return {}; }
#endif

}  // namespace rdpscope::npcap
