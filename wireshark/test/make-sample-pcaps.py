#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write synthetic pcap files for the tlp-tunnel Wireshark dissector.

Usage: make-sample-pcaps.py OUTDIR

Files written (see run-sample-tests.sh for what each must decode to):
  tlp-raw.pcap          DLT 147 (USER0): one TLP of every kind, 3DW and 4DW, with and
                        without TD/ECRC, 10-bit tag, Byte Count 4096, Length 1024.
                        Byte vectors from test/tlp-header-test.cc and test/tlp-ecrc-test.cc.
  tlp-bad-ecrc.pcap     DLT 147: one TLP with a good ECRC, one with a bad ECRC.
  tunnel-eth.pcap       DLT 1: tunnel on EtherType 0x88B5 (DATA x1 padded to 60 bytes,
                        reliable DATA x2 with a piggybacked ack, GRANT_REQUEST, GRANT,
                        GRANT refused, ACK with SACK blocks, memory-ID DATA, multicast DATA,
                        COMPLETION with a CplD and a write confirmation, ACK with NAK,
                        DATA with a write that asks for confirmation).
  tunnel-udp.pcap       DLT 1: the same packets in Ethernet/IPv4/UDP, port 51966.
  tunnel-rawip.pcap     DLT 101 (raw IP): the same packets in IPv4/UDP.
  tunnel-remap.pcap     DLT 1: memory IDs and remapping (GRANT_REQUEST and GRANT with the
                        memory-ID flag, a refusal of an unknown memory ID, memory-ID DATA,
                        REMAP, REMAP_ACK) and malformed REMAP bodies.
  malformed-raw.pcap    DLT 147: truncated and inconsistent TLPs.
  malformed-tunnel.pcap DLT 1: truncated and inconsistent tunnel packets.
  malformed-udp.pcap    DLT 1: truncated tunnel packets over UDP.
  fuzz-raw.pcap         DLT 147: seeded random mutations of the TLPs above.
  fuzz-tunnel.pcap      DLT 1: seeded random mutations of the tunnel packets above.

Only the Python standard library is used. Output is deterministic.
"""

import os
import random
import struct
import sys
import zlib

DLT_EN10MB = 1
DLT_RAW = 101
DLT_USER0 = 147

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_TUNNEL = 0x88B5
TUNNEL_PORT = 51966
CLIENT_PORT = 49152

KIND_DATA, KIND_ACK, KIND_GRANT_REQUEST, KIND_GRANT, KIND_COMPLETION = 0, 1, 2, 3, 4
KIND_REMAP, KIND_REMAP_ACK = 5, 6
FLAG_TRANSLATED, FLAG_RELIABLE, FLAG_COMPRESSED = 0x01, 0x02, 0x04
FLAG_MEMORY_ID, FLAG_MULTICAST, FLAG_ACK, FLAG_NAK = 0x08, 0x10, 0x20, 0x40
ANY_BASE = 0xFFFFFFFFFFFFFFFF


# ---------------------------------------------------------------------------
# pcap
# ---------------------------------------------------------------------------
def write_pcap(path, linktype, frames):
    """frames: list of bytes. Timestamps 1 ms apart."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for i, data in enumerate(frames):
            usec = 1000 * i
            f.write(struct.pack("<IIII", 1700000000 + usec // 1000000, usec % 1000000,
                                len(data), len(data)))
            f.write(data)


# ---------------------------------------------------------------------------
# TLPs (wire order: DW0 first, each DW big-endian; see model/tlp-header.cc)
# ---------------------------------------------------------------------------
def hexb(text):
    return bytes.fromhex("".join(c for c in text if c in "0123456789abcdefABCDEF"))


def ecrc(tlp):
    """ECRC of header+data: CRC-32 with Type[0] and EP taken as 1."""
    b = bytearray(tlp)
    b[0] |= 0x01
    b[2] |= 0x40
    return zlib.crc32(bytes(b)) & 0xFFFFFFFF


def with_ecrc(tlp):
    return tlp + struct.pack("<I", ecrc(tlp))


