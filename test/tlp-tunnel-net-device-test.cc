/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * The NIC end to end, on both transports: remote writes compared byte for byte
 * with the expected memory image in both translation modes, TLPs unchanged but
 * for address and ECRC, remote reads and NIC-generated reads, the grant before
 * data with back-pressure, malformed packets from the network, unmapped and
 * refused windows, the latency formula, pcap output and bad configuration.
 */

#include "tlp-nic-test-util.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/full-duplex-ethernet-net-device.h"
#include "ns3/inet-socket-address.h"
#include "ns3/ipv4.h"
#include "ns3/node-container.h"
#include "ns3/pcap-file.h"
#include "ns3/pointer.h"
#include "ns3/queue.h"
#include "ns3/tlp-ethernet-transport.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/tlp-udp-transport.h"
#include "ns3/tunnel-header.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <set>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;
const uint64_t REGION = 0x0000000040000000ULL;

/// Compute nodes joined by a star of the given transport.
struct Fabric : public ComputeNodes
{
    Fabric(const std::string& transport,
           uint32_t n = 2,
           uint32_t rxCredits = 64,
           uint32_t linkQueue = 1000,
           uint16_t mtu = 0,
           uint32_t maxPayloadSize = 256)
    {
        hosts.Create(n);
        tunnel.SetNicAttribute("RxCredits", UintegerValue(rxCredits));
        tunnel.SetCpuAttribute("MaxPayloadSize", UintegerValue(maxPayloadSize));
        tunnel.SetMemoryAttribute("MaxPayloadSize", UintegerValue(maxPayloadSize));
        nics = tunnel.Install(hosts);
        topology.SetQueueSize(linkQueue);
        if (mtu != 0)
        {
            topology.SetMtu(mtu);
        }
        topology.Connect(hosts, tunnel, transport);
    }

    /**
     * \brief Let node i's CPU stream 64-byte operations through WINDOW, each to the
     * next address.
     * \param i the node
     * \param count operations
     * \return the CPU
     */
    Ptr<TlpCpu> StreamThroughWindow(uint32_t i, uint64_t count)
    {
        Ptr<TlpCpu> cpu = Cpu(i);
        cpu->SetAttribute("StreamCount", UintegerValue(count));
        cpu->SetAttribute("StreamSize", UintegerValue(64));
        cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
        cpu->SetAttribute("StreamRange", UintegerValue(count * 64));
        return cpu;
    }

    void OnDone(const TlpCpu::Result& r)
    {
        results.push_back(r);
    }

    TlpCpu::DoneCallback Done()
    {
        return MakeCallback(&Fabric::OnDone, this);
    }

    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    NetDeviceContainer nics;
    std::vector<TlpCpu::Result> results;
};

std::vector<uint8_t>
Pattern(uint32_t n, uint32_t seed)
{
    std::vector<uint8_t> v(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        v[i] = static_cast<uint8_t>(i * 13 + seed);
    }
    return v;
}

/// Records copies of the TLPs a PCIe port sends or receives.
struct PortTap
{
    std::vector<std::vector<uint8_t>> tlps;

    void Tap(Ptr<const Packet> tlp)
    {
        tlps.push_back(Bytes(tlp));
    }
};

/// The largest packet or frame a trace source saw.
struct Largest
{
    uint32_t bytes = 0;
    uint32_t count = 0;

    void Packet(Ptr<const ns3::Packet> p)
    {
        bytes = std::max(bytes, p->GetSize());
        count++;
    }
};

/// Counts drop reasons of a NIC.
struct DropTap
{
    std::vector<uint8_t> reasons;

    void Tap(Ptr<const Packet>, uint8_t reason)
    {
        reasons.push_back(reason);
    }
};

class TlpTunnelTransport : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(TlpTunnelTransport, RemoteWriteLandsInBothTranslationModes)
{
    std::vector<uint8_t> images[2];
    for (int mode = 0; mode < 2; ++mode)
    {
        Fabric f(GetParam());
        TlpWindow::TranslateAt at = mode == 0 ? TlpWindow::SENDER : TlpWindow::RECEIVER;
        f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x10000, 1, REGION, at);
        // Writes of several sizes, aligned and not, some split by Max_Payload_Size.
        f.Cpu(0)->Write(WINDOW + 0x0, Pattern(64, 1), f.Done());
        f.Cpu(0)->Write(WINDOW + 0x103, Pattern(5, 2), f.Done());
        f.Cpu(0)->Write(WINDOW + 0x1F0, Pattern(1000, 3), f.Done());
        f.Cpu(0)->Write(WINDOW + 0xFFF8, Pattern(8, 4), f.Done());
        Simulator::Run();
        std::vector<uint8_t> expected(0x10000, 0);
        std::copy_n(Pattern(64, 1).begin(), 64, expected.begin());
        std::copy_n(Pattern(5, 2).begin(), 5, expected.begin() + 0x103);
        std::copy_n(Pattern(1000, 3).begin(), 1000, expected.begin() + 0x1F0);
        std::copy_n(Pattern(8, 4).begin(), 8, expected.begin() + 0xFFF8);
        images[mode] = f.Image(1, REGION, 0x10000);
        EXPECT_EQ(images[mode], expected) << "translate at " << (mode ? "receiver" : "sender");
        EXPECT_EQ(f.Nic(0)->GetWindow(0)->GetRegionBase(), REGION);
        EXPECT_EQ(f.Nic(1)->GetStatistics().tlpDrops, 0u);
        EXPECT_EQ(f.Nic(1)->GetStatistics().malformedPackets, 0u);
        // Nothing landed outside the region: the writes touch its first and last page.
        EXPECT_EQ(f.Memory(1)->GetStore().GetAllocatedPageAddresses(),
                  (std::vector<uint64_t>{REGION, REGION + 0xF000}));
    }
    EXPECT_EQ(images[0], images[1]);
}

