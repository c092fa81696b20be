/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-nic-dma.h"

#include "ns3/log.h"
#include "ns3/nstime.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpNicDma");

TlpNicDma::TlpNicDma(TlpWindowTable& windows, TlpInterconnectPort& port)
    : m_windows(windows),
      m_port(port),
      m_requesterId(0),
      m_maxReadRequestSize(512),
      m_maxPayloadSize(256)
{
}

void
TlpNicDma::Configure(uint16_t requesterId, uint32_t maxReadRequestSize, uint32_t maxPayloadSize)
{
    m_requesterId = requesterId;
    m_maxReadRequestSize = maxReadRequestSize;
    m_maxPayloadSize = maxPayloadSize;
    m_tracker.Configure(256,
                        MilliSeconds(50),
                        MakeCallback(&TlpNicDma::Data, this),
                        MakeCallback(&TlpNicDma::Ended, this));
    m_tracker.SetFreedCallback(MakeCallback(&TlpNicDma::Pump, this));
}

void
TlpNicDma::SetCallbacks(SendRemoteCallback send, FinishedCallback finished)
{
    m_send = send;
    m_finished = finished;
}

void
TlpNicDma::Clear()
{
    m_tracker.Clear();
    m_jobs.clear();
    m_send = SendRemoteCallback();
    m_finished = FinishedCallback();
}

const TlpNicDma::Statistics&
TlpNicDma::GetStatistics() const
{
    return m_stats;
}

const TlpRequestTracker&
TlpNicDma::GetTracker() const
{
    return m_tracker;
}

uint32_t
TlpNicDma::Check(const TlpDescriptor& d)
{
    const TlpWindow* w =
        d.window <= 0xFFFF ? m_windows.Get(static_cast<uint16_t>(d.window)) : nullptr;
    uint32_t op = d.flags & TlpDoorbellRegisters::OP_MASK;
    if (w == nullptr || (op == TlpDoorbellRegisters::OP_READ && w->receivers.size() != 1))
    {
        return TlpDoorbellRegisters::BAD_WINDOW; // a read needs one node to answer it
    }
    if (d.offset > w->size || d.length > w->size - d.offset)
    {
        return TlpDoorbellRegisters::BAD_RANGE;
    }
    if (!m_port.IsLocalTarget(d.local, d.length))
    {
        return TlpDoorbellRegisters::BAD_LOCAL;
    }
    if ((d.flags & TlpDoorbellRegisters::FLAG_NOTIFY) &&
        (d.completionAddress % 8 != 0 || !m_port.IsLocalTarget(d.completionAddress, 8)))
    {
        return TlpDoorbellRegisters::BAD_COMPLETION;
    }
    return 0;
}

void
TlpNicDma::Start(uint32_t slot, const TlpDescriptor& d)
{
    NS_LOG_FUNCTION(this << slot << d.length);
    Job& job = m_jobs[uint64_t(slot) + 1];
    job.slot = slot;
    job.d = d;
    job.remote = m_windows.Get(static_cast<uint16_t>(d.window))->base + d.offset;
    Pump();
}

void
TlpNicDma::Pump()
{
    for (auto& entry : m_jobs)
    {
        Job& job = entry.second;
        bool push = (job.d.flags & TlpDoorbellRegisters::OP_MASK) == TlpDoorbellRegisters::OP_PUSH;
        uint64_t base = push ? job.d.local : job.remote;
        while (job.status == 0 && job.issued < job.d.length && m_tracker.HasFreeTag())
        {
            // MRRS pieces on naturally aligned boundaries, none across 4 KiB.
            uint64_t start = base + job.issued;
            uint64_t stop =
                std::min(base + job.d.length,
                         TlpHeader::AlignDown(start + m_maxReadRequestSize, m_maxReadRequestSize));
            SendRead(entry.first,
                     static_cast<uint32_t>(job.issued),
                     start,
                     static_cast<uint32_t>(stop - start),
                     !push);
            job.issued += stop - start;
        }
        if (push && job.status == 0 && job.issued == job.d.length && job.pending == 0 &&
            !job.flushing && m_tracker.HasFreeTag())
        {
            // Flush: the read of the last byte pushed completes after every write before it.
            job.flushing = true;
            SendRead(entry.first, 0, job.remote + job.d.length - 1, 1, true);
        }
    }
}

