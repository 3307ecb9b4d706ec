// SPDX-License-Identifier: MIT
#include "analyze/kdc_proxy.hpp"

#include "dissect/ascii.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "dissect/http2.hpp"
#include "dissect/kkdcp.hpp"

namespace rdpscope {

// MS-KKDCP 2.2.1: the proxy's URL path is the implementer's; Windows' KDC
// proxy service (and mstsc through an RD Gateway) use /KdcProxy.
bool kdc_proxy_path(std::string_view path) { return ascii::istarts_with(path, "/KdcProxy"); }

bool kdc_proxy_body(Dir dir, Bytes body, std::uint32_t stream_id, const std::string& path, const std::string& name,
                    KdcProxySink* sink, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) {
    ev::KdcProxyMessage e;
    e.stream_id = stream_id;
    e.request = dir == Dir::c2s;
    auto m = kkdcp::decode(body);
    if (!m) {
        e.error = m.error();
        out.push_back(PduEvent{frame, ts_ns, e});
        return false;
    }
    e.length = m->length;
    e.target_domain = m->target_domain;
    e.dclocator_hint = m->dclocator_hint;
    out.push_back(PduEvent{frame, ts_ns, e});
    if (sink) {
        ProxiedKerberos k;
        k.dir = dir;
        k.stream_id = stream_id;
        k.path = path;
        k.name = name;
        k.target_domain = m->target_domain;
        k.message = m->kerb_message;
        k.frame = frame;
        k.ts_ns = ts_ns;
        out.push_back(PduEvent{frame, ts_ns, sink->proxied(k)});
    }
    return true;
}

void Http2Session::stop(Side& s, std::string why) {
    s.stopped = true;
    s.buf.clear();
    s.buf.shrink_to_fit();
    s.headers.clear();
    if (facts_.problem.empty()) {
        facts_.problem = std::move(why);
        facts_.problem_frame = frame_;
    }
}

Http2Session::Stream* Http2Session::stream(std::uint32_t id, bool create) {
    for (auto& st : streams_)
        if (st.id == id) return &st;
    if (!create) return nullptr;
    if (streams_.size() >= kMaxStreams) streams_.erase(streams_.begin());  // the oldest: forgotten
    streams_.push_back({});
    streams_.back().id = id;
    return &streams_.back();
}

void Http2Session::drop(std::uint32_t id) {
    streams_.erase(std::remove_if(streams_.begin(), streams_.end(), [id](const Stream& s) { return s.id == id; }),
                   streams_.end());
}

void Http2Session::data(Dir dir, Bytes data, std::uint64_t frame, std::int64_t ts_ns, std::vector<PduEvent>& out) {
    frame_ = frame;
    ts_ns_ = ts_ns;
    Side& s = sides_[dir_index(dir)];
    // RFC 9113 3.4: the client's connection preface comes before its frames.
    if (dir == Dir::c2s && preface_done_ < http2::kPreface.size()) {
        const std::size_t n = std::min(http2::kPreface.size() - preface_done_, data.size());
        if (as_text(data.subspan(0, n)) != http2::kPreface.substr(preface_done_, n)) {
            stop(s, "the client's HTTP/2 connection preface is not RFC 9113 3.4's");
            return;
        }
        preface_done_ += n;
        data = data.subspan(n);
        if (preface_done_ == http2::kPreface.size()) {
            ev::Http2Frame e;
            e.type = ev::Http2Frame::kPrefaceType;
            out.push_back(PduEvent{frame_, ts_ns_, e});
        }
    }
    while (!data.empty() && !s.stopped) {
        if (s.skip) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(s.skip, data.size()));
            s.skip -= n;
            data = data.subspan(n);
            continue;
        }
        // Gather the 9-byte header, then the payload.
        std::size_t want = http2::kFrameHeaderLength;
        if (s.buf.size() >= http2::kFrameHeaderLength) {
            auto h = http2::decode_frame_header(s.buf);
            want += h->length;
        }
        const std::size_t n = std::min(want - s.buf.size(), data.size());
        s.buf.insert(s.buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        data = data.subspan(n);
        if (s.buf.size() < http2::kFrameHeaderLength) continue;
        auto h = http2::decode_frame_header(s.buf);
        if (h->length > kMaxFrame) {
            // Too large to gather: a header block's loss ends the decoding
            // (the dynamic table is unknown after it); DATA is passed over.
            ev::Http2Frame e;
            e.type = h->type;
            e.flags = h->flags;
            e.stream_id = h->stream_id;
            e.length = h->length;
            if (s.events++ < kMaxFrameEvents) out.push_back(PduEvent{frame_, ts_ns_, e});
            if (h->type == http2::kHeaders || h->type == http2::kContinuation || h->type == http2::kPushPromise) {
                stop(s, "an HTTP/2 header block larger than rdpscope gathers");
                return;
            }
            if (Stream* st = stream(h->stream_id, false)) st->too_big[dir_index(dir)] = true;
            s.skip = h->length;
            s.buf.clear();
            continue;
        }
        if (s.buf.size() < http2::kFrameHeaderLength + h->length) continue;
        std::vector<std::uint8_t> whole;
        whole.swap(s.buf);
        on_frame(dir, s, whole, out);
        if (s.buf.empty() && !s.stopped) {
            whole.clear();
            s.buf.swap(whole);  // keep the capacity
        }
    }
}

