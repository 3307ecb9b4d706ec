#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sanitizer pass (ctest label `sanitize`): rdpscope built with clang's
# AddressSanitizer and UndefinedBehaviorSanitizer -- the RDPSCOPE_FUZZ build,
# instrumented throughout, with -fno-sanitize-recover -- runs `analyze` (with --html),
# `dissect` and `replay --speed max` over every capture in tests/pcaps,
# broken ones included, and over the hostile set of tools/make-hostile.  Any sanitizer report fails the test; so does an exit
# status other than rdpscope's own 0, 1 and 2.
# Usage: run.sh SOURCE_DIR WORK_DIR.  Exit 77 (skipped) without clang.
set -uo pipefail
src=$1; work=$2
skip() { echo "SKIPPED: $*"; exit 77; }
command -v clang++ >/dev/null || skip "clang is not installed (apt-get install clang libclang-rt-14-dev; tools/test installs them as root)"

start=$(date +%s)
cmake -S "$src" -B "$work" -DRDPSCOPE_FUZZ=ON -DRDPSCOPE_TESTS=OFF \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >"$work.configure.log" 2>&1 ||
    { echo "FAIL: cannot configure the sanitizer build"; tail -20 "$work.configure.log"; exit 1; }
cmake --build "$work" --target rdpscope -j"$(nproc)" >"$work.build.log" 2>&1 ||
    { echo "FAIL: the sanitizer build failed"; grep -E "error" "$work.build.log" | head -20; exit 1; }
bin=$work/rdpscope
echo "built $bin in $(( $(date +%s) - start )) s"

# The hostile set (tests/hostile/run.sh checks its outcomes and memory; here
# it runs under the sanitizers too).
rm -rf "$work-hostile"
python3 "$src/tools/make-hostile" "$work-hostile" >/dev/null || { echo "FAIL: tools/make-hostile failed"; exit 1; }

# exitcode=99: a sanitizer's exit is told apart from rdpscope's 1 and 2.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99
err=$(mktemp); trap 'rm -f "$err"' EXIT
fail=0; runs=0
while IFS= read -r f; do
  # analyze also writes the HTML report (to /dev/null): its code runs instrumented too.
  for mode in "analyze -F json --html /dev/null" "dissect -F json" "replay --speed max -F json"; do
    timeout 120 "$bin" $mode "$f" >/dev/null 2>"$err" </dev/null
    rc=$?
    runs=$((runs + 1))
    if (( rc > 2 )) || grep -qE "runtime error|Sanitizer" "$err"; then
      echo "FAIL: $mode $f: exit $rc"; grep -E -A12 "runtime error|ERROR: .*Sanitizer" "$err" | head -20
      fail=1
    fi
  done
done < <(find "$src/tests/pcaps" "$work-hostile" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
echo "$runs runs under ASan+UBSan in $(( $(date +%s) - start )) s in all: $([[ $fail == 0 ]] && echo "no report" || echo "FAILED")"
exit $fail
