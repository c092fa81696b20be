#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run every example that writes pcaps, on both transports, and decode every pcap
# with tshark and the tlp-tunnel dissector: no frame may be malformed or show a
# Lua error, the TLPs and tunnel packets decoded must equal what the simulation
# counted ("counters:" lines of the examples), and selected fields must carry the
# values the scenario set up.
#
#   wireshark/test/check-examples.sh BUILD_DIR        (BUILD_DIR/examples/<name>)
#
# Exit status 0 when every check passes.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$(cd "${1:?usage: check-examples.sh BUILD_DIR}" && pwd)"
PY="${PYTHON:-python3}"
# shellcheck source=require-tools.sh
. "$HERE/require-tools.sh"
require_tools check-examples.sh "tshark=${TSHARK:-tshark}" "python3=$PY"
CHECK=("$PY" "$HERE/check-pcap.py" --dissector "$(cd "$HERE/.." && pwd)/tlp-tunnel.lua")

DIR="$(mktemp -d "${TMPDIR:-/tmp}/tlp-tunnel-examples.XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"

failed=0
total=0
check() {
    total=$((total + 1))
    if ! "${CHECK[@]}" --expect-malformed 0 --expect-errors 0 "$@"; then
        echo "check-examples.sh: FAILED: $*" >&2
        failed=$((failed + 1))
    fi
}

# counter NAME NODE: a value from the example's "counters: node=N ..." line.
counter() {
    sed -n "s/^counters: node=$2 .*$1=\([0-9]*\).*/\1/p" output.txt
}

