# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Completed TLS handshakes with each cipher-suite family rdpscope decrypts
# (AES-CBC with SHA1 and SHA384, MAC-then-encrypt and encrypt-then-MAC,
# ChaCha20-Poly1305, TLS 1.0, RSA key exchange), each with its key log; the
# RSA ones also keep the server's private key (NAME.server-key.pem, made for
# the lab, no other use) so that --rsa-key can be checked against the key log.

# _no_etm_conf: an OpenSSL configuration for the client that turns off
# encrypt_then_mac (RFC 7366), so the server answers with MAC-then-encrypt as
# SChannel does; SECLEVEL 0 admits TLS 1.0 and SHA1 (OpenSSL 3 refuses both
# at level 1 and above).
_no_etm_conf() {
    cat >"$SCN_WORK/client-openssl.cnf" <<'CNF'
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = -EncryptThenMac
CipherString = DEFAULT:@SECLEVEL=0
CNF
    record "# \$WORK/client-openssl.cnf: system_default Options = -EncryptThenMac, CipherString = DEFAULT:@SECLEVEL=0"
    CLIENT_ENV=(OPENSSL_CONF="$SCN_WORK/client-openssl.cnf")
}
F_SH_ETM="tls.handshake.type==2 && tls.handshake.extension.type==22"

scenario ok-tls12-cbc-sha-mte-xrdp success "xrdp TLS 1.2 tls_ciphers=ECDHE-RSA-AES128-SHA, xfreerdp without encrypt_then_mac: AES-128-CBC, HMAC-SHA1, MAC-then-encrypt"
scn_ok_tls12_cbc_sha_mte_xrdp() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2" tls_ciphers=ECDHE-RSA-AES128-SHA
    _no_etm_conf
    xfreerdp_run 3 /sec:tls /cert:ignore +enforce-tlsv1_2 /tls-ciphers:ECDHE-RSA-AES128-SHA
    expect_conn none "" "" "" "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, MAC-then-encrypt; MCS and xrdp's login screen follow"
    check "$F_SH && tls.handshake.ciphersuite==0xc013" 1 1 "ServerHello selects ECDHE-RSA-AES128-SHA" tls
    check "$F_SH_ETM" 0 0 "no encrypt_then_mac in the ServerHello" tls
    _check_sustained
}

scenario ok-tls12-cbc-sha384-etm-xrdp success "xrdp TLS 1.2 tls_ciphers=ECDHE-RSA-AES256-SHA384, OpenSSL's defaults on both sides: AES-256-CBC, HMAC-SHA384, encrypt-then-MAC"
scn_ok_tls12_cbc_sha384_etm_xrdp() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2" tls_ciphers=ECDHE-RSA-AES256-SHA384
    xfreerdp_run 3 /sec:tls /cert:ignore +enforce-tlsv1_2 /tls-ciphers:ECDHE-RSA-AES256-SHA384
    expect_conn none "" "" "" "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, encrypt-then-MAC negotiated; MCS and xrdp's login screen follow"
    check "$F_SH && tls.handshake.ciphersuite==0xc028" 1 1 "ServerHello selects ECDHE-RSA-AES256-SHA384" tls
    check "$F_SH_ETM" 1 1 "encrypt_then_mac in the ServerHello" tls
    _check_sustained
}

scenario ok-tls12-chacha-xrdp success "xrdp TLS 1.2 tls_ciphers=ECDHE-RSA-CHACHA20-POLY1305: ChaCha20-Poly1305"
scn_ok_tls12_chacha_xrdp() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2" tls_ciphers=ECDHE-RSA-CHACHA20-POLY1305
    xfreerdp_run 3 /sec:tls /cert:ignore +enforce-tlsv1_2 /tls-ciphers:ECDHE-RSA-CHACHA20-POLY1305
    expect_conn none "" "" "" "TLS 1.2 with TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256; MCS and xrdp's login screen follow"
    check "$F_SH && tls.handshake.ciphersuite==0xcca8" 1 1 "ServerHello selects ECDHE-RSA-CHACHA20-POLY1305" tls
    _check_sustained
}

scenario ok-tls10-rsa-xrdp success "xrdp ssl_protocols=TLSv1 tls_ciphers=AES128-SHA@SECLEVEL=0, xfreerdp at security level 0 without encrypt_then_mac: TLS 1.0, RSA key exchange, MAC-then-encrypt" keep_server_key=1
scn_ok_tls10_rsa_xrdp() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1" "tls_ciphers=AES128-SHA:@SECLEVEL=0"
    _no_etm_conf
    xfreerdp_run 3 /sec:tls /cert:ignore /tls-seclevel:0 /tls-ciphers:AES128-SHA
    expect_conn none "" "" "" "TLS 1.0 with TLS_RSA_WITH_AES_128_CBC_SHA (RSA key exchange), MAC-then-encrypt; MCS and xrdp's login screen follow"
    check "$F_SH && tls.handshake.version==0x0301 && tls.handshake.ciphersuite==0x002f" 1 1 "ServerHello selects TLS 1.0, AES128-SHA" tls
    check "$F_SH_ETM" 0 0 "no encrypt_then_mac in the ServerHello" tls
    _check_sustained
}

scenario ok-tls12-rsa-gcm-xrdp success "xrdp TLS 1.2 tls_ciphers=AES256-GCM-SHA384: RSA key exchange with the extended master secret" keep_server_key=1
scn_ok_tls12_rsa_gcm_xrdp() {
    xrdp_start security_layer=tls "ssl_protocols=TLSv1.2" tls_ciphers=AES256-GCM-SHA384
    xfreerdp_run 3 /sec:tls /cert:ignore +enforce-tlsv1_2 /tls-ciphers:AES256-GCM-SHA384
    expect_conn none "" "" "" "TLS 1.2 with TLS_RSA_WITH_AES_256_GCM_SHA384 and extended_master_secret; MCS and xrdp's login screen follow"
    check "$F_SH && tls.handshake.ciphersuite==0x009d" 1 1 "ServerHello selects AES256-GCM-SHA384 (RSA key exchange)" tls
    check "tls.handshake.type==2 && tls.handshake.extension.type==23" 1 1 "extended_master_secret in the ServerHello" tls
    _check_sustained
}
