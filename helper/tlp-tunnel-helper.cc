/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-tunnel-helper.h"

#include "ns3/abort.h"
#include "ns3/config.h"
#include "ns3/log.h"
#include "ns3/node-list.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/tlp-ethernet-transport.h"
#include "ns3/tlp-udp-transport.h"
#include "ns3/tunnel-header.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpTunnelHelper");

namespace
{

/**
 * The headers of a tunnel packet or a TLP, decoded from its bytes (no packet
 * metadata needed, so tracing may start at any time).
 */
std::string
Describe(Ptr<const Packet> p)
{
    std::ostringstream os;
    uint8_t first = 0;
    if (p->GetSize() > 0)
    {
        p->CopyData(&first, 1);
    }
    TunnelHeader th;
    uint32_t size = (first >> 4) == TunnelHeader::VERSION ? p->PeekHeader(th) : 0;
    if (size == 0)
    {
        TlpHeader h;
        if (p->PeekHeader(h) == 0)
        {
            os << "(" << p->GetSize() << " bytes, not a TLP)";
        }
        else
        {
            os << h;
        }
        return os.str();
    }
    os << th;
    uint32_t offset = size;
    for (uint16_t i = 0; i < th.GetCount() && offset < p->GetSize(); ++i)
    {
        TlpHeader h;
        if (p->CreateFragment(offset, p->GetSize() - offset)->PeekHeader(h) != 0)
        {
            os << " | " << h;
        }
        offset += th.GetTlpLength(i);
    }
    return os.str();
}

/// Ascii trace line without context: "<event> <time> <headers>".
void
AsciiEvent(Ptr<OutputStreamWrapper> stream, std::string event, Ptr<const Packet> p)
{
    *stream->GetStream() << event << " " << Simulator::Now().GetSeconds() << " " << Describe(p)
                         << std::endl;
}

/// Ascii drop line without context.
void
AsciiDrop(Ptr<OutputStreamWrapper> stream, Ptr<const Packet> p, uint8_t reason)
{
    *stream->GetStream() << "d " << Simulator::Now().GetSeconds() << " reason=" << +reason << " "
                         << Describe(p) << std::endl;
}

/// Ascii trace line with the trace path as context.
void
AsciiEventWithContext(Ptr<OutputStreamWrapper> stream,
                      std::string event,
                      std::string context,
                      Ptr<const Packet> p)
{
    *stream->GetStream() << event << " " << Simulator::Now().GetSeconds() << " " << context << " "
                         << Describe(p) << std::endl;
}

/// Ascii drop line with context.
void
AsciiDropWithContext(Ptr<OutputStreamWrapper> stream,
                     std::string context,
                     Ptr<const Packet> p,
                     uint8_t reason)
{
    *stream->GetStream() << "d " << Simulator::Now().GetSeconds() << " " << context
                         << " reason=" << +reason << " " << Describe(p) << std::endl;
}

} // namespace

TlpTunnelHelper::TlpTunnelHelper()
    : m_useSwitch(false)
{
    m_rootComplexFactory.SetTypeId("ns3::PcieRootComplex");
    m_linkFactory.SetTypeId("ns3::PcieLink");
    m_rootPortFactory.SetTypeId("ns3::PciePort");
    m_endpointPortFactory.SetTypeId("ns3::PciePort");
    m_switchFactory.SetTypeId("ns3::PcieSwitch");
    m_memoryFactory.SetTypeId("ns3::TlpMemory");
    m_cpuFactory.SetTypeId("ns3::TlpCpu");
    m_nicFactory.SetTypeId("ns3::TlpTunnelNetDevice");
    m_udpFactory.SetTypeId("ns3::TlpUdpTransport");
    m_directory = CreateObject<TlpPeerDirectory>();
}

TlpTunnelHelper::~TlpTunnelHelper()
{
}

void
TlpTunnelHelper::SetRootComplexAttribute(const std::string& name, const AttributeValue& value)
{
    m_rootComplexFactory.Set(name, value);
}

void
TlpTunnelHelper::SetLinkAttribute(const std::string& name, const AttributeValue& value)
{
    m_linkFactory.Set(name, value);
}

