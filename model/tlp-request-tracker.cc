/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-request-tracker.h"

#include "tlp-ecrc-trailer.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpRequestTracker");

TlpRequestTracker::TlpRequestTracker()
    : m_maxTags(0),
      m_firstTag(0),
      m_generation(0)
{
}

void
TlpRequestTracker::Configure(uint32_t tags,
                             Time timeout,
                             DataCallback data,
                             EndCallback end,
                             Time quarantine)
{
    NS_ABORT_MSG_UNLESS(tags >= 1 && tags <= MAX_TAGS,
                        "TlpRequestTracker: " << tags << " tags (1.." << MAX_TAGS << ")");
    Clear();
    m_maxTags = tags;
    // Beyond 256 outstanding requests take 10-bit tags, never those with Tag[9:8] = 00b.
    m_firstTag = tags > 256 ? 256 : 0;
    m_timeout = timeout;
    m_quarantineTime = quarantine.IsNegative() ? timeout : quarantine;
    m_data = data;
    m_end = end;
}

void
TlpRequestTracker::SetFreedCallback(FreedCallback freed)
{
    m_freed = freed;
}

void
TlpRequestTracker::SetTimes(Time timeout, Time quarantine)
{
    m_timeout = timeout;
    m_quarantineTime = quarantine;
}

void
TlpRequestTracker::Clear()
{
    m_timer.Cancel();
    m_freedTimer.Cancel();
    m_order.clear();
    m_tags.clear();
    m_free.clear();
    m_quarantine.clear();
    m_data = DataCallback();
    m_end = EndCallback();
    m_freed = FreedCallback();
}

const TlpRequestTracker::Statistics&
TlpRequestTracker::GetStatistics() const
{
    return m_stats;
}

uint16_t
TlpRequestTracker::GetFirstTag() const
{
    return m_firstTag;
}

void
TlpRequestTracker::ReleaseQuarantined()
{
    Time now = Simulator::Now();
    while (!m_quarantine.empty() && m_quarantine.front().second <= now)
    {
        uint16_t tag = m_quarantine.front().first;
        m_quarantine.pop_front();
        m_tags[tag - m_firstTag].state = FREE;
        m_free.push_back(tag);
    }
}

bool
TlpRequestTracker::HasFreeTag()
{
    ReleaseQuarantined();
    if (!m_free.empty() || m_tags.size() < m_maxTags)
    {
        return true;
    }
    // Every tag is busy or held: wake the requester when the first quarantine ends.
    if (!m_quarantine.empty() && !m_freedTimer.IsRunning())
    {
        m_freedTimer = Simulator::Schedule(m_quarantine.front().second - Simulator::Now(),
                                           &TlpRequestTracker::QuarantineOver,
                                           this);
    }
    return false;
}

void
TlpRequestTracker::QuarantineOver()
{
    if (!m_freed.IsNull())
    {
        m_freed();
    }
}

uint32_t
TlpRequestTracker::GetOutstanding() const
{
    return static_cast<uint32_t>(m_tags.size() - m_free.size() - m_quarantine.size());
}

TlpRequestTracker::Outstanding*
TlpRequestTracker::Slot(uint16_t tag)
{
    if (tag < m_firstTag || uint32_t(tag - m_firstTag) >= m_tags.size())
    {
        return nullptr;
    }
    return &m_tags[tag - m_firstTag];
}

uint16_t
TlpRequestTracker::Allocate(uint64_t cookie,
                            uint32_t offset,
                            uint32_t bytes,
                            uint64_t firstAddress,
                            bool atomic)
{
    NS_ASSERT(HasFreeTag());
    uint16_t tag;
    if (!m_free.empty())
    {
        tag = m_free.front();
        m_free.pop_front();
    }
    else
    {
        // Tags come into use as they are needed: a requester that never reads holds none.
        tag = static_cast<uint16_t>(m_firstTag + m_tags.size());
        m_tags.emplace_back();
    }
    Outstanding& o = m_tags[tag - m_firstTag];
    o.state = BUSY;
    o.atomic = atomic;
    o.cookie = cookie;
    o.offset = offset;
    o.bytes = bytes;
    o.received = 0;
    o.firstAddress = firstAddress;
    o.generation = ++m_generation;
    return tag;
}

