/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * PcieRootComplex and PcieSwitch: which accesses cross PCIe and how long they take,
 * address and ID routing, claims passed up through a switch, credits freed when
 * the target is done, back-pressure of the root complex's own parts, and the PCIe
 * treatment of requests nothing claims.
 */

#include "tlp-test-util.h"

#include "ns3/node-container.h"
#include "ns3/pcie-dma-engine.h"
#include "ns3/pcie-switch.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/uinteger.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

/// A part of the root complex (as the CPU or the memory controller are) that records
/// what it receives and may claim a range like memory does.
struct Agent
{
    Agent(Ptr<PcieRootComplex> rc, const std::string& name)
        : rc(rc)
    {
        index = rc->AddAgent(name,
                             MakeCallback(&Agent::Receive, this),
                             MakeCallback(&Agent::Ready, this));
    }

    Time Receive(Ptr<Packet> tlp)
    {
        received.push_back({Simulator::Now(), tlp});
        return Simulator::Now() + busyFor;
    }

    void Ready()
    {
        readyCalls++;
    }

    bool Send(TlpHeader h, const std::vector<uint8_t>& data = {})
    {
        Ptr<Packet> p = data.empty() ? Create<Packet>() : Create<Packet>(data.data(), data.size());
        p->AddHeader(h);
        return rc->Send(index, p);
    }

    TlpHeader Header(size_t i) const
    {
        TlpHeader h;
        received.at(i).tlp->PeekHeader(h);
        return h;
    }

    Ptr<PcieRootComplex> rc;
    uint32_t index;
    std::vector<Probe::Rx> received;
    uint32_t readyCalls = 0;
    Time busyFor; //!< how long after a delivery it is done with the TLP
};

/// A root complex with a 100 ns internal latency and Completer ID 0x00FF.
Ptr<PcieRootComplex>
MakeRootComplex()
{
    Ptr<PcieRootComplex> rc = CreateObject<PcieRootComplex>();
    rc->SetAttribute("Latency", TimeValue(NanoSeconds(100)));
    rc->SetAttribute("CompleterId", UintegerValue(0x00FF));
    return rc;
}

/// A Gen3 x8 link with a 50 ns latency.
Ptr<PcieLink>
MakeLink()
{
    Ptr<PcieLink> link = CreateObject<PcieLink>();
    link->SetAttribute("Latency", TimeValue(NanoSeconds(50)));
    return link;
}

/// Ceiling of a time in ps to the nanosecond, as events fire.
Time
Ceil(double ps)
{
    return NanoSeconds(int64_t(std::ceil(ps / 1000 - 1e-9)));
}

/// Drop reasons of a trace source (tlp, reason).
struct Drops
{
    std::vector<uint8_t> reasons;

    void Add(Ptr<const Packet>, uint8_t reason)
    {
        reasons.push_back(reason);
    }
};

/// Counts TLPs of a trace source.
void
CountTlp(int* n, Ptr<const Packet>)
{
    ++*n;
}

} // namespace

TEST(PcieRootComplex, CpuAccessToMemoryNeverCrossesPcie)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent cpu(rc, "cpu");
    Agent memory(rc, "memory");
    rc->ClaimAddressRange(memory.index, 0, 1 << 20);
    Ptr<PcieLink> link = MakeLink();
    Probe nic(AttachEndpoint(rc, "nic", link));
    Simulator::Schedule(NanoSeconds(1000),
                        &Agent::Send,
                        &cpu,
                        TlpHeader::MakeMemWrite(0x100, 64, 0x10, 0),
                        std::vector<uint8_t>(64, 1));
    Simulator::Run();
    ASSERT_EQ(memory.received.size(), 1u);
    EXPECT_EQ(memory.received[0].at, NanoSeconds(1000 + 100)); // one internal crossing
    EXPECT_EQ(link->GetStatistics(PcieLink::DOWNSTREAM).tlps, 0u);
    EXPECT_EQ(link->GetStatistics(PcieLink::UPSTREAM).tlps, 0u);
}

