// SPDX-License-Identifier: MIT
// Npcap's wpcap.dll, loaded at run time (capture/npcap.hpp says why).
//
// The pcap_* functions rdpscope calls (capture/live.cpp, capture/pcap_writer.cpp)
// are defined here as forwarders to the DLL's, so those files are the same on
// Linux and Windows.  pcap.h declares them without __declspec(dllimport) unless
// PCAP_DLL is defined, which the Windows build does not do.
//
// The DLL is loaded by its full path in Npcap's folder, with Npcap's folder as
// the DLL directory so wpcap.dll finds its Packet.dll there -- as Wireshark
// does -- and never by bare name: a bare "wpcap.dll" would be looked for
// beside rdpscope.exe, in the current folder and on PATH (DLL planting), and on
// Wine it finds Wine's own wpcap.dll, which forwards to the host's libpcap.
// WinPcap's wpcap.dll in System32 (Npcap's "WinPcap API-compatible mode") is
// not used: WinPcap is unmaintained since 2013.
#ifdef _WIN32

#include "capture/npcap.hpp"

#include <pcap/pcap.h>
#include <iphlpapi.h>
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "platform/platform.hpp"

namespace rdpscope::npcap {

namespace {

// Every function rdpscope calls; the pointer types come from pcap.h itself.
#define RDPSCOPE_WPCAP_FUNCTIONS(X)                                                                   \
    X(pcap_geterr) X(pcap_findalldevs) X(pcap_freealldevs) X(pcap_create) X(pcap_set_snaplen)         \
    X(pcap_set_promisc) X(pcap_set_buffer_size) X(pcap_set_immediate_mode) X(pcap_set_timeout) X(pcap_set_tstamp_precision) \
    X(pcap_get_tstamp_precision) X(pcap_activate) X(pcap_close) X(pcap_compile) X(pcap_setfilter)     \
    X(pcap_freecode) X(pcap_datalink) X(pcap_setnonblock) X(pcap_breakloop) X(pcap_next_ex)           \
    X(pcap_stats) X(pcap_getevent) X(pcap_open_dead_with_tstamp_precision) X(pcap_dump_open)          \
    X(pcap_dump) X(pcap_dump_flush) X(pcap_dump_close) X(pcap_lib_version)

struct Wpcap {
#define RDPSCOPE_FIELD(f) decltype(&::f) f = nullptr;
    RDPSCOPE_WPCAP_FUNCTIONS(RDPSCOPE_FIELD)
#undef RDPSCOPE_FIELD
};

Wpcap g_wpcap;
bool g_loaded = false;
std::string g_why;

constexpr const char* kGetNpcap =
    "install Npcap from https://npcap.com (the installer's defaults will do), then run rdpscope capture "
    "again, from a terminal opened as Administrator if Npcap was installed for Administrators only. "
    "Reading capture files (analyze, dissect, check, replay) needs no Npcap";

std::wstring npcap_folder() {
    wchar_t sys[MAX_PATH] = {};
    const UINT n = GetSystemDirectoryW(sys, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) return L"C:\\Windows\\System32\\Npcap";
    return std::wstring(sys, n) + L"\\Npcap";
}

template <class F>
bool resolve(HMODULE dll, const char* name, F& out) {
    out = reinterpret_cast<F>(reinterpret_cast<void*>(GetProcAddress(dll, name)));
    return out != nullptr;
}

void load_once() {
    const std::wstring folder = npcap_folder();
    const std::string folder_text = platform::to_utf8(folder);
    const std::wstring path = folder + L"\\wpcap.dll";
    if (GetFileAttributesW(path.c_str()) == INVALID_FILE_ATTRIBUTES) {
        g_why = "live capture needs Npcap, and Npcap is not installed (no wpcap.dll in " + folder_text + "): " +
                kGetNpcap;
        return;
    }
    // wpcap.dll loads Packet.dll by name: let it find Npcap's, in the same folder.
    SetDllDirectoryW(folder.c_str());
    HMODULE dll = LoadLibraryExW(path.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
    SetDllDirectoryW(nullptr);
    if (!dll) {
        g_why = "live capture needs Npcap: " + folder_text + "\\wpcap.dll is there but does not load (Windows error " +
                std::to_string(GetLastError()) + "); reinstall Npcap from https://npcap.com";
        return;
    }
    Wpcap w;
#define RDPSCOPE_RESOLVE(f)                                                                                \
    if (!resolve(dll, #f, w.f)) {                                                                          \
        g_why = "the Npcap in " + folder_text + " is too old (its wpcap.dll has no " #f                    \
                "): install the current Npcap from https://npcap.com";                                     \
        return;                                                                                            \
    }
    RDPSCOPE_WPCAP_FUNCTIONS(RDPSCOPE_RESOLVE)
#undef RDPSCOPE_RESOLVE
    // Strings (device descriptions, file names, errors) in UTF-8, like every
    // other string in rdpscope; Npcap 1.20 and later have pcap_init.
    decltype(&::pcap_init) init = nullptr;
    if (resolve(dll, "pcap_init", init)) {
        char errbuf[PCAP_ERRBUF_SIZE] = {};
        (void)init(PCAP_CHAR_ENC_UTF_8, errbuf);
    }
    g_wpcap = w;
    g_loaded = true;
}

// A forwarder called before a successful load() is a bug in rdpscope, not a
// missing Npcap: say so rather than jump through a null pointer.
template <class F>
F need(F f, const char* name) {
    if (!f) {
        std::fprintf(stderr, "rdpscope: internal error: %s called before Npcap was loaded\n", name);
        std::abort();
    }
    return f;
}

}  // namespace

bool load(std::string& why) {
    static std::once_flag once;
    std::call_once(once, load_once);
    if (!g_loaded) why = g_why;
    return g_loaded;
}

std::string friendly_name(const std::string& device) {
    // Npcap names a device \Device\NPF_{GUID}; Windows names the adapter {GUID}.
    const auto at = device.find('{');
    if (at == std::string::npos) return {};
    const std::string guid = device.substr(at);
    ULONG size = 16 * 1024;
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::string buf(size, '\0');
        auto* list = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data());
        const ULONG flags = GAA_FLAG_SKIP_UNICAST | GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST |
                            GAA_FLAG_SKIP_DNS_SERVER;
        const ULONG rc = GetAdaptersAddresses(AF_UNSPEC, flags, nullptr, list, &size);
        if (rc == ERROR_BUFFER_OVERFLOW) continue;
        if (rc != NO_ERROR) return {};
        for (auto* a = list; a; a = a->Next)
            if (a->AdapterName && _stricmp(a->AdapterName, guid.c_str()) == 0 && a->FriendlyName)
                return platform::to_utf8(a->FriendlyName);
        return {};
    }
    return {};
}

}  // namespace rdpscope::npcap

