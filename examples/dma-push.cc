/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * DMA push (claims 33-34): node 0's CPU writes a descriptor into its NIC's doorbell
 * BAR and rings the doorbell; the NIC reads the bytes from node 0's memory (MRd on
 * its PCIe link) and turns each read completion, as it arrives, into MWr requests
 * through a window onto node 1's memory, then writes a completion word into node 0's
 * memory once a flush read has shown that the data is in place. The example checks
 * node 1's image byte for byte and prints the goodput measured at node 1's memory
 * (bytes after the first write over the time to the last) next to the analytical
 * limit: the smallest of the limits of the stages the bytes cross, each from its own
 * rate and what it carries (the TLPs follow the PCIe rules: reads at
 * Max_Read_Request_Size boundaries, completions at the read completion boundary and
 * at most Max_Payload_Size, writes at Max_Payload_Size boundaries of the destination):
 *
 *   - node 0's PCIe link, root port to NIC: each completion's 3DW header, data DWs and
 *     framing, and the Acks and UpdateFCs of the read requests going the other way
 *     (fabric-goodput's rule: one of each per AckLatency and UpdateFcLatency while
 *     the requests arrive, or per request when they are further apart);
 *   - node 0's memory controller (its Bandwidth) moving the DWs read;
 *   - node 0's NIC: ProcessingDelay per completion from its link, and per read
 *     request towards it;
 *   - the network links: one tunnel packet per write with every header and trailer of
 *     the link (fabric-goodput's formulas, tlp-example-stages.h);
 *   - node 1's NIC: ProcessingDelay per packet from the network;
 *   - node 1's PCIe link, NIC to root port, and its memory controller.
 *
 * It exits 1 on a mismatch, or when --bytes is 64 KiB or more and the simulated
 * goodput is more than 2 % away from the analytical one.
 *
 *   ./tlp-tunnel.sh run dma-push --bytes=1048576 --src-offset=3 --dst-offset=5
 */

#include "tlp-example-args.h"
#include "tlp-example-stages.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>

using namespace ns3;
using namespace tlpexample;

NS_LOG_COMPONENT_DEFINE("DmaPushExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;     //!< window base on node 0 (16 TiB)
const uint64_t REGION = 0x0000000040000000ULL;     //!< region on node 1 (1 GiB)
const uint64_t SOURCE = 0x0000000080000000ULL;     //!< node 0's buffer (2 GiB)
const uint64_t COMPLETION = 0x00000000C0000000ULL; //!< node 0's completion word

uint32_t g_status = 0;   //!< the completion word's status
Time g_latency;          //!< doorbell to completion word
bool g_finished = false; //!< the completion word landed

void
Done(uint32_t status, Time latency)
{
    g_status = status;
    g_latency = latency;
    g_finished = true;
}

/// What the push puts on each stage.
struct Load
{
    uint64_t reads = 0;       //!< MRd requests of node 0's memory
    uint64_t completions = 0; //!< their completions
    uint64_t readDw = 0;      //!< bytes node 0's memory moves (whole DWs)
    uint64_t cplBytes = 0;    //!< completion bytes on node 0's PCIe link, framing included
    uint64_t writes = 0;      //!< MWr requests through the window
    uint64_t writeDw = 0;     //!< their data, whole DWs
    uint64_t writeBytes = 0;  //!< their bytes on node 1's PCIe link, framing included
    uint64_t wireBytes = 0;   //!< their bytes on a network link
};

/**
 * \param value a number
 * \param a a power of two
 * \return value rounded down to a multiple of a
 */
uint64_t
Down(uint64_t value, uint64_t a)
{
    return value / a * a;
}

/**
 * \brief Add up the TLPs of a push of `bytes` bytes from `source` to region address
 * `target` by the PCIe rules (independent of the model's code).
 */
Load
PushLoad(uint64_t source,
         uint64_t target,
         uint64_t bytes,
         uint32_t mrrs,
         uint32_t nicMps,
         uint32_t memoryMps,
         uint32_t rcb,
         uint32_t framing,
         bool udp,
         TlpTopologyHelper::LinkType link)
{
    Load load;
    uint64_t end = source + bytes;
    for (uint64_t r = source; r < end;)
    {
        uint64_t rEnd = std::min(end, Down(r + mrrs, mrrs));
        load.reads++;
        load.readDw += (rEnd + 3) / 4 * 4 - Down(r, 4);
        for (uint64_t c = r; c < rEnd;)
        {
            // A completion ends at a multiple of the RCB, carrying at most MPS.
            uint64_t cEnd = std::min(rEnd, Down(c + memoryMps, rcb));
            load.completions++;
            load.cplBytes += 12 + ((cEnd + 3) / 4 * 4 - Down(c, 4)) + framing;
            for (uint64_t w = c + (target - source); w < cEnd + (target - source);)
            {
                uint64_t wEnd = std::min(cEnd + (target - source), Down(w + nicMps, nicMps));
                uint64_t dw = (wEnd + 3) / 4 * 4 - Down(w, 4);
                uint32_t header = w >= (uint64_t(1) << 32) ? 16 : 12;
                load.writes++;
                load.writeDw += dw;
                load.writeBytes += header + dw + framing;
                load.wireBytes += TunnelPacketWireBytes(header + dw, udp, link);
                w = wEnd;
            }
            c = cEnd;
        }
        r = rEnd;
    }
    return load;
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "ethernet";
    std::string link = "ethernet";
    std::string bytesText = "1048576";
    std::string srcText = "0";
    std::string dstText = "0";
    DataRate rate("100Gbps");
    bool pcap = false;

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport",
                 "ethernet (0x88B5 frames through a switch) or udp (UDP/IPv4 through a router)",
                 transport);
    cmd.AddValue("link", "network links: ethernet (full duplex) or p2p (PPP, udp only)", link);
    cmd.AddValue("rate", "network link rate", rate);
    cmd.AddValue("bytes", "bytes to push, 1..268435456", bytesText);
    cmd.AddValue("src-offset", "source address offset from a 4 KiB boundary, 0..4095", srcText);
    cmd.AddValue("dst-offset", "destination offset in the window, 0..4095", dstText);
    cmd.AddValue("pcap", "write pcap files of the NICs (raw TLPs) and of the links", pcap);
    cmd.Parse(argc, argv);
    uint64_t bytes;
    uint64_t srcOffset;
    uint64_t dstOffset;
    if (!ParseChoice("transport", transport, {"ethernet", "udp"}) ||
        !ParseChoice("link", link, {"ethernet", "p2p"}) || !LinkFits(link, transport) ||
        !ParseUnsigned("bytes", bytesText, 1, uint64_t(1) << 28, bytes) ||
        !ParseUnsigned("src-offset", srcText, 0, 4095, srcOffset) ||
        !ParseUnsigned("dst-offset", dstText, 0, 4095, dstOffset))
    {
        return 2;
    }

    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    NetDeviceContainer nics = tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.SetLinkType(link);
    topology.SetDataRate(rate);
    topology.Connect(hosts, tunnel, transport);
    uint64_t windowSize = (dstOffset + bytes + 4095) / 4096 * 4096;
    tunnel.MapWindow(hosts.Get(0), WINDOW, windowSize, hosts.Get(1)->GetId(), REGION);

    Ptr<TlpMemory> local = TlpTunnelHelper::GetMemory(hosts.Get(0));
    Ptr<TlpMemory> remote = TlpTunnelHelper::GetMemory(hosts.Get(1));
    std::vector<uint8_t> image(bytes);
    TlpCpu::PatternFill(SOURCE + srcOffset, 5, image.data(), static_cast<uint32_t>(bytes));
    local->GetStore().Write(SOURCE + srcOffset, image.data(), image.size());
    WriteMeter meter;
    remote->TraceConnectWithoutContext("Write", MakeCallback(&WriteMeter::Tlp, &meter));
    Simulator::Schedule(MicroSeconds(20), // after the grant
                        &TlpDoorbellHelper::Push,
                        hosts.Get(0),
                        SOURCE + srcOffset,
                        bytes,
                        WINDOW + dstOffset,
                        COMPLETION,
                        MakeCallback(&Done));
    if (pcap)
    {
        Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
        tunnel.EnablePcap("dma-push", nics);
        topology.EnablePcap("dma-push");
    }
    Simulator::Run();

    std::vector<uint8_t> landed(bytes);
    remote->GetStore().Read(REGION + dstOffset, landed.data(), bytes);
    uint8_t edges[2] = {0, 0};
    if (dstOffset > 0)
    {
        remote->GetStore().Read(REGION + dstOffset - 1, &edges[0], 1);
    }
    remote->GetStore().Read(REGION + dstOffset + bytes, &edges[1], 1);
    bool match = g_finished && g_status == TlpDoorbellRegisters::DONE && landed == image &&
                 edges[0] == 0 && edges[1] == 0;

    // The stages' limits.
    Ptr<TlpTunnelNetDevice> nic = TlpTunnelHelper::GetNic(hosts.Get(0));
    Ptr<PcieLink> pcie = TlpTunnelHelper::GetNicLink(hosts.Get(0));
    UintegerValue mrrs;
    UintegerValue nicMps;
    UintegerValue memoryMps;
    UintegerValue rcb;
    DataRateValue memoryRate;
    TimeValue processing;
    nic->GetAttribute("MaxReadRequestSize", mrrs);
    nic->GetAttribute("MaxPayloadSize", nicMps);
    nic->GetAttribute("ProcessingDelay", processing);
    local->GetAttribute("MaxPayloadSize", memoryMps);
    local->GetAttribute("ReadCompletionBoundary", rcb);
    local->GetAttribute("Bandwidth", memoryRate);
    Load load = PushLoad(SOURCE + srcOffset,
                         REGION + dstOffset,
                         bytes,
                         mrrs.Get(),
                         nicMps.Get(),
                         memoryMps.Get(),
                         rcb.Get(),
                         pcie->GetFramingBytes(),
                         transport == "udp",
                         topology.GetLinkType());
    double pd = processing.Get().GetSeconds();
    double memoryBps = memoryRate.Get().GetBitRate();
    double pcieBps = pcie->GetEffectiveBitRate();
    double payload = bytes * 8.0;

    struct Stage
    {
        std::string name;
        double seconds;
    };

    std::vector<Stage> stages = {
        {"node 0 PCIe link (completions, " + std::to_string(load.completions) + ")",
         load.cplBytes * 8.0 / pcieBps},
        {"node 0 memory", memoryBps > 0 ? load.readDw * 8 / memoryBps : 0},
        {"node 0 NIC from PCIe (ProcessingDelay per completion)", load.completions * pd},
        {"node 0 NIC to PCIe (ProcessingDelay per read request)", load.reads * pd},
        {"network links (" + std::to_string(load.writes) + " packets)",
         load.wireBytes * 8.0 / rate.GetBitRate()},
        {"node 1 NIC from the network (ProcessingDelay per packet)", load.writes * pd},
        {"node 1 PCIe link (writes)", load.writeBytes * 8 / pcieBps},
        {"node 1 memory", memoryBps > 0 ? load.writeDw * 8 / memoryBps : 0},
    };
    const Stage* bottleneck = &stages[0];
    for (int i = 0; i < 20; ++i)
    {
        bottleneck = &stages[0];
        for (const Stage& s : stages)
        {
            bottleneck = s.seconds > bottleneck->seconds ? &s : bottleneck;
        }
        // The completions' direction also carries the Acks and UpdateFCs of the read
        // requests going up, which depends on the period the slowest stage sets.
        double period = bottleneck->seconds / load.reads * 1e12;
        double dllps = DllpsPerTlp(period,
                                   pcie->GetAckLatency().GetPicoSeconds(),
                                   pcie->GetUpdateFcLatency().GetPicoSeconds());
        stages[0].seconds =
            (load.cplBytes + load.reads * dllps * pcie->GetDllpBytes()) * 8.0 / pcieBps;
    }
    bottleneck = &stages[0];
    for (const Stage& s : stages)
    {
        bottleneck = s.seconds > bottleneck->seconds ? &s : bottleneck;
    }
    double analytical = payload / bottleneck->seconds;
    double simulated = meter.Goodput(true);
    double ratio = analytical > 0 ? simulated / analytical : 0;
    bool checked = bytes >= 65536; // shorter pushes are mostly the pipeline's fill
    bool ok = match && (!checked || std::fabs(ratio - 1) <= 0.02);

    std::cout << "dma-push: transport=" << transport << " link=" << link << " rate=" << rate
              << " bytes=" << bytes << " src-offset=" << srcOffset << " dst-offset=" << dstOffset
              << "\n";
    const TlpNicDma::Statistics& es = nic->GetDma().GetStatistics();
    std::cout << "nic: " << es.readsLocal << " local reads, " << es.writesRemote
              << " remote writes, " << es.bytesPushed << " bytes pushed, flush reads "
              << es.readsRemote << ", completion word status "
              << (g_status == TlpDoorbellRegisters::DONE ? std::string("DONE")
                                                         : std::to_string(g_status))
              << " after " << g_latency.GetNanoSeconds() << " ns\n";
    std::cout << std::fixed << std::setprecision(3);
    for (const Stage& s : stages)
    {
        std::cout << "stage: " << s.name << " " << (s.seconds > 0 ? payload / s.seconds / 1e9 : 0.0)
                  << " Gb/s\n";
    }
    std::cout << "throughput: simulated " << simulated / 1e9 << " Gb/s analytical "
              << analytical / 1e9 << " Gb/s (ratio " << ratio
              << ", bottleneck: " << bottleneck->name
              << (checked ? "" : "; ratio not checked below 64 KiB") << ")\n";
    TlpTunnelHelper::PrintCounters(std::cout, hosts);
    std::cout << "memory-image: " << (match ? "match" : "mismatch") << "\n";
    Simulator::Destroy();
    return ok ? 0 : 1;
}
