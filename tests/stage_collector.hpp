// SPDX-License-Identifier: MIT
// What the tests of the handshake stages collect from a whole run over a
// capture (tests/test_mcs_stage.cpp, test_zeek_logs.cpp, test_udp_flows.cpp,
// test_lab_vs_tshark.cpp): every event, and of every connection and RDP-UDP
// flow its facts and the report objects built from them (summary_security).
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/run.hpp"
#include "report/error_text.hpp"
#include "report/pdu_fields.hpp"
#include "report/summary_security.hpp"
#include "test_util.hpp"

namespace rdpscope::test {

using json = nlohmann::ordered_json;

struct Event {
    std::uint64_t frame = 0, conn = 0;
    bool udp = false;
    std::string pdu;
    std::map<std::string, std::string> fields;
};

struct ConnSeen {
    std::uint64_t id = 0;
    std::string client, server;
    NegotiationFacts neg;
    McsFacts mcs;
    TlsFacts tls;
    std::vector<UdpFlowFacts> udp;
    json report;  // the issue-5 objects, as summarize() adds them
};

class Collector : public FileObserver {
public:
    std::vector<Event> events;
    std::vector<ConnSeen> conns;
    std::vector<UdpFlowFacts> flows;
    std::vector<std::string> problems;

    void begin_file(const std::string&, const FileStats*) override {}
    void end_file(const FileStats&) override {}
    void pdu(const Connection& c, Dir, const PduEvent& e) override { events.push_back(event(c.id, false, e)); }
    void udp_pdu(const UdpFlowFacts& f, Dir, const PduEvent& e) override { events.push_back(event(f.id, true, e)); }
    void connection_done(const Connection& c, const Verdict&) override {
        ConnSeen s;
        s.id = c.id;
        s.client = to_string(c.client());
        s.server = to_string(c.server());
        s.neg = c.rdp.neg;
        s.mcs = c.rdp.mcs.facts();
        s.tls = c.rdp.tls.facts();
        s.udp = c.udp;
        JsonWriter w;
        w.begin_object();
        write_security_objects(w, c);
        w.end_object();
        s.report = json::parse(w.take());
        conns.push_back(std::move(s));
    }
    void udp_flow_done(const UdpFlowFacts& f) override { flows.push_back(f); }
    void problem(std::uint64_t, const Connection*, const std::string& what) override { problems.push_back(what); }

    const ConnSeen* conn(std::uint64_t id) const {
        for (const auto& c : conns)
            if (c.id == id) return &c;
        return nullptr;
    }
    const ConnSeen* conn_from(const std::string& client) const {
        for (const auto& c : conns)
            if (c.client == client) return &c;
        return nullptr;
    }
    const Event* find(std::uint64_t frame, const std::string& pdu) const {
        for (const auto& e : events)
            if (e.frame == frame && e.pdu == pdu) return &e;
        return nullptr;
    }

private:
    static Event event(std::uint64_t id, bool udp, const PduEvent& e) {
        const PduFields pf = pdu_fields(e);
        Event s{e.frame, id, udp, std::string(pf.pdu), {}};
        for (const auto& f : pf.fields)
            std::visit([&](const auto& v) {
                std::ostringstream o;
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::vector<std::string>>) {
                    for (std::size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << v[i];
                } else if constexpr (std::is_same_v<std::decay_t<decltype(v)>, bool>) {
                    o << (v ? "true" : "false");
                } else {
                    o << v;
                }
                s.fields[std::string(f.key)] = o.str();
            }, f.value);
        return s;
    }
};

inline Collector run(const std::string& rel) {
    Collector col;
    REQUIRE(run_file(test::source_path(rel), col, TrackerOptions{}, stderr) != FileStatus::unusable);
    return col;
}

}  // namespace rdpscope::test
