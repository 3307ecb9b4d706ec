// SPDX-License-Identifier: MIT
// TLS handshake reassembly and handshake message decoders.
// Section numbers: RFC 5246 (TLS 1.2) unless marked 8446 (TLS 1.3).
#include "dissect/tls_handshake.hpp"

#include <algorithm>

#include "dissect/tls_names.hpp"

namespace rdpscope::tls {

namespace {

// A variable-length vector <floor..2^(8*width)-1> (RFC 5246 4.3): reads the length
// prefix and returns a reader over exactly that many bytes.  Whether the prefix or
// the content is missing, the vector's length lies about the enclosing structure,
// so both are `malformed` at the prefix's offset.
Decoded<Reader> read_vector(Reader& r, int width, std::string_view field) {
    const std::size_t at = r.offset();
    std::uint32_t n = 0;
    bool ok = false;
    if (width == 1) {
        std::uint8_t v = 0;
        ok = r.u8(v);
        n = v;
    } else if (width == 2) {
        std::uint16_t v = 0;
        ok = r.u16be(v);
        n = v;
    } else {
        ok = r.u24be(n);
    }
    if (!ok) return DecodeError::malformed(kLayer, field, at);
    auto child = r.sub(n);
    if (!child) return DecodeError::malformed(kLayer, field, at);
    return *child;
}

// A vector of uint16 code points (cipher suites, groups, signature schemes).
Decoded<std::vector<std::uint16_t>> read_u16_list(Reader& r, int width, std::string_view field,
                                                  std::size_t min_bytes) {
    const std::size_t at = r.offset();
    auto v = read_vector(r, width, field);
    if (!v) return v.error();
    Reader list = *v;
    if (list.remaining() % 2 != 0 || list.remaining() < min_bytes) return DecodeError::malformed(kLayer, field, at);
    std::vector<std::uint16_t> out;
    out.reserve(list.remaining() / 2);
    std::uint16_t x = 0;
    while (list.u16be(x)) out.push_back(x);
    return out;
}

std::string to_string_bytes(Bytes b) { return std::string(as_text(b)); }

// The extensions block (RFC 5246 7.4.1.4, 8446 4.2): type, length, data, repeated.
// `prefix` names the message, e.g. "client_hello".
std::optional<DecodeError> read_extensions(Reader& r, std::string_view block_field,
                                           std::string_view type_field, std::string_view length_field,
                                           std::vector<Extension>& out) {
    auto block = read_vector(r, 2, block_field);
    if (!block) return block.error();
    Reader b = *block;
    // Counted first, so the list is allocated once: a ClientHello carries a
    // dozen or more, and a brute force decodes one per connection (issue 16).
    std::size_t count = 0;
    for (Reader c = *block; !c.empty(); ++count) {
        std::uint16_t type = 0, length = 0;
        if (!c.u16be(type) || !c.u16be(length) || !c.bytes(length)) break;
    }
    out.reserve(out.size() + count);
    while (!b.empty()) {
        Extension e;
        e.offset = b.offset();
        if (!b.u16be(e.type)) return DecodeError::malformed(kLayer, type_field, b.offset());
        const std::size_t len_at = b.offset();
        if (!b.u16be(e.length)) return DecodeError::malformed(kLayer, length_field, len_at);
        auto data = b.bytes(e.length);
        if (!data) return DecodeError::malformed(kLayer, length_field, len_at);
        e.data = *data;
        out.push_back(e);
    }
    return std::nullopt;
}

// Extension data readers keep the body's offsets so errors point into the body.
Reader ext_reader(const Extension& e) { return Reader(e.data, e.offset + 4); }

// server_name, RFC 6066 3: ServerNameList<1..2^16-1> of {NameType, HostName<1..2^16-1>}.
// An empty extension is legal in a ServerHello and tolerated here.
std::optional<DecodeError> read_server_names(const Extension& e, std::vector<std::string>& out) {
    Reader r = ext_reader(e);
    if (r.empty()) return std::nullopt;
    auto list = read_vector(r, 2, "server_name.list");
    if (!list) return list.error();
    if (!r.empty()) return DecodeError::malformed(kLayer, "server_name.list", e.offset + 4);
    Reader l = *list;
    while (!l.empty()) {
        std::uint8_t type = 0;
        if (!l.u8(type)) return DecodeError::malformed(kLayer, "server_name.name_type", l.offset());
        const std::size_t at = l.offset();
        auto name = read_vector(l, 2, "server_name.host_name");
        if (!name) return name.error();
        if (name->empty()) return DecodeError::malformed(kLayer, "server_name.host_name", at);
        if (type == 0) out.push_back(to_string_bytes(name->whole()));
    }
    return std::nullopt;
}

// application_layer_protocol_negotiation, RFC 7301 3.1:
// ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>.
std::optional<DecodeError> read_alpn(const Extension& e, std::vector<std::string>& out) {
    Reader r = ext_reader(e);
    auto list = read_vector(r, 2, "alpn.protocol_name_list");
    if (!list) return list.error();
    if (!r.empty()) return DecodeError::malformed(kLayer, "alpn.protocol_name_list", e.offset + 4);
    Reader l = *list;
    while (!l.empty()) {
        const std::size_t at = l.offset();
        auto name = read_vector(l, 1, "alpn.protocol_name");
        if (!name) return name.error();
        if (name->empty()) return DecodeError::malformed(kLayer, "alpn.protocol_name", at);
        out.push_back(to_string_bytes(name->whole()));
    }
    return std::nullopt;
}

// A whole-extension list of uint16 values with a `width`-byte length prefix.
std::optional<DecodeError> read_u16_extension(const Extension& e, int width, std::string_view field,
                                              std::vector<std::uint16_t>& out) {
    Reader r = ext_reader(e);
    auto list = read_u16_list(r, width, field, 0);
    if (!list) return list.error();
    if (!r.empty()) return DecodeError::malformed(kLayer, field, e.offset + 4);
    out = std::move(list.value());
    return std::nullopt;
}

// key_share in a ClientHello, RFC 8446 4.2.8: client_shares<0..2^16-1> of
// KeyShareEntry {NamedGroup group; opaque key_exchange<1..2^16-1>}.
std::optional<DecodeError> read_client_key_shares(const Extension& e, std::vector<std::uint16_t>& out) {
    Reader r = ext_reader(e);
    auto shares = read_vector(r, 2, "key_share.client_shares");
    if (!shares) return shares.error();
    if (!r.empty()) return DecodeError::malformed(kLayer, "key_share.client_shares", e.offset + 4);
    Reader s = *shares;
    while (!s.empty()) {
        std::uint16_t group = 0;
        if (!s.u16be(group)) return DecodeError::malformed(kLayer, "key_share.group", s.offset());
        const std::size_t at = s.offset();
        auto key = read_vector(s, 2, "key_share.key_exchange");
        if (!key) return key.error();
        if (key->empty()) return DecodeError::malformed(kLayer, "key_share.key_exchange", at);
        out.push_back(group);
    }
    return std::nullopt;
}

// ec_point_formats, RFC 4492 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>.
std::optional<DecodeError> read_point_formats(const Extension& e, std::vector<std::uint8_t>& out) {
    Reader r = ext_reader(e);
    auto list = read_vector(r, 1, "ec_point_formats.list");
    if (!list) return list.error();
    if (!r.empty()) return DecodeError::malformed(kLayer, "ec_point_formats.list", e.offset + 4);
    out = to_vector(list->whole());
    return std::nullopt;
}

// RFC 8446 4.1.3: the HelloRetryRequest random is SHA-256("HelloRetryRequest").
constexpr std::array<std::uint8_t, 32> kHelloRetryRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
// RFC 8446 4.1.3 downgrade protection: "DOWNGRD" then 01 (TLS 1.2) or 00 (<= 1.1).
constexpr std::array<std::uint8_t, 7> kDowngrade = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44};

std::size_t bit_length(Bytes big_endian) {
    std::size_t i = 0;
    while (i < big_endian.size() && big_endian[i] == 0) ++i;
    if (i == big_endian.size()) return 0;
    std::size_t bits = (big_endian.size() - i) * 8;
    for (std::uint8_t top = big_endian[i]; (top & 0x80) == 0; top = static_cast<std::uint8_t>(top << 1)) --bits;
    return bits;
}

bool is_ecdh_family(KeyExchange k) {
    return k == KeyExchange::ecdhe || k == KeyExchange::ecdh_anon || k == KeyExchange::ecdh;
}
bool is_dh_family(KeyExchange k) {
    return k == KeyExchange::dhe || k == KeyExchange::dh_anon || k == KeyExchange::dh;
}

}  // namespace

