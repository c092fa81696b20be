/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TUNNEL_HELPER_H
#define TLP_TUNNEL_HELPER_H

#include "ns3/application-container.h"
#include "ns3/local-interconnect-channel.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"
#include "ns3/tlp-cpu.h"
#include "ns3/tlp-memory.h"

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Builds compute nodes: a local interconnect with a memory and a CPU on it.
 *
 * Each node gets its own LocalInterconnectChannel and TlpMemory (both aggregated to
 * the node, so GetInterconnect() and GetMemory() find them) and a TlpCpu
 * application. Bus/device/function numbers are unique in the simulation, derived
 * from the node ID n (n < 16384): 4n for the CPU, 4n+1 for the memory, 4n+2 for the
 * NIC and 4n+3 for the interconnect's switch, so that a completion can travel back
 * to its requester on any node.
 */
class TlpTunnelHelper
{
  public:
    TlpTunnelHelper();

    /**
     * \param name attribute of ns3::LocalInterconnectChannel
     * \param value its value
     */
    void SetInterconnectAttribute(const std::string& name, const AttributeValue& value);
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
     * \brief Build the local interconnect, memory and CPU of each node.
     * \param nodes the nodes
     * \return the CPU applications
     */
    ApplicationContainer Install(NodeContainer nodes) const;
    /**
     * \param node a node
     * \return the CPU application
     */
    ApplicationContainer Install(Ptr<Node> node) const;

    /**
     * \param node a node built by Install()
     * \return its local interconnect
     */
    static Ptr<LocalInterconnectChannel> GetInterconnect(Ptr<Node> node);
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
     * \param node a node
     * \param function 0 CPU, 1 memory, 2 NIC, 3 switch
     * \return the bus/device/function the helper gives that part of the node
     */
    static uint16_t GetRequesterId(Ptr<Node> node, uint32_t function);

  private:
    ObjectFactory m_interconnectFactory; //!< interconnect attributes
    ObjectFactory m_memoryFactory;       //!< memory attributes
    ObjectFactory m_cpuFactory;          //!< CPU attributes
};

} // namespace ns3

#endif /* TLP_TUNNEL_HELPER_H */
