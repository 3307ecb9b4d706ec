#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Decryption against the oracle: every lab capture with a key log, decrypted
# by rdpscope (--keylog) and by tshark 4.0 with the same keys
# (tools/decrypt-vs-tshark): the same records and plaintext bytes each way,
# the same CredSSP TSRequests (frame, version, errorCode).  tshark's answers
# are recorded in tests/pcaps/lab-tshark-decrypt (as tests/pcaps/lab-tshark
# for the handshake): ~10 s.  DECRYPT_TSHARK=live runs tshark itself (two
# passes over 30 captures, twice: ~5 min on a loaded 2-core machine).
set -uo pipefail
bin=$1; src=$2
fail=0; n=0
for keys in "$src"/tests/pcaps/lab/*.keys; do
  name=$(basename "${keys%.keys}")
  base=$src/tests/pcaps/lab-tshark-decrypt/$name.json
  if [[ ${DECRYPT_TSHARK:-} == live ]] && command -v tshark >/dev/null; then
    "$src/tools/decrypt-vs-tshark" "$bin" "${keys%.keys}.pcap" "$keys" || fail=1
  elif [[ -f $base ]]; then
    "$src/tools/decrypt-vs-tshark" --baseline "$base" "$bin" "${keys%.keys}.pcap" "$keys" || fail=1
  else
    echo "FAIL $name: no baseline $base"; fail=1
  fi
  n=$((n + 1))
done
[[ $n -ge 30 ]] || { echo "FAIL: expected the 30 lab captures with keys, found $n"; fail=1; }
exit $fail
