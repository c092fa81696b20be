/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pcie-link.h"

#include "pcie-port.h"

#include "ns3/abort.h"
#include "ns3/enum.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cmath>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PcieLink");

NS_OBJECT_ENSURE_REGISTERED(PcieLink);

namespace
{

constexpr double PS_PER_S = 1e12;

/// What a generation's physical layer is.
struct GenerationInfo
{
    double gigaTransfers; //!< GT/s per lane
    bool encoding8b10b;   //!< 8b/10b (Gen1/2) or 128b/130b (Gen3 on)
};

const GenerationInfo GENERATIONS[] = {
    {2.5, true},
    {5.0, true},
    {8.0, false},
    {16.0, false},
    {32.0, false},
};

/// Framing of a TLP (Gen1/2: STP 1, sequence number 2, LCRC 4, END 1; Gen3 on: STP token
/// of 4 with the sequence number, LCRC 4) and of a DLLP (SDP 1, 6 bytes, END 1; Gen3 on:
/// SDP token 2, 6 bytes): 8 bytes each way.
constexpr uint32_t TLP_FRAMING = 8;
constexpr uint32_t DLLP_BYTES = 8;

/// SKP ordered sets: 4 symbols every 1538 symbol times at most (8b/10b), one block
/// every 375 blocks at most (128b/130b): the specification's clock tolerance
/// compensation has the transmitter schedule them 1180..1538 symbol times or 370..375
/// blocks apart; the longest interval, as pcie-bench's model assumes, costs least.
constexpr uint32_t SKP_INTERVAL_8B10B = 1538;
constexpr uint32_t SKP_SYMBOLS_8B10B = 4;
constexpr uint32_t SKP_INTERVAL_128B130B = 375;

/// Ack latency limits = UpdateFC latency guidelines, symbol times, by rate group
/// (2.5, 5.0, 8.0 GT/s), width (x1, x2, x4, x8, x16) and Max_Payload_Size (128..4096).
/// PCI Express Base Specification Rev. 5.0, Tables 3-7, 3-8, 3-9 and 2-46, 2-47, 2-48.
const uint16_t LATENCY_TABLE[3][5][6] = {
    {
        {237, 416, 559, 1071, 2095, 4143},
        {128, 217, 289, 545, 1057, 2081},
        {73, 118, 154, 282, 538, 1050},
        {67, 107, 86, 150, 278, 534},
        {48, 72, 86, 150, 278, 534},
    },
    {
        {288, 467, 610, 1122, 2146, 4194},
        {179, 268, 340, 596, 1108, 2132},
        {124, 169, 205, 333, 589, 1101},
        {118, 158, 137, 201, 329, 585},
        {99, 123, 137, 201, 329, 585},
    },
    {
        {333, 512, 655, 1167, 2191, 4239},
        {224, 313, 385, 641, 1153, 2177},
        {169, 214, 250, 378, 634, 1146},
        {163, 203, 182, 246, 374, 630},
        {144, 168, 182, 246, 374, 630},
    },
};

/// \return index of a width in the tables, -1 when not one of 1, 2, 4, 8, 16
int
WidthIndex(uint32_t width)
{
    switch (width)
    {
    case 1:
        return 0;
    case 2:
        return 1;
    case 4:
        return 2;
    case 8:
        return 3;
    case 16:
        return 4;
    default:
        return -1;
    }
}

/// \return index of a Max_Payload_Size in the tables, -1 when not a power of two in 128..4096
int
MpsIndex(uint32_t mps)
{
    for (int i = 0; i < 6; ++i)
    {
        if (mps == (128U << i))
        {
            return i;
        }
    }
    return -1;
}

} // namespace

