/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-topology-helper.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/bridge-helper.h"
#include "ns3/csma-helper.h"
#include "ns3/csma-net-device.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4-global-routing-helper.h"
#include "ns3/ipv4-routing-table-entry.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/queue-size.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/traffic-control-helper.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpTopologyHelper");

TlpTopologyHelper::TlpTopologyHelper()
    : m_rate("100Gbps"),
      m_delay(NanoSeconds(100)),
      m_queuePackets(1000)
{
}

void
TlpTopologyHelper::SetDataRate(DataRate rate)
{
    NS_ABORT_MSG_IF(rate.GetBitRate() == 0, "TlpTopologyHelper: link DataRate=0bps");
    m_rate = rate;
}

void
TlpTopologyHelper::SetDelay(Time delay)
{
    m_delay = delay;
}

void
TlpTopologyHelper::SetQueueSize(uint32_t packets)
{
    NS_ABORT_MSG_IF(packets == 0, "TlpTopologyHelper: queue of 0 packets");
    m_queuePackets = packets;
}

CsmaHelper&
TlpTopologyHelper::ConfigureCsma()
{
    m_csma.SetChannelAttribute("DataRate", DataRateValue(m_rate));
    m_csma.SetChannelAttribute("Delay", TimeValue(m_delay));
    m_csma.SetQueue("ns3::DropTailQueue",
                    "MaxSize",
                    QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, m_queuePackets)));
    return m_csma;
}

NetDeviceContainer
TlpTopologyHelper::InstallCsma(NodeContainer ends)
{
    NetDeviceContainer link = ConfigureCsma().Install(ends);
    // ns-3's default backoff slot is 1 us, ten-megabit Ethernet's order; a sender that
    // finds the bus busy waits multiples of the time one minimum frame holds it here.
    Time slot = m_rate.CalculateBytesTxTime(64) + m_delay;
    for (uint32_t i = 0; i < link.GetN(); ++i)
    {
        // ns-3's defaults otherwise: 1..1000 slots, exponent ceiling 10, 1000 retries.
        // The definition takes the ceiling before the retries, whatever the declaration
        // names them (ns-3.35 to 3.37).
        DynamicCast<CsmaNetDevice>(link.Get(i))->SetBackoffParams(slot, 1, 1000, 10, 1000);
    }
    return link;
}

PointToPointHelper&
TlpTopologyHelper::ConfigurePointToPoint()
{
    m_p2p.SetDeviceAttribute("DataRate", DataRateValue(m_rate));
    m_p2p.SetChannelAttribute("Delay", TimeValue(m_delay));
    m_p2p.SetQueue("ns3::DropTailQueue",
                   "MaxSize",
                   QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, m_queuePackets)));
    return m_p2p;
}

NetDeviceContainer
TlpTopologyHelper::BuildEthernetStar(NodeContainer hosts)
{
    NS_ABORT_MSG_IF(hosts.GetN() == 0, "TlpTopologyHelper: no hosts");
    Ptr<Node> sw = CreateObject<Node>();
    m_switches.Add(sw);
    NetDeviceContainer hostDevices;
    NetDeviceContainer switchPorts;
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        NetDeviceContainer link = InstallCsma(NodeContainer(hosts.Get(i), sw));
        m_csmaDevices.Add(link);
        hostDevices.Add(link.Get(0));
        switchPorts.Add(link.Get(1));
    }
    BridgeHelper bridge;
    bridge.Install(sw, switchPorts);
    return hostDevices;
}

Ipv4InterfaceContainer
TlpTopologyHelper::BuildIpStar(NodeContainer hosts)
{
    NS_ABORT_MSG_IF(hosts.GetN() == 0, "TlpTopologyHelper: no hosts");
    Ptr<Node> router = CreateObject<Node>();
    m_switches.Add(router);
    PointToPointHelper& p2p = ConfigurePointToPoint();
    InternetStackHelper stack;
    stack.SetIpv6StackInstall(false);
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        if (hosts.Get(i)->GetObject<Ipv4>() == nullptr)
        {
            stack.Install(hosts.Get(i));
        }
    }
    stack.Install(router);
    StrongEndSystem(NodeContainer(router));
    Ipv4AddressHelper address;
    address.SetBase("10.0.0.0", "255.255.255.252");
    TrafficControlHelper trafficControl;
    Ipv4InterfaceContainer hostInterfaces;
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        NetDeviceContainer link = p2p.Install(hosts.Get(i), router);
        m_p2pDevices.Add(link);
        Ipv4InterfaceContainer ifaces = address.Assign(link);
        trafficControl.Uninstall(link);
        hostInterfaces.Add(ifaces.Get(0));
        address.NewNetwork();
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    return hostInterfaces;
}

