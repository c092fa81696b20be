/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TUNNEL_HELPER_H
#define TLP_TUNNEL_HELPER_H

#include "ns3/application-container.h"
#include "ns3/ipv4-interface-container.h"
#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"
#include "ns3/pcie-link.h"
#include "ns3/pcie-port.h"
#include "ns3/pcie-root-complex.h"
#include "ns3/pcie-switch.h"
#include "ns3/tlp-cpu.h"
#include "ns3/tlp-memory.h"
#include "ns3/tlp-peer-directory.h"
#include "ns3/tlp-tunnel-net-device.h"
#include "ns3/trace-helper.h"

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Builds compute nodes and their tunnel fabric.
 *
 * Install() gives each node a PcieRootComplex holding a TlpCpu (an application)
 * and a TlpMemory (the memory controller), and a TlpTunnelNetDevice (the NIC) on a
 * PcieLink from a root port, or, with UseSwitch(true), on a PcieSwitch below the
 * root port. The root complex, the memory and the switch are aggregated to the node
 * (GetRootComplex(), GetMemory(), GetSwitch() find them). BindEthernet() or BindUdp()
 * then joins the NICs to the network, and MapWindow() maps a window of one node onto
 * another node's memory.
 *
 * Bus/device/function numbers are unique in the simulation, derived from the node
 * ID n (n < 16384): 4n for the CPU, 4n+1 for the memory, 4n+2 for the NIC and
 * 4n+3 for the root complex (and the switch), so that a completion can travel back to
 * its requester on any node.
 *
 * EnablePcap() on a NIC writes the TLPs crossing between its PCIe link and the
 * NIC, both ways, as raw TLPs with link type 147 (DLT_USER0); EnableAscii() writes
 * "+" (TLP taken from the PCIe link, as it is encapsulated: translated when the
 * sender translates), "-" (tunnel packet to the network),
 * "r" (tunnel packet from the network) and "d" (drop) lines, each with the time and
 * the decoded headers; it needs no packet metadata, so it may be enabled at any time.
 */
class TlpTunnelHelper : public PcapHelperForDevice, public AsciiTraceHelperForDevice
{
  public:
    /// Pcap link type of raw TLP traces (DLT_USER0).
    static constexpr uint32_t DLT_TLP = 147;

    TlpTunnelHelper();
    ~TlpTunnelHelper() override;

