/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pcie-dma-engine.h"

#include "tlp-cpu.h"
#include "tlp-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PcieDmaEngine");

NS_OBJECT_ENSURE_REGISTERED(PcieDmaEngine);

namespace
{

/// Seed of the bytes the engine writes (TlpCpu::PatternByte of the address and this).
constexpr uint32_t PATTERN_SEED = 7;

} // namespace

TypeId
PcieDmaEngine::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::PcieDmaEngine")
            .SetParent<Object>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<PcieDmaEngine>()
            .AddAttribute("RequesterId",
                          "Bus/device/function of the device, the Requester ID of its requests.",
                          UintegerValue(0x0100),
                          MakeUintegerAccessor(&PcieDmaEngine::m_requesterId),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute("MaxPayloadSize",
                          "Max_Payload_Size in bytes (128..4096, a power of two): writes are "
                          "split into MWr requests of at most this many bytes.",
                          UintegerValue(256),
                          MakeUintegerAccessor(&PcieDmaEngine::m_maxPayloadSize),
                          MakeUintegerChecker<uint32_t>(128, 4096))
            .AddAttribute("MaxReadRequestSize",
                          "Max_Read_Request_Size in bytes (128..4096, a power of two): reads "
                          "are split into MRd requests of at most this many bytes.",
                          UintegerValue(512),
                          MakeUintegerAccessor(&PcieDmaEngine::m_maxReadRequestSize),
                          MakeUintegerChecker<uint32_t>(128, 4096))
            .AddAttribute("Tags",
                          "Read requests outstanding at most (1..768).",
                          UintegerValue(256),
                          MakeUintegerAccessor(&PcieDmaEngine::m_tags),
                          MakeUintegerChecker<uint32_t>(1, TlpRequestTracker::MAX_TAGS))
            .AddAttribute("MaxOutstanding",
                          "Read transfers in flight at most (0: as many as the tags allow).",
                          UintegerValue(33),
                          MakeUintegerAccessor(&PcieDmaEngine::m_maxOutstanding),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("ReadCost",
                          "Engine time per read transfer started (descriptor handling): the "
                          "engine starts the next transfer ReadCost after a read.",
                          TimeValue(NanoSeconds(17)),
                          MakeTimeAccessor(&PcieDmaEngine::m_readCost),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("WriteCost",
                          "Engine time per write transfer started: the engine starts the next "
                          "transfer WriteCost after a write.",
                          TimeValue(NanoSeconds(21)),
                          MakeTimeAccessor(&PcieDmaEngine::m_writeCost),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("CopyRate",
                          "Rate at which the device copies a transfer's data between its own "
                          "memory and the PCIe link, store and forward: before a write's "
                          "requests leave, after a read's last completion (0bps: no copy). "
                          "It delays the transfer without holding the link or the engine.",
                          DataRateValue(DataRate("6940MBps")),
                          MakeDataRateAccessor(&PcieDmaEngine::m_copyRate),
                          MakeDataRateChecker())
            .AddAttribute("Latency",
                          "Time from a read's last completion to its end (the device's own "
                          "handling of the data); it does not hold the link or the engine.",
                          TimeValue(NanoSeconds(300)),
                          MakeTimeAccessor(&PcieDmaEngine::m_latency),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("CompletionTimeout",
                          "Time after which a read request without its completions ends with "
                          "status timeout.",
                          TimeValue(MilliSeconds(50)),
                          MakeTimeAccessor(&PcieDmaEngine::m_completionTimeout),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddTraceSource("Transfer",
                            "A transfer ended: its size and latency.",
                            MakeTraceSourceAccessor(&PcieDmaEngine::m_transferTrace),
                            "ns3::PcieDmaEngine::TransferTracedCallback");
    return tid;
}

PcieDmaEngine::PcieDmaEngine()
    : m_requesterId(0x0100),
      m_maxPayloadSize(256),
      m_maxReadRequestSize(512),
      m_tags(256),
      m_maxOutstanding(33),
      m_requester(CreateObject<TlpRequester>()),
      m_nextJob(1),
      m_readsInFlight(0)
{
    NS_LOG_FUNCTION(this);
}

PcieDmaEngine::~PcieDmaEngine()
{
    NS_LOG_FUNCTION(this);
}

void
PcieDmaEngine::DoDispose()
{
    m_pumpEvent.Cancel();
    m_requester->Dispose();
    m_jobs.clear();
    m_opJob.clear();
    m_waiting.clear();
    m_port = nullptr;
    Object::DoDispose();
}

void
PcieDmaEngine::Attach(Ptr<PciePort> port)
{
    NS_LOG_FUNCTION(this << port);
    NS_ABORT_MSG_IF(m_port != nullptr, "PcieDmaEngine: already attached to a PCIe link");
    TlpRequester::CheckTransferSize("PcieDmaEngine", "MaxPayloadSize", m_maxPayloadSize);
    TlpRequester::CheckTransferSize("PcieDmaEngine", "MaxReadRequestSize", m_maxReadRequestSize);
    m_port = port;
    port->SetReceiveCallback(MakeCallback(&PcieDmaEngine::Receive, this));
    port->SetReadyCallback(MakeCallback(&TlpRequester::TrySend, m_requester));
    port->ClaimRequesterId(m_requesterId);
    m_requester->SetRequesterId(m_requesterId);
    m_requester->SetMaxPayloadSize(m_maxPayloadSize);
    m_requester->SetMaxReadRequestSize(m_maxReadRequestSize);
    m_requester->SetTags(m_tags);
    m_requester->SetCompletionTimeout(m_completionTimeout);
    m_requester->SetTagQuarantine(m_completionTimeout);
    m_requester->SetSendCallback(MakeCallback(&PcieDmaEngine::SendRequest, this));
}

const PcieDmaEngine::Statistics&
PcieDmaEngine::GetStatistics() const
{
    return m_stats;
}

uint64_t
PcieDmaEngine::GetPending() const
{
    return m_jobs.size();
}

void
PcieDmaEngine::Transfer(bool read, uint64_t address, uint32_t size, DoneCallback done)
{
    NS_LOG_FUNCTION(this << read << address << size);
    NS_ABORT_MSG_IF(m_port == nullptr, "PcieDmaEngine: transfer before Attach()");
    NS_ABORT_MSG_IF(size == 0, "PcieDmaEngine: transfer of 0 bytes at 0x" << std::hex << address);
    NS_ABORT_MSG_IF(address + (size - 1) < address,
                    "PcieDmaEngine: transfer at 0x" << std::hex << address << " wraps past 2^64");
    uint64_t id = m_nextJob++;
    Job& job = m_jobs[id];
    job.read = read;
    job.address = address;
    job.size = size;
    job.done = done;
    job.status = TlpHeader::SC;
    m_waiting.push_back(id);
    Pump();
}

void
PcieDmaEngine::Stream(bool read, uint64_t base, uint64_t window, uint32_t size, uint64_t count)
{
    // Slots of the size rounded up to a cache line, as pcie-bench places its DMAs
    // (with a host offset of 0).
    uint64_t unit = TlpHeader::AlignUp(size, CACHE_LINE);
    NS_ABORT_MSG_IF(size == 0 || window < unit,
                    "PcieDmaEngine: window of " << window << " bytes for transfers of " << size
                                                << " (slots of " << unit << ")");
    uint64_t slots = window / unit;
    for (uint64_t i = 0; i < count; ++i)
    {
        Transfer(read, base + (i % slots) * unit, size, DoneCallback());
    }
}

void
PcieDmaEngine::Pump()
{
    Time now = Simulator::Now();
    while (!m_waiting.empty() && m_nextStart <= now)
    {
        Job& job = m_jobs[m_waiting.front()];
        if (job.read && m_maxOutstanding != 0 && m_readsInFlight >= m_maxOutstanding)
        {
            break; // End() resumes
        }
        uint64_t id = m_waiting.front();
        m_waiting.pop_front();
        job.start = now;
        m_nextStart = now + (job.read ? m_readCost : m_writeCost);
        m_readsInFlight += job.read;
        Split(id);
    }
    if (!m_waiting.empty() && m_nextStart > now && !m_pumpEvent.IsRunning())
    {
        m_pumpEvent = Simulator::Schedule(m_nextStart - now, &PcieDmaEngine::Pump, this);
    }
    m_requester->TrySend();
}

void
PcieDmaEngine::Split(uint64_t id)
{
    const Job& job = m_jobs[id];
    // Recorded first: a write's requests may all leave before Write() returns.
    m_opJob[m_requester->GetNextOperationId()] = id;
    if (job.read)
    {
        m_requester->Read(job.address,
                          job.size,
                          MakeCallback(&PcieDmaEngine::OperationDone, this),
                          MakeCallback(&PcieDmaEngine::Data, this));
    }
    else
    {
        std::vector<uint8_t> data(job.size);
        TlpCpu::PatternFill(job.address, PATTERN_SEED, data.data(), job.size);
        m_requester->Write(job.address,
                           data.data(),
                           job.size,
                           MakeCallback(&PcieDmaEngine::OperationDone, this));
    }
}

bool
PcieDmaEngine::SendRequest(Ptr<Packet> tlp, const TlpHeader& h, uint64_t op)
{
    // A write's data leaves once the device has copied it to the link.
    Time copy(0);
    if (h.IsPosted())
    {
        const Job& job = m_jobs[m_opJob[op]];
        copy = job.start + CopyTime(job.size) - Simulator::Now();
    }
    if (!m_port->Send(tlp, copy.IsPositive() ? copy : Time(0)))
    {
        return false; // the ready callback resumes
    }
    m_stats.tlps++;
    return true;
}

void
PcieDmaEngine::Receive(Ptr<Packet> tlp)
{
    m_requester->Receive(tlp); // unexpected and malformed ones are counted there
}

void
PcieDmaEngine::Data(uint64_t op, uint32_t offset, const uint8_t* data, uint32_t size)
{
}

void
PcieDmaEngine::OperationDone(const TlpRequester::Result& result)
{
    auto it = m_opJob.find(result.id);
    NS_ASSERT(it != m_opJob.end());
    uint64_t id = it->second;
    m_opJob.erase(it);
    m_jobs[id].status = result.status;
    Finish(id);
}

Time
PcieDmaEngine::CopyTime(uint32_t bytes) const
{
    uint64_t rate = m_copyRate.GetBitRate();
    return rate == 0 ? Time(0) : PicoSeconds((bytes * 8 * 1000000000000ULL + rate - 1) / rate);
}

void
PcieDmaEngine::Finish(uint64_t id)
{
    Time after = m_jobs[id].read ? m_latency + CopyTime(m_jobs[id].size) : Time(0);
    if (!after.IsZero())
    {
        Simulator::Schedule(after, &PcieDmaEngine::End, this, id);
        return;
    }
    End(id);
}

void
PcieDmaEngine::End(uint64_t id)
{
    auto it = m_jobs.find(id);
    NS_ASSERT(it != m_jobs.end());
    Job job = it->second;
    m_jobs.erase(it);
    Time latency = Simulator::Now() - job.start;
    if (m_stats.transfers++ == 0)
    {
        m_stats.firstEnd = Simulator::Now();
    }
    m_stats.lastEnd = Simulator::Now();
    m_stats.bytes += job.size;
    m_stats.latencySum += latency;
    m_stats.errors += job.status != TlpHeader::SC;
    m_readsInFlight -= job.read;
    m_transferTrace(job.size, latency);
    if (!job.done.IsNull())
    {
        job.done(job.status, latency);
    }
    Pump();
}

} // namespace ns3
