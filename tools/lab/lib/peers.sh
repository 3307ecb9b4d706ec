# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The RDP peers: xrdp and freerdp-shadow-cli as servers, xfreerdp and
# impacket's rdp_check.py as clients, socat for scripted listeners, and the
# X servers and certificates they need.
#
# Conventions
# - Servers run in $NS_SRV, clients in $NS_CLI, each started through
#   bg_start (own session and process group) or bounded by `timeout`.
# - Every TLS-capable process gets the key-log shim (LD_PRELOAD) and writes
#   to $SCN_WORK/keys.log; the lab keeps the unique lines as NAME.keys.
# - Clients get HOME=$SCN_WORK/home so that FreeRDP's known_hosts and the
#   shadow server's generated certificate never touch /root.

IMPACKET_RDP_CHECK=/usr/share/doc/python3-impacket/examples/rdp_check.py
LAB_USER=rdplab
LAB_PASS='Lab-Passw0rd'
LAB_DOMAIN=RDPLAB

# ---------------------------------------------------------------------------
# Key-log shim: compiled once per lab run into $LAB_BUILD.
# ---------------------------------------------------------------------------
keylog_build() {
    KEYLOG_SO="$LAB_BUILD/sslkeylog.so"
    [[ -f $KEYLOG_SO ]] && return 0
    gcc -shared -fPIC -O2 -Wall -o "$KEYLOG_SO" "$LAB_DIR/lib/sslkeylog.c" -ldl
}

# peer_env: env(1) arguments for every peer: a clean environment (nothing
# from the caller such as SSL_CERT_FILE, a pyenv PATH or a proxy leaks into
# the peers, so runs are alike on every machine) plus the key-log shim.
peer_env() {
    printf '%s\n' -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        "LD_PRELOAD=$KEYLOG_SO" "SSLKEYLOGFILE=$SCN_WORK/keys.log"
}

# ---------------------------------------------------------------------------
# X displays.  xfreerdp needs one even for /help; the shadow server shares
# one.  Xvfb runs with -noreset so that a client disconnecting does not reset
# (and briefly close) the display between connections.
# ---------------------------------------------------------------------------
_free_display() {
    local n pid
    for ((n = 70; n < 200; n++)); do
        if [[ -e /tmp/.X$n-lock ]]; then
            pid=$(tr -dc '0-9' <"/tmp/.X$n-lock" 2>/dev/null)
            # A lock whose process is gone is stale (an X server killed
            # hard): clear it and its socket, then use the number.
            if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
                rm -f "/tmp/.X$n-lock" "/tmp/.X11-unix/X$n"
            else
                continue
            fi
        fi
        [[ -e /tmp/.X11-unix/X$n ]] && continue
        echo "$n"
        return 0
    done
    return 1
}

# xvfb_start NS VAR: start Xvfb inside NS, store ":N" in VAR.
xvfb_start() {
    local ns=$1 var=$2 n i
    n=$(_free_display) || die "no free X display number"
    bg_start "xvfb-$ns" ip netns exec "$ns" Xvfb ":$n" -noreset -nolisten tcp -screen 0 1024x768x24
    for i in $(seq 50); do
        [[ -e /tmp/.X11-unix/X$n ]] && break
        sleep 0.1
    done
    [[ -e /tmp/.X11-unix/X$n ]] || die "Xvfb :$n did not start"
    printf -v "$var" ':%s' "$n"
}

