/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-topology-helper.h"

#include "ns3/abort.h"
#include "ns3/arp-cache.h"
#include "ns3/boolean.h"
#include "ns3/bridge-helper.h"
#include "ns3/csma-net-device.h"
#include "ns3/full-duplex-ethernet-net-device.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4-global-routing-helper.h"
#include "ns3/ipv4-interface.h"
#include "ns3/ipv4-l3-protocol.h"
#include "ns3/ipv4-routing-table-entry.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/traffic-control-helper.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpTopologyHelper");

namespace
{

/**
 * \param type a TypeId name
 * \param attribute one of its attributes
 * \param value set to the attribute's current default, serialized
 * \return true when Config::SetDefault() or the command line changed that default
 */
bool
DefaultChanged(const std::string& type, const std::string& attribute, std::string& value)
{
    TypeId::AttributeInformation info;
    bool found = TypeId::LookupByName(type).LookupAttributeByName(attribute, &info);
    NS_ABORT_MSG_UNLESS(found, "TlpTopologyHelper: " << type << " has no attribute " << attribute);
    value = info.initialValue->SerializeToString(info.checker);
    return value != info.originalInitialValue->SerializeToString(info.checker);
}

/// \return the current default of an attribute, serialized
std::string
DefaultOf(const std::string& type, const std::string& attribute)
{
    std::string value;
    DefaultChanged(type, attribute, value);
    return value;
}

/// TypeId and attribute holding each link type's rate and delay.
struct LinkAttributes
{
    const char* rateType;  //!< the type with the DataRate attribute
    const char* delayType; //!< the type with the Delay attribute
};

const LinkAttributes LINK_ATTRIBUTES[] = {
    {"ns3::FullDuplexEthernetNetDevice", "ns3::FullDuplexEthernetChannel"},
    {"ns3::CsmaChannel", "ns3::CsmaChannel"},
    {"ns3::PointToPointNetDevice", "ns3::PointToPointChannel"},
};

} // namespace

TlpTopologyHelper::TlpTopologyHelper()
    : m_linkType(ETHERNET),
      m_rateSet(false),
      m_delaySet(false),
      m_queueSet(false),
      m_mtu(0),
      m_switchLatency(NanoSeconds(500)),
      m_ipv6(false),
      m_queueDiscs(false),
      m_strongEndSystem(true),
      m_staticArp(true)
{
}

void
TlpTopologyHelper::SetLinkType(LinkType type)
{
    m_linkType = type;
}

bool
TlpTopologyHelper::ParseLinkType(const std::string& name, LinkType& type)
{
    static const std::map<std::string, LinkType> names = {{"ethernet", ETHERNET},
                                                          {"csma", CSMA},
                                                          {"p2p", POINT_TO_POINT}};
    auto it = names.find(name);
    if (it == names.end())
    {
        return false;
    }
    type = it->second;
    return true;
}

void
TlpTopologyHelper::SetLinkType(const std::string& name)
{
    NS_ABORT_MSG_UNLESS(ParseLinkType(name, m_linkType),
                        "TlpTopologyHelper: link=" << name
                                                   << " is not 'ethernet', 'csma' or 'p2p'");
}

TlpTopologyHelper::LinkType
TlpTopologyHelper::GetLinkType() const
{
    return m_linkType;
}

void
TlpTopologyHelper::SetDataRate(DataRate rate)
{
    NS_ABORT_MSG_IF(rate.GetBitRate() == 0, "TlpTopologyHelper: link DataRate=0bps");
    m_rateSet = true;
    m_rate = rate;
}

DataRate
TlpTopologyHelper::GetDataRate() const
{
    if (m_rateSet)
    {
        return m_rate;
    }
    // The link's own default when the user changed it (or for full-duplex links);
    // otherwise the full-duplex link's, so that every link type runs at one rate.
    std::string value;
    if (!DefaultChanged(LINK_ATTRIBUTES[m_linkType].rateType, "DataRate", value))
    {
        value = DefaultOf(LINK_ATTRIBUTES[ETHERNET].rateType, "DataRate");
    }
    return DataRate(value);
}

