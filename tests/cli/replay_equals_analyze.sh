#!/usr/bin/env bash
# `rdpscope replay --speed max` runs the live pipeline (idle ticks, timers)
# over a file: its verdicts must equal `rdpscope analyze` on every capture.
set -uo pipefail
bin=$1; src=$2
fail=0; n=0
while IFS= read -r f; do
  a=$("$bin" analyze -F json "$f" 2>/dev/null)
  r=$("$bin" replay --speed max -F json "$f" 2>/dev/null)
  n=$((n + 1))
  if [[ "$a" != "$r" ]]; then
    echo "FAIL $f"; diff <(echo "$a") <(echo "$r") | head -5; fail=1
  fi
done < <(find "$src/tests/pcaps" -name '*.pcap*' -not -name '*.expect.json' -not -name '*.out' -not -name '*.tsv' \
         -not -name '*.keys' -not -path '*/bad/*' | sort)
echo "$n captures compared"
exit $fail
