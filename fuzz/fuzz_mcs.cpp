// SPDX-License-Identifier: MIT
// libFuzzer target for the MCS connect / domain PDUs, the GCC blocks they
// carry and the standard-security PDUs inside Send Data (mcs.hpp, gcc.hpp,
// rdp_security.hpp).  Input: X.224 Data TPDU user data.
//
// The first byte picks a route so one corpus reaches every decoder directly,
// not only through the nesting (a GCC bug behind a valid BER envelope is
// hard to reach otherwise).
#include <cstddef>
#include <cstdint>

#include "dissect/gcc.hpp"
#include "dissect/mcs.hpp"
#include "dissect/rdp_names.hpp"
#include "dissect/rdp_security.hpp"

using namespace rdpscope;

namespace {

// Touch what a caller would read, so views into the input get dereferenced
// (ASan then checks they stay inside it).
std::size_t sum(Bytes b) {
    std::size_t s = 0;
    for (std::uint8_t x : b) s += x;
    return s;
}

void use_client(const gcc::ClientSettings& s) {
    if (s.core) {
        (void)s.core->effective_color_depth();
        (void)s.core->zeek_requested_color_depth();
        (void)names::keyboard_layout(s.core->keyboard_layout);
        (void)names::client_build(s.core->client_build);
    }
    if (s.network)
        for (const auto& c : s.network->channels) (void)(sum(c.raw_name) + c.name.size());
    for (const auto& u : s.unknown) (void)sum(u.body);
}

void use_server(const gcc::ServerSettings& s) {
    if (s.security) {
        (void)sum(s.security->server_random);
        if (s.security->certificate) {
            const auto& c = *s.security->certificate;
            (void)c.count();
            for (Bytes der : c.x509_chain) (void)sum(der);
            if (c.proprietary) (void)(sum(c.proprietary->public_key.modulus) + sum(c.proprietary->signature));
        }
    }
}

void use_security(Bytes user_data) {
    for (bool fips : {false, true}) {
        auto sec = rdpsec::decode(user_data, rdpsec::Options{fips});
        if (!sec) continue;
        (void)names::security_flags(sec->header.flags);
        if (auto* x = std::get_if<rdpsec::SecurityExchange>(&sec->body)) (void)sum(x->encrypted_client_random);
        if (auto* i = std::get_if<rdpsec::ClientInfo>(&sec->body); i && i->clear) (void)sum(i->clear->extra_info);
        if (auto* l = std::get_if<rdpsec::License>(&sec->body)) (void)sum(l->payload);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const Bytes input(data + 1, size - 1);
    switch (data[0] % 4) {
        case 0: {
            auto d = mcs::decode(input);
            if (!d) break;
            (void)mcs::pdu_name(d.value());
            (void)mcs::sender(d.value());
            if (auto* ci = std::get_if<mcs::ConnectInitial>(&d.value()); ci && ci->gcc) use_client(ci->gcc->settings);
            if (auto* cr = std::get_if<mcs::ConnectResponse>(&d.value()); cr && cr->gcc) use_server(cr->gcc->settings);
            if (auto* rq = std::get_if<mcs::SendDataRequest>(&d.value())) use_security(rq->user_data);
            if (auto* in = std::get_if<mcs::SendDataIndication>(&d.value())) use_security(in->user_data);
            break;
        }
        case 1: {
            if (auto r = gcc::decode_conference_create_request(input)) use_client(r->settings);
            if (auto r = gcc::decode_conference_create_response(input)) use_server(r->settings);
            break;
        }
        case 2: {
            if (auto s = gcc::decode_client_blocks(input)) use_client(s.value());
            if (auto s = gcc::decode_server_blocks(input)) use_server(s.value());
            break;
        }
        case 3:
            use_security(input);
            break;
    }
    return 0;
}
