#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write and verify the lab's NAME.expect.json files.

    expect.py write WORK OUT_JSON   build the expectation from the scenario's
                                    record in WORK (written by tools/lab/run)
    expect.py verify PCAP JSON...   run every tshark_check of each expectation
                                    against its capture; exit 1 on a failure
    expect.py table DIR             the README's scenario table (markdown)

The expectation is written from how the scenario was built (the files in
WORK come from the scenario script), never from any analyzer's output.
"""
import json
import os
import subprocess
import sys

PHASES = ["tcp_connect", "x224_negotiation", "tls_handshake", "credssp",
          "mcs_connect", "channel_join", "security_exchange",
          "secure_settings", "established"]
WAITING = ["client", "server", "network"]
CAUSES = ["none", "packet_loss", "firewall_drop", "connection_refused",
          "firewall_reject", "path_mtu", "certificate_rejection",
          "server_tls_failure", "tls_mismatch", "protocol_mismatch",
          "authentication_failure", "server_unresponsive", "middlebox_reset",
          "closed_by_client", "closed_by_server", "incomplete_capture",
          "in_progress"]
TLS_ARGS = ["-d", "tcp.port==3389,tls"]
# "{keylog}" in tshark_args stands for the expectation's key log file (path
# relative to the JSON file): such checks look inside the TLS session.
TLS_KEYS_ARGS = TLS_ARGS + ["-o", "tls.keylog_file:{keylog}"]


def _null(v):
    return None if v in ("", "null", "-") else v


def read_tsv(path, ncols):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            cols = line.split("\t")
            cols += [""] * (ncols - len(cols))
            rows.append(cols[:ncols])
    return rows


def validate(doc):
    """Return a list of problems with the vocabulary and shape."""
    errs = []
    conns = doc.get("connections")
    if not isinstance(conns, list):
        return ["connections is not a list"]
    for i, c in enumerate(conns):
        cause, st, wo = c.get("cause"), c.get("stalled_at"), c.get("waiting_on")
        if cause not in CAUSES:
            errs.append(f"connection {i}: unknown cause {cause!r}")
        if st is not None and st not in PHASES:
            errs.append(f"connection {i}: unknown stalled_at {st!r}")
        if wo is not None and wo not in WAITING:
            errs.append(f"connection {i}: unknown waiting_on {wo!r}")
        if (cause == "none") != (st is None):
            errs.append(f"connection {i}: cause none iff stalled_at null")
        if (st is None) != (wo is None):
            errs.append(f"connection {i}: stalled_at and waiting_on null together")
    for i, g in enumerate(doc.get("groups", [])):
        if g.get("scope") not in ("pair", "client"):
            errs.append(f"group {i}: scope is pair or client")
        if g.get("pattern") not in (None, "brute_force", "spray", "scan"):
            errs.append(f"group {i}: unknown pattern {g.get('pattern')!r}")
    for i, chk in enumerate(doc.get("tshark_check", [])):
        if "filter" not in chk or "min" not in chk:
            errs.append(f"tshark_check {i}: needs filter and min")
    return errs


def cmd_write(work, out_json):
    meta = dict(read_tsv(os.path.join(work, "meta.tsv"), 2))
    conns = []
    for client, server, cause, stalled, waiting, verdict, note in read_tsv(
            os.path.join(work, "conns.tsv"), 7):
        c = {"client": client, "server": server, "cause": cause,
             "stalled_at": _null(stalled), "waiting_on": _null(waiting)}
        if _null(verdict):
            c["verdict"] = verdict
        if note:
            c["note"] = note
        conns.append(c)
    checks = []
    # One client SYN (not counting retransmissions) per expected connection:
    # catches a peer that opened more or fewer connections than expected.
    checks.append({
        "filter": "!icmp && tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==3389"
                  " && !tcp.analysis.retransmission",
        "min": len(conns), "max": len(conns),
        "note": "one initial SYN per expected connection"})
    # The lab's end-of-capture marker (see tools/lab/lib/capture.sh).
    checks.append({
        "filter": "udp.dstport==9 && udp.payload contains \"rdplab end of capture\"",
        "min": 1, "max": 1,
        "note": "end-of-capture marker: the last frame, so that the capture's duration is visible"})
    for flt, mn, mx, note, decode in read_tsv(os.path.join(work, "checks.tsv"), 5):
        chk = {"filter": flt, "min": int(mn)}
        if mx != "":
            chk["max"] = int(mx)
        chk["note"] = note
        if decode == "tls":
            chk["tshark_args"] = TLS_ARGS
        elif decode == "tlskeys":
            chk["tshark_args"] = TLS_KEYS_ARGS
        checks.append(chk)
    xfail = None
    xpath = os.path.join(work, "xfail.txt")
    if os.path.exists(xpath):
        with open(xpath, encoding="utf-8") as f:
            xfail = f.read().strip()
    commands = []
    cpath = os.path.join(work, "commands.txt")
    if os.path.exists(cpath):
        with open(cpath, encoding="utf-8") as f:
            commands = [l.rstrip("\n") for l in f if l.strip()]
    doc = {
        "scenario": meta["scenario"],
        "description": meta["description"],
        "peers": {"client": meta.get("client", ""), "server": meta.get("server", "")},
        "commands": commands,
        "syn_timing": meta.get("syn_timing", ""),
        "capture_point": meta.get("capture_point", "client"),
    }
    if xfail:
        doc["xfail"] = xfail
    if meta.get("keylog"):
        doc["keylog"] = meta["keylog"]
    doc["connections"] = conns
    groups = []
    for scope, client, server, pattern, note in read_tsv(os.path.join(work, "groups.tsv"), 5):
        g = {"scope": scope, "client": client}
        if server:
            g["server"] = server
        g["pattern"] = _null(pattern)
        if note:
            g["note"] = note
        groups.append(g)
    if groups:
        doc["groups"] = groups
    doc["tshark_check"] = checks
    errs = validate(doc)
    if errs:
        print("expectation invalid: " + "; ".join(errs), file=sys.stderr)
        return 1
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    return 0


def count_frames(pcap, flt, args):
    cmd = ["tshark", "-n", "-r", pcap] + list(args) + ["-Y", flt, "-T", "fields", "-e", "frame.number"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        err = "\n".join(l for l in p.stderr.splitlines() if "Running as user" not in l)
        raise RuntimeError(f"tshark failed on filter {flt!r}: {err.strip()}")
    return [int(x) for x in p.stdout.split()]


def verify_one(pcap, json_path):
    with open(json_path, encoding="utf-8") as f:
        doc = json.load(f)
    name = doc.get("scenario", os.path.basename(json_path))
    ok = True
    lines = []
    for e in validate(doc):
        ok = False
        lines.append(f"  FAIL  {e}")
    keylog = os.path.join(os.path.dirname(os.path.abspath(json_path)), doc.get("keylog") or "")
    for chk in doc.get("tshark_check", []):
        flt = chk["filter"]
        mn, mx = chk["min"], chk.get("max")
        args = chk.get("tshark_args", [])
        if any("{keylog}" in a for a in args):
            if not doc.get("keylog") or not os.path.exists(keylog):
                ok = False
                lines.append(f"  FAIL  check needs the key log, which is missing: {flt}")
                continue
            args = [a.replace("{keylog}", keylog) for a in args]
        try:
            frames = count_frames(pcap, flt, args)
        except RuntimeError as e:
            ok = False
            lines.append(f"  FAIL  {e}")
            continue
        n = len(frames)
        good = n >= mn and (mx is None or n <= mx)
        ok &= good
        rng = f">={mn}" if mx is None else (f"=={mn}" if mx == mn else f"{mn}..{mx}")
        shown = ",".join(map(str, frames[:8])) + (",..." if n > 8 else "")
        lines.append(f"  {'ok  ' if good else 'FAIL'}  {n:4d} ({rng})  {chk.get('note', '')}"
                     f"  [{flt}]{'  frames ' + shown if n else ''}")
    print(f"{'PASS' if ok else 'FAIL'} {name}")
    for l in lines:
        print(l)
    return ok


def cmd_verify(pairs):
    failed = [js for pcap, js in pairs if not verify_one(pcap, js)]
    if len(pairs) > 1:
        print(f"\nverify: {len(pairs) - len(failed)} passed, {len(failed)} failed")
        for js in failed:
            print(f"  failed: {os.path.basename(js)}")
    return 1 if failed else 0


def cmd_table(directory):
    """Markdown rows for the README: one per scenario, in --list order."""
    docs = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".expect.json"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                docs.append(json.load(f))
    order = os.environ.get("LAB_ORDER", "").split()
    docs.sort(key=lambda d: order.index(d["scenario"]) if d["scenario"] in order else 10**6)
    print("| scenario | what is done | conns | cause / stalled_at / waiting_on (verdict) |")
    print("|---|---|---|---|")
    for d in docs:
        conns = d["connections"]
        verdicts = []
        for c in conns:
            v = f"{c['cause']} / {c['stalled_at'] or '-'} / {c['waiting_on'] or '-'}"
            if c.get("verdict"):
                v += f" ({c['verdict']})"
            verdicts.append(v)
        uniq = sorted(set(verdicts), key=verdicts.index)
        cell = "; ".join(f"{verdicts.count(v)} x {v}" if verdicts.count(v) > 1 else v for v in uniq)
        cell = cell.replace("|", "\\|")
        side = " *(server-side capture)*" if d.get("capture_point") == "server" else ""
        desc = d["description"].replace("|", "\\|")
        print(f"| `{d['scenario']}` | {desc}{side} | {len(conns)} | {cell} |")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "table":
        return cmd_table(argv[2])
    if len(argv) >= 3 and argv[1] == "write":
        return cmd_write(argv[2], argv[3])
    if len(argv) >= 4 and argv[1] == "verify" and len(argv) % 2 == 0:
        it = iter(argv[2:])
        return cmd_verify(list(zip(it, it)))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
