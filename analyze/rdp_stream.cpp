// SPDX-License-Identifier: MIT
#include "analyze/rdp_stream.hpp"
#include "analyze/rsa_keys.hpp"

#include <fmt/format.h>

#include "analyze/text.hpp"
#include "dissect/rdp_neg.hpp"
#include "dissect/tls.hpp"
#include "dissect/tpkt.hpp"
#include "dissect/x224.hpp"

namespace rdpscope {

namespace {

constexpr std::size_t kClassifyBytes = 6;       // TPKT header + LI + CR code
constexpr std::size_t kMaxPreamble = 16 * 1024; // a proxy preamble longer than this is not one

// TPKT, then an X.224 TPDU code: a CR is how every RDP client starts
// (MS-RDPBCGR 2.2.1.1), a CC how the server answers (2.2.1.2).
bool looks_like_x224(Bytes b, std::uint8_t code) {
    return b.size() >= kClassifyBytes && b[0] == tpkt::kVersion && b[1] == 0 && (b[5] & 0xF0) == code;
}

// X.224 after a TPKT header: LI counts at least the code byte and fits in the
// TPKT; the code is one RDP uses (CR, CC, DR, DT, ER).
bool plausible_x224(Bytes b, std::size_t tpkt_length) {
    const std::uint8_t li = b[4], code = b[5] & 0xF0;
    const bool known = code == x224::kCodeCR || code == x224::kCodeCC || code == x224::kCodeDR ||
                       code == x224::kCodeDT || code == x224::kCodeER;
    return li >= 1 && li + 5u <= tpkt_length && known;
}

// The first bytes of a side in a capture that missed the SYN: TLS records
// (RFC 5246 6.2.1) or RDP fast-path PDUs (MS-RDPBCGR 2.2.9.1.2, 2.2.8.1.2)
// back to back from the first byte.  Every unit wholly present must decode and
// the next must start where it ends; fast-path, whose header is two bytes with
// little to check, must also end exactly at the end of what is buffered, or
// show two PDUs, before it counts.
RdpSession::MidSession mid_session_shape(Bytes b, std::uint16_t& tls_version) {
    std::size_t at = 0;
    int records = 0;
    while (at < b.size()) {
        auto h = tls::decode_record_header(b.subspan(at));
        if (!h) {
            if (h.error().kind != ErrorKind::need_more) records = 0;
            break;
        }
        if (records == 0) tls_version = h->version;
        ++records;
        at += tls::kRecordHeaderLength + h->length;
    }
    if (records > 0) return RdpSession::MidSession::tls;
    at = 0;
    int pdus = 0;
    while (at < b.size()) {
        auto f = tpkt::frame(b.subspan(at), true);
        if (!f || f->framing != tpkt::Framing::fast_path || f->length <= f->header_length) return RdpSession::MidSession::none;
        if (at + f->length > b.size()) break;  // cut by the end of the buffer
        ++pdus;
        at += f->length;
    }
    const bool exact = at == b.size();
    return pdus >= 2 || (pdus == 1 && exact) ? RdpSession::MidSession::fast_path : RdpSession::MidSession::none;
}

// "03 00 00 13": the first bytes, in messages.  By hand rather than with a
// fmt::format per byte: it runs for every connection classified as not RDP,
// which on a busy capture is most of them.
std::string hex_prefix(Bytes b, std::size_t n = 8) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(3 * n);
    for (std::size_t i = 0; i < b.size() && i < n; ++i) {
        if (i) s += ' ';
        s += kHex[b[i] >> 4];
        s += kHex[b[i] & 0x0F];
    }
    return s;
}

std::string describe_error(const DecodeError& e) {
    return fmt::format("{} {} {} at byte {}", e.layer, e.field, to_string(e.kind), e.offset);
}

}  // namespace

const char* to_string(RdpSession::Mode m) {
    switch (m) {
        case RdpSession::Mode::start: return "start";
        case RdpSession::Mode::preamble: return "preamble";
        case RdpSession::Mode::x224: return "x224";
        case RdpSession::Mode::secured: return "secured";
        case RdpSession::Mode::not_rdp: return "not_rdp";
        case RdpSession::Mode::lost: return "lost";
    }
    return "?";
}

bool RdpSession::wants_bytes(int side) const {
    const Mode m = sides[side].mode;
    return m != Mode::not_rdp && m != Mode::lost;
}

