#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Generate the synthetic sample pcaps and check that the tlp-tunnel Wireshark
# dissector decodes each of them exactly as expected.
#
#   wireshark/test/run-sample-tests.sh            # uses tshark from PATH
#   TSHARK=/path/to/tshark KEEP=1 wireshark/test/run-sample-tests.sh
#
# KEEP=1 keeps the temporary directory with the pcaps. Exit status 0 when every
# check passes.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DISSECTOR="$(cd "$HERE/.." && pwd)/tlp-tunnel.lua"
TSHARK="${TSHARK:-tshark}"
PY="${PYTHON:-python3}"

# shellcheck source=require-tools.sh
. "$HERE/require-tools.sh"
require_tools run-sample-tests.sh "tshark=$TSHARK" "python3=$PY"

DIR="$(mktemp -d "${TMPDIR:-/tmp}/tlp-tunnel-pcaps.XXXXXX")"
if [[ -z "${KEEP:-}" ]]; then
    trap 'rm -rf "$DIR"' EXIT
else
    echo "pcaps kept in $DIR"
fi

"$PY" "$HERE/make-sample-pcaps.py" "$DIR"

failed=0
total=0
check() {
    total=$((total + 1))
    if ! "$PY" "$HERE/check-pcap.py" --tshark "$TSHARK" --dissector "$DISSECTOR" "$@"; then
        failed=$((failed + 1))
    fi
}

# (a) raw TLPs, link type 147 (DLT_USER0): every kind, 3DW/4DW, TD/ECRC, 10-bit tag,
#     Byte Count 4096, Length 1024.
check "$DIR/tlp-raw.pcap" --frames 39 --tlps 39 \
    --expect tlp.fmt_type=0x00 --expect tlp.fmt_type=0x20 \
    --expect tlp.fmt_type=0x01 --expect tlp.fmt_type=0x21 \
    --expect tlp.fmt_type=0x40 --expect tlp.fmt_type=0x60 \
    --expect tlp.fmt_type=0x02 --expect tlp.fmt_type=0x42 \
    --expect tlp.fmt_type=0x04 --expect tlp.fmt_type=0x44 \
    --expect tlp.fmt_type=0x05 --expect tlp.fmt_type=0x45 \
    --expect tlp.fmt_type=0x30 --expect tlp.fmt_type=0x33 --expect tlp.fmt_type=0x34 \
    --expect tlp.fmt_type=0x72 --expect tlp.fmt_type=0x74 \
    --expect tlp.fmt_type=0x0a --expect tlp.fmt_type=0x4a \
    --expect tlp.fmt_type=0x0b --expect tlp.fmt_type=0x4b \
    --expect tlp.fmt_type=0x4c --expect tlp.fmt_type=0x6c \
    --expect tlp.fmt_type=0x4d --expect tlp.fmt_type=0x6d \
    --expect tlp.fmt_type=0x4e --expect tlp.fmt_type=0x6e \
    --expect tlp.kind=MRd --expect tlp.kind=MRdLk --expect tlp.kind=MWr \
    --expect tlp.kind=IORd --expect tlp.kind=IOWr \
    --expect tlp.kind=CfgRd0 --expect tlp.kind=CfgWr0 --expect tlp.kind=CfgRd1 --expect tlp.kind=CfgWr1 \
    --expect tlp.kind=Msg --expect tlp.kind=MsgD \
    --expect tlp.kind=Cpl --expect tlp.kind=CplD --expect tlp.kind=CplLk --expect tlp.kind=CplDLk \
    --expect tlp.kind=FetchAdd --expect tlp.kind=Swap --expect tlp.kind=CAS \
    --expect tlp.fmt=3 --expect tlp.type=0x0e \
    --expect tlp.address=0x0000000012345678 \
    --expect tlp.address=0x0000000100000004 \
    --expect tlp.address=0x0000100000000040 \
    --expect tlp.address=0xfedcba9876543210 \
    --expect tlp.address=0x0000000000000cf8 \
    --expect tlp.requester_id=0x0100 --expect tlp.requester_id=0xbeef \
    --expect tlp.tag=0x2a --expect tlp.tag=0x3a5 --expect tlp.tag=0x2c3 --expect tlp.tag=0x3ff \
    --expect tlp.t9=1 --expect tlp.t8=1 \
    --expect tlp.tc=3 --expect tlp.tc=5 --expect tlp.attr=6 --expect tlp.attr=5 \
    --expect tlp.ln=1 --expect tlp.th=1 --expect tlp.ph=2 --expect tlp.ph=1 \
    --expect tlp.td=1 --expect tlp.ep=1 --expect tlp.at=2 --expect tlp.at=1 \
    --expect tlp.length=1024 --expect tlp.length=1000 --expect tlp.length=16 \
    --expect tlp.first_be=0x8 --expect tlp.last_be=0x1 \
    --expect tlp.completer_id=0x0102 \
    --expect tlp.cpl_status=SC --expect tlp.cpl_status=UR \
    --expect tlp.cpl_status=CRS --expect tlp.cpl_status=CA \
    --expect tlp.bcm=1 --expect tlp.byte_count=4096 --expect tlp.byte_count=64 \
    --expect tlp.lower_address=0x7f --expect tlp.lower_address=0x40 \
    --expect tlp.target_id=0x0100 --expect tlp.register=0x104 --expect tlp.register=0x3ff \
    --expect tlp.message_code=0x20 --expect tlp.message_code=Assert_INTA \
    --expect tlp.message_code=0x50 --expect tlp.msg_routing=3 \
    --expect tlp.data \
    --expect tlp.ecrc=0x3f860d76 --expect tlp.ecrc=0x8ca6bd76 \
    --expect-all tlp.ecrc_status=good --expect-all tlp.ecrc_good=true \
    --filter 'tlp' 39 \
    --filter 'tlp.fmt_type == 0x60' 2 \
    --filter 'tlp.ecrc_status == "good"' 8 \
    --filter 'tlp.ecrc_good == 1' 8 \
    --filter 'tlp.length == 1024' 1 \
    --filter 'tlp.byte_count == 4096' 1 \
    --filter 'tlp.tag == 0x3a5' 1 \
    --filter 'tlp.kind == "MWr"' 7 \
    --filter 'tlp.address == 0x0000100000000040' 1 \
    --info 'MWr64 0x0000100000000040 len=16DW' \
    --info 'MWr32 0x00000010 len=1DW' \
    --info 'CplD SC tag=0x005 bc=64 len=16DW' \
    --info 'Cpl CA tag=0x0ff bc=4096' \
    --info 'FetchAdd32 0x00002000 len=2DW' \
    --info 'CfgRd0 01:00.0 reg=0x104 len=1DW'

