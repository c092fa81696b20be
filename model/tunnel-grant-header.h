/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TUNNEL_GRANT_HEADER_H
#define TUNNEL_GRANT_HEADER_H

#include "ns3/header.h"

#include <string>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Body of the GRANT_REQUEST and GRANT control packets.
 *
 * A sending NIC asks the receiving NIC for a region backing one of its windows
 * (GRANT_REQUEST); the receiver allocates it and answers with its range (GRANT),
 * before any data flows. The TunnelHeader's sequence field carries the request's
 * nonce, an unpredictable number the GRANT must echo; the GRANT carries the region
 * key, an unpredictable number the receiver chose, which every DATA packet for the
 * window carries in its TunnelHeader. Wire format (network byte order), after the
 * TunnelHeader:
 *
 * \verbatim
   offset size field
    0     8   window base in the sender's address space
    8     8   window size in bytes
   16     8   region base in the receiver's address space (ANY_BASE: receiver picks)
   24     1   translation done at: 0 sender, 1 receiver
   25     1   status: 0 granted, otherwise why the region is refused (Status)
   26     1   write confirmation of the window (TlpWindow::Confirm)
   27     1   reserved (zero)
   28     4   region key (GRANT, granted: chosen by the receiver, never 0; otherwise 0)
   \endverbatim
 *
 * Deserialize() refuses (returns 0) a truncated body, values outside their ranges and
 * a reserved byte other than zero.
 */
class TunnelGrantHeader : public Header
{
  public:
    /// Size on the wire, bytes.
    static constexpr uint32_t SIZE = 32;
    /// "Any region": the receiver chooses the base.
    static constexpr uint64_t ANY_BASE = ~uint64_t(0);
    /// Largest confirmation mode value (TlpWindow::Confirm).
    static constexpr uint8_t MAX_CONFIRM = 3;

    /// Status of a GRANT: granted, or why the region was refused.
    enum Status : uint8_t
    {
        GRANTED = 0,    ///< the region is granted
        NO_ROOM = 1,    ///< the export pool has no room for the size
        NOT_MEMORY = 2, ///< the range is not memory of the receiving node
        OVERLAP = 3,    ///< the range overlaps a region exported with another range
        BAD_RANGE = 4,  ///< size 0, not a multiple of 4 KiB, or past 2^64
        CONFLICT = 5,   ///< the window already holds a region with other parameters
        UNKNOWN_ID = 6, ///< no range is registered under the memory ID asked for
        MAX_STATUS = UNKNOWN_ID
    };

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

    /**
     * \param status a Status
     * \return its name ("granted", "no room in the export pool", ...)
     */
    static std::string StatusToString(uint8_t status);

    uint64_t windowBase; //!< window base at the sender
    uint64_t size;       //!< bytes
    uint64_t regionBase; //!< region base at the receiver, or ANY_BASE
    uint8_t translateAt; //!< 0 sender, 1 receiver
    uint8_t status;      //!< a Status
    uint8_t confirm;     //!< write confirmation mode, 0..MAX_CONFIRM
    uint32_t key;        //!< region key (GRANT, granted), 0 otherwise
};

} // namespace ns3

#endif /* TUNNEL_GRANT_HEADER_H */
