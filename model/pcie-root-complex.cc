/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pcie-root-complex.h"

#include "tlp-ecrc-trailer.h"
#include "tlp-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PcieRootComplex");

NS_OBJECT_ENSURE_REGISTERED(PcieRootComplex);

TypeId
PcieRootComplex::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::PcieRootComplex")
            .SetParent<PcieRoutingElement>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<PcieRootComplex>()
            .AddAttribute("CompleterId",
                          "Bus/device/function of the root complex: the Completer ID of the "
                          "Unsupported Request completions it generates.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&PcieRootComplex::m_completerId),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute(
                "Latency",
                "Time a TLP takes from one part of the root complex (CPU, memory "
                "controller, root port) to another.",
                TimeValue(NanoSeconds(40)),
                MakeTimeAccessor(&PcieRootComplex::SetLatency, &PcieRootComplex::GetLatency),
                MakeTimeChecker(Time(0)))
            .AddAttribute("QueueSize",
                          "TLPs an agent (CPU, memory controller) may have on their way to "
                          "another agent; Send() refuses more.",
                          UintegerValue(64),
                          MakeUintegerAccessor(&PcieRootComplex::m_queueSize),
                          MakeUintegerChecker<uint32_t>(1))
            .AddTraceSource("UnsupportedRequest",
                            "A non-posted request nothing claims was answered with UR.",
                            MakeTraceSourceAccessor(&PcieRootComplex::m_unsupportedTrace),
                            "ns3::PcieRootComplex::TlpTracedCallback")
            .AddTraceSource("Drop",
                            "A TLP was dropped (malformed, unclaimed posted request, or "
                            "completion for an unknown requester).",
                            MakeTraceSourceAccessor(&PcieRootComplex::m_dropTrace),
                            "ns3::PcieRootComplex::DropTracedCallback");
    return tid;
}

PcieRootComplex::PcieRootComplex()
    : m_completerId(0),
      m_latency(NanoSeconds(40)),
      m_queueSize(64)
{
    NS_LOG_FUNCTION(this);
}

PcieRootComplex::~PcieRootComplex()
{
    NS_LOG_FUNCTION(this);
}

void
PcieRootComplex::DoDispose()
{
    for (Target& t : m_targets)
    {
        t.wake.Cancel();
    }
    m_targets.clear();
    m_rootPorts.clear();
    PcieRoutingElement::DoDispose();
}

void
PcieRootComplex::SetLatency(Time value)
{
    m_latency = value;
    for (uint32_t index : m_rootPorts)
    {
        GetTargetPort(index)->SetDeliveryDelay(m_latency);
    }
}

Time
PcieRootComplex::GetLatency() const
{
    return m_latency;
}

uint16_t
PcieRootComplex::GetCompleterId() const
{
    return m_completerId;
}

uint32_t
PcieRootComplex::AddAgent(const std::string& name,
                          AgentReceiveCallback receive,
                          ReadyCallback ready)
{
    NS_LOG_FUNCTION(this << name);
    uint32_t index = AddTarget(name);
    Target t;
    t.receive = receive;
    t.ready = ready;
    m_targets.push_back(std::move(t));
    return index;
}

Ptr<PciePort>
PcieRootComplex::AddRootPort(const std::string& name, Ptr<PciePort> port)
{
    NS_LOG_FUNCTION(this << name);
    if (port == nullptr)
    {
        port = CreateObject<PciePort>();
    }
    uint32_t index = AddTarget(name, port);
    // A TLP from the link reaches the part it is for after the internal latency.
    port->SetDeliveryDelay(m_latency);
    Target t;
    m_targets.push_back(std::move(t));
    m_rootPorts.push_back(index);
    return port;
}

uint32_t
PcieRootComplex::GetNRootPorts() const
{
    return static_cast<uint32_t>(m_rootPorts.size());
}

Ptr<PciePort>
PcieRootComplex::GetRootPort(uint32_t i) const
{
    return i < m_rootPorts.size() ? GetTargetPort(m_rootPorts[i]) : nullptr;
}

bool
PcieRootComplex::IsHostMemory(uint64_t base, uint64_t size) const
{
    uint32_t target = 0;
    return DecodeRange(base, size, target) && GetTargetPort(target) == nullptr;
}

bool
PcieRootComplex::Route(const TlpHeader::Summary& h, uint32_t from, uint32_t& to) const
{
    if (h.completion || h.idRouted)
    {
        // Completions and messages routed by ID go where their ID was claimed.
        return RouteCompletion(h.completion ? h.requesterId : h.targetId, from, to);
    }
    return h.memory && DecodeAddress(h.address, to) && to != from;
}

Ptr<Packet>
PcieRootComplex::MakeUnsupported(Ptr<const Packet> request)
{
    TlpHeader req;
    request->PeekHeader(req);
    m_unsupportedTrace(request);
    Ptr<Packet> reply = Create<Packet>();
    reply->AddHeader(TlpHeader::MakeCompletionFor(req, TlpHeader::UR, m_completerId));
    return reply;
}

