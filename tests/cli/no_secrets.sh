#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# No secret is ever printed: every output format (analyze and dissect, text
# and JSON, stdout and stderr, and analyze's HTML report) of every lab capture with a key log, decrypted
# with it, is searched for the key log's secrets (hex, either case) and the lab
# passwords (tools/lab/lib/peers.sh; ASCII, and UTF-16LE as hex in either case).
# A key log with junk lines is used too: what is skipped is never echoed.
set -uo pipefail
bin=$1; src=$2
dir=$src/tests/pcaps/lab
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passwords=("Lab-Passw0rd" "wrong-password")
utf16hex() { printf '%s' "$1" | iconv -f utf-8 -t utf-16le | od -An -tx1 | tr -d ' \n'; }
patterns=$tmp/patterns
for p in "${passwords[@]}"; do
  echo "$p"; u=$(utf16hex "$p"); echo "$u"; echo "${u^^}"
done >"$patterns"
n=0; fail=0
for keys in "$dir"/*.keys; do
  cap=${keys%.keys}.pcap
  # The secrets: the third field of every line (the second is the public ClientHello random).
  awk '{print $3; print toupper($3)}' "$keys" >>"$patterns"
  # A copy with junk lines that hold a secret-looking string, to see skipped lines stay unprinted.
  junk=$tmp/$(basename "$keys")
  { cat "$keys"; printf 'NOT A KEY LINE %s\r\n\0\0\0garbage-%s\n' "$(awk 'NR==1{print $3}' "$keys")" "${passwords[0]}"; } >"$junk"
  for cmd in analyze dissect; do
    for fmt in text json; do
      # The capture's and key log's names (nla-wrong-password-...) are no leak: cut them out.
      "$bin" "$cmd" --format "$fmt" --keylog "$junk" "$cap" 2>&1 |
        sed -e "s#$(basename "$cap" .pcap)#CAPTURE#g" >"$tmp/out.$n"
      n=$((n + 1))
    done
  done
  # The HTML report too (analyze --html).
  "$bin" analyze --keylog "$junk" --html "$tmp/page.html" "$cap" >/dev/null 2>&1
  sed -e "s#$(basename "$cap" .pcap)#CAPTURE#g" "$tmp/page.html" >"$tmp/out.$n"
  n=$((n + 1))
done
grep -q . "$tmp/out.0" || { echo "FAIL: no output"; exit 1; }
# The decryption must have happened, or the test proves nothing.
grep -q '"credssp":{' "$tmp"/out.* || { echo "FAIL: nothing was decrypted (no credssp object in any output)"; exit 1; }
if grep -F -l -f "$patterns" "$tmp"/out.* >/dev/null; then
  echo "FAIL: a secret or password appears in the output:"
  grep -F -o -f "$patterns" "$tmp"/out.* | cut -c1-40 | sort -u | head
  fail=1
fi
# The skipped lines are counted, never shown.
grep -q "lines are not NSS key log lines and were skipped" "$tmp/out.0" || { echo "FAIL: the skipped lines were not reported"; fail=1; }
[[ $fail -eq 0 ]] && echo "ok   $n outputs of $(ls "$dir"/*.keys | wc -l) captures with keys: no secret, no password"
exit $fail
