/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-tunnel-net-device.h"

#include "tlp-ecrc-trailer.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpTunnelNetDevice");

NS_OBJECT_ENSURE_REGISTERED(TlpTunnelNetDevice);

namespace
{

constexpr uint64_t PAGE = 4096;

/// Bytes of memory a request touches, from its address.
uint64_t
RequestSpan(const TlpHeader& h)
{
    if (h.IsAtomic())
    {
        return h.GetKind() == TlpHeader::CAS ? h.GetDataSize() / 2 : h.GetDataSize();
    }
    return uint64_t(h.GetLengthDw()) * 4;
}

/// [address, address + span) lies inside [base, base + size).
bool
Inside(uint64_t address, uint64_t span, uint64_t base, uint64_t size)
{
    return address >= base && span <= size && address - base <= size - span;
}

} // namespace

TypeId
TlpTunnelNetDevice::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TlpTunnelNetDevice")
            .SetParent<NetDevice>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<TlpTunnelNetDevice>()
            .AddAttribute("RequesterId",
                          "Bus/device/function of the NIC: Requester ID of its own requests and "
                          "Completer ID of the completions it generates.",
                          UintegerValue(2),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_requesterId),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute("RxCredits",
                          "TLPs the NIC accepts from its interconnect before it returns credits "
                          "(its receive buffer): a NIC full of TLPs waiting for a grant or for "
                          "the network back-pressures the interconnect.",
                          UintegerValue(64),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_rxCredits),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("ProcessingDelay",
                          "Time the NIC takes per TLP or packet, in each direction "
                          "(lookup, translation, encapsulation or extraction).",
                          TimeValue(NanoSeconds(100)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_processingDelay),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("GrantRetry",
                          "Interval after which an unanswered GRANT_REQUEST is sent again.",
                          TimeValue(MicroSeconds(100)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_grantRetry),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("ExportBase",
                          "First address of the local memory pool from which regions are "
                          "granted to senders that ask for any region.",
                          UintegerValue(uint64_t(1) << 32),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_exportBase),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("ExportSize",
                          "Bytes of that pool.",
                          UintegerValue(uint64_t(1) << 38),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_exportSize),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("MaxReadRequestSize",
                          "Max_Read_Request_Size of the NIC's own reads (ReadRemote), bytes.",
                          UintegerValue(512),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_maxReadRequestSize),
                          MakeUintegerChecker<uint32_t>(128, 4096))
            .AddAttribute("MaxPayloadSize",
                          "Max_Payload_Size of the writes the NIC issues, bytes.",
                          UintegerValue(256),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_maxPayloadSize),
                          MakeUintegerChecker<uint32_t>(128, 4096))
            .AddAttribute("AggregationLimit",
                          "Most TLPs one tunnel packet carries (1: every TLP travels alone). "
                          "TLPs for the same peer and window are gathered until the limit, "
                          "MaxPacketSize or AggregationTimeout is reached.",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_aggregationLimit),
                          MakeUintegerChecker<uint32_t>(1, TunnelHeader::MAX_COUNT))
            .AddAttribute("AggregationTimeout",
                          "Longest time a TLP waits for others to share its packet.",
                          TimeValue(MicroSeconds(1)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_aggregationTimeout),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("MaxPacketSize",
                          "Largest tunnel packet (header and TLPs), bytes. The NIC sends at "
                          "most the smaller of this and what its transport's path carries "
                          "(the link MTU less the transport's headers: 1500 for Ethernet, "
                          "1472 for UDP on 1500-byte links).",
                          UintegerValue(65507),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_maxPacketSize),
                          MakeUintegerChecker<uint32_t>(64, 65507))
            .AddAttribute("Mtu",
                          "NetDevice MTU (the NIC carries TLPs, not layer-3 packets).",
                          UintegerValue(1500),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_mtu),
                          MakeUintegerChecker<uint16_t>())
            .AddTraceSource("Sniffer",
                            "Every TLP crossing between the interconnect and the NIC, either "
                            "way (raw TLP bytes; what pcap files record).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_snifferTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("TlpTx",
                            "A TLP from the interconnect was encapsulated towards a peer.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_tlpTxTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("TlpRx",
                            "A TLP from a peer was placed on the interconnect.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_tlpRxTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("MacTx",
                            "A tunnel packet was handed to the transport.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_macTxTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("MacRx",
                            "A tunnel packet arrived from the transport.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_macRxTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("Drop",
                            "A packet or TLP was dropped (see DropReason).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_dropTrace),
                            "ns3::TlpTunnelNetDevice::DropTracedCallback")
            .AddTraceSource("Grant",
                            "A window was granted: (peer node, window ID, region base).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_grantTrace),
                            "ns3::TlpTunnelNetDevice::GrantTracedCallback");
    return tid;
}

