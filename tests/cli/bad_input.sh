#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every kind of bad input ends with one clear line on stderr naming the file
# (and frame), the documented exit status, and never a crash or a hang.
# Usage: bad_input.sh RDPSCOPE SOURCE_DIR
set -uo pipefail
bin=$1; src=$2
bad=$src/tests/pcaps/bad
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect NAME EXIT_STATUS STDERR_REGEX -- ARGS...
expect() {
  local name=$1 want=$2 pattern=$3; shift 4
  timeout 20 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL $name: exit $got, expected $want"; cat "$tmp/err"; fail=1; return
  fi
  if ! grep -Eq -- "$pattern" "$tmp/err"; then
    echo "FAIL $name: stderr does not match /$pattern/:"; cat "$tmp/err"; fail=1; return
  fi
  echo "ok   $name: exit $got: $(head -1 "$tmp/err")"
}

for cmd in analyze dissect; do
  # A usable file whose handshakes did not complete: analyze says 1, dissect 0.
  usable=0; [[ $cmd == analyze ]] && usable=1
  expect "$cmd missing file" 2 "^rdpscope: /nonexistent/x.pcap: No such file or directory$" -- $cmd /nonexistent/x.pcap
  expect "$cmd not a capture" 2 "not-a-capture.pcap: not a pcap or pcapng capture" -- $cmd "$bad/not-a-capture.pcap"
  expect "$cmd empty file" 2 "empty.pcap: the capture file header is cut short" -- $cmd "$bad/empty.pcap"
  expect "$cmd cut file header" 2 "cut-file-header.pcap: the capture file header is cut short" -- $cmd "$bad/cut-file-header.pcap"
  expect "$cmd unknown link type" 2 "unknown-linktype.pcap: unsupported link type 147" -- $cmd "$bad/unknown-linktype.pcap"
  expect "$cmd directory" 2 "is a directory" -- $cmd "$bad"
  # Windows traces that are not captures yet: the message names the command that converts them.
  printf '\x00\x00\x00\x00\x01\x00\x00\x00not a capture' >"$tmp/PktMon.etl"
  printf 'MSCF\x00\x00\x00\x00' >"$tmp/NetTrace.cab"
  expect "$cmd pktmon .etl" 2 "PktMon.etl: an ETW trace \\(.etl\\), not a capture: convert it first, with .pktmon etl2pcap" -- $cmd "$tmp/PktMon.etl"
  expect "$cmd netsh .cab" 2 "NetTrace.cab: a Windows cabinet \\(.cab\\), not a capture: .*etl2pcapng" -- $cmd "$tmp/NetTrace.cab"
  # A file cut mid-packet is still usable: the frames before are analysed.
  expect "$cmd cut mid-packet" $usable "cut-mid-packet.pcap: the file ends in the middle of frame 10" -- $cmd "$bad/cut-mid-packet.pcap"
  expect "$cmd snaplen" $usable "snaplen-64.pcap: frame 4: connection 0 .*cut to 64 of 101 bytes by the capture's snaplen" -- $cmd "$bad/snaplen-64.pcap"
  expect "$cmd not RDP on 3389" $usable "garbage-3389.pcap: frame [0-9]+: connection 0 .*not an X.224 Connection Request" -- $cmd "$bad/garbage-3389.pcap"
  # One bad file among good ones: the good ones are still analysed, the status says 2.
  expect "$cmd mixed" 2 "not-a-capture.pcap" -- $cmd "$bad/not-a-capture.pcap" "$src/tests/pcaps/public/zeek/rdp-x509.pcap"
done

# The frames before the cut are really analysed.
"$bin" dissect -F json "$bad/cut-mid-packet.pcap" >"$tmp/cut" 2>/dev/null
grep -q '"frame":6,.*"pdu":"x224.cc"' "$tmp/cut" || { echo "FAIL cut mid-packet: the CC in frame 6 was not reported"; fail=1; }
# The good file after a bad one is reported.
"$bin" analyze -F json "$bad/not-a-capture.pcap" "$src/tests/pcaps/public/zeek/rdp-x509.pcap" >"$tmp/mixed" 2>/dev/null
grep -q '"type":"connection"' "$tmp/mixed" || { echo "FAIL mixed: the good file was not analysed"; fail=1; }
# Wrong flags: CLI11 says what is wrong, exit non-zero.
if "$bin" analyze --format yaml "$src/tests/pcaps/public/zeek/rdp-x509.pcap" >/dev/null 2>"$tmp/err"; then
  echo "FAIL wrong flag accepted"; fail=1
else
  grep -q "format" "$tmp/err" && echo "ok   wrong --format value: $(head -1 "$tmp/err")" || { echo "FAIL wrong flag message"; cat "$tmp/err"; fail=1; }
fi
exit $fail