TEST_P(TlpTunnelTransport, TlpUnchangedButAddressAndEcrc)
{
    for (int mode = 0; mode < 2; ++mode)
    {
        Fabric f(GetParam());
        TlpWindow::TranslateAt at = mode == 0 ? TlpWindow::SENDER : TlpWindow::RECEIVER;
        f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x10000, 1, REGION, at);
        f.Cpu(0)->SetAttribute("Ecrc", BooleanValue(true));
        f.Cpu(0)->SetAttribute("TrafficClass", UintegerValue(5));
        // What node 0's NIC receives from its PCIe link, what node 1's NIC places on
        // its own.
        PortTap out;
        PortTap in;
        f.Nic(0)->GetPort()->TraceConnectWithoutContext("Rx", MakeCallback(&PortTap::Tap, &out));
        f.Nic(1)->GetPort()->TraceConnectWithoutContext("Tx", MakeCallback(&PortTap::Tap, &in));
        f.Cpu(0)->Write(WINDOW + 0x40, Pattern(64, 9), f.Done());
        f.Cpu(0)->Read(WINDOW + 0x40, 64, f.Done());
        Simulator::Run();
        ASSERT_EQ(out.tlps.size(), 2u);
        ASSERT_EQ(in.tlps.size(), 2u);
        for (int i = 0; i < 2; ++i)
        {
            const std::vector<uint8_t>& a = out.tlps[i];
            const std::vector<uint8_t>& b = in.tlps[i];
            // The sender's TLP is 4DW (window above 4 GiB), the receiver's 3DW.
            ASSERT_EQ(a.size(), b.size() + 4);
            EXPECT_EQ(a[0] & 0xDF, b[0]) << "Fmt[2:1] and Type"; // Fmt[0] is the address size
            EXPECT_EQ(ToHex({a.begin() + 1, a.begin() + 8}), ToHex({b.begin() + 1, b.begin() + 8}))
                << "DW0 bytes 1-3, Requester ID, tag, byte enables";
            EXPECT_EQ(ToHex({a.begin() + 16, a.end() - 4}), ToHex({b.begin() + 12, b.end() - 4}))
                << "data";
            TlpHeader ha;
            TlpHeader hb;
            Create<Packet>(a.data(), a.size())->PeekHeader(ha);
            Create<Packet>(b.data(), b.size())->PeekHeader(hb);
            EXPECT_EQ(ha.GetAddress(), WINDOW + 0x40);
            EXPECT_EQ(hb.GetAddress(), REGION + 0x40);
            EXPECT_EQ(TlpEcrcTrailer::Calculate(a.data(), a.size()), TlpEcrcTrailer::RESIDUE);
            EXPECT_EQ(TlpEcrcTrailer::Calculate(b.data(), b.size()), TlpEcrcTrailer::RESIDUE);
        }
        ASSERT_EQ(f.results.size(), 2u);
        EXPECT_EQ(f.results[1].data, Pattern(64, 9));
    }
}

TEST_P(TlpTunnelTransport, RemoteReadsAndNicReads)
{
    Fabric f(GetParam());
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x10000, 1, REGION);
    std::vector<uint8_t> image = Pattern(0x10000, 5);
    f.Memory(1)->GetStore().Write(REGION, image.data(), image.size());
    f.Cpu(0)->Read(WINDOW + 0x10, 3000, f.Done());
    f.Cpu(0)->FetchAdd(WINDOW + 0x8000, 0x100, 8, f.Done());
    uint8_t status = 0xEE;
    std::vector<uint8_t> data;

    struct Sink
    {
        uint8_t* status;
        std::vector<uint8_t>* data;

        void Done(uint8_t s, const std::vector<uint8_t>& d)
        {
            *status = s;
            *data = d;
        }
    } sink{&status, &data};

    Simulator::Schedule(MicroSeconds(20),
                        &TlpTunnelNetDevice::ReadRemote,
                        f.Nic(0),
                        WINDOW + 0x2000,
                        5000u,
                        0x7000000ULL,
                        MakeCallback(&Sink::Done, &sink));
    Simulator::Run();
    ASSERT_EQ(f.results.size(), 2u);
    EXPECT_EQ(f.results[0].status, TlpHeader::SC);
    EXPECT_EQ(f.results[0].data,
              std::vector<uint8_t>(image.begin() + 0x10, image.begin() + 0x10 + 3000));
    EXPECT_EQ(f.results[1].status, TlpHeader::SC);
    EXPECT_EQ(f.results[1].data,
              std::vector<uint8_t>(image.begin() + 0x8000, image.begin() + 0x8008));
    EXPECT_EQ(f.Memory(1)->GetStore().ReadByte(REGION + 0x8001), uint8_t(image[0x8001] + 1));
    EXPECT_EQ(status, TlpHeader::SC);
    std::vector<uint8_t> want(image.begin() + 0x2000, image.begin() + 0x2000 + 5000);
    EXPECT_EQ(data, want);
    EXPECT_EQ(f.Image(0, 0x7000000, 5000), want); // delivered into local memory
}

