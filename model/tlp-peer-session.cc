/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-peer-session.h"

#include "ns3/log.h"
#include "ns3/simulator.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpPeerSession");

namespace
{

/// Largest jump ahead an unsequenced packet may make (a forged number beyond it is
/// refused instead of counting billions of gaps).
constexpr int32_t MAX_UNRELIABLE_JUMP = 1 << 16;
/// Recent sequence numbers an unsequenced receiver remembers, for late arrivals.
constexpr uint32_t UNRELIABLE_HISTORY = 1024;

/**
 * \param a a sequence number
 * \param b another
 * \return a - b, the signed serial-number distance (ns-3's SequenceNumber32
 *         operator- overflows when they are exactly 2^31 apart, as a forged packet
 *         may make them)
 */
int32_t
Distance(SequenceNumber32 a, SequenceNumber32 b)
{
    return static_cast<int32_t>(a.GetValue() - b.GetValue());
}

} // namespace

TlpPeerSession::TlpPeerSession(uint32_t peer, const Config& config, Host* host, Counters* counters)
    : m_peer(peer),
      m_config(config),
      m_host(host),
      m_counters(counters),
      m_unreachable(false),
      m_inPump(false),
      m_firstUnsent(0),
      m_nextSeq(config.initialSequence),
      m_goBack(UINT32_MAX),
      m_txCounter(0),
      m_highestAckedOrder(0),
      m_covered(config.initialSequence),
      m_rto(config.initialRto),
      m_sampled(false),
      m_retries(0),
      m_rtoArmed(false),
      m_rxNext(config.initialSequence),
      m_reorderCount(0),
      m_ackPending(0),
      m_ackNow(false),
      m_sackDue(false),
      m_nakDue(false),
      m_nakSent(false),
      m_rxHighest(config.initialSequence)
{
    NS_LOG_FUNCTION(this << peer);
    m_ackTimer.SetFunction(&TlpPeerSession::AckTimerExpired, this);
}

TlpPeerSession::~TlpPeerSession()
{
    Dispose();
}

void
TlpPeerSession::Dispose()
{
    m_batchTimer.Cancel();
    m_rtoTimer.Cancel();
    m_ackPending = 0; // the ack watchdog, which cannot be cancelled, then does nothing
    m_queue.clear();
    m_control.clear();
    m_buffer.clear();
    m_retransmit.clear();
    m_transmissions.clear();
    m_undecided.clear();
    m_reorder.clear();
    m_firstUnsent = 0;
}

uint32_t
TlpPeerSession::GetReceiveNext() const
{
    return m_rxNext.GetValue();
}

uint32_t
TlpPeerSession::GetPeer() const
{
    return m_peer;
}

bool
TlpPeerSession::IsUnreachable() const
{
    return m_unreachable;
}

uint32_t
TlpPeerSession::GetQueued() const
{
    return static_cast<uint32_t>(m_queue.size());
}

uint32_t
TlpPeerSession::GetUnacknowledged() const
{
    return static_cast<uint32_t>(m_buffer.size());
}

Time
TlpPeerSession::GetRto() const
{
    return m_rto;
}

Time
TlpPeerSession::GetSrtt() const
{
    return m_srtt;
}

// ------------------------------------------------------------------- sending

void
TlpPeerSession::Enqueue(Item item)
{
    if (m_unreachable)
    {
        std::vector<Item> items;
        items.push_back(std::move(item));
        m_host->Abandon(m_peer, items, true);
        return;
    }
    item.prepared = false;
    m_queue.push_back(std::move(item));
    m_counters->maxQueued = std::max<uint64_t>(m_counters->maxQueued, m_queue.size());
    Pump();
}

void
TlpPeerSession::EnqueueControl(Ptr<Packet> packet)
{
    m_control.push_back(packet);
    m_host->Activate(m_peer);
}

bool
TlpPeerSession::Compatible(const Item& a, const Item& b)
{
    return a.kind == b.kind && a.window == b.window && a.key == b.key && a.flags == b.flags;
}