def dw0(fmt_type, length, tag=0, tc=0, attr=0, ln=0, th=0, td=0, ep=0, at=0):
    enc = length & 0x3FF  # 1024 -> 0
    return bytes([
        fmt_type,
        ((tag >> 9) & 1) << 7 | tc << 4 | ((tag >> 8) & 1) << 3 | ((attr >> 2) & 1) << 2 | ln << 1 | th,
        td << 7 | ep << 6 | (attr & 3) << 4 | at << 2 | ((enc >> 8) & 3),
        enc & 0xFF,
    ])


def request(fmt_type, address, length, rid, tag, first_be=0xF, last_be=0, ph=0, **kw):
    h = dw0(fmt_type, length, tag=tag, **kw) + struct.pack(">HBB", rid, tag & 0xFF,
                                                           last_be << 4 | first_be)
    if fmt_type & 0x20:
        h += struct.pack(">II", address >> 32, (address & 0xFFFFFFFC) | ph)
    else:
        h += struct.pack(">I", (address & 0xFFFFFFFC) | ph)
    return h


def cfg(fmt_type, target, reg, rid, tag, first_be=0xF, **kw):
    return dw0(fmt_type, 1, tag=tag, **kw) + struct.pack(
        ">HBBHBB", rid, tag & 0xFF, first_be, target, (reg >> 6) & 0xF, (reg & 0x3F) << 2)


def msg(fmt_type, code, rid, tag=0, dw23=0, length=0, **kw):
    return dw0(fmt_type, length, tag=tag, **kw) + struct.pack(">HBBQ", rid, tag & 0xFF, code, dw23)


def cpl(fmt_type, status, cid, rid, tag, byte_count, lower, length=0, bcm=0, **kw):
    bc = byte_count & 0xFFF  # 4096 -> 0
    return dw0(fmt_type, length, tag=tag, **kw) + struct.pack(
        ">HBBHBB", cid, status << 5 | bcm << 4 | (bc >> 8), bc & 0xFF, rid, tag & 0xFF, lower & 0x7F)


def pattern(n, mul=1):
    return bytes((i * mul) & 0xFF for i in range(n))


def self_check():
    """The encoder above reproduces the hand-made vectors of the C++ tests."""
    assert request(0x00, 0x12345678, 4, 0x0100, 0x2A, 0xF, 0xF) == hexb("00000004 01002aff 12345678")
    assert request(0x20, 0x100000004, 1, 0x0010, 0x05) == hexb("20000001 0010050f 00000001 00000004")
    assert request(0x40, 0x1000, 3, 0x0004, 0, 0x8, 0x1, tc=3) == hexb("40300003 00040018 00001000")
    assert request(0x60, 0x0000100000000040, 16, 0x0010, 0, 0xF, 0xF, attr=6) == \
        hexb("60042010 001000ff 00001000 00000040")
    assert request(0x40, 0, 1024, 0x0010, 0, 0xF, 0xF) == hexb("40000000 001000ff 00000000")
    assert request(0x40, 0x10, 1, 0x0010, 0, td=1, ep=1, at=2) == hexb("4000c801 0010000f 00000010")
    assert request(0x00, 0x100, 1, 0x0010, 0x3A5) == hexb("00880001 0010a50f 00000100")
    assert cpl(0x4A, 0, 0x0001, 0x0010, 0x05, 64, 0x40, length=16) == hexb("4a000010 00010040 00100540")
    assert cpl(0x0A, 1, 0x0003, 0x0010, 0x07, 4, 0) == hexb("0a000000 00032004 00100700")
    assert cpl(0x0A, 4, 0x0102, 0xABCD, 0xFF, 4096, 0x7F, bcm=1) == hexb("0a000000 01029000 abcdff7f")
    assert request(0x4C, 0x2000, 2, 0x0010, 0x01, 0) == hexb("4c000002 00100100 00002000")
    assert request(0x6D, 0x100000000, 1, 0x0010, 0x02, 0) == hexb("6d000001 00100200 00000001 00000000")
    assert request(0x4E, 0x3000, 4, 0x0010, 0x03, 0) == hexb("4e000004 00100300 00003000")
    assert cfg(0x04, 0x0100, 0x104, 0x0000, 1) == hexb("04000001 0000010f 01000410")
    assert msg(0x30, 0x20, 0x0010) == hexb("30000000 00100020 00000000 00000000")
    # test/tlp-ecrc-test.cc
    assert ecrc(hexb("40008001 0010000f 00000010 deadbeef")) == 0x3F860D76
    assert ecrc(hexb("4a008010 00010040 00100540") + pattern(64)) == 0x8CA6BD76
    good = with_ecrc(hexb("40008001 0010000f 00000010 deadbeef"))
    assert good == hexb("40008001 0010000f 00000010 deadbeef 760d863f")
    assert zlib.crc32(bytes([good[0] | 1, good[1], good[2] | 0x40]) + good[3:]) == 0x2144DF1C