TEST(PcieRootComplex, StoreToADeviceCrossesItsLinkOnce)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent cpu(rc, "cpu");
    Ptr<PcieLink> link = MakeLink();
    Probe nic(AttachEndpoint(rc, "nic", link));
    nic.Port()->ClaimAddressRange(0x100000000000ULL, 0x1000);
    nic.Port()->SetDeliveryDelay(NanoSeconds(7));
    Simulator::Schedule(NanoSeconds(1000),
                        &Agent::Send,
                        &cpu,
                        TlpHeader::MakeMemWrite(0x100000000040ULL, 64, 0x10, 0),
                        std::vector<uint8_t>(64, 1));
    Simulator::Run();
    ASSERT_EQ(nic.received.size(), 1u);
    // Root complex latency, the MWr64 (16 + 64 bytes) on the link, its latency, and
    // the device's own delivery delay.
    double ps = 1100e3 + link->GetSerializationPs(80) + 50e3 + 7e3;
    EXPECT_EQ(nic.received[0].at, Ceil(ps));
    EXPECT_EQ(link->GetStatistics(PcieLink::DOWNSTREAM).tlps, 1u);
}

TEST(PcieRootComplex, DeviceDmaReachesMemoryAfterOneLink)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent memory(rc, "memory");
    rc->ClaimAddressRange(memory.index, 0, 1 << 20);
    Ptr<PcieLink> link = MakeLink();
    Probe dev(AttachEndpoint(rc, "dev", link));
    dev.Send(TlpHeader::MakeMemWrite(0x40, 64, 0x20, 0), std::vector<uint8_t>(64, 2));
    Simulator::Run();
    ASSERT_EQ(memory.received.size(), 1u);
    double ps = link->GetSerializationPs(76) + 50e3 + 100e3;
    EXPECT_EQ(memory.received[0].at, Ceil(ps));
    EXPECT_TRUE(rc->IsHostMemory(0, 1 << 20));
    EXPECT_FALSE(rc->IsHostMemory(0, (1 << 20) + 1));
    EXPECT_TRUE(dev.Port()->IsHostMemory(0x1000, 0x1000)); // asked through the link
}

TEST(PcieRootComplex, RootPortCreditsReturnWhenMemoryIsDone)
{
    // A memory controller that is busy 1 us with every write, and a root port that
    // takes two posted TLPs: the device's writes are paced by the memory, through
    // the root port's credits, and none is lost.
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent memory(rc, "memory");
    memory.busyFor = MicroSeconds(1);
    rc->ClaimAddressRange(memory.index, 0, 1 << 20);
    Ptr<PciePort> rootPort = CreateObject<PciePort>();
    rootPort->SetAttribute("PostedHeaderCredits", UintegerValue(2));
    Ptr<PcieLink> link = MakeLink();
    Ptr<PciePort> devPort = CreateObject<PciePort>();
    link->Attach(rc->AddRootPort("dev", rootPort), devPort);
    Probe dev(devPort);
    for (uint32_t i = 0; i < 6; ++i)
    {
        ASSERT_TRUE(
            dev.Send(TlpHeader::MakeMemWrite(0x40 * i, 64, 0x20, 0), std::vector<uint8_t>(64, 2)));
    }
    Simulator::Run();
    ASSERT_EQ(memory.received.size(), 6u);
    // Write k + 2 can leave once the UpdateFC for write k arrives: 1 us after write k
    // reached memory, plus a DLLP and the link latency, then the link and the root
    // complex again. Two by two, 1.16 us apart.
    for (uint32_t k = 0; k + 2 < 6; ++k)
    {
        Time gap = memory.received[k + 2].at - memory.received[k].at;
        EXPECT_GE(gap, MicroSeconds(1) + NanoSeconds(50 + 50 + 100)) << k;
        EXPECT_LE(gap, MicroSeconds(1) + NanoSeconds(50 + 50 + 100 + 15)) << k;
    }
}