void
TlpTunnelHelper::SetRootPortAttribute(const std::string& name, const AttributeValue& value)
{
    m_rootPortFactory.Set(name, value);
}

void
TlpTunnelHelper::SetEndpointPortAttribute(const std::string& name, const AttributeValue& value)
{
    m_endpointPortFactory.Set(name, value);
}

void
TlpTunnelHelper::SetSwitchAttribute(const std::string& name, const AttributeValue& value)
{
    m_switchFactory.Set(name, value);
}

void
TlpTunnelHelper::UseSwitch(bool use)
{
    m_useSwitch = use;
}

void
TlpTunnelHelper::SetMemoryAttribute(const std::string& name, const AttributeValue& value)
{
    m_memoryFactory.Set(name, value);
}

void
TlpTunnelHelper::SetCpuAttribute(const std::string& name, const AttributeValue& value)
{
    m_cpuFactory.Set(name, value);
}

void
TlpTunnelHelper::SetNicAttribute(const std::string& name, const AttributeValue& value)
{
    m_nicFactory.Set(name, value);
}

void
TlpTunnelHelper::SetUdpAttribute(const std::string& name, const AttributeValue& value)
{
    m_udpFactory.Set(name, value);
}

uint16_t
TlpTunnelHelper::GetRequesterId(Ptr<Node> node, uint32_t function)
{
    uint32_t id = node->GetId();
    NS_ABORT_MSG_IF(id >= 16384,
                    "TlpTunnelHelper: node " << id
                                             << " cannot get a unique 16-bit Requester ID; "
                                                "create compute nodes before other nodes");
    return static_cast<uint16_t>(id << 2 | (function & 3));
}

NetDeviceContainer
TlpTunnelHelper::Install(Ptr<Node> node) const
{
    NS_LOG_FUNCTION(this << node->GetId());
    NS_ABORT_MSG_IF(node->GetObject<PcieRootComplex>() != nullptr,
                    "TlpTunnelHelper: node " << node->GetId() << " already has a root complex");
    Ptr<PcieRootComplex> rc = m_rootComplexFactory.Create<PcieRootComplex>();
    rc->SetAttribute("CompleterId", UintegerValue(GetRequesterId(node, 3)));
    node->AggregateObject(rc);

    Ptr<TlpMemory> memory = m_memoryFactory.Create<TlpMemory>();
    memory->SetAttribute("CompleterId", UintegerValue(GetRequesterId(node, 1)));
    node->AggregateObject(memory);
    memory->Connect(rc);

    Ptr<TlpCpu> cpu = m_cpuFactory.Create<TlpCpu>();
    cpu->SetAttribute("RequesterId", UintegerValue(GetRequesterId(node, 0)));
    node->AddApplication(cpu);
    cpu->Connect(rc);

    // The NIC is an endpoint on a link from a root port, or from a switch below it.
    Ptr<PciePort> above = m_rootPortFactory.Create<PciePort>();
    if (m_useSwitch)
    {
        Ptr<PcieSwitch> sw = m_switchFactory.Create<PcieSwitch>();
        sw->SetAttribute("CompleterId", UintegerValue(GetRequesterId(node, 3)));
        node->AggregateObject(sw);
        m_linkFactory.Create<PcieLink>()->Attach(rc->AddRootPort("switch", above),
                                                 sw->GetUpstreamPort());
        above = sw->AddDownstreamPort("nic", m_rootPortFactory.Create<PciePort>());
    }
    else
    {
        above = rc->AddRootPort("nic", above);
    }
    Ptr<PciePort> port = m_endpointPortFactory.Create<PciePort>();
    port->SetName("nic");
    m_linkFactory.Create<PcieLink>()->Attach(above, port);

    Ptr<TlpTunnelNetDevice> nic = m_nicFactory.Create<TlpTunnelNetDevice>();
    nic->SetAttribute("RequesterId", UintegerValue(GetRequesterId(node, 2)));
    node->AddDevice(nic);
    nic->Attach(port);
    return NetDeviceContainer(nic);
}

