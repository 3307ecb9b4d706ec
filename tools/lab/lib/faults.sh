# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Faults.  The kernel has no netem, so everything is nftables (drop, reject,
# deterministic loss with numgen counters, size and payload matches) plus a
# tc token bucket for a slow link.
#
# Where a fault lives matters:
#  - "router" rules sit on the FORWARD hook of the router namespace: that is
#    where a middlebox, a lossy path or an MTU bottleneck is in real life.
#    The router's rejects and resets leave with TTL 64 while everything the
#    server sends arrives at the client with TTL 63.
#  - "server" rules sit on the INPUT hook of the server namespace: a host
#    firewall (the Windows Firewall in real life).  Only use them for
#    decisions on the SYN: below the GRO-free veth they are exact, but rules
#    there that match data would also swallow the ACKs travelling with it.

# nft_rule WHERE RULE...: WHERE is router|server.
nft_rule() {
    local where=$1; shift
    local ns chain hook
    case $where in
        router) ns=$NS_RTR chain=lab_forward hook=forward ;;
        server) ns=$NS_SRV chain=lab_input hook=input ;;
        *) die "nft_rule: unknown place $where" ;;
    esac
    if ! ip netns exec "$ns" nft list chain inet rdplab "$chain" >/dev/null 2>&1; then
        in_ns "$ns" nft add table inet rdplab
        in_ns "$ns" nft add chain inet rdplab "$chain" "{ type filter hook $hook priority 0; policy accept; }"
    fi
    in_ns "$ns" nft add rule inet rdplab "$chain" "$@"
}

# Convenience matches for the two directions of the RDP connection.
TO_SRV=(ip daddr "$SRV_IP" tcp dport "$RDP_PORT")
FROM_SRV=(ip saddr "$SRV_IP" tcp sport "$RDP_PORT")

# loss_each_way PERCENT: deterministic loss on the router, each direction
# with its own packet counter.  The dropped packets are spread evenly
# (every 20th for 5 %, every 10th for 10 %, every 5th for 20 %, 2 of 5 for
# 40 %) rather than in bursts, so that the pattern looks like random loss
# but is the same on every run.
loss_each_way() {
    local pct=$1 mod set_c set_s
    case $pct in
        5) mod=20 set_c='{ 7 }' set_s='{ 3 }' ;;
        10) mod=10 set_c='{ 4 }' set_s='{ 3 }' ;;
        20) mod=5 set_c='{ 2 }' set_s='{ 3 }' ;;
        40) mod=5 set_c='{ 1, 3 }' set_s='{ 2, 4 }' ;;
        *) die "loss_each_way: unsupported percentage $pct" ;;
    esac
    nft_rule router "${TO_SRV[@]}" numgen inc mod "$mod" "$set_c" counter drop
    nft_rule router "${FROM_SRV[@]}" numgen inc mod "$mod" "$set_s" counter drop
}

# loss_burst_each_way PERCENT: deterministic bursty loss: in every 20
# packets of a direction, a run of PERCENT/5 consecutive packets is dropped
# (20 % = 4 in a row, 40 % = 8 in a row).  A segment caught in a run is
# retransmitted with exponential backoff until the run is used up, which is
# what real congestion or a flapping link does to a handshake.
loss_burst_each_way() {
    local pct=$1 n
    n=$((pct / 5))
    ((n >= 1 && n <= 19)) || die "loss_burst_each_way: unsupported percentage $pct"
    nft_rule router "${TO_SRV[@]}" numgen inc mod 20 "{ 3-$((3 + n - 1)) }" counter drop
    nft_rule router "${FROM_SRV[@]}" numgen inc mod 20 "{ 4-$((4 + n - 1)) }" counter drop
}

# slow_link RATE: token bucket on both router egresses.
slow_link() {
    local rate=$1
    in_ns "$NS_RTR" tc qdisc add dev r1 root tbf rate "$rate" burst 4kb latency 2s
    in_ns "$NS_RTR" tc qdisc add dev r2 root tbf rate "$rate" burst 4kb latency 2s
}

# server_freeze NAME: SIGSTOP a running server (its whole process group).
server_freeze() {
    local pid=${BG_PIDS[$1]:?no such process}
    record "kill -STOP -- -<pgid of $1>"
    kill -STOP -- "-$pid"
}

# nft_counters WHERE: the rule counters, for the scenario log.
nft_counters() {
    local ns
    case $1 in router) ns=$NS_RTR ;; server) ns=$NS_SRV ;; esac
    ip netns exec "$ns" nft list ruleset 2>/dev/null >>"$SCN_WORK/nft-$1.txt" || true
}
