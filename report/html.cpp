// SPDX-License-Identifier: MIT
// The HTML page: its frame (style, script), the top (files, summary, groups,
// connections table) and each connection's details.  See report/html.hpp.
#include "report/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/json_util.hpp"

namespace rdpscope {

using json = nlohmann::ordered_json;

std::string html_escape(std::string_view s) {
    std::string o;
    o.reserve(s.size());
    for (char ch : s) {
        switch (ch) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        case '\'': o += "&#39;"; break;
        default: o += ch;
        }
    }
    return o;
}

namespace {

std::string str(const json& j, const char* key, const char* none = "") {
    if (!j.contains(key) || j[key].is_null()) return none;
    if (j[key].is_string()) return j[key].get<std::string>();
    return j[key].dump();
}

std::string esc_str(const json& j, const char* key, const char* none = "") { return html_escape(valid_utf8(str(j, key, none))); }

// A path quoted for a POSIX shell.
std::string shell_quote(const std::string& s) {
    std::string o = "'";
    for (char ch : s) o += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return o + "'";
}

// The page's style: plain, printable, no web fonts.  Causes are told by text
// and shape (a mark before the cause), colour only adds to it.
constexpr const char* kStyle = R"(
:root{--fail:#b00020;--ok:#1b5e20;--warn:#8a5300;--muted:#555;--line:#bbb}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1rem auto;max-width:80rem;padding:0 1rem;color:#111}
h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.05rem;margin:.8rem 0 .3rem}
ul.inline{margin:.2rem 0;padding-left:1.2rem}ul.inline li{display:inline-block;margin-right:1.5rem}ul.files{font-size:12.5px}
#summary{margin:.2rem 0}h3{font-size:1rem;margin:.8rem 0 .3rem}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{border-bottom:1px solid var(--line);padding:.2rem .3rem;text-align:left;vertical-align:top}
th{cursor:pointer;background:#f2f2f2;white-space:nowrap}th[aria-sort]::after{content:" \2195"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
#conns td{white-space:nowrap}#conns td.wrap{white-space:normal}.scroll{overflow-x:auto}
.cause-fail{color:var(--fail);font-weight:600}.cause-fail::before{content:"\2716  "}
.cause-ok{color:var(--ok)}.cause-ok::before{content:"\2714  "}
.verdict{border:2px solid var(--fail);padding:.5rem .7rem;margin:.4rem 0;border-radius:4px}
.verdict.ok{border-color:var(--ok);border-style:dashed}
.verdict .big{font-size:1.1rem;font-weight:700}
details.conn{border:1px solid var(--line);border-radius:4px;margin:.4rem 0;padding:.2rem .6rem}
details.conn>summary{cursor:pointer;padding:.2rem 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;padding:.4rem;border-radius:3px;font-size:12.5px}
code{font-size:12.5px;word-break:break-all}
.note{color:var(--muted)}.left-out{border-left:4px solid var(--warn);padding:.3rem .6rem;background:#fff8e1}
svg{max-width:100%;height:auto;font:11px system-ui,sans-serif}
svg text{fill:#111}svg .muted{fill:#555}
.filters{margin:.4rem 0}
@media print{details.conn{break-inside:avoid}details.conn>*{display:block}th::after{content:none}.filters{display:none}}
)";

// Sorting and filtering of the table; window.onerror is recorded on <html>
// (data-script-errors) so that a headless browser's DOM shows script errors.
constexpr const char* kScript = R"(
(function(){
var root=document.documentElement,errs=0;
window.onerror=function(m){errs++;root.setAttribute('data-script-errors',String(errs));root.setAttribute('data-script-error-text',String(m));};
var t=document.getElementById('conns');
if(t){
 var body=t.tBodies[0];
 t.querySelectorAll('th').forEach(function(th,i){th.setAttribute('aria-sort','none');th.addEventListener('click',function(){
  var asc=th.getAttribute('aria-sort')!=='ascending';
  t.querySelectorAll('th').forEach(function(h){h.setAttribute('aria-sort','none');});
  th.setAttribute('aria-sort',asc?'ascending':'descending');
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v')||a.cells[i].textContent,y=b.cells[i].getAttribute('data-v')||b.cells[i].textContent;
   var nx=parseFloat(x),ny=parseFloat(y);var c=(!isNaN(nx)&&!isNaN(ny)&&String(nx)===x&&String(ny)===y)?nx-ny:x.localeCompare(y);return asc?c:-c;});
  rows.forEach(function(r){body.appendChild(r);});});});
 var sel=document.getElementById('cause-filter');
 if(sel)sel.addEventListener('change',function(){var v=sel.value;
  Array.prototype.forEach.call(body.rows,function(r){r.hidden=!!v&&r.getAttribute('data-cause')!==v;});});
}
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});
if(location.hash){var d=document.getElementById(location.hash.slice(1));if(d&&d.tagName==='DETAILS')d.open=true;}
document.querySelectorAll('a.to-conn').forEach(function(a){a.addEventListener('click',function(){
 var d=document.getElementById(a.getAttribute('href').slice(1));if(d)d.open=true;});});
root.setAttribute('data-script','ran');
if(!root.hasAttribute('data-script-errors'))root.setAttribute('data-script-errors','0');
})();
)";

