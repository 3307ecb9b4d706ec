# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Security negotiation failures: every RDP_NEG_FAILURE code the Debian peers
# produce (xrdp only ever sends code 3; freerdp-shadow-cli sends 1, 2 and 5),
# the two codes no Debian server sends (4, 6) from a scripted listener so
# that FreeRDP's reaction to them is real, and security-layer mismatches
# that end without any failure PDU.
#
# Note: xfreerdp /sec:rdp sends a legacy X.224 request (cookie only, no
# RDP_NEG_REQ): FreeRDP adds RDP_NEG_REQ only when it asks for more than
# standard RDP security.

_neg_fail_checks() {
    local code=$1
    check "$F_NEG_FAIL==$code" 1 1 "RDP_NEG_FAILURE failureCode $code"
    check "$F_CH" 0 0 "no TLS after the failure" tls
}

scenario neg-fail-ssl-required negotiation "xfreerdp /sec:rdp (legacy request) to freerdp-shadow-cli /sec:tls: RDP_NEG_FAILURE 1 SSL_REQUIRED_BY_SERVER"
scn_neg_fail_ssl_required() {
    shadow_start /sec:tls
    xfreerdp_run 6 /sec:rdp
    expect_conn protocol_mismatch x224_negotiation server neg_failure_ssl_required \
        "server answers the legacy request with RDP_NEG_FAILURE 1 and closes; the client closes too"
    _neg_fail_checks 1
}

scenario neg-fail-ssl-not-allowed negotiation "xfreerdp /sec:tls to freerdp-shadow-cli /sec:rdp: RDP_NEG_FAILURE 2 SSL_NOT_ALLOWED_BY_SERVER"
scn_neg_fail_ssl_not_allowed() {
    shadow_start /sec:rdp
    xfreerdp_run 6 /sec:tls /cert:ignore
    expect_conn protocol_mismatch x224_negotiation server neg_failure_ssl_not_allowed \
        "server allows only standard RDP security and answers RDP_NEG_FAILURE 2"
    _neg_fail_checks 2
}

scenario neg-fail-ssl-cert-not-on-server negotiation "xfreerdp /sec:tls to xrdp security_layer=tls whose certificate and key files do not exist: RDP_NEG_FAILURE 3"
scn_neg_fail_ssl_cert_not_on_server() {
    xrdp_start security_layer=tls certificate=/nonexistent/rdplab-cert.pem key_file=/nonexistent/rdplab-key.pem
    xfreerdp_run 6 /sec:tls /cert:ignore
    expect_conn protocol_mismatch x224_negotiation server neg_failure_ssl_cert_not_on_server \
        "xrdp cannot read its certificate and answers RDP_NEG_FAILURE 3 SSL_CERT_NOT_ON_SERVER"
    _neg_fail_checks 3
}

scenario neg-fail-inconsistent-flags negotiation "xfreerdp /sec:tls to a scripted listener that answers RDP_NEG_FAILURE 4 INCONSISTENT_FLAGS (no Debian server sends it)"
scn_neg_fail_inconsistent_flags() {
    responder_start negfail "head -c 1 >/dev/null; printf '$(x224_cc_failure 4)'"
    xfreerdp_run 6 /sec:tls /cert:ignore
    expect_conn protocol_mismatch x224_negotiation server neg_failure_inconsistent_flags \
        "scripted Connection Confirm with RDP_NEG_FAILURE 4, then the listener closes"
    _neg_fail_checks 4
}

scenario neg-fail-ssl-with-user-auth-required negotiation "xfreerdp /sec:tls to a scripted listener that answers RDP_NEG_FAILURE 6 SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"
scn_neg_fail_ssl_with_user_auth_required() {
    responder_start negfail "head -c 1 >/dev/null; printf '$(x224_cc_failure 6)'"
    xfreerdp_run 6 /sec:tls /cert:ignore
    expect_conn protocol_mismatch x224_negotiation server neg_failure_ssl_with_user_auth_required \
        "scripted Connection Confirm with RDP_NEG_FAILURE 6, then the listener closes"
    _neg_fail_checks 6
}

