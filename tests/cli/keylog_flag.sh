#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --keylog as a user runs it: a key log that cannot be opened is an unusable
# input (exit 2, named); a key log for other sessions decrypts nothing and
# says why; without --keylog the output has no decryption at all; replay
# gives the decrypted CredSSP as analyze does.
set -uo pipefail
bin=$1; src=$2
lab=$src/tests/pcaps/lab
cap=$lab/nla-wrong-password-xfreerdp.pcap
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
out=$("$bin" analyze --keylog /nonexistent/keys "$cap" 2>&1); rc=$?
check "missing key log: exit 2, named" '[[ $rc -eq 2 && $out == *"/nonexistent/keys: cannot open the key log"* ]]'
out=$("$bin" analyze -F json --keylog "$lab/ok-tls13-xrdp.keys" "$cap" 2>&1)
check "other sessions' keys: not decrypted, and why" '[[ $out == *"\"keys_found\":false"* && $out == *"no secrets for this session"* && $out != *"\"credssp\":{"* ]]'
out=$("$bin" analyze -F json "$cap" 2>&1)
check "no --keylog: no decryption fields" '[[ $out != *"decryption"* && $out != *"\"credssp\":{"* ]]'
# The capture's two attempts: NTLM NEGOTIATE, CHALLENGE, AUTHENTICATE each (tools/lab/scenarios/50-nla.sh).
a=$("$bin" analyze -F json --keylog "${cap%.pcap}.keys" "$cap" 2>&1)
check "decrypted: 6 TSRequests, NTLM messages in order" '[[ $(grep -o "\"ntlm_message\":\"[A-Z]*\"" <<<"$a" | tr -d "\n") == "$(printf "\"ntlm_message\":\"%s\"" NEGOTIATE CHALLENGE AUTHENTICATE NEGOTIATE CHALLENGE AUTHENTICATE)" ]]'
check "decrypted: the credssp phase says decrypted" '[[ $(grep -c "\"phase\":\"credssp\",\"started\":true,\"done\":false,\"decrypted\":true" <<<"$a") -eq 2 ]]'
r=$("$bin" replay --speed max -F json --keylog "${cap%.pcap}.keys" "$cap" 2>&1)
credssp_of() { python3 -c 'import json,sys; print([c.get("credssp") for c in (json.loads(l) for l in sys.stdin if l.startswith("{")) if c.get("type") == "connection"])'; }
check "replay decrypts as analyze does" '[[ "$(credssp_of <<<"$r")" == "$(credssp_of <<<"$a")" && $(credssp_of <<<"$r") == *ts_requests* ]]'
d=$("$bin" dissect -F json --keylog "${cap%.pcap}.keys" "$cap" 2>&1)
check "dissect: credssp.ts_request events" '[[ $(grep -c "\"pdu\":\"credssp.ts_request\"" <<<"$d") -eq 6 ]]'
# Partial TLS 1.3 secrets (only *_TRAFFIC_SECRET_0, as some DSBs hold): the
# encrypted handshake (EncryptedExtensions..Finished: 4 server records, the
# client's Finished) is skipped and said so; CredSSP is still read.
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
grep TRAFFIC_SECRET_0 "${cap%.pcap}.keys" >"$tmp"
p=$("$bin" analyze -F json --keylog "$tmp" "$cap" 2>&1)
check "partial TLS 1.3 secrets: handshake skipped, CredSSP read" '[[ $(grep -c "\"skipped\":{\"c2s\":1,\"s2c\":4}" <<<"$p") -eq 2 && $(grep -o "\"ntlm_message\"" <<<"$p" | wc -l) -eq 6 && $p == *"no TLS 1.3 handshake secrets"* ]]'
exit $fail
