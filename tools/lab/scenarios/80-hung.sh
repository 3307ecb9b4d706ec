# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Servers that accept TCP but do not do RDP: hung, stopped, closing at once,
# or another protocol on 3389.  The kernel completes the TCP handshake and
# ACKs the X.224 request for them, so the client waits at x224_negotiation.

# A server that closes at once makes xfreerdp try a second time right away.
_twice_h() {
    local n
    for n in 1 2; do expect_conn "$1" "$2" "$3" "$4" "attempt $n: $5"; done
}

scenario hung-silent-listener hung "a listener (socat) accepts and reads nothing, answers nothing"
scn_hung_silent_listener() {
    responder_start silent "exec sleep 3600"
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn server_unresponsive x224_negotiation server no_connection_confirm \
        "the X.224 request is ACKed by the server's kernel; no Connection Confirm ever comes; the client is stopped after 38 s"
    check "$F_CR" 1 1 "X.224 Connection Request"
    check "$F_CC" 0 0 "no Connection Confirm"
    check "$F_SRV_DATA" 0 0 "the server sends no data at all"
    check "$F_CLI_RETX && tcp.len>0" 0 0 "the request is not retransmitted (it was ACKed)"
}

scenario hung-xrdp-sigstop hung "xrdp stopped with SIGSTOP: its listening socket still completes TCP handshakes"
scn_hung_xrdp_sigstop() {
    xrdp_start security_layer=tls
    server_freeze xrdp
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn server_unresponsive x224_negotiation server no_connection_confirm \
        "TCP handshake and the ACK of the request come from the kernel (backlog); the stopped xrdp never accepts; the client is stopped after 38 s"
    check "$F_CR" 1 1 "X.224 Connection Request"
    check "$F_CC" 0 0 "no Connection Confirm"
    check "$F_SRV_DATA" 0 0 "the server sends no data at all"
}

scenario hung-close-after-request hung "a listener reads the X.224 request and closes the connection (FIN) without answering"
scn_hung_close_after_request() {
    responder_start closer "head -c 1 >/dev/null"
    xfreerdp_run 8 /sec:tls /cert:ignore
    _twice_h closed_by_server x224_negotiation server fin_after_request \
        "FIN from the server right after the request, no Connection Confirm"
    check "$F_CR" 2 2 "X.224 Connection Request, on each attempt"
    check "$F_CC" 0 0 "no Connection Confirm"
    check "$F_SRV_FIN" 2 "" "server FIN on each attempt"
    check "$F_SRV_DATA" 0 0 "no data from the server"
}

scenario hung-reset-after-request hung "a listener reads the X.224 request and aborts the connection (RST, SO_LINGER 0)"
scn_hung_reset_after_request() {
    abort_listener_start
    xfreerdp_run 8 /sec:tls /cert:ignore
    _twice_h closed_by_server x224_negotiation server rst_after_request \
        "RST from the server itself (TTL 63) right after the request"
    check "$F_CR" 2 2 "X.224 Connection Request, on each attempt"
    check "$F_RST_FROM_SRV && ip.ttl==63" 2 2 "RST from the server host on each attempt"
    check "$F_SRV_FIN" 0 0 "no FIN: an abortive close"
    check "$F_SRV_DATA" 0 0 "no data from the server"
}

scenario hung-non-rdp-http hung "an HTTP server on 3389: it answers the X.224 request with 'HTTP/1.1 400 Bad Request' and closes"
scn_hung_non_rdp_http() {
    responder_start http "head -c 1 >/dev/null; printf 'HTTP/1.1 400 Bad Request\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n'"
    xfreerdp_run 8 /sec:tls /cert:ignore
    _twice_h server_unresponsive x224_negotiation server not_rdp_listener \
        "the answer to the X.224 request is not TPKT (first byte 'H', not 0x03)"
    check "$F_CR" 2 2 "X.224 Connection Request, on each attempt"
    check "ip.src==10.77.2.2 && tcp.payload[0:5]==48:54:54:50:2f" 2 2 "the server answers 'HTTP/'"
    check "$F_CC" 0 0 "no Connection Confirm"
}

scenario hung-non-rdp-ssh hung "an SSH-like service on 3389: it sends its banner first and closes on the binary request"
scn_hung_non_rdp_ssh() {
    responder_start ssh "printf 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n'; head -c 1 >/dev/null; printf 'Invalid SSH identification string.\\r\\n'"
    xfreerdp_run 8 /sec:tls /cert:ignore
    _twice_h server_unresponsive x224_negotiation server not_rdp_listener \
        "the server speaks first with an SSH banner; the bytes after the request are not TPKT"
    check "ip.src==10.77.2.2 && tcp.payload[0:4]==53:53:48:2d" 2 2 "SSH banner from the server, on each attempt"
    check "$F_CC" 0 0 "no Connection Confirm"
}
