/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_PACKER_H
#define TLP_PACKER_H

#include "tunnel-header.h"

#include "ns3/packet.h"

#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Puts TLPs into tunnel packets: how many fit (one size formula) and the
 * packet itself.
 *
 * A packet of n TLPs of b bytes in all is TunnelHeader::GetSerializedSizeFor(n) + b
 * bytes; it may hold at most Limit TLPs and MaxPacketSize bytes, the smaller of the
 * NIC's MaxPacketSize attribute and what the transport's path carries
 * (TlpTransport::GetMaxPacketSize()), aggregated or not.
 */
class TlpPacker
{
  public:
    /**
     * \param limit most TLPs per packet (>= 1)
     * \param maxPacketSize largest tunnel packet, bytes
     */
    TlpPacker(uint32_t limit = 1, uint32_t maxPacketSize = 1472);

    /**
     * \param limit most TLPs per packet (>= 1)
     * \param maxPacketSize largest tunnel packet, bytes
     */
    void SetLimits(uint32_t limit, uint32_t maxPacketSize);
    /// \return most TLPs per packet
    uint32_t GetLimit() const;
    /// \return largest tunnel packet, bytes
    uint32_t GetMaxPacketSize() const;

    /**
     * \param count TLPs
     * \param tlpBytes their bytes in all
     * \return the tunnel packet's size
     */
    static uint32_t PacketSize(uint32_t count, uint32_t tlpBytes);
    /**
     * \param count TLPs already in the packet
     * \param tlpBytes their bytes
     * \param next bytes of one more
     * \return true when one more fits
     */
    bool Fits(uint32_t count, uint32_t tlpBytes, uint32_t next) const;
    /**
     * \brief Build a packet's payload and complete its header.
     * \param header a header without lengths yet (kind, flags, window); gets one per TLP
     * \param tlps the TLPs, in order
     * \return the payload (the header is added at transmission)
     */
    static Ptr<Packet> Pack(TunnelHeader& header, const std::vector<Ptr<Packet>>& tlps);

  private:
    uint32_t m_limit;         //!< most TLPs per packet
    uint32_t m_maxPacketSize; //!< largest packet, bytes
};

} // namespace ns3

#endif /* TLP_PACKER_H */
