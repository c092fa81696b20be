/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "local-interconnect-channel.h"

#include "tlp-ecrc-trailer.h"
#include "tlp-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/net-device.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LocalInterconnectChannel");

NS_OBJECT_ENSURE_REGISTERED(LocalInterconnectChannel);

namespace
{

/// \return "[0xfirst, 0xlast]" for a closed address interval
std::string
RangeToString(uint64_t first, uint64_t last)
{
    std::ostringstream os;
    os << std::hex << "[0x" << first << ", 0x" << last << "]";
    return os.str();
}

constexpr int64_t PS_PER_S = 1000000000000LL;

} // namespace

TypeId
LocalInterconnectChannel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LocalInterconnectChannel")
            .SetParent<Channel>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<LocalInterconnectChannel>()
            .AddAttribute("DataRate",
                          "Rate of each direction of each port's link, after line encoding "
                          "(default: PCIe Gen3 x8, 8 GT/s x 8 lanes x 128/130).",
                          DataRateValue(DataRate("7877MBps")),
                          MakeDataRateAccessor(&LocalInterconnectChannel::SetDataRate,
                                               &LocalInterconnectChannel::GetDataRate),
                          MakeDataRateChecker())
            .AddAttribute("Latency",
                          "Time a TLP takes to cross the switch, once per traversal.",
                          TimeValue(NanoSeconds(100)),
                          MakeTimeAccessor(&LocalInterconnectChannel::m_latency),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("LinkOverhead",
                          "Bytes the data link and physical layers add to each TLP on a link "
                          "(bytes; 8 = 4-byte STP token with sequence number + 4-byte LCRC "
                          "on Gen3, or STP + sequence + LCRC + END on Gen1/2).",
                          UintegerValue(8),
                          MakeUintegerAccessor(&LocalInterconnectChannel::m_linkOverhead),
                          MakeUintegerChecker<uint32_t>(0, 64))
            .AddAttribute("QueueSize",
                          "TLPs buffered per port and direction (the flow-control window).",
                          UintegerValue(64),
                          MakeUintegerAccessor(&LocalInterconnectChannel::m_queueSize),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("CompleterId",
                          "The switch's own bus/device/function, used as Completer ID of the "
                          "Unsupported Request completions it generates.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LocalInterconnectChannel::m_completerId),
                          MakeUintegerChecker<uint16_t>())
            .AddTraceSource("Tx",
                            "A TLP was taken from a port.",
                            MakeTraceSourceAccessor(&LocalInterconnectChannel::m_txTrace),
                            "ns3::LocalInterconnectChannel::PortTlpTracedCallback")
            .AddTraceSource("Rx",
                            "A TLP was delivered to a port.",
                            MakeTraceSourceAccessor(&LocalInterconnectChannel::m_rxTrace),
                            "ns3::LocalInterconnectChannel::PortTlpTracedCallback")
            .AddTraceSource("UnsupportedRequest",
                            "A non-posted request no port claims was answered with UR.",
                            MakeTraceSourceAccessor(&LocalInterconnectChannel::m_unsupportedTrace),
                            "ns3::LocalInterconnectChannel::PortTlpTracedCallback")
            .AddTraceSource("Drop",
                            "A TLP was dropped (malformed, unclaimed posted request, or "
                            "completion for an unknown requester).",
                            MakeTraceSourceAccessor(&LocalInterconnectChannel::m_dropTrace),
                            "ns3::LocalInterconnectChannel::DropTracedCallback");
    return tid;
}

LocalInterconnectChannel::LocalInterconnectChannel()
    : m_dataRate("7877MBps"),
      m_linkOverhead(8),
      m_queueSize(64),
      m_completerId(0),
      m_defaultCompletionPort(-1)
{
    NS_LOG_FUNCTION(this);
}

LocalInterconnectChannel::~LocalInterconnectChannel()
{
    NS_LOG_FUNCTION(this);
}

void
LocalInterconnectChannel::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_ports.clear();
    m_decode.clear();
    m_requesterPorts.clear();
    Channel::DoDispose();
}

LocalInterconnectChannel::Port&
LocalInterconnectChannel::GetPort(uint32_t port)
{
    NS_ABORT_MSG_IF(port >= m_ports.size(),
                    "LocalInterconnectChannel: no port " << port << " (" << m_ports.size()
                                                         << " ports)");
    return m_ports[port];
}

uint32_t
LocalInterconnectChannel::AddPort(const std::string& name,
                                  ReceiveCallback receive,
                                  Ptr<NetDevice> device)
{
    NS_LOG_FUNCTION(this << name);
    Port p;
    p.name = name;
    p.receive = receive;
    p.device = device;
    m_ports.push_back(std::move(p));
    return static_cast<uint32_t>(m_ports.size() - 1);
}