TEST_P(TlpTunnelTransport, GrantComesFirstAndNothingIsLost)
{
    // Two credits: the NIC holds two TLPs while the grant travels; the rest wait in
    // the interconnect and the CPU is held back.
    Fabric f(GetParam(), 2, 2);
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x10000, 1);
    Ptr<TlpCpu> cpu = f.StreamThroughWindow(0, 500);
    Time granted;
    Time firstData;

    struct Times
    {
        Time* granted;
        Time* firstData;

        void Grant(uint32_t, uint16_t, uint64_t)
        {
            *granted = Simulator::Now();
        }

        void Write(Ptr<const Packet>)
        {
            if (firstData->IsZero())
            {
                *firstData = Simulator::Now();
            }
        }
    } times{&granted, &firstData};

    f.Nic(0)->TraceConnectWithoutContext("Grant", MakeCallback(&Times::Grant, &times));
    f.Memory(1)->TraceConnectWithoutContext("Write", MakeCallback(&Times::Write, &times));
    Simulator::Run();
    uint64_t region = f.Nic(0)->GetWindow(0)->GetRegionBase();
    for (uint64_t o = 0; o < 500 * 64; ++o)
    {
        ASSERT_EQ(f.Memory(1)->GetStore().ReadByte(region + o), TlpCpu::PatternByte(WINDOW + o, 1))
            << o;
    }
    EXPECT_EQ(f.Nic(0)->GetStatistics().maxQueued, 2u);
    EXPECT_EQ(f.Nic(0)->GetStatistics().tlpsToNetwork, 500u);
    EXPECT_EQ(f.Nic(1)->GetStatistics().grantsSent, 1u);
    EXPECT_GT(firstData, granted);
    EXPECT_GT(granted, Time(0));
    EXPECT_EQ(cpu->GetStatistics().operationsDone, 500u);
}

TEST_P(TlpTunnelTransport, FullLinkQueueHoldsTheNicBack)
{
    // Host link queues of two packets and reads and writes as fast as the CPU can
    // issue them: the NIC waits for room in the first queue instead of losing packets.
    // The switch's (router's) ports keep deep queues: no flow control crosses a
    // store-and-forward switch in ns-3, so only the first queue can hold a NIC back.
    Fabric f(GetParam(), 2, 64, 2);
    NodeContainer switches = f.topology.GetSwitches();
    for (uint32_t s = 0; s < switches.GetN(); ++s)
    {
        for (uint32_t d = 0; d < switches.Get(s)->GetNDevices(); ++d)
        {
            PointerValue queue;
            if (switches.Get(s)->GetDevice(d)->GetAttributeFailSafe("TxQueue", queue))
            {
                queue.Get<QueueBase>()->SetMaxSize(QueueSize("100000p"));
            }
        }
    }
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x100000, 1, REGION);
    Ptr<TlpCpu> cpu = f.StreamThroughWindow(0, 3000);
    cpu->SetAttribute("StreamReadFraction", DoubleValue(0.5));
    Simulator::Run();
    EXPECT_EQ(cpu->GetStatistics().operationsDone, 3000u);
    EXPECT_EQ(cpu->GetStatistics().errors, 0u);
    EXPECT_EQ(cpu->GetStatistics().bytesRead, 1500u * 64);
    EXPECT_EQ(f.Nic(0)->GetStatistics().tlpDrops, 0u);
    EXPECT_EQ(f.Nic(1)->GetStatistics().tlpDrops, 0u);
    EXPECT_EQ(f.Nic(1)->GetStatistics().sequenceGaps, 0u);
    for (uint64_t i = 0; i < 3000; i += 2) // the even operations are the writes
    {
        ASSERT_EQ(f.Memory(1)->GetStore().ReadByte(REGION + i * 64),
                  TlpCpu::PatternByte(WINDOW + i * 64, 1));
    }
}

TEST_P(TlpTunnelTransport, MalformedPacketsAreDroppedAndCounted)
{
    Fabric f(GetParam());
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x10000, 1, REGION);
    DropTap drops;
    f.Nic(1)->TraceConnectWithoutContext("Drop", MakeCallback(&DropTap::Tap, &drops));
    // A rogue sender on node 0 that writes raw tunnel packets to node 1's NIC.
    Ptr<TlpTransport> rogue = f.Nic(0)->GetTransport();
    auto tunnelPacket = [](uint32_t source,
                           uint16_t window,
                           uint8_t flags,
                           const std::vector<std::vector<uint8_t>>& tlps,
                           int32_t extraLength) {
        Ptr<Packet> p = Create<Packet>();
        TunnelHeader th;
        th.SetSource(source);
        th.SetWindow(window);
        th.SetFlags(flags);
        for (const auto& t : tlps)
        {
            th.AddTlp(static_cast<uint16_t>(t.size() + extraLength));
            p->AddAtEnd(Create<Packet>(t.data(), t.size()));
        }
        p->AddHeader(th);
        return p;
    };
    std::vector<uint8_t> mwr = Serialize(TlpHeader::MakeMemWrite(REGION + 0x100, 4, 0x0000, 0));
    mwr.insert(mwr.end(), {1, 2, 3, 4});
    std::vector<uint8_t> outside = Serialize(TlpHeader::MakeMemWrite(REGION + 0x20000, 4, 0, 0));
    outside.insert(outside.end(), {1, 2, 3, 4});
    TlpHeader digestHeader = TlpHeader::MakeMemWrite(REGION + 0x200, 4, 0x0000, 0);
    digestHeader.SetDigest(true);
    std::vector<uint8_t> badEcrc = Serialize(digestHeader);
    badEcrc.insert(badEcrc.end(), {1, 2, 3, 4, 0xde, 0xad, 0xbe, 0xef});
    uint8_t garbage[5] = {0x10, 0xff, 0x00, 0x13, 0x37};
    std::vector<Ptr<Packet>> packets = {
        Create<Packet>(garbage, 5),                                    // truncated header
        Create<Packet>(64),                                            // version 0
        tunnelPacket(0, 0, TunnelHeader::FLAG_TRANSLATED, {mwr}, 200), // length past the end
        tunnelPacket(0, 0, TunnelHeader::FLAG_TRANSLATED, {Hex("03000001 00000000 00000000")}, 0),
        tunnelPacket(0, 0, TunnelHeader::FLAG_TRANSLATED, {outside}, 0), // outside the region
        tunnelPacket(0, 7, TunnelHeader::FLAG_TRANSLATED, {mwr}, 0),     // unknown window
        tunnelPacket(0, 0, TunnelHeader::FLAG_TRANSLATED, {badEcrc}, 0), // ECRC mismatch
        tunnelPacket(0, 0, TunnelHeader::FLAG_TRANSLATED, {mwr}, 0),     // the one good write
    };
    for (size_t i = 0; i < packets.size(); ++i)
    {
        Later(MicroSeconds(50 + i), [&f, rogue, &packets, i]() {
            // Distinct sequence numbers (unsequenced delivery): none is a duplicate; the
            // window's key, so only the checks under test refuse them.
            TunnelHeader th;
            if (packets[i]->PeekHeader(th) != 0)
            {
                packets[i]->RemoveHeader(th);
                th.SetSequence(static_cast<uint32_t>(i));
                th.SetKey(GrantedKey(f.Nic(1), 0));
                packets[i]->AddHeader(th);
            }
            rogue->Send(packets[i], 1);
        });
    }
    Simulator::Run();
    EXPECT_EQ(drops.reasons,
              (std::vector<uint8_t>{TlpTunnelNetDevice::DROP_MALFORMED_PACKET,
                                    TlpTunnelNetDevice::DROP_MALFORMED_PACKET,
                                    TlpTunnelNetDevice::DROP_MALFORMED_PACKET,
                                    TlpTunnelNetDevice::DROP_MALFORMED_TLP,
                                    TlpTunnelNetDevice::DROP_NO_REGION,
                                    TlpTunnelNetDevice::DROP_NO_REGION,
                                    TlpTunnelNetDevice::DROP_ECRC}));
    // Whole packets refused before anything acted on them; TLPs refused one by one.
    EXPECT_EQ(f.Nic(1)->GetStatistics().malformedPackets, 5u);
    EXPECT_EQ(f.Nic(1)->GetStatistics().tlpDrops, 2u);
    // Only the good write reached memory.
    EXPECT_EQ(f.Memory(1)->GetStore().GetAllocatedPages(), 1u);
    EXPECT_EQ(ToHex(f.Image(1, REGION + 0x100, 4)), "01020304");
    EXPECT_EQ(f.Memory(1)->GetStore().ReadByte(REGION + 0x200), 0);
}

