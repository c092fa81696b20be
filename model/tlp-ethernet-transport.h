/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_ETHERNET_TRANSPORT_H
#define TLP_ETHERNET_TRANSPORT_H

#include "tlp-transport.h"

#include "ns3/net-device.h"
#include "ns3/queue.h"

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Carries tunnel packets in Ethernet frames of EtherType 0x88B5 (IEEE local
 * experimental) on a lower Mac48 device: a FullDuplexEthernetNetDevice (or a CSMA
 * device), on a link to another host or to BridgeNetDevice switches.
 *
 * The transport watches the lower device's transmit queue (its "TxQueue"
 * attribute) so the NIC never overflows it: CanSend() is false while the queue is
 * full and the ready callback runs when the queue drains.
 */
class TlpEthernetTransport : public TlpTransport
{
  public:
    /// EtherType of tunnel frames (IEEE 802 local experimental 1).
    static constexpr uint16_t ETHERTYPE = 0x88B5;

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpEthernetTransport();
    ~TlpEthernetTransport() override;

    /**
     * \brief Use a lower device and receive its 0x88B5 frames.
     * \param lower a device with 48-bit MAC addresses on a node
     */
    void Attach(Ptr<NetDevice> lower);
    /// \return the lower device
    Ptr<NetDevice> GetLowerDevice() const;

    bool Send(Ptr<Packet> packet, uint32_t peer) override;
    bool CanSend(uint32_t peer) override;
    Address GetLocalAddress() const override;
    uint32_t GetWireSize(uint32_t payload) const override;
    /// \return the lower device's MTU (a tunnel packet is the whole frame payload)
    uint32_t GetMaxPacketSize() const override;

  protected:
    void DoDispose() override;

  private:
    /**
     * \brief Protocol handler for 0x88B5 frames.
     * \param device the receiving device
     * \param packet the frame payload
     * \param protocol the EtherType
     * \param from source address
     * \param to destination address
     * \param type packet type
     */
    void Receive(Ptr<NetDevice> device,
                 Ptr<const Packet> packet,
                 uint16_t protocol,
                 const Address& from,
                 const Address& to,
                 NetDevice::PacketType type);
    /**
     * \brief The lower device's queue released a packet.
     * \param packet the packet
     */
    void QueueDequeued(Ptr<const Packet> packet);

    Ptr<NetDevice> m_lower;     //!< the lower device
    Ptr<Queue<Packet>> m_queue; //!< its transmit queue, if it has one
    bool m_waiting;             //!< CanSend() returned false since the last ready call
};

} // namespace ns3

#endif /* TLP_ETHERNET_TRANSPORT_H */
