# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# TLS parameter mismatches that end in a TLS alert from the server.

scenario tls-version-mismatch tls "xrdp ssl_protocols=TLSv1.3 only, xfreerdp +enforce-tlsv1_2: the server answers the ClientHello with a protocol_version alert"
scn_tls_version_mismatch() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.3"
    xfreerdp_run 6 /sec:tls /cert:ignore +enforce-tlsv1_2
    expect_conn tls_mismatch tls_handshake server alert_protocol_version \
        "client offers at most TLS 1.2, server accepts only TLS 1.3: fatal alert protocol_version (70)"
    check "$F_CH" 1 1 "ClientHello" tls
    check "$F_SRV_ALERT && tls.alert_message.desc==70" 1 1 "server alert protocol_version" tls
    check "$F_SH" 0 0 "no ServerHello" tls
}

scenario tls-cipher-mismatch tls "xrdp TLS 1.2 with tls_ciphers=AES128-SHA only, xfreerdp /tls-ciphers:ECDHE-RSA-AES256-GCM-SHA384: handshake_failure alert"
scn_tls_cipher_mismatch() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2" tls_ciphers=AES128-SHA
    xfreerdp_run 6 /sec:tls /cert:ignore +enforce-tlsv1_2 /tls-ciphers:ECDHE-RSA-AES256-GCM-SHA384
    expect_conn tls_mismatch tls_handshake server alert_handshake_failure \
        "no cipher suite in common: fatal alert handshake_failure (40) from the server"
    check "$F_CH" 1 1 "ClientHello" tls
    check "$F_SRV_ALERT && tls.alert_message.desc==40" 1 1 "server alert handshake_failure" tls
    check "$F_SH" 0 0 "no ServerHello" tls
}
