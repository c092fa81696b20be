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
                          MakeUintegerAccessor(&TlpCpu::SetRequesterId, &TlpCpu::GetRequesterId),
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
                          MakeBooleanAccessor(&TlpCpu::SetEcrc, &TlpCpu::GetEcrc),
                          MakeBooleanChecker())
            .AddAttribute(
                "WriteConfirmation",
                "Writes ask for a write confirmation (TLP Processing Hints with the "
                "steering tag of TlpWriteConfirmation); who confirms is the window's "
                "choice. Confirmations reach the Confirmation trace and callback.",
                BooleanValue(false),
                MakeBooleanAccessor(&TlpCpu::SetWriteConfirmation, &TlpCpu::GetWriteConfirmation),
                MakeBooleanChecker())
            .AddAttribute("TrafficClass",
                          "Traffic class (TC) of the requests.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TlpCpu::SetTrafficClass, &TlpCpu::GetTrafficClass),
                          MakeUintegerChecker<uint8_t>(0, 7))
            .AddAttribute(
                "CompletionTimeout",
                "Time after which a non-posted request without its completions ends "
                "with status timeout (PCIe default range 50 us to 50 ms).",
                TimeValue(MilliSeconds(50)),
                MakeTimeAccessor(&TlpCpu::SetCompletionTimeout, &TlpCpu::GetCompletionTimeout),
                MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("TagQuarantine",
                          "Time a tag whose request timed out rests before it is used again, "
                          "so that a late completion is not taken for a new request's: it is "
                          "dropped and counted as unexpected.",
                          TimeValue(MilliSeconds(50)),
                          MakeTimeAccessor(&TlpCpu::SetTagQuarantine, &TlpCpu::GetTagQuarantine),
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
                            "A TLP was dropped: not a completion, bad ECRC, no matching "
                            "request, or a confirmation of no write.",
                            MakeTraceSourceAccessor(&TlpCpu::m_dropTrace),
                            "ns3::TlpCpu::TlpTracedCallback");
    return tid;
}

TlpCpu::TlpCpu()
    : m_agent(UINT32_MAX),
      m_requester(CreateObject<TlpRequester>()),
      m_unmatched(0),
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
      m_inStream(false)
{
    NS_LOG_FUNCTION(this);
    m_requester->SetSendCallback(MakeCallback(&TlpCpu::SendTlp, this));
    m_requester->SetReadyCallback(MakeCallback(&TlpCpu::Pump, this));
    m_requester->TraceConnectWithoutContext("Completion",
                                            MakeCallback(&TlpCpu::CompletionTaken, this));
    m_requester->TraceConnectWithoutContext("Drop", MakeCallback(&TlpCpu::Dropped, this));
    m_requester->TraceConnectWithoutContext("Operation",
                                            MakeCallback(&TlpCpu::OperationEnded, this));
}

TlpCpu::~TlpCpu()
{
    NS_LOG_FUNCTION(this);
}

void
TlpCpu::DoDispose()
{
    m_rc = nullptr;
    m_requester->Dispose();
    m_streamEvent.Cancel();
    Application::DoDispose();
}

void
TlpCpu::SetRequesterId(uint16_t value)
{
    m_requester->SetRequesterId(value);
}

void
TlpCpu::SetMaxPayloadSize(uint32_t value)
{
    TlpRequester::CheckTransferSize("TlpCpu", "MaxPayloadSize", value);
    m_requester->SetMaxPayloadSize(value);
}

uint32_t
TlpCpu::GetMaxPayloadSize() const
{
    return m_requester->GetMaxPayloadSize();
}

void
TlpCpu::SetMaxReadRequestSize(uint32_t value)
{
    TlpRequester::CheckTransferSize("TlpCpu", "MaxReadRequestSize", value);
    m_requester->SetMaxReadRequestSize(value);
}

uint32_t
TlpCpu::GetMaxReadRequestSize() const
{
    return m_requester->GetMaxReadRequestSize();
}

void
TlpCpu::SetTags(uint32_t value)
{
    NS_ABORT_MSG_UNLESS(value >= 1 && value <= TlpRequestTracker::MAX_TAGS,
                        "TlpCpu: attribute Tags=" << value << " must be in 1.."
                                                  << TlpRequestTracker::MAX_TAGS);
    NS_ABORT_MSG_IF(m_rc != nullptr, "TlpCpu: attribute Tags cannot change after Connect()");
    m_requester->SetTags(value);
}

uint32_t
TlpCpu::GetTags() const
{
    return m_requester->GetTags();
}

void
TlpCpu::SetCompletionTimeout(Time value)
{
    m_requester->SetCompletionTimeout(value);
}

Time
TlpCpu::GetCompletionTimeout() const
{
    return m_requester->GetCompletionTimeout();
}

void
TlpCpu::SetTagQuarantine(Time value)
{
    m_requester->SetTagQuarantine(value);
}

Time
TlpCpu::GetTagQuarantine() const
{
    return m_requester->GetTagQuarantine();
}

void
TlpCpu::SetTrafficClass(uint8_t value)
{
    m_requester->SetTrafficClass(value);
}