// The connection's display filter for Wireshark: its tcp.stream, which
// rdpscope's `conn` equals, and its two endpoints.
std::string display_filter(const json& j) {
    std::string f = fmt::format("tcp.stream == {}", j["conn"].get<std::uint64_t>());
    auto ep = [](const std::string& e) -> std::pair<std::string, std::string> {
        const auto colon = e.rfind(':');
        if (colon == std::string::npos) return {};
        std::string ip = e.substr(0, colon);
        if (ip.size() > 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
        return {ip, e.substr(colon + 1)};
    };
    const auto [cip, cport] = ep(str(j, "client"));
    const auto [sip, sport] = ep(str(j, "server"));
    if (!cip.empty() && !sip.empty()) {
        const char* a = cip.find(':') != std::string::npos ? "ipv6.addr" : "ip.addr";
        f += fmt::format("  or  ({} == {} && tcp.port == {} && {} == {} && tcp.port == {})", a, cip, cport, a, sip, sport);
    }
    return f;
}

}  // namespace

void HtmlWriter::object(const json& j) {
    const std::string type = str(j, "type");
    if (type == "connection") connection(j);
    else if (type == "group") {
        // Only the groups that name a pattern or a block are listed, as in the text report.
        if (str(j, "pattern", "none") == "none" && !j.contains("amends")) ++plain_groups_;
        else if (groups_.size() < kMaxGroups) groups_.push_back(j);
        else ++groups_left_out_;
    } else if (type == "file_summary" || type == "no_rdp") {
        if (files_.size() < 1000) files_.push_back(j);
    } else if (type == "summary") summary_ = j;
}

// One connection: its row kept, its details written to the scratch file.
void HtmlWriter::connection(const json& j) {
    Row r;
    r.file = str(j, "file");
    r.conn = j.value("conn", std::uint64_t{0});
    r.client = str(j, "client");
    r.server = str(j, "server");
    r.phase = str(j, "phase", "none");
    r.stalled_at = str(j, "stalled_at", "");
    r.waiting_on = str(j, "waiting_on", "");
    r.cause = str(j, "cause");
    r.verdict = str(j, "verdict");
    r.confidence = str(j, "confidence");
    r.start = j.value("start", 0.0);
    r.duration = j.value("duration", 0.0);
    r.anchor = fmt::format("c{}", serial_++);
    const bool ok = r.cause == "none";
    std::size_t& shown = ok ? ok_details_ : failure_details_;
    if (shown < (ok ? kMaxOkDetails : kMaxFailureDetails) && scratch_) {
        ++shown;
        r.detailed = true;
        std::string evidence_frames;
        for (const auto& e : j["evidence"]) evidence_frames += fmt::format("{}{}", evidence_frames.empty() ? "" : " ", e.value("frame", std::uint64_t{0}));
        std::string d = fmt::format(
            "<details class=\"conn\"{} id=\"{}\" data-file=\"{}\" data-conn=\"{}\" data-cause=\"{}\" data-verdict=\"{}\" "
            "data-phase=\"{}\" data-stalled-at=\"{}\" data-waiting-on=\"{}\" data-confidence=\"{}\" data-evidence=\"{}\">\n",
            (!ok && failure_details_ == 1) || serial_ == 1 ? " open" : "", r.anchor, html_escape(valid_utf8(r.file)), r.conn, html_escape(r.cause), html_escape(r.verdict), html_escape(r.phase),
            html_escape(r.stalled_at), esc_str(j, "waiting_on"), html_escape(r.confidence), evidence_frames);
        d += fmt::format("<summary><b>#{}</b> {} &rarr; {} &nbsp; <span class=\"{}\">{}</span> ({}) &nbsp; {} &nbsp; {:.3f} s</summary>\n",
                         r.conn, html_escape(r.client), html_escape(r.server), ok ? "cause-ok" : "cause-fail",
                         html_escape(ok ? std::string("completed") : r.cause), html_escape(r.verdict),
                         html_escape(utc_time(r.start)), r.duration);
        // The verdict as the text report words it, then the pictures.
        d += fmt::format("<div class=\"verdict{}\"><div class=\"big\">{}: {}</div>", ok ? " ok" : "",
                         ok ? "Completed" : "Did not complete", html_escape(ok ? std::string("the handshake completed") : r.cause + " / " + r.verdict));
        d += fmt::format("<div>Phase reached: <b>{}</b>{}; waiting on: <b>{}</b>; confidence: <b>{}</b></div>", html_escape(r.phase),
                         r.stalled_at.empty() ? std::string() : "; stalled at: <b>" + html_escape(r.stalled_at) + "</b>",
                         esc_str(j, "waiting_on", "nobody"), html_escape(r.confidence));
        d += fmt::format("<p>{}</p></div>\n", esc_str(j, "summary"));
        d += "<h3>Ladder</h3>\n" + html_ladder_svg(j);
        for (const char* dir : {"c2s", "s2c"}) {
            const std::string chart = html_tcp_chart_svg(j, dir);
            if (!chart.empty())
                d += fmt::format("<h3>TCP time&ndash;sequence, {}</h3>\n{}", dir[0] == 'c' ? "client &rarr; server" : "server &rarr; client", chart);
        }
        d += "<h3>Evidence</h3>\n<ul class=\"evidence\">\n";
        const std::string file_q = shell_quote(r.file);
        for (const auto& e : j["evidence"]) {
            const auto fr = e.value("frame", std::uint64_t{0});
            d += fmt::format("<li data-frame=\"{}\">frame {}: {}<br><code>tshark -r {} -Y 'frame.number == {}'</code></li>\n", fr, fr,
                             esc_str(e, "note"), html_escape(valid_utf8(file_q)), fr);
        }
        d += fmt::format("</ul>\n<p>Wireshark display filter for the connection: <code>{}</code></p>\n", html_escape(display_filter(j)));
        d += "<h3>Details (as in the text report)</h3>\n<pre>" + html_escape(valid_utf8(render_connection_text(j, false))) + "</pre>\n";
        d += "</details>\n";
        std::fwrite(d.data(), 1, d.size(), scratch_);
    } else {
        ++details_left_out_;
    }
    if (rows_.size() < kMaxRows) rows_.push_back(std::move(r));
    else ++rows_left_out_;
}

