/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-memory-registry.h"

#include "ns3/log.h"
#include "ns3/simulator.h"

#include <algorithm>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpMemoryRegistry");

namespace
{

constexpr uint64_t PAGE = 4096;

/// [a, a + as) and [b, b + bs) share a byte (sizes >= 1, no wrap).
bool
Overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return !(a + (as - 1) < b || b + (bs - 1) < a);
}

/// A range that is empty, unaligned or past 2^64.
bool
BadRange(uint64_t base, uint64_t size)
{
    return size == 0 || size % PAGE != 0 || base % PAGE != 0 || base + (size - 1) < base;
}

} // namespace

TlpMemoryRegistry::TlpMemoryRegistry()
    : m_retry(MicroSeconds(100)),
      m_maxInterval(MilliSeconds(10)),
      m_attempts(10)
{
}

void
TlpMemoryRegistry::SetCallbacks(SendCallback send, SequenceCallback sequence, NoticeCallback ended)
{
    m_send = send;
    m_sequence = sequence;
    m_ended = ended;
}

void
TlpMemoryRegistry::Configure(Time retry, Time maxInterval, uint32_t attempts)
{
    m_retry = retry;
    m_maxInterval = std::max(maxInterval, retry);
    m_attempts = std::max<uint32_t>(attempts, 1);
}

int32_t
TlpMemoryRegistry::Overlapping(uint64_t base, uint64_t size, int32_t except) const
{
    for (const auto& entry : m_regions)
    {
        const TlpMemoryIdRegion& r = entry.second;
        if (int32_t(r.id) != except && Overlap(base, size, r.base, r.size))
        {
            return r.id;
        }
    }
    return -1;
}

bool
TlpMemoryRegistry::Register(uint16_t id, uint64_t base, uint64_t size, std::string& why)
{
    std::ostringstream os;
    if (m_regions.count(id) != 0)
    {
        os << "memory ID " << id << " is registered already";
    }
    else if (BadRange(base, size))
    {
        os << "range 0x" << std::hex << base << " size 0x" << size
           << " must be a non-zero multiple of 4 KiB at a multiple of 4 KiB, below 2^64";
    }
    else
    {
        int32_t other = Overlapping(base, size, -1);
        if (other >= 0)
        {
            os << "range 0x" << std::hex << base << " size 0x" << size << std::dec
               << " overlaps memory ID " << other;
        }
    }
    why = os.str();
    if (!why.empty())
    {
        return false;
    }
    TlpMemoryIdRegion& r = m_regions[id];
    r.id = id;
    r.base = base;
    r.size = size;
    return true;
}

const TlpMemoryIdRegion*
TlpMemoryRegistry::Find(uint16_t id) const
{
    auto it = m_regions.find(id);
    return it == m_regions.end() ? nullptr : &it->second;
}

const TlpMemoryIdGrant*
TlpMemoryRegistry::FindGrant(uint32_t peer, uint16_t id) const
{
    auto it = m_regions.find(id);
    if (it == m_regions.end())
    {
        return nullptr;
    }
    for (const TlpMemoryIdGrant& g : it->second.grants)
    {
        if (g.peer == peer)
        {
            return &g;
        }
    }
    return nullptr;
}

uint8_t
TlpMemoryRegistry::Grant(uint32_t peer,
                         uint16_t id,
                         const TunnelGrantHeader& request,
                         uint32_t key,
                         uint32_t& granted)
{
    auto it = m_regions.find(id);
    if (it == m_regions.end())
    {
        return TunnelGrantHeader::UNKNOWN_ID;
    }
    if (BadRange(request.windowBase, request.size) ||
        request.regionBase != TunnelGrantHeader::ANY_BASE ||
        request.confirm != 0) // nobody confirms writes by memory ID (no address to confirm)
    {
        return TunnelGrantHeader::BAD_RANGE;
    }
    TlpMemoryIdRegion& r = it->second;
    for (const TlpMemoryIdGrant& g : r.grants)
    {
        if (g.peer == peer)
        {
            // A retransmitted request stands; another window of the same sender conflicts.
            bool same = g.windowBase == request.windowBase && g.windowSize == request.size;
            granted = g.key;
            return same ? TunnelGrantHeader::GRANTED : TunnelGrantHeader::CONFLICT;
        }
    }
    TlpMemoryIdGrant g;
    g.peer = peer;
    g.windowBase = request.windowBase;
    g.windowSize = request.size;
    g.key = key;
    r.grants.push_back(g);
    granted = key;
    return TunnelGrantHeader::GRANTED;
}

