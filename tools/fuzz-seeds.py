#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed inputs for the fuzz targets, cut from the bundled captures.

Usage: fuzz-seeds.py OUT_DIR CAPTURE...

Writes OUT_DIR/<target>/<sha1> files in the input format each fuzz target
reads (see fuzz/fuzz_<target>.cpp).  Only captures whose licence allows
copying may be given (tests/pcaps: our lab, the public folders' licences,
tcpdump's BSD offload samples) -- never the unlicensed Windows reference
captures.  tools/fuzz calls this, then minimises each folder with libFuzzer's
-merge=1 so only inputs that add coverage are kept.

The captures are read here by a small pcap/pcapng walker (frames and link
types) and by tshark (TCP/UDP payloads, certificates): it is a test tool,
not part of rdpscope.
"""
import hashlib
import os
import struct
import subprocess
import sys

# fuzz_packet.cpp's kLinkTypes: the first input byte picks the link type.
PACKET_LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147]
MAX_SEED = 16 * 1024          # libFuzzer's default -max_len is 4096; keep seeds small
MAX_FRAMES_PER_FILE = 12
MAX_STREAM_BYTES = 8 * 1024


def frames(path):
    """(linktype, bytes) of the first frames of a pcap or pcapng file."""
    with open(path, "rb") as f:
        data = f.read(4 * 1024 * 1024)
    out = []
    if len(data) < 24:
        return out
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xd4, 0x4d) else ">"
        lt = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(data) and len(out) < MAX_FRAMES_PER_FILE:
            incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
            if incl > 262144 or off + 16 + incl > len(data):
                break
            out.append((lt, data[off + 16:off + 16 + incl]))
            off += 16 + incl
        return out
    if magic != b"\x0a\x0d\x0d\x0a" or len(data) < 12:
        return out
    e = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    off, ifaces = 0, []
    while off + 12 <= len(data) and len(out) < MAX_FRAMES_PER_FILE:
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 0x0A0D0D0A:
            ifaces = []
        elif btype == 1 and len(body) >= 2:
            ifaces.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iid, _, _, cap = struct.unpack(e + "IIII", body[:16])
            if iid < len(ifaces):
                out.append((ifaces[iid], body[20:20 + cap]))
        elif btype == 3 and len(body) >= 4 and ifaces:
            out.append((ifaces[0], body[4:]))
        off += blen
    return out


def tshark(path, fltr, fields, segments=True):
    """Fields of the frames matching fltr.  segments: one row per TCP segment
    (no reassembly); else reassembled, with 3389 decoded as TLS (certificates
    span segments, and RDP's own dissector hides the TLS inside it)."""
    opts = ["-o", "tcp.desegment_tcp_streams:FALSE"] if segments else ["-d", "tcp.port==3389,tls"]
    cmd = ["tshark", "-r", path, "-n"] + opts + ["-Y", fltr, "-T", "fields"]
    for fld in fields:
        cmd += ["-e", fld]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return [line.split("\t") for line in r.stdout.splitlines() if line]


def unhex(s):
    s = s.split(",")[0].replace(":", "")
    try:
        return bytes.fromhex(s)
    except ValueError:
        return b""


class Seeds:
    def __init__(self, out):
        self.out = out
        self.count = {}

    def add(self, target, blob):
        if not blob or len(blob) > MAX_SEED:
            blob = blob[:MAX_SEED]
        if not blob:
            return
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(blob).hexdigest()
        p = os.path.join(d, name)
        if not os.path.exists(p):
            with open(p, "wb") as f:
                f.write(blob)
            self.count[target] = self.count.get(target, 0) + 1


def session_chunks(pieces):
    """fuzz_session's format: a control byte (bit 0 side, bit 1 gap, bits 2-7
    length 0..63) before each piece of at most 63 bytes."""
    out = bytearray()
    for side, b in pieces:
        for i in range(0, len(b), 63):
            part = b[i:i + 63]
            out.append((len(part) << 2) | side)
            out += part
            if len(out) > MAX_STREAM_BYTES:
                return bytes(out)
    return bytes(out)


def main():
    out, caps = sys.argv[1], sys.argv[2:]
    s = Seeds(out)
    for cap in caps:
        size = os.path.getsize(cap)
        if size <= MAX_SEED * 4:
            s.add("fuzz_pcap_file", open(cap, "rb").read())
        for lt, frame in frames(cap):
            if lt in PACKET_LINKTYPES:
                s.add("fuzz_packet", bytes([PACKET_LINKTYPES.index(lt)]) + frame)
        rows = tshark(cap, "tcp.len > 0", ["tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.payload"])
        streams = {}
        for row in rows:
            stream, sport, dport, payload = (row + [""] * 4)[:4]
            b = unhex(payload)
            if not b:
                continue
            st = streams.setdefault(stream, {"server": None, "pieces": [], "first": {}})
            if st["server"] is None:
                st["server"] = dport  # the first data segment is the client's
            side = 1 if sport == st["server"] else 0
            if sum(len(p) for _, p in st["pieces"]) < MAX_STREAM_BYTES:
                st["pieces"].append((side, b))
            st["first"].setdefault(side, b)
            if b[:1] == b"\x03" and len(b) >= 7:
                s.add("fuzz_x224", b)
                if b[5:7] == b"\xf0\x80":  # X.224 Data: MCS follows the 3-byte DT header
                    s.add("fuzz_mcs", b"\x00" + b[7:])
            elif b[:1] in (b"\x16", b"\x15", b"\x17", b"\x14"):
                s.add("fuzz_tls", b"\x3f" + b)
        for st in streams.values():
            s.add("fuzz_session", session_chunks(st["pieces"]))
            if 0 in st["first"]:
                s.add("fuzz_proxy", st["first"][0])
            tls = b"".join(p for side, p in st["pieces"] if p[:1] in (b"\x16", b"\x15", b"\x14"))
            if tls:
                s.add("fuzz_tls", b"\x3f" + tls[:MAX_STREAM_BYTES])
        for (cert,) in tshark(cap, "tls.handshake.type == 11", ["tls.handshake.certificate"], segments=False):
            for one in cert.split(","):
                s.add("fuzz_x509", unhex(one))
        for (payload,) in tshark(cap, "udp.port == 3389 && udp.length > 8", ["udp.payload"]):
            s.add("fuzz_rdpudp", unhex(payload))
    for t in sorted(s.count):
        print(f"{t}: {s.count[t]} seeds")


if __name__ == "__main__":
    main()
