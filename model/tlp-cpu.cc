/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-cpu.h"

#include "exact-time.h"
#include "tlp-ecrc-trailer.h"
#include "tlp-write-confirmation.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpCpu");

NS_OBJECT_ENSURE_REGISTERED(TlpCpu);

namespace
{

bool
IsPowerOfTwoIn(uint32_t value, uint32_t low, uint32_t high)
{
    return value >= low && value <= high && (value & (value - 1)) == 0;
}

} // namespace

TypeId
TlpCpu::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TlpCpu")
            .SetParent<Application>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<TlpCpu>()
            .AddAttribute("RequesterId",
                          "Bus/device/function of the CPU, the Requester ID of its requests.",
                          UintegerValue(2),
                          MakeUintegerAccessor(&TlpCpu::m_requesterId),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute(
                "MaxPayloadSize",
                "Max_Payload_Size in bytes (128..4096, a power of two): writes are "
                "split into MWr TLPs of at most this many bytes.",
                UintegerValue(256),
                MakeUintegerAccessor(&TlpCpu::SetMaxPayloadSize, &TlpCpu::GetMaxPayloadSize),
                MakeUintegerChecker<uint32_t>())
            .AddAttribute("MaxReadRequestSize",
                          "Max_Read_Request_Size in bytes (128..4096, a power of two): reads "
                          "are split into MRd TLPs of at most this many bytes.",
                          UintegerValue(512),
                          MakeUintegerAccessor(&TlpCpu::SetMaxReadRequestSize,
                                               &TlpCpu::GetMaxReadRequestSize),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Tags",
                          "Requests outstanding at most (1..768): up to 256 use 8-bit tags "
                          "0..Tags-1, more use 10-bit tags 256..255+Tags.",
                          UintegerValue(256),
                          MakeUintegerAccessor(&TlpCpu::SetTags, &TlpCpu::GetTags),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Ecrc",
                          "Append an ECRC digest (TD=1) to every request.",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TlpCpu::m_ecrc),
                          MakeBooleanChecker())
            .AddAttribute("WriteConfirmation",
                          "Writes ask for a write confirmation (TLP Processing Hints with the "
                          "steering tag of TlpWriteConfirmation); who confirms is the window's "
                          "choice. Confirmations reach the Confirmation trace and callback.",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TlpCpu::m_writeConfirmation),
                          MakeBooleanChecker())
            .AddAttribute("TrafficClass",
                          "Traffic class (TC) of the requests.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TlpCpu::m_trafficClass),
                          MakeUintegerChecker<uint8_t>(0, 7))
            .AddAttribute("CompletionTimeout",
                          "Time after which a non-posted request without its completions ends "
                          "with status timeout (PCIe default range 50 us to 50 ms).",
                          TimeValue(MilliSeconds(50)),
                          MakeTimeAccessor(&TlpCpu::m_completionTimeout),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("TagQuarantine",
                          "Time a tag whose request timed out rests before it is used again, "
                          "so that a late completion is not taken for a new request's: it is "
                          "dropped and counted as unexpected.",
                          TimeValue(MilliSeconds(50)),
                          MakeTimeAccessor(&TlpCpu::m_tagQuarantine),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("StreamCount",
                          "Operations the stream issues once the application starts (0: none).",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TlpCpu::m_streamCount),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("StreamSize",
                          "Bytes per stream operation.",
                          UintegerValue(64),
                          MakeUintegerAccessor(&TlpCpu::m_streamSize),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("StreamRate",
                          "Offered stream load (operation bytes per second); 0bps issues as "
                          "fast as the root complex and the tags allow.",
                          DataRateValue(DataRate(0)),
                          MakeDataRateAccessor(&TlpCpu::m_streamRate),
                          MakeDataRateChecker())
            .AddAttribute("StreamBase",
                          "First address of the stream's range.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TlpCpu::m_streamBase),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("StreamRange",
                          "Bytes of the stream's range; operations walk it in order and wrap.",
                          UintegerValue(1 << 20),
                          MakeUintegerAccessor(&TlpCpu::m_streamRange),
                          MakeUintegerChecker<uint64_t>(1))
            .AddAttribute("StreamStride",
                          "Bytes from one stream operation's address to the next, a multiple "
                          "of StreamSize (0: StreamSize, operations back to back); offsets "
                          "wrap within StreamRange.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TlpCpu::m_streamStride),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("StreamReadFraction",
                          "Share of stream operations that are reads (0: all writes, 1: all "
                          "reads), interleaved evenly.",
                          DoubleValue(0),
                          MakeDoubleAccessor(&TlpCpu::m_streamReadFraction),
                          MakeDoubleChecker<double>(0, 1))
            .AddAttribute("StreamSeed",
                          "Seed of the byte pattern stream writes store (see PatternByte).",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TlpCpu::m_streamSeed),
                          MakeUintegerChecker<uint32_t>())
            .AddTraceSource("Tx",
                            "A TLP was placed in the root complex.",
                            MakeTraceSourceAccessor(&TlpCpu::m_txTrace),
                            "ns3::TlpCpu::TlpTracedCallback")
            .AddTraceSource("Completion",
                            "A completion arrived; latency since its request was sent.",
                            MakeTraceSourceAccessor(&TlpCpu::m_completionTrace),
                            "ns3::TlpCpu::CompletionTracedCallback")
            .AddTraceSource("Operation",
                            "An operation ended.",
                            MakeTraceSourceAccessor(&TlpCpu::m_operationTrace),
                            "ns3::TlpCpu::OperationTracedCallback")
            .AddTraceSource("Confirmation",
                            "A write confirmation arrived: (address, bytes, latency since the "
                            "write left the CPU).",
                            MakeTraceSourceAccessor(&TlpCpu::m_confirmationTrace),
                            "ns3::TlpCpu::ConfirmationTracedCallback")
            .AddTraceSource("Drop",
                            "A TLP was dropped: not a completion, bad ECRC, or no matching "
                            "request.",
                            MakeTraceSourceAccessor(&TlpCpu::m_dropTrace),
                            "ns3::TlpCpu::TlpTracedCallback");
    return tid;
}

TlpCpu::TlpCpu()
    : m_agent(UINT32_MAX),
      m_requesterId(2),
      m_maxPayloadSize(256),
      m_maxReadRequestSize(512),
      m_nTags(256),
      m_ecrc(false),
      m_writeConfirmation(false),
      m_trafficClass(0),
      m_streamCount(0),
      m_streamSize(64),
      m_streamBase(0),
      m_streamRange(1 << 20),
      m_streamStride(0),
      m_streamSlot(0),
      m_streamReadFraction(0),
      m_streamSeed(1),
      m_streamIssued(0),
      m_streamStartPs(0),
      m_streamActive(false),
      m_nextOpId(1),
      m_inTrySend(false),
      m_inStream(false)
{
    NS_LOG_FUNCTION(this);
}

TlpCpu::~TlpCpu()
{
    NS_LOG_FUNCTION(this);
}

void
TlpCpu::DoDispose()
{
    m_rc = nullptr;
    m_ops.clear();
    m_txQueue.clear();
    m_tracker.Clear();
    m_streamEvent.Cancel();
    Application::DoDispose();
}

void
TlpCpu::SetMaxPayloadSize(uint32_t value)
{
    NS_ABORT_MSG_UNLESS(IsPowerOfTwoIn(value, 128, 4096),
                        "TlpCpu: attribute MaxPayloadSize=" << value
                                                            << " must be a power of two in "
                                                               "128..4096 bytes");
    m_maxPayloadSize = value;
}

uint32_t
TlpCpu::GetMaxPayloadSize() const
{
    return m_maxPayloadSize;
}

void
TlpCpu::SetMaxReadRequestSize(uint32_t value)
{
    NS_ABORT_MSG_UNLESS(IsPowerOfTwoIn(value, 128, 4096),
                        "TlpCpu: attribute MaxReadRequestSize=" << value
                                                                << " must be a power of two in "
                                                                   "128..4096 bytes");
    m_maxReadRequestSize = value;
}

uint32_t
TlpCpu::GetMaxReadRequestSize() const
{
    return m_maxReadRequestSize;
}

void
TlpCpu::SetTags(uint32_t value)
{
    NS_ABORT_MSG_UNLESS(value >= 1 && value <= TlpRequestTracker::MAX_TAGS,
                        "TlpCpu: attribute Tags=" << value << " must be in 1.."
                                                  << TlpRequestTracker::MAX_TAGS);
    NS_ABORT_MSG_IF(m_rc != nullptr, "TlpCpu: attribute Tags cannot change after Connect()");
    m_nTags = value;
}

uint32_t
TlpCpu::GetTags() const
{
    return m_nTags;
}

void
TlpCpu::Connect(Ptr<PcieRootComplex> rc)
{
    NS_LOG_FUNCTION(this << rc);
    NS_ABORT_MSG_IF(m_rc != nullptr, "TlpCpu: already part of a root complex");
    m_rc = rc;
    m_agent = rc->AddAgent("cpu",
                           MakeCallback(&TlpCpu::Receive, this),
                           MakeCallback(&TlpCpu::Pump, this));
    rc->ClaimRequesterId(m_agent, m_requesterId);
    m_tracker.Configure(m_nTags,
                        m_completionTimeout,
                        MakeCallback(&TlpCpu::RequestData, this),
                        MakeCallback(&TlpCpu::RequestEnded, this),
                        m_tagQuarantine);
    m_tracker.SetFreedCallback(MakeCallback(&TlpCpu::Pump, this));
}

uint16_t
TlpCpu::GetRequesterId() const
{
    return m_requesterId;
}

const TlpCpu::Statistics&
TlpCpu::GetStatistics() const
{
    return m_stats;
}

uint64_t
TlpCpu::GetPendingOperations() const
{
    return m_ops.size();
}

uint64_t
TlpCpu::NewOperation(OperationKind kind, uint64_t address, uint32_t size, DoneCallback done)
{
    NS_ABORT_MSG_IF(m_rc == nullptr, "TlpCpu: operation before Connect()");
    NS_ABORT_MSG_IF(size == 0, "TlpCpu: operation of 0 bytes at 0x" << std::hex << address);
    NS_ABORT_MSG_IF(address + (size - 1) < address,
                    "TlpCpu: operation at 0x" << std::hex << address << " wraps past 2^64");
    uint64_t id = m_nextOpId++;
    Operation& op = m_ops[id];
    op.result.id = id;
    op.result.kind = kind;
    op.result.address = address;
    op.result.size = size;
    op.result.status = TlpHeader::SC;
    op.start = Simulator::Now();
    op.outstanding = 0;
    op.keepData = true;
    op.done = done;
    return id;
}

uint64_t
TlpCpu::Write(uint64_t address, std::vector<uint8_t> data, DoneCallback done)
{
    NS_LOG_FUNCTION(this << address << data.size());
    uint64_t id = NewOperation(OP_WRITE, address, static_cast<uint32_t>(data.size()), done);
    QueueWrite(id, address, data.data(), static_cast<uint32_t>(data.size()));
    TrySend();
    return id;
}

uint64_t
TlpCpu::Read(uint64_t address, uint32_t size, DoneCallback done)
{
    NS_LOG_FUNCTION(this << address << size);
    uint64_t id = NewOperation(OP_READ, address, size, done);
    m_ops[id].result.data.assign(size, 0);
    QueueRead(id, address, size);
    TrySend();
    return id;
}

uint64_t
TlpCpu::FetchAdd(uint64_t address, uint64_t addend, uint32_t size, DoneCallback done)
{
    uint8_t operand[8];
    for (uint32_t i = 0; i < 8; ++i)
    {
        operand[i] = static_cast<uint8_t>(addend >> (8 * i));
    }
    return QueueAtomic(TlpHeader::FETCH_ADD, address, size, operand, done);
}

uint64_t
TlpCpu::Swap(uint64_t address, uint64_t value, uint32_t size, DoneCallback done)
{
    uint8_t operand[8];
    for (uint32_t i = 0; i < 8; ++i)
    {
        operand[i] = static_cast<uint8_t>(value >> (8 * i));
    }
    return QueueAtomic(TlpHeader::SWAP, address, size, operand, done);
}

uint64_t
TlpCpu::CompareAndSwap(uint64_t address,
                       uint64_t compare,
                       uint64_t swap,
                       uint32_t size,
                       DoneCallback done)
{
    NS_ABORT_MSG_UNLESS(size == 4 || size == 8,
                        "TlpCpu: CompareAndSwap operand of " << size << " bytes (4 or 8)");
    uint8_t operands[16];
    for (uint32_t i = 0; i < size; ++i)
    {
        operands[i] = static_cast<uint8_t>(compare >> (8 * i));
        operands[size + i] = static_cast<uint8_t>(swap >> (8 * i));
    }
    return QueueAtomic(TlpHeader::CAS, address, size, operands, done);
}

uint64_t
TlpCpu::QueueAtomic(TlpHeader::Kind kind,
                    uint64_t address,
                    uint32_t size,
                    const uint8_t* operands,
                    DoneCallback done)
{
    NS_LOG_FUNCTION(this << TlpHeader::KindToString(kind) << address << size);
    NS_ABORT_MSG_UNLESS(size == 4 || size == 8,
                        "TlpCpu: AtomicOp operand of " << size << " bytes (4 or 8)");
    OperationKind opKind = kind == TlpHeader::FETCH_ADD ? OP_FETCH_ADD
                           : kind == TlpHeader::SWAP    ? OP_SWAP
                                                        : OP_CAS;
    uint64_t id = NewOperation(opKind, address, size, done);
    Operation& op = m_ops[id];
    op.result.data.assign(size, 0);
    op.outstanding = 1;
    // The address is sent as given: a misaligned AtomicOp is the completer's to refuse.
    TlpHeader h = TlpHeader::MakeAtomic(kind, address, size, m_requesterId, 0);
    h.SetTrafficClass(m_trafficClass);
    h.SetDigest(m_ecrc);
    uint32_t payload = kind == TlpHeader::CAS ? 2 * size : size;
    m_txQueue.push_back({h, Create<Packet>(operands, payload), nullptr, id, 0, size, true});
    TrySend();
    return id;
}

void
TlpCpu::QueueWrite(uint64_t opId, uint64_t address, const uint8_t* data, uint32_t size)
{
    uint64_t end = address + size;
    uint64_t chunkStart = address;
    while (chunkStart < end)
    {
        uint64_t chunkEnd =
            std::min(end, TlpHeader::AlignDown(chunkStart + m_maxPayloadSize, m_maxPayloadSize));
        uint32_t bytes = static_cast<uint32_t>(chunkEnd - chunkStart);
        TlpHeader h = TlpHeader::MakeMemWrite(chunkStart, bytes, m_requesterId, 0);
        h.SetTrafficClass(m_trafficClass);
        h.SetDigest(m_ecrc);
        TlpWriteConfirmation::SetRequested(h, m_writeConfirmation);
        m_txQueue.push_back(
            {h,
             TlpHeader::MakeWritePayload(chunkStart, data + (chunkStart - address), bytes),
             nullptr,
             opId,
             static_cast<uint32_t>(chunkStart - address),
             bytes,
             chunkEnd == end});
        chunkStart = chunkEnd;
    }
}

void
TlpCpu::QueueRead(uint64_t opId, uint64_t address, uint32_t size)
{
    Operation& op = m_ops[opId];
    uint64_t end = address + size;
    uint64_t chunkStart = address;
    while (chunkStart < end)
    {
        uint64_t chunkEnd =
            std::min(end,
                     TlpHeader::AlignDown(chunkStart + m_maxReadRequestSize, m_maxReadRequestSize));
        uint32_t bytes = static_cast<uint32_t>(chunkEnd - chunkStart);
        TlpHeader h = TlpHeader::MakeMemRead(chunkStart, bytes, m_requesterId, 0);
        h.SetTrafficClass(m_trafficClass);
        h.SetDigest(m_ecrc);
        m_txQueue.push_back({h,
                             nullptr,
                             nullptr,
                             opId,
                             static_cast<uint32_t>(chunkStart - address),
                             bytes,
                             chunkEnd == end});
        op.outstanding++;
        chunkStart = chunkEnd;
    }
}

void
TlpCpu::TrySend()
{
    if (m_inTrySend || m_rc == nullptr)
    {
        return;
    }
    m_inTrySend = true;
    while (!m_txQueue.empty())
    {
        Pending& p = m_txQueue.front();
        bool nonPosted = !p.header.IsPosted();
        if (!p.built)
        {
            uint16_t tag = 0;
            if (nonPosted)
            {
                if (!m_tracker.HasFreeTag())
                {
                    break; // RequestEnded() resumes
                }
                tag = m_tracker.Allocate(p.opId,
                                         p.offset,
                                         p.bytes,
                                         p.header.GetFirstByteAddress(),
                                         p.header.IsAtomic());
            }
            if (nonPosted)
            {
                p.header.SetTag(tag); // a posted write keeps its tag (a steering tag)
            }
            Ptr<Packet> tlp = p.payload ? p.payload : Create<Packet>();
            tlp->AddHeader(p.header);
            if (p.header.HasDigest())
            {
                TlpEcrcTrailer::Append(tlp);
            }
            p.built = tlp;
            p.payload = nullptr;
        }
        if (!m_rc->Send(m_agent, p.built))
        {
            break; // the ready callback resumes
        }
        m_stats.tlpsSent++;
        m_txTrace(p.built);
        if (nonPosted)
        {
            m_tracker.Issued(p.header.GetTag());
            m_txQueue.pop_front();
            continue;
        }
        m_stats.bytesWritten += p.bytes;
        if (m_writeConfirmation)
        {
            AwaitConfirmation(p.header.GetFirstByteAddress(), p.bytes);
        }
        uint64_t opId = p.opId;
        bool last = p.last;
        m_txQueue.pop_front();
        if (last)
        {
            if (opId != 0)
            {
                FinishOperation(opId);
            }
            else
            {
                m_stats.operationsDone++;
            }
        }
    }
    m_inTrySend = false;
}

void
TlpCpu::Pump()
{
    TrySend();
    if (m_txQueue.empty() && m_streamActive && !m_streamEvent.IsRunning())
    {
        IssueStream();
    }
}

void
TlpCpu::SetConfirmationCallback(ConfirmationCallback confirmed)
{
    m_confirmed = confirmed;
}

void
TlpCpu::AwaitConfirmation(uint64_t address, uint32_t bytes)
{
    Time now = Simulator::Now();
    // Writes unconfirmed for CompletionTimeout will not be: forget them.
    while (!m_awaitOrder.empty() && m_awaitOrder.front().first + m_completionTimeout < now)
    {
        auto it = m_awaiting.find(m_awaitOrder.front().second);
        if (it != m_awaiting.end() && !it->second.empty() &&
            it->second.front().second == m_awaitOrder.front().first)
        {
            it->second.pop_front();
            m_stats.unconfirmed++;
            if (it->second.empty())
            {
                m_awaiting.erase(it);
            }
        }
        m_awaitOrder.pop_front();
    }
    m_awaiting[address].emplace_back(bytes, now);
    m_awaitOrder.emplace_back(now, address);
}

bool
TlpCpu::ReceiveConfirmation(Ptr<const Packet> tlp, const TlpHeader& h)
{
    uint16_t writer;
    uint64_t address;
    uint32_t bytes;
    if (!TlpWriteConfirmation::Parse(tlp, h, writer, address, bytes) || writer != m_requesterId)
    {
        return false;
    }
    auto it = m_awaiting.find(address);
    if (it == m_awaiting.end())
    {
        return false;
    }
    auto match = std::find_if(it->second.begin(), it->second.end(), [bytes](const auto& w) {
        return w.first == bytes;
    });
    if (match == it->second.end())
    {
        return false;
    }
    Time latency = Simulator::Now() - match->second;
    it->second.erase(match);
    if (it->second.empty())
    {
        m_awaiting.erase(it);
    }
    m_stats.confirmations++;
    m_confirmationTrace(address, bytes, latency);
    if (!m_confirmed.IsNull())
    {
        m_confirmed(address, bytes, latency);
    }
    return true;
}

Time
TlpCpu::Receive(Ptr<Packet> tlp)
{
    NS_LOG_FUNCTION(this << tlp);
    TlpHeader h;
    if (tlp->PeekHeader(h) != 0 && TlpWriteConfirmation::IsConfirmation(h))
    {
        if (!ReceiveConfirmation(tlp, h))
        {
            m_stats.unexpected++;
            m_dropTrace(tlp);
        }
        return Simulator::Now();
    }
    if (tlp->PeekHeader(h) == 0 || !h.IsCompletion() || h.GetRequesterId() != m_requesterId ||
        (h.HasDigest() && !TlpEcrcTrailer::Verify(tlp)))
    {
        m_stats.unexpected++;
        m_dropTrace(tlp);
        return Simulator::Now();
    }
    uint16_t tag = h.GetTag();
    Time issued = m_tracker.IsOutstanding(tag) ? m_tracker.GetIssueTime(tag) : Time(0);
    TlpRequestTracker::Outcome outcome = m_tracker.Receive(tlp, h);
    if (outcome == TlpRequestTracker::NOT_OURS || outcome == TlpRequestTracker::MALFORMED)
    {
        m_stats.unexpected++;
        m_dropTrace(tlp);
        return Simulator::Now();
    }
    m_stats.completions++;
    m_completionTrace(tlp, Simulator::Now() - issued);
    return Simulator::Now();
}

void
TlpCpu::RequestData(uint64_t opId, uint32_t offset, const uint8_t* data, uint32_t size)
{
    auto it = m_ops.find(opId);
    NS_ASSERT(it != m_ops.end());
    Operation& op = it->second;
    if (op.result.kind == OP_READ)
    {
        m_stats.bytesRead += size;
    }
    if (op.keepData)
    {
        std::memcpy(op.result.data.data() + offset, data, size);
    }
}

void
TlpCpu::RequestEnded(uint64_t opId, uint8_t status)
{
    if (status == STATUS_TIMEOUT)
    {
        m_stats.timeouts++;
    }
    auto it = m_ops.find(opId);
    if (it != m_ops.end())
    {
        Operation& op = it->second;
        if (status != TlpHeader::SC && op.result.status == TlpHeader::SC)
        {
            op.result.status = status;
        }
        if (--op.outstanding == 0)
        {
            FinishOperation(opId);
        }
    }
    Pump();
}

void
TlpCpu::FinishOperation(uint64_t opId)
{
    auto it = m_ops.find(opId);
    NS_ASSERT(it != m_ops.end());
    Operation op = std::move(it->second);
    m_ops.erase(it);
    op.result.latency = Simulator::Now() - op.start;
    m_stats.operationsDone++;
    if (op.result.status != TlpHeader::SC)
    {
        m_stats.errors++;
    }
    if (op.result.kind != OP_WRITE)
    {
        m_stats.latencySum += op.result.latency;
        m_stats.latencyMax = std::max(m_stats.latencyMax, op.result.latency);
        m_stats.latencySamples++;
    }
    m_operationTrace(op.result);
    if (!op.done.IsNull())
    {
        op.done(op.result);
    }
}

void
TlpCpu::StartApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_streamCount == 0)
    {
        return;
    }
    NS_ABORT_MSG_IF(m_rc == nullptr, "TlpCpu: stream without Connect()");
    NS_ABORT_MSG_IF(m_streamRange < m_streamSize,
                    "TlpCpu: attribute StreamRange="
                        << m_streamRange << " is smaller than StreamSize=" << m_streamSize);
    NS_ABORT_MSG_IF(m_streamStride % m_streamSize != 0,
                    "TlpCpu: attribute StreamStride="
                        << m_streamStride << " is not a multiple of StreamSize=" << m_streamSize);
    m_scratch.assign(m_streamSize, 0);
    m_streamIssued = 0;
    m_streamSlot = 0;
    m_streamStartPs = Simulator::Now().GetPicoSeconds();
    m_streamActive = true;
    IssueStream();
}