TlpMemoryRegistry::Resolution
TlpMemoryRegistry::Resolve(uint32_t peer,
                           uint16_t id,
                           uint64_t offset,
                           uint64_t span,
                           uint64_t& address) const
{
    auto it = m_regions.find(id);
    if (it == m_regions.end())
    {
        return UNKNOWN_ID;
    }
    const TlpMemoryIdRegion& r = it->second;
    auto g = std::find_if(r.grants.begin(), r.grants.end(), [peer](const TlpMemoryIdGrant& g) {
        return g.peer == peer;
    });
    if (g == r.grants.end())
    {
        return NOT_GRANTED;
    }
    if (span > r.size || offset > r.size - span)
    {
        return OUT_OF_RANGE;
    }
    address = r.base + offset;
    return RESOLVED;
}

bool
TlpMemoryRegistry::Move(uint16_t id, uint64_t newBase, std::string& why)
{
    std::ostringstream os;
    auto it = m_regions.find(id);
    if (it == m_regions.end())
    {
        os << "memory ID " << id << " is not registered";
    }
    else if (BadRange(newBase, it->second.size))
    {
        os << "new base 0x" << std::hex << newBase << " of memory ID " << std::dec << id
           << " must be a multiple of 4 KiB with its 0x" << std::hex << it->second.size
           << " bytes below 2^64";
    }
    else if (Overlap(newBase, it->second.size, it->second.base, it->second.size))
    {
        os << "new range 0x" << std::hex << newBase << " of memory ID " << std::dec << id
           << " overlaps its old range 0x" << std::hex << it->second.base
           << " (a write must land in exactly one of them)";
    }
    else
    {
        int32_t other = Overlapping(newBase, it->second.size, id);
        if (other >= 0)
        {
            os << "new range 0x" << std::hex << newBase << " of memory ID " << std::dec << id
               << " overlaps memory ID " << other;
        }
    }
    why = os.str();
    if (!why.empty())
    {
        return false;
    }
    TlpMemoryIdRegion& r = it->second;
    TunnelRemapHeader body;
    body.memoryId = id;
    body.generation = ++r.generation;
    body.oldBase = r.base;
    body.newBase = newBase;
    body.size = r.size;
    r.base = newBase; // the switch point: every later resolution lands in the new range
    NS_LOG_INFO("memory ID " << id << " generation " << body.generation << " moved from 0x"
                             << std::hex << body.oldBase << " to 0x" << newBase);
    std::vector<NoticeKey> keys;
    for (const TlpMemoryIdGrant& g : r.grants)
    {
        Notice n;
        n.body = body;
        n.body.switchSequence = m_sequence.IsNull() ? 0 : m_sequence(g.peer);
        NoticeKey key(g.peer, id, body.generation);
        m_notices[key] = n;
        keys.push_back(key);
    }
    for (const NoticeKey& key : keys)
    {
        Send(key);
    }
    return true;
}

void
TlpMemoryRegistry::Send(NoticeKey key)
{
    auto it = m_notices.find(key);
    if (it == m_notices.end())
    {
        return;
    }
    Notice& n = it->second;
    uint32_t peer = std::get<0>(key);
    if (n.attempts >= m_attempts)
    {
        NS_LOG_WARN("node " << peer << " did not acknowledge " << n.attempts
                            << " REMAP notices of memory ID " << n.body.memoryId);
        TunnelRemapHeader body = n.body;
        m_notices.erase(it);
        if (!m_ended.IsNull())
        {
            m_ended(peer, body, false);
        }
        return;
    }
    Time interval = m_retry;
    for (uint32_t i = 0; i < n.attempts && interval < m_maxInterval; ++i)
    {
        interval = interval + interval;
    }
    interval = std::min(interval, m_maxInterval);
    n.attempts++;
    n.retry = Simulator::Schedule(interval, &TlpMemoryRegistry::Send, this, key);
    TunnelRemapHeader body = n.body;
    m_send(peer, TunnelHeader::REMAP, body); // may run trace sinks: n is not used after
}

bool
TlpMemoryRegistry::HandleAck(uint32_t peer, const TunnelRemapHeader& body)
{
    auto it = m_notices.find(NoticeKey(peer, body.memoryId, body.generation));
    if (it == m_notices.end() || it->second.body.oldBase != body.oldBase ||
        it->second.body.newBase != body.newBase || it->second.body.size != body.size ||
        it->second.body.switchSequence != body.switchSequence)
    {
        return false;
    }
    it->second.retry.Cancel();
    m_notices.erase(it);
    if (!m_ended.IsNull())
    {
        m_ended(peer, body, true);
    }
    return true;
}

uint32_t
TlpMemoryRegistry::GetNPendingNotices() const
{
    return static_cast<uint32_t>(m_notices.size());
}

uint32_t
TlpMemoryRegistry::GetN() const
{
    return static_cast<uint32_t>(m_regions.size());
}

void
TlpMemoryRegistry::Clear()
{
    for (auto& entry : m_notices)
    {
        entry.second.retry.Cancel();
    }
    m_notices.clear();
    m_regions.clear();
}

} // namespace ns3
