// SPDX-License-Identifier: MIT
#include "platform/platform.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>
// After windows.h, which it needs.
#include <shellapi.h>
#else
#include <sys/ioctl.h>
#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace rdpscope::platform {

namespace {
volatile std::sig_atomic_t* g_flag = nullptr;
#ifndef _WIN32
void set_flag(int) {
    if (g_flag) *g_flag = 1;
}
#endif
}  // namespace

bool is_terminal(std::FILE* f) {
#ifdef _WIN32
    DWORD mode = 0;
    const HANDLE h = reinterpret_cast<HANDLE>(_get_osfhandle(_fileno(f)));
    return GetConsoleMode(h, &mode) && (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING);
#else
    return ::isatty(::fileno(f)) != 0;
#endif
}

int terminal_width(std::FILE* f) {
#ifdef _WIN32
    CONSOLE_SCREEN_BUFFER_INFO info;
    const HANDLE h = reinterpret_cast<HANDLE>(_get_osfhandle(_fileno(f)));
    if (!GetConsoleScreenBufferInfo(h, &info)) return 0;
    return info.srWindow.Right - info.srWindow.Left + 1;
#else
    winsize ws{};
    if (::ioctl(::fileno(f), TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
#endif
}

#ifdef _WIN32
namespace {
// Runs on a thread of its own (SetConsoleCtrlHandler).  Ctrl-C and Ctrl-Break
// set the flag and the capture ends as on Linux.  Closing the console window,
// logging off or shutting down end the process when the handler returns:
// give the main loop a moment to write the open connections' verdicts first.
BOOL WINAPI console_ctrl(DWORD event) {
    if (g_flag) *g_flag = 1;
    if (event == CTRL_CLOSE_EVENT || event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT) Sleep(2000);
    return TRUE;
}
}  // namespace
#endif

void on_stop_signal(volatile std::sig_atomic_t* flag) {
    g_flag = flag;
#ifdef _WIN32
    SetConsoleCtrlHandler(console_ctrl, TRUE);
#else
    // No SA_RESTART: a poll() waiting for packets returns at once.
    struct sigaction sa {};
    sa.sa_handler = set_flag;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
#endif
}

std::tm utc(std::time_t t) {
    std::tm tm{};
#ifdef _WIN32
    gmtime_s(&tm, &t);
#else
    gmtime_r(&t, &tm);
#endif
    return tm;
}

#ifdef _WIN32
std::string to_utf8(const std::wstring& w) {
    if (w.empty()) return {};
    const int n = WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0, nullptr, nullptr);
    std::string out(n > 0 ? n : 0, '\0');
    if (n > 0) WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), out.data(), n, nullptr, nullptr);
    return out;
}

std::wstring to_wide(const std::string& s) {
    if (s.empty()) return {};
    const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring out(n > 0 ? n : 0, L'\0');
    if (n > 0) MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
    return out;
}
#endif

void init_console() {
#ifdef _WIN32
    // "\n" as on Linux, not "\r\n": JSON Lines separates records with "\n",
    // and a file written on Windows reads the same everywhere.  Consoles and
    // every Windows editor since 2018 take "\n" as a line end.
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
    SetConsoleOutputCP(CP_UTF8);
    for (DWORD which : {STD_OUTPUT_HANDLE, STD_ERROR_HANDLE}) {
        const HANDLE h = GetStdHandle(which);
        DWORD mode = 0;
        if (h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode))
            SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
    }
#endif
}

std::vector<std::string> utf8_args(int argc, char** argv) {
    std::vector<std::string> out;
#ifdef _WIN32
    int n = 0;
    if (wchar_t** w = CommandLineToArgvW(GetCommandLineW(), &n)) {
        for (int i = 0; i < n; ++i) out.push_back(to_utf8(w[i]));
        LocalFree(w);
        if (n == argc) return out;
        out.clear();  // not the command line main() was given: keep argv
    }
#endif
    for (int i = 0; i < argc; ++i) out.emplace_back(argv[i]);
    return out;
}

std::FILE* open_file(const std::string& path, const char* mode) {
#ifdef _WIN32
    return _wfopen(to_wide(path).c_str(), to_wide(mode).c_str());
#else
    return std::fopen(path.c_str(), mode);
#endif
}

PathInfo stat_path(const std::string& path) {
    PathInfo r;
#ifdef _WIN32
    struct _stat64 st {};
    if (_wstat64(to_wide(path).c_str(), &st) != 0) {
        r.error = errno;
        return r;
    }
    r.directory = (st.st_mode & _S_IFDIR) != 0;
#else
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        r.error = errno;
        return r;
    }
    r.directory = S_ISDIR(st.st_mode);
#endif
    r.size = static_cast<std::uint64_t>(st.st_size);
    return r;
}

const char* null_device() {
#ifdef _WIN32
    return "NUL";
#else
    return "/dev/null";
#endif
}

void* zeroed_pages(std::size_t bytes) {
    if (bytes == 0) return nullptr;
#ifdef _WIN32
    return VirtualAlloc(nullptr, bytes, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
#else
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
#ifdef MADV_HUGEPAGE
    if (bytes >= (std::size_t{2} << 20)) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
    return p;
#endif
}

void free_pages(void* p, std::size_t bytes) {
    if (!p) return;
#ifdef _WIN32
    (void)bytes;
    VirtualFree(p, 0, MEM_RELEASE);
#else
    munmap(p, bytes);
#endif
}

void heap_in_huge_pages(std::size_t bytes) {
#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    constexpr std::size_t kProbe = std::size_t{16} << 20;
    // Grow the heap by `bytes` at a time, and keep what is freed at its top
    // rather than give it back to be faulted in again.  Blocks up to 1 MiB
    // come from the heap (glibc's threshold would otherwise move up to 32
    // MiB as big blocks are freed); bigger ones, the big tables, are mapped
    // apart and given back when freed.  The threshold is set to the probe's
    // size first so that the probe below comes from the heap.
    mallopt(M_TOP_PAD, static_cast<int>(bytes));
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * bytes));
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(2 * kProbe));
    // A block bigger than the heap's free top makes it grow, by the block
    // and the pad; freed, it is the top again, mapped but not yet touched:
    // ask for that in huge pages, whole 2 MiB ones only.
    const auto brk_before = reinterpret_cast<std::uintptr_t>(sbrk(0));
    void* probe = std::malloc(kProbe);
    const auto brk_after = reinterpret_cast<std::uintptr_t>(sbrk(0));
    const auto at = reinterpret_cast<std::uintptr_t>(probe);
    if (probe && brk_after > brk_before && at < brk_after) {  // from the heap, which grew
        const std::uintptr_t lo = (at + kHuge - 1) & ~(kHuge - 1), hi = brk_after & ~(kHuge - 1);
        if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);  // advice only: failure is harmless
    }
    std::free(probe);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#else
    (void)bytes;
#endif
}

}  // namespace rdpscope::platform
