/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-fault-helper.h"

#include "ns3/abort.h"
#include "ns3/csma-net-device.h"
#include "ns3/double.h"
#include "ns3/ethernet-header.h"
#include "ns3/full-duplex-ethernet-channel.h"
#include "ns3/full-duplex-ethernet-net-device.h"
#include "ns3/ipv4-header.h"
#include "ns3/log.h"
#include "ns3/loopback-net-device.h"
#include "ns3/node.h"
#include "ns3/point-to-point-net-device.h"
#include "ns3/pointer.h"
#include "ns3/ppp-header.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/tlp-ethernet-transport.h"
#include "ns3/tlp-tunnel-net-device.h"
#include "ns3/tlp-udp-transport.h"
#include "ns3/tunnel-header.h"
#include "ns3/udp-header.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpFaultHelper");

namespace
{

// The reinjection callbacks hold plain pointers: the device owns its error model,
// so a Ptr to the device in the model's callback would be a cycle that CSMA's
// DoDispose() (which keeps its error model) never breaks, and the device, with its
// pcap files, would never be destroyed. They run only while the device receives.

/// Receives a CSMA frame again, as if from the other end of the channel.
void
ReinjectCsma(CsmaNetDevice* device, CsmaNetDevice* sender, Ptr<Packet> p)
{
    device->Receive(p, Ptr<CsmaNetDevice>(sender));
}

/// Receives a PPP frame again.
void
ReinjectPointToPoint(PointToPointNetDevice* device, Ptr<Packet> p)
{
    device->Receive(p);
}

/// Receives a full-duplex Ethernet frame again.
void
ReinjectFullDuplex(FullDuplexEthernetNetDevice* device, Ptr<Packet> p)
{
    device->Receive(p);
}

/// Turns an impairment's link down or up.
void
SetDown(Ptr<TlpLinkImpairment> impairment, bool down)
{
    impairment->SetDown(down);
}

} // namespace

TlpFaultHelper::TlpFaultHelper()
    : m_lossRate(0),
      m_burstRate(0),
      m_maxBurst(1),
      m_reorderRate(0),
      m_duplicateRate(0),
      m_corruptRate(0),
      m_stream(1000),
      m_linksDown(0)
{
}

void
TlpFaultHelper::SetLossRate(double rate)
{
    NS_ABORT_MSG_IF(rate < 0 || rate > 1, "TlpFaultHelper: loss rate " << rate << " not in 0..1");
    m_lossRate = rate;
}

void
TlpFaultHelper::SetBurstLoss(double rate, uint32_t maxBurst)
{
    NS_ABORT_MSG_IF(rate < 0 || rate > 1 || maxBurst == 0,
                    "TlpFaultHelper: burst rate " << rate << " not in 0..1 or burst size "
                                                  << maxBurst << " not positive");
    m_burstRate = rate;
    m_maxBurst = maxBurst;
}

void
TlpFaultHelper::SetReordering(double rate, Time delay)
{
    NS_ABORT_MSG_IF(rate < 0 || rate > 1,
                    "TlpFaultHelper: reorder rate " << rate << " not in 0..1");
    m_reorderRate = rate;
    m_reorderDelay = delay;
}

void
TlpFaultHelper::SetDuplication(double rate, Time delay)
{
    NS_ABORT_MSG_IF(rate < 0 || rate > 1,
                    "TlpFaultHelper: duplicate rate " << rate << " not in 0..1");
    m_duplicateRate = rate;
    m_duplicateDelay = delay;
}

void
TlpFaultHelper::SetCorruption(double rate)
{
    NS_ABORT_MSG_IF(rate < 0 || rate > 1,
                    "TlpFaultHelper: corruption rate " << rate << " not in 0..1");
    m_corruptRate = rate;
}

void
TlpFaultHelper::SetStream(int64_t stream)
{
    m_stream = stream;
}

