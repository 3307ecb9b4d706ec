#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Tests of `rdpscope analyze --html` (issue 18).  For each capture, one run
# writes both the JSON (stdout) and the page; the page is then checked
# against that JSON and against tshark's view of the capture:
#   * every connection of the JSON has its details element carrying its cause,
#     verdict, phase, stalled_at, waiting_on and evidence frames, a table row,
#     a tshark line per evidence frame (asserted from the JSON, never from the
#     page's own text);
#   * every arrow of the ladder is a frame tshark shows, of that connection's
#     tcp.stream (rdpscope's conn), in that direction; every ICMP row an ICMP frame;
#   * nothing is fetched: no src/href/xlink:href/url()/@import to anything but
#     the page itself (#fragment); no <link>, <img>, <iframe>, <object>;
#   * stdout's JSON is the same with and without --html;
#   * strings from the capture are text: the hostile capture's <script> cookie
#     and <img> SNI show as text and add no element.
# Usage: check.py structure RDPSCOPE SOURCE_DIR WORKDIR
#        check.py chromium  RDPSCOPE SOURCE_DIR WORKDIR   (headless Chromium:
#            the page's script runs without errors; the same checks on the
#            DOM it leaves; exit 77 when chromium is not installed)
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys

CAPTURES = [
    'lab/fw-clienthello-blackhole.pcap',   # dropped ClientHello
    'lab/mtu-blackhole.pcap',              # path-MTU black hole
    'lab/nla-wrong-password-xfreerdp.pcap',  # NLA failure
    'lab/nla-brute-force-impacket.pcap',   # brute force (a group)
    'lab/fw-reject-icmp-router.pcap',      # ICMP errors
    'lab/fw-port-closed.pcap',             # RST to the SYN
    'lab/cert-selfsigned-deny.pcap',
    'lab/loss-20.pcap',
    'lab/ok-tls13-xrdp.pcap',              # completed
    'lab/ok-rdp-rc4-shadow.pcap',          # standard RDP security, completed
    'public/ndpi/rdp_over_tls.pcap',
    'public/ndpi/tcp_scan.pcapng',
    'public/zeek/rdp-x509.pcap',
    'public/suricata-verify/rdp-protocol/RDP-003.pcap',
]

failures = []


def fail(where, what):
    failures.append(f'{where}: {what}')


