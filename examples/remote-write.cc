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

#include "tlp-example-args.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <iostream>
#include <map>

using namespace ns3;
using namespace tlpexample;

NS_LOG_COMPONENT_DEFINE("RemoteWriteExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< window base on node 0 (16 TiB)

/// Issue time of each MWr, by the window address of its first byte.
std::map<uint64_t, Time> g_issued;
uint64_t g_regionBase = 0; //!< region base on node 1, once granted
bool g_granted = false;    //!< the grant arrived
std::string g_refusal;     //!< why the grant failed, if it did
uint64_t g_landed = 0;     //!< MWr TLPs executed by node 1's memory, matched to one sent
uint64_t g_unclaimed = 0;  //!< TLPs node 0's interconnect dropped (no port claims them)
Time g_latencySum;         //!< sum of issue-to-memory latencies
Time g_latencyMax;         //!< largest one

void
CpuTx(Ptr<const Packet> tlp)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    g_issued[h.GetFirstByteAddress()] = Simulator::Now();
}

void
Granted(uint32_t peer, uint16_t window, uint64_t regionBase)
{
    g_granted = true;
    g_regionBase = regionBase;
}

void
GrantFailed(uint32_t peer, uint16_t window, uint8_t reason)
{
    g_refusal = reason == TlpGrantAgent::NO_ANSWER ? std::string("no answer")
                                                   : TunnelGrantHeader::StatusToString(reason);
}

void
RemoteMemoryWrite(Ptr<const Packet> tlp)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    auto it = g_issued.find(WINDOW + (h.GetFirstByteAddress() - g_regionBase));
    if (it == g_issued.end())
    {
        return;
    }
    Time latency = Simulator::Now() - it->second;
    g_landed++;
    g_latencySum += latency;
    g_latencyMax = std::max(g_latencyMax, latency);
}

void
InterconnectDrop(Ptr<const Packet> tlp, uint8_t reason)
{
    g_unclaimed++;
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "ethernet";
    std::string link = "ethernet";
    std::string translate = "sender";
    bool pcap = false;
    bool ecrc = false;
    std::string countText = "1000";
    std::string sizeText = "64";
    std::string aggregateText = "1";
    DataRate rate("1Gbps");

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport",
                 "ethernet (0x88B5 frames through a switch) or udp (UDP/IPv4 through a router)",
                 transport);
    cmd.AddValue("link",
                 "network links: ethernet (full duplex), csma (ns-3's bus) or p2p (PPP, udp only)",
                 link);
    cmd.AddValue("translate", "where addresses are translated: sender or receiver NIC", translate);
    cmd.AddValue("pcap", "write pcap files of the NICs (raw TLPs) and of the links", pcap);
    cmd.AddValue("ecrc", "append ECRC digests to the TLPs", ecrc);
    cmd.AddValue("count", "writes, 1..1000000", countText);
    cmd.AddValue("size", "bytes per write, 1..65536", sizeText);
    cmd.AddValue("rate", "offered write load", rate);
    cmd.AddValue("aggregate",
                 "most TLPs per tunnel packet (NIC AggregationLimit), 1..1024",
                 aggregateText);
    cmd.Parse(argc, argv);
    uint64_t count;
    uint64_t size;
    uint64_t aggregate;
    if (!ParseChoice("transport", transport, {"ethernet", "udp"}) ||
        !ParseChoice("link", link, {"ethernet", "csma", "p2p"}) || !LinkFits(link, transport) ||
        !ParseChoice("translate", translate, {"sender", "receiver"}) ||
        !ParseUnsigned("count", countText, 1, 1000000, count) ||
        !ParseUnsigned("size", sizeText, 1, 65536, size) ||
        !ParseUnsigned("aggregate", aggregateText, 1, 1024, aggregate))
    {
        return 2;
    }
    if (rate.GetBitRate() == 0)
    {
        std::cerr << "--rate=0bps: must be positive\n";
        return 2;
    }

    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    tunnel.SetNicAttribute("AggregationLimit", UintegerValue(aggregate));
    NetDeviceContainer nics = tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.SetLinkType(link);
    topology.Connect(hosts, tunnel, transport);

    // The window covers every write: none straddles its end.
    uint64_t bytes = count * size;
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
    nic0->TraceConnectWithoutContext("GrantFailed", MakeCallback(&GrantFailed));
    TlpTunnelHelper::GetRootComplex(hosts.Get(0))
        ->TraceConnectWithoutContext("Drop", MakeCallback(&InterconnectDrop));
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

    // Every TLP the CPU sent landed, and memory holds every byte written.
    bool match = g_granted && g_landed == g_issued.size() && g_unclaimed == 0;
    uint32_t seed = 1;
    for (uint64_t offset = 0; match && offset < bytes; ++offset)
    {
        match = remote->GetStore().ReadByte(g_regionBase + offset) ==
                TlpCpu::PatternByte(WINDOW + offset, seed);
    }
    const TlpTunnelNetDevice::Statistics& s0 = nic0->GetStatistics();
    const TlpTunnelNetDevice::Statistics& s1 = nic1->GetStatistics();
    std::cout << "remote-write: transport=" << transport << " link=" << link
              << " translate=" << translate << " writes=" << count << " size=" << size << " B\n";
    std::cout << "operations: " << cpu->GetStatistics().operationsDone << " writes, "
              << g_issued.size() << " TLPs sent, " << g_landed << " TLPs in remote memory, "
              << cpu->GetStatistics().bytesWritten << " bytes\n";
    std::cout << "latency (CPU issue to remote memory): mean "
              << (g_landed ? (g_latencySum / int64_t(g_landed)).GetNanoSeconds() : 0) << " ns, max "
              << g_latencyMax.GetNanoSeconds() << " ns\n";
    if (g_granted)
    {
        std::cout << "region: node " << hosts.Get(1)->GetId() << " granted 0x" << std::hex
                  << g_regionBase << std::dec << " for window 0x" << std::hex << WINDOW << std::dec
                  << " (" << windowSize << " bytes)\n";
    }
    else
    {
        std::cout << "region: node " << hosts.Get(1)->GetId() << " refused window 0x" << std::hex
                  << WINDOW << std::dec << ": " << (g_refusal.empty() ? "no answer yet" : g_refusal)
                  << "\n";
    }
    std::cout << "nic 0: " << s0.packetsSent << " packets sent, " << s0.maxQueued
              << " TLPs queued at most; nic 1: " << s1.packetsReceived << " packets received, "
              << s1.malformedPackets + s1.tlpDrops << " dropped\n";
    if (g_unclaimed != 0)
    {
        std::cout << "interconnect: " << g_unclaimed << " TLPs no port claims were dropped\n";
    }
    TlpTunnelHelper::PrintCounters(std::cout, hosts);
    std::cout << "memory-image: " << (match ? "match" : "mismatch") << "\n";
    Simulator::Destroy();
    return match ? 0 : 1;
}
