#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes a small pcap whose attacker-controlled strings are HTML: an X.224
# Connection Request whose cookie (MS-RDPBCGR 2.2.1.1, "Cookie: mstshash=...")
# holds a <script> element, and a TLS ClientHello (RFC 8446 4.1.2) whose
# server_name (RFC 6066 3) holds an <img onerror>.  The server confirms TLS
# (RDP_NEG_RSP, PROTOCOL_SSL) and never answers the ClientHello, so the
# connection stalls in the TLS handshake.  Used by tests/html/check.py: the
# page must show these strings as text, never as markup.
import struct
import sys

COOKIE = b'<script>document.title="pwned-cookie"</script>'
SNI = b'<img src=x onerror="document.title=\'pwned-sni\'">.example'

CLIENT, SERVER = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])
CPORT, SPORT = 49152, 3389


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def packet(src, dst, sport, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    pseudo = src + dst + struct.pack('!BBH', 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00'
    return eth + ip + tcp + payload


def tpkt(x224):
    return struct.pack('!BBH', 3, 0, 4 + len(x224)) + x224


def connection_request():
    body = b'Cookie: mstshash=' + COOKIE + b'\r\n' + struct.pack('<BBHI', 1, 0, 8, 1)  # RDP_NEG_REQ, PROTOCOL_SSL
    return tpkt(struct.pack('!BBHHB', 6 + len(body), 0xE0, 0, 0, 0) + body)


def connection_confirm():
    body = struct.pack('<BBHI', 2, 0, 8, 1)  # RDP_NEG_RSP, PROTOCOL_SSL
    return tpkt(struct.pack('!BBHHB', 6 + len(body), 0xD0, 0, 0x1234, 0) + body)


def client_hello():
    name = struct.pack('!BH', 0, len(SNI)) + SNI
    sni = struct.pack('!HH', 0, len(name) + 2) + struct.pack('!H', len(name)) + name
    body = b'\x03\x03' + bytes(range(32)) + b'\x00' + struct.pack('!HH', 2, 0x1301) + b'\x01\x00'
    body += struct.pack('!H', len(sni)) + sni
    hs = struct.pack('!B', 1) + struct.pack('!I', len(body))[1:] + body
    return struct.pack('!BHH', 0x16, 0x0301, len(hs)) + hs


def main(path):
    SYN, ACK, PSH = 0x02, 0x10, 0x08
    c, s = 1000, 5000
    cr, cc, ch = connection_request(), connection_confirm(), client_hello()
    pkts = [
        (0.000, packet(CLIENT, SERVER, CPORT, SPORT, c, 0, SYN)),
        (0.001, packet(SERVER, CLIENT, SPORT, CPORT, s, c + 1, SYN | ACK)),
        (0.002, packet(CLIENT, SERVER, CPORT, SPORT, c + 1, s + 1, ACK)),
        (0.003, packet(CLIENT, SERVER, CPORT, SPORT, c + 1, s + 1, PSH | ACK, cr)),
        (0.010, packet(SERVER, CLIENT, SPORT, CPORT, s + 1, c + 1 + len(cr), PSH | ACK, cc)),
        (0.011, packet(CLIENT, SERVER, CPORT, SPORT, c + 1 + len(cr), s + 1 + len(cc), PSH | ACK, ch)),
        (0.012, packet(SERVER, CLIENT, SPORT, CPORT, s + 1 + len(cc), c + 1 + len(cr) + len(ch), ACK)),
        # The server acknowledges and says nothing more; the client waits.
        (45.0, packet(CLIENT, SERVER, CPORT, SPORT, c + 1 + len(cr) + len(ch), s + 1 + len(cc), ACK)),
    ]
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        base = 1_800_000_000
        for t, p in pkts:
            sec = base + int(t)
            usec = int(round((t - int(t)) * 1e6))
            f.write(struct.pack('<IIII', sec, usec, len(p), len(p)) + p)


if __name__ == '__main__':
    main(sys.argv[1])
