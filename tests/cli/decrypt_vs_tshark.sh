#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Decryption against the oracle: every lab capture with a key log, decrypted
# by rdpscope (--keylog) and by tshark 4.0 with the same keys
# (tools/decrypt-vs-tshark): the same records and plaintext bytes each way,
# the same CredSSP TSRequests (frame, version, errorCode).  77 without tshark.
set -uo pipefail
bin=$1; src=$2
command -v tshark >/dev/null || { echo "skip: no tshark"; exit 77; }
fail=0; n=0
for keys in "$src"/tests/pcaps/lab/*.keys; do
  "$src/tools/decrypt-vs-tshark" "$bin" "${keys%.keys}.pcap" "$keys" || fail=1
  n=$((n + 1))
done
[[ $n -ge 30 ]] || { echo "FAIL: expected the 30 lab captures with keys, found $n"; fail=1; }
exit $fail
