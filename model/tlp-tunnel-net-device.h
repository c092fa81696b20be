/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TUNNEL_NET_DEVICE_H
#define TLP_TUNNEL_NET_DEVICE_H

#include "pcie-port.h"
#include "tlp-header.h"
#include "tlp-request-tracker.h"
#include "tlp-transport.h"
#include "tlp-window-table.h"
#include "tunnel-grant-header.h"
#include "tunnel-header.h"

#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include <deque>
#include <tuple>
#include <unordered_map>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The NIC that tunnels TLPs between compute nodes.
 *
 * The NIC is an endpoint on a PCIe link of its node (its PciePort) and claims
 * address windows through it. A TLP that reaches it through a window is translated (at this NIC
 * or at the receiving one, per window), encapsulated behind a TunnelHeader and
 * handed to a TlpTransport (Ethernet frames or UDP datagrams) towards the node the
 * window maps to. The receiving NIC extracts the TLP, translates its address if
 * that is its job, and places it on its own interconnect, where it reaches memory.
 * Apart from the address (and the ECRC recomputed after the edit) the TLP is
 * unchanged: Requester ID and tag travel as they are, and completions find their
 * way back because Requester IDs are unique across the fabric: the interconnect
 * routes completions for foreign requesters to the NIC (its default completion
 * port), which sends them to the node the request came from.
 *
 * Before data flows, the sending NIC asks the receiving NIC for a region
 * (GRANT_REQUEST); the receiver allocates it (from [ExportBase, ExportBase +
 * ExportSize) unless a base was asked for) and answers with its range (GRANT).
 * TLPs that reach the NIC before the grant wait; the NIC holds at most RxCredits
 * TLPs from its interconnect, so a full NIC back-pressures the interconnect and
 * nothing is lost.
 *
 * Malformed packets from the network are dropped and counted, and never reach
 * memory: a request is placed only at an address inside a region this NIC granted
 * to the sender.
 */
class TlpTunnelNetDevice : public NetDevice
{
  public:
    /// Why the NIC dropped a packet or a TLP.
    enum DropReason : uint8_t
    {
        DROP_MALFORMED_PACKET = 0, ///< tunnel header or lengths do not parse
        DROP_MALFORMED_TLP,        ///< a TLP inside a packet does not parse
        DROP_ECRC,                 ///< ECRC mismatch
        DROP_NO_REGION,            ///< request outside any region granted to the sender
        DROP_UNKNOWN_REQUESTER,    ///< completion for a requester of no known node
        DROP_REFUSED,              ///< posted request to a window whose grant was refused
        DROP_TRANSPORT,            ///< the transport refused the packet
        DROP_UNKNOWN_SOURCE        ///< packet from a node that has no NIC in the fabric
    };

    /// Callback of ReadRemote(): (status, data).
    typedef Callback<void, uint8_t, const std::vector<uint8_t>&> ReadCallback;

    /// Counters of what the NIC did.
    struct Statistics
    {
        uint64_t tlpsCrossed = 0;         //!< TLPs crossing interconnect/NIC, both ways (Sniffer)
        uint64_t tlpsToNetwork = 0;       //!< TLPs sent to peers
        uint64_t tlpsFromNetwork = 0;     //!< TLPs placed on the interconnect
        uint64_t packetsSent = 0;         //!< tunnel packets sent
        uint64_t packetsReceived = 0;     //!< tunnel packets received
        uint64_t tunnelTlpsSent = 0;      //!< TLPs inside the DATA packets sent
        uint64_t tunnelTlpsReceived = 0;  //!< TLPs inside the DATA packets received
        uint64_t grantRequests = 0;       //!< GRANT_REQUEST packets sent
        uint64_t grantsSent = 0;          //!< GRANT packets sent
        uint64_t malformedPackets = 0;    //!< packets dropped as malformed or of unknown source
        uint64_t tlpDrops = 0;            //!< TLPs dropped (any reason)
        uint64_t unsupportedRequests = 0; //!< UR completions the NIC generated
        uint64_t sequenceGaps = 0;        //!< missing sequence numbers seen
        uint64_t maxPending = 0;          //!< most TLPs waiting for grants at once
    };

    /**
     * TracedCallback signature for packets and TLPs.
     * \param [in] packet the packet or TLP
     */
    typedef void (*PacketTracedCallback)(Ptr<const Packet> packet);
    /**
     * TracedCallback signature for drops.
     * \param [in] packet the packet or TLP
     * \param [in] reason a DropReason
     */
    typedef void (*DropTracedCallback)(Ptr<const Packet> packet, uint8_t reason);
    /**
     * TracedCallback signature for grants.
     * \param [in] peer the receiving node
     * \param [in] window the window ID
     * \param [in] regionBase the region's base at the receiver
     */
    typedef void (*GrantTracedCallback)(uint32_t peer, uint16_t window, uint64_t regionBase);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpTunnelNetDevice();
    ~TlpTunnelNetDevice() override;