void Http2Session::on_frame(Dir dir, Side& s, Bytes bytes, std::vector<PduEvent>& out) {
    ++facts_.frames;
    auto f = http2::decode_frame(bytes);
    ev::Http2Frame e;
    auto hd = http2::decode_frame_header(bytes);
    e.type = hd->type;
    e.flags = hd->flags;
    e.stream_id = hd->stream_id;
    e.length = hd->length;
    if (!f) {
        e.error = f.error();
        out.push_back(PduEvent{frame_, ts_ns_, e});
        stop(s, "an HTTP/2 frame does not decode (RFC 9113 6)");
        return;
    }
    // RFC 9113 6.10: a header block is HEADERS then CONTINUATIONs of the same
    // stream, nothing else in between.
    if (s.block_stream && (f->header.type != http2::kContinuation || f->header.stream_id != s.block_stream)) {
        e.error = DecodeError::malformed("http2", "continuation", 0);
        out.push_back(PduEvent{frame_, ts_ns_, e});
        stop(s, "an HTTP/2 header block is interrupted (RFC 9113 6.10)");
        return;
    }
    e.pad_length = f->pad_length;
    bool important = false;
    Stream* ended = nullptr;  // a stream whose body in this direction ends here: read after the frame's event
    switch (f->header.type) {
        case http2::kData: {
            e.data_length = static_cast<std::uint32_t>(f->data.size());
            Stream* st = stream(f->header.stream_id, false);
            if (st && st->kdc) {
                auto& body = st->body[dir_index(dir)];
                if (body.size() + f->data.size() > kMaxBody) st->too_big[dir_index(dir)] = true;
                else body.insert(body.end(), f->data.begin(), f->data.end());
            }
            if (f->end_stream()) ended = st;
            break;
        }
        case http2::kHeaders:
        case http2::kContinuation:
        case http2::kPushPromise: {
            important = true;
            if (f->header.type == http2::kHeaders) {
                s.block_stream = f->header.stream_id;
                s.block_end_stream = f->end_stream();
                s.headers.clear();
            } else if (f->header.type == http2::kPushPromise) {
                s.block_stream = f->header.stream_id;
                s.block_end_stream = false;
                s.headers.clear();
            }
            auto r = s.hpack.inflate(f->block, f->end_headers(), s.headers);
            if (!r) {
                e.error = r.error();
                out.push_back(PduEvent{frame_, ts_ns_, e});
                stop(s, hpack::available() ? "an HTTP/2 header block does not decode (HPACK, RFC 7541)"
                                           : "HTTP/2 header blocks (HPACK) are not decoded in this build");
                return;
            }
            if (f->end_headers()) {
                const std::uint32_t id = s.block_stream;
                const bool end_stream = s.block_end_stream;
                s.block_stream = 0;
                if (f->header.type != http2::kPushPromise) {
                    e.stream_id = id;
                    headers_done(dir, s, e);
                    if (end_stream) ended = stream(id, false);
                }
                s.headers.clear();
            }
            break;
        }
        case http2::kSettings:
            for (std::size_t i = 0; i < f->setting_count; ++i) {
                e.settings.emplace_back(f->settings[i].id, f->settings[i].value);
                // RFC 7541 4.2 / RFC 9113 6.5.2: this side's HEADER_TABLE_SIZE bounds the other side's encoder.
                if (f->settings[i].id == 0x1) sides_[1 - dir_index(dir)].hpack.set_max_table_size(f->settings[i].value);
            }
            break;
        case http2::kRstStream:
            important = true;
            e.error_code = f->error_code;
            drop(f->header.stream_id);
            break;
        case http2::kGoaway:
            important = true;
            e.error_code = f->error_code;
            e.last_stream_id = f->last_stream_id;
            if (!facts_.goaway_frame) {
                facts_.goaway_frame = frame_;
                facts_.goaway_error = f->error_code;
            }
            break;
        case http2::kWindowUpdate: e.increment = f->increment; break;
        default: break;
    }
    if (s.events++ < kMaxFrameEvents || important) out.push_back(PduEvent{frame_, ts_ns_, std::move(e)});
    if (ended) body_done(dir, *ended, out);
}