WINDOW=0x0000100000000000
for transport in ethernet udp; do
    # The hosts' link device, a full-duplex Ethernet port (DLT_EN10MB) on both
    # transports: ethernet puts it after the NIC (index 1); udp has the NIC, the
    # loopback and the link device (index 2). Every frame is a tunnel packet: an
    # EtherType 0x88B5 frame, or an IPv4 frame with a UDP datagram between the
    # tunnel's ports (the fabric's ARP entries are static: no ARP frame).
    link=1
    frames=(--expect-all eth.type=0x88b5)
    if [ "$transport" = udp ]; then
        link=2
        frames=(--expect-all eth.type=0x0800 --expect-all ip.proto=17
                --expect-all udp.srcport=51966 --expect-all udp.dstport=51966)
    fi
    for example in remote-write remote-read ping-pong remote-write-aggregated remote-write-ecrc \
        lossy-fabric atomic-counter remap; do
        rm -f ./*.pcap output.txt
        args=(--transport="$transport" --pcap=true)
        program=$example
        case $example in
        remote-write) args+=(--count=50 --size=200) ;;
        remote-write-aggregated)
            # 16 TLPs per packet: the link pcaps hold fewer packets than TLPs.
            program=remote-write
            args+=(--count=160 --size=64 --rate=100Gbps --aggregate=16)
            ;;
        remote-write-ecrc)
            # Every TLP carries an ECRC digest, recomputed by the NIC after translation.
            program=remote-write
            args+=(--count=40 --size=100 --ecrc=true --translate=receiver)
            ;;
        remote-read) args+=(--count=20 --size=300) ;;
        ping-pong) args+=(--rounds=20) ;;
        atomic-counter)
            # One adder (node 1), no loss: every FetchAdd and its completion decoded.
            args+=(--nodes=1 --increments=100 --loss=0)
            ;;
        remap) args+=(--writes=200 --size=64) ;;
        lossy-fabric)
            # 20 % loss: retransmissions, SACK blocks, acks piggybacked or alone.
            args+=(--loss=0.2 --count=300)
            ;;
        esac
        if ! "$BUILD/examples/$program" "${args[@]}" > output.txt; then
            echo "check-examples.sh: $example ${args[*]} failed:" >&2
            cat output.txt >&2
            failed=$((failed + 1))
            continue
        fi
        grep -q "memory-image: match" output.txt
        for node in 0 1; do
            nic=(--tlps "$(counter nic-tlps $node)")
            wire=(--tunnels "$(counter tunnel-packets $node)" --tlps "$(counter tunnel-tlps $node)"
                  --frames "$(counter tunnel-packets $node)" "${frames[@]}")
            case $example-$node in
            remote-write-0)
                # Stores into the window (MWr64), translated by the sender NIC to the
                # region node 1 granted (the first of its pool: 4 GiB, so still 4DW);
                # the grant is asked for first, and every DATA packet comes from node 0
                # with the key node 1's GRANT gave (never 0).
                nic+=(--expect-all tlp.fmt_type=0x60 --expect tlp.address=$WINDOW)
                wire+=(--expect tlp.address=0x0000000100000000 --expect tunnel.kind=2
                       --expect tunnel.kind=3 --expect tunnel.seq=0 --expect tunnel.seq=1
                       --expect tunnel.flags.translated=1 --expect grant.key
                       --filter "tunnel.kind == 0 && tunnel.source == 0" "$(counter tunnel-tlps 0)"
                       --filter "tunnel.kind == 0 && tunnel.key == 0" 0
                       --filter "grant.key == 0 && tunnel.kind == 3" 0)
                ;;
            remote-write-1)
                nic+=(--expect-all tlp.fmt_type=0x60 --expect tlp.address=0x0000000100000000)
                wire+=(--expect tlp.requester_id=0x0000)
                ;;
            remote-read-0)
                # MRd64 out, CplD back to the CPU (00:00.0) and to the NIC's own reads.
                nic+=(--expect tlp.fmt_type=0x20 --expect tlp.fmt_type=0x4a
                      --expect tlp.cpl_status=0 --expect tlp.requester_id=0x0000)
                wire+=(--expect tlp.requester_id=0x0002 --expect tlp.byte_count=300)
                ;;
            remote-read-1)
                # The region was asked for explicitly at 1 GiB.
                nic+=(--expect tlp.fmt_type=0x00 --expect tlp.address=0x0000000040000000
                      --expect tlp.fmt_type=0x4a --expect tlp.completer_id=0x0005)
                ;;
            remote-write-aggregated-0)
                wire+=(--filter "tunnel.count == 16" 10)
                ;;
            remote-write-ecrc-*)
                nic+=(--expect-all tlp.td=1 --expect-all tlp.ecrc_status=good)
                wire+=(--expect-all tlp.ecrc_status=good)
                ;;
            lossy-fabric-*)
                # Every DATA packet is sequenced; node 1 acknowledges, with SACK blocks
                # when a loss leaves a gap.
                # A resent packet that arrives twice counts once among the TLPs
                # accepted: only the packets are counted.
                wire=(--tunnels "$(counter tunnel-packets $node)"
                      --frames "$(counter tunnel-packets $node)" "${frames[@]}"
                      --filter "tunnel.kind == 0 && tunnel.flags.reliable == 0" 0
                      --expect tunnel.kind=1 --expect tunnel_ack.sack_first
                      --expect tunnel.flags.ack=1)
                ;;
            atomic-counter-1)
                # FetchAdd (64-bit address: the window) out, CplD with the
                # original value back.
                nic+=(--expect tlp.fmt_type=0x6c --expect tlp.fmt_type=0x4a
                      --expect tlp.length=2 --expect tlp.byte_count=8)
                ;;
            atomic-counter-0)
                # Placed on node 0's PCIe at the counter, 1.25 GiB (3DW).
                nic+=(--expect tlp.fmt_type=0x4c --expect tlp.address=0x50000000
                      --expect tlp.fmt_type=0x4a)
                ;;
            remap-*)
                # Every DATA packet names memory ID 1 and carries offsets (MWr32 below
                # the window's 64 KiB); the grant has the memory-ID flag; node 1 sends
                # one REMAP, node 0 answers it.
                wire+=(--filter "tunnel.kind == 0 && tunnel.flags.memory_id == 0" 0
                       --filter "tunnel.kind == 0 && tunnel.memory_id == 1" "$(counter tunnel-tlps 0)"
                       --filter "tunnel.kind == 2 && tunnel.flags.memory_id == 1" 1
                       --filter "tunnel.kind == 5" 1 --filter "tunnel.kind == 6" 1
                       --expect remap.old_base=0x40000000 --expect remap.new_base=0x80000000
                       --expect-all tunnel.flags.translated=0)
                ;;
            ping-pong-*)
                nic+=(--expect tlp.fmt_type=0x60 --expect tlp.fmt_type=0x40
                      --expect tlp.address=0x0000000040000000 --expect tlp.length=2)
                ;;
            esac
            check "$program-$node-0.pcap" "${nic[@]}"
            check "$program-$node-$link.pcap" "${wire[@]}"
        done
        # The switch or router sees the same packets on its ports.
        for port in "$program"-2-*.pcap; do
            check "$port" "${frames[@]}"
        done
    done
done

echo "check-examples.sh: $((total - failed)) of $total checks passed"
[ "$failed" -eq 0 ]