TEST_P(TlpTunnelTransport, UnmappedAndRefusedWindowsGetPcieTreatment)
{
    Fabric f(GetParam());
    // A region node 1 cannot grant: its memory ends at 1 TiB.
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x1000, 1, 0x20000000000ULL);
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW + 0x10000, 0x1000, 1, REGION);
    DropTap drops;
    f.Nic(0)->TraceConnectWithoutContext("Drop", MakeCallback(&DropTap::Tap, &drops));
    uint32_t lpiDrops = 0;

    struct Count
    {
        uint32_t* n;

        void Drop(Ptr<const Packet>, uint8_t)
        {
            ++*n;
        }
    } count{&lpiDrops};

    f.RootComplex(0)->TraceConnectWithoutContext("Drop", MakeCallback(&Count::Drop, &count));
    Ptr<TlpCpu> cpu = f.Cpu(0);
    Simulator::Schedule(MicroSeconds(50), &TlpCpu::Read, cpu, WINDOW, 8u, f.Done());
    Simulator::Schedule(MicroSeconds(50), &TlpCpu::Write, cpu, WINDOW, Pattern(8, 1), f.Done());
    // No window claims WINDOW + 0x8000.
    Simulator::Schedule(MicroSeconds(50), &TlpCpu::Read, cpu, WINDOW + 0x8000, 8u, f.Done());
    Simulator::Schedule(MicroSeconds(50),
                        &TlpCpu::Write,
                        cpu,
                        WINDOW + 0x8000,
                        Pattern(8, 1),
                        f.Done());
    // A read that runs past the end of its window.
    Simulator::Schedule(MicroSeconds(50), &TlpCpu::Read, cpu, WINDOW + 0x10FF8, 16u, f.Done());
    Simulator::Run();
    EXPECT_TRUE(f.Nic(0)->GetWindow(0)->IsRefused());
    EXPECT_TRUE(f.Nic(0)->GetWindow(1)->IsGranted());
    std::vector<uint8_t> statuses;
    for (const auto& r : f.results)
    {
        if (r.kind == TlpCpu::OP_READ)
        {
            statuses.push_back(r.status);
        }
    }
    EXPECT_EQ(statuses, (std::vector<uint8_t>{TlpHeader::UR, TlpHeader::UR, TlpHeader::UR}));
    EXPECT_EQ(drops.reasons, (std::vector<uint8_t>{TlpTunnelNetDevice::DROP_REFUSED}));
    EXPECT_EQ(lpiDrops, 1u); // the posted write nobody claims
    EXPECT_EQ(f.Memory(1)->GetStore().GetAllocatedPages(), 0u);
}

TEST_P(TlpTunnelTransport, ConcurrentRemoteAtomicsAreExact)
{
    Fabric f(GetParam(), 3);
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x1000, 1, REGION);
    f.tunnel.MapWindow(f.hosts.Get(2), WINDOW, 0x1000, 1, REGION);
    for (int i = 0; i < 200; ++i)
    {
        Simulator::Schedule(MicroSeconds(20),
                            &TlpCpu::FetchAdd,
                            f.Cpu(0),
                            WINDOW,
                            1ULL,
                            8u,
                            f.Done());
        Simulator::Schedule(MicroSeconds(20),
                            &TlpCpu::FetchAdd,
                            f.Cpu(2),
                            WINDOW,
                            1ULL,
                            8u,
                            f.Done());
    }
    Simulator::Run();
    ASSERT_EQ(f.results.size(), 400u);
    std::set<uint64_t> seen;
    for (const auto& r : f.results)
    {
        ASSERT_EQ(r.status, TlpHeader::SC);
        seen.insert(r.data[0] | r.data[1] << 8);
    }
    EXPECT_EQ(seen.size(), 400u);
    EXPECT_EQ(f.Memory(1)->GetStore().ReadByte(REGION) |
                  f.Memory(1)->GetStore().ReadByte(REGION + 1) << 8,
              400);
}

