/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_PEER_SESSION_H
#define TLP_PEER_SESSION_H

#include "tlp-header.h"
#include "tlp-packer.h"
#include "tunnel-ack-header.h"
#include "tunnel-header.h"

#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/sequence-number.h"
#include "ns3/watchdog.h"

#include <deque>
#include <memory>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Everything a NIC keeps per peer: the queue of TLPs bound for it, sequence
 * numbers both ways, the retransmission buffer, acknowledgement state and timers.
 *
 * Sending: TLPs enter one FIFO per peer (so a TLP waiting for its window's grant
 * holds back everything behind it for that peer, as PCIe ordering asks, and nothing
 * bound elsewhere). The head run of compatible TLPs becomes a packet (the packer's
 * limits; AggregationTimeout for company) that takes the next SequenceNumber32 and
 * enters the retransmission buffer, bounded to BufferPackets: when it is full TLPs
 * stay queued with their interconnect credits, so the NIC back-pressures its
 * interconnect and never drops. With reliability off a packet leaves the buffer as
 * soon as it is sent.
 *
 * Reliable delivery: the receiver acknowledges cumulatively (piggybacked on its own
 * packets, or in ACK packets every AckEvery packets or AckDelay after one), drops
 * duplicates and hands packets on in sequence order. SelectiveRepeat (as IRN) keeps
 * out-of-order packets and reports them in SACK blocks; the sender retransmits a
 * packet when one sent ReorderThreshold transmissions after it was acknowledged
 * (fast retransmission of SACK holes, lost retransmissions included). GoBackN (as
 * RoCE RC) drops out-of-order packets and answers the first with a NAK; the sender
 * resends everything from the NAK's number. Both resend on the retransmission
 * timeout, computed from measured round trips as RFC 6298 does (Karn's rule, a floor
 * and a ceiling) and doubled on each expiry; after RetryLimit expiries without
 * progress the peer is declared unreachable and every queued or unacknowledged TLP
 * goes back to the NIC to be answered.
 *
 * Without the reliable flag a receiver hands packets on at once and counts the
 * sequence numbers it has not seen (late arrivals are no loss, duplicates are
 * dropped and counted).
 *
 * The NIC is the session's Host. The session never holds a reference into its
 * queues across a Host call that may run trace sinks.
 */
class TlpPeerSession
{
  public:
    /// How lost packets are recovered.
    enum Recovery : uint8_t
    {
        GO_BACK_N = 0,       ///< resend everything from the first loss (RoCE RC)
        SELECTIVE_REPEAT = 1 ///< resend only what SACK shows missing (IRN)
    };

    /// Session parameters (the NIC's attributes).
    struct Config
    {
        uint32_t self = 0;                    //!< this node's ID (the packets' source)
        bool reliable = true;                 //!< sequenced, acknowledged delivery
        Recovery recovery = SELECTIVE_REPEAT; //!< recovery mode
        uint32_t bufferPackets = 256;         //!< retransmission buffer and receive window
        uint32_t ackEvery = 16;               //!< packets received before an ACK
        Time ackDelay;                        //!< longest wait for AckEvery packets
        Time initialRto;                      //!< retransmission timeout before a sample
        Time minRto;                          //!< its floor
        Time maxRto;                          //!< its ceiling
        uint32_t retryLimit = 8;              //!< timeouts without progress before failure
        uint32_t reorderThreshold = 3;        //!< transmissions before a hole is a loss
        uint32_t sackBlocks = 16;             //!< most SACK blocks per ACK
        uint32_t initialSequence = 0;         //!< first sequence number, both ways
        TlpPacker packer;                     //!< aggregation limits
        Time aggregationTimeout;              //!< longest wait for company
    };