void
TlpPeerSession::Pump()
{
    if (m_inPump || m_unreachable)
    {
        return;
    }
    m_inPump = true;
    const TlpPacker& packer = m_config.packer;
    while (m_buffer.size() < m_config.bufferPackets && !m_queue.empty())
    {
        // The run of compatible, ready TLPs at the head of the queue.
        uint32_t n = 0;
        uint32_t bytes = 0;
        bool complete = false; // the run cannot grow any more
        uint32_t i = 0;
        while (i < m_queue.size())
        {
            if (!m_queue[i].prepared)
            {
                // Prepare() may run trace sinks; they can only append to the queue.
                Readiness r = m_host->Prepare(m_peer, m_queue[i]);
                if (r == WAIT)
                {
                    complete = true;
                    break;
                }
                if (r == REFUSE)
                {
                    std::vector<Item> refused;
                    refused.push_back(std::move(m_queue[i]));
                    m_queue.erase(m_queue.begin() + i);
                    m_host->Abandon(m_peer, refused, false);
                    continue;
                }
                m_queue[i].prepared = true;
                m_queue[i].ready = Simulator::Now();
            }
            const Item& item = m_queue[i];
            if (n > 0 &&
                (!Compatible(m_queue.front(), item) || !packer.Fits(n, bytes, item.tlp->GetSize())))
            {
                complete = true;
                break;
            }
            ++n;
            bytes += item.tlp->GetSize();
            ++i;
            if (n >= packer.GetLimit())
            {
                complete = true;
                break;
            }
        }
        if (n == 0)
        {
            break; // the head waits for its grant
        }
        if (!complete && packer.GetLimit() > 1)
        {
            // The run could still grow: wait for company, but no longer than the timeout.
            Time deadline = m_queue.front().ready + m_config.aggregationTimeout;
            if (Simulator::Now() < deadline)
            {
                if (!m_batchTimer.IsRunning())
                {
                    m_batchTimer = Simulator::Schedule(deadline - Simulator::Now(),
                                                       &TlpPeerSession::Pump,
                                                       this);
                }
                break;
            }
        }
        Form(n);
    }
    m_inPump = false;
    if (HasWork())
    {
        m_host->Activate(m_peer);
    }
}

void
TlpPeerSession::Form(uint32_t n)
{
    m_batchTimer.Cancel();
    Segment seg;
    seg.seq = m_nextSeq;
    m_nextSeq++;
    const Item& first = m_queue.front();
    seg.header.SetKind(first.kind);
    seg.header.SetSource(m_config.self);
    seg.header.SetWindow(first.window);
    seg.header.SetKey(first.key);
    seg.header.SetSequence(seg.seq.GetValue());
    uint8_t flags = first.flags;
    if (m_config.reliable)
    {
        flags |= TunnelHeader::FLAG_RELIABLE | TunnelHeader::FLAG_ACK;
    }
    seg.header.SetFlags(flags);
    std::vector<Ptr<Packet>> tlps;
    tlps.reserve(n);
    uint32_t credits = 0;
    for (uint32_t k = 0; k < n; ++k)
    {
        tlps.push_back(m_queue.front().tlp);
        credits += m_queue.front().credits;
        m_queue.pop_front();
    }
    seg.payload = TlpPacker::Pack(seg.header, tlps);
    m_buffer.push_back(std::move(seg));
    // The TLPs now live in the retransmission buffer: the interconnect may send more.
    m_host->ReturnCredits(credits);
}

bool
TlpPeerSession::NeedsAckPacket() const
{
    return m_sackDue || m_nakDue;
}

bool
TlpPeerSession::HasWork() const
{
    if (!m_control.empty())
    {
        return true;
    }
    if (m_unreachable)
    {
        return false;
    }
    return m_ackNow || !m_retransmit.empty() || m_goBack < m_firstUnsent ||
           m_firstUnsent < m_buffer.size();
}