TypeId
PcieLink::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::PcieLink")
            .SetParent<Channel>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<PcieLink>()
            .AddAttribute("Generation",
                          "PCI Express generation, 1..5: 2.5, 5, 8, 16 or 32 GT/s per lane "
                          "(8b/10b encoding for 1 and 2, 128b/130b from 3).",
                          UintegerValue(3),
                          MakeUintegerAccessor(&PcieLink::SetGeneration, &PcieLink::GetGeneration),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Width",
                          "Lanes: 1, 2, 4, 8 or 16.",
                          UintegerValue(8),
                          MakeUintegerAccessor(&PcieLink::SetWidth, &PcieLink::GetWidth),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Latency",
                          "Time from a TLP's last byte leaving the transmitter to its "
                          "delivery: both physical layers, the wire and the receiver's data "
                          "link layer.",
                          TimeValue(NanoSeconds(70)),
                          MakeTimeAccessor(&PcieLink::SetLatency, &PcieLink::GetLatency),
                          MakeTimeChecker(Time(0)))
            .AddAttribute(
                "Accounting",
                "What the link accounts besides TLPs: Spec (Ack and UpdateFC DLLPs on "
                "the direction they travel, SKP ordered sets) or PcieBench (the "
                "deductions of pcie-bench's model from every direction's rate).",
                EnumValue(PcieLink::SPEC),
                MakeEnumAccessor(&PcieLink::SetAccounting),
                MakeEnumChecker(PcieLink::SPEC, "Spec", PcieLink::PCIE_BENCH, "PcieBench"))
            .AddAttribute(
                "MaxPayloadSize",
                "Max_Payload_Size (bytes, 128..4096) that selects the spec's Ack "
                "latency and UpdateFC latency values.",
                UintegerValue(256),
                MakeUintegerAccessor(&PcieLink::SetMaxPayloadSize, &PcieLink::GetMaxPayloadSize),
                MakeUintegerChecker<uint32_t>())
            .AddAttribute(
                "AckLatency",
                "Longest time between Ack DLLPs while TLPs arrive (0: the spec's "
                "limit for the generation, width and Max_Payload_Size).",
                TimeValue(Time(0)),
                MakeTimeAccessor(&PcieLink::SetAckLatency, &PcieLink::GetAckLatencySetting),
                MakeTimeChecker(Time(0)))
            .AddAttribute("UpdateFcLatency",
                          "Longest time between UpdateFC DLLPs of one credit class while "
                          "credits are freed (0: the spec's guideline for the generation, "
                          "width and Max_Payload_Size).",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&PcieLink::SetUpdateFcLatency,
                                           &PcieLink::GetUpdateFcLatencySetting),
                          MakeTimeChecker(Time(0)))
            .AddAttribute(
                "SkpInterval",
                "Symbol times (8b/10b) or blocks (128b/130b) from one SKP ordered "
                "set to the next (0: the longest the spec allows, 1538 or 375).",
                UintegerValue(0),
                MakeUintegerAccessor(&PcieLink::SetSkpInterval, &PcieLink::GetSkpInterval),
                MakeUintegerChecker<uint32_t>());
    return tid;
}

PcieLink::PcieLink()
    : m_generation(3),
      m_width(8),
      m_mps(256),
      m_accounting(SPEC),
      m_latency(NanoSeconds(70)),
      m_skpInterval(0),
      m_rawBps(0),
      m_psPerByte(0),
      m_dllpPs(0),
      m_dllpWholePs(0),
      m_ackPs(0),
      m_fcPs(0),
      m_latencyPs(0),
      m_skpFraction(0),
      m_deduction(0)
{
    NS_LOG_FUNCTION(this);
    Update();
}

PcieLink::~PcieLink()
{
    NS_LOG_FUNCTION(this);
}

void
PcieLink::DoDispose()
{
    // A port released here may be deleted, and deleting an object disposes it: it must
    // no longer know the link, or it would dispose the link again from inside this.
    for (auto& port : m_ports)
    {
        if (port != nullptr)
        {
            port->DetachLink();
        }
    }
    m_ports[0] = nullptr;
    m_ports[1] = nullptr;
    Channel::DoDispose();
}

