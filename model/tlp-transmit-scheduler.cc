/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-transmit-scheduler.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpTransmitScheduler");

TlpTransmitScheduler::TlpTransmitScheduler()
    : m_running(false)
{
}

void
TlpTransmitScheduler::SetCallbacks(Query hasWork, Query canSend, Query sendOne)
{
    m_hasWork = hasWork;
    m_canSend = canSend;
    m_sendOne = sendOne;
}

void
TlpTransmitScheduler::Activate(uint32_t index)
{
    if (index >= m_isActive.size())
    {
        m_isActive.resize(index + 1, 0);
    }
    if (!m_isActive[index])
    {
        m_isActive[index] = 1;
        m_active.push_back(index);
    }
    Run();
}

void
TlpTransmitScheduler::Run()
{
    if (m_running || m_hasWork.IsNull())
    {
        return; // the running loop picks new work up
    }
    m_running = true;
    std::vector<uint32_t> blocked;
    while (!m_active.empty())
    {
        uint32_t index = m_active.front();
        m_active.pop_front();
        if (!m_hasWork(index))
        {
            m_isActive[index] = 0;
            continue;
        }
        if (!m_canSend(index))
        {
            blocked.push_back(index); // its turn comes when the transport has room
            continue;
        }
        if (!m_sendOne(index))
        {
            m_isActive[index] = 0;
            continue;
        }
        m_active.push_back(index);
    }
    for (uint32_t index : blocked)
    {
        m_active.push_back(index);
    }
    m_running = false;
}

void
TlpTransmitScheduler::Clear()
{
    m_active.clear();
    m_isActive.clear();
}

} // namespace ns3
