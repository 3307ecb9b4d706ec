// SPDX-License-Identifier: MIT
#include "report/render_security.hpp"

#include <fmt/format.h>

#include "platform/platform.hpp"
#include <fmt/ranges.h>

#include <ctime>

#include "report/json_util.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

namespace {

constexpr const char* kIndent = "               ";  // under the label column

std::string label(const char* name) { return fmt::format("  {:<13}", name); }

template <typename T>
T get(const json& j, const char* key, T fallback = T{}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    return it->template get<T>();
}

std::string date(std::int64_t epoch) {
    const std::time_t t = static_cast<std::time_t>(epoch);
    const std::tm tm = platform::utc(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

std::string frame_col(std::uint64_t frame) { return fmt::format("frame {:<6} ", frame); }

std::string join(const json& list, const char* sep = ",") {
    std::string s;
    for (const auto& x : list) {
        if (!s.empty()) s += sep;
        s += x.is_string() ? x.get<std::string>() : x.dump();
    }
    return s;
}

std::string mcs_text(const json& m) {
    std::string s;
    bool first = true;
    auto line = [&](std::uint64_t frame, const std::string& what) {
        s += first ? label("mcs") : std::string(kIndent);
        s += frame ? frame_col(frame) : std::string(13, ' ');
        s += what + "\n";
        first = false;
    };
    if (m.contains("connect_initial_frame")) {
        std::string what = "Connect Initial";
        if (m.contains("client_core")) {
            const auto& c = m["client_core"];
            what += fmt::format(": client \"{}\"", get<std::string>(c, "client_name"));
            if (c.contains("client_build"))
                what += fmt::format(" build {} ({})", c["client_build"].get<std::uint32_t>(),
                                    get<std::string>(c, "client_build_name"));
            if (c.contains("desktop_width"))
                what += fmt::format(", {}x{}", get<std::uint32_t>(c, "desktop_width"), get<std::uint32_t>(c, "desktop_height"));
            if (c.contains("color_depth")) what += fmt::format(" {}-bit", c["color_depth"].get<std::uint32_t>());
            if (c.contains("keyboard_layout"))
                what += fmt::format(", keyboard {} (0x{:x})", get<std::string>(c, "keyboard_layout_name"),
                                    c["keyboard_layout"].get<std::uint32_t>());
        }
        line(m["connect_initial_frame"].get<std::uint64_t>(), what);
        if (m.contains("channels") && !m["channels"].empty())
            line(0, fmt::format("static channels {}", join(m["channels"])));
    }
    if (m.contains("connect_response_frame")) {
        std::string what = fmt::format("Connect Response: {}", get<std::string>(m, "result_name", "?"));
        if (m.contains("gcc_result_name")) what += fmt::format(" (GCC {})", m["gcc_result_name"].get<std::string>());
        if (m.contains("connect_response_ms")) what += fmt::format(" after {:.1f} ms", m["connect_response_ms"].get<double>());
        line(m["connect_response_frame"].get<std::uint64_t>(), what);
    }
    if (m.contains("erect_domain_frame")) line(m["erect_domain_frame"].get<std::uint64_t>(), "Erect Domain Request");
    if (m.contains("attach_user")) {
        const auto& a = m["attach_user"];
        if (a.contains("confirm_frame")) {
            std::string what = fmt::format("Attach User Confirm: {}", get<std::string>(a, "result_name", "?"));
            if (a.contains("user_channel")) what += fmt::format(", user channel {}", a["user_channel"].get<std::uint32_t>());
            line(a["confirm_frame"].get<std::uint64_t>(), what);
        } else {
            line(get<std::uint64_t>(a, "request_frame"), "Attach User Request, no confirm seen");
        }
    }
    if (m.contains("channel_joins")) {
        const auto& cj = m["channel_joins"];
        const auto req = get<std::uint64_t>(cj, "requests"), conf = get<std::uint64_t>(cj, "confirms");
        std::string what = fmt::format("{} channel join{}, {} confirmed", req, req == 1 ? "" : "s", conf);
        if (cj.contains("failed_result_name"))
            what += fmt::format("; a join failed: {}", cj["failed_result_name"].get<std::string>());
        line(get<std::uint64_t>(cj, "last_confirm_frame", get<std::uint64_t>(cj, "last_request_frame")), what + " (last)");
    }
    if (m.contains("security_exchange_frame")) line(m["security_exchange_frame"].get<std::uint64_t>(), "Security Exchange");
    if (m.contains("client_info_frame"))
        line(m["client_info_frame"].get<std::uint64_t>(),
             get<bool>(m, "client_info_encrypted") ? "Client Info (encrypted)"
             : get<bool>(m, "decrypted")           ? "Client Info (decrypted)"
                                                   : "Client Info (in clear)");
    if (m.contains("license")) {
        const auto& l = m["license"];
        std::string what = "licensing";
        if (l.contains("msg_type_name")) what += " " + l["msg_type_name"].get<std::string>();
        if (l.contains("error_code_name")) what += " " + l["error_code_name"].get<std::string>();
        if (get<bool>(l, "encrypted")) what += " (encrypted)";
        line(l["frame"].get<std::uint64_t>(), what);
    }
    // Read after TLS with keys, or in clear (issue 15).
    if (m.contains("logon")) {
        const auto& l = m["logon"];
        std::string what = "logged on (Save Session Info " + get<std::string>(l, "info_type_name") + ")";
        if (l.contains("user_name")) {
            what += ": ";
            if (l.contains("domain")) what += l["domain"].get<std::string>() + "\\";
            what += l["user_name"].get<std::string>();
        }
        if (l.contains("session_id")) what += fmt::format(", session {}", l["session_id"].get<std::uint32_t>());
        line(l["frame"].get<std::uint64_t>(), what);
    }
    if (m.contains("logon_error")) {
        const auto& l = m["logon_error"];
        std::string what = "logon error (Save Session Info): ";
        if (l.contains("data_name")) what += l["data_name"].get<std::string>() + ", ";
        what += fmt::format("type 0x{:08X}", l["type"].get<std::uint32_t>());
        if (l.contains("type_name")) what += " " + l["type_name"].get<std::string>();
        if (l.contains("session_id")) what += fmt::format(", session {}", l["session_id"].get<std::uint32_t>());
        line(l["frame"].get<std::uint64_t>(), what);
    }
    if (m.contains("error_info")) {
        const auto& e = m["error_info"];
        std::string what = fmt::format("Set Error Info 0x{:X}", e["code"].get<std::uint32_t>());
        if (!get<std::string>(e, "name").empty()) what += " " + e["name"].get<std::string>();
        line(e["frame"].get<std::uint64_t>(), what);
    }
    if (m.contains("pdus_after_client_info")) {
        const auto& p = m["pdus_after_client_info"];
        line(0, fmt::format("after the Client Info: c2s {} PDUs, s2c {} PDUs", p["c2s"].get<std::uint64_t>(),
                            p["s2c"].get<std::uint64_t>()));
    }
    if (m.contains("disconnect")) {
        const auto& d = m["disconnect"];
        std::string what = "Disconnect Provider Ultimatum";
        if (d.contains("reason_name")) what += " " + d["reason_name"].get<std::string>();
        if (d.contains("from")) what += " from the " + d["from"].get<std::string>();
        line(d["frame"].get<std::uint64_t>(), what);
    }
    if (m.contains("error"))
        line(get<std::uint64_t>(m, "error_frame"), "malformed: " + m["error"].get<std::string>());
    return s;
}

std::string certificate_text(const json& c, const char* lead) {
    std::string s;
    if (!c.contains("subject")) {
        if (c.contains("chain_length"))
            s += fmt::format("{}{:13}{}{} certificates sent, the first not decoded\n", kIndent, "", lead,
                             c["chain_length"].get<std::uint64_t>());
        return s;
    }
    std::string what = fmt::format("{}\"{}\"", lead, c["subject"].get<std::string>());
    if (get<bool>(c, "self_signed")) what += ", self-signed";
    else what += fmt::format(", issued by \"{}\"", get<std::string>(c, "issuer"));
    s += std::string(kIndent) + std::string(13, ' ') + what + "\n";
    std::string more = fmt::format("{} {} bits, valid {} to {}", get<std::string>(c, "key_type"), get<int>(c, "key_bits"),
                                   date(get<std::int64_t>(c, "not_before")), date(get<std::int64_t>(c, "not_after")));
    if (get<bool>(c, "expired_at_capture")) more += ", EXPIRED at capture time";
    if (get<bool>(c, "not_yet_valid_at_capture")) more += ", NOT YET VALID at capture time";
    if (c.contains("san") && !c["san"].empty()) more += ", SAN " + join(c["san"]);
    if (c.contains("chain_length")) more += fmt::format(", chain of {}", c["chain_length"].get<std::uint64_t>());
    s += std::string(kIndent) + std::string(15, ' ') + more + "\n";
    return s;
}

std::string security_text(const json& sec) {
    std::string s = label("security");
    std::string what = "standard RDP security";
    if (sec.contains("encryption_method_name")) what += ": " + sec["encryption_method_name"].get<std::string>() + " encryption";
    if (sec.contains("encryption_level_name")) what += ", level " + sec["encryption_level_name"].get<std::string>();
    s += what + "\n";
    if (sec.contains("server_cert_type_name")) {
        s += fmt::format("{}server certificate {} ({} cert{}, {})\n", kIndent, sec["server_cert_type_name"].get<std::string>(),
                         get<std::uint64_t>(sec, "cert_count"), get<std::uint64_t>(sec, "cert_count") == 1 ? "" : "s",
                         get<bool>(sec, "cert_permanent") ? "permanent" : "temporary");
    }
    if (sec.contains("certificates"))
        for (const auto& c : sec["certificates"]) s += certificate_text(c, "");
    if (sec.contains("error")) s += fmt::format("{}certificate malformed: {}\n", kIndent, sec["error"].get<std::string>());
    return s;
}

std::string tls_text(const json& t) {
    std::string s;
    bool first = true;
    auto line = [&](std::uint64_t frame, const std::string& what) {
        s += first ? label("tls") : std::string(kIndent);
        s += frame ? frame_col(frame) : std::string(13, ' ');
        s += what + "\n";
        first = false;
    };
    if (t.contains("client_hello_frame")) {
        std::string what = "ClientHello";
        if (t.contains("client_max_version_name")) what += " up to " + t["client_max_version_name"].get<std::string>();
        if (t.contains("sni")) what += fmt::format(", SNI \"{}\"", t["sni"].get<std::string>());
        line(t["client_hello_frame"].get<std::uint64_t>(), what);
    }
    if (t.contains("server_hello_frame")) {
        std::string what = "ServerHello";
        if (t.contains("version_name")) what += " " + t["version_name"].get<std::string>();
        if (t.contains("cipher_suite_name")) what += " " + t["cipher_suite_name"].get<std::string>();
        if (t.contains("server_hello_ms")) what += fmt::format(" after {:.1f} ms", t["server_hello_ms"].get<double>());
        line(t["server_hello_frame"].get<std::uint64_t>(), what);
    }
    if (t.contains("certificate_frame")) {
        std::string what = "Certificate";
        if (t.contains("sni_matches_cert"))
            what += t["sni_matches_cert"].get<bool>() ? " (matches the SNI)" : " (does NOT match the SNI)";
        line(t["certificate_frame"].get<std::uint64_t>(), what);
        if (t.contains("certificate")) s += certificate_text(t["certificate"], "");
    }
    if (t.contains("certificate_error")) line(0, "certificate malformed: " + t["certificate_error"].get<std::string>());
    for (const auto& a : t.contains("alerts") ? t["alerts"] : json::array()) {
        std::string what = fmt::format("alert from the {}: ", get<std::string>(a, "from"));
        if (get<bool>(a, "encrypted")) what += "encrypted";
        else what += fmt::format("{} {}", get<std::string>(a, "level_name"), get<std::string>(a, "description_name"));
        line(a["frame"].get<std::uint64_t>(), what);
    }
    if (get<bool>(t, "established")) {
        std::string what = "handshake complete";
        if (t.contains("application_data")) {
            const auto& ad = t["application_data"];
            what += fmt::format("; then c2s {} records, s2c {} records", ad["c2s"]["records"].get<std::uint64_t>(),
                                ad["s2c"]["records"].get<std::uint64_t>());
        }
        line(get<std::uint64_t>(t, "server_finished_frame"), what);
    }
    if (t.contains("error")) line(get<std::uint64_t>(t, "error_frame"), "stream broken: " + t["error"].get<std::string>());
    if (t.contains("decryption")) {
        const auto& d = t["decryption"];
        std::string what = get<bool>(d, "keys_found")
                               ? fmt::format("decrypted c2s {} records, s2c {} records{}", d["records"]["c2s"].get<std::uint64_t>(),
                                             d["records"]["s2c"].get<std::uint64_t>(),
                                             get<std::string>(d, "keys_from") == "rsa_key" ? " (keys from the server's RSA key)" : "")
                               : std::string("not decrypted");
        if (d.contains("problem")) what += ": " + d["problem"].get<std::string>();
        line(0, what);
        for (const char* k : {"c2s_failed_frame", "s2c_failed_frame"})
            if (d.contains(k))
                line(d[k].get<std::uint64_t>(), fmt::format("a {} record did not decrypt (wrong key, or bytes missing "
                                                            "from the capture): that direction stops here",
                                                            k[0] == 'c' ? "client" : "server"));
    }
    return s;
}

std::string credssp_text(const json& c) {
    std::string s;
    bool first = true;
    auto line = [&](std::uint64_t frame, const std::string& what) {
        s += first ? label("credssp") : std::string(kIndent);
        s += frame ? frame_col(frame) : std::string(13, ' ');
        s += what + "\n";
        first = false;
    };
    for (const auto& r : c.contains("ts_requests") ? c["ts_requests"] : json::array()) {
        std::string what = fmt::format("TSRequest v{} from the {}", get<std::uint64_t>(r, "version"), get<std::string>(r, "from"));
        if (r.contains("token")) {
            what += ", " + get<std::string>(r, "token") + " token";
            if (r.contains("kerberos")) {
                const auto& k = r["kerberos"];
                what += " (Kerberos " + get<std::string>(k, "message");
                if (k.contains("service"))
                    what += " for " + get<std::string>(k, "service") +
                            (k.contains("realm") ? "@" + get<std::string>(k, "realm") : std::string());
                if (k.contains("error_name")) what += " " + get<std::string>(k, "error_name");
                what += ")";
            }
            if (r.contains("ntlm_message")) {
                what += " (NTLM " + get<std::string>(r, "ntlm_message");
                if (r.contains("ntlm")) {
                    const auto& n = r["ntlm"];
                    if (n.contains("user"))
                        what += " " + (n.contains("domain") ? get<std::string>(n, "domain") + "\\" : std::string()) +
                                get<std::string>(n, "user");
                    if (n.contains("workstation")) what += " from " + get<std::string>(n, "workstation");
                    const std::string server = n.contains("dns_computer") ? get<std::string>(n, "dns_computer")
                                                                          : get<std::string>(n, "nb_computer");
                    if (!server.empty()) what += " from server " + server;
                    if (n.contains("windows_version")) what += ", Windows " + get<std::string>(n, "windows_version");
                }
                what += ")";
            }
        }
        if (get<bool>(r, "auth_info")) what += ", authInfo";
        if (get<bool>(r, "pub_key_auth")) what += ", pubKeyAuth";
        if (get<bool>(r, "client_nonce")) what += ", clientNonce";
        if (r.contains("error_code"))
            what += ", errorCode " + get<std::string>(r, "error_code") +
                    (r.contains("error_name") ? " " + get<std::string>(r, "error_name") : std::string());
        line(get<std::uint64_t>(r, "frame"), what);
    }
    if (c.contains("early_user_authorization_result"))
        line(get<std::uint64_t>(c, "early_user_authorization_result_frame"),
             "Early User Authorization Result " + get<std::string>(c, "early_user_authorization_result_name"));
    if (c.contains("error")) line(0, get<std::string>(c, "error"));
    return s;
}

// One RDP-UDP flow in words: its handshake and what became of it.
std::string udp_outcome(const json& f) {
    const std::string state = get<std::string>(f, "state");
    std::string s;
    if (f.contains("syn")) {
        const auto& syn = f["syn"];
        const auto n = get<std::uint64_t>(syn, "count");
        s += n == 1 ? fmt::format("SYN frame {}", syn["frames"][0].get<std::uint64_t>())
                    : fmt::format("{} SYNs (frames {}{})", n, join(syn["frames"], ", "),
                                  n > syn["frames"].size() ? ", ..." : "");
        if (f.contains("version_name")) s += " " + f["version_name"].get<std::string>();
    }
    if (f.contains("syn_ack_frame")) {
        if (!s.empty()) s += ", ";
        s += fmt::format("SYN+ACK frame {}", f["syn_ack_frame"].get<std::uint64_t>());
        if (get<bool>(f, "rdpudp2")) s += " (switches to RDP-UDP2)";
    }
    if (!s.empty()) s += ": ";
    if (state == "established")
        s += fmt::format("established at frame {}", get<std::uint64_t>(f, "established_frame"));
    else if (state == "syn_unanswered") s += "UNANSWERED, the UDP transport did not come up";
    else if (state == "syn_ack_unconfirmed") s += "the client never confirmed the SYN+ACK";
    else if (state == "mid_flow") s += "captured mid-flow, RDP-UDP datagrams both ways";
    else s += "not RDP-UDP";
    if (f.contains("lossy")) s += get<bool>(f, "lossy") ? " (lossy, UDP-L)" : " (reliable, UDP-R)";
    return s;
}

std::string udp_text(const json& list) {
    std::string s;
    bool first = true;
    for (const auto& f : list) {
        s += first ? label("udp") : std::string(kIndent);
        s += fmt::format("flow #{} {} -> {}: {}", get<std::uint64_t>(f, "conn"), get<std::string>(f, "client"),
                         get<std::string>(f, "server"), udp_outcome(f));
        if (f.contains("tie")) s += fmt::format(" [tied by {}]", f["tie"].get<std::string>() == "correlation_id"
                                                                    ? "correlation id" : "client/server address");
        s += "\n";
        if (f.contains("c2s") && f.contains("s2c"))
            s += fmt::format("{}frames {}-{}: client {} datagrams {} B, server {} datagrams {} B\n", kIndent,
                             get<std::uint64_t>(f, "first_frame"), get<std::uint64_t>(f, "last_frame"),
                             get<std::uint64_t>(f["c2s"], "datagrams"), get<std::uint64_t>(f["c2s"], "bytes"),
                             get<std::uint64_t>(f["s2c"], "datagrams"), get<std::uint64_t>(f["s2c"], "bytes"));
        if (f.contains("icmp"))
            for (const auto& i : f["icmp"])
                s += fmt::format("{}frame {:<6} {} from {}\n", kIndent, i["frame"].get<std::uint64_t>(),
                                 get<std::string>(i, "description"), get<std::string>(i, "from"));
        first = false;
    }
    return s;
}

}  // namespace

std::string render_security_text(const json& conn) {
    std::string s;
    if (conn.contains("mcs")) s += mcs_text(conn["mcs"]);
    if (conn.contains("security")) s += security_text(conn["security"]);
    if (conn.contains("tls")) s += tls_text(conn["tls"]);
    if (conn.contains("credssp")) s += credssp_text(conn["credssp"]);
    if (conn.contains("udp")) s += udp_text(conn["udp"]);
    return s;
}

std::string render_udp_flow_text(const json& f) {
    std::string s = fmt::format("#{} UDP {} -> {}   {}   {:.3f} s   frames {}-{}\n", get<std::uint64_t>(f, "conn"),
                                get<std::string>(f, "client"), get<std::string>(f, "server"),
                                utc_time(get<double>(f, "start")), get<double>(f, "duration"),
                                get<std::uint64_t>(f, "first_frame"), get<std::uint64_t>(f, "last_frame"));
    s += label("rdp-udp") + udp_outcome(f) + "\n";
    if (f.contains("correlation_id")) s += fmt::format("{}correlation id {}\n", kIndent, f["correlation_id"].get<std::string>());
    if (f.contains("icmp"))
        for (const auto& i : f["icmp"])
            s += fmt::format("{}{}{} from {}\n", kIndent, frame_col(i["frame"].get<std::uint64_t>()),
                             get<std::string>(i, "description"), get<std::string>(i, "from"));
    if (f.contains("error"))
        s += fmt::format("{}{}{} datagram(s) not RDP-UDP, first: {}\n", kIndent, frame_col(get<std::uint64_t>(f, "error_frame")),
                         get<std::uint64_t>(f, "errors"), f["error"].get<std::string>());
    if (f.contains("tcp_conn"))
        s += fmt::format("{}{}TCP connection #{} (by {})\n", label("belongs to"), "", f["tcp_conn"].get<std::uint64_t>(),
                         f["tie"].get<std::string>() == "correlation_id" ? "correlation id" : "client/server address");
    auto side = [&](const char* d, const char* who) {
        const auto& x = f[d];
        return fmt::format("{} {} datagrams {} B ({} with data)", who, get<std::uint64_t>(x, "datagrams"),
                           get<std::uint64_t>(x, "bytes"), get<std::uint64_t>(x, "data"));
    };
    s += label("udp") + side("c2s", "client") + "; " + side("s2c", "server") + "\n";
    return s;
}

}  // namespace rdpscope
