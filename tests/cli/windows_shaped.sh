#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Lab handshakes as pktmon and netsh trace + etl2pcapng would have logged them
# (tools/make-windows-variants: each packet 6-8 times on one interface with
# unfinished checksums on the sent ones; or once per adapter, filter layer,
# Wi-Fi and raw-IP interface with direction flags, comments and journal
# blocks) give the same report as the original, connection by connection --
# verdict, cause, confidence, retransmission and every other TCP count --
# with every frame number moved to the frame of the packet's first copy, and
# that frame is the one tshark numbers so (same packet at that number).
set -uo pipefail
bin=$1; src=$2
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
# A spread of the lab's outcomes (every lab capture with WINDOWS_SHAPED_ALL=1):
# loss and retransmissions, SYN drops, ICMP and RST rejects, an MTU black
# hole, NLA success and failure, certificate denial, TLS 1.3, a silent listener.
names=(loss-20 loss-40-burst loss-20-srvside fw-syn-drop-router fw-reject-icmp-router fw-reject-rst-server
       mtu-blackhole nla-ok-impacket nla-wrong-password-xfreerdp cert-selfsigned-deny ok-tls13-xrdp
       hung-silent-listener neg-fail-ssl-required slow-64kbit)
if [[ ${WINDOWS_SHAPED_ALL:-0} == 1 ]]; then
  names=(); for p in "$src"/tests/pcaps/lab/*.pcap; do names+=("$(basename "$p" .pcap)"); done
fi
for name in "${names[@]}"; do
  pcap=$src/tests/pcaps/lab/$name.pcap
  python3 "$src/tools/make-windows-variants" "$pcap" "$work" || { echo "FAIL $name: generator"; fail=1; continue; }
  "$bin" analyze -F json "$pcap" >"$work/$name.orig.json" 2>/dev/null
  for kind in pktmon etl2pcapng; do
    "$bin" analyze -F json "$work/$name.$kind.pcapng" >"$work/$name.$kind.json" 2>/dev/null
    python3 - "$work/$name.orig.json" "$work/$name.$kind.json" "$work/$name.frames.json" "$kind" "$name" <<'PY' || fail=1
import json, re, sys
orig, var, maps, kind, name = sys.argv[1:6]
m = {int(k): v for k, v in json.load(open(maps))[kind].items()}
def lines(p, t):
    return [json.loads(l) for l in open(p) if f'"type":"{t}"' in l]
def frame_key(k):
    return k and (k == "frame" or k.endswith("_frame") or k.endswith("frames"))
def remap(x, key=None):
    if isinstance(x, dict):
        return {k: remap(v, k) for k, v in x.items()}
    if isinstance(x, list):
        return [remap(v, key) for v in x]
    if isinstance(x, bool):
        return x
    if isinstance(x, int) and frame_key(key) and x:
        return m[x]
    if isinstance(x, str):  # "... by frame 181", "frames 3, 5"
        return re.sub(r"(frames? )(\d+)", lambda g: g[1] + str(m.get(int(g[2]), g[2])), x)
    return x
a = [remap(c) for c in lines(orig, "connection")]
b = lines(var, "connection")
for c in a + b:
    c.pop("file", None)
copies = sum(c.pop("duplicate_copies", 0) for c in b)
# The TCP figures count frames as tshark does, copies included (each is a
# duplicate_frame there and in nothing else): without them they must agree.
frame_counts = ("packets", "bytes", "syn", "syn_ack", "fin", "rst", "duplicate_frames")
bad = []
for x, y in zip(a, b):
    for d in ("c2s", "s2c"):
        tx, ty = x.get("tcp", {}).get(d), y.get("tcp", {}).get(d)
        if not tx or not ty:
            continue
        extra = ty["duplicate_frames"] - tx["duplicate_frames"]
        if ty["packets"] - tx["packets"] != extra or extra < 0:
            bad.append(f"conn {x.get('conn')} {d}: {ty['packets']} packets, {ty['duplicate_frames']} duplicate "
                       f"frames in the variant; {tx['packets']}, {tx['duplicate_frames']} in the original")
        for k in frame_counts:
            tx.pop(k, None); ty.pop(k, None)
    # A packet no copy rule can tell from a second send (IPv4 ID 0: Linux's
    # RSTs) goes to the TCP analysis, whose twin rule takes its copies for
    # duplicate frames -- but the connection's last frame may then be a copy
    # of its last packet: any copy of that packet, within the copies' 10 us.
    last = x.get("last_frame")
    if last and y.get("last_frame") != last:
        nxt = min([v for v in m.values() if v > last], default=float("inf"))
        if last <= y["last_frame"] < nxt and abs(x["duration"] - y["duration"]) <= 1e-5:
            y["last_frame"], y["duration"] = last, x["duration"]
summary = lines(var, "file_summary")[0]
if len(a) != len(b):
    bad.append(f"{len(a)} connections, {len(b)} in the variant")
for x, y in zip(a, b):
    for k in sorted(set(x) | set(y)):
        if x.get(k) != y.get(k):
            bad.append(f"conn {x.get('conn')} {k}: {json.dumps(x.get(k))[:200]} | {json.dumps(y.get(k))[:200]}")
if summary.get("decode_errors"):
    bad.append(f"{summary['decode_errors']} decode errors")
if bad:
    print(f"FAIL {name}.{kind}"); [print("  " + l) for l in bad[:6]]; sys.exit(1)
retrans = sum(c["tcp"][d]["retransmissions"] for c in a for d in ("c2s", "s2c"))
print(f"ok   {name}.{kind}: {len(b)} connections, {retrans} retransmissions, "
      f"{summary.get('duplicate_copies', 0)} copies ({copies} in connections)")
PY
  done
done
# Frame numbers as tshark counts them (journal blocks are frames): the frame
# each original packet maps to holds that packet.
if command -v tshark >/dev/null; then
  for name in loss-20 fw-reject-icmp-router nla-ok-impacket fw-syn-drop-router; do
    f=(-e ip.src -e ip.id -e tcp.seq_raw -e tcp.ack_raw -e icmp.type)
    tshark -r "$src/tests/pcaps/lab/$name.pcap" -T fields "${f[@]}" >"$work/$name.orig.tsv" 2>/dev/null
    for kind in pktmon etl2pcapng; do
      tshark -r "$work/$name.$kind.pcapng" -T fields -e frame.number "${f[@]}" >"$work/$name.$kind.tsv" 2>/dev/null
      python3 - "$work/$name.orig.tsv" "$work/$name.$kind.tsv" "$work/$name.frames.json" "$kind" "$name" <<'PY' || fail=1
import json, sys
orig, var, maps, kind, name = sys.argv[1:6]
m = json.load(open(maps))[kind]
o = [l.rstrip("\n") for l in open(orig)]
v = {l.split("\t", 1)[0]: l.rstrip("\n").split("\t", 1)[1] for l in open(var)}
bad = [i for i, row in enumerate(o, 1) if v.get(str(m[str(i)])) != row]
print(("FAIL" if bad else "ok  ") + f" tshark frame numbers {name}.{kind}: {len(o)} packets" +
      (f", first wrong: original frame {bad[0]}" if bad else ""))
sys.exit(1 if bad else 0)
PY
    done
  done
else
  echo "tshark missing: frame numbers not compared with tshark's"
fi
exit $fail