void
TlpCpu::StopApplication()
{
    NS_LOG_FUNCTION(this);
    m_streamActive = false;
    m_streamEvent.Cancel();
}

void
TlpCpu::PatternFill(uint64_t address, uint32_t seed, uint8_t* out, uint32_t size)
{
    uint32_t k = 0;
    while (k < size)
    {
        uint64_t word = PatternWord((address + k) / 8, seed);
        uint32_t first = static_cast<uint32_t>((address + k) % 8);
        uint32_t n = std::min<uint32_t>(8 - first, size - k);
        for (uint32_t b = 0; b < n; ++b)
        {
            out[k + b] = static_cast<uint8_t>(word >> (8 * (first + b)));
        }
        k += n;
    }
}

void
TlpCpu::IssueStream()
{
    if (m_inStream)
    {
        return;
    }
    m_inStream = true;
    uint64_t slots = m_streamRange / m_streamSize;
    uint64_t step = std::max<uint64_t>(1, m_streamStride / m_streamSize) % slots;
    uint64_t rate = m_streamRate.GetBitRate();
    while (m_streamActive && m_streamIssued < m_streamCount && m_txQueue.empty())
    {
        uint64_t i = m_streamIssued;
        if (rate != 0)
        {
            double intervalPs = m_streamSize * 8.0 * 1e12 / static_cast<double>(rate);
            int64_t due = m_streamStartPs + std::llround(static_cast<double>(i) * intervalPs);
            if (due > Simulator::Now().GetPicoSeconds())
            {
                m_streamEvent =
                    Simulator::Schedule(DelayUntilPicoSeconds(due), &TlpCpu::IssueStream, this);
                break;
            }
        }
        m_streamIssued++;
        uint64_t address = m_streamBase + m_streamSlot * m_streamSize;
        m_streamSlot = (m_streamSlot + step) % slots; // no product to overflow
        bool read =
            std::floor((i + 1) * m_streamReadFraction) > std::floor(i * m_streamReadFraction);
        if (read)
        {
            uint64_t id = NewOperation(OP_READ, address, m_streamSize, DoneCallback());
            m_ops[id].keepData = false;
            QueueRead(id, address, m_streamSize);
        }
        else
        {
            PatternFill(address, m_streamSeed, m_scratch.data(), m_streamSize);
            QueueWrite(0, address, m_scratch.data(), m_streamSize);
        }
        TrySend();
    }
    m_inStream = false;
}

} // namespace ns3