void
PcieLink::SetGeneration(uint32_t value)
{
    NS_ABORT_MSG_UNLESS(value >= 1 && value <= 5,
                        "PcieLink: attribute Generation=" << value << " must be 1..5");
    m_generation = value;
    Update();
}

uint32_t
PcieLink::GetGeneration() const
{
    return m_generation;
}

void
PcieLink::SetWidth(uint32_t value)
{
    NS_ABORT_MSG_IF(WidthIndex(value) < 0,
                    "PcieLink: attribute Width=" << value << " must be 1, 2, 4, 8 or 16");
    m_width = value;
    Update();
}

uint32_t
PcieLink::GetWidth() const
{
    return m_width;
}

void
PcieLink::SetMaxPayloadSize(uint32_t value)
{
    NS_ABORT_MSG_IF(MpsIndex(value) < 0,
                    "PcieLink: attribute MaxPayloadSize=" << value
                                                          << " must be a power of two in "
                                                             "128..4096 bytes");
    m_mps = value;
    Update();
}

uint32_t
PcieLink::GetMaxPayloadSize() const
{
    return m_mps;
}

void
PcieLink::SetLatency(Time value)
{
    m_latency = value;
    Update();
}

void
PcieLink::SetAckLatency(Time value)
{
    m_ackLatencyAttr = value;
    Update();
}

void
PcieLink::SetUpdateFcLatency(Time value)
{
    m_fcLatencyAttr = value;
    Update();
}

void
PcieLink::SetSkpInterval(uint32_t value)
{
    m_skpInterval = value;
    Update();
}

Time
PcieLink::GetAckLatencySetting() const
{
    return m_ackLatencyAttr;
}

Time
PcieLink::GetUpdateFcLatencySetting() const
{
    return m_fcLatencyAttr;
}

uint32_t
PcieLink::GetSkpInterval() const
{
    return m_skpInterval;
}

void
PcieLink::SetAccounting(Accounting value)
{
    m_accounting = value;
    Update();
}

PcieLink::Accounting
PcieLink::GetAccounting() const
{
    return m_accounting;
}

uint32_t
PcieLink::GetSpecLatencySymbols(uint32_t generation, uint32_t width, uint32_t mps)
{
    int w = WidthIndex(width);
    int m = MpsIndex(mps);
    NS_ABORT_MSG_IF(generation < 1 || generation > 5 || w < 0 || m < 0,
                    "PcieLink: no latency table entry for Gen" << generation << " x" << width
                                                               << " MPS " << mps);
    return LATENCY_TABLE[std::min<uint32_t>(generation, 3) - 1][w][m];
}

void
PcieLink::Update()
{
    const GenerationInfo& g = GENERATIONS[m_generation - 1];
    double encoding = g.encoding8b10b ? 8.0 / 10.0 : 128.0 / 130.0;
    m_rawBps = g.gigaTransfers * 1e9 * encoding * m_width;
    // A symbol time is 10 UI with 8b/10b and 8 UI with 128b/130b.
    double symbolPs = (g.encoding8b10b ? 10.0 : 8.0) * 1e3 / g.gigaTransfers;
    if (g.encoding8b10b)
    {
        uint32_t interval = m_skpInterval ? m_skpInterval : SKP_INTERVAL_8B10B;
        m_skpFraction = std::min(1.0, double(SKP_SYMBOLS_8B10B) / interval);
    }
    else
    {
        uint32_t interval = m_skpInterval ? m_skpInterval : SKP_INTERVAL_128B130B;
        m_skpFraction = std::min(1.0, 1.0 / interval);
    }
    uint32_t table = GetSpecLatencySymbols(m_generation, m_width, m_mps);
    // pcie-bench's model takes the table's symbol times as bytes on the data direction.
    m_deduction = 2.0 * DLLP_BYTES / table + double(SKP_SYMBOLS_8B10B) / SKP_INTERVAL_8B10B;
    double effective = m_rawBps * (m_accounting == SPEC ? 1.0 - m_skpFraction : 1.0 - m_deduction);
    NS_ABORT_MSG_IF(effective <= 0,
                    "PcieLink: attribute SkpInterval=" << m_skpInterval
                                                       << " leaves no time for data");
    m_psPerByte = 8.0 * PS_PER_S / effective;
    m_dllpPs = DLLP_BYTES * m_psPerByte;
    m_dllpWholePs = std::llround(m_dllpPs);
    m_ackPs = m_ackLatencyAttr.IsZero() ? std::llround(table * symbolPs)
                                        : m_ackLatencyAttr.GetPicoSeconds();
    m_fcPs = m_fcLatencyAttr.IsZero() ? std::llround(table * symbolPs)
                                      : m_fcLatencyAttr.GetPicoSeconds();
    m_latencyPs = m_latency.GetPicoSeconds();
}