# ---------------------------------------------------------------------------
# Certificates.  A lab CA signs server certificates; clients that must
# verify (the certificate scenarios) trust it through SSL_CERT_FILE, which
# OpenSSL's default verify paths (used by FreeRDP) honour.
# ---------------------------------------------------------------------------
_ca_init() {
    local d="$SCN_WORK/ca"
    [[ -f $d/ca.pem ]] && return 0
    mkdir -p "$d"
    cat >"$d/ca.cnf" <<'EOF'
[ca]
default_ca = lab
[lab]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
EOF
    : >"$d/index.txt"
    echo 1000 >"$d/serial"
    x openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 3650 \
        -subj "/CN=rdplab test CA" -addext basicConstraints=critical,CA:true \
        -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# cert_selfsigned NAME CN [SAN]: $SCN_WORK/NAME.pem + NAME.key, self-signed.
cert_selfsigned() {
    local name=$1 cn=$2 san=${3:-DNS:$2}
    x openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SCN_WORK/$name.key" \
        -out "$SCN_WORK/$name.pem" -days 365 -subj "/CN=$cn" \
        -addext "subjectAltName=$san" 2>/dev/null
}

# cert_ca_signed NAME CN SAN [STARTDATE ENDDATE]: signed by the lab CA.
cert_ca_signed() {
    local name=$1 cn=$2 san=$3 start=${4:-} end=${5:-}
    _ca_init
    local d="$SCN_WORK/ca"
    x openssl req -newkey rsa:2048 -nodes -keyout "$SCN_WORK/$name.key" -out "$d/$name.csr" \
        -subj "/CN=$cn" -addext "subjectAltName=$san" 2>/dev/null
    local dates=(-days 365)
    [[ -n $start ]] && dates=(-startdate "$start" -enddate "$end")
    (cd "$d" && x openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
        -in "$name.csr" -out "$SCN_WORK/$name.pem" -notext "${dates[@]}" >/dev/null 2>&1)
}

# ---------------------------------------------------------------------------
# xrdp.  Its ini is Debian's with our [Globals] overrides; tls_ciphers is
# only a comment in Debian's file, so keys that are missing are added.
# xrdp_start KEY=VALUE...
# ---------------------------------------------------------------------------
xrdp_start() {
    local ini="$SCN_WORK/xrdp.ini" kv k v
    # Default: self-signed, but naming the address the client connects to,
    # so that "untrusted issuer" is its only defect.
    if [[ ! -f $SCN_WORK/server.pem ]]; then
        cert_selfsigned server "$SRV_IP" "IP:$SRV_IP"
    fi
    local -A set=(
        [port]="tcp://$SRV_IP:$RDP_PORT"
        [security_layer]=negotiate
        [crypt_level]=high
        [certificate]="$SCN_WORK/server.pem"
        [key_file]="$SCN_WORK/server.key"
        [ssl_protocols]="TLSv1.2, TLSv1.3"
        [LogFile]="$SCN_WORK/xrdp-server.log"
        [LogLevel]=DEBUG
        [EnableSyslog]=false
    )
    for kv in "$@"; do set[${kv%%=*}]=${kv#*=}; done
    cp /etc/xrdp/xrdp.ini "$ini"
    local desc=()
    for k in $(printf '%s\n' "${!set[@]}" | sort); do
        v=${set[$k]}
        if grep -q "^$k=" "$ini"; then
            sed -i "s|^$k=.*|$k=$v|" "$ini"
        elif [[ $k == Log* || $k == EnableSyslog ]]; then
            sed -i "/^\[Logging\]/a $k=$v" "$ini"
        else
            sed -i "/^\[Globals\]/a $k=$v" "$ini"
        fi
        [[ $k == Log* || $k == EnableSyslog ]] || desc+=("$k=$v")
    done
    local IFS=' '
    record "# \$WORK/xrdp.ini = /etc/xrdp/xrdp.ini with $(printf '%s; ' "${desc[@]}" | sed 's/; $//' | sed "s|$SCN_WORK|\$WORK|g")"
    unset IFS
    local -a kenv
    mapfile -t kenv < <(peer_env)
    bg_start xrdp ip netns exec "$NS_SRV" env "${kenv[@]}" xrdp --nodaemon --config "$ini"
    wait_listen "$NS_SRV" "$RDP_PORT" || die "xrdp did not listen (see $SCN_WORK/xrdp.log)"
    SCN_SERVER_PEER=$PV_XRDP
}

# ---------------------------------------------------------------------------
# freerdp-shadow-cli.  It shares an Xvfb screen and keeps its own generated
# certificate under $HOME/.config/freerdp/server.  With NLA it checks NTLM
# credentials against the SAM file written with winpr-hash; +auth (off by
# default) would in addition require a system account, so it stays off.
# shadow_start ARGS...   (e.g. /sec:nla)
# ---------------------------------------------------------------------------
shadow_start() {
    local sam="$SCN_WORK/shadow.sam"
    record "winpr-hash -u $LAB_USER -p '$LAB_PASS' -f sam > \$WORK/shadow.sam"
    winpr-hash -u "$LAB_USER" -p "$LAB_PASS" -f sam >"$sam"
    xvfb_start "$NS_SRV" SHADOW_DISPLAY
    mkdir -p "$SCN_WORK/home-srv"
    local -a kenv
    mapfile -t kenv < <(peer_env)
    bg_start shadow ip netns exec "$NS_SRV" env "${kenv[@]}" DISPLAY="$SHADOW_DISPLAY" \
        HOME="$SCN_WORK/home-srv" freerdp-shadow-cli /port:"$RDP_PORT" /bind-address:"$SRV_IP" \
        /sam-file:"$sam" "$@"
    wait_listen "$NS_SRV" "$RDP_PORT" 100 || die "freerdp-shadow-cli did not listen (see $SCN_WORK/shadow.log)"
    SCN_SERVER_PEER=$PV_SHADOW
}

# ---------------------------------------------------------------------------
# Clients.  Both run in the foreground, bounded by timeout (FreeRDP waits
# forever on a silent server).  CLIENT_RC holds the exit status.
# xfreerdp_run SECONDS ARGS...
# ---------------------------------------------------------------------------
xfreerdp_run() {
    local secs=$1; shift
    if [[ -n ${LAB_MAX_SECONDS:-} ]] && ((secs > LAB_MAX_SECONDS)); then secs=$LAB_MAX_SECONDS; fi
    [[ -n ${CLI_DISPLAY:-} ]] || xvfb_start "$NS_CLI" CLI_DISPLAY
    mkdir -p "$SCN_WORK/home"
    local -a kenv
    mapfile -t kenv < <(peer_env)
    local cmd=(ip netns exec "$NS_CLI" env "${kenv[@]}" DISPLAY="$CLI_DISPLAY" HOME="$SCN_WORK/home"
        ${CLIENT_ENV[@]+"${CLIENT_ENV[@]}"}
        timeout -k 2 "$secs" xfreerdp /v:"$SRV_IP:$RDP_PORT" /log-level:INFO "$@")
    record "$(q "${cmd[@]}")"
    CLIENT_RC=0
    "${cmd[@]}" >>"$SCN_WORK/client.log" 2>&1 </dev/null || CLIENT_RC=$?
    SCN_CLIENT_PEER=$PV_XFREERDP
}

# impacket_run SECONDS USER PASS: CredSSP check with rdp_check.py.
impacket_run() {
    local secs=$1 user=$2 pass=$3
    local -a kenv
    mapfile -t kenv < <(peer_env)
    local cmd=(ip netns exec "$NS_CLI" env "${kenv[@]}" HOME="$SCN_WORK/home"
        timeout -k 2 "$secs" "$PY" "$IMPACKET_RDP_CHECK" "$LAB_DOMAIN/$user:$pass@$SRV_IP")
    record "$(q "${cmd[@]}")"
    CLIENT_RC=0
    "${cmd[@]}" >>"$SCN_WORK/client.log" 2>&1 </dev/null || CLIENT_RC=$?
    SCN_CLIENT_PEER=$PV_IMPACKET
}

# probe_run SECONDS HEX: a scanner's probe (python3, raw socket): connects,
# sends the given bytes, reads what comes back for up to 2 s (one answer, or
# the server's close) and closes at once -- what nmap's rdp scripts, masscan
# and zgrab do after the X.224 exchange.  Not an RDP implementation.
probe_run() {
    local secs=$1 hex=$2
    local py="import socket
s = socket.create_connection(('$SRV_IP', $RDP_PORT), timeout=5)
s.sendall(bytes.fromhex('$hex')); s.settimeout(2)
try:
    print('answer', s.recv(4096).hex())
except OSError as e:
    print('no answer', e)
s.close()"
    local cmd=(ip netns exec "$NS_CLI" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin timeout -k 2 "$secs" "$PY" -c "$py")
    record "$(q "${cmd[@]}")"
    CLIENT_RC=0
    "${cmd[@]}" >>"$SCN_WORK/client.log" 2>&1 </dev/null || CLIENT_RC=$?
    SCN_CLIENT_PEER="python3 probe (raw socket: one X.224 request, then close), not an RDP implementation"
}

# ---------------------------------------------------------------------------
# Scripted listeners (socat).  responder_start NAME SCRIPT [SOCAT-OPTIONS]:
# socat accepts on 3389 and runs the shell SCRIPT for each connection with
# the socket as its stdin/stdout.  The script is kept in the record.
# ---------------------------------------------------------------------------
responder_start() {
    local name=$1 script=$2 opts=${3:-}
    printf '%s\n' "$script" >"$SCN_WORK/$name.sh"
    record "# \$WORK/$name.sh: $script"
    bg_start "$name" ip netns exec "$NS_SRV" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin socat \
        "TCP-LISTEN:$RDP_PORT,bind=$SRV_IP,reuseaddr,fork${opts:+,$opts}" "EXEC:/bin/sh $SCN_WORK/$name.sh"
    wait_listen "$NS_SRV" "$RDP_PORT" || die "socat did not listen"
    SCN_SERVER_PEER="$PV_SOCAT with a shell script (scripted listener, not an RDP implementation)"
}

# abort_listener_start: accepts, reads the request, and aborts the
# connection with SO_LINGER 0 so that the kernel sends a bare RST (socat
# always shuts the write side down first, which sends a FIN).
abort_listener_start() {
    local py="import socket, struct
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$SRV_IP', $RDP_PORT)); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(4096)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()"
    bg_start aborter ip netns exec "$NS_SRV" env -i "$PY" -c "$py"
    wait_listen "$NS_SRV" "$RDP_PORT" || die "the aborting listener did not listen"
    SCN_SERVER_PEER="python3 listener that aborts each connection (SO_LINGER 0), not an RDP implementation"
}

# octal_bytes HEX...: printf(1) escapes for the given bytes.
octal_bytes() {
    local h
    for h in "$@"; do printf '\\%03o' "0x$h"; done
}

# x224_cc_failure CODE: a TPKT + X.224 Connection Confirm carrying
# RDP_NEG_FAILURE with the given failureCode ([MS-RDPBCGR] 2.2.1.2.2).
x224_cc_failure() {
    octal_bytes 03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 "$(printf '%02x' "$1")" 00 00 00
}
