/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_LINK_IMPAIRMENT_H
#define TLP_LINK_IMPAIRMENT_H

#include "ns3/callback.h"
#include "ns3/error-model.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/random-variable-stream.h"
#include "ns3/traced-callback.h"

#include <set>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A device's receive error model that impairs a link the way real fabrics do:
 * loss (through an inner ns-3 ErrorModel such as RateErrorModel or BurstErrorModel),
 * the link down for a while, reordering and duplication.
 *
 * Install it as the ReceiveErrorModel of a device and give it a way to hand packets
 * back to that device (SetReinjectCallback(), e.g. PointToPointNetDevice::Receive):
 * a reordered packet is held back Delay and then received; a duplicated one is
 * received now and again Delay later. A packet it hands back passes it unharmed.
 * While the link is down every packet is lost. A corrupted packet has one bit,
 * chosen at random, flipped and goes on: the receiver's checks (the Ethernet FCS of
 * FullDuplexEthernetNetDevice with ChecksumEnabled, IPv4 and UDP checksums) decide
 * its fate.
 */
class TlpLinkImpairment : public ErrorModel
{
  public:
    /// Hands a packet back to the device, as if received now.
    typedef Callback<void, Ptr<Packet>> ReinjectCallback;

    /**
     * TracedCallback signature for impaired packets.
     * \param [in] packet the packet as the device received it
     */
    typedef void (*PacketTracedCallback)(Ptr<const Packet> packet);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpLinkImpairment();
    ~TlpLinkImpairment() override;

    /// \param reinject hands packets back to the device
    void SetReinjectCallback(ReinjectCallback reinject);
    /// \param down true: the link loses everything until set up again
    void SetDown(bool down);
    /// \return true while the link is down
    bool IsDown() const;
    /**
     * \param stream first random stream number
     * \return streams used (the inner model's included)
     */
    int64_t AssignStreams(int64_t stream);

    /// \return packets lost (inner model or link down)
    uint64_t GetLost() const;
    /// \return packets held back
    uint64_t GetReordered() const;
    /// \return packets received twice
    uint64_t GetDuplicated() const;
    /// \return packets with a bit flipped
    uint64_t GetCorrupted() const;

  protected:
    void DoDispose() override;

  private:
    bool DoCorrupt(Ptr<Packet> p) override;
    void DoReset() override;
    /**
     * \brief Hand a copy back to the device.
     * \param p the copy
     */
    void Reinject(Ptr<Packet> p);
    /**
     * \brief Flip one bit of a packet, chosen at random.
     * \param p the packet, changed in place
     */
    void FlipBit(Ptr<Packet> p);

    Ptr<ErrorModel> m_loss;                        //!< inner loss model
    double m_reorderRate;                          //!< share of packets held back
    double m_duplicateRate;                        //!< share of packets received twice
    double m_corruptRate;                          //!< share of packets with a bit flipped
    Time m_delay;                                  //!< how late held-back and duplicate copies come
    Ptr<UniformRandomVariable> m_random;           //!< decisions
    bool m_down;                                   //!< link down
    ReinjectCallback m_reinject;                   //!< to the device
    std::multiset<uint64_t> m_pending;             //!< UIDs of copies on their way back
    uint64_t m_lost;                               //!< counter
    uint64_t m_reordered;                          //!< counter
    uint64_t m_duplicated;                         //!< counter
    uint64_t m_corrupted;                          //!< counter
    TracedCallback<Ptr<const Packet>> m_lostTrace; //!< lost
    TracedCallback<Ptr<const Packet>> m_reorderedTrace;  //!< held back
    TracedCallback<Ptr<const Packet>> m_duplicatedTrace; //!< received twice
    TracedCallback<Ptr<const Packet>> m_corruptedTrace;  //!< a bit flipped
};

} // namespace ns3

#endif /* TLP_LINK_IMPAIRMENT_H */