scenario neg-fail-hybrid-required negotiation "xfreerdp /sec:tls to freerdp-shadow-cli /sec:nla: RDP_NEG_FAILURE 5 HYBRID_REQUIRED_BY_SERVER"
scn_neg_fail_hybrid_required() {
    shadow_start /sec:nla
    xfreerdp_run 6 /sec:tls /cert:ignore
    expect_conn protocol_mismatch x224_negotiation server neg_failure_hybrid_required \
        "server requires CredSSP and answers RDP_NEG_FAILURE 5"
    _neg_fail_checks 5
}

scenario neg-server-selects-rdp negotiation "xfreerdp /sec:tls to xrdp security_layer=rdp: xrdp's RDP_NEG_RSP selects standard RDP security, which the client did not offer"
scn_neg_server_selects_rdp() {
    xrdp_start security_layer=rdp
    xfreerdp_run 6 /sec:tls /cert:ignore
    expect_conn protocol_mismatch x224_negotiation client server_selected_unrequested_protocol \
        "RDP_NEG_RSP selectedProtocol 0 although only TLS was requested: the client closes without a word"
    check "rdp.negReq.requestedProtocols==0x00000001" 1 1 "client requests TLS only"
    check "rdp.negReq.selectedProtocol==0x00000000" 1 1 "server selects standard RDP security"
    check "$F_CLI_FIN" 1 "" "client closes"
    check "$F_CH" 0 0 "no ClientHello" tls
}

scenario neg-server-selects-tls-for-nla negotiation "xfreerdp /sec:nla to xrdp security_layer=negotiate: xrdp (no CredSSP) selects TLS and the NLA-only client gives up"
scn_neg_server_selects_tls_for_nla() {
    xrdp_start security_layer=negotiate
    xfreerdp_run 6 /sec:nla /u:"$LAB_USER" /p:"$LAB_PASS" /cert:ignore
    expect_conn protocol_mismatch x224_negotiation client client_refused_selected_protocol \
        "FreeRDP /sec:nla still requests SSL|HYBRID but accepts only HYBRID: xrdp selects TLS, the client closes, xrdp (already in TLS) answers the FIN with a decode_error alert"
    check "rdp.negReq.requestedProtocols==0x00000003" 1 1 "client requests SSL|HYBRID"
    check "rdp.negReq.selectedProtocol==0x00000001" 1 1 "server selects SSL"
    check "$F_CH" 0 0 "no ClientHello" tls
    check "$F_SRV_ALERT && tls.alert_message.desc==50" 1 1 "xrdp's decode_error alert after the client's FIN" tls
}

scenario neg-server-selects-hybrid-for-ext negotiation "xfreerdp /sec:ext to freerdp-shadow-cli /sec:nla +sec-ext: the server selects HYBRID, the HYBRID_EX-only client gives up"
scn_neg_server_selects_hybrid_for_ext() {
    shadow_start /sec:nla +sec-ext
    xfreerdp_run 6 /sec:ext /u:"$LAB_USER" /p:"$LAB_PASS" /cert:ignore
    expect_conn protocol_mismatch x224_negotiation client client_refused_selected_protocol \
        "FreeRDP /sec:ext requests SSL|HYBRID|HYBRID_EX but accepts only HYBRID_EX; the shadow server (2.11 never selects HYBRID_EX) selects HYBRID and the client closes"
    check "rdp.negReq.requestedProtocols==0x0000000b" 1 1 "client requests SSL|HYBRID|HYBRID_EX"
    check "rdp.negReq.selectedProtocol==0x00000002" 1 1 "server selects HYBRID"
    check "$F_CH" 0 0 "no ClientHello" tls
}