void RdpSession::give_up(int side, Mode why, std::uint64_t frame, const std::string& reason, RdpEvents& ev) {
    sides[side].mode = why;
    buf_[side].clear();
    buf_[side].shrink_to_fit();
    if (why == Mode::not_rdp && not_rdp_reason.empty()) {
        not_rdp_reason = reason;
        not_rdp_frame = frame;
        not_rdp_side = side;
    }
    ev.problem(side, frame, reason);
}

void RdpSession::on_gap(int side, std::uint64_t length, std::uint64_t frame, RdpEvents& ev) {
    SideFacts& s = sides[side];
    if (!s.gap_frame) s.gap_frame = frame;
    s.gap_bytes += length;
    if (s.mode == Mode::secured && neg.effective_protocol().value_or(0) != 0) {
        // TLS records cannot be found again after missing bytes: the record
        // count of this direction ends here (the gap is reported with the connection).
        s.secured_bytes += length;
        s.mode = Mode::lost;
        return;
    }
    if (s.mode == Mode::not_rdp || s.mode == Mode::lost) return;
    if (s.mode == Mode::start) {
        // The connection's first bytes were not captured: nothing to classify.
        s.mode = Mode::lost;
        return;
    }
    // A capture gap is a fact of the capture (reported with the connection),
    // not a problem with the input: stop decoding quietly.
    s.mode = Mode::lost;
    buf_[side].clear();
    buf_[side].shrink_to_fit();
    (void)ev;
}

void RdpSession::on_data(int side, Bytes data, std::uint64_t frame, std::int64_t ts_ns, int syn_client,
                         RdpEvents& ev) {
    SideFacts& s = sides[side];
    if (s.mode == Mode::not_rdp || s.mode == Mode::lost || data.empty()) return;
    if (!s.first_data_frame) s.first_data_frame = frame;

    // After the negotiation a TLS stream is only counted (its records are the
    // TLS decoder's business), so its bytes need not be buffered.
    if (s.mode == Mode::secured && neg.effective_protocol().value_or(0) != 0) {
        if (!s.secured_first_frame) {
            s.secured_first_frame = frame;
            s.secured_first_ts = ts_ns;
            s.secured_first_byte = data[0];
        }
        s.secured_bytes += data.size();
        feed_tls(side, data, frame, ts_ns, ev);
        return;
    }
    auto& buf = buf_[side];
    buf.insert(buf.end(), data.begin(), data.end());
    if (s.mode == Mode::start) {
        if (buf.size() < kClassifyBytes && client_side_ < 0) return;  // too few bytes to tell yet
        start(side, frame, syn_client, ev);
    }
    run(side, frame, ts_ns, ev);
}

bool RdpSession::may_start_rdp(Bytes first) {
    // start() runs once kClassifyBytes are there (before, only when the other
    // side already made itself the client: then this is no matter).  It keeps
    // looking on an X.224 CR or CC (TPKT: 03 00) or a proxy preamble; on
    // anything else it gives up.  Stricter than start(): any 03 is kept.
    if (first.size() < kClassifyBytes) return true;
    return first[0] == tpkt::kVersion || proxy::classify_client(first) != proxy::Kind::none;
}

// The first bytes of a side decide what the connection is: a client opens RDP
// with an X.224 CR, possibly after a proxy preamble; the server follows suit.
void RdpSession::start(int side, std::uint64_t frame, int syn_client, RdpEvents& ev) {
    const Bytes b(buf_[side]);
    if (client_side_ < 0) {
        if (looks_like_x224(b, x224::kCodeCR)) {
            client_side_ = side;
            sides[side].mode = Mode::x224;
            return;
        }
        // A Connection Confirm is the server's answer even when the request was
        // not captured or not understood: decode it for what it says.
        if (looks_like_x224(b, x224::kCodeCC)) {
            sides[side].mode = Mode::x224;
            return;
        }
        // The other side's Connection Confirm was captured but not this
        // side's request (the capture began between them): this is the
        // client, and it goes on in the layer the server chose, as after a
        // captured request (on_x224_pdu, case cc).
        if (neg.cc_frame && sides[1 - side].mode != Mode::not_rdp && (syn_client < 0 || syn_client == side)) {
            client_side_ = side;
            if (neg.failure_code) sides[side].mode = Mode::x224;
            else enter_secured(side);
            return;
        }
        const proxy::Kind k = proxy::classify_client(b);
        if (k != proxy::Kind::none && (syn_client < 0 || syn_client == side)) {
            client_side_ = side;
            proxy.kind = k;
            sides[side].mode = Mode::preamble;
            return;
        }
        if (syn_client < 0) {
            // No SYN was captured: a session already up when the capture began?
            std::uint16_t version = 0;
            const MidSession m = mid_session_shape(b, version);
            if (m != MidSession::none || mid_session != MidSession::none) {
                if (mid_session == MidSession::none) {
                    mid_session = m;
                    mid_session_frame = frame;
                    mid_session_side = side;
                    mid_session_tls_version = version;
                }
                // Nothing to decode without the negotiation: stop quietly (a
                // fact of the capture, reported with the connection).
                sides[side].mode = Mode::lost;
                buf_[side].clear();
                buf_[side].shrink_to_fit();
                return;
            }
        }
        const bool from_server = syn_client >= 0 && syn_client != side;
        give_up(side, Mode::not_rdp, frame,
                from_server ? fmt::format("the server spoke first ({}): not an RDP listener", hex_prefix(b))
                            : fmt::format("the client's first bytes are not an X.224 Connection Request (got {})",
                                          hex_prefix(b)),
                ev);
        return;
    }
    // The other side is the client: this is the server answering.
    sides[side].mode = proxy.kind != proxy::Kind::none ? Mode::preamble : Mode::x224;
}