TlpTunnelNetDevice::TlpTunnelNetDevice()
    : m_ifIndex(0),
      m_mtu(1500),
      m_requesterId(2),
      m_rxCredits(64),
      m_exportBase(uint64_t(1) << 32),
      m_exportSize(uint64_t(1) << 38),
      m_exportNext(uint64_t(1) << 32),
      m_maxReadRequestSize(512),
      m_maxPayloadSize(256),
      m_aggregationLimit(1),
      m_maxPacketSize(65507),
      m_pending(0),
      m_inSendQueued(false),
      m_nextOwnRead(1)
{
    NS_LOG_FUNCTION(this);
}

TlpTunnelNetDevice::~TlpTunnelNetDevice()
{
    NS_LOG_FUNCTION(this);
}

void
TlpTunnelNetDevice::DoDispose()
{
    m_tracker.Clear();
    for (uint16_t i = 0; i < m_windows.GetN(); ++i)
    {
        m_windows.Get(i)->retry.Cancel();
        m_windows.Get(i)->pending.clear();
    }
    m_toNetwork.clear();
    for (auto& entry : m_batches)
    {
        entry.second.timer.Cancel();
    }
    m_batches.clear();
    m_toInterconnect.clear();
    m_ownReads.clear();
    m_port = nullptr;
    m_transport = nullptr;
    m_node = nullptr;
    NetDevice::DoDispose();
}

void
TlpTunnelNetDevice::DoInitialize()
{
    m_exportNext = std::max(m_exportNext, m_exportBase);
    if (m_port != nullptr)
    {
        m_port->SetDeliveryDelay(m_processingDelay);
    }
    NetDevice::DoInitialize();
}

void
TlpTunnelNetDevice::Attach(Ptr<PciePort> port)
{
    NS_LOG_FUNCTION(this << port);
    NS_ABORT_MSG_IF(m_port != nullptr, "TlpTunnelNetDevice: already attached to a PCIe link");
    m_port = port;
    port->SetDevice(this);
    port->SetReceiveCallback(MakeCallback(&TlpTunnelNetDevice::ReceiveFromInterconnect, this));
    port->SetReadyCallback(MakeCallback(&TlpTunnelNetDevice::DrainToInterconnect, this));
    port->ClaimRequesterId(m_requesterId);
    port->SetDefaultCompletionRoute();
    port->SetReceiveCredits(m_rxCredits);
    // The NIC's processing of TLPs from the interconnect is part of their delivery.
    port->SetDeliveryDelay(m_processingDelay);
    m_exportNext = m_exportBase;
    m_tracker.Configure(256,
                        MilliSeconds(50),
                        MakeCallback(&TlpTunnelNetDevice::OwnReadData, this),
                        MakeCallback(&TlpTunnelNetDevice::OwnReadEnded, this));
    m_tracker.SetFreedCallback(MakeCallback(&TlpTunnelNetDevice::SendOwnReads, this));
}

void
TlpTunnelNetDevice::SetTransport(Ptr<TlpTransport> transport)
{
    NS_LOG_FUNCTION(this << transport);
    m_transport = transport;
    transport->SetCallbacks(MakeCallback(&TlpTunnelNetDevice::ReceiveFromNetwork, this),
                            MakeCallback(&TlpTunnelNetDevice::SendQueued, this));
}

Ptr<TlpTransport>
TlpTunnelNetDevice::GetTransport() const
{
    return m_transport;
}

uint16_t
TlpTunnelNetDevice::AddWindow(uint64_t base,
                              uint64_t size,
                              uint32_t peer,
                              uint64_t regionBase,
                              TlpWindow::TranslateAt translateAt)
{
    NS_LOG_FUNCTION(this << base << size << peer << regionBase);
    NS_ABORT_MSG_IF(m_port == nullptr || m_transport == nullptr || m_node == nullptr,
                    "TlpTunnelNetDevice: AddWindow before Attach() and SetTransport()");
    NS_ABORT_MSG_IF(base % PAGE != 0 || size % PAGE != 0 || size == 0,
                    "TlpTunnelNetDevice: window base 0x" << std::hex << base << " and size 0x"
                                                         << size
                                                         << " must be non-zero multiples of 4 KiB");
    NS_ABORT_MSG_IF(regionBase != TunnelGrantHeader::ANY_BASE && regionBase % PAGE != 0,
                    "TlpTunnelNetDevice: region base 0x" << std::hex << regionBase
                                                         << " must be a multiple of 4 KiB");
    NS_ABORT_MSG_IF(peer == m_node->GetId(),
                    "TlpTunnelNetDevice: window at 0x"
                        << std::hex << base << " maps to its own node " << std::dec << peer);
    NS_ABORT_MSG_IF(m_transport->GetDirectory() == nullptr ||
                        !m_transport->GetDirectory()->Contains(peer),
                    "TlpTunnelNetDevice: window at 0x"
                        << std::hex << base << " maps to node " << std::dec << peer
                        << ", which does not exist or has no NIC in this fabric");
    TlpWindow w;
    w.base = base;
    w.size = size;
    w.peer = peer;
    w.requestedBase = regionBase;
    w.translateAt = translateAt;
    uint16_t id = m_windows.Add(w);
    m_port->ClaimAddressRange(base, size);
    Simulator::ScheduleWithContext(m_node->GetId(),
                                   Time(0),
                                   &TlpTunnelNetDevice::RequestGrant,
                                   this,
                                   id);
    return id;
}