std::vector<Ptr<TlpLinkImpairment>>
TlpFaultHelper::Install(NodeContainer hosts)
{
    std::vector<Ptr<TlpLinkImpairment>> installed;
    for (uint32_t h = 0; h < hosts.GetN(); ++h)
    {
        Ptr<Node> node = hosts.Get(h);
        for (uint32_t d = 0; d < node->GetNDevices(); ++d)
        {
            Ptr<NetDevice> device = node->GetDevice(d);
            if (DynamicCast<TlpTunnelNetDevice>(device) || DynamicCast<LoopbackNetDevice>(device))
            {
                continue;
            }
            Ptr<TlpLinkImpairment> impairment = CreateObject<TlpLinkImpairment>();
            if (m_burstRate > 0)
            {
                Ptr<BurstErrorModel> burst = CreateObject<BurstErrorModel>();
                burst->SetAttribute("ErrorRate", DoubleValue(m_burstRate));
                std::ostringstream size;
                size << "ns3::UniformRandomVariable[Min=1|Max=" << m_maxBurst << "]";
                burst->SetAttribute("BurstSize", StringValue(size.str()));
                impairment->SetAttribute("Loss", PointerValue(burst));
            }
            else if (m_lossRate > 0)
            {
                Ptr<RateErrorModel> rate = CreateObject<RateErrorModel>();
                rate->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
                rate->SetRate(m_lossRate);
                impairment->SetAttribute("Loss", PointerValue(rate));
            }
            double reorder = m_reorderRate;
            double duplicate = m_duplicateRate;
            impairment->SetAttribute("ReorderRate", DoubleValue(reorder));
            impairment->SetAttribute("DuplicateRate", DoubleValue(duplicate));
            impairment->SetAttribute("CorruptRate", DoubleValue(m_corruptRate));
            impairment->SetAttribute("Delay",
                                     TimeValue(reorder > 0 ? m_reorderDelay : m_duplicateDelay));
            m_stream += impairment->AssignStreams(m_stream);
            Ptr<CsmaNetDevice> csma = DynamicCast<CsmaNetDevice>(device);
            Ptr<PointToPointNetDevice> p2p = DynamicCast<PointToPointNetDevice>(device);
            Ptr<FullDuplexEthernetNetDevice> fd = DynamicCast<FullDuplexEthernetNetDevice>(device);
            if (fd != nullptr)
            {
                impairment->SetReinjectCallback(
                    MakeBoundCallback(&ReinjectFullDuplex, PeekPointer(fd)));
                fd->SetReceiveErrorModel(impairment);
                Ptr<FullDuplexEthernetChannel> channel =
                    DynamicCast<FullDuplexEthernetChannel>(fd->GetChannel());
                if (channel != nullptr)
                {
                    m_channels.push_back(channel);
                }
                else
                {
                    m_emulated.push_back(impairment);
                }
            }
            else if (csma != nullptr)
            {
                m_emulated.push_back(impairment);
                // The other end of a two-node channel sends what this device receives.
                Ptr<Channel> channel = csma->GetChannel();
                Ptr<CsmaNetDevice> sender;
                for (std::size_t i = 0; i < channel->GetNDevices(); ++i)
                {
                    if (channel->GetDevice(i) != device)
                    {
                        sender = DynamicCast<CsmaNetDevice>(channel->GetDevice(i));
                    }
                }
                impairment->SetReinjectCallback(
                    MakeBoundCallback(&ReinjectCsma, PeekPointer(csma), PeekPointer(sender)));
                csma->SetReceiveErrorModel(impairment);
            }
            else if (p2p != nullptr)
            {
                m_emulated.push_back(impairment);
                impairment->SetReinjectCallback(
                    MakeBoundCallback(&ReinjectPointToPoint, PeekPointer(p2p)));
                p2p->SetReceiveErrorModel(impairment);
            }
            else
            {
                // Any device with a receive error model attribute (loss and link down).
                device->SetAttribute("ReceiveErrorModel", PointerValue(impairment));
                m_emulated.push_back(impairment);
            }
            impairment->TraceConnectWithoutContext("Lost", MakeBoundCallback(&Count, &m_lost));
            impairment->TraceConnectWithoutContext("Reordered",
                                                   MakeBoundCallback(&Count, &m_reordered));
            impairment->TraceConnectWithoutContext("Duplicated",
                                                   MakeBoundCallback(&Count, &m_duplicated));
            impairment->TraceConnectWithoutContext("Corrupted",
                                                   MakeBoundCallback(&Count, &m_corrupted));
            installed.push_back(impairment);
            m_installed.push_back(impairment);
        }
    }
    return installed;
}

