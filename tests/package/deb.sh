#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The .deb as an admin gets it: cpack -G DEB from this build, its control data
# (Depends derived by dpkg-shlibdeps) and files, then `apt-get install
# ./rdpscope_*.deb`, /usr/bin/rdpscope on a bundled capture, `man -w rdpscope`,
# and `apt-get remove`: the machine's package list is the same afterwards.
#
# Needs root (it installs a package): otherwise exit 77 (skipped) saying why.
# As root it never skips: a missing tool is a failure (tools/test installs
# help2man, man-db, dpkg-dev and file before the tests).
#   tests/package/deb.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1; src=$2
fail() { echo "FAIL $*"; exit 1; }
ok() { echo "ok   $*"; }

if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: installing a .deb needs root (run as root, as CI does)"
    exit 77
fi
for tool in cpack apt-get dpkg-deb dpkg-shlibdeps file help2man man readelf; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (tools/test installs the package tests' tools)"
done
# A Docker-slim style dpkg configuration that drops man pages would make the
# man check fail for a reason that is not rdpscope's: name it.
if grep -rqs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/; then
    fail "dpkg is configured to drop man pages ($(grep -rls 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/ | tr '\n' ' '))"
fi
# The test removes what it installs: a packaged rdpscope already here would be
# removed with it.
if dpkg-query -W -f='${Status}' rdpscope 2>/dev/null | grep -q 'ok installed'; then
    fail "a package rdpscope is already installed ($(dpkg-query -W -f='${Version}' rdpscope)); remove it first (apt-get remove rdpscope)"
fi

version=$(sed -n 's/^project(rdpscope VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[[ -n $version ]] || fail "no project version in $src/CMakeLists.txt"
arch=$(dpkg --print-architecture)

# apt's download sandbox user (_apt) must be able to read the .deb.
work=$(mktemp -d /tmp/rdpscope-deb.XXXXXX)
chmod 755 "$work"
installed=0
cleanup() {
    if ((installed)); then apt-get remove -y -q rdpscope >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- build ---------------------------------------------------------------------
start=$SECONDS
if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"; fail "cpack -G DEB"
fi
deb=$work/rdpscope_${version}_${arch}.deb
[[ -f $deb ]] || { ls "$work"; fail "cpack made no $(basename "$deb")"; }
ok "cpack -G DEB: $(basename "$deb"), $(stat -c %s "$deb") bytes, $((SECONDS - start)) s"

# --- control data --------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == rdpscope ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), not the project's $version"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
echo "     Depends: $depends"
# The package names alone, one a line (alternatives "a | b" count for each).
depends_names=$(sed -E 's/ *\([^)]*\)//g; s/ *[,|] */\n/g' <<<"$depends")
names() { grep -qxF "$1" <<<"$depends_names"; }
# Every shared library the binary needs (its NEEDED entries) must come from a
# package named in Depends: the Debian package that owns the library file the
# dynamic linker resolves here.
dpkg-deb -x "$deb" "$work/root"
bin=$work/root/usr/bin/rdpscope
[[ -x $bin ]] || fail "no /usr/bin/rdpscope in the package"
# NEEDED: the binary's own (not its libraries' libraries); ldd: where each is.
mapfile -t needed < <(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
((${#needed[@]} >= 4)) || fail "the binary needs only ${#needed[@]} libraries: ${needed[*]}"
resolved=$(ldd "$bin")
libs=()
for so in "${needed[@]}"; do
    lib=$(awk -v so="$so" '$1 == so && $2 == "=>" {print $3}' <<<"$resolved")
    [[ $lib == /* ]] || fail "ldd does not resolve $so"
    libs+=("$lib")
done
for lib in "${libs[@]}"; do
    owner=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1)
    [[ -n $owner ]] || owner=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
    [[ -n $owner ]] || fail "no Debian package owns $lib"
    names "$owner" || fail "$lib is in package $owner, which Depends does not name"
done
ok "Depends names the package of each of the ${#libs[@]} libraries the binary loads"
for pkg in libpcap0.8 libssl3 libnghttp2-14 libfmt9 libc6 libstdc++6; do
    names "$pkg" || fail "Depends has no $pkg"
done
# dpkg-shlibdeps writes versioned dependencies (>= the symbols' version).
grep -Eq 'libssl3 \(>= [0-9]' <<<"$depends" || fail "libssl3 has no minimum version: Depends was not derived by dpkg-shlibdeps"

for f in usr/share/man/man1/rdpscope.1.gz usr/share/doc/rdpscope/README.md usr/share/doc/rdpscope/LICENSE \
         usr/share/doc/rdpscope/THIRD-PARTY.md usr/share/doc/rdpscope/third-party/CLI11.txt \
         usr/share/doc/rdpscope/third-party/nlohmann-json.txt; do
    [[ -s $work/root/$f ]] || fail "no /$f in the package"
done
cmp -s "$work/root/usr/share/doc/rdpscope/LICENSE" "$src/LICENSE" || fail "the packaged LICENSE is not the source's"
# Nothing outside /usr, and no test or build residue.
stray=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -vE '^\./(usr/?|usr/(bin|share)(/.*)?)?$' || true)
[[ -z $stray ]] || fail "files outside /usr/bin and /usr/share: $stray"
ok "files: /usr/bin/rdpscope, the man page, README, LICENSE, THIRD-PARTY.md and the notices"

# The man page holds every subcommand's section (tools/make-manpage).
page=$(zcat "$work/root/usr/share/man/man1/rdpscope.1.gz")
for s in analyze dissect check capture replay rules; do
    grep -q "^\.SS \"rdpscope $s\"" <<<"$page" || fail "the man page has no section for 'rdpscope $s'"
done
grep -qF "$build" <<<"$page" && fail "the man page names the build directory ($build)"
ok "man page: a section per subcommand"

# --- install ---------------------------------------------------------------------
before=$(dpkg-query -W -f='${Package}:${Architecture} ${Version} ${Status}\n' | sort)
installed=1
if ! (cd "$work" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$(basename "$deb")") >"$work/apt.log" 2>&1; then
    cat "$work/apt.log"; fail "apt-get install ./$(basename "$deb")"
fi
after_install=$(dpkg-query -W -f='${Package}:${Architecture} ${Version} ${Status}\n' | sort)
added=$(comm -13 <(echo "$before") <(echo "$after_install"))
[[ $(grep -c . <<<"$added") -eq 1 && $added == "rdpscope:$arch $version install ok installed" ]] ||
    fail "apt-get install changed more than rdpscope: $added"
ok "apt-get install ./$(basename "$deb"): only rdpscope was added"

[[ $(command -v rdpscope) == /usr/bin/rdpscope ]] || fail "rdpscope on PATH is $(command -v rdpscope), not /usr/bin/rdpscope"
[[ $(/usr/bin/rdpscope --version | head -1) == "rdpscope $version" ]] || fail "/usr/bin/rdpscope --version: $(/usr/bin/rdpscope --version | head -1)"

# A bundled capture whose README states the verdict: the lab scenario
# fw-syn-drop-router (tests/pcaps/lab/README.md: the router drops the SYNs;
# firewall_drop / tcp_connect / network, syn_unanswered), one connection.
cap=$src/tests/pcaps/lab/fw-syn-drop-router.pcap
out=$(/usr/bin/rdpscope analyze -F json "$cap") ; rc=$?
[[ $rc -eq 1 ]] || fail "rdpscope analyze exited $rc, not 1 (a handshake did not complete)"
conns=$(grep -c '"type":"connection"' <<<"$out")
[[ $conns -eq 1 ]] || fail "$conns connections, not 1"
for kv in '"cause":"firewall_drop"' '"stalled_at":"tcp_connect"' '"waiting_on":"network"' '"verdict":"syn_unanswered"'; do
    grep -q "$kv" <<<"$out" || fail "/usr/bin/rdpscope analyze $(basename "$cap"): no $kv"
done
ok "/usr/bin/rdpscope analyze $(basename "$cap"): firewall_drop / tcp_connect / network (syn_unanswered)"

manpath=$(man -w rdpscope 2>&1) || fail "man -w rdpscope: $manpath"
[[ $manpath == /usr/share/man/man1/rdpscope.1.gz ]] || fail "man -w rdpscope: $manpath"
MANPAGER=cat MANWIDTH=80 man rdpscope 2>/dev/null | grep -q 'rdpscope analyze' || fail "man rdpscope does not show the analyze section"
ok "man -w rdpscope: $manpath"

# --- remove ------------------------------------------------------------------------
if ! DEBIAN_FRONTEND=noninteractive apt-get remove -y -q rdpscope >"$work/apt-remove.log" 2>&1; then
    cat "$work/apt-remove.log"; fail "apt-get remove -y rdpscope"
fi
installed=0
# No configuration files: the package is gone entirely, not left in "rc" state.
after=$(dpkg-query -W -f='${Package}:${Architecture} ${Version} ${Status}\n' | sort)
[[ $after == "$before" ]] || fail "the package list differs after apt-get remove: $(diff <(echo "$before") <(echo "$after") | head -5)"
[[ ! -e /usr/bin/rdpscope && ! -e /usr/share/man/man1/rdpscope.1.gz && ! -e /usr/share/doc/rdpscope ]] ||
    fail "files left behind after apt-get remove"
ok "apt-get remove -y rdpscope: the package list is as before"
exit 0