# Bad ECRC: one good, one bad digest (an error, but not malformed).
check "$DIR/tlp-bad-ecrc.pcap" --frames 2 --tlps 2 --expect-errors 1 --expect-malformed 0 \
    --expect tlp.ecrc_status=bad --expect tlp.ecrc_status=good --expect tlp.ecrc.bad \
    --expect tlp.ecrc=0x3e860d76 --expect tlp.ecrc_calculated=0x3f860d76 \
    --filter 'tlp.ecrc_status == "bad"' 1 \
    --filter 'tlp.ecrc_good == 0' 1 \
    --info 'MWr32 0x00000010 len=1DW [bad ECRC]'

# (b) tunnel on EtherType 0x88B5.
tunnel_expect=(
    --frames 11 --tunnels 11 --tlps 8
    --expect-all tunnel.version=1
    --expect tunnel.kind=DATA --expect tunnel.kind=ACK
    --expect tunnel.kind=GRANT_REQUEST --expect tunnel.kind=GRANT --expect tunnel.kind=COMPLETION
    --expect tunnel.kind=0 --expect tunnel.kind=3 --expect tunnel.kind=4
    --expect tunnel.flags=0x09 --expect tunnel.flags=0x22 --expect tunnel.flags=0x23
    --expect tunnel.flags.translated=1 --expect tunnel.flags.reliable=1 --expect tunnel.flags.ack=1
    --expect tunnel.flags.nak=1 --expect tunnel.flags.memory_id=1
    --expect tunnel.flags.multicast=1 --expect-all tunnel.flags.compressed=0
    --expect tunnel.count=2 --expect tunnel.count=0
    --expect tunnel.source=1 --expect tunnel.source=2
    --expect tunnel.seq=5 --expect tunnel.seq=7 --expect tunnel.ack=3 --expect tunnel.ack=5
    --expect tunnel.nonce=3 --expect tunnel.nonce=4
    --expect tunnel.window=2 --expect tunnel.window=9 --expect tunnel.memory_id=7
    --expect tunnel.header_length=28 --expect tunnel.header_length=24
    --expect tunnel.key=0x1a2b3c4d --expect tunnel.key=0 --expect grant.key=0x1a2b3c4d
    --expect grant.key=0 --filter 'tunnel.key == 0x1a2b3c4d' 2 --filter 'grant.key == 0x1a2b3c4d' 1
    --expect tunnel.tlp_length=16 --expect tunnel.tlp_length=36
    --expect tunnel.tlp_length=12 --expect tunnel.tlp_length=76 --expect tunnel.tlp_length=28
    --expect tunnel_ack.sack_count=2 --expect tunnel_ack.sack_count=0
    --expect tunnel_ack.sack_first=4 --expect tunnel_ack.sack_end=6
    --expect tunnel_ack.sack_first=8 --expect tunnel_ack.sack_end=9
    --expect grant.window_base=0x0000100000000000 --expect grant.size=0x100000
    --expect grant.region_base=0xffffffffffffffff --expect grant.region_base=0x80000000
    --expect grant.translate_at=sender --expect grant.translate_at=receiver
    --expect grant.status=granted --expect grant.status=1 --expect grant.confirm=memory
    --expect tlp.fmt_type=0x60 --expect tlp.fmt_type=0x4a --expect tlp.fmt_type=0x00
    --expect tlp.fmt_type=0x72 --expect tlp.message_code=0x7f --expect tlp.vendor_id=0xffff
    --expect tlp.confirm.writer=0x0002 --expect tlp.confirm.address=0x0000100000000040
    --expect tlp.confirm.bytes=16
    --expect tlp.th=1 --expect tlp.steering_tag=0xc0 --expect tlp.confirm_request=1
    --expect tlp.address=0x0000100000000040 --expect-all tlp.ecrc_status=good
    --filter 'tunnel' 11
    --filter 'tunnel.kind == 0' 5
    --filter 'tunnel.kind == 1' 2
    --filter 'tunnel.kind == 2' 1
    --filter 'tunnel.kind == 3' 2
    --filter 'tunnel.kind == 4' 1
    --filter 'grant' 3
    --filter 'grant.status == 1' 1
    --filter 'tunnel_ack' 2
    --filter 'tunnel.flags.nak == 1' 1
    --filter 'tunnel.flags.reliable == 1' 3
    --filter 'tlp.confirm.address' 1
    --filter 'tlp.confirm_request' 1
    --filter 'tunnel.flags.memory_id == 1' 1
    --filter 'tunnel.memory_id == 7' 1
    --filter 'tlp.fmt_type == 0x60' 2
    --filter 'tlp' 6
    --info 'DATA src=1 seq=2 ack=0 win=2: MWr64 0x0000100000000040 len=4DW, MRd32 0x80001000 len=16DW'
    --info 'DATA src=1 seq=1 win=2: MWr32 0x00000010 len=1DW'
    --info 'GRANT_REQUEST src=1 nonce=3 win=2: window=0x0000100000000000 size=0x0000000000100000 region=any translate_at=sender'
    --info 'GRANT src=2 nonce=3 win=2: window=0x0000100000000000 size=0x0000000000100000 region=0x0000000080000000 translate_at=receiver confirm=memory granted key=0x1a2b3c4d'
    --info 'refused (no room in the export pool)'
    --info 'ACK src=2 ack=2 sack=4-6,8-9'
    --info 'ACK src=2 ack=5 NAK'
    --info 'COMPLETION src=2 seq=7 ack=3 win=2: CplD SC tag=0x005 bc=64 len=16DW, WriteConfirmation 0x0000100000000040 16B writer=00:00.2'
    --info 'DATA src=1 seq=6 ack=8 win=2: MWr64 0x0000100000000080 len=4DW confirm'
    --info 'DATA src=1 seq=4 mem=7: MWr32 0x00000200 len=2DW'
)
check "$DIR/tunnel-eth.pcap" "${tunnel_expect[@]}" \
    --expect tunnel.padding --filter 'tunnel.padding' 4 --filter 'eth.type == 0x88b5' 11