    /// Counters the sessions of a NIC share.
    struct Counters
    {
        uint64_t packetsRetransmitted = 0; //!< packets sent again
        uint64_t fastRetransmits = 0;      //!< losses found by SACK or NAK
        uint64_t timeouts = 0;             //!< retransmission timer expiries
        uint64_t acksSent = 0;             //!< ACK packets sent
        uint64_t acksReceived = 0;         //!< ACK packets received
        uint64_t naksSent = 0;             //!< ACK packets with NAK sent
        uint64_t duplicatesDropped = 0;    //!< sequenced packets received again, dropped
        uint64_t outOfOrder = 0;           //!< received ahead of a gap (buffered or dropped)
        uint64_t outOfWindow = 0;          //!< sequence number beyond the receive window
        uint64_t sequenceGaps = 0;         //!< unreliable: sequence numbers not seen (yet)
        uint64_t lateArrivals = 0;         //!< unreliable: packets that filled a gap
        uint64_t peersUnreachable = 0;     //!< sessions that hit the retry limit
        uint64_t maxQueued = 0;            //!< most TLPs queued in one session at once
    };

    /// A TLP waiting to leave for the peer.
    struct Item
    {
        Ptr<Packet> tlp;                              //!< the TLP
        TlpHeader header;                             //!< its header
        TunnelHeader::Kind kind = TunnelHeader::DATA; //!< DATA or COMPLETION
        uint16_t window = 0;                          //!< window ID in the tunnel header
        uint32_t key = 0;                             //!< region key in the tunnel header
        uint8_t flags = 0;                            //!< tunnel flags (FLAG_TRANSLATED)
        uint32_t credits = 0;                         //!< interconnect credits it holds
        bool prepared = false;                        //!< Host::Prepare() said READY
        uint8_t reason = 0;                           //!< why Host::Prepare() refused it
        Time ready;                                   //!< when Host::Prepare() said READY
    };

    /// The Host's verdict on the TLP at the head of the queue.
    enum Readiness : uint8_t
    {
        READY = 0, ///< it may leave (translated, flags set)
        WAIT,      ///< it waits (its window's grant), and everything behind it
        REFUSE     ///< it cannot be delivered; the Host answers it
    };

    /// What Receive() made of a sequenced packet.
    enum Verdict : uint8_t
    {
        RX_DELIVER = 0,  ///< in order: handle it, then call DeliverBuffered()
        RX_BUFFERED,     ///< ahead of a gap, kept (SelectiveRepeat)
        RX_DUPLICATE,    ///< seen before, dropped
        RX_OUT_OF_ORDER, ///< ahead of a gap, dropped (GoBackN)
        RX_OUT_OF_WINDOW ///< too far ahead, dropped
    };

    /// What a session needs from its NIC.
    class Host
    {
      public:
        virtual ~Host() = default;
        /**
         * \brief Decide on a TLP at the head of the queue; READY may edit it.
         * \param peer the session's peer
         * \param item the TLP
         * \return the verdict
         */
        virtual Readiness Prepare(uint32_t peer, Item& item) = 0;
        /**
         * \brief Answer TLPs that will not reach the peer (refused, or peer unreachable)
         * and give back their credits.
         * \param peer the session's peer
         * \param items the TLPs
         * \param unreachable true when the peer is unreachable
         */
        virtual void Abandon(uint32_t peer, std::vector<Item>& items, bool unreachable) = 0;
        /**
         * \brief Answer the TLPs of packets the peer never acknowledged (it is unreachable).
         * \param peer the session's peer
         * \param packets the tunnel packets, header included
         */
        virtual void AbandonPackets(uint32_t peer, std::vector<Ptr<Packet>>& packets) = 0;
        /**
         * \param credits interconnect credits of TLPs that left the queue
         */
        virtual void ReturnCredits(uint32_t credits) = 0;
        /**
         * \brief The session has something to send.
         * \param peer the session's peer
         */
        virtual void Activate(uint32_t peer) = 0;
        /**
         * \brief Hand a tunnel packet to the transport.
         * \param peer the session's peer
         * \param packet the packet
         * \param retransmission true when it was sent before
         */
        virtual void Transmit(uint32_t peer, Ptr<Packet> packet, bool retransmission) = 0;
        /**
         * \brief Handle a packet kept out of order, now in order.
         * \param peer the session's peer
         * \param packet the tunnel packet, header included
         */
        virtual void Deliver(uint32_t peer, Ptr<Packet> packet) = 0;
        /**
         * \brief The peer did not acknowledge anything for RetryLimit timeouts (called
         * after the session's own TLPs were abandoned).
         * \param peer the session's peer
         */
        virtual void Unreachable(uint32_t peer) = 0;
    };