// A header block ended: what it says of its stream.
void Http2Session::headers_done(Dir dir, Side& s, ev::Http2Frame& e) {
    e.headers_done = true;
    e.header_count = static_cast<std::uint32_t>(s.headers.size());
    for (const auto& h : s.headers) {
        if (h.name == ":method") e.method = h.value;
        else if (h.name == ":path") e.path = h.value;
        else if (h.name == ":authority") e.authority = h.value;
        else if (h.name == ":status") e.status = h.value;
        else if (h.name == "content-type") e.content_type = h.value;
        else if (h.name == "content-length") {
            std::uint64_t v = 0;
            const char* end = h.value.data() + h.value.size();
            if (auto [p, ec] = std::from_chars(h.value.data(), end, v); ec == std::errc() && p == end) e.content_length = v;
        }
    }
    if (dir == Dir::c2s && !e.method.empty()) {
        // A request opens its stream (RFC 9113 5.1).
        Stream* st = stream(e.stream_id, true);
        st->path = e.path;
        st->authority = e.authority;
        st->kdc = e.method == "POST" && kdc_proxy_path(e.path);
        if (st->kdc) ++facts_.requests;
    } else if (dir == Dir::s2c && !e.status.empty()) {
        Stream* st = stream(e.stream_id, false);
        if (!st || !st->kdc) return;
        ++facts_.responses;
        // MS-KKDCP 3.2.5.1: the answer is 200 with a KDC-PROXY-MESSAGE; any
        // other final status (an informational 1xx is not one) carried no Kerberos.
        std::uint16_t status = 0;
        const char* end = e.status.data() + e.status.size();
        if (auto [p, ec] = std::from_chars(e.status.data(), end, status); ec != std::errc() || p != end) return;
        if (status >= 200 && status != 200 && sink_) {
            ProxyAnswer a;
            a.name = st->authority;
            a.stream_id = st->id;
            a.path = st->path;
            a.status = status;
            a.frame = frame_;
            a.ts_ns = ts_ns_;
            sink_->answer(a);
        }
    }
}

// A /KdcProxy stream's body in one direction is complete (END_STREAM): a
// KDC-PROXY-MESSAGE, its Kerberos message to the sink.  An answer that is
// not one (a 503 page from a gateway whose KDC proxy is off) is named.
void Http2Session::body_done(Dir dir, Stream& st, std::vector<PduEvent>& out) {
    const int d = dir_index(dir);
    auto& body = st.body[d];
    if (st.kdc && !body.empty() && !st.too_big[d] &&
        kdc_proxy_body(dir, body, st.id, st.path, st.authority, sink_, frame_, ts_ns_, out))
        ++facts_.messages;
    body.clear();
    body.shrink_to_fit();
    // The answer ends the stream (both directions closed: RFC 9113 5.1).
    if (dir == Dir::s2c) drop(st.id);
}

}  // namespace rdpscope
