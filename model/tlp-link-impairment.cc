/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-link-impairment.h"

#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"

#include <vector>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpLinkImpairment");

NS_OBJECT_ENSURE_REGISTERED(TlpLinkImpairment);

TypeId
TlpLinkImpairment::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TlpLinkImpairment")
            .SetParent<ErrorModel>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<TlpLinkImpairment>()
            .AddAttribute("Loss",
                          "The ErrorModel that decides losses (RateErrorModel, BurstErrorModel, "
                          "...); none: no random loss.",
                          PointerValue(),
                          MakePointerAccessor(&TlpLinkImpairment::m_loss),
                          MakePointerChecker<ErrorModel>())
            .AddAttribute("ReorderRate",
                          "Share of the packets (not lost) held back Delay, so that later "
                          "ones overtake them.",
                          DoubleValue(0),
                          MakeDoubleAccessor(&TlpLinkImpairment::m_reorderRate),
                          MakeDoubleChecker<double>(0, 1))
            .AddAttribute("DuplicateRate",
                          "Share of the packets (not lost, not held back) received a second "
                          "time Delay later.",
                          DoubleValue(0),
                          MakeDoubleAccessor(&TlpLinkImpairment::m_duplicateRate),
                          MakeDoubleChecker<double>(0, 1))
            .AddAttribute("CorruptRate",
                          "Share of the packets (not lost) that have one bit, chosen at "
                          "random, flipped before the device checks them.",
                          DoubleValue(0),
                          MakeDoubleAccessor(&TlpLinkImpairment::m_corruptRate),
                          MakeDoubleChecker<double>(0, 1))
            .AddAttribute("Delay",
                          "How late a held-back packet or a duplicate arrives.",
                          TimeValue(MicroSeconds(5)),
                          MakeTimeAccessor(&TlpLinkImpairment::m_delay),
                          MakeTimeChecker(Time(0)))
            .AddTraceSource("Lost",
                            "A packet was lost (by the loss model or the link down).",
                            MakeTraceSourceAccessor(&TlpLinkImpairment::m_lostTrace),
                            "ns3::TlpLinkImpairment::PacketTracedCallback")
            .AddTraceSource("Reordered",
                            "A packet was held back.",
                            MakeTraceSourceAccessor(&TlpLinkImpairment::m_reorderedTrace),
                            "ns3::TlpLinkImpairment::PacketTracedCallback")
            .AddTraceSource("Duplicated",
                            "A packet will be received twice.",
                            MakeTraceSourceAccessor(&TlpLinkImpairment::m_duplicatedTrace),
                            "ns3::TlpLinkImpairment::PacketTracedCallback")
            .AddTraceSource("Corrupted",
                            "A packet will have a bit flipped (traced before the flip).",
                            MakeTraceSourceAccessor(&TlpLinkImpairment::m_corruptedTrace),
                            "ns3::TlpLinkImpairment::PacketTracedCallback");
    return tid;
}

TlpLinkImpairment::TlpLinkImpairment()
    : m_reorderRate(0),
      m_duplicateRate(0),
      m_corruptRate(0),
      m_random(CreateObject<UniformRandomVariable>()),
      m_down(false),
      m_lost(0),
      m_reordered(0),
      m_duplicated(0),
      m_corrupted(0)
{
}

TlpLinkImpairment::~TlpLinkImpairment()
{
}

void
TlpLinkImpairment::DoDispose()
{
    m_loss = nullptr;
    m_random = nullptr;
    m_reinject = ReinjectCallback();
    ErrorModel::DoDispose();
}

void
TlpLinkImpairment::SetReinjectCallback(ReinjectCallback reinject)
{
    m_reinject = reinject;
}

void
TlpLinkImpairment::SetDown(bool down)
{
    NS_LOG_FUNCTION(this << down);
    m_down = down;
}

bool
TlpLinkImpairment::IsDown() const
{
    return m_down;
}

int64_t
TlpLinkImpairment::AssignStreams(int64_t stream)
{
    m_random->SetStream(stream);
    int64_t used = 1;
    Ptr<RateErrorModel> rate = DynamicCast<RateErrorModel>(m_loss);
    if (rate != nullptr)
    {
        used += rate->AssignStreams(stream + used);
    }
    Ptr<BurstErrorModel> burst = DynamicCast<BurstErrorModel>(m_loss);
    if (burst != nullptr)
    {
        used += burst->AssignStreams(stream + used);
    }
    return used;
}

uint64_t
TlpLinkImpairment::GetLost() const
{
    return m_lost;
}

uint64_t
TlpLinkImpairment::GetReordered() const
{
    return m_reordered;
}

uint64_t
TlpLinkImpairment::GetDuplicated() const
{
    return m_duplicated;
}

uint64_t
TlpLinkImpairment::GetCorrupted() const
{
    return m_corrupted;
}

void
TlpLinkImpairment::FlipBit(Ptr<Packet> p)
{
    uint32_t size = p->GetSize();
    if (size == 0)
    {
        return;
    }
    std::vector<uint8_t> bytes(size);
    p->CopyData(bytes.data(), size);
    uint32_t bit = m_random->GetInteger(0, size * 8 - 1);
    bytes[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    p->RemoveAtEnd(size);
    p->AddAtEnd(Create<Packet>(bytes.data(), size));
}

bool
TlpLinkImpairment::DoCorrupt(Ptr<Packet> p)
{
    auto pending = m_pending.find(p->GetUid());
    if (pending != m_pending.end())
    {
        m_pending.erase(pending); // a copy coming back passes unharmed
        return false;
    }
    if (m_down || (m_loss != nullptr && m_loss->IsCorrupt(p)))
    {
        m_lost++;
        m_lostTrace(p);
        return true;
    }
    if (m_corruptRate > 0 && m_random->GetValue() < m_corruptRate)
    {
        m_corrupted++;
        m_corruptedTrace(p);
        FlipBit(p);
        return false; // the device's checks find it
    }
    if (m_reinject.IsNull())
    {
        return false;
    }
    double u = m_random->GetValue();
    if (u < m_reorderRate)
    {
        m_reordered++;
        m_reorderedTrace(p);
        m_pending.insert(p->GetUid());
        Simulator::Schedule(m_delay, &TlpLinkImpairment::Reinject, this, p->Copy());
        return true;
    }
    if (u < m_reorderRate + m_duplicateRate)
    {
        m_duplicated++;
        m_duplicatedTrace(p);
        m_pending.insert(p->GetUid());
        Simulator::Schedule(m_delay, &TlpLinkImpairment::Reinject, this, p->Copy());
    }
    return false;
}

void
TlpLinkImpairment::Reinject(Ptr<Packet> p)
{
    if (!m_reinject.IsNull())
    {
        m_reinject(p);
    }
}

void
TlpLinkImpairment::DoReset()
{
    m_pending.clear();
    if (m_loss != nullptr)
    {
        m_loss->Reset();
    }
}

} // namespace ns3