# (c) the same over IPv4/UDP port 51966: Ethernet+IPv4+UDP, and raw IP (DLT 101).
check "$DIR/tunnel-udp.pcap" "${tunnel_expect[@]}" \
    --filter 'tunnel.padding' 0 --filter 'udp.port == 51966' 11 --filter 'ip.checksum.status == "Good"' 11 \
    -o ip.check_checksum:TRUE
check "$DIR/tunnel-rawip.pcap" "${tunnel_expect[@]}" \
    --filter 'tunnel.padding' 0 --filter 'udp.dstport == 51966' 6 \
    -o ip.check_checksum:TRUE
# The UDP port is a preference: moved elsewhere, port 51966 is plain UDP.
check "$DIR/tunnel-udp.pcap" -o tunnel.udp_port:4000 --frames 11 --tunnels 0 --tlps 0

# (c2) memory IDs and remapping: the memory-ID flag on grants and DATA, REMAP and
#      REMAP_ACK bodies; six malformed REMAPs, two packets a receiver drops (warnings).
check "$DIR/tunnel-remap.pcap" --frames 14 --tunnels 14 --tlps 3 --expect-malformed 6 --expect-errors 6 \
    --expect tunnel.kind=REMAP --expect tunnel.kind=REMAP_ACK --expect tunnel.kind=5 --expect tunnel.kind=6 \
    --expect tunnel.flags=0x08 --expect tunnel.flags=0x0a --expect tunnel.generation=1 \
    --expect tunnel.memory_id=7 --expect tunnel.offsets_into=7 \
    --expect grant.status=granted --expect 'grant.status=unknown memory ID' --expect grant.status=6 \
    --expect grant.region_base=0xffffffffffffffff \
    --expect remap.memory_id=7 --expect remap.generation=1 --expect remap.old_base=0x40000000 \
    --expect remap.new_base=0x80000000 --expect remap.size=0x10000 --expect remap.switch_seq=41 \
    --expect tlp.address=0x00000a40 --expect tunnel.unknown_flags \
    --filter 'remap' 8 --filter 'tunnel.kind == 5' 8 --filter 'tunnel.kind == 6' 1 \
    --filter 'tunnel.flags.memory_id == 1 && tunnel.kind == 3' 2 --filter 'grant.status == 6' 1 \
    --filter 'tunnel.offsets_into == 7' 2 --filter 'tunnel.unknown_flags' 2 --filter '_ws.malformed' 6 \
    --info 'REMAP src=2 mem=7: id=7 gen=1 0x0000000040000000 -> 0x0000000080000000 size=0x0000000000010000 switch_seq=41' \
    --info 'REMAP_ACK src=1 mem=7: id=7 gen=1' \
    --info 'GRANT_REQUEST src=1 nonce=5 mem=7: window=0x0000100000000000 size=0x0000000000010000 region=any' \
    --info 'refused (unknown memory ID)' \
    --info 'DATA src=1 seq=41 mem=7: MWr32 0x00000a40 len=16DW, MRd32 0x00000a00 len=1DW'