TEST(PcieRootComplex, UnsupportedRequestCompletions)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent cpu(rc, "cpu");
    Agent memory(rc, "memory");
    rc->ClaimAddressRange(memory.index, 0, 0x1000);
    rc->ClaimRequesterId(cpu.index, 0x0010);
    Probe dev(AttachEndpoint(rc, "dev"));
    dev.Port()->ClaimRequesterId(0x0020);
    int urs = 0;
    rc->TraceConnectWithoutContext("UnsupportedRequest", MakeBoundCallback(&CountTlp, &urs));
    // A 16-byte read at 0x5002 that nothing claims, from the CPU and from the device.
    cpu.Send(TlpHeader::MakeMemRead(0x5002, 16, 0x0010, 0x33));
    dev.Send(TlpHeader::MakeMemRead(0x5002, 16, 0x0020, 0x44));
    // A request that would leave through the port it came in on.
    dev.Port()->ClaimAddressRange(0x8000, 0x1000);
    dev.Send(TlpHeader::MakeMemRead(0x8000, 4, 0x0020, 0x45));
    Simulator::Run();
    EXPECT_EQ(urs, 3);
    EXPECT_TRUE(memory.received.empty());
    ASSERT_EQ(cpu.received.size(), 1u);
    TlpHeader c = cpu.Header(0);
    EXPECT_EQ(c.GetKind(), TlpHeader::COMPLETION);
    EXPECT_EQ(c.GetStatus(), TlpHeader::UR);
    EXPECT_EQ(c.GetCompleterId(), 0x00FF);
    EXPECT_EQ(c.GetRequesterId(), 0x0010);
    EXPECT_EQ(c.GetTag(), 0x33);
    EXPECT_EQ(c.GetByteCount(), 16u);
    EXPECT_EQ(c.GetLowerAddress(), 0x02);
    EXPECT_EQ(cpu.received[0].at, NanoSeconds(200)); // to where it would go and back
    ASSERT_EQ(dev.received.size(), 2u);
    EXPECT_EQ(dev.Header(0).GetStatus(), TlpHeader::UR);
    EXPECT_EQ(dev.Header(0).GetTag(), 0x44);
    EXPECT_EQ(dev.Header(1).GetStatus(), TlpHeader::UR);
    EXPECT_EQ(dev.Header(1).GetTag(), 0x45);
}

TEST(PcieRootComplex, DropsAreCountedByReason)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent cpu(rc, "cpu");
    Agent memory(rc, "memory");
    rc->ClaimAddressRange(memory.index, 0, 0x1000);
    Probe dev(AttachEndpoint(rc, "dev"));
    Drops drops;
    rc->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Add, &drops));
    // From the CPU: a posted write nothing claims, a completion for a requester
    // nothing claims (no default route), garbage.
    cpu.Send(TlpHeader::MakeMemWrite(0x8000, 4, 0x10, 0), {1, 2, 3, 4});
    cpu.Send(TlpHeader::MakeCompletion(TlpHeader::SC, 1, 0x0777, 0, 4, 0, 1), {0, 0, 0, 0});
    rc->Send(cpu.index, Create<Packet>(3));
    // From the device: the same two after they crossed the link.
    dev.Send(TlpHeader::MakeMemWrite(0x8000, 4, 0x20, 0), {1, 2, 3, 4});
    dev.Send(TlpHeader::MakeCompletion(TlpHeader::SC, 1, 0x0777, 0, 4, 0, 1), {0, 0, 0, 0});
    Simulator::Run();
    EXPECT_TRUE(memory.received.empty());
    EXPECT_EQ(drops.reasons,
              (std::vector<uint8_t>{PcieRootComplex::DROP_UNCLAIMED_POSTED,
                                    PcieRootComplex::DROP_UNCLAIMED_COMPLETION,
                                    PcieRootComplex::DROP_MALFORMED,
                                    PcieRootComplex::DROP_UNCLAIMED_POSTED,
                                    PcieRootComplex::DROP_UNCLAIMED_COMPLETION}));
}

TEST(PcieRootComplex, CompletionRouting)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent cpu(rc, "cpu");
    Agent memory(rc, "memory");
    rc->ClaimRequesterId(cpu.index, 0x0010);
    Probe nic(AttachEndpoint(rc, "nic"));
    nic.Port()->SetDefaultCompletionRoute();
    memory.Send(TlpHeader::MakeCompletion(TlpHeader::SC, 1, 0x0010, 1, 4, 0, 1), {1, 1, 1, 1});
    memory.Send(TlpHeader::MakeCompletion(TlpHeader::SC, 1, 0x0555, 2, 4, 0, 1), {2, 2, 2, 2});
    Simulator::Run();
    ASSERT_EQ(cpu.received.size(), 1u);
    EXPECT_EQ(cpu.Header(0).GetTag(), 1);
    ASSERT_EQ(nic.received.size(), 1u); // a foreign requester: towards the NIC
    EXPECT_EQ(nic.Header(0).GetRequesterId(), 0x0555);
}