NetDeviceContainer
TlpTunnelHelper::Install(NodeContainer nodes) const
{
    NetDeviceContainer nics;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        nics.Add(Install(*it));
    }
    return nics;
}

void
TlpTunnelHelper::BindEthernet(NodeContainer nodes, NetDeviceContainer lower)
{
    NS_ABORT_MSG_IF(nodes.GetN() != lower.GetN(),
                    "TlpTunnelHelper::BindEthernet: " << nodes.GetN() << " nodes but "
                                                      << lower.GetN() << " lower devices");
    for (uint32_t i = 0; i < nodes.GetN(); ++i)
    {
        Ptr<TlpTunnelNetDevice> nic = GetNic(nodes.Get(i));
        NS_ABORT_MSG_IF(nic == nullptr,
                        "TlpTunnelHelper::BindEthernet: node " << nodes.Get(i)->GetId()
                                                               << " has no NIC (Install first)");
        NS_ABORT_MSG_IF(lower.Get(i)->GetNode() != nodes.Get(i),
                        "TlpTunnelHelper::BindEthernet: lower device " << i << " is not on node "
                                                                       << nodes.Get(i)->GetId());
        Ptr<TlpEthernetTransport> transport = CreateObject<TlpEthernetTransport>();
        transport->SetDirectory(m_directory);
        transport->Attach(lower.Get(i));
        nic->SetTransport(transport);
        m_directory->Add(nodes.Get(i)->GetId(), transport->GetLocalAddress());
        CheckLargestTlpFits(nodes.Get(i));
    }
}

void
TlpTunnelHelper::BindUdp(NodeContainer nodes, Ipv4InterfaceContainer interfaces)
{
    NS_ABORT_MSG_IF(nodes.GetN() != interfaces.GetN(),
                    "TlpTunnelHelper::BindUdp: " << nodes.GetN() << " nodes but "
                                                 << interfaces.GetN() << " interfaces");
    for (uint32_t i = 0; i < nodes.GetN(); ++i)
    {
        Ptr<TlpTunnelNetDevice> nic = GetNic(nodes.Get(i));
        NS_ABORT_MSG_IF(nic == nullptr,
                        "TlpTunnelHelper::BindUdp: node " << nodes.Get(i)->GetId()
                                                          << " has no NIC (Install first)");
        Ptr<TlpUdpTransport> transport = m_udpFactory.Create<TlpUdpTransport>();
        transport->SetDirectory(m_directory);
        transport->Attach(nodes.Get(i), interfaces.GetAddress(i));
        nic->SetTransport(transport);
        m_directory->Add(nodes.Get(i)->GetId(), transport->GetLocalAddress());
        CheckLargestTlpFits(nodes.Get(i));
    }
}

void
TlpTunnelHelper::CheckLargestTlpFits(Ptr<Node> node)
{
    UintegerValue cpuMps;
    UintegerValue memoryMps;
    GetCpu(node)->GetAttribute("MaxPayloadSize", cpuMps);
    GetMemory(node)->GetAttribute("MaxPayloadSize", memoryMps);
    TunnelHeader one;
    one.AddTlp(0);
    uint64_t payload = std::max(cpuMps.Get(), memoryMps.Get());
    uint64_t largest = one.GetSerializedSize() + 16 + payload + 4; // 4DW header, ECRC
    Ptr<TlpTunnelNetDevice> nic = GetNic(node);
    UintegerValue maxPacketSize;
    nic->GetAttribute("MaxPacketSize", maxPacketSize);
    NS_ABORT_MSG_IF(largest > nic->GetMaxPacketSize(),
                    "TlpTunnelHelper: node "
                        << node->GetId() << ": a TLP of Max_Payload_Size " << payload
                        << " (MaxPayloadSize of ns3::TlpCpu=" << cpuMps.Get()
                        << ", of ns3::TlpMemory=" << memoryMps.Get()
                        << ") takes a tunnel packet of " << largest
                        << " bytes, but the NIC sends at most " << nic->GetMaxPacketSize()
                        << " (MaxPacketSize=" << maxPacketSize.Get() << ", "
                        << nic->GetTransport()->GetInstanceTypeId().GetName() << " "
                        << nic->GetTransport()->GetMaxPacketSize()
                        << ": its link's Mtu less its headers); raise the links' Mtu (jumbo "
                           "frames) or lower MaxPayloadSize");
}

