/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-completion-router.h"

#include "ns3/log.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpCompletionRouter");

TlpCompletionRouter::TlpCompletionRouter()
{
}

uint32_t
TlpCompletionRouter::Key(uint16_t requester, uint16_t tag)
{
    return uint32_t(requester) << 16 | tag;
}

bool
TlpCompletionRouter::IsFinal(const TlpHeader& h)
{
    if (h.GetStatus() != TlpHeader::SC || h.GetDataSize() == 0)
    {
        return true;
    }
    // The bytes this completion carries start at its lower address within the first DW.
    uint32_t carried = h.GetDataSize() - (h.GetLowerAddress() & 3);
    return h.GetByteCount() <= carried;
}

void
TlpCompletionRouter::Inbound(uint32_t peer, const TlpHeader& request)
{
    m_inbound[Key(request.GetRequesterId(), request.GetTag())] = Entry{peer, request};
}

bool
TlpCompletionRouter::RouteCompletion(const TlpHeader& cpl, uint32_t& peer)
{
    auto it = m_inbound.find(Key(cpl.GetRequesterId(), cpl.GetTag()));
    if (it == m_inbound.end())
    {
        return false;
    }
    peer = it->second.peer;
    if (IsFinal(cpl))
    {
        m_inbound.erase(it);
    }
    return true;
}

void
TlpCompletionRouter::Outbound(uint32_t peer, const TlpHeader& request)
{
    m_outbound[Key(request.GetRequesterId(), request.GetTag())] = Entry{peer, request};
}

bool
TlpCompletionRouter::AcceptCompletion(uint32_t peer, const TlpHeader& cpl)
{
    auto it = m_outbound.find(Key(cpl.GetRequesterId(), cpl.GetTag()));
    if (it == m_outbound.end() || it->second.peer != peer)
    {
        return false;
    }
    if (IsFinal(cpl))
    {
        m_outbound.erase(it);
    }
    return true;
}

bool
TlpCompletionRouter::ForgetOutbound(uint32_t peer, const TlpHeader& request)
{
    auto it = m_outbound.find(Key(request.GetRequesterId(), request.GetTag()));
    if (it == m_outbound.end() || it->second.peer != peer)
    {
        return false;
    }
    m_outbound.erase(it);
    return true;
}

std::vector<TlpHeader>
TlpCompletionRouter::TakeOutbound(uint32_t peer)
{
    std::vector<std::pair<uint32_t, TlpHeader>> taken;
    for (auto it = m_outbound.begin(); it != m_outbound.end();)
    {
        if (it->second.peer == peer)
        {
            taken.emplace_back(it->first, it->second.request);
            it = m_outbound.erase(it);
        }
        else
        {
            ++it;
        }
    }
    // In a fixed order (hash order is not one), so runs repeat exactly.
    std::sort(taken.begin(), taken.end(), [](const auto& a, const auto& b) {
        return a.first < b.first;
    });
    std::vector<TlpHeader> requests;
    for (auto& t : taken)
    {
        requests.push_back(t.second);
    }
    return requests;
}

void
TlpCompletionRouter::InboundWrite(uint32_t peer, uint16_t writer)
{
    m_inboundWriters[writer] = peer;
}

bool
TlpCompletionRouter::RouteConfirmation(uint16_t writer, uint32_t& peer) const
{
    auto it = m_inboundWriters.find(writer);
    if (it == m_inboundWriters.end())
    {
        return false;
    }
    peer = it->second;
    return true;
}

void
TlpCompletionRouter::OutboundWrite(uint32_t peer, uint16_t writer)
{
    std::vector<uint32_t>& peers = m_outboundWriters[writer];
    if (std::find(peers.begin(), peers.end(), peer) == peers.end())
    {
        peers.push_back(peer);
    }
}

bool
TlpCompletionRouter::AcceptConfirmation(uint32_t peer, uint16_t writer) const
{
    auto it = m_outboundWriters.find(writer);
    return it != m_outboundWriters.end() &&
           std::find(it->second.begin(), it->second.end(), peer) != it->second.end();
}

uint32_t
TlpCompletionRouter::GetNEntries() const
{
    return static_cast<uint32_t>(m_inbound.size() + m_outbound.size());
}

void
TlpCompletionRouter::Clear()
{
    m_inbound.clear();
    m_outbound.clear();
    m_inboundWriters.clear();
    m_outboundWriters.clear();
}

} // namespace ns3
