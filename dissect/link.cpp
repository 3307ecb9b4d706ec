// SPDX-License-Identifier: MIT
#include "dissect/link.hpp"

namespace rdpscope::link {

namespace {

constexpr std::uint16_t kEtherIPv4 = 0x0800;
constexpr std::uint16_t kEtherIPv6 = 0x86DD;
constexpr std::uint16_t kEtherVlan = 0x8100;    // 802.1Q
constexpr std::uint16_t kEtherQinQ = 0x88A8;    // 802.1ad service tag
constexpr std::uint16_t kEtherQinQOld = 0x9100; // pre-standard QinQ
constexpr int kMaxVlanTags = 8;

Network from_ethertype(std::uint16_t t) {
    if (t == kEtherIPv4) return Network::ipv4;
    if (t == kEtherIPv6) return Network::ipv6;
    return Network::other;
}

// Raw IP: the version nibble says which.
Network from_version_nibble(Bytes b) {
    if (b.empty()) return Network::other;
    switch (b[0] >> 4) {
        case 4: return Network::ipv4;
        case 6: return Network::ipv6;
        default: return Network::other;
    }
}

// 802.11 (IEEE 802.11-2020 9.2.3, 9.3.2.1): a data frame's MAC header is
// frame control, duration, three addresses and sequence control (24 bytes),
// then a fourth address when both To DS and From DS are set, QoS control (2)
// for QoS subtypes, HT control (4) when a QoS frame has +HTC/Order set.  The
// body of an unprotected data frame starts with LLC/SNAP (AA AA 03, OUI
// 00-00-00 or 00-00-F8) and the EtherType (RFC 1042, 802.1H).  Anything else
// -- management, control, protected, null data -- is not an IP packet here.
constexpr std::uint8_t kSnap[3] = {0xAA, 0xAA, 0x03};

// The offset of the EtherType in an unprotected 802.11 data frame, or 0.
std::size_t wifi_ethertype_offset(Bytes b) {
    if (b.size() < 24 + 8) return 0;
    const std::uint8_t fc0 = b[0], fc1 = b[1];
    if ((fc0 & 0x03) != 0) return 0;           // protocol version 0
    if (((fc0 >> 2) & 0x03) != 2) return 0;    // type: data
    const std::uint8_t subtype = fc0 >> 4;
    if (subtype & 0x04) return 0;              // null data, QoS null: no body
    if (fc1 & 0x40) return 0;                  // protected: the body is encrypted
    std::size_t h = 24;
    if ((fc1 & 0x03) == 0x03) h += 6;          // To DS and From DS: address 4
    if (subtype & 0x08) {                      // QoS data
        h += 2;
        if (fc1 & 0x80) h += 4;                // +HTC
    }
    if (b.size() < h + 8) return 0;
    if (b[h] != kSnap[0] || b[h + 1] != kSnap[1] || b[h + 2] != kSnap[2]) return 0;
    const bool oui_ok = b[h + 3] == 0 && b[h + 4] == 0 && (b[h + 5] == 0 || b[h + 5] == 0xF8);
    return oui_ok ? h + 6 : 0;
}

Decoded<Frame> decode_wifi(Bytes b) {
    Frame f;
    const std::size_t at = wifi_ethertype_offset(b);
    if (!at) return f;  // not a data frame carrying an EtherType: not ours
    Reader r(b.subspan(at));
    std::uint16_t type = 0;
    r.u16be(type);
    f.ethertype = type;
    f.network = from_ethertype(type);
    f.payload = r.rest();
    return f;
}

Decoded<Frame> decode_ethernet(Reader r) {
    Frame f;
    const Bytes whole = r.rest();
    if (!r.skip(12)) return DecodeError::truncated("link", "eth.addresses", r.offset());
    std::uint16_t type;
    if (!r.u16be(type)) return DecodeError::truncated("link", "eth.type", r.offset());
    // 802.1Q and QinQ: each tag is TCI (2 bytes) + the next EtherType.
    while (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld) {
        if (++f.vlan_tags > kMaxVlanTags) return DecodeError::malformed("link", "vlan.depth", r.offset());
        if (!r.skip(2)) return DecodeError::truncated("link", "vlan.tci", r.offset());
        if (!r.u16be(type)) return DecodeError::truncated("link", "vlan.type", r.offset());
    }
    f.ethertype = type;
    f.network = from_ethertype(type);
    f.payload = r.rest();
    // Not IP, and the bytes read as an 802.11 data frame with LLC/SNAP:
    // pktmon's mislabelled Wi-Fi frame (the EtherType read here is the middle
    // of the second address).  A real Ethernet frame passes for one only if
    // its destination MAC starts 08/88 and bytes 24-29 (or 26-31, 30-35...)
    // are AA AA 03 00 00 00|F8: the test below is that narrow on purpose.
    if (f.network == Network::other && f.vlan_tags == 0 && type != 0x0806 && wifi_ethertype_offset(whole)) {
        if (auto w = decode_wifi(whole)) {
            Frame wf = *w;
            wf.wifi_as_ethernet = true;
            return wf;
        }
    }
    return f;
}

// Linux cooked v1 (SLL): packet type, ARPHRD, address length, 8-byte address, protocol.
Decoded<Frame> decode_sll(Reader r) {
    if (!r.skip(14)) return DecodeError::truncated("link", "sll.header", r.offset());
    std::uint16_t proto;
    if (!r.u16be(proto)) return DecodeError::truncated("link", "sll.protocol", r.offset());
    Frame f;
    f.ethertype = proto;
    f.network = from_ethertype(proto);
    f.payload = r.rest();
    return f;
}

// Linux cooked v2 (SLL2): protocol first, then reserved, ifindex, ARPHRD, type, addr.
Decoded<Frame> decode_sll2(Reader r) {
    std::uint16_t proto;
    if (!r.u16be(proto)) return DecodeError::truncated("link", "sll2.protocol", r.offset());
    if (!r.skip(18)) return DecodeError::truncated("link", "sll2.header", r.offset());
    Frame f;
    f.ethertype = proto;
    f.network = from_ethertype(proto);
    f.payload = r.rest();
    return f;
}

// BSD loopback: a 4-byte address family.  DLT_NULL stores it in the byte order
// of the host that wrote the file, so read it both ways; AF_INET is 2 everywhere,
// AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS) or 10 (Linux).
Decoded<Frame> decode_null(Reader r, bool network_order) {
    auto fam_bytes = r.bytes(4);
    if (!fam_bytes) return DecodeError::truncated("link", "null.family", r.offset());
    const Bytes b = *fam_bytes;
    std::uint32_t be = 0, le = 0;
    Reader(b).u32be(be);
    Reader(b).u32le(le);
    std::uint32_t family = network_order ? be : (le < 256 ? le : be);
    Frame f;
    f.payload = r.rest();
    switch (family) {
        case 2: f.network = Network::ipv4; break;
        case 10: case 24: case 28: case 30: f.network = Network::ipv6; break;
        default: f.network = from_version_nibble(f.payload); break;
    }
    return f;
}

}  // namespace

bool supported(int linktype) {
    switch (linktype) {
        case null_bsd: case ethernet: case raw_dlt: case raw_openbsd: case raw_linktype:
        case loop: case linux_sll: case ipv4_only: case ipv6_only: case linux_sll2: case ieee802_11:
            return true;
        default:
            return false;
    }
}

const char* name(int linktype) {
    switch (linktype) {
        case null_bsd: return "BSD loopback (NULL)";
        case ethernet: return "Ethernet";
        case raw_dlt: case raw_openbsd: case raw_linktype: return "raw IP";
        case loop: return "OpenBSD loopback";
        case linux_sll: return "Linux cooked v1";
        case ipv4_only: return "raw IPv4";
        case ipv6_only: return "raw IPv6";
        case linux_sll2: return "Linux cooked v2";
        case ieee802_11: return "802.11";
        default: return "unsupported";
    }
}

Decoded<Frame> decode(int linktype, Bytes frame) {
    Reader r(frame);
    switch (linktype) {
        case ethernet: return decode_ethernet(r);
        case linux_sll: return decode_sll(r);
        case linux_sll2: return decode_sll2(r);
        case ieee802_11: return decode_wifi(frame);
        case null_bsd: return decode_null(r, false);
        case loop: return decode_null(r, true);
        case raw_dlt: case raw_openbsd: case raw_linktype: case ipv4_only: case ipv6_only: {
            Frame f;
            f.network = from_version_nibble(frame);
            f.payload = frame;
            return f;
        }
        default:
            return DecodeError::unsupported("link", "linktype", 0);
    }
}

}  // namespace rdpscope::link