# (d) malformed input: expert errors, never a Lua error.
check "$DIR/malformed-raw.pcap" --frames 12 --tlps 12 --expect-malformed 11 --expect-errors 11 \
    --expect tlp.malformed --expect tlp.prefix \
    --filter '_ws.malformed' 11 --filter 'tlp.malformed' 11
check "$DIR/malformed-tunnel.pcap" --frames 24 --tunnels 24 --expect-malformed 20 --expect-errors 20 \
    --expect tunnel.malformed --expect tunnel.unknown_version --expect tunnel.unknown_kind \
    --expect tunnel.not_decoded --expect tunnel.unknown_flags --expect tlp.malformed \
    --expect tunnel.tlp_bytes --expect tunnel.body --expect tunnel.nak \
    --filter '_ws.malformed' 20 --filter 'tunnel.kind == 7' 1 --filter 'tunnel.unknown_flags' 2 \
    --filter 'tunnel_ack' 3
check "$DIR/malformed-udp.pcap" --frames 2 --tunnels 2 --expect-malformed 2 --expect-errors 2
check "$DIR/fuzz-raw.pcap" --frames 400 --tlps 400 --allow-errors
check "$DIR/fuzz-tunnel.pcap" --frames 400 --tunnels 400 --allow-errors

echo "run-sample-tests.sh: $((total - failed))/$total checks passed"
[[ $failed -eq 0 ]]
