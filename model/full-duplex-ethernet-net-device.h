/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef FULL_DUPLEX_ETHERNET_NET_DEVICE_H
#define FULL_DUPLEX_ETHERNET_NET_DEVICE_H

#include "ns3/data-rate.h"
#include "ns3/event-id.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/queue.h"
#include "ns3/traced-callback.h"

namespace ns3
{

class ErrorModel;
class FullDuplexEthernetChannel;

/**
 * \ingroup tlp-tunnel
 * \brief A full-duplex Ethernet port, as datacenter NICs and switch ports are: one
 * end of a FullDuplexEthernetChannel, transmitting and receiving at once.
 *
 * Frames are Ethernet II (DIX): destination and source Mac48Address, EtherType (any
 * value from 0x0600: IPv4, ARP, 0x88B5 and the rest), the payload padded with zeros
 * to 46 bytes, and the FCS (EthernetTrailer; computed when ns-3's ChecksumEnabled
 * is set, zero otherwise, as CSMA devices do). A frame of EtherType 0x8100 or
 * 0x88A8 carries an 802.1Q tag as the first 4 bytes of its payload: the header is
 * then 4 bytes longer and the MTU allows for it.
 *
 * Each frame occupies the transmitter for PreambleSize + 14 + max(46, payload) + 4 +
 * InterframeGap bytes at DataRate; its last bit reaches the other end that
 * serialization (without the gap) plus the channel's Delay after its first. Time
 * is kept in exact picoseconds; events are rounded up to the simulator's time
 * resolution, so throughput is exact whatever the resolution. There is no carrier
 * sense, collision, backoff, autonegotiation or pause (802.3x/PFC) frame.
 *
 * The device keeps an ns-3 Queue (TxQueue, DropTail by default in the helper); a
 * frame that does not fit is dropped (MacTxDrop) and Send() returns false. A
 * frame whose payload exceeds the Mtu (the largest payload, 1500 bytes by default;
 * 9000 makes jumbo frames) is refused by Send() and, on reception, dropped: both
 * counted. A ReceiveErrorModel drops corrupted frames at the receiver. While the
 * link is down Send() refuses frames, and the queue keeps what it holds until the
 * link comes up again.
 *
 * Received frames are passed up ReceiveLatency after their last bit arrives (0 on a
 * host; switch and router ports built by TlpTopologyHelper hold frames for the
 * switch's port-to-port latency). SupportsSendFrom() is true, so BridgeNetDevice
 * can switch between such ports, and NeedsArp() is true, so IPv4 runs over them
 * with ARP.
 */
class FullDuplexEthernetNetDevice : public NetDevice
{
  public:
    /// Ethernet II header: destination, source, EtherType.
    static constexpr uint32_t HEADER_SIZE = 14;
    /// Frame check sequence.
    static constexpr uint32_t FCS_SIZE = 4;
    /// Smallest payload: shorter ones are padded with zeros.
    static constexpr uint32_t MIN_PAYLOAD = 46;
    /// An 802.1Q (or 802.1ad) tag.
    static constexpr uint32_t VLAN_TAG_SIZE = 4;

    /// Counters of what the device carried and refused.
    struct Statistics
    {
        uint64_t txFrames = 0;        //!< frames transmitted
        uint64_t rxFrames = 0;        //!< frames received and passed up
        uint64_t txDropLinkDown = 0;  //!< Send() while the link was down
        uint64_t txDropOversize = 0;  //!< Send() of a payload above the Mtu
        uint64_t txDropBadType = 0;   //!< Send() with an EtherType below 0x0600
        uint64_t txDropQueueFull = 0; //!< Send() while the queue was full
        uint64_t rxDropLinkDown = 0;  //!< frames arriving while the link was down
        uint64_t rxDropLost = 0;      //!< frames on the cable when the link went down
        uint64_t rxDropError = 0;     //!< corrupted frames (ReceiveErrorModel)
        uint64_t rxDropFcs = 0;       //!< frames with a bad FCS (ChecksumEnabled)
        uint64_t rxDropOversize = 0;  //!< frames whose payload exceeds the Mtu
        uint64_t rxDropBadType = 0;   //!< frames with a length (not type) field
        uint64_t rxDropFiltered = 0;  //!< frames for another host, nobody promiscuous

        /// \return every drop, all reasons
        uint64_t Drops() const;
    };

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    FullDuplexEthernetNetDevice();
    ~FullDuplexEthernetNetDevice() override;

    /**
     * \brief Attach the device to a channel (one end of it).
     * \param channel the channel
     */
    void Attach(Ptr<FullDuplexEthernetChannel> channel);
    /// \param queue the transmit queue
    void SetQueue(Ptr<Queue<Packet>> queue);
    /// \return the transmit queue
    Ptr<Queue<Packet>> GetQueue() const;
    /// \param rate the line rate (positive)
    void SetDataRate(DataRate rate);
    /// \return the line rate
    DataRate GetDataRate() const;
    /// \param model error model applied to received frames
    void SetReceiveErrorModel(Ptr<ErrorModel> model);
    /// \return counters
    const Statistics& GetStatistics() const;