// ---------------------------------------------------------------------------
// Handshake reassembly (RFC 5246 7.4, RFC 8446 4 and 5.1)
// ---------------------------------------------------------------------------

Decoded<HandshakeHeader> decode_handshake_header(Bytes data) {
    Reader r(data);
    std::uint8_t type = 0;
    HandshakeHeader h;
    if (!r.u8(type)) return DecodeError::need_more(kLayer, "handshake.msg_type", 0, kHandshakeHeaderLength);
    if (!r.u24be(h.length)) return DecodeError::need_more(kLayer, "handshake.length", 1, kHandshakeHeaderLength);
    h.type = static_cast<HandshakeType>(type);
    return h;
}

Decoded<HandshakeView> decode_handshake(Bytes data) {
    auto h = decode_handshake_header(data);
    if (!h) return h.error();
    const std::size_t total = kHandshakeHeaderLength + std::size_t{h->length};
    if (data.size() < total) return DecodeError::need_more(kLayer, "handshake.body", kHandshakeHeaderLength, total);
    return HandshakeView{*h, data.subspan(kHandshakeHeaderLength, h->length)};
}

AssembleResult HandshakeAssembler::push(Bytes payload, bool encrypted) {
    AssembleResult out;
    auto note = [&out](DecodeError e) {
        if (!out.error) out.error = e;
    };
    if (encrypted) {
        // RFC 8446 5.1: handshake messages MUST NOT span a key change.
        if (pending()) {
            note(DecodeError::malformed(kLayer, "handshake.key_change", 0));
            buffer_.clear();
            skip_ = 0;
        }
        HandshakeMessage m;
        m.encrypted = true;
        m.length = static_cast<std::uint32_t>(payload.size());
        out.messages.push_back(std::move(m));
        return out;
    }

    Reader r(payload);
    auto emit = [&out](const HandshakeHeader& h, Bytes body) {
        HandshakeMessage m;
        m.type = h.type;
        m.length = h.length;
        m.body = to_vector(body);
        out.messages.push_back(std::move(m));
    };
    while (!r.empty()) {
        if (skip_ > 0) {
            const std::size_t n = std::min(skip_, r.remaining());
            r.skip(n);
            skip_ -= n;
            continue;
        }
        if (buffer_.size() < kHandshakeHeaderLength) {
            if (buffer_.empty()) {
                // Whole message inside this record: copy the body once, buffer nothing.
                auto h = decode_handshake_header(r.rest());
                if (h && h->length <= max_ && r.remaining() >= kHandshakeHeaderLength + h->length) {
                    emit(*h, r.rest().subspan(kHandshakeHeaderLength, h->length));
                    r.skip(kHandshakeHeaderLength + h->length);
                    continue;
                }
            }
            // Where the header starts in this payload (0 when it began in an earlier record).
            const std::size_t header_at = buffer_.empty() ? r.offset() : 0;
            const std::size_t take = std::min(kHandshakeHeaderLength - buffer_.size(), r.remaining());
            auto head = r.bytes(take);
            buffer_.insert(buffer_.end(), head->begin(), head->end());
            if (buffer_.size() < kHandshakeHeaderLength) break;
            const HandshakeHeader h = decode_handshake_header(buffer_).value();
            if (h.length > max_) {
                // Report once, then walk past the body without keeping it.
                note(DecodeError{kLayer, "handshake.length", header_at, ErrorKind::unsupported,
                                 kHandshakeHeaderLength + std::size_t{h.length}});
                buffer_.clear();
                skip_ = h.length;
                continue;
            }
        }
        const HandshakeHeader h = decode_handshake_header(buffer_).value();
        const std::size_t total = kHandshakeHeaderLength + std::size_t{h.length};
        const std::size_t take = std::min(total - buffer_.size(), r.remaining());
        auto part = r.bytes(take);
        buffer_.insert(buffer_.end(), part->begin(), part->end());
        if (buffer_.size() == total) {
            emit(h, Bytes(buffer_).subspan(kHandshakeHeaderLength));
            buffer_.clear();
        }
    }
    return out;
}

