// SPDX-License-Identifier: MIT
#include "dissect/http1.hpp"

#include "dissect/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace rdpscope::http1 {

namespace {

constexpr std::string_view kLayer = "http";

using ascii::iequal;

// RFC 9110 5.6.2: tchar.
bool tchar(char c) {
    if (std::isalnum(static_cast<unsigned char>(c))) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), tchar); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool has_token(std::string_view list, std::string_view want) {
    while (!list.empty()) {
        auto comma = list.find(',');
        if (iequal(trim(list.substr(0, comma)), want)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

bool http_version(std::string_view v) {
    return v.size() == 8 && v.substr(0, 5) == "HTTP/" && std::isdigit(static_cast<unsigned char>(v[5])) &&
           v[6] == '.' && std::isdigit(static_cast<unsigned char>(v[7]));
}

}  // namespace

std::optional<std::string_view> Head::field(std::string_view name) const {
    for (std::size_t i = 0; i < field_count; ++i)
        if (iequal(fields[i].name, name)) return fields[i].value;
    return std::nullopt;
}

bool Head::websocket_upgrade() const {
    auto up = field("Upgrade");
    auto conn = field("Connection");
    return up && conn && has_token(*up, "websocket") && has_token(*conn, "upgrade");
}

Decoded<Head> decode_head(Bytes stream) {
    const std::string_view text = as_text(stream.subspan(0, std::min(stream.size(), kMaxHead)));
    const auto end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (stream.size() >= kMaxHead) return DecodeError::malformed(kLayer, "head_length", 0);
        return DecodeError::need_more(kLayer, "head", stream.size());
    }
    Head h;
    h.length = end + 4;
    std::string_view rest = text.substr(0, end + 2);  // every line ends with CR LF
    auto line_end = rest.find("\r\n");
    const std::string_view start = rest.substr(0, line_end);
    rest.remove_prefix(line_end + 2);

    // RFC 9112 3 / 4: request-line = method SP request-target SP HTTP-version;
    // status-line = HTTP-version SP status-code SP [ reason-phrase ].
    const auto sp1 = start.find(' ');
    if (sp1 == std::string_view::npos) return DecodeError::malformed(kLayer, "start_line", 0);
    const std::string_view first = start.substr(0, sp1);
    if (http_version(first)) {
        h.version = first;
        const std::string_view after = start.substr(sp1 + 1);
        if (after.size() < 3 || !std::all_of(after.begin(), after.begin() + 3, [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            }))
            return DecodeError::malformed(kLayer, "status_code", sp1 + 1);
        if (after.size() > 3 && after[3] != ' ') return DecodeError::malformed(kLayer, "status_code", sp1 + 1);
        h.status = static_cast<std::uint16_t>((after[0] - '0') * 100 + (after[1] - '0') * 10 + (after[2] - '0'));
        h.reason = after.size() > 4 ? trim(after.substr(4)) : std::string_view{};
    } else {
        if (!token(first)) return DecodeError::malformed(kLayer, "method", 0);
        const auto sp2 = start.find(' ', sp1 + 1);
        if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return DecodeError::malformed(kLayer, "target", sp1 + 1);
        if (!http_version(start.substr(sp2 + 1))) return DecodeError::malformed(kLayer, "version", sp2 + 1);
        h.request = true;
        h.method = first;
        h.target = start.substr(sp1 + 1, sp2 - sp1 - 1);
        h.version = start.substr(sp2 + 1);
    }

    // RFC 9112 5: field-line = field-name ":" OWS field-value OWS.
    while (!rest.empty()) {
        const std::size_t at = text.size() - rest.size();
        line_end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, line_end);
        rest.remove_prefix(line_end + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !token(line.substr(0, colon)))
            return DecodeError::malformed(kLayer, "field_line", at);
        Field f{line.substr(0, colon), trim(line.substr(colon + 1))};
        if (iequal(f.name, "Content-Length")) {
            std::uint64_t n = 0;
            if (f.value.empty() || f.value.size() > 15) return DecodeError::malformed(kLayer, "content_length", at);
            for (char c : f.value) {
                if (!std::isdigit(static_cast<unsigned char>(c))) return DecodeError::malformed(kLayer, "content_length", at);
                n = n * 10 + static_cast<std::uint64_t>(c - '0');
            }
            h.content_length = n;
        } else if (iequal(f.name, "Transfer-Encoding")) {
            auto v = f.value;
            auto comma = v.rfind(',');
            h.chunked = iequal(trim(comma == std::string_view::npos ? v : v.substr(comma + 1)), "chunked");
        }
        if (h.field_count < kMaxFields) h.fields[h.field_count++] = f;
    }
    return h;
}

void add_challenges(std::string_view value, Challenges& out) {
    // Split on commas outside quoted strings; an element whose first word has
    // an "=" is an auth-param of the challenge before it, else it starts a challenge.
    std::size_t i = 0;
    while (i <= value.size()) {
        std::size_t j = i;
        bool quoted = false;
        while (j < value.size() && (quoted || value[j] != ',')) {
            if (value[j] == '"') quoted = !quoted;
            else if (value[j] == '\\' && quoted && j + 1 < value.size()) ++j;
            ++j;
        }
        const std::string_view element = trim(value.substr(i, j - i));
        i = j + 1;
        if (element.empty()) continue;
        const auto sp = element.find(' ');
        const std::string_view word = element.substr(0, sp);
        if (word.find('=') != std::string_view::npos || !token(word)) continue;
        std::uint16_t bit = kOtherScheme;
        if (iequal(word, "Negotiate")) bit = kNegotiate;
        else if (iequal(word, "NTLM")) bit = kNtlm;
        else if (iequal(word, "Kerberos")) bit = kKerberos;
        else if (iequal(word, "Digest")) bit = kDigest;
        else if (iequal(word, "Basic")) bit = kBasic;
        else if (iequal(word, "Bearer")) bit = kBearer;
        out.schemes |= bit;
        if ((bit & (kNegotiate | kNtlm | kKerberos)) && sp != std::string_view::npos &&
            !trim(element.substr(sp)).empty()) {
            out.negotiate_token = true;
            // The token is base64 (RFC 4559 4); an NTLM message's signature
            // "NTLMSSP\0" (MS-NLMP 2.2.1) encodes to "TlRMTVNTUA" whatever
            // follows.  Windows' HTTP.sys answers a client's raw NTLM inside
            // Negotiate so; one wrapped in SPNEGO (DER: "oX...") is not told apart.
            if (trim(element.substr(sp)).rfind("TlRMTVNTUA", 0) == 0) out.ntlm_token = true;
        }
        if (out.count < out.names.size()) out.names[out.count++] = word;
    }
}

Challenges challenges(const Head& h) {
    Challenges c;
    for (std::size_t i = 0; i < h.field_count; ++i)
        if (iequal(h.fields[i].name, "WWW-Authenticate")) add_challenges(h.fields[i].value, c);
    return c;
}

bool may_start_request(Bytes first) {
    const std::string_view t = as_text(first.subspan(0, std::min<std::size_t>(first.size(), 24)));
    const auto sp = t.find(' ');
    if (sp == std::string_view::npos) return t.size() < 24 && token(t);
    return sp > 0 && token(t.substr(0, sp));
}

}  // namespace rdpscope::http1
