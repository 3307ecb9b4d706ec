// SPDX-License-Identifier: MIT
#include "report/json_util.hpp"

#include <fmt/format.h>

#include <ctime>

#include "platform/platform.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

json epoch_seconds(std::int64_t ts_ns) {
    // A double holds epoch seconds to about a quarter of a microsecond, so JSON
    // times are rounded to the microsecond whatever the file's precision
    // (frame numbers, not times, are what identifies a packet).
    const std::int64_t us = (ts_ns + (ts_ns >= 0 ? 500 : -500)) / 1000;
    return static_cast<double>(us) / 1e6;
}

std::string utc_time(double epoch) {
    const std::time_t t = static_cast<std::time_t>(epoch);
    const std::tm tm = platform::utc(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return fmt::format("{}.{:06d} UTC", buf, static_cast<int>((epoch - static_cast<double>(t)) * 1e6 + 0.5) % 1000000);
}

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = n != 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
        if (ok && n == 2) ok = c >= 0xc2;  // no overlong forms
        if (ok && n == 3) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // overlong, surrogates
        }
        if (ok && n == 4) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            ok = c <= 0xf4 && !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
        }
        if (ok) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    return out;
}

}  // namespace rdpscope
