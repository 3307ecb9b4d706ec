# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Path faults on the router: deterministic loss, an MTU black hole, a slow
# link.  xrdp security_layer=tls is the server throughout.

# --- deterministic loss each way -------------------------------------------
_loss() {
    local pct=$1 secs=$2
    xrdp_start security_layer=tls
    loss_each_way "$pct"
    xfreerdp_run "$secs" /sec:tls /cert:ignore
}

scenario loss-05 path "5 % loss each way (every 20th packet per direction dropped on the router)"
scn_loss_05() {
    _loss 5 6
    expect_conn none "" "" "" "a few segments are retransmitted, the handshake completes"
    check "tcp.analysis.retransmission" 1 "" "retransmissions"
    check "$F_SRV_DATA" 20 "" "server sends sustained data after the connection sequence"
}

scenario loss-10 path "10 % loss each way (every 10th packet per direction)"
scn_loss_10() {
    _loss 10 8
    expect_conn none "" "" "" "retransmissions on several segments; the handshake completes"
    check "tcp.analysis.retransmission" 2 "" "retransmissions"
    check "$F_SRV_DATA" 20 "" "server sends sustained data after the connection sequence"
}

scenario loss-20 path "20 % loss each way (every 5th packet per direction)"
scn_loss_20() {
    _loss 20 10
    expect_conn none "" "" "" "many retransmissions; the handshake still completes"
    check "tcp.analysis.retransmission" 3 "" "retransmissions"
    check "$F_SRV_DATA" 20 "" "server sends sustained data after the connection sequence"
}

scenario loss-40 path "40 % loss each way (2 of every 5 packets per direction): TCP still gets every segment through"
scn_loss_40() {
    _loss 40 8
    expect_conn none "" "" "" "retransmissions on most exchanges, the connection sequence takes ~4 s but completes"
    check "tcp.analysis.retransmission" 10 "" "retransmissions"
    check "$F_SRV_DATA" 20 "" "server sends sustained data after the connection sequence"
}

scenario loss-20-srvside path "20 % loss each way, captured on the server side" capture=server
scn_loss_20_srvside() {
    _loss 20 10
    expect_conn none "" "" "" "the same run seen from the server"
    check "tcp.analysis.retransmission" 3 "" "retransmissions"
}

scenario loss-20-cert-deny path "20 % loss each way and the client refuses the self-signed certificate (/cert:deny)"
scn_loss_20_cert_deny() {
    xrdp_start security_layer=tls
    loss_each_way 20
    xfreerdp_run 10 /sec:tls /cert:deny
    expect_conn certificate_rejection tls_handshake client cert_untrusted \
        "loss slows the handshake down but the client's refusal of the certificate decides"
    check "tcp.analysis.retransmission" 1 "" "retransmissions"
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
}

# --- path MTU black hole ---------------------------------------------------
scenario mtu-blackhole path "router drops server packets over 1000 bytes (no ICMP): the server's certificate flight never arrives"
scn_mtu_blackhole() {
    xrdp_start security_layer=tls
    nft_rule router ip saddr "$SRV_IP" ip length '>' 1000 drop
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn path_mtu tls_handshake network large_segments_dropped \
        "ClientHello ACKed; the ServerHello flight (one ~1400-byte segment) is dropped each time it is retransmitted; small packets (keep-alive ACKs) pass; the client is stopped after 38 s"
    check "$F_CH" 1 1 "ClientHello" tls
    check "$F_SH" 0 0 "no ServerHello" tls
    check "ip.src==10.77.2.2 && ip.len > 1000" 0 0 "no large server packet reaches the client"
}

scenario mtu-blackhole-srvside path "the MTU black hole seen from the server: its large segments are retransmitted and never ACKed" capture=server
scn_mtu_blackhole_srvside() {
    xrdp_start security_layer=tls
    nft_rule router ip saddr "$SRV_IP" ip length '>' 1000 drop
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn path_mtu tls_handshake network large_segments_dropped \
        "the server retransmits its ~1400-byte ServerHello flight with backoff; the client's ACKs never cover it"
    check "$F_SRV_HS_RETX && ip.len > 1000" 4 "" "large server segment retransmitted"
}

# --- slow link ---------------------------------------------------------------
scenario slow-64kbit path "tc tbf 64 kbit/s on both router egresses: a slow but complete handshake"
scn_slow_64kbit() {
    xrdp_start security_layer=tls
    slow_link 64kbit
    xfreerdp_run 12 /sec:tls /cert:ignore
    expect_conn none "" "" "" "each 1.4 kB flight takes ~0.2 s at 64 kbit/s; the connection sequence completes and the login screen trickles in"
    check "$F_SRV_DATA" 20 "" "server sends sustained data after the connection sequence"
}

scenario loss-20-burst path "20 % loss each way in bursts (4 consecutive packets of every 20 per direction): slow, completes"
scn_loss_20_burst() {
    xrdp_start security_layer=tls
    loss_burst_each_way 20
    xfreerdp_run 10 /sec:tls /cert:ignore
    expect_conn none "" "" "" "segments caught in a burst need several retransmissions; the connection sequence completes after ~4 s"
    check "tcp.analysis.retransmission" 5 "" "retransmissions"
    check "$F_SRV_DATA" 20 "" "server sends sustained data after the connection sequence"
}

scenario loss-40-burst path "40 % loss each way in bursts (8 consecutive packets of every 20 per direction): the TLS handshake times out" min_capture=40
scn_loss_40_burst() {
    xrdp_start security_layer=tls
    loss_burst_each_way 40
    xfreerdp_run 30 /sec:tls /cert:ignore
    expect_conn packet_loss tls_handshake network handshake_timeout \
        "the ACK of the Confirm and the ClientHello fall into a burst: the ClientHello is retransmitted with backoff, the server retransmits its Confirm (those get through, the client's dup ACKs do not); FreeRDP abandons the socket after ~10 s without a FIN, so the ServerHello that finally gets through at ~16 s is answered by a RST from the client kernel; the capture runs on to 40 s"
    check "$F_CH_RETX" 4 "" "ClientHello retransmitted"
    check "ip.src==10.77.2.2 && tcp.analysis.retransmission && tcp.payload[0:1]==03" 1 "" "server retransmits the Connection Confirm, and it gets through"
    check "tcp.flags.reset==1 && ip.src==10.77.1.2" 1 1 "the client kernel resets the late server flight (its socket is gone)"
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
}
