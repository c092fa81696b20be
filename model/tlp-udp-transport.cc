/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-udp-transport.h"

#include "ns3/abort.h"
#include "ns3/inet-socket-address.h"
#include "ns3/ipv4-routing-protocol.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/loopback-net-device.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/queue-disc.h"
#include "ns3/simulator.h"
#include "ns3/traffic-control-layer.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <limits>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpUdpTransport");

NS_OBJECT_ENSURE_REGISTERED(TlpUdpTransport);

TypeId
TlpUdpTransport::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TlpUdpTransport")
                            .SetParent<TlpTransport>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TlpUdpTransport>()
                            .AddAttribute("Port",
                                          "UDP port of the tunnel on every node.",
                                          UintegerValue(DEFAULT_PORT),
                                          MakeUintegerAccessor(&TlpUdpTransport::m_port),
                                          MakeUintegerChecker<uint16_t>(1));
    return tid;
}

TlpUdpTransport::TlpUdpTransport()
    : m_port(DEFAULT_PORT),
      m_waiting(false)
{
}

TlpUdpTransport::~TlpUdpTransport()
{
}

void
TlpUdpTransport::DoDispose()
{
    if (m_socket != nullptr)
    {
        m_socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        m_socket->Close();
    }
    m_socket = nullptr;
    m_node = nullptr;
    m_single = nullptr;
    m_watched = nullptr;
    m_queueDisc = nullptr;
    m_deviceQueue = nullptr;
    TlpTransport::DoDispose();
}

void
TlpUdpTransport::Attach(Ptr<Node> node, Ipv4Address local)
{
    NS_LOG_FUNCTION(this << node << local);
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    NS_ABORT_MSG_IF(ipv4 == nullptr,
                    "TlpUdpTransport: node " << node->GetId()
                                             << " has no Internet stack (InternetStackHelper)");
    NS_ABORT_MSG_IF(ipv4->GetInterfaceForAddress(local) < 0,
                    "TlpUdpTransport: " << local << " is not an address of node " << node->GetId());
    m_node = node;
    m_local = local;
    m_socket = Socket::CreateSocket(node, UdpSocketFactory::GetTypeId());
    NS_ABORT_MSG_IF(m_socket->Bind(InetSocketAddress(Ipv4Address::GetAny(), m_port)) != 0,
                    "TlpUdpTransport: cannot bind UDP port " << m_port << " on node "
                                                             << node->GetId());
    m_socket->SetRecvCallback(MakeCallback(&TlpUdpTransport::Receive, this));
    // Datagrams leave through IPv4 interfaces only (not the NIC's own device): with
    // one besides the loopback there is no route to look up per datagram.
    uint32_t devices = 0;
    for (uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i)
    {
        Ptr<NetDevice> d = ipv4->GetNetDevice(i);
        if (DynamicCast<LoopbackNetDevice>(d) == nullptr)
        {
            ++devices;
            m_single = d;
        }
    }
    if (devices != 1)
    {
        m_single = nullptr;
    }
}

Ptr<NetDevice>
TlpUdpTransport::OutputDevice(uint32_t peer)
{
    if (m_single != nullptr)
    {
        return m_single;
    }
    if (m_directory == nullptr || !m_directory->Contains(peer))
    {
        return nullptr;
    }
    Ptr<Ipv4> ipv4 = m_node->GetObject<Ipv4>();
    Ipv4Header header;
    header.SetDestination(Ipv4Address::ConvertFrom(m_directory->Get(peer)));
    header.SetSource(m_local);
    Socket::SocketErrno error;
    Ptr<Ipv4Route> route = ipv4->GetRoutingProtocol()->RouteOutput(nullptr, header, nullptr, error);
    return route != nullptr ? route->GetOutputDevice() : nullptr;
}

