#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --rsa-key as a user runs it, on the lab's two sessions with RSA key exchange
# (tools/lab/scenarios/45-suites.sh; both with the extended master secret, so
# the session hash is needed): with the server's private key and no key log,
# rdpscope decrypts the records tshark decrypts with the key log
# (tests/pcaps/lab-tshark-decrypt/NAME.json).  Another server's key, an ECDHE
# session and a file that holds no key each say why; the key itself is never
# printed.
set -uo pipefail
bin=$1; src=$2
lab=$src/tests/pcaps/lab
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
decryption() { python3 -c '
import json, sys
for l in sys.stdin:
    if l.startswith("{"):
        o = json.loads(l)
        if o.get("type") == "connection":
            d = o.get("tls", {}).get("decryption", {})
            print(d.get("keys_from"), d.get("records", {}).get("c2s"), d.get("bytes", {}).get("c2s"),
                  d.get("records", {}).get("s2c"), d.get("bytes", {}).get("s2c"), d.get("problem", ""))'; }
tshark_says() { python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))
print("rsa_key", b["c2s"][0], b["c2s"][1], b["s2c"][0], b["s2c"][1], "")' "$1"; }
for name in ok-tls10-rsa-xrdp ok-tls12-rsa-gcm-xrdp; do
  out=$("$bin" analyze -F json --rsa-key "$lab/$name.server-key.pem" "$lab/$name.pcap" 2>&1)
  got=$(decryption <<<"$out"); want=$(tshark_says "$src/tests/pcaps/lab-tshark-decrypt/$name.json")
  check "$name: the server's key decrypts what tshark decrypts with the key log ($want)" '[[ "$got" == "$want" ]]'
  key_line=$(sed -n 2p "$lab/$name.server-key.pem")
  check "$name: the key's bytes appear in no output" '[[ $out != *"$key_line"* ]]'
done
out=$("$bin" analyze -F json --rsa-key "$lab/ok-tls10-rsa-xrdp.server-key.pem" "$lab/ok-tls12-rsa-gcm-xrdp.pcap" 2>&1)
check "another server's key: not decrypted, and why" '[[ $(decryption <<<"$out") == *"belongs to the server"* && $out == *"\"keys_found\":false"* ]]'
out=$("$bin" analyze -F json --rsa-key "$lab/ok-tls10-rsa-xrdp.server-key.pem" "$lab/ok-tls12-chacha-xrdp.pcap" 2>&1)
check "ECDHE session: an RSA key cannot decrypt it, said so" '[[ $out == *"is not RSA"* ]]'
out=$("$bin" analyze --rsa-key "$src/README.md" "$lab/ok-tls12-rsa-gcm-xrdp.pcap" 2>&1); rc=$?
check "a file without a key: exit 2, named" '[[ $rc -eq 2 && $out == *"README.md: it holds no unencrypted PEM private key"* ]]'
# Both together: the key log wins where it has the session (keys_from key_log).
out=$("$bin" analyze -F json --rsa-key "$lab/ok-tls12-rsa-gcm-xrdp.server-key.pem" --keylog "$lab/ok-tls12-rsa-gcm-xrdp.keys" "$lab/ok-tls12-rsa-gcm-xrdp.pcap" 2>&1)
check "key log and RSA key: the key log is used" '[[ $(decryption <<<"$out") == "key_log 23 1859 62 62706 " ]]'
# replay reports a completed connection as soon as its verdict is final (as
# capture does), so its counts stop there: compare it with replay --keylog.
r=$("$bin" replay --speed max -F json --rsa-key "$lab/ok-tls10-rsa-xrdp.server-key.pem" "$lab/ok-tls10-rsa-xrdp.pcap" 2>&1)
k=$("$bin" replay --speed max -F json --keylog "$lab/ok-tls10-rsa-xrdp.keys" "$lab/ok-tls10-rsa-xrdp.pcap" 2>&1)
check "replay decrypts with the RSA key as with the key log" '[[ $(decryption <<<"$r") == "$(decryption <<<"$k" | sed "s/^key_log/rsa_key/")" && $(decryption <<<"$r") == "rsa_key 23 1859 "* ]]'
exit $fail
