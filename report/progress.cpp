// SPDX-License-Identifier: MIT
#include "report/progress.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "platform/platform.hpp"

namespace rdpscope {

namespace {

// 1234567 -> "1,234,567"
std::string grouped(std::uint64_t n) {
    const std::string digits = std::to_string(n);
    std::string s;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) s += ',';
        s += digits[i];
    }
    return s;
}

std::string rate(double per_s) {
    if (per_s >= 1e6) return fmt::format("{:.1f}M", per_s / 1e6);
    if (per_s >= 1e3) return fmt::format("{:.0f}k", per_s / 1e3);
    return fmt::format("{:.0f}", per_s);
}

}  // namespace

Progress::Progress(std::FILE* err, bool force) : err_(err), may_draw_(force || platform::is_terminal(err)) {
    if (may_draw_ && !force) {
        const int w = platform::terminal_width(err);
        if (w > 20) width_ = w;
    }
}

void Progress::started(const std::string& name, std::uint64_t size) {
    clear();
    name_ = name;
    size_ = size;
    enabled_ = may_draw_ && size > 0;
    calls_ = 0;
    start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(std::uint64_t position, const FileStats& stats) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double frac = std::min(1.0, static_cast<double>(position) / static_cast<double>(size_));
    const std::string figures =
        fmt::format(" {:3.0f}%  {:.0f}/{:.0f} MB  {} pkt/s  {} conns, {} RDP", frac * 100, position / 1e6, size_ / 1e6,
                    rate(secs > 0 ? static_cast<double>(stats.packets) / secs : 0), grouped(stats.connections),
                    grouped(stats.rdp_connections));
    // "name [#####.....] figures" in the terminal's width: the bar gets 10 to
    // 30 columns, the file's name (its last part) what is left.
    const int avail = width_ - 1 - static_cast<int>(figures.size());
    const std::size_t slash = name_.rfind('/');
    std::string_view name = slash == std::string::npos ? std::string_view(name_) : std::string_view(name_).substr(slash + 1);
    const int bar = std::clamp(avail - static_cast<int>(name.size()) - 3, 10, 30);
    const int name_room = std::max(avail - bar - 3, 0);
    if (static_cast<int>(name.size()) > name_room) name = name.substr(name.size() - static_cast<std::size_t>(name_room));
    const int filled = static_cast<int>(frac * bar + 0.5);
    fmt::print(err_, "\r{} [{:#<{}}{:.<{}}]{}\033[K", name, "", filled, "", bar - filled, figures);
    std::fflush(err_);
    shown_ = true;
}

void Progress::clear() {
    if (!shown_) return;
    fmt::print(err_, "\r\033[K");
    std::fflush(err_);
    shown_ = false;
}

}  // namespace rdpscope
