/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-export-table.h"

#include "tlp-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpExportTable");

namespace
{

constexpr uint64_t PAGE = 4096;

/// [base, base + size) as a closed interval (size >= 1, no wrap).
boost::icl::discrete_interval<uint64_t>
Range(uint64_t base, uint64_t size)
{
    return boost::icl::discrete_interval<uint64_t>::closed(base, base + size - 1);
}

} // namespace

TlpExportTable::TlpExportTable()
    : m_poolBase(0),
      m_poolSize(0)
{
}

void
TlpExportTable::SetPool(uint64_t base, uint64_t size)
{
    m_poolBase = base;
    m_poolSize = size;
}

uint64_t
TlpExportTable::Key(uint32_t peer, uint16_t window)
{
    return uint64_t(peer) << 16 | window;
}

bool
TlpExportTable::Free(uint64_t base, uint64_t size, int64_t& region) const
{
    region = -1;
    auto overlap = m_map.equal_range(Range(base, size));
    for (auto it = overlap.first; it != overlap.second; ++it)
    {
        const TlpExportRegion& r = m_regions[it->second - 1];
        if (r.base != base || r.size != size || r.pooled)
        {
            return false;
        }
        region = it->second - 1;
    }
    return true;
}

bool
TlpExportTable::Allocate(uint64_t size, uint64_t& base) const
{
    uint64_t poolEnd = m_poolBase + m_poolSize; // callers keep the pool below 2^64
    uint64_t candidate = TlpHeader::AlignUp(m_poolBase, PAGE);
    // First fit: step over every region in the way.
    while (candidate >= m_poolBase && candidate <= poolEnd && size <= poolEnd - candidate)
    {
        auto overlap = m_map.equal_range(Range(candidate, size));
        if (overlap.first == overlap.second)
        {
            base = candidate;
            return true;
        }
        uint64_t next = candidate;
        for (auto it = overlap.first; it != overlap.second; ++it)
        {
            const TlpExportRegion& r = m_regions[it->second - 1];
            next = std::max(next, r.base + r.size);
        }
        uint64_t aligned = TlpHeader::AlignUp(next, PAGE);
        if (aligned <= candidate)
        {
            return false; // wrapped past 2^64
        }
        candidate = aligned;
    }
    return false;
}

uint8_t
TlpExportTable::Grant(uint32_t peer,
                      uint16_t window,
                      const TunnelGrantHeader& request,
                      MemoryCheck isMemory,
                      uint32_t key,
                      uint64_t& regionBase,
                      uint32_t& grantKey)
{
    uint64_t size = request.size;
    uint64_t wanted = request.regionBase;
    bool any = wanted == TunnelGrantHeader::ANY_BASE;
    if (size == 0 || size % PAGE != 0 || request.windowBase % PAGE != 0 ||
        request.windowBase + (size - 1) < request.windowBase ||
        (!any && (wanted % PAGE != 0 || wanted + (size - 1) < wanted)))
    {
        return TunnelGrantHeader::BAD_RANGE;
    }
    bool translateHere = request.translateAt == 1;
    auto existing = m_grants.find(Key(peer, window));
    if (existing != m_grants.end())
    {
        // A retransmitted request: the region stands. Anything else conflicts.
        const TlpExportGrant& g = existing->second;
        const TlpExportRegion& r = m_regions[g.region];
        bool same = g.windowBase == request.windowBase && g.size == size &&
                    g.requestedBase == wanted && g.translateHere == translateHere &&
                    g.confirm == request.confirm;
        if (!same)
        {
            return TunnelGrantHeader::CONFLICT;
        }
        regionBase = r.base;
        grantKey = g.key;
        return TunnelGrantHeader::GRANTED;
    }
    uint64_t base = wanted;
    int64_t shared = -1;
    if (any)
    {
        if (m_poolBase + m_poolSize < m_poolBase || !Allocate(size, base))
        {
            return TunnelGrantHeader::NO_ROOM;
        }
    }
    else if (!Free(base, size, shared))
    {
        return TunnelGrantHeader::OVERLAP;
    }
    if (shared < 0 && (isMemory.IsNull() || !isMemory(base, size)))
    {
        return TunnelGrantHeader::NOT_MEMORY;
    }
    if (shared < 0)
    {
        // Reuse a released slot before growing.
        uint32_t index = static_cast<uint32_t>(m_regions.size());
        for (uint32_t i = 0; i < m_regions.size(); ++i)
        {
            if (m_regions[i].size == 0)
            {
                index = i;
                break;
            }
        }
        if (index == m_regions.size())
        {
            m_regions.emplace_back();
        }
        m_regions[index].base = base;
        m_regions[index].size = size;
        m_regions[index].grants.clear();
        m_regions[index].pooled = any;
        m_map += std::make_pair(Range(base, size), index + 1);
        shared = index;
    }
    TlpExportGrant g;
    g.peer = peer;
    g.window = window;
    g.windowBase = request.windowBase;
    g.size = size;
    g.requestedBase = wanted;
    g.translateHere = translateHere;
    g.confirm = request.confirm;
    g.region = static_cast<uint32_t>(shared);
    g.key = key;
    m_grants[Key(peer, window)] = g;
    m_regions[g.region].grants.push_back(Key(peer, window));
    regionBase = base;
    grantKey = key;
    return TunnelGrantHeader::GRANTED;
}

const TlpExportGrant*
TlpExportTable::Find(uint32_t peer, uint16_t window) const
{
    auto it = m_grants.find(Key(peer, window));
    return it == m_grants.end() ? nullptr : &it->second;
}

const TlpExportGrant*
TlpExportTable::FindByAddress(uint32_t peer, uint64_t address) const
{
    auto it = m_map.find(address);
    if (it == m_map.end())
    {
        return nullptr;
    }
    for (uint64_t key : m_regions[it->second - 1].grants)
    {
        const TlpExportGrant& g = m_grants.at(key);
        if (g.peer == peer)
        {
            return &g;
        }
    }
    return nullptr;
}

const TlpExportRegion&
TlpExportTable::GetRegion(uint32_t index) const
{
    return m_regions.at(index);
}

bool
TlpExportTable::Release(uint32_t peer, uint16_t window)
{
    auto it = m_grants.find(Key(peer, window));
    if (it == m_grants.end())
    {
        return false;
    }
    TlpExportRegion& r = m_regions[it->second.region];
    r.grants.erase(std::remove(r.grants.begin(), r.grants.end(), it->first), r.grants.end());
    if (r.grants.empty())
    {
        m_map -= std::make_pair(Range(r.base, r.size), it->second.region + 1);
        r.size = 0;
    }
    m_grants.erase(it);
    return true;
}

uint32_t
TlpExportTable::GetNRegions() const
{
    uint32_t n = 0;
    for (const TlpExportRegion& r : m_regions)
    {
        n += r.size != 0;
    }
    return n;
}

uint32_t
TlpExportTable::GetNGrants() const
{
    return static_cast<uint32_t>(m_grants.size());
}

void
TlpExportTable::Clear()
{
    m_regions.clear();
    m_grants.clear();
    m_map.clear();
}

} // namespace ns3
