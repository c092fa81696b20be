/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "full-duplex-ethernet-net-device.h"

#include "exact-time.h"
#include "full-duplex-ethernet-channel.h"

#include "ns3/abort.h"
#include "ns3/error-model.h"
#include "ns3/ethernet-header.h"
#include "ns3/ethernet-trailer.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("FullDuplexEthernetNetDevice");

NS_OBJECT_ENSURE_REGISTERED(FullDuplexEthernetNetDevice);

namespace
{
const int64_t PS_PER_S = 1000000000000LL; //!< picoseconds per second
} // namespace

TypeId
FullDuplexEthernetNetDevice::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::FullDuplexEthernetNetDevice")
            .SetParent<NetDevice>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<FullDuplexEthernetNetDevice>()
            .AddAttribute("Address",
                          "The MAC address of this device.",
                          Mac48AddressValue(Mac48Address("ff:ff:ff:ff:ff:ff")),
                          MakeMac48AddressAccessor(&FullDuplexEthernetNetDevice::m_address),
                          MakeMac48AddressChecker())
            .AddAttribute("Mtu",
                          "Largest payload of a frame, bytes (1500; 9000 for jumbo frames). "
                          "Larger ones are refused by Send() and dropped on reception.",
                          UintegerValue(1500),
                          MakeUintegerAccessor(&FullDuplexEthernetNetDevice::SetMtu,
                                               &FullDuplexEthernetNetDevice::GetMtu),
                          MakeUintegerChecker<uint16_t>(MIN_PAYLOAD))
            .AddAttribute("DataRate",
                          "Line rate of each direction (after line coding: 10 Gb/s for "
                          "10GBASE-R).",
                          DataRateValue(DataRate("100Gbps")),
                          MakeDataRateAccessor(&FullDuplexEthernetNetDevice::SetDataRate,
                                               &FullDuplexEthernetNetDevice::GetDataRate),
                          MakeDataRateChecker())
            .AddAttribute("PreambleSize",
                          "Preamble and start frame delimiter before each frame, bytes.",
                          UintegerValue(8),
                          MakeUintegerAccessor(&FullDuplexEthernetNetDevice::m_preamble),
                          MakeUintegerChecker<uint32_t>(0, 64))
            .AddAttribute("InterframeGap",
                          "Idle line after each frame, bytes (12: 96 bit times).",
                          UintegerValue(12),
                          MakeUintegerAccessor(&FullDuplexEthernetNetDevice::m_interframeGap),
                          MakeUintegerChecker<uint32_t>(0, 1024))
            .AddAttribute("ReceiveLatency",
                          "Time from a frame's last bit in to its hand-over to the node "
                          "(0 on hosts; the port-to-port latency on switch and router ports).",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&FullDuplexEthernetNetDevice::m_receiveLatency),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("ReceiveErrorModel",
                          "The receiver error model used to simulate frame loss.",
                          PointerValue(),
                          MakePointerAccessor(&FullDuplexEthernetNetDevice::m_receiveErrorModel),
                          MakePointerChecker<ErrorModel>())
            .AddAttribute("TxQueue",
                          "The transmit queue of the device.",
                          PointerValue(),
                          MakePointerAccessor(&FullDuplexEthernetNetDevice::m_queue),
                          MakePointerChecker<Queue<Packet>>())
            .AddTraceSource("MacTx",
                            "A frame (header added) was accepted for transmission.",
                            MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_macTxTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("MacTxDrop",
                            "A packet was refused before transmission (link down, payload "
                            "above the Mtu, bad EtherType, queue full).",
                            MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_macTxDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource(
                "MacPromiscRx",
                "A frame is passed to a promiscuous receiver (a bridge).",
                MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_macPromiscRxTrace),
                "ns3::Packet::TracedCallback")
            .AddTraceSource("MacRx",
                            "A frame for this host (unicast, broadcast or multicast) is "
                            "passed up the stack.",
                            MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_macRxTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("MacRxDrop",
                            "A received frame was not passed up (for another host with no "
                            "promiscuous receiver, or a length field instead of a type).",
                            MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_macRxDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource(
                "PhyTxBegin",
                "A frame was taken from the queue for the line.",
                MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_phyTxBeginTrace),
                "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyTxEnd",
                            "The last bit of a frame left.",
                            MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_phyTxEndTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyRxEnd",
                            "The last bit of a frame arrived.",
                            MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_phyRxEndTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyRxDrop",
                            "A received frame was dropped (link down or lost on it, error "
                            "model, bad FCS, payload above the Mtu).",
                            MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_phyRxDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("Sniffer",
                            "Frames sent, and frames received for this host (what a "
                            "non-promiscuous pcap holds).",
                            MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_snifferTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource(
                "PromiscSniffer",
                "Every frame sent or received.",
                MakeTraceSourceAccessor(&FullDuplexEthernetNetDevice::m_promiscSnifferTrace),
                "ns3::Packet::TracedCallback");
    return tid;
}

uint64_t
FullDuplexEthernetNetDevice::Statistics::Drops() const
{
    return txDropLinkDown + txDropOversize + txDropBadType + txDropQueueFull + rxDropLinkDown +
           rxDropLost + rxDropError + rxDropFcs + rxDropOversize + rxDropBadType + rxDropFiltered;
}

FullDuplexEthernetNetDevice::FullDuplexEthernetNetDevice()
    : m_ifIndex(0),
      m_mtu(1500),
      m_rate("100Gbps"),
      m_preamble(8),
      m_interframeGap(12),
      m_linkUp(false),
      m_transmitting(false),
      m_txFreePs(0)
{
    NS_LOG_FUNCTION(this);
}

FullDuplexEthernetNetDevice::~FullDuplexEthernetNetDevice()
{
}

void
FullDuplexEthernetNetDevice::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_txComplete.Cancel();
    m_node = nullptr;
    m_channel = nullptr;
    m_queue = nullptr;
    m_receiveErrorModel = nullptr;
    m_current = nullptr;
    m_rxCallback = NetDevice::ReceiveCallback();
    m_promiscCallback = NetDevice::PromiscReceiveCallback();
    NetDevice::DoDispose();
}

void
FullDuplexEthernetNetDevice::Attach(Ptr<FullDuplexEthernetChannel> channel)
{
    NS_LOG_FUNCTION(this << channel);
    NS_ABORT_MSG_IF(m_channel != nullptr,
                    "FullDuplexEthernetNetDevice: already attached to a channel");
    m_channel = channel;
    channel->Attach(this); // brings the link up once both ends are attached
}

void
FullDuplexEthernetNetDevice::SetQueue(Ptr<Queue<Packet>> queue)
{
    m_queue = queue;
}

Ptr<Queue<Packet>>
FullDuplexEthernetNetDevice::GetQueue() const
{
    return m_queue;
}

void
FullDuplexEthernetNetDevice::SetDataRate(DataRate rate)
{
    NS_ABORT_MSG_IF(rate.GetBitRate() == 0,
                    "FullDuplexEthernetNetDevice: attribute DataRate=" << rate
                                                                       << " must be positive");
    m_rate = rate;
}

DataRate
FullDuplexEthernetNetDevice::GetDataRate() const
{
    return m_rate;
}

void
FullDuplexEthernetNetDevice::SetReceiveErrorModel(Ptr<ErrorModel> model)
{
    m_receiveErrorModel = model;
}

const FullDuplexEthernetNetDevice::Statistics&
FullDuplexEthernetNetDevice::GetStatistics() const
{
    return m_stats;
}

uint32_t
FullDuplexEthernetNetDevice::GetFrameSize(uint32_t payload)
{
    return HEADER_SIZE + std::max(payload, MIN_PAYLOAD) + FCS_SIZE;
}

uint32_t
FullDuplexEthernetNetDevice::GetWireSize(uint32_t payload) const
{
    return m_preamble + GetFrameSize(payload) + m_interframeGap;
}

int64_t
FullDuplexEthernetNetDevice::GetSerializationPs(uint32_t bytes) const
{
    uint64_t rate = m_rate.GetBitRate();
    // Exact below 2^64 bit-picoseconds: frames up to 2.3 MB.
    return static_cast<int64_t>((uint64_t(bytes) * 8 * PS_PER_S + rate / 2) / rate);
}

Time
FullDuplexEthernetNetDevice::GetFrameTime(uint32_t payload) const
{
    return PicoSeconds(GetSerializationPs(m_preamble + GetFrameSize(payload)));
}

bool
FullDuplexEthernetNetDevice::IsTagged(uint16_t protocol)
{
    return protocol == 0x8100 || protocol == 0x88A8;
}

// ------------------------------------------------------------------ transmit

bool
FullDuplexEthernetNetDevice::Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber)
{
    return SendFrom(packet, m_address, dest, protocolNumber);
}

bool
FullDuplexEthernetNetDevice::SendFrom(Ptr<Packet> packet,
                                      const Address& source,
                                      const Address& dest,
                                      uint16_t protocolNumber)
{
    NS_LOG_FUNCTION(this << packet << source << dest << protocolNumber);
    if (!m_linkUp)
    {
        m_stats.txDropLinkDown++;
        m_macTxDropTrace(packet);
        return false;
    }
    uint32_t limit = m_mtu + (IsTagged(protocolNumber) ? VLAN_TAG_SIZE : 0);
    if (packet->GetSize() > limit)
    {
        NS_LOG_LOGIC("payload of " << packet->GetSize() << " bytes above the MTU " << limit);
        m_stats.txDropOversize++;
        m_macTxDropTrace(packet);
        return false;
    }
    if (protocolNumber < 0x0600)
    {
        // A length, not a type: this device frames Ethernet II only.
        m_stats.txDropBadType++;
        m_macTxDropTrace(packet);
        return false;
    }
    if (packet->GetSize() < MIN_PAYLOAD)
    {
        // Real zero bytes, as on the wire and in pcap files (a packet of a size alone
        // holds ns-3's zero area: no bytes copied).
        packet->AddAtEnd(Create<Packet>(MIN_PAYLOAD - packet->GetSize()));
    }
    EthernetHeader header(false);
    header.SetSource(Mac48Address::ConvertFrom(source));
    header.SetDestination(Mac48Address::ConvertFrom(dest));
    header.SetLengthType(protocolNumber);
    packet->AddHeader(header);
    EthernetTrailer trailer;
    if (Node::ChecksumEnabled())
    {
        trailer.EnableFcs(true);
        trailer.CalcFcs(packet);
    }
    packet->AddTrailer(trailer);

    m_macTxTrace(packet);
    if (!m_queue->Enqueue(packet))
    {
        m_stats.txDropQueueFull++;
        m_macTxDropTrace(packet);
        return false;
    }
    if (!m_transmitting)
    {
        StartNext();
    }
    return true;
}

void
FullDuplexEthernetNetDevice::StartNext()
{
    if (!m_linkUp)
    {
        m_transmitting = false; // the queue waits for the link
        return;
    }
    Ptr<Packet> frame = m_queue->Dequeue();
    if (frame == nullptr)
    {
        m_transmitting = false;
        return;
    }
    // Back to back after the previous frame and its gap; never before now when the
    // line was idle. The previous frame's end event may be up to one time step late
    // (rounding), which must not delay the next frame.
    int64_t start = m_txFreePs;
    if (!m_transmitting)
    {
        start = std::max(start, Simulator::Now().GetPicoSeconds());
    }
    m_transmitting = true;
    m_current = frame;
    m_snifferTrace(frame);
    m_promiscSnifferTrace(frame);
    m_phyTxBeginTrace(frame);
    int64_t lastBit = start + GetSerializationPs(m_preamble + frame->GetSize());
    m_txFreePs = lastBit + GetSerializationPs(m_interframeGap);
    m_stats.txFrames++;
    m_channel->Transmit(frame, this, lastBit);
    m_txComplete = Simulator::Schedule(DelayUntilPicoSeconds(lastBit),
                                       &FullDuplexEthernetNetDevice::TransmitComplete,
                                       this);
}

void
FullDuplexEthernetNetDevice::TransmitComplete()
{
    Ptr<Packet> frame = m_current;
    m_current = nullptr;
    m_phyTxEndTrace(frame);
    StartNext();
}

// ------------------------------------------------------------------- receive

void
FullDuplexEthernetNetDevice::LoseInFlight(Ptr<Packet> frame)
{
    m_stats.rxDropLost++;
    m_phyRxDropTrace(frame);
}

void
FullDuplexEthernetNetDevice::Receive(Ptr<Packet> frame)
{
    NS_LOG_FUNCTION(this << frame);
    m_phyRxEndTrace(frame);
    if (!m_linkUp)
    {
        m_stats.rxDropLinkDown++;
        m_phyRxDropTrace(frame);
        return;
    }
    if (m_receiveErrorModel != nullptr && m_receiveErrorModel->IsCorrupt(frame))
    {
        m_stats.rxDropError++;
        m_phyRxDropTrace(frame);
        return;
    }
    if (frame->GetSize() < HEADER_SIZE + MIN_PAYLOAD + FCS_SIZE)
    {
        // A runt: no sender of this model makes one (MPI peers included).
        m_stats.rxDropFcs++;
        m_phyRxDropTrace(frame);
        return;
    }
    Ptr<Packet> packet = frame->Copy();
    EthernetTrailer trailer;
    packet->RemoveTrailer(trailer);
    if (Node::ChecksumEnabled())
    {
        trailer.EnableFcs(true);
        if (!trailer.CheckFcs(packet))
        {
            m_stats.rxDropFcs++;
            m_phyRxDropTrace(frame);
            return;
        }
    }
    EthernetHeader header(false);
    packet->RemoveHeader(header);
    uint16_t protocol = header.GetLengthType();
    if (packet->GetSize() > m_mtu + (IsTagged(protocol) ? VLAN_TAG_SIZE : 0))
    {
        m_stats.rxDropOversize++;
        m_phyRxDropTrace(frame);
        return;
    }
    m_promiscSnifferTrace(frame);
    if (protocol < 0x0600)
    {
        m_stats.rxDropBadType++;
        m_macRxDropTrace(frame);
        return;
    }
    Mac48Address destination = header.GetDestination();
    PacketType type = PACKET_OTHERHOST;
    if (destination.IsBroadcast())
    {
        type = PACKET_BROADCAST;
    }
    else if (destination.IsGroup())
    {
        type = PACKET_MULTICAST;
    }
    else if (destination == m_address)
    {
        type = PACKET_HOST;
    }
    if (type != PACKET_OTHERHOST)
    {
        m_snifferTrace(frame);
    }
    if (m_receiveLatency.IsStrictlyPositive())
    {
        Simulator::Schedule(m_receiveLatency,
                            &FullDuplexEthernetNetDevice::ForwardUp,
                            this,
                            frame,
                            packet,
                            protocol,
                            header.GetSource(),
                            destination,
                            type);
        return;
    }
    ForwardUp(frame, packet, protocol, header.GetSource(), destination, type);
}

void
FullDuplexEthernetNetDevice::ForwardUp(Ptr<Packet> frame,
                                       Ptr<Packet> packet,
                                       uint16_t protocol,
                                       Mac48Address source,
                                       Mac48Address destination,
                                       PacketType type)
{
    bool taken = false;
    if (!m_promiscCallback.IsNull())
    {
        m_macPromiscRxTrace(frame);
        m_promiscCallback(this, packet, protocol, source, destination, type);
        taken = true;
    }
    if (type != PACKET_OTHERHOST)
    {
        m_stats.rxFrames++;
        m_macRxTrace(frame);
        if (!m_rxCallback.IsNull())
        {
            m_rxCallback(this, packet, protocol, source);
        }
        return;
    }
    if (taken)
    {
        m_stats.rxFrames++;
        return;
    }
    m_stats.rxDropFiltered++;
    m_macRxDropTrace(frame);
}

// ------------------------------------------------------------------ link

void
FullDuplexEthernetNetDevice::NotifyLinkChange(bool up)
{
    NS_LOG_FUNCTION(this << up);
    if (up == m_linkUp)
    {
        return;
    }
    m_linkUp = up;
    m_linkChangeCallbacks();
    if (up && !m_transmitting && m_queue != nullptr)
    {
        StartNext();
    }
}

bool
FullDuplexEthernetNetDevice::IsLinkUp() const
{
    return m_linkUp;
}

void
FullDuplexEthernetNetDevice::AddLinkChangeCallback(Callback<void> callback)
{
    m_linkChangeCallbacks.ConnectWithoutContext(callback);
}

// ------------------------------------------------------------- NetDevice

void
FullDuplexEthernetNetDevice::SetIfIndex(const uint32_t index)
{
    m_ifIndex = index;
}

uint32_t
FullDuplexEthernetNetDevice::GetIfIndex() const
{
    return m_ifIndex;
}

Ptr<Channel>
FullDuplexEthernetNetDevice::GetChannel() const
{
    return m_channel;
}

void
FullDuplexEthernetNetDevice::SetAddress(Address address)
{
    m_address = Mac48Address::ConvertFrom(address);
}

Address
FullDuplexEthernetNetDevice::GetAddress() const
{
    return m_address;
}

bool
FullDuplexEthernetNetDevice::SetMtu(const uint16_t mtu)
{
    if (mtu < MIN_PAYLOAD)
    {
        return false;
    }
    m_mtu = mtu;
    return true;
}

uint16_t
FullDuplexEthernetNetDevice::GetMtu() const
{
    return m_mtu;
}

bool
FullDuplexEthernetNetDevice::IsBroadcast() const
{
    return true;
}

Address
FullDuplexEthernetNetDevice::GetBroadcast() const
{
    return Mac48Address::GetBroadcast();
}

bool
FullDuplexEthernetNetDevice::IsMulticast() const
{
    return true;
}

Address
FullDuplexEthernetNetDevice::GetMulticast(Ipv4Address multicastGroup) const
{
    return Mac48Address::GetMulticast(multicastGroup);
}

Address
FullDuplexEthernetNetDevice::GetMulticast(Ipv6Address addr) const
{
    return Mac48Address::GetMulticast(addr);
}

bool
FullDuplexEthernetNetDevice::IsPointToPoint() const
{
    // One cable, but Ethernet: frames are addressed and may be bridged further.
    return false;
}

bool
FullDuplexEthernetNetDevice::IsBridge() const
{
    return false;
}

Ptr<Node>
FullDuplexEthernetNetDevice::GetNode() const
{
    return m_node;
}

void
FullDuplexEthernetNetDevice::SetNode(Ptr<Node> node)
{
    m_node = node;
}

bool
FullDuplexEthernetNetDevice::NeedsArp() const
{
    return true;
}

void
FullDuplexEthernetNetDevice::SetReceiveCallback(NetDevice::ReceiveCallback cb)
{
    m_rxCallback = cb;
}

void
FullDuplexEthernetNetDevice::SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback cb)
{
    m_promiscCallback = cb;
}

bool
FullDuplexEthernetNetDevice::SupportsSendFrom() const
{
    return true;
}

} // namespace ns3