NetDeviceContainer
TlpTopologyHelper::BuildEthernetTree(NodeContainer hosts, uint32_t hostsPerLeaf)
{
    NS_ABORT_MSG_IF(hosts.GetN() == 0 || hostsPerLeaf == 0,
                    "TlpTopologyHelper: tree of " << hosts.GetN() << " hosts, " << hostsPerLeaf
                                                  << " per leaf");
    BridgeHelper bridge;
    Ptr<Node> root = CreateObject<Node>();
    m_switches.Add(root);
    NetDeviceContainer rootPorts;
    NetDeviceContainer hostDevices;
    for (uint32_t first = 0; first < hosts.GetN(); first += hostsPerLeaf)
    {
        Ptr<Node> leaf = CreateObject<Node>();
        m_switches.Add(leaf);
        NetDeviceContainer leafPorts;
        for (uint32_t i = first; i < std::min(first + hostsPerLeaf, hosts.GetN()); ++i)
        {
            NetDeviceContainer link = InstallCsma(NodeContainer(hosts.Get(i), leaf));
            m_csmaDevices.Add(link);
            hostDevices.Add(link.Get(0));
            leafPorts.Add(link.Get(1));
        }
        NetDeviceContainer uplink = InstallCsma(NodeContainer(leaf, root));
        m_csmaDevices.Add(uplink);
        leafPorts.Add(uplink.Get(0));
        rootPorts.Add(uplink.Get(1));
        bridge.Install(leaf, leafPorts);
    }
    // A BridgeNetDevice learns a source only from frames it forwards or frames sent to
    // its own address (that of its first port), so hosts announce themselves to that.
    Address rootAddress = bridge.Install(root, rootPorts).Get(0)->GetAddress();
    for (uint32_t i = 0; i < hostDevices.GetN(); ++i)
    {
        m_treeHosts.emplace_back(hostDevices.Get(i), rootAddress);
    }
    return hostDevices;
}