const TlpWindow*
TlpTunnelNetDevice::GetWindow(uint16_t id)
{
    return m_windows.Get(id);
}

uint16_t
TlpTunnelNetDevice::GetNWindows() const
{
    return m_windows.GetN();
}

uint16_t
TlpTunnelNetDevice::GetRequesterId() const
{
    return m_requesterId;
}

Ptr<PciePort>
TlpTunnelNetDevice::GetPort() const
{
    return m_port;
}

const TlpTunnelNetDevice::Statistics&
TlpTunnelNetDevice::GetStatistics() const
{
    return m_stats;
}

uint32_t
TlpTunnelNetDevice::GetMaxPacketSize() const
{
    if (m_transport == nullptr)
    {
        return m_maxPacketSize;
    }
    return std::min(m_maxPacketSize, m_transport->GetMaxPacketSize());
}

uint64_t
TlpTunnelNetDevice::RegionKey(uint32_t node, uint16_t window)
{
    return uint64_t(node) << 16 | window;
}

void
TlpTunnelNetDevice::Drop(Ptr<const Packet> packet, DropReason reason)
{
    NS_LOG_LOGIC("drop, reason " << +reason);
    if (reason == DROP_MALFORMED_PACKET || reason == DROP_UNKNOWN_SOURCE)
    {
        m_stats.malformedPackets++;
    }
    else
    {
        m_stats.tlpDrops++;
    }
    m_dropTrace(packet, reason);
}

// ---------------------------------------------------------------- sending side

void
TlpTunnelNetDevice::RequestGrant(uint16_t id)
{
    TlpWindow* w = m_windows.Get(id);
    if (w == nullptr || w->granted || w->refused)
    {
        return;
    }
    TunnelGrantHeader body;
    body.windowBase = w->base;
    body.size = w->size;
    body.regionBase = w->requestedBase;
    body.translateAt = w->translateAt;
    SendControl(w->peer, TunnelHeader::GRANT_REQUEST, id, body);
    m_stats.grantRequests++;
    w->retry = Simulator::Schedule(m_grantRetry, &TlpTunnelNetDevice::RequestGrant, this, id);
}

void
TlpTunnelNetDevice::ReceiveFromInterconnect(Ptr<Packet> tlp)
{
    NS_LOG_FUNCTION(this << tlp);
    // The interconnect delivers a TLP once the NIC has processed it (the port's
    // delivery delay is ProcessingDelay), so it is handled at once.
    m_stats.tlpsCrossed++;
    m_snifferTrace(tlp);
    TlpHeader h;
    tlp->PeekHeader(h); // the interconnect delivers well-formed TLPs only
    if (h.IsCompletion())
    {
        if (h.GetRequesterId() == m_requesterId)
        {
            // A completion for one of our own reads (a UR we answered ourselves).
            if (m_tracker.Receive(tlp, h) == TlpRequestTracker::NOT_OURS)
            {
                Drop(tlp, DROP_UNKNOWN_REQUESTER);
            }
            m_port->ReturnCredits(1);
            return;
        }
        auto it = m_requesters.find(h.GetRequesterId());
        if (it == m_requesters.end())
        {
            Drop(tlp, DROP_UNKNOWN_REQUESTER);
            m_port->ReturnCredits(1);
            return;
        }
        Encapsulate(it->second, 0, 0, tlp, 1);
        return;
    }
    TlpWindow* w = h.HasMemoryAddress() ? m_windows.Find(h.GetAddress()) : nullptr;
    if (w == nullptr)
    {
        Refuse(tlp, DROP_NO_REGION, UINT32_MAX);
        m_port->ReturnCredits(1);
        return;
    }
    if (!w->pending.empty())
    {
        // Behind the TLPs held for the grant (or still being sent since it came).
        w->pending.emplace_back(tlp, 1);
        m_pending++;
        m_stats.maxPending = std::max(m_stats.maxPending, m_pending);
        return;
    }
    SendThroughWindow(*w, tlp, h, 1);
}

void
TlpTunnelNetDevice::SendThroughWindow(TlpWindow& w, Ptr<Packet> tlp, uint32_t credits)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    SendThroughWindow(w, tlp, h, credits);
}