uint8_t
TlpCpu::GetTrafficClass() const
{
    return m_requester->GetTrafficClass();
}

void
TlpCpu::SetEcrc(bool value)
{
    m_requester->SetEcrc(value);
}

bool
TlpCpu::GetEcrc() const
{
    return m_requester->GetEcrc();
}

void
TlpCpu::SetWriteConfirmation(bool value)
{
    m_requester->SetWriteConfirmation(value);
}

bool
TlpCpu::GetWriteConfirmation() const
{
    return m_requester->GetWriteConfirmation();
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
    rc->ClaimRequesterId(m_agent, GetRequesterId());
}

uint16_t
TlpCpu::GetRequesterId() const
{
    return m_requester->GetRequesterId();
}

const TlpCpu::Statistics&
TlpCpu::GetStatistics() const
{
    static_cast<TlpRequester::Statistics&>(m_stats) = m_requester->GetStatistics();
    m_stats.unexpected += m_unmatched;
    return m_stats;
}

Ptr<TlpRequester>
TlpCpu::GetRequester() const
{
    return m_requester;
}

uint64_t
TlpCpu::GetPendingOperations() const
{
    return m_requester->GetPendingOperations();
}

uint64_t
TlpCpu::Write(uint64_t address, std::vector<uint8_t> data, DoneCallback done)
{
    NS_LOG_FUNCTION(this << address << data.size());
    NS_ABORT_MSG_IF(m_rc == nullptr, "TlpCpu: operation before Connect()");
    return m_requester->Write(address, data.data(), static_cast<uint32_t>(data.size()), done);
}

uint64_t
TlpCpu::Read(uint64_t address, uint32_t size, DoneCallback done)
{
    NS_LOG_FUNCTION(this << address << size);
    NS_ABORT_MSG_IF(m_rc == nullptr, "TlpCpu: operation before Connect()");
    return m_requester->Read(address, size, done);
}

uint64_t
TlpCpu::FetchAdd(uint64_t address, uint64_t addend, uint32_t size, DoneCallback done)
{
    NS_ABORT_MSG_IF(m_rc == nullptr, "TlpCpu: operation before Connect()");
    return m_requester->FetchAdd(address, addend, size, done);
}

uint64_t
TlpCpu::Swap(uint64_t address, uint64_t value, uint32_t size, DoneCallback done)
{
    NS_ABORT_MSG_IF(m_rc == nullptr, "TlpCpu: operation before Connect()");
    return m_requester->Swap(address, value, size, done);
}

uint64_t
TlpCpu::CompareAndSwap(uint64_t address,
                       uint64_t compare,
                       uint64_t swap,
                       uint32_t size,
                       DoneCallback done)
{
    NS_ABORT_MSG_IF(m_rc == nullptr, "TlpCpu: operation before Connect()");
    return m_requester->CompareAndSwap(address, compare, swap, size, done);
}

bool
TlpCpu::SendTlp(Ptr<Packet> tlp, const TlpHeader& h, uint64_t op)
{
    if (m_rc == nullptr || !m_rc->Send(m_agent, tlp))
    {
        return false; // the ready callback resumes
    }
    m_txTrace(tlp);
    if (h.IsPosted() && GetWriteConfirmation())
    {
        AwaitConfirmation(h.GetFirstByteAddress(), h.GetEnabledBytes());
    }
    return true;
}

void
TlpCpu::Pump()
{
    m_requester->TrySend();
    if (m_requester->GetQueued() == 0 && m_streamActive && !m_streamEvent.IsRunning())
    {
        IssueStream();
    }
}

void
TlpCpu::DiscardData(uint64_t op, uint32_t offset, const uint8_t* data, uint32_t size)
{
}

void
TlpCpu::CompletionTaken(Ptr<const Packet> tlp, Time latency)
{
    m_completionTrace(tlp, latency);
}

void
TlpCpu::Dropped(Ptr<const Packet> tlp)
{
    m_dropTrace(tlp);
}

void
TlpCpu::OperationEnded(const Result& result)
{
    m_operationTrace(result);
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
    Time timeout = GetCompletionTimeout();
    while (!m_awaitOrder.empty() && m_awaitOrder.front().first + timeout < now)
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
    if (!TlpWriteConfirmation::Parse(tlp, h, writer, address, bytes) || writer != GetRequesterId())
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
            m_unmatched++;
            m_dropTrace(tlp);
        }
        return Simulator::Now();
    }
    m_requester->Receive(tlp); // it counts and traces what it drops
    return Simulator::Now();
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
    while (m_streamActive && m_streamIssued < m_streamCount && m_requester->GetQueued() == 0)
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
            m_requester->Read(address,
                              m_streamSize,
                              DoneCallback(),
                              MakeCallback(&TlpCpu::DiscardData, this));
        }
        else
        {
            PatternFill(address, m_streamSeed, m_scratch.data(), m_streamSize);
            m_requester->Write(address, m_scratch.data(), m_streamSize, DoneCallback());
        }
    }
    m_inStream = false;
}

} // namespace ns3
