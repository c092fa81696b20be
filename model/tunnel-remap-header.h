/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TUNNEL_REMAP_HEADER_H
#define TUNNEL_REMAP_HEADER_H

#include "ns3/header.h"

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Body of the REMAP and REMAP_ACK control packets (claim 32).
 *
 * A receiving NIC that moved a memory ID to a new range tells every sender holding a
 * grant on it (REMAP); each sender answers with the same body (REMAP_ACK). The
 * TunnelHeader of both carries the memory ID in its window field and the generation
 * in its sequence field. Wire format (network byte order), after the TunnelHeader:
 *
 * \verbatim
   offset size field
    0     2   memory ID
    2     2   reserved (zero)
    4     4   generation: 1 for the memory ID's first remap, +1 for each later one
    8     8   old base in the receiver's address space
   16     8   new base
   24     8   size in bytes (the same before and after)
   32     4   switch sequence: the addressed sender's first sequence number whose
              TLPs resolve in the new range (reliable sessions)
   \endverbatim
 *
 * Deserialize() refuses (returns 0) a truncated body, a reserved field other than
 * zero, generation 0, a size that is 0 or no multiple of 4 KiB, bases that are no
 * multiple of 4 KiB, a range past 2^64 and overlapping old and new ranges.
 */
class TunnelRemapHeader : public Header
{
  public:
    /// Size on the wire, bytes.
    static constexpr uint32_t SIZE = 36;

    TunnelRemapHeader();
    ~TunnelRemapHeader() override;

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
     * \return true when the fields are what Deserialize() accepts
     */
    bool IsValid() const;

    uint16_t memoryId;       //!< the memory ID
    uint32_t generation;     //!< its remap count, from 1
    uint64_t oldBase;        //!< range before the switch
    uint64_t newBase;        //!< range after the switch
    uint64_t size;           //!< bytes of both
    uint32_t switchSequence; //!< first sequence number of the sender resolved in the new range
};

} // namespace ns3

#endif /* TUNNEL_REMAP_HEADER_H */
