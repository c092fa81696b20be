/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-memory.h"

#include "exact-time.h"
#include "tlp-ecrc-trailer.h"
#include "tlp-header.h"
#include "tlp-requester.h"
#include "tlp-write-confirmation.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cstring>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpMemory");

NS_OBJECT_ENSURE_REGISTERED(TlpMemory);

TypeId
TlpMemory::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TlpMemory")
            .SetParent<Object>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<TlpMemory>()
            .AddAttribute("Base",
                          "First address the memory serves.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TlpMemory::m_base),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("Size",
                          "Bytes the memory serves (sparse: only written pages take room).",
                          UintegerValue(uint64_t(1) << 40),
                          MakeUintegerAccessor(&TlpMemory::m_size),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("CompleterId",
                          "Bus/device/function of the memory, the Completer ID of its "
                          "completions.",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TlpMemory::m_completerId),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute("AccessLatency",
                          "Time from the controller moving a read's bytes to the completion "
                          "that carries them leaving the memory (DRAM access).",
                          TimeValue(NanoSeconds(50)),
                          MakeTimeAccessor(&TlpMemory::m_accessLatency),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("Bandwidth",
                          "Bytes per second the memory controller moves, reads and writes "
                          "alike, in arrival order (0bps: unlimited; default: four channels "
                          "of DDR4-2133, 4 x 2133 MT/s x 8 bytes).",
                          DataRateValue(DataRate("68256MBps")),
                          MakeDataRateAccessor(&TlpMemory::m_bandwidth),
                          MakeDataRateChecker())
            .AddAttribute(
                "MaxPayloadSize",
                "Max_Payload_Size in bytes (128..4096, a power of two): the largest "
                "completion payload sent and write payload accepted.",
                UintegerValue(256),
                MakeUintegerAccessor(&TlpMemory::SetMaxPayloadSize, &TlpMemory::GetMaxPayloadSize),
                MakeUintegerChecker<uint32_t>())
            .AddAttribute("ReadCompletionBoundary",
                          "Read completion boundary in bytes (64 or 128): every completion of "
                          "a split read but the last ends on a multiple of it.",
                          UintegerValue(64),
                          MakeUintegerAccessor(&TlpMemory::SetReadCompletionBoundary,
                                               &TlpMemory::GetReadCompletionBoundary),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Ecrc",
                          "Append an ECRC digest (TD=1) to the completions the memory sends.",
                          BooleanValue(false),
                          MakeBooleanAccessor(&TlpMemory::m_ecrc),
                          MakeBooleanChecker())
            .AddTraceSource(
                "Write",
                "A memory write was taken: its data is visible from now on; the controller "
                "moves it until GetBusyUntil().",
                MakeTraceSourceAccessor(&TlpMemory::m_writeTrace),
                "ns3::TlpMemory::TlpTracedCallback")
            .AddTraceSource("Read",
                            "A memory read was executed.",
                            MakeTraceSourceAccessor(&TlpMemory::m_readTrace),
                            "ns3::TlpMemory::TlpTracedCallback")
            .AddTraceSource("Atomic",
                            "An AtomicOp was executed.",
                            MakeTraceSourceAccessor(&TlpMemory::m_atomicTrace),
                            "ns3::TlpMemory::TlpTracedCallback")
            .AddTraceSource("Completion",
                            "A completion was handed to the root complex (it leaves when due).",
                            MakeTraceSourceAccessor(&TlpMemory::m_completionTrace),
                            "ns3::TlpMemory::TlpTracedCallback")
            .AddTraceSource("Drop",
                            "A TLP was dropped (malformed, bad ECRC, poisoned, out of range).",
                            MakeTraceSourceAccessor(&TlpMemory::m_dropTrace),
                            "ns3::TlpMemory::DropTracedCallback");
    return tid;
}

TlpMemory::TlpMemory()
    : m_base(0),
      m_size(0),
      m_completerId(1),
      m_maxPayloadSize(256),
      m_rcb(64),
      m_ecrc(false),
      m_freePs(0),
      m_agent(UINT32_MAX)
{
    NS_LOG_FUNCTION(this);
}

TlpMemory::~TlpMemory()
{
    NS_LOG_FUNCTION(this);
}

void
TlpMemory::DoDispose()
{
    m_rc = nullptr;
    m_outbox.clear();
    Object::DoDispose();
}

void
TlpMemory::SetMaxPayloadSize(uint32_t value)
{
    NS_ABORT_MSG_UNLESS(value >= 128 && value <= 4096 && (value & (value - 1)) == 0,
                        "TlpMemory: attribute MaxPayloadSize=" << value
                                                               << " must be a power of two "
                                                                  "in 128..4096 bytes");
    m_maxPayloadSize = value;
}

uint32_t
TlpMemory::GetMaxPayloadSize() const
{
    return m_maxPayloadSize;
}

void
TlpMemory::SetReadCompletionBoundary(uint32_t value)
{
    NS_ABORT_MSG_UNLESS(value == 64 || value == 128,
                        "TlpMemory: attribute ReadCompletionBoundary=" << value
                                                                       << " must be 64 or 128");
    m_rcb = value;
}

uint32_t
TlpMemory::GetReadCompletionBoundary() const
{
    return m_rcb;
}

void
TlpMemory::Connect(Ptr<PcieRootComplex> rc)
{
    NS_LOG_FUNCTION(this << rc);
    NS_ABORT_MSG_IF(m_rc != nullptr, "TlpMemory: already part of a root complex");
    NS_ABORT_MSG_IF(m_size == 0, "TlpMemory: attribute Size=0 leaves nothing to serve");
    NS_ABORT_MSG_IF(m_base + (m_size - 1) < m_base,
                    "TlpMemory: attributes Base=0x" << std::hex << m_base << " and Size=0x"
                                                    << m_size << " wrap past 2^64");
    m_rc = rc;
    m_agent = rc->AddAgent("memory",
                           MakeCallback(&TlpMemory::Receive, this),
                           MakeCallback(&TlpMemory::Drain, this));
    rc->ClaimAddressRange(m_agent, m_base, m_size);
}

SparseMemory&
TlpMemory::GetStore()
{
    return m_store;
}

const SparseMemory&
TlpMemory::GetStore() const
{
    return m_store;
}

uint64_t
TlpMemory::GetBase() const
{
    return m_base;
}

uint64_t
TlpMemory::GetSize() const
{
    return m_size;
}

uint16_t
TlpMemory::GetCompleterId() const
{
    return m_completerId;
}

uint32_t
TlpMemory::GetAgent() const
{
    return m_agent;
}

Time
TlpMemory::GetBusyUntil() const
{
    return std::max(Simulator::Now(), PicoSeconds(m_freePs));
}

int64_t
TlpMemory::MovePs(uint64_t bytes) const
{
    uint64_t rate = m_bandwidth.GetBitRate();
    return rate == 0 ? 0 : static_cast<int64_t>((bytes * 8 * 1000000000000ULL + rate - 1) / rate);
}

int64_t
TlpMemory::Occupy(uint32_t bytes)
{
    int64_t start = std::max(Simulator::Now().GetPicoSeconds(), m_freePs);
    m_freePs = start + MovePs(bytes);
    return start;
}

bool
TlpMemory::InRange(uint64_t address, uint64_t size) const
{
    return address >= m_base && size <= m_size && address - m_base <= m_size - size;
}

Time
TlpMemory::Receive(Ptr<Packet> tlp)
{
    NS_LOG_FUNCTION(this << tlp);
    TlpHeader h;
    if (tlp->PeekHeader(h) == 0)
    {
        m_dropTrace(tlp, DROP_MALFORMED);
        return Simulator::Now();
    }
    if (h.HasDigest() && !TlpEcrcTrailer::Verify(tlp))
    {
        NS_LOG_LOGIC("ECRC mismatch, TLP dropped");
        m_dropTrace(tlp, DROP_ECRC);
        return Simulator::Now();
    }
    switch (h.GetKind())
    {
    case TlpHeader::MEM_WRITE:
        return DoWrite(h, tlp);
    case TlpHeader::MEM_READ:
    case TlpHeader::MEM_READ_LOCKED:
        return DoRead(h, tlp);
    case TlpHeader::FETCH_ADD:
    case TlpHeader::SWAP:
    case TlpHeader::CAS:
        return DoAtomic(h, tlp);
    default:
        if (h.IsRequest() && !h.IsPosted())
        {
            Reject(h, TlpHeader::UR);
        }
        else
        {
            m_dropTrace(tlp, DROP_UNSUPPORTED);
        }
        return Simulator::Now();
    }
}

Time
TlpMemory::DoWrite(const TlpHeader& h, Ptr<const Packet> tlp)
{
    uint32_t dataSize = h.GetDataSize();
    uint32_t headerSize = h.GetSerializedSize();
    if (dataSize > m_maxPayloadSize || tlp->GetSize() < headerSize + dataSize)
    {
        m_dropTrace(tlp, DROP_MALFORMED);
        return Simulator::Now();
    }
    if (h.IsPoisoned())
    {
        m_dropTrace(tlp, DROP_POISONED);
        return Simulator::Now();
    }
    uint64_t address = h.GetAddress();
    if (!InRange(h.GetFirstByteAddress(), std::max<uint32_t>(1, h.GetEnabledBytes())))
    {
        m_dropTrace(tlp, DROP_OUT_OF_RANGE);
        return Simulator::Now();
    }
    Occupy(dataSize);
    uint8_t bytes[TlpEcrcTrailer::MAX_TLP_SIZE];
    tlp->CopyData(bytes, headerSize + dataSize);
    const uint8_t* data = bytes + headerSize;
    uint32_t length = h.GetLengthDw();
    uint8_t firstBe = h.GetFirstByteEnable();
    uint8_t lastBe = length == 1 ? 0 : h.GetLastByteEnable();
    // First and last DW honour their byte enables; the DWs between are whole. Whole
    // DWs go to the store in one copy, partial ones byte by byte.
    bool firstWhole = firstBe == 0xF;
    bool lastWhole = length > 1 && lastBe == 0xF;
    uint32_t begin = firstWhole ? 0 : 4;
    uint32_t end = length == 1 ? (firstWhole ? 4 : 0) : (lastWhole ? length : length - 1) * 4;
    if (end > begin)
    {
        m_store.Write(address + begin, data + begin, end - begin);
    }
    for (uint32_t i = 0; i < 4 && !firstWhole; ++i)
    {
        if (firstBe & (1U << i))
        {
            m_store.Write(address + i, data + i, 1);
        }
    }
    if (length > 1 && !lastWhole)
    {
        uint64_t lastDw = address + (length - 1) * 4ULL;
        const uint8_t* lastData = data + (length - 1) * 4;
        for (uint32_t i = 0; i < 4; ++i)
        {
            if (lastBe & (1U << i))
            {
                m_store.Write(lastDw + i, lastData + i, 1);
            }
        }
    }
    m_writeTrace(tlp);
    if (TlpWriteConfirmation::IsRequested(h))
    {
        // The write asks for a confirmation (its TPH steering tag): confirmed once stored.
        m_outbox.push_back({m_freePs, TlpWriteConfirmation::Confirm(h, m_completerId)});
        Drain();
    }
    return PicoSeconds(m_freePs);
}

Time
TlpMemory::DoRead(const TlpHeader& h, Ptr<const Packet> tlp)
{
    uint64_t dwAddress = h.GetAddress();
    uint32_t dwBytes = h.GetLengthDw() * 4;
    if (!InRange(dwAddress, dwBytes))
    {
        Reject(h, TlpHeader::CA);
        return Simulator::Now();
    }
    m_readTrace(tlp);
    int64_t startPs = Occupy(dwBytes);
    int64_t latencyPs = m_accessLatency.GetPicoSeconds();
    uint8_t data[4096];
    m_store.Read(dwAddress, data, dwBytes);
    TlpHeader::Kind cplKind = h.GetKind() == TlpHeader::MEM_READ_LOCKED
                                  ? TlpHeader::COMPLETION_DATA_LOCKED
                                  : TlpHeader::COMPLETION_DATA;
    uint64_t first = h.GetFirstByteAddress();
    uint64_t end = first + h.GetEnabledBytes();
    if (end == first)
    {
        // Zero-length read: one DW of data, byte count 1 (PCIe 2.2.5).
        end = first + 1;
    }
    // Completions of at most MaxPayloadSize bytes, each but the last ending on a
    // multiple of the read completion boundary.
    TlpRequester::ForEachChunk(
        first,
        end - first,
        m_maxPayloadSize,
        m_rcb,
        [&](uint64_t chunkStart, uint32_t bytes, bool) {
            uint64_t chunkEnd = chunkStart + bytes;
            uint64_t dwStart = TlpHeader::AlignDown(chunkStart, 4);
            uint32_t dw = static_cast<uint32_t>((TlpHeader::AlignUp(chunkEnd, 4) - dwStart) / 4);
            TlpHeader cpl = TlpHeader::MakeCompletion(TlpHeader::SC,
                                                      m_completerId,
                                                      h.GetRequesterId(),
                                                      h.GetTag(),
                                                      static_cast<uint32_t>(end - chunkStart),
                                                      static_cast<uint8_t>(chunkStart & 0x7F),
                                                      dw);
            cpl.SetKind(cplKind);
            cpl.SetTrafficClass(h.GetTrafficClass());
            cpl.SetAttributes(h.GetAttributes());
            // This completion leaves once the controller has moved its bytes.
            uint64_t moved = TlpHeader::AlignUp(chunkEnd, 4) - dwAddress;
            QueueCompletion(cpl,
                            data + (dwStart - dwAddress),
                            dw * 4,
                            startPs + MovePs(moved) + latencyPs);
        });
    return PicoSeconds(startPs);
}

Time
TlpMemory::DoAtomic(const TlpHeader& h, Ptr<const Packet> tlp)
{
    uint32_t payload = h.GetDataSize();
    uint32_t headerSize = h.GetSerializedSize();
    TlpHeader::Kind kind = h.GetKind();
    uint32_t operand = kind == TlpHeader::CAS ? payload / 2 : payload;
    bool sizeOk = operand == 4 || operand == 8 || (kind == TlpHeader::CAS && operand == 16);
    if (!sizeOk || tlp->GetSize() < headerSize + payload)
    {
        Reject(h, TlpHeader::CA);
        m_dropTrace(tlp, DROP_MALFORMED);
        return Simulator::Now();
    }
    // The operand's first byte: the DW address plus what byte enables would add. An
    // AtomicOp's byte enable fields are reserved (0000b); a requester that put its
    // address bits 1:0 there names a misaligned operand, and executing it at the DW
    // would update other bytes than asked. Refused, as is any operand that is not
    // naturally aligned.
    uint64_t address = h.GetAddress();
    bool aligned = h.GetFirstByteEnable() == 0 && h.GetLastByteEnable() == 0 &&
                   h.GetFirstByteAddress() % operand == 0;
    if (!aligned || !InRange(address, operand) || h.IsPoisoned())
    {
        Reject(h, TlpHeader::CA);
        return Simulator::Now();
    }
    int64_t startPs = Occupy(operand);
    uint8_t bytes[16 + 32];
    tlp->CopyData(bytes, headerSize + payload);
    const uint8_t* data = bytes + headerSize;
    uint8_t old[16];
    m_store.Read(address, old, operand);
    uint8_t updated[16];
    std::memcpy(updated, old, operand);
    switch (kind)
    {
    case TlpHeader::FETCH_ADD: {
        // Arithmetic on little-endian operands of the operand size, wrapping.
        uint64_t sum = TlpRequester::LoadLe(old, operand) + TlpRequester::LoadLe(data, operand);
        TlpRequester::StoreLe(updated, operand, sum);
        break;
    }
    case TlpHeader::SWAP:
        std::memcpy(updated, data, operand);
        break;
    default: // CAS: compare value first, swap value second
        if (std::memcmp(old, data, operand) == 0)
        {
            std::memcpy(updated, data + operand, operand);
        }
        break;
    }
    m_store.Write(address, updated, operand);
    m_atomicTrace(tlp);
    TlpHeader cpl = TlpHeader::MakeCompletion(TlpHeader::SC,
                                              m_completerId,
                                              h.GetRequesterId(),
                                              h.GetTag(),
                                              operand,
                                              0,
                                              operand / 4);
    cpl.SetTrafficClass(h.GetTrafficClass());
    cpl.SetAttributes(h.GetAttributes());
    QueueCompletion(cpl,
                    old,
                    operand,
                    startPs + MovePs(operand) + m_accessLatency.GetPicoSeconds());
    return PicoSeconds(startPs);
}

void
TlpMemory::Reject(const TlpHeader& h, uint8_t status)
{
    TlpHeader cpl = TlpHeader::MakeCompletionFor(h,
                                                 static_cast<TlpHeader::CompletionStatus>(status),
                                                 m_completerId);
    QueueCompletion(cpl, nullptr, 0, (Simulator::Now() + m_accessLatency).GetPicoSeconds());
}

void
TlpMemory::QueueCompletion(const TlpHeader& cpl, const uint8_t* data, uint32_t size, int64_t duePs)
{
    Ptr<Packet> p = data != nullptr ? Create<Packet>(data, size) : Create<Packet>();
    TlpHeader h = cpl;
    h.SetDigest(m_ecrc);
    p->AddHeader(h);
    if (m_ecrc)
    {
        TlpEcrcTrailer::Append(p);
    }
    m_outbox.push_back({duePs, p});
    Drain();
}

void
TlpMemory::Drain()
{
    // The root complex holds a completion until it is due: no event of our own.
    while (!m_outbox.empty())
    {
        Time delay = DelayUntilPicoSeconds(m_outbox.front().duePs);
        if (m_rc == nullptr || !m_rc->Send(m_agent, m_outbox.front().tlp, delay))
        {
            return; // the ready callback resumes
        }
        m_completionTrace(m_outbox.front().tlp);
        m_outbox.pop_front();
    }
}

} // namespace ns3