void
TlpFaultHelper::LinkDown(Time at, Time duration)
{
    // Full-duplex links go down for real, both directions of the cable: the devices
    // refuse frames, hold their queues, and lose what is on the cable. What they drop
    // meanwhile is the fault's loss.
    for (Ptr<FullDuplexEthernetChannel>& channel : m_channels)
    {
        for (std::size_t i = 0; i < channel->GetNDevices(); ++i)
        {
            Ptr<NetDevice> end = channel->GetDevice(i);
            if (m_downDevices.insert(PeekPointer(end)).second)
            {
                for (const char* source : {"MacTxDrop", "PhyRxDrop"})
                {
                    end->TraceConnectWithoutContext(
                        source,
                        MakeCallback(&TlpFaultHelper::DownDrop, this)
                            .Bind(static_cast<const NetDevice*>(PeekPointer(end))));
                }
            }
        }
        Simulator::Schedule(at, &TlpFaultHelper::SetLink, this, channel, false);
        if (duration != Time::Max())
        {
            Simulator::Schedule(at + duration, &TlpFaultHelper::SetLink, this, channel, true);
        }
    }
    // Other links (CSMA, point-to-point) are taken down by their impairments, which
    // lose everything they receive meanwhile.
    for (Ptr<TlpLinkImpairment>& impairment : m_emulated)
    {
        Simulator::Schedule(at, &SetDown, impairment, true);
        if (duration != Time::Max())
        {
            Simulator::Schedule(at + duration, &SetDown, impairment, false);
        }
    }
}

void
TlpFaultHelper::SetLink(Ptr<FullDuplexEthernetChannel> channel, bool up)
{
    m_linksDown += up ? -1 : 1;
    channel->SetLinkUp(up);
}

bool
TlpFaultHelper::IsDownDevice(const NetDevice* device) const
{
    return m_linksDown > 0 && m_downDevices.count(device) != 0 && !device->IsLinkUp();
}

void
TlpFaultHelper::DownDrop(const NetDevice* device, Ptr<const Packet> frame)
{
    if (IsDownDevice(device))
    {
        Count(&m_lost, frame);
    }
}

void
TlpFaultHelper::NetworkDrop(const NetDevice* device, Ptr<const Packet> frame)
{
    if (!IsDownDevice(device))
    {
        Count(&m_networkDrops, frame); // else the link-down fault counted it
    }
}

void
TlpFaultHelper::SetInterconnectLoss(Ptr<Node> host, double rate, int64_t stream)
{
    NS_ABORT_MSG_IF(rate < 0 || rate > 1,
                    "TlpFaultHelper: interconnect loss rate " << rate << " not in 0..1");
    for (uint32_t d = 0; d < host->GetNDevices(); ++d)
    {
        Ptr<TlpTunnelNetDevice> nic = DynamicCast<TlpTunnelNetDevice>(host->GetDevice(d));
        if (nic != nullptr)
        {
            Ptr<RateErrorModel> model = CreateObject<RateErrorModel>();
            model->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
            model->SetRate(rate);
            model->AssignStreams(stream);
            nic->SetAttribute("InterconnectErrorModel", PointerValue(model));
        }
    }
}

