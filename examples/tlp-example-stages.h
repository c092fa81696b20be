/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_EXAMPLE_STAGES_H
#define TLP_EXAMPLE_STAGES_H

/*
 * The measured goodput, and what a tunnel packet and DLLPs cost a link, for the
 * examples that compare a simulated throughput with the limits of the stages it
 * crosses (fabric-goodput, dma-push).
 */

#include "ns3/full-duplex-ethernet-net-device.h"
#include "ns3/simulator.h"
#include "ns3/tlp-header.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tunnel-header.h"

#include <cmath>
#include <cstdint>

namespace tlpexample
{

/// The writes a memory executed: their bytes after the first, and their time span.
struct WriteMeter
{
    uint64_t tlps = 0;    //!< TLPs seen
    uint64_t bytes = 0;   //!< data bytes (whole DWs) after the first TLP
    uint64_t enabled = 0; //!< enabled bytes after the first TLP
    ns3::Time first;      //!< first TLP
    ns3::Time last;       //!< last TLP

    /// \param tlp a write the memory executed (its Write trace)
    void Tlp(ns3::Ptr<const ns3::Packet> tlp)
    {
        ns3::TlpHeader h;
        tlp->PeekHeader(h);
        if (tlps++ == 0)
        {
            first = ns3::Simulator::Now();
        }
        else
        {
            bytes += h.GetDataSize();
            enabled += h.GetEnabledBytes();
        }
        last = ns3::Simulator::Now();
    }

    /**
     * \param enabledOnly count the enabled bytes instead of the whole DWs
     * \return bits per second after the first TLP
     */
    double Goodput(bool enabledOnly = false) const
    {
        return last > first ? (enabledOnly ? enabled : bytes) * 8 / (last - first).GetSeconds() : 0;
    }
};

/**
 * \param l2 bytes after the Ethernet header (or the IP datagram on point-to-point)
 * \param link the link type
 * \return bytes the link spends on them: on full-duplex Ethernet preamble and SFD 8,
 *         the frame (header 14, payload padded to 46, FCS 4) and the gap 12; on
 *         ns-3's CSMA bus the frame only; on point-to-point links PPP 2 and the datagram
 */
inline uint64_t
WireBytes(uint64_t l2, ns3::TlpTopologyHelper::LinkType link)
{
    switch (link)
    {
    case ns3::TlpTopologyHelper::ETHERNET:
        return 8 + ns3::FullDuplexEthernetNetDevice::GetFrameSize(l2) + 12;
    case ns3::TlpTopologyHelper::CSMA:
        return ns3::FullDuplexEthernetNetDevice::GetFrameSize(l2); // ns-3's CSMA: the frame only
    default:
        return 2 + l2; // PPP
    }
}

/**
 * \param tlp bytes of the one TLP a tunnel packet carries
 * \param udp true for the UDP transport (IPv4 20 and UDP 8 more)
 * \param link the link type
 * \return bytes a network link spends on the packet
 */
inline uint64_t
TunnelPacketWireBytes(uint64_t tlp, bool udp, ns3::TlpTopologyHelper::LinkType link)
{
    uint64_t tunnel = ns3::TunnelHeader::GetSerializedSizeFor(1) + tlp;
    return WireBytes(udp ? 20 + 8 + tunnel : tunnel, link);
}

/**
 * \brief DLLPs a PCIe link direction carries per TLP of the other direction: an Ack
 * per AckLatency and an UpdateFC per UpdateFcLatency while those TLPs arrive, or one
 * of each per TLP when they are further apart.
 * \param period time between two TLPs of the other direction, ps
 * \param ack the link's AckLatency, ps
 * \param updateFc the link's UpdateFcLatency, ps
 * \return DLLPs per TLP
 */
inline double
DllpsPerTlp(double period, double ack, double updateFc)
{
    return 1 / (std::floor(ack / period) + 1) + 1 / (std::floor(updateFc / period) + 1);
}

} // namespace tlpexample

#endif /* TLP_EXAMPLE_STAGES_H */
