/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * One compute node: the CPU streams writes, then reads, to the memory controller of
 * its root complex, then reads once with nothing else going on. The CPU's own
 * accesses never cross PCIe, so the bandwidth is the memory controller's and the
 * latency that of the root complex and the memory:
 *
 *   bandwidth = the memory's Bandwidth attribute
 *   latency   = 2 x root complex Latency + AccessLatency + payload / Bandwidth
 *
 * The example prints both next to what it measured, checks the memory image the
 * writes left, and exits non-zero when a figure differs by more than 1 % or the
 * image is wrong.
 *
 *   ./tlp-tunnel.sh run local-memory --payload=128 --count=50000
 */

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <cmath>
#include <iomanip>
#include <iostream>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("LocalMemoryExample");

namespace
{

/// Throughput of a stream of TLPs observed at one point: bytes after the first
/// TLP divided by the time from the first to the last.  Writes are timed when the
/// controller has moved them, not when its queue took them (a burst shorter than
/// its queue would otherwise look infinitely fast).
struct Meter
{
    uint64_t tlps = 0;  //!< TLPs seen
    uint64_t bytes = 0; //!< payload bytes after the first TLP
    Time first;         //!< first TLP
    Time last;          //!< last TLP

    void Add(uint32_t payload, Time now)
    {
        if (tlps++ == 0)
        {
            first = now;
        }
        else
        {
            bytes += payload;
        }
        last = now;
    }

    double BytesPerSecond() const
    {
        return tlps > 1 ? bytes / (last - first).GetSeconds() : 0;
    }
};

Meter g_meter;           //!< the running phase's meter
Ptr<TlpMemory> g_memory; //!< the running phase's memory

void
MemoryWrite(Ptr<const Packet> tlp)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    g_meter.Add(h.GetDataSize(), g_memory->GetBusyUntil());
}

void
CpuCompletion(Ptr<const Packet> tlp, Time latency)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    g_meter.Add(h.GetDataSize(), Simulator::Now());
}

/// What a phase measured and what the formulas say.
struct Phase
{
    double achieved = 0;      //!< bytes/s
    double analytical = 0;    //!< bytes/s
    bool imageMatches = true; //!< memory holds what the writes stored
    Time latency;             //!< mean read latency
    Time latencyFormula;      //!< the unloaded read's latency from the formula
    uint64_t pcieTlps = 0;    //!< TLPs that crossed the NIC's PCIe link
};

/// Run writes (reads = false), reads, or one read alone (count = 1).
Phase
RunPhase(bool reads, uint32_t payload, uint64_t count, bool ecrc)
{
    g_meter = Meter();
    NodeContainer node;
    node.Create(1);
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("StreamCount", UintegerValue(count));
    helper.SetCpuAttribute("StreamSize", UintegerValue(payload));
    helper.SetCpuAttribute("StreamRange", UintegerValue(count * payload));
    helper.SetCpuAttribute("StreamReadFraction", DoubleValue(reads ? 1.0 : 0.0));
    helper.SetCpuAttribute("Ecrc", BooleanValue(ecrc));
    helper.SetMemoryAttribute("Ecrc", BooleanValue(ecrc));
    helper.Install(node);

    Ptr<TlpMemory> memory = TlpTunnelHelper::GetMemory(node.Get(0));
    g_memory = memory;
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(node.Get(0));
    Ptr<PcieRootComplex> rc = TlpTunnelHelper::GetRootComplex(node.Get(0));
    if (reads)
    {
        cpu->TraceConnectWithoutContext("Completion", MakeCallback(&CpuCompletion));
    }
    else
    {
        memory->TraceConnectWithoutContext("Write", MakeCallback(&MemoryWrite));
    }
    Simulator::Run();

    DataRateValue bandwidth;
    memory->GetAttribute("Bandwidth", bandwidth);
    TimeValue access;
    memory->GetAttribute("AccessLatency", access);
    double bytesPerSecond = bandwidth.Get().GetBitRate() / 8.0;
    Phase result;
    result.achieved = g_meter.BytesPerSecond();
    // The controller moves the payload of every TLP (writes) or the DWs of every read.
    result.analytical = bytesPerSecond;
    result.latencyFormula = 2 * rc->GetLatency() + access.Get() +
                            Seconds(TlpHeader::AlignUp(payload, 4) / bytesPerSecond);
    if (!reads)
    {
        UintegerValue seed;
        cpu->GetAttribute("StreamSeed", seed);
        for (uint64_t a = 0; a < count * payload; ++a)
        {
            if (memory->GetStore().ReadByte(a) != TlpCpu::PatternByte(a, seed.Get()))
            {
                result.imageMatches = false;
                break;
            }
        }
    }
    const TlpCpu::Statistics& stats = cpu->GetStatistics();
    result.latency =
        stats.latencySamples ? stats.latencySum / int64_t(stats.latencySamples) : Time(0);
    if (stats.operationsDone != count || stats.errors != 0)
    {
        std::cout << "error: " << stats.operationsDone << " of " << count << " operations done, "
                  << stats.errors << " with errors\n";
        result.imageMatches = false;
    }
    Ptr<PcieLink> link = TlpTunnelHelper::GetNicLink(node.Get(0));
    result.pcieTlps = link->GetStatistics(PcieLink::DOWNSTREAM).tlps +
                      link->GetStatistics(PcieLink::UPSTREAM).tlps;
    g_memory = nullptr;
    Simulator::Destroy();
    return result;
}

} // namespace

