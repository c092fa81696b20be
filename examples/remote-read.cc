/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Remote read: node 1's memory holds a known image in the region it grants to a
 * window of node 0. Node 0's CPU reads the window: the MRd requests are tunneled
 * to node 1, its memory answers with CplD completions, which are tunneled back and
 * routed to the CPU by Requester ID. Then node 0's CPU asks its own NIC to fetch
 * the same bytes (claim 38): it writes a descriptor into the NIC's doorbell BAR and
 * rings the doorbell; the NIC generates the reads itself, writes the data it gets
 * into node 0's memory as the completions arrive, then writes a completion word.
 * Both results, and node 0's memory as it is when the completion word lands, are
 * compared with node 1's memory.
 *
 *   ./tlp-tunnel.sh run remote-read --transport=udp --pcap=true
 */

#include "tlp-example-args.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <iostream>
#include <map>

using namespace ns3;
using namespace tlpexample;

NS_LOG_COMPONENT_DEFINE("RemoteReadExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;     //!< window base on node 0 (16 TiB)
const uint64_t REGION = 0x0000000040000000ULL;     //!< region on node 1 (1 GiB)
const uint64_t LOCAL = 0x0000000080000000ULL;      //!< where node 0's NIC puts what it reads
const uint64_t COMPLETION = 0x00000000C0000000ULL; //!< node 0's completion word

std::vector<TlpCpu::Result> g_reads; //!< the CPU's reads
uint32_t g_nicStatus = 0xEE;         //!< status of the NIC's own read
std::vector<uint8_t> g_nicData;      //!< node 0's memory when its completion word landed
Time g_nicLatency;                   //!< doorbell to completion word
Ptr<TlpMemory> g_local;              //!< node 0's memory

void
ReadDone(const TlpCpu::Result& result)
{
    g_reads.push_back(result);
}

void
NicReadDone(uint32_t status, Time latency)
{
    g_nicStatus = status;
    g_nicLatency = latency;
    g_local->GetStore().Read(LOCAL, g_nicData.data(), g_nicData.size());
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "ethernet";
    std::string link = "ethernet";
    bool pcap = false;
    std::string countText = "100";
    std::string sizeText = "256";

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport",
                 "ethernet (0x88B5 frames through a switch) or udp (UDP/IPv4 through a router)",
                 transport);
    cmd.AddValue("link",
                 "network links: ethernet (full duplex), csma (ns-3's bus) or p2p (PPP, udp only)",
                 link);
    cmd.AddValue("pcap", "write pcap files of the NICs (raw TLPs) and of the links", pcap);
    cmd.AddValue("count", "reads, 1..10000", countText);
    cmd.AddValue("size", "bytes per read, 1..65536", sizeText);
    cmd.Parse(argc, argv);
    uint64_t count;
    uint64_t size;
    if (!ParseChoice("transport", transport, {"ethernet", "udp"}) ||
        !ParseChoice("link", link, {"ethernet", "csma", "p2p"}) || !LinkFits(link, transport) ||
        !ParseUnsigned("count", countText, 1, 10000, count) ||
        !ParseUnsigned("size", sizeText, 1, 65536, size))
    {
        return 2;
    }

    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    NetDeviceContainer nics = tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.SetLinkType(link);
    topology.Connect(hosts, tunnel, transport);
    uint64_t bytes = count * size;
    uint64_t windowSize = (bytes + 4095) / 4096 * 4096;
    tunnel.MapWindow(hosts.Get(0), WINDOW, windowSize, hosts.Get(1)->GetId(), REGION);

    // The image node 1 serves.
    Ptr<TlpMemory> remote = TlpTunnelHelper::GetMemory(hosts.Get(1));
    std::vector<uint8_t> image(bytes);
    for (uint64_t i = 0; i < bytes; ++i)
    {
        image[i] = TlpCpu::PatternByte(REGION + i, 7);
    }
    remote->GetStore().Write(REGION, image.data(), image.size());

    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(0));
    for (uint32_t i = 0; i < count; ++i)
    {
        Simulator::Schedule(MicroSeconds(5) + NanoSeconds(500) * i,
                            &TlpCpu::Read,
                            cpu,
                            WINDOW + uint64_t(i) * size,
                            static_cast<uint32_t>(size),
                            MakeCallback(&ReadDone));
    }
    g_local = TlpTunnelHelper::GetMemory(hosts.Get(0));
    g_nicData.assign(bytes, 0);
    Simulator::Schedule(MicroSeconds(5) + NanoSeconds(500) * count + MicroSeconds(10),
                        &TlpDoorbellHelper::ReadRemote,
                        hosts.Get(0),
                        WINDOW,
                        bytes,
                        LOCAL,
                        COMPLETION,
                        MakeCallback(&NicReadDone));

    if (pcap)
    {
        // Nanosecond timestamps: the events of interest are ns apart.
        Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
        tunnel.EnablePcap("remote-read", nics);
        topology.EnablePcap("remote-read");
    }
    Simulator::Run();

    bool match = g_reads.size() == count;
    Time sum;
    Time max;
    for (uint32_t i = 0; i < g_reads.size(); ++i)
    {
        const TlpCpu::Result& r = g_reads[i];
        uint64_t offset = r.address - WINDOW;
        match = match && r.status == TlpHeader::SC && r.data.size() == size &&
                std::equal(r.data.begin(), r.data.end(), image.begin() + offset);
        sum += r.latency;
        max = std::max(max, r.latency);
    }
    bool nicMatch = g_nicStatus == TlpDoorbellRegisters::DONE && g_nicData == image;

    const TlpCpu::Statistics& cs = cpu->GetStatistics();
    std::cout << "remote-read: transport=" << transport << " link=" << link << " reads=" << count
              << " size=" << size << " B\n";
    std::cout << "operations: " << g_reads.size() << " reads, " << cs.tlpsSent << " MRd TLPs, "
              << cs.completions << " completions, " << cs.bytesRead << " bytes\n";
    std::cout << "latency (CPU read to last completion): mean "
              << (g_reads.empty() ? 0 : (sum / int64_t(g_reads.size())).GetNanoSeconds())
              << " ns, max " << max.GetNanoSeconds() << " ns\n";
    std::map<std::string, uint32_t> statuses;
    for (const TlpCpu::Result& r : g_reads)
    {
        statuses[StatusName(r.status)]++;
    }
    std::cout << "statuses:";
    for (const auto& st : statuses)
    {
        std::cout << " " << st.first << "=" << st.second;
    }
    std::cout << "\n";
    std::cout << "nic read (doorbell): status "
              << (g_nicStatus == TlpDoorbellRegisters::DONE ? std::string("DONE")
                                                            : std::to_string(g_nicStatus))
              << ", " << g_nicData.size() << " bytes at local 0x" << std::hex << LOCAL << std::dec
              << " when the completion word landed" << (nicMatch ? " (match)" : " (mismatch)")
              << ", latency " << g_nicLatency.GetNanoSeconds() << " ns\n";
    TlpTunnelHelper::PrintCounters(std::cout, hosts);
    std::cout << "memory-image: " << (match && nicMatch ? "match" : "mismatch") << "\n";
    g_local = nullptr;
    Simulator::Destroy();
    return match && nicMatch ? 0 : 1;
}