// ---------------------------------------------------------------------------
// Hello messages
// ---------------------------------------------------------------------------

std::optional<std::string> ClientHello::server_name() const {
    if (server_names.empty()) return std::nullopt;
    return server_names.front();
}

std::uint16_t ClientHello::max_version() const {
    std::uint16_t best = 0;
    for (std::uint16_t v : supported_versions)
        if (!is_grease(v)) best = std::max(best, v);
    return best ? best : legacy_version;
}

const Extension* ClientHello::find_extension(std::uint16_t type) const {
    for (const auto& e : extensions)
        if (e.type == type) return &e;
    return nullptr;
}

const Extension* ServerHello::find_extension(std::uint16_t type) const {
    for (const auto& e : extensions)
        if (e.type == type) return &e;
    return nullptr;
}

// RFC 5246 7.4.1.2 / RFC 8446 4.1.2:
//   ProtocolVersion legacy_version; Random random; opaque legacy_session_id<0..32>;
//   CipherSuite cipher_suites<2..2^16-2>; opaque legacy_compression_methods<1..2^8-1>;
//   Extension extensions<8..2^16-1>  (absent altogether in old clients)
Decoded<ClientHello> decode_client_hello(Bytes body) {
    Reader r(body);
    ClientHello ch;
    if (!r.u16be(ch.legacy_version)) return DecodeError::malformed(kLayer, "client_hello.legacy_version", r.offset());
    auto random = r.bytes(32);
    if (!random) return DecodeError::malformed(kLayer, "client_hello.random", r.offset());
    std::copy(random->begin(), random->end(), ch.random.begin());

    const std::size_t sid_at = r.offset();
    auto sid = read_vector(r, 1, "client_hello.session_id");
    if (!sid) return sid.error();
    if (sid->remaining() > 32) return DecodeError::malformed(kLayer, "client_hello.session_id", sid_at);
    ch.session_id = sid->whole();

    auto suites = read_u16_list(r, 2, "client_hello.cipher_suites", 2);
    if (!suites) return suites.error();
    ch.cipher_suites = std::move(suites.value());

    const std::size_t comp_at = r.offset();
    auto comp = read_vector(r, 1, "client_hello.compression_methods");
    if (!comp) return comp.error();
    if (comp->empty()) return DecodeError::malformed(kLayer, "client_hello.compression_methods", comp_at);
    ch.compression_methods = to_vector(comp->whole());

    if (r.empty()) return ch;  // RFC 5246 7.4.1.2: extensions may be absent
    ch.has_extensions = true;
    if (auto e = read_extensions(r, "client_hello.extensions", "client_hello.extension.type",
                                 "client_hello.extension.length", ch.extensions))
        return *e;
    if (!r.empty()) return DecodeError::malformed(kLayer, "client_hello.trailing", r.offset());

    for (const Extension& e : ch.extensions) {
        std::optional<DecodeError> err;
        switch (e.type) {
            case ext::server_name: err = read_server_names(e, ch.server_names); break;
            case ext::alpn: err = read_alpn(e, ch.alpn); break;
            case ext::supported_versions:
                err = read_u16_extension(e, 1, "supported_versions.versions", ch.supported_versions);
                break;
            case ext::signature_algorithms:
                err = read_u16_extension(e, 2, "signature_algorithms.list", ch.signature_algorithms);
                break;
            case ext::supported_groups:
                err = read_u16_extension(e, 2, "supported_groups.list", ch.supported_groups);
                break;
            case ext::key_share: err = read_client_key_shares(e, ch.key_share_groups); break;
            case ext::ec_point_formats: err = read_point_formats(e, ch.ec_point_formats); break;
            case ext::extended_master_secret: ch.extended_master_secret = true; break;
            case ext::renegotiation_info: ch.renegotiation_info = true; break;
            default: break;  // kept as type + length in `extensions`
        }
        if (err) return *err;
    }
    // RFC 5746 3.3: the SCSV stands for an empty renegotiation_info.
    if (std::find(ch.cipher_suites.begin(), ch.cipher_suites.end(), 0x00ff) != ch.cipher_suites.end())
        ch.renegotiation_info = true;
    return ch;
}

