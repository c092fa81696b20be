/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pcie-routing-element.h"

#include "pcie-port.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"

#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PcieRoutingElement");

NS_OBJECT_ENSURE_REGISTERED(PcieRoutingElement);

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

} // namespace

TypeId
PcieRoutingElement::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::PcieRoutingElement").SetParent<Object>().SetGroupName("TlpTunnel");
    return tid;
}

PcieRoutingElement::PcieRoutingElement()
    : m_defaultTarget(-1)
{
}

PcieRoutingElement::~PcieRoutingElement()
{
}

void
PcieRoutingElement::DoDispose()
{
    for (auto& port : m_ports)
    {
        if (port != nullptr)
        {
            port->SetRoutingElement(nullptr, 0);
            port->Dispose();
        }
    }
    m_ports.clear();
    m_held.clear();
    m_decode.clear();
    m_requesters.clear();
    Object::DoDispose();
}

uint32_t
PcieRoutingElement::AddTarget(const std::string& name, Ptr<PciePort> port)
{
    uint32_t index = static_cast<uint32_t>(m_names.size());
    m_names.push_back(name);
    m_ports.push_back(port);
    m_held.emplace_back();
    if (port != nullptr)
    {
        port->SetName(name);
        port->SetRoutingElement(this, index);
    }
    return index;
}

Ptr<PciePort>
PcieRoutingElement::GetTargetPort(uint32_t target) const
{
    return target < m_ports.size() ? m_ports[target] : nullptr;
}

void
PcieRoutingElement::Forward(uint32_t from,
                            uint32_t to,
                            Ptr<Packet> tlp,
                            const TlpHeader::Summary& s,
                            bool release)
{
    if (m_held[to].empty() && m_ports[to]->SendChecked(tlp, Time(0), s))
    {
        if (release)
        {
            m_ports[from]->ReleaseCredits(s, Simulator::Now());
        }
        return;
    }
    // It stays in the ingress buffer (its credits held) until the egress takes it.
    m_held[to].push_back({tlp, s, from, release});
}

void
PcieRoutingElement::PortReady(uint32_t target)
{
    std::deque<Held>& held = m_held[target];
    while (!held.empty() && m_ports[target]->SendChecked(held.front().tlp, Time(0), held.front().s))
    {
        Held h = held.front();
        held.pop_front();
        if (h.release)
        {
            m_ports[h.from]->ReleaseCredits(h.s, Simulator::Now());
        }
    }
}

uint32_t
PcieRoutingElement::GetNTargets() const
{
    return static_cast<uint32_t>(m_names.size());
}

std::string
PcieRoutingElement::GetTargetName(uint32_t target) const
{
    return target < m_names.size() ? m_names[target] : "?";
}

void
PcieRoutingElement::CheckTarget(uint32_t target) const
{
    NS_ABORT_MSG_IF(target >= m_names.size(),
                    GetInstanceTypeId().GetName()
                        << ": no target " << target << " (" << m_names.size() << " targets)");
}

void
PcieRoutingElement::ClaimAddressRange(uint32_t target, uint64_t base, uint64_t size)
{
    NS_LOG_FUNCTION(this << target << base << size);
    CheckTarget(target);
    std::string who = GetInstanceTypeId().GetName();
    NS_ABORT_MSG_IF(size == 0,
                    who << ": empty address range at 0x" << std::hex << base << " for port '"
                        << m_names[target] << "'");
    NS_ABORT_MSG_IF(base + (size - 1) < base,
                    who << ": address range at 0x" << std::hex << base << " of 0x" << size
                        << " bytes wraps past 2^64");
    auto range = boost::icl::discrete_interval<uint64_t>::closed(base, base + size - 1);
    auto overlap = m_decode.equal_range(range);
    if (overlap.first != overlap.second)
    {
        const auto& other = overlap.first->first;
        NS_FATAL_ERROR(who << ": address range " << RangeToString(base, base + size - 1)
                           << " for port '" << m_names[target] << "' overlaps "
                           << RangeToString(other.lower(), other.upper()) << " claimed by port '"
                           << m_names[overlap.first->second - 1] << "'");
    }
    m_decode += std::make_pair(range, target + 1);
}

void
PcieRoutingElement::ReleaseAddressRange(uint32_t target, uint64_t base, uint64_t size)
{
    NS_LOG_FUNCTION(this << target << base << size);
    CheckTarget(target);
    std::string who = GetInstanceTypeId().GetName();
    NS_ABORT_MSG_IF(size == 0, who << ": release of an empty range");
    auto range = boost::icl::discrete_interval<uint64_t>::closed(base, base + size - 1);
    uint64_t covered = 0;
    auto overlap = m_decode.equal_range(range);
    for (auto it = overlap.first; it != overlap.second; ++it)
    {
        NS_ABORT_MSG_IF(it->second != target + 1,
                        who << ": range " << RangeToString(base, base + size - 1)
                            << " is not claimed by port '" << m_names[target] << "'");
        auto part = range & it->first;
        covered += part.upper() - part.lower() + 1;
    }
    NS_ABORT_MSG_IF(covered != size,
                    who << ": range " << RangeToString(base, base + size - 1)
                        << " is not wholly claimed by port '" << m_names[target] << "'");
    m_decode -= std::make_pair(range, target + 1);
}

bool
PcieRoutingElement::DecodeAddress(uint64_t address, uint32_t& target) const
{
    auto it = m_decode.find(address);
    if (it == m_decode.end())
    {
        return false;
    }
    target = it->second - 1;
    return true;
}

bool
PcieRoutingElement::DecodeRange(uint64_t base, uint64_t size, uint32_t& target) const
{
    if (size == 0 || base + (size - 1) < base)
    {
        return false;
    }
    auto it = m_decode.find(base);
    if (it == m_decode.end())
    {
        return false;
    }
    // A split_interval_map keeps adjacent claims of one target apart: the range must
    // lie in one claim.
    target = it->second - 1;
    return it->first.upper() >= base + (size - 1);
}

void
PcieRoutingElement::ClaimRequesterId(uint32_t target, uint16_t id)
{
    NS_LOG_FUNCTION(this << target << id);
    CheckTarget(target);
    auto it = m_requesters.find(id);
    NS_ABORT_MSG_IF(it != m_requesters.end() && it->second != target,
                    GetInstanceTypeId().GetName()
                        << ": Requester ID 0x" << std::hex << id << " claimed by port '"
                        << m_names[target] << "' is already claimed by port '"
                        << m_names[it->second] << "'");
    m_requesters[id] = target;
}

void
PcieRoutingElement::SetDefaultCompletionTarget(uint32_t target)
{
    CheckTarget(target);
    m_defaultTarget = target;
}

int64_t
PcieRoutingElement::GetDefaultCompletionTarget() const
{
    return m_defaultTarget;
}

bool
PcieRoutingElement::FindRequester(uint16_t requesterId, uint32_t& target) const
{
    auto it = m_requesters.find(requesterId);
    if (it == m_requesters.end())
    {
        return false;
    }
    target = it->second;
    return true;
}

bool
PcieRoutingElement::RouteCompletion(uint16_t requesterId, uint32_t from, uint32_t& target) const
{
    if (FindRequester(requesterId, target))
    {
        return true;
    }
    if (m_defaultTarget >= 0 && m_defaultTarget != from)
    {
        target = static_cast<uint32_t>(m_defaultTarget);
        return true;
    }
    return false;
}

} // namespace ns3