def raw_tlps():
    """One TLP of every kind. Returns a list of (description, bytes)."""
    t = []
    # --- ground truth vectors from test/tlp-header-test.cc --------------------
    t.append(("MRd32", hexb("00000004 01002aff 12345678")))
    t.append(("MRd64", hexb("20000001 0010050f 00000001 00000004")))
    t.append(("MWr32 unaligned TC3", hexb("40300003 00040018 00001000") + pattern(12)))
    t.append(("MWr64 attr IDO|RO", hexb("60042010 001000ff 00001000 00000040") + pattern(64)))
    t.append(("MWr32 Length 1024", hexb("40000000 001000ff 00000000") + pattern(4096, 3)))
    t.append(("MRd32 10-bit tag", hexb("00880001 0010a50f 00000100")))
    t.append(("CplD SC", hexb("4a000010 00010040 00100540") + pattern(64)))
    t.append(("Cpl UR", hexb("0a000000 00032004 00100700")))
    t.append(("Cpl CA BCM bc=4096", hexb("0a000000 01029000 abcdff7f")))
    t.append(("FetchAdd32", hexb("4c000002 00100100 00002000") + struct.pack(">Q", 1)))
    t.append(("Swap64", hexb("6d000001 00100200 00000001 00000000") + hexb("cafef00d")))
    t.append(("CAS32", hexb("4e000004 00100300 00003000") + pattern(16)))
    t.append(("CfgRd0", hexb("04000001 0000010f 01000410")))
    t.append(("Msg Assert_INTA", hexb("30000000 00100020 00000000 00000000")))
    # --- test/tlp-ecrc-test.cc --------------------------------------------------
    t.append(("MWr32 ECRC", hexb("40008001 0010000f 00000010 deadbeef 760d863f")))
    t.append(("CplD ECRC", hexb("4a008010 00010040 00100540") + pattern(64) + struct.pack("<I", 0x8CA6BD76)))
    ep = bytearray(hexb("40008001 0010000f 00000010 deadbeef 760d863f"))
    ep[2] |= 0x40  # poisoned on the way: EP is a variant bit, the digest stays good
    t.append(("MWr32 ECRC poisoned", bytes(ep)))
    # --- the other kinds and variants, from the encoder ------------------------
    t.append(("MWr32 TD EP AT=2", with_ecrc(hexb("4000c801 0010000f 00000010") + hexb("deadbeef"))))
    t.append(("MWr64 all fields", with_ecrc(
        request(0x60, 0xFEDCBA9876543210, 1000, 0xBEEF, 0x2C3, 0xF, 0xF, ph=2,
                tc=5, attr=5, ln=1, th=1, td=1, ep=1, at=1) + pattern(4000, 7))))
    t.append(("MRdLk32", request(0x01, 0x2000, 1, 0x0010, 0x10)))
    t.append(("MRdLk64", request(0x21, 0x200000000, 2, 0x0010, 0x11, 0xF, 0xF)))
    t.append(("MRd64 TD", with_ecrc(request(0x20, 0x123456789A0, 8, 0x0010, 0x12, 0xF, 0xF, td=1))))
    t.append(("MRd32 TH PH=1", request(0x00, 0x4000, 1, 0x0010, 0x13, ph=1, th=1)))
    t.append(("IORd", request(0x02, 0x0CF8, 1, 0x0010, 0x14)))
    t.append(("IOWr", request(0x42, 0x0CFC, 1, 0x0010, 0x15) + hexb("12345678")))
    t.append(("CfgWr0 ECRC", with_ecrc(cfg(0x44, 0x0208, 0x3C, 0x0000, 0x16, td=1) + hexb("0000ff00"))))
    t.append(("CfgRd1", cfg(0x05, 0x0300, 0x000, 0x0000, 0x17)))
    t.append(("CfgWr1", cfg(0x45, 0x0301, 0x3FF, 0x0000, 0x18, 0x3) + hexb("01020304")))
    t.append(("Msg PME_Turn_Off broadcast", msg(0x33, 0x19, 0x0000)))
    t.append(("Msg ERR_COR local", msg(0x34, 0x30, 0x0100, dw23=0x0000000100000002)))
    t.append(("MsgD Set_Slot_Power_Limit", msg(0x74, 0x50, 0x0000, length=1) + hexb("0000000a")))
    t.append(("MsgD vendor", msg(0x72, 0x7F, 0x0010, dw23=0x020000001AF40000, length=2) + pattern(8)))
    t.append(("CplLk UR", cpl(0x0B, 1, 0x0001, 0x0010, 0x20, 4, 0)))
    t.append(("CplDLk", cpl(0x4B, 0, 0x0001, 0x0010, 0x21, 4, 0x10, length=1) + hexb("aabbccdd")))
    t.append(("Cpl CRS", cpl(0x0A, 2, 0x0100, 0x0000, 0x22, 4, 0)))
    t.append(("CplD 10-bit tag ECRC", with_ecrc(
        cpl(0x4A, 0, 0x0001, 0x0010, 0x3FF, 128, 0x00, length=16, td=1) + pattern(64, 5))))
    t.append(("FetchAdd64", request(0x6C, 0x100002000, 1, 0x0010, 0x23, 0) + struct.pack(">I", 7)))
    t.append(("Swap32", request(0x4D, 0x2008, 2, 0x0010, 0x24, 0) + pattern(8)))
    t.append(("CAS64", request(0x6E, 0x100001000, 8, 0x0010, 0x25, 0) + pattern(32)))
    return t


