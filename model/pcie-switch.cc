/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pcie-switch.h"

#include "tlp-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PcieSwitch");

NS_OBJECT_ENSURE_REGISTERED(PcieSwitch);

namespace
{

constexpr uint32_t UPSTREAM = 0; //!< target index of the upstream port

} // namespace

TypeId
PcieSwitch::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::PcieSwitch")
            .SetParent<PcieRoutingElement>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<PcieSwitch>()
            .AddAttribute("Latency",
                          "Time from a TLP's arrival at a port to its forwarding on another.",
                          TimeValue(NanoSeconds(150)),
                          MakeTimeAccessor(&PcieSwitch::SetLatency, &PcieSwitch::GetLatency),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("CompleterId",
                          "Bus/device/function of the switch: the Completer ID of the "
                          "Unsupported Request completions it generates.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&PcieSwitch::m_completerId),
                          MakeUintegerChecker<uint16_t>())
            .AddTraceSource("UnsupportedRequest",
                            "A non-posted request nothing below claims was answered with UR.",
                            MakeTraceSourceAccessor(&PcieSwitch::m_unsupportedTrace),
                            "ns3::PcieRootComplex::TlpTracedCallback")
            .AddTraceSource("Drop",
                            "A TLP from upstream that nothing below claims was dropped.",
                            MakeTraceSourceAccessor(&PcieSwitch::m_dropTrace),
                            "ns3::PcieRootComplex::DropTracedCallback");
    return tid;
}

PcieSwitch::PcieSwitch()
    : m_latency(NanoSeconds(150)),
      m_completerId(0)
{
    NS_LOG_FUNCTION(this);
    Ptr<PciePort> up = CreateObject<PciePort>();
    AddTarget("upstream", up);
    up->SetDeliveryDelay(m_latency);
}

PcieSwitch::~PcieSwitch()
{
    NS_LOG_FUNCTION(this);
}

void
PcieSwitch::DoDispose()
{
    PcieRoutingElement::DoDispose();
}

void
PcieSwitch::SetLatency(Time value)
{
    m_latency = value;
    for (uint32_t t = 0; t < GetNTargets(); ++t)
    {
        GetTargetPort(t)->SetDeliveryDelay(m_latency);
    }
}

Time
PcieSwitch::GetLatency() const
{
    return m_latency;
}

Ptr<PciePort>
PcieSwitch::GetUpstreamPort() const
{
    return GetTargetPort(UPSTREAM);
}

Ptr<PciePort>
PcieSwitch::AddDownstreamPort(const std::string& name, Ptr<PciePort> port)
{
    if (port == nullptr)
    {
        port = CreateObject<PciePort>();
    }
    AddTarget(name, port);
    port->SetDeliveryDelay(m_latency);
    return port;
}

uint32_t
PcieSwitch::GetNDownstreamPorts() const
{
    return GetNTargets() - 1;
}

void
PcieSwitch::ClaimAddressRange(uint32_t target, uint64_t base, uint64_t size)
{
    PcieRoutingElement::ClaimAddressRange(target, base, size);
    GetTargetPort(UPSTREAM)->ClaimAddressRange(base, size);
}

void
PcieSwitch::ReleaseAddressRange(uint32_t target, uint64_t base, uint64_t size)
{
    PcieRoutingElement::ReleaseAddressRange(target, base, size);
    GetTargetPort(UPSTREAM)->ReleaseAddressRange(base, size);
}

void
PcieSwitch::ClaimRequesterId(uint32_t target, uint16_t id)
{
    PcieRoutingElement::ClaimRequesterId(target, id);
    GetTargetPort(UPSTREAM)->ClaimRequesterId(id);
}

void
PcieSwitch::SetDefaultCompletionTarget(uint32_t target)
{
    PcieRoutingElement::SetDefaultCompletionTarget(target);
    GetTargetPort(UPSTREAM)->SetDefaultCompletionRoute();
}

bool
PcieSwitch::IsHostMemory(uint64_t base, uint64_t size) const
{
    return GetTargetPort(UPSTREAM)->IsHostMemory(base, size);
}

void
PcieSwitch::ReceiveFromPort(uint32_t from, Ptr<Packet> tlp, const TlpHeader::Summary& h)
{
    NS_LOG_FUNCTION(this << from << tlp);
    uint32_t to = 0;
    bool claimed = false;
    if (h.completion || h.idRouted)
    {
        claimed = FindRequester(h.completion ? h.requesterId : h.targetId, to) && to != from;
        if (!claimed && from != UPSTREAM)
        {
            to = UPSTREAM;
            claimed = true;
        }
        else if (!claimed && GetDefaultCompletionTarget() > 0)
        {
            to = static_cast<uint32_t>(GetDefaultCompletionTarget());
            claimed = true;
        }
    }
    else
    {
        claimed = h.memory && DecodeAddress(h.address, to) && to != from;
        if (!claimed && from != UPSTREAM)
        {
            to = UPSTREAM; // what nothing below claims is for the hierarchy above
            claimed = true;
        }
    }
    if (claimed)
    {
        Forward(from, to, tlp, h, true);
        return;
    }
    GetTargetPort(from)->ReleaseCredits(h, Simulator::Now());
    if (h.completion || h.posted)
    {
        m_dropTrace(tlp, h.completion ? DROP_UNCLAIMED_COMPLETION : DROP_UNCLAIMED_POSTED);
        return;
    }
    m_unsupportedTrace(tlp);
    TlpHeader request;
    tlp->PeekHeader(request);
    Ptr<Packet> reply = Create<Packet>();
    reply->AddHeader(TlpHeader::MakeCompletionFor(request, TlpHeader::UR, m_completerId));
    TlpHeader::Summary s;
    TlpHeader::PeekSummary(reply, s);
    Forward(from, from, reply, s, false);
}

} // namespace ns3