bool
TlpPeerSession::SendOne()
{
    if (!m_control.empty())
    {
        Ptr<Packet> packet = m_control.front();
        m_control.pop_front();
        m_host->Transmit(m_peer, packet, false); // may run trace sinks
        return true;
    }
    if (m_unreachable)
    {
        return false;
    }
    bool data =
        !m_retransmit.empty() || m_goBack < m_firstUnsent || m_firstUnsent < m_buffer.size();
    if (m_ackNow && (NeedsAckPacket() || !data))
    {
        SendAck();
        return true;
    }
    // Retransmissions first, then new packets.
    while (!m_retransmit.empty())
    {
        SequenceNumber32 seq = m_retransmit.front();
        m_retransmit.pop_front();
        uint32_t index;
        if (IndexOf(seq, index) && index < m_firstUnsent && m_buffer[index].lost &&
            !m_buffer[index].sacked)
        {
            Transmit(index);
            return true;
        }
    }
    if (m_goBack < m_firstUnsent)
    {
        uint32_t index = m_goBack++;
        if (m_goBack >= m_firstUnsent)
        {
            m_goBack = UINT32_MAX; // caught up with the new packets
        }
        Transmit(index);
        return true;
    }
    if (m_firstUnsent < m_buffer.size())
    {
        Transmit(m_firstUnsent);
        return true;
    }
    return false;
}

void
TlpPeerSession::Transmit(uint32_t index)
{
    Segment& seg = m_buffer[index];
    bool retransmission = seg.txCount > 0;
    if (index == m_firstUnsent)
    {
        m_firstUnsent++;
    }
    seg.txCount++;
    seg.lost = false;
    seg.lastTx = Simulator::Now();
    seg.txOrder = ++m_txCounter;
    TunnelHeader header = seg.header;
    Ptr<Packet> packet;
    if (m_config.reliable)
    {
        header.SetAck(m_rxNext.GetValue());
        m_ackPending = 0; // the piggybacked ack covers everything received in order
        if (!NeedsAckPacket())
        {
            m_ackNow = false;
        }
        packet = seg.payload->Copy();
        if (m_config.recovery == SELECTIVE_REPEAT)
        {
            m_transmissions.emplace_back(seg.txOrder, seg.seq);
        }
        if (!m_rtoArmed)
        {
            RestartRto();
        }
    }
    else
    {
        // Unsequenced packets leave the buffer once sent; they are sent in order.
        packet = seg.payload;
        m_buffer.pop_front();
        m_firstUnsent--;
    }
    if (retransmission)
    {
        m_counters->packetsRetransmitted++;
    }
    packet->AddHeader(header);
    m_host->Transmit(m_peer, packet, retransmission); // may run trace sinks
    if (!m_config.reliable && !m_queue.empty())
    {
        Pump(); // the packet left the buffer: room for more
    }
}

void
TlpPeerSession::SendAck()
{
    TunnelHeader th;
    th.SetKind(TunnelHeader::ACK);
    th.SetSource(m_config.self);
    th.SetSequence(m_nextSeq.GetValue());
    th.SetAck(m_rxNext.GetValue());
    TunnelAckHeader sack;
    if (m_nakDue)
    {
        th.SetFlags(TunnelHeader::FLAG_NAK);
        m_counters->naksSent++;
    }
    else
    {
        // SACK blocks, lowest first: the peer then knows every number below the last.
        uint32_t i = 0;
        while (i < m_reorder.size() && sack.GetBlocks().size() < m_config.sackBlocks)
        {
            if (m_reorder[i] == nullptr)
            {
                ++i;
                continue;
            }
            uint32_t start = i;
            while (i < m_reorder.size() && m_reorder[i] != nullptr)
            {
                ++i;
            }
            sack.AddBlock(m_rxNext + start, m_rxNext + i);
        }
    }
    m_ackNow = false;
    m_ackPending = 0;
    m_sackDue = false;
    m_nakDue = false;
    m_counters->acksSent++;
    Ptr<Packet> packet = Create<Packet>();
    packet->AddHeader(sack);
    packet->AddHeader(th);
    m_host->Transmit(m_peer, packet, false); // may run trace sinks
}