# ---------------------------------------------------------------------------
# Tunnel (model/tunnel-header.cc, model/tunnel-grant-header.cc)
# ---------------------------------------------------------------------------
def tunnel(kind, tlps=(), flags=0, source=1, seq=0, ack=0, window=0, version=1,
           count=None, header_length=None, lengths=None, body=b"", key=0):
    lengths = [len(x) for x in tlps] if lengths is None else list(lengths)
    count = len(lengths) if count is None else count
    natural = (24 + 2 * len(lengths) + 3) & ~3
    hl = natural if header_length is None else header_length
    h = struct.pack(">BBHIIIHHI", (version << 4) | (kind & 0xF), flags, count & 0xFFFF,
                    source, seq, ack, window, hl, key)
    h += b"".join(struct.pack(">H", n) for n in lengths)
    h += bytes(max(0, natural - len(h)))
    return h + b"".join(tlps) + body


def grant_body(window_base, size, region_base=ANY_BASE, translate_at=0, status=0, confirm=0,
               reserved=0, key=0):
    return struct.pack(">QQQBBBBI", window_base, size, region_base, translate_at, status, confirm,
                       reserved, key)


def remap_body(memory_id, generation, old_base, new_base, size, switch_seq, reserved=0):
    return struct.pack(">HHIQQQI", memory_id, reserved, generation, old_base, new_base, size,
                       switch_seq)


def ack_body(blocks, count=None, reserved=0):
    n = len(blocks) if count is None else count
    return struct.pack(">HH", n, reserved) + b"".join(struct.pack(">II", a, b) for a, b in blocks)


def confirmation(confirmer, writer, address, nbytes):
    """Write confirmation: Vendor_Defined Type 1 MsgD routed by ID, Vendor ID 0xFFFF."""
    return msg(0x72, 0x7F, confirmer, dw23=writer << 48 | 0xFFFF << 32, length=3) + struct.pack(
        ">QI", address, nbytes)


KEY = 0x1A2B3C4D  # a region key, in DATA and in the GRANT that gave it

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def ether(payload, ethertype=ETHERTYPE_TUNNEL, dst=MAC_B, src=MAC_A, pad=True):
    f = dst + src + struct.pack(">H", ethertype) + payload
    if pad and len(f) < 60:
        f += bytes(60 - len(f))
    return f


