// SPDX-License-Identifier: MIT
// Kerberos on port 88 (TCP and UDP), for the RDP connections it explains.
//
// A Windows client asks its KDC for tickets before and during NLA: an AS
// exchange for the user's TGT (with the password or smartcard), a TGS
// exchange for TERMSRV/<host>.  A KRB-ERROR there (KDC_ERR_PREAUTH_FAILED:
// wrong password, KDC_ERR_CLIENT_REVOKED: locked or disabled ...) is the real
// cause behind many NLA failures, and KDC_ERR_S_PRINCIPAL_UNKNOWN for TERMSRV
// the usual reason for a fallback to NTLM; all of it is in clear.
//
// Each message is decoded (dissect/kerberos.hpp; TCP records reassembled,
// RFC 4120 7.2.2), told to the observer as a dissect event, and kept for a
// while by client address so the tracker can tie it to the RDP connection of
// the same client when that connection is judged (tie()).  Bounded: at most
// kMaxFlows TCP flows reassembled (kMaxRecord bytes a record), kMaxNotes
// messages kept, none older than kKeepNs.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyze/event.hpp"
#include "analyze/flow_hash.hpp"
#include "analyze/kdc_proxy.hpp"
#include "analyze/observer.hpp"
#include "dissect/address.hpp"
#include "dissect/tcp.hpp"
#include "dissect/tcp_reassembly.hpp"

namespace rdpscope {

// A Kerberos message as a connection's report gives it.
struct KerberosNote {
    std::uint64_t frame = 0;
    std::int64_t ts_ns = 0;
    bool tcp = false;
    std::uint64_t flow = 0;  // tcp.stream or udp.stream
    Endpoint client, kdc;
    std::uint32_t type = 0;  // application tag (krb::MsgType)
    std::optional<std::int32_t> error_code;
    std::string cname, crealm, sname, srealm;
    std::optional<std::string> e_text;
    // Carried by a KDC proxy (MS-KKDCP, analyze/kdc_proxy.hpp) rather than
    // sent to port 88: `flow` is then the HTTPS connection's tcp.stream and
    // `kdc` the proxy's end of it.
    bool proxied = false;
    std::uint32_t http2_stream = 0;
    std::optional<std::string> target_domain;
    std::string proxy_name;  // the KDC proxy's name: its TLS SNI, else the request's :authority / Host
    // How it is tied to the connection: sent while the connection was open
    // (during), or in the kTieBeforeNs before its first packet (before).
    bool during = false;
    bool tied = false;  // (kept notes) tied to a connection it was sent during
    // A TERMSRV/<host> ticket's host against the names the connection's
    // server goes by (the ClientHello's SNI, the certificate's CN and DNS
    // names, its address): true / false when both are known, else unset.
    std::optional<bool> names_server;
    bool termsrv() const;  // a request or answer for TERMSRV/<host>: the RDP service's ticket
    std::string termsrv_host() const;  // <host> of TERMSRV/<host>, empty otherwise
};

// A KRB-ERROR that refuses the user (the logon or the RDP service's ticket),
// not a step of a normal exchange such as PREAUTH_REQUIRED.
bool refuses_user(const KerberosNote& n);

// What the KDC proxies of a gateway's host showed while a client talked to
// the gateway (KerberosFlows::proxies_for): their answers that were no 200,
// and the KRB-ERRORs they carried.  Tied by the client's address, the host
// (by name when both names are known: `by_name`, else by address) and time
// only -- nothing in the packets links a KDC proxy's connection to a gateway's.
struct KdcProxyTie {
    std::vector<ProxyAnswer> failures;
    std::vector<KerberosNote> errors;
    bool by_name = false;
    bool empty() const { return failures.empty() && errors.empty(); }
};

// Whether the host of a service principal is one of `names` (without case;
// a single-label name -- a NetBIOS name -- matches the first label of a DNS name).
bool host_matches(std::string_view host, const std::vector<std::string>& names);

// What a capture held of Kerberos, for a capture without RDP (the `no_rdp` report).
struct KerberosCounts {
    std::uint64_t messages = 0;
    struct Error {
        std::uint64_t count = 0;
        std::uint64_t first_frame = 0;
        std::string sname;  // of the first one
        std::string cname;
    };
    std::map<std::int32_t, Error> errors;  // by error code (at most the ~70 RFC codes, others lumped at -1)
    std::vector<std::string> services;      // service principals asked for (TGS-REQ), first kMaxServices
    static constexpr std::size_t kMaxServices = 8;
};

class KerberosFlows : public KdcProxySink {
public:
    static constexpr std::int64_t kTieBeforeNs = 30'000'000'000;   // an exchange this long before a connection is its
    static constexpr std::int64_t kKeepNs = 120'000'000'000;       // messages kept this long for tying
    static constexpr std::size_t kMaxNotes = 4096;
    static constexpr std::size_t kMaxAnswers = 256;
    // At most 256 flows x 2 directions x (record + out-of-order bytes) = 16 MiB
    // under a flood.  The messages that matter (requests, KRB-ERROR) are a
    // few hundred bytes; a reply with a large PAC may pass the cap and is then
    // only named (kerberos.malformed, unsupported record length).
    static constexpr std::size_t kMaxFlows = 256;
    static constexpr std::size_t kMaxRecord = 16 * 1024;
    static constexpr std::int64_t kFlowIdleNs = 60'000'000'000;

