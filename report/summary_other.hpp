// SPDX-License-Identifier: MIT
// The report's JSON and text for what is not RDP: the Kerberos messages tied
// to a connection (its `kerberos` array) and, for a capture without any RDP
// connection, the `no_rdp` object that says what the capture holds instead.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/kerberos_flows.hpp"
#include "analyze/tracker.hpp"

namespace rdpscope {

nlohmann::ordered_json kerberos_json(const std::vector<KerberosNote>& notes);
std::string render_kerberos_text(const nlohmann::ordered_json& conn);

// True when the input held no RDP connection (TCP or UDP) at all.
bool no_rdp(const FileStats& s);
nlohmann::ordered_json no_rdp_json(const std::string& path, const FileStats& s);
std::string render_no_rdp_text(const nlohmann::ordered_json& j);

}  // namespace rdpscope
