/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-grant-agent.h"

#include "ns3/log.h"
#include "ns3/simulator.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpGrantAgent");

TlpGrantAgent::TlpGrantAgent(TlpWindowTable& windows, TlpExportTable& exports)
    : m_windows(windows),
      m_exports(exports),
      m_retry(MicroSeconds(100)),
      m_maxInterval(MilliSeconds(10)),
      m_attempts(10),
      m_nextNonce(1)
{
}

void
TlpGrantAgent::SetCallbacks(SendCallback send,
                            GrantedCallback granted,
                            FailedCallback failed,
                            TlpExportTable::MemoryCheck isMemory)
{
    m_send = send;
    m_granted = granted;
    m_failed = failed;
    m_isMemory = isMemory;
}

void
TlpGrantAgent::Configure(Time retry, Time maxInterval, uint32_t attempts)
{
    m_retry = retry;
    m_maxInterval = std::max(maxInterval, retry);
    m_attempts = std::max<uint32_t>(attempts, 1);
}

void
TlpGrantAgent::SetRandom(Ptr<RandomVariableStream> random)
{
    m_random = random;
}

uint32_t
TlpGrantAgent::Draw()
{
    uint32_t value = 0;
    while (value == 0)
    {
        value = m_random != nullptr ? m_random->GetInteger() : m_nextNonce++;
    }
    return value;
}

void
TlpGrantAgent::Request(uint16_t window)
{
    TlpWindow* w = m_windows.Get(window);
    if (w == nullptr)
    {
        return;
    }
    std::vector<uint32_t> peers;
    for (TlpWindowReceiver& r : w->receivers)
    {
        if (r.state == TlpWindowReceiver::REQUESTING && r.attempts == 0)
        {
            r.nonce = Draw();
            peers.push_back(r.peer);
        }
    }
    for (uint32_t peer : peers)
    {
        Send(window, peer);
    }
}

void
TlpGrantAgent::Send(uint16_t window, uint32_t peer)
{
    TlpWindow* w = m_windows.Get(window);
    TlpWindowReceiver* r = w != nullptr ? w->FindReceiver(peer) : nullptr;
    if (r == nullptr || r->state != TlpWindowReceiver::REQUESTING)
    {
        return;
    }
    if (r->attempts >= m_attempts)
    {
        NS_LOG_WARN("window " << window << ": node " << peer << " did not answer " << r->attempts
                              << " grant requests");
        r->state = TlpWindowReceiver::FAILED;
        r->reason = NO_ANSWER;
        m_failed(window, peer, NO_ANSWER);
        return;
    }
    TunnelGrantHeader body;
    body.windowBase = w->base;
    body.size = w->size;
    body.regionBase = r->requestedBase;
    body.translateAt = w->translateAt;
    body.confirm = w->confirm;
    uint32_t nonce = r->nonce;
    // Retry, 2 Retry, 4 Retry, ... up to the cap.
    Time interval = m_retry;
    for (uint32_t i = 0; i < r->attempts && interval < m_maxInterval; ++i)
    {
        interval = interval + interval;
    }
    interval = std::min(interval, m_maxInterval);
    r->attempts++;
    r->retry = Simulator::Schedule(interval, &TlpGrantAgent::Send, this, window, peer);
    m_send(peer, TunnelHeader::GRANT_REQUEST, window, nonce, body); // may run trace sinks
}

TlpGrantAgent::Outcome
TlpGrantAgent::HandleGrant(uint32_t peer, const TunnelHeader& header, const TunnelGrantHeader& body)
{
    uint16_t window = header.GetWindow();
    TlpWindow* w = m_windows.Get(window);
    TlpWindowReceiver* r = w != nullptr ? w->FindReceiver(peer) : nullptr;
    if (r == nullptr || r->nonce != header.GetSequence() || r->attempts == 0 ||
        body.windowBase != w->base || body.size != w->size)
    {
        return UNEXPECTED;
    }
    if (r->state != TlpWindowReceiver::REQUESTING)
    {
        return DUPLICATE;
    }
    r->retry.Cancel();
    if (body.status == TunnelGrantHeader::GRANTED)
    {
        r->state = TlpWindowReceiver::GRANTED;
        r->regionBase = body.regionBase;
        r->key = body.key;
        m_granted(window, peer, body.regionBase);
    }
    else
    {
        NS_LOG_WARN("node " << peer << " refused the region for window " << window << ": "
                            << TunnelGrantHeader::StatusToString(body.status));
        r->state = TlpWindowReceiver::REFUSED;
        r->reason = body.status;
        m_failed(window, peer, body.status);
    }
    return ACCEPTED;
}

uint8_t
TlpGrantAgent::HandleRequest(uint32_t peer,
                             const TunnelHeader& header,
                             const TunnelGrantHeader& body)
{
    TunnelGrantHeader reply = body;
    reply.key = 0;
    uint64_t base = 0;
    uint32_t key = 0;
    reply.status = m_exports.Grant(peer, header.GetWindow(), body, m_isMemory, Draw(), base, key);
    if (reply.status == TunnelGrantHeader::GRANTED)
    {
        reply.regionBase = base;
        reply.key = key;
    }
    else
    {
        NS_LOG_WARN("refusing a region of 0x" << std::hex << body.size << " bytes at 0x"
                                              << body.regionBase << std::dec << " to node " << peer
                                              << ": "
                                              << TunnelGrantHeader::StatusToString(reply.status));
    }
    uint8_t status = reply.status;
    m_send(peer, TunnelHeader::GRANT, header.GetWindow(), header.GetSequence(), reply);
    return status;
}

} // namespace ns3
