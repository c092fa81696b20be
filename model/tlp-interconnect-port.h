/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_INTERCONNECT_PORT_H
#define TLP_INTERCONNECT_PORT_H

#include "pcie-port.h"
#include "tlp-header.h"

#include "ns3/error-model.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"

#include <deque>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The NIC's port on its node's PCI Express: the only part of the NIC that
 * touches the node's interconnect.
 *
 * It claims the windows' address ranges, the NIC's Requester ID and the default
 * completion route, limits what the interconnect hands it with receive credits, and
 * models the NIC's processing as a pipeline stage per direction: every TLP from the
 * interconnect, and every tunnel packet towards it, occupies the stage for
 * ProcessingDelay and leaves it ProcessingDelay after it entered (when the stage was
 * free). TLPs from the interconnect are handed on with their parsed header; TLPs
 * towards it wait in order while the interconnect refuses them. An optional error
 * model drops TLPs between the NIC and its interconnect (the receiver's local loss of
 * claim 18). The sniffer callback sees every TLP that crosses, either way.
 */
class TlpInterconnectPort
{
  public:
    /// A TLP from the interconnect, processed, with its header.
    typedef Callback<void, Ptr<Packet>, const TlpHeader&> ReceiveCallback;
    /// A TLP crossed between the interconnect and the NIC.
    typedef Callback<void, Ptr<const Packet>> SnifferCallback;
    /// A TLP towards the interconnect was lost to the error model.
    typedef Callback<void, Ptr<const Packet>> LossCallback;

    TlpInterconnectPort();

    /**
     * \brief Become the endpoint of a PCIe link of the node.
     * \param port the NIC's end of the link
     * \param device the NIC (reported as the port's device)
     * \param requesterId the NIC's Requester ID (its completions come here)
     * \param credits TLPs the NIC holds from the interconnect before returning credits
     * \param processing the NIC's processing time per TLP or packet and direction
     */
    void Attach(Ptr<PciePort> port,
                Ptr<NetDevice> device,
                uint16_t requesterId,
                uint32_t credits,
                Time processing);
    /**
     * \param receive TLPs from the interconnect
     * \param sniffer every TLP that crosses
     * \param loss TLPs the error model dropped
     */
    void SetCallbacks(ReceiveCallback receive, SnifferCallback sniffer, LossCallback loss);
    /// \param model drops TLPs towards the interconnect; nullptr for none
    void SetErrorModel(Ptr<ErrorModel> model);
    /// \param processing the NIC's processing time per TLP or packet and direction
    void SetProcessingDelay(Time processing);
    /// \return true once attached
    bool IsAttached() const;
    /// \return the NIC's end of its PCIe link, null before Attach()
    Ptr<PciePort> GetPort() const;

    /**
     * \brief Claim an address range for the NIC (a window).
     * \param base first address
     * \param size bytes
     */
    void ClaimRange(uint64_t base, uint64_t size);
    /**
     * \brief Release a claimed range.
     * \param base first address
     * \param size bytes
     */
    void ReleaseRange(uint64_t base, uint64_t size);
    /**
     * \param base first address
     * \param size bytes (at least 1)
     * \return true when one port other than the NIC's claims the whole range
     */
    bool IsLocalTarget(uint64_t base, uint64_t size) const;
    /**
     * \brief Give back credits for TLPs the NIC no longer holds.
     * \param credits TLPs
     */
    void ReturnCredits(uint32_t credits);

    /**
     * \brief Occupy the network-to-interconnect stage with one tunnel packet.
     * \return when the packet's TLPs are ready for the interconnect
     */
    Time ProcessPacket();
    /**
     * \brief Send a TLP to the interconnect once ready, in order with the others.
     * \param tlp the TLP
     * \param ready when it may leave (Simulator::Now() or later)
     */
    void Send(Ptr<Packet> tlp, Time ready);
    /**
     * \brief Send a TLP the NIC generated itself: it takes one pass of the stage.
     * \param tlp the TLP
     */
    void SendGenerated(Ptr<Packet> tlp);
    /// Forget queued TLPs and drop the interconnect.
    void Dispose();

  private:
    /**
     * \brief The interconnect handed over a TLP (after ProcessingDelay of latency).
     * \param tlp the TLP
     */
    void Receive(Ptr<Packet> tlp);
    /**
     * \brief Hand a processed TLP on.
     * \param tlp the TLP
     */
    void Deliver(Ptr<Packet> tlp);
    /// Move queued TLPs onto the interconnect while it takes them.
    void Drain();

    Ptr<PciePort> m_port;         //!< the NIC's end of its PCIe link
    Time m_processing;            //!< per TLP or packet and direction
    Time m_inFree;                //!< interconnect-to-NIC stage free from
    Time m_outFree;               //!< NIC-to-interconnect stage free from
    Ptr<ErrorModel> m_errorModel; //!< losses towards the interconnect
    /// TLPs waiting for the interconnect, with the time they are ready.
    std::deque<std::pair<Ptr<Packet>, Time>> m_out;
    ReceiveCallback m_receive; //!< to the NIC
    SnifferCallback m_sniffer; //!< to the NIC's Sniffer trace
    LossCallback m_loss;       //!< to the NIC's Drop trace
};

} // namespace ns3

#endif /* TLP_INTERCONNECT_PORT_H */
