/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "full-duplex-ethernet-channel.h"

#include "exact-time.h"
#include "full-duplex-ethernet-net-device.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/trace-source-accessor.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("FullDuplexEthernetChannel");

NS_OBJECT_ENSURE_REGISTERED(FullDuplexEthernetChannel);

TypeId
FullDuplexEthernetChannel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::FullDuplexEthernetChannel")
            .SetParent<Channel>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<FullDuplexEthernetChannel>()
            .AddAttribute("Delay",
                          "Propagation delay of each direction (100 ns: about 20 m of fibre or "
                          "copper at 5 ns/m; add FEC or PHY latency here if it is to count).",
                          TimeValue(NanoSeconds(100)),
                          MakeTimeAccessor(&FullDuplexEthernetChannel::SetDelay,
                                           &FullDuplexEthernetChannel::GetDelay),
                          MakeTimeChecker(Time(0)))
            .AddTraceSource("Tx",
                            "A frame was put on the cable: (frame, sender, receiver, time its "
                            "last bit arrives).",
                            MakeTraceSourceAccessor(&FullDuplexEthernetChannel::m_txTrace),
                            "ns3::FullDuplexEthernetChannel::TxTracedCallback");
    return tid;
}

FullDuplexEthernetChannel::FullDuplexEthernetChannel()
    : m_nDevices(0),
      m_delay(NanoSeconds(100)),
      m_up(true),
      m_epoch(0)
{
    NS_LOG_FUNCTION(this);
}

FullDuplexEthernetChannel::~FullDuplexEthernetChannel()
{
}

void
FullDuplexEthernetChannel::DoDispose()
{
    m_devices[0] = nullptr;
    m_devices[1] = nullptr;
    Channel::DoDispose();
}

void
FullDuplexEthernetChannel::Attach(Ptr<FullDuplexEthernetNetDevice> device)
{
    NS_LOG_FUNCTION(this << device);
    NS_ABORT_MSG_IF(device == nullptr, "FullDuplexEthernetChannel: Attach(nullptr)");
    NS_ABORT_MSG_IF(m_nDevices == 2,
                    "FullDuplexEthernetChannel: a link joins two devices; a third was attached");
    m_devices[m_nDevices++] = device;
    if (m_nDevices == 2 && m_up)
    {
        m_devices[0]->NotifyLinkChange(true);
        m_devices[1]->NotifyLinkChange(true);
    }
}

void
FullDuplexEthernetChannel::SetLinkUp(bool up)
{
    NS_LOG_FUNCTION(this << up);
    if (up == m_up)
    {
        return;
    }
    m_up = up;
    if (!up)
    {
        m_epoch++; // frames on the cable are lost
    }
    for (std::size_t i = 0; i < m_nDevices && m_nDevices == 2; ++i)
    {
        m_devices[i]->NotifyLinkChange(up);
    }
}

bool
FullDuplexEthernetChannel::IsLinkUp() const
{
    return m_up && m_nDevices == 2;
}

Time
FullDuplexEthernetChannel::GetDelay() const
{
    return m_delay;
}

void
FullDuplexEthernetChannel::SetDelay(Time delay)
{
    NS_ABORT_MSG_IF(delay.IsStrictlyNegative(),
                    "FullDuplexEthernetChannel: attribute Delay=" << delay << " is negative");
    m_delay = delay;
}

void
FullDuplexEthernetChannel::Transmit(Ptr<const Packet> frame,
                                    Ptr<FullDuplexEthernetNetDevice> src,
                                    int64_t lastBitPs)
{
    NS_LOG_FUNCTION(this << frame << src << lastBitPs);
    NS_ASSERT(m_nDevices == 2);
    Ptr<FullDuplexEthernetNetDevice> dst = src == m_devices[0] ? m_devices[1] : m_devices[0];
    int64_t arrivalPs = lastBitPs + m_delay.GetPicoSeconds();
    m_txTrace(frame, src, dst, PicoSeconds(arrivalPs));
    Deliver(frame->Copy(), dst, arrivalPs);
}

void
FullDuplexEthernetChannel::Deliver(Ptr<Packet> frame,
                                   Ptr<FullDuplexEthernetNetDevice> dst,
                                   int64_t arrivalPs)
{
    Simulator::ScheduleWithContext(dst->GetNode()->GetId(),
                                   DelayUntilPicoSeconds(arrivalPs),
                                   &FullDuplexEthernetChannel::Arrive,
                                   this,
                                   dst,
                                   frame,
                                   m_epoch);
}

void
FullDuplexEthernetChannel::Arrive(Ptr<FullDuplexEthernetNetDevice> dst,
                                  Ptr<Packet> frame,
                                  uint32_t epoch)
{
    if (epoch != m_epoch)
    {
        dst->LoseInFlight(frame); // the link went down while the frame was on it
        return;
    }
    dst->Receive(frame);
}

std::size_t
FullDuplexEthernetChannel::GetNDevices() const
{
    return m_nDevices;
}

Ptr<NetDevice>
FullDuplexEthernetChannel::GetDevice(std::size_t i) const
{
    return GetEthernetDevice(i);
}

Ptr<FullDuplexEthernetNetDevice>
FullDuplexEthernetChannel::GetEthernetDevice(std::size_t i) const
{
    return i < m_nDevices ? m_devices[i] : nullptr;
}

} // namespace ns3