bool
TlpPeerSession::IndexOf(SequenceNumber32 seq, uint32_t& index) const
{
    if (m_buffer.empty())
    {
        return false;
    }
    int32_t offset = Distance(seq, m_buffer.front().seq);
    if (offset < 0 || static_cast<uint32_t>(offset) >= m_buffer.size())
    {
        return false;
    }
    index = static_cast<uint32_t>(offset);
    return true;
}

// ------------------------------------------------------------------ timers

void
TlpPeerSession::Sample(Time rtt)
{
    // RFC 6298, section 2, with alpha 1/8, beta 1/4 and K 4.
    if (!m_sampled)
    {
        m_srtt = rtt;
        m_rttvar = rtt / 2;
        m_sampled = true;
    }
    else
    {
        Time delta = m_srtt > rtt ? m_srtt - rtt : rtt - m_srtt;
        m_rttvar = (m_rttvar * 3 + delta) / 4;
        m_srtt = (m_srtt * 7 + rtt) / 8;
    }
    m_rto = std::min(std::max(m_srtt + m_rttvar * 4, m_config.minRto), m_config.maxRto);
}

void
TlpPeerSession::RestartRto()
{
    m_rtoArmed = true;
    m_rtoDeadline = Simulator::Now() + m_rto;
    // One event at a time: a restart only moves the deadline (no cancel per ack).
    if (!m_rtoTimer.IsRunning())
    {
        m_rtoTimer = Simulator::Schedule(m_rto, &TlpPeerSession::RtoExpired, this);
    }
}

void
TlpPeerSession::RtoExpired()
{
    if (m_unreachable || !m_rtoArmed || m_firstUnsent == 0)
    {
        m_rtoArmed = false;
        return; // nothing in flight
    }
    Time now = Simulator::Now();
    if (now < m_rtoDeadline)
    {
        m_rtoTimer = Simulator::Schedule(m_rtoDeadline - now, &TlpPeerSession::RtoExpired, this);
        return;
    }
    m_counters->timeouts++;
    if (++m_retries > m_config.retryLimit)
    {
        Fail();
        return;
    }
    m_rto = std::min(m_rto + m_rto, m_config.maxRto); // RFC 6298 5.5
    NS_LOG_LOGIC("peer " << m_peer << ": timeout " << m_retries << ", rto " << m_rto);
    if (m_config.recovery == GO_BACK_N)
    {
        m_goBack = 0;
    }
    else
    {
        // Taken for lost: every packet not SACKed that has been out longer than a round
        // trip (what was sent since may still arrive), and the first unacknowledged one
        // even when SACKed: when the acknowledgements of a tail that arrived whole were
        // lost, its duplicate makes the peer acknowledge again.
        Time overdue = m_sampled ? m_srtt + m_rttvar : Time(0);
        for (uint32_t i = 0; i < m_firstUnsent; ++i)
        {
            Segment& seg = m_buffer[i];
            if (i == 0)
            {
                seg.sacked = false;
            }
            if (!seg.sacked && !seg.lost && (i == 0 || now - seg.lastTx >= overdue))
            {
                seg.lost = true;
                m_retransmit.push_back(seg.seq);
            }
        }
    }
    RestartRto();
    m_host->Activate(m_peer);
}

