/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PCIE_PORT_H
#define PCIE_PORT_H

#include "pcie-link.h"
#include "tlp-header.h"

#include "ns3/callback.h"
#include "ns3/event-id.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <deque>
#include <string>
#include <tuple>

namespace ns3
{

class PcieRoutingElement;

/**
 * \ingroup tlp-tunnel
 * \brief One end of a PcieLink: the transaction layer's transmit queues and flow
 * control credits, and its receive buffer.
 *
 * A device on a PCIe link (an endpoint such as the NIC) uses its port and nothing
 * else of the node's PCIe:
 *
 * - Send() places a TLP on the link after a delay (the device's own processing),
 *   or queues it while the receiver at the other end has no credits for it. It
 *   returns false when the queue of the TLP's class (posted, non-posted, completion)
 *   is full; the ready callback runs when there is room again.
 * - The receive callback gets every TLP delivered to the port, SetDeliveryDelay()
 *   later (the device's processing of incoming TLPs, accounted without an event).
 * - SetReceiveCredits() bounds how many delivered TLPs the device holds;
 *   ReturnCredits() says it is done with some. TLPs beyond the bound wait in the
 *   port's receive buffer, whose flow control credits (attributes, per class,
 *   header credits of one TLP and data credits of 16 bytes) return to the other end
 *   by UpdateFC when a TLP leaves the buffer for the device.
 * - ClaimAddressRange(), ClaimRequesterId() and SetDefaultCompletionRoute() make the
 *   routing elements above (switches, the root complex) send the device memory
 *   requests for its ranges, completions for its Requester IDs, or completions for
 *   Requester IDs no one claims; IsHostMemory() asks whether a range is memory of
 *   the node.
 *
 * Transmission follows the ordering rules of the PCI Express Base Specification
 * (section 2.4.1): TLPs of one class leave in order; a posted request passes
 * non-posted requests and completions that wait for credits; a non-posted request
 * or a completion never passes an earlier posted request, unless it has Relaxed
 * Ordering set (completions) or ID-Based Ordering set and a different ID than every
 * posted request it passes.
 */
class PciePort : public Object
{
  public:
    /// Callback that hands a TLP to the port's owner.
    typedef Callback<void, Ptr<Packet>> ReceiveCallback;
    /// Callback that tells the owner the port takes TLPs again.
    typedef Callback<void> ReadyCallback;

    /// Flow control classes.
    enum FlowClass : uint8_t
    {
        POSTED = 0,     ///< MWr, Msg, MsgD: PH and PD credits
        NON_POSTED = 1, ///< MRd, I/O, configuration, AtomicOps: NPH and NPD credits
        COMPLETION = 2  ///< Cpl, CplD: CplH and CplD credits
    };

    /// Why the port dropped a TLP.
    enum DropReason : uint8_t
    {
        DROP_MALFORMED = 0 ///< bytes that do not parse as a TLP of consistent length
    };

    /**
     * TracedCallback signature for TLPs.
     * \param [in] tlp the TLP
     */
    typedef void (*TlpTracedCallback)(Ptr<const Packet> tlp);
    /**
     * TracedCallback signature for drops.
     * \param [in] tlp the TLP
     * \param [in] reason a DropReason
     */
    typedef void (*DropTracedCallback)(Ptr<const Packet> tlp, uint8_t reason);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    PciePort();
    ~PciePort() override;

    // ------------------------------------------------ what the owning device uses