Ipv4InterfaceContainer
TlpTopologyHelper::BuildIpLeafSpine(NodeContainer hosts, uint32_t hostsPerLeaf, uint32_t spines)
{
    NS_ABORT_MSG_IF(hosts.GetN() == 0 || hostsPerLeaf == 0 || hostsPerLeaf > 64,
                    "TlpTopologyHelper: leaf-spine with " << hostsPerLeaf
                                                          << " hosts per leaf (1..64)");
    NS_ABORT_MSG_IF(spines == 0 || spines > 16,
                    "TlpTopologyHelper: leaf-spine with " << spines << " spines (1..16)");
    uint32_t leaves = (hosts.GetN() + hostsPerLeaf - 1) / hostsPerLeaf;
    NS_ABORT_MSG_IF(leaves > 16384, "TlpTopologyHelper: leaf-spine with " << leaves << " leaves");
    PointToPointHelper& p2p = ConfigurePointToPoint();
    NodeContainer leafNodes;
    NodeContainer spineNodes;
    leafNodes.Create(leaves);
    spineNodes.Create(spines);
    m_switches.Add(leafNodes);
    m_switches.Add(spineNodes);
    InternetStackHelper stack;
    Ipv4StaticRoutingHelper staticRouting;
    stack.SetRoutingHelper(staticRouting);
    // IPv4 only, and no queue discs below (the devices' DropTail queues are the only
    // queues, as in a switch): both cost tens of KiB per node in a large fabric.
    stack.SetIpv6StackInstall(false);
    TrafficControlHelper trafficControl;
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        if (hosts.Get(i)->GetObject<Ipv4>() == nullptr)
        {
            stack.Install(hosts.Get(i));
        }
    }
    stack.Install(leafNodes);
    stack.Install(spineNodes);
    StrongEndSystem(leafNodes);
    StrongEndSystem(spineNodes);
    Ipv4InterfaceContainer hostInterfaces;
    Ipv4AddressHelper address;
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        uint32_t leaf = i / hostsPerLeaf;
        uint32_t j = i % hostsPerLeaf;
        NetDeviceContainer link = p2p.Install(hosts.Get(i), leafNodes.Get(leaf));
        m_p2pDevices.Add(link);
        address.SetBase(Ipv4Address((10U << 24) | (leaf << 8) | (4 * j)), "255.255.255.252");
        Ipv4InterfaceContainer ifaces = address.Assign(link);
        trafficControl.Uninstall(link);
        hostInterfaces.Add(ifaces.Get(0));
        Ptr<Ipv4> ipv4 = hosts.Get(i)->GetObject<Ipv4>();
        staticRouting.GetStaticRouting(ipv4)->SetDefaultRoute(ifaces.GetAddress(1),
                                                              ifaces.Get(0).second);
    }
    for (uint32_t leaf = 0; leaf < leaves; ++leaf)
    {
        for (uint32_t s = 0; s < spines; ++s)
        {
            NetDeviceContainer link = p2p.Install(leafNodes.Get(leaf), spineNodes.Get(s));
            m_p2pDevices.Add(link);
            address.SetBase(Ipv4Address((172U << 24) | ((16 + s) << 16) | (leaf << 2)),
                            "255.255.255.252");
            Ipv4InterfaceContainer ifaces = address.Assign(link);
            trafficControl.Uninstall(link);
            if (s == leaf % spines)
            {
                staticRouting.GetStaticRouting(leafNodes.Get(leaf)->GetObject<Ipv4>())
                    ->SetDefaultRoute(ifaces.GetAddress(1), ifaces.Get(0).second);
            }
            staticRouting.GetStaticRouting(spineNodes.Get(s)->GetObject<Ipv4>())
                ->AddNetworkRouteTo(Ipv4Address((10U << 24) | (leaf << 8)),
                                    Ipv4Mask("255.255.255.0"),
                                    ifaces.GetAddress(0),
                                    ifaces.Get(1).second);
        }
    }
    // A spine reaches each leaf through that leaf's /24, so the /30 routes of its
    // links, added for every interface, would only lengthen its linear route lookup.
    for (uint32_t s = 0; s < spines; ++s)
    {
        Ptr<Ipv4StaticRouting> routing =
            staticRouting.GetStaticRouting(spineNodes.Get(s)->GetObject<Ipv4>());
        for (uint32_t r = routing->GetNRoutes(); r-- > 0;)
        {
            Ipv4RoutingTableEntry route = routing->GetRoute(r);
            if (!route.IsGateway() && route.GetDestNetworkMask() == Ipv4Mask("255.255.255.252"))
            {
                routing->RemoveRoute(r);
            }
        }
    }
    return hostInterfaces;
}

void
TlpTopologyHelper::StrongEndSystem(NodeContainer routers)
{
    // A router then accepts only datagrams addressed to the interface they arrive on
    // (RFC 1122's strong end system): nothing in the fabric is addressed to a router,
    // and ns-3's weak model scans every interface and address of the router per
    // forwarded datagram.
    for (uint32_t i = 0; i < routers.GetN(); ++i)
    {
        routers.Get(i)->GetObject<Ipv4>()->SetAttribute("WeakEsModel", BooleanValue(false));
    }
}

void
TlpTopologyHelper::Connect(NodeContainer hosts,
                           TlpTunnelHelper& tunnel,
                           const std::string& transport)
{
    if (transport == "ethernet")
    {
        tunnel.BindEthernet(hosts, BuildEthernetStar(hosts));
    }
    else if (transport == "udp")
    {
        tunnel.BindUdp(hosts, BuildIpStar(hosts));
    }
    else
    {
        NS_FATAL_ERROR("TlpTopologyHelper: transport=" << transport
                                                       << " is not 'ethernet' or 'udp'");
    }
}

void
TlpTopologyHelper::EnablePcap(const std::string& prefix)
{
    if (m_csmaDevices.GetN() > 0)
    {
        m_csma.EnablePcap(prefix, m_csmaDevices);
    }
    if (m_p2pDevices.GetN() > 0)
    {
        m_p2p.EnablePcap(prefix, m_p2pDevices);
    }
}

void
TlpTopologyHelper::PrimeLearning(Time at)
{
    for (const auto& host : m_treeHosts)
    {
        Simulator::ScheduleWithContext(host.first->GetNode()->GetId(),
                                       at,
                                       &TlpTopologyHelper::Announce,
                                       host.first,
                                       host.second);
    }
}

void
TlpTopologyHelper::Announce(Ptr<NetDevice> device, Address to)
{
    // Local experimental EtherType 2: no node handles it, the root switch drops it.
    device->Send(Create<Packet>(46), to, 0x88B6);
}

NodeContainer
TlpTopologyHelper::GetSwitches() const
{
    return m_switches;
}

} // namespace ns3
