# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Certificates: the client refusing the server's certificate (/cert:deny
# makes xfreerdp abort instead of prompting), and servers whose certificate
# or key is broken.
#
# The client trusts the lab CA through SSL_CERT_FILE where the scenario is
# about one specific defect (expired, wrong name) so that nothing else is
# wrong with the certificate.

# FreeRDP checks the certificate after the TLS handshake has completed: it
# sends no certificate alert, only an encrypted close_notify and a FIN.
_check_cert_reject() {
    check "$F_CLI_FIN" 1 "" "client closes"
    check "rdp.clientData" 0 0 "no MCS Connect Initial"
    check "$F_CLI_ALERT && tls.alert_message.desc==0" 1 1 "client's close_notify (decrypted with the key log)" tlskeys
    check "$F_CLI_ALERT && tls.alert_message.desc!=0" 0 0 "no certificate alert from FreeRDP" tlskeys
}

scenario cert-selfsigned-deny certs "xrdp with a self-signed certificate, xfreerdp /cert:deny (TLS 1.3)"
scn_cert_selfsigned_deny() {
    xrdp_start security_layer=tls
    xfreerdp_run 6 /sec:tls /cert:deny
    expect_conn certificate_rejection tls_handshake client cert_untrusted \
        "FreeRDP verifies the certificate only after the TLS handshake: it completes TLS 1.3 (Finished sent), then closes without sending MCS Connect Initial"
    check "$F_SH" 1 1 "ServerHello" tls
    _check_cert_reject
}

scenario cert-selfsigned-deny-tls12 certs "xrdp (TLS 1.2 only) with a self-signed certificate, xfreerdp /cert:deny"
scn_cert_selfsigned_deny_tls12() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2"
    xfreerdp_run 6 /sec:tls /cert:deny
    expect_conn certificate_rejection tls_handshake client cert_untrusted \
        "the self-signed Certificate travels in clear; FreeRDP finishes the TLS 1.2 handshake, then closes without MCS Connect Initial"
    check "tls.handshake.type==11" 1 1 "server Certificate in clear" tls
    _check_cert_reject
}

scenario cert-expired-deny certs "xrdp with an expired certificate from the lab CA (trusted by the client, right name), xfreerdp /cert:deny"
scn_cert_expired_deny() {
    cert_ca_signed server 10.77.2.2 "IP:$SRV_IP" 20200101000000Z 20210101000000Z
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2"
    CLIENT_ENV=(SSL_CERT_FILE="$SCN_WORK/ca/ca.pem")
    xfreerdp_run 6 /sec:tls /cert:deny
    expect_conn certificate_rejection tls_handshake client cert_expired \
        "certificate valid 2020-01-01..2021-01-01 (TLS 1.2 so it is visible); the client rejects it after the handshake"
    check "tls.handshake.type==11 && x509af.utcTime contains \"2021-01-01\"" 1 1 "server Certificate in clear" tls
    _check_cert_reject
}

scenario cert-wrong-name-deny certs "xrdp with a lab-CA certificate for wrong-host.rdplab.test, client connects to 10.77.2.2 with /cert:deny"
scn_cert_wrong_name_deny() {
    cert_ca_signed server wrong-host.rdplab.test "DNS:wrong-host.rdplab.test"
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2"
    CLIENT_ENV=(SSL_CERT_FILE="$SCN_WORK/ca/ca.pem")
    xfreerdp_run 6 /sec:tls /cert:deny
    expect_conn certificate_rejection tls_handshake client cert_name_mismatch \
        "trusted and valid but issued to another name; the client rejects it after the handshake"
    check "tls.handshake.type==11" 1 1 "server Certificate in clear" tls
    _check_cert_reject
}

scenario cert-key-mismatch-xrdp certs "xrdp security_layer=tls whose key_file does not belong to its certificate"
scn_cert_key_mismatch_xrdp() {
    cert_selfsigned server "$SRV_IP" "IP:$SRV_IP"
    cert_selfsigned other "$SRV_IP" "IP:$SRV_IP"
    xrdp_start security_layer=tls key_file="$SCN_WORK/other.key"
    xfreerdp_run 6 /sec:tls /cert:ignore
    expect_conn server_tls_failure tls_handshake server server_tls_setup_failed \
        "xrdp cannot set up TLS with a mismatched key: it ends the connection right after the ClientHello"
    check "$F_CH" 1 "" "ClientHello" tls
    check "$F_SH" 0 0 "no ServerHello" tls
    check "t124.DomainMCSPDU==8" 1 1 "xrdp answers the ClientHello with a plaintext MCS Disconnect Provider Ultimatum"
}

scenario cert-not-a-cert-xrdp certs "xrdp security_layer=tls whose certificate file is not a certificate"
scn_cert_not_a_cert_xrdp() {
    cert_selfsigned server "$SRV_IP" "IP:$SRV_IP"
    printf 'this is not a certificate\n' >"$SCN_WORK/garbage.pem"
    record "printf 'this is not a certificate\\n' > \$WORK/garbage.pem"
    xrdp_start security_layer=tls certificate="$SCN_WORK/garbage.pem"
    xfreerdp_run 6 /sec:tls /cert:ignore
    expect_conn server_tls_failure tls_handshake server server_tls_setup_failed \
        "xrdp cannot load its certificate: it ends the connection right after the ClientHello"
    check "$F_CH" 1 "" "ClientHello" tls
    check "$F_SH" 0 0 "no ServerHello" tls
    check "t124.DomainMCSPDU==8" 1 1 "xrdp answers the ClientHello with a plaintext MCS Disconnect Provider Ultimatum"
}