    /**
     * \param name attribute of ns3::PcieRootComplex
     * \param value its value
     */
    void SetRootComplexAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of ns3::PcieLink (every link of the node)
     * \param value its value
     */
    void SetLinkAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of ns3::PciePort for the root ports (and the switch's
     *        downstream ports): their credits and queues
     * \param value its value
     */
    void SetRootPortAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of ns3::PciePort for the NIC's port (and the switch's
     *        upstream port)
     * \param value its value
     */
    void SetEndpointPortAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of ns3::PcieSwitch
     * \param value its value
     */
    void SetSwitchAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param use put a PCIe switch between the root port and the NIC (default false:
     *        the NIC's link joins a root port directly)
     */
    void UseSwitch(bool use);
    /**
     * \param name attribute of ns3::TlpMemory
     * \param value its value
     */
    void SetMemoryAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of ns3::TlpCpu
     * \param value its value
     */
    void SetCpuAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of ns3::TlpTunnelNetDevice
     * \param value its value
     */
    void SetNicAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of ns3::TlpUdpTransport
     * \param value its value
     */
    void SetUdpAttribute(const std::string& name, const AttributeValue& value);

    /**
     * \brief Build the root complex, memory, CPU, PCIe link and NIC of each node.
     * \param nodes the nodes
     * \return the NICs
     */
    NetDeviceContainer Install(NodeContainer nodes) const;
    /**
     * \param node a node
     * \return its NIC
     */
    NetDeviceContainer Install(Ptr<Node> node) const;

    /**
     * \brief Join NICs to an Ethernet network through lower Mac48 devices.
     * \param nodes nodes built by Install()
     * \param lower one device per node, in the same order (e.g. CSMA devices)
     */
    void BindEthernet(NodeContainer nodes, NetDeviceContainer lower);
    /**
     * \brief Join NICs to an IPv4 network through UDP.
     * \param nodes nodes built by Install(), with an Internet stack
     * \param interfaces one IPv4 interface per node, in the same order
     */
    void BindUdp(NodeContainer nodes, Ipv4InterfaceContainer interfaces);

    /**
     * \brief Register a range of the receiver's memory under a memory ID (claims 35-36).
     * \param receiver the node whose memory it is
     * \param memoryId the ID, unique on that node
     * \param base first address (multiple of 4 KiB)
     * \param size bytes (multiple of 4 KiB)
     */
    void RegisterMemoryId(Ptr<Node> receiver,
                          uint16_t memoryId,
                          uint64_t base,
                          uint64_t size) const;
    /**
     * \brief Map a window of the sender onto a memory ID of the receiver: TLPs carry
     * the memory ID and their offset, the receiver resolves them (it may move the
     * memory ID at run time, TlpTunnelNetDevice::RemapMemoryId()).
     * \param sender sending node
     * \param base first address of the window on the sender
     * \param size bytes (multiple of 4 KiB)
     * \param receiver receiving node ID
     * \param memoryId the memory ID registered there
     * \return the window ID
     */
    uint16_t MapMemoryIdWindow(Ptr<Node> sender,
                               uint64_t base,
                               uint64_t size,
                               uint32_t receiver,
                               uint16_t memoryId) const;
    /**
     * \brief Map a window of the sender onto memory of the receiver.
     * \param sender sending node
     * \param base first address of the window on the sender
     * \param size bytes (multiple of 4 KiB)
     * \param receiver receiving node ID
     * \param regionBase region base on the receiver, or TunnelGrantHeader::ANY_BASE
     * \param translateAt where the address is translated
     * \param confirm who confirms writes that ask for confirmation
     * \return the window ID
     */
    uint16_t MapWindow(Ptr<Node> sender,
                       uint64_t base,
                       uint64_t size,
                       uint32_t receiver,
                       uint64_t regionBase = TunnelGrantHeader::ANY_BASE,
                       TlpWindow::TranslateAt translateAt = TlpWindow::SENDER,
                       TlpWindow::Confirm confirm = TlpWindow::CONFIRM_NONE) const;

    /**
     * \brief Fix the random streams of the nodes' NICs (grant nonces and region keys).
     * \param nodes nodes built by Install()
     * \param stream first stream index
     * \return streams used
     */
    int64_t AssignStreams(NodeContainer nodes, int64_t stream) const;

    /// \return the peer directory of this helper's fabric
    Ptr<TlpPeerDirectory> GetDirectory() const;

    /**
     * \param node a node built by Install()
     * \return its root complex
     */
    static Ptr<PcieRootComplex> GetRootComplex(Ptr<Node> node);
    /**
     * \param node a node built by Install()
     * \return its PCIe switch, or null when it has none
     */
    static Ptr<PcieSwitch> GetSwitch(Ptr<Node> node);
    /**
     * \param node a node built by Install()
     * \return the PCIe link the NIC is on
     */
    static Ptr<PcieLink> GetNicLink(Ptr<Node> node);
    /**
     * \param node a node built by Install()
     * \return its memory
     */
    static Ptr<TlpMemory> GetMemory(Ptr<Node> node);
    /**
     * \param node a node built by Install()
     * \return its CPU
     */
    static Ptr<TlpCpu> GetCpu(Ptr<Node> node);
    /**
     * \param node a node built by Install()
     * \return its NIC
     */
    static Ptr<TlpTunnelNetDevice> GetNic(Ptr<Node> node);
    /**
     * \brief Print one line of NIC counters per node, in a form scripts can read:
     * "counters: node=N nic-tlps=T tunnel-packets=P tunnel-tlps=D drops=X
     * retransmitted=R duplicates=U acks=A timeouts=O unreachable=F lost-writes=W
     * aborted=C" (nic-tlps is what the NIC's pcap holds; tunnel-packets and
     * tunnel-tlps what its link's pcap holds; drops counts packets and TLPs dropped
     * as malformed, unexpected or undeliverable, not the duplicates a reliable
     * session drops).
     * \param os where to print
     * \param nodes nodes built by Install()
     */
    static void PrintCounters(std::ostream& os, NodeContainer nodes);
    /**
     * \param node a node
     * \param function 0 CPU, 1 memory, 2 NIC, 3 root complex and switch
     * \return the bus/device/function the helper gives that part of the node
     */
    static uint16_t GetRequesterId(Ptr<Node> node, uint32_t function);

  private:
    /**
     * \brief Stop with a message when the largest TLP a node's NIC may carry (the
     * larger Max_Payload_Size of its CPU and memory, a 4DW header and ECRC) does not
     * fit the packets its transport's path carries.
     * \param node a node just bound to a transport
     */
    static void CheckLargestTlpFits(Ptr<Node> node);
    /**
     * \param caller the helper method, for the messages
     * \param sender a node that maps a window
     * \param base the window's base
     * \param receiver the node it maps to
     * \return the sender's NIC (stops when it has none or the receiver does not exist)
     */
    static Ptr<TlpTunnelNetDevice> SenderNic(const std::string& caller,
                                             Ptr<Node> sender,
                                             uint64_t base,
                                             uint32_t receiver);

    void EnablePcapInternal(std::string prefix,
                            Ptr<NetDevice> nd,
                            bool promiscuous,
                            bool explicitFilename) override;
    void EnableAsciiInternal(Ptr<OutputStreamWrapper> stream,
                             std::string prefix,
                             Ptr<NetDevice> nd,
                             bool explicitFilename) override;

    ObjectFactory m_rootComplexFactory;  //!< root complex attributes
    ObjectFactory m_linkFactory;         //!< PCIe link attributes
    ObjectFactory m_rootPortFactory;     //!< root port attributes
    ObjectFactory m_endpointPortFactory; //!< NIC port attributes
    ObjectFactory m_switchFactory;       //!< PCIe switch attributes
    bool m_useSwitch;                    //!< a switch between root port and NIC
    ObjectFactory m_memoryFactory;       //!< memory attributes
    ObjectFactory m_cpuFactory;          //!< CPU attributes
    ObjectFactory m_nicFactory;          //!< NIC attributes
    ObjectFactory m_udpFactory;          //!< UDP transport attributes
    Ptr<TlpPeerDirectory> m_directory;   //!< the fabric's NICs
};

} // namespace ns3

#endif /* TLP_TUNNEL_HELPER_H */
