/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TRANSPORT_H
#define TLP_TRANSPORT_H

#include "tlp-peer-directory.h"

#include "ns3/callback.h"
#include "ns3/object.h"
#include "ns3/packet.h"

namespace ns3
{

class Node;

/**
 * \ingroup tlp-tunnel
 * \brief How a NIC reaches the network: carries tunnel packets to peer nodes.
 *
 * A transport knows addresses and queues, nothing of windows or TLPs. Send()
 * takes a packet that starts with a TunnelHeader; received packets reach the NIC
 * through the receive callback with the transport's own headers removed and the
 * address they came from, which IsFrom() compares with the peer directory: the
 * tunnel header's source field is the sender's claim, the link-level source is
 * what the network saw.
 */
class TlpTransport : public Object
{
  public:
    /// Callback with a received tunnel packet and its link-level source.
    typedef Callback<void, Ptr<Packet>, const Address&> ReceiveCallback;
    /// Callback that tells the NIC the transport has room again.
    typedef Callback<void> ReadyCallback;

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpTransport();
    ~TlpTransport() override;

    /**
     * \param receive called with every tunnel packet received
     * \param ready called when CanSend() may have become true again
     */
    void SetCallbacks(ReceiveCallback receive, ReadyCallback ready);
    /// \param directory the fabric's peer directory
    void SetDirectory(Ptr<TlpPeerDirectory> directory);
    /// \return the fabric's peer directory
    Ptr<TlpPeerDirectory> GetDirectory() const;

    /**
     * \brief Send a tunnel packet to a peer.
     * \param packet the packet (TunnelHeader first)
     * \param peer destination node ID
     * \return false when the packet could not be handed to the network
     */
    virtual bool Send(Ptr<Packet> packet, uint32_t peer) = 0;
    /**
     * \param peer destination node ID
     * \return true when Send() to the peer would not overflow the first queue
     */
    virtual bool CanSend(uint32_t peer) = 0;
    /// \return this NIC's address in the fabric (MAC or IPv4 address)
    virtual Address GetLocalAddress() const = 0;
    /**
     * \param node a node ID (a tunnel header's source field)
     * \param from the link-level source the receive callback gave with the packet
     * \return true when the directory's address of the node is that source (this
     *         base class: the two addresses are equal)
     */
    virtual bool IsFrom(uint32_t node, const Address& from) const;
    /**
     * \param payload bytes of a tunnel packet
     * \return bytes of the transport's encapsulation: the Ethernet frame (header,
     *         padding, FCS; without preamble and gap) or the IPv4 datagram (to which
     *         the link adds its framing)
     */
    virtual uint32_t GetWireSize(uint32_t payload) const = 0;
    /**
     * \return the largest tunnel packet the transport's path carries in one frame:
     *         the link device's MTU less the transport's own headers (this base
     *         class: no limit)
     */
    virtual uint32_t GetMaxPacketSize() const;

  protected:
    void DoDispose() override;
    /// Run the ready callback, if any.
    void NotifyReady();

    ReceiveCallback m_receive;         //!< to the NIC
    ReadyCallback m_ready;             //!< to the NIC
    Ptr<TlpPeerDirectory> m_directory; //!< peers
};

} // namespace ns3

#endif /* TLP_TRANSPORT_H */