void
TlpPeerSession::Fail()
{
    NS_LOG_WARN("peer " << m_peer << " unreachable after " << m_config.retryLimit
                        << " retransmission timeouts");
    m_unreachable = true;
    m_counters->peersUnreachable++;
    m_batchTimer.Cancel();
    m_rtoTimer.Cancel();
    m_rtoArmed = false;
    std::vector<Item> items(std::make_move_iterator(m_queue.begin()),
                            std::make_move_iterator(m_queue.end()));
    m_queue.clear();
    std::vector<Ptr<Packet>> packets;
    for (Segment& seg : m_buffer)
    {
        Ptr<Packet> p = seg.payload->Copy();
        p->AddHeader(seg.header);
        packets.push_back(p);
    }
    m_buffer.clear();
    m_firstUnsent = 0;
    m_retransmit.clear();
    m_transmissions.clear();
    m_undecided.clear();
    m_goBack = UINT32_MAX;
    m_ackNow = false;
    // Each TLP is answered once: those in packets and queue first, then whatever
    // else the peer still owed (requests it acknowledged but never completed).
    m_host->AbandonPackets(m_peer, packets);
    m_host->Abandon(m_peer, items, true);
    m_host->Unreachable(m_peer);
}

// ----------------------------------------------------------------- receiving

bool
TlpPeerSession::CheckAck(const TunnelHeader& header, const TunnelAckHeader* sack) const
{
    bool explicitAck = header.GetKind() == TunnelHeader::ACK;
    if (!explicitAck && !(header.GetFlags() & TunnelHeader::FLAG_ACK))
    {
        return true;
    }
    // An ack may lag (an old one arriving late is ignored) but never acknowledge
    // a sequence number not yet used.
    SequenceNumber32 ack(header.GetAck());
    if (ack > m_nextSeq)
    {
        return false;
    }
    // SACK blocks are hints: ProcessAck() uses only what lies in the buffer, so a
    // block a forged packet planted at the peer cannot make its ACKs unusable.
    (void)sack;
    return true;
}

void
TlpPeerSession::ProcessAck(const TunnelHeader& header, const TunnelAckHeader* sack)
{
    bool explicitAck = header.GetKind() == TunnelHeader::ACK;
    if (explicitAck)
    {
        m_counters->acksReceived++;
    }
    else if (!(header.GetFlags() & TunnelHeader::FLAG_ACK))
    {
        return;
    }
    if (m_unreachable || m_buffer.empty() || !m_config.reliable)
    {
        return;
    }
    SequenceNumber32 ack(header.GetAck());
    Time now = Simulator::Now();
    bool progress = false;
    bool news = false; // newly SACKed
    // One round-trip sample per acknowledgement (RFC 6298 takes one per round trip at
    // least; one per packet would weigh RTTVAR by the ack coalescing), from the oldest
    // packet it newly covers, so the sample includes the peer's ack delay. Karn: never
    // from a retransmitted packet.
    bool sampled = false;
    while (!m_buffer.empty() && m_buffer.front().seq < ack && m_firstUnsent > 0)
    {
        Segment& seg = m_buffer.front();
        if (!sampled && seg.txCount == 1 && !seg.sacked)
        {
            Sample(now - seg.lastTx);
            sampled = true;
        }
        m_highestAckedOrder = std::max(m_highestAckedOrder, seg.txOrder);
        m_buffer.pop_front();
        m_firstUnsent--;
        if (m_goBack != UINT32_MAX)
        {
            m_goBack = m_goBack > 0 ? m_goBack - 1 : 0;
        }
        progress = true;
    }
    if (m_goBack != UINT32_MAX && m_goBack >= m_firstUnsent)
    {
        m_goBack = UINT32_MAX;
    }
    if (sack != nullptr && m_config.recovery == SELECTIVE_REPEAT)
    {
        for (const TunnelAckHeader::Block& b : sack->GetBlocks())
        {
            uint32_t first;
            if (!IndexOf(b.first, first))
            {
                continue;
            }
            uint32_t end = std::min<uint32_t>(first + Distance(b.second, b.first), m_firstUnsent);
            for (uint32_t i = first; i < end; ++i)
            {
                Segment& seg = m_buffer[i];
                if (!seg.sacked)
                {
                    seg.sacked = true;
                    news = true;
                    if (!sampled && seg.txCount == 1)
                    {
                        Sample(now - seg.lastTx);
                        sampled = true;
                    }
                    m_highestAckedOrder = std::max(m_highestAckedOrder, seg.txOrder);
                }
            }
        }
    }
    if (m_config.recovery == SELECTIVE_REPEAT)
    {
        // What the peer reported on exactly: below the end of its last SACK block
        // (blocks come lowest first, at most SackBlocks of them), or its ack.
        m_covered = ack;
        if (sack != nullptr && !sack->GetBlocks().empty() &&
            sack->GetBlocks().back().second > m_covered)
        {
            m_covered = sack->GetBlocks().back().second;
        }
        DetectLosses();
    }
    else if (explicitAck && (header.GetFlags() & TunnelHeader::FLAG_NAK) && m_firstUnsent > 0 &&
             !m_buffer.empty() && m_buffer.front().seq == ack)
    {
        // GoBackN: the peer dropped everything after its expected number.
        m_goBack = 0;
        m_counters->fastRetransmits++;
    }
    if (progress || news)
    {
        // The peer hears us: newly SACKed packets count as progress as a moving
        // ack does, so a loss repaired by fast retransmit does not also time out.
        m_retries = 0;
        if (m_firstUnsent > 0)
        {
            RestartRto();
        }
        else
        {
            m_rtoArmed = false; // nothing in flight; the pending event ends itself
        }
    }
    if (progress)
    {
        Pump(); // room in the buffer
    }
    if (HasWork())
    {
        m_host->Activate(m_peer);
    }
}