class Dom(html.parser.HTMLParser):
    """Elements with their attributes and parent chain, and the page's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []   # (tag, attrs dict, index of the enclosing <details>)
        self.stack = []
        self.text = []
        self.style_text = []
        self.in_style = False

    VOID = {'meta', 'br', 'hr', 'img', 'input', 'link', 'source', 'area', 'base', 'col', 'embed', 'param', 'track', 'wbr'}

    def handle_starttag(self, tag, attrs):
        a = {k: (v or '') for k, v in attrs}
        details = next((i for i in reversed(self.stack) if self.elements[i][0] == 'details'), None)
        self.elements.append((tag, a, details))
        if tag == 'style':
            self.in_style = True
        if tag not in self.VOID:
            self.stack.append(len(self.elements) - 1)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == 'style':
            self.in_style = False
        for k in range(len(self.stack) - 1, -1, -1):
            if self.elements[self.stack[k]][0] == tag:
                del self.stack[k:]
                break

    def handle_data(self, data):
        (self.style_text if self.in_style else self.text).append(data)


def parse(text):
    d = Dom()
    d.feed(text)
    d.close()
    return d


def tshark_frames(cap):
    """frame -> (tcp.stream or None, src port, is icmp) as tshark 4.0 reads the file."""
    out = subprocess.run(['tshark', '-r', cap, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.srcport',
                          '-e', 'frame.protocols'], capture_output=True, text=True, check=True).stdout
    frames = {}
    for line in out.splitlines():
        f = line.split('\t')
        frames[int(f[0])] = (int(f[1]) if f[1] else None, int(f[2].split(',')[0]) if f[2] else None, 'icmp' in f[3])
    return frames


def run(rdpscope, cap, page):
    r = subprocess.run([rdpscope, 'analyze', '--format', 'json', '--html', page, cap], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        fail(cap, f'rdpscope exited {r.returncode}: {r.stderr.strip()}')
        return []
    # --html changes nothing on stdout (README: the JSON is the same with or without it).
    plain = subprocess.run([rdpscope, 'analyze', '--format', 'json', cap], capture_output=True, text=True)
    if plain.stdout != r.stdout:
        fail(cap, 'analyze --format json prints something else with --html')
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


URL_ATTRS = {'src', 'href', 'xlink:href', 'action', 'formaction', 'srcset', 'poster', 'data', 'background', 'ping', 'manifest'}


def check_no_requests(where, dom):
    for tag, a, _ in dom.elements:
        if tag in ('link', 'img', 'iframe', 'object', 'embed', 'audio', 'video', 'source', 'base', 'frame'):
            fail(where, f'a <{tag}> element (would load something)')
        if tag == 'script' and 'src' in a:
            fail(where, 'a <script src>')
        for k, v in a.items():
            if k in URL_ATTRS and not v.startswith('#'):
                fail(where, f'<{tag} {k}="{v}"> points outside the page')
            if k == 'style' and re.search(r'url\(\s*[\'"]?(?!#)', v):
                fail(where, f'<{tag} style> with url(): {v}')
    css = ''.join(dom.style_text)
    for m in re.finditer(r'url\(\s*[\'"]?([^)\'"]*)', css):
        if not m.group(1).startswith('#'):
            fail(where, f'CSS url({m.group(1)})')
    if '@import' in css:
        fail(where, 'CSS @import')


def check_page(where, cap, objects, dom, frames, rendered):
    conns = [o for o in objects if o.get('type') == 'connection']
    summary = next((o for o in objects if o.get('type') == 'summary'), None)
    details = {}
    for i, (tag, a, _) in enumerate(dom.elements):
        if tag == 'details' and 'data-conn' in a:
            details[(a.get('data-file'), int(a['data-conn']))] = (i, a)
    rows = {int(a['data-conn']): a for tag, a, _ in dom.elements if tag == 'tr' and 'data-conn' in a}
    if summary:
        s = next((a for tag, a, _ in dom.elements if a.get('id') == 'summary'), None)
        if not s or int(s.get('data-connections', -1)) != summary['connections'] or int(s.get('data-completed', -1)) != summary['completed']:
            fail(where, f'summary {s} does not say {summary["connections"]} connections, {summary["completed"]} completed')
    if not conns:
        fail(where, 'the JSON has no connection (the capture list is wrong)')
    for c in conns:
        key = (c['file'], c['conn'])
        w = f'{where} conn {c["conn"]}'
        if c['conn'] not in rows or rows[c['conn']].get('data-cause') != c['cause']:
            fail(w, f'no table row with cause {c["cause"]}')
        if key not in details:
            fail(w, 'no details element')
            continue
        idx, a = details[key]
        want = {'data-cause': c['cause'], 'data-verdict': c['verdict'], 'data-phase': c['phase'] or 'none',
                'data-stalled-at': c['stalled_at'] or '', 'data-waiting-on': c['waiting_on'] or '', 'data-confidence': c['confidence'],
                'data-evidence': ' '.join(str(e['frame']) for e in c['evidence'])}
        for k, v in want.items():
            if a.get(k) != v:
                fail(w, f'{k}="{a.get(k)}", the JSON says "{v}"')
        inside = [(t, at) for t, at, d in dom.elements if d == idx]
        ev = {int(at['data-frame']) for t, at in inside if t == 'li' and 'data-frame' in at}
        for e in c['evidence']:
            if e['frame'] not in ev:
                fail(w, f'evidence frame {e["frame"]} not listed')
        for e in c['evidence']:
            line = f"frame.number == {e['frame']}'"
            if line not in rendered:
                fail(w, f'no tshark line for evidence frame {e["frame"]}')
        arrows = [at for t, at in inside if t == 'g' and 'arrow' in at.get('class', '').split()]
        if not arrows:
            fail(w, 'the ladder has no arrow')
        for at in arrows:
            fr = int(at['data-frame'])
            if fr not in frames:
                fail(w, f'ladder arrow frame {fr} is not a frame tshark shows')
                continue
            stream, sport, _ = frames[fr]
            if stream != c['conn']:
                fail(w, f'ladder arrow frame {fr} is tcp.stream {stream} in tshark, not {c["conn"]}')
            client_port = int(c['client'].rsplit(':', 1)[1])
            if (sport == client_port) != (at.get('data-dir') == 'c2s'):
                fail(w, f'ladder arrow frame {fr} drawn {at.get("data-dir")}, tshark has it from port {sport}')
        for t, at in inside:
            if t == 'g' and at.get('class') == 'icmp':
                fr = int(at['data-frame'])
                if fr not in frames or not frames[fr][2]:
                    fail(w, f'ICMP row frame {fr} is not an ICMP frame in tshark')
        phases = {at['data-phase']: at for t, at in inside if t == 'g' and at.get('class') == 'phase'}
        for st in c['ladder']:
            if st['started'] and st.get('start_frame') and st['phase'] not in phases and st['start_frame'] <= max(int(x['data-frame']) for x in arrows):
                fail(w, f'phase {st["phase"]} (from frame {st["start_frame"]}) not marked on the ladder')
            if st['phase'] in phases and phases[st['phase']]['data-inferred'] != ('true' if st.get('inferred') else 'false'):
                fail(w, f'phase {st["phase"]} not marked inferred={st.get("inferred", False)}')
        if c['cause'] != 'none':
            stall = [at for t, at in inside if t == 'g' and 'stall' in at.get('class', '').split() and 'end' in at.get('class', '').split()]
            if not stall or stall[0].get('data-stalled-at') != (c['stalled_at'] or ''):
                fail(w, f'the ladder does not mark the stall at {c["stalled_at"]}')
            wait = [at for t, at in inside if t == 'g' and at.get('class') == 'waiting']
            if c['waiting_on'] and (not wait or wait[0].get('data-waiting-on') != c['waiting_on']):
                fail(w, f'the ladder does not highlight the waiting side {c["waiting_on"]}')
    for g in (o for o in objects if o.get('type') == 'group' and o.get('pattern', 'none') != 'none'):
        if not any(t == 'tr' and a.get('data-pattern') == g['pattern'] for t, a, _ in dom.elements):
            fail(where, f'group with pattern {g["pattern"]} not in the groups table')


def hostile(rdpscope, work, render):
    cap = os.path.join(work, 'hostile-strings.pcap')
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, 'make_hostile_capture.py'), cap], check=True)
    page = os.path.join(work, 'hostile-strings.html')
    objects = run(rdpscope, cap, page)
    conns = [o for o in objects if o.get('type') == 'connection']
    # The capture carries the strings; the JSON must have decoded them (else the test proves nothing).
    if not conns or '<script>' not in conns[0].get('negotiation', {}).get('cookie', ''):
        fail(cap, 'the JSON does not carry the <script> cookie: the hostile capture is not decoded')
    if not conns or '<img' not in conns[0].get('tls', {}).get('sni', ''):
        fail(cap, 'the JSON does not carry the <img> SNI')
    text = render(page)
    if '<script>document.title' in text or '<img src=x' in text:
        fail(cap, 'a string from the capture appears unescaped in the page')
    dom = parse(text)
    scripts = [a for t, a, _ in dom.elements if t == 'script']
    if len(scripts) != 1:
        fail(cap, f'{len(scripts)} <script> elements, expected only the page\'s own')
    if any(t == 'img' for t, _, _ in dom.elements):
        fail(cap, 'an <img> element from the SNI')
    body = ''.join(dom.text)
    if 'mstshash=<script>' not in body.replace('\n', '') and '<script>document.title' not in body:
        fail(cap, 'the cookie is not shown as text')
    return dom


def main():
    mode, rdpscope, src, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    if not shutil.which('tshark'):
        print('SKIP: tshark is not installed (tools/setup installs it)')
        return 77
    chromium = shutil.which('chromium')
    if mode == 'chromium' and not chromium:
        print('SKIP: chromium is not installed (tools/test installs it as root)')
        return 77

    def render(page):
        if mode == 'structure':
            with open(page, encoding='utf-8') as f:
                return f.read()
        r = subprocess.run([chromium, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
                            '--user-data-dir=' + os.path.join(work, 'chromium-profile'), '--dump-dom', 'file://' + os.path.abspath(page)],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0 or '<html' not in r.stdout:
            fail(page, f'chromium --dump-dom failed ({r.returncode}): {r.stderr[-500:]}')
        return r.stdout

    for rel in CAPTURES:
        cap = os.path.join(src, 'tests', 'pcaps', rel)
        page = os.path.join(work, rel.replace('/', '_') + '.html')
        objects = run(rdpscope, cap, page)
        text = render(page)
        dom = parse(text)
        root = next((a for t, a, _ in dom.elements if t == 'html'), {})
        if mode == 'chromium':
            if root.get('data-script') != 'ran':
                fail(rel, 'the page script did not run to its end')
            if root.get('data-script-errors') != '0':
                fail(rel, f'script errors: {root.get("data-script-errors")} {root.get("data-script-error-text", "")}')
        check_no_requests(rel, dom)
        check_page(rel, cap, objects, dom, tshark_frames(cap), text)
    hdom = hostile(rdpscope, work, render)
    if mode == 'chromium':
        root = next((a for t, a, _ in hdom.elements if t == 'html'), {})
        if root.get('data-script-errors') != '0':
            fail('hostile-strings', 'script errors')
    # A script from the capture would have renamed the page.
    title = re.search(r'<title>([^<]*)</title>', render(os.path.join(work, 'hostile-strings.html')))
    if not title or title.group(1) != 'rdpscope report':
        fail('hostile-strings', f'the page title is {title.group(1) if title else None}: a script from the capture ran')
    for f in failures:
        print('FAIL', f)
    print(f'{mode}: {len(CAPTURES) + 1} captures, {len(failures)} failure(s)')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
