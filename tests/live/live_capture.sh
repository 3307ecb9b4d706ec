#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Live capture end to end: two network namespaces joined by a veth pair,
# `rdpscope capture` on the client side, and real traffic: a SYN dropped by
# nftables, a refused port, a listener that never answers the X.224 request.
# Checks the live verdicts, that each came within --stall-timeout + 1 s of the
# stall, and that the written pcap's evidence frames are the right packets.
# Usage: live_capture.sh RDPSCOPE SOURCE_DIR.  Exit 77 (skipped) without root,
# namespaces or nftables.
set -uo pipefail
bin=$1; src=$2
skip() { echo "SKIPPED: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "iproute2 is not installed"
command -v nft >/dev/null || skip "nftables is not installed (apt-get install nftables)"
command -v python3 >/dev/null || skip "python3 is not installed"

tag=rdplive$$
C=${tag}c; S=${tag}s
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  ip netns del "$C" 2>/dev/null; ip netns del "$S" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$C" && ip netns add "$S" || skip "cannot create network namespaces here"
ip link add "${tag}a" netns "$C" type veth peer name "${tag}b" netns "$S" || skip "cannot create a veth pair"
ip -n "$C" addr add 10.88.0.1/24 dev "${tag}a"; ip -n "$S" addr add 10.88.0.2/24 dev "${tag}b"
ip -n "$C" link set "${tag}a" up; ip -n "$S" link set "${tag}b" up
ip -n "$C" link set lo up; ip -n "$S" link set lo up
# Dropped: SYNs to 3390 vanish on the server.  Refused: nothing listens on 3391.
ip netns exec "$S" nft add table inet live
ip netns exec "$S" nft add chain inet live input '{ type filter hook input priority 0; policy accept; }'
ip netns exec "$S" nft add rule inet live input tcp dport 3390 drop
# Hung: accepts on 3389, reads the request, never answers.
ip netns exec "$S" timeout 30 python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.88.0.2", 3389)); s.listen(5)
c, _ = s.accept(); c.recv(4096); time.sleep(25)' &
pids+=($!)
sleep 0.5

stall=3
# The capture, its lines stamped with the wall clock as they appear.
( ip netns exec "$C" "$bin" capture -i "${tag}a" --port 3390 --port 3391 --stall-timeout $stall \
    --format json -w "$work/live.pcap" --duration 14 2>"$work/stderr" |
  while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done >"$work/out" ) &
pids+=($!)
sleep 1.5

start=$(date +%s.%N)
# Refused (RST at once), dropped (SYN retries), hung (X.224 request, no answer).
ip netns exec "$C" timeout 2 bash -c 'exec 3<>/dev/tcp/10.88.0.2/3391' 2>/dev/null
ip netns exec "$C" timeout 4 bash -c 'exec 3<>/dev/tcp/10.88.0.2/3390' 2>/dev/null &
ip netns exec "$C" timeout 8 bash -c 'exec 3<>/dev/tcp/10.88.0.2/3389; printf "\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00" >&3; sleep 7' &
sent=$(date +%s.%N)
wait %2 %3 2>/dev/null
for _ in $(seq 1 40); do grep -q '"type":"summary"' "$work/out" 2>/dev/null && break; sleep 0.5; done

fail=0
verdict() {  # verdict PORT FIELD -> value of FIELD in the connection to PORT
  grep "\"server\":\"10.88.0.2:$1\"" "$work/out" | head -1 | cut -d' ' -f2- |
    python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print(d.get('$2'))" 2>/dev/null
}
when() { grep "\"server\":\"10.88.0.2:$1\"" "$work/out" | head -1 | cut -d' ' -f1; }
expect() {  # expect PORT FIELD VALUE
  local got; got=$(verdict "$1" "$2")
  if [[ "$got" == "$3" ]]; then echo "ok   port $1: $2 = $got"; else echo "FAIL port $1: $2 = '$got', expected '$3'"; fail=1; fi
}
expect 3391 cause connection_refused
expect 3390 cause firewall_drop
expect 3390 verdict syn_unanswered
expect 3389 cause server_unresponsive
expect 3389 stalled_at x224_negotiation
expect 3389 waiting_on server

# Timing: the hung connection stalled when its request went out (about $sent);
# its verdict is due by then + stall timeout + 1 s.
t=$(when 3389)
if [[ -n "$t" ]] && python3 -c "import sys; sys.exit(0 if float('$t') <= float('$sent') + $stall + 1.5 else 1)"; then
  echo "ok   port 3389: verdict $(python3 -c "print(f'{float(\"$t\") - float(\"$sent\"):.1f}')") s after the request (stall timeout $stall s)"
else
  echo "FAIL port 3389: verdict at ${t:-never}, request at $sent, stall timeout $stall s"; fail=1
fi

# The written pcap: readable, and the refusal's evidence frame is the RST.
if [[ -s "$work/live.pcap" ]]; then
  ev=$(grep '"server":"10.88.0.2:3391"' "$work/out" | cut -d' ' -f2- |
       python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print([e['frame'] for e in d['evidence'] if 'RST' in e['note']][0])")
  rst=$("$bin" dissect -F json "$work/live.pcap" 2>/dev/null | grep -c '"pdu":"x224.cr"')
  flags=$(python3 - "$work/live.pcap" "$ev" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read(); want = int(sys.argv[2])
magic = struct.unpack("<I", data[:4])[0]; e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
linktype = struct.unpack(e + "I", data[20:24])[0]
off, n = 24, 0
while off + 16 <= len(data):
    _, _, cap, _ = struct.unpack(e + "IIII", data[off:off + 16]); pkt = data[off + 16: off + 16 + cap]; n += 1
    if n == want:
        l2 = {1: 14, 113: 16, 276: 20}.get(linktype, 14)
        ip = pkt[l2:]; ihl = (ip[0] & 15) * 4; print(ip[ihl + 13]); break
    off += 16 + cap
PY
)
  if [[ -n "$flags" ]] && (( flags & 4 )); then echo "ok   written pcap: evidence frame $ev is the RST (flags 0x$(printf %x "$flags")); $rst X.224 request(s) in it"
  else echo "FAIL written pcap: evidence frame ${ev:-?} is not a RST (flags ${flags:-?})"; fail=1; fi
  if command -v tshark >/dev/null; then
    tshark -r "$work/live.pcap" -c 1 >/dev/null 2>&1 && echo "ok   tshark opens the written pcap" || { echo "FAIL tshark cannot read the written pcap"; fail=1; }
  fi
else
  echo "FAIL no pcap written"; fail=1
fi
if [[ $fail -ne 0 ]]; then echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/stderr"; fi
exit $fail
