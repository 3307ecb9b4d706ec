#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Windows zip's shape, checked on this build: cpack -G ZIP packs the `zip`
# install component (cmake/packaging.cmake) -- the binary, README.md,
# LICENSE.txt, THIRD-PARTY.md, CAPTURING.md and the third-party notices -- in
# one top folder named after the archive.  The Windows cross build (issue 19,
# tools/build-windows) runs the same cpack over the same component; there the
# binary is rdpscope.exe and the notices of the static runtimes are added.
# Needs no root.
#   tests/package/zip.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1; src=$2
fail() { echo "FAIL $*"; exit 1; }
ok() { echo "ok   $*"; }

version=$(sed -n 's/^project(rdpscope VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[[ -n $version ]] || fail "no project version in $src/CMakeLists.txt"
work=$(mktemp -d /tmp/rdpscope-zip.XXXXXX)
trap 'rm -rf "$work"' EXIT

if ! cpack --config "$build/CPackConfig.cmake" -G ZIP -B "$work" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"; fail "cpack -G ZIP"
fi
mapfile -t zips < <(cd "$work" && ls -- *.zip 2>/dev/null)
((${#zips[@]} == 1)) || fail "cpack made ${#zips[@]} zip files, not 1: ${zips[*]}"
zip=${zips[0]}
top=${zip%.zip}
[[ $top == "rdpscope-$version-"* ]] || fail "the zip is $zip, not rdpscope-$version-SYSTEM.zip"
ok "cpack -G ZIP: $zip, $(stat -c %s "$work/$zip") bytes"

# cmake -E tar reads zip archives (libarchive): no unzip needed.
(cd "$work" && cmake -E tar xf "$zip") || fail "cannot unpack $zip"
mapfile -t entries < <(cd "$work/$top" && find . -type f | sed 's|^\./||' | sort)
[[ -d $work/$top ]] || fail "$zip has no top folder $top"
outside=$(cd "$work" && cmake -E tar tf "$zip" | grep -v "^$top/" || true)
[[ -z $outside ]] || fail "$zip has entries outside $top/: $outside"

exe=rdpscope
[[ $top == *windows* ]] && exe=rdpscope.exe
want=("$exe" README.md LICENSE.txt THIRD-PARTY.md CAPTURING.md
      third-party/CLI11.txt third-party/nlohmann-json.txt third-party/fmt.txt third-party/libpcap-headers.txt
      third-party/OpenSSL.txt third-party/Apache-2.0.txt)
[[ $top == *windows* ]] && want+=(third-party/mingw-w64-runtime.txt third-party/gcc-runtime.txt)
for f in "${want[@]}"; do
    [[ -s $work/$top/$f ]] || fail "$zip has no $top/$f (it holds: ${entries[*]})"
done
[[ ${#entries[@]} -eq ${#want[@]} ]] || fail "$zip holds ${#entries[@]} files, not ${#want[@]}: ${entries[*]}"
ok "$zip holds: ${entries[*]}"

# Nothing of the FHS layout (bin/, share/) leaks in; the licence is ours; the
# capture guide is the README's section, whole.
cmp -s "$work/$top/LICENSE.txt" "$src/LICENSE" || fail "LICENSE.txt is not the source's LICENSE"
head -1 "$work/$top/CAPTURING.md" | grep -qx '# Capturing on Windows' || fail "CAPTURING.md does not start with its heading"
grep -q 'pktmon start --capture --pkt-size 0' "$work/$top/CAPTURING.md" || fail "CAPTURING.md lacks the pktmon commands"
grep -q '^### ' "$work/$top/CAPTURING.md" && fail "CAPTURING.md runs into the README's next section"
grep -q 'Apache License' "$work/$top/third-party/Apache-2.0.txt" || fail "third-party/Apache-2.0.txt is not the Apache licence"
ok "LICENSE.txt, CAPTURING.md (the README's 'Capturing on Windows') and the Apache-2.0 text are right"
exit 0