DataRate
PcieLink::GetDataRate() const
{
    return DataRate(static_cast<uint64_t>(std::llround(m_rawBps)));
}

double
PcieLink::GetEffectiveBitRate() const
{
    return 8.0 * PS_PER_S / m_psPerByte;
}

uint32_t
PcieLink::GetFramingBytes() const
{
    return TLP_FRAMING;
}

uint32_t
PcieLink::GetDllpBytes() const
{
    return DLLP_BYTES;
}

Time
PcieLink::GetSymbolTime() const
{
    const GenerationInfo& g = GENERATIONS[m_generation - 1];
    return PicoSeconds(std::llround((g.encoding8b10b ? 10.0 : 8.0) * 1e3 / g.gigaTransfers));
}

Time
PcieLink::GetLatency() const
{
    return m_latency;
}

Time
PcieLink::GetAckLatency() const
{
    return PicoSeconds(m_ackPs);
}

Time
PcieLink::GetUpdateFcLatency() const
{
    return PicoSeconds(m_fcPs);
}

double
PcieLink::GetSkpFraction() const
{
    return m_skpFraction;
}

double
PcieLink::GetPcieBenchDeduction() const
{
    return m_deduction;
}

Time
PcieLink::GetSerializationTime(uint32_t tlpBytes) const
{
    return PicoSeconds(std::llround(GetSerializationPs(tlpBytes)));
}

double
PcieLink::GetSerializationPs(uint32_t tlpBytes) const
{
    return (tlpBytes + TLP_FRAMING) * m_psPerByte;
}

const PcieLink::Statistics&
PcieLink::GetStatistics(Direction dir) const
{
    return m_wire[dir].stats;
}

void
PcieLink::Attach(Ptr<PciePort> upstream, Ptr<PciePort> downstream)
{
    NS_LOG_FUNCTION(this << upstream << downstream);
    NS_ABORT_MSG_IF(m_ports[0] != nullptr, "PcieLink: already joins two ports");
    NS_ABORT_MSG_IF(upstream == nullptr || downstream == nullptr || upstream == downstream,
                    "PcieLink: Attach needs two distinct ports");
    m_ports[0] = upstream;
    m_ports[1] = downstream;
    upstream->AttachLink(this, DOWNSTREAM, downstream);
    downstream->AttachLink(this, UPSTREAM, upstream);
}

Ptr<PciePort>
PcieLink::GetUpstreamPort() const
{
    return m_ports[0];
}

Ptr<PciePort>
PcieLink::GetDownstreamPort() const
{
    return m_ports[1];
}

void
PcieLink::Occupy(Wire& w, int64_t startPs, double durationPs)
{
    if (startPs > w.freePs)
    {
        w.carryPs = 0; // the wire was idle: nothing left over
    }
    double end = double(std::max(startPs, w.freePs)) + w.carryPs + durationPs;
    w.freePs = static_cast<int64_t>(std::floor(end));
    w.carryPs = end - double(w.freePs);
}

