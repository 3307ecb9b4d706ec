# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Many connections from one client (issue 14, parts 7 and 8): a brute force
# against the NLA server, and a client that a firewall blocks in the middle
# of a burst.  Each connection keeps its own expectation; the groups and the
# cross-connection verdict follow from how the scenario is built.

# --- brute force -----------------------------------------------------------
# 20 CredSSP attempts with wrong passwords, one after the other, as a
# password-guessing tool does: impacket's rdp_check.py against
# freerdp-shadow-cli /sec:nla.  Each attempt ends as nla-wrong-password-impacket
# does (NTLM AUTHENTICATE, close_notify, FIN); together they are a brute
# force (at least 10 NLA failures from one client to one server).
BRUTE_ATTEMPTS=20

scenario nla-brute-force-impacket nla "brute force: 20 impacket rdp_check.py attempts with wrong passwords, one after the other, to freerdp-shadow-cli /sec:nla"
scn_nla_brute_force_impacket() {
    shadow_start /sec:nla
    local n
    for ((n = 1; n <= BRUTE_ATTEMPTS; n++)); do
        impacket_run 8 "$LAB_USER" "wrong-password-$n"
        expect_conn authentication_failure credssp server ntlm_rejected \
            "attempt $n of $BRUTE_ATTEMPTS (wrong password $n): NTLM AUTHENTICATE; the server sends close_notify and FIN; the 20 together are a brute_force group"
    done
    expect_group pair brute_force "$BRUTE_ATTEMPTS NLA failures from the client to the server (at least 10 make a brute force)"
    check "ntlmssp.messagetype==0x00000003" "$BRUTE_ATTEMPTS" "$BRUTE_ATTEMPTS" "one NTLM AUTHENTICATE per attempt (decrypted)" tlskeys
    check "$F_SYN" "$BRUTE_ATTEMPTS" "" "one connection per attempt"
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
}

# --- a client blocked in the middle of a burst ---------------------------------
# The router blocks a client at its 4th connection attempt (a quota of 3
# SYNs, 60 bytes each on the wire, as a rate-limit or IPS rule does): the 4th
# SYN adds the client to a set whose packets are dropped both ways.  To have
# the first three in the middle of the handshake at that moment, the server
# is a scripted listener that answers each X.224 request 4 s late (with an
# RDP_NEG_RSP selecting SSL): the three start together, their requests are
# acknowledged at once, the 4th attempt starts 2 s later and blocks the
# client, and the Connection Confirms sent at 4 s are dropped by the router.
# A 5th attempt 2 s after the 4th is dropped too.  The first three clients
# give up after 20 s (timeout) and their FINs go unanswered.  Judged alone,
# the first three look like a server that never answered the X.224 request;
# together with the 4th and 5th they are one block of the client.
scenario fw-block-mid-burst firewall "router blocks the client at its 4th SYN (nft quota): 3 connections cut mid-handshake at the same moment, 2 later SYNs unanswered" min_capture=50
scn_fw_block_mid_burst() {
    # TPKT, X.224 Connection Confirm, RDP_NEG_RSP selecting PROTOCOL_SSL (MS-RDPBCGR 2.2.1.2).
    responder_start slowcc "sleep 4; printf '\003\000\000\023\016\320\000\000\022\064\000\002\000\010\000\001\000\000\000'; cat >/dev/null"
    nft_rule router "${TO_SRV[@]}" counter  # creates the table and its chain
    in_ns "$NS_RTR" nft add set inet rdplab blocked '{ type ipv4_addr; }'
    nft_rule router ip saddr @blocked counter drop
    nft_rule router ip daddr @blocked counter drop
    nft_rule router ip saddr "$CLI_IP" "${TO_SRV[@]}" 'tcp flags & (syn|ack) == syn' quota over 180 bytes \
        add @blocked '{ ip saddr }' counter drop
    local -a pids=()
    local n
    for n in 1 2 3; do
        impacket_run 20 "$LAB_USER" "$LAB_PASS" &
        pids+=($!)
    done
    sleep 2
    impacket_run 15 "$LAB_USER" "$LAB_PASS" &
    pids+=($!)
    sleep 2
    impacket_run 15 "$LAB_USER" "$LAB_PASS" &
    pids+=($!)
    wait "${pids[@]}" || true
    nft_counters router
    for n in 1 2 3; do
        expect_conn firewall_drop x224_negotiation network client_blocked \
            "connection $n: X.224 request acknowledged; the client is blocked 2 s later, the Connection Confirm sent at 4 s is dropped by the router; the client gives up after 20 s, its FIN unanswered"
    done
    for n in 4 5; do
        expect_conn firewall_drop tcp_connect network client_blocked \
            "connection $n: its SYNs are dropped (the 4th SYN triggered the block)"
    done
    check "$F_SYNACK && !tcp.analysis.retransmission" 3 3 "SYN-ACK for the first three connections only"
    check "$F_CR" 3 3 "X.224 request on the first three"
    check "$F_CC" 0 0 "no Connection Confirm reaches the client"
    check "$F_SRV_DATA" 0 0 "no data from the server at all"
    check "$F_CLI_FIN" 3 "" "the first three clients give up (FIN, resent unanswered)"
}

