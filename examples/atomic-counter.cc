/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Atomics exactly once over a lossy fabric: K nodes each add 1, M times, to one
 * counter in node 0's memory with FetchAdd through a window, while the links lose
 * packets (DATA, COMPLETION and ACK alike). Reliable delivery resends what was lost
 * and drops the duplicates a lost ACK causes, so every FetchAdd executes once: the
 * counter ends at K x M, the memory executes K x M AtomicOps, and the original
 * values returned to the requesters are 0 .. K x M - 1, each exactly once. The
 * example exits non-zero otherwise.
 *
 *   ./tlp-tunnel.sh run atomic-counter --nodes=4 --increments=1000 --loss=0.05
 *   ./tlp-tunnel.sh run atomic-counter --transport=ethernet --size=4 --pcap=true
 *   ./tlp-tunnel.sh run atomic-counter --loss=0.05 --duplicate=0.05
 */

#include "tlp-example-args.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <algorithm>
#include <iostream>
#include <vector>

using namespace ns3;
using namespace tlpexample;

NS_LOG_COMPONENT_DEFINE("AtomicCounterExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;  //!< each adder's window onto the counter
const uint64_t COUNTER = 0x0000000050000000ULL; //!< the counter in node 0's memory

/// What the adders' FetchAdds returned.
struct Tally
{
    std::vector<uint64_t> originals; //!< original values returned with SC
    uint64_t ended = 0;              //!< FetchAdds ended
    uint64_t failed = 0;             //!< ended with another status than SC
    uint64_t executed = 0;           //!< AtomicOps node 0's memory executed
    uint8_t firstFailure = 0;        //!< status of the first failure

    void Done(const TlpCpu::Result& r)
    {
        ended++;
        if (r.status != TlpHeader::SC)
        {
            if (failed++ == 0)
            {
                firstFailure = r.status;
            }
            return;
        }
        originals.push_back(TlpRequester::LoadLe(r.data.data(), r.size));
    }

    void Executed(Ptr<const Packet>)
    {
        executed++;
    }
};

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "udp";
    std::string nodesText = "4";
    std::string incrementsText = "1000";
    std::string lossText = "0.05";
    std::string sizeText = "8";
    std::string duplicateText = "0";
    bool pcap = false;

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport", "ethernet or udp", transport);
    cmd.AddValue("nodes", "nodes that add (K), 1..64; the counter is on one more", nodesText);
    cmd.AddValue("increments", "FetchAdds of 1 per node (M), 1..100000", incrementsText);
    cmd.AddValue("loss", "random loss rate of every link, 0..0.5", lossText);
    cmd.AddValue("size", "counter size, 4 or 8 bytes", sizeText);
    cmd.AddValue("duplicate",
                 "rate at which every link also duplicates a packet (3 us later), 0..0.5",
                 duplicateText);
    cmd.AddValue("pcap", "write pcap files of the NICs (raw TLPs) and of the links", pcap);
    cmd.Parse(argc, argv);
    uint64_t k = 0;
    uint64_t m = 0;
    uint64_t size = 0;
    double loss = 0;
    double duplicate = 0;
    if (!ParseChoice("transport", transport, {"ethernet", "udp"}) ||
        !ParseUnsigned("nodes", nodesText, 1, 64, k) ||
        !ParseUnsigned("increments", incrementsText, 1, 100000, m) ||
        !ParseFraction("loss", lossText, 0, 0.5, loss) ||
        !ParseFraction("duplicate", duplicateText, 0, 0.5, duplicate) ||
        !ParseChoice("size", sizeText, {"4", "8"}))
    {
        return 2;
    }
    size = sizeText == "4" ? 4 : 8;

    NodeContainer hosts;
    hosts.Create(k + 1);
    TlpTunnelHelper tunnel;
    // A request is answered however many times its packets are lost: no completion
    // timeout ends it meanwhile (50 ms, PCIe's default, is short of 20 % loss).
    tunnel.SetCpuAttribute("CompletionTimeout", TimeValue(Seconds(10)));
    NetDeviceContainer nics = tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.Connect(hosts, tunnel, transport);
    if (pcap)
    {
        Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
        tunnel.EnablePcap("atomic-counter", nics);
        topology.EnablePcap("atomic-counter");
    }
    TlpFaultHelper faults;
    faults.WatchNetwork(NodeContainer(hosts, topology.GetSwitches()));
    if (loss > 0)
    {
        faults.SetLossRate(loss);
    }
    if (duplicate > 0)
    {
        faults.SetDuplication(duplicate, MicroSeconds(3));
    }
    faults.Install(hosts);

    Tally tally;
    Ptr<TlpMemory> memory = TlpTunnelHelper::GetMemory(hosts.Get(0));
    memory->TraceConnectWithoutContext("Atomic", MakeCallback(&Tally::Executed, &tally));
    uint8_t zero[8] = {};
    memory->GetStore().Write(COUNTER, zero, 8);
    for (uint32_t i = 1; i <= k; ++i)
    {
        // Every adder's window asks for the same range: they share it (one region).
        tunnel.MapWindow(hosts.Get(i), WINDOW, 0x1000, hosts.Get(0)->GetId(), COUNTER);
        Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(i));
        for (uint64_t n = 0; n < m; ++n)
        {
            // Each node's FetchAdds 100 ns apart, the nodes interleaved.
            Simulator::Schedule(MicroSeconds(10) + NanoSeconds(100 * n + 7 * i),
                                &TlpCpu::FetchAdd,
                                cpu,
                                WINDOW,
                                1ULL,
                                static_cast<uint32_t>(size),
                                MakeCallback(&Tally::Done, &tally));
        }
    }
    Simulator::Run();

    uint8_t bytes[8];
    memory->GetStore().Read(COUNTER, bytes, 8);
    uint64_t counter = TlpRequester::LoadLe(bytes, static_cast<uint32_t>(size));
    uint64_t expected = k * m;
    // Exactly once: the originals are 0 .. K x M - 1, each once.
    std::vector<uint64_t> originals = tally.originals;
    std::sort(originals.begin(), originals.end());
    bool permutation = originals.size() == expected;
    for (uint64_t v = 0; permutation && v < expected; ++v)
    {
        permutation = originals[v] == v;
    }
    uint64_t retransmitted = 0;
    uint64_t duplicates = 0;
    uint64_t timeouts = 0;
    for (uint32_t i = 0; i <= k; ++i)
    {
        TlpTunnelNetDevice::Statistics s = TlpTunnelHelper::GetNic(hosts.Get(i))->GetStatistics();
        retransmitted += s.packetsRetransmitted;
        duplicates += s.duplicatesDropped;
        timeouts += s.timeouts;
    }
    const TlpFaultHelper::Counts& lost = faults.GetLost();
    std::cout << "atomic-counter: transport=" << transport << " nodes=" << k << " increments=" << m
              << " loss=" << loss << " duplicate=" << duplicate << " size=" << size << " B\n";
    std::cout << "network: " << lost.data << " data, " << lost.completion << " completion and "
              << lost.ack << " ack packets lost; " << retransmitted << " retransmitted ("
              << timeouts << " timeouts), " << duplicates << " duplicates dropped\n";
    std::cout << "atomics: " << tally.ended << " of " << expected << " ended, " << tally.failed
              << " failed";
    if (tally.failed > 0)
    {
        std::cout << " (first: " << StatusName(tally.firstFailure) << ")";
    }
    std::cout << "; executed by the memory: " << tally.executed << "\n";
    std::cout << "returned values: " << (permutation ? "0.." : "not 0..") << expected - 1
              << " each once\n";
    std::cout << "counter: " << counter << " expected: " << expected << "\n";
    bool ok = counter == expected && tally.executed == expected && tally.failed == 0 &&
              tally.ended == expected && permutation;
    if (pcap)
    {
        TlpTunnelHelper::PrintCounters(std::cout, hosts);
    }
    std::cout << "memory-image: " << (ok ? "match" : "mismatch") << "\n";
    return ok ? 0 : 1;
}
