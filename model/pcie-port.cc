/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pcie-port.h"

#include "exact-time.h"
#include "pcie-routing-element.h"
#include "tlp-ecrc-trailer.h"
#include "tlp-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <tuple>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PciePort");

NS_OBJECT_ENSURE_REGISTERED(PciePort);

namespace
{

/// Attr[2:0] bits.
constexpr uint8_t ATTR_RELAXED_ORDERING = 0x2;
constexpr uint8_t ATTR_ID_BASED_ORDERING = 0x4;

/// \return the flow class of a TLP from its summary
PciePort::FlowClass
ClassOf(const TlpHeader::Summary& s)
{
    if (s.completion)
    {
        return PciePort::COMPLETION;
    }
    return s.posted ? PciePort::POSTED : PciePort::NON_POSTED;
}

/// \return data credits (16-byte units) of a payload
uint32_t
DataCreditsOf(uint32_t bytes)
{
    return (bytes + 15) / 16;
}

} // namespace

TypeId
PciePort::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::PciePort")
            .SetParent<Object>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<PciePort>()
            .AddAttribute("PostedHeaderCredits",
                          "PH credits this port's receiver advertises: posted TLPs its buffer "
                          "holds (0: infinite).",
                          UintegerValue(127),
                          MakeUintegerAccessor(&PciePort::m_postedHeader),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("PostedDataCredits",
                          "PD credits advertised: 16-byte units of posted data (0: infinite).",
                          UintegerValue(2047),
                          MakeUintegerAccessor(&PciePort::m_postedData),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("NonPostedHeaderCredits",
                          "NPH credits advertised: non-posted requests (0: infinite).",
                          UintegerValue(127),
                          MakeUintegerAccessor(&PciePort::m_nonPostedHeader),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("NonPostedDataCredits",
                          "NPD credits advertised: 16-byte units of non-posted data "
                          "(AtomicOp operands, I/O and configuration writes; 0: infinite).",
                          UintegerValue(2047),
                          MakeUintegerAccessor(&PciePort::m_nonPostedData),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("CompletionHeaderCredits",
                          "CplH credits advertised (0: infinite, what root complexes and "
                          "endpoints advertise).",
                          UintegerValue(0),
                          MakeUintegerAccessor(&PciePort::m_completionHeader),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("CompletionDataCredits",
                          "CplD credits advertised: 16-byte units (0: infinite).",
                          UintegerValue(0),
                          MakeUintegerAccessor(&PciePort::m_completionData),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("TlpGap",
                          "Idle time the transmitter leaves on the link after each TLP "
                          "(per-TLP cost of a PCIe controller's datapath; the specification "
                          "asks for none).",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&PciePort::m_tlpGap),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("QueueSize",
                          "TLPs of each class (posted, non-posted, completion) the transmit "
                          "queue holds while they wait for credits or for an earlier posted "
                          "request.",
                          UintegerValue(64),
                          MakeUintegerAccessor(&PciePort::m_queueSize),
                          MakeUintegerChecker<uint32_t>(1))
            .AddTraceSource("Tx",
                            "A TLP was placed on the link.",
                            MakeTraceSourceAccessor(&PciePort::m_txTrace),
                            "ns3::PciePort::TlpTracedCallback")
            .AddTraceSource("Rx",
                            "A TLP was handed to the port's owner.",
                            MakeTraceSourceAccessor(&PciePort::m_rxTrace),
                            "ns3::PciePort::TlpTracedCallback")
            .AddTraceSource("CreditWait",
                            "A TLP was queued: the receiver had no credits for it, or an "
                            "earlier TLP it may not pass waits.",
                            MakeTraceSourceAccessor(&PciePort::m_creditWaitTrace),
                            "ns3::PciePort::TlpTracedCallback")
            .AddTraceSource("Drop",
                            "A TLP was dropped (malformed).",
                            MakeTraceSourceAccessor(&PciePort::m_dropTrace),
                            "ns3::PciePort::DropTracedCallback");
    return tid;
}

PciePort::PciePort()
    : m_direction(PcieLink::DOWNSTREAM),
      m_element(nullptr),
      m_target(0),
      m_postedHeader(127),
      m_postedData(2047),
      m_nonPostedHeader(127),
      m_nonPostedData(2047),
      m_completionHeader(0),
      m_completionData(0),
      m_queueSize(64),
      m_nextSeq(0),
      m_postedTaken(0),
      m_postedSent(0),
      m_refused(false),
      m_deliveryDelayPs(0),
      m_holdLimit(0),
      m_held(0)
{
    NS_LOG_FUNCTION(this);
}

PciePort::~PciePort()
{
    NS_LOG_FUNCTION(this);
}

void
PciePort::DoDispose()
{
    m_retry.Cancel();
    for (auto& q : m_queues)
    {
        q.clear();
    }
    m_waiting.clear();
    // The link and its two ports hold each other: the first port disposed breaks the
    // cycle for both.
    Ptr<PcieLink> link = m_link;
    m_link = nullptr;
    m_peer = nullptr;
    if (link != nullptr)
    {
        link->Dispose();
    }
    m_device = nullptr;
    m_element = nullptr;
    m_receive = ReceiveCallback();
    m_ready = ReadyCallback();
    Object::DoDispose();
}

void
PciePort::SetName(const std::string& name)
{
    m_name = name;
}

std::string
PciePort::GetName() const
{
    return m_name;
}

void
PciePort::SetDevice(Ptr<NetDevice> device)
{
    m_device = device;
}

Ptr<NetDevice>
PciePort::GetDevice() const
{
    return m_device;
}

void
PciePort::SetReceiveCallback(ReceiveCallback receive)
{
    m_receive = receive;
}

void
PciePort::SetReadyCallback(ReadyCallback ready)
{
    m_ready = ready;
}

void
PciePort::SetDeliveryDelay(Time delay)
{
    m_deliveryDelayPs = delay.GetPicoSeconds();
}

void
PciePort::SetRoutingElement(PcieRoutingElement* element, uint32_t target)
{
    m_element = element;
    m_target = target;
}

Ptr<PcieLink>
PciePort::GetLink() const
{
    return m_link;
}

Ptr<PciePort>
PciePort::GetPeer() const
{
    return m_peer;
}

uint32_t
PciePort::GetQueued(FlowClass flowClass) const
{
    return static_cast<uint32_t>(m_queues[flowClass].size());
}

void
PciePort::DetachLink()
{
    m_link = nullptr;
    m_peer = nullptr;
}

void
PciePort::AttachLink(Ptr<PcieLink> link, PcieLink::Direction direction, Ptr<PciePort> peer)
{
    NS_ABORT_MSG_IF(m_link != nullptr, "PciePort '" << m_name << "' is already the end of a link");
    m_link = link;
    m_direction = direction;
    m_peer = peer;
    // What the receiver at the other end advertises is what this transmitter may use.
    for (uint32_t c = 0; c < 3; ++c)
    {
        Credits& credits = m_credits[c];
        uint32_t header = peer->Advertised(2 * c);
        uint32_t data = peer->Advertised(2 * c + 1);
        credits.infinite = header == 0 && data == 0;
        NS_ABORT_MSG_IF(!credits.infinite && (header == 0 || data == 0),
                        "PciePort '" << peer->m_name << "': header and data credits of a class "
                                     << "must both be finite or both infinite (0), not " << header
                                     << " and " << data);
        credits.headerLimit = header;
        credits.dataLimit = data;
    }
}

uint32_t
PciePort::Advertised(uint32_t i) const
{
    const uint32_t values[] = {m_postedHeader,
                               m_postedData,
                               m_nonPostedHeader,
                               m_nonPostedData,
                               m_completionHeader,
                               m_completionData};
    return values[i];
}

PcieRoutingElement*
PciePort::Above() const
{
    NS_ABORT_MSG_IF(m_peer == nullptr || m_peer->m_element == nullptr,
                    "PciePort '" << m_name
                                 << "': no root complex or switch at the other end of its link");
    return m_peer->m_element;
}

void
PciePort::ClaimAddressRange(uint64_t base, uint64_t size)
{
    Above()->ClaimAddressRange(m_peer->m_target, base, size);
}

void
PciePort::ReleaseAddressRange(uint64_t base, uint64_t size)
{
    Above()->ReleaseAddressRange(m_peer->m_target, base, size);
}

void
PciePort::ClaimRequesterId(uint16_t id)
{
    Above()->ClaimRequesterId(m_peer->m_target, id);
}

void
PciePort::SetDefaultCompletionRoute()
{
    Above()->SetDefaultCompletionTarget(m_peer->m_target);
}

bool
PciePort::IsHostMemory(uint64_t base, uint64_t size) const
{
    return Above()->IsHostMemory(base, size);
}

// ------------------------------------------------------------------- transmit side

void
PciePort::ApplyReturns(Credits& c, int64_t nowPs)
{
    while (!c.returns.empty() && std::get<0>(c.returns.front()) <= nowPs)
    {
        c.headerLimit += std::get<1>(c.returns.front());
        c.dataLimit += std::get<2>(c.returns.front());
        c.returns.pop_front();
    }
}

bool
PciePort::HasCredits(FlowClass flowClass, uint32_t dataCredits, int64_t nowPs)
{
    Credits& c = m_credits[flowClass];
    if (c.infinite)
    {
        return true;
    }
    ApplyReturns(c, nowPs);
    return c.headerUsed + 1 <= c.headerLimit && c.dataUsed + dataCredits <= c.dataLimit;
}

bool
PciePort::OrderAllows(const Queued& q, FlowClass flowClass) const
{
    if (flowClass == POSTED || m_postedSent >= q.postedBefore)
    {
        return true; // no earlier posted request waits
    }
    // A completion with Relaxed Ordering may pass posted requests (ordering rule D2b).
    if (flowClass == COMPLETION && (q.attr & ATTR_RELAXED_ORDERING))
    {
        return true;
    }
    // With ID-Based Ordering it may pass those of other requesters (A2b, B2b, D2b).
    if (q.attr & ATTR_ID_BASED_ORDERING)
    {
        for (const Queued& p : m_queues[POSTED])
        {
            if (p.seq < q.seq && p.id == q.id)
            {
                return false;
            }
        }
        return true;
    }
    return false;
}

bool
PciePort::WaitsForCredits(FlowClass flowClass) const
{
    return !m_queues[flowClass].empty();
}

bool
PciePort::CanSend(FlowClass flowClass) const
{
    return m_link != nullptr && m_queues[flowClass].size() < m_queueSize;
}

bool
PciePort::Send(Ptr<Packet> tlp, Time delay)
{
    NS_LOG_FUNCTION(this << m_name << tlp << delay);
    NS_ABORT_MSG_IF(m_link == nullptr, "PciePort '" << m_name << "': Send before it has a link");
    TlpHeader h;
    uint32_t headerSize = tlp->PeekHeader(h);
    if (headerSize == 0 ||
        tlp->GetSize() != headerSize + h.GetDataSize() + (h.HasDigest() ? TlpEcrcTrailer::SIZE : 0))
    {
        NS_LOG_LOGIC("malformed TLP on port " << m_name);
        m_dropTrace(tlp, DROP_MALFORMED);
        return true;
    }
    TlpHeader::Summary s;
    TlpHeader::PeekSummary(tlp, s);
    return Accept(tlp, delay, s);
}

bool
PciePort::SendChecked(Ptr<Packet> tlp, Time delay)
{
    TlpHeader::Summary s;
    TlpHeader::PeekSummary(tlp, s);
    return SendChecked(tlp, delay, s);
}

bool
PciePort::SendChecked(Ptr<Packet> tlp, Time delay, const TlpHeader::Summary& s)
{
    NS_ABORT_MSG_IF(m_link == nullptr, "PciePort '" << m_name << "': Send before it has a link");
    return Accept(tlp, delay, s);
}

bool
PciePort::Accept(Ptr<Packet> tlp, Time delay, const TlpHeader::Summary& s)
{
    FlowClass flowClass = ClassOf(s);
    uint32_t dataCredits = DataCreditsOf(s.dataBytes);
    int64_t nowPs = Simulator::Now().GetPicoSeconds();
    int64_t readyPs = nowPs + delay.GetPicoSeconds();
    Queued q{tlp,
             s,
             readyPs,
             m_nextSeq,
             m_postedTaken,
             dataCredits,
             s.completion ? s.completerId : s.requesterId,
             s.attr};
    if (m_queues[flowClass].empty() && OrderAllows(q, flowClass) &&
        HasCredits(flowClass, dataCredits, nowPs))
    {
        m_nextSeq++;
        m_postedTaken += flowClass == POSTED;
        Transmit(tlp, s, flowClass, dataCredits, readyPs, nowPs);
        return true;
    }
    if (m_queues[flowClass].size() >= m_queueSize)
    {
        m_refused = true;
        return false;
    }
    m_nextSeq++;
    m_postedTaken += flowClass == POSTED;
    m_creditWaitTrace(tlp);
    m_queues[flowClass].push_back(q);
    TransmitQueued(); // arranges the retry
    return true;
}

void
PciePort::Transmit(Ptr<Packet> tlp,
                   const TlpHeader::Summary& s,
                   FlowClass flowClass,
                   uint32_t dataCredits,
                   int64_t readyPs,
                   int64_t nowPs)
{
    Credits& c = m_credits[flowClass];
    c.headerUsed++;
    c.dataUsed += dataCredits;
    if (flowClass == POSTED)
    {
        m_postedSent++;
    }
    int64_t arrivalPs = m_link->Transmit(m_direction,
                                         std::max(readyPs, nowPs),
                                         tlp->GetSize(),
                                         m_tlpGap.GetPicoSeconds());
    m_txTrace(tlp);
    Simulator::Schedule(DelayUntilPicoSeconds(arrivalPs + m_peer->m_deliveryDelayPs),
                        &PciePort::Deliver,
                        m_peer,
                        tlp,
                        s);
}

void
PciePort::TransmitQueued()
{
    bool freed = false;
    int64_t nowPs = Simulator::Now().GetPicoSeconds();
    for (Credits& c : m_credits)
    {
        ApplyReturns(c, nowPs);
    }
    while (true)
    {
        // The oldest TLP that its credits and the ordering rules let go.
        int best = -1;
        for (int c = 0; c < 3; ++c)
        {
            const std::deque<Queued>& queue = m_queues[c];
            if (queue.empty() || (best >= 0 && queue.front().seq > m_queues[best].front().seq))
            {
                continue;
            }
            FlowClass fc = static_cast<FlowClass>(c);
            if (OrderAllows(queue.front(), fc) && HasCredits(fc, queue.front().dataCredits, nowPs))
            {
                best = c;
            }
        }
        if (best < 0)
        {
            break;
        }
        Queued q = m_queues[best].front();
        m_queues[best].pop_front();
        Transmit(q.tlp, q.s, static_cast<FlowClass>(best), q.dataCredits, q.readyPs, nowPs);
        freed = true;
    }
    // Look again when the first credits on their way arrive.
    int64_t nextPs = -1;
    for (int c = 0; c < 3; ++c)
    {
        if (!m_queues[c].empty() && !m_credits[c].returns.empty())
        {
            int64_t at = std::get<0>(m_credits[c].returns.front());
            nextPs = nextPs < 0 ? at : std::min(nextPs, at);
        }
    }
    if (nextPs >= 0 && (!m_retry.IsRunning() ||
                        Simulator::Now() + Simulator::GetDelayLeft(m_retry) > PicoSeconds(nextPs)))
    {
        m_retry.Cancel();
        m_retry =
            Simulator::Schedule(DelayUntilPicoSeconds(nextPs), &PciePort::TransmitQueued, this);
    }
    if (freed && m_refused)
    {
        m_refused = false;
        if (m_element != nullptr)
        {
            m_element->PortReady(m_target);
        }
        else if (!m_ready.IsNull())
        {
            m_ready();
        }
    }
}

void
PciePort::AddReturn(FlowClass flowClass, uint32_t dataCredits, int64_t visiblePs)
{
    auto& returns = m_credits[flowClass].returns;
    auto it = returns.end();
    while (it != returns.begin() && std::get<0>(*(it - 1)) > visiblePs)
    {
        --it;
    }
    returns.emplace(it, visiblePs, 1, dataCredits);
    if (!m_queues[flowClass].empty())
    {
        TransmitQueued();
    }
}

// -------------------------------------------------------------------- receive side

void
PciePort::SetReceiveCredits(uint32_t tlps)
{
    m_holdLimit = tlps;
}

void
PciePort::ReturnCredits(uint32_t tlps)
{
    NS_LOG_FUNCTION(this << m_name << tlps);
    m_held -= std::min(tlps, m_held);
    while (!m_waiting.empty() && (m_holdLimit == 0 || m_held < m_holdLimit))
    {
        auto waiting = m_waiting.front();
        m_waiting.pop_front();
        HandOver(waiting.first, waiting.second);
    }
}

void
PciePort::Deliver(Ptr<Packet> tlp, TlpHeader::Summary s)
{
    if (m_element == nullptr && m_holdLimit != 0 && (m_held >= m_holdLimit || !m_waiting.empty()))
    {
        m_waiting.emplace_back(tlp, s); // its credits stay consumed: the buffer holds it
        return;
    }
    HandOver(tlp, s);
}

void
PciePort::HandOver(Ptr<Packet> tlp, const TlpHeader::Summary& s)
{
    NS_LOG_FUNCTION(this << m_name << tlp);
    if (m_element == nullptr)
    {
        // The TLP leaves the receive buffer for the device: its credits go back.
        Release(ClassOf(s), DataCreditsOf(s.dataBytes), Simulator::Now().GetPicoSeconds());
        if (m_holdLimit != 0)
        {
            m_held++;
        }
    }
    m_rxTrace(tlp);
    if (m_element != nullptr)
    {
        m_element->ReceiveFromPort(m_target, tlp, s);
    }
    else if (!m_receive.IsNull())
    {
        m_receive(tlp);
    }
}

void
PciePort::ReleaseCredits(const TlpHeader::Summary& s, Time at)
{
    Release(ClassOf(s),
            DataCreditsOf(s.dataBytes),
            std::max(at, Simulator::Now()).GetPicoSeconds());
}

void
PciePort::Release(FlowClass flowClass, uint32_t dataCredits, int64_t atPs)
{
    if (m_peer->m_credits[flowClass].infinite)
    {
        return;
    }
    // The TLPs came on the direction the peer transmits on.
    PcieLink::Direction incoming = m_peer->m_direction;
    int64_t visiblePs =
        m_link->ReturnCredits(incoming, flowClass, atPs, m_peer->WaitsForCredits(flowClass));
    m_peer->AddReturn(flowClass, dataCredits, visiblePs);
}

} // namespace ns3