bool
TlpPeerSession::MarkLost(uint64_t order, SequenceNumber32 seq, bool& decided)
{
    decided = true;
    uint32_t index;
    if (!IndexOf(seq, index) || index >= m_firstUnsent)
    {
        return false; // acknowledged since
    }
    Segment& seg = m_buffer[index];
    if (seg.sacked || seg.lost || seg.txOrder != order)
    {
        return false; // acknowledged, already queued, or sent again since
    }
    if (!(seq < m_covered))
    {
        decided = false; // beyond what the peer reported on: not known to be missing
        return false;
    }
    seg.lost = true;
    m_retransmit.push_back(seq);
    m_counters->fastRetransmits++;
    return true;
}

void
TlpPeerSession::DetectLosses()
{
    // A packet is lost when one transmitted ReorderThreshold transmissions after it
    // has been acknowledged (cumulatively or by SACK) and the peer, reporting on its
    // sequence number, says it does not have it.
    bool decided;
    for (auto it = m_undecided.begin(); it != m_undecided.end();)
    {
        MarkLost(it->first, it->second, decided);
        it = decided ? m_undecided.erase(it) : it + 1;
    }
    while (!m_transmissions.empty() &&
           m_transmissions.front().first + m_config.reorderThreshold <= m_highestAckedOrder)
    {
        std::pair<uint64_t, SequenceNumber32> t = m_transmissions.front();
        m_transmissions.pop_front();
        MarkLost(t.first, t.second, decided);
        if (!decided)
        {
            m_undecided.push_back(t);
        }
    }
}