// RFC 5246 7.4.1.3 / RFC 8446 4.1.3:
//   ProtocolVersion legacy_version; Random random; opaque legacy_session_id_echo<0..32>;
//   CipherSuite cipher_suite; uint8 legacy_compression_method; Extension extensions<6..2^16-1>
Decoded<ServerHello> decode_server_hello(Bytes body) {
    Reader r(body);
    ServerHello sh;
    if (!r.u16be(sh.legacy_version)) return DecodeError::malformed(kLayer, "server_hello.legacy_version", r.offset());
    auto random = r.bytes(32);
    if (!random) return DecodeError::malformed(kLayer, "server_hello.random", r.offset());
    std::copy(random->begin(), random->end(), sh.random.begin());
    sh.hello_retry_request = sh.random == kHelloRetryRandom;
    if (std::equal(kDowngrade.begin(), kDowngrade.end(), sh.random.begin() + 24)) {
        if (sh.random[31] == 1) sh.downgrade_sentinel = kTLSv12;
        if (sh.random[31] == 0) sh.downgrade_sentinel = kTLSv11;
    }

    const std::size_t sid_at = r.offset();
    auto sid = read_vector(r, 1, "server_hello.session_id");
    if (!sid) return sid.error();
    if (sid->remaining() > 32) return DecodeError::malformed(kLayer, "server_hello.session_id", sid_at);
    sh.session_id = sid->whole();
    if (!r.u16be(sh.cipher_suite)) return DecodeError::malformed(kLayer, "server_hello.cipher_suite", r.offset());
    if (!r.u8(sh.compression_method))
        return DecodeError::malformed(kLayer, "server_hello.compression_method", r.offset());

    if (r.empty()) return sh;  // SSLv3 / TLS without extensions
    sh.has_extensions = true;
    if (auto e = read_extensions(r, "server_hello.extensions", "server_hello.extension.type",
                                 "server_hello.extension.length", sh.extensions))
        return *e;
    if (!r.empty()) return DecodeError::malformed(kLayer, "server_hello.trailing", r.offset());

    for (const Extension& e : sh.extensions) {
        Reader x = ext_reader(e);
        switch (e.type) {
            case ext::supported_versions: {
                // RFC 8446 4.2.1: the ServerHello carries one selected_version.
                std::uint16_t v = 0;
                if (!x.u16be(v) || !x.empty())
                    return DecodeError::malformed(kLayer, "supported_versions.selected_version", e.offset + 4);
                sh.selected_version = v;
                break;
            }
            case ext::key_share: {
                // RFC 8446 4.2.8: KeyShareEntry server_share, or in an HRR only the group.
                std::uint16_t g = 0;
                if (!x.u16be(g)) return DecodeError::malformed(kLayer, "key_share.group", e.offset + 4);
                if (!x.empty()) {
                    const std::size_t at = x.offset();
                    auto key = read_vector(x, 2, "key_share.key_exchange");
                    if (!key) return key.error();
                    if (key->empty() || !x.empty()) return DecodeError::malformed(kLayer, "key_share.key_exchange", at);
                }
                sh.key_share_group = g;
                break;
            }
            case ext::alpn: {
                // RFC 7301 3.1: the server's list holds exactly one name.
                std::vector<std::string> names;
                if (auto err = read_alpn(e, names)) return *err;
                if (names.size() != 1) return DecodeError::malformed(kLayer, "alpn.protocol_name_list", e.offset + 4);
                sh.alpn = names.front();
                break;
            }
            case ext::extended_master_secret: sh.extended_master_secret = true; break;
            case ext::renegotiation_info: sh.renegotiation_info = true; break;
            default: break;
        }
    }
    return sh;
}

