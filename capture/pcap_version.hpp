// SPDX-License-Identifier: MIT
// The packet-capture library rdpscope runs with, as it names itself
// (rdpscope --version).
#pragma once

#include <string>

namespace rdpscope {

// pcap_lib_version() of the library loaded at run time, e.g. "libpcap version
// 1.10.3 (with TPACKET_V3)"; Npcap's says "Npcap version 1.79, based on libpcap
// version 1.10.4".  Asked only when wanted: on Windows the library is Npcap's
// wpcap.dll, loaded at run time, and may be missing (then the text says so).
std::string pcap_library_version();

}  // namespace rdpscope
