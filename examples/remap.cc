/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Remapping at run time (claim 32) through a memory ID (claims 35-36): node 1
 * registers a range of its memory under memory ID 1; node 0's CPU streams writes
 * through a window that names (node 1, memory ID 1), so its packets carry the memory
 * ID and offsets, never an address. Mid-stream node 1 moves the memory ID to another
 * range and tells node 0 with a REMAP (resent until acknowledged). Every write
 * request lands whole in exactly one range: the old one when its sequence number is
 * below the switch sequence the REMAP names, the new one otherwise. The example
 * builds both expected images from what node 0 sent and the switch sequence alone,
 * compares both ranges byte for byte, checks that every request was stored exactly
 * once, prints the figures and "memory-image: match", and exits non-zero otherwise.
 *
 *   ./tlp-tunnel.sh run remap --transport=udp --loss=0.05
 *   ./tlp-tunnel.sh run remap --writes=5000 --size=3 --remap-after=100 --pcap=true
 */

#include "tlp-example-args.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <iomanip>
#include <iostream>
#include <map>
#include <vector>

using namespace ns3;
using namespace tlpexample;

NS_LOG_COMPONENT_DEFINE("RemapExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< node 0's window (16 TiB)
const uint64_t OLD = 0x0000000040000000ULL;    //!< node 1's range before the remap (1 GiB)
const uint64_t NEW = 0x0000000080000000ULL;    //!< and after it (2 GiB)
const uint16_t MEMORY_ID = 1;                  //!< the memory ID

/// A write request node 0 sent: where, how many bytes, its sequence number.
struct Sent
{
    uint64_t offset; //!< first byte written, offset into the window
    uint32_t bytes;  //!< bytes written
    uint32_t seq;    //!< the DATA packet's sequence number
};

/// What the run saw.
struct Recorder
{
    std::map<uint64_t, Sent> sent;       //!< by first byte (first transmission)
    std::map<uint64_t, uint32_t> stores; //!< node 1's stores, by first byte address
    uint64_t cpuTlps = 0;                //!< write requests the CPU issued
    uint32_t remapAfter = 0;             //!< stores before the remap is asked for
    Ptr<TlpTunnelNetDevice> receiver;    //!< node 1's NIC
    uint32_t notices = 0;                //!< Remapped traces at node 0
    uint32_t switchSequence = 0;         //!< what the REMAP said
    Time remapAt;                        //!< when the switch happened
    Time noticeAt;                       //!< when node 0 heard of it

    void CpuTx(Ptr<const Packet>)
    {
        cpuTlps++;
    }

    void MacTx(Ptr<const Packet> p)
    {
        TlpUnpacker u;
        if (!u.Parse(p) || u.GetHeader().GetKind() != TunnelHeader::DATA)
        {
            return;
        }
        for (uint16_t i = 0; i < u.GetNTlps(); ++i)
        {
            const TlpHeader& h = u.GetTlp(i).header;
            Sent s{h.GetFirstByteAddress(),
                   TlpWriteConfirmation::WrittenBytes(h),
                   u.GetHeader().GetSequence()};
            sent.emplace(s.offset, s); // retransmissions keep their sequence number
        }
    }

    void Write(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        if (stores[h.GetFirstByteAddress()]++ == 0 && stores.size() == remapAfter)
        {
            receiver->RemapMemoryId(MEMORY_ID, NEW); // mid-stream, writes in flight
        }
    }

    void Remap(uint16_t, uint32_t, uint64_t, uint64_t)
    {
        remapAt = Simulator::Now();
    }

    void Remapped(uint32_t, uint16_t, uint32_t, uint32_t sequence)
    {
        notices++;
        switchSequence = sequence;
        noticeAt = Simulator::Now();
    }
};

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "udp";
    std::string lossText = "0";
    std::string writesText = "2000";
    std::string sizeText = "64";
    std::string afterText = "0";
    bool pcap = false;

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport", "ethernet or udp", transport);
    cmd.AddValue("loss", "share of packets each link loses at random, 0..0.5", lossText);
    cmd.AddValue("writes", "writes the CPU streams, 2..100000", writesText);
    cmd.AddValue("size", "bytes per write, 1..4096", sizeText);
    cmd.AddValue("remap-after",
                 "stores in node 1's memory before node 1 remaps, 1..writes-1 (0: half)",
                 afterText);
    cmd.AddValue("pcap", "write pcap files of the NICs (raw TLPs) and of the links", pcap);
    cmd.Parse(argc, argv);
    double loss = 0;
    uint64_t writes = 0;
    uint64_t size = 0;
    uint64_t after = 0;
    if (!ParseChoice("transport", transport, {"ethernet", "udp"}) ||
        !ParseFraction("loss", lossText, 0, 0.5, loss) ||
        !ParseUnsigned("writes", writesText, 2, 100000, writes) ||
        !ParseUnsigned("size", sizeText, 1, 4096, size) ||
        !ParseUnsigned("remap-after", afterText, 0, writes - 1, after))
    {
        return 2;
    }
    if (after == 0)
    {
        after = writes / 2;
    }
    uint64_t bytes = writes * size;
    uint64_t range = (bytes + 4095) / 4096 * 4096;

    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    NetDeviceContainer nics = tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.Connect(hosts, tunnel, transport);
    TlpFaultHelper faults;
    if (loss > 0)
    {
        faults.SetLossRate(loss);
    }
    faults.Install(hosts);
    if (pcap)
    {
        Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
        tunnel.EnablePcap("remap", nics);
        topology.EnablePcap("remap");
    }

    tunnel.RegisterMemoryId(hosts.Get(1), MEMORY_ID, OLD, range);
    tunnel.MapMemoryIdWindow(hosts.Get(0), WINDOW, range, hosts.Get(1)->GetId(), MEMORY_ID);
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(0));
    cpu->SetAttribute("StreamCount", UintegerValue(writes));
    cpu->SetAttribute("StreamSize", UintegerValue(size));
    cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
    cpu->SetAttribute("StreamRange", UintegerValue(bytes));
    cpu->SetStartTime(MicroSeconds(10)); // after the grant

    Recorder r;
    r.receiver = TlpTunnelHelper::GetNic(hosts.Get(1));
    r.remapAfter = static_cast<uint32_t>(after);
    Ptr<TlpTunnelNetDevice> nic0 = TlpTunnelHelper::GetNic(hosts.Get(0));
    cpu->TraceConnectWithoutContext("Tx", MakeCallback(&Recorder::CpuTx, &r));
    nic0->TraceConnectWithoutContext("MacTx", MakeCallback(&Recorder::MacTx, &r));
    nic0->TraceConnectWithoutContext("Remapped", MakeCallback(&Recorder::Remapped, &r));
    r.receiver->TraceConnectWithoutContext("Remap", MakeCallback(&Recorder::Remap, &r));
    Ptr<TlpMemory> memory = TlpTunnelHelper::GetMemory(hosts.Get(1));
    memory->TraceConnectWithoutContext("Write", MakeCallback(&Recorder::Write, &r));
    Simulator::Run();

    // The expected images, from what node 0 sent and the switch sequence alone.
    std::vector<uint8_t> expectOld(range, 0);
    std::vector<uint8_t> expectNew(range, 0);
    uint64_t before = 0;
    for (const auto& entry : r.sent)
    {
        const Sent& s = entry.second;
        bool old = static_cast<int32_t>(s.seq - r.switchSequence) < 0;
        before += old;
        for (uint32_t b = 0; b < s.bytes; ++b)
        {
            (old ? expectOld : expectNew)[s.offset + b] =
                TlpCpu::PatternByte(WINDOW + s.offset + b, 1);
        }
    }
    std::vector<uint8_t> gotOld(range);
    std::vector<uint8_t> gotNew(range);
    memory->GetStore().Read(OLD, gotOld.data(), range);
    memory->GetStore().Read(NEW, gotNew.data(), range);
    uint64_t storedTwice = 0;
    for (const auto& entry : r.stores)
    {
        storedTwice += entry.second - 1;
    }
    const TlpTunnelNetDevice::Statistics& n0 = nic0->GetStatistics();
    const TlpTunnelNetDevice::Statistics& n1 = r.receiver->GetStatistics();
    uint64_t afterSwitch = r.sent.size() - before;

    std::cout << std::fixed << std::setprecision(3);
    std::cout << "remap: transport=" << transport << " loss=" << loss << " writes=" << writes
              << " size=" << size << " B remap-after=" << after << " stores\n";
    std::cout << "switch: memory ID " << MEMORY_ID << " moved 0x" << std::hex << OLD << " -> 0x"
              << NEW << std::dec << " at " << r.remapAt.GetMicroSeconds() << " us; node 0 told at "
              << r.noticeAt.GetMicroSeconds() << " us, switch sequence " << r.switchSequence
              << "\n";
    std::cout << "requests: " << r.cpuTlps << " write TLPs sent, " << before
              << " before the switch (old range), " << afterSwitch
              << " after it (new range); stored " << r.stores.size() << " distinct, " << storedTwice
              << " stored again\n";
    std::cout << "control: " << n1.remapsSent << " REMAP sent, " << n0.remapAcksSent
              << " REMAP_ACK sent, notices acknowledged " << n1.remapNoticesAcked << ", given up "
              << n1.remapNoticesFailed << "\n";
    std::cout << "network: " << faults.GetLost().Sequenced() << " data packets lost, "
              << faults.GetLost().grant << " control packets lost, "
              << n0.packetsRetransmitted + n1.packetsRetransmitted << " retransmissions, "
              << n0.writesLost << " writes lost\n";
    if (pcap)
    {
        TlpTunnelHelper::PrintCounters(std::cout, hosts);
    }
    bool ok = r.notices == 1 && n1.remapNoticesAcked == 1 && r.sent.size() == r.cpuTlps &&
              r.stores.size() == r.cpuTlps && storedTwice == 0 && before > 0 && afterSwitch > 0 &&
              gotOld == expectOld && gotNew == expectNew;
    std::cout << "memory-image: " << (ok ? "match" : "mismatch") << "\n";
    Simulator::Destroy();
    return ok ? 0 : 1;
}
