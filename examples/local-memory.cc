/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * One compute node: a CPU streams writes, then reads, to the memory on its local
 * interconnect. The example prints the achieved bandwidth next to the analytical
 * limit of one link,
 *
 *   data rate x payload / (payload + TLP header + link overhead),
 *
 * checks the memory image the writes left, and exits non-zero when the two
 * bandwidths differ by more than 1% or the image is wrong.
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
/// TLP divided by the time from the first to the last.
struct Meter
{
    uint64_t tlps = 0;  //!< TLPs seen
    uint64_t bytes = 0; //!< payload bytes after the first TLP
    Time first;         //!< first TLP
    Time last;          //!< last TLP

    void Add(uint32_t payload)
    {
        Time now = Simulator::Now();
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

Meter g_meter; //!< the running phase's meter

void
MemoryWrite(Ptr<const Packet> tlp)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    g_meter.Add(h.GetDataSize());
}

void
CpuCompletion(Ptr<const Packet> tlp, Time latency)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    g_meter.Add(h.GetDataSize());
}

/// Results of one phase.
struct Phase
{
    double achieved;   //!< bytes/s
    double analytical; //!< bytes/s
    bool imageMatches; //!< memory holds what the writes stored
    Time latencyMean;  //!< mean read latency
};

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
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(node.Get(0));
    Ptr<LocalInterconnectChannel> lpi = TlpTunnelHelper::GetInterconnect(node.Get(0));
    if (reads)
    {
        cpu->TraceConnectWithoutContext("Completion", MakeCallback(&CpuCompletion));
    }
    else
    {
        memory->TraceConnectWithoutContext("Write", MakeCallback(&MemoryWrite));
    }
    Simulator::Run();

    // The bottleneck carries one TLP per payload chunk: writes as MWr, reads as the
    // CplD completions, whose payload is at most the memory's Max_Payload_Size.
    UintegerValue mps;
    memory->GetAttribute("MaxPayloadSize", mps);
    uint32_t tlpPayload = reads ? std::min<uint32_t>(payload, mps.Get()) : payload;
    uint32_t header = 12 + (ecrc ? 4 : 0);
    double rate = lpi->GetDataRate().GetBitRate() / 8.0;
    Phase result;
    result.achieved = g_meter.BytesPerSecond();
    result.analytical = rate * tlpPayload / (tlpPayload + header + lpi->GetLinkOverhead());
    result.imageMatches = true;
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
    result.latencyMean =
        stats.latencySamples ? stats.latencySum / int64_t(stats.latencySamples) : Time(0);
    if (stats.operationsDone != count || stats.errors != 0)
    {
        std::cout << "error: " << stats.operationsDone << " of " << count << " operations done, "
                  << stats.errors << " with errors\n";
        result.imageMatches = false;
    }
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

    double writeRatio = write.achieved / write.analytical;
    double readRatio = read.achieved / read.analytical;
    std::cout << std::fixed << std::setprecision(4);
    std::cout << "local-memory: " << count << " writes then " << count << " reads of " << payload
              << " B" << (ecrc ? " with ECRC" : "") << "\n";
    std::cout << "write bandwidth: achieved " << write.achieved / 1e9 << " GB/s, analytical "
              << write.analytical / 1e9 << " GB/s, ratio " << writeRatio << "\n";
    std::cout << "read bandwidth:  achieved " << read.achieved / 1e9 << " GB/s, analytical "
              << read.analytical / 1e9 << " GB/s, ratio " << readRatio << "\n";
    std::cout << "read latency: mean " << read.latencyMean.GetNanoSeconds() << " ns\n";
    std::cout << "memory-image: " << (write.imageMatches ? "match" : "mismatch") << "\n";

    bool ok = write.imageMatches && read.imageMatches && std::fabs(writeRatio - 1) <= 0.01 &&
              std::fabs(readRatio - 1) <= 0.01;
    return ok ? 0 : 1;
}
