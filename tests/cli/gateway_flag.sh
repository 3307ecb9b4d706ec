#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --gateway HOST[:PORT] and --no-keys as a user types them: a malformed value
# is refused before any input is read (non-zero, the value named); well-formed
# ones (a name, an address with a port, [v6]:port) are taken by analyze,
# check and replay, and change nothing on a capture without HTTPS.
set -uo pipefail
bin=$1; src=$2
cap=$src/tests/pcaps/lab/ok-tls12-xrdp.pcap
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
for bad in 'gw.example.test:0' 'gw.example.test:99999' 'gw:' ':443' '[::1' '[::1]x' 'gw:44a'; do
    out=$("$bin" analyze --gateway "$bad" "$cap" 2>&1); rc=$?
    check "--gateway '$bad' refused" '[[ $rc -ne 0 && $out == *"HOST[:PORT]"* ]]'
done
plain=$("$bin" analyze -F json "$cap" 2>&1)
for good in gw.example.test 10.0.0.7:8443 '[2001:db8::7]:443' 2001:db8::7; do
    out=$("$bin" analyze -F json --gateway "$good" --no-keys "$cap" 2>&1); rc=$?
    check "--gateway '$good' taken, output unchanged" '[[ $rc -eq 0 && $out == "$plain" ]]'
done
"$bin" check --gateway gw.example.test --no-keys "$src/tests/pcaps/lab" >/dev/null 2>&1; rc=$?
check "check takes --gateway and --no-keys" '[[ $rc -eq 0 ]]'
out=$("$bin" replay --speed max -F json --gateway gw.example.test:443 "$cap" 2>&1); rc=$?
check "replay takes --gateway" '[[ $rc -eq 0 ]]'
exit $fail
