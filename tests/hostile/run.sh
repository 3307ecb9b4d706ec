#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The hostile-input suite (ctest label `hostile`): tools/make-hostile writes
# files built to hurt a reader (huge claimed lengths, 10^6 interfaces, a
# comment bomb, garbage secrets, a 16 MB TLS message, 15,000 nested BER
# levels, 10^5 ICMP errors quoting one connection, contradicting TCP
# segments, a hole with 1 MiB behind it, 10^6 unanswered SYNs to 3389 and to
# port 80, 10^5 X.224 probes).  For each, `analyze -F json` and
# `dissect -F json` must give the outcome stated below -- a clear message and
# exit 2 where the input is unusable, a verdict otherwise -- within a generous
# timeout (no hang; not a benchmark), with peak memory under the bound
# (/usr/bin/time's maximum resident set size: memory in use, not address
# space).  Usage: run.sh RDPSCOPE SOURCE_DIR WORK_DIR
set -uo pipefail
bin=$1; src=$2; work=$3
bound_kib=$((64 * 1024))  # the flood issue's bound; these inputs are far smaller than a flood
[[ -x /usr/bin/time ]] || { echo "SKIPPED: /usr/bin/time is not installed (apt-get install time)"; exit 77; }
rm -rf "$work"; mkdir -p "$work"
python3 "$src/tools/make-hostile" "$work/in" >/dev/null || { echo "FAIL: tools/make-hostile failed"; exit 1; }
fail=0

# run NAME MODE -> sets rc, rss (KiB); output in $work/NAME.MODE.{out,err}
run() {
  local name=$1 mode=$2
  /usr/bin/time -f '%M' -o "$work/$name.$mode.rss" timeout 120 "$bin" "$mode" -F json "$work/in/$name" \
      >"$work/$name.$mode.out" 2>"$work/$name.$mode.err" </dev/null
  rc=$?
  rss=$(tail -1 "$work/$name.$mode.rss")
}

# expect NAME EXIT STDERR_REGEX [PYTHON_CHECK]: analyze's exit status and a
# line on stderr (empty regex: none required); the optional Python expression
# sees `conns` (analyze's connection objects) and must be true.
expect() {
  local name=$1 want=$2 pattern=$3 check=${4:-}
  run "$name" analyze
  local arc=$rc arss=$rss
  if ((arc == 124)); then echo "FAIL $name: analyze did not finish within 120 s"; fail=1; return; fi
  if ((arc != want)); then echo "FAIL $name: analyze exit $arc, expected $want"; head -3 "$work/$name.analyze.err"; fail=1; return; fi
  if [[ -n $pattern ]] && ! grep -Eq -- "$pattern" "$work/$name.analyze.err"; then
    echo "FAIL $name: stderr does not match /$pattern/:"; head -3 "$work/$name.analyze.err"; fail=1; return
  fi
  if [[ -n $check ]] && ! python3 - "$work/$name.analyze.out" "$check" <<'PY'
import json, sys
conns = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
conns = [c for c in conns if c.get("type") == "connection"]
ok = eval(sys.argv[2])
if not ok:
    print("  got:", [(c.get("cause"), c.get("verdict")) for c in conns][:5], len(conns), "connections")
sys.exit(0 if ok else 1)
PY
  then echo "FAIL $name: the analysis is not what the file holds: $check"; fail=1; return; fi
  run "$name" dissect
  local drc=$rc drss=$rss
  if ((drc == 124 || drc > 2)); then echo "FAIL $name: dissect exit $drc"; head -3 "$work/$name.dissect.err"; fail=1; return; fi
  local peak=$((arss > drss ? arss : drss))
  if ((peak > bound_kib)); then echo "FAIL $name: peak memory $((peak / 1024)) MiB, over the bound of $((bound_kib / 1024)) MiB"; fail=1; return; fi
  echo "ok   $name: analyze exit $arc, dissect exit $drc, peak $((peak / 1024)) MiB"
}