def ip_checksum(header):
    s = 0
    for i in range(0, len(header), 2):
        s += (header[i] << 8) | header[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_udp(payload, src="10.1.1.1", dst="10.1.1.2", sport=CLIENT_PORT, dport=TUNNEL_PORT, ident=1):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload  # checksum 0: none
    total = 20 + len(udp)
    s = bytes(int(x) for x in src.split("."))
    d = bytes(int(x) for x in dst.split("."))
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, ident, 0x4000, 64, 17, 0, s, d)
    hdr = hdr[:10] + struct.pack(">H", ip_checksum(hdr)) + hdr[12:]
    return hdr + udp


def multicast_mac(ip):
    o = [int(x) for x in ip.split(".")]
    return bytes([0x01, 0x00, 0x5E, o[1] & 0x7F, o[2], o[3]])


def tunnel_packets():
    """(description, tunnel payload, direction, multicast group or None)."""
    mwr1 = request(0x40, 0x10, 1, 0x0010, 0x01) + hexb("deadbeef")
    mwr64 = with_ecrc(request(0x60, 0x0000100000000040, 4, 0x0010, 0x02, 0xF, 0xF, td=1) + pattern(16))
    mrd = request(0x00, 0x80001000, 16, 0x0010, 0x03, 0xF, 0xF)
    cpld = cpl(0x4A, 0, 0x0100, 0x0010, 0x005, 64, 0x40, length=16) + pattern(64, 11)
    mwr_off = with_ecrc(request(0x40, 0x00000200, 2, 0x0010, 0x04, 0xF, 0xF, td=1) + pattern(8))
    mc = request(0x40, 0x20000000, 1, 0x0010, 0x05) + hexb("01020304")
    # A write that asks for confirmation: TH = 1, PH = 00, steering tag 0xC0.
    mwr_confirm = request(0x60, 0x0000100000000080, 4, 0x0000, 0xC0, 0xF, 0xF, th=1) + pattern(16, 3)
    conf = confirmation(0x0005, 0x0002, 0x0000100000000040, 16)
    reliable = FLAG_RELIABLE | FLAG_ACK
    return [
        ("DATA 1 TLP", tunnel(KIND_DATA, [mwr1], source=1, seq=1, window=2, key=KEY), "fwd", None),
        ("DATA 2 TLPs", tunnel(KIND_DATA, [mwr64, mrd], flags=reliable,
                               source=1, seq=2, ack=0, window=2, key=KEY), "fwd", None),
        ("GRANT_REQUEST", tunnel(KIND_GRANT_REQUEST, source=1, seq=3, window=2,
                                 body=grant_body(0x0000100000000000, 0x100000)), "fwd", None),
        ("GRANT", tunnel(KIND_GRANT, source=2, seq=3, window=2,
                         body=grant_body(0x0000100000000000, 0x100000, 0x80000000, 1, 0, 2,
                                         key=KEY)), "rev", None),
        ("GRANT refused", tunnel(KIND_GRANT, source=2, seq=4, window=3,
                                 body=grant_body(0x0000200000000000, 0x40000000, ANY_BASE, 0, 1)), "rev", None),
        ("ACK with SACK", tunnel(KIND_ACK, source=2, seq=3, ack=2, window=0,
                                 body=ack_body([(4, 6), (8, 9)])), "rev", None),
        ("DATA memory ID", tunnel(KIND_DATA, [mwr_off], flags=FLAG_MEMORY_ID | FLAG_TRANSLATED,
                                  source=1, seq=4, window=7), "fwd", None),
        ("DATA multicast", tunnel(KIND_DATA, [mc], flags=FLAG_MULTICAST, source=1, seq=5,
                                  window=9), "fwd", "239.1.2.3"),
        ("COMPLETION", tunnel(KIND_COMPLETION, [cpld, conf], flags=reliable | FLAG_TRANSLATED,
                              source=2, seq=7, ack=3, window=2), "rev", None),
        ("ACK with NAK", tunnel(KIND_ACK, flags=FLAG_NAK, source=2, seq=8, ack=5,
                                body=ack_body([])), "rev", None),
        ("DATA confirm", tunnel(KIND_DATA, [mwr_confirm], flags=reliable, source=1, seq=6, ack=8,
                                window=2), "fwd", None),
    ]


