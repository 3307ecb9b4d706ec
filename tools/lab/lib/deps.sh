# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Packages the lab needs (Debian 12), and their installation when missing.

LAB_PACKAGES=(
    xrdp                 # server: xrdp 0.9.21
    freerdp2-x11         # client: xfreerdp 2.11
    freerdp2-shadow-x11  # server: freerdp-shadow-cli (NLA, RC4, RDP_NEG_FAILURE)
    winpr-utils          # winpr-hash: SAM entries for the shadow server
    python3-impacket     # client: rdp_check.py (CredSSP without FreeRDP)
    python3              # JSON writer and checker
    openssl              # certificates and keys
    socat                # hung/closing/non-RDP listeners
    tcpdump              # capture
    tshark               # checks on the captures
    nftables             # faults: drop, reject, loss, size, payload matches
    iproute2             # namespaces, veth, tc tbf
    ethtool              # offloads off on every veth
    iputils-ping         # ARP priming before the capture starts
    procps               # pgrep -g for process-group bookkeeping
    xvfb                 # xfreerdp needs an X display, even for /help
    gcc                  # builds the SSL key-log shim at run time
    libc6-dev            # ... and its headers
)

_missing_packages() {
    local p missing=()
    for p in "${LAB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    printf '%s\n' "${missing[@]}"
}

# deps_ensure: install what is missing.  Returns 1 if that fails.
deps_ensure() {
    local missing
    mapfile -t missing < <(_missing_packages | sed '/^$/d')
    ((${#missing[@]} == 0)) && return 0
    log "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture: answer no, silently.
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections 2>/dev/null || true
    apt-get update -q >/dev/null || return 1
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || return 1
    # Debian's xrdp package may start its daemons when a service manager is
    # present; the lab runs its own instances inside namespaces.
    if command -v systemctl >/dev/null && systemctl is-active -q xrdp 2>/dev/null; then
        systemctl stop xrdp xrdp-sesman 2>/dev/null || true
    fi
    mapfile -t missing < <(_missing_packages | sed '/^$/d')
    ((${#missing[@]} == 0))
}

_pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }

# peer_versions: sets PV_XFREERDP, PV_XRDP, PV_SHADOW, PV_IMPACKET, PV_OPENSSL.
peer_versions() {
    PV_XFREERDP="xfreerdp $(_pkgver freerdp2-x11 | sed 's/+.*//;s/^[0-9]*://') (Debian freerdp2-x11 $(_pkgver freerdp2-x11))"
    PV_SHADOW="freerdp-shadow-cli $(_pkgver freerdp2-shadow-x11 | sed 's/+.*//;s/^[0-9]*://') (Debian freerdp2-shadow-x11 $(_pkgver freerdp2-shadow-x11))"
    PV_XRDP="xrdp $(_pkgver xrdp | sed 's/-.*//') (Debian xrdp $(_pkgver xrdp))"
    PV_IMPACKET="impacket rdp_check.py $(_pkgver python3-impacket | sed 's/-.*//') (Debian python3-impacket $(_pkgver python3-impacket))"
    PV_OPENSSL="OpenSSL $(_pkgver libssl3)"
    PV_SOCAT="socat $(_pkgver socat | sed 's/-.*//') (Debian socat $(_pkgver socat))"
}