void
PcieLink::PlaceDllps(Wire& w, int64_t readyPs)
{
    // A DLLP due before the TLP could start goes first: in the idle time before the
    // TLP if there is some, else between the previous TLP and this one.
    while (!w.dllps.empty() && w.dllps.front() <= std::max(readyPs, w.freePs))
    {
        int64_t due = w.dllps.front();
        w.dllps.pop_front();
        if (due > w.freePs)
        {
            w.freePs = due;
            w.carryPs = 0;
        }
        w.freePs += m_dllpWholePs;
    }
}

void
PcieLink::AddDllp(Wire& w, int64_t duePs)
{
    // Nearly always the latest: keep the list sorted from the back.
    auto it = w.dllps.end();
    while (it != w.dllps.begin() && *(it - 1) > duePs)
    {
        --it;
    }
    w.dllps.insert(it, duePs);
}

void
PcieLink::TrimDllps(Wire& w)
{
    // DLLPs due in the past can no longer delay a TLP: a direction that carries no
    // TLPs places them now and then, so that it keeps no backlog of them.
    if (w.dllps.size() > 8)
    {
        PlaceDllps(w, Simulator::Now().GetPicoSeconds());
    }
}

int64_t
PcieLink::Transmit(Direction dir, int64_t readyPs, uint32_t tlpBytes, int64_t gapPs)
{
    Wire& w = m_wire[dir];
    PlaceDllps(w, readyPs);
    Occupy(w, readyPs, (tlpBytes + TLP_FRAMING) * m_psPerByte);
    w.stats.tlps++;
    w.stats.tlpBytes += tlpBytes;
    int64_t arrivalPs = w.freePs + m_latencyPs;
    w.freePs += gapPs;
    if (m_accounting == SPEC && arrivalPs > w.ackDuePs)
    {
        // The receiver acknowledges what arrives within one Ack latency with one Ack.
        w.ackDuePs = arrivalPs + m_ackPs;
        Wire& back = m_wire[1 - dir];
        AddDllp(back, w.ackDuePs);
        back.stats.acks++;
        TrimDllps(back);
    }
    return arrivalPs;
}

int64_t
PcieLink::ReturnCredits(Direction dir, uint8_t flowClass, int64_t releasePs, bool waiting)
{
    Wire& w = m_wire[dir];
    Wire& back = m_wire[1 - dir];
    int64_t& due = w.fcDuePs[flowClass];
    // The receiver sends an UpdateFC at once when the transmitter has run out of
    // credits (PCIe Base Specification, flow control rules): here, when it waits for them and its
    // wire would fall idle before a coalesced UpdateFC arrived. A transmitter whose
    // wire is busy for longer does not stall.
    bool immediate = waiting && w.freePs < releasePs + m_fcPs;
    if (immediate || releasePs > due)
    {
        // A new UpdateFC: at once for a waiting transmitter, else after the guideline's
        // latency, carrying every credit freed until then.
        due = immediate ? releasePs : releasePs + m_fcPs;
        if (m_accounting == SPEC)
        {
            AddDllp(back, due);
        }
        back.stats.updateFcs++;
        TrimDllps(back);
    }
    return due + m_dllpWholePs + m_latencyPs;
}

std::size_t
PcieLink::GetNDevices() const
{
    std::size_t n = 0;
    for (const auto& port : m_ports)
    {
        n += port != nullptr && port->GetDevice() != nullptr;
    }
    return n;
}

Ptr<NetDevice>
PcieLink::GetDevice(std::size_t i) const
{
    for (const auto& port : m_ports)
    {
        if (port != nullptr && port->GetDevice() != nullptr && i-- == 0)
        {
            return port->GetDevice();
        }
    }
    return nullptr;
}

} // namespace ns3
