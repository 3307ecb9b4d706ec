// SPDX-License-Identifier: MIT
#include "dissect/hpack.hpp"

#include <algorithm>

#ifdef RDPSCOPE_HAVE_NGHTTP2
#include <nghttp2/nghttp2.h>
#endif

namespace rdpscope::hpack {

namespace {
constexpr std::string_view kLayer = "hpack";
}

#ifdef RDPSCOPE_HAVE_NGHTTP2

bool available() { return true; }

struct Inflater::Impl {
    nghttp2_hd_inflater* inf = nullptr;
    std::size_t in_block = 0;  // headers given for the block under way
    ~Impl() {
        if (inf) nghttp2_hd_inflate_del(inf);
    }
};

Inflater::Inflater() : impl_(std::make_unique<Impl>()) {
    if (nghttp2_hd_inflate_new(&impl_->inf) != 0) {
        impl_->inf = nullptr;
        failed_ = true;
    }
}

Inflater::~Inflater() = default;

void Inflater::set_max_table_size(std::size_t size) {
    if (!impl_->inf) return;
    nghttp2_hd_inflate_change_table_size(impl_->inf, std::min(size, kMaxTableSize));
}

std::size_t Inflater::table_size() const {
    return impl_->inf ? nghttp2_hd_inflate_get_dynamic_table_size(impl_->inf) : 0;
}

Decoded<std::size_t> Inflater::inflate(Bytes fragment, bool last, std::vector<Header>& out) {
    if (failed_ || !impl_->inf) return DecodeError::malformed(kLayer, "dynamic_table", 0);
    std::size_t at = 0, given = 0;
    for (;;) {
        nghttp2_nv nv;
        int flags = 0;
        const auto n = nghttp2_hd_inflate_hd2(impl_->inf, &nv, &flags, fragment.data() + at, fragment.size() - at,
                                              last ? 1 : 0);
        if (n < 0) {
            failed_ = true;
            return DecodeError::malformed(kLayer, "header_block", at);
        }
        at += static_cast<std::size_t>(n);
        if (flags & NGHTTP2_HD_INFLATE_EMIT) {
            if (impl_->in_block++ < kMaxHeaders) {
                Header h;
                h.name.assign(reinterpret_cast<const char*>(nv.name), std::min(nv.namelen, kMaxValue));
                h.value.assign(reinterpret_cast<const char*>(nv.value), std::min(nv.valuelen, kMaxValue));
                h.truncated = nv.namelen > kMaxValue || nv.valuelen > kMaxValue;
                out.push_back(std::move(h));
                ++given;
            } else {
                ++dropped_;
            }
        }
        if (flags & NGHTTP2_HD_INFLATE_FINAL) {
            nghttp2_hd_inflate_end_headers(impl_->inf);
            impl_->in_block = 0;
            break;
        }
        if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && at >= fragment.size()) break;
    }
    return given;
}

#else  // built without libnghttp2

bool available() { return false; }
struct Inflater::Impl {};
Inflater::Inflater() : impl_(std::make_unique<Impl>()) {}
Inflater::~Inflater() = default;
void Inflater::set_max_table_size(std::size_t) {}
std::size_t Inflater::table_size() const { return 0; }
Decoded<std::size_t> Inflater::inflate(Bytes, bool, std::vector<Header>&) {
    failed_ = true;
    return DecodeError::unsupported(kLayer, "header_block", 0);
}

#endif

}  // namespace rdpscope::hpack
