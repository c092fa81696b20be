/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LOCAL_INTERCONNECT_CHANNEL_H
#define LOCAL_INTERCONNECT_CHANNEL_H

#include "ns3/callback.h"
#include "ns3/channel.h"
#include "ns3/data-rate.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <boost/icl/split_interval_map.hpp>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A node's local packetized interconnect (PCI Express), modelled as one switch.
 *
 * Endpoints (CPU, memory, NIC) attach to ports. Each port is joined to the switch
 * by a full-duplex link of rate DataRate. A TLP sent on a port is serialized on
 * that port's link towards the switch (TLP bytes plus LinkOverhead bytes of
 * framing, sequence number and LCRC), routed by the switch, serialized on the
 * destination port's link and delivered Latency later:
 *
 *   delivery = send + 2 * (TLP + LinkOverhead) * 8 / DataRate + Latency
 *
 * when both links are idle. Each direction of a link is a FIFO whose buffer holds
 * QueueSize TLPs; when the buffer behind a port is full, Send() refuses the TLP and
 * the port's ready callback runs once room is back (back-pressure). A port may also
 * limit how many TLPs it accepts with receive credits, as PCIe flow control does.
 *
 * Routing follows PCI Express: memory requests and AtomicOps by address (ranges
 * claimed by ports, kept in a boost::icl interval map), completions by Requester
 * ID (IDs claimed by ports; unclaimed IDs go to the default completion port, as
 * a switch sends them upstream). A non-posted request that no port claims gets an
 * Unsupported Request completion from the switch; a posted one is dropped and
 * counted.
 *
 * Serialization is accounted in picoseconds internally, so throughput is exact
 * whatever the simulator's time resolution; events fire at the nearest time unit.
 */
class LocalInterconnectChannel : public Channel
{
  public:
    /// Callback that hands a TLP to the endpoint on a port.
    typedef Callback<void, Ptr<Packet>> ReceiveCallback;
    /// Callback that tells an endpoint its port accepts TLPs again.
    typedef Callback<void> ReadyCallback;

    /// Why the interconnect dropped a TLP.
    enum DropReason : uint8_t
    {
        DROP_MALFORMED = 0,       ///< bytes that do not parse as a TLP of consistent length
        DROP_UNCLAIMED_POSTED,    ///< posted request to an address no port claims
        DROP_UNCLAIMED_COMPLETION ///< completion to a Requester ID no port claims
    };

    /**
     * TracedCallback signature for TLP events on a port.
     * \param [in] tlp the TLP
     * \param [in] port the port index
     */
    typedef void (*PortTlpTracedCallback)(Ptr<const Packet> tlp, uint32_t port);
    /**
     * TracedCallback signature for drops.
     * \param [in] tlp the TLP
     * \param [in] port the port it came from
     * \param [in] reason a DropReason
     */
    typedef void (*DropTracedCallback)(Ptr<const Packet> tlp, uint32_t port, uint8_t reason);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    LocalInterconnectChannel();
    ~LocalInterconnectChannel() override;

    /**
     * \brief Attach an endpoint.
     * \param name a name for logs and error messages
     * \param receive called with each TLP delivered to the port
     * \param device the NetDevice behind the port, if any (reported by GetDevice())
     * \return the port index
     */
    uint32_t AddPort(const std::string& name,
                     ReceiveCallback receive,
                     Ptr<NetDevice> device = nullptr);
    /**
     * \param port a port index
     * \param ready called when the port accepts TLPs again after Send() refused one
     */
    void SetReadyCallback(uint32_t port, ReadyCallback ready);
    /// \return the number of ports
    uint32_t GetNPorts() const;
    /**
     * \param port a port index
     * \return the port's name
     */
    std::string GetPortName(uint32_t port) const;

