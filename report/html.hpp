// SPDX-License-Identifier: MIT
// `rdpscope analyze --html FILE.html`: one self-contained HTML page (inline
// CSS, inline SVG, a little plain JavaScript; nothing fetched) written from
// the objects the JSON report forms (ReportSink).  Formats only: every value
// shown is a field of those objects; every string from the capture is escaped.
//
// Streaming and bounded: each connection's details are written, as it comes,
// to a scratch file; the page keeps in memory one short row per connection
// (at most kMaxRows) and writes the top (files, summary, groups, table) and
// then the scratch file when the input ends.  At most kMaxFailureDetails
// connections that did not complete and kMaxOkDetails that did get their
// details; the page says how many were left out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/writers.hpp"

namespace rdpscope {

// Text made safe inside HTML elements and quoted attributes.
std::string html_escape(std::string_view s);

// The ladder diagram of one connection (html_ladder.cpp): an inline <svg>,
// one arrow per kept segment, from the connection object with `segments`.
std::string html_ladder_svg(const nlohmann::ordered_json& conn);
// The time-sequence chart of one direction ("c2s"/"s2c") (html_tcp_chart.cpp);
// empty when that direction sent no data among the kept segments.
std::string html_tcp_chart_svg(const nlohmann::ordered_json& conn, const char* dir);

class HtmlWriter : public ReportSink {
public:
    static constexpr std::size_t kMaxRows = 5000;
    static constexpr std::size_t kMaxFailureDetails = 200;
    static constexpr std::size_t kMaxOkDetails = 50;
    static constexpr std::size_t kMaxGroups = 200;
    // `out`: the page, written at finish; `scratch`: a temporary file for the
    // details (both opened by the caller, before privileges are dropped).
    HtmlWriter(std::FILE* out, std::FILE* scratch) : out_(out), scratch_(scratch) {}
    void object(const nlohmann::ordered_json& j) override;
    // Writes the page; false when it could not be written.
    bool finish();

private:
    struct Row {
        std::string file, client, server, phase, stalled_at, waiting_on, cause, verdict, confidence, anchor;
        double start = 0, duration = 0;
        std::uint64_t conn = 0;
        bool detailed = false;
    };
    void connection(const nlohmann::ordered_json& j);
    std::FILE* out_;
    std::FILE* scratch_;
    std::vector<Row> rows_;
    std::vector<nlohmann::ordered_json> files_, groups_;
    nlohmann::ordered_json summary_;
    std::uint64_t rows_left_out_ = 0, groups_left_out_ = 0, plain_groups_ = 0;
    std::size_t failure_details_ = 0, ok_details_ = 0;
    std::uint64_t details_left_out_ = 0;
    std::uint64_t serial_ = 0;
};

}  // namespace rdpscope