# --- password spraying and a scan across servers ---------------------------------
# Five more server addresses on the server's interface (the router reaches
# them on its server-side /24), and one freerdp-shadow-cli listening on all of
# them: to the client they are five servers.  Spraying: one wrong password
# tried once on each (impacket's rdp_check.py, as a spraying tool does:
# few attempts per server, many servers): five NLA failures on five servers.
# A scan: a probe on each address that sends one X.224 request asking for SSL,
# reads the Confirm and leaves.
SPRAY_ADDRS=(10.77.2.11 10.77.2.12 10.77.2.13 10.77.2.14 10.77.2.15)

spray_addresses_up() {
    local a
    for a in "${SPRAY_ADDRS[@]}"; do
        record "ip -n $NS_SRV addr add $a/24 dev s0"
        in_ns "$NS_SRV" ip addr add "$a/24" dev s0
    done
}

scenario nla-spray-impacket nla "password spraying: one impacket rdp_check.py attempt with a wrong password on each of 5 server addresses (freerdp-shadow-cli /sec:nla on all of them)"
scn_nla_spray_impacket() {
    spray_addresses_up
    SRV_IP=0.0.0.0 shadow_start /sec:nla
    local a n=0
    for a in "${SPRAY_ADDRS[@]}"; do
        n=$((n + 1))
        SRV_IP=$a impacket_run 8 "$LAB_USER" "spray-password"
        SRV_IP=$a expect_conn authentication_failure credssp server ntlm_rejected \
            "server $n of ${#SPRAY_ADDRS[@]} ($a): the sprayed password in an NTLM AUTHENTICATE; the server sends close_notify and FIN"
    done
    expect_group client spray "NLA failed for the client on ${#SPRAY_ADDRS[@]} servers, once each (at least 5 make a spray)"
    check "ntlmssp.messagetype==0x00000003" "${#SPRAY_ADDRS[@]}" "${#SPRAY_ADDRS[@]}" "one NTLM AUTHENTICATE per server (decrypted)" tlskeys
    check "$F_SYN && !tcp.analysis.retransmission" "${#SPRAY_ADDRS[@]}" "${#SPRAY_ADDRS[@]}" "one connection per server"
    for a in "${SPRAY_ADDRS[@]}"; do
        check "$F_SYN && ip.dst==$a" 1 "" "a connection to $a"
    done
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
}

scenario scan-x224-probes negotiation "a scan: one X.224 request (SSL only) to each of 5 server addresses (freerdp-shadow-cli /sec:tls on all of them); each probe reads the Confirm and closes"
scn_scan_x224_probes() {
    spray_addresses_up
    SRV_IP=0.0.0.0 shadow_start /sec:tls
    local a n=0
    for a in "${SPRAY_ADDRS[@]}"; do
        n=$((n + 1))
        SRV_IP=$a probe_run 6 "$SSL_CR_HEX"
        SRV_IP=$a expect_conn closed_by_client tls_handshake client probe_closed_after_confirm \
            "probe $n of ${#SPRAY_ADDRS[@]} ($a): asked for SSL, read the Confirm selecting SSL, closed without a ClientHello"
    done
    expect_group client scan "the client sent only an X.224 request to ${#SPRAY_ADDRS[@]} hosts (at least 5 make a scan)"
    check "$F_CR" "${#SPRAY_ADDRS[@]}" "${#SPRAY_ADDRS[@]}" "one X.224 request per address"
    check "rdp.negReq.selectedProtocol==0x00000001" "${#SPRAY_ADDRS[@]}" "${#SPRAY_ADDRS[@]}" "every Confirm selects SSL"
    check "$F_CLI_FIN" "${#SPRAY_ADDRS[@]}" "${#SPRAY_ADDRS[@]}" "every probe closes (FIN)"
    check "$F_CH" 0 0 "no ClientHello" tls
}