    /**
     * \param name a name for logs and error messages
     */
    void SetName(const std::string& name);
    /// \return the name
    std::string GetName() const;
    /**
     * \param device the NetDevice behind the port (reported by the link), may be null
     */
    void SetDevice(Ptr<NetDevice> device);
    /// \return the NetDevice behind the port, or null
    Ptr<NetDevice> GetDevice() const;
    /**
     * \param receive called with each TLP delivered to the port
     */
    void SetReceiveCallback(ReceiveCallback receive);
    /**
     * \param ready called when the port takes TLPs again after Send() refused one
     */
    void SetReadyCallback(ReadyCallback ready);
    /**
     * \brief Place a TLP on the link.
     * \param tlp the TLP: header, data, ECRC digest when TD is set
     * \param delay time before the TLP can start (the sender's own processing)
     * \return false when the queue of the TLP's class is full (the TLP is not taken;
     *         the ready callback runs when there is room); malformed TLPs are taken
     *         and dropped
     */
    bool Send(Ptr<Packet> tlp, Time delay = Time(0));
    /**
     * \brief Send() for a TLP already known to be well formed (a routing element
     * forwarding one): the same, without parsing the header again.
     * \param tlp the TLP
     * \param delay time before it can start
     * \return false when the queue of its class is full
     */
    bool SendChecked(Ptr<Packet> tlp, Time delay = Time(0));
    /**
     * \brief SendChecked() when the caller knows what the TLP is.
     * \param tlp the TLP
     * \param delay time before it can start
     * \param s what it is (TlpHeader::PeekSummary)
     * \return false when the queue of its class is full
     */
    bool SendChecked(Ptr<Packet> tlp, Time delay, const TlpHeader::Summary& s);
    /**
     * \param flowClass a class
     * \return true when Send() would take a TLP of that class now
     */
    bool CanSend(FlowClass flowClass) const;
    /**
     * \param delay time added to every delivery to this port (the owner's processing)
     */
    void SetDeliveryDelay(Time delay);
    /**
     * \brief Bound the delivered TLPs the device holds before it returns credits.
     * \param tlps TLPs; 0 means unlimited (the default)
     */
    void SetReceiveCredits(uint32_t tlps);
    /**
     * \brief The device is done with TLPs it was delivered: let waiting ones in.
     * \param tlps number of TLPs
     */
    void ReturnCredits(uint32_t tlps = 1);
    /**
     * \brief Have memory requests for [base, base + size) routed to this port.
     * \param base first address
     * \param size bytes
     */
    void ClaimAddressRange(uint64_t base, uint64_t size);
    /**
     * \brief Stop routing a range claimed with ClaimAddressRange().
     * \param base first address
     * \param size bytes
     */
    void ReleaseAddressRange(uint64_t base, uint64_t size);
    /**
     * \param id a Requester ID whose completions are routed to this port
     */
    void ClaimRequesterId(uint16_t id);
    /// Route completions for Requester IDs no one claims to this port.
    void SetDefaultCompletionRoute();
    /**
     * \param base first address
     * \param size bytes
     * \return true when [base, base + size) is memory of the node (one memory range)
     */
    bool IsHostMemory(uint64_t base, uint64_t size) const;

    /// \return the link, or null before it is attached
    Ptr<PcieLink> GetLink() const;
    /// \return the port at the other end of the link, or null
    Ptr<PciePort> GetPeer() const;
    /**
     * \param flowClass a class
     * \return TLPs of that class waiting in the transmit queue
     */
    uint32_t GetQueued(FlowClass flowClass) const;

    // ---------------------------------- what routing elements (root complex, switch) use

    /**
     * \brief Make the port one of a routing element's: routing claims from the other
     * end of the link go to the element, and the element frees receive credits itself
     * (ReleaseCredits()) instead of the port doing so at delivery.
     * \param element the root complex or switch owning the port
     * \param target the port's index among the element's routing targets
     */
    void SetRoutingElement(PcieRoutingElement* element, uint32_t target);
    /**
     * \brief Free the receive credits a delivered TLP holds (routing elements).
     * \param s what the TLP is
     * \param at when its buffer is free (not before now)
     */
    void ReleaseCredits(const TlpHeader::Summary& s, Time at);

    // --------------------------------------------------------------- the link's side

    /**
     * \brief Called by PcieLink::Attach().
     * \param link the link
     * \param direction the direction this port transmits on
     * \param peer the port at the other end
     */
    void AttachLink(Ptr<PcieLink> link, PcieLink::Direction direction, Ptr<PciePort> peer);

    /**
     * \brief Called by PcieLink::DoDispose(): forget the link and the peer, so that
     * disposing this port later does not dispose the link again.
     */
    void DetachLink();

  protected:
    void DoDispose() override;

  private:
    /// A TLP waiting in the transmit queue of its class.
    struct Queued
    {
        Ptr<Packet> tlp;       //!< the TLP
        TlpHeader::Summary s;  //!< what it is
        int64_t readyPs;       //!< earliest start
        uint64_t seq;          //!< order of Send() calls
        uint64_t postedBefore; //!< posted TLPs taken by Send() before this one
        uint32_t dataCredits;  //!< data credits it needs
        uint16_t id;           //!< Requester ID (requests) or Completer ID (completions)
        uint8_t attr;          //!< Attr[2:0]
    };

    /// Credits of one class the transmitter may still use.
    struct Credits
    {
        bool infinite = true;     //!< the receiver advertised infinite credits
        uint64_t headerLimit = 0; //!< header credits granted so far
        uint64_t dataLimit = 0;   //!< data credits granted so far
        uint64_t headerUsed = 0;  //!< header credits consumed
        uint64_t dataUsed = 0;    //!< data credits consumed
        /// Returns on their way: (when the transmitter sees them, header, data).
        std::deque<std::tuple<int64_t, uint32_t, uint32_t>> returns;
    };

