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


def gateway_chunks(options, pieces):
    """fuzz_gateway's format: an options byte (bit 0: the server selected h2),
    then a control byte (bit 0 direction, 1 the server's; bits 1-7 length
    0..127) before each piece of at most 127 bytes."""
    out = bytearray([options])
    for side, b in pieces:
        for i in range(0, len(b), 127):
            part = b[i:i + 127]
            out.append((len(part) << 1) | side)
            out += part
    return bytes(out)


def der(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body


def der_int(v):
    return der(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big"))


def krb_error(code):
    """RFC 4120 5.9.1 KRB-ERROR: pvno 5, msg-type 30, stime, susec, error-code,
    realm, sname krbtgt/EXAMPLE.COM."""
    realm = der(0x1b, b"EXAMPLE.COM")
    sname = der(0x30, der(0xa0, der_int(2)) + der(0xa1, der(0x30, der(0x1b, b"krbtgt") + realm)))
    body = (der(0xa0, der_int(5)) + der(0xa1, der_int(30)) + der(0xa4, der(0x18, b"20261207000000Z")) +
            der(0xa5, der_int(0)) + der(0xa6, der_int(code)) + der(0xa9, realm) + der(0xaa, sname))
    return der(0x7e, der(0x30, body))


def kdc_proxy_message(krb):
    """MS-KKDCP 2.2.2: SEQUENCE { [0] OCTET STRING (4-octet length, then the
    Kerberos message), [1] target-domain }."""
    return der(0x30, der(0xa0, der(0x04, len(krb).to_bytes(4, "big") + krb)) +
               der(0xa1, der(0x1b, b"EXAMPLE.COM")))


def h2_frame(ftype, flags, stream, payload):
    """RFC 9113 4.1: length (24), type, flags, stream identifier (31)."""
    return len(payload).to_bytes(3, "big") + bytes([ftype, flags]) + stream.to_bytes(4, "big") + payload


def tsgu(ptype, body):
    """MS-TSGU 2.2.10.9 header: packetType, reserved, packetLength (LE)."""
    return struct.pack("<HHI", ptype, 0, 8 + len(body)) + body


def ws(payload, masked):
    """RFC 6455 5.2: one FIN binary frame; the client's masked with a fixed key."""
    n = len(payload)
    head = bytes([0x82])
    m = 0x80 if masked else 0
    head += bytes([m | n]) if n < 126 else bytes([m | 126]) + n.to_bytes(2, "big")
    if not masked:
        return head + payload
    key = b"\x37\xfa\x21\x3d"
    return head + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


def gateway_seeds(s):
    """fuzz_gateway's seeds, built from the specs (no capture bytes): MS-TSGU's
    WebSocket transport through an opened channel carrying an X.224 exchange,
    a 401 refusal, the HTTP transport's OUT/IN requests, and a KDC proxy over
    HTTP/2 answering a KRB-ERROR and a 503."""
    utf16 = lambda t: t.encode("utf-16-le")
    cr = bytes.fromhex("030000130ee000000000000100080003000000")  # MS-RDPBCGR 2.2.1.1, TLS|HYBRID
    cc = bytes.fromhex("030000130ed000001234000201080002000000")  # 2.2.1.2, HYBRID selected
    req = (b"RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
           b"Host: gw.example.test\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    up = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kMWzzhZxOo=\r\n\r\n")
    name, target = utf16("PC1"), utf16("srv1")
    c2s = lambda p: (0, ws(p, True))
    s2c = lambda p: (1, ws(p, False))
    ok = [(0, req), (1, up),
          c2s(tsgu(0x1, bytes([1, 0, 0, 0, 0, 0]))), s2c(tsgu(0x2, struct.pack("<I", 0) + bytes([1, 0, 0, 0, 0, 0]))),
          c2s(tsgu(0x4, bytes([0x3f, 0, 0, 0, 0, 0, 0, 0]))), s2c(tsgu(0x5, struct.pack("<HIHHI", 0, 0, 1, 0, 7))),
          c2s(tsgu(0x6, struct.pack("<HH", 0, len(name)) + name)), s2c(tsgu(0x7, struct.pack("<II", 0, 0))),
          c2s(tsgu(0x8, struct.pack("<BBHHH", 1, 0, 3389, 3, len(target)) + target)),
          s2c(tsgu(0x9, struct.pack("<IHHI", 0, 1, 0, 1))),
          c2s(tsgu(0xA, struct.pack("<H", len(cr)) + cr)), s2c(tsgu(0xA, struct.pack("<H", len(cc)) + cc)),
          c2s(tsgu(0x10, struct.pack("<I", 0))), s2c(tsgu(0x11, struct.pack("<I", 0)))]
    s.add("fuzz_gateway", gateway_chunks(0, ok))
    # MS-TSGU 2.2.10.10: E_PROXY_RAP_ACCESSDENIED (0x800759DA) in the channel response.
    denied = ok[:9] + [s2c(tsgu(0x9, struct.pack("<IHH", 0x800759DA, 0, 0)))]
    s.add("fuzz_gateway", gateway_chunks(0, denied))
    refused = [(0, req), (1, b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n"
                             b"Content-Length: 0\r\n\r\n"),
               (0, req.replace(b"\r\n\r\n", b"\r\nAuthorization: NTLM TlRMTVNTUAABAAAA\r\n\r\n")),
               (1, b"HTTP/1.1 401 User Account Restricted\r\nWWW-Authenticate: Negotiate\r\nContent-Length: 5\r\n\r\nabcde")]
    s.add("fuzz_gateway", gateway_chunks(0, refused))
    # MS-TSGU 2.2.3.1, 3.3.5.1: the HTTP transport; the OUT channel's body
    # starts with a seed, the IN channel's request body is chunked.
    out_ch = [(0, b"RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nRDG-Connection-Id: {0f}\r\nContent-Length: 0\r\n\r\n"),
              (1, b"HTTP/1.1 200 OK\r\nContent-Length: 4294967295\r\n\r\n" + bytes(range(100)) +
               tsgu(0x2, struct.pack("<I", 0) + bytes([1, 0, 0, 0, 0, 0])))]
    s.add("fuzz_gateway", gateway_chunks(0, out_ch))
    hs = tsgu(0x1, bytes([1, 0, 0, 0, 0, 0]))
    in_ch = [(0, b"RDG_IN_DATA /remoteDesktopGateway/ HTTP/1.1\r\nRDG-Connection-Id: {0f}\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(hs) + hs + b"\r\n0\r\n\r\n")]
    s.add("fuzz_gateway", gateway_chunks(0, in_ch))
    # RFC 9113 3.4 preface, SETTINGS; RFC 7541 static table: 0x83 :method POST,
    # 0x87 :scheme https, 0x04 :path (literal value), 0x88 :status 200, 0x08 :status (literal).
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
    headers = bytes([0x83, 0x87, 0x04, 9]) + b"/KdcProxy" + bytes([0x01, 2]) + b"gw"
    asreq_like = kdc_proxy_message(krb_error(25))
    for status, body in ((bytes([0x88]), kdc_proxy_message(krb_error(24))), (bytes([0x08, 3]) + b"503", b"<html/>")):
        h2 = [(0, preface + h2_frame(1, 4, 1, headers) + h2_frame(0, 1, 1, asreq_like)),
              (1, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, status) + h2_frame(0, 1, 1, body) +
               h2_frame(7, 0, 0, struct.pack(">II", 1, 0)))]
        s.add("fuzz_gateway", gateway_chunks(1, h2))
    # The same over HTTP/1.1 (MS-KKDCP 2.2: application/kerberos bodies).
    krb = kdc_proxy_message(krb_error(24))
    h1 = [(0, b"POST /KdcProxy HTTP/1.1\r\nContent-Type: application/kerberos\r\nContent-Length: %d\r\n\r\n" % len(asreq_like) + asreq_like),
          (1, b"HTTP/1.1 200 OK\r\nContent-Type: application/kerberos\r\nContent-Length: %d\r\n\r\n" % len(krb) + krb)]
    s.add("fuzz_gateway", gateway_chunks(0, h1))


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
    gateway_seeds(s)
    for t in sorted(s.count):
        print(f"{t}: {s.count[t]} seeds")


if __name__ == "__main__":
    main()