bool HtmlWriter::finish() {
    std::string p;
    p += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         // Nothing may be fetched: the page is mailed and opened from disk.
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "script-src 'unsafe-inline'; img-src data:\">\n<title>rdpscope report</title>\n<style>";
    p += kStyle;
    p += "</style></head>\n<body>\n<h1>rdpscope: RDP handshakes</h1>\n";
    // Files.
    p += "<h2>Files</h2>\n<ul class=\"files inline\">\n";
    for (const auto& f : files_) {
        if (str(f, "type") == "no_rdp") {
            p += fmt::format("<li class=\"note\">{}: no RDP connection in it</li>\n", esc_str(f, "file"));
            continue;
        }
        p += fmt::format("<li><b>{}</b>: {} packets, {} RDP connection(s) of {} TCP connection(s), {} to {}</li>\n", esc_str(f, "file"),
                         f.value("packets", std::uint64_t{0}), f.value("rdp_connections", std::uint64_t{0}),
                         f.value("tcp_connections", std::uint64_t{0}), html_escape(utc_time(f.value("first_time", 0.0))),
                         html_escape(utc_time(f.value("last_time", 0.0))));
    }
    p += "</ul>\n";
    // Summary by cause.
    p += "<h2>Summary</h2>\n";
    if (!summary_.is_null()) {
        p += fmt::format("<p id=\"summary\" data-connections=\"{}\" data-completed=\"{}\"><b>{}</b> connection(s), <b>{}</b> completed. By cause:</p>\n<ul class=\"inline\">\n",
                         summary_.value("connections", std::uint64_t{0}), summary_.value("completed", std::uint64_t{0}),
                         summary_.value("connections", std::uint64_t{0}), summary_.value("completed", std::uint64_t{0}));
        for (const auto& [cause, n] : summary_["by_cause"].items())
            p += fmt::format("<li data-cause=\"{}\"><span class=\"{}\">{}</span>: {}</li>\n", html_escape(cause),
                             cause == "none" ? "cause-ok" : "cause-fail", html_escape(cause == "none" ? "completed" : cause), n.dump());
        p += "</ul>\n";
    }
    // Groups with a pattern or an amendment first, then the rest summarised.
    if (!groups_.empty()) {
        p += "<h2>Groups</h2>\n<table class=\"groups\"><thead><tr><th>client</th><th>server</th><th>pattern</th><th>connections</th>"
             "<th>rate / min</th><th>completed</th><th>by cause</th><th>why</th></tr></thead><tbody>\n";
        for (const auto& g : groups_) {
            const std::string pat = str(g, "pattern", "none");
            std::string causes;
            for (const auto& [k, n] : g["by_cause"].items()) causes += fmt::format("{}{} {}", causes.empty() ? "" : ", ", n.dump(), html_escape(k));
            p += fmt::format("<tr data-pattern=\"{}\"><td>{}</td><td>{}</td><td><b>{}</b></td><td class=\"num\">{}</td><td class=\"num\">{:.1f}</td>"
                             "<td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
                             html_escape(pat), esc_str(g, "client"), esc_str(g, "server", "(several)"), html_escape(pat),
                             g.value("connections", std::uint64_t{0}), g.value("rate_per_minute", 0.0), g.value("completed", std::uint64_t{0}),
                             causes, esc_str(g, "pattern_evidence"));
        }
        p += "</tbody></table>\n";
    }
    if (plain_groups_) {
        p += fmt::format("<p class=\"note\">{} more group(s) without a pattern (one client, one server) not listed; the JSON output has them.</p>\n", plain_groups_);
    }
    if (groups_left_out_) p += fmt::format("<p class=\"left-out\">{} group(s) left out of this page (it keeps {}).</p>\n", groups_left_out_, kMaxGroups);
    // The table: failures first, then in the order reported.
    std::stable_sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) { return (a.cause != "none") > (b.cause != "none"); });
    std::map<std::string, int> causes;
    for (const auto& r : rows_) ++causes[r.cause];
    p += "<h2>Connections</h2>\n<div class=\"filters\"><label>Cause: <select id=\"cause-filter\"><option value=\"\">all</option>";
    for (const auto& [c, n] : causes) p += fmt::format("<option value=\"{}\">{} ({})</option>", html_escape(c), html_escape(c == "none" ? "completed" : c), n);
    p += "</select></label> <span class=\"note\">Click a heading to sort.</span></div>\n";
    p += "<div class=\"scroll\"><table id=\"conns\"><thead><tr><th>#</th><th>client</th><th>server</th><th>start (UTC)</th><th>duration s</th><th>phase reached</th>"
         "<th>stalled at</th><th>waiting on</th><th>cause</th><th>verdict</th><th>confidence</th></tr></thead><tbody>\n";
    for (const auto& r : rows_) {
        const bool ok = r.cause == "none";
        p += fmt::format("<tr data-cause=\"{}\" data-conn=\"{}\"><td class=\"num\" data-v=\"{}\">{}</td><td>{}</td><td>{}</td><td data-v=\"{:.6f}\">{}</td>"
                         "<td class=\"num\" data-v=\"{:.3f}\">{:.3f}</td><td>{}</td><td>{}</td><td>{}</td><td><span class=\"{}\">{}</span></td><td class=\"wrap\">{}</td><td>{}</td></tr>\n",
                         html_escape(r.cause), r.conn, r.conn,
                         r.detailed ? fmt::format("<a class=\"to-conn\" href=\"#{}\">{}</a>", r.anchor, r.conn) : std::to_string(r.conn),
                         html_escape(valid_utf8(r.client)), html_escape(valid_utf8(r.server)), r.start, html_escape(utc_time(r.start).substr(0, 23)), r.duration,
                         r.duration, html_escape(r.phase), html_escape(r.stalled_at.empty() ? "-" : r.stalled_at),
                         html_escape(r.waiting_on.empty() ? "-" : r.waiting_on),
                         ok ? "cause-ok" : "cause-fail", html_escape(ok ? std::string("completed") : r.cause), html_escape(r.verdict),
                         html_escape(r.confidence));
    }
    p += "</tbody></table></div>\n";
    if (rows_left_out_)
        p += fmt::format("<p class=\"left-out\">{} connection(s) left out of this table (it keeps {}); <code>rdpscope analyze --format json</code> lists every one.</p>\n",
                         rows_left_out_, kMaxRows);
    p += "<h2>Each connection</h2>\n";
    if (details_left_out_)
        p += fmt::format("<p class=\"left-out\">Details of {} connection(s) left out of this page (it keeps the first {} that did not complete "
                         "and the first {} that did); <code>rdpscope analyze</code> prints them all.</p>\n",
                         details_left_out_, kMaxFailureDetails, kMaxOkDetails);
    bool good = std::fwrite(p.data(), 1, p.size(), out_) == p.size();
    if (scratch_) {
        std::fflush(scratch_);
        std::rewind(scratch_);
        char buf[65536];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, scratch_)) > 0;) good = std::fwrite(buf, 1, n, out_) == n && good;
    }
    const std::string tail = std::string("<p class=\"note\">Written by rdpscope. Frames are numbered as in Wireshark.</p>\n<script>") + kScript +
                             "</script>\n</body></html>\n";
    good = std::fwrite(tail.data(), 1, tail.size(), out_) == tail.size() && good;
    return std::fflush(out_) == 0 && good;
}

}  // namespace rdpscope
