/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-ethernet-transport.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/mac48-address.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpEthernetTransport");

NS_OBJECT_ENSURE_REGISTERED(TlpEthernetTransport);

TypeId
TlpEthernetTransport::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TlpEthernetTransport")
                            .SetParent<TlpTransport>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TlpEthernetTransport>();
    return tid;
}

TlpEthernetTransport::TlpEthernetTransport()
    : m_waiting(false)
{
}

TlpEthernetTransport::~TlpEthernetTransport()
{
}

void
TlpEthernetTransport::DoDispose()
{
    m_lower = nullptr;
    m_queue = nullptr;
    TlpTransport::DoDispose();
}

void
TlpEthernetTransport::Attach(Ptr<NetDevice> lower)
{
    NS_LOG_FUNCTION(this << lower);
    NS_ABORT_MSG_IF(lower == nullptr || lower->GetNode() == nullptr,
                    "TlpEthernetTransport: the lower device must be installed on a node");
    NS_ABORT_MSG_UNLESS(Mac48Address::IsMatchingType(lower->GetAddress()),
                        "TlpEthernetTransport: lower device "
                            << lower->GetInstanceTypeId().GetName()
                            << " has no 48-bit MAC address");
    m_lower = lower;
    lower->GetNode()->RegisterProtocolHandler(MakeCallback(&TlpEthernetTransport::Receive, this),
                                              ETHERTYPE,
                                              lower,
                                              false);
    PointerValue queue;
    if (lower->GetAttributeFailSafe("TxQueue", queue))
    {
        m_queue = queue.Get<Queue<Packet>>();
    }
    if (m_queue != nullptr)
    {
        m_queue->TraceConnectWithoutContext(
            "Dequeue",
            MakeCallback(&TlpEthernetTransport::QueueDequeued, this));
    }
}

Ptr<NetDevice>
TlpEthernetTransport::GetLowerDevice() const
{
    return m_lower;
}

bool
TlpEthernetTransport::CanSend(uint32_t peer)
{
    if (m_queue == nullptr || m_queue->GetCurrentSize() < m_queue->GetMaxSize())
    {
        return true;
    }
    m_waiting = true;
    return false;
}

void
TlpEthernetTransport::QueueDequeued(Ptr<const Packet> packet)
{
    if (m_waiting && !m_ready.IsNull())
    {
        // Not from within the device's dequeue: sending now would re-enter it.
        m_waiting = false;
        Simulator::ScheduleNow(&TlpEthernetTransport::NotifyReady, this);
    }
}

bool
TlpEthernetTransport::Send(Ptr<Packet> packet, uint32_t peer)
{
    NS_LOG_FUNCTION(this << packet << peer);
    if (m_directory == nullptr || !m_directory->Contains(peer))
    {
        return false; // no such NIC in the fabric: the NIC counts the refusal
    }
    return m_lower->Send(packet, m_directory->Get(peer), ETHERTYPE);
}

void
TlpEthernetTransport::Receive(Ptr<NetDevice> device,
                              Ptr<const Packet> packet,
                              uint16_t protocol,
                              const Address& from,
                              const Address& to,
                              NetDevice::PacketType type)
{
    NS_LOG_FUNCTION(this << packet);
    if (!m_receive.IsNull())
    {
        m_receive(packet->Copy(), from); // the frame's source MAC
    }
}

Address
TlpEthernetTransport::GetLocalAddress() const
{
    return m_lower->GetAddress();
}

uint32_t
TlpEthernetTransport::GetWireSize(uint32_t payload) const
{
    // Ethernet header, payload padded to 46 bytes, FCS.
    return 14 + std::max<uint32_t>(payload, 46) + 4;
}

uint32_t
TlpEthernetTransport::GetMaxPacketSize() const
{
    return m_lower->GetMtu();
}

} // namespace ns3