void
LocalInterconnectChannel::SetReadyCallback(uint32_t port, ReadyCallback ready)
{
    GetPort(port).ready = ready;
}

uint32_t
LocalInterconnectChannel::GetNPorts() const
{
    return static_cast<uint32_t>(m_ports.size());
}

std::string
LocalInterconnectChannel::GetPortName(uint32_t port) const
{
    return port < m_ports.size() ? m_ports[port].name : "?";
}

void
LocalInterconnectChannel::ClaimAddressRange(uint32_t port, uint64_t base, uint64_t size)
{
    NS_LOG_FUNCTION(this << port << base << size);
    GetPort(port);
    NS_ABORT_MSG_IF(size == 0,
                    "LocalInterconnectChannel: empty address range at 0x"
                        << std::hex << base << " for port '" << m_ports[port].name << "'");
    NS_ABORT_MSG_IF(base + (size - 1) < base,
                    "LocalInterconnectChannel: address range at 0x"
                        << std::hex << base << " of 0x" << size << " bytes wraps past 2^64");
    auto range = boost::icl::discrete_interval<uint64_t>::closed(base, base + size - 1);
    auto overlap = m_decode.equal_range(range);
    if (overlap.first != overlap.second)
    {
        const auto& other = overlap.first->first;
        NS_FATAL_ERROR("LocalInterconnectChannel: address range "
                       << RangeToString(base, base + size - 1) << " for port '"
                       << m_ports[port].name << "' overlaps "
                       << RangeToString(other.lower(), other.upper()) << " claimed by port '"
                       << m_ports[overlap.first->second - 1].name << "'");
    }
    m_decode += std::make_pair(range, port + 1);
}

void
LocalInterconnectChannel::ReleaseAddressRange(uint32_t port, uint64_t base, uint64_t size)
{
    NS_LOG_FUNCTION(this << port << base << size);
    GetPort(port);
    NS_ABORT_MSG_IF(size == 0, "LocalInterconnectChannel: release of an empty range");
    auto range = boost::icl::discrete_interval<uint64_t>::closed(base, base + size - 1);
    uint64_t covered = 0;
    auto overlap = m_decode.equal_range(range);
    for (auto it = overlap.first; it != overlap.second; ++it)
    {
        NS_ABORT_MSG_IF(it->second != port + 1,
                        "LocalInterconnectChannel: range " << RangeToString(base, base + size - 1)
                                                           << " is not claimed by port '"
                                                           << m_ports[port].name << "'");
        auto part = range & it->first;
        covered += part.upper() - part.lower() + 1;
    }
    NS_ABORT_MSG_IF(covered != size,
                    "LocalInterconnectChannel: range " << RangeToString(base, base + size - 1)
                                                       << " is not wholly claimed by port '"
                                                       << m_ports[port].name << "'");
    m_decode -= std::make_pair(range, port + 1);
}

bool
LocalInterconnectChannel::DecodeAddress(uint64_t address, uint32_t& port) const
{
    auto it = m_decode.find(address);
    if (it == m_decode.end())
    {
        return false;
    }
    port = it->second - 1;
    return true;
}

void
LocalInterconnectChannel::ClaimRequesterId(uint32_t port, uint16_t id)
{
    NS_LOG_FUNCTION(this << port << id);
    GetPort(port);
    auto it = m_requesterPorts.find(id);
    NS_ABORT_MSG_IF(it != m_requesterPorts.end() && it->second != port,
                    "LocalInterconnectChannel: Requester ID 0x"
                        << std::hex << id << " claimed by port '" << m_ports[port].name
                        << "' is already claimed by port '" << m_ports[it->second].name << "'");
    m_requesterPorts[id] = port;
}

void
LocalInterconnectChannel::SetDefaultCompletionPort(uint32_t port)
{
    GetPort(port);
    m_defaultCompletionPort = port;
}

void
LocalInterconnectChannel::SetReceiveCredits(uint32_t port, uint32_t credits)
{
    GetPort(port).credits = credits;
}

void
LocalInterconnectChannel::ReturnCredits(uint32_t port, uint32_t credits)
{
    NS_LOG_FUNCTION(this << port << credits);
    Port& p = GetPort(port);
    p.creditsInUse -= std::min(credits, p.creditsInUse);
    while (!m_ports[port].waitingCredit.empty() &&
           m_ports[port].creditsInUse < m_ports[port].credits)
    {
        Ptr<Packet> tlp = m_ports[port].waitingCredit.front();
        m_ports[port].waitingCredit.pop_front();
        HandOver(port, tlp, Simulator::Now().GetPicoSeconds());
    }
}

