/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PCIE_SWITCH_H
#define PCIE_SWITCH_H

#include "pcie-port.h"
#include "pcie-routing-element.h"

#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A PCI Express switch: one upstream port towards the root complex and
 * downstream ports towards endpoints.
 *
 * A TLP is forwarded Latency after it arrives (store and forward). Memory requests
 * and AtomicOps go to the downstream port that claims their address, completions to
 * the one that claims their Requester ID; everything else goes upstream (from a
 * downstream port) or, from the upstream port, to the default completion route
 * below, is answered with Unsupported Request (non-posted) or dropped (posted). The
 * claims of the devices below are passed on to the root complex, so that it routes
 * their ranges and IDs to this switch. A TLP waits in its ingress port's receive
 * buffer (its credits held) until the egress port takes it.
 */
class PcieSwitch : public PcieRoutingElement
{
  public:
    /// Why the switch dropped a TLP.
    enum DropReason : uint8_t
    {
        DROP_UNCLAIMED_POSTED = 1,    ///< posted request from upstream that nothing below claims
        DROP_UNCLAIMED_COMPLETION = 2 ///< completion from upstream for no device below
    };

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    PcieSwitch();
    ~PcieSwitch() override;

    /// \return the upstream port (join it to a root port with PcieLink::Attach())
    Ptr<PciePort> GetUpstreamPort() const;
    /**
     * \param name a name for logs and error messages
     * \param port the port to use (with its attributes set), or null for a new one
     * \return the downstream port
     */
    Ptr<PciePort> AddDownstreamPort(const std::string& name, Ptr<PciePort> port = nullptr);
    /// \return the number of downstream ports
    uint32_t GetNDownstreamPorts() const;

    // PcieRoutingElement
    void ClaimAddressRange(uint32_t target, uint64_t base, uint64_t size) override;
    void ReleaseAddressRange(uint32_t target, uint64_t base, uint64_t size) override;
    void ClaimRequesterId(uint32_t target, uint16_t id) override;
    void SetDefaultCompletionTarget(uint32_t target) override;
    bool IsHostMemory(uint64_t base, uint64_t size) const override;
    void ReceiveFromPort(uint32_t target, Ptr<Packet> tlp, const TlpHeader::Summary& s) override;

  protected:
    void DoDispose() override;

  private:
    /**
     * \param value the forwarding latency
     */
    void SetLatency(Time value);
    /// \return the forwarding latency
    Time GetLatency() const;

    Time m_latency;                                         //!< forwarding latency
    uint16_t m_completerId;                                 //!< Completer ID of UR completions
    TracedCallback<Ptr<const Packet>> m_unsupportedTrace;   //!< UR generated
    TracedCallback<Ptr<const Packet>, uint8_t> m_dropTrace; //!< TLP dropped
};

} // namespace ns3

#endif /* PCIE_SWITCH_H */
