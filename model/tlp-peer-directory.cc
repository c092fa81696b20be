/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-peer-directory.h"

#include "ns3/abort.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpPeerDirectory");

NS_OBJECT_ENSURE_REGISTERED(TlpPeerDirectory);

TypeId
TlpPeerDirectory::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TlpPeerDirectory")
                            .SetParent<Object>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TlpPeerDirectory>();
    return tid;
}

TlpPeerDirectory::TlpPeerDirectory()
{
}

TlpPeerDirectory::~TlpPeerDirectory()
{
}

void
TlpPeerDirectory::Add(uint32_t node, const Address& address)
{
    NS_LOG_FUNCTION(this << node << address);
    m_peers[node] = address;
}

bool
TlpPeerDirectory::Contains(uint32_t node) const
{
    return m_peers.find(node) != m_peers.end();
}

const Address&
TlpPeerDirectory::Get(uint32_t node) const
{
    auto it = m_peers.find(node);
    NS_ABORT_MSG_IF(it == m_peers.end(), "TlpPeerDirectory: node " << node << " has no NIC");
    return it->second;
}

uint32_t
TlpPeerDirectory::GetN() const
{
    return static_cast<uint32_t>(m_peers.size());
}

} // namespace ns3
