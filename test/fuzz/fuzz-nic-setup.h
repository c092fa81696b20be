/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_FUZZ_NIC_SETUP_H
#define TLP_FUZZ_NIC_SETUP_H

/*
 * The scene of the NIC receive-path target (fuzz-nic-receive.cc), shared with the
 * corpus generator so that its seeds address the windows and regions that exist.
 *
 * Two compute nodes built by TlpTunnelHelper, their NICs joined by the target's own
 * TlpTransport (delivery after LINK_DELAY, nothing lost but node 1's grant requests
 * for its window 1):
 *
 *   node 0 window 0  [WINDOW, +WINDOW_SIZE)   -> node 1 region REGION, sender translates
 *   node 0 window 1  [WINDOW1, +WINDOW_SIZE)  -> node 1, any region (from its pool at
 *                                                EXPORT_BASE), receiver translates
 *   node 1 window 0  [WINDOW, +WINDOW_SIZE)   -> node 0 region REGION, sender translates
 *   node 1 window 1  [PENDING, +PAGE)         -> node 0, never granted: the set-up's
 *                                                CPU operations wait in node 1's NIC
 *
 * The input is one byte of scene options (Option bits), then a sequence of records,
 * each a tunnel packet that reaches a NIC as if its transport had received it:
 *
 *   1 byte   control (Control bits)
 *   2 bytes  payload length (big-endian; cut to what the input holds)
 *   N bytes  payload: the tunnel packet
 */

#include <cstdint>

namespace ns3
{
namespace tlpfuzz
{
namespace nic
{

constexpr uint64_t PAGE = 4096;
constexpr uint64_t WINDOW = 0x0000100000000000ULL;
constexpr uint64_t WINDOW_SIZE = 0x10000;
constexpr uint64_t WINDOW1 = WINDOW + 0x100000;
constexpr uint64_t PENDING = WINDOW + 0x200000;
constexpr uint64_t REGION = 0x40000000;
constexpr uint64_t EXPORT_BASE = uint64_t(1) << 32; ///< the NIC's default ExportBase

/// Bits of the input's first byte: how the scene is built.
enum Option : uint8_t
{
    AGGREGATE = 0x01, ///< NICs gather up to 16 TLPs per packet (AggregationLimit)
    ECRC = 0x02,      ///< CPUs and memories append an ECRC to what they send
};

/// Bits of a record's control byte.
enum Control : uint8_t
{
    TO_NODE0 = 0x01,  ///< the packet reaches node 0's NIC (default: node 1's)
    FIX_ECRC = 0x02,  ///< rewrite the digest of every listed TLP with TD set to match
    LONG_STEP = 0x04, ///< run 60 ms after it (timeouts) instead of STEP_US
};

constexpr uint32_t STEP_US = 100;        ///< simulated time after each record
constexpr uint32_t LINK_DELAY_NS = 1000; ///< the fabric's delivery delay

/// Requester IDs of TlpTunnelHelper (4n + function: 0 CPU, 1 memory, 2 NIC).
constexpr uint16_t
RequesterId(uint32_t node, uint32_t function)
{
    return static_cast<uint16_t>(node << 2 | function);
}

/**
 * The set-up's operations of node 1's CPU into the pending window, in order; the
 * non-posted ones hold the CPU's tags 0.. in this order (a read is split at
 * Max_Read_Request_Size, 512 bytes), so forged completions can match them.
 */
constexpr uint64_t PENDING_WRITE = PENDING;          ///< 64-byte write
constexpr uint64_t PENDING_READ = PENDING + 0x100;   ///< 64-byte read: tag 0
constexpr uint64_t PENDING_SPLIT = PENDING + 0x200;  ///< 600-byte read: tags 1 (512), 2 (88)
constexpr uint64_t PENDING_ATOMIC = PENDING + 0x800; ///< 8-byte FetchAdd: tag 3

} // namespace nic
} // namespace tlpfuzz
} // namespace ns3

#endif /* TLP_FUZZ_NIC_SETUP_H */