def remap_packets():
    """(description, tunnel payload, direction, malformed) of memory IDs and remapping."""
    mwr_off = request(0x40, 0x00000a40, 16, 0x0010, 0x00, 0xF, 0xF) + pattern(64)
    mrd_off = request(0x00, 0x00000a00, 1, 0x0010, 0x07)
    body = remap_body(7, 1, 0x40000000, 0x80000000, 0x10000, 41)
    return [
        ("GRANT_REQUEST memory ID", tunnel(KIND_GRANT_REQUEST, flags=FLAG_MEMORY_ID, source=1, seq=5,
                                           window=7, body=grant_body(0x0000100000000000, 0x10000)),
         "fwd", False),
        ("GRANT memory ID", tunnel(KIND_GRANT, flags=FLAG_MEMORY_ID, source=2, seq=5, window=7,
                                   body=grant_body(0x0000100000000000, 0x10000)), "rev", False),
        ("GRANT unknown memory ID", tunnel(KIND_GRANT, flags=FLAG_MEMORY_ID, source=2, seq=6, window=9,
                                           body=grant_body(0x0000200000000000, 0x1000, status=6)),
         "rev", False),
        ("DATA memory ID", tunnel(KIND_DATA, [mwr_off, mrd_off], flags=FLAG_MEMORY_ID | FLAG_RELIABLE,
                                  source=1, seq=41, window=7), "fwd", False),
        ("REMAP", tunnel(KIND_REMAP, source=2, seq=1, window=7, body=body), "rev", False),
        ("REMAP_ACK", tunnel(KIND_REMAP_ACK, source=1, seq=1, window=7, body=body), "fwd", False),
        ("REMAP truncated", tunnel(KIND_REMAP, source=2, seq=1, window=7, body=body[:20]), "rev", True),
        ("REMAP reserved", tunnel(KIND_REMAP, source=2, seq=1, window=7,
                                  body=remap_body(7, 1, 0x40000000, 0x80000000, 0x10000, 41, 1)),
         "rev", True),
        ("REMAP other memory ID", tunnel(KIND_REMAP, source=2, seq=1, window=8, body=body), "rev", True),
        ("REMAP generation 0", tunnel(KIND_REMAP, source=2, seq=0, window=7,
                                      body=remap_body(7, 0, 0x40000000, 0x80000000, 0x10000, 41)),
         "rev", True),
        ("REMAP overlapping", tunnel(KIND_REMAP, source=2, seq=1, window=7,
                                     body=remap_body(7, 1, 0x40000000, 0x40008000, 0x10000, 41)),
         "rev", True),
        ("REMAP unaligned", tunnel(KIND_REMAP, source=2, seq=1, window=7,
                                   body=remap_body(7, 1, 0x40000000, 0x80000800, 0x10000, 41)),
         "rev", True),
        ("REMAP with a flag", tunnel(KIND_REMAP, flags=FLAG_MEMORY_ID, source=2, seq=1, window=7,
                                     body=body), "rev", False),
        ("DATA memory ID translated", tunnel(KIND_DATA, [mrd_off], flags=FLAG_MEMORY_ID | FLAG_TRANSLATED,
                                             source=1, seq=42, window=7), "fwd", False),
    ]


def eth_frames(packets):
    out = []
    for _, payload, direction, group in packets:
        if group:
            out.append(ether(payload, dst=multicast_mac(group)))
        elif direction == "fwd":
            out.append(ether(payload))
        else:
            out.append(ether(payload, dst=MAC_A, src=MAC_B))
    return out


def ip_packets(packets):
    out = []
    for n, (_, payload, direction, group) in enumerate(packets):
        if group:
            out.append(ipv4_udp(payload, dst=group, ident=n + 1))
        elif direction == "fwd":
            out.append(ipv4_udp(payload, ident=n + 1))
        else:
            out.append(ipv4_udp(payload, src="10.1.1.2", dst="10.1.1.1",
                                sport=TUNNEL_PORT, dport=CLIENT_PORT, ident=n + 1))
    return out


def udp_frames(packets):
    out = []
    for ip, (_, _, direction, group) in zip(ip_packets(packets), packets):
        if group:
            out.append(ether(ip, ETHERTYPE_IPV4, dst=multicast_mac(group)))
        elif direction == "fwd":
            out.append(ether(ip, ETHERTYPE_IPV4))
        else:
            out.append(ether(ip, ETHERTYPE_IPV4, dst=MAC_A, src=MAC_B))
    return out


