/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-window-table.h"

#include "ns3/abort.h"

namespace ns3
{

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
    m_windows.push_back(window);
    m_map += std::make_pair(range, uint32_t(window.id) + 1);
    return window.id;
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
    return id < m_windows.size() ? &m_windows[id] : nullptr;
}

uint16_t
TlpWindowTable::GetN() const
{
    return static_cast<uint16_t>(m_windows.size());
}

} // namespace ns3