void
TlpTopologyHelper::SetDelay(Time delay)
{
    NS_ABORT_MSG_IF(delay.IsStrictlyNegative(), "TlpTopologyHelper: link Delay=" << delay);
    m_delaySet = true;
    m_delay = delay;
}

Time
TlpTopologyHelper::GetDelay() const
{
    if (m_delaySet)
    {
        return m_delay;
    }
    std::string value;
    if (!DefaultChanged(LINK_ATTRIBUTES[m_linkType].delayType, "Delay", value))
    {
        value = DefaultOf(LINK_ATTRIBUTES[ETHERNET].delayType, "Delay");
    }
    return Time(value);
}

void
TlpTopologyHelper::SetQueueSize(uint32_t packets)
{
    NS_ABORT_MSG_IF(packets == 0, "TlpTopologyHelper: queue of 0 packets");
    SetQueueSize(QueueSize(QueueSizeUnit::PACKETS, packets));
}

void
TlpTopologyHelper::SetQueueSize(QueueSize size)
{
    NS_ABORT_MSG_IF(size.GetValue() == 0, "TlpTopologyHelper: queue of " << size);
    m_queueSet = true;
    m_queueSize = size;
}

void
TlpTopologyHelper::SetMtu(uint16_t mtu)
{
    NS_ABORT_MSG_IF(mtu < 68, "TlpTopologyHelper: link Mtu=" << mtu << " (IPv4 needs 68 at least)");
    m_mtu = mtu;
}

void
TlpTopologyHelper::SetSwitchLatency(Time latency)
{
    NS_ABORT_MSG_IF(latency.IsStrictlyNegative(),
                    "TlpTopologyHelper: switch latency " << latency << " is negative");
    m_switchLatency = latency;
}

Time
TlpTopologyHelper::GetSwitchLatency() const
{
    return m_switchLatency;
}

void
TlpTopologyHelper::SetDeviceAttribute(const std::string& name, const AttributeValue& value)
{
    m_deviceAttributes[name] = value.Copy();
}

void
TlpTopologyHelper::SetChannelAttribute(const std::string& name, const AttributeValue& value)
{
    m_channelAttributes[name] = value.Copy();
}

void
TlpTopologyHelper::SetCsmaBackoffSlot(Time slot)
{
    m_csmaSlot = slot;
}

void
TlpTopologyHelper::SetIpv6(bool enable)
{
    m_ipv6 = enable;
}

void
TlpTopologyHelper::SetQueueDiscs(bool enable)
{
    m_queueDiscs = enable;
}

void
TlpTopologyHelper::SetStrongEndSystem(bool enable)
{
    m_strongEndSystem = enable;
}

void
TlpTopologyHelper::SetStaticArp(bool enable)
{
    m_staticArp = enable;
}

void
TlpTopologyHelper::AddNeighbors(NetDeviceContainer link, Ipv4InterfaceContainer interfaces) const
{
    if (!m_staticArp || !link.Get(0)->NeedsArp())
    {
        return;
    }
    for (uint32_t i = 0; i < 2; ++i)
    {
        Ptr<Ipv4L3Protocol> ipv4 = interfaces.Get(i).first->GetObject<Ipv4L3Protocol>();
        Ptr<ArpCache> cache = ipv4->GetInterface(interfaces.Get(i).second)->GetArpCache();
        ArpCache::Entry* entry = cache->Add(interfaces.GetAddress(1 - i));
        entry->SetMacAddress(link.Get(1 - i)->GetAddress());
        entry->MarkPermanent();
    }
}

template <typename LinkHelper>
void
TlpTopologyHelper::Configure(LinkHelper& helper) const
{
    // After the rate and delay: the attributes passed through come last and win.
    if (m_queueSet)
    {
        helper.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(m_queueSize));
    }
    if (m_mtu != 0)
    {
        helper.SetDeviceAttribute("Mtu", UintegerValue(m_mtu));
    }
    for (const auto& attribute : m_deviceAttributes)
    {
        helper.SetDeviceAttribute(attribute.first, *attribute.second);
    }
    for (const auto& attribute : m_channelAttributes)
    {
        helper.SetChannelAttribute(attribute.first, *attribute.second);
    }
}

