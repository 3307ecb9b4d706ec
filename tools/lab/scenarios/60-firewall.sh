# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Firewalls and middleboxes.  "server" rules are the server host's own
# firewall (INPUT hook in the server namespace), "router" rules a firewall or
# DPI box on the path (FORWARD hook in the router namespace).  The server is
# xrdp security_layer=tls unless the port is meant to be closed.
#
# What tells the two places apart in a client-side capture: anything the
# router forges (RST, ICMP) arrives with TTL 64 and, for ICMP, from
# 10.77.1.1; what the server host sends arrives with TTL 63.

_fw_server() { xrdp_start security_layer=tls; }

# When the connection fails at once (RST, ICMP), xfreerdp tries a second time
# right away: two connections with the same fate.
_twice() {
    local cause=$1 stalled=$2 waiting=$3 verdict=$4 note=$5 n
    for n in 1 2; do expect_conn "$cause" "$stalled" "$waiting" "$verdict" "attempt $n: $note"; done
}

# --- SYN dropped -----------------------------------------------------------
_syn_drop() {
    local where=$1
    _fw_server
    nft_rule "$where" "${TO_SRV[@]}" tcp flags syn drop
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn firewall_drop tcp_connect network syn_unanswered \
        "the SYN is dropped by the $where firewall; retransmitted at 1, 2, 3, 4, 5, 7, 11 s until FreeRDP's 15 s connect timeout closes the socket (no packet); the capture runs on to 44 s"
    check "$F_SYN_RETX" 3 "" "SYN retransmitted"
    check "$F_SYNACK" 0 0 "no SYN/ACK"
    check "icmp || tcp.flags.reset==1" 0 0 "no answer of any kind"
}

scenario fw-syn-drop-server firewall "server host firewall drops the SYN (nft input drop)" min_capture=44
scn_fw_syn_drop_server() { _syn_drop server; }

scenario fw-syn-drop-router firewall "router drops the SYN (nft forward drop)" min_capture=44
scn_fw_syn_drop_router() { _syn_drop router; }

scenario fw-syn-drop-router-classic firewall "router drops the SYN; client namespace with tcp_syn_linear_timeouts=0 (classic doubling SYN retries)" syn_linear=0 min_capture=47
scn_fw_syn_drop_router_classic() {
    _fw_server
    nft_rule router "${TO_SRV[@]}" tcp flags syn drop
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn firewall_drop tcp_connect network syn_unanswered \
        "the SYN is dropped on the router; retries at 1, 3, 7 (and 15) s, doubling, until FreeRDP's 15 s connect timeout; the capture runs on to 47 s"
    check "$F_SYN_RETX" 3 4 "SYN retransmitted at 1, 3, 7 (15) s"
    check "$F_SYNACK" 0 0 "no SYN/ACK"
}

# --- SYN rejected with a TCP reset ----------------------------------------
scenario fw-reject-rst-server firewall "server host firewall rejects the SYN with a TCP reset"
scn_fw_reject_rst_server() {
    _fw_server
    nft_rule server "${TO_SRV[@]}" tcp flags syn reject with tcp reset
    xfreerdp_run 10 /sec:tls /cert:ignore
    _twice connection_refused tcp_connect server rst_answering_syn \
        "the server host answers the SYN with RST/ACK (TTL 63, like any server packet)"
    check "$F_RST_FROM_SRV && ip.ttl==63" 2 2 "RST/ACK from the server host (TTL 63)"
    check "$F_SYNACK" 0 0 "no SYN/ACK"
}

scenario fw-reject-rst-router firewall "router rejects the SYN with a TCP reset forged in the server's name"
scn_fw_reject_rst_router() {
    _fw_server
    nft_rule router "${TO_SRV[@]}" tcp flags syn reject with tcp reset
    xfreerdp_run 10 /sec:tls /cert:ignore
    _twice connection_refused tcp_connect network rst_answering_syn \
        "the router answers the SYN with RST/ACK in the server's name; TTL 64 gives it away"
    check "$F_RST_FROM_SRV && ip.ttl==64" 2 2 "RST/ACK forged by the router (TTL 64)"
    check "$F_SYNACK" 0 0 "no SYN/ACK"
}

scenario fw-port-closed firewall "nothing listens on 3389: the server's kernel answers RST/ACK"
scn_fw_port_closed() {
    SCN_SERVER_PEER="none (no listener on 3389)"
    xfreerdp_run 10 /sec:tls /cert:ignore
    _twice connection_refused tcp_connect server port_closed \
        "closed port: RST/ACK answering the SYN"
    check "$F_RST_FROM_SRV && ip.ttl==63" 2 2 "RST/ACK from the server (TTL 63)"
    check "$F_SYNACK" 0 0 "no SYN/ACK"
}

