// SPDX-License-Identifier: MIT
// X.509 description through OpenSSL 3.  RFC 5280 section numbers in comments.
#include "dissect/x509.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <ctime>
#include <memory>

#include "dissect/address.hpp"

namespace rdpscope::x509 {

namespace {

constexpr std::string_view kLayer = "x509";

// OpenSSL objects freed on scope exit.
struct X509Free { void operator()(X509* p) const { X509_free(p); } };
struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct NamesFree { void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); } };
struct BcFree { void operator()(BASIC_CONSTRAINTS* p) const { BASIC_CONSTRAINTS_free(p); } };
struct NameFree { void operator()(X509_NAME* p) const { X509_NAME_free(p); } };
struct BnFree { void operator()(BIGNUM* p) const { BN_free(p); } };
using X509Ptr = std::unique_ptr<X509, X509Free>;

// OpenSSL reports failures on a thread-local error queue; leave it as we found it
// (empty), so describe() has no effect outside its result.
struct ErrorQueueGuard {
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

X509Ptr parse(Bytes der, const unsigned char** end = nullptr) {
    if (der.empty() || der.size() > kMaxCertificateSize || der.size() > static_cast<std::size_t>(LONG_MAX))
        return nullptr;
    const unsigned char* p = der.data();
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (end) *end = p;
    return x;
}

std::string name_line(const X509_NAME* name, unsigned long flags) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || !name) return {};
    if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return n > 0 && data ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// Our one-line form keeps UTF-8 as is; Zeek's (plain XN_FLAG_RFC2253) escapes it.
constexpr unsigned long kNameFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
constexpr unsigned long kZeekNameFlags = XN_FLAG_RFC2253;

std::string hex(const unsigned char* p, std::size_t n, bool upper) {
    static constexpr char lo[] = "0123456789abcdef";
    static constexpr char up[] = "0123456789ABCDEF";
    const char* digits = upper ? up : lo;
    std::string s;
    s.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        s.push_back(digits[p[i] >> 4]);
        s.push_back(digits[p[i] & 0xf]);
    }
    return s;
}

// As i2a_ASN1_INTEGER writes it (what Zeek logs): the content bytes in upper-case
// hex, "-" first when negative, "00" for an empty INTEGER.
std::string serial_hex(const ASN1_INTEGER* serial) {
    if (!serial) return {};
    const int len = ASN1_STRING_length(serial);
    std::string s = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : "";
    if (len <= 0) return s + "00";
    return s + hex(ASN1_STRING_get0_data(serial), static_cast<std::size_t>(len), true);
}

std::string object_long_name(const ASN1_OBJECT* obj) {
    if (!obj) return {};
    char buf[128];
    const int n = OBJ_obj2txt(buf, sizeof buf, obj, 0);  // long name, else dotted OID
    if (n <= 0) return {};
    return std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

std::string asn1_to_utf8(const ASN1_STRING* s) {
    unsigned char* out = nullptr;
    const int n = ASN1_STRING_to_UTF8(&out, s);
    if (n < 0 || !out) return {};
    std::string r(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    return r;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil),
// so times before 1970 and after 2038 convert without timegm().
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> epoch_seconds(const ASN1_TIME* t) {
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
    const std::int64_t days =
        days_from_civil(std::int64_t{tm.tm_year} + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                        static_cast<unsigned>(tm.tm_mday));
    return days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

void read_alt_names(X509* x, Certificate& c) {
    std::unique_ptr<GENERAL_NAMES, NamesFree> names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr)));
    if (!names) return;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
        int type = 0;
        const void* value = GENERAL_NAME_get0_value(g, &type);
        if (!value) continue;
        const auto* s = static_cast<const ASN1_STRING*>(value);
        auto text = [s] {
            return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(std::max(0, ASN1_STRING_length(s))));
        };
        switch (type) {
            case GEN_DNS: c.san_dns.push_back(text()); break;
            case GEN_EMAIL: c.san_email.push_back(text()); break;
            case GEN_URI: c.san_uri.push_back(text()); break;
            case GEN_IPADD: {
                // RFC 5280 4.2.1.6: four octets for IPv4, sixteen for IPv6.  Written
                // as every other address (dissect/address.hpp), not by the
                // platform's inet_ntop, so Linux and Windows agree.
                const int len = ASN1_STRING_length(s);
                if (len != 4 && len != 16) break;
                IpAddr ip;
                ip.version = len == 4 ? 4 : 6;
                std::copy_n(ASN1_STRING_get0_data(s), len, ip.b.begin());
                c.san_ip.push_back(to_string(ip));
                break;
            }
            default: break;  // otherName, x400Address, directoryName, ... not reported
        }
    }
}