void
TlpTunnelNetDevice::SendThroughWindow(TlpWindow& w,
                                      Ptr<Packet> tlp,
                                      const TlpHeader& h,
                                      uint32_t credits)
{
    if (w.refused || !Inside(h.GetAddress(), RequestSpan(h), w.base, w.size))
    {
        Refuse(tlp, DROP_REFUSED, UINT32_MAX);
        if (credits)
        {
            m_port->ReturnCredits(credits);
        }
        return;
    }
    if (!w.granted)
    {
        w.pending.emplace_back(tlp, credits);
        m_pending++;
        m_stats.maxPending = std::max(m_stats.maxPending, m_pending);
        return;
    }
    uint8_t flags = 0;
    if (w.translateAt == TlpWindow::SENDER)
    {
        tlp = Readdress(tlp, h, w.Translate(h.GetAddress()));
        flags |= TunnelHeader::FLAG_TRANSLATED;
    }
    Encapsulate(w.peer, w.id, flags, tlp, credits);
}

Ptr<Packet>
TlpTunnelNetDevice::Readdress(Ptr<Packet> tlp, TlpHeader h, uint64_t address)
{
    TlpEcrcTrailer digest;
    if (h.HasDigest())
    {
        tlp->RemoveTrailer(digest);
    }
    tlp->RemoveAtStart(h.GetSerializedSize()); // h was parsed from this TLP
    h.SetAddress(address);
    tlp->AddHeader(h);
    if (h.HasDigest())
    {
        TlpEcrcTrailer::Append(tlp);
    }
    return tlp;
}

void
TlpTunnelNetDevice::Stamp(uint32_t peer, TunnelHeader& header)
{
    header.SetSource(m_node->GetId());
    header.SetSequence(m_txSequence[peer]++);
}

void
TlpTunnelNetDevice::Encapsulate(uint32_t peer,
                                uint16_t window,
                                uint8_t flags,
                                Ptr<Packet> tlp,
                                uint32_t credits)
{
    m_tlpTxTrace(tlp);
    m_stats.tlpsToNetwork++;
    uint16_t size = static_cast<uint16_t>(tlp->GetSize());
    if (m_aggregationLimit == 1)
    {
        TunnelHeader th = DataHeader(window, flags);
        th.AddTlp(size);
        Stamp(peer, th);
        tlp->AddHeader(th);
        m_toNetwork.push_back({tlp, peer, credits, 1});
        SendQueued();
        return;
    }
    Batch& batch = m_batches[peer];
    // A batch holds TLPs of one window and one translation, in arrival order.
    uint16_t count = batch.header.GetCount();
    uint32_t header = TunnelHeader::FIXED_SIZE + 2 * (count + 1) + 3;
    Outgoing full{nullptr, peer, 0, 0};
    if (count != 0 && (batch.header.GetWindow() != window || batch.header.GetFlags() != flags ||
                       header + batch.bytes.size() + size > GetMaxPacketSize()))
    {
        // Sent once this TLP is in the next batch: sending returns credits, and the
        // interconnect may deliver the next TLP from within, which must come after.
        full = TakeBatch(peer);
    }
    if (batch.header.GetCount() == 0)
    {
        batch.header = DataHeader(window, flags);
        batch.timer =
            Simulator::Schedule(m_aggregationTimeout, &TlpTunnelNetDevice::FlushBatch, this, peer);
    }
    batch.header.AddTlp(size);
    std::size_t offset = batch.bytes.size();
    batch.bytes.resize(offset + size);
    tlp->CopyData(batch.bytes.data() + offset, size);
    batch.credits += credits;
    if (full.packet != nullptr)
    {
        m_toNetwork.push_back(full);
        SendQueued();
    }
    if (batch.header.GetCount() >= m_aggregationLimit)
    {
        FlushBatch(peer);
    }
}

TunnelHeader
TlpTunnelNetDevice::DataHeader(uint16_t window, uint8_t flags)
{
    TunnelHeader th;
    th.SetKind(TunnelHeader::DATA);
    th.SetFlags(flags);
    th.SetWindow(window);
    return th;
}

TlpTunnelNetDevice::Outgoing
TlpTunnelNetDevice::TakeBatch(uint32_t peer)
{
    Batch& batch = m_batches[peer];
    batch.timer.Cancel();
    Ptr<Packet> packet = Create<Packet>(batch.bytes.data(), batch.bytes.size());
    Stamp(peer, batch.header);
    packet->AddHeader(batch.header);
    Outgoing out{packet, peer, batch.credits, batch.header.GetCount()};
    batch.header = TunnelHeader();
    batch.bytes.clear();
    batch.credits = 0;
    return out;
}

void
TlpTunnelNetDevice::FlushBatch(uint32_t peer)
{
    if (m_batches[peer].header.GetCount() == 0)
    {
        return;
    }
    m_toNetwork.push_back(TakeBatch(peer));
    SendQueued();
}

void
TlpTunnelNetDevice::SendControl(uint32_t peer,
                                TunnelHeader::Kind kind,
                                uint16_t window,
                                const TunnelGrantHeader& body)
{
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(body);
    TunnelHeader th;
    th.SetKind(kind);
    th.SetWindow(window);
    Stamp(peer, th);
    p->AddHeader(th);
    m_toNetwork.push_back({p, peer, 0, 0});
    SendQueued();
}