TEST(PcieRootComplex, AgentsAreHeldBackWhenTheirTlpsQueue)
{
    // Two TLPs may be on their way from an agent; memory is done with each 1 us after
    // it arrives: the third waits until then, and nothing is lost.
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    rc->SetAttribute("QueueSize", UintegerValue(2));
    Agent cpu(rc, "cpu");
    Agent memory(rc, "memory");
    memory.busyFor = MicroSeconds(1);
    rc->ClaimAddressRange(memory.index, 0, 0x1000);
    EXPECT_TRUE(cpu.Send(TlpHeader::MakeMemWrite(0, 4, 0x10, 0), {1, 2, 3, 4}));
    EXPECT_TRUE(cpu.Send(TlpHeader::MakeMemWrite(4, 4, 0x10, 0), {1, 2, 3, 4}));
    EXPECT_FALSE(cpu.Send(TlpHeader::MakeMemWrite(8, 4, 0x10, 0), {1, 2, 3, 4}));
    Simulator::Run();
    EXPECT_EQ(cpu.readyCalls, 1u);
    EXPECT_EQ(memory.received.size(), 2u);
    EXPECT_TRUE(cpu.Send(TlpHeader::MakeMemWrite(8, 4, 0x10, 0), {1, 2, 3, 4}));
}

TEST(PcieRootComplex, ReceiveCreditsHoldDelivery)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent cpu(rc, "cpu");
    Probe nic(AttachEndpoint(rc, "nic"));
    nic.Port()->ClaimAddressRange(0, 1 << 20);
    nic.Port()->SetReceiveCredits(1);
    for (uint32_t i = 0; i < 3; ++i)
    {
        cpu.Send(TlpHeader::MakeMemWrite(4 * i, 4, 0x10, 0), {0, 0, 0, uint8_t(i)});
    }
    Simulator::Stop(MicroSeconds(10));
    Simulator::Run();
    ASSERT_EQ(nic.received.size(), 1u); // the device holds one
    // Each credit the device returns lets one more TLP in, at that moment.
    Simulator::Schedule(NanoSeconds(5), &PciePort::ReturnCredits, nic.Port(), 1);
    Simulator::Schedule(NanoSeconds(9), &PciePort::ReturnCredits, nic.Port(), 1);
    Simulator::Stop(MicroSeconds(10));
    Simulator::Run();
    ASSERT_EQ(nic.received.size(), 3u);
    EXPECT_EQ(nic.received[1].at, MicroSeconds(10) + NanoSeconds(5));
    EXPECT_EQ(nic.received[2].at, MicroSeconds(10) + NanoSeconds(9));
    for (uint32_t i = 0; i < 3; ++i)
    {
        EXPECT_EQ(nic.Data(i)[3], i); // in order
    }
}

TEST(PcieRootComplex, ClaimAndReleaseRanges)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent memory(rc, "memory");
    Probe nic(AttachEndpoint(rc, "nic"));
    rc->ClaimAddressRange(memory.index, 0, 0x1000);
    nic.Port()->ClaimAddressRange(0x1000, 0x1000); // adjacent is fine
    uint32_t target = 99;
    EXPECT_TRUE(rc->DecodeAddress(0xFFF, target));
    EXPECT_EQ(rc->GetTargetName(target), "memory");
    EXPECT_TRUE(rc->DecodeAddress(0x1000, target));
    EXPECT_EQ(rc->GetTargetName(target), "nic");
    EXPECT_FALSE(rc->DecodeAddress(0x2000, target));
    EXPECT_FALSE(rc->IsHostMemory(0xF00, 0x200)); // half memory, half the device
    nic.Port()->ReleaseAddressRange(0x1000, 0x1000);
    EXPECT_FALSE(rc->DecodeAddress(0x1000, target));
    nic.Port()->ClaimAddressRange(0xFFFFFFFFFFFFF000ULL, 0x1000); // top of 2^64
    EXPECT_TRUE(rc->DecodeAddress(0xFFFFFFFFFFFFFFFFULL, target));
}

