/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Remote write: node 0's CPU streams stores into a window of its address space
 * that node 1's NIC granted as a region of node 1's memory. The TLPs cross node
 * 0's interconnect, its NIC, the network (Ethernet frames through a switch, or UDP
 * datagrams through a router), node 1's NIC and interconnect, and land in node 1's
 * memory. The example prints what crossed, the latency from CPU issue to the data
 * in remote memory, and compares node 1's memory with the expected image.
 *
 *   ./tlp-tunnel.sh run remote-write --transport=udp --pcap=true --translate=receiver
 */

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <iostream>
#include <map>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("RemoteWriteExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< window base on node 0 (16 TiB)

std::map<uint64_t, Time> g_issued; //!< window address of each MWr to its issue time
uint64_t g_regionBase = 0;         //!< region base on node 1, once granted
uint64_t g_landed = 0;             //!< MWr TLPs executed by node 1's memory
Time g_latencySum;                 //!< sum of issue-to-memory latencies
Time g_latencyMax;                 //!< largest one

void
CpuTx(Ptr<const Packet> tlp)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    g_issued[h.GetAddress()] = Simulator::Now();
}

void
Granted(uint32_t peer, uint16_t window, uint64_t regionBase)
{
    g_regionBase = regionBase;
}

void
RemoteMemoryWrite(Ptr<const Packet> tlp)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    auto it = g_issued.find(WINDOW + (h.GetAddress() - g_regionBase));
    if (it == g_issued.end())
    {
        return;
    }
    Time latency = Simulator::Now() - it->second;
    g_landed++;
    g_latencySum += latency;
    g_latencyMax = std::max(g_latencyMax, latency);
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "ethernet";
    std::string translate = "sender";
    bool pcap = false;
    bool ecrc = false;
    uint32_t count = 1000;
    uint32_t size = 64;
    uint32_t aggregate = 1;
    DataRate rate("1Gbps");

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport",
                 "ethernet (0x88B5 frames, switch) or udp (UDP/IPv4, router)",
                 transport);
    cmd.AddValue("translate", "where addresses are translated: sender or receiver NIC", translate);
    cmd.AddValue("pcap", "write pcap files of the NICs (raw TLPs) and of the links", pcap);
    cmd.AddValue("ecrc", "append ECRC digests to the TLPs", ecrc);
    cmd.AddValue("count", "writes", count);
    cmd.AddValue("size", "bytes per write", size);
    cmd.AddValue("rate", "offered write load", rate);
    cmd.AddValue("aggregate", "most TLPs per tunnel packet (NIC AggregationLimit)", aggregate);
    cmd.Parse(argc, argv);
    if (translate != "sender" && translate != "receiver")
    {
        std::cerr << "--translate=" << translate << ": use sender or receiver\n";
        return 2;
    }
    if (count == 0 || size == 0)
    {
        std::cerr << "--count and --size must be positive\n";
        return 2;
    }

    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    tunnel.SetNicAttribute("AggregationLimit", UintegerValue(aggregate));
    NetDeviceContainer nics = tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.Connect(hosts, tunnel, transport);

    uint64_t bytes = uint64_t(count) * size;
    uint64_t windowSize = (bytes + 4095) / 4096 * 4096;
    TlpWindow::TranslateAt at = translate == "sender" ? TlpWindow::SENDER : TlpWindow::RECEIVER;
    tunnel.MapWindow(hosts.Get(0),
                     WINDOW,
                     windowSize,
                     hosts.Get(1)->GetId(),
                     TunnelGrantHeader::ANY_BASE,
                     at);

    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(0));
    cpu->SetAttribute("StreamCount", UintegerValue(count));
    cpu->SetAttribute("StreamSize", UintegerValue(size));
    cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
    cpu->SetAttribute("StreamRange", UintegerValue(bytes));
    cpu->SetAttribute("StreamRate", DataRateValue(rate));
    cpu->SetAttribute("Ecrc", BooleanValue(ecrc));
    cpu->TraceConnectWithoutContext("Tx", MakeCallback(&CpuTx));
    Ptr<TlpTunnelNetDevice> nic0 = TlpTunnelHelper::GetNic(hosts.Get(0));
    Ptr<TlpTunnelNetDevice> nic1 = TlpTunnelHelper::GetNic(hosts.Get(1));
    nic0->TraceConnectWithoutContext("Grant", MakeCallback(&Granted));
    Ptr<TlpMemory> remote = TlpTunnelHelper::GetMemory(hosts.Get(1));
    remote->TraceConnectWithoutContext("Write", MakeCallback(&RemoteMemoryWrite));

    if (pcap)
    {
        // Nanosecond timestamps: the events of interest are ns apart.
        Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
        tunnel.EnablePcap("remote-write", nics);
        topology.EnablePcap("remote-write");
    }
    Simulator::Run();

    bool match = g_landed == g_issued.size() && nic0->GetWindow(0)->IsGranted();
    uint32_t seed = 1;
    for (uint64_t offset = 0; match && offset < bytes; ++offset)
    {
        match = remote->GetStore().ReadByte(g_regionBase + offset) ==
                TlpCpu::PatternByte(WINDOW + offset, seed);
    }
    const TlpTunnelNetDevice::Statistics& s0 = nic0->GetStatistics();
    const TlpTunnelNetDevice::Statistics& s1 = nic1->GetStatistics();
    std::cout << "remote-write: transport=" << transport << " translate=" << translate
              << " writes=" << count << " size=" << size << " B\n";
    std::cout << "operations: " << cpu->GetStatistics().operationsDone << " writes, "
              << g_issued.size() << " TLPs sent, " << g_landed << " TLPs in remote memory, "
              << cpu->GetStatistics().bytesWritten << " bytes\n";
    std::cout << "latency (CPU issue to remote memory): mean "
              << (g_landed ? (g_latencySum / int64_t(g_landed)).GetNanoSeconds() : 0) << " ns, max "
              << g_latencyMax.GetNanoSeconds() << " ns\n";
    std::cout << "region: node " << hosts.Get(1)->GetId() << " granted 0x" << std::hex
              << g_regionBase << std::dec << " for window 0x" << std::hex << WINDOW << std::dec
              << " (" << windowSize << " bytes)\n";
    std::cout << "nic 0: " << s0.packetsSent << " packets sent, " << s0.maxQueued
              << " TLPs held for the grant at most; nic 1: " << s1.packetsReceived
              << " packets received, " << s1.malformedPackets + s1.tlpDrops << " dropped\n";
    TlpTunnelHelper::PrintCounters(std::cout, hosts);
    std::cout << "memory-image: " << (match ? "match" : "mismatch") << "\n";
    Simulator::Destroy();
    return match ? 0 : 1;
}
