/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_FAULT_HELPER_H
#define TLP_FAULT_HELPER_H

#include "ns3/full-duplex-ethernet-channel.h"
#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/nstime.h"
#include "ns3/tlp-link-impairment.h"
#include "ns3/tunnel-header.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace ns3
{

class NetDevice;

/**
 * \ingroup tlp-tunnel
 * \brief Puts faults on the links of compute nodes: random loss (RateErrorModel),
 * bursts (BurstErrorModel), a link down and up again, reordering, duplication, and
 * losses between a NIC and its interconnect; and counts what they did to tunnel
 * packets, by kind.
 *
 * Install() gives the link device of each host (every device but the NIC and the
 * loopback: a full-duplex Ethernet, CSMA or point-to-point device) a
 * TlpLinkImpairment as its receive error model, so each direction between two hosts
 * is impaired once, where it is received. The configuration applies to the
 * impairments installed after it.
 */
class TlpFaultHelper
{
  public:
    /// Tunnel packets a fault touched, by kind.
    struct Counts
    {
        uint64_t data = 0;       //!< DATA packets
        uint64_t completion = 0; //!< COMPLETION packets
        uint64_t ack = 0;        //!< ACK packets
        uint64_t grant = 0;      //!< control packets (GRANT_REQUEST, GRANT, REMAP, REMAP_ACK)
        uint64_t other = 0;      //!< frames that are no tunnel packet

        /// \return DATA and COMPLETION packets (the sequenced ones)
        uint64_t Sequenced() const
        {
            return data + completion;
        }
    };

    TlpFaultHelper();

    /// \param rate share of packets lost at random (RateErrorModel, per packet)
    void SetLossRate(double rate);
    /**
     * \param rate share of bursts started (BurstErrorModel BurstRate)
     * \param maxBurst longest burst, packets (bursts of 1..maxBurst, uniform)
     */
    void SetBurstLoss(double rate, uint32_t maxBurst);
    /**
     * \param rate share of packets held back
     * \param delay how long
     */
    void SetReordering(double rate, Time delay);
    /**
     * \param rate share of packets received twice
     * \param delay how late the second copy comes
     */
    void SetDuplication(double rate, Time delay);
    /**
     * \param rate share of packets with one bit flipped (the receiving device's FCS
     *        finds it when ns-3's ChecksumEnabled is true; CSMA and point-to-point
     *        devices check none, so IPv4 and UDP checksums are all there is)
     */
    void SetCorruption(double rate);
    /// \param stream first random stream number (each impairment takes a few)
    void SetStream(int64_t stream);

    /**
     * \brief Impair what each host's link device receives.
     * \param hosts compute nodes connected by TlpTopologyHelper (or any link device)
     * \return the impairments, in host order
     */
    std::vector<Ptr<TlpLinkImpairment>> Install(NodeContainer hosts);
    /**
     * \brief Take every installed link down at a time, and up again later.
     *
     * Full-duplex Ethernet links go down for real (FullDuplexEthernetChannel::
     * SetLinkUp): both ends refuse frames and hold their queues, and what is on the
     * cable is lost; what the two ends drop meanwhile counts as lost (GetLost()), not
     * as the network's own drops. Other links are taken down by their impairments,
     * which lose everything their device receives meanwhile.
     * \param at when it goes down
     * \param duration how long it stays down (Time::Max(): for good)
     */
    void LinkDown(Time at, Time duration);
    /**
     * \brief Lose TLPs between a NIC and its interconnect (towards the interconnect).
     * \param host a compute node
     * \param rate share lost
     * \param stream random stream number
     */
    static void SetInterconnectLoss(Ptr<Node> host, double rate, int64_t stream);

    /**
     * \brief Count what the network itself drops: queue overflows and, on CSMA, frames
     * given up after too many backoffs (MacTxDrop, PhyTxDrop of every device but NICs).
     * \param nodes hosts, switches and routers
     */
    void WatchNetwork(NodeContainer nodes);

    /// \return tunnel packets lost to the faults, by kind
    const Counts& GetLost() const;
    /// \return tunnel packets the network dropped by itself (WatchNetwork()), by kind
    const Counts& GetNetworkDrops() const;
    /// \return tunnel packets held back, by kind
    const Counts& GetReordered() const;
    /// \return tunnel packets received twice, by kind
    const Counts& GetDuplicated() const;
    /// \return tunnel packets with a bit flipped, by kind (as sent)
    const Counts& GetCorrupted() const;

    /**
     * \param frame a frame or datagram as a link device receives it (Ethernet with
     *        EtherType 0x88B5, or PPP + IPv4 + UDP to the tunnel port)
     * \param[out] header its tunnel header
     * \return false when it is no tunnel packet (or its header does not parse)
     */
    static bool ParseTunnel(Ptr<const Packet> frame, TunnelHeader& header);

  private:
    /**
     * \param counts what to count in
     * \param frame the frame
     */
    static void Count(Counts* counts, Ptr<const Packet> frame);
    /**
     * \param channel a full-duplex link
     * \param up its new state
     */
    void SetLink(Ptr<FullDuplexEthernetChannel> channel, bool up);
    /**
     * \param device a link device
     * \return true when LinkDown() holds its link down now
     */
    bool IsDownDevice(const NetDevice* device) const;
    /**
     * \brief A device of a link taken down dropped a frame: lost to the fault.
     * \param device the device
     * \param frame the frame
     */
    void DownDrop(const NetDevice* device, Ptr<const Packet> frame);
    /**
     * \brief A device dropped a frame by itself (WatchNetwork()).
     * \param device the device
     * \param frame the frame
     */
    void NetworkDrop(const NetDevice* device, Ptr<const Packet> frame);

    double m_lossRate;                                      //!< random loss
    double m_burstRate;                                     //!< bursts started
    uint32_t m_maxBurst;                                    //!< longest burst
    double m_reorderRate;                                   //!< held back
    Time m_reorderDelay;                                    //!< for how long
    double m_duplicateRate;                                 //!< received twice
    double m_corruptRate;                                   //!< bit flips
    Time m_duplicateDelay;                                  //!< how late
    int64_t m_stream;                                       //!< next random stream
    std::vector<Ptr<TlpLinkImpairment>> m_installed;        //!< every impairment
    std::vector<Ptr<TlpLinkImpairment>> m_emulated;         //!< those that emulate link down
    std::vector<Ptr<FullDuplexEthernetChannel>> m_channels; //!< full-duplex host links
    std::set<const NetDevice*> m_downDevices;               //!< their ends (LinkDown())
    int32_t m_linksDown;                                    //!< links down now
    Counts m_lost;                                          //!< counts
    Counts m_networkDrops;                                  //!< counts
    Counts m_reordered;                                     //!< counts
    Counts m_duplicated;                                    //!< counts
    Counts m_corrupted;                                     //!< counts
};

} // namespace ns3

#endif /* TLP_FAULT_HELPER_H */