scenario neg-legacy-to-tls-only negotiation "xfreerdp /sec:rdp (legacy request, no RDP_NEG_REQ) to xrdp security_layer=tls: xrdp confirms, then drops the MCS Connect Initial"
scn_neg_legacy_to_tls_only() {
    xrdp_start security_layer=tls
    xfreerdp_run 6 /sec:rdp
    local n
    for n in 1 2; do
        expect_conn protocol_mismatch mcs_connect server legacy_request_to_tls_only \
            "attempt $n: CC without RDP_NEG_RSP, the client sends MCS Connect Initial, xrdp answers Disconnect Provider Ultimatum and a RST"
    done
    check "rdp.negReq.requestedProtocols" 0 0 "no RDP_NEG_REQ in the requests"
    check "t124.DomainMCSPDU==8" 2 2 "Disconnect Provider Ultimatum on each attempt"
    check "$F_RST_FROM_SRV" 2 2 "server resets each attempt"
}

scenario neg-rdp-rc4-xrdp negotiation "xfreerdp /sec:rdp to xrdp security_layer=rdp crypt_level=high: 128-bit RC4 is negotiated but xrdp 0.9.21 drops the connection at Client Info"
scn_neg_rdp_rc4_xrdp() {
    xrdp_start security_layer=rdp crypt_level=high
    xfreerdp_run 6 /sec:rdp
    expect_conn protocol_mismatch secure_settings server standard_security_incompatible \
        "Security Exchange and encrypted Client Info sent; xrdp cannot decrypt it and answers Disconnect Provider Ultimatum and FIN"
    check "rdp.encryptionMethod==0x00000002" 1 1 "Server Security Data selects 128-bit RC4"
    check "rdp.securityExchangePDU" 1 1 "Security Exchange PDU"
    check "rdp.clientInfoPDU" 1 1 "Client Info PDU"
    check "$F_SRV_FIN" 1 "" "server closes after Client Info"
}

# Probes (issue 14 part 11): a scanner asks, reads the answer and leaves.
# Legacy X.224 request, MS-RDPBCGR 2.2.1.1 without cookie and RDP_NEG_REQ:
# TPKT 03 00 00 0b, X.224 CR 06 e0 00 00 00 00 00.
LEGACY_CR_HEX=0300000b06e00000000000
# With RDP_NEG_REQ requesting PROTOCOL_SSL only (2.2.1.1.1): 01 00 08 00 01 00 00 00.
SSL_CR_HEX=030000130ee000000000000100080001000000

scenario probe-legacy-request-reset negotiation "a probe's legacy X.224 request (no RDP_NEG_REQ, no cookie) to a listener that reads it and aborts the connection (RST)"
scn_probe_legacy_request_reset() {
    abort_listener_start
    probe_run 6 "$LEGACY_CR_HEX"
    expect_conn protocol_mismatch x224_negotiation server legacy_request_refused \
        "legacy request without cookie, answered by the server's RST instead of a Confirm"
    check "$F_CR" 1 1 "one X.224 Connection Request"
    check "$F_CR && tcp.len==11" 1 1 "11 bytes: no cookie, no RDP_NEG_REQ"
    check "$F_CC" 0 0 "no Connection Confirm"
    check "$F_RST_FROM_SRV" 1 1 "RST from the server"
}

scenario probe-after-confirm-shadow negotiation "a probe asks freerdp-shadow-cli /sec:tls for SSL only, reads the Confirm selecting SSL and closes"
scn_probe_after_confirm_shadow() {
    shadow_start /sec:tls
    probe_run 6 "$SSL_CR_HEX"
    expect_conn closed_by_client tls_handshake client probe_closed_after_confirm \
        "the probe got the protocol it asked for (SSL) and closed within milliseconds, without a ClientHello"
    check "rdp.negReq.requestedProtocols==0x00000001" 1 1 "the probe requests SSL only"
    check "rdp.negReq.selectedProtocol==0x00000001" 1 1 "the server selects SSL"
    check "$F_CLI_FIN" 1 1 "the probe closes (FIN)"
    check "$F_CH" 0 0 "no ClientHello" tls
}
