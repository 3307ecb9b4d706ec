// SPDX-License-Identifier: MIT
// The issue-5 parts of a connection's report, as JSON: what the MCS/GCC
// exchange said (`mcs`), the standard RDP security the server chose
// (`security`), the TLS handshake and server certificate (`tls`), and the
// RDP-UDP flows tied to the connection (`udp`); plus the report object of a
// UDP flow on its own (`"type":"udp_flow"`).  Field names are a contract
// (README); codes are numbers, each with a `_name` in Zeek's spelling where
// Zeek logs the field.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/connection.hpp"
#include "analyze/mcs_stage.hpp"
#include "analyze/tls_stage.hpp"
#include "analyze/udp_flows.hpp"
#include "report/json_text.hpp"

namespace rdpscope {

// Each returns an empty object when there is nothing to say.
nlohmann::ordered_json tls_json(const TlsFacts& t);
// What decrypted CredSSP showed (the `credssp` object); empty when nothing.
nlohmann::ordered_json credssp_json(const TlsFacts& t);
nlohmann::ordered_json mcs_json(const McsFacts& m);
nlohmann::ordered_json security_json(const McsFacts& m);
// The flows tied to a TCP connection: an array (empty when none).
nlohmann::ordered_json udp_json(const std::vector<UdpFlowFacts>& flows);
// One UDP flow as its own report object.
nlohmann::ordered_json udp_flow_json(const UdpFlowFacts& f);

// Writes `mcs`, `security`, `tls`, `credssp` and `udp` as fields of a
// connection's object open in w, each only when it has content.
void write_security_objects(JsonWriter& w, const Connection& c);

}  // namespace rdpscope