TEST(PcieSwitch, RoutesBetweenItsPortsAndPassesClaimsUp)
{
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Agent cpu(rc, "cpu");
    Agent memory(rc, "memory");
    rc->ClaimAddressRange(memory.index, 0, 1 << 20);
    rc->ClaimRequesterId(cpu.index, 0x0010);
    Ptr<PcieSwitch> sw = CreateObject<PcieSwitch>();
    sw->SetAttribute("Latency", TimeValue(NanoSeconds(150)));
    Ptr<PcieLink> up = MakeLink();
    up->Attach(rc->AddRootPort("switch"), sw->GetUpstreamPort());
    Ptr<PcieLink> linkA = MakeLink();
    Ptr<PciePort> portA = CreateObject<PciePort>();
    linkA->Attach(sw->AddDownstreamPort("a"), portA);
    Ptr<PciePort> portB = CreateObject<PciePort>();
    MakeLink()->Attach(sw->AddDownstreamPort("b"), portB);
    Probe a(portA);
    Probe b(portB);
    a.Port()->ClaimAddressRange(0x100000000000ULL, 0x1000);
    a.Port()->ClaimRequesterId(0x0020);
    b.Port()->ClaimAddressRange(0x200000000000ULL, 0x1000);
    // The root complex routes both ranges to its root port towards the switch.
    uint32_t target = 0;
    ASSERT_TRUE(rc->DecodeAddress(0x200000000000ULL, target));
    EXPECT_EQ(rc->GetTargetName(target), "switch");
    // The CPU stores into b's range; a writes to b (peer to peer, inside the switch),
    // to memory, and reads memory.
    cpu.Send(TlpHeader::MakeMemWrite(0x200000000000ULL, 4, 0x0010, 0), {1, 2, 3, 4});
    a.Send(TlpHeader::MakeMemWrite(0x200000000004ULL, 4, 0x0020, 0), {5, 6, 7, 8});
    a.Send(TlpHeader::MakeMemWrite(0x40, 64, 0x0020, 0), std::vector<uint8_t>(64, 9));
    a.Send(TlpHeader::MakeMemRead(0x40, 4, 0x0020, 3));
    // A read from the CPU to an address below the switch that no device claims.
    cpu.Send(TlpHeader::MakeMemRead(0x200000002000ULL, 4, 0x0010, 4));
    Simulator::Run();
    ASSERT_EQ(b.received.size(), 2u);
    ASSERT_EQ(memory.received.size(), 2u);
    ASSERT_EQ(a.received.size(), 0u); // memory is a test agent here: it does not answer
    ASSERT_EQ(cpu.received.size(), 1u);
    EXPECT_EQ(cpu.Header(0).GetStatus(), TlpHeader::UR); // from the root complex
    // a's write to memory (after its 20-byte write to b on link a) crossed link a,
    // the switch, the link above and the root complex; each hop's event is at the
    // next nanosecond.
    double s20 = linkA->GetSerializationPs(20);
    double s76 = linkA->GetSerializationPs(76);
    double exact = s20 + s76 + 50e3 + 150e3 + s76 + 50e3 + 100e3;
    EXPECT_GE(memory.received[0].at, Ceil(exact));
    EXPECT_LE(memory.received[0].at, Ceil(exact + 2000));
}