bool
TlpUdpTransport::CanSend(uint32_t peer)
{
    Ptr<NetDevice> device = OutputDevice(peer);
    if (device == nullptr)
    {
        return true; // no route: Send() will fail and the NIC counts the drop
    }
    if (device != m_watched)
    {
        // Watch the first queue datagrams meet on this device.
        if (m_queueDisc != nullptr)
        {
            m_queueDisc->TraceDisconnectWithoutContext(
                "Dequeue",
                MakeCallback(&TlpUdpTransport::Dequeued, this));
        }
        if (m_deviceQueue != nullptr)
        {
            m_deviceQueue->TraceDisconnectWithoutContext(
                "Dequeue",
                MakeCallback(&TlpUdpTransport::DeviceDequeued, this));
        }
        m_watched = device;
        m_queueDisc = nullptr;
        m_deviceQueue = nullptr;
        Ptr<TrafficControlLayer> tc = m_node->GetObject<TrafficControlLayer>();
        if (tc != nullptr)
        {
            m_queueDisc = tc->GetRootQueueDiscOnDevice(device);
        }
        if (m_queueDisc != nullptr)
        {
            m_queueDisc->TraceConnectWithoutContext("Dequeue",
                                                    MakeCallback(&TlpUdpTransport::Dequeued, this));
        }
        else
        {
            PointerValue queue;
            if (device->GetAttributeFailSafe("TxQueue", queue))
            {
                m_deviceQueue = queue.Get<Queue<Packet>>();
            }
            if (m_deviceQueue != nullptr)
            {
                m_deviceQueue->TraceConnectWithoutContext(
                    "Dequeue",
                    MakeCallback(&TlpUdpTransport::DeviceDequeued, this));
            }
        }
    }
    bool full =
        (m_queueDisc != nullptr && m_queueDisc->GetCurrentSize() >= m_queueDisc->GetMaxSize()) ||
        (m_deviceQueue != nullptr &&
         m_deviceQueue->GetCurrentSize() >= m_deviceQueue->GetMaxSize());
    if (full)
    {
        m_waiting = true;
    }
    return !full;
}

void
TlpUdpTransport::Dequeued(Ptr<const QueueDiscItem> item)
{
    DeviceDequeued(nullptr);
}

void
TlpUdpTransport::DeviceDequeued(Ptr<const Packet> packet)
{
    if (m_waiting && !m_ready.IsNull())
    {
        // Not from within the device's dequeue: sending now would re-enter it.
        m_waiting = false;
        Simulator::ScheduleNow(&TlpUdpTransport::NotifyReady, this);
    }
}

bool
TlpUdpTransport::Send(Ptr<Packet> packet, uint32_t peer)
{
    NS_LOG_FUNCTION(this << packet << peer);
    if (m_directory == nullptr || !m_directory->Contains(peer))
    {
        return false; // no such NIC in the fabric: the NIC counts the refusal
    }
    InetSocketAddress to(Ipv4Address::ConvertFrom(m_directory->Get(peer)), m_port);
    return m_socket->SendTo(packet, 0, to) >= 0;
}

void
TlpUdpTransport::Receive(Ptr<Socket> socket)
{
    Ptr<Packet> packet;
    Address from;
    while ((packet = socket->RecvFrom(from)))
    {
        if (!m_receive.IsNull())
        {
            m_receive(packet, from); // the datagram's source address and port
        }
    }
}

bool
TlpUdpTransport::IsFrom(uint32_t node, const Address& from) const
{
    if (m_directory == nullptr || !m_directory->Contains(node) ||
        !InetSocketAddress::IsMatchingType(from))
    {
        return false;
    }
    // Every NIC sends from its port and its directory address (the address of the
    // interface its datagrams leave by).
    InetSocketAddress source = InetSocketAddress::ConvertFrom(from);
    return source.GetPort() == m_port &&
           source.GetIpv4() == Ipv4Address::ConvertFrom(m_directory->Get(node));
}

Address
TlpUdpTransport::GetLocalAddress() const
{
    return m_local;
}

uint32_t
TlpUdpTransport::GetWireSize(uint32_t payload) const
{
    // The IP datagram: IPv4 header, UDP header, payload (the link adds its own).
    return 20 + 8 + payload;
}

uint32_t
TlpUdpTransport::GetMaxPacketSize() const
{
    if (m_single != nullptr)
    {
        return m_single->GetMtu() - 20 - 8;
    }
    if (m_node == nullptr)
    {
        return TlpTransport::GetMaxPacketSize();
    }
    Ptr<Ipv4> ipv4 = m_node->GetObject<Ipv4>();
    uint32_t mtu = std::numeric_limits<uint16_t>::max();
    for (uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i)
    {
        if (DynamicCast<LoopbackNetDevice>(ipv4->GetNetDevice(i)) == nullptr)
        {
            mtu = std::min<uint32_t>(mtu, ipv4->GetMtu(i));
        }
    }
    return mtu - 20 - 8;
}

} // namespace ns3