void RdpSession::run(int side, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev) {
    // Each step consumes from the buffer and may switch mode; loop until a
    // step needs more bytes.
    for (;;) {
        const Mode m = sides[side].mode;
        bool progressed = false;
        if (m == Mode::preamble) progressed = run_preamble(side, frame, ts_ns, ev);
        else if (m == Mode::x224) progressed = run_x224(side, frame, ts_ns, ev);
        else if (m == Mode::secured) { run_secured(side, frame, ts_ns, ev); return; }
        else return;
        if (!progressed) return;
    }
}

bool RdpSession::run_preamble(int side, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev) {
    auto& buf = buf_[side];
    const bool client = side == client_side_;
    auto p = client ? proxy::client_preamble(proxy.kind, buf) : proxy::server_preamble(proxy.kind, buf);
    if (!p) {
        if (p.error().kind == ErrorKind::need_more && buf.size() < kMaxPreamble) return false;
        give_up(side, Mode::not_rdp, frame,
                fmt::format("{} preamble broken: {}", proxy::name(proxy.kind), describe_error(p.error())), ev);
        return false;
    }
    if (client) {
        std::string host(p->target_host);
        if (host.empty() && p->target_ip_version == 4)
            host = fmt::format("{}.{}.{}.{}", p->target_ip[0], p->target_ip[1], p->target_ip[2], p->target_ip[3]);
        proxy.target = fmt::format("{}:{}", host, p->target_port);
        proxy.request_frame = frame;
        ev.pdu(side, PduEvent{frame, ts_ns, ev::ProxyRequest{proxy.kind, proxy.target}});
    } else {
        proxy.status = p->status;
        proxy.reply_frame = frame;
        ev.pdu(side, PduEvent{frame, ts_ns, ev::ProxyReply{proxy.kind, p->status}});
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(p->length));
    sides[side].mode = Mode::x224;
    return true;
}

bool RdpSession::run_x224(int side, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev) {
    auto& buf = buf_[side];
    if (buf.empty()) return false;
    // A client whose CC was not captured goes on with TLS: 0x16 is a TLS
    // handshake record, never a TPKT version.
    if (side == client_side_ && neg.cr_frame && buf[0] == 0x16) {
        enter_secured(side);
        return true;
    }
    auto f = tpkt::frame(buf, false);
    if (!f) {
        if (f.error().kind == ErrorKind::need_more) return false;
        const bool first = side == client_side_ ? !neg.cr_frame : !neg.cc_frame;
        give_up(side, first ? Mode::not_rdp : Mode::lost, frame,
                fmt::format("expected a TPKT header (03 00), got {}", hex_prefix(buf)), ev);
        return false;
    }
    if (buf.size() < f->length) {
        // Not all there yet; but a TPKT header followed by an impossible X.224
        // header is another protocol that happens to start with 03 00 (the
        // modbus reply in zeek's port-502 capture does): do not wait for it.
        if (buf.size() > tpkt::kHeaderLength + 1 && !plausible_x224(Bytes(buf), f->length)) {
            const bool first = side == client_side_ ? !neg.cr_frame : !neg.cc_frame;
            give_up(side, first ? Mode::not_rdp : Mode::lost, frame,
                    fmt::format("expected an X.224 TPDU after the TPKT header, got {}", hex_prefix(buf)), ev);
        }
        return false;
    }
    on_x224_pdu(side, Bytes(buf).first(f->length), frame, ts_ns, ev);
    buf.erase(buf.begin(), buf.begin() + f->length);
    return true;
}