namespace
{

/// Two nodes on Ethernet, the NIC below a PCIe switch or not: one 64-byte remote write
/// through a window; returns its latency from CPU issue to remote memory.
Time
RemoteWriteLatency(bool useSwitch, std::vector<uint8_t>* image)
{
    SimulatorGuard guard;
    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    tunnel.UseSwitch(useSwitch);
    tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.Connect(hosts, tunnel, "ethernet");
    const uint64_t window = 0x100000000000ULL;
    const uint64_t region = 0x40000000ULL;
    tunnel.MapWindow(hosts.Get(0), window, 0x1000, 1, region);
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

    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(0));
    cpu->TraceConnectWithoutContext("Tx", MakeCallback(&Times::Tx, &times));
    Ptr<TlpMemory> memory = TlpTunnelHelper::GetMemory(hosts.Get(1));
    memory->TraceConnectWithoutContext("Write", MakeCallback(&Times::Write, &times));
    std::vector<uint8_t> data(64);
    for (uint32_t i = 0; i < 64; ++i)
    {
        data[i] = uint8_t(3 * i + 1);
    }
    Simulator::Schedule(MicroSeconds(50),
                        &TlpCpu::Write,
                        cpu,
                        window + 0x40,
                        data,
                        TlpCpu::DoneCallback());
    Simulator::Run();
    EXPECT_EQ(TlpTunnelHelper::GetSwitch(hosts.Get(0)) != nullptr, useSwitch);
    // The write crossed the root port's link once, and the NIC's: the same link
    // without a switch, the one below it with one.
    Ptr<PciePort> rootPort = TlpTunnelHelper::GetRootComplex(hosts.Get(0))->GetRootPort(0);
    EXPECT_EQ(rootPort->GetLink()->GetStatistics(PcieLink::DOWNSTREAM).tlps, 1u);
    EXPECT_EQ(TlpTunnelHelper::GetNicLink(hosts.Get(0))->GetStatistics(PcieLink::DOWNSTREAM).tlps,
              1u);
    image->resize(64);
    memory->GetStore().Read(region + 0x40, image->data(), 64);
    EXPECT_EQ(*image, data);
    return landed - issued;
}

} // namespace

TEST(PcieSwitch, HelperPutsTheNicBelowASwitch)
{
    std::vector<uint8_t> direct;
    std::vector<uint8_t> switched;
    Time without = RemoteWriteLatency(false, &direct);
    Time with = RemoteWriteLatency(true, &switched);
    EXPECT_EQ(direct, switched);
    // Each node adds the switch's latency (150 ns) and a second link: the MWr64 (80
    // bytes) on the sender's, the MWr32 (76 bytes) on the receiver's.
    Ptr<PcieLink> link = CreateObject<PcieLink>();
    double extraPs = 2 * (150e3 + link->GetLatency().GetPicoSeconds()) +
                     link->GetSerializationPs(80) + link->GetSerializationPs(76);
    EXPECT_NEAR((with - without).GetPicoSeconds(), extraPs, 4000.0);
}

TEST(PcieDmaEngine, WritesAndReadsOfAnySizeAndAlignment)
{
    // Transfers of 1, 3, 64 and 4097 bytes at unaligned addresses: the writes leave the
    // engine's pattern in memory byte for byte and nothing around it; the reads end
    // with SC after the requests Max_Read_Request_Size gives (512: 1 + 1 + 1 + 9).
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Ptr<TlpMemory> memory = CreateObject<TlpMemory>();
    memory->SetAttribute("Size", UintegerValue(1 << 20));
    memory->Connect(rc);
    Ptr<PcieDmaEngine> dma = CreateObject<PcieDmaEngine>();
    dma->Attach(AttachEndpoint(rc, "dma"));
    const std::vector<std::pair<uint64_t, uint32_t>> transfers = {{0x1001, 1},
                                                                  {0x2003, 3},
                                                                  {0x3005, 64},
                                                                  {0x40FF, 4097}};
    std::vector<uint8_t> statuses;

    struct Sink
    {
        std::vector<uint8_t>* statuses;

        void Done(uint8_t status, Time)
        {
            statuses->push_back(status);
        }
    } sink{&statuses};

    for (const auto& t : transfers)
    {
        dma->Transfer(false, t.first, t.second, MakeCallback(&Sink::Done, &sink));
        dma->Transfer(true, t.first, t.second, MakeCallback(&Sink::Done, &sink));
    }
    Simulator::Run();
    EXPECT_EQ(statuses, std::vector<uint8_t>(8, TlpHeader::SC));
    for (const auto& t : transfers)
    {
        for (uint64_t a = t.first - 3; a < t.first + t.second + 3; ++a)
        {
            bool inside = a >= t.first && a < t.first + t.second;
            ASSERT_EQ(memory->GetStore().ReadByte(a), inside ? TlpCpu::PatternByte(a, 7) : 0)
                << std::hex << a;
        }
    }
    // Writes: 1 + 1 + 1 + 17 MWr (MPS 256, aligned boundaries: 4097 bytes from 0x40ff
    // are 1 byte then 16 x 256); reads: 1 + 1 + 1 + 9 MRd (MRRS 512: 0x101 bytes, 7 x
    // 512, 256).
    EXPECT_EQ(dma->GetStatistics().tlps, 20u + 12u);
    EXPECT_EQ(dma->GetStatistics().transfers, 8u);
    EXPECT_EQ(dma->GetStatistics().errors, 0u);
    EXPECT_EQ(dma->GetPending(), 0u);
}

