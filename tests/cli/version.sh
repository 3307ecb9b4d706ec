#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rdpscope --version: the project version (CMakeLists.txt), the git commit the
# binary was built from, and the versions of the libpcap and OpenSSL it runs
# with (and libnghttp2's) -- compared with the Debian packages that own the libraries the dynamic
# linker actually loads for this binary.
set -uo pipefail
bin=$1; src=$2
fail() { echo "FAIL $*"; exit 1; }
ok() { echo "ok   $*"; }

out=$("$bin" --version) || fail "--version exited $?"
mapfile -t line <<<"$out"
printf '     %s\n' "${line[@]}"
[[ ${#line[@]} -eq 6 ]] || fail "${#line[@]} lines, not 6"

version=$(sed -n 's/^project(rdpscope VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[[ -n $version ]] || fail "no project version in $src/CMakeLists.txt"
[[ ${line[0]} == "rdpscope $version" ]] || fail "first line '${line[0]}', not 'rdpscope $version'"
ok "version $version, as project() in CMakeLists.txt"

# The commit: HEAD of the checkout the binary was built from ("-modified" when
# tracked files had changes then), "unknown" outside a git checkout.
commit=${line[1]#commit: }
[[ ${line[1]} == "commit: "* ]] || fail "second line '${line[1]}' is not 'commit: ...'"
if command -v git >/dev/null && [[ $(git -C "$src" rev-parse --show-toplevel 2>/dev/null) -ef $src ]]; then
    head=$(git -C "$src" rev-parse HEAD)
    [[ $commit == "$head" || $commit == "$head-modified" ]] ||
        fail "commit '$commit', not HEAD $head (rebuild after committing?)"
    ok "commit $commit is the checkout's HEAD"
else
    [[ $commit == unknown ]] || fail "commit '$commit' outside a git checkout, not 'unknown'"
    ok "commit unknown outside a git checkout"
fi

# The libraries: the files ldd resolves for this binary, their Debian packages,
# and those packages' upstream versions (epoch and Debian revision cut off).
command -v dpkg-query >/dev/null || { echo "SKIP: no dpkg-query to learn the libraries' versions"; exit 77; }
pkg_of() {
    local lib
    lib=$(ldd "$bin" | awk -v n="$1" '$1 ~ "^" n {print $3; exit}')
    [[ -n $lib ]] || return 1
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1
}
upstream() { dpkg-query -W -f='${Version}' "$1" | sed -E 's/^[0-9]+://; s/-[^-]*$//; s/\+.*$//'; }

pcap_pkg=$(pkg_of libpcap.so) || fail "ldd shows no libpcap for $bin"
pcap_version=$(upstream "$pcap_pkg")
[[ ${line[2]} == "capture library: libpcap version $pcap_version"* ]] ||
    fail "third line '${line[2]}', not 'capture library: libpcap version $pcap_version...' ($pcap_pkg)"
ok "libpcap $pcap_version, as Debian's $pcap_pkg"

ssl_pkg=$(pkg_of libcrypto.so) || fail "ldd shows no libcrypto for $bin"
ssl_version=$(upstream "$ssl_pkg")
[[ ${line[3]} == "crypto library: OpenSSL $ssl_version "* ]] ||
    fail "fourth line '${line[3]}', not 'crypto library: OpenSSL $ssl_version ...' ($ssl_pkg)"
ok "OpenSSL $ssl_version, as Debian's $ssl_pkg"

# libnghttp2 (HPACK, for the KDC proxy over HTTP/2): linked on Linux.
h2_pkg=$(pkg_of libnghttp2.so) || fail "ldd shows no libnghttp2 for $bin"
h2_version=$(upstream "$h2_pkg")
[[ ${line[4]} == "HTTP/2 header library: libnghttp2 $h2_version" ]] ||
    fail "fifth line '${line[4]}', not 'HTTP/2 header library: libnghttp2 $h2_version' ($h2_pkg)"
ok "libnghttp2 $h2_version, as Debian's $h2_pkg"

head -1 "$src/LICENSE" | grep -q '^MIT License' || fail "LICENSE is not the MIT licence"
[[ ${line[5]} == "licence: MIT" ]] || fail "sixth line '${line[5]}', not 'licence: MIT'"
ok "licence MIT, as LICENSE"

# The usage lines name the program, not the path it was run from (the man page
# is made from them).
"$bin" --help | grep -q '^Usage: rdpscope \[OPTIONS\] SUBCOMMAND' || fail "--help's usage does not say 'rdpscope'"
"$bin" analyze --help | grep -q '^Usage: rdpscope analyze ' || fail "analyze --help's usage does not say 'rdpscope analyze'"
ok "usage lines say rdpscope"
exit 0
