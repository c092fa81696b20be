/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-interconnect-port.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpInterconnectPort");

TlpInterconnectPort::TlpInterconnectPort()
{
}

void
TlpInterconnectPort::Attach(Ptr<PciePort> port,
                            Ptr<NetDevice> device,
                            uint16_t requesterId,
                            uint32_t credits,
                            Time processing)
{
    NS_LOG_FUNCTION(this << port << requesterId << credits);
    NS_ABORT_MSG_IF(m_port != nullptr, "TlpTunnelNetDevice: already attached to a PCIe link");
    m_port = port;
    port->SetDevice(device);
    port->SetReceiveCallback(MakeCallback(&TlpInterconnectPort::Receive, this));
    port->SetReadyCallback(MakeCallback(&TlpInterconnectPort::Drain, this));
    port->ClaimRequesterId(requesterId);
    port->SetDefaultCompletionRoute();
    port->SetReceiveCredits(credits);
    SetProcessingDelay(processing);
}

void
TlpInterconnectPort::SetCallbacks(ReceiveCallback receive,
                                  SnifferCallback sniffer,
                                  LossCallback loss)
{
    m_receive = receive;
    m_sniffer = sniffer;
    m_loss = loss;
}

void
TlpInterconnectPort::SetErrorModel(Ptr<ErrorModel> model)
{
    m_errorModel = model;
}

void
TlpInterconnectPort::SetProcessingDelay(Time processing)
{
    m_processing = processing;
    if (m_port != nullptr)
    {
        // The latency of the first stage is part of the link's delivery, so an idle NIC
        // needs no event of its own per TLP.
        m_port->SetDeliveryDelay(processing);
    }
}

bool
TlpInterconnectPort::IsAttached() const
{
    return m_port != nullptr;
}

Ptr<PciePort>
TlpInterconnectPort::GetPort() const
{
    return m_port;
}

void
TlpInterconnectPort::ClaimRange(uint64_t base, uint64_t size)
{
    m_port->ClaimAddressRange(base, size);
}

void
TlpInterconnectPort::ReleaseRange(uint64_t base, uint64_t size)
{
    m_port->ReleaseAddressRange(base, size);
}

bool
TlpInterconnectPort::IsLocalTarget(uint64_t base, uint64_t size) const
{
    return size != 0 && base + (size - 1) >= base && m_port->IsHostMemory(base, size);
}

void
TlpInterconnectPort::ReturnCredits(uint32_t credits)
{
    if (credits != 0 && m_port != nullptr)
    {
        m_port->ReturnCredits(credits);
    }
}

void
TlpInterconnectPort::Receive(Ptr<Packet> tlp)
{
    // Delivered ProcessingDelay after the interconnect finished the transfer: that is
    // when processing ends if the stage was free. Otherwise it waits for the stage.
    Time now = Simulator::Now();
    Time start = std::max(now - m_processing, m_inFree);
    m_inFree = start + m_processing;
    if (m_inFree > now)
    {
        Simulator::Schedule(m_inFree - now, &TlpInterconnectPort::Deliver, this, tlp);
        return;
    }
    Deliver(tlp);
}

void
TlpInterconnectPort::Deliver(Ptr<Packet> tlp)
{
    if (m_port == nullptr)
    {
        return;
    }
    m_sniffer(tlp);
    TlpHeader h;
    tlp->PeekHeader(h); // the interconnect delivers well-formed TLPs only
    m_receive(tlp, h);
}

Time
TlpInterconnectPort::ProcessPacket()
{
    Time start = std::max(Simulator::Now(), m_outFree);
    m_outFree = start + m_processing;
    return m_outFree;
}

void
TlpInterconnectPort::SendGenerated(Ptr<Packet> tlp)
{
    Send(tlp, ProcessPacket());
}

void
TlpInterconnectPort::Send(Ptr<Packet> tlp, Time ready)
{
    if (m_errorModel != nullptr && m_errorModel->IsCorrupt(tlp))
    {
        m_loss(tlp);
        return;
    }
    m_out.emplace_back(tlp, ready);
    Drain();
}

void
TlpInterconnectPort::Drain()
{
    while (!m_out.empty() && m_port != nullptr)
    {
        Ptr<Packet> tlp = m_out.front().first;
        Time now = Simulator::Now();
        Time ready = m_out.front().second;
        if (!m_port->Send(tlp, ready > now ? ready - now : Time(0)))
        {
            return; // the ready callback resumes
        }
        m_out.pop_front();
        m_sniffer(tlp);
    }
}

void
TlpInterconnectPort::Dispose()
{
    m_out.clear();
    m_port = nullptr;
    m_errorModel = nullptr;
    m_receive = ReceiveCallback();
    m_sniffer = SnifferCallback();
    m_loss = LossCallback();
}

} // namespace ns3
