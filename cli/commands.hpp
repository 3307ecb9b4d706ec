// SPDX-License-Identifier: MIT
// The subcommands of the rdpscope command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rdpscope::cli {

struct Output {
    std::string format = "text";
    double stall_timeout_s = 30;
    bool all = false;  // analyze, capture, replay text: every connection in full, also in a brute force or scan
    std::string keylog;  // --keylog: an NSS key log to decrypt TLS with
    std::vector<std::string> rsa_keys;  // --rsa-key: servers' RSA private keys (PEM) for RSA key exchange
    std::string html;  // analyze, capture, replay: also write the HTML report to this file (report/html.hpp)
    std::vector<std::string> gateways;  // --gateway HOST[:PORT]: RD Gateways by name or address (analyze/gateway_shape.hpp)
    bool no_keys = false;               // --no-keys: ignore the capture's Decryption Secrets Blocks
};

// "HOST[:PORT]" (an IPv6 address bare or in brackets, "[::1]:443"): the host
// and the port (0 when none); false when the port is not 1-65535.
bool parse_gateway(const std::string& s, std::string& host, std::uint16_t& port);

struct Files {
    std::vector<std::string> files;
    Output out;
};

struct Check {
    std::vector<std::string> paths;
    bool verbose = false;
    std::vector<std::string> gateways;  // --gateway
    bool no_keys = false;               // --no-keys
};

struct Capture {
    std::string interface;
    bool list = false;
    std::vector<std::uint16_t> ports;
    std::string filter;
    int buffer_mb = 16;
    bool immediate = false;
    int snaplen = 262144;
    std::string write;
    double rotate_mb = 0;
    unsigned rotate_count = 0;
    std::string user;
    double duration_s = 0;
    Output out;
};

struct Replay {
    std::string file;
    std::string speed = "1";
    Output out;
};

int run_analyze(const Files& f);
int run_dissect(const Files& f);
int run_check(const Check& c);
int run_capture(const Capture& c);
int run_replay(const Replay& r);
int run_rules(const std::string& format);  // "text" or "markdown" (the README section)

}  // namespace rdpscope::cli