// The subject public key.  RDP servers' self-made certificates often label an RSA key
// md5WithRSAEncryption / sha1WithRSAEncryption instead of rsaEncryption, which
// OpenSSL then refuses to load (Zeek patches the algorithm for the same reason);
// the key bits are still a PKCS#1 RSAPublicKey, so read them as one.
std::unique_ptr<EVP_PKEY, PkeyFree> public_key(X509* x) {
    if (EVP_PKEY* k = X509_get_pubkey(x)) return std::unique_ptr<EVP_PKEY, PkeyFree>(k);
    ERR_clear_error();
    ASN1_OBJECT* alg = nullptr;
    const unsigned char* bits = nullptr;
    int len = 0;
    if (!X509_PUBKEY_get0_param(&alg, &bits, &len, nullptr, X509_get_X509_PUBKEY(x)) || !bits || len <= 0)
        return nullptr;
    int pkey_nid = NID_undef;
    if (!OBJ_find_sigid_algs(OBJ_obj2nid(alg), nullptr, &pkey_nid) || pkey_nid != NID_rsaEncryption)
        return nullptr;
    return std::unique_ptr<EVP_PKEY, PkeyFree>(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &bits, len));
}

std::string key_type_name(const EVP_PKEY* k) {
    switch (EVP_PKEY_get_base_id(k)) {
        case EVP_PKEY_RSA: return "rsa";
        case EVP_PKEY_RSA_PSS: return "rsa-pss";
        case EVP_PKEY_DSA: return "dsa";
        case EVP_PKEY_EC: return "ec";
        case EVP_PKEY_ED25519: return "ed25519";
        case EVP_PKEY_ED448: return "ed448";
        case EVP_PKEY_X25519: return "x25519";
        case EVP_PKEY_X448: return "x448";
        case EVP_PKEY_DH:
        case EVP_PKEY_DHX: return "dh";
        case EVP_PKEY_SM2: return "sm2";
        default: return "unknown";
    }
}

void read_public_key(X509* x, Certificate& c) {
    ASN1_OBJECT* alg = nullptr;
    if (X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(x)))
        c.key_alg = object_long_name(alg);
    auto key = public_key(x);
    if (!key) {
        c.key_type = "unknown";
        return;
    }
    c.key_type = key_type_name(key.get());
    c.key_bits = std::max(0, EVP_PKEY_get_bits(key.get()));
    if (c.key_type == "ec") {
        char group[80] = {};
        std::size_t n = 0;
        if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &n))
            c.curve.assign(group, std::min(n, sizeof group - 1));
    }
    if (c.key_type == "rsa" || c.key_type == "rsa-pss") {
        BIGNUM* e = nullptr;
        if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e) && e) {
            std::unique_ptr<BIGNUM, BnFree> owned(e);
            if (char* dec = BN_bn2dec(e)) {
                c.exponent = dec;
                OPENSSL_free(dec);
            }
        }
    }
    // RFC 5280 6.1: a self-signed certificate verifies with its own public key.
    // (OpenSSL cannot check the old OIW sha1WithRSA OID some Microsoft licensing
    // certificates use; those report false.)
    if (c.self_issued) c.self_signed = X509_verify(x, key.get()) == 1;
}

std::string digest_hex(Bytes der, const EVP_MD* md) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(der.data(), der.size(), out, &n, md, nullptr)) return {};
    return hex(out, n, false);
}

}  // namespace