    /**
     * \param peer the peer's node ID
     * \param config parameters
     * \param host the NIC
     * \param counters the NIC's shared counters
     */
    TlpPeerSession(uint32_t peer, const Config& config, Host* host, Counters* counters);
    ~TlpPeerSession();

    /// \return the peer's node ID
    uint32_t GetPeer() const;
    /// \return true once the peer was declared unreachable
    bool IsUnreachable() const;

    // ------------------------------------------------------------- sending

    /**
     * \brief Queue a TLP for the peer.
     * \param item the TLP
     */
    void Enqueue(Item item);
    /**
     * \brief Queue a control packet (GRANT_REQUEST, GRANT): unsequenced, sent before
     * anything else, and even when the peer is unreachable for data.
     * \param packet the packet, header included
     */
    void EnqueueControl(Ptr<Packet> packet);
    /// Turn queued TLPs into packets while the buffer has room and the head is ready.
    void Pump();
    /// \return true when an ACK, a retransmission or a new packet waits for the transport
    bool HasWork() const;
    /**
     * \brief Send the most urgent packet: an ACK that cannot ride on data, a
     * retransmission, or a new packet.
     * \return false when there was nothing to send
     */
    bool SendOne();
    /// \return TLPs queued, not yet in a packet
    uint32_t GetQueued() const;
    /// \return packets in the retransmission buffer (sent or not)
    uint32_t GetUnacknowledged() const;
    /// \return the current retransmission timeout
    Time GetRto() const;
    /// \return the smoothed round-trip time (zero before a sample)
    Time GetSrtt() const;
    /// \return the next in-order sequence number expected from the peer
    uint32_t GetReceiveNext() const;

    // ----------------------------------------------------------- receiving

    /**
     * \brief Check a packet's acknowledgement before anything else is done with it.
     * \param header the tunnel header (ack number, FLAG_ACK)
     * \param sack the SACK blocks of an ACK packet, or nullptr
     * \return false when its cumulative acknowledgement names a sequence number not
     *         sent yet (drop the packet); SACK blocks are only used where they fall
     *         in the retransmission buffer
     */
    bool CheckAck(const TunnelHeader& header, const TunnelAckHeader* sack) const;
    /**
     * \brief Take a checked acknowledgement (an ACK packet, or piggybacked).
     * \param header the tunnel header
     * \param sack the SACK blocks of an ACK packet, or nullptr
     */
    void ProcessAck(const TunnelHeader& header, const TunnelAckHeader* sack);
    /**
     * \brief Account a DATA or COMPLETION packet's sequence number.
     * \param header the tunnel header
     * \param packet the packet (kept when buffered)
     * \return what to do with it
     */
    Verdict Receive(const TunnelHeader& header, Ptr<Packet> packet);
    /// Hand on (Host::Deliver) the kept packets that are now in order.
    void DeliverBuffered();

    /// Cancel timers, forget every packet (end of simulation).
    void Dispose();

  private:
    /// A packet in the retransmission buffer.
    struct Segment
    {
        SequenceNumber32 seq; //!< its sequence number
        TunnelHeader header;  //!< its header (the ack is stamped per transmission)
        Ptr<Packet> payload;  //!< the TLPs
        uint32_t txCount = 0; //!< transmissions so far
        uint64_t txOrder = 0; //!< order of its last transmission
        Time lastTx;          //!< time of its last transmission
        bool sacked = false;  //!< SACK says the peer has it
        bool lost = false;    //!< queued for retransmission
    };