    /**
     * \brief Become the endpoint of a PCIe link of the node.
     * \param port the endpoint's end of the link
     */
    void Attach(Ptr<PciePort> port);
    /**
     * \brief Use a transport towards the other NICs.
     * \param transport the transport, attached to its lower device or socket
     */
    void SetTransport(Ptr<TlpTransport> transport);
    /// \return the transport
    Ptr<TlpTransport> GetTransport() const;

    /**
     * \brief Claim a window on the interconnect that maps to a region of a peer.
     *
     * The window's base and size, and the region's base, must be multiples of
     * 4 KiB (so the low address bits, byte enables and completion lower addresses
     * survive translation). The peer must be in the transport's directory.
     * \param base first local address
     * \param size bytes
     * \param peer receiving node ID
     * \param regionBase region base at the peer, or TunnelGrantHeader::ANY_BASE
     * \param translateAt where the address is translated
     * \return the window ID
     */
    uint16_t AddWindow(uint64_t base,
                       uint64_t size,
                       uint32_t peer,
                       uint64_t regionBase = TunnelGrantHeader::ANY_BASE,
                       TlpWindow::TranslateAt translateAt = TlpWindow::SENDER);
    /**
     * \param id a window ID
     * \return the window (read only), or nullptr
     */
    const TlpWindow* GetWindow(uint16_t id);
    /// \return number of windows
    uint16_t GetNWindows() const;

    /**
     * \brief Read remote memory on the CPU's behalf (claim 38): the NIC generates the
     * read requests, sends them through the window and writes the data it gets back
     * to local memory at localAddress before calling back.
     * \param windowAddress first byte, an address inside one of this NIC's windows
     * \param size bytes
     * \param localAddress where the data goes in local memory
     * \param done callback with the status and the data
     */
    void ReadRemote(uint64_t windowAddress,
                    uint32_t size,
                    uint64_t localAddress,
                    ReadCallback done);

    /// \return the NIC's bus/device/function (Requester ID of its own requests)
    uint16_t GetRequesterId() const;
    /// \return the NIC's end of its PCIe link, null before Attach()
    Ptr<PciePort> GetPort() const;
    /// \return the counters
    const Statistics& GetStatistics() const;
    /**
     * \return the largest tunnel packet the NIC sends: the smaller of MaxPacketSize
     *         and what the transport's path carries (TlpTransport::GetMaxPacketSize)
     */
    uint32_t GetMaxPacketSize() const;

