# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# NLA (CredSSP) authentication failures against freerdp-shadow-cli /sec:nla,
# whose SAM file knows one user.  The shadow server sends no TSRequest
# errorCode on a failure: after the client's NTLM AUTHENTICATE it sends a TLS
# close_notify and closes the connection.

# Credentials accepted, but the client closes after CredSSP by design
# (+auth-only, rdp_check.py): no MCS Connect Initial follows.

scenario nla-ok-auth-only-xfreerdp nla "xfreerdp /sec:nla +auth-only to freerdp-shadow-cli /sec:nla: credentials accepted; FreeRDP 2.11 then runs the whole connection sequence anyway"
scn_nla_ok_auth_only_xfreerdp() {
    shadow_start /sec:nla
    xfreerdp_run 5 /sec:nla /u:"$LAB_USER" /p:"$LAB_PASS" /cert:ignore +auth-only
    # Built as an auth-only run, but the wire says otherwise: decrypted with
    # the key log, tshark shows ClientData, ServerData, the channel joins,
    # Client Info, Demand Active and Confirm Active after CredSSP.  FreeRDP
    # 2.11 does not stop after CredSSP against the shadow server.
    expect_conn none "" "" "" \
        "+auth-only is not honoured by FreeRDP 2.11 here: the key log shows the full connection sequence after CredSSP"
    check "t125" 10 "" "MCS connection sequence after CredSSP (decrypted with the key log)" tlskeys
    check "rdp.negReq.selectedProtocol==0x00000002" 1 1 "server selects HYBRID (CredSSP)"
    check "$F_CLI_FIN" 1 "" "client closes"
}

scenario nla-ok-impacket nla "impacket rdp_check.py to freerdp-shadow-cli /sec:nla with the right credentials (CredSSP check only)"
scn_nla_ok_impacket() {
    shadow_start /sec:nla
    impacket_run 8 "$LAB_USER" "$LAB_PASS"
    expect_conn closed_by_client mcs_connect client auth_only \
        "rdp_check.py reports 'Access Granted' after CredSSP and closes: it never sends MCS Connect Initial"
    check "$F_CH" 1 1 "ClientHello (pyOpenSSL)" tls
    check "$F_CLI_FIN" 1 "" "client closes after CredSSP"
}

scenario nla-wrong-password-xfreerdp nla "xfreerdp /sec:nla with a wrong password to freerdp-shadow-cli /sec:nla (FreeRDP tries twice)"
scn_nla_wrong_password_xfreerdp() {
    shadow_start /sec:nla
    xfreerdp_run 8 /sec:nla /u:"$LAB_USER" /p:wrong-password /cert:ignore
    local n
    for n in 1 2; do
        expect_conn authentication_failure credssp server ntlm_rejected \
            "attempt $n: NTLM AUTHENTICATE with a wrong password; the server closes (close_notify, FIN) without a TSRequest errorCode"
    done
    check "ntlmssp.messagetype==0x00000003" 2 2 "NTLM AUTHENTICATE on each attempt (decrypted)" tlskeys
    check "$F_SRV_ALERT && tls.alert_message.desc==0" 2 2 "server close_notify after each AUTHENTICATE (decrypted)" tlskeys
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
}

scenario nla-unknown-user-xfreerdp nla "xfreerdp /sec:nla as a user the server does not know"
scn_nla_unknown_user_xfreerdp() {
    shadow_start /sec:nla
    xfreerdp_run 8 /sec:nla /u:nosuchuser /p:"$LAB_PASS" /cert:ignore
    local n
    for n in 1 2; do
        expect_conn authentication_failure credssp server ntlm_rejected \
            "attempt $n: NTLM AUTHENTICATE for an unknown user; the server closes without a TSRequest errorCode"
    done
    check "ntlmssp.messagetype==0x00000003" 2 2 "NTLM AUTHENTICATE on each attempt (decrypted)" tlskeys
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
}

scenario nla-wrong-password-impacket nla "impacket rdp_check.py with a wrong password to freerdp-shadow-cli /sec:nla"
scn_nla_wrong_password_impacket() {
    shadow_start /sec:nla
    impacket_run 8 "$LAB_USER" wrong-password
    expect_conn authentication_failure credssp server ntlm_rejected \
        "NTLM AUTHENTICATE with a wrong password; the server sends close_notify and FIN"
    check "ntlmssp.messagetype==0x00000003" 1 1 "NTLM AUTHENTICATE (decrypted)" tlskeys
    check "$F_SRV_ALERT && tls.alert_message.desc==0" 1 1 "server close_notify right after it (decrypted)" tlskeys
}

scenario nla-unknown-user-impacket nla "impacket rdp_check.py as a user the server does not know"
scn_nla_unknown_user_impacket() {
    shadow_start /sec:nla
    impacket_run 8 nosuchuser "$LAB_PASS"
    expect_conn authentication_failure credssp server ntlm_rejected \
        "NTLM AUTHENTICATE for an unknown user; the server sends close_notify and FIN"
    check "ntlmssp.messagetype==0x00000003" 1 1 "NTLM AUTHENTICATE (decrypted)" tlskeys
}

# NLA under other cipher families (issue 14: the size signatures per family):
# the same wrong password as nla-wrong-password-xfreerdp, the client limited
# to TLS 1.2 with one suite -- AES-128-CBC with HMAC-SHA1 (records padded to
# the block), ChaCha20-Poly1305 (exact sizes, like GCM).
scenario nla-wrong-password-cbc-xfreerdp nla "xfreerdp /sec:nla with a wrong password to freerdp-shadow-cli /sec:nla, TLS 1.2 ECDHE-RSA-AES128-SHA (CBC)"
scn_nla_wrong_password_cbc_xfreerdp() {
    shadow_start /sec:nla
    xfreerdp_run 8 /sec:nla /u:"$LAB_USER" /p:wrong-password /cert:ignore +enforce-tlsv1_2 /tls-ciphers:ECDHE-RSA-AES128-SHA
    local n
    for n in 1 2; do
        expect_conn authentication_failure credssp server ntlm_rejected \
            "attempt $n: NTLM AUTHENTICATE with a wrong password inside AES-128-CBC records; the server closes without a TSRequest errorCode"
    done
    check "tls.handshake.type==2 && tls.handshake.ciphersuite==0xc013" 2 2 "the server selects ECDHE-RSA-AES128-SHA on each attempt" tls
    check "ntlmssp.messagetype==0x00000003" 2 2 "NTLM AUTHENTICATE on each attempt (decrypted)" tlskeys
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
}

scenario nla-wrong-password-chacha-xfreerdp nla "xfreerdp /sec:nla with a wrong password to freerdp-shadow-cli /sec:nla, TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305"
scn_nla_wrong_password_chacha_xfreerdp() {
    shadow_start /sec:nla
    xfreerdp_run 8 /sec:nla /u:"$LAB_USER" /p:wrong-password /cert:ignore +enforce-tlsv1_2 /tls-ciphers:ECDHE-RSA-CHACHA20-POLY1305
    local n
    for n in 1 2; do
        expect_conn authentication_failure credssp server ntlm_rejected \
            "attempt $n: NTLM AUTHENTICATE with a wrong password inside ChaCha20-Poly1305 records; the server closes without a TSRequest errorCode"
    done
    check "tls.handshake.type==2 && tls.handshake.ciphersuite==0xcca8" 2 2 "the server selects ECDHE-RSA-CHACHA20-POLY1305 on each attempt" tls
    check "ntlmssp.messagetype==0x00000003" 2 2 "NTLM AUTHENTICATE on each attempt (decrypted)" tlskeys
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
}