void
TlpTunnelNetDevice::SendQueued()
{
    if (m_inSendQueued || m_transport == nullptr)
    {
        return;
    }
    m_inSendQueued = true;
    while (!m_toNetwork.empty() && m_transport->CanSend(m_toNetwork.front().peer))
    {
        Outgoing out = m_toNetwork.front();
        m_toNetwork.pop_front();
        // TLPs come from this node's own requesters and memory, so a packet too large
        // for the path is a configuration error, not traffic to drop.
        NS_ABORT_MSG_IF(out.packet->GetSize() > GetMaxPacketSize(),
                        "TlpTunnelNetDevice (node "
                            << m_node->GetId() << "): a tunnel packet of " << out.packet->GetSize()
                            << " bytes exceeds the largest the path "
                            << "carries: MaxPacketSize=" << m_maxPacketSize << ", "
                            << m_transport->GetInstanceTypeId().GetName() << " "
                            << m_transport->GetMaxPacketSize()
                            << " (the link's Mtu less its headers); lower MaxPayloadSize of "
                               "the CPU and memory or raise the links' Mtu (jumbo frames)");
        m_macTxTrace(out.packet);
        if (m_transport->Send(out.packet, out.peer))
        {
            m_stats.packetsSent++;
            m_stats.tunnelTlpsSent += out.tlps;
        }
        else
        {
            Drop(out.packet, DROP_TRANSPORT);
        }
        if (out.credits != 0)
        {
            m_port->ReturnCredits(out.credits);
        }
    }
    m_inSendQueued = false;
}

void
TlpTunnelNetDevice::Refuse(Ptr<const Packet> request, DropReason reason, uint32_t toPeer)
{
    TlpHeader h;
    request->PeekHeader(h);
    if (!h.IsRequest() || h.IsPosted())
    {
        Drop(request, reason);
        return;
    }
    TlpHeader cpl = TlpHeader::MakeCompletionFor(h, TlpHeader::UR, m_requesterId);
    Ptr<Packet> reply = Create<Packet>();
    reply->AddHeader(cpl);
    m_stats.unsupportedRequests++;
    if (toPeer == UINT32_MAX)
    {
        QueueToInterconnect(reply);
    }
    else
    {
        Encapsulate(toPeer, 0, 0, reply, 0);
    }
}

// -------------------------------------------------------------- receiving side

void
TlpTunnelNetDevice::ReceiveFromNetwork(Ptr<Packet> packet)
{
    NS_LOG_FUNCTION(this << packet);
    m_macRxTrace(packet);
    m_stats.packetsReceived++;
    // Decided now; the TLPs leave for the interconnect once ProcessingDelay is over.
    TunnelHeader th;
    uint32_t headerSize = packet->PeekHeader(th);
    if (headerSize == 0 || th.GetSource() == m_node->GetId())
    {
        NS_LOG_LOGIC(
            "malformed tunnel packet: " << TunnelHeader::ParseErrorToString(th.GetParseError()));
        Drop(packet, DROP_MALFORMED_PACKET);
        return;
    }
    uint32_t source = th.GetSource();
    Ptr<TlpPeerDirectory> peers = m_transport->GetDirectory();
    if (peers == nullptr || !peers->Contains(source))
    {
        // Nothing to answer it with, and nothing it asks for may happen.
        NS_LOG_LOGIC("tunnel packet from node " << source << ", which has no NIC in the fabric");
        Drop(packet, DROP_UNKNOWN_SOURCE);
        return;
    }
    // Recorded only once the packet proved well formed: a rejected packet changes nothing.
    auto recordSequence = [this, &th, source]() {
        auto seq = m_rxSequence.find(source);
        if (seq != m_rxSequence.end() && th.GetSequence() > seq->second)
        {
            m_stats.sequenceGaps += th.GetSequence() - seq->second;
        }
        if (seq == m_rxSequence.end() || th.GetSequence() >= seq->second)
        {
            m_rxSequence[source] = th.GetSequence() + 1;
        }
    };
    switch (th.GetKind())
    {
    case TunnelHeader::DATA: {
        // Every TLP must lie inside the packet; bytes after the last are link padding.
        if (th.GetTotalTlpBytes() > packet->GetSize() - headerSize)
        {
            Drop(packet, DROP_MALFORMED_PACKET);
            return;
        }
        recordSequence();
        m_stats.tunnelTlpsReceived += th.GetCount();
        uint32_t offset = headerSize;
        for (uint16_t i = 0; i < th.GetCount(); ++i)
        {
            uint16_t length = th.GetTlpLength(i);
            ExtractTlp(th, packet->CreateFragment(offset, length));
            offset += length;
        }
        return;
    }
    case TunnelHeader::GRANT_REQUEST:
    case TunnelHeader::GRANT: {
        packet->RemoveAtStart(headerSize);
        TunnelGrantHeader body;
        if (packet->PeekHeader(body) == 0)
        {
            Drop(packet, DROP_MALFORMED_PACKET);
            return;
        }
        if (th.GetKind() == TunnelHeader::GRANT_REQUEST)
        {
            recordSequence();
            HandleGrantRequest(th, body);
        }
        else if (HandleGrant(th, body))
        {
            recordSequence();
        }
        else
        {
            Drop(packet, DROP_MALFORMED_PACKET);
        }
        return;
    }
    default:
        recordSequence();
        return; // acknowledgements carry nothing to act on here
    }
}

