/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Fabric goodput: two nodes on one switch (or router). Node 0's CPU streams writes
 * into a window onto node 1's memory as fast as it may issue them (with
 * --bidirectional=true node 1 does the same towards node 0 at the same time). For
 * each direction the example prints the goodput measured at the remote memory
 * (TLP data bytes after the first TLP over the time to the last) next to the
 * analytical limit: the smallest of the limits of the stages a write crosses, each
 * computed from its own rate and the bytes it carries per write:
 *
 *   - the sender's PCIe link (root port to NIC) and the receiver's (NIC to root
 *     port): TLP header, data and framing per TLP at the link's rate less its SKP
 *     ordered sets; both ways at once, each direction also carries the Acks and
 *     UpdateFCs of the other way's TLPs (one DLLP of each per AckLatency and
 *     UpdateFcLatency, or per TLP when TLPs are further apart);
 *   - the receiver's memory controller (its Bandwidth);
 *   - the NICs: each direction of a NIC is a stage busy ProcessingDelay per TLP
 *     from its PCIe link and per packet from the network (here one TLP each);
 *   - the network links (host to switch, switch to host): the tunnel packet with
 *     every header and trailer of the link: on full-duplex Ethernet preamble and
 *     SFD 8, header 14, payload padded to 46, FCS 4, gap 12; on ns-3's CSMA bus the
 *     frame (no preamble or gap) and the propagation delay after it, the two
 *     directions sharing the bus; on point-to-point links PPP 2 and the datagram.
 *
 * Then "drops: N" counts every drop in the fabric: link devices (queues full,
 * refused or corrupted frames), IPv4 and ARP, and the NICs (dropped TLPs and
 * packets, sequence gaps). With --check=true the exit status is 1 unless every
 * ratio is within 1 % of 1, nothing was dropped and the memory images match.
 *
 *   ./tlp-tunnel.sh run fabric-goodput --transport=udp --rate=10Gbps --size=256 \
 *       --bidirectional=true
 */

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("FabricGoodputExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< window base on both nodes (16 TiB)

/// Data bytes of the TLPs a memory executed, after the first, and their time span.
struct Meter
{
    uint64_t tlps = 0;  //!< TLPs seen
    uint64_t bytes = 0; //!< data bytes after the first TLP
    Time first;         //!< first TLP
    Time last;          //!< last TLP

    void Tlp(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        if (tlps++ == 0)
        {
            first = Simulator::Now();
        }
        else
        {
            bytes += h.GetDataSize();
        }
        last = Simulator::Now();
    }

    double Goodput() const
    {
        return last > first ? bytes * 8 / (last - first).GetSeconds() : 0;
    }
};

/// Counts drops reported by trace sources.
struct DropCounter
{
    uint64_t n = 0;

    void Packet(Ptr<const ns3::Packet>)
    {
        ++n;
    }

    void Ipv4(const Ipv4Header&,
              Ptr<const ns3::Packet>,
              Ipv4L3Protocol::DropReason,
              Ptr<ns3::Ipv4>,
              uint32_t)
    {
        ++n;
    }
};

/// What one write puts on each stage, summed over the writes of the stream.
struct Load
{
    uint64_t data = 0;     //!< TLP data bytes
    uint64_t tlps = 0;     //!< TLPs
    uint64_t pcieTx = 0;   //!< bytes on the sender's PCIe link
    uint64_t pcieRx = 0;   //!< bytes on the receiver's PCIe link
    uint64_t linkWire = 0; //!< bytes on a network link (CSMA: the frames)
};

/**
 * \param l2 bytes after the Ethernet header (or the IP datagram on point-to-point)
 * \param link the link type
 * \return bytes the link spends on them
 */
uint64_t
WireBytes(uint64_t l2, TlpTopologyHelper::LinkType link)
{
    switch (link)
    {
    case TlpTopologyHelper::ETHERNET:
        return 8 + FullDuplexEthernetNetDevice::GetFrameSize(l2) + 12;
    case TlpTopologyHelper::CSMA:
        return FullDuplexEthernetNetDevice::GetFrameSize(l2); // ns-3's CSMA: the frame only
    default:
        return 2 + l2; // PPP
    }
}

/**
 * \brief Add up what a stream of writes puts on each stage. Writes are split into
 * TLPs at Max_Payload_Size boundaries, each TLP's data spans whole DWs, and its
 * header is 4DW at or above 4 GiB, 3DW below.
 */
Load
StreamLoad(uint32_t count,
           uint32_t size,
           uint32_t mps,
           uint64_t regionBase,
           uint32_t overhead,
           bool udp,
           TlpTopologyHelper::LinkType link)
{
    Load load;
    for (uint64_t i = 0; i < count; ++i)
    {
        uint64_t offset = i * size;
        uint64_t end = offset + size;
        while (offset < end)
        {
            uint64_t chunkEnd = std::min(end, (offset / mps + 1) * mps);
            uint64_t dw = ((chunkEnd + 3) / 4 - offset / 4) * 4;
            uint32_t txHeader = WINDOW + offset >= (uint64_t(1) << 32) ? 16 : 12;
            uint32_t rxHeader = regionBase + offset >= (uint64_t(1) << 32) ? 16 : 12;
            load.data += dw;
            load.tlps++;
            load.pcieTx += txHeader + dw + overhead;
            load.pcieRx += rxHeader + dw + overhead;
            uint64_t tunnel = TunnelHeader::GetSerializedSizeFor(1) + rxHeader + dw; // one length
            load.linkWire += WireBytes(udp ? 20 + 8 + tunnel : tunnel, link);
            offset = chunkEnd;
        }
    }
    return load;
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "ethernet";
    std::string link = "ethernet";
    DataRate rate("100Gbps");
    uint32_t size = 64;
    uint32_t count = 10000;
    bool bidirectional = false;
    bool check = false;

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport",
                 "ethernet (0x88B5 frames through a switch) or udp (UDP/IPv4 through a router)",
                 transport);
    cmd.AddValue("link",
                 "network links: ethernet (full duplex), csma (ns-3's bus) or p2p (PPP, udp only)",
                 link);
    cmd.AddValue("rate", "network link rate", rate);
    cmd.AddValue("size", "bytes per write", size);
    cmd.AddValue("count", "writes per direction", count);
    cmd.AddValue("bidirectional", "both nodes write to each other at once", bidirectional);
    cmd.AddValue("check", "exit 1 unless every ratio is within 1 % and nothing dropped", check);
    cmd.Parse(argc, argv);
    if (count < 2 || size == 0)
    {
        std::cerr << "--count must be 2 at least and --size positive\n";
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

    uint32_t directions = bidirectional ? 2 : 1;
    uint64_t bytes = uint64_t(count) * size;
    uint64_t windowSize = (bytes + 4095) / 4096 * 4096;
    Meter meters[2];
    for (uint32_t s = 0; s < directions; ++s)
    {
        uint32_t d = 1 - s;
        tunnel.MapWindow(hosts.Get(s), WINDOW, windowSize, hosts.Get(d)->GetId());
        Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(s));
        cpu->SetAttribute("StreamCount", UintegerValue(count));
        cpu->SetAttribute("StreamSize", UintegerValue(size));
        cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
        cpu->SetAttribute("StreamRange", UintegerValue(bytes));
        cpu->SetStartTime(MicroSeconds(20)); // after the grant
        TlpTunnelHelper::GetMemory(hosts.Get(d))
            ->TraceConnectWithoutContext("Write", MakeCallback(&Meter::Tlp, &meters[s]));
    }

    DropCounter drops;
    NetDeviceContainer links = topology.GetLinkDevices();
    for (uint32_t i = 0; i < links.GetN(); ++i)
    {
        for (const char* source : {"MacTxDrop", "PhyTxDrop", "PhyRxDrop"})
        {
            links.Get(i)->TraceConnectWithoutContext(source,
                                                     MakeCallback(&DropCounter::Packet, &drops));
        }
    }
    for (uint32_t i = 0; i < NodeList::GetNNodes(); ++i)
    {
        Ptr<Node> node = NodeList::GetNode(i);
        if (Ptr<Ipv4L3Protocol> ipv4 = node->GetObject<Ipv4L3Protocol>())
        {
            ipv4->TraceConnectWithoutContext("Drop", MakeCallback(&DropCounter::Ipv4, &drops));
            node->GetObject<ArpL3Protocol>()->TraceConnectWithoutContext(
                "Drop",
                MakeCallback(&DropCounter::Packet, &drops));
        }
    }

    Simulator::Run();

    Ptr<PcieLink> pcie = TlpTunnelHelper::GetNicLink(hosts.Get(0));
    UintegerValue mps;
    TlpTunnelHelper::GetCpu(hosts.Get(0))->GetAttribute("MaxPayloadSize", mps);
    DataRateValue memoryRate;
    TlpTunnelHelper::GetMemory(hosts.Get(0))->GetAttribute("Bandwidth", memoryRate);
    TlpTopologyHelper::LinkType linkType = topology.GetLinkType();
    double pcieRate = pcie->GetEffectiveBitRate();
    TimeValue processing;
    TlpTunnelHelper::GetNic(hosts.Get(0))->GetAttribute("ProcessingDelay", processing);
    double linkRate = rate.GetBitRate();
    std::cout << "fabric-goodput: transport=" << transport << " link=" << link << " rate=" << rate
              << " size=" << size << " B count=" << count
              << (bidirectional ? " both ways" : " one way") << "\n";
    bool ok = true;
    bool match = true;
    std::cout << std::fixed;
    Load loads[2];
    for (uint32_t s = 0; s < directions; ++s)
    {
        uint64_t region = TlpTunnelHelper::GetNic(hosts.Get(s))->GetWindow(0)->GetRegionBase();
        loads[s] = StreamLoad(count,
                              size,
                              mps.Get(),
                              region,
                              pcie->GetFramingBytes(),
                              transport == "udp",
                              linkType);
    }
    for (uint32_t s = 0; s < directions; ++s)
    {
        uint32_t d = 1 - s;
        const Load& load = loads[s];
        double data = load.data * 8.0;
        double network = linkRate * load.data / load.linkWire;
        if (linkType == TlpTopologyHelper::CSMA)
        {
            // Each frame holds the bus for its time and the propagation after it; both
            // directions share it.
            double busSeconds =
                load.linkWire * 8 / linkRate + load.tlps * topology.GetDelay().GetSeconds();
            network = data / busSeconds / directions;
        }
        uint64_t region = TlpTunnelHelper::GetNic(hosts.Get(s))->GetWindow(0)->GetRegionBase();
        double memoryLimit = memoryRate.Get().GetBitRate() ? memoryRate.Get().GetBitRate() : 1e300;
        // Both NICs' stages carry the same TLPs, each in a packet of its own.
        double nicRate = processing.Get().IsStrictlyPositive()
                             ? data / (load.tlps * processing.Get().GetSeconds())
                             : 1e300;
        // Both ways at once, each direction of a PCIe link also carries the DLLPs of
        // the other stream's TLPs: an Ack per AckLatency and an UpdateFC per
        // UpdateFcLatency while they arrive (one each per TLP when the TLPs are further
        // apart), which depends on the period the slowest stage sets.
        double pcieTx = pcieRate * load.data / load.pcieTx;
        double pcieRx = pcieRate * load.data / load.pcieRx;
        for (int i = 0; i < 20 && directions == 2; ++i)
        {
            const Load& other = loads[d];
            double period = data / std::min({pcieTx, pcieRx, nicRate, network, memoryLimit}) /
                            other.tlps * 1e12;
            double ack = pcie->GetAckLatency().GetPicoSeconds();
            double updateFc = pcie->GetUpdateFcLatency().GetPicoSeconds();
            double dllps =
                1 / (std::floor(ack / period) + 1) + 1 / (std::floor(updateFc / period) + 1);
            double dllpBytes = other.tlps * dllps * pcie->GetDllpBytes();
            pcieTx = pcieRate * load.data / (load.pcieTx + dllpBytes);
            pcieRx = pcieRate * load.data / (load.pcieRx + dllpBytes);
        }
        double analytical = std::min({pcieTx, pcieRx, nicRate, network, memoryLimit});
        double simulated = meters[s].Goodput();
        double ratio = simulated / analytical;
        std::cout << std::setprecision(3) << "stages " << s << "->" << d << ": PCIe link "
                  << pcieTx / 1e9 << " Gb/s (node " << s << "), NICs " << nicRate / 1e9
                  << " Gb/s (ProcessingDelay " << processing.Get().GetNanoSeconds()
                  << " ns per TLP), network links " << network / 1e9 << " Gb/s ("
                  << std::setprecision(1) << double(load.linkWire) / count
                  << " bytes per write on each), PCIe link " << std::setprecision(3) << pcieRx / 1e9
                  << " Gb/s and memory " << memoryLimit / 1e9 << " Gb/s (node " << d << ")\n";
        std::cout << "goodput " << s << "->" << d << ": simulated " << simulated / 1e9
                  << " Gb/s analytical " << analytical / 1e9 << " Gb/s ratio "
                  << std::setprecision(4) << ratio << "\n";
        ok = ok && std::abs(ratio - 1) <= 0.01;
        Ptr<TlpMemory> memory = TlpTunnelHelper::GetMemory(hosts.Get(d));
        for (uint64_t o = 0; match && o < bytes; ++o)
        {
            match = memory->GetStore().ReadByte(region + o) == TlpCpu::PatternByte(WINDOW + o, 1);
        }
        match = match && meters[s].tlps == load.tlps;
    }
    uint64_t nicDrops = 0;
    for (uint32_t i = 0; i < 2; ++i)
    {
        const TlpTunnelNetDevice::Statistics& st =
            TlpTunnelHelper::GetNic(hosts.Get(i))->GetStatistics();
        nicDrops += st.tlpDrops + st.malformedPackets + st.sequenceGaps;
    }
    std::cout << "drops: " << drops.n + nicDrops << " (links, IPv4 and ARP " << drops.n << ", NICs "
              << nicDrops << ")\n";
    std::cout << "memory-image: " << (match ? "match" : "mismatch") << "\n";
    ok = ok && drops.n + nicDrops == 0 && match;
    Simulator::Destroy();
    if (!match)
    {
        return 1;
    }
    return check && !ok ? 1 : 0;
}