// ---------------------------------------------------------------------------
// Certificate, CertificateRequest
// ---------------------------------------------------------------------------

// RFC 5246 7.4.2: ASN.1Cert certificate_list<0..2^24-1>, ASN.1Cert = opaque<1..2^24-1>.
// RFC 8446 4.4.2: opaque certificate_request_context<0..2^8-1>;
//   CertificateEntry certificate_list<0..2^24-1> = {opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>}
Decoded<CertificateMessage> decode_certificate(Bytes body, bool tls13) {
    Reader r(body);
    CertificateMessage m;
    if (tls13) {
        auto ctx = read_vector(r, 1, "certificate.request_context");
        if (!ctx) return ctx.error();
        m.request_context = ctx->whole();
    }
    auto list = read_vector(r, 3, "certificate.certificate_list");
    if (!list) return list.error();
    if (!r.empty()) return DecodeError::malformed(kLayer, "certificate.trailing", r.offset());
    Reader l = *list;
    while (!l.empty()) {
        const std::size_t at = l.offset();
        auto cert = read_vector(l, 3, "certificate.cert");
        if (!cert) return cert.error();
        if (cert->empty()) return DecodeError::malformed(kLayer, "certificate.cert", at);
        m.certs.push_back(cert->whole());
        if (tls13) {
            auto exts = read_vector(l, 2, "certificate.extensions");
            if (!exts) return exts.error();
        }
    }
    return m;
}

