/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_PEER_DIRECTORY_H
#define TLP_PEER_DIRECTORY_H

#include "ns3/address.h"
#include "ns3/object.h"

#include <unordered_map>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Where each NIC of a tunnel fabric is reachable: node ID to transport address.
 *
 * One directory is shared by all NICs of a fabric, so a cluster of N nodes keeps N
 * entries in all rather than N per NIC. The address is the NIC's lower device MAC
 * address (Ethernet transport) or its IPv4 address (UDP transport).
 */
class TlpPeerDirectory : public Object
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpPeerDirectory();
    ~TlpPeerDirectory() override;

    /**
     * \param node a node ID
     * \param address where its NIC is reached
     */
    void Add(uint32_t node, const Address& address);
    /**
     * \param node a node ID
     * \return true when the node has a NIC in the fabric
     */
    bool Contains(uint32_t node) const;
    /**
     * \param node a node ID in the directory
     * \return its address
     */
    const Address& Get(uint32_t node) const;
    /// \return number of entries
    uint32_t GetN() const;

  private:
    std::unordered_map<uint32_t, Address> m_peers; //!< node ID to address
};

} // namespace ns3

#endif /* TLP_PEER_DIRECTORY_H */