TlpPeerSession::Verdict
TlpPeerSession::Receive(const TunnelHeader& header, Ptr<Packet> packet)
{
    SequenceNumber32 seq(header.GetSequence());
    if (!(header.GetFlags() & TunnelHeader::FLAG_RELIABLE))
    {
        return ReceiveUnreliable(seq);
    }
    int32_t offset = Distance(seq, m_rxNext);
    if (offset < 0)
    {
        // Seen before: its ack was lost or it was resent. Repeat the acknowledgement.
        m_counters->duplicatesDropped++;
        m_sackDue = true;
        AckNow();
        return RX_DUPLICATE;
    }
    if (static_cast<uint32_t>(offset) >= m_config.bufferPackets)
    {
        m_counters->outOfWindow++;
        return RX_OUT_OF_WINDOW;
    }
    if (offset == 0)
    {
        m_rxNext++;
        if (!m_reorder.empty())
        {
            m_reorder.pop_front();
        }
        if (m_nakSent && m_nakSentFor < m_rxNext)
        {
            m_nakSent = false;
        }
        ScheduleAck();
        return RX_DELIVER;
    }
    m_counters->outOfOrder++;
    if (m_config.recovery == GO_BACK_N)
    {
        // NAK the first packet past a gap, once per gap.
        if (!m_nakSent || m_nakSentFor != m_rxNext)
        {
            m_nakSent = true;
            m_nakSentFor = m_rxNext;
            m_nakDue = true;
            AckNow();
        }
        return RX_OUT_OF_ORDER;
    }
    if (m_reorder.size() <= static_cast<uint32_t>(offset))
    {
        m_reorder.resize(offset + 1);
    }
    if (m_reorder[offset] != nullptr)
    {
        m_counters->duplicatesDropped++;
        m_sackDue = true;
        AckNow();
        return RX_DUPLICATE;
    }
    m_reorder[offset] = packet;
    m_reorderCount++;
    m_sackDue = true;
    // At once when it opens a new gap (the sender learns of the loss a round trip
    // sooner); packets that extend the highest block are acknowledged as in-order
    // ones are, every AckEvery or after AckDelay.
    if (m_reorder.size() == static_cast<uint32_t>(offset) + 1 && offset >= 2 &&
        m_reorder[offset - 1] != nullptr)
    {
        ScheduleAck();
    }
    else
    {
        AckNow();
    }
    return RX_BUFFERED;
}

void
TlpPeerSession::DeliverBuffered()
{
    while (!m_reorder.empty() && m_reorder.front() != nullptr)
    {
        Ptr<Packet> packet = m_reorder.front();
        m_reorder.pop_front();
        m_reorderCount--;
        m_rxNext++;
        ScheduleAck();
        m_host->Deliver(m_peer, packet); // may run trace sinks
    }
    if (m_reorderCount == 0)
    {
        m_reorder.clear();
    }
}

TlpPeerSession::Verdict
TlpPeerSession::ReceiveUnreliable(SequenceNumber32 seq)
{
    int32_t offset = Distance(seq, m_rxHighest);
    if (offset >= 0)
    {
        if (offset > MAX_UNRELIABLE_JUMP)
        {
            m_counters->outOfWindow++;
            return RX_OUT_OF_WINDOW;
        }
        // The numbers skipped are missing until they arrive late.
        m_counters->sequenceGaps += offset;
        for (int32_t k = 0; k < offset; ++k)
        {
            m_missing.push_back(true);
        }
        m_missing.push_back(false);
        while (m_missing.size() > UNRELIABLE_HISTORY)
        {
            m_missing.pop_front();
        }
        m_rxHighest = seq + 1;
        return RX_DELIVER;
    }
    int64_t index = int64_t(m_missing.size()) + offset;
    if (index >= 0 && m_missing[index])
    {
        m_missing[index] = false;
        m_counters->sequenceGaps--;
        m_counters->lateArrivals++;
        return RX_DELIVER;
    }
    m_counters->duplicatesDropped++;
    return RX_DUPLICATE;
}

void
TlpPeerSession::ScheduleAck()
{
    if (++m_ackPending >= m_config.ackEvery)
    {
        AckNow();
        return;
    }
    if (m_ackPending == 1)
    {
        // The first packet not yet acknowledged sets the deadline. The watchdog keeps
        // its event from the previous ACK and moves it: no event per ACK sent by count.
        m_ackTimer.Ping(m_config.ackDelay);
    }
}

void
TlpPeerSession::AckTimerExpired()
{
    if (m_ackPending > 0)
    {
        AckNow();
    }
}

void
TlpPeerSession::AckNow()
{
    if (!m_ackNow)
    {
        m_ackNow = true;
        m_host->Activate(m_peer);
    }
}

} // namespace ns3