uint16_t
TlpTunnelHelper::MapWindow(Ptr<Node> sender,
                           uint64_t base,
                           uint64_t size,
                           uint32_t receiver,
                           uint64_t regionBase,
                           TlpWindow::TranslateAt translateAt,
                           TlpWindow::Confirm confirm) const
{
    return SenderNic("MapWindow", sender, base, receiver)
        ->AddWindow(base, size, receiver, regionBase, translateAt, confirm);
}

Ptr<TlpTunnelNetDevice>
TlpTunnelHelper::SenderNic(const std::string& caller,
                           Ptr<Node> sender,
                           uint64_t base,
                           uint32_t receiver)
{
    Ptr<TlpTunnelNetDevice> nic = GetNic(sender);
    NS_ABORT_MSG_IF(nic == nullptr,
                    "TlpTunnelHelper::" << caller << ": node " << sender->GetId() << " has no NIC");
    NS_ABORT_MSG_IF(receiver >= NodeList::GetNNodes(),
                    "TlpTunnelHelper::" << caller << ": window at 0x" << std::hex << base
                                        << " maps to node " << std::dec << receiver
                                        << ", which does not exist (" << NodeList::GetNNodes()
                                        << " nodes)");
    return nic;
}

void
TlpTunnelHelper::RegisterMemoryId(Ptr<Node> receiver,
                                  uint16_t memoryId,
                                  uint64_t base,
                                  uint64_t size) const
{
    Ptr<TlpTunnelNetDevice> nic = GetNic(receiver);
    NS_ABORT_MSG_IF(nic == nullptr,
                    "TlpTunnelHelper::RegisterMemoryId: node " << receiver->GetId()
                                                               << " has no NIC");
    nic->RegisterMemoryId(memoryId, base, size);
}

uint16_t
TlpTunnelHelper::MapMemoryIdWindow(Ptr<Node> sender,
                                   uint64_t base,
                                   uint64_t size,
                                   uint32_t receiver,
                                   uint16_t memoryId) const
{
    return SenderNic("MapMemoryIdWindow", sender, base, receiver)
        ->AddMemoryIdWindow(base, size, receiver, memoryId);
}

Ptr<TlpPeerDirectory>
TlpTunnelHelper::GetDirectory() const
{
    return m_directory;
}

Ptr<PcieRootComplex>
TlpTunnelHelper::GetRootComplex(Ptr<Node> node)
{
    return node->GetObject<PcieRootComplex>();
}

Ptr<PcieSwitch>
TlpTunnelHelper::GetSwitch(Ptr<Node> node)
{
    return node->GetObject<PcieSwitch>();
}

Ptr<PcieLink>
TlpTunnelHelper::GetNicLink(Ptr<Node> node)
{
    Ptr<TlpTunnelNetDevice> nic = GetNic(node);
    return nic != nullptr && nic->GetPort() != nullptr ? nic->GetPort()->GetLink() : nullptr;
}

Ptr<TlpMemory>
TlpTunnelHelper::GetMemory(Ptr<Node> node)
{
    return node->GetObject<TlpMemory>();
}

Ptr<TlpCpu>
TlpTunnelHelper::GetCpu(Ptr<Node> node)
{
    for (uint32_t i = 0; i < node->GetNApplications(); ++i)
    {
        Ptr<TlpCpu> cpu = DynamicCast<TlpCpu>(node->GetApplication(i));
        if (cpu != nullptr)
        {
            return cpu;
        }
    }
    return nullptr;
}

int64_t
TlpTunnelHelper::AssignStreams(NodeContainer nodes, int64_t stream) const
{
    int64_t used = 0;
    for (uint32_t i = 0; i < nodes.GetN(); ++i)
    {
        used += GetNic(nodes.Get(i))->AssignStreams(stream + used);
    }
    return used;
}

