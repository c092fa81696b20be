/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TUNNEL_ACK_HEADER_H
#define TUNNEL_ACK_HEADER_H

#include "ns3/header.h"
#include "ns3/sequence-number.h"

#include <utility>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Body of an ACK packet: the selective acknowledgement (SACK) blocks.
 *
 * The cumulative acknowledgement (the next sequence number the receiver expects)
 * travels in the TunnelHeader; the blocks name the ranges received above it, lowest
 * first, each [start, end) in the wrap-around sequence space. Wire format (network
 * byte order), after the TunnelHeader:
 *
 * \verbatim
   offset size field
    0     2   number of blocks N (0..MAX_BLOCKS)
    2     2   reserved (zero)
    4     8N  blocks: start (4 bytes), end (4 bytes, exclusive)
   \endverbatim
 *
 * Deserialize() refuses (returns 0) a truncated body, more than MAX_BLOCKS blocks,
 * a reserved field other than zero and a block that is empty or spans half the
 * sequence space or more (where the wrap-around order is not defined).
 */
class TunnelAckHeader : public Header
{
  public:
    /// Most blocks one ACK carries.
    static constexpr uint16_t MAX_BLOCKS = 64;
    /// A block: [first, end).
    typedef std::pair<SequenceNumber32, SequenceNumber32> Block;

    TunnelAckHeader();
    ~TunnelAckHeader() override;

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TypeId GetInstanceTypeId() const override;
    void Print(std::ostream& os) const override;
    uint32_t GetSerializedSize() const override;
    void Serialize(Buffer::Iterator start) const override;
    uint32_t Deserialize(Buffer::Iterator start) override;

    /**
     * \brief Append a block.
     * \param first its first sequence number
     * \param end one past its last
     */
    void AddBlock(SequenceNumber32 first, SequenceNumber32 end);
    /// \return the blocks, in the order received
    const std::vector<Block>& GetBlocks() const;
    /// Remove every block.
    void Clear();

  private:
    std::vector<Block> m_blocks; //!< the blocks
};

} // namespace ns3

#endif /* TUNNEL_ACK_HEADER_H */