void RdpSession::on_x224_pdu(int side, Bytes pdu, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev) {
    auto payload = tpkt::payload(pdu);
    auto t = payload ? x224::decode(*payload) : Decoded<x224::Tpdu>(payload.error());
    if (!t) {
        ev.pdu(side, PduEvent{frame, ts_ns, ev::X224Malformed{t.error()}});
        return;
    }
    ev::X224Tpdu x;
    x.type = t->type;
    auto emit = [&] { ev.pdu(side, PduEvent{frame, ts_ns, std::move(x)}); };
    switch (t->type) {
        case x224::Type::cr: {
            neg.cr_frame = frame;
            neg.cr_ts = ts_ns;
            auto req = rdpneg::decode_request(t->variable);
            if (!req) {
                neg.error = describe_error(req.error());
                x.error = req.error();
                emit();
                return;
            }
            if (req->cookie) { neg.cookie = std::string(*req->cookie); x.cookie = neg.cookie; }
            if (req->routing_token) {
                neg.routing_token = std::string(*req->routing_token);
                x.routing_token = neg.routing_token;
            }
            emit();
            if (req->neg_req) {
                neg.requested_protocols = req->neg_req->requested_protocols;
                neg.request_flags = req->neg_req->flags;
                ev.pdu(side, PduEvent{frame, ts_ns, ev::NegRequest{req->neg_req->flags, req->neg_req->requested_protocols}});
            }
            if (req->correlation) {
                neg.correlation_id = guid_text(req->correlation->id);
                ev.pdu(side, PduEvent{frame, ts_ns, ev::CorrelationInfo{req->correlation->id}});
            }
            return;
        }
        case x224::Type::cc: {
            neg.cc_frame = frame;
            neg.cc_ts = ts_ns;
            auto conf = rdpneg::decode_confirm(t->variable);
            if (!conf) {
                neg.error = describe_error(conf.error());
                x.error = conf.error();
                emit();
                return;
            }
            emit();
            if (conf->neg_rsp) {
                neg.selected_protocol = conf->neg_rsp->selected_protocol;
                neg.response_flags = conf->neg_rsp->flags;
                ev.pdu(side, PduEvent{frame, ts_ns, ev::NegResponse{conf->neg_rsp->flags, conf->neg_rsp->selected_protocol}});
            } else if (conf->neg_failure) {
                neg.failure_code = conf->neg_failure->failure_code;
                ev.pdu(side, PduEvent{frame, ts_ns, ev::NegFailure{conf->neg_failure->failure_code}});
            }
            // The X.224 exchange is over: both directions move to the security
            // layer the server chose (a failure is followed only by a close).
            if (!neg.failure_code) {
                enter_secured(side);
                if (client_side_ >= 0 && sides[client_side_].mode == Mode::x224) enter_secured(client_side_);
            }
            return;
        }
        case x224::Type::dr:
            neg.dr_frame = frame;
            x.reason = t->reason;
            emit();
            return;
        case x224::Type::er:
            x.reason = t->reason;
            emit();
            return;
        case x224::Type::dt: {
            x.length = t->user_data.size();
            emit();
            // Under standard RDP security the Data TPDUs carry MCS in clear.
            std::vector<PduEvent> out;
            mcs.on_data_tpdu(side == client_side_ ? Dir::c2s : Dir::s2c, t->user_data, frame, ts_ns, out);
            for (auto& m : out) ev.pdu(side, std::move(m));
            return;
        }
        case x224::Type::unknown:
            x.code = t->code;
            emit();
            return;
    }
}

void RdpSession::enter_secured(int side) {
    sides[side].mode = Mode::secured;
    // With keys, TLS is decrypted; under HYBRID / HYBRID_EX its first
    // application data is CredSSP (MS-CSSP 3.1.5), read as TSRequests.
    const auto p = neg.effective_protocol().value_or(0);
    // A key log still empty here (a pcap's, a pcapng without secrets) decrypts
    // nothing: the connection is left as without keys, output and cost alike.
    // Live, the key log may still be empty now (the client writes it during
    // its TLS handshake, which has not begun): it is read again as needed.
    const bool key_log = keys && (!keys->empty() || refresh_keys), rsa = rsa_keys && !rsa_keys->empty();
    if ((key_log || rsa) && p != 0) {
        tls.set_keys(key_log ? keys : nullptr, rsa ? rsa_keys : nullptr,
                     p == rdpneg::PROTOCOL_HYBRID || p == rdpneg::PROTOCOL_HYBRID_EX);
        tls.set_key_refresh(key_log ? refresh_keys : nullptr);
    }
}