int
main(int argc, char* argv[])
{
    uint32_t payload = 256;
    uint64_t count = 20000;
    bool ecrc = false;

    CommandLine cmd(__FILE__);
    cmd.AddValue("payload",
                 "bytes per write or read (one TLP per write up to MaxPayloadSize)",
                 payload);
    cmd.AddValue("count", "writes, then reads", count);
    cmd.AddValue("ecrc", "append ECRC digests to requests and completions", ecrc);
    cmd.Parse(argc, argv);
    if (payload == 0 || payload > 256 || payload % 4 != 0)
    {
        std::cerr << "--payload=" << payload << ": use a multiple of 4 in 4..256\n";
        return 2;
    }
    if (count < 2)
    {
        std::cerr << "--count=" << count << ": at least 2 operations are needed\n";
        return 2;
    }

    Phase write = RunPhase(false, payload, count, ecrc);
    Phase read = RunPhase(true, payload, count, ecrc);
    Phase alone = RunPhase(true, payload, 1, ecrc);

    double writeRatio = write.achieved / write.analytical;
    double readRatio = read.achieved / read.analytical;
    double latencyRatio =
        double(alone.latency.GetPicoSeconds()) / double(alone.latencyFormula.GetPicoSeconds());
    std::cout << std::fixed << std::setprecision(4);
    std::cout << "local-memory: " << count << " writes then " << count << " reads of " << payload
              << " B" << (ecrc ? " with ECRC" : "") << ", CPU to its memory controller\n";
    std::cout << "write bandwidth: achieved " << write.achieved / 1e9 << " GB/s, analytical "
              << write.analytical / 1e9 << " GB/s, ratio " << writeRatio << "\n";
    std::cout << "read bandwidth:  achieved " << read.achieved / 1e9 << " GB/s, analytical "
              << read.analytical / 1e9 << " GB/s, ratio " << readRatio << "\n";
    std::cout << "read latency: alone " << alone.latency.GetNanoSeconds() << " ns, analytical "
              << alone.latencyFormula.GetNanoSeconds() << " ns, ratio " << latencyRatio
              << "; mean under load " << read.latency.GetNanoSeconds() << " ns\n";
    std::cout << "TLPs on PCIe: " << write.pcieTlps + read.pcieTlps + alone.pcieTlps << "\n";
    std::cout << "memory-image: " << (write.imageMatches ? "match" : "mismatch") << "\n";

    bool ok = write.imageMatches && read.imageMatches && alone.imageMatches &&
              std::fabs(writeRatio - 1) <= 0.01 && std::fabs(readRatio - 1) <= 0.01 &&
              std::fabs(latencyRatio - 1) <= 0.01 &&
              write.pcieTlps + read.pcieTlps + alone.pcieTlps == 0;
    return ok ? 0 : 1;
}