TEST(PcieDmaEngine, StreamsTakeCacheLineSlotsInTurn)
{
    // 100-byte writes over a 1 KiB window: slots of 128 bytes (as pcie-bench places
    // its DMAs), 8 of them, the ninth transfer back at the base. Each slot holds the
    // pattern in its first 100 bytes and nothing in its last 28.
    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc = MakeRootComplex();
    Ptr<TlpMemory> memory = CreateObject<TlpMemory>();
    memory->Connect(rc);
    Ptr<PcieDmaEngine> dma = CreateObject<PcieDmaEngine>();
    dma->Attach(AttachEndpoint(rc, "dma"));
    AddressLog starts;
    memory->TraceConnectWithoutContext("Write", MakeCallback(&AddressLog::Tlp, &starts));
    dma->Stream(false, 0x10000, 1024, 100, 9);
    Simulator::Run();
    std::vector<uint64_t> expected;
    for (uint64_t i = 0; i < 9; ++i)
    {
        expected.push_back(0x10000 + (i % 8) * 128);
    }
    EXPECT_EQ(starts.addresses, expected);
    for (uint64_t a = 0x10000; a < 0x10000 + 1024; ++a)
    {
        bool written = (a - 0x10000) % 128 < 100;
        ASSERT_EQ(memory->GetStore().ReadByte(a), written ? TlpCpu::PatternByte(a, 7) : 0)
            << std::hex << a;
    }
}

TEST(PcieRootComplexDeathTest, OverlappingRangesNameBoth)
{
    EXPECT_DEATH(
        {
            Ptr<PcieRootComplex> rc = MakeRootComplex();
            Agent memory(rc, "memory");
            Probe nic(AttachEndpoint(rc, "nic"));
            rc->ClaimAddressRange(memory.index, 0, 0x10000);
            nic.Port()->ClaimAddressRange(0x8000, 0x10000);
        },
        "\\[0x8000, 0x17fff\\] for port 'nic' overlaps \\[0x0, 0xffff\\] claimed by port "
        "'memory'");
    EXPECT_DEATH(
        {
            Ptr<PcieRootComplex> rc = MakeRootComplex();
            Probe nic(AttachEndpoint(rc, "nic"));
            nic.Port()->ClaimAddressRange(0x8000, 0);
        },
        "empty address range at 0x8000 for port 'nic'");
    EXPECT_DEATH(
        {
            Ptr<PciePort> alone = CreateObject<PciePort>();
            CreateObject<PcieLink>()->Attach(CreateObject<PciePort>(), alone);
            alone->ClaimAddressRange(0, 0x1000);
        },
        "no root complex or switch at the other end of its link");
    EXPECT_DEATH(
        {
            Ptr<PcieRootComplex> rc = MakeRootComplex();
            Ptr<PcieDmaEngine> dma = CreateObject<PcieDmaEngine>();
            dma->SetAttribute("MaxReadRequestSize", UintegerValue(384));
            dma->Attach(AttachEndpoint(rc, "dma"));
        },
        "attribute MaxReadRequestSize=384 must be a power of two");
    EXPECT_DEATH(
        {
            Ptr<PcieRootComplex> rc = MakeRootComplex();
            Ptr<PcieDmaEngine> dma = CreateObject<PcieDmaEngine>();
            dma->Attach(AttachEndpoint(rc, "dma"));
            dma->Stream(false, 0, 100, 100, 1);
        },
        "window of 100 bytes for transfers of 100 \\(slots of 128\\)");
}