Decoded<Certificate> describe(Bytes der, std::int64_t capture_time_seconds) {
    ErrorQueueGuard guard;
    if (der.size() > kMaxCertificateSize)
        return DecodeError::unsupported(kLayer, "certificate.length", 0);
    const unsigned char* end = nullptr;
    X509Ptr x = parse(der, &end);
    if (!x) return DecodeError::malformed(kLayer, "certificate", 0);
    const std::size_t used = static_cast<std::size_t>(end - der.data());
    if (used != der.size()) return DecodeError::malformed(kLayer, "certificate.trailing", used);

    Certificate c;
    c.version = static_cast<int>(X509_get_version(x.get())) + 1;
    c.serial = serial_hex(X509_get0_serialNumber(x.get()));
    const X509_NAME* subject = X509_get_subject_name(x.get());
    const X509_NAME* issuer = X509_get_issuer_name(x.get());
    c.subject = name_line(subject, kNameFlags);
    c.issuer = name_line(issuer, kNameFlags);
    c.subject_zeek = name_line(subject, kZeekNameFlags);
    c.issuer_zeek = name_line(issuer, kZeekNameFlags);
    for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;)
        c.subject_cn = asn1_to_utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    read_alt_names(x.get(), c);

    // RFC 5280 4.1.2.5: valid from notBefore through notAfter, both inclusive.
    c.not_before = epoch_seconds(X509_get0_notBefore(x.get())).value_or(0);
    c.not_after = epoch_seconds(X509_get0_notAfter(x.get())).value_or(0);
    c.expired_at_capture = capture_time_seconds > c.not_after;
    c.not_yet_valid_at_capture = capture_time_seconds < c.not_before;

    c.self_issued = X509_NAME_cmp(subject, issuer) == 0;
    read_public_key(x.get(), c);

    const X509_ALGOR* sig_alg = nullptr;
    X509_get0_signature(nullptr, &sig_alg, x.get());
    if (sig_alg) {
        const ASN1_OBJECT* obj = nullptr;
        X509_ALGOR_get0(&obj, nullptr, nullptr, sig_alg);
        c.sig_alg = object_long_name(obj);
    }

    int critical = 0;
    std::unique_ptr<BASIC_CONSTRAINTS, BcFree> bc(
        static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(x.get(), NID_basic_constraints, &critical, nullptr)));
    if (bc) {
        c.basic_constraints_ca = bc->ca != 0;
        if (bc->pathlen) c.path_len = ASN1_INTEGER_get(bc->pathlen);
    }

    c.sha256 = digest_hex(der, EVP_sha256());
    c.sha1 = digest_hex(der, EVP_sha1());
    c.der.assign(der.begin(), der.end());
    return c;
}

bool matches_name(Bytes der, std::string_view host) {
    ErrorQueueGuard guard;
    if (host.empty() || host.find('\0') != std::string_view::npos) return false;
    X509Ptr x = parse(der);
    if (!x) return false;
    const std::string h(host);
    // 1 match, 0 no match, -2 not an IP literal (then it is a host name).
    const int ip = X509_check_ip_asc(x.get(), h.c_str(), 0);
    if (ip >= 0) return ip == 1;
    return X509_check_host(x.get(), h.data(), h.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

bool Certificate::matches_name(std::string_view host) const { return x509::matches_name(der, host); }

Decoded<std::string> describe_name(Bytes der_name) {
    ErrorQueueGuard guard;
    if (der_name.empty() || der_name.size() > kMaxCertificateSize)
        return DecodeError::malformed(kLayer, "name", 0);
    const unsigned char* p = der_name.data();
    std::unique_ptr<X509_NAME, NameFree> name(d2i_X509_NAME(nullptr, &p, static_cast<long>(der_name.size())));
    if (!name) return DecodeError::malformed(kLayer, "name", 0);
    return name_line(name.get(), kNameFlags);
}

Chain describe_chain(const std::vector<Bytes>& certs, std::int64_t capture_time_seconds) {
    Chain chain;
    chain.chain_length = certs.size();
    for (Bytes der : certs) chain.certs.push_back(describe(der, capture_time_seconds));
    chain.ordered = !certs.empty();
    for (std::size_t i = 0; i + 1 < chain.certs.size(); ++i) {
        const auto& a = chain.certs[i];
        const auto& b = chain.certs[i + 1];
        if (!a || !b || a->issuer != b->subject) chain.ordered = false;
    }
    if (!chain.certs.empty() && chain.certs.front()) chain.leaf_self_signed = chain.certs.front()->self_signed;
    return chain;
}

}  // namespace rdpscope::x509
