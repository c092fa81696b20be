/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TOPOLOGY_HELPER_H
#define TLP_TOPOLOGY_HELPER_H

#include "ns3/csma-helper.h"
#include "ns3/data-rate.h"
#include "ns3/full-duplex-ethernet-helper.h"
#include "ns3/ipv4-interface-container.h"
#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/nstime.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/queue-size.h"

#include <map>
#include <string>

namespace ns3
{

class Ipv4RoutingHelper;
class TlpTunnelHelper;

/**
 * \ingroup tlp-tunnel
 * \brief Builds the networks compute nodes tunnel over.
 *
 * - BuildEthernetStar(): every host on its own link to one switch (a
 *   BridgeNetDevice); returns the hosts' Ethernet devices for
 *   TlpTunnelHelper::BindEthernet().
 * - BuildIpStar(): every host on a link to one IPv4 router, global routing; returns
 *   the hosts' IPv4 interfaces for TlpTunnelHelper::BindUdp().
 * - BuildEthernetTree(): hosts on leaf switches, leaves on a root switch.
 * - BuildIpLeafSpine(): hosts on leaf routers, every leaf on every spine router,
 *   static routes.
 *
 * Links are full-duplex Ethernet (FullDuplexEthernetNetDevice) by default, as in a
 * datacenter; SetLinkType() selects ns-3's CSMA bus or point-to-point (PPP) links
 * instead, for comparison. Both transports run over full-duplex Ethernet and CSMA
 * links (UDP/IPv4 with ARP); point-to-point links carry IPv4 only.
 *
 * The helper sets only what it is told: SetDataRate(), SetDelay(), SetQueueSize(),
 * SetMtu(), SetDeviceAttribute() and SetChannelAttribute(). Whatever is not set keeps
 * its default, which Config::SetDefault() and the command line change
 * (--ns3::FullDuplexEthernetNetDevice::DataRate=10Gbps,
 * --ns3::DropTailQueue<Packet>::MaxSize=50p). The defaults of the full-duplex link are
 * a datacenter's (100 Gb/s, 100 ns, a DropTail queue of 100 frames per port); CSMA and
 * point-to-point links, whose ns-3 defaults are no datacenter figures, run at the same
 * rate and delay unless their own defaults were changed.
 *
 * Switches and routers forward a frame SetSwitchLatency() (default 500 ns) after its
 * last bit arrived, when the egress port is idle: their ports have that
 * ReceiveLatency. Point-to-point devices have no such attribute, so on those links
 * half the latency is added to the delay of each link for each switch it touches,
 * which gives the same times end to end. CSMA links model no switch latency: a
 * longer delay would also hold the bus after each frame.
 *
 * IP fabrics are IPv4 only and carry no traffic-control queue discs (SetIpv6(),
 * SetQueueDiscs()): each device's queue is the only queue, as in a switch with a
 * FIFO per port; ns-3's default FqCoDel would cost every datagram about 7,400
 * instructions and every device tens of KiB. Routers are strong end systems
 * (SetStrongEndSystem()): ns-3's weak model scans every interface of a router for
 * each datagram it forwards.
 */
class TlpTopologyHelper
{
  public:
    /// Links the fabric is made of.
    enum LinkType
    {
        ETHERNET,      //!< full-duplex Ethernet (FullDuplexEthernetNetDevice)
        CSMA,          //!< ns-3's CSMA bus, two devices per channel
        POINT_TO_POINT //!< ns-3's point-to-point links (PPP framing, IPv4 only)
    };

    TlpTopologyHelper();

    /// \param type links of what is built from now on
    void SetLinkType(LinkType type);
    /**
     * \param name "ethernet", "csma" or "p2p"
     */
    void SetLinkType(const std::string& name);
    /// \return links of what is built
    LinkType GetLinkType() const;
    /**
     * \param name "ethernet", "csma" or "p2p"
     * \param type set to the link type named
     * \return false when the name is none of them
     */
    static bool ParseLinkType(const std::string& name, LinkType& type);

