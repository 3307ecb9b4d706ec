// SPDX-License-Identifier: MIT
#include "platform/platform.hpp"

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <sys/ioctl.h>
#include <unistd.h>
#endif

namespace rdpscope::platform {

namespace {
volatile std::sig_atomic_t* g_flag = nullptr;
void set_flag(int) {
    if (g_flag) *g_flag = 1;
}
}  // namespace

bool is_terminal(std::FILE* f) {
#ifdef _WIN32
    return _isatty(_fileno(f)) != 0;
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

void on_stop_signal(volatile std::sig_atomic_t* flag) {
    g_flag = flag;
#ifdef _WIN32
    std::signal(SIGINT, set_flag);
    std::signal(SIGBREAK, set_flag);
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

}  // namespace rdpscope::platform