void
TlpFaultHelper::WatchNetwork(NodeContainer nodes)
{
    for (uint32_t n = 0; n < nodes.GetN(); ++n)
    {
        Ptr<Node> node = nodes.Get(n);
        for (uint32_t d = 0; d < node->GetNDevices(); ++d)
        {
            Ptr<NetDevice> device = node->GetDevice(d);
            if (DynamicCast<TlpTunnelNetDevice>(device) || DynamicCast<LoopbackNetDevice>(device))
            {
                continue;
            }
            for (const char* source : {"MacTxDrop", "PhyTxDrop"})
            {
                device->TraceConnectWithoutContext(
                    source,
                    MakeCallback(&TlpFaultHelper::NetworkDrop, this)
                        .Bind(static_cast<const NetDevice*>(PeekPointer(device))));
            }
        }
    }
}

const TlpFaultHelper::Counts&
TlpFaultHelper::GetLost() const
{
    return m_lost;
}

const TlpFaultHelper::Counts&
TlpFaultHelper::GetNetworkDrops() const
{
    return m_networkDrops;
}

const TlpFaultHelper::Counts&
TlpFaultHelper::GetReordered() const
{
    return m_reordered;
}

const TlpFaultHelper::Counts&
TlpFaultHelper::GetDuplicated() const
{
    return m_duplicated;
}

const TlpFaultHelper::Counts&
TlpFaultHelper::GetCorrupted() const
{
    return m_corrupted;
}

bool
TlpFaultHelper::ParseTunnel(Ptr<const Packet> frame, TunnelHeader& header)
{
    // As received (a PPP frame, an Ethernet frame), or as a device refused it before
    // framing (an IPv4 datagram, a tunnel packet). ns-3's MAC addresses begin 00:00
    // and broadcast ones ff:ff, so an Ethernet frame never starts like the others.
    Ptr<Packet> p = frame->Copy();
    uint8_t first[2] = {0, 0};
    p->CopyData(first, 2);
    bool ip = false;
    if (first[0] == 0x00 && first[1] == 0x21) // a PPP frame carrying IPv4
    {
        PppHeader ppp;
        p->RemoveHeader(ppp);
        ip = true;
    }
    else if (first[0] == 0x45) // an IPv4 datagram
    {
        ip = true;
    }
    else if ((first[0] >> 4) != TunnelHeader::VERSION)
    {
        EthernetHeader eth(false);
        if (p->GetSize() < 14 || p->RemoveHeader(eth) == 0)
        {
            return false;
        }
        if (eth.GetLengthType() == 0x0800)
        {
            ip = true;
        }
        else if (eth.GetLengthType() != TlpEthernetTransport::ETHERTYPE)
        {
            return false;
        }
    }
    if (ip)
    {
        Ipv4Header ipv4;
        UdpHeader udp;
        if (p->GetSize() < 28 || p->RemoveHeader(ipv4) == 0 || ipv4.GetProtocol() != 17 ||
            p->RemoveHeader(udp) == 0 ||
            (udp.GetDestinationPort() != TlpUdpTransport::DEFAULT_PORT &&
             udp.GetSourcePort() != TlpUdpTransport::DEFAULT_PORT))
        {
            return false;
        }
    }
    return p->PeekHeader(header) != 0;
}

void
TlpFaultHelper::Count(Counts* counts, Ptr<const Packet> frame)
{
    TunnelHeader th;
    if (!ParseTunnel(frame, th))
    {
        counts->other++;
        return;
    }
    switch (th.GetKind())
    {
    case TunnelHeader::DATA:
        counts->data++;
        break;
    case TunnelHeader::COMPLETION:
        counts->completion++;
        break;
    case TunnelHeader::ACK:
        counts->ack++;
        break;
    default:
        counts->grant++;
        break;
    }
}

} // namespace ns3