int64_t
LocalInterconnectChannel::SerializationPs(uint32_t tlpBytes) const
{
    uint64_t bits = uint64_t(tlpBytes + m_linkOverhead) * 8;
    uint64_t rate = m_dataRate.GetBitRate();
    return static_cast<int64_t>((bits * PS_PER_S + rate / 2) / rate);
}

Time
LocalInterconnectChannel::GetSerializationTime(uint32_t tlpBytes) const
{
    return PicoSeconds(SerializationPs(tlpBytes));
}

void
LocalInterconnectChannel::SetDataRate(DataRate rate)
{
    NS_ABORT_MSG_IF(rate.GetBitRate() == 0,
                    "LocalInterconnectChannel: attribute DataRate=" << rate << " must be positive");
    m_dataRate = rate;
}

DataRate
LocalInterconnectChannel::GetDataRate() const
{
    return m_dataRate;
}

Time
LocalInterconnectChannel::GetLatency() const
{
    return m_latency;
}

uint32_t
LocalInterconnectChannel::GetLinkOverhead() const
{
    return m_linkOverhead;
}

uint16_t
LocalInterconnectChannel::GetCompleterId() const
{
    return m_completerId;
}

Time
LocalInterconnectChannel::DelayUntil(int64_t ps)
{
    Time at = PicoSeconds(ps);
    if (at.GetPicoSeconds() < ps)
    {
        at += TimeStep(1);
    }
    Time now = Simulator::Now();
    return at > now ? at - now : Time(0);
}

bool
LocalInterconnectChannel::CanSend(uint32_t port) const
{
    return port < m_ports.size() && m_ports[port].ingressCount < m_queueSize;
}

void
LocalInterconnectChannel::SetDeliveryDelay(uint32_t port, Time delay)
{
    GetPort(port).deliveryDelayPs = delay.GetPicoSeconds();
}

bool
LocalInterconnectChannel::Send(uint32_t port, Ptr<Packet> tlp, Time delay)
{
    NS_LOG_FUNCTION(this << port << tlp);
    Port& p = GetPort(port);
    if (p.ingressCount >= m_queueSize)
    {
        p.refused = true;
        return false;
    }
    m_txTrace(tlp, port);
    p.ingressCount++;
    int64_t start = std::max((Simulator::Now() + delay).GetPicoSeconds(), p.ingressFreePs);
    p.ingressFreePs = start + SerializationPs(tlp->GetSize());
    Simulator::Schedule(DelayUntil(p.ingressFreePs),
                        &LocalInterconnectChannel::ArriveAtSwitch,
                        this,
                        port,
                        tlp,
                        p.ingressFreePs);
    return true;
}

bool
LocalInterconnectChannel::Route(Ptr<Packet> tlp, uint32_t from, uint32_t& to, int64_t atPs)
{
    TlpHeader h;
    uint32_t headerSize = tlp->PeekHeader(h);
    if (headerSize == 0 ||
        tlp->GetSize() != headerSize + h.GetDataSize() + (h.HasDigest() ? TlpEcrcTrailer::SIZE : 0))
    {
        NS_LOG_LOGIC("malformed TLP from port " << from);
        m_dropTrace(tlp, from, DROP_MALFORMED);
        return false;
    }
    // Completions, and messages routed by ID (Type 10010b: a target ID in bytes 8-9),
    // go to the port that claims the ID, or upstream to the default port.
    bool byId = (h.GetKind() == TlpHeader::MESSAGE || h.GetKind() == TlpHeader::MESSAGE_DATA) &&
                (h.GetFmtType() & 0x1F) == 0x12;
    if (h.IsCompletion() || byId)
    {
        uint16_t target = byId ? static_cast<uint16_t>(h.GetAddress() >> 48) : h.GetRequesterId();
        auto it = m_requesterPorts.find(target);
        if (it != m_requesterPorts.end())
        {
            to = it->second;
            return true;
        }
        if (m_defaultCompletionPort >= 0 && m_defaultCompletionPort != from)
        {
            to = static_cast<uint32_t>(m_defaultCompletionPort);
            return true;
        }
        NS_LOG_LOGIC("completion for unknown requester from port " << from);
        m_dropTrace(tlp, from, DROP_UNCLAIMED_COMPLETION);
        return false;
    }
    // A request the switch would send back out of its ingress port is unsupported.
    if (h.HasMemoryAddress() && DecodeAddress(h.GetAddress(), to) && to != from)
    {
        return true;
    }
    if (h.IsPosted())
    {
        NS_LOG_LOGIC("posted request to unclaimed address from port " << from);
        m_dropTrace(tlp, from, DROP_UNCLAIMED_POSTED);
        return false;
    }
    SendUnsupportedRequest(tlp, from, atPs);
    return false;
}