TEST_P(TlpTunnelTransport, AggregationPacksTlpsOfAWindow)
{
    Fabric f(GetParam());
    f.Nic(0)->SetAttribute("AggregationLimit", UintegerValue(16));
    // The NIC takes one TLP per ProcessingDelay (100 ns): 16 gather within 1.6 us.
    f.Nic(0)->SetAttribute("AggregationTimeout", TimeValue(MicroSeconds(10)));
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x10000, 1, REGION);
    Ptr<TlpCpu> cpu = f.StreamThroughWindow(0, 160);
    // A lone write later waits AggregationTimeout for company, then leaves alone.
    Simulator::Schedule(MicroSeconds(100),
                        &TlpCpu::Write,
                        cpu,
                        WINDOW + 0xF000,
                        Pattern(8, 1),
                        f.Done());
    Simulator::Run();
    for (uint64_t o = 0; o < 160 * 64; ++o)
    {
        ASSERT_EQ(f.Memory(1)->GetStore().ReadByte(REGION + o), TlpCpu::PatternByte(WINDOW + o, 1));
    }
    EXPECT_EQ(f.Image(1, REGION + 0xF000, 8), Pattern(8, 1));
    const TlpTunnelNetDevice::Statistics& s = f.Nic(0)->GetStatistics();
    EXPECT_EQ(s.tunnelTlpsSent, 161u);
    EXPECT_EQ(s.packetsSent - s.grantRequests, 11u); // ten packets of 16, one of 1
    EXPECT_EQ(f.Nic(1)->GetStatistics().tunnelTlpsReceived, 161u);
}

TEST_P(TlpTunnelTransport, PacketsNeverExceedThePathMtu)
{
    // Links of MTU 600: aggregated packets of 16 TLPs of 76 bytes would take 1268
    // bytes, so they are cut to what the path carries (600 bytes of frame payload
    // for Ethernet, 572 of UDP payload), and no frame on any link is larger.
    // The first 64 TLPs wait for the grant, holding every credit: the interconnect
    // then hands the next TLP to the NIC as soon as one leaves, from within the NIC's
    // sending, and it must queue behind the others.
    Fabric f(GetParam(), 2, 64, 1000, 600);
    uint32_t limit = GetParam() == "ethernet" ? 600 : 572;
    EXPECT_EQ(f.Nic(0)->GetMaxPacketSize(), limit);
    f.Nic(0)->SetAttribute("AggregationLimit", UintegerValue(16));
    f.Nic(0)->SetAttribute("AggregationTimeout", TimeValue(MicroSeconds(10)));
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x10000, 1, REGION);
    f.StreamThroughWindow(0, 320);
    Largest tunnel;
    Largest frames;
    f.Nic(0)->TraceConnectWithoutContext("MacTx", MakeCallback(&Largest::Packet, &tunnel));
    NetDeviceContainer links = f.topology.GetLinkDevices();
    for (uint32_t i = 0; i < links.GetN(); ++i)
    {
        links.Get(i)->TraceConnectWithoutContext("PhyTxBegin",
                                                 MakeCallback(&Largest::Packet, &frames));
    }
    AddressLog log;
    f.Memory(1)->TraceConnectWithoutContext("Write", MakeCallback(&AddressLog::Tlp, &log));
    Simulator::Run();
    for (uint64_t o = 0; o < 320 * 64; ++o)
    {
        ASSERT_EQ(f.Memory(1)->GetStore().ReadByte(REGION + o), TlpCpu::PatternByte(WINDOW + o, 1));
    }
    // Posted writes keep their order, batches cut or not.
    ASSERT_EQ(log.addresses.size(), 320u);
    for (uint64_t i = 0; i < 320; ++i)
    {
        ASSERT_EQ(log.addresses[i], REGION + 64 * i) << i;
    }
    // Header 24 + 2 N padded to 4, TLPs of 76 bytes (MWr32 in the region): 7 TLPs
    // make 572 bytes, 8 would make 648.
    uint32_t perPacket = 7;
    EXPECT_EQ(tunnel.bytes, 40u + 7 * 76);
    EXPECT_LE(tunnel.bytes, limit);
    EXPECT_LE(frames.bytes, 14u + 600 + 4); // header, payload of the MTU, FCS
    const TlpTunnelNetDevice::Statistics& s = f.Nic(0)->GetStatistics();
    EXPECT_EQ(s.packetsSent - s.grantRequests, (320 + perPacket - 1) / perPacket);
    EXPECT_EQ(s.tlpDrops, 0u);
}

TEST_P(TlpTunnelTransport, JumboFramesCarryTheLargestTlps)
{
    // Max_Payload_Size 4096 needs 4144-byte tunnel packets: Mtu 9000 carries them.
    Fabric f(GetParam(), 2, 64, 1000, 9000, 4096);
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x10000, 1, REGION);
    Largest tunnel;
    f.Nic(0)->TraceConnectWithoutContext("MacTx", MakeCallback(&Largest::Packet, &tunnel));
    f.Cpu(0)->Write(WINDOW, Pattern(8192, 3), f.Done());
    f.Cpu(0)->Read(WINDOW, 8192, f.Done());
    Simulator::Run();
    EXPECT_EQ(f.Image(1, REGION, 8192), Pattern(8192, 3));
    ASSERT_EQ(f.results.size(), 2u);
    EXPECT_EQ(f.results[1].data, Pattern(8192, 3));
    EXPECT_EQ(tunnel.bytes, 28u + 12 + 4096); // one MWr32 of 4096 bytes, translated
}