NetDeviceContainer
TlpTopologyHelper::Link(Ptr<Node> a, Ptr<Node> b, uint32_t switchEnds)
{
    NetDeviceContainer link;
    if (m_linkType == ETHERNET)
    {
        FullDuplexEthernetHelper fd;
        if (m_rateSet)
        {
            fd.SetDeviceAttribute("DataRate", DataRateValue(m_rate));
        }
        if (m_delaySet)
        {
            fd.SetChannelAttribute("Delay", TimeValue(m_delay));
        }
        Configure(fd);
        link = fd.Install(a, b);
        // Switch and router ports hold what they receive for the forwarding latency.
        for (uint32_t i = 2 - switchEnds; i < 2; ++i)
        {
            link.Get(i)->SetAttribute("ReceiveLatency", TimeValue(m_switchLatency));
        }
    }
    else if (m_linkType == CSMA)
    {
        // On a CSMA bus a longer delay would also hold the bus after every frame,
        // which a switch port does not do: CSMA links model no switch latency.
        DataRate rate = GetDataRate();
        Time delay = GetDelay();
        CsmaHelper csma;
        csma.SetChannelAttribute("DataRate", DataRateValue(rate));
        csma.SetChannelAttribute("Delay", TimeValue(delay));
        Configure(csma);
        link = csma.Install(NodeContainer(a, b));
        // ns-3's defaults but the slot: 1..1000 slots, exponent ceiling 10, 1000
        // retries (the definition takes the ceiling before the retries, whatever the
        // declaration names them, ns-3.35 to 3.37).
        Time slot =
            m_csmaSlot.IsStrictlyPositive() ? m_csmaSlot : rate.CalculateBytesTxTime(64) + delay;
        for (uint32_t i = 0; i < link.GetN(); ++i)
        {
            DynamicCast<CsmaNetDevice>(link.Get(i))->SetBackoffParams(slot, 1, 1000, 10, 1000);
        }
    }
    else
    {
        // No latency attribute on these devices: half of it on each link next to a
        // switch, per switch end, gives the same times across a switch (a full-duplex
        // link's delay is latency alone).
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", DataRateValue(GetDataRate()));
        p2p.SetChannelAttribute("Delay",
                                TimeValue(GetDelay() + m_switchLatency * int64_t(switchEnds) / 2));
        Configure(p2p);
        link = p2p.Install(a, b);
    }
    m_devices[m_linkType].Add(link);
    return link;
}

void
TlpTopologyHelper::InstallStacks(NodeContainer hosts,
                                 NodeContainer routers,
                                 const Ipv4RoutingHelper* routing) const
{
    InternetStackHelper stack;
    if (routing != nullptr)
    {
        stack.SetRoutingHelper(*routing);
    }
    stack.SetIpv6StackInstall(m_ipv6);
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        if (hosts.Get(i)->GetObject<Ipv4>() == nullptr)
        {
            stack.Install(hosts.Get(i));
        }
    }
    stack.Install(routers);
    StrongEndSystem(routers);
}

void
TlpTopologyHelper::RemoveQueueDiscs(NetDeviceContainer link) const
{
    if (!m_queueDiscs)
    {
        TrafficControlHelper().Uninstall(link);
    }
}