# --- SYN rejected with ICMP administratively prohibited -------------------
scenario fw-reject-icmp-server firewall "server host firewall rejects the SYN with ICMP administratively prohibited"
scn_fw_reject_icmp_server() {
    _fw_server
    nft_rule server "${TO_SRV[@]}" tcp flags syn reject with icmpx type admin-prohibited
    xfreerdp_run 10 /sec:tls /cert:ignore
    _twice firewall_reject tcp_connect server icmp_admin_prohibited \
        "ICMP type 3 code 13 from the server's address, quoting the SYN; Linux retries the SYN once after 1 s before giving up"
    check "icmp.type==3 && icmp.code==13 && ip.src==10.77.2.2" 4 4 "ICMP admin prohibited from the server host, for each SYN"
    check "$F_SYNACK" 0 0 "no SYN/ACK"
}

scenario fw-reject-icmp-router firewall "router rejects the SYN with ICMP administratively prohibited"
scn_fw_reject_icmp_router() {
    _fw_server
    nft_rule router "${TO_SRV[@]}" tcp flags syn reject with icmpx type admin-prohibited
    xfreerdp_run 10 /sec:tls /cert:ignore
    _twice firewall_reject tcp_connect network icmp_admin_prohibited \
        "ICMP type 3 code 13 from the router (10.77.1.1), quoting the SYN; Linux retries the SYN once after 1 s before giving up"
    check "icmp.type==3 && icmp.code==13 && ip.src==10.77.1.1" 4 4 "ICMP admin prohibited from the router, for each SYN"
    check "$F_SYNACK" 0 0 "no SYN/ACK"
}

# --- TCP up, then data blackholed by a box on the path --------------------
scenario fw-clienthello-blackhole firewall "router drops the client's TLS handshake records (@ih,0,16 0x1603): TCP and X.224 pass, the ClientHello never arrives" min_capture=40
scn_fw_clienthello_blackhole() {
    _fw_server
    nft_rule router "${TO_SRV[@]}" @ih,0,16 0x1603 drop
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn firewall_drop tls_handshake network client_hello_blackholed \
        "the ClientHello is retransmitted with backoff and never ACKed, while the ACKs before it got through; after ~10 s FreeRDP abandons the socket without a FIN (unacknowledged data); the capture runs on to 40 s"
    check "$F_CH_RETX" 4 "" "ClientHello retransmitted (payload starts 16 03)"
    check "$F_SH" 0 0 "no ServerHello" tls
    check "$F_CC" 1 1 "X.224 Connection Confirm got through"
}

scenario fw-tls-flight-blackhole firewall "router drops the server's TLS handshake records: the ClientHello arrives, the ServerHello flight never does"
scn_fw_tls_flight_blackhole() {
    _fw_server
    nft_rule router "${FROM_SRV[@]}" @ih,0,16 0x1603 drop
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn firewall_drop tls_handshake network server_flight_blackholed \
        "the ClientHello is ACKed by the server, but its ServerHello flight is dropped every time it is retransmitted; the client waits (keep-alives every 5 s) until it is stopped after 38 s"
    expect_xfail "seen from the client this capture is identical to mtu-blackhole: the server's TLS flight is one 1354-byte segment that never arrives while its 19-byte segments do; a payload-matching drop and a path-MTU black hole look the same here (a capture on the server side, as in mtu-blackhole-srvside, tells them apart)"
    check "$F_CH" 1 1 "ClientHello (sent once, ACKed)" tls
    check "$F_CH_RETX" 0 0 "ClientHello not retransmitted: the server got it"
    check "$F_SH" 0 0 "no ServerHello reaches the client" tls
}

scenario fw-after-x224-blackhole firewall "router drops everything the client sends after its X.224 request (conntrack: 4th packet on): the server retransmits its Confirm" min_capture=40
scn_fw_after_x224_blackhole() {
    _fw_server
    nft_rule router "${TO_SRV[@]}" ct original packets '>' 3 drop
    xfreerdp_run 38 /sec:tls /cert:ignore
    expect_conn firewall_drop tls_handshake network client_data_blackholed \
        "SYN, ACK and the X.224 request pass; from then on nothing from the client reaches the server: the ClientHello is retransmitted, the server retransmits its Connection Confirm; FreeRDP abandons the socket after ~10 s, and the client kernel answers the server's later retransmissions with RST (dropped too); the capture runs on to 40 s"
    check "$F_CH_RETX" 3 "" "ClientHello retransmitted (payload starts 16 03)"
    check "ip.src==10.77.2.2 && tcp.analysis.retransmission && tcp.payload[0:1]==03" 2 "" "server retransmits the Connection Confirm (its ACK never arrived)"
}

scenario fw-rst-clienthello-router firewall "router answers the ClientHello with a TCP reset forged in the server's name (DPI)"
scn_fw_rst_clienthello_router() {
    _fw_server
    nft_rule router "${TO_SRV[@]}" @ih,0,16 0x1603 reject with tcp reset
    xfreerdp_run 10 /sec:tls /cert:ignore
    expect_conn middlebox_reset tls_handshake network rst_after_client_hello \
        "a RST arrives right after the ClientHello with TTL 64, while every real server packet had TTL 63"
    check "$F_RST_FROM_SRV && ip.ttl==64" 1 1 "RST forged by the router (TTL 64)"
    check "ip.src==10.77.2.2 && ip.ttl==63" 3 "" "genuine server packets with TTL 63"
    check "$F_SH" 0 0 "no ServerHello" tls
}