void
TlpRequestTracker::Issued(uint16_t tag)
{
    Outstanding& o = m_tags[tag - m_firstTag];
    o.issued = Simulator::Now();
    m_order.emplace_back(tag, o.generation);
    if (!m_timer.IsRunning())
    {
        m_timer = Simulator::Schedule(m_timeout, &TlpRequestTracker::CheckTimeouts, this);
    }
}

bool
TlpRequestTracker::IsOutstanding(uint16_t tag) const
{
    return tag >= m_firstTag && uint32_t(tag - m_firstTag) < m_tags.size() &&
           m_tags[tag - m_firstTag].state == BUSY;
}

Time
TlpRequestTracker::GetIssueTime(uint16_t tag) const
{
    return m_tags.at(tag - m_firstTag).issued;
}

TlpRequestTracker::Outcome
TlpRequestTracker::Receive(Ptr<const Packet> tlp, const TlpHeader& h)
{
    uint16_t tag = h.GetTag();
    Outstanding* slot = Slot(tag);
    if (slot == nullptr || slot->state != BUSY)
    {
        // No request waits for it: it may be the late answer to one that timed out.
        m_stats.unexpected++;
        if (slot != nullptr && slot->state == QUARANTINED)
        {
            m_stats.late++;
        }
        return NOT_OURS;
    }
    Outstanding& o = *slot;
    if (h.GetStatus() != TlpHeader::SC)
    {
        End(tag, h.GetStatus());
        return ENDED;
    }
    uint32_t headerSize = h.GetSerializedSize();
    uint32_t dataSize = h.GetDataSize();
    uint8_t bytes[TlpEcrcTrailer::MAX_TLP_SIZE];
    if (o.atomic)
    {
        if (dataSize < o.bytes)
        {
            m_stats.malformed++;
            return MALFORMED;
        }
        tlp->CopyData(bytes, headerSize + o.bytes);
        m_data(o.cookie, o.offset, bytes + headerSize, o.bytes);
        End(tag, TlpHeader::SC);
        return ENDED;
    }
    // Completions of one request arrive in address order: each one's byte count is
    // what remains, and its lower address is where the remaining bytes start.
    uint32_t remaining = o.bytes - o.received;
    uint32_t skip = h.GetLowerAddress() & 3;
    if (!h.HasData() || h.GetByteCount() != remaining ||
        ((o.firstAddress + o.received) & 0x7F) != h.GetLowerAddress() || dataSize <= skip)
    {
        m_stats.malformed++;
        return MALFORMED;
    }
    uint32_t n = std::min(remaining, dataSize - skip);
    tlp->CopyData(bytes, headerSize + skip + n);
    m_data(o.cookie, o.offset + o.received, bytes + headerSize + skip, n);
    o.received += n;
    if (o.received == o.bytes)
    {
        End(tag, TlpHeader::SC);
        return ENDED;
    }
    return PARTIAL;
}

void
TlpRequestTracker::End(uint16_t tag, uint8_t status)
{
    Outstanding& o = m_tags[tag - m_firstTag];
    uint64_t cookie = o.cookie;
    if (status == STATUS_TIMEOUT)
    {
        // A completion may still be on its way: the tag is not reused before it could
        // have arrived.
        o.state = QUARANTINED;
        m_quarantine.emplace_back(tag, Simulator::Now() + m_quarantineTime);
        m_stats.timeouts++;
    }
    else
    {
        o.state = FREE;
        m_free.push_back(tag);
    }
    // Forget ended requests at the head of the timeout order.
    while (!m_order.empty())
    {
        const Outstanding& head = m_tags[m_order.front().first - m_firstTag];
        if (head.state == BUSY && head.generation == m_order.front().second)
        {
            break;
        }
        m_order.pop_front();
    }
    m_end(cookie, status);
}

void
TlpRequestTracker::CheckTimeouts()
{
    Time now = Simulator::Now();
    while (!m_order.empty())
    {
        auto head = m_order.front();
        const Outstanding& o = m_tags[head.first - m_firstTag];
        if (o.state != BUSY || o.generation != head.second)
        {
            m_order.pop_front();
            continue;
        }
        Time expiry = o.issued + m_timeout;
        if (expiry > now)
        {
            m_timer = Simulator::Schedule(expiry - now, &TlpRequestTracker::CheckTimeouts, this);
            return;
        }
        NS_LOG_LOGIC("completion timeout of tag " << head.first);
        m_order.pop_front();
        End(head.first, STATUS_TIMEOUT);
    }
}

} // namespace ns3
