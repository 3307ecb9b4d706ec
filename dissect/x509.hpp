// SPDX-License-Identifier: MIT
// X.509 certificates as they appear on the RDP path: the TLS Certificate message
// (PROTOCOL_SSL / HYBRID) and the X.509 chain of Standard RDP Security's
// ServerCertificate ([MS-RDPBCGR] 2.2.1.4.3.1).
//
// All ASN.1 goes through OpenSSL 3 (d2i_X509 and accessors): we never parse DER by
// hand.  `describe` is pure: no I/O, no global state left behind (the OpenSSL error
// queue is cleared), no exceptions escape.  Field spellings follow Zeek's x509.log
// where there is one, so the analyzer's output can be diffed against Zeek.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dissect/reader.hpp"
#include "dissect/result.hpp"

namespace rdpscope::x509 {

// Larger DER is refused (unsupported) before OpenSSL sees it; TLS caps a handshake
// message at the same size.
inline constexpr std::size_t kMaxCertificateSize = 256 * 1024;

struct Certificate {
    int version = 0;     // 1..3 (Zeek certificate.version)
    std::string serial;  // upper-case hex of the INTEGER's bytes, e.g. "59EB28CB02B1A0D4" (Zeek)

    // RFC 2253 one-line names, most specific RDN first, "+" between the AVAs of a
    // multi-valued RDN, RFC 2253 escapes, UTF-8 kept (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB).
    std::string subject;
    std::string issuer;
    // Exactly Zeek's certificate.subject / .issuer and ssl.log subject / issuer: the same
    // with XN_FLAG_RFC2253, which also escapes bytes >= 0x80 as \XX.  (Zeek's ASCII
    // log writer then doubles every backslash.)
    std::string subject_zeek;
    std::string issuer_zeek;
    std::string subject_cn;  // the last (most specific) CN, as Zeek's certificate.cn

    // Subject alternative names (RFC 5280 4.2.1.6).
    std::vector<std::string> san_dns;
    std::vector<std::string> san_ip;  // "192.0.2.1", "2001:db8::1"
    std::vector<std::string> san_email;
    std::vector<std::string> san_uri;

    std::int64_t not_before = 0;  // seconds since the epoch, UTC
    std::int64_t not_after = 0;
    bool expired_at_capture = false;        // capture time > not_after
    bool not_yet_valid_at_capture = false;  // capture time < not_before

    bool self_issued = false;  // issuer == subject (X509_NAME_cmp)
    bool self_signed = false;  // self-issued and the signature verifies with its own key

    // Public key: "rsa", "ec", "dsa", "ed25519", "ed448", "x25519", "x448", "dh" or
    // "unknown" (Zeek's key_type says "ecdsa" for "ec").
    std::string key_type;
    int key_bits = 0;           // modulus / prime / group order bits (Zeek key_length)
    std::string key_alg;        // SubjectPublicKeyInfo algorithm, long name, e.g. "rsaEncryption"
    std::string curve;          // EC keys: group name, e.g. "prime256v1" (Zeek certificate.curve)
    std::string exponent;       // RSA public exponent, decimal (Zeek certificate.exponent)
    std::string sig_alg;        // signature algorithm long name, e.g. "sha256WithRSAEncryption"

    std::optional<bool> basic_constraints_ca;  // set when the extension is present
    std::optional<long> path_len;

    std::string sha256;  // lower-case hex fingerprint of the DER (Zeek fingerprint, cert_chain_fps)
    std::string sha1;

    std::vector<std::uint8_t> der;  // owned copy, for matches_name()

    // RFC 6125 host check against the SAN (and CN when the certificate has no DNS SAN)
    // via X509_check_host, or X509_check_ip_asc when `host` is an IP literal (IP SANs
    // only).  Wildcards match one whole left-most label.  RDP clients often send the
    // server's IP address as SNI, which then never matches a DNS name.
    bool matches_name(std::string_view host) const;
};

// Decodes one DER certificate.  Malformed DER -> DecodeError{"x509", "certificate",
// 0, malformed}; trailing bytes after the certificate -> malformed "certificate.trailing".
Decoded<Certificate> describe(Bytes der, std::int64_t capture_time_seconds);

// Same check as Certificate::matches_name, straight from DER (false when it does not parse).
bool matches_name(Bytes der, std::string_view host);

// A DER Name (e.g. a CertificateRequest certificate_authorities entry) as one line,
// in the same form as Certificate::subject.
Decoded<std::string> describe_name(Bytes der_name);

struct Chain {
    std::vector<Decoded<Certificate>> certs;  // in the order sent: leaf first
    std::size_t chain_length = 0;             // number of certificates sent
    // Each certificate's issuer is the next one's subject (sent in RFC 5246 7.4.2 order).
    bool ordered = false;
    bool leaf_self_signed = false;
};
Chain describe_chain(const std::vector<Bytes>& certs, std::int64_t capture_time_seconds);

}  // namespace rdpscope::x509