# ---------------------------------------------------------------------------
# Malformed cases
# ---------------------------------------------------------------------------
def malformed_raw():
    """(description, bytes, flagged): flagged = an error expert is expected."""
    mwr = hexb("40000004 0010000f 00000010")
    return [
        ("empty frame", b"", True),
        ("3 bytes", hexb("400000"), True),
        ("3DW header cut at 8 bytes", mwr[:8], True),
        ("4DW header cut at 14 bytes", hexb("20000001 0010050f 00000001 0000"), True),
        ("MWr Length 4 with 1 DW data", mwr + hexb("deadbeef"), True),
        ("MRd with 4 extra bytes", hexb("00000001 0010010f 00001000 11223344"), True),
        ("MWr TD=1 without digest", hexb("40008001 0010000f 00000010 deadbeef"), True),
        ("reserved Fmt 101b", hexb("a0000000 00000000 00000000 00000000"), True),
        ("reserved Type 00011b", hexb("03000001 00000000 00000000"), True),
        ("4DW Cpl", hexb("2a000000 00000000 00000000 00000000"), True),
        ("TLP prefix (warning only)", hexb("80000000 00000000 00000000"), False),
        ("garbage", bytes.fromhex("ff13579bdf02468ace00112233445566778899aabbccddeeff0f1e2d3c4b5a69"), True),
    ]


def malformed_tunnel():
    """(description, tunnel payload, flagged). Frames are written unpadded."""
    mwr1 = request(0x40, 0x10, 1, 0x0010, 0x01) + hexb("deadbeef")
    good = tunnel(KIND_DATA, [mwr1], source=1, seq=1, window=2)
    bad_len_tlp = request(0x40, 0x10, 4, 0x0010, 0x01) + hexb("deadbeef")  # Length 4, 1 DW sent
    return [
        ("fixed header truncated", good[:10], True),
        ("unknown version 2", tunnel(KIND_DATA, [mwr1], version=2), True),
        ("header length < 24 + 2*count", tunnel(KIND_DATA, [mwr1, mwr1, mwr1], header_length=28), True),
        ("header length not a multiple of 4", tunnel(KIND_DATA, [mwr1], header_length=26), True),
        ("header length beyond the packet", tunnel(KIND_DATA, [mwr1], header_length=64), True),
        ("TLP length beyond the packet", tunnel(KIND_DATA, [mwr1], lengths=[40]), True),
        ("DATA with count 0", tunnel(KIND_DATA, [], body=mwr1), True),
        ("count above 1024", tunnel(KIND_DATA, [mwr1], count=2000), True),
        ("TLP shorter than its header", tunnel(KIND_DATA, [mwr1[:8]]), True),
        ("TLP Length disagrees with its size", tunnel(KIND_DATA, [bad_len_tlp]), True),
        ("unknown kind 7 (warning only)", tunnel(7, body=b"\x00" * 12), False),
        ("GRANT body truncated", tunnel(KIND_GRANT, body=grant_body(0, 0x1000)[:10]), True),
        ("GRANT status 9", tunnel(KIND_GRANT, body=grant_body(0, 0x1000, status=9)), True),
        ("GRANT reserved byte", tunnel(KIND_GRANT, body=grant_body(0, 0x1000, reserved=1)), True),
        ("compressed flag (warning only)", tunnel(KIND_DATA, [mwr1], flags=FLAG_COMPRESSED), False),
        ("unknown flag bit 0x80 (warning only)", tunnel(KIND_DATA, [mwr1], flags=0x80), False),
        ("NAK on DATA (warning only)", tunnel(KIND_DATA, [mwr1], flags=FLAG_NAK), False),
        ("ACK body truncated", tunnel(KIND_ACK, body=ack_body([(1, 2)])[:7]), True),
        ("ACK with 65 blocks", tunnel(KIND_ACK, body=ack_body([(1, 2)] * 65)), True),
        ("ACK empty SACK block", tunnel(KIND_ACK, body=ack_body([(5, 5)])), True),
        ("ACK with a TLP count", tunnel(KIND_ACK, count=1, lengths=[12], body=ack_body([])), True),
        ("COMPLETION with count 0", tunnel(KIND_COMPLETION, [], body=mwr1), True),
        ("TLP length 0", tunnel(KIND_DATA, [b"", mwr1]), True),
        ("garbage", bytes.fromhex("de ad be ef 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11"), True),
    ]