    /// \return true when the peer expects an ACK packet that cannot ride on data
    bool NeedsAckPacket() const;
    /// Send an ACK packet.
    void SendAck();
    /**
     * \brief Send a segment of the buffer.
     * \param index its index
     */
    void Transmit(uint32_t index);
    /**
     * \param seq a sequence number
     * \param[out] index its index in the buffer
     * \return true when it is in the buffer
     */
    bool IndexOf(SequenceNumber32 seq, uint32_t& index) const;
    /**
     * \brief Turn the first n queued TLPs into a segment.
     * \param n TLPs
     */
    void Form(uint32_t n);
    /**
     * \param a a prepared item
     * \param b another
     * \return true when they may share a packet
     */
    static bool Compatible(const Item& a, const Item& b);
    /**
     * \brief Take a round-trip sample (RFC 6298).
     * \param rtt the sample
     */
    void Sample(Time rtt);
    /// Start the retransmission timer (RFC 6298 5.1, 5.3).
    void RestartRto();
    /// The retransmission timer fired.
    void RtoExpired();
    /// Mark losses SACK revealed (a later transmission was acknowledged).
    void DetectLosses();
    /**
     * \brief Take one transmission of a packet for lost, if it is.
     * \param order the transmission
     * \param seq the packet
     * \param[out] decided false when the peer has not reported on the packet yet
     * \return true when it was taken for lost
     */
    bool MarkLost(uint64_t order, SequenceNumber32 seq, bool& decided);
    /// The ack timer fired.
    void AckTimerExpired();
    /// A packet arrived in order: acknowledge now or soon.
    void ScheduleAck();
    /// Ask the transport for a turn to send an ACK.
    void AckNow();
    /// Declare the peer unreachable: give every TLP back to the Host.
    void Fail();
    /**
     * \brief Account an unsequenced packet (reliability off at the sender).
     * \param seq its sequence number
     * \return RX_DELIVER, RX_DUPLICATE or RX_OUT_OF_WINDOW
     */
    Verdict ReceiveUnreliable(SequenceNumber32 seq);

    uint32_t m_peer;      //!< the peer
    Config m_config;      //!< parameters
    Host* m_host;         //!< the NIC
    Counters* m_counters; //!< shared counters
    bool m_unreachable;   //!< declared unreachable
    bool m_inPump;        //!< Pump() is running

    // sending
    std::deque<Item> m_queue;                  //!< TLPs not yet in a packet
    std::deque<Ptr<Packet>> m_control;         //!< control packets waiting for the transport
    std::deque<Segment> m_buffer;              //!< packets not yet acknowledged, in order
    uint32_t m_firstUnsent;                    //!< index of the first segment never sent
    SequenceNumber32 m_nextSeq;                //!< sequence number of the next segment formed
    std::deque<SequenceNumber32> m_retransmit; //!< SelectiveRepeat: losses to resend
    uint32_t m_goBack;                         //!< GoBackN: index to resend from (or UINT32_MAX)
    /// Transmissions in order (SelectiveRepeat): (txOrder, sequence number).
    std::deque<std::pair<uint64_t, SequenceNumber32>> m_transmissions;
    uint64_t m_txCounter;         //!< transmissions so far
    uint64_t m_highestAckedOrder; //!< latest transmission the peer acknowledged
    SequenceNumber32 m_covered;   //!< the peer reported on every number below
    /// Transmissions old enough to be lost, of packets the peer has not reported on.
    std::deque<std::pair<uint64_t, SequenceNumber32>> m_undecided;
    EventId m_batchTimer; //!< AggregationTimeout
    Time m_srtt;          //!< smoothed round-trip time
    Time m_rttvar;        //!< round-trip time variation
    Time m_rto;           //!< retransmission timeout
    bool m_sampled;       //!< a round-trip sample was taken
    uint32_t m_retries;   //!< timeouts since the last progress
    bool m_rtoArmed;      //!< the retransmission timer runs
    Time m_rtoDeadline;   //!< when the retransmission timer expires
    EventId m_rtoTimer;   //!< fires at or before the deadline

    // receiving
    SequenceNumber32 m_rxNext;         //!< next in-order sequence number
    std::deque<Ptr<Packet>> m_reorder; //!< kept packets, index = seq - m_rxNext
    uint32_t m_reorderCount;           //!< packets kept
    uint32_t m_ackPending;             //!< in-order packets not acknowledged
    bool m_ackNow;                     //!< an ACK is due
    bool m_sackDue;                    //!< the peer needs SACK blocks or a repeat
    bool m_nakDue;                     //!< GoBackN: a NAK is due
    SequenceNumber32 m_nakSentFor;     //!< the sequence number last NAKed
    bool m_nakSent;                    //!< m_nakSentFor is valid
    Watchdog m_ackTimer;               //!< AckDelay after the first unacknowledged packet
    SequenceNumber32 m_rxHighest;      //!< unreliable: one past the highest seen
    std::deque<bool> m_missing;        //!< unreliable: recent numbers not seen
};

} // namespace ns3

#endif /* TLP_PEER_SESSION_H */
