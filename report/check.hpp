// SPDX-License-Identifier: MIT
// `rdpscope check`: runs captures against their NAME.expect.json (the
// expectation written from how the capture was made, never from rdpscope's
// own output) and reports, per connection, whether cause, stalled_at and
// waiting_on (and the verdict code, when the expectation names one) agree.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "analyze/tracker.hpp"

namespace rdpscope {

struct CheckRow {
    std::string capture;
    int index = 0;                 // expected connection number in the file (from 1)
    std::string expected, actual;  // "cause/stalled_at/waiting_on"
    std::string expected_verdict, actual_verdict;
    std::string confidence;
    bool pass = false;             // cause, stalled_at and waiting_on agree
    bool verdict_pass = true;      // the verdict code agrees (or none expected)
    std::string xfail;             // known limitation written in the expectation
    std::string note;
};

struct CheckResult {
    std::vector<CheckRow> rows;
    std::vector<std::string> errors;  // captures that could not be checked
    int passed = 0, failed = 0, xfailed = 0, verdict_mismatches = 0;
};

// `paths`: capture files or folders (every *.pcap / *.pcapng with an
// .expect.json beside it).
CheckResult run_checks(const std::vector<std::string>& paths, const TrackerOptions& opt);
void print_check_table(const CheckResult& r, std::FILE* out, bool verbose);

}  // namespace rdpscope