    // NetDevice
    void SetIfIndex(const uint32_t index) override;
    uint32_t GetIfIndex() const override;
    Ptr<Channel> GetChannel() const override;
    void SetAddress(Address address) override;
    Address GetAddress() const override;
    bool SetMtu(const uint16_t mtu) override;
    uint16_t GetMtu() const override;
    bool IsLinkUp() const override;
    void AddLinkChangeCallback(Callback<void> callback) override;
    bool IsBroadcast() const override;
    Address GetBroadcast() const override;
    bool IsMulticast() const override;
    Address GetMulticast(Ipv4Address multicastGroup) const override;
    Address GetMulticast(Ipv6Address addr) const override;
    bool IsBridge() const override;
    bool IsPointToPoint() const override;
    bool Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber) override;
    bool SendFrom(Ptr<Packet> packet,
                  const Address& source,
                  const Address& dest,
                  uint16_t protocolNumber) override;
    Ptr<Node> GetNode() const override;
    void SetNode(Ptr<Node> node) override;
    bool NeedsArp() const override;
    void SetReceiveCallback(NetDevice::ReceiveCallback cb) override;
    void SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback cb) override;
    bool SupportsSendFrom() const override;

  protected:
    void DoDispose() override;
    void DoInitialize() override;

  private:
    /// A region this NIC granted to a sender's window.
    struct Region
    {
        uint64_t windowBase; //!< window base at the sender
        uint64_t size;       //!< bytes
        uint64_t regionBase; //!< region base here
        bool translateHere;  //!< this NIC translates
    };

    /// A tunnel packet waiting for the transport.
    struct Outgoing
    {
        Ptr<Packet> packet; //!< the packet
        uint32_t peer;      //!< destination node
        uint32_t credits;   //!< interconnect credits to return once sent
        uint16_t tlps;      //!< TLPs inside
    };

    /// TLPs gathered for one peer, to leave in one packet.
    struct Batch
    {
        TunnelHeader header;        //!< DATA header: window, flags, each TLP's size
        std::vector<uint8_t> bytes; //!< the TLPs, back to back (one copy per TLP)
        uint32_t credits = 0;       //!< interconnect credits they hold
        EventId timer;              //!< AggregationTimeout
    };

    /// A NIC-generated remote read (ReadRemote()).
    struct OwnRead
    {
        uint64_t localAddress;     //!< where the data goes
        std::vector<uint8_t> data; //!< the data
        uint32_t outstanding;      //!< requests not yet ended
        uint8_t status;            //!< worst status
        ReadCallback done;         //!< callback
    };

    /**
     * \brief A TLP delivered by the interconnect.
     * \param tlp the TLP
     */
    void ReceiveFromInterconnect(Ptr<Packet> tlp);
    /**
     * \brief Queue a TLP for the interconnect, to leave once processed.
     * \param tlp the TLP
     */
    void QueueToInterconnect(Ptr<Packet> tlp);
    /**
     * \brief Send a request TLP through a window (or hold it until the grant).
     * \param window the window
     * \param tlp the TLP
     * \param credits interconnect credits it holds
     */
    void SendThroughWindow(TlpWindow& window, Ptr<Packet> tlp, uint32_t credits);
    /**
     * \brief Send a request TLP through a window, its header already parsed.
     * \param window the window
     * \param tlp the TLP
     * \param header the TLP's header
     * \param credits interconnect credits it holds
     */
    void SendThroughWindow(TlpWindow& window,
                           Ptr<Packet> tlp,
                           const TlpHeader& header,
                           uint32_t credits);
    /**
     * \brief Encapsulate TLPs and queue the packet for the transport.
     * \param peer destination node
     * \param window window ID for the header
     * \param flags tunnel flags
     * \param tlp the TLP
     * \param credits interconnect credits to return once sent
     */
    void Encapsulate(uint32_t peer,
                     uint16_t window,
                     uint8_t flags,
                     Ptr<Packet> tlp,
                     uint32_t credits);
    /**
     * \brief Send the TLPs gathered for a peer in one packet.
     * \param peer destination node
     */
    void FlushBatch(uint32_t peer);
    /**
     * \brief Make the TLPs gathered for a peer one packet and start a new batch.
     * \param peer destination node (its batch holds a TLP at least)
     * \return the packet, for the transport
     */
    Outgoing TakeBatch(uint32_t peer);
    /**
     * \brief Queue a control packet (GRANT_REQUEST, GRANT) for the transport.
     * \param peer destination node
     * \param kind the kind
     * \param window window ID
     * \param body the grant body
     */
    void SendControl(uint32_t peer,
                     TunnelHeader::Kind kind,
                     uint16_t window,
                     const TunnelGrantHeader& body);
    /**
     * \param peer destination node
     * \param header a header to stamp with source and sequence number
     */
    void Stamp(uint32_t peer, TunnelHeader& header);
    /**
     * \param window window ID
     * \param flags tunnel flags
     * \return a DATA header without TLPs yet
     */
    static TunnelHeader DataHeader(uint16_t window, uint8_t flags);
    /// Hand queued packets to the transport while it has room.
    void SendQueued();
    /**
     * \brief Send (or resend) a window's GRANT_REQUEST.
     * \param id the window ID
     */
    void RequestGrant(uint16_t id);

    /**
     * \brief A tunnel packet from the transport.
     * \param packet the packet
     */
    void ReceiveFromNetwork(Ptr<Packet> packet);
    /**
     * \brief Handle one TLP extracted from a DATA packet.
     * \param header the packet's tunnel header
     * \param tlp the TLP
     */
    void ExtractTlp(const TunnelHeader& header, Ptr<Packet> tlp);
    /**
     * \brief Handle a GRANT_REQUEST.
     * \param header the tunnel header
     * \param body the request
     */
    void HandleGrantRequest(const TunnelHeader& header, const TunnelGrantHeader& body);
    /**
     * \brief Handle a GRANT.
     * \param header the tunnel header
     * \param body the grant
     * \return false when the grant names no window of ours towards its sender
     */
    bool HandleGrant(const TunnelHeader& header, const TunnelGrantHeader& body);
    /**
     * \brief Answer a request that cannot be delivered: UR completion when non-posted,
     * counted drop when posted.
     * \param request the request TLP
     * \param reason the drop reason for posted requests
     * \param toPeer send the completion to this node (UINT32_MAX: onto the interconnect)
     */
    void Refuse(Ptr<const Packet> request, DropReason reason, uint32_t toPeer);
    /**
     * \brief Place a TLP on the interconnect (queued while it is busy).
     * \param tlp the TLP
     */
    void PlaceOnInterconnect(Ptr<Packet> tlp);
    /// Move queued TLPs onto the interconnect while it takes them.
    void DrainToInterconnect();
    /**
     * \brief Edit a TLP's address; recompute the ECRC when it has one.
     * \param tlp the TLP
     * \param h its header
     * \param address the new address
     * \return the edited TLP
     */
    static Ptr<Packet> Readdress(Ptr<Packet> tlp, TlpHeader h, uint64_t address);
    /**
     * \brief Count a drop.
     * \param packet the packet or TLP
     * \param reason why
     */
    void Drop(Ptr<const Packet> packet, DropReason reason);
    /**
     * \brief Completion data of a NIC-generated read.
     * \param cookie the read
     * \param offset offset of the bytes
     * \param data the bytes
     * \param size byte count
     */
    void OwnReadData(uint64_t cookie, uint32_t offset, const uint8_t* data, uint32_t size);
    /**
     * \brief A NIC-generated read request ended.
     * \param cookie the read
     * \param status its status
     */
    void OwnReadEnded(uint64_t cookie, uint8_t status);
    /// Send queued own read requests while tags are free.
    void SendOwnReads();
    /**
     * \param node a peer node
     * \param window a window ID of that node
     * \return key of the region table
     */
    static uint64_t RegionKey(uint32_t node, uint16_t window);

    Ptr<Node> m_node;              //!< the node
    uint32_t m_ifIndex;            //!< interface index
    Mac48Address m_address;        //!< a locally administered MAC, for NetDevice
    uint16_t m_mtu;                //!< NetDevice MTU (unused by the tunnel)
    Ptr<PciePort> m_port;          //!< our end of the PCIe link
    Ptr<TlpTransport> m_transport; //!< the network side

    uint16_t m_requesterId; //!< our bus/device/function
    uint32_t m_rxCredits;   //!< TLPs we accept from the interconnect before returning credits
    Time m_processingDelay; //!< per TLP or packet, each direction
    Time m_grantRetry;      //!< GRANT_REQUEST retransmission interval
    uint64_t m_exportBase;  //!< pool for regions granted on request
    uint64_t m_exportSize;  //!< pool size
    uint64_t m_exportNext;  //!< next free byte of the pool
    uint32_t m_maxReadRequestSize; //!< for ReadRemote()
    uint32_t m_maxPayloadSize;     //!< for ReadRemote() data writes
    uint32_t m_aggregationLimit;   //!< most TLPs per packet
    Time m_aggregationTimeout;     //!< longest a TLP waits for companions
    uint32_t m_maxPacketSize;      //!< largest tunnel packet, bytes

    TlpWindowTable m_windows;                            //!< our windows
    std::unordered_map<uint64_t, Region> m_regions;      //!< granted regions by (sender, window)
    std::unordered_map<uint16_t, uint32_t> m_requesters; //!< remote Requester ID to node
    std::unordered_map<uint32_t, uint32_t> m_txSequence; //!< next sequence number per peer
    std::unordered_map<uint32_t, uint32_t> m_rxSequence; //!< next expected per peer
    std::deque<Outgoing> m_toNetwork;                    //!< packets waiting for the transport
    std::unordered_map<uint32_t, Batch> m_batches;       //!< TLPs being gathered, per peer
    /// TLPs waiting for the interconnect, with the time their processing ends.
    std::deque<std::pair<Ptr<Packet>, Time>> m_toInterconnect;
    uint64_t m_pending;                               //!< TLPs waiting for grants
    TlpRequestTracker m_tracker;                      //!< our own reads
    std::unordered_map<uint64_t, OwnRead> m_ownReads; //!< our own reads by cookie
    /// Own read requests waiting for a tag: (cookie, offset, first address, bytes).
    std::deque<std::tuple<uint64_t, uint32_t, uint64_t, uint32_t>> m_ownQueue;
    bool m_inSendQueued;    //!< SendQueued() is running
    uint64_t m_nextOwnRead; //!< cookie of the next own read
    Statistics m_stats;     //!< counters

    NetDevice::ReceiveCallback m_rxCallback;             //!< unused: the NIC carries no L3
    NetDevice::PromiscReceiveCallback m_promiscCallback; //!< unused

    TracedCallback<Ptr<const Packet>> m_snifferTrace;       //!< every TLP crossing interconnect/NIC
    TracedCallback<Ptr<const Packet>> m_tlpTxTrace;         //!< TLP taken from the interconnect
    TracedCallback<Ptr<const Packet>> m_tlpRxTrace;         //!< TLP placed on the interconnect
    TracedCallback<Ptr<const Packet>> m_macTxTrace;         //!< tunnel packet to the transport
    TracedCallback<Ptr<const Packet>> m_macRxTrace;         //!< tunnel packet from the transport
    TracedCallback<Ptr<const Packet>, uint8_t> m_dropTrace; //!< drops
    TracedCallback<uint32_t, uint16_t, uint64_t> m_grantTrace; //!< (peer, window, region base)
};

} // namespace ns3

#endif /* TLP_TUNNEL_NET_DEVICE_H */