void
TlpTunnelNetDevice::ExtractTlp(const TunnelHeader& th, Ptr<Packet> tlp)
{
    TlpHeader h;
    uint32_t headerSize = tlp->PeekHeader(h);
    if (headerSize == 0 ||
        tlp->GetSize() != headerSize + h.GetDataSize() + (h.HasDigest() ? TlpEcrcTrailer::SIZE : 0))
    {
        Drop(tlp, DROP_MALFORMED_TLP);
        return;
    }
    if (h.HasDigest() && !TlpEcrcTrailer::Verify(tlp))
    {
        Drop(tlp, DROP_ECRC);
        return;
    }
    uint32_t source = th.GetSource();
    if (h.IsCompletion())
    {
        if (h.GetRequesterId() == m_requesterId)
        {
            TlpRequestTracker::Outcome outcome = m_tracker.Receive(tlp, h);
            if (outcome == TlpRequestTracker::NOT_OURS || outcome == TlpRequestTracker::MALFORMED)
            {
                Drop(tlp, DROP_UNKNOWN_REQUESTER);
            }
            return;
        }
        PlaceOnInterconnect(tlp);
        return;
    }
    if (!h.HasMemoryAddress())
    {
        Drop(tlp, DROP_MALFORMED_TLP);
        return;
    }
    // A request is placed only inside a region this NIC granted to the sender.
    auto it = m_regions.find(RegionKey(source, th.GetWindow()));
    uint64_t address = h.GetAddress();
    uint64_t span = RequestSpan(h);
    bool translated = th.GetFlags() & TunnelHeader::FLAG_TRANSLATED;
    bool ok = false;
    uint64_t target = address;
    if (it != m_regions.end())
    {
        const Region& r = it->second;
        if (translated)
        {
            ok = Inside(address, span, r.regionBase, r.size);
        }
        else
        {
            ok = Inside(address, span, r.windowBase, r.size);
            target = r.regionBase + (address - r.windowBase);
        }
    }
    if (!ok)
    {
        Refuse(tlp, DROP_NO_REGION, source);
        return;
    }
    if (!translated)
    {
        tlp = Readdress(tlp, h, target);
    }
    if (!h.IsPosted())
    {
        m_requesters[h.GetRequesterId()] = source;
    }
    PlaceOnInterconnect(tlp);
}

void
TlpTunnelNetDevice::PlaceOnInterconnect(Ptr<Packet> tlp)
{
    m_stats.tlpsFromNetwork++;
    m_tlpRxTrace(tlp);
    QueueToInterconnect(tlp);
}

void
TlpTunnelNetDevice::QueueToInterconnect(Ptr<Packet> tlp)
{
    m_toInterconnect.emplace_back(tlp, Simulator::Now() + m_processingDelay);
    DrainToInterconnect();
}

void
TlpTunnelNetDevice::DrainToInterconnect()
{
    while (!m_toInterconnect.empty())
    {
        Ptr<Packet> tlp = m_toInterconnect.front().first;
        Time now = Simulator::Now();
        Time ready = m_toInterconnect.front().second;
        if (!m_port->Send(tlp, ready > now ? ready - now : Time(0)))
        {
            return; // the ready callback resumes
        }
        m_toInterconnect.pop_front();
        m_stats.tlpsCrossed++;
        m_snifferTrace(tlp);
    }
}

