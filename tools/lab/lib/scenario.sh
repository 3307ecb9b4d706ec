# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The scenario table and the words scenario bodies are written in.
#
# A scenario file (scenarios/*.sh) registers each scenario with
#     scenario NAME GROUP "one-line description" [capture=client|server] [syn_linear=N] [min_capture=S]
# and defines its body as a function named scn_NAME (dashes become
# underscores).  The body starts peers, applies faults, runs the client,
# and states what the capture must show:
#     expect_conn CAUSE STALLED_AT WAITING_ON VERDICT "note"   (one per TCP
#                 connection, in the order of their first packet)
#     expect_group SCOPE PATTERN "note"   (a pattern of the client's group)
#     check FILTER MIN MAX "note" [tls|tlskeys]   (MAX empty = no upper
#                 bound; "tls" decodes port 3389 as TLS for the check,
#                 "tlskeys" also decrypts it with the scenario's key log)
# The capture is already running when the body starts and is stopped by the
# runner after it returns (one second later, or min_capture seconds after it
# started, whichever is later: scenarios that end in silence keep capturing
# beyond the 30 s stall timeout of the analyzer).

declare -ga SCN_NAMES=()
declare -gA SCN_DESC=() SCN_GROUP=() SCN_OPTS=()

scenario() {
    local name=$1 group=$2 desc=$3
    shift 3
    SCN_NAMES+=("$name")
    SCN_DESC[$name]=$desc
    SCN_GROUP[$name]=$group
    SCN_OPTS[$name]="$*"
}

scn_fn() { printf 'scn_%s' "${1//-/_}"; }

# scn_opt NAME KEY DEFAULT: value of KEY=... from the registration.
scn_opt() {
    local kv
    for kv in ${SCN_OPTS[$1]}; do
        [[ ${kv%%=*} == "$2" ]] && { printf '%s' "${kv#*=}"; return; }
    done
    printf '%s' "$3"
}

# expect_conn CAUSE STALLED_AT WAITING_ON VERDICT NOTE
expect_conn() {
    local cause=$1 stalled=$2 waiting=$3 verdict=$4 note=${5:-}
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$CLI_IP:*" "$SRV_IP:$RDP_PORT" \
        "$cause" "$stalled" "$waiting" "$verdict" "$note" >>"$SCN_WORK/conns.tsv"
}

# expect_group SCOPE PATTERN NOTE: the client's group (SCOPE pair: client ->
# server; client: the client across servers) names PATTERN (brute_force,
# spray, scan; "null": none), from how the scenario made its connections.
expect_group() {
    local scope=$1 pattern=$2 note=${3:-} server=''
    [[ $scope == pair ]] && server="$SRV_IP:$RDP_PORT"
    printf '%s\t%s\t%s\t%s\t%s\n' "$scope" "$CLI_IP" "$server" "$pattern" "$note" >>"$SCN_WORK/groups.tsv"
}

# expect_xfail REASON: the capture cannot decide this scenario's expectation
# (rdpscope check then shows XFAIL, not FAIL); say exactly why.
expect_xfail() {
    printf '%s\n' "$1" >"$SCN_WORK/xfail.txt"
}

# check FILTER MIN MAX NOTE [tls]
check() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$SCN_WORK/checks.tsv"
}

# Display filters used by many scenarios.
# "!icmp": an ICMP error quotes the SYN, and tshark matches the quoted TCP
# header's fields too.
F_SYN='!icmp && tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==3389'
F_SYN_RETX="$F_SYN && tcp.analysis.retransmission"
F_SYNACK='!icmp && tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.srcport==3389'
F_RST_FROM_SRV='!icmp && tcp.flags.reset==1 && tcp.srcport==3389'
F_CR='cotp.type==0x0e'         # X.224 Connection Request
F_CC='cotp.type==0x0d'         # X.224 Connection Confirm
F_CH='tls.handshake.type==1'     # ClientHello
F_SH='tls.handshake.type==2'     # ServerHello
F_CLI_DATA='ip.src==10.77.1.2 && tcp.len>0'
F_SRV_DATA='ip.src==10.77.2.2 && tcp.len>0'
F_ALERT='tls.record.content_type==21'
F_CLI_ALERT="$F_ALERT && ip.src==10.77.1.2"
F_SRV_ALERT="$F_ALERT && ip.src==10.77.2.2"
F_CLI_FIN='tcp.flags.fin==1 && ip.src==10.77.1.2'
F_SRV_FIN='tcp.flags.fin==1 && ip.src==10.77.2.2'
F_SRV_RETX='ip.src==10.77.2.2 && tcp.analysis.retransmission'
F_CLI_RETX='ip.src==10.77.1.2 && tcp.analysis.retransmission'
# tshark does not dissect retransmitted segments again: match TLS handshake
# records (and X.224) in them by their first payload bytes.
F_TLS_HS_RETX='tcp.analysis.retransmission && tcp.payload[0:2]==16:03'
F_CH_RETX="ip.src==10.77.1.2 && $F_TLS_HS_RETX"
F_SRV_HS_RETX="ip.src==10.77.2.2 && $F_TLS_HS_RETX"
# neg_failure CODE: the RDP_NEG_FAILURE check filter.
F_NEG_FAIL='rdp.negFailure.failureCode'
