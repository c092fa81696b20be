/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-transport.h"

#include "ns3/log.h"

#include <limits>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpTransport");

NS_OBJECT_ENSURE_REGISTERED(TlpTransport);

TypeId
TlpTransport::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TlpTransport").SetParent<Object>().SetGroupName("TlpTunnel");
    return tid;
}

TlpTransport::TlpTransport()
{
}

TlpTransport::~TlpTransport()
{
}

void
TlpTransport::DoDispose()
{
    m_receive = ReceiveCallback();
    m_ready = ReadyCallback();
    m_directory = nullptr;
    Object::DoDispose();
}

void
TlpTransport::SetCallbacks(ReceiveCallback receive, ReadyCallback ready)
{
    m_receive = receive;
    m_ready = ready;
}

void
TlpTransport::NotifyReady()
{
    if (!m_ready.IsNull())
    {
        m_ready();
    }
}

void
TlpTransport::SetDirectory(Ptr<TlpPeerDirectory> directory)
{
    m_directory = directory;
}

Ptr<TlpPeerDirectory>
TlpTransport::GetDirectory() const
{
    return m_directory;
}

uint32_t
TlpTransport::GetMaxPacketSize() const
{
    return std::numeric_limits<uint32_t>::max();
}

bool
TlpTransport::IsFrom(uint32_t node, const Address& from) const
{
    return m_directory != nullptr && m_directory->Contains(node) && m_directory->Get(node) == from;
}

} // namespace ns3