void
TlpTunnelNetDevice::HandleGrantRequest(const TunnelHeader& th, const TunnelGrantHeader& body)
{
    uint32_t source = th.GetSource();
    uint64_t key = RegionKey(source, th.GetWindow());
    TunnelGrantHeader reply = body;
    auto it = m_regions.find(key);
    if (it != m_regions.end())
    {
        // A retransmitted request: the region stands.
        reply.regionBase = it->second.regionBase;
        reply.status = 0;
    }
    else
    {
        bool ok = body.size != 0 && body.size % PAGE == 0 && body.windowBase % PAGE == 0;
        uint64_t base = body.regionBase;
        if (ok && base == TunnelGrantHeader::ANY_BASE)
        {
            base = TlpHeader::AlignUp(std::max(m_exportNext, m_exportBase), PAGE);
            ok = base - m_exportBase <= m_exportSize &&
                 body.size <= m_exportSize - (base - m_exportBase);
        }
        else if (ok)
        {
            ok = base % PAGE == 0 && base + (body.size - 1) >= base;
        }
        // The region must be memory of this node, not one of our own windows.
        ok = ok && m_port->IsHostMemory(base, body.size);
        reply.status = ok ? 0 : 1;
        if (ok)
        {
            if (body.regionBase == TunnelGrantHeader::ANY_BASE)
            {
                m_exportNext = base + body.size;
            }
            reply.regionBase = base;
            m_regions[key] = {body.windowBase,
                              body.size,
                              base,
                              body.translateAt == TlpWindow::RECEIVER};
        }
        else
        {
            NS_LOG_WARN("node " << m_node->GetId() << " refuses region of 0x" << std::hex
                                << body.size << " bytes at 0x" << body.regionBase << " to node "
                                << std::dec << source);
        }
    }
    SendControl(source, TunnelHeader::GRANT, th.GetWindow(), reply);
    m_stats.grantsSent++;
}

bool
TlpTunnelNetDevice::HandleGrant(const TunnelHeader& th, const TunnelGrantHeader& body)
{
    TlpWindow* w = m_windows.Get(th.GetWindow());
    if (w == nullptr || w->peer != th.GetSource())
    {
        return false;
    }
    if (w->granted || w->refused)
    {
        return true; // a duplicate answer
    }
    w->retry.Cancel();
    if (body.status == 0)
    {
        w->granted = true;
        w->regionBase = body.regionBase;
        m_grantTrace(w->peer, w->id, w->regionBase);
    }
    else
    {
        w->refused = true;
        NS_LOG_WARN("node " << w->peer << " refused the region for window " << w->id);
    }
    // One at a time: sending returns credits, and the TLPs the interconnect then
    // delivers queue behind the held ones (ReceiveFromInterconnect), in order.
    while (!w->pending.empty())
    {
        std::pair<Ptr<Packet>, uint32_t> entry = w->pending.front();
        w->pending.pop_front();
        m_pending--;
        SendThroughWindow(*w, entry.first, entry.second);
    }
    return true;
}

// ------------------------------------------------------------- own remote reads

void
TlpTunnelNetDevice::ReadRemote(uint64_t windowAddress,
                               uint32_t size,
                               uint64_t localAddress,
                               ReadCallback done)
{
    NS_LOG_FUNCTION(this << windowAddress << size << localAddress);
    TlpWindow* w = m_windows.Find(windowAddress);
    NS_ABORT_MSG_IF(size == 0 || w == nullptr || !Inside(windowAddress, size, w->base, w->size),
                    "TlpTunnelNetDevice: ReadRemote of " << size << " bytes at 0x" << std::hex
                                                         << windowAddress
                                                         << " is not inside one window");
    uint64_t cookie = m_nextOwnRead++;
    OwnRead& r = m_ownReads[cookie];
    r.localAddress = localAddress;
    r.data.assign(size, 0);
    r.outstanding = 0;
    r.status = TlpHeader::SC;
    r.done = done;
    uint64_t end = windowAddress + size;
    for (uint64_t start = windowAddress; start < end;)
    {
        uint64_t stop =
            std::min(end, TlpHeader::AlignDown(start + m_maxReadRequestSize, m_maxReadRequestSize));
        m_ownQueue.emplace_back(cookie,
                                static_cast<uint32_t>(start - windowAddress),
                                start,
                                static_cast<uint32_t>(stop - start));
        r.outstanding++;
        start = stop;
    }
    SendOwnReads();
}

void
TlpTunnelNetDevice::SendOwnReads()
{
    while (!m_ownQueue.empty() && m_tracker.HasFreeTag())
    {
        uint64_t cookie;
        uint32_t offset;
        uint64_t address;
        uint32_t bytes;
        std::tie(cookie, offset, address, bytes) = m_ownQueue.front();
        m_ownQueue.pop_front();
        uint16_t tag = m_tracker.Allocate(cookie, offset, bytes, address, false);
        Ptr<Packet> tlp = Create<Packet>();
        tlp->AddHeader(TlpHeader::MakeMemRead(address, bytes, m_requesterId, tag));
        m_tracker.Issued(tag);
        SendThroughWindow(*m_windows.Find(address), tlp, 0);
    }
}

void
TlpTunnelNetDevice::OwnReadData(uint64_t cookie,
                                uint32_t offset,
                                const uint8_t* data,
                                uint32_t size)
{
    auto it = m_ownReads.find(cookie);
    NS_ASSERT(it != m_ownReads.end());
    std::copy(data, data + size, it->second.data.begin() + offset);
}