    /**
     * \brief Route memory requests for [base, base + size) to a port.
     *
     * Stops the simulation when the range is empty or overlaps a claimed range.
     * \param port the port
     * \param base first address
     * \param size bytes (at least 1)
     */
    void ClaimAddressRange(uint32_t port, uint64_t base, uint64_t size);
    /**
     * \brief Stop routing [base, base + size) to a port; the range must be one claimed.
     * \param port the port
     * \param base first address
     * \param size bytes
     */
    void ReleaseAddressRange(uint32_t port, uint64_t base, uint64_t size);
    /**
     * \param address an address
     * \param[out] port the port that claims it
     * \return true when a port claims the address
     */
    bool DecodeAddress(uint64_t address, uint32_t& port) const;
    /**
     * \brief Route completions for a Requester ID to a port.
     * \param port the port
     * \param id the Requester ID
     */
    void ClaimRequesterId(uint32_t port, uint16_t id);
    /**
     * \brief Route completions whose Requester ID no port claims to this port.
     * \param port the port (the NIC, towards requesters on other nodes)
     */
    void SetDefaultCompletionPort(uint32_t port);
    /**
     * \brief Limit how many delivered TLPs a port holds before returning credits.
     * \param port the port
     * \param credits TLPs; 0 means unlimited (the default)
     */
    void SetReceiveCredits(uint32_t port, uint32_t credits);
    /**
     * \brief Give credits back after consuming TLPs that SetReceiveCredits() limited.
     * \param port the port
     * \param credits number of TLPs consumed
     */
    void ReturnCredits(uint32_t port, uint32_t credits = 1);

    /**
     * \brief Place a TLP on the interconnect.
     * \param port the sending port
     * \param tlp the TLP: header, data, ECRC digest when TD is set
     * \param delay time before the TLP can start on the port's link (the sender's
     *        own processing, accounted here rather than by an event of its own)
     * \return false when the port's buffer is full (the TLP is not taken; the ready
     *         callback runs when there is room); malformed TLPs are taken and dropped
     */
    bool Send(uint32_t port, Ptr<Packet> tlp, Time delay = Time(0));
    /**
     * \brief Delay every delivery to a port by the endpoint's processing time, so
     * that the endpoint needs no event of its own to model it.
     * \param port the port
     * \param delay time added after the switch-to-port transfer
     */
    void SetDeliveryDelay(uint32_t port, Time delay);
    /**
     * \param port a port
     * \return true when Send() on the port would take a TLP now
     */
    bool CanSend(uint32_t port) const;

    /**
     * \param tlpBytes TLP size (header, data, digest)
     * \return time to serialize the TLP and its link overhead on one link
     */
    Time GetSerializationTime(uint32_t tlpBytes) const;
    /**
     * \param rate the link data rate (positive)
     */
    void SetDataRate(DataRate rate);
    /// \return the link data rate
    DataRate GetDataRate() const;
    /// \return the switch traversal latency
    Time GetLatency() const;
    /// \return link overhead per TLP, in bytes
    uint32_t GetLinkOverhead() const;
    /// \return the switch's own ID (Completer ID of the completions it generates)
    uint16_t GetCompleterId() const;

    /**
     * \param ps a time in picoseconds
     * \return the delay from now to that time, rounded up to the simulator's
     *         resolution so that no event fires before its cause
     */
    static Time DelayUntil(int64_t ps);

    // Channel
    std::size_t GetNDevices() const override;
    Ptr<NetDevice> GetDevice(std::size_t i) const override;

  protected:
    void DoDispose() override;

  private:
    /// A TLP held at the switch with the port it goes to.
    struct Held
    {
        Ptr<Packet> tlp; //!< the TLP
        uint32_t to;     //!< destination port
        int64_t atPs;    //!< exact arrival at the switch, ps
    };

    /// State of one port and of the two directions of its link.
    struct Port
    {
        std::string name;            //!< name
        ReceiveCallback receive;     //!< delivery
        ReadyCallback ready;         //!< back-pressure release
        Ptr<NetDevice> device;       //!< device behind the port, if any
        int64_t ingressFreePs = 0;   //!< when the port-to-switch direction is idle, in ps
        uint32_t ingressCount = 0;   //!< TLPs taken from the port, not yet past the switch
        bool refused = false;        //!< Send() refused a TLP since the last ready callback
        std::deque<Held> held;       //!< arrived at the switch, waiting for egress room
        int64_t deliveryDelayPs = 0; //!< endpoint processing added to deliveries
        int64_t egressFreePs = 0;    //!< when the switch-to-port direction is idle, in ps
        uint32_t egressCount = 0;    //!< TLPs routed to the port, not yet delivered
        uint32_t credits = 0;        //!< receive credits, 0 = unlimited
        uint32_t creditsInUse = 0;   //!< TLPs delivered, credits not yet returned
        std::deque<Ptr<Packet>> waitingCredit; //!< delivered late for lack of credits
        std::vector<uint32_t> blockedIngress;  //!< ports whose held head waits for this egress
    };

