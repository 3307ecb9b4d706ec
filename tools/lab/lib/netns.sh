# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The lab topology: three network namespaces joined by two veth pairs.
#
#   rdplab[-TAG]-cli          rdplab[-TAG]-rtr                 rdplab[-TAG]-srv
#   c0 10.77.1.2/24  <---->  r1 10.77.1.1/24
#                            r2 10.77.2.1/24  <---->  s0 10.77.2.2/24
#
# Why a router: middlebox, loss and size faults belong on a forwarding hop,
# where they see packets as a real network does.  Rules inside the server
# namespace would see GSO super-packets and drop the ACKs that ride with the
# data.  The router also makes TTLs realistic: server packets reach the client
# with TTL 63, whereas a RST or ICMP forged by the router arrives with TTL 64.
#
# Segmentation and receive offloads are switched off on every veth (TSO, GSO,
# GRO), and so is TX checksum offload so that captured packets carry correct
# checksums.  IPv6 is disabled so that the captures hold no ND/RS chatter.

LAB_TAG=${LAB_TAG:-}
_ns_prefix="rdplab${LAB_TAG:+-$LAB_TAG}"
NS_CLI="$_ns_prefix-cli"
NS_RTR="$_ns_prefix-rtr"
NS_SRV="$_ns_prefix-srv"

CLI_IP=10.77.1.2
RTR_CLI_IP=10.77.1.1
RTR_SRV_IP=10.77.2.1
SRV_IP=10.77.2.2
RDP_PORT=3389

# in NS CMD...: run CMD inside a namespace (recorded).
in_ns() {
    local ns=$1; shift
    x ip netns exec "$ns" "$@"
}

_veth_tune() {
    local ns=$1 dev=$2
    x ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off >/dev/null 2>&1 ||
        x ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off >/dev/null
}

netns_down() {
    local ns pid
    for ns in "$NS_CLI" "$NS_RTR" "$NS_SRV"; do
        if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
            # Processes still inside would keep the namespace's network alive
            # after its name is gone.  They can only be the lab's own (a
            # crashed earlier run): end them by pid.
            for pid in $(ip netns pids "$ns" 2>/dev/null); do
                kill -KILL "$pid" 2>/dev/null || true
            done
            ip netns delete "$ns" 2>/dev/null || true
        fi
    done
}

# netns_up: build the topology.  SYN timing of the client namespace is set
# from SYN_LINEAR (empty = kernel default) and recorded in SCN_SYN_TIMING.
netns_up() {
    netns_down
    local ns
    for ns in "$NS_CLI" "$NS_RTR" "$NS_SRV"; do
        x ip netns add "$ns"
        x ip -n "$ns" link set lo up
        x ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    # Create each veth end directly inside its namespace, so that two labs
    # (e.g. the selftest and a run) never clash on interface names.
    x ip link add c0 netns "$NS_CLI" type veth peer name r1 netns "$NS_RTR"
    x ip link add s0 netns "$NS_SRV" type veth peer name r2 netns "$NS_RTR"
    x ip -n "$NS_CLI" addr add "$CLI_IP/24" dev c0
    x ip -n "$NS_RTR" addr add "$RTR_CLI_IP/24" dev r1
    x ip -n "$NS_RTR" addr add "$RTR_SRV_IP/24" dev r2
    x ip -n "$NS_SRV" addr add "$SRV_IP/24" dev s0
    x ip -n "$NS_CLI" link set c0 up
    x ip -n "$NS_RTR" link set r1 up
    x ip -n "$NS_RTR" link set r2 up
    x ip -n "$NS_SRV" link set s0 up
    x ip -n "$NS_CLI" route add default via "$RTR_CLI_IP"
    x ip -n "$NS_SRV" route add default via "$RTR_SRV_IP"
    x ip netns exec "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1
    _veth_tune "$NS_CLI" c0
    _veth_tune "$NS_RTR" r1
    _veth_tune "$NS_RTR" r2
    _veth_tune "$NS_SRV" s0
    # Kernels before tcp_syn_linear_timeouts (Debian 12's 6.1) always use the
    # classic doubling; syn_timing_desc records what was in force.
    if [[ -n ${SYN_LINEAR:-} ]] &&
        ip netns exec "$NS_CLI" test -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts; then
        x ip netns exec "$NS_CLI" sysctl -qw "net.ipv4.tcp_syn_linear_timeouts=$SYN_LINEAR"
    fi
    SCN_SYN_TIMING=$(syn_timing_desc)
    # Prime ARP both ways so the first SYN is not delayed by resolution and
    # the capture starts with the connection itself.
    ip netns exec "$NS_CLI" ping -c1 -W1 "$RTR_CLI_IP" >/dev/null 2>&1 || true
    ip netns exec "$NS_SRV" ping -c1 -W1 "$RTR_SRV_IP" >/dev/null 2>&1 || true
}

# syn_timing_desc: how the client namespace retries SYNs, for expect.json.
syn_timing_desc() {
    local v r
    r=$(ip netns exec "$NS_CLI" sysctl -n net.ipv4.tcp_syn_retries 2>/dev/null || echo '?')
    if v=$(ip netns exec "$NS_CLI" sysctl -n net.ipv4.tcp_syn_linear_timeouts 2>/dev/null); then
        if [[ $v == 0 ]]; then
            printf 'tcp_syn_linear_timeouts=0 (classic exponential SYN retries 1, 2, 4, 8 s ...), tcp_syn_retries=%s' "$r"
        else
            printf 'tcp_syn_linear_timeouts=%s (first %s SYN retries 1 s apart, then exponential), tcp_syn_retries=%s' "$v" "$v" "$r"
        fi
    else
        printf 'tcp_syn_linear_timeouts not present on kernel %s (classic exponential SYN retries 1, 2, 4, 8 s ...), tcp_syn_retries=%s' "$(uname -r)" "$r"
    fi
}