    /**
     * \brief Take the credits that have arrived by now.
     * \param c the credits of a class
     */
    static void ApplyReturns(Credits& c, int64_t nowPs);
    /**
     * \param flowClass a class
     * \param dataCredits data credits needed
     * \param nowPs now
     * \return true when the receiver has room for one more TLP of the class
     */
    bool HasCredits(FlowClass flowClass, uint32_t dataCredits, int64_t nowPs);
    /**
     * \param q a queued TLP of class flowClass
     * \param flowClass its class
     * \return true when the ordering rules let it leave now
     */
    bool OrderAllows(const Queued& q, FlowClass flowClass) const;
    /**
     * \brief Take a well-formed TLP: transmit it, or queue it.
     * \param tlp the TLP
     * \param delay time before it can start
     * \param s what it is
     * \return false when the queue of its class is full
     */
    bool Accept(Ptr<Packet> tlp, Time delay, const TlpHeader::Summary& s);
    /**
     * \brief Put a TLP on the wire and schedule its delivery.
     * \param tlp the TLP
     * \param s what it is
     * \param flowClass its class
     * \param dataCredits data credits it consumes
     * \param readyPs earliest start
     * \param nowPs now
     */
    void Transmit(Ptr<Packet> tlp,
                  const TlpHeader::Summary& s,
                  FlowClass flowClass,
                  uint32_t dataCredits,
                  int64_t readyPs,
                  int64_t nowPs);
    /// Send queued TLPs the credits and the ordering rules allow; arrange a retry.
    void TransmitQueued();
    /**
     * \brief Credits from the receiver at the other end are on their way.
     * \param flowClass the class
     * \param dataCredits data credits
     * \param visiblePs when they arrive
     */
    void AddReturn(FlowClass flowClass, uint32_t dataCredits, int64_t visiblePs);
    /**
     * \param flowClass a class
     * \return true when a TLP of the class waits for credits
     */
    bool WaitsForCredits(FlowClass flowClass) const;
    /**
     * \brief A TLP has crossed the link to this port.
     * \param tlp the TLP
     * \param s what it is
     */
    void Deliver(Ptr<Packet> tlp, TlpHeader::Summary s);
    /**
     * \brief Hand a TLP to the owner; free its credits unless a routing element does.
     * \param tlp the TLP
     * \param s what it is
     */
    void HandOver(Ptr<Packet> tlp, const TlpHeader::Summary& s);
    /**
     * \param flowClass a class
     * \param dataCredits data credits
     * \param atPs when the buffer they hold is free
     */
    void Release(FlowClass flowClass, uint32_t dataCredits, int64_t atPs);
    /**
     * \param i 0..5: PH, PD, NPH, NPD, CplH, CplD
     * \return the credits this port's receiver advertises (0: infinite)
     */
    uint32_t Advertised(uint32_t i) const;
    /// \return the routing element above this port; stops the simulation when none
    PcieRoutingElement* Above() const;

    std::string m_name;              //!< name
    Ptr<NetDevice> m_device;         //!< device behind the port
    Ptr<PcieLink> m_link;            //!< the link
    PcieLink::Direction m_direction; //!< the direction this port transmits on
    Ptr<PciePort> m_peer;            //!< the other end
    ReceiveCallback m_receive;       //!< delivery
    ReadyCallback m_ready;           //!< back-pressure release
    PcieRoutingElement* m_element;   //!< owning routing element, or null
    uint32_t m_target;               //!< index among the element's targets

    uint32_t m_postedHeader;        //!< PH advertised (0: infinite)
    uint32_t m_postedData;          //!< PD advertised
    uint32_t m_nonPostedHeader;     //!< NPH advertised
    uint32_t m_nonPostedData;       //!< NPD advertised
    uint32_t m_completionHeader;    //!< CplH advertised
    uint32_t m_completionData;      //!< CplD advertised
    uint32_t m_queueSize;           //!< TLPs per class queue
    Time m_tlpGap;                  //!< idle time after each TLP sent
    Credits m_credits[3];           //!< what the other end's receiver grants us
    std::deque<Queued> m_queues[3]; //!< TLPs waiting, per class
    uint64_t m_nextSeq;             //!< Send() calls that took a TLP
    uint64_t m_postedTaken;         //!< posted TLPs taken by Send()
    uint64_t m_postedSent;          //!< posted TLPs placed on the wire
    bool m_refused;                 //!< Send() refused a TLP since the last ready callback
    EventId m_retry;                //!< next look at the queues when credits arrive
    int64_t m_deliveryDelayPs;      //!< owner's processing added to deliveries
    uint32_t m_holdLimit;           //!< TLPs the device holds, 0: unlimited
    uint32_t m_held;                //!< TLPs delivered to the device and not returned
    /// Delivered, waiting for the device to have room.
    std::deque<std::pair<Ptr<Packet>, TlpHeader::Summary>> m_waiting;

    TracedCallback<Ptr<const Packet>> m_txTrace;            //!< TLP placed on the link
    TracedCallback<Ptr<const Packet>> m_rxTrace;            //!< TLP handed to the owner
    TracedCallback<Ptr<const Packet>> m_creditWaitTrace;    //!< TLP queued for credits
    TracedCallback<Ptr<const Packet>, uint8_t> m_dropTrace; //!< TLP dropped
};

} // namespace ns3

#endif /* PCIE_PORT_H */