NetDeviceContainer
TlpTopologyHelper::BuildEthernetStar(NodeContainer hosts)
{
    NS_ABORT_MSG_IF(hosts.GetN() == 0, "TlpTopologyHelper: no hosts");
    NS_ABORT_MSG_IF(m_linkType == POINT_TO_POINT,
                    "TlpTopologyHelper: link=p2p carries IPv4 only; a switched Ethernet needs "
                    "link=ethernet or csma");
    Ptr<Node> sw = CreateObject<Node>();
    m_switches.Add(sw);
    NetDeviceContainer hostDevices;
    NetDeviceContainer switchPorts;
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        NetDeviceContainer link = Link(hosts.Get(i), sw, 1);
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
    InstallStacks(hosts, NodeContainer(router), nullptr);
    Ipv4AddressHelper address;
    address.SetBase("10.0.0.0", "255.255.255.252");
    Ipv4InterfaceContainer hostInterfaces;
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        NetDeviceContainer link = Link(hosts.Get(i), router, 1);
        Ipv4InterfaceContainer ifaces = address.Assign(link);
        RemoveQueueDiscs(link);
        AddNeighbors(link, ifaces);
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
    NS_ABORT_MSG_IF(m_linkType == POINT_TO_POINT,
                    "TlpTopologyHelper: link=p2p carries IPv4 only; a switched Ethernet needs "
                    "link=ethernet or csma");
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
            NetDeviceContainer link = Link(hosts.Get(i), leaf, 1);
            hostDevices.Add(link.Get(0));
            leafPorts.Add(link.Get(1));
        }
        NetDeviceContainer uplink = Link(leaf, root, 2);
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
    NodeContainer leafNodes;
    NodeContainer spineNodes;
    leafNodes.Create(leaves);
    spineNodes.Create(spines);
    m_switches.Add(leafNodes);
    m_switches.Add(spineNodes);
    Ipv4StaticRoutingHelper staticRouting;
    InstallStacks(hosts, NodeContainer(leafNodes, spineNodes), &staticRouting);
    Ipv4InterfaceContainer hostInterfaces;
    Ipv4AddressHelper address;
    for (uint32_t i = 0; i < hosts.GetN(); ++i)
    {
        uint32_t leaf = i / hostsPerLeaf;
        uint32_t j = i % hostsPerLeaf;
        NetDeviceContainer link = Link(hosts.Get(i), leafNodes.Get(leaf), 1);
        address.SetBase(Ipv4Address((10U << 24) | (leaf << 8) | (4 * j)), "255.255.255.252");
        Ipv4InterfaceContainer ifaces = address.Assign(link);
        RemoveQueueDiscs(link);
        AddNeighbors(link, ifaces);
        hostInterfaces.Add(ifaces.Get(0));
        Ptr<Ipv4> ipv4 = hosts.Get(i)->GetObject<Ipv4>();
        staticRouting.GetStaticRouting(ipv4)->SetDefaultRoute(ifaces.GetAddress(1),
                                                              ifaces.Get(0).second);
    }
    for (uint32_t leaf = 0; leaf < leaves; ++leaf)
    {
        for (uint32_t s = 0; s < spines; ++s)
        {
            NetDeviceContainer link = Link(leafNodes.Get(leaf), spineNodes.Get(s), 2);
            address.SetBase(Ipv4Address((172U << 24) | ((16 + s) << 16) | (leaf << 2)),
                            "255.255.255.252");
            Ipv4InterfaceContainer ifaces = address.Assign(link);
            RemoveQueueDiscs(link);
            AddNeighbors(link, ifaces);
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
TlpTopologyHelper::StrongEndSystem(NodeContainer routers) const
{
    // A router then accepts only datagrams addressed to the interface they arrive on
    // (RFC 1122's strong end system): nothing in the fabric is addressed to a router,
    // and ns-3's weak model scans every interface and address of the router per
    // forwarded datagram.
    for (uint32_t i = 0; i < routers.GetN() && m_strongEndSystem; ++i)
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
    if (m_devices[ETHERNET].GetN() > 0)
    {
        FullDuplexEthernetHelper().EnablePcap(prefix, m_devices[ETHERNET]);
    }
    if (m_devices[CSMA].GetN() > 0)
    {
        CsmaHelper().EnablePcap(prefix, m_devices[CSMA]);
    }
    if (m_devices[POINT_TO_POINT].GetN() > 0)
    {
        PointToPointHelper().EnablePcap(prefix, m_devices[POINT_TO_POINT]);
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

NetDeviceContainer
TlpTopologyHelper::GetLinkDevices() const
{
    NetDeviceContainer all;
    for (const auto& devices : m_devices)
    {
        all.Add(devices);
    }
    return all;
}

} // namespace ns3