void
LocalInterconnectChannel::SendUnsupportedRequest(Ptr<const Packet> request,
                                                 uint32_t from,
                                                 int64_t atPs)
{
    TlpHeader req;
    request->PeekHeader(req);
    Ptr<Packet> reply = Create<Packet>();
    reply->AddHeader(TlpHeader::MakeCompletionFor(req, TlpHeader::UR, m_completerId));
    m_unsupportedTrace(request, from);
    uint32_t to = from;
    auto it = m_requesterPorts.find(req.GetRequesterId());
    if (it != m_requesterPorts.end())
    {
        to = it->second;
    }
    else if (m_defaultCompletionPort >= 0)
    {
        to = static_cast<uint32_t>(m_defaultCompletionPort);
    }
    StartEgress(to, reply, atPs);
}

void
LocalInterconnectChannel::ArriveAtSwitch(uint32_t from, Ptr<Packet> tlp, int64_t atPs)
{
    NS_LOG_FUNCTION(this << from << tlp);
    uint32_t to = 0;
    if (!Route(tlp, from, to, atPs))
    {
        m_ports[from].ingressCount--;
        IngressReleased(from);
        return;
    }
    Port& p = m_ports[from];
    if (!p.held.empty() || m_ports[to].egressCount >= m_queueSize)
    {
        if (p.held.empty())
        {
            m_ports[to].blockedIngress.push_back(from);
        }
        p.held.push_back({tlp, to, atPs});
        return;
    }
    p.ingressCount--;
    StartEgress(to, tlp, atPs);
    IngressReleased(from);
}

void
LocalInterconnectChannel::ForwardHeld(uint32_t from, int64_t atPs)
{
    while (!m_ports[from].held.empty())
    {
        Held h = m_ports[from].held.front();
        if (m_ports[h.to].egressCount >= m_queueSize)
        {
            m_ports[h.to].blockedIngress.push_back(from);
            return;
        }
        m_ports[from].held.pop_front();
        m_ports[from].ingressCount--;
        StartEgress(h.to, h.tlp, std::max(atPs, h.atPs));
        IngressReleased(from);
    }
}

void
LocalInterconnectChannel::StartEgress(uint32_t to, Ptr<Packet> tlp, int64_t readyPs)
{
    Port& q = m_ports[to];
    q.egressCount++;
    int64_t start = std::max(readyPs, q.egressFreePs);
    q.egressFreePs = start + SerializationPs(tlp->GetSize());
    int64_t deliverPs = q.egressFreePs + m_latency.GetPicoSeconds() + q.deliveryDelayPs;
    Simulator::Schedule(DelayUntil(deliverPs),
                        &LocalInterconnectChannel::Deliver,
                        this,
                        to,
                        tlp,
                        deliverPs);
}

void
LocalInterconnectChannel::Deliver(uint32_t to, Ptr<Packet> tlp, int64_t atPs)
{
    Port& q = m_ports[to];
    if (q.credits != 0 && (q.creditsInUse >= q.credits || !q.waitingCredit.empty()))
    {
        q.waitingCredit.push_back(tlp);
        return;
    }
    HandOver(to, tlp, atPs);
}

void
LocalInterconnectChannel::HandOver(uint32_t to, Ptr<Packet> tlp, int64_t atPs)
{
    NS_LOG_FUNCTION(this << to << tlp);
    Port& q = m_ports[to];
    q.egressCount--;
    if (q.credits != 0)
    {
        q.creditsInUse++;
    }
    EgressReleased(to, atPs);
    m_rxTrace(tlp, to);
    m_ports[to].receive(tlp);
}

void
LocalInterconnectChannel::IngressReleased(uint32_t from)
{
    Port& p = m_ports[from];
    if (p.refused && p.ingressCount < m_queueSize)
    {
        p.refused = false;
        if (!p.ready.IsNull())
        {
            p.ready();
        }
    }
}

void
LocalInterconnectChannel::EgressReleased(uint32_t to, int64_t atPs)
{
    while (m_ports[to].egressCount < m_queueSize && !m_ports[to].blockedIngress.empty())
    {
        uint32_t from = m_ports[to].blockedIngress.front();
        m_ports[to].blockedIngress.erase(m_ports[to].blockedIngress.begin());
        ForwardHeld(from, atPs);
    }
}

std::size_t
LocalInterconnectChannel::GetNDevices() const
{
    return std::count_if(m_ports.begin(), m_ports.end(), [](const Port& p) {
        return p.device != nullptr;
    });
}

Ptr<NetDevice>
LocalInterconnectChannel::GetDevice(std::size_t i) const
{
    for (const auto& p : m_ports)
    {
        if (p.device != nullptr && i-- == 0)
        {
            return p.device;
        }
    }
    return nullptr;
}

} // namespace ns3