bool
PcieRootComplex::Send(uint32_t agent, Ptr<Packet> tlp, Time delay)
{
    NS_LOG_FUNCTION(this << agent << tlp << delay);
    NS_ABORT_MSG_IF(agent >= m_targets.size() || GetTargetPort(agent) != nullptr,
                    "PcieRootComplex: Send from " << agent << ", which is not an agent");
    TlpHeader h;
    uint32_t headerSize = tlp->PeekHeader(h);
    if (headerSize == 0 ||
        tlp->GetSize() != headerSize + h.GetDataSize() + (h.HasDigest() ? TlpEcrcTrailer::SIZE : 0))
    {
        m_dropTrace(tlp, DROP_MALFORMED);
        return true;
    }
    TlpHeader::Summary summary;
    TlpHeader::PeekSummary(tlp, summary);
    uint32_t to = 0;
    if (!Route(summary, agent, to))
    {
        if (h.IsCompletion())
        {
            m_dropTrace(tlp, DROP_UNCLAIMED_COMPLETION);
        }
        else if (h.IsPosted())
        {
            m_dropTrace(tlp, DROP_UNCLAIMED_POSTED);
        }
        else
        {
            // Answered where it would have been routed: one crossing there, one back.
            Simulator::Schedule(delay + 2 * m_latency,
                                &PcieRootComplex::ArriveAtAgent,
                                this,
                                agent,
                                agent,
                                MakeUnsupported(tlp));
            m_targets[agent].inFlight++;
        }
        return true;
    }
    Target& from = m_targets[agent];
    Ptr<PciePort> port = GetTargetPort(to);
    if (port != nullptr)
    {
        if (!port->SendChecked(tlp, delay + m_latency, summary))
        {
            from.refused = true;
            return false;
        }
        return true;
    }
    ApplyReleases(from);
    // A completion is always taken: its requester holds room for it (infinite
    // completion credits); requests wait for a slot.
    if (!h.IsCompletion() && from.inFlight >= m_queueSize)
    {
        from.refused = true;
        ScheduleWake(agent);
        return false;
    }
    from.inFlight++;
    Simulator::Schedule(delay + m_latency, &PcieRootComplex::ArriveAtAgent, this, agent, to, tlp);
    return true;
}

void
PcieRootComplex::ArriveAtAgent(uint32_t from, uint32_t to, Ptr<Packet> tlp)
{
    Time done = m_targets[to].receive(tlp);
    Target& f = m_targets[from];
    if (done <= Simulator::Now())
    {
        f.inFlight--;
    }
    else
    {
        // The sender's slot frees when the receiver is done (a busy memory controller).
        auto it = f.releases.end();
        while (it != f.releases.begin() && *(it - 1) > done)
        {
            --it;
        }
        f.releases.insert(it, done);
    }
    if (f.refused)
    {
        WakeAgent(from);
    }
}

void
PcieRootComplex::ApplyReleases(Target& t)
{
    Time now = Simulator::Now();
    while (!t.releases.empty() && t.releases.front() <= now)
    {
        t.releases.pop_front();
        t.inFlight--;
    }
}

void
PcieRootComplex::ScheduleWake(uint32_t agent)
{
    Target& t = m_targets[agent];
    if (!t.releases.empty() && !t.wake.IsRunning())
    {
        t.wake = Simulator::Schedule(t.releases.front() - Simulator::Now(),
                                     &PcieRootComplex::WakeAgent,
                                     this,
                                     agent);
    }
}

void
PcieRootComplex::WakeAgent(uint32_t agent)
{
    Target& t = m_targets[agent];
    ApplyReleases(t);
    if (!t.refused)
    {
        return;
    }
    if (t.inFlight < m_queueSize)
    {
        t.refused = false;
        t.ready();
        return;
    }
    ScheduleWake(agent);
}

void
PcieRootComplex::ReceiveFromPort(uint32_t from, Ptr<Packet> tlp, const TlpHeader::Summary& h)
{
    NS_LOG_FUNCTION(this << from << tlp);
    Ptr<PciePort> port = GetTargetPort(from);
    uint32_t to = 0;
    if (!Route(h, from, to))
    {
        port->ReleaseCredits(h, Simulator::Now());
        if (h.completion)
        {
            m_dropTrace(tlp, DROP_UNCLAIMED_COMPLETION);
        }
        else if (h.posted)
        {
            m_dropTrace(tlp, DROP_UNCLAIMED_POSTED);
        }
        else
        {
            Ptr<Packet> reply = MakeUnsupported(tlp);
            TlpHeader::Summary s;
            TlpHeader::PeekSummary(reply, s);
            Forward(from, from, reply, s, false);
        }
        return;
    }
    Target& target = m_targets[to];
    if (GetTargetPort(to) == nullptr)
    {
        // The agent frees the buffer when it is done: the memory controller when it has
        // taken the request, later when it is busy.
        Time done = target.receive(tlp);
        port->ReleaseCredits(h, done);
        return;
    }
    Forward(from, to, tlp, h, true);
}

void
PcieRootComplex::PortReady(uint32_t target)
{
    PcieRoutingElement::PortReady(target);
    WakeAgents();
}

void
PcieRootComplex::WakeAgents()
{
    for (uint32_t i = 0; i < m_targets.size(); ++i)
    {
        if (GetTargetPort(i) == nullptr && m_targets[i].refused)
        {
            WakeAgent(i);
        }
    }
}

} // namespace ns3
