// SPDX-License-Identifier: MIT
// libFuzzer target for the message-channel PDUs behind a basic security
// header: auto-detect (MS-RDPBCGR 2.2.14) and multitransport (2.2.15)
// (dissect/rdp_autodetect), directly and through rdpsec::decode, and the
// licensing error message (2.2.1.12.1.3).
#include <cstddef>
#include <cstdint>

#include "dissect/rdp_autodetect.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_security.hpp"

using namespace rdpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes in(data, size);
    if (auto m = autodetect::decode(in)) (void)autodetect::message_name(m->header_type_id, m->type);
    if (auto r = autodetect::decode_multitransport_request(in)) (void)autodetect::requested_protocol_name(r->requested_protocol);
    if (auto r = autodetect::decode_multitransport_response(in)) (void)autodetect::hr_response_name(r->hr_response);
    if (auto sec = rdpsec::decode(in)) {
        if (auto* l = std::get_if<rdpsec::License>(&sec->body); l && l->state_transition)
            (void)names::license_state_transition(*l->state_transition);
        if (auto* a = std::get_if<rdpsec::AutoDetect>(&sec->body); a && a->message && a->payload.size() < 6)
            __builtin_trap();  // a decoded message holds at least its 6-byte header
    }
    return 0;
}
