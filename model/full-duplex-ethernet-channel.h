/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef FULL_DUPLEX_ETHERNET_CHANNEL_H
#define FULL_DUPLEX_ETHERNET_CHANNEL_H

#include "ns3/channel.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"
#include "ns3/traced-callback.h"

namespace ns3
{

class FullDuplexEthernetNetDevice;
class Packet;

/**
 * \ingroup tlp-tunnel
 * \brief A full-duplex Ethernet link: a cable between exactly two
 * FullDuplexEthernetNetDevice ports, one independent direction each way.
 *
 * The sending device serializes a frame (preamble, header, payload, FCS) at its
 * DataRate and tells the channel when the frame's last bit leaves; the frame
 * reaches the other end Delay later. The channel never holds a frame back: each
 * direction carries what its transmitter sends, so there is no carrier sense,
 * collision or backoff (the two directions are separate pairs or fibres).
 *
 * The link comes up when both devices are attached. SetLinkUp(false) takes it
 * down at run time (a pulled cable): both devices report the change to their
 * link-change callbacks, refuse frames to send, and every frame still on the
 * cable is lost. SetLinkUp(true) brings it back.
 *
 * Delivery to the far end goes through the virtual Deliver(), so that a remote
 * variant for ns-3's MPI engine can override it (hand the frame to
 * MpiInterface::SendPacket() with its arrival time, the receiving device having an
 * MpiReceiver whose callback is FullDuplexEthernetNetDevice::Receive), as
 * PointToPointRemoteChannel does for point-to-point links.
 */
class FullDuplexEthernetChannel : public Channel
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    FullDuplexEthernetChannel();
    ~FullDuplexEthernetChannel() override;

    /**
     * \brief Attach one end (two at most); the link comes up with the second.
     * \param device the device
     */
    void Attach(Ptr<FullDuplexEthernetNetDevice> device);

    /**
     * \brief Carry a frame to the other end.
     * \param frame the frame (header, payload, FCS)
     * \param src the sending device
     * \param lastBitPs when the frame's last bit leaves the sender, in picoseconds of
     *        simulated time (exact, not rounded to the time resolution)
     */
    void Transmit(Ptr<const Packet> frame, Ptr<FullDuplexEthernetNetDevice> src, int64_t lastBitPs);

    /**
     * \brief Take the link down (every frame on the cable is lost) or bring it up.
     * \param up the new state
     */
    void SetLinkUp(bool up);
    /// \return true when both ends are attached and the link is up
    bool IsLinkUp() const;

    /// \return the propagation delay
    Time GetDelay() const;
    /// \param delay the propagation delay (not negative)
    void SetDelay(Time delay);

    std::size_t GetNDevices() const override;
    Ptr<NetDevice> GetDevice(std::size_t i) const override;
    /**
     * \param i 0 or 1
     * \return the device attached i-th
     */
    Ptr<FullDuplexEthernetNetDevice> GetEthernetDevice(std::size_t i) const;

    /**
     * TracedCallback signature of Tx.
     * \param frame the frame
     * \param src the sending device
     * \param dst the receiving device
     * \param arrival when its last bit arrives
     */
    typedef void (*TxTracedCallback)(Ptr<const Packet> frame,
                                     Ptr<NetDevice> src,
                                     Ptr<NetDevice> dst,
                                     Time arrival);

  protected:
    void DoDispose() override;

    /**
     * \brief Hand a frame to the receiving end when its last bit arrives. This
     * channel schedules FullDuplexEthernetNetDevice::Receive() on the receiver's
     * node; a remote variant overrides it.
     * \param frame the frame (a copy of its own)
     * \param dst the receiving device
     * \param arrivalPs when its last bit reaches dst, in picoseconds
     */
    virtual void Deliver(Ptr<Packet> frame,
                         Ptr<FullDuplexEthernetNetDevice> dst,
                         int64_t arrivalPs);

  private:
    /**
     * \brief A frame reached an end.
     * \param dst the receiving device
     * \param frame the frame
     * \param epoch the link's epoch when it was sent (the link went down since when
     *        it differs)
     */
    void Arrive(Ptr<FullDuplexEthernetNetDevice> dst, Ptr<Packet> frame, uint32_t epoch);

    Ptr<FullDuplexEthernetNetDevice> m_devices[2]; //!< the two ends
    std::size_t m_nDevices;                        //!< ends attached
    Time m_delay;                                  //!< propagation delay
    bool m_up;                                     //!< link state (besides attachment)
    uint32_t m_epoch;                              //!< times the link went down

    /// Trace of every frame put on the cable: frame, sender, receiver, arrival time.
    TracedCallback<Ptr<const Packet>, Ptr<NetDevice>, Ptr<NetDevice>, Time> m_txTrace;
};

} // namespace ns3

#endif /* FULL_DUPLEX_ETHERNET_CHANNEL_H */