    /**
     * \param payload bytes after the Ethernet header (an 802.1Q tag included)
     * \return bytes of the frame: header, padded payload and FCS
     */
    static uint32_t GetFrameSize(uint32_t payload);
    /**
     * \param payload bytes after the Ethernet header
     * \return bytes the frame occupies the line for: preamble and SFD, frame, gap
     */
    uint32_t GetWireSize(uint32_t payload) const;
    /**
     * \param bytes bytes on the line
     * \return their serialization at DataRate, picoseconds (rounded to the nearest)
     */
    int64_t GetSerializationPs(uint32_t bytes) const;
    /**
     * \param payload bytes after the Ethernet header
     * \return time from a frame's first preamble bit to its last FCS bit on the line
     */
    Time GetFrameTime(uint32_t payload) const;

    /**
     * \brief A frame arrived from the channel (or, in a distributed simulation, from
     * the MpiReceiver aggregated to this device).
     * \param frame the frame, header and FCS included
     */
    void Receive(Ptr<Packet> frame);
    /**
     * \brief A frame was on the cable when the link went down.
     * \param frame the frame
     */
    void LoseInFlight(Ptr<Packet> frame);
    /**
     * \brief The channel's link state changed (called by the channel).
     * \param up the new state
     */
    void NotifyLinkChange(bool up);

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
    bool IsPointToPoint() const override;
    bool IsBridge() const override;
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

  private:
    /**
     * \param protocol an EtherType
     * \return true for the 802.1Q and 802.1ad tag types
     */
    static bool IsTagged(uint16_t protocol);
    /// Start the next frame of the queue, if any and the link is up.
    void StartNext();
    /// The frame being sent has left (its last bit).
    void TransmitComplete();
    /**
     * \brief Pass a received frame up, ReceiveLatency after it arrived.
     * \param frame the frame as received (for the traces)
     * \param packet its payload
     * \param protocol EtherType
     * \param source source address
     * \param destination destination address
     * \param type packet type
     */
    void ForwardUp(Ptr<Packet> frame,
                   Ptr<Packet> packet,
                   uint16_t protocol,
                   Mac48Address source,
                   Mac48Address destination,
                   PacketType type);

    Ptr<Node> m_node;                         //!< the node
    Ptr<FullDuplexEthernetChannel> m_channel; //!< the link
    Ptr<Queue<Packet>> m_queue;               //!< transmit queue
    Ptr<ErrorModel> m_receiveErrorModel;      //!< receive losses
    Mac48Address m_address;                   //!< our address
    uint32_t m_ifIndex;                       //!< interface index
    uint16_t m_mtu;                           //!< largest payload
    DataRate m_rate;                          //!< line rate
    uint32_t m_preamble;                      //!< preamble and SFD, bytes
    uint32_t m_interframeGap;                 //!< inter-frame gap, bytes
    Time m_receiveLatency;                    //!< hold before passing frames up
    bool m_linkUp;                            //!< link state
    bool m_transmitting;                      //!< a frame is on the line
    Ptr<Packet> m_current;                    //!< the frame being sent
    int64_t m_txFreePs;                       //!< when the line may take the next frame, ps
    EventId m_txComplete;                     //!< end of the current frame
    Statistics m_stats;                       //!< counters

    NetDevice::ReceiveCallback m_rxCallback;             //!< to the node
    NetDevice::PromiscReceiveCallback m_promiscCallback; //!< to promiscuous handlers
    TracedCallback<> m_linkChangeCallbacks;              //!< link up or down

    TracedCallback<Ptr<const Packet>> m_macTxTrace;          //!< MacTx
    TracedCallback<Ptr<const Packet>> m_macTxDropTrace;      //!< MacTxDrop
    TracedCallback<Ptr<const Packet>> m_macPromiscRxTrace;   //!< MacPromiscRx
    TracedCallback<Ptr<const Packet>> m_macRxTrace;          //!< MacRx
    TracedCallback<Ptr<const Packet>> m_macRxDropTrace;      //!< MacRxDrop
    TracedCallback<Ptr<const Packet>> m_phyTxBeginTrace;     //!< PhyTxBegin
    TracedCallback<Ptr<const Packet>> m_phyTxEndTrace;       //!< PhyTxEnd
    TracedCallback<Ptr<const Packet>> m_phyRxEndTrace;       //!< PhyRxEnd
    TracedCallback<Ptr<const Packet>> m_phyRxDropTrace;      //!< PhyRxDrop
    TracedCallback<Ptr<const Packet>> m_snifferTrace;        //!< Sniffer
    TracedCallback<Ptr<const Packet>> m_promiscSnifferTrace; //!< PromiscSniffer
};

} // namespace ns3

#endif /* FULL_DUPLEX_ETHERNET_NET_DEVICE_H */
