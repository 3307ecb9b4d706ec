#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The same IP packets in every file format and link type rdpscope reads give
# the same PDUs (tests/pcaps/formats, made by tools/make-format-variants).
set -uo pipefail
bin=$1; src=$2
dir=$src/tests/pcaps/formats
ref=$("$bin" dissect -F json "$dir/ethernet-le-usec.pcap" | sed 's/"file":"[^"]*",//')
n=$(grep -c '"pdu":"x224.cr"' <<<"$ref")
[[ $n -eq 2 ]] || { echo "FAIL reference: expected 2 Connection Requests, got $n"; exit 1; }
fail=0
for f in "$dir"/*.pcap*; do
  [[ $(basename "$f") == ipv6-* ]] && continue
  got=$("$bin" dissect -F json "$f" 2>&1 | sed 's/"file":"[^"]*",//')
  if [[ "$got" == "$ref" ]]; then echo "ok   $(basename "$f")"; else echo "FAIL $(basename "$f")"; diff <(echo "$ref") <(echo "$got") | head; fail=1; fi
done
# IPv6 with hop-by-hop and destination-options headers: same PDUs, v6 endpoints.
v6=$("$bin" dissect -F json "$dir/ipv6-extension-headers.pcap" | sed 's/"file":"[^"]*",//')
strip() { sed -E 's/"(src|dst)":"[^"]*",//g'; }
if [[ "$(strip <<<"$v6")" == "$(strip <<<"$ref")" ]] && grep -q '"src":"\[2001:db8::c0a8:1c8\]:49206"' <<<"$v6"; then
  echo "ok   ipv6-extension-headers.pcap"
else
  echo "FAIL ipv6-extension-headers.pcap"; diff <(strip <<<"$ref") <(strip <<<"$v6") | head; fail=1
fi
exit $fail