Ptr<TlpTunnelNetDevice>
TlpTunnelHelper::GetNic(Ptr<Node> node)
{
    for (uint32_t i = 0; i < node->GetNDevices(); ++i)
    {
        Ptr<TlpTunnelNetDevice> nic = DynamicCast<TlpTunnelNetDevice>(node->GetDevice(i));
        if (nic != nullptr)
        {
            return nic;
        }
    }
    return nullptr;
}

void
TlpTunnelHelper::PrintCounters(std::ostream& os, NodeContainer nodes)
{
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        Ptr<TlpTunnelNetDevice> nic = GetNic(*it);
        if (nic == nullptr)
        {
            continue;
        }
        const TlpTunnelNetDevice::Statistics& s = nic->GetStatistics();
        os << "counters: node=" << (*it)->GetId() << " nic-tlps=" << s.tlpsCrossed
           << " tunnel-packets=" << s.packetsSent + s.packetsReceived
           << " tunnel-tlps=" << s.tunnelTlpsSent + s.tunnelTlpsReceived << " drops="
           << s.malformedPackets + s.tlpDrops + s.transportRefusals + s.interconnectLosses
           << " retransmitted=" << s.packetsRetransmitted << " duplicates=" << s.duplicatesDropped
           << " acks=" << s.acksSent << " timeouts=" << s.timeouts
           << " unreachable=" << s.peersUnreachable << " lost-writes=" << s.writesLost
           << " aborted=" << s.requestsAborted << "\n";
    }
}

void
TlpTunnelHelper::EnablePcapInternal(std::string prefix,
                                    Ptr<NetDevice> nd,
                                    bool promiscuous,
                                    bool explicitFilename)
{
    Ptr<TlpTunnelNetDevice> nic = DynamicCast<TlpTunnelNetDevice>(nd);
    if (nic == nullptr)
    {
        NS_LOG_INFO("TlpTunnelHelper::EnablePcapInternal(): not a TlpTunnelNetDevice");
        return;
    }
    PcapHelper pcapHelper;
    std::string filename =
        explicitFilename ? prefix : pcapHelper.GetFilenameFromDevice(prefix, nic);
    Ptr<PcapFileWrapper> file =
        pcapHelper.CreateFile(filename,
                              std::ios::out,
                              static_cast<PcapHelper::DataLinkType>(DLT_TLP));
    pcapHelper.HookDefaultSink<TlpTunnelNetDevice>(nic, "Sniffer", file);
}

void
TlpTunnelHelper::EnableAsciiInternal(Ptr<OutputStreamWrapper> stream,
                                     std::string prefix,
                                     Ptr<NetDevice> nd,
                                     bool explicitFilename)
{
    Ptr<TlpTunnelNetDevice> nic = DynamicCast<TlpTunnelNetDevice>(nd);
    if (nic == nullptr)
    {
        NS_LOG_INFO("TlpTunnelHelper::EnableAsciiInternal(): not a TlpTunnelNetDevice");
        return;
    }
    const char* sources[][2] = {{"+", "TlpTx"}, {"-", "MacTx"}, {"r", "MacRx"}};
    if (stream == nullptr)
    {
        AsciiTraceHelper asciiTraceHelper;
        std::string filename =
            explicitFilename ? prefix : asciiTraceHelper.GetFilenameFromDevice(prefix, nic);
        Ptr<OutputStreamWrapper> file = asciiTraceHelper.CreateFileStream(filename);
        for (const auto& source : sources)
        {
            nic->TraceConnectWithoutContext(
                source[1],
                MakeBoundCallback(&AsciiEvent, file, std::string(source[0])));
        }
        nic->TraceConnectWithoutContext("Drop", MakeBoundCallback(&AsciiDrop, file));
        return;
    }
    std::ostringstream path;
    path << "/NodeList/" << nic->GetNode()->GetId() << "/DeviceList/" << nic->GetIfIndex()
         << "/$ns3::TlpTunnelNetDevice/";
    for (const auto& source : sources)
    {
        Config::Connect(path.str() + source[1],
                        MakeBoundCallback(&AsciiEventWithContext, stream, std::string(source[0])));
    }
    Config::Connect(path.str() + "Drop", MakeBoundCallback(&AsciiDropWithContext, stream));
}

} // namespace ns3