// RFC 5246 7.4.4: ClientCertificateType certificate_types<1..2^8-1>;
//   SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;  (TLS 1.2 only)
//   DistinguishedName certificate_authorities<0..2^16-1>, DistinguishedName = opaque<1..2^16-1>
Decoded<CertificateRequest> decode_certificate_request(Bytes body, std::uint16_t version) {
    if (version >= kTLSv13 && version < 0x7f00)
        return DecodeError::unsupported(kLayer, "certificate_request", 0);  // encrypted in TLS 1.3
    Reader r(body);
    CertificateRequest m;
    const std::size_t types_at = r.offset();
    auto types = read_vector(r, 1, "certificate_request.certificate_types");
    if (!types) return types.error();
    if (types->empty()) return DecodeError::malformed(kLayer, "certificate_request.certificate_types", types_at);
    m.certificate_types = to_vector(types->whole());
    if (version >= kTLSv12) {
        auto algs = read_u16_list(r, 2, "certificate_request.signature_algorithms", 2);
        if (!algs) return algs.error();
        m.signature_algorithms = std::move(algs.value());
    }
    auto cas = read_vector(r, 2, "certificate_request.certificate_authorities");
    if (!cas) return cas.error();
    if (!r.empty()) return DecodeError::malformed(kLayer, "certificate_request.trailing", r.offset());
    Reader c = *cas;
    while (!c.empty()) {
        const std::size_t at = c.offset();
        auto dn = read_vector(c, 2, "certificate_request.distinguished_name");
        if (!dn) return dn.error();
        if (dn->empty()) return DecodeError::malformed(kLayer, "certificate_request.distinguished_name", at);
        m.certificate_authorities.push_back(dn->whole());
    }
    return m;
}

// ---------------------------------------------------------------------------
// Key exchange
// ---------------------------------------------------------------------------

