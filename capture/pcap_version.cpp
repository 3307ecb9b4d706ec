// SPDX-License-Identifier: MIT
#include "capture/pcap_version.hpp"

#include <pcap/pcap.h>

#ifdef _WIN32
#include "capture/npcap.hpp"
#endif

namespace rdpscope {

std::string pcap_library_version() {
#ifdef _WIN32
    // wpcap.dll is Npcap's, loaded from its folder at run time
    // (capture/npcap_win.cpp); without it there is no version to ask.
    std::string why;
    if (!npcap::load(why)) return "none loaded (" + why + ")";
#endif
    const char* v = pcap_lib_version();
    return v ? v : "unknown";
}

}  // namespace rdpscope
