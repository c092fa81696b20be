/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TUNNEL_GRANT_HEADER_H
#define TUNNEL_GRANT_HEADER_H

#include "ns3/header.h"

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Body of the GRANT_REQUEST and GRANT control packets.
 *
 * A sending NIC asks the receiving NIC for a region backing one of its windows
 * (GRANT_REQUEST); the receiver allocates it and answers with its range (GRANT),
 * before any data flows. Wire format (network byte order), after the TunnelHeader:
 *
 * \verbatim
   offset size field
    0     8   window base in the sender's address space
    8     8   window size in bytes
   16     8   region base in the receiver's address space (ANY_BASE: receiver picks)
   24     1   translation done at: 0 sender, 1 receiver
   25     1   status: 0 granted, 1 refused (no room)
   26     2   reserved (zero)
   \endverbatim
 */
class TunnelGrantHeader : public Header
{
  public:
    /// Size on the wire, bytes.
    static constexpr uint32_t SIZE = 28;
    /// "Any region": the receiver chooses the base.
    static constexpr uint64_t ANY_BASE = ~uint64_t(0);

    TunnelGrantHeader();
    ~TunnelGrantHeader() override;

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

    uint64_t windowBase; //!< window base at the sender
    uint64_t size;       //!< bytes
    uint64_t regionBase; //!< region base at the receiver, or ANY_BASE
    uint8_t translateAt; //!< 0 sender, 1 receiver
    uint8_t status;      //!< 0 granted, 1 refused
};

} // namespace ns3

#endif /* TUNNEL_GRANT_HEADER_H */
