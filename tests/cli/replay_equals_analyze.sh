#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `rdpscope replay --speed max` runs the live pipeline (idle ticks, timers,
# verdicts printed the moment they are decided) over a file: its verdicts must
# equal `rdpscope analyze` on every capture.  analyze prints each connection
# whole when it ends, replay when its verdict is decided, so the figures that
# keep growing after the verdict (last frame, duration, packet counts) differ;
# the verdict fields must not.
set -uo pipefail
bin=$1; src=$2
fail=0; n=0
# Live, a block found across connections (README: "Groups, attempts and
# blocks") comes after the connections it amends, in the final group objects:
# applied as the README tells a consumer to, the verdicts must be equal too.
fields() {
  python3 -c '
import json, sys
conns, amends = [], {}
for line in sys.stdin:
    d = json.loads(line)
    if d.get("type") == "connection":
        conns.append(d)
    elif d.get("type") == "group" and d.get("final"):
        for a in d.get("amends", []):
            amends[a["conn"]] = a
for d in conns:
    a = amends.get(d["conn"])
    if a and d.get("verdict") != a["verdict"]:
        for k in ("cause", "verdict", "confidence", "summary", "waiting_on"):
            d[k] = a[k]
        d["evidence"] = a["evidence"] + d["evidence"]
    print(json.dumps({k: d.get(k) for k in ("conn", "client", "server", "phase", "stalled_at", "waiting_on",
                                             "cause", "verdict", "confidence", "summary", "evidence")}, sort_keys=True))
'
}
while IFS= read -r f; do
  a=$("$bin" analyze -F json "$f" 2>/dev/null | fields | sort)
  r=$("$bin" replay --speed max -F json "$f" 2>/dev/null | fields | sort)
  n=$((n + 1))
  if [[ "$a" != "$r" ]]; then
    echo "FAIL $f"; diff <(echo "$a") <(echo "$r") | head -5; fail=1
  fi
done < <(find "$src/tests/pcaps" -name '*.pcap*' -not -name '*.expect.json' -not -name '*.out' -not -name '*.tsv' \
         -not -name '*.keys' -not -path '*/bad/*' | sort)
echo "$n captures compared"
exit $fail