TEST_P(TlpTunnelTransport, OneWriteLatencyMatchesTheStages)
{
    Fabric f(GetParam());
    f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x1000, 1, REGION);
    Time issued;
    Time landed;

    struct Times
    {
        Time* issued;
        Time* landed;

        void Tx(Ptr<const Packet>)
        {
            *issued = Simulator::Now();
        }

        void Write(Ptr<const Packet>)
        {
            *landed = Simulator::Now();
        }
    } times{&issued, &landed};

    f.Cpu(0)->TraceConnectWithoutContext("Tx", MakeCallback(&Times::Tx, &times));
    f.Memory(1)->TraceConnectWithoutContext("Write", MakeCallback(&Times::Write, &times));
    Simulator::Schedule(MicroSeconds(50),
                        &TlpCpu::Write,
                        f.Cpu(0),
                        WINDOW + 0x40,
                        Pattern(64, 1),
                        f.Done());
    Simulator::Run();

    // Stages: on each node the root complex and the NIC's PCIe link once (the
    // serialization and the link latency), both NICs, two full-duplex Ethernet links
    // (preamble and frame, with every header, then propagation) and the port-to-port
    // latency of the switch or router between them.
    // Exact picoseconds: the simulator rounds each event up to its nanosecond.
    Ptr<PcieLink> pcie = TlpTunnelHelper::GetNicLink(f.hosts.Get(0));
    double rc = f.RootComplex(0)->GetLatency().GetPicoSeconds();
    uint32_t tlpSender = 16 + 64;   // MWr64 in the window
    uint32_t tlpReceiver = 12 + 64; // MWr32 in the region
    double interconnects = 2 * rc + pcie->GetSerializationPs(tlpSender) +
                           pcie->GetSerializationPs(tlpReceiver) +
                           2 * pcie->GetLatency().GetPicoSeconds();
    TimeValue processing;
    f.Nic(0)->GetAttribute("ProcessingDelay", processing);
    uint32_t payload = 28 + tlpReceiver; // tunnel header (24 + one length, padded), TLP
    if (GetParam() == "udp")
    {
        payload += 20 + 8; // IPv4, UDP
    }
    // Preamble and SFD, Ethernet header, payload padded to 46 bytes, FCS.
    uint32_t wire = 8 + 14 + std::max(payload, 46u) + 4;
    double link = wire * 8 * 10.0; // 10 ps per bit at 100 Gb/s
    EXPECT_EQ(f.topology.GetSwitchLatency(), NanoSeconds(500));
    double network = 2 * (link + 100e3) + 500e3;
    double expected = interconnects + 2 * processing.Get().GetPicoSeconds() + network;
    double measured = (landed - issued).GetPicoSeconds();
    EXPECT_NEAR(measured, expected, expected * 0.01)
        << "measured " << measured << " ps, formula " << expected << " ps";
    // Four events round up to the nanosecond: delivery to the sender's NIC, arrival at
    // the switch (router) and at the receiver, delivery to the remote memory.
    EXPECT_GE(measured, expected);
    EXPECT_LT(measured, expected + 4000) << "measured " << measured << " ps, formula " << expected;
}

TEST_P(TlpTunnelTransport, WritesCrossTreesAndLeafSpinesOnFullDuplexLinks)
{
    // Four hosts, two per leaf: a two-level switched Ethernet (ethernet) or a
    // leaf-spine of routers with two spines (udp), every link full-duplex Ethernet.
    // Node 0 writes to node 2 and node 3 to node 1, across the root or a spine: four
    // links and three switches (routers) each, 500 ns apiece.
    SimulatorGuard guard;
    NodeContainer hosts;
    hosts.Create(4);
    TlpTunnelHelper tunnel;
    tunnel.Install(hosts);
    TlpTopologyHelper topology;
    if (GetParam() == "ethernet")
    {
        tunnel.BindEthernet(hosts, topology.BuildEthernetTree(hosts, 2));
        topology.PrimeLearning(Time(0));
    }
    else
    {
        tunnel.BindUdp(hosts, topology.BuildIpLeafSpine(hosts, 2, 2));
    }
    NetDeviceContainer links = topology.GetLinkDevices();
    EXPECT_EQ(links.GetN(), GetParam() == "ethernet" ? 12u : 16u);
    for (uint32_t i = 0; i < links.GetN(); ++i)
    {
        EXPECT_NE(DynamicCast<FullDuplexEthernetNetDevice>(links.Get(i)), nullptr);
    }
    tunnel.MapWindow(hosts.Get(0), WINDOW, 0x1000, 2, REGION);
    tunnel.MapWindow(hosts.Get(3), WINDOW, 0x1000, 1, REGION);
    Time landed[4];

    struct Landed
    {
        Time* at;

        void Write(Ptr<const Packet>)
        {
            *at = Simulator::Now();
        }
    } at2{&landed[2]}, at1{&landed[1]};

    TlpTunnelHelper::GetMemory(hosts.Get(2))
        ->TraceConnectWithoutContext("Write", MakeCallback(&Landed::Write, &at2));
    TlpTunnelHelper::GetMemory(hosts.Get(1))
        ->TraceConnectWithoutContext("Write", MakeCallback(&Landed::Write, &at1));
    std::vector<TlpCpu::Result> results;
    Simulator::Schedule(MicroSeconds(50),
                        &TlpCpu::Write,
                        TlpTunnelHelper::GetCpu(hosts.Get(0)),
                        WINDOW + 0x40,
                        Pattern(64, 1),
                        TlpCpu::DoneCallback());
    Simulator::Schedule(MicroSeconds(50),
                        &TlpCpu::Write,
                        TlpTunnelHelper::GetCpu(hosts.Get(3)),
                        WINDOW + 0x40,
                        Pattern(64, 2),
                        TlpCpu::DoneCallback());
    Simulator::Run();
    std::vector<uint8_t> image(64);
    TlpTunnelHelper::GetMemory(hosts.Get(2))->GetStore().Read(REGION + 0x40, image.data(), 64);
    EXPECT_EQ(image, Pattern(64, 1));
    TlpTunnelHelper::GetMemory(hosts.Get(1))->GetStore().Read(REGION + 0x40, image.data(), 64);
    EXPECT_EQ(image, Pattern(64, 2));
    // The latency differs from the one-switch star by two links and two switches.
    Ptr<PcieLink> pcie = TlpTunnelHelper::GetNicLink(hosts.Get(0));
    double interconnects =
        2 * TlpTunnelHelper::GetRootComplex(hosts.Get(0))->GetLatency().GetPicoSeconds() +
        pcie->GetSerializationPs(16 + 64) + pcie->GetSerializationPs(12 + 64) +
        2 * pcie->GetLatency().GetPicoSeconds();
    uint32_t payload = 28 + 12 + 64 + (GetParam() == "udp" ? 28 : 0);
    double link = (8 + 14 + std::max(payload, 46u) + 4) * 80.0;
    double expected = interconnects + 2 * 100e3 + 4 * (link + 100e3) + 3 * 500e3;
    for (Time t : {landed[2], landed[1]})
    {
        double measured = (t - MicroSeconds(50)).GetPicoSeconds();
        EXPECT_GE(measured, expected);
        EXPECT_LT(measured, expected + 6000) << measured << " ps, formula " << expected;
    }
}