void
TlpTunnelNetDevice::OwnReadEnded(uint64_t cookie, uint8_t status)
{
    auto it = m_ownReads.find(cookie);
    NS_ASSERT(it != m_ownReads.end());
    OwnRead& r = it->second;
    if (status != TlpHeader::SC && r.status == TlpHeader::SC)
    {
        r.status = status;
    }
    if (--r.outstanding == 0)
    {
        OwnRead done = std::move(r);
        m_ownReads.erase(it);
        if (done.status == TlpHeader::SC)
        {
            // Deliver the data into local memory with DMA writes from the NIC.
            uint64_t end = done.localAddress + done.data.size();
            for (uint64_t start = done.localAddress; start < end;)
            {
                uint64_t stop =
                    std::min(end, TlpHeader::AlignDown(start + m_maxPayloadSize, m_maxPayloadSize));
                uint32_t bytes = static_cast<uint32_t>(stop - start);
                uint64_t dw = TlpHeader::AlignDown(start, 4);
                std::vector<uint8_t> payload(TlpHeader::AlignUp(stop, 4) - dw, 0);
                std::copy(done.data.begin() + (start - done.localAddress),
                          done.data.begin() + (stop - done.localAddress),
                          payload.begin() + (start - dw));
                Ptr<Packet> tlp = Create<Packet>(payload.data(), payload.size());
                tlp->AddHeader(TlpHeader::MakeMemWrite(start, bytes, m_requesterId, 0));
                m_toInterconnect.emplace_back(tlp, Simulator::Now());
                start = stop;
            }
            DrainToInterconnect();
        }
        if (!done.done.IsNull())
        {
            done.done(done.status, done.data);
        }
    }
    SendOwnReads();
}

// ------------------------------------------------------------------- NetDevice

void
TlpTunnelNetDevice::SetIfIndex(const uint32_t index)
{
    m_ifIndex = index;
}

uint32_t
TlpTunnelNetDevice::GetIfIndex() const
{
    return m_ifIndex;
}

Ptr<Channel>
TlpTunnelNetDevice::GetChannel() const
{
    return m_port != nullptr ? m_port->GetLink() : nullptr;
}

void
TlpTunnelNetDevice::SetAddress(Address address)
{
    m_address = Mac48Address::ConvertFrom(address);
}

Address
TlpTunnelNetDevice::GetAddress() const
{
    return m_address;
}

bool
TlpTunnelNetDevice::SetMtu(const uint16_t mtu)
{
    m_mtu = mtu;
    return true;
}

uint16_t
TlpTunnelNetDevice::GetMtu() const
{
    return m_mtu;
}

bool
TlpTunnelNetDevice::IsLinkUp() const
{
    return m_port != nullptr && m_transport != nullptr;
}

void
TlpTunnelNetDevice::AddLinkChangeCallback(Callback<void> callback)
{
}

bool
TlpTunnelNetDevice::IsBroadcast() const
{
    return false;
}

Address
TlpTunnelNetDevice::GetBroadcast() const
{
    return Mac48Address::GetBroadcast();
}

bool
TlpTunnelNetDevice::IsMulticast() const
{
    return false;
}

Address
TlpTunnelNetDevice::GetMulticast(Ipv4Address multicastGroup) const
{
    return Mac48Address::GetMulticast(multicastGroup);
}

Address
TlpTunnelNetDevice::GetMulticast(Ipv6Address addr) const
{
    return Mac48Address::GetMulticast(addr);
}

bool
TlpTunnelNetDevice::IsBridge() const
{
    return false;
}

bool
TlpTunnelNetDevice::IsPointToPoint() const
{
    return false;
}

bool
TlpTunnelNetDevice::Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber)
{
    NS_LOG_WARN("TlpTunnelNetDevice carries TLPs from its interconnect, not layer-3 packets");
    return false;
}

bool
TlpTunnelNetDevice::SendFrom(Ptr<Packet> packet,
                             const Address& source,
                             const Address& dest,
                             uint16_t protocolNumber)
{
    return Send(packet, dest, protocolNumber);
}

Ptr<Node>
TlpTunnelNetDevice::GetNode() const
{
    return m_node;
}

void
TlpTunnelNetDevice::SetNode(Ptr<Node> node)
{
    m_node = node;
    // A locally administered address derived from the node: 02:54:4c:<node id>.
    uint32_t id = node->GetId();
    uint8_t bytes[6] = {0x02,
                        0x54,
                        static_cast<uint8_t>(id >> 24),
                        static_cast<uint8_t>(id >> 16),
                        static_cast<uint8_t>(id >> 8),
                        static_cast<uint8_t>(id)};
    m_address.CopyFrom(bytes);
}

bool
TlpTunnelNetDevice::NeedsArp() const
{
    return false;
}

void
TlpTunnelNetDevice::SetReceiveCallback(NetDevice::ReceiveCallback cb)
{
    m_rxCallback = cb;
}

void
TlpTunnelNetDevice::SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback cb)
{
    m_promiscCallback = cb;
}

bool
TlpTunnelNetDevice::SupportsSendFrom() const
{
    return false;
}

} // namespace ns3
