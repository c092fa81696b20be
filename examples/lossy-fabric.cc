/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Remote writes over a lossy fabric: node 0's CPU streams writes through a window
 * onto node 1's memory while the links lose, burst-lose, go down for a millisecond,
 * reorder or duplicate packets (or node 1's interconnect loses TLPs its NIC places).
 * Reliable delivery recovers: the example prints what was lost and sent again, the
 * goodput next to the ideal, (1 - p) times the goodput of the same set-up without
 * loss, and compares node 1's memory with the expected image.
 *
 *   ./tlp-tunnel.sh run lossy-fabric --loss=0.05 --transport=udp --recovery=sr
 *   ./tlp-tunnel.sh run lossy-fabric --sweep=true --csv=goodput.csv
 *   ./tlp-tunnel.sh run lossy-fabric --loss=0.2 --count=500 --pcap=true
 */

#include "tlp-example-args.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>

using namespace ns3;
using namespace tlpexample;

NS_LOG_COMPONENT_DEFINE("LossyFabricExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< window base on node 0 (16 TiB)

/// One run's set-up.
struct Setup
{
    std::string transport = "udp"; //!< ethernet or udp
    std::string recovery = "sr";   //!< sr or gbn
    std::string fault = "random";  //!< random, burst, linkdown, reorder, duplicate, interconnect
    double loss = 0.05;            //!< the fault's rate
    uint64_t count = 20000;        //!< writes
    uint64_t size = 256;           //!< bytes per write
    std::string link = "ethernet"; //!< ethernet (full duplex), csma or p2p
    DataRate rate = DataRate("10Gbps"); //!< every link of the star
    uint64_t queue = 64;                //!< device queues, packets
    bool pcap = false;                  //!< write pcap files (of the lossy run)
};

/// What one run measured.
struct Outcome
{
    uint64_t tlpsSent = 0;                 //!< MWr TLPs the CPU sent
    uint64_t landed = 0;                   //!< distinct TLPs stored in node 1's memory
    uint64_t landedTwice = 0;              //!< stores of a TLP already stored
    uint64_t bytes = 0;                    //!< data bytes stored (first stores)
    Time first;                            //!< first store
    Time last;                             //!< last store
    bool match = false;                    //!< memory image
    TlpFaultHelper::Counts lost;           //!< lost to the fault
    TlpFaultHelper::Counts held;           //!< held back
    TlpFaultHelper::Counts doubled;        //!< doubled
    TlpFaultHelper::Counts dropped;        //!< dropped by the network itself
    TlpTunnelNetDevice::Statistics nic[2]; //!< both NICs' counters
    uint64_t dataArrived = 0;              //!< DATA packets node 1 received

    /// \return goodput, bits per second of stored data
    double Goodput() const
    {
        double seconds = (last - first).GetSeconds();
        return seconds > 0 ? bytes * 8.0 / seconds : 0;
    }
};

/// Records what node 1's memory stores.
struct Recorder
{
    explicit Recorder(Outcome* out)
        : out(out)
    {
    }

    Outcome* out;
    uint64_t regionBase = 0;
    std::map<uint64_t, uint32_t> stores; //!< by first byte, in the region

    void Granted(uint32_t, uint16_t, uint64_t base)
    {
        regionBase = base;
    }

    void CpuTx(Ptr<const Packet>)
    {
        out->tlpsSent++;
    }

    void Write(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        if (stores[h.GetFirstByteAddress()]++ != 0)
        {
            out->landedTwice++;
            return;
        }
        if (out->landed++ == 0)
        {
            out->first = Simulator::Now();
        }
        out->last = Simulator::Now();
        out->bytes += TlpWriteConfirmation::WrittenBytes(h);
    }

    void MacRx(Ptr<const Packet> p)
    {
        TunnelHeader th;
        if (p->PeekHeader(th) && th.GetKind() == TunnelHeader::DATA)
        {
            out->dataArrived++;
        }
    }
};

Outcome
Run(const Setup& s, double loss)
{
    Outcome out;
    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    tunnel.SetNicAttribute("Recovery",
                           StringValue(s.recovery == "sr" ? "SelectiveRepeat" : "GoBackN"));
    // GoBackN at high loss delivers slowly: reads are not timed out meanwhile.
    tunnel.SetCpuAttribute("CompletionTimeout", TimeValue(Seconds(100)));
    bool confirm = s.fault == "interconnect";
    tunnel.SetCpuAttribute("WriteConfirmation", BooleanValue(confirm));
    NetDeviceContainer nics = tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.SetLinkType(s.link);
    topology.SetDataRate(s.rate);
    topology.SetQueueSize(s.queue);
    topology.Connect(hosts, tunnel, s.transport);
    if (s.pcap && loss == s.loss)
    {
        Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
        tunnel.EnablePcap("lossy-fabric", nics);
        topology.EnablePcap("lossy-fabric");
    }

    TlpFaultHelper faults;
    faults.WatchNetwork(NodeContainer(hosts, topology.GetSwitches()));
    if (loss > 0)
    {
        if (s.fault == "random")
        {
            faults.SetLossRate(loss);
        }
        else if (s.fault == "burst")
        {
            faults.SetBurstLoss(loss, 8);
        }
        else if (s.fault == "reorder")
        {
            faults.SetReordering(loss, MicroSeconds(5));
        }
        else if (s.fault == "duplicate")
        {
            faults.SetDuplication(loss, MicroSeconds(5));
        }
        else if (s.fault == "corrupt")
        {
            faults.SetCorruption(loss); // main() turned the FCS on
        }
        else if (s.fault == "interconnect")
        {
            TlpFaultHelper::SetInterconnectLoss(hosts.Get(1), loss, 7);
        }
    }
    faults.Install(hosts);
    if (s.fault == "linkdown" && loss > 0)
    {
        faults.LinkDown(MicroSeconds(100), MilliSeconds(1));
    }

    uint64_t bytes = s.count * s.size;
    uint64_t windowSize = (bytes + 4095) / 4096 * 4096;
    tunnel.MapWindow(hosts.Get(0),
                     WINDOW,
                     windowSize,
                     hosts.Get(1)->GetId(),
                     TunnelGrantHeader::ANY_BASE,
                     TlpWindow::SENDER,
                     confirm ? TlpWindow::CONFIRM_RECEIVER_NIC : TlpWindow::CONFIRM_NONE);
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(0));
    cpu->SetAttribute("StreamCount", UintegerValue(s.count));
    cpu->SetAttribute("StreamSize", UintegerValue(s.size));
    cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
    cpu->SetAttribute("StreamRange", UintegerValue(bytes));
    cpu->SetStartTime(MicroSeconds(10)); // after the grant
    Recorder r(&out);
    cpu->TraceConnectWithoutContext("Tx", MakeCallback(&Recorder::CpuTx, &r));
    Ptr<TlpTunnelNetDevice> nic0 = TlpTunnelHelper::GetNic(hosts.Get(0));
    Ptr<TlpTunnelNetDevice> nic1 = TlpTunnelHelper::GetNic(hosts.Get(1));
    nic0->TraceConnectWithoutContext("Grant", MakeCallback(&Recorder::Granted, &r));
    nic1->TraceConnectWithoutContext("MacRx", MakeCallback(&Recorder::MacRx, &r));
    Ptr<TlpMemory> remote = TlpTunnelHelper::GetMemory(hosts.Get(1));
    remote->TraceConnectWithoutContext("Write", MakeCallback(&Recorder::Write, &r));
    Simulator::Run();

    out.match = nic0->GetWindow(0)->IsGranted() && out.landed == out.tlpsSent;
    for (uint64_t offset = 0; out.match && offset < bytes; ++offset)
    {
        out.match = remote->GetStore().ReadByte(r.regionBase + offset) ==
                    TlpCpu::PatternByte(WINDOW + offset, 1);
    }
    out.lost = faults.GetLost();
    // Every frame with a bit flipped fails its FCS: a loss.
    const TlpFaultHelper::Counts& corrupted = faults.GetCorrupted();
    out.lost.data += corrupted.data;
    out.lost.completion += corrupted.completion;
    out.lost.ack += corrupted.ack;
    out.lost.grant += corrupted.grant;
    out.lost.other += corrupted.other;
    out.held = faults.GetReordered();
    out.doubled = faults.GetDuplicated();
    out.dropped = faults.GetNetworkDrops();
    out.nic[0] = nic0->GetStatistics();
    out.nic[1] = nic1->GetStatistics();
    if (s.pcap && loss == s.loss)
    {
        TlpTunnelHelper::PrintCounters(std::cout, hosts);
    }
    Simulator::Destroy();
    return out;
}

/// The share of the loss the ideal accounts for: the rate of random loss, or the
/// share of DATA packets the fault actually lost.
double
LostShare(const Setup& s, double loss, const Outcome& o)
{
    if (s.fault == "random" || s.fault == "corrupt")
    {
        return loss;
    }
    uint64_t sent = o.lost.data + o.dataArrived;
    return s.fault == "burst" || s.fault == "linkdown" ? (sent ? double(o.lost.data) / sent : 0)
                                                       : 0;
}

void
Print(const Setup& s, double loss, const Outcome& o, double lossless)
{
    const TlpTunnelNetDevice::Statistics& n0 = o.nic[0];
    const TlpTunnelNetDevice::Statistics& n1 = o.nic[1];
    double ideal = (1 - LostShare(s, loss, o)) * lossless;
    std::cout << std::fixed;
    std::cout << "lossy-fabric: transport=" << s.transport << " recovery=" << s.recovery
              << " fault=" << s.fault << " loss=" << std::setprecision(3) << loss
              << " writes=" << s.count << " size=" << s.size << " B link=" << s.link
              << " rate=" << s.rate << "\n";
    std::cout << "writes: " << o.tlpsSent << " TLPs sent, " << o.landed
              << " landed in remote memory, " << o.landedTwice << " stored again\n";
    std::cout << "network: " << o.lost.Sequenced() << " data packets lost, " << o.held.Sequenced()
              << " held back, " << o.doubled.Sequenced() << " doubled, " << o.dropped.Sequenced()
              << " dropped by the network; " << o.lost.ack << " acks lost\n";
    std::cout << "retransmissions: " << n0.packetsRetransmitted + n1.packetsRetransmitted
              << " (fast " << n0.fastRetransmits + n1.fastRetransmits << "), timeouts "
              << n0.timeouts + n1.timeouts << ", duplicates dropped "
              << n0.duplicatesDropped + n1.duplicatesDropped << ", out of order dropped "
              << (s.recovery == "gbn" ? n1.outOfOrder : 0) << ", acks sent "
              << n0.acksSent + n1.acksSent << "\n";
    if (s.fault == "interconnect")
    {
        std::cout << "interconnect: " << n1.interconnectLosses << " TLPs lost, "
                  << n1.interconnectResends << " placed again, " << n1.confirmationsSent
                  << " writes confirmed by the receiving NIC\n";
    }
    std::cout << "failures: peers unreachable " << n0.peersUnreachable + n1.peersUnreachable
              << ", writes lost " << n0.writesLost + n1.writesLost << ", requests aborted "
              << n0.requestsAborted + n1.requestsAborted << "\n";
    std::cout << "goodput: simulated " << std::setprecision(3) << o.Goodput() / 1e9
              << " Gb/s ideal " << ideal / 1e9 << " Gb/s ratio " << std::setprecision(4)
              << (ideal > 0 ? o.Goodput() / ideal : 0) << "\n";
}

} // namespace