TEST_P(TlpTunnelTransport, PcapHoldsRawTlps)
{
    std::string prefix = "/tmp/tlp-tunnel-test-" + GetParam();
    {
        Fabric f(GetParam());
        f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x1000, 1, REGION);
        f.Cpu(0)->SetAttribute("Ecrc", BooleanValue(true));
        f.tunnel.EnablePcap(prefix, f.Nic(0), false, true);
        f.Cpu(0)->Write(WINDOW, Pattern(100, 1), f.Done());
        f.Cpu(0)->Read(WINDOW, 100, f.Done());
        Simulator::Run();
    }
    PcapFile file;
    file.Open(prefix, std::ios::in);
    ASSERT_FALSE(file.Fail());
    EXPECT_EQ(file.GetDataLinkType(), 147u);
    std::vector<std::string> kinds;
    uint8_t data[8192];
    uint32_t sec;
    uint32_t usec;
    uint32_t inclLen;
    uint32_t origLen;
    uint32_t readLen;
    while (true)
    {
        file.Read(data, sizeof(data), sec, usec, inclLen, origLen, readLen);
        if (file.Eof())
        {
            break;
        }
        TlpHeader h;
        Ptr<Packet> p = Create<Packet>(data, readLen);
        ASSERT_GT(p->PeekHeader(h), 0u);
        if (h.HasDigest())
        {
            EXPECT_EQ(TlpEcrcTrailer::Calculate(data, readLen), TlpEcrcTrailer::RESIDUE);
        }
        kinds.push_back(TlpHeader::KindToString(h.GetKind()));
    }
    // Out: MWr, MRd; in: the CplD.
    EXPECT_EQ(kinds, (std::vector<std::string>{"MWr", "MRd", "CplD"}));
    std::remove(prefix.c_str());
}

TEST_P(TlpTunnelTransport, AsciiTraceHasEveryEvent)
{
    std::string name = "/tmp/tlp-tunnel-test-" + GetParam() + ".tr";
    {
        Fabric f(GetParam());
        f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x1000, 1, REGION);
        f.tunnel.EnableAscii(name, f.Nic(0), true);
        f.Cpu(0)->Write(WINDOW, Pattern(8, 1), f.Done());
        // A write no window claims stops at the interconnect: no line.
        f.Cpu(0)->Write(WINDOW + 0x2000, Pattern(8, 1), f.Done());
        Simulator::Run();
    }
    std::ifstream file(name);
    std::map<char, int> events;
    std::string line;
    while (std::getline(file, line))
    {
        ASSERT_FALSE(line.empty());
        events[line[0]]++;
        EXPECT_EQ(line[1], ' ') << line;
    }
    EXPECT_EQ(events['+'], 1); // the MWr taken from the interconnect
    file.clear();
    file.seekg(0);
    std::string all((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    EXPECT_NE(all.find("MWr32 fmt_type=0x40"), std::string::npos) << all; // translated
    EXPECT_NE(all.find("address=0x40000000"), std::string::npos) << all;
    EXPECT_NE(all.find("GRANT_REQUEST"), std::string::npos) << all;
    EXPECT_EQ(events['-'], 2); // GRANT_REQUEST and the DATA packet
    EXPECT_EQ(events['r'], 2); // the GRANT and the ACK of the DATA packet
    EXPECT_NE(all.find(" ACK flags=0x0 src=1 seq=0 ack=1"), std::string::npos) << all;
    std::remove(name.c_str());
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         TlpTunnelTransport,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));

TEST(TunnelHeader, WireFormat)
{
    TunnelHeader th;
    th.SetKind(TunnelHeader::DATA);
    th.SetFlags(TunnelHeader::FLAG_TRANSLATED);
    th.SetSource(0x01020304);
    th.SetSequence(0x11223344);
    th.SetAck(0x55667788);
    th.SetWindow(0x0102);
    th.SetKey(0xa1b2c3d4);
    th.AddTlp(80);
    th.AddTlp(12);
    th.AddTlp(0x1234);
    // 24 fixed bytes (the key at 20), three lengths, two bytes of padding to 32.
    EXPECT_EQ(
        ToHex(Serialize(th)),
        ToHex(Hex("10010003 01020304 11223344 55667788 01020020 a1b2c3d4 0050000c 12340000")));
    TunnelHeader back;
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(th);
    ASSERT_EQ(p->PeekHeader(back), 32u);
    EXPECT_EQ(back.GetKey(), 0xa1b2c3d4u);
    EXPECT_EQ(back.GetWindow(), 0x0102);
    EXPECT_EQ(back.GetCount(), 3);
    EXPECT_EQ(back.GetTlpLength(2), 0x1234);
    EXPECT_EQ(back.GetTotalTlpBytes(), 80u + 12 + 0x1234);
    EXPECT_EQ(back.GetSource(), 0x01020304u);
}

