/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-nic-dma.h"

#include "ns3/log.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpNicDma");

TlpNicDma::TlpNicDma(TlpWindowTable& windows, TlpInterconnectPort& port)
    : m_windows(windows),
      m_port(port),
      m_hasStarting(false)
{
}

void
TlpNicDma::Configure(Ptr<TlpRequester> requester)
{
    m_requester = requester;
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
    m_jobs.clear();
    m_requester = nullptr;
    m_send = SendRemoteCallback();
    m_finished = FinishedCallback();
}

const TlpNicDma::Statistics&
TlpNicDma::GetStatistics() const
{
    return m_stats;
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
    Job job;
    job.slot = slot;
    job.d = d;
    job.remote = m_windows.Get(static_cast<uint16_t>(d.window))->base + d.offset;
    bool push = (d.flags & TlpDoorbellRegisters::OP_MASK) == TlpDoorbellRegisters::OP_PUSH;
    Issue(job, push ? d.local : job.remote, static_cast<uint32_t>(d.length), true);
}

void
TlpNicDma::Issue(const Job& job, uint64_t address, uint32_t size, bool data)
{
    // A request may be answered before Read() returns (UR: its window was refused):
    // the callbacks then find the job here.
    m_starting = job;
    m_hasStarting = true;
    uint64_t op = m_requester->Read(address,
                                    size,
                                    MakeCallback(&TlpNicDma::ReadDone, this),
                                    data ? MakeCallback(&TlpNicDma::Data, this)
                                         : TlpRequester::DataCallback());
    if (m_hasStarting)
    {
        m_jobs[op] = m_starting;
        m_hasStarting = false;
    }
}

TlpNicDma::Job*
TlpNicDma::FindJob(uint64_t op)
{
    if (m_hasStarting)
    {
        m_jobs[op] = m_starting;
        m_hasStarting = false;
    }
    auto it = m_jobs.find(op);
    return it == m_jobs.end() ? nullptr : &it->second;
}

bool
TlpNicDma::Route(Ptr<Packet> tlp, const TlpHeader& h, uint64_t op)
{
    bool remote = m_windows.Find(h.GetFirstByteAddress()) != nullptr;
    if (h.IsPosted())
    {
        (remote ? m_stats.writesRemote : m_stats.writesLocal)++;
    }
    else
    {
        (remote ? m_stats.readsRemote : m_stats.readsLocal)++;
    }
    if (remote)
    {
        m_send(tlp, h); // may end a read at once (UR: its window went away)
    }
    else
    {
        m_port.SendGenerated(tlp);
    }
    return true;
}

void
TlpNicDma::Data(uint64_t op, uint32_t offset, const uint8_t* data, uint32_t size)
{
    const Job* found = FindJob(op);
    if (found == nullptr || found->flushing)
    {
        return; // the flush read's byte
    }
    const Job& job = *found;
    if ((job.d.flags & TlpDoorbellRegisters::OP_MASK) == TlpDoorbellRegisters::OP_PUSH)
    {
        // Claims 33-34: the read completion goes on as a remote write as it arrives.
        m_stats.bytesPushed += size;
        m_requester->Write(job.remote + offset, data, size, TlpRequester::DoneCallback());
    }
    else
    {
        m_stats.bytesRead += size;
        m_requester->Write(job.d.local + offset, data, size, TlpRequester::DoneCallback());
    }
}

void
TlpNicDma::ReadDone(const TlpRequester::Result& result)
{
    const Job* found = FindJob(result.id);
    if (found == nullptr)
    {
        return;
    }
    Job job = *found;
    m_jobs.erase(result.id);
    bool push = (job.d.flags & TlpDoorbellRegisters::OP_MASK) == TlpDoorbellRegisters::OP_PUSH;
    if (result.status != TlpHeader::SC)
    {
        uint32_t status = result.status == TlpRequester::STATUS_TIMEOUT
                              ? uint32_t(TlpDoorbellRegisters::TIMEOUT)
                              : ((push && !job.flushing) ? TlpDoorbellRegisters::LOCAL_READ_ERROR
                                                         : TlpDoorbellRegisters::REMOTE_ERROR) |
                                    (result.status & 0x7);
        Finish(job, status);
        return;
    }
    if (push && !job.flushing)
    {
        // Flush: the read of the last byte pushed completes after every write before it.
        job.flushing = true;
        Issue(job, job.remote + job.d.length - 1, 1, false);
        return;
    }
    Finish(job, TlpDoorbellRegisters::DONE);
}

void
TlpNicDma::Finish(const Job& job, uint32_t status)
{
    NS_LOG_LOGIC("slot " << job.slot << " ended, status " << status);
    // Written after the last local data write: ordered behind it.
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
    TlpRequester::StoreLe(bytes, 4, d.completionValue);
    TlpRequester::StoreLe(bytes + 4, 4, status);
    m_stats.notifications++;
    m_requester->Write(d.completionAddress, bytes, 8, TlpRequester::DoneCallback());
}

} // namespace ns3
