#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the synthetic captures of tests/pcaps/tcp-analysis/synthetic/.

Hand-made TCP segment sequences, each aimed at one of Wireshark's TCP analysis
rules (and its corner cases), plus seeded random conversations that mix them
all.  tshark's verdict on them is recorded by tools/record-tcp-baselines and
tests/test_tcp_vs_tshark.cpp compares rdpscope's with it.  Deterministic: the
same files every run (python3, standard library only).

    python3 tests/pcaps/tcp-analysis/make-synthetic.py && tools/record-tcp-baselines
"""
import os
import random
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "synthetic")
FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}
CLIENT4, SERVER4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
CLIENT6 = bytes.fromhex("20010db8000000000000000000000001")
SERVER6 = bytes.fromhex("20010db8000000000000000000000002")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def syn_opts(mss=1460, ws=7, sack=True, ts=None):
    o = struct.pack("!BBH", 2, 4, mss)
    if sack:
        o += b"\x04\x02"
    if ts is not None:
        o += struct.pack("!BBII", 8, 10, ts, 0)
    if ws is not None:
        o += bytes([3, 3, ws])
    while len(o) % 4:
        o += b"\x01"
    return o


class Pkt:
    """One segment: t (s), side (0 client, 1 server), flags, seq, ack, win, payload length."""

    def __init__(self, t, side, flags, seq, ack, win, ln, opts=b"", ipid=None, ttl=None):
        self.t, self.side, self.flags, self.seq, self.ack = t, side, flags, seq, ack
        self.win, self.ln, self.opts, self.ipid, self.ttl = win, ln, opts, ipid, ttl


def write(name, pkts, v6=False, cport=40000, sport=3389):
    ipid = [0x1000, 0x5000]
    with open(os.path.join(OUT, name + ".pcap"), "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for p in pkts:
            src, dst = ((CLIENT6, SERVER6) if v6 else (CLIENT4, SERVER4))[:: 1 if p.side == 0 else -1]
            sp, dp = (cport, sport) if p.side == 0 else (sport, cport)
            f = sum(FLAGS[c] for c in p.flags)
            hl = 20 + len(p.opts)
            tcp = struct.pack("!HHIIBBHHH", sp, dp, p.seq & 0xFFFFFFFF, p.ack & 0xFFFFFFFF, (hl // 4) << 4, f,
                              p.win & 0xFFFF, 0, 0) + p.opts + bytes((i * 7) & 0xFF for i in range(p.ln))
            ttl = p.ttl if p.ttl is not None else (64 if p.side == 0 else 61)
            if v6:
                pseudo = src + dst + struct.pack("!IxxxB", len(tcp), 6)
                tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
                ip = struct.pack("!IHBB", 0x60000000, len(tcp), 6, ttl) + src + dst
                eth = b"\x86\xdd"
            else:
                pseudo = src + dst + struct.pack("!xBH", 6, len(tcp))
                tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
                i = p.ipid if p.ipid is not None else ipid[p.side]
                ipid[p.side] = (ipid[p.side] + 1) & 0xFFFF
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i, 0x4000, ttl, 6, 0, src, dst)
                ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
                eth = b"\x08\x00"
            frame = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb" + eth + ip + tcp
            sec = int(p.t)
            usec = int(round((p.t - sec) * 1e6))
            if usec == 1000000:
                sec, usec = sec + 1, 0
            out.write(struct.pack("<IIII", 1700000000 + sec, usec, len(frame), len(frame)) + frame)


C, S = 1000, 5000  # initial sequence numbers


def hs(t0=0.0, rtt=0.010, ws=7, cws=7, c=C, s=S):
    return [Pkt(t0, 0, "S", c, 0, 64240, 0, syn_opts(ws=cws)),
            Pkt(t0 + rtt, 1, "SA", s, c + 1, 65160, 0, syn_opts(ws=ws)),
            Pkt(t0 + rtt + 0.0002, 0, "A", c + 1, s + 1, 502, 0)]


def cases():
    c1, s1 = C + 1, S + 1
    yield "spurious-before-ooo", hs() + [
        Pkt(0.1, 0, "PA", c1, s1, 502, 100), Pkt(0.101, 0, "PA", c1 + 100, s1, 502, 100),
        Pkt(0.105, 1, "A", s1, c1 + 200, 509, 0), Pkt(0.110, 0, "PA", c1, s1, 502, 100)]
    yield "acked-unseen-repeated", hs() + [
        Pkt(0.1, 0, "PA", c1, s1, 502, 100), Pkt(0.2, 1, "A", s1, c1 + 300, 509, 0),
        Pkt(0.3, 1, "A", s1, c1 + 300, 509, 0), Pkt(0.4, 1, "A", s1, c1 + 300, 509, 0),
        Pkt(0.5, 0, "PA", c1 + 300, s1, 502, 100), Pkt(0.6, 1, "A", s1, c1 + 400, 509, 0)]
    yield "acked-unseen-then-data", hs() + [
        Pkt(0.1, 0, "PA", c1, s1, 502, 100), Pkt(0.2, 1, "A", s1, c1 + 300, 509, 0),
        Pkt(0.3, 1, "PA", s1, c1 + 300, 509, 10), Pkt(0.4, 1, "PA", s1 + 10, c1 + 300, 509, 10)]
    yield "acked-unseen-window-update", hs() + [
        Pkt(0.1, 0, "PA", c1, s1, 502, 100), Pkt(0.2, 1, "A", s1, c1 + 300, 509, 0),
        Pkt(0.3, 1, "A", s1, c1 + 300, 600, 0), Pkt(0.4, 1, "A", s1, c1 + 300, 600, 0)]
    yield "acked-unseen-both-dup", hs() + [
        Pkt(0.1, 0, "PA", c1, s1, 502, 100), Pkt(0.2, 1, "A", s1, c1 + 300, 509, 0),
        Pkt(0.25, 0, "A", c1 + 100, s1, 502, 0), Pkt(0.3, 1, "A", s1, c1 + 300, 509, 0),
        Pkt(0.35, 0, "A", c1 + 100, s1, 502, 0), Pkt(0.4, 1, "A", s1, c1 + 300, 509, 0)]
    # Window full: before the peer's first ACK its window is not scaled.
    yield "window-full-first-ack", [
        Pkt(0.0, 0, "S", C, 0, 64240, 0, syn_opts(ws=2)), Pkt(0.01, 1, "SA", S, C + 1, 100, 0, syn_opts(ws=2)),
        Pkt(0.02, 0, "A", c1, s1, 502, 0), Pkt(0.03, 0, "PA", c1, s1, 502, 100),
        Pkt(0.05, 1, "A", s1, c1 + 100, 100, 0), Pkt(0.06, 0, "PA", c1 + 100, s1, 502, 400),
        Pkt(0.08, 1, "A", s1, c1 + 500, 0, 0), Pkt(0.3, 0, "A", c1 + 500, s1, 502, 1),
        Pkt(0.31, 1, "A", s1, c1 + 500, 0, 0), Pkt(0.6, 0, "A", c1 + 500, s1, 502, 1),
        Pkt(0.61, 1, "A", s1, c1 + 500, 0, 0), Pkt(0.7, 1, "A", s1, c1 + 500, 300, 0),
        Pkt(0.71, 0, "PA", c1 + 500, s1, 502, 1200)]
    yield "window-full-not-first", [
        Pkt(0.0, 0, "S", C, 0, 64240, 0, syn_opts(ws=2)), Pkt(0.01, 1, "SA", S, C + 1, 100, 0, syn_opts(ws=2)),
        Pkt(0.02, 0, "A", c1, s1, 502, 0), Pkt(0.03, 0, "PA", c1, s1, 502, 400)]
    yield "window-scale-absent-in-synack", [
        Pkt(0.0, 0, "S", C, 0, 64240, 0, syn_opts(ws=7)), Pkt(0.01, 1, "SA", S, C + 1, 1000, 0, syn_opts(ws=None)),
        Pkt(0.02, 0, "A", c1, s1, 3000, 0), Pkt(0.03, 0, "PA", c1, s1, 3000, 1000),
        Pkt(0.05, 1, "A", s1, c1 + 1000, 500, 0), Pkt(0.06, 0, "PA", c1 + 1000, s1, 3000, 500),
        Pkt(0.07, 1, "PA", s1, c1 + 1500, 500, 3000)]
    yield "window-scale-no-syn-seen", [
        Pkt(0.01, 1, "SA", S, C + 1, 100, 0, syn_opts(ws=3)), Pkt(0.02, 0, "A", c1, s1, 50, 0),
        Pkt(0.03, 0, "PA", c1, s1, 50, 100), Pkt(0.04, 1, "A", s1, c1 + 100, 100, 0),
        Pkt(0.05, 0, "PA", c1 + 100, s1, 50, 800), Pkt(0.06, 1, "PA", s1, c1 + 900, 100, 50)]
    yield "fin-resent-quickly", hs() + [
        Pkt(0.1, 0, "FA", c1, s1, 502, 0), Pkt(0.101, 0, "FA", c1, s1, 502, 0), Pkt(0.2, 0, "FA", c1, s1, 502, 0),
        Pkt(0.21, 1, "FA", s1, c1 + 1, 509, 0), Pkt(0.22, 0, "A", c1 + 1, s1 + 1, 502, 0)]
    yield "syn-nonzero-ack", [
        Pkt(0.0, 0, "S", C, 777, 64240, 0, syn_opts()), Pkt(0.01, 1, "SA", S, C + 1, 65160, 0, syn_opts()),
        Pkt(0.02, 0, "A", c1, s1, 502, 0), Pkt(0.1, 0, "PA", c1, s1, 502, 100)]
    yield "zero-window", hs() + [
        Pkt(0.1, 0, "PA", c1, s1, 502, 1000), Pkt(0.11, 1, "A", s1, c1 + 1000, 0, 0),
        Pkt(0.3, 0, "A", c1 + 1000, s1, 502, 1), Pkt(0.31, 1, "A", s1, c1 + 1000, 0, 0),
        Pkt(0.7, 0, "A", c1 + 1000, s1, 502, 1), Pkt(0.71, 1, "A", s1, c1 + 1000, 0, 0),
        Pkt(0.9, 1, "A", s1, c1 + 1000, 200, 0), Pkt(0.91, 0, "PA", c1 + 1000, s1, 502, 500),
        Pkt(0.92, 0, "PA", c1 + 1500, s1, 502, 600), Pkt(0.93, 1, "A", s1, c1 + 2100, 300, 0)]
    yield "keep-alive", hs() + [
        Pkt(0.1, 0, "PA", c1, s1, 502, 10), Pkt(0.11, 1, "A", s1, c1 + 10, 509, 0),
        Pkt(10.1, 0, "A", c1 + 9, s1, 502, 0), Pkt(10.11, 1, "A", s1, c1 + 10, 509, 0),
        Pkt(20.1, 0, "A", c1 + 9, s1, 502, 1), Pkt(20.11, 1, "A", s1, c1 + 10, 509, 0),
        Pkt(30.1, 1, "A", s1 - 1, c1 + 10, 509, 0), Pkt(30.2, 0, "A", c1 + 10, s1, 502, 0)]
    yield "fast-retransmission", hs() + [
        Pkt(0.100, 0, "PA", c1, s1, 502, 1000), Pkt(0.101, 0, "PA", c1 + 1000, s1, 502, 1000),
        Pkt(0.102, 0, "PA", c1 + 2000, s1, 502, 1000), Pkt(0.103, 0, "PA", c1 + 3000, s1, 502, 1000),
        Pkt(0.111, 1, "A", s1, c1 + 1000, 509, 0), Pkt(0.112, 1, "A", s1, c1 + 1000, 509, 0),
        Pkt(0.113, 1, "A", s1, c1 + 1000, 509, 0), Pkt(0.114, 1, "A", s1, c1 + 1000, 509, 0),
        Pkt(0.115, 0, "PA", c1 + 1000, s1, 502, 1000), Pkt(0.126, 1, "A", s1, c1 + 4000, 509, 0)]
    yield "fast-retransmission-too-late", hs() + [
        Pkt(0.100, 0, "PA", c1, s1, 502, 1000), Pkt(0.101, 0, "PA", c1 + 1000, s1, 502, 1000),
        Pkt(0.102, 0, "PA", c1 + 2000, s1, 502, 1000), Pkt(0.103, 0, "PA", c1 + 3000, s1, 502, 1000),
        Pkt(0.111, 1, "A", s1, c1 + 1000, 509, 0), Pkt(0.112, 1, "A", s1, c1 + 1000, 509, 0),
        Pkt(0.113, 1, "A", s1, c1 + 1000, 509, 0), Pkt(0.250, 0, "PA", c1 + 1000, s1, 502, 1000),
        Pkt(0.260, 1, "A", s1, c1 + 4000, 509, 0)]
    yield "gap-filled-late-and-early", hs() + [
        Pkt(0.100, 0, "PA", c1, s1, 502, 100), Pkt(0.102, 0, "PA", c1 + 200, s1, 502, 100),
        Pkt(0.104, 0, "PA", c1 + 100, s1, 502, 100), Pkt(0.106, 0, "PA", c1 + 400, s1, 502, 100),
        Pkt(0.111, 1, "A", s1, c1 + 300, 509, 0), Pkt(0.112, 1, "A", s1, c1 + 300, 509, 0),
        Pkt(0.400, 0, "PA", c1 + 300, s1, 502, 100), Pkt(0.411, 1, "A", s1, c1 + 500, 509, 0),
        Pkt(0.5, 0, "PA", c1 + 500, s1, 502, 100), Pkt(0.52, 1, "A", s1, c1 + 800, 509, 0),
        Pkt(0.9, 0, "PA", c1 + 600, s1, 502, 200)]
    yield "syn-ack-resent", [
        Pkt(0.0, 0, "S", C, 0, 64240, 0, syn_opts()), Pkt(0.01, 1, "SA", S, C + 1, 65160, 0, syn_opts()),
        Pkt(1.0, 0, "S", C, 0, 64240, 0, syn_opts()), Pkt(1.01, 1, "SA", S, C + 1, 65160, 0, syn_opts()),
        Pkt(1.02, 0, "A", c1, s1, 502, 0), Pkt(1.03, 1, "SA", S, C + 1, 65160, 0, syn_opts()),
        Pkt(1.04, 0, "A", c1, s1, 502, 0)]
    yield "rst-injected", hs() + [
        Pkt(0.1, 0, "PA", c1, s1, 502, 300), Pkt(0.1001, 1, "R", s1, 0, 0, 0, ipid=0, ttl=64),
        Pkt(0.12, 1, "A", s1, c1 + 300, 509, 0)]
    yield "refused", [Pkt(0.0, 0, "S", C, 0, 64240, 0, syn_opts()), Pkt(0.001, 1, "RA", 0, C + 1, 0, 0)]
    # Port reuse: where tshark starts a new tcp.stream on the same ports -- at a
    # SYN whose sequence number is not its direction's base (the first SYN's,
    # one less than the first packet's, or one less than the peer's first ACK).
    syn = lambda t, seq, side=0: Pkt(t, side, "S", seq, 0, 64240, 0, syn_opts())
    refuse = lambda t, isn: Pkt(t, 1, "RA", 0, isn + 1, 0, 0)
    yield "port-reuse-new-isn-unanswered", [syn(0.0, C), syn(1.0, C + 5000), syn(3.0, C + 5000)]
    yield "port-reuse-refused-retries", [syn(0.0, C), refuse(0.001, C), syn(0.5, C), refuse(0.501, C),
                                         syn(1.0, C), refuse(1.001, C)]  # Windows resends a refused SYN
    yield "port-reuse-refused-new-isn", [syn(0.0, C), refuse(0.001, C), syn(1.0, C + 5000), refuse(1.001, C + 5000)]
    yield "port-reuse-rst-same-isn", hs() + [Pkt(0.1, 0, "PA", c1, s1, 502, 100), Pkt(0.11, 1, "RA", s1, c1 + 100, 0, 0),
                                             syn(1.0, C), Pkt(1.001, 1, "SA", S + 7, C + 1, 65160, 0, syn_opts())]
    yield "port-reuse-fin-same-isn", hs() + [Pkt(0.1, 0, "FA", c1, s1, 502, 0), Pkt(0.11, 1, "FA", s1, c1 + 1, 509, 0),
                                             Pkt(0.12, 0, "A", c1 + 1, s1 + 1, 502, 0), syn(1.0, C)]
    yield "port-reuse-answered-new-isn", hs() + [syn(1.0, C + 5000), Pkt(1.001, 1, "SA", S + 9, C + 5001, 65160, 0,
                                                                         syn_opts())]
    yield "port-reuse-midstream-then-syn", [Pkt(0.0, 0, "PA", C, S, 502, 100), syn(1.0, C - 1), syn(2.0, C + 77)]
    yield "port-reuse-ack-only-then-syn", [Pkt(0.0, 0, "A", C, S, 502, 0), syn(1.0, C - 1), syn(2.0, C + 77)]
    yield "port-reuse-server-first", [Pkt(0.0, 1, "PA", S, C, 509, 100), syn(1.0, C - 1), syn(2.0, C + 77)]
    yield "port-reuse-server-rst-first", [Pkt(0.0, 1, "R", S, C, 0, 0), syn(1.0, C + 77)]
    yield "port-reuse-client-rst-first", [Pkt(0.0, 0, "RA", C, S, 0, 0), syn(1.0, C - 1), syn(2.0, C + 77)]
    yield "port-reuse-server-syn", [Pkt(0.0, 1, "SA", S, C + 1, 65160, 0, syn_opts()), syn(1.0, S, side=1),
                                    syn(2.0, S + 77, side=1)]
    dup = []
    for p in hs() + [Pkt(0.1, 0, "PA", c1, s1, 502, 100), Pkt(0.11, 1, "PA", s1, c1 + 100, 509, 200),
                     Pkt(0.12, 0, "A", c1 + 100, s1 + 200, 502, 0), Pkt(0.13, 0, "FA", c1 + 100, s1 + 200, 502, 0),
                     Pkt(0.14, 1, "RA", s1 + 200, c1 + 101, 0, 0)]:
        dup.append(p)
        q = Pkt(p.t + 0.000004, p.side, p.flags, p.seq, p.ack, p.win, p.ln, p.opts, ttl=p.ttl)
        dup.append(q)
    # Twins share the IP ID: write() numbers them from the packet list, so give them the same one.
    for i in range(0, len(dup), 2):
        dup[i].ipid = dup[i + 1].ipid = 0x2000 + i
    yield "captured-twice", dup
    yield "seq-wraparound", hs(c=0xFFFFFF00, s=0xFFFFFFF0) + [
        Pkt(0.1, 0, "PA", 0xFFFFFF01, 0xFFFFFFF1, 502, 100), Pkt(0.101, 0, "PA", 0xFFFFFF65, 0xFFFFFFF1, 502, 200),
        Pkt(0.11, 1, "PA", 0xFFFFFFF1, 0xFFFFFF01 + 300, 509, 100), Pkt(0.12, 0, "A", 0xFFFFFF01 + 300, 0x55, 502, 0),
        Pkt(0.4, 0, "PA", 0xFFFFFF65, 0x55, 502, 200), Pkt(0.41, 0, "PA", 0x2D, 0x55, 502, 10)]


def chaos(seed, v6=False, n=400):
    """A random conversation: data both ways with loss before the capture point
    (segments never written), loss after it (resends), reordering, copies,
    dup ACKs, window changes to zero and back, keep-alives and probes."""
    rnd = random.Random(seed)
    isn = [rnd.randrange(1 << 32), rnd.randrange(1 << 32)]
    if seed % 5 == 0:
        isn[0] = (1 << 32) - rnd.randrange(1, 5000)  # sequence numbers wrap
    ws = [rnd.choice([None, 0, 2, 7]), rnd.choice([None, 0, 3, 8])]
    t = 0.0
    rtt = rnd.choice([0.0005, 0.002, 0.02, 0.08])
    pkts = []
    nxt = [isn[0] + 1, isn[1] + 1]   # next new byte per side
    rcv = [isn[1] + 1, isn[0] + 1]   # what each side ACKs (its peer's bytes received in order)
    win = [rnd.choice([502, 1000, 64]), rnd.choice([509, 2000, 32])]
    sent = [[], []]                  # (seq, len) sent per side
    handshake = rnd.random() < 0.85
    if handshake:
        pkts.append(Pkt(t, 0, "S", isn[0], 0, 64240, 0, syn_opts(ws=ws[0])))
        if rnd.random() < 0.2:
            t += 1.0
            pkts.append(Pkt(t, 0, "S", isn[0], 0, 64240, 0, syn_opts(ws=ws[0])))
        t += rtt
        pkts.append(Pkt(t, 1, "SA", isn[1], isn[0] + 1, 65160, 0, syn_opts(ws=ws[1])))
        t += rnd.choice([0.00005, rtt / 10])
        pkts.append(Pkt(t, 0, "A", isn[0] + 1, isn[1] + 1, win[0], 0))
    for _ in range(n):
        t += rnd.choice([0.0001, 0.0005, 0.001, 0.002, 0.004, 0.015, rtt, 2 * rtt, 0.2, 0.25])
        s = rnd.randrange(2)
        r = rnd.random()
        if r < 0.40:  # new data
            ln = rnd.choice([1, 2, 10, 100, 536, 1000, 1460])
            p = Pkt(t, s, "PA", nxt[s], rcv[s], win[s], ln)
            sent[s].append((nxt[s], ln))
            nxt[s] += ln
            fate = rnd.random()
            if fate < 0.08:
                continue  # lost before the capture point: never written
            pkts.append(p)
            if fate < 0.13:  # captured twice
                pkts.append(Pkt(t + 0.000003, s, p.flags, p.seq, p.ack, p.win, p.ln, ipid=None))
                pkts[-1].ipid = -1  # same IP ID as the original, fixed below
            elif fate < 0.18 and len(pkts) >= 2:  # reordered with the previous packet
                pkts[-1], pkts[-2] = pkts[-2], pkts[-1]
                pkts[-1].t, pkts[-2].t = pkts[-2].t, pkts[-1].t
        elif r < 0.55 and sent[s]:  # resend something old
            seq, ln = rnd.choice(sent[s][-6:])
            pkts.append(Pkt(t, s, "PA", seq, rcv[s], win[s], ln))
        elif r < 0.75:  # the peer's bytes arrive: ACK (maybe not all of them)
            o = 1 - s
            if sent[o]:
                upto = rnd.choice(sent[o][-4:])
                if rnd.random() < 0.7:
                    rcv[s] = max(rcv[s], upto[0] + upto[1]) if (upto[0] + upto[1] - rcv[s]) % (1 << 32) < (1 << 31) else rcv[s]
            pkts.append(Pkt(t, s, "A", nxt[s], rcv[s], win[s], 0))
        elif r < 0.85:  # dup ACKs
            for _ in range(rnd.choice([1, 2, 3, 4])):
                pkts.append(Pkt(t, s, "A", nxt[s], rcv[s], win[s], 0))
                t += rnd.choice([0.0001, 0.001, 0.005])
        elif r < 0.90:  # window change (sometimes to zero)
            win[s] = rnd.choice([0, 0, 64, 502, 1000, 3000])
            pkts.append(Pkt(t, s, "A", nxt[s], rcv[s], win[s], 0))
        elif r < 0.94:  # keep-alive or zero window probe
            if rnd.random() < 0.5:
                pkts.append(Pkt(t, s, "A", nxt[s] - 1, rcv[s], win[s], rnd.choice([0, 1])))
            else:
                pkts.append(Pkt(t, s, "PA", nxt[s], rcv[s], win[s], 1))
                if rnd.random() < 0.5:
                    sent[s].append((nxt[s], 1))
                    nxt[s] += 1
        elif r < 0.97:  # fill the window exactly
            o = 1 - s
            scale = ws[o] if (handshake and ws[0] is not None and ws[1] is not None) else 0
            ln = (win[o] << (scale or 0)) - ((nxt[s] - rcv[o]) % (1 << 32))
            if 0 < ln <= 1460:
                pkts.append(Pkt(t, s, "PA", nxt[s], rcv[s], win[s], ln))
                sent[s].append((nxt[s], ln))
                nxt[s] += ln
        else:  # an ACK of bytes never captured (the peer jumped ahead)
            o = 1 - s
            pkts.append(Pkt(t, s, "A", nxt[s], rcv[s] + rnd.choice([1, 100, 1000]), win[s], 0))
    fin = rnd.randrange(2)
    t += 0.01
    pkts.append(Pkt(t, fin, "FA", nxt[fin], rcv[fin], win[fin], 0))
    if rnd.random() < 0.3:
        t += 0.001
        pkts.append(Pkt(t, fin, "FA", nxt[fin], rcv[fin], win[fin], 0))
    t += 0.01
    pkts.append(Pkt(t, 1 - fin, rnd.choice(["FA", "RA"]), nxt[1 - fin], nxt[fin] + 1, win[1 - fin], 0))
    # Give copies their original's IP ID (write() numbers the others in order).
    ids = [0x3000, 0x7000]
    for i, p in enumerate(pkts):
        if p.ipid == -1:
            p.ipid = pkts[i - 1].ipid
        elif not v6:
            p.ipid = ids[p.side]
            ids[p.side] = (ids[p.side] + 1) & 0xFFFF
    pkts.sort(key=lambda p: p.t)
    return pkts


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".pcap"):
            os.remove(os.path.join(OUT, f))
    for name, pkts in cases():
        write(name, pkts)
    for seed in range(1, 41):
        write("chaos-%02d" % seed, chaos(seed))
    for seed in range(41, 46):
        write("chaos-v6-%02d" % seed, chaos(seed, v6=True), v6=True)


if __name__ == "__main__":
    main()