TEST(TunnelHeader, MalformedIsRefused)
{
    auto parse = [](const std::string& hex, TunnelHeader& th) {
        std::vector<uint8_t> b = Hex(hex);
        return Create<Packet>(b.data(), b.size())->PeekHeader(th);
    };
    TunnelHeader th;
    EXPECT_EQ(parse("10000001 00000000 00000000 00000000 0000", th), 0u);
    EXPECT_EQ(th.GetParseError(), TunnelHeader::PARSE_TRUNCATED);
    EXPECT_EQ(parse("10000001 00000000 00000000 00000000 0000001c 000000", th), 0u);
    EXPECT_EQ(th.GetParseError(), TunnelHeader::PARSE_TRUNCATED);
    EXPECT_EQ(parse("20000001 00000000 00000000 00000000 0000001c 00000000 00500000", th), 0u);
    EXPECT_EQ(th.GetParseError(), TunnelHeader::PARSE_VERSION);
    EXPECT_EQ(parse("1f000001 00000000 00000000 00000000 0000001c 00000000 00500000", th), 0u);
    EXPECT_EQ(th.GetParseError(), TunnelHeader::PARSE_KIND);
    EXPECT_EQ(parse("10000000 00000000 00000000 00000000 00000018 00000000", th), 0u);
    EXPECT_EQ(th.GetParseError(), TunnelHeader::PARSE_COUNT);
    EXPECT_EQ(parse("10000002 00000000 00000000 00000000 00000018 00000000 00500050", th), 0u);
    EXPECT_EQ(th.GetParseError(), TunnelHeader::PARSE_LENGTH);
    EXPECT_EQ(parse("10000001 00000000 00000000 00000000 00000024 00000000 00500000", th), 0u);
    EXPECT_EQ(th.GetParseError(), TunnelHeader::PARSE_TRUNCATED);
    EXPECT_EQ(parse("10000001 00000000 00000000 00000000 0000001c 12345678 00500000", th), 28u);
    EXPECT_EQ(th.GetKey(), 0x12345678u);
}

TEST(TlpTunnelDeathTest, BadWindows)
{
    EXPECT_DEATH(
        {
            Fabric f("ethernet");
            f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x1000, 7);
        },
        "maps to node 7, which does not exist");
    EXPECT_DEATH(
        {
            Fabric f("ethernet", 3);
            // Node 2 is the Ethernet switch: a node, but without a NIC.
            f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x1000, 3);
        },
        "maps to node 3, which does not exist or has no NIC");
    EXPECT_DEATH(
        {
            Fabric f("ethernet");
            f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x4000, 1);
            f.tunnel.MapWindow(f.hosts.Get(0), WINDOW + 0x2000, 0x4000, 1);
        },
        "window \\[0x100000002000, 0x100000005fff\\] overlaps window \\[0x100000000000, "
        "0x100000003fff\\]");
    EXPECT_DEATH(
        {
            Fabric f("ethernet");
            f.tunnel.MapWindow(f.hosts.Get(0), WINDOW + 0x10, 0x1000, 1);
        },
        "must be non-zero multiples of 4 KiB");
    EXPECT_DEATH(
        {
            Fabric f("ethernet");
            f.tunnel.MapWindow(f.hosts.Get(0), 0x1000, 0x1000, 1); // inside local memory
        },
        "overlaps \\[0x0, 0xffffffffff\\] claimed by port 'memory'");
    EXPECT_DEATH(
        {
            NodeContainer n;
            n.Create(1);
            TlpTopologyHelper topology;
            TlpTunnelHelper tunnel;
            tunnel.Install(n);
            topology.Connect(n, tunnel, "infiniband");
        },
        "transport=infiniband is not 'ethernet' or 'udp'");
}

TEST(TlpTunnelDeathTest, TlpsLargerThanThePath)
{
    // Max_Payload_Size 4096 on 1500-byte links: stopped when the NICs are bound.
    EXPECT_DEATH({ Fabric f("ethernet", 2, 64, 1000, 0, 4096); },
                 "node 0: a TLP of Max_Payload_Size 4096 \\(MaxPayloadSize of "
                 "ns3::TlpCpu=4096, of ns3::TlpMemory=4096\\) takes a tunnel packet of 4144 "
                 "bytes, but the NIC sends at most 1500 \\(MaxPacketSize=65507, "
                 "ns3::TlpEthernetTransport 1500: its link's Mtu less its headers\\)");
    EXPECT_DEATH({ Fabric f("udp", 2, 64, 1000, 0, 2048); },
                 "takes a tunnel packet of 2096 bytes, but the NIC sends at most 1472");
    // A link MTU lowered after binding: the first packet too large stops the run.
    EXPECT_DEATH(
        {
            Fabric f("ethernet");
            f.tunnel.MapWindow(f.hosts.Get(0), WINDOW, 0x1000, 1, REGION);
            Ptr<TlpEthernetTransport> t =
                DynamicCast<TlpEthernetTransport>(f.Nic(0)->GetTransport());
            t->GetLowerDevice()->SetMtu(200);
            f.Cpu(0)->Write(WINDOW, Pattern(256, 1), f.Done());
            Simulator::Run();
        },
        "node 0\\): a tunnel packet of 296 bytes exceeds the largest the path carries: "
        "MaxPacketSize=65507, ns3::TlpEthernetTransport 200");
}