def malformed_udp():
    mwr1 = request(0x40, 0x10, 1, 0x0010, 0x01) + hexb("deadbeef")
    good = tunnel(KIND_DATA, [mwr1], source=1, seq=1, window=2)
    return [
        ("fixed header truncated", good[:10], True),
        ("TLP cut short", good[:-6], True),
    ]


def mutate(rng, data):
    b = bytearray(data)
    op = rng.randrange(5)
    if op == 0 and b:
        b = b[:rng.randrange(len(b))]  # truncate
    elif op == 1 and b:
        for _ in range(rng.randrange(1, 4)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)  # flip bits
    elif op == 2 and b:
        for _ in range(rng.randrange(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)  # random bytes
    elif op == 3:
        b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))  # extend
    else:
        n = rng.randrange(1, 64)
        b = bytearray(rng.randrange(256) for _ in range(n))  # pure garbage
        if rng.randrange(2):
            b[0] = 0x10 | rng.randrange(8)  # version 1, any kind: go deeper
    return bytes(b)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: make-sample-pcaps.py OUTDIR\n")
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    self_check()

    tlps = raw_tlps()
    write_pcap(os.path.join(out, "tlp-raw.pcap"), DLT_USER0, [b for _, b in tlps])

    good = hexb("40008001 0010000f 00000010 deadbeef 760d863f")
    bad = bytearray(good)
    bad[-1] ^= 0x01
    write_pcap(os.path.join(out, "tlp-bad-ecrc.pcap"), DLT_USER0, [good, bytes(bad)])

    packets = tunnel_packets()
    write_pcap(os.path.join(out, "tunnel-eth.pcap"), DLT_EN10MB, eth_frames(packets))
    write_pcap(os.path.join(out, "tunnel-udp.pcap"), DLT_EN10MB, udp_frames(packets))
    write_pcap(os.path.join(out, "tunnel-rawip.pcap"), DLT_RAW, ip_packets(packets))
    write_pcap(os.path.join(out, "tunnel-remap.pcap"), DLT_EN10MB,
               eth_frames([(d, p, direction, None) for d, p, direction, _ in remap_packets()]))

    write_pcap(os.path.join(out, "malformed-raw.pcap"), DLT_USER0, [b for _, b, _ in malformed_raw()])
    write_pcap(os.path.join(out, "malformed-tunnel.pcap"), DLT_EN10MB,
               [ether(p, pad=False) for _, p, _ in malformed_tunnel()])
    write_pcap(os.path.join(out, "malformed-udp.pcap"), DLT_EN10MB,
               [ether(ipv4_udp(p), ETHERTYPE_IPV4) for _, p, _ in malformed_udp()])

    rng = random.Random(0x7115)
    seeds = [b for _, b in tlps] + [b for _, b, _ in malformed_raw()]
    write_pcap(os.path.join(out, "fuzz-raw.pcap"), DLT_USER0,
               [mutate(rng, rng.choice(seeds)) for _ in range(400)])
    tseeds = [p for _, p, _, _ in packets] + [p for _, p, _ in malformed_tunnel()] + [
        p for _, p, _, _ in remap_packets()]
    write_pcap(os.path.join(out, "fuzz-tunnel.pcap"), DLT_EN10MB,
               [ether(mutate(rng, rng.choice(tseeds)), pad=False) for _ in range(400)])

    # A summary for humans (the exact expectations live in run-sample-tests.sh).
    print("tlp-raw.pcap: %d TLPs" % len(tlps))
    print("tunnel-*.pcap: %d packets, %d TLPs" % (
        len(packets), sum(struct.unpack(">H", p[2:4])[0] for _, p, _, _ in packets)))
    print("malformed-raw.pcap: %d frames, %d flagged" % (
        len(malformed_raw()), sum(f for _, _, f in malformed_raw())))
    print("malformed-tunnel.pcap: %d frames, %d flagged" % (
        len(malformed_tunnel()), sum(f for _, _, f in malformed_tunnel())))
    print("malformed-udp.pcap: %d frames, %d flagged" % (
        len(malformed_udp()), sum(f for _, _, f in malformed_udp())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