KeyExchange key_exchange_of(std::uint16_t cipher_suite) {
    const CipherSuiteInfo* info = find_cipher_suite(cipher_suite);
    if (!info) return KeyExchange::unknown;
    const std::string_view n = info->name;
    auto starts = [n](std::string_view p) { return n.substr(0, p.size()) == p; };
    // Longest prefixes first: "TLS_ECDHE_PSK_" before "TLS_ECDHE_", etc.
    if (starts("TLS_ECDHE_PSK_")) return KeyExchange::ecdhe_psk;
    if (starts("TLS_ECDHE_")) return KeyExchange::ecdhe;
    if (starts("TLS_ECDH_anon_")) return KeyExchange::ecdh_anon;
    if (starts("TLS_ECDH_")) return KeyExchange::ecdh;
    if (starts("TLS_DHE_PSK_") || starts("TLS_PSK_DHE_")) return KeyExchange::dhe_psk;
    if (starts("TLS_DHE_")) return KeyExchange::dhe;
    if (starts("TLS_DH_anon_")) return KeyExchange::dh_anon;
    if (starts("TLS_DH_")) return KeyExchange::dh;
    if (starts("TLS_RSA_PSK_")) return KeyExchange::rsa_psk;
    if (starts("TLS_RSA_EXPORT")) return KeyExchange::rsa_export;
    if (starts("TLS_RSA_")) return KeyExchange::rsa;
    if (starts("TLS_PSK_")) return KeyExchange::psk;
    if (starts("TLS_SRP_")) return KeyExchange::srp;
    if (cipher_suite >= 0x1301 && cipher_suite <= 0x13ff) return KeyExchange::tls13;
    return KeyExchange::unknown;
}

std::string_view to_string(KeyExchange k) {
    switch (k) {
        case KeyExchange::unknown: return "unknown";
        case KeyExchange::rsa: return "RSA";
        case KeyExchange::rsa_export: return "RSA_EXPORT";
        case KeyExchange::dh: return "DH";
        case KeyExchange::dhe: return "DHE";
        case KeyExchange::dh_anon: return "DH_anon";
        case KeyExchange::ecdh: return "ECDH";
        case KeyExchange::ecdhe: return "ECDHE";
        case KeyExchange::ecdh_anon: return "ECDH_anon";
        case KeyExchange::psk: return "PSK";
        case KeyExchange::dhe_psk: return "DHE_PSK";
        case KeyExchange::rsa_psk: return "RSA_PSK";
        case KeyExchange::ecdhe_psk: return "ECDHE_PSK";
        case KeyExchange::srp: return "SRP";
        case KeyExchange::tls13: return "TLS13";
    }
    return "unknown";
}

// RFC 4492/8422 5.4: ServerECDHParams {ECParameters curve_params; ECPoint public<1..2^8-1>}
//   then the signature unless anonymous.
// RFC 5246 7.4.3: ServerDHParams {dh_p<1..2^16-1>, dh_g<1..2^16-1>, dh_Ys<1..2^16-1>}
//   then the signature unless anonymous.
// Signature: TLS 1.2 prefixes SignatureAndHashAlgorithm (7.4.1.4.1); earlier do not.
Decoded<ServerKeyExchange> decode_server_key_exchange(Bytes body, std::uint16_t cipher_suite,
                                                      std::uint16_t version) {
    ServerKeyExchange m;
    m.kex = key_exchange_of(cipher_suite);
    Reader r(body);
    if (is_ecdh_family(m.kex)) {
        if (!r.u8(m.curve_type)) return DecodeError::malformed(kLayer, "server_key_exchange.curve_type", r.offset());
        // Only named_curve (3) is used in practice; explicit curves (1, 2) were deprecated by RFC 8422.
        if (m.curve_type != 3) return DecodeError::unsupported(kLayer, "server_key_exchange.curve_type", 0);
        std::uint16_t group = 0;
        if (!r.u16be(group)) return DecodeError::malformed(kLayer, "server_key_exchange.named_curve", r.offset());
        m.named_group = group;
        const std::size_t at = r.offset();
        auto point = read_vector(r, 1, "server_key_exchange.public");
        if (!point) return point.error();
        if (point->empty()) return DecodeError::malformed(kLayer, "server_key_exchange.public", at);
        m.public_key_length = point->remaining();
    } else if (is_dh_family(m.kex)) {
        auto p = read_vector(r, 2, "server_key_exchange.dh_p");
        if (!p) return p.error();
        m.dh_p_bits = bit_length(p->whole());
        auto g = read_vector(r, 2, "server_key_exchange.dh_g");
        if (!g) return g.error();
        auto ys = read_vector(r, 2, "server_key_exchange.dh_Ys");
        if (!ys) return ys.error();
        m.public_key_length = ys->remaining();
    } else {
        return DecodeError::unsupported(kLayer, "server_key_exchange", 0);
    }
    if (m.kex == KeyExchange::ecdh_anon || m.kex == KeyExchange::dh_anon) {
        if (!r.empty()) return DecodeError::malformed(kLayer, "server_key_exchange.trailing", r.offset());
        return m;
    }
    if (version >= kTLSv12) {
        std::uint16_t scheme = 0;
        if (!r.u16be(scheme))
            return DecodeError::malformed(kLayer, "server_key_exchange.signature_algorithm", r.offset());
        m.signature_scheme = scheme;
    }
    auto sig = read_vector(r, 2, "server_key_exchange.signature");
    if (!sig) return sig.error();
    m.signature_length = sig->remaining();
    if (!r.empty()) return DecodeError::malformed(kLayer, "server_key_exchange.trailing", r.offset());
    return m;
}