# Unusable: a clear message naming the file and frame, exit 2.
expect record-2g.pcap 2 "record-2g.pcap: frame 1: its record claims 2147483648 bytes.*no frame could be read"
expect block-1g.pcapng 2 "block-1g.pcapng: a pcapng block at byte [0-9]+ .*claims a length of 1000000000 bytes"
expect interfaces-1m.pcapng 2 "interfaces-1m.pcapng: .*more than 4096 interfaces"
# Usable: a verdict for what the file holds.
expect comment-bomb.pcapng 1 "" 'len(conns) == 200'
expect dsb-garbage.pcapng 1 "" 'len(conns) == 1 and conns[0]["cause"] != "none"'
expect overlap.pcap 1 "" 'len(conns) == 1 and conns[0]["cause"] != "none"'
expect hole.pcap 1 "" 'len(conns) == 1 and conns[0]["cause"] == "incomplete_capture"'
expect tls-16mb.pcap 1 "" 'len(conns) == 1 and conns[0]["cause"] != "none"'
expect nested-ber.pcap 1 "" 'len(conns) == 1'
# A router's host-unreachable quoting the SYN, 10^5 times: firewall_reject,
# the first 16 listed, all counted.
expect icmp-100k.pcap 1 "" 'len(conns) == 1 and conns[0]["cause"] == "firewall_reject" and len(conns[0]["icmp"]) == 16 and conns[0]["icmp_total"] == 100000'
# Floods (issue 16): every attempt counted, a bounded number listed one by
# one, the rest in the `flood` object; peak memory under the 64 MiB bound.
# 10^6 SYNs from 10^6 sources, none answered: listed + not judged = 10^6.
expect syn-flood-1m.pcap 1 "" 'len(conns) <= 1000 and [json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"summary\"" in l][0]["syn_attempts_not_judged"] + len(conns) == 1000000'
# 10^5 X.224 probes: all judged (the summary counts them), at most the
# listing budget (1000 a minute, plus its refill over 10 s) listed.  Every
# probe is the same packets (tools/make-flood: the same request, confirm and
# RST, TTLs and options), so beyond the budget nearly all are judged by the
# one shape (analyze/probe_memo.hpp) rather than built one by one.
expect x224-flood-100k.pcap 1 "" 'len(conns) <= 1200 and [json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"summary\"" in l][0]["connections"] == 100000 and (lambda nl: nl["judged_by_shape"]["connections"] >= 0.9 * nl["connections"] and nl["judged_by_shape"]["shapes"] <= 3)([json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"flood\"" in l][0]["not_listed"])'
# The same 10^6 SYNs to port 80: nothing to report (no RDP, exit 0); of the
# attempts, all but the newest 16,384 (TrackerOptions::max_pending_attempts)
# forgotten unanswered and counted in the `flood` object.
expect syn-flood-80-1m.pcap 0 "" 'len(conns) == 0 and [json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"flood\"" in l][0]["unanswered_syn_attempts_other_ports"]["attempts"] == 1000000 - 16384'
# 5 x 10^5 UDP datagrams to 3389, each a new flow (a UDP flood or scan):
# nothing RDP came up, no TCP connection (exit 0); at most 16,384 flows held
# (each new one beyond retires the oldest early), the listing budget's flows
# printed (1000, and 1000 a minute over the 5 s), every other one counted in
# the `flood` object.
expect udp-flood-500k.pcap 0 "" '(lambda u, n: n <= 1000 + 84 and u["not_listed"] + n == 500000 and u["retired_early"] == 500000 - 16384)([json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"flood\"" in l][0]["udp_flows"], sum(1 for l in open(sys.argv[1]) if "\"type\":\"udp_flow\"" in l))'
# 10^5 TLS connections to 443 from one address, each abandoned after the
# ServerHello: RD Gateway candidates (no ALPN, as mstsc's gateway client) all
# between the same two addresses.  Not an RDP connection, not a tunnel's shape
# (TLS never came up): nothing to report, exit 0 -- in bounded memory (the
# oldest candidates retired early past max_full_connections) and time (each
# candidate's neighbours walked, not briefed).
expect tls-flood-100k.pcap 0 "" 'len(conns) == 0 and not any("\"type\":\"gateway\"" in l for l in open(sys.argv[1])) and [json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"flood\"" in l][0]["retired_early"]["connections"] > 0'
# 2 x 10^4 NLA failures in 120 s, 50 attackers (10.66.0.1-50) to one server
# (10.200.0.2), each the lab's impacket connection refused (NTLM, wrong
# password): all judged and counted, at most the listing budget listed (1000,
# plus 1000 a minute of refill over 2 minutes), the rest counted by cause in
# the `flood` object, and every attacker a brute force (400 failures each).
expect nla-flood-20k.pcap 1 "" 'len(conns) <= 3000 and all(c["cause"] == "authentication_failure" for c in conns) and [json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"summary\"" in l][0]["connections"] == 20000 and [json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"flood\"" in l][0]["not_listed"]["connections"] + len(conns) == 20000 and len({g["client"] for g in (json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"group\"" in l) if g["pattern"] == "brute_force"}) == 50'
exit $fail
