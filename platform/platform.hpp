// SPDX-License-Identifier: MIT
// The few operating-system calls rdpscope needs beyond libpcap, in one place:
// POSIX here, the Windows equivalents beside them, so every platform
// difference stays in platform/ (used by capture, report and the CLI).
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace rdpscope::platform {

// Whether `f` is a terminal that understands rdpscope's escape sequences
// (colour, progress bars).  Windows: a console with virtual-terminal
// processing on (init_console turns it on; consoles before Windows 10 have none).
bool is_terminal(std::FILE* f);
// The width of the terminal `f` is, in columns; 0 if unknown.
int terminal_width(std::FILE* f);
// Ctrl-C and SIGTERM (Windows: Ctrl-C / Ctrl-Break) set *flag; a waiting read returns.
void on_stop_signal(volatile std::sig_atomic_t* flag);
// UTC broken-down time, thread-safe.
std::tm utc(std::time_t t);

// Called first thing in main.  Windows: UTF-8 console output, virtual-terminal
// processing (ANSI colours) on stdout and stderr, and both in binary mode
// ("\n" line ends, so output is byte for byte the Linux build's).
void init_console();
// The command line as UTF-8 strings.  Windows: from the UTF-16 command line
// (GetCommandLineW), so non-ASCII file names survive whatever the ANSI code
// page is; elsewhere argv as it is.
std::vector<std::string> utf8_args(int argc, char** argv);
// fopen for a UTF-8 path (Windows: _wfopen of its UTF-16 form).
std::FILE* open_file(const std::string& path, const char* mode);
// What a path is, by stat (Windows: _wstat64 of its UTF-16 form, 64-bit sizes).
struct PathInfo {
    int error = 0;  // errno when stat failed, else 0
    bool directory = false;
    std::uint64_t size = 0;
};
PathInfo stat_path(const std::string& path);
// The null device ("/dev/null", Windows "NUL").
const char* null_device();

// Zeroed memory straight from the operating system (mmap; Windows
// VirtualAlloc), for tables of megabytes that grow by doubling -- a flood's
// distinct-source counter: the pages come zeroed (no memset), and on Linux
// transparent huge pages are asked for (madvise), so touching 16 MiB costs a
// few page faults instead of 4096; on a VM each fault costs microseconds.
// nullptr if it failed.
void* zeroed_pages(std::size_t bytes);
void free_pages(void* p, std::size_t bytes);

// The heap's next `bytes` + 16 MiB in transparent huge pages (Linux with
// glibc; elsewhere nothing), and the heap grown `bytes` at a time.  A flood's connections, held
// packets and report trees are many small blocks that together make tens of
// MiB, each 4 KiB page faulted in once; on a VM a fault costs microseconds,
// so on the X.224 flood (11,000 faults) that was a third of the time.  The
// price: peak RSS counts the heap's last 2 MiB page whole.  Called once,
// first thing in main.
void heap_in_huge_pages(std::size_t bytes);

// An array of T (trivial, zero meaning empty) in such memory.
template <class T>
class ZeroedArray {
public:
    ZeroedArray() = default;
    explicit ZeroedArray(std::size_t n) : p_(static_cast<T*>(zeroed_pages(n * sizeof(T)))), n_(p_ ? n : 0) {}
    ZeroedArray(ZeroedArray&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
    ZeroedArray& operator=(ZeroedArray&& o) noexcept {
        swap(o);
        return *this;
    }
    ~ZeroedArray() { if (p_) free_pages(p_, n_ * sizeof(T)); }
    void swap(ZeroedArray& o) noexcept {
        std::swap(p_, o.p_);
        std::swap(n_, o.n_);
    }
    std::size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    T& operator[](std::size_t i) { return p_[i]; }
    const T& operator[](std::size_t i) const { return p_[i]; }
    T* begin() { return p_; }
    T* end() { return p_ + n_; }

private:
    T* p_ = nullptr;
    std::size_t n_ = 0;
};

#ifdef _WIN32
// UTF-16 (Windows' wide strings) <-> UTF-8 (every string inside rdpscope).
std::string to_utf8(const std::wstring& w);
std::wstring to_wide(const std::string& s);
#endif

}  // namespace rdpscope::platform
