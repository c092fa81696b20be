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
      m_generation(0)
{
}

void
TlpRequestTracker::Configure(uint32_t tags, Time timeout, DataCallback data, EndCallback end)
{
    NS_ABORT_MSG_UNLESS(tags >= 1 && tags <= 1024, "TlpRequestTracker: " << tags << " tags");
    Clear();
    m_maxTags = tags;
    m_timeout = timeout;
    m_data = data;
    m_end = end;
}

void
TlpRequestTracker::Clear()
{
    m_timer.Cancel();
    m_order.clear();
    m_tags.clear();
    m_free.clear();
    m_data = DataCallback();
    m_end = EndCallback();
}

bool
TlpRequestTracker::HasFreeTag() const
{
    return !m_free.empty() || m_tags.size() < m_maxTags;
}

uint32_t
TlpRequestTracker::GetOutstanding() const
{
    return static_cast<uint32_t>(m_tags.size() - m_free.size());
}

uint16_t
TlpRequestTracker::Allocate(uint64_t cookie,
                            uint32_t offset,
                            uint32_t bytes,
                            uint64_t firstAddress,
                            bool atomic)
{
    NS_ASSERT(HasFreeTag());
    // Tags come into use as they are needed: a requester that never reads holds none.
    if (m_free.empty())
    {
        m_free.push_back(static_cast<uint16_t>(m_tags.size()));
        m_tags.emplace_back();
    }
    uint16_t tag = m_free.back();
    m_free.pop_back();
    Outstanding& o = m_tags[tag];
    o.busy = true;
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
    m_tags[tag].issued = Simulator::Now();
    m_order.emplace_back(tag, m_tags[tag].generation);
    if (!m_timer.IsRunning())
    {
        m_timer = Simulator::Schedule(m_timeout, &TlpRequestTracker::CheckTimeouts, this);
    }
}

bool
TlpRequestTracker::IsOutstanding(uint16_t tag) const
{
    return tag < m_tags.size() && m_tags[tag].busy;
}

Time
TlpRequestTracker::GetIssueTime(uint16_t tag) const
{
    return m_tags.at(tag).issued;
}

TlpRequestTracker::Outcome
TlpRequestTracker::Receive(Ptr<const Packet> tlp, const TlpHeader& h)
{
    uint16_t tag = h.GetTag();
    if (!IsOutstanding(tag))
    {
        return NOT_OURS;
    }
    Outstanding& o = m_tags[tag];
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
    Outstanding& o = m_tags[tag];
    uint64_t cookie = o.cookie;
    o.busy = false;
    m_free.push_back(tag);
    // Forget ended requests at the head of the timeout order.
    while (!m_order.empty())
    {
        const Outstanding& head = m_tags[m_order.front().first];
        if (head.busy && head.generation == m_order.front().second)
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
        const Outstanding& o = m_tags[head.first];
        if (!o.busy || o.generation != head.second)
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
