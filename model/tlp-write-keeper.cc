/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-write-keeper.h"

#include "ns3/log.h"
#include "ns3/simulator.h"

#include <algorithm>
#include <vector>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpWriteKeeper");

TlpWriteKeeper::TlpWriteKeeper()
    : m_frontId(0),
      m_nextPlacement(0),
      m_timeout(MicroSeconds(10)),
      m_attempts(8),
      m_resent(0)
{
}

void
TlpWriteKeeper::SetCallbacks(PlaceCallback place, GiveUpCallback giveUp)
{
    m_place = place;
    m_giveUp = giveUp;
}

void
TlpWriteKeeper::Configure(Time timeout, uint32_t attempts)
{
    m_timeout = timeout;
    m_attempts = std::max<uint32_t>(attempts, 1);
}

TlpWriteKeeper::Entry*
TlpWriteKeeper::Find(uint64_t id)
{
    if (id < m_frontId || id - m_frontId >= m_kept.size())
    {
        return nullptr;
    }
    return &m_kept[id - m_frontId];
}

void
TlpWriteKeeper::Keep(Ptr<const Packet> write, uint16_t writer, uint64_t address, uint32_t bytes)
{
    uint64_t id = m_frontId + m_kept.size();
    uint64_t placement = m_nextPlacement++;
    m_kept.push_back(Entry{write, writer, address, bytes, placement, 0, false, false});
    m_outstanding.emplace_back(id, placement);
    m_lastProgress = Simulator::Now();
    if (!m_timer.IsRunning())
    {
        m_timer = Simulator::Schedule(m_timeout, &TlpWriteKeeper::Expired, this);
    }
}

bool
TlpWriteKeeper::Confirm(uint16_t writer, uint64_t address, uint32_t bytes)
{
    // The confirmation answers the first outstanding placement of the same write;
    // those before it were lost.
    uint32_t match = UINT32_MAX;
    for (uint32_t i = 0; i < m_outstanding.size(); ++i)
    {
        const Entry* e = Find(m_outstanding[i].first);
        if (e != nullptr && e->writer == writer && e->address == address && e->bytes == bytes)
        {
            match = i;
            break;
        }
    }
    if (match == UINT32_MAX)
    {
        return false;
    }
    for (uint32_t i = 0; i <= match; ++i)
    {
        Placement p = m_outstanding.front();
        m_outstanding.pop_front();
        Entry* e = Find(p.first);
        if (e != nullptr && e->latest == p.second)
        {
            e->done = i == match;
            e->lost = i != match;
            e->losses += e->lost;
        }
    }
    m_lastProgress = Simulator::Now();
    Recover();
    Retire();
    return true;
}

void
TlpWriteKeeper::Recover()
{
    uint32_t first = UINT32_MAX;
    for (uint32_t k = 0; k < m_kept.size(); ++k)
    {
        if (m_kept[k].lost)
        {
            first = k;
            break;
        }
    }
    if (first == UINT32_MAX)
    {
        return;
    }
    // Every kept write from the lost one on, in order: a write placed again must not
    // be overwritten by nor overwrite a later one, so the later ones follow it again.
    std::vector<Ptr<Packet>> copies;
    std::vector<Ptr<const Packet>> givenUp;
    for (uint32_t k = first; k < m_kept.size(); ++k)
    {
        Entry& e = m_kept[k];
        if (e.lost && e.losses >= m_attempts)
        {
            e.lost = false;
            e.done = true; // given up: it leaves with the others
            givenUp.push_back(e.write);
            continue;
        }
        e.lost = false;
        e.done = false;
        e.latest = m_nextPlacement++;
        m_outstanding.emplace_back(m_frontId + k, e.latest);
        copies.push_back(e.write->Copy());
    }
    m_resent += copies.size();
    m_lastProgress = Simulator::Now();
    for (Ptr<const Packet>& w : givenUp)
    {
        m_giveUp(w); // may run trace sinks
    }
    for (Ptr<Packet>& copy : copies)
    {
        m_place(copy); // may run trace sinks
    }
}

void
TlpWriteKeeper::Retire()
{
    while (!m_kept.empty() && m_kept.front().done)
    {
        m_kept.pop_front();
        m_frontId++;
    }
}

void
TlpWriteKeeper::Expired()
{
    if (m_outstanding.empty())
    {
        Retire();
        return; // the next Keep() starts the timer again
    }
    Time due = m_lastProgress + m_timeout;
    if (Simulator::Now() < due)
    {
        m_timer = Simulator::Schedule(due - Simulator::Now(), &TlpWriteKeeper::Expired, this);
        return;
    }
    // Nothing confirmed for Timeout: every outstanding placement was lost.
    for (const Placement& p : m_outstanding)
    {
        Entry* e = Find(p.first);
        if (e != nullptr && e->latest == p.second)
        {
            e->lost = true;
            e->losses++;
        }
    }
    m_outstanding.clear();
    m_timer = Simulator::Schedule(m_timeout, &TlpWriteKeeper::Expired, this);
    Recover();
    Retire();
}

uint32_t
TlpWriteKeeper::GetKept() const
{
    return static_cast<uint32_t>(m_kept.size());
}

uint64_t
TlpWriteKeeper::GetResent() const
{
    return m_resent;
}

void
TlpWriteKeeper::Clear()
{
    m_timer.Cancel();
    m_kept.clear();
    m_outstanding.clear();
}

} // namespace ns3
