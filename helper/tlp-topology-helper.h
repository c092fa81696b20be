/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TOPOLOGY_HELPER_H
#define TLP_TOPOLOGY_HELPER_H

#include "ns3/csma-helper.h"
#include "ns3/data-rate.h"
#include "ns3/ipv4-interface-container.h"
#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/nstime.h"
#include "ns3/point-to-point-helper.h"

namespace ns3
{

class TlpTunnelHelper;

/**
 * \ingroup tlp-tunnel
 * \brief Builds the networks compute nodes tunnel over.
 *
 * - BuildEthernetStar(): every host on its own two-node CSMA channel to one switch
 *   (a BridgeNetDevice); returns the hosts' Ethernet devices for
 *   TlpTunnelHelper::BindEthernet().
 * - BuildIpStar(): every host on a point-to-point link to one router, an Internet
 *   stack everywhere, global routing; returns the hosts' IPv4 interfaces for
 *   TlpTunnelHelper::BindUdp().
 *
 * The IP fabrics are IPv4 only (the tunnel needs no IPv6) and carry no traffic-control
 * queue discs: each device's DropTail queue of SetQueueSize() packets is the only
 * queue, as in a switch ASIC with a FIFO per port. ns-3's default FqCoDel would cost
 * a UDP datagram about 7,400 instructions and every device tens of KiB.
 *
 * Connect() does either for a transport named on the command line and binds the
 * NICs. Links run at the DataRate and Delay given (default 100 Gb/s and 100 ns, about
 * 20 m of cable within a row of racks). ns-3's CSMA channel is a half-duplex bus: the
 * two directions of an Ethernet link share it, and a sender waits for the previous
 * frame to finish propagating, so one link carries at most one frame per
 * (frame time + Delay).
 */
class TlpTopologyHelper
{
  public:
    TlpTopologyHelper();

    /// \param rate link rate
    void SetDataRate(DataRate rate);
    /// \param delay propagation delay of each link
    void SetDelay(Time delay);
    /// \param packets transmit queue of each link device, packets
    void SetQueueSize(uint32_t packets);

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
     * \param transport "ethernet" (EtherType 0x88B5 over CSMA and a bridge) or "udp"
     *        (UDP/IPv4 over point-to-point links and a router)
     */
    void Connect(NodeContainer hosts, TlpTunnelHelper& tunnel, const std::string& transport);
    /**
     * \brief Write pcap files of every link device built so far (Ethernet frames or
     * PPP-framed IP datagrams).
     * \param prefix file name prefix
     */
    void EnablePcap(const std::string& prefix);
    /**
     * \brief A two-level switched Ethernet: hosts on leaf switches, leaves on a root
     * switch (every switch a BridgeNetDevice, every link a two-node CSMA channel).
     * \param hosts the compute nodes
     * \param hostsPerLeaf hosts per leaf switch
     * \return the hosts' Ethernet devices, in host order
     */
    NetDeviceContainer BuildEthernetTree(NodeContainer hosts, uint32_t hostsPerLeaf);
    /**
     * \brief A leaf-spine (two-level fat-tree) IPv4 fabric of point-to-point links with
     * static routes: host j of leaf L has 10.(L / 256).(L % 256).(4j + 1)/30; each leaf
     * sends what is not its own to spine L % spines; every spine routes each leaf's /24
     * to that leaf.
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

  private:
    /// \return the CSMA helper, set to the link rate, delay and queue size
    CsmaHelper& ConfigureCsma();
    /**
     * \brief Join two nodes by a CSMA link whose devices back off in slots of one
     * minimum frame time plus the link delay.
     * \param ends the two nodes
     * \return their devices
     */
    NetDeviceContainer InstallCsma(NodeContainer ends);
    /// \return the point-to-point helper, set to the link rate, delay and queue size
    PointToPointHelper& ConfigurePointToPoint();
    /**
     * \brief Send one frame from a host to a switch.
     * \param device the host's device
     * \param to the switch's address
     */
    static void Announce(Ptr<NetDevice> device, Address to);
    /**
     * \brief Make routers strong end systems (Ipv4 WeakEsModel false).
     * \param routers nodes with an Internet stack
     */
    static void StrongEndSystem(NodeContainer routers);

    DataRate m_rate;                  //!< link rate
    Time m_delay;                     //!< link delay
    uint32_t m_queuePackets;          //!< device queue size
    NodeContainer m_switches;         //!< switches and routers
    CsmaHelper m_csma;                //!< Ethernet links
    PointToPointHelper m_p2p;         //!< IP links
    NetDeviceContainer m_csmaDevices; //!< Ethernet link devices built
    NetDeviceContainer m_p2pDevices;  //!< IP link devices built
    /// Host device and the root switch's address, per host of BuildEthernetTree().
    std::vector<std::pair<Ptr<NetDevice>, Address>> m_treeHosts;
};

} // namespace ns3

#endif /* TLP_TOPOLOGY_HELPER_H */
