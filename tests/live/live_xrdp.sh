#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Live capture of a real RDP handshake: xrdp (TLS) in a server namespace,
# xfreerdp in a client namespace behind the lab's router, `rdpscope capture`
# on the client's interface.  The verdict must be a completed handshake and
# must come while the session is still up (at completion, not at the end).
# Reuses the capture lab's topology and peer helpers (tools/lab/lib).
# Usage: live_xrdp.sh RDPSCOPE SOURCE_DIR.  Exit 77 (skipped) without root,
# namespaces, or the lab's packages (tools/lab/run installs them).
set -uo pipefail
bin=$1; src=$2
skip() { echo "SKIPPED: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces)"
for c in ip nft xrdp xfreerdp Xvfb ethtool openssl gcc python3; do
  command -v "$c" >/dev/null || skip "$c is not installed (tools/lab/run installs the lab's packages)"
done

export LAB_TAG=live$$
export LAB_DIR=$src/tools/lab
SCN_WORK=$(mktemp -d /tmp/rdplive-xrdp.XXXXXX)
LAB_BUILD=$SCN_WORK
export SCN_WORK LAB_BUILD
source "$LAB_DIR/lib/common.sh"
source "$LAB_DIR/lib/deps.sh"
source "$LAB_DIR/lib/netns.sh"
source "$LAB_DIR/lib/peers.sh"
peer_versions
cap_pid=
cleanup() {
  [[ -n $cap_pid ]] && kill "$cap_pid" 2>/dev/null
  bg_stop_all 2>/dev/null
  netns_down 2>/dev/null
  rm -rf "$SCN_WORK"
}
trap cleanup EXIT
netns_up >/dev/null 2>&1 || skip "cannot build the lab topology (network namespaces)"
keylog_build >/dev/null 2>&1 || skip "cannot build the key-log shim"
xrdp_start security_layer=tls >/dev/null 2>&1 || skip "xrdp did not start"

out=$SCN_WORK/verdicts.json
# The peers' key log (tools/lab/lib/peers.sh) starts empty: capture reads it
# as it grows and must decrypt the session with the lines written during it
# (issue 22: live, the key log grows while capturing).
: >"$SCN_WORK/keys.log"
ip netns exec "$NS_CLI" "$bin" capture -i c0 --format json --stall-timeout 10 --duration 25 \
   --keylog "$SCN_WORK/keys.log" -w "$SCN_WORK/live.pcap" >"$out" 2>"$SCN_WORK/capture.err" &
cap_pid=$!
sleep 1.5
t0=$(date +%s)
# The client keeps the session up for 12 s; the verdict must come before it ends.
# A password that cannot occur by chance: it must never appear in any output.
password=rdpscope-live-pw-4c1e9a
xfreerdp_run 12 /sec:tls /cert:ignore /u:nobody /p:$password >/dev/null 2>&1 &
client=$!
# Once the interface is open, capture runs as nobody (issue 21, part 5): read
# the kernel's view of the process, not what rdpscope says about itself.
# `ip netns exec` execs rdpscope, so cap_pid is rdpscope's pid.
status=$(cat "/proc/$cap_pid/status" 2>/dev/null)
got=
for _ in $(seq 1 60); do
  if grep -q '"type":"connection"' "$out" 2>/dev/null; then got=$(date +%s); break; fi
  sleep 0.25
done
wait "$client" 2>/dev/null
kill -INT "$cap_pid" 2>/dev/null; wait "$cap_pid" 2>/dev/null; cap_pid=

fail=0
nobody_uid=$(id -u nobody); nobody_gid=$(id -g nobody)
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' <<<"$status")
gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' <<<"$status")
groups=$(awk '/^Groups:/ {$1=""; print}' <<<"$status" | tr -d ' ')
capeff=$(awk '/^CapEff:/ {print $2}' <<<"$status")
if [[ $uids == "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" && $gids == "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" &&
      -z $groups && $capeff =~ ^0+$ ]]; then
  echo "ok   capture runs as nobody once the interface is open (uid $uids, gid $gids, no groups, no capabilities)"
else
  echo "FAIL capture still privileged: Uid '$uids' Gid '$gids' Groups '$groups' CapEff '$capeff' (want $nobody_uid/$nobody_gid)"; fail=1
fi
cause=$(grep '"type":"connection"' "$out" | head -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["cause"])' 2>/dev/null)
if [[ "$cause" == none ]]; then echo "ok   xrdp handshake: cause none"; else echo "FAIL xrdp handshake: cause '$cause'"; fail=1; fi
# Decrypted live, both directions, from the key log that was empty at the start.
decrypted=$(grep '"type":"connection"' "$out" | head -1 | python3 -c '
import json, sys
d = json.loads(sys.stdin.read()).get("tls", {}).get("decryption", {})
r = d.get("records", {})
print(d.get("keys_found"), d.get("keys_from"), r.get("c2s", 0), r.get("s2c", 0))' 2>/dev/null)
read -r found from c2s s2c <<<"$decrypted"
# The client's side of the connection sequence alone is at least 10 records
# (MS-RDPBCGR 1.3.1.1: Connect Initial, Erect Domain, Attach User, a channel
# join, Client Info, Confirm Active, Synchronize, two Controls, Font List).
if [[ $found == True && $from == key_log && ${c2s:-0} -ge 10 && ${s2c:-0} -gt 0 ]]; then
  echo "ok   decrypted live from a key log empty at the start: $c2s client and $s2c server records"
else echo "FAIL not decrypted live from the growing key log (keys_found '$found', keys_from '$from', records '$c2s' '$s2c')"; fail=1; fi
if [[ -n $got ]] && (( got - t0 < 12 )); then echo "ok   verdict printed $((got - t0)) s after the client started, while the session was up"
else echo "FAIL verdict not printed while the session was up"; fail=1; fi
# Into a file, not `| grep -q`: grep leaving at the first match would
# SIGPIPE analyze's later lines and, under pipefail, fail a good run.
"$bin" analyze -F json "$SCN_WORK/live.pcap" >"$SCN_WORK/reanalysed.json" 2>"$SCN_WORK/reanalyse.err"
rc=$?
# Exit 0 or 1 (1: some connection in it did not complete; the checks above
# look at the first one too); 2 or a signal: the file was not usable.
if [[ $rc -le 1 ]] && grep -q '"cause":"none"' "$SCN_WORK/reanalysed.json"; then echo "ok   the written pcap analyses to the same verdict"
else echo "FAIL the written pcap does not analyse to cause none (analyze exit $rc)"; fail=1
  cat "$SCN_WORK/reanalysed.json" "$SCN_WORK/reanalyse.err"; fi
# Neither the password nor any TLS secret the client logged may appear in
# anything rdpscope printed or wrote (the key log stays the client's).
"$bin" dissect -F json "$SCN_WORK/live.pcap" >"$SCN_WORK/dissect.json" 2>&1
"$bin" analyze "$SCN_WORK/live.pcap" >"$SCN_WORK/analyze.txt" 2>&1
outputs=("$out" "$SCN_WORK/capture.err" "$SCN_WORK/reanalysed.json" "$SCN_WORK/reanalyse.err" "$SCN_WORK/dissect.json" "$SCN_WORK/analyze.txt")
secrets=$(awk 'NF == 3 {print $3}' "$SCN_WORK/keys.log" 2>/dev/null | sort -u)
if [[ -z $secrets ]]; then echo "FAIL the client wrote no TLS key log ($SCN_WORK/keys.log): cannot check that no secret leaks"; fail=1
else
  leaked=0
  for f in "${outputs[@]}"; do
    grep -qiF -e "$password" "$f" && { echo "FAIL the password appears in $(basename "$f")"; leaked=1; }
    grep -qiF -f <(printf '%s\n' "$secrets") "$f" && { echo "FAIL a TLS secret from the key log appears in $(basename "$f")"; leaked=1; }
  done
  # The password travels inside TLS: in clear in the written pcap it would
  # mean the check above proves nothing.
  if grep -qaF -e "$password" "$SCN_WORK/live.pcap"; then echo "FAIL the password is in clear in the captured traffic"; leaked=1; fi
  [[ $leaked == 0 ]] && echo "ok   neither the password nor any of the $(wc -l <<<"$secrets") logged TLS secrets appears in any output" || fail=1
fi
if [[ $fail -ne 0 ]]; then cat "$out" "$SCN_WORK/capture.err"; tail -n 5 "$SCN_WORK"/*.log; fi
exit $fail
