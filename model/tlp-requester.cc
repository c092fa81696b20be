/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-requester.h"

#include "tlp-ecrc-trailer.h"
#include "tlp-write-confirmation.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpRequester");

NS_OBJECT_ENSURE_REGISTERED(TlpRequester);

TypeId
TlpRequester::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TlpRequester")
            .SetParent<Object>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<TlpRequester>()
            .AddAttribute(
                "RequesterId",
                "Bus/device/function of the requester, the Requester ID of its "
                "requests.",
                UintegerValue(2),
                MakeUintegerAccessor(&TlpRequester::SetRequesterId, &TlpRequester::GetRequesterId),
                MakeUintegerChecker<uint16_t>())
            .AddAttribute("MaxPayloadSize",
                          "Max_Payload_Size in bytes (128..4096, a power of two): writes are "
                          "split into MWr TLPs of at most this many bytes, at multiples of it.",
                          UintegerValue(256),
                          MakeUintegerAccessor(&TlpRequester::SetMaxPayloadSize,
                                               &TlpRequester::GetMaxPayloadSize),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("MaxReadRequestSize",
                          "Max_Read_Request_Size in bytes (128..4096, a power of two): reads "
                          "are split into MRd TLPs of at most this many bytes, at multiples "
                          "of it.",
                          UintegerValue(512),
                          MakeUintegerAccessor(&TlpRequester::SetMaxReadRequestSize,
                                               &TlpRequester::GetMaxReadRequestSize),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Tags",
                          "Requests outstanding at most (1..768): up to 256 use 8-bit tags "
                          "0..Tags-1, more use 10-bit tags 256..255+Tags.",
                          UintegerValue(256),
                          MakeUintegerAccessor(&TlpRequester::SetTags, &TlpRequester::GetTags),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("CompletionTimeout",
                          "Time after which a non-posted request without its completions ends "
                          "with status timeout (PCIe default range 50 us to 50 ms).",
                          TimeValue(MilliSeconds(50)),
                          MakeTimeAccessor(&TlpRequester::SetCompletionTimeout,
                                           &TlpRequester::GetCompletionTimeout),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute(
                "TagQuarantine",
                "Time a tag whose request timed out rests before it is used again, "
                "so that a late completion is not taken for a new request's.",
                TimeValue(MilliSeconds(50)),
                MakeTimeAccessor(&TlpRequester::SetTagQuarantine, &TlpRequester::GetTagQuarantine),
                MakeTimeChecker(Time(0)))
            .AddAttribute("TrafficClass",
                          "Traffic class (TC) of the requests.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TlpRequester::m_trafficClass),
                          MakeUintegerChecker<uint8_t>(0, 7))
            .AddAttribute("Ecrc",
                          "Append an ECRC digest (TD=1) to every request.",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TlpRequester::m_ecrc),
                          MakeBooleanChecker())
            .AddTraceSource("Tx",
                            "A TLP was taken by the send callback.",
                            MakeTraceSourceAccessor(&TlpRequester::m_txTrace),
                            "ns3::TlpRequester::TlpTracedCallback")
            .AddTraceSource("Completion",
                            "A completion was taken; latency since its request was sent.",
                            MakeTraceSourceAccessor(&TlpRequester::m_completionTrace),
                            "ns3::TlpRequester::CompletionTracedCallback")
            .AddTraceSource("Drop",
                            "A TLP given to Receive() was dropped: not a completion for us, "
                            "bad ECRC, no matching request, or inconsistent with it.",
                            MakeTraceSourceAccessor(&TlpRequester::m_dropTrace),
                            "ns3::TlpRequester::TlpTracedCallback")
            .AddTraceSource("Operation",
                            "An operation ended (any status).",
                            MakeTraceSourceAccessor(&TlpRequester::m_operationTrace),
                            "ns3::TlpRequester::OperationTracedCallback")
            .AddTraceSource("Refused",
                            "An AtomicOp was refused before any TLP left: misaligned or of a "
                            "bad operand size.",
                            MakeTraceSourceAccessor(&TlpRequester::m_refusedTrace),
                            "ns3::TlpRequester::OperationTracedCallback");
    return tid;
}

TlpRequester::TlpRequester()
    : m_requesterId(2),
      m_maxPayloadSize(256),
      m_maxReadRequestSize(512),
      m_nTags(256),
      m_completionTimeout(MilliSeconds(50)),
      m_tagQuarantine(MilliSeconds(50)),
      m_trafficClass(0),
      m_ecrc(false),
      m_writeConfirmation(false),
      m_postedPassing(false),
      m_started(false),
      m_inTrySend(false),
      m_nextOpId(1)
{
    NS_LOG_FUNCTION(this);
}

TlpRequester::~TlpRequester()
{
    NS_LOG_FUNCTION(this);
}

void
TlpRequester::DoDispose()
{
    m_send = SendCallback();
    m_ready = ReadyCallback();
    m_ops.clear();
    m_txQueue.clear();
    m_tracker.Clear();
    Object::DoDispose();
}

// ------------------------------------------------------------ shared helpers

void
TlpRequester::ForEachChunk(uint64_t address,
                           uint64_t size,
                           uint32_t maxBytes,
                           uint32_t boundary,
                           const std::function<void(uint64_t, uint32_t, bool)>& f)
{
    NS_ASSERT(boundary != 0 && (boundary & (boundary - 1)) == 0 && boundary <= maxBytes);
    uint64_t end = address + size;
    for (uint64_t start = address; start < end;)
    {
        uint64_t stop = std::min(end, TlpHeader::AlignDown(start + maxBytes, boundary));
        f(start, static_cast<uint32_t>(stop - start), stop == end);
        start = stop;
    }
}

uint64_t
TlpRequester::LoadLe(const uint8_t* bytes, uint32_t size)
{
    uint64_t v = 0;
    for (uint32_t i = size; i > 0; --i)
    {
        v = (v << 8) | bytes[i - 1];
    }
    return v;
}

void
TlpRequester::StoreLe(uint8_t* bytes, uint32_t size, uint64_t value)
{
    for (uint32_t i = 0; i < size; ++i)
    {
        bytes[i] = static_cast<uint8_t>(value >> (8 * i));
    }
}

uint8_t
TlpRequester::CheckAtomic(TlpHeader::Kind kind, uint64_t address, uint32_t size)
{
    bool sizeOk = size == 4 || size == 8 || (kind == TlpHeader::CAS && size == 16);
    if (!sizeOk)
    {
        return STATUS_BAD_SIZE;
    }
    return address % size == 0 ? uint8_t(TlpHeader::SC) : STATUS_MISALIGNED;
}

void
TlpRequester::CheckTransferSize(const std::string& owner,
                                const std::string& attribute,
                                uint32_t value)
{
    NS_ABORT_MSG_UNLESS(value >= 128 && value <= 4096 && (value & (value - 1)) == 0,
                        owner << ": attribute " << attribute << "=" << value
                              << " must be a power of two in 128..4096 bytes");
}

std::string
TlpRequester::StatusToString(uint8_t status)
{
    switch (status)
    {
    case STATUS_TIMEOUT:
        return "timeout";
    case STATUS_MISALIGNED:
        return "misaligned";
    case STATUS_BAD_SIZE:
        return "bad operand size";
    case TlpHeader::SC:
    case TlpHeader::UR:
    case TlpHeader::CRS:
    case TlpHeader::CA:
        return TlpHeader::StatusToString(status);
    default: {
        std::ostringstream os;
        os << "status " << unsigned(status);
        return os.str();
    }
    }
}

// ------------------------------------------------------------- configuration

void
TlpRequester::SetSendCallback(SendCallback send)
{
    m_send = send;
}

void
TlpRequester::SetReadyCallback(ReadyCallback ready)
{
    m_ready = ready;
}

void
TlpRequester::SetPostedPassing(bool pass)
{
    m_postedPassing = pass;
}

void
TlpRequester::SetRequesterId(uint16_t value)
{
    m_requesterId = value;
}

uint16_t
TlpRequester::GetRequesterId() const
{
    return m_requesterId;
}

void
TlpRequester::SetMaxPayloadSize(uint32_t value)
{
    CheckTransferSize("TlpRequester", "MaxPayloadSize", value);
    m_maxPayloadSize = value;
}

uint32_t
TlpRequester::GetMaxPayloadSize() const
{
    return m_maxPayloadSize;
}

void
TlpRequester::SetMaxReadRequestSize(uint32_t value)
{
    CheckTransferSize("TlpRequester", "MaxReadRequestSize", value);
    m_maxReadRequestSize = value;
}

uint32_t
TlpRequester::GetMaxReadRequestSize() const
{
    return m_maxReadRequestSize;
}

void
TlpRequester::SetTags(uint32_t value)
{
    NS_ABORT_MSG_UNLESS(value >= 1 && value <= TlpRequestTracker::MAX_TAGS,
                        "TlpRequester: attribute Tags=" << value << " must be in 1.."
                                                        << TlpRequestTracker::MAX_TAGS);
    NS_ABORT_MSG_IF(m_started && value != m_nTags,
                    "TlpRequester: attribute Tags=" << value
                                                    << " cannot change after the first request");
    m_nTags = value;
}

uint32_t
TlpRequester::GetTags() const
{
    return m_nTags;
}

void
TlpRequester::SetCompletionTimeout(Time value)
{
    m_completionTimeout = value;
    if (m_started)
    {
        m_tracker.SetTimes(m_completionTimeout, m_tagQuarantine);
    }
}

Time
TlpRequester::GetCompletionTimeout() const
{
    return m_completionTimeout;
}

void
TlpRequester::SetTagQuarantine(Time value)
{
    m_tagQuarantine = value;
    if (m_started)
    {
        m_tracker.SetTimes(m_completionTimeout, m_tagQuarantine);
    }
}

Time
TlpRequester::GetTagQuarantine() const
{
    return m_tagQuarantine;
}

void
TlpRequester::SetTrafficClass(uint8_t value)
{
    m_trafficClass = value & 7;
}

uint8_t
TlpRequester::GetTrafficClass() const
{
    return m_trafficClass;
}

void
TlpRequester::SetEcrc(bool value)
{
    m_ecrc = value;
}

bool
TlpRequester::GetEcrc() const
{
    return m_ecrc;
}

void
TlpRequester::SetWriteConfirmation(bool value)
{
    m_writeConfirmation = value;
}

bool
TlpRequester::GetWriteConfirmation() const
{
    return m_writeConfirmation;
}

void
TlpRequester::Start()
{
    if (m_started)
    {
        return;
    }
    m_started = true;
    m_tracker.Configure(m_nTags,
                        m_completionTimeout,
                        MakeCallback(&TlpRequester::RequestData, this),
                        MakeCallback(&TlpRequester::RequestEnded, this),
                        m_tagQuarantine);
    m_tracker.SetFreedCallback(MakeCallback(&TlpRequester::TagFreed, this));
}

// ----------------------------------------------------------------- state

uint32_t
TlpRequester::GetQueued() const
{
    return static_cast<uint32_t>(m_txQueue.size());
}

uint64_t
TlpRequester::GetPendingOperations() const
{
    return m_ops.size();
}

uint32_t
TlpRequester::GetOutstanding() const
{
    return m_tracker.GetOutstanding();
}

const TlpRequester::Statistics&
TlpRequester::GetStatistics() const
{
    return m_stats;
}

const TlpRequestTracker&
TlpRequester::GetTracker() const
{
    return m_tracker;
}

// ---------------------------------------------------------------- operations

uint64_t
TlpRequester::NewOperation(OperationKind kind, uint64_t address, uint32_t size, DoneCallback done)
{
    NS_ABORT_MSG_IF(m_send.IsNull(), "TlpRequester: operation without a send callback");
    NS_ABORT_MSG_IF(size == 0, "TlpRequester: operation of 0 bytes at 0x" << std::hex << address);
    NS_ABORT_MSG_IF(address + (size - 1) < address,
                    "TlpRequester: operation at 0x" << std::hex << address << " wraps past 2^64");
    Start();
    uint64_t id = m_nextOpId++;
    Operation& op = m_ops[id];
    op.result.id = id;
    op.result.kind = kind;
    op.result.address = address;
    op.result.size = size;
    op.result.status = TlpHeader::SC;
    op.start = Simulator::Now();
    op.outstanding = 0;
    op.done = done;
    return id;
}

void
TlpRequester::Decorate(TlpHeader& h) const
{
    h.SetTrafficClass(m_trafficClass);
    h.SetDigest(m_ecrc);
}

uint64_t
TlpRequester::Write(uint64_t address, const uint8_t* data, uint32_t size, DoneCallback done)
{
    NS_LOG_FUNCTION(this << address << size);
    uint64_t id = NewOperation(OP_WRITE, address, size, done);
    ForEachChunk(address,
                 size,
                 m_maxPayloadSize,
                 m_maxPayloadSize,
                 [&](uint64_t start, uint32_t bytes, bool last) {
                     TlpHeader h = TlpHeader::MakeMemWrite(start, bytes, m_requesterId, 0);
                     Decorate(h);
                     TlpWriteConfirmation::SetRequested(h, m_writeConfirmation);
                     uint32_t offset = static_cast<uint32_t>(start - address);
                     m_txQueue.push_back({h,
                                          TlpHeader::MakeWritePayload(start, data + offset, bytes),
                                          nullptr,
                                          id,
                                          offset,
                                          bytes,
                                          last});
                 });
    TrySend();
    return id;
}

uint64_t
TlpRequester::Read(uint64_t address, uint32_t size, DoneCallback done, DataCallback data)
{
    NS_LOG_FUNCTION(this << address << size);
    uint64_t id = NewOperation(OP_READ, address, size, done);
    Operation& op = m_ops[id];
    op.data = data;
    if (data.IsNull())
    {
        op.result.data.assign(size, 0);
    }
    ForEachChunk(
        address,
        size,
        m_maxReadRequestSize,
        m_maxReadRequestSize,
        [&](uint64_t start, uint32_t bytes, bool last) {
            TlpHeader h = TlpHeader::MakeMemRead(start, bytes, m_requesterId, 0);
            Decorate(h);
            m_txQueue.push_back(
                {h, nullptr, nullptr, id, static_cast<uint32_t>(start - address), bytes, last});
            op.outstanding++;
        });
    TrySend();
    return id;
}

uint64_t
TlpRequester::Atomic(TlpHeader::Kind kind,
                     uint64_t address,
                     uint32_t size,
                     const uint8_t* operands,
                     DoneCallback done)
{
    NS_LOG_FUNCTION(this << TlpHeader::KindToString(kind) << address << size);
    NS_ABORT_MSG_UNLESS(kind == TlpHeader::FETCH_ADD || kind == TlpHeader::SWAP ||
                            kind == TlpHeader::CAS,
                        "TlpRequester: " << TlpHeader::KindToString(kind) << " is no AtomicOp");
    OperationKind opKind = kind == TlpHeader::FETCH_ADD ? OP_FETCH_ADD
                           : kind == TlpHeader::SWAP    ? OP_SWAP
                                                        : OP_CAS;
    uint8_t check = CheckAtomic(kind, address, size);
    // A refused AtomicOp still has a size for its record: never 0.
    uint64_t id = NewOperation(opKind, address, std::max<uint32_t>(size, 1), done);
    Operation& op = m_ops[id];
    if (check != TlpHeader::SC)
    {
        // PCIe cannot express it (address bits 1:0 are not sent, the byte enables of
        // AtomicOps are reserved): executing it would update other bytes. It ends,
        // after the caller has its number, without a TLP.
        NS_LOG_LOGIC("AtomicOp refused: " << StatusToString(check));
        op.result.size = size;
        op.result.status = check;
        m_stats.refused++;
        m_refusedTrace(op.result);
        Simulator::ScheduleNow(&TlpRequester::FinishOperation, this, id);
        return id;
    }
    op.result.data.assign(size, 0);
    op.outstanding = 1;
    TlpHeader h = TlpHeader::MakeAtomic(kind, address, size, m_requesterId, 0);
    Decorate(h);
    uint32_t payload = kind == TlpHeader::CAS ? 2 * size : size;
    m_txQueue.push_back({h, Create<Packet>(operands, payload), nullptr, id, 0, size, true});
    TrySend();
    return id;
}

uint64_t
TlpRequester::FetchAdd(uint64_t address, uint64_t addend, uint32_t size, DoneCallback done)
{
    uint8_t operand[8];
    StoreLe(operand, 8, addend);
    return Atomic(TlpHeader::FETCH_ADD, address, size, operand, done);
}

uint64_t
TlpRequester::Swap(uint64_t address, uint64_t value, uint32_t size, DoneCallback done)
{
    uint8_t operand[8];
    StoreLe(operand, 8, value);
    return Atomic(TlpHeader::SWAP, address, size, operand, done);
}

uint64_t
TlpRequester::CompareAndSwap(uint64_t address,
                             uint64_t compare,
                             uint64_t swap,
                             uint32_t size,
                             DoneCallback done)
{
    // 16-byte operands hold the 64-bit values zero-extended.
    uint8_t operands[32] = {};
    if (size <= 16)
    {
        StoreLe(operands, std::min<uint32_t>(size, 8), compare);
        StoreLe(operands + size, std::min<uint32_t>(size, 8), swap);
    }
    return Atomic(TlpHeader::CAS, address, size, operands, done);
}

// ------------------------------------------------------------------ sending

void
TlpRequester::TrySend()
{
    if (m_inTrySend || m_send.IsNull())
    {
        return;
    }
    m_inTrySend = true;
    // i walks the queue; it passes non-posted TLPs only when they wait for a tag and
    // posted ones may pass them (their own order is kept).
    size_t i = 0;
    bool tagsOut = false;
    while (i < m_txQueue.size())
    {
        Pending& p = m_txQueue[i];
        bool nonPosted = !p.header.IsPosted();
        if (!p.built)
        {
            if (nonPosted)
            {
                if (tagsOut || !m_tracker.HasFreeTag())
                {
                    // RequestEnded() or the end of a quarantine resumes.
                    tagsOut = true;
                    if (!m_postedPassing)
                    {
                        break;
                    }
                    ++i;
                    continue;
                }
                // A posted write keeps its tag field (a steering tag).
                p.header.SetTag(m_tracker.Allocate(p.opId,
                                                   p.offset,
                                                   p.bytes,
                                                   p.header.GetFirstByteAddress(),
                                                   p.header.IsAtomic()));
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
        if (!m_send(p.built, p.header, p.opId))
        {
            break; // the owner calls TrySend() when it can take more
        }
        m_stats.tlpsSent++;
        m_txTrace(p.built);
        Pending sent = std::move(p);
        m_txQueue.erase(m_txQueue.begin() + i);
        if (nonPosted)
        {
            // The send callback may have answered it already (a local refusal).
            if (m_tracker.IsOutstanding(sent.header.GetTag()))
            {
                m_tracker.Issued(sent.header.GetTag());
            }
            continue;
        }
        m_stats.bytesWritten += sent.bytes;
        if (sent.last)
        {
            FinishOperation(sent.opId);
        }
    }
    m_inTrySend = false;
}

// ------------------------------------------------------------ completions

TlpRequestTracker::Outcome
TlpRequester::Receive(Ptr<const Packet> tlp)
{
    NS_LOG_FUNCTION(this << tlp);
    TlpHeader h;
    if (tlp->PeekHeader(h) == 0 || !h.IsCompletion() || h.GetRequesterId() != m_requesterId ||
        (h.HasDigest() && !TlpEcrcTrailer::Verify(tlp)))
    {
        m_stats.unexpected++;
        m_dropTrace(tlp);
        return TlpRequestTracker::NOT_OURS;
    }
    Start();
    uint16_t tag = h.GetTag();
    Time issued = m_tracker.IsOutstanding(tag) ? m_tracker.GetIssueTime(tag) : Simulator::Now();
    TlpRequestTracker::Outcome outcome = m_tracker.Receive(tlp, h);
    if (outcome == TlpRequestTracker::NOT_OURS || outcome == TlpRequestTracker::MALFORMED)
    {
        m_stats.unexpected++;
        m_dropTrace(tlp);
        return outcome;
    }
    m_stats.completions++;
    m_completionTrace(tlp, Simulator::Now() - issued);
    return outcome;
}

void
TlpRequester::RequestData(uint64_t opId, uint32_t offset, const uint8_t* data, uint32_t size)
{
    auto it = m_ops.find(opId);
    NS_ASSERT(it != m_ops.end());
    Operation& op = it->second;
    if (op.result.kind == OP_READ)
    {
        m_stats.bytesRead += size;
    }
    if (!op.data.IsNull())
    {
        op.data(opId, offset, data, size);
        return;
    }
    std::memcpy(op.result.data.data() + offset, data, size);
}

void
TlpRequester::RequestEnded(uint64_t opId, uint8_t status)
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
    TagFreed();
}

void
TlpRequester::TagFreed()
{
    TrySend();
    if (!m_ready.IsNull())
    {
        m_ready();
    }
}

void
TlpRequester::FinishOperation(uint64_t opId)
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
    if (op.result.kind != OP_WRITE && op.result.status != STATUS_MISALIGNED &&
        op.result.status != STATUS_BAD_SIZE)
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

} // namespace ns3
