/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef FULL_DUPLEX_ETHERNET_HELPER_H
#define FULL_DUPLEX_ETHERNET_HELPER_H

#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"
#include "ns3/queue.h"
#include "ns3/trace-helper.h"

#include <string>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Builds full-duplex Ethernet links (FullDuplexEthernetNetDevice pairs on a
 * FullDuplexEthernetChannel), as PointToPointHelper builds point-to-point links.
 *
 * Each device gets a fresh Mac48Address, a transmit queue from the queue factory
 * (ns3::DropTailQueue<Packet> unless SetQueue() says otherwise) and, unless
 * DisableFlowControl() was called, a NetDeviceQueueInterface tied to that queue so
 * that a traffic-control queue disc above it stops while the queue is full.
 * Attributes not set with SetDeviceAttribute(), SetChannelAttribute() or SetQueue()
 * keep their defaults, which Config::SetDefault() and the command line
 * (--ns3::FullDuplexEthernetNetDevice::DataRate=10Gbps) change.
 *
 * Pcap files have link type DLT_EN10MB and hold whole frames (header, padding,
 * FCS); the preamble and gap are not in them.
 */
class FullDuplexEthernetHelper : public PcapHelperForDevice, public AsciiTraceHelperForDevice
{
  public:
    FullDuplexEthernetHelper();
    ~FullDuplexEthernetHelper() override;

    /**
     * \brief Set the type of the devices' transmit queues and attributes of it.
     * \tparam Ts attribute name and value pairs
     * \param type a Queue<Packet> type ("ns3::DropTailQueue" is completed to
     *        "ns3::DropTailQueue<Packet>")
     * \param args name, value, name, value...
     */
    template <typename... Ts>
    void SetQueue(std::string type, Ts&&... args);
    /**
     * \param name attribute of ns3::FullDuplexEthernetNetDevice
     * \param value its value
     */
    void SetDeviceAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name attribute of ns3::FullDuplexEthernetChannel
     * \param value its value
     */
    void SetChannelAttribute(const std::string& name, const AttributeValue& value);
    /// Do not aggregate a NetDeviceQueueInterface to the devices.
    void DisableFlowControl();

    /**
     * \param c two nodes
     * \return their devices, in node order
     */
    NetDeviceContainer Install(NodeContainer c);
    /**
     * \param a one end
     * \param b the other end
     * \return the two devices, a's first
     */
    NetDeviceContainer Install(Ptr<Node> a, Ptr<Node> b);

  private:
    /// End of the recursion of SetQueueAttributes().
    void SetQueueAttributes()
    {
    }

    /**
     * \brief Set queue attributes one pair at a time (ns-3.35's ObjectFactory takes one).
     * \param name attribute name
     * \param value its value
     * \param rest more pairs
     */
    template <typename... Ts>
    void SetQueueAttributes(const std::string& name, const AttributeValue& value, Ts&&... rest)
    {
        m_queueFactory.Set(name, value);
        SetQueueAttributes(std::forward<Ts>(rest)...);
    }

    void EnablePcapInternal(std::string prefix,
                            Ptr<NetDevice> nd,
                            bool promiscuous,
                            bool explicitFilename) override;
    void EnableAsciiInternal(Ptr<OutputStreamWrapper> stream,
                             std::string prefix,
                             Ptr<NetDevice> nd,
                             bool explicitFilename) override;

    ObjectFactory m_queueFactory;   //!< transmit queues
    ObjectFactory m_deviceFactory;  //!< devices
    ObjectFactory m_channelFactory; //!< channels
    bool m_flowControl;             //!< aggregate NetDeviceQueueInterface
};

template <typename... Ts>
void
FullDuplexEthernetHelper::SetQueue(std::string type, Ts&&... args)
{
    QueueBase::AppendItemTypeIfNotPresent(type, "Packet");
    m_queueFactory.SetTypeId(type);
    SetQueueAttributes(std::forward<Ts>(args)...);
}

} // namespace ns3

#endif /* FULL_DUPLEX_ETHERNET_HELPER_H */
