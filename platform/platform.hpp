// SPDX-License-Identifier: MIT
// The few operating-system calls rdpscope needs beyond libpcap, in one place:
// POSIX here, the Windows equivalents beside them, so every platform
// difference stays in platform/ (used by capture, report and the CLI).
#pragma once

#include <csignal>
#include <cstdio>
#include <ctime>

namespace rdpscope::platform {

// Whether `f` is a terminal (colour, progress bars).
bool is_terminal(std::FILE* f);
// The width of the terminal `f` is, in columns; 0 if unknown.
int terminal_width(std::FILE* f);
// Ctrl-C and SIGTERM (Windows: Ctrl-C / Ctrl-Break) set *flag; a waiting read returns.
void on_stop_signal(volatile std::sig_atomic_t* flag);
// UTC broken-down time, thread-safe.
std::tm utc(std::time_t t);

}  // namespace rdpscope::platform
