#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Windows build under Wine (ctest label `windows`).
#
# Builds rdpscope.exe with tools/build-windows (mingw-w64; its libcrypto is
# cached, see there) and runs it under Wine:
#   - the import check: no wpcap.dll or Packet.dll, no MinGW runtime DLL;
#   - `--help` works;
#   - without Npcap, `capture -D` and `capture -i X` say that Npcap is not
#     installed and how to get it, exit status 2.  WINEDLLOVERRIDES=wpcap=d
#     disables Wine's own wpcap.dll (which forwards to the host's libpcap), and
#     rdpscope.exe looks only in Npcap's folder anyway: neither can stand in;
#   - `analyze -F json` and `dissect -F json` over every capture in tests/pcaps,
#     broken ones included: stdout, stderr and exit status identical to the
#     Linux build's (the reader is rdpscope's own, so even the messages about
#     broken files are the same words);
#   - a capture whose file name is not ASCII opens (UTF-16 command line and
#     _wfopen), with the same verdicts.
# Usage: run.sh build SOURCE_DIR WORK_DIR              (the fixture: builds)
#        run.sh wine SOURCE_DIR WORK_DIR LINUX_RDPSCOPE (the rest)
# Exit 77 (skipped) when Wine or mingw-w64 is missing (tools/test installs them
# as root).
set -uo pipefail
step=$1; src=$2; work=$3; linux=${4:-}
skip() { echo "SKIPPED: $*"; exit 77; }
command -v wine >/dev/null || skip "Wine is not installed (apt-get install wine wine64; tools/test installs it as root)"
command -v x86_64-w64-mingw32-g++-posix >/dev/null ||
    skip "mingw-w64 is not installed (apt-get install g++-mingw-w64-x86-64-posix; tools/test installs it as root)"
mkdir -p "$work"
work=$(cd "$work" && pwd)

start=$(date +%s)
exe=$work/build-win64/rdpscope.exe
if [[ $step == build ]]; then
    rm -f "$exe"
    "$src/tools/build-windows" "$work/build-win64" >/dev/null 2>"$work/build-windows.log" ||
        { echo "FAIL: tools/build-windows failed"; tail -20 "$work/build-windows.log"; exit 1; }
    cat "$work/build-windows.log"
    echo "built $exe ($(stat -c %s "$exe") bytes) in $(( $(date +%s) - start )) s"
    exit 0
fi
[[ -f $exe ]] || { echo "FAIL: no $exe (the windows.build test makes it)"; exit 1; }
built=$start

fail=0
bad() { echo "FAIL: $*"; fail=1; }

# The import check, again here so that a test fails, not only the script.
imports=$(x86_64-w64-mingw32-objdump -p "$exe" | awk '/DLL Name:/ {print tolower($3)}' | sort -u | tr '\n' ' ')
echo "imports: $imports"
[[ " $imports " == *" wpcap.dll "* || " $imports " == *" packet.dll "* ]] && bad "rdpscope.exe imports Npcap's DLLs: $imports"
for d in libstdc++-6.dll libgcc_s_seh-1.dll libwinpthread-1.dll libcrypto-3-x64.dll; do
    [[ " $imports " == *" $d "* ]] && bad "rdpscope.exe imports $d (not linked statically)"
done

# A prefix of our own; no Mono/Gecko installers, no Wine wpcap.
export WINEPREFIX=$work/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES="wpcap=d;mscoree=d;mshtml=d"
export WINEARCH=win64 DISPLAY=
wine=(wine)
command -v wine64 >/dev/null && wine=(wine64)
wineserver -p >/dev/null 2>&1  # one server for every run below (it ends itself when the test does: -k)
trap 'wineserver -k >/dev/null 2>&1' EXIT
"${wine[@]}" "$exe" --help >"$work/help.out" 2>"$work/help.err"
rc=$?
((rc == 0)) && grep -q "analyze" "$work/help.out" || bad "--help: exit $rc: $(head -3 "$work/help.err")"
echo "wine prefix ready, --help ok, $(( $(date +%s) - built )) s"

for args in "capture -D" "capture -i Ethernet"; do
    "${wine[@]}" "$exe" $args >"$work/capture.out" 2>"$work/capture.err"
    rc=$?
    if ((rc != 2)) || ! grep -q "Npcap is not installed" "$work/capture.err" || ! grep -q "https://npcap.com" "$work/capture.err"; then
        bad "$args without Npcap: exit $rc (want 2): $(cat "$work/capture.err")"
    else
        echo "$args without Npcap: exit 2: $(cat "$work/capture.err")"
    fi
done

# Every capture, both ways.  rdpscope takes many files per run: one Wine
# process per batch of 40 files keeps the test short; when a batch differs,
# its files are run one by one to name the capture that differs.
runs=0; same=0
run_both() {  # run_both LINUX-ARGS... -- WINDOWS-ARGS...: sets lrc, wrc; outputs in $work/[lw].{out,err}
    local -a la=() wa=(); local into=l a
    for a in "$@"; do
        if [[ $a == -- ]]; then into=w; continue; fi
        if [[ $into == l ]]; then la+=("$a"); else wa+=("$a"); fi
    done
    (cd "$src" && "$linux" "${la[@]}" >"$work/l.out" 2>"$work/l.err" </dev/null); lrc=$?
    (cd "$src" && "${wine[@]}" "$exe" "${wa[@]}" >"$work/w.out" 2>"$work/w.err" </dev/null); wrc=$?
}
identical() { ((lrc == wrc)) && cmp -s "$work/l.out" "$work/w.out" && cmp -s "$work/l.err" "$work/w.err"; }
show_diff() { diff <(cat "$work/l.out" "$work/l.err") <(cat "$work/w.out" "$work/w.err") | head -8; }
mapfile -t captures < <(cd "$src" && find tests/pcaps -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | LC_ALL=C sort)
for mode in analyze dissect; do
    for ((i = 0; i < ${#captures[@]}; i += 40)); do
        batch=("${captures[@]:i:40}")
        run_both "$mode" -F json "${batch[@]}" -- "$mode" -F json "${batch[@]}"
        if identical; then
            runs=$((runs + ${#batch[@]})); same=$((same + ${#batch[@]}))
            continue
        fi
        for f in "${batch[@]}"; do
            run_both "$mode" -F json "$f" -- "$mode" -F json "$f"
            runs=$((runs + 1))
            if identical; then same=$((same + 1)); else bad "$mode -F json $f: Linux exit $lrc, Windows exit $wrc"; show_diff; fi
        done
    done
done

# A file name outside ASCII (and outside any one ANSI code page): the same
# verdicts, under its own name.
first=tests/pcaps/public/zeek/rdp-proprietary-encryption.pcap
[[ -f $src/$first ]] || first=${captures[0]}
odd="$work/Überprüfung-接続.pcap"
cp "$src/$first" "$odd"
run_both analyze -F json "$first" -- analyze -F json "$odd"
sed -i "s|$odd|$first|g" "$work/w.out" "$work/w.err"
runs=$((runs + 1))
if identical && [[ -s $work/w.out ]]; then same=$((same + 1)); else bad "analyze of $odd: Linux exit $lrc, Windows exit $wrc"; show_diff; fi

echo "${#captures[@]} captures, $runs file runs: $same identical to the Linux build's; $(( $(date +%s) - start )) s in all"
exit $fail
