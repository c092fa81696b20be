/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_DOORBELL_HELPER_H
#define TLP_DOORBELL_HELPER_H

#include "ns3/node.h"
#include "ns3/nstime.h"
#include "ns3/tlp-doorbell-registers.h"

#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Starts the NIC's remote reads and DMA pushes as a driver does: through the
 * node's CPU, with ordinary stores into the NIC's doorbell BAR.
 *
 * ReadRemote() and Push() (slot 0; MakeRead() or MakePush() and Start() for others) clear the
 * completion word in local memory, write the descriptor into a slot (one MWr of DESCRIPTOR_SIZE
 * bytes), then the slot number into DOORBELL (one 4-byte MWr), and wait for the NIC's completion
 * write: the callback runs when local memory takes the write of the completion word with the
 * descriptor's value, so the data is in place by then (TlpNicDma says why). The
 * costs of the descriptor and the doorbell (the CPU's MWr crossing the NIC's link
 * and its processing) are part of the latency.
 * Nodes are those built by TlpTunnelHelper::Install().
 */
class TlpDoorbellHelper
{
  public:
    /// Callback when a descriptor ends: (status from the completion write, latency).
    typedef Callback<void, uint32_t, Time> DoneCallback;

    /**
     * \brief Read remote memory into local memory (claim 38).
     * \param node the reading node
     * \param windowAddress first byte, inside one of its NIC's windows
     * \param size bytes
     * \param localAddress where the data goes in local memory
     * \param completionAddress 8-byte aligned local address of the completion word
     * \param done callback, may be null
     */
    static void ReadRemote(Ptr<Node> node,
                           uint64_t windowAddress,
                           uint64_t size,
                           uint64_t localAddress,
                           uint64_t completionAddress,
                           DoneCallback done);
    /**
     * \brief Push local memory to remote memory (DMA push, claims 33-34).
     * \param node the pushing node
     * \param localAddress first byte in local memory
     * \param size bytes
     * \param windowAddress where it goes, inside one of its NIC's windows
     * \param completionAddress 8-byte aligned local address of the completion word
     * \param done callback, may be null
     */
    static void Push(Ptr<Node> node,
                     uint64_t localAddress,
                     uint64_t size,
                     uint64_t windowAddress,
                     uint64_t completionAddress,
                     DoneCallback done);
    /**
     * \brief The descriptor of a remote read, for Start() in another slot than 0.
     * \param node the reading node
     * \param windowAddress first byte, inside one of its NIC's windows
     * \param size bytes
     * \param localAddress where the data goes in local memory
     * \param completionAddress 8-byte aligned local address of the completion word
     * \return the descriptor (OP_READ, FLAG_NOTIFY)
     */
    static TlpDescriptor MakeRead(Ptr<Node> node,
                                  uint64_t windowAddress,
                                  uint64_t size,
                                  uint64_t localAddress,
                                  uint64_t completionAddress);
    /**
     * \brief The descriptor of a DMA push, for Start() in another slot than 0.
     * \param node the pushing node
     * \param localAddress first byte in local memory
     * \param size bytes
     * \param windowAddress where it goes, inside one of its NIC's windows
     * \param completionAddress 8-byte aligned local address of the completion word
     * \return the descriptor (OP_PUSH, FLAG_NOTIFY)
     */
    static TlpDescriptor MakePush(Ptr<Node> node,
                                  uint64_t localAddress,
                                  uint64_t size,
                                  uint64_t windowAddress,
                                  uint64_t completionAddress);
    /**
     * \brief Write any descriptor into a slot and ring the doorbell: what ReadRemote()
     * and Push() do once they have found the window.
     * \param node the node
     * \param d the descriptor
     * \param slot the slot
     * \param done callback when the completion write with d's value lands, may be null
     *        (FLAG_NOTIFY must be set for it to run)
     */
    static void Start(Ptr<Node> node, const TlpDescriptor& d, uint32_t slot, DoneCallback done);
    /**
     * \param d a descriptor
     * \return its DESCRIPTOR_SIZE bytes as the slot's registers hold them
     */
    static std::vector<uint8_t> Encode(const TlpDescriptor& d);
    /**
     * \param node a node built by TlpTunnelHelper::Install()
     * \param slot a slot
     * \return the address of the slot's first register
     */
    static uint64_t GetSlotAddress(Ptr<Node> node, uint32_t slot);
};

} // namespace ns3

#endif /* TLP_DOORBELL_HELPER_H */