namespace {

// The vector a segment's TLS events are gathered in, kept between calls: each
// segment of a brute force allocated and grew its own (issue 16).  Taken while
// in use, so a nested call (a gateway's inner connection, fed from this one's
// plaintext) gathers into its own; not kept once a segment of many small
// records has grown it past kSpareTlsEvents.
thread_local std::vector<PduEvent> spare_tls_events;
constexpr std::size_t kSpareTlsEvents = 64;

}  // namespace

void RdpSession::feed_tls(int side, Bytes data, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev) {
    const Dir dir = side == client_side_ ? Dir::c2s : Dir::s2c;
    std::vector<PduEvent> out = std::move(spare_tls_events);
    out.clear();
    tls.feed(dir, data, frame, ts_ns, out, this);
    for (auto& e : out) ev.pdu(side, std::move(e));
    out.clear();
    if (out.capacity() <= kSpareTlsEvents) spare_tls_events = std::move(out);
}

void RdpSession::plaintext(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) {
    const int d = dir_index(dir);
    if (plain_lost_[d]) return;
    mcs.set_decrypted();
    auto& buf = plain_[d];
    buf.insert(buf.end(), data.begin(), data.end());
    std::size_t used = 0;
    while (used < buf.size()) {
        Bytes rest = Bytes(buf).subspan(used);
        auto f = tpkt::frame(rest, true);
        if (!f) {
            if (f.error().kind == ErrorKind::need_more) break;
            // Not TPKT nor fast-path: stop reading this direction's plaintext.
            plain_lost_[d] = true;
            ev::McsError e;
            e.error = f.error();
            e.length = rest.size();
            out.push_back(PduEvent{frame, ts_ns, std::move(e)});
            buf.clear();
            return;
        }
        if (rest.size() < f->length) break;
        if (f->framing == tpkt::Framing::fast_path) {
            mcs.on_fast_path(dir, frame, ts_ns);
        } else {
            auto payload = tpkt::payload(rest.first(f->length));
            auto t = payload ? x224::decode(*payload) : Decoded<x224::Tpdu>(payload.error());
            if (!t) {
                out.push_back(PduEvent{frame, ts_ns, ev::X224Malformed{t.error()}});
            } else if (t->type == x224::Type::dt) {
                ev::X224Tpdu x;
                x.type = t->type;
                x.length = t->user_data.size();
                out.push_back(PduEvent{frame, ts_ns, std::move(x)});
                mcs.on_data_tpdu(dir, t->user_data, frame, ts_ns, out);
            }
        }
        used += f->length;
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(used));
}

void RdpSession::run_secured(int side, std::uint64_t frame, std::int64_t ts_ns, RdpEvents& ev) {
    SideFacts& s = sides[side];
    auto& buf = buf_[side];
    if (buf.empty()) return;
    if (!s.secured_first_frame) {
        s.secured_first_frame = frame;
        s.secured_first_ts = ts_ns;
        s.secured_first_byte = buf[0];
    }
    if (neg.effective_protocol().value_or(0) != 0) {
        // TLS from here on: whatever this side had buffered beyond the X.224 PDU
        // is the start of its TLS stream.
        s.secured_bytes += buf.size();
        std::vector<std::uint8_t> pending;
        pending.swap(buf);
        feed_tls(side, pending, frame, ts_ns, ev);
        return;
    }
    // Standard RDP security: TPKT-framed X.224 Data (MCS), and fast-path PDUs
    // once the connection is up.
    std::size_t used = 0;
    while (used < buf.size()) {
        Bytes rest = Bytes(buf).subspan(used);
        auto f = tpkt::frame(rest, true);
        if (!f) {
            if (f.error().kind == ErrorKind::need_more) break;
            give_up(side, Mode::lost, frame, fmt::format("lost PDU framing after the negotiation (got {})", hex_prefix(rest)), ev);
            return;
        }
        if (rest.size() < f->length) break;
        s.secured_bytes += f->length;
        if (f->framing == tpkt::Framing::fast_path) {
            ++s.fastpath_pdus;
        } else {
            ++s.tpkt_pdus;
            on_x224_pdu(side, rest.first(f->length), frame, ts_ns, ev);
        }
        used += f->length;
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(used));
}

}  // namespace rdpscope
