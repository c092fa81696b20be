/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_UDP_TRANSPORT_H
#define TLP_UDP_TRANSPORT_H

#include "tlp-transport.h"

#include "ns3/ipv4-address.h"
#include "ns3/queue-item.h"
#include "ns3/queue.h"
#include "ns3/socket.h"

namespace ns3
{

class QueueDisc;
class QueueDiscItem;
class NetDevice;

/**
 * \ingroup tlp-tunnel
 * \brief Carries tunnel packets in UDP/IPv4 datagrams on the node's IP stack, so
 * tunnels cross any ns-3 topology with routing, point-to-point links included
 * (and MPI partitions, which split topologies at point-to-point links).
 *
 * CanSend() watches the queue the datagrams first meet (the traffic-control root
 * queue disc of the output device, or the device queue) so the NIC never
 * overflows it.
 */
class TlpUdpTransport : public TlpTransport
{
  public:
    /// Default UDP port of the tunnel (0xCAFE).
    static constexpr uint16_t DEFAULT_PORT = 51966;

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpUdpTransport();
    ~TlpUdpTransport() override;

    /**
     * \brief Open the socket on a node with an Internet stack.
     * \param node the node
     * \param local this NIC's IPv4 address (one of the node's interfaces)
     */
    void Attach(Ptr<Node> node, Ipv4Address local);

    bool Send(Ptr<Packet> packet, uint32_t peer) override;
    bool CanSend(uint32_t peer) override;
    Address GetLocalAddress() const override;
    bool IsFrom(uint32_t node, const Address& from) const override;
    uint32_t GetWireSize(uint32_t payload) const override;
    /**
     * \return the smallest MTU of the node's IPv4 interfaces less the IPv4 and UDP
     *         headers (datagrams are never fragmented)
     */
    uint32_t GetMaxPacketSize() const override;

  protected:
    void DoDispose() override;

  private:
    /**
     * \param socket the socket with data
     */
    void Receive(Ptr<Socket> socket);
    /**
     * \param peer a node ID
     * \return the output device towards it
     */
    Ptr<NetDevice> OutputDevice(uint32_t peer);
    /**
     * \brief A packet left the watched queue.
     * \param item the queue item
     */
    void Dequeued(Ptr<const QueueDiscItem> item);
    /**
     * \brief A packet left the watched device queue.
     * \param packet the packet
     */
    void DeviceDequeued(Ptr<const Packet> packet);

    uint16_t m_port;                  //!< UDP port
    Ptr<Node> m_node;                 //!< the node
    Ipv4Address m_local;              //!< our address
    Ptr<Socket> m_socket;             //!< the socket
    Ptr<NetDevice> m_single;          //!< the only non-loopback IPv4 interface, if one
    Ptr<NetDevice> m_watched;         //!< device whose queue is watched
    Ptr<QueueDisc> m_queueDisc;       //!< its root queue disc, if any
    Ptr<Queue<Packet>> m_deviceQueue; //!< its device queue otherwise
    bool m_waiting;                   //!< CanSend() returned false since the last ready call
};

} // namespace ns3

#endif /* TLP_UDP_TRANSPORT_H */