// The forwarders: the pcap API as pcap.h declares it.
using rdpscope::npcap::g_wpcap;
#define RDPSCOPE_CALL(f) rdpscope::npcap::need(g_wpcap.f, #f)

extern "C" {
char* pcap_geterr(pcap_t* p) { return RDPSCOPE_CALL(pcap_geterr)(p); }
int pcap_findalldevs(pcap_if_t** all, char* errbuf) { return RDPSCOPE_CALL(pcap_findalldevs)(all, errbuf); }
void pcap_freealldevs(pcap_if_t* all) { RDPSCOPE_CALL(pcap_freealldevs)(all); }
pcap_t* pcap_create(const char* dev, char* errbuf) { return RDPSCOPE_CALL(pcap_create)(dev, errbuf); }
int pcap_set_snaplen(pcap_t* p, int n) { return RDPSCOPE_CALL(pcap_set_snaplen)(p, n); }
int pcap_set_promisc(pcap_t* p, int on) { return RDPSCOPE_CALL(pcap_set_promisc)(p, on); }
int pcap_set_buffer_size(pcap_t* p, int n) { return RDPSCOPE_CALL(pcap_set_buffer_size)(p, n); }
int pcap_set_immediate_mode(pcap_t* p, int on) { return RDPSCOPE_CALL(pcap_set_immediate_mode)(p, on); }
int pcap_set_timeout(pcap_t* p, int ms) { return RDPSCOPE_CALL(pcap_set_timeout)(p, ms); }
int pcap_set_tstamp_precision(pcap_t* p, int v) { return RDPSCOPE_CALL(pcap_set_tstamp_precision)(p, v); }
int pcap_get_tstamp_precision(pcap_t* p) { return RDPSCOPE_CALL(pcap_get_tstamp_precision)(p); }
int pcap_activate(pcap_t* p) { return RDPSCOPE_CALL(pcap_activate)(p); }
void pcap_close(pcap_t* p) { RDPSCOPE_CALL(pcap_close)(p); }
int pcap_compile(pcap_t* p, bpf_program* prog, const char* text, int optimize, bpf_u_int32 mask) {
    return RDPSCOPE_CALL(pcap_compile)(p, prog, text, optimize, mask);
}
int pcap_setfilter(pcap_t* p, bpf_program* prog) { return RDPSCOPE_CALL(pcap_setfilter)(p, prog); }
void pcap_freecode(bpf_program* prog) { RDPSCOPE_CALL(pcap_freecode)(prog); }
int pcap_datalink(pcap_t* p) { return RDPSCOPE_CALL(pcap_datalink)(p); }
int pcap_setnonblock(pcap_t* p, int on, char* errbuf) { return RDPSCOPE_CALL(pcap_setnonblock)(p, on, errbuf); }
void pcap_breakloop(pcap_t* p) { RDPSCOPE_CALL(pcap_breakloop)(p); }
int pcap_next_ex(pcap_t* p, pcap_pkthdr** hdr, const u_char** data) {
    return RDPSCOPE_CALL(pcap_next_ex)(p, hdr, data);
}
int pcap_stats(pcap_t* p, pcap_stat* st) { return RDPSCOPE_CALL(pcap_stats)(p, st); }
HANDLE pcap_getevent(pcap_t* p) { return RDPSCOPE_CALL(pcap_getevent)(p); }
pcap_t* pcap_open_dead_with_tstamp_precision(int linktype, int snaplen, u_int precision) {
    return RDPSCOPE_CALL(pcap_open_dead_with_tstamp_precision)(linktype, snaplen, precision);
}
pcap_dumper_t* pcap_dump_open(pcap_t* p, const char* path) { return RDPSCOPE_CALL(pcap_dump_open)(p, path); }
void pcap_dump(u_char* d, const pcap_pkthdr* h, const u_char* data) { RDPSCOPE_CALL(pcap_dump)(d, h, data); }
int pcap_dump_flush(pcap_dumper_t* d) { return RDPSCOPE_CALL(pcap_dump_flush)(d); }
void pcap_dump_close(pcap_dumper_t* d) { RDPSCOPE_CALL(pcap_dump_close)(d); }
const char* pcap_lib_version() { return RDPSCOPE_CALL(pcap_lib_version)(); }
}

#endif  // _WIN32
