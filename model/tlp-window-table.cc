/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-window-table.h"

#include "ns3/abort.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpWindowTable");

bool
TlpWindow::IsGranted() const
{
    for (const TlpWindowReceiver& r : receivers)
    {
        if (r.state != TlpWindowReceiver::GRANTED)
        {
            return false;
        }
    }
    return !receivers.empty();
}

bool
TlpWindow::IsRefused() const
{
    for (const TlpWindowReceiver& r : receivers)
    {
        if (r.state == TlpWindowReceiver::REFUSED || r.state == TlpWindowReceiver::FAILED)
        {
            return true;
        }
    }
    return false;
}

TlpWindowReceiver*
TlpWindow::FindReceiver(uint32_t peer)
{
    for (TlpWindowReceiver& r : receivers)
    {
        if (r.peer == peer)
        {
            return &r;
        }
    }
    return nullptr;
}

const TlpWindowReceiver*
TlpWindow::FindReceiver(uint32_t peer) const
{
    return const_cast<TlpWindow*>(this)->FindReceiver(peer);
}

TlpWindowTable::TlpWindowTable()
{
}

uint16_t
TlpWindowTable::Add(TlpWindow window)
{
    NS_ABORT_MSG_IF(window.size == 0,
                    "TlpWindowTable: empty window at 0x" << std::hex << window.base);
    NS_ABORT_MSG_IF(window.base + (window.size - 1) < window.base,
                    "TlpWindowTable: window at 0x" << std::hex << window.base << " of 0x"
                                                   << window.size << " bytes wraps past 2^64");
    NS_ABORT_MSG_IF(m_windows.size() >= 0xFFFF, "TlpWindowTable: too many windows");
    auto range =
        boost::icl::discrete_interval<uint64_t>::closed(window.base, window.base + window.size - 1);
    auto overlap = m_map.equal_range(range);
    if (overlap.first != overlap.second)
    {
        const TlpWindow& other = m_windows[overlap.first->second - 1];
        NS_FATAL_ERROR("TlpWindowTable: window [0x"
                       << std::hex << window.base << ", 0x" << window.base + window.size - 1
                       << "] overlaps window [0x" << other.base << ", 0x"
                       << other.base + other.size - 1 << "]");
    }
    window.id = static_cast<uint16_t>(m_windows.size());
    window.removed = false;
    m_windows.push_back(window);
    m_map += std::make_pair(range, uint32_t(window.id) + 1);
    return window.id;
}

bool
TlpWindowTable::Remove(uint16_t id)
{
    TlpWindow* w = Get(id);
    if (w == nullptr)
    {
        return false;
    }
    auto range = boost::icl::discrete_interval<uint64_t>::closed(w->base, w->base + w->size - 1);
    m_map -= std::make_pair(range, uint32_t(id) + 1);
    for (TlpWindowReceiver& r : w->receivers)
    {
        r.retry.Cancel();
    }
    w->removed = true;
    return true;
}

TlpWindow*
TlpWindowTable::Find(uint64_t address)
{
    auto it = m_map.find(address);
    return it == m_map.end() ? nullptr : &m_windows[it->second - 1];
}

TlpWindow*
TlpWindowTable::Get(uint16_t id)
{
    return id < m_windows.size() && !m_windows[id].removed ? &m_windows[id] : nullptr;
}

const TlpWindow*
TlpWindowTable::Get(uint16_t id) const
{
    return const_cast<TlpWindowTable*>(this)->Get(id);
}

uint16_t
TlpWindowTable::GetN() const
{
    return static_cast<uint16_t>(m_windows.size());
}

void
TlpWindowTable::Clear()
{
    for (TlpWindow& w : m_windows)
    {
        for (TlpWindowReceiver& r : w.receivers)
        {
            r.retry.Cancel();
        }
    }
    m_windows.clear();
    m_map.clear();
}

} // namespace ns3
