# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Packet capture with tcpdump inside a namespace.
#
# -U --immediate-mode: write every packet as it arrives; without them the
# last FIN/RST is still in tcpdump's buffer when it is stopped and is lost.
# -s 0: full snaplen.  Classic pcap (-w x.pcap), one file per capture point.
# The filter keeps the RDP connection (TCP and UDP 3389), the ICMP errors
# that quote it and the end-of-capture marker (UDP port 9, see
# capture_marker), and leaves out ARP and the ARP-priming pings.

CAPTURE_FILTER="tcp port $RDP_PORT or udp port $RDP_PORT or udp dst port 9 or (icmp and not icmp[icmptype] == icmp-echo and not icmp[icmptype] == icmp-echoreply)"

# capture_start POINT: POINT is client (c0 in the client namespace) or
# server (s0 in the server namespace).  Output: $SCN_WORK/capture.pcap.
capture_start() {
    local point=$1 ns dev i
    case $point in
        client) ns=$NS_CLI dev=c0 ;;
        server) ns=$NS_SRV dev=s0 ;;
        *) die "capture_start: unknown capture point $point" ;;
    esac
    bg_start tcpdump ip netns exec "$ns" tcpdump -i "$dev" -n -U --immediate-mode -s 0 \
        -w "$SCN_WORK/capture.pcap" "$CAPTURE_FILTER"
    for i in $(seq 50); do
        grep -q 'listening on' "$SCN_WORK/tcpdump.log" 2>/dev/null && return 0
        sleep 0.1
    done
    die "tcpdump did not start: $(cat "$SCN_WORK/tcpdump.log")"
}

# capture_marker POINT: the last frame of every capture, one UDP datagram
# "rdplab end of capture" to the subnet's broadcast address, port 9
# (discard).  A pcap file has no end time of its own: without the marker a
# capture whose last seconds were silent (a dropped SYN, a hung server) would
# end at its last RDP packet, and the silence that proves the stall would be
# lost.  Broadcast, so that nothing answers it (no ICMP port unreachable).
capture_marker() {
    local ns bcast
    case $1 in
        client) ns=$NS_CLI bcast=10.77.1.255 ;;
        server) ns=$NS_SRV bcast=10.77.2.255 ;;
    esac
    record "echo 'rdplab end of capture' | ip netns exec $ns socat -u - UDP-DATAGRAM:$bcast:9,broadcast"
    echo 'rdplab end of capture' | ip netns exec "$ns" socat -u - "UDP-DATAGRAM:$bcast:9,broadcast"
}

capture_stop() {
    bg_stop tcpdump
}