void
TlpNicDma::SendRead(uint64_t cookie, uint32_t offset, uint64_t address, uint32_t bytes, bool remote)
{
    Job& job = m_jobs[cookie];
    job.pending++;
    uint16_t tag = m_tracker.Allocate(cookie, offset, bytes, address, false);
    TlpHeader h = TlpHeader::MakeMemRead(address, bytes, m_requesterId, tag);
    Ptr<Packet> tlp = Create<Packet>();
    tlp->AddHeader(h);
    m_tracker.Issued(tag);
    if (remote)
    {
        m_stats.readsRemote++;
        m_send(tlp, h); // may end the request at once (UR)
        return;
    }
    m_stats.readsLocal++;
    m_port.SendGenerated(tlp);
}

void
TlpNicDma::WriteBytes(uint64_t address, const uint8_t* data, uint32_t size, bool remote)
{
    uint64_t end = address + size;
    for (uint64_t start = address; start < end;)
    {
        uint64_t stop =
            std::min(end, TlpHeader::AlignDown(start + m_maxPayloadSize, m_maxPayloadSize));
        uint32_t bytes = static_cast<uint32_t>(stop - start);
        Ptr<Packet> tlp = TlpHeader::MakeWritePayload(start, data + (start - address), bytes);
        TlpHeader h = TlpHeader::MakeMemWrite(start, bytes, m_requesterId, 0);
        tlp->AddHeader(h);
        if (remote)
        {
            m_stats.writesRemote++;
            m_send(tlp, h);
        }
        else
        {
            m_stats.writesLocal++;
            m_port.SendGenerated(tlp);
        }
        start = stop;
    }
}

void
TlpNicDma::Data(uint64_t cookie, uint32_t offset, const uint8_t* data, uint32_t size)
{
    auto it = m_jobs.find(cookie);
    if (it == m_jobs.end() || it->second.flushing)
    {
        return; // the flush read's byte
    }
    Job& job = it->second;
    if ((job.d.flags & TlpDoorbellRegisters::OP_MASK) == TlpDoorbellRegisters::OP_PUSH)
    {
        // Claims 33-34: the read completion goes on as a remote write as it arrives.
        m_stats.bytesPushed += size;
        WriteBytes(job.remote + offset, data, size, true);
    }
    else
    {
        m_stats.bytesRead += size;
        WriteBytes(job.d.local + offset, data, size, false);
    }
}

void
TlpNicDma::Ended(uint64_t cookie, uint8_t status)
{
    auto it = m_jobs.find(cookie);
    if (it == m_jobs.end())
    {
        return;
    }
    Job& job = it->second;
    job.pending--;
    if (status != TlpHeader::SC && job.status == 0)
    {
        bool local = !job.flushing &&
                     (job.d.flags & TlpDoorbellRegisters::OP_MASK) == TlpDoorbellRegisters::OP_PUSH;
        if (status == TlpRequestTracker::STATUS_TIMEOUT)
        {
            job.status = TlpDoorbellRegisters::TIMEOUT;
        }
        else
        {
            job.status = (local ? TlpDoorbellRegisters::LOCAL_READ_ERROR
                                : TlpDoorbellRegisters::REMOTE_ERROR) |
                         (status & 0x7);
        }
    }
    bool push = (job.d.flags & TlpDoorbellRegisters::OP_MASK) == TlpDoorbellRegisters::OP_PUSH;
    if (job.pending == 0 &&
        (job.status != 0 || (job.issued == job.d.length && (!push || job.flushing))))
    {
        Complete(cookie);
    }
    Pump();
}

void
TlpNicDma::Complete(uint64_t cookie)
{
    auto it = m_jobs.find(cookie);
    Job job = it->second;
    m_jobs.erase(it);
    uint32_t status = job.status != 0 ? job.status : uint32_t(TlpDoorbellRegisters::DONE);
    NS_LOG_LOGIC("slot " << job.slot << " ended, status " << status);
    // Placed on the interconnect after the last local data write: ordered behind it.
    Notify(job.d, status);
    if (!m_finished.IsNull())
    {
        m_finished(job.slot, status);
    }
}

void
TlpNicDma::Notify(const TlpDescriptor& d, uint32_t status)
{
    if (!(d.flags & TlpDoorbellRegisters::FLAG_NOTIFY) || d.completionAddress % 8 != 0 ||
        !m_port.IsLocalTarget(d.completionAddress, 8))
    {
        return;
    }
    uint8_t bytes[8];
    for (uint32_t i = 0; i < 4; ++i)
    {
        bytes[i] = static_cast<uint8_t>(d.completionValue >> (8 * i));
        bytes[4 + i] = static_cast<uint8_t>(status >> (8 * i));
    }
    m_stats.notifications++;
    WriteBytes(d.completionAddress, bytes, 8, false);
}

TlpRequestTracker::Outcome
TlpNicDma::Receive(Ptr<const Packet> tlp, const TlpHeader& h)
{
    return m_tracker.Receive(tlp, h);
}

} // namespace ns3