int
main(int argc, char* argv[])
{
    Setup s;
    std::string lossText = "0.05";
    std::string countText = "20000";
    std::string sizeText = "256";
    std::string queueText = "64";
    bool sweep = false;
    std::string csv;

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport", "ethernet or udp", s.transport);
    cmd.AddValue("recovery", "sr (SelectiveRepeat) or gbn (GoBackN)", s.recovery);
    cmd.AddValue("fault",
                 "random, burst, linkdown (1 ms), reorder, duplicate, corrupt (a bit flipped; "
                 "the FCS on), or interconnect (node 1's NIC loses TLPs towards its memory; "
                 "the window confirms at that NIC)",
                 s.fault);
    cmd.AddValue("loss", "the fault's rate, 0..0.5 (linkdown: any positive value)", lossText);
    cmd.AddValue("count", "writes, 1..10000000", countText);
    cmd.AddValue("size", "bytes per write, 1..4096", sizeText);
    cmd.AddValue("link",
                 "network links: ethernet (full duplex), csma (ns-3's bus) or p2p (PPP, udp only)",
                 s.link);
    cmd.AddValue("rate", "rate of every link (the star's first link is the bottleneck)", s.rate);
    cmd.AddValue("queue", "device queue of every link, packets, 1..100000", queueText);
    cmd.AddValue("sweep",
                 "run loss 1, 5 and 20 % with both recovery modes on both transports",
                 sweep);
    cmd.AddValue("csv", "with --sweep: write the table to this file", csv);
    cmd.AddValue("pcap",
                 "write pcap files of the NICs (raw TLPs) and of the links, of the lossy run "
                 "(not with --sweep)",
                 s.pcap);
    cmd.Parse(argc, argv);
    if (!ParseChoice("transport", s.transport, {"ethernet", "udp"}) ||
        !ParseChoice("link", s.link, {"ethernet", "csma", "p2p"}) ||
        !LinkFits(s.link, s.transport) || !ParseChoice("recovery", s.recovery, {"sr", "gbn"}) ||
        !ParseChoice(
            "fault",
            s.fault,
            {"random", "burst", "linkdown", "reorder", "duplicate", "corrupt", "interconnect"}) ||
        !ParseFraction("loss", lossText, 0, 0.5, s.loss) ||
        !ParseUnsigned("count", countText, 1, 10000000, s.count) ||
        !ParseUnsigned("size", sizeText, 1, 4096, s.size) ||
        !ParseUnsigned("queue", queueText, 1, 100000, s.queue))
    {
        return 2;
    }
    if (sweep && s.pcap)
    {
        std::cerr
            << "--pcap=true: not with --sweep=true (its runs would overwrite each other's files)\n";
        return 2;
    }
    if (s.rate.GetBitRate() == 0)
    {
        std::cerr << "--rate=0bps: must be positive\n";
        return 2;
    }
    if (s.fault == "corrupt")
    {
        // Frames carry an FCS (and IPv4 and UDP their checksums) that ns-3 computes and
        // checks only when asked to.
        GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
    }

    bool ok = true;
    if (!sweep)
    {
        Outcome lossless = Run(s, 0);
        Outcome lossy = s.loss > 0 ? Run(s, s.loss) : lossless;
        Print(s, s.loss, lossy, lossless.Goodput());
        ok = lossy.match && lossless.match;
        std::cout << "memory-image: " << (ok ? "match" : "mismatch") << "\n";
        return ok ? 0 : 1;
    }
    std::ofstream file;
    if (!csv.empty())
    {
        file.open(csv);
        if (!file)
        {
            std::cerr << "--csv=" << csv << ": cannot write\n";
            return 2;
        }
        file << "transport,link,recovery,loss,writes,size,goodput_gbps,ideal_gbps,ratio,"
                "lost,retransmitted,timeouts,duplicates_dropped,match\n";
    }
    for (const char* transport : {"udp", "ethernet"})
    {
        if (s.link == "p2p" && std::string(transport) != "udp")
        {
            continue; // point-to-point links carry UDP only
        }
        for (const char* recovery : {"sr", "gbn"})
        {
            Setup c = s;
            c.transport = transport;
            c.recovery = recovery;
            c.fault = "random";
            double lossless = Run(c, 0).Goodput();
            for (double loss : {0.01, 0.05, 0.20})
            {
                Outcome o = Run(c, loss);
                Print(c, loss, o, lossless);
                double ideal = (1 - loss) * lossless;
                ok = ok && o.match;
                if (file)
                {
                    file << transport << "," << c.link << "," << recovery << "," << loss << ","
                         << c.count << "," << c.size << "," << o.Goodput() / 1e9 << ","
                         << ideal / 1e9 << "," << o.Goodput() / ideal << "," << o.lost.Sequenced()
                         << "," << o.nic[0].packetsRetransmitted + o.nic[1].packetsRetransmitted
                         << "," << o.nic[0].timeouts + o.nic[1].timeouts << ","
                         << o.nic[0].duplicatesDropped + o.nic[1].duplicatesDropped << ","
                         << (o.match ? "yes" : "no") << "\n";
                }
            }
        }
    }
    std::cout << "memory-image: " << (ok ? "match" : "mismatch") << "\n";
    return ok ? 0 : 1;
}