Decoded<ServerHelloDone> decode_server_hello_done(Bytes body) {
    if (!body.empty())
        return DecodeError::malformed(kLayer, "server_hello_done.length", 0);  // RFC 5246 7.4.5: struct {}
    return ServerHelloDone{};
}

// RFC 5246 7.4.7: RSA: EncryptedPreMasterSecret = opaque<0..2^16-1> (SSLv3: no length
// prefix, RFC 6101 5.6.7.1); DH: dh_Yc<1..2^16-1>; RFC 4492 5.7 ECDH: ECPoint<1..2^8-1>.
// Both DH forms may be empty ("implicit") when the client certificate holds the key.
Decoded<ClientKeyExchange> decode_client_key_exchange(Bytes body, std::uint16_t cipher_suite,
                                                      std::uint16_t version) {
    ClientKeyExchange m;
    m.kex = key_exchange_of(cipher_suite);
    m.length = body.size();
    Reader r(body);
    if (m.kex == KeyExchange::rsa || m.kex == KeyExchange::rsa_export) {
        if (version == kSSLv3) {
            m.exchange_length = body.size();
            return m;
        }
        auto v = read_vector(r, 2, "client_key_exchange.encrypted_pre_master_secret");
        if (!v) return v.error();
        m.exchange_length = v->remaining();
    } else if (is_ecdh_family(m.kex)) {
        if (body.empty()) return m;
        auto v = read_vector(r, 1, "client_key_exchange.ecdh_Yc");
        if (!v) return v.error();
        m.exchange_length = v->remaining();
    } else if (is_dh_family(m.kex)) {
        if (body.empty()) return m;
        auto v = read_vector(r, 2, "client_key_exchange.dh_Yc");
        if (!v) return v.error();
        m.exchange_length = v->remaining();
    } else {
        return m;  // PSK/SRP/unknown: the length is all we report
    }
    if (!r.empty()) return DecodeError::malformed(kLayer, "client_key_exchange.trailing", r.offset());
    return m;
}

Decoded<NewSessionTicket> decode_new_session_ticket(Bytes body) {
    // RFC 5077 3.3: uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>.
    Reader r(body);
    NewSessionTicket m;
    if (!r.u32be(m.lifetime_hint)) return DecodeError::malformed(kLayer, "new_session_ticket.lifetime_hint", 0);
    auto t = read_vector(r, 2, "new_session_ticket.ticket");
    if (!t) return t.error();
    if (!r.empty()) return DecodeError::malformed(kLayer, "new_session_ticket.trailing", r.offset());
    m.ticket_length = t->remaining();
    return m;
}

Decoded<Finished> decode_finished(Bytes body) {
    // RFC 5246 7.4.9: verify_data[verify_data_length], 12 unless the suite says otherwise
    // (SSLv3: 36).  Nothing else to check without the keys.
    if (body.empty()) return DecodeError::malformed(kLayer, "finished.verify_data", 0);
    return Finished{body.size()};
}

}  // namespace rdpscope::tls
