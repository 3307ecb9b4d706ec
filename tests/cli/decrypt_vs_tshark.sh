#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Decryption against the oracle: every lab capture with a key log, decrypted
# by rdpscope (--keylog) and by tshark 4.0 with the same keys
# (tools/decrypt-vs-tshark): the same records and plaintext bytes each way,
# the same CredSSP TSRequests (frame, version, errorCode).  Without tshark,
# against its recorded answers (tests/pcaps/lab-tshark-decrypt).
set -uo pipefail
bin=$1; src=$2
fail=0; n=0
for keys in "$src"/tests/pcaps/lab/*.keys; do
  name=$(basename "${keys%.keys}")
  base=$src/tests/pcaps/lab-tshark-decrypt/$name.json
  if command -v tshark >/dev/null; then
    "$src/tools/decrypt-vs-tshark" "$bin" "${keys%.keys}.pcap" "$keys" || fail=1
  elif [[ -f $base ]]; then
    "$src/tools/decrypt-vs-tshark" --baseline "$base" "$bin" "${keys%.keys}.pcap" "$keys" || fail=1
  else
    echo "FAIL $name: no tshark and no baseline $base"; fail=1
  fi
  n=$((n + 1))
done
[[ $n -ge 30 ]] || { echo "FAIL: expected the 30 lab captures with keys, found $n"; fail=1; }
exit $fail
