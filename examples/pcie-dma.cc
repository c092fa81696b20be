/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * What pcie-bench measures (Neugebauer et al., "Understanding PCIe performance for
 * end host networking", SIGCOMM 2018): a device on a root port moving data to and
 * from host memory by DMA. A stream of transfers of --size bytes over an 8 KiB
 * window of host memory (below 4 GiB with --addr=32, so 3DW requests; above with
 * --addr=64, 4DW) gives the bandwidth; then transfers one at a time give the
 * latency. The example prints
 *
 *   dma <direction> <size> B: simulated X GB/s analytical Y GB/s latency Z ns
 *
 * where the analytical bandwidth is the specification's formula with every overhead
 * the model applies: per TLP its header and 8 bytes of framing, TLPs split at
 * Max_Payload_Size (writes and completions) and Max_Read_Request_Size (reads); with
 * --accounting=spec the SKP ordered sets, and for reads the Ack and UpdateFC DLLPs
 * that share the completions' direction; with --accounting=pcie-bench the deductions
 * of pcie-bench's model instead. It is bounded by the device's DMA engine (one
 * transfer per ReadCost or WriteCost, MaxOutstanding reads in flight over the unloaded
 * latency) and by the memory controller's bandwidth. The analytical latency follows
 * the stages: the requests on the link, the root complex, the memory, the
 * completions on the link. The example exits non-zero when the simulated bandwidth
 * differs from the analytical one, or from --expect (a bandwidth in Gb/s), by more
 * than --tolerance, or the latency from its formula by more than 1 % and 3 ns.
 *
 * --device=host (the default) uses the DMA engine, link and host calibrated against
 * pcie-bench's measurements of an NFP6000 in a Xeon E5-2637 v3 host; --device=ideal
 * has an engine without limits, as pcie-bench's model assumes.
 *
 *   ./tlp-tunnel.sh run pcie-dma --gen=3 --width=8 --size=512 --direction=read
 *   ./tlp-tunnel.sh run pcie-dma --accounting=pcie-bench --device=ideal --size=64
 */

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("PcieDmaExample");

namespace
{

/// The scenario.
struct Scenario
{
    uint32_t generation = 3; //!< PCIe generation
    uint32_t width = 8;      //!< lanes
    uint32_t size = 512;     //!< bytes per transfer
    bool read = true;        //!< direction
    bool pcieBench = false;  //!< accounting
    bool addr64 = true;      //!< host buffer above 4 GiB
    uint64_t count = 20000;  //!< transfers of the bandwidth run
    bool ideal = false;      //!< DMA engine without limits
    uint32_t mps = 256;      //!< Max_Payload_Size
    uint32_t mrrs = 512;     //!< Max_Read_Request_Size
    uint32_t rcb = 64;       //!< read completion boundary
};

/// The parts of one run.
struct Host
{
    Ptr<PcieRootComplex> rc; //!< root complex
    Ptr<TlpMemory> memory;   //!< memory controller
    Ptr<PcieLink> link;      //!< the device's link
    Ptr<PciePort> rootPort;  //!< its upstream end
    Ptr<PciePort> port;      //!< the device's end
    Ptr<PcieDmaEngine> dma;  //!< the device
};

/**
 * The engine's defaults are those of pcie-bench's NFP6000 (see PcieDmaEngine);
 * --device=host adds what the Xeon E5-2637 v3 host and the NFP's PCIe controller
 * leave between TLPs; --device=ideal has none of either, as pcie-bench's model.
 */
void
Calibrate(const Scenario& c, Host& h)
{
    if (c.ideal)
    {
        h.dma->SetAttribute("ReadCost", TimeValue(Time(0)));
        h.dma->SetAttribute("WriteCost", TimeValue(Time(0)));
        h.dma->SetAttribute("MaxOutstanding", UintegerValue(0));
        h.dma->SetAttribute("Latency", TimeValue(Time(0)));
        h.dma->SetAttribute("CopyRate", DataRateValue(DataRate(0)));
        return;
    }
    h.rootPort->SetAttribute("TlpGap", TimeValue(NanoSeconds(2)));
    h.port->SetAttribute("TlpGap", TimeValue(NanoSeconds(2)));
}

Host
Build(const Scenario& c)
{
    Host h;
    h.rc = CreateObject<PcieRootComplex>();
    h.memory = CreateObject<TlpMemory>();
    h.memory->SetAttribute("MaxPayloadSize", UintegerValue(c.mps));
    h.memory->SetAttribute("ReadCompletionBoundary", UintegerValue(c.rcb));
    h.memory->Connect(h.rc);
    h.link = CreateObject<PcieLink>();
    h.link->SetAttribute("Generation", UintegerValue(c.generation));
    h.link->SetAttribute("Width", UintegerValue(c.width));
    h.link->SetAttribute("MaxPayloadSize", UintegerValue(c.mps));
    h.link->SetAttribute("Accounting",
                         EnumValue(c.pcieBench ? PcieLink::PCIE_BENCH : PcieLink::SPEC));
    h.port = CreateObject<PciePort>();
    h.port->SetName("dma");
    h.rootPort = h.rc->AddRootPort("dma");
    h.dma = CreateObject<PcieDmaEngine>();
    h.dma->SetAttribute("MaxPayloadSize", UintegerValue(c.mps));
    h.dma->SetAttribute("MaxReadRequestSize", UintegerValue(c.mrrs));
    Calibrate(c, h);
    h.link->Attach(h.rootPort, h.port);
    h.dma->Attach(h.port);
    return h;
}

/// Host buffer base: 256 MiB (3DW requests) or 4 GiB (4DW).
uint64_t
BufferBase(const Scenario& c)
{
    return c.addr64 ? 0x100000000ULL : 0x10000000ULL;
}

/// The stream's window: 8 KiB, or one slot.
uint64_t
WindowSize(const Scenario& c)
{
    return std::max<uint64_t>(8192, TlpHeader::AlignUp(c.size, PcieDmaEngine::CACHE_LINE));
}

/// The stream's slots: the size rounded up to a cache line (PcieDmaEngine::Stream).
uint64_t
SlotSize(const Scenario& c)
{
    return TlpHeader::AlignUp(c.size, PcieDmaEngine::CACHE_LINE);
}

/// Bytes moved, observed at one place: payload after the first TLP over the time span.
struct Meter
{
    uint64_t tlps = 0;  //!< TLPs seen
    uint64_t bytes = 0; //!< payload after the first
    Time first;         //!< first
    Time last;          //!< last

    void Add(uint32_t bytesSeen)
    {
        if (tlps++ == 0)
        {
            first = Simulator::Now();
        }
        else
        {
            bytes += bytesSeen;
        }
        last = Simulator::Now();
    }

    void Write(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        Add(h.GetEnabledBytes());
    }

    void Transfer(uint32_t size, Time)
    {
        Add(size);
    }

    double BytesPerSecond() const
    {
        return tlps > 1 ? bytes / (last - first).GetSeconds() : 0;
    }
};

/// Simulated bandwidth of a stream, bytes per second.
double
RunBandwidth(const Scenario& c, uint64_t* errors)
{
    Host h = Build(c);
    Meter meter;
    if (c.read)
    {
        h.dma->TraceConnectWithoutContext("Transfer", MakeCallback(&Meter::Transfer, &meter));
    }
    else
    {
        h.memory->TraceConnectWithoutContext("Write", MakeCallback(&Meter::Write, &meter));
    }
    uint64_t window = WindowSize(c);
    h.dma->Stream(c.read, BufferBase(c), window, c.size, c.count);
    Simulator::Run();
    *errors = h.dma->GetStatistics().errors + (h.dma->GetStatistics().transfers != c.count);
    if (!c.read)
    {
        // Each slot holds what the last transfer to it wrote: the engine's pattern.
        uint64_t unit = SlotSize(c);
        for (uint64_t slot = 0; slot < std::min<uint64_t>(window / unit, c.count); ++slot)
        {
            for (uint64_t a = BufferBase(c) + slot * unit; a < BufferBase(c) + slot * unit + c.size;
                 ++a)
            {
                *errors += h.memory->GetStore().ReadByte(a) != TlpCpu::PatternByte(a, 7);
            }
        }
    }
    Simulator::Destroy();
    return meter.BytesPerSecond();
}

/// One transfer at a time: its latency, from its start to its data in memory (writes)
/// or in the device (reads).
struct Sequential
{
    Host h;
    Scenario c;
    uint32_t left = 0; //!< transfers still to do
    Time start;        //!< of the current one
    Time sum;          //!< of their latencies
    uint32_t done = 0; //!< transfers measured

    void Next()
    {
        if (left-- == 0)
        {
            return;
        }
        start = Simulator::Now();
        h.dma->Transfer(c.read, BufferBase(c), c.size, MakeCallback(&Sequential::ReadDone, this));
    }

    void ReadDone(uint8_t status, Time latency)
    {
        if (c.read)
        {
            Ended(latency);
        }
    }

    void Write(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        if (h.GetFirstByteAddress() + h.GetEnabledBytes() == BufferBase(c) + c.size)
        {
            Ended(Simulator::Now() - start);
        }
    }

    void Ended(Time latency)
    {
        sum += latency;
        done++;
        // Let the link and the root complex drain before the next one.
        Simulator::Schedule(MicroSeconds(5), &Sequential::Next, this);
    }
};

Time
RunLatency(const Scenario& c)
{
    Sequential s;
    s.c = c;
    s.h = Build(c);
    s.left = 10;
    if (!c.read)
    {
        s.h.memory->TraceConnectWithoutContext("Write", MakeCallback(&Sequential::Write, &s));
    }
    Simulator::ScheduleNow(&Sequential::Next, &s);
    Simulator::Run();
    Time mean = s.done ? s.sum / int64_t(s.done) : Time(0);
    Simulator::Destroy();
    return mean;
}

/// The analytical figures of a configuration, from the specification's numbers.
struct Analytical
{
    double bandwidth = 0; //!< bytes per second
    double latencyPs = 0; //!< one transfer alone
};

/// A piece of a transfer: its first byte and its length.
struct Chunk
{
    uint64_t address; //!< first byte
    uint32_t bytes;   //!< length
};

/**
 * Pieces of a transfer of `size` bytes at `address`: none longer than `most`, each
 * but the last ending on a multiple of `boundary` (requests: most = boundary = MPS or
 * MRRS; completions: most = MPS, boundary = RCB).
 */
std::vector<Chunk>
Chunks(uint64_t address, uint32_t size, uint32_t most, uint32_t boundary)
{
    std::vector<Chunk> chunks;
    for (uint64_t a = address, end = address + size; a < end;)
    {
        uint64_t stop = std::min(end, (a + most) / boundary * boundary);
        chunks.push_back({a, static_cast<uint32_t>(stop - a)});
        a = stop;
    }
    return chunks;
}

/// \return the data bytes a TLP carries for a chunk: the whole DWs it touches
uint32_t
DataBytes(const Chunk& chunk)
{
    return static_cast<uint32_t>(TlpHeader::AlignUp(chunk.address + chunk.bytes, 4) -
                                 TlpHeader::AlignDown(chunk.address, 4));
}

/**
 * Acks (or UpdateFCs) per transfer when a receiver gets a burst of TLPs once per
 * period and acknowledges what arrives within `latency` of the first unacknowledged
 * one with one DLLP: one DLLP per floor(latency / period) + 1 periods.
 */
double
DllpsPerTransfer(double latencyPs, double periodPs)
{
    return 1.0 / (std::floor(latencyPs / periodPs) + 1);
}

/// What one transfer puts on the link, by direction, picoseconds and TLPs.
struct Load
{
    double upPs = 0;        //!< the device's direction: its TLPs and their gaps
    double downPs = 0;      //!< the root port's direction
    double requests = 0;    //!< reads: requests
    double completions = 0; //!< reads: completions
    double latencyPs = 0;   //!< one transfer alone: from its start to its end
};

Analytical
Analyze(const Scenario& c, const Host& h)
{
    // Link: GT/s x width x encoding, less the SKP ordered sets (one block every 375,
    // or 4 symbols every 1538 symbol times) or less pcie-bench's deductions
    // (8/AckLimit + 8/UpdateFcLimit + 4/1538, its limits taken as bytes).
    bool gen12 = c.generation <= 2;
    double gt = std::vector<double>{2.5, 5, 8, 16, 32}[c.generation - 1];
    double raw = gt * 1e9 * (gen12 ? 0.8 : 128.0 / 130.0) * c.width;
    double symbolPs = (gen12 ? 10.0 : 8.0) * 1e3 / gt;
    uint32_t table = PcieLink::GetSpecLatencySymbols(c.generation, c.width, c.mps);
    double skp = gen12 ? 4.0 / 1538 : 1.0 / 375;
    double deduction = 16.0 / table + 4.0 / 1538;
    double rate = raw * (1 - (c.pcieBench ? deduction : skp));
    double psPerByte = 8e12 / rate;
    double dllpPs = 8 * psPerByte;
    double ackPs = table * symbolPs; // Ack latency = UpdateFC latency guideline
    const uint32_t framing = 8;
    uint32_t header = c.addr64 ? 16 : 12;
    double linkPs = h.link->GetLatency().GetPicoSeconds();
    double rcPs = h.rc->GetLatency().GetPicoSeconds();
    DataRateValue memoryRate;
    h.memory->GetAttribute("Bandwidth", memoryRate);
    double memoryPsPerByte =
        memoryRate.Get().GetBitRate() ? 8e12 / memoryRate.Get().GetBitRate() : 0;
    TimeValue access;
    h.memory->GetAttribute("AccessLatency", access);
    TimeValue costValue;
    h.dma->GetAttribute(c.read ? "ReadCost" : "WriteCost", costValue);
    double costPs = costValue.Get().GetPicoSeconds();
    TimeValue deviceLatency;
    h.dma->GetAttribute("Latency", deviceLatency);
    DataRateValue copyRate;
    h.dma->GetAttribute("CopyRate", copyRate);
    double copyPs = copyRate.Get().GetBitRate() ? c.size * 8e12 / copyRate.Get().GetBitRate() : 0;
    TimeValue upGap;
    h.port->GetAttribute("TlpGap", upGap);
    TimeValue downGap;
    h.rootPort->GetAttribute("TlpGap", downGap);
    double upGapPs = upGap.Get().GetPicoSeconds();
    double downGapPs = downGap.Get().GetPicoSeconds();
    UintegerValue outstanding;
    h.dma->GetAttribute("MaxOutstanding", outstanding);
    UintegerValue tags;
    h.dma->GetAttribute("Tags", tags);
    double memoryPs = TlpHeader::AlignUp(c.size, 4) * memoryPsPerByte;

    // One transfer at `address`: its TLPs on each direction and, alone, its latency.
    auto load = [&](uint64_t address) {
        Load l;
        if (!c.read)
        {
            // The writes' direction carries the MWr TLPs alone (their Acks and
            // UpdateFCs go the other way).
            for (const Chunk& chunk : Chunks(address, c.size, c.mps, c.mps))
            {
                l.upPs += (header + framing + DataBytes(chunk)) * psPerByte + upGapPs;
            }
            l.latencyPs = copyPs + l.upPs - upGapPs + linkPs + rcPs;
            return l;
        }
        // Reads: the unloaded latency, stage by stage.
        double memoryFree = 0;
        double downFree = 0;
        double lastArrival = 0;
        for (const Chunk& request : Chunks(address, c.size, c.mrrs, c.mrrs))
        {
            double atMemory = l.upPs + (header + framing) * psPerByte + linkPs + rcPs;
            l.upPs += (header + framing) * psPerByte + upGapPs;
            l.requests++;
            double start = std::max(atMemory, memoryFree);
            memoryFree = start + TlpHeader::AlignUp(request.bytes, 4) * memoryPsPerByte;
            double moved = 0;
            for (const Chunk& chunk : Chunks(request.address, request.bytes, c.mps, c.rcb))
            {
                moved += chunk.bytes;
                double due = start + moved * memoryPsPerByte + access.Get().GetPicoSeconds();
                double wire = (12 + framing + DataBytes(chunk)) * psPerByte;
                double leave = std::max(due + rcPs, downFree);
                lastArrival = leave + wire + linkPs;
                downFree = leave + wire + downGapPs;
                l.downPs += wire + downGapPs;
                l.completions++;
            }
        }
        l.latencyPs = lastArrival + deviceLatency.Get().GetPicoSeconds() + copyPs;
        return l;
    };

    // The stream takes the window's slots in turn: its load per transfer is their
    // mean (a transfer that is not aligned as its size takes more TLPs); the latency
    // is that of a transfer at the window's base, where the latency run places them.
    uint64_t base = BufferBase(c);
    uint64_t slots = std::min<uint64_t>(WindowSize(c) / SlotSize(c), c.count);
    Load mean;
    for (uint64_t i = 0; i < slots; ++i)
    {
        Load l = load(base + i * SlotSize(c));
        mean.upPs += l.upPs / slots;
        mean.downPs += l.downPs / slots;
        mean.requests += l.requests / slots;
        mean.completions += l.completions / slots;
    }
    Analytical a;
    a.latencyPs = load(base).latencyPs;
    if (!c.read)
    {
        a.bandwidth = c.size * 1e12 / std::max({mean.upPs, costPs, memoryPs});
        return a;
    }
    // Bandwidth: the busiest of the completions' direction (with, in spec
    // accounting, the Acks of the read requests and the root port's UpdateFCs for
    // their credits), the requests' direction (with the Acks of the completions),
    // the engine, the memory, and the reads in flight over their latency.
    double inFlight = std::floor(tags.Get() / mean.requests);
    if (outstanding.Get() != 0)
    {
        inFlight = std::min(inFlight, static_cast<double>(outstanding.Get()));
    }
    // An engine limited by its tags alone issues a request whenever a tag frees, so
    // the requests arrive evenly spread; one that starts whole transfers sends each
    // transfer's requests together.
    double burstsPerTransfer = outstanding.Get() == 0 && costPs == 0 ? mean.requests : 1;
    double periodPs = std::max({mean.downPs, mean.upPs, costPs, memoryPs});
    for (int i = 0; i < 20 && !c.pcieBench; ++i)
    {
        double down = mean.downPs + 2 * dllpPs * burstsPerTransfer *
                                        DllpsPerTransfer(ackPs, periodPs / burstsPerTransfer);
        double up = mean.upPs + dllpPs * mean.completions *
                                    DllpsPerTransfer(ackPs, periodPs / mean.completions);
        periodPs = std::max({down, up, costPs, memoryPs, a.latencyPs / inFlight});
    }
    periodPs = std::max(periodPs, a.latencyPs / inFlight);
    a.bandwidth = c.size * 1e12 / periodPs;
    return a;
}

} // namespace

int
main(int argc, char* argv[])
{
    Scenario c;
    std::string direction = "read";
    std::string accounting = "spec";
    std::string device = "host";
    uint32_t addr = 64;
    double tolerance = 0.01;
    double expect = 0;

    CommandLine cmd(__FILE__);
    cmd.AddValue("gen", "PCIe generation, 1..5", c.generation);
    cmd.AddValue("width", "lanes: 1, 2, 4, 8, 16", c.width);
    cmd.AddValue("size", "bytes per transfer (pcie-bench: 64..4096)", c.size);
    cmd.AddValue("direction", "read (device reads host memory) or write", direction);
    cmd.AddValue("accounting", "spec or pcie-bench (the link's Accounting)", accounting);
    cmd.AddValue("addr", "32 (host buffer below 4 GiB: 3DW requests) or 64 (4DW)", addr);
    cmd.AddValue("count", "transfers of the bandwidth run", c.count);
    cmd.AddValue("device", "host (calibrated NFP6000 and Xeon E5-2637 v3) or ideal", device);
    cmd.AddValue("mps", "Max_Payload_Size", c.mps);
    cmd.AddValue("mrrs", "Max_Read_Request_Size", c.mrrs);
    cmd.AddValue("tolerance", "largest relative difference accepted", tolerance);
    cmd.AddValue("expect", "a reference bandwidth in Gb/s to agree with (0: none)", expect);
    cmd.Parse(argc, argv);
    if ((direction != "read" && direction != "write") ||
        (accounting != "spec" && accounting != "pcie-bench") || (addr != 32 && addr != 64) ||
        (device != "host" && device != "ideal"))
    {
        std::cerr << "pcie-dma: --direction=read|write --accounting=spec|pcie-bench "
                     "--addr=32|64 --device=host|ideal\n";
        return 2;
    }
    if (c.size == 0 || c.size > 65536 || c.count < 2)
    {
        std::cerr << "pcie-dma: --size=" << c.size << " must be in 1..65536 and --count=" << c.count
                  << " at least 2\n";
        return 2;
    }
    c.read = direction == "read";
    c.pcieBench = accounting == "pcie-bench";
    c.addr64 = addr == 64;
    c.ideal = device == "ideal";

    uint64_t errors = 0;
    double simulated = RunBandwidth(c, &errors);
    Time latency = RunLatency(c);
    Host h = Build(c);
    Analytical a = Analyze(c, h);
    Simulator::Destroy();

    double ratio = simulated / a.bandwidth;
    double latencyRatio = latency.GetPicoSeconds() / a.latencyPs;
    std::cout << std::fixed << std::setprecision(3) << "dma " << direction << " " << c.size
              << " B: simulated " << simulated / 1e9 << " GB/s analytical " << a.bandwidth / 1e9
              << " GB/s latency " << latency.GetNanoSeconds() << " ns\n";
    std::cout << "  Gen" << c.generation << " x" << c.width << ", accounting " << accounting
              << ", device " << device << ", " << addr << "-bit addresses: " << std::setprecision(2)
              << simulated * 8 / 1e9 << " Gb/s simulated, " << a.bandwidth * 8 / 1e9
              << " Gb/s analytical (ratio " << std::setprecision(4) << ratio
              << "), latency analytical " << std::setprecision(0) << a.latencyPs / 1e3
              << " ns (ratio " << std::setprecision(4) << latencyRatio << ")\n";
    // Events fire at the first nanosecond after their exact time, once per hop: the
    // latency agrees within 1 % or 3 ns.
    double latencyError = std::fabs(latency.GetPicoSeconds() - a.latencyPs);
    bool ok = errors == 0 && std::fabs(ratio - 1) <= tolerance &&
              latencyError <= std::max(0.01 * a.latencyPs, 3000.0);
    if (expect > 0)
    {
        double vsReference = simulated * 8 / 1e9 / expect;
        std::cout << "  reference " << std::setprecision(2) << expect << " Gb/s: ratio "
                  << std::setprecision(4) << vsReference << "\n";
        ok = ok && std::fabs(vsReference - 1) <= tolerance;
    }
    if (errors != 0)
    {
        std::cout << "  errors: " << errors << "\n";
    }
    return ok ? 0 : 1;
}