    /**
     * \param port a port index
     * \return the port; stops the simulation on a bad index
     */
    Port& GetPort(uint32_t port);
    /**
     * \param tlpBytes TLP size
     * \return serialization time of the TLP and its link overhead, in ps
     */
    int64_t SerializationPs(uint32_t tlpBytes) const;
    /**
     * \param tlp a TLP
     * \param from the port it came from
     * \param[out] to where the switch sends it
     * \param atPs exact arrival time at the switch, ps
     * \return false when the TLP was consumed (dropped or answered with UR)
     */
    bool Route(Ptr<Packet> tlp, uint32_t from, uint32_t& to, int64_t atPs);
    /**
     * \brief Answer an unclaimed non-posted request with an Unsupported Request completion.
     * \param request the request
     * \param from the port it came from
     * \param atPs exact time, ps
     */
    void SendUnsupportedRequest(Ptr<const Packet> request, uint32_t from, int64_t atPs);
    /**
     * \brief A TLP has crossed the port-to-switch direction of a link.
     * \param from the sending port
     * \param tlp the TLP
     * \param atPs exact arrival time, ps
     */
    void ArriveAtSwitch(uint32_t from, Ptr<Packet> tlp, int64_t atPs);
    /**
     * \brief Move held TLPs of an ingress port on while their egress has room.
     * \param from the ingress port
     * \param atPs exact time room appeared, ps
     */
    void ForwardHeld(uint32_t from, int64_t atPs);
    /**
     * \brief Start the switch-to-port transfer of a TLP.
     * \param to the destination port
     * \param tlp the TLP
     * \param readyPs exact time the TLP is ready to leave the switch, ps
     */
    void StartEgress(uint32_t to, Ptr<Packet> tlp, int64_t readyPs);
    /**
     * \brief A TLP has crossed the switch-to-port direction and the latency.
     * \param to the destination port
     * \param tlp the TLP
     */
    void Deliver(uint32_t to, Ptr<Packet> tlp, int64_t atPs);
    /**
     * \brief Hand a TLP to the endpoint and account for it.
     * \param to the destination port
     * \param tlp the TLP
     * \param atPs exact hand-over time, ps
     */
    void HandOver(uint32_t to, Ptr<Packet> tlp, int64_t atPs);
    /**
     * \brief An ingress slot of a port became free: run its ready callback if it waits.
     * \param from the port
     */
    void IngressReleased(uint32_t from);
    /**
     * \brief An egress slot of a port became free: let blocked ingress ports move.
     * \param to the port
     * \param atPs exact time, ps
     */
    void EgressReleased(uint32_t to, int64_t atPs);

    DataRate m_dataRate;     //!< link rate, each direction
    Time m_latency;          //!< switch traversal latency
    uint32_t m_linkOverhead; //!< bytes of link-layer framing per TLP
    uint32_t m_queueSize;    //!< TLPs buffered per port and direction
    uint16_t m_completerId;  //!< the switch's own ID

    std::vector<Port> m_ports; //!< the ports
    /// Address decode: range to port index + 1 (0 is the map's neutral element).
    boost::icl::split_interval_map<uint64_t, uint32_t> m_decode;
    std::unordered_map<uint16_t, uint32_t> m_requesterPorts; //!< completion routing
    int64_t m_defaultCompletionPort;                         //!< -1 when none

    TracedCallback<Ptr<const Packet>, uint32_t> m_txTrace;            //!< TLP taken from a port
    TracedCallback<Ptr<const Packet>, uint32_t> m_rxTrace;            //!< TLP delivered to a port
    TracedCallback<Ptr<const Packet>, uint32_t> m_unsupportedTrace;   //!< UR generated
    TracedCallback<Ptr<const Packet>, uint32_t, uint8_t> m_dropTrace; //!< TLP dropped
};

} // namespace ns3

#endif /* LOCAL_INTERCONNECT_CHANNEL_H */