    explicit KerberosFlows(Observer& obs) : obs_(obs) {}
    static bool on_port(std::uint16_t a, std::uint16_t b);

    // A TCP segment or UDP datagram with port 88 on one side; `stream` its
    // tcp.stream / udp.stream number.
    void tcp(std::uint64_t stream, std::uint64_t frame, std::int64_t ts_ns, const Endpoint& src, const Endpoint& dst,
             const tcp::Header& t);
    // `stream`: the datagram's udp.stream when the caller knows it (a new
    // flow); otherwise the number noted at the flow's first datagram is used.
    void udp(std::optional<std::uint64_t> stream, std::uint64_t frame, std::int64_t ts_ns, const Endpoint& src,
             const Endpoint& dst, Bytes payload);

    // The messages of `client` for a connection open from first_ts to until_ts
    // whose server goes by `server_names` (may be empty: unknown).  A
    // TERMSRV ticket for another host is still given (the client's Kerberos
    // while the connection was open), marked names_server = false; it does
    // not claim the note, which stays free for the connection it names.
    std::vector<KerberosNote> tie(const IpAddr& client, std::int64_t first_ts, std::int64_t until_ts,
                                  const std::vector<std::string>& server_names = {});

    // A Kerberos message a KDC proxy carried (analyze/kdc_proxy.hpp): kept
    // and counted as port 88's are; its dissect event is returned (the
    // caller reports it on the HTTPS connection).
    ev::KerberosMessage proxied(const ProxiedKerberos& m) override;
    // A /KdcProxy request answered with another status than 200: kept, as the notes are.
    void answer(const ProxyAnswer& a) override;
    // What the KDC proxies to `server` (by `name` when both names are known,
    // else by address) showed `client` from from_ts to until_ts.
    KdcProxyTie proxies_for(const IpAddr& client, const Endpoint& server, std::string_view name, std::int64_t from_ts,
                            std::int64_t until_ts) const;

    void expire(std::int64_t now_ns);  // forget old notes and idle flows
    void clear();
    const KerberosCounts& counts() const { return counts_; }

private:
    struct Stream {
        tcp::Reassembler r{kMaxRecord};
        std::vector<std::uint8_t> buf;  // the record being gathered, length prefix included
        std::uint64_t skip = 0;         // bytes of an oversized record still to pass over
        bool broken = false;            // framing lost (a gap, a bad length): nothing more is read
    };
    struct Flow {
        std::uint64_t stream = 0;
        Endpoint client, kdc;
        std::array<Stream, 2> dir;  // 0: client to KDC
        std::int64_t last_ts = 0;
    };
    struct Key {
        Endpoint lo, hi;
        bool operator==(const Key& o) const { return same_endpoint(lo, o.lo) && same_endpoint(hi, o.hi); }
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept { return hash_endpoints(k.lo, k.hi); }
    };
    class Sink;

    void feed(Flow& f, int d, Bytes data, std::uint64_t frame, std::int64_t ts_ns);
    void message(std::uint64_t stream, bool tcp, std::uint64_t frame, std::int64_t ts_ns, const Endpoint& client,
                 const Endpoint& kdc, bool from_client, Bytes msg, bool oversized = false);
    // Counts the message and keeps its note (`n` holds where it was seen).
    void record(const ev::KerberosMessage& e, KerberosNote n);
    Flow* flow_for(const Key& key, std::uint64_t stream, const Endpoint& src, const Endpoint& dst, std::int64_t ts_ns);

    Observer& obs_;
    std::unordered_map<Key, Flow, KeyHash> flows_;
    std::deque<KerberosNote> notes_;
    std::deque<ProxyAnswer> answers_;  // at most kMaxAnswers, none older than kKeepNs
    KerberosCounts counts_;
};

}  // namespace rdpscope
