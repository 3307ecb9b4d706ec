# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Handshakes that complete.  xfreerdp is stopped by `timeout` once the
# server has drawn its first screens (xrdp: its login screen; the shadow
# server: the Xvfb desktop), so each capture ends with the client's FIN.

# The server's data after the handshake: its login screen or desktop.
_check_sustained() { check "$F_SRV_DATA" "${1:-20}" "" "server sends sustained data after the connection sequence"; }

scenario ok-tls13-xrdp success "xfreerdp /sec:tls to xrdp security_layer=tls: TLS 1.3, xrdp draws its login screen"
scn_ok_tls13_xrdp() {
    xrdp_start security_layer=tls
    xfreerdp_run 3 /sec:tls /cert:ignore
    expect_conn none "" "" "" "TLS 1.3, then MCS, channels and xrdp's login screen; the client is stopped after 3 s"
    check "$F_SH && tls.handshake.extensions.supported_version==0x0304" 1 1 "ServerHello selects TLS 1.3" tls
    _check_sustained
}

scenario ok-tls12-xrdp success "xfreerdp /sec:tls to xrdp security_layer=tls ssl_protocols=TLSv1.2: TLS 1.2 handshake completes"
scn_ok_tls12_xrdp() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2"
    xfreerdp_run 3 /sec:tls /cert:ignore
    expect_conn none "" "" "" "TLS 1.2 (certificate in clear), then MCS, channels and xrdp's login screen"
    check "$F_SH && tls.handshake.version==0x0303 && !tls.handshake.extensions.supported_version" 1 1 "ServerHello selects TLS 1.2" tls
    check "tls.handshake.type==11" 1 1 "server Certificate visible in clear (TLS 1.2)" tls
    _check_sustained
}

scenario ok-tls12-enforced-client success "xfreerdp +enforce-tlsv1_2 to xrdp offering TLS 1.2 and 1.3: the client caps TLS at 1.2"
scn_ok_tls12_enforced_client() {
    xrdp_start security_layer=tls
    xfreerdp_run 3 /sec:tls /cert:ignore +enforce-tlsv1_2
    expect_conn none "" "" "" "client offers only TLS 1.2; handshake and connection sequence complete"
    check "$F_SH && tls.handshake.version==0x0303 && !tls.handshake.extensions.supported_version" 1 1 "ServerHello selects TLS 1.2" tls
    _check_sustained
}

scenario ok-negotiate-xrdp success "xfreerdp with default security (requests TLS|CredSSP) to xrdp security_layer=negotiate: xrdp selects TLS"
scn_ok_negotiate_xrdp() {
    xrdp_start security_layer=negotiate
    xfreerdp_run 3 /cert:ignore
    expect_conn none "" "" "" "RDP_NEG_REQ asks for TLS and CredSSP, xrdp's RDP_NEG_RSP selects TLS (1)"
    check "rdp.negReq.requestedProtocols==0x00000003" 1 1 "client requests SSL|HYBRID"
    check "rdp.negReq.selectedProtocol==0x00000001" 1 1 "server selects SSL"
    _check_sustained
}

scenario ok-tls-verified-xrdp success "xrdp with a certificate from the lab CA naming 10.77.2.2; xfreerdp trusts the CA and runs /cert:deny: verification passes"
scn_ok_tls_verified_xrdp() {
    cert_ca_signed server 10.77.2.2 "IP:$SRV_IP"
    xrdp_start security_layer=tls
    CLIENT_ENV=(SSL_CERT_FILE="$SCN_WORK/ca/ca.pem")
    xfreerdp_run 3 /sec:tls /cert:deny
    expect_conn none "" "" "" "the certificate verifies (trusted CA, IP SAN matches), so /cert:deny does not stop the client"
    _check_sustained
}

scenario ok-rdp-fips-xrdp success "xfreerdp /sec:rdp (legacy request) to xrdp security_layer=rdp crypt_level=fips: standard RDP security with FIPS 3DES"
scn_ok_rdp_fips_xrdp() {
    xrdp_start security_layer=rdp crypt_level=fips
    xfreerdp_run 3 /sec:rdp
    expect_conn none "" "" "" "CR without RDP_NEG_REQ, CC without RDP_NEG_RSP, MCS in clear, FIPS security exchange, encrypted Client Info"
    check "rdp.encryptionMethod==0x00000010" 1 1 "Server Security Data selects FIPS"
    check "rdp.securityExchangePDU" 1 1 "Security Exchange PDU"
    check "rdp.clientInfoPDU" 1 1 "Client Info PDU"
    _check_sustained
}

scenario ok-rdp-rc4-shadow success "xfreerdp /sec:rdp to freerdp-shadow-cli /sec:rdp: standard RDP security with 128-bit RC4"
scn_ok_rdp_rc4_shadow() {
    shadow_start /sec:rdp
    xfreerdp_run 3 /sec:rdp
    expect_conn none "" "" "" "standard RDP security, 128-bit RC4; the shadow server sends its (static, black) desktop"
    check "rdp.encryptionMethod==0x00000002" 1 1 "Server Security Data selects 128-bit RC4"
    check "rdp.securityExchangePDU" 1 1 "Security Exchange PDU"
    check "rdp.clientInfoPDU" 1 1 "Client Info PDU"
    _check_sustained 8
}

scenario ok-tls-shadow success "xfreerdp /sec:tls to freerdp-shadow-cli /sec:tls"
scn_ok_tls_shadow() {
    shadow_start /sec:tls
    xfreerdp_run 3 /sec:tls /cert:ignore
    expect_conn none "" "" "" "TLS 1.3 with the shadow server's own certificate; desktop follows"
    check "$F_SH" 1 1 "ServerHello" tls
    _check_sustained 8
}

scenario ok-nla-shadow-xfreerdp success "xfreerdp /sec:nla to freerdp-shadow-cli /sec:nla with the right NTLM credentials"
scn_ok_nla_shadow_xfreerdp() {
    shadow_start /sec:nla
    xfreerdp_run 3 /sec:nla /u:"$LAB_USER" /p:"$LAB_PASS" /cert:ignore
    expect_conn none "" "" "" "TLS, CredSSP (NTLM) succeeds, then MCS and the desktop"
    check "rdp.negReq.selectedProtocol==0x00000002" 1 1 "server selects HYBRID (CredSSP)"
    _check_sustained 8
}