    /// \param rate link rate (positive)
    void SetDataRate(DataRate rate);
    /// \return the rate links are built with
    DataRate GetDataRate() const;
    /// \param delay propagation delay of each link
    void SetDelay(Time delay);
    /// \return the propagation delay links are built with (switch latency excluded)
    Time GetDelay() const;
    /// \param packets transmit queue of each link device, packets (positive)
    void SetQueueSize(uint32_t packets);
    /// \param size transmit queue of each link device
    void SetQueueSize(QueueSize size);
    /// \param mtu MTU of each link device, bytes (1500; 9000 for jumbo frames)
    void SetMtu(uint16_t mtu);
    /// \param latency port-to-port latency of switches and routers (not negative)
    void SetSwitchLatency(Time latency);
    /// \return the port-to-port latency of switches and routers
    Time GetSwitchLatency() const;
    /**
     * \param name attribute of the link devices of the link type (set when building)
     * \param value its value
     */
    void SetDeviceAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of the link channels of the link type
     * \param value its value
     */
    void SetChannelAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param slot backoff slot of CSMA devices; Time(0), the default, is one minimum
     *        frame time plus the link delay (ns-3's own is 1 us, ten-megabit
     *        Ethernet's order, which at these rates lets a busy bus pile up queues)
     */
    void SetCsmaBackoffSlot(Time slot);
    /// \param enable install IPv6 stacks too (default false)
    void SetIpv6(bool enable);
    /// \param enable keep ns-3's default traffic-control queue discs (default false)
    void SetQueueDiscs(bool enable);
    /// \param enable routers are strong end systems (Ipv4 WeakEsModel false; default true)
    void SetStrongEndSystem(bool enable);
    /**
     * \param enable fill the ARP caches of both ends of every IPv4 link with permanent
     *        entries when the fabric is built (default true), as a datacenter's hosts
     *        and routers have resolved their neighbours long before a measurement;
     *        false leaves them to ARP, whose requests ns-3 delays by up to its
     *        ArpL3Protocol::RequestJitter (10 ms) and whose pending queue holds three
     *        packets per neighbour
     */
    void SetStaticArp(bool enable);

    /**
     * \param hosts the compute nodes
     * \return the hosts' Ethernet devices, in host order
     */
    NetDeviceContainer BuildEthernetStar(NodeContainer hosts);
    /**
     * \param hosts the compute nodes
     * \return the hosts' IPv4 interfaces, in host order
     */
    Ipv4InterfaceContainer BuildIpStar(NodeContainer hosts);
    /**
     * \brief Build a star for a transport and bind the hosts' NICs to it.
     * \param hosts compute nodes built by TlpTunnelHelper::Install()
     * \param tunnel the helper that built them
     * \param transport "ethernet" (EtherType 0x88B5 frames through a switch) or "udp"
     *        (UDP/IPv4 datagrams through a router)
     */
    void Connect(NodeContainer hosts, TlpTunnelHelper& tunnel, const std::string& transport);
    /**
     * \brief Write pcap files of every link device built so far (Ethernet frames, or
     * PPP-framed IP datagrams on point-to-point links).
     * \param prefix file name prefix
     */
    void EnablePcap(const std::string& prefix);
    /**
     * \brief A two-level switched Ethernet: hosts on leaf switches, leaves on a root
     * switch (every switch a BridgeNetDevice).
     * \param hosts the compute nodes
     * \param hostsPerLeaf hosts per leaf switch
     * \return the hosts' Ethernet devices, in host order
     */
    NetDeviceContainer BuildEthernetTree(NodeContainer hosts, uint32_t hostsPerLeaf);
    /**
     * \brief A leaf-spine (two-level fat-tree) IPv4 fabric with static routes: host j
     * of leaf L has 10.(L / 256).(L % 256).(4j + 1)/30; each leaf sends what is not
     * its own to spine L % spines; every spine routes each leaf's /24 to that leaf.
     * \param hosts the compute nodes
     * \param hostsPerLeaf hosts per leaf router, at most 64
     * \param spines spine routers, 1..16
     * \return the hosts' IPv4 interfaces, in host order
     */
    Ipv4InterfaceContainer BuildIpLeafSpine(NodeContainer hosts,
                                            uint32_t hostsPerLeaf,
                                            uint32_t spines);
    /**
     * \brief Teach the switches of BuildEthernetTree() where every host is, at a given
     * time: each host sends one frame to the root switch's own address, so its leaf
     * and the root learn it (the leaf floods the frame to its own ports only), as hosts
     * announce themselves with gratuitous ARP, without the cost of N broadcasts flooded
     * to N hosts. Afterwards a frame to an unlearned host floods one leaf at most.
     * \param at when the hosts send
     */
    void PrimeLearning(Time at);
    /// \return the switches and routers built so far
    NodeContainer GetSwitches() const;
    /// \return every link device built so far, hosts' and switches'
    NetDeviceContainer GetLinkDevices() const;

  private:
    /**
     * \brief Join two nodes by a link of the link type.
     * \param a one end (its device is first)
     * \param b the other end
     * \param switchEnds how many of the two ends are switch or router ports (the
     *        latter first: a host is always a)
     * \return the two devices
     */
    NetDeviceContainer Link(Ptr<Node> a, Ptr<Node> b, uint32_t switchEnds);
    /**
     * \brief Give a link helper the queue size, MTU and attributes set on this helper.
     * \tparam LinkHelper FullDuplexEthernetHelper, CsmaHelper or PointToPointHelper
     * \param helper the link helper, its rate and delay already set
     */
    template <typename LinkHelper>
    void Configure(LinkHelper& helper) const;
    /**
     * \param hosts compute nodes to give an Internet stack if they have none
     * \param routers nodes to give one
     * \param routing the routing helper, or nullptr for ns-3's default
     */
    void InstallStacks(NodeContainer hosts,
                       NodeContainer routers,
                       const Ipv4RoutingHelper* routing) const;
    /**
     * \brief Remove the queue discs of a link's devices unless SetQueueDiscs(true).
     * \param link the devices
     */
    void RemoveQueueDiscs(NetDeviceContainer link) const;
    /**
     * \brief Give both ends of an IPv4 link permanent ARP entries for each other,
     * unless SetStaticArp(false).
     * \param link the link's devices
     * \param interfaces their IPv4 interfaces, in the same order
     */
    void AddNeighbors(NetDeviceContainer link, Ipv4InterfaceContainer interfaces) const;
    /**
     * \brief Make routers strong end systems, unless SetStrongEndSystem(false).
     * \param routers nodes with an Internet stack
     */
    void StrongEndSystem(NodeContainer routers) const;
    /**
     * \brief Send one frame from a host to a switch.
     * \param device the host's device
     * \param to the switch's address
     */
    static void Announce(Ptr<NetDevice> device, Address to);

    LinkType m_linkType;    //!< links built
    bool m_rateSet;         //!< SetDataRate() called
    DataRate m_rate;        //!< its rate
    bool m_delaySet;        //!< SetDelay() called
    Time m_delay;           //!< its delay
    bool m_queueSet;        //!< SetQueueSize() called
    QueueSize m_queueSize;  //!< its size
    uint16_t m_mtu;         //!< SetMtu(), or 0
    Time m_switchLatency;   //!< port-to-port latency
    Time m_csmaSlot;        //!< CSMA backoff slot, 0: automatic
    bool m_ipv6;            //!< install IPv6
    bool m_queueDiscs;      //!< keep queue discs
    bool m_strongEndSystem; //!< routers as strong end systems
    bool m_staticArp;       //!< permanent ARP entries
    std::map<std::string, Ptr<AttributeValue>> m_deviceAttributes;  //!< SetDeviceAttribute
    std::map<std::string, Ptr<AttributeValue>> m_channelAttributes; //!< SetChannelAttribute
    NodeContainer m_switches;                                       //!< switches and routers
    NetDeviceContainer m_devices[3]; //!< link devices built, by link type
    /// Host device and the root switch's address, per host of BuildEthernetTree().
    std::vector<std::pair<Ptr<NetDevice>, Address>> m_treeHosts;
};

} // namespace ns3

#endif /* TLP_TOPOLOGY_HELPER_H */
