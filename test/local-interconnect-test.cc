/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * LocalInterconnectChannel: timing against the formula, FIFO order and
 * back-pressure, receive credits, address and ID routing, and the PCIe treatment
 * of requests nobody claims.
 */

#include "tlp-test-util.h"

#include "ns3/data-rate.h"
#include "ns3/local-interconnect-channel.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

/// An interconnect at 8 Gb/s, where one byte takes exactly 1 ns on a link.
Ptr<LocalInterconnectChannel>
MakeLpi(uint32_t queueSize = 64, Time latency = NanoSeconds(100))
{
    Ptr<LocalInterconnectChannel> lpi = CreateObject<LocalInterconnectChannel>();
    lpi->SetAttribute("DataRate", DataRateValue(DataRate("8Gbps")));
    lpi->SetAttribute("Latency", TimeValue(latency));
    lpi->SetAttribute("QueueSize", UintegerValue(queueSize));
    lpi->SetAttribute("CompleterId", UintegerValue(0x00FF));
    return lpi;
}

/// Sends n 64-byte writes back to back, resuming on the ready callback.
struct Streamer
{
    Streamer(Ptr<LocalInterconnectChannel> lpi, Probe& probe, int n)
        : probe(probe),
          n(n)
    {
        lpi->SetReadyCallback(probe.Port(), MakeCallback(&Streamer::Pump, this));
    }

    void Pump()
    {
        while (sent < n && probe.Send(TlpHeader::MakeMemWrite(sent * 64ULL, 64, 0x10, 0),
                                      std::vector<uint8_t>(64, 0)))
        {
            ++sent;
        }
    }

    Probe& probe;
    int n;
    int sent = 0;
};

/// Counts trace calls.
void
CountUr(int* n, Ptr<const Packet>, uint32_t)
{
    ++*n;
}

/// Drop-reason counter for the Drop trace.
struct Drops
{
    std::vector<uint8_t> reasons;

    void Add(Ptr<const Packet>, uint32_t, uint8_t reason)
    {
        reasons.push_back(reason);
    }
};

} // namespace

TEST(LocalInterconnect, LatencyMatchesFormula)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi();
    Probe cpu(lpi, "cpu");
    Probe mem(lpi, "memory");
    lpi->ClaimAddressRange(mem.Port(), 0, 1 << 20);
    // A 64-byte MWr32 is 12 + 64 bytes; each link adds 8 bytes of overhead:
    // 2 x 84 ns of serialization + 100 ns latency.
    TlpHeader h = TlpHeader::MakeMemWrite(0x100, 64, 0x10, 0);
    Simulator::Schedule(NanoSeconds(1000), &Probe::SendData, &cpu, h, std::vector<uint8_t>(64, 1));
    Simulator::Run();
    ASSERT_EQ(mem.received.size(), 1u);
    EXPECT_EQ(mem.received[0].at, NanoSeconds(1000 + 2 * 84 + 100));
    EXPECT_EQ(lpi->GetSerializationTime(76), NanoSeconds(84));
}

TEST(LocalInterconnect, SerializationIsExactAtPicosecondScale)
{
    // At PCIe Gen3 x8 (7.877 GB/s) a byte takes 126.95 ps: the time of 10000
    // back-to-back TLPs must not drift by the nanosecond rounding of each one.
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = CreateObject<LocalInterconnectChannel>();
    Probe cpu(lpi, "cpu");
    Probe mem(lpi, "memory");
    lpi->ClaimAddressRange(mem.Port(), 0, 1 << 30);
    const int n = 10000;
    Streamer stream(lpi, cpu, n);
    Simulator::ScheduleNow(&Streamer::Pump, &stream);
    Simulator::Run();
    ASSERT_EQ(mem.received.size(), size_t(n));
    double perTlpPs = (84.0 * 8 * 1e12) / 63016e6; // (76 + 8) bytes at 7877 MB/s
    double expected = (n - 1) * perTlpPs;
    double got = (mem.received.back().at - mem.received.front().at).GetPicoSeconds();
    EXPECT_NEAR(got, expected, 1000.0); // within 1 ns over 10000 TLPs
}

TEST(LocalInterconnect, PipelinedFifoAndContention)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi();
    Probe a(lpi, "a");
    Probe b(lpi, "b");
    Probe mem(lpi, "memory");
    lpi->ClaimAddressRange(mem.Port(), 0, 1 << 20);
    // a sends 3 TLPs of 20 wire bytes at t=0; b sends one at t=0. The egress to
    // memory serializes them one after the other in switch arrival order.
    for (uint32_t i = 0; i < 3; ++i)
    {
        a.Send(TlpHeader::MakeMemRead(0x1000 + 4 * i, 4, 0x10, i));
    }
    b.Send(TlpHeader::MakeMemRead(0x2000, 4, 0x20, 9));
    Simulator::Run();
    ASSERT_EQ(mem.received.size(), 4u);
    // a#0 and b#0 reach the switch at 20 ns; a#0 then b#0 leave at 40 and 60 ns
    // (a's port was added first), a#1 reaches the switch at 40 and leaves at 80,
    // a#2 at 100: each delivered 100 ns later.
    std::vector<int64_t> at;
    std::vector<uint16_t> who;
    for (const auto& rx : mem.received)
    {
        at.push_back(rx.at.GetNanoSeconds());
        TlpHeader h;
        rx.tlp->PeekHeader(h);
        who.push_back(h.GetRequesterId());
    }
    EXPECT_EQ(at, (std::vector<int64_t>{140, 160, 180, 200}));
    EXPECT_EQ(who, (std::vector<uint16_t>{0x10, 0x20, 0x10, 0x10}));
}

TEST(LocalInterconnect, BackPressureLosesNothing)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi(2);
    Probe cpu(lpi, "cpu");
    Probe mem(lpi, "memory");
    lpi->ClaimAddressRange(mem.Port(), 0, 1 << 20);
    EXPECT_TRUE(cpu.Send(TlpHeader::MakeMemWrite(0, 4, 0x10, 0), {1, 2, 3, 4}));
    EXPECT_TRUE(cpu.Send(TlpHeader::MakeMemWrite(4, 4, 0x10, 0), {1, 2, 3, 4}));
    EXPECT_FALSE(cpu.Send(TlpHeader::MakeMemWrite(8, 4, 0x10, 0), {1, 2, 3, 4}));
    EXPECT_FALSE(lpi->CanSend(cpu.Port()));
    Simulator::Run();
    EXPECT_EQ(cpu.readyCalls, 1u);
    EXPECT_EQ(mem.received.size(), 2u);
    EXPECT_TRUE(lpi->CanSend(cpu.Port()));
}

TEST(LocalInterconnect, ReceiveCreditsHoldDelivery)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi();
    Probe cpu(lpi, "cpu");
    Probe nic(lpi, "nic");
    lpi->ClaimAddressRange(nic.Port(), 0, 1 << 20);
    lpi->SetReceiveCredits(nic.Port(), 1);
    for (uint32_t i = 0; i < 3; ++i)
    {
        cpu.Send(TlpHeader::MakeMemWrite(4 * i, 4, 0x10, 0), {0, 0, 0, uint8_t(i)});
    }
    Simulator::Stop(MicroSeconds(10));
    Simulator::Run();
    ASSERT_EQ(nic.received.size(), 1u); // one credit
    // Each returned credit lets one more TLP through, at that moment.
    Simulator::Schedule(NanoSeconds(5),
                        &LocalInterconnectChannel::ReturnCredits,
                        lpi,
                        nic.Port(),
                        1);
    Simulator::Schedule(NanoSeconds(9),
                        &LocalInterconnectChannel::ReturnCredits,
                        lpi,
                        nic.Port(),
                        1);
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

TEST(LocalInterconnect, UnsupportedRequestCompletion)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi();
    Probe cpu(lpi, "cpu");
    Probe mem(lpi, "memory");
    lpi->ClaimAddressRange(mem.Port(), 0, 0x1000);
    lpi->ClaimRequesterId(cpu.Port(), 0x0010);
    int urs = 0;
    lpi->TraceConnectWithoutContext("UnsupportedRequest", MakeBoundCallback(&CountUr, &urs));
    // A 16-byte read at 0x5002 that no port claims.
    cpu.Send(TlpHeader::MakeMemRead(0x5002, 16, 0x0010, 0x33));
    Simulator::Run();
    EXPECT_EQ(urs, 1);
    EXPECT_TRUE(mem.received.empty());
    ASSERT_EQ(cpu.received.size(), 1u);
    TlpHeader c = cpu.Header(0);
    EXPECT_EQ(c.GetKind(), TlpHeader::COMPLETION);
    EXPECT_EQ(c.GetStatus(), TlpHeader::UR);
    EXPECT_EQ(c.GetCompleterId(), 0x00FF);
    EXPECT_EQ(c.GetRequesterId(), 0x0010);
    EXPECT_EQ(c.GetTag(), 0x33);
    EXPECT_EQ(c.GetByteCount(), 16u);
    EXPECT_EQ(c.GetLowerAddress(), 0x02);
    // The request (12 + 8 bytes) reaches the switch at 20 ns; the switch answers
    // at once: 20 ns of serialization back and one traversal latency.
    EXPECT_EQ(cpu.received[0].at, NanoSeconds(20 + 20 + 100));
}

TEST(LocalInterconnect, RequestBackToItsIngressIsUnsupported)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi();
    Probe nic(lpi, "nic");
    lpi->ClaimAddressRange(nic.Port(), 0, 0x1000);
    lpi->ClaimRequesterId(nic.Port(), 0x0012);
    nic.Send(TlpHeader::MakeMemRead(0x100, 4, 0x0012, 1));
    Simulator::Run();
    ASSERT_EQ(nic.received.size(), 1u);
    EXPECT_EQ(nic.Header(0).GetStatus(), TlpHeader::UR);
}

TEST(LocalInterconnect, DropsAreCountedByReason)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi();
    Probe cpu(lpi, "cpu");
    Probe mem(lpi, "memory");
    lpi->ClaimAddressRange(mem.Port(), 0, 0x1000);
    Drops drops;
    lpi->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Add, &drops));
    // Posted write to an unclaimed address.
    cpu.Send(TlpHeader::MakeMemWrite(0x8000, 4, 0x10, 0), {1, 2, 3, 4});
    // Completion for a requester nobody claims (no default port).
    cpu.Send(TlpHeader::MakeCompletion(TlpHeader::SC, 1, 0x0777, 0, 4, 0, 1), {0, 0, 0, 0});
    // Garbage, a reserved type, and a write whose data is shorter than Length.
    cpu.SendBytes(Hex("ff"));
    cpu.SendBytes(Hex("03000001 00000000 00000000"));
    cpu.SendBytes(Hex("40000002 0010000f 00000000 01020304"));
    Simulator::Run();
    EXPECT_TRUE(mem.received.empty());
    EXPECT_EQ(drops.reasons,
              (std::vector<uint8_t>{LocalInterconnectChannel::DROP_UNCLAIMED_POSTED,
                                    LocalInterconnectChannel::DROP_UNCLAIMED_COMPLETION,
                                    LocalInterconnectChannel::DROP_MALFORMED,
                                    LocalInterconnectChannel::DROP_MALFORMED,
                                    LocalInterconnectChannel::DROP_MALFORMED}));
}

TEST(LocalInterconnect, CompletionRouting)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi();
    Probe cpu(lpi, "cpu");
    Probe mem(lpi, "memory");
    Probe nic(lpi, "nic");
    lpi->ClaimRequesterId(cpu.Port(), 0x0010);
    lpi->SetDefaultCompletionPort(nic.Port());
    mem.Send(TlpHeader::MakeCompletion(TlpHeader::SC, 1, 0x0010, 1, 4, 0, 1), {1, 1, 1, 1});
    mem.Send(TlpHeader::MakeCompletion(TlpHeader::SC, 1, 0x0555, 2, 4, 0, 1), {2, 2, 2, 2});
    Simulator::Run();
    ASSERT_EQ(cpu.received.size(), 1u);
    EXPECT_EQ(cpu.Header(0).GetTag(), 1);
    ASSERT_EQ(nic.received.size(), 1u); // foreign requester: towards the NIC
    EXPECT_EQ(nic.Header(0).GetRequesterId(), 0x0555);
}

TEST(LocalInterconnect, ClaimAndReleaseRanges)
{
    SimulatorGuard guard;
    Ptr<LocalInterconnectChannel> lpi = MakeLpi();
    Probe mem(lpi, "memory");
    Probe nic(lpi, "nic");
    lpi->ClaimAddressRange(mem.Port(), 0, 0x1000);
    lpi->ClaimAddressRange(nic.Port(), 0x1000, 0x1000); // adjacent is fine
    uint32_t port = 99;
    EXPECT_TRUE(lpi->DecodeAddress(0xFFF, port));
    EXPECT_EQ(port, mem.Port());
    EXPECT_TRUE(lpi->DecodeAddress(0x1000, port));
    EXPECT_EQ(port, nic.Port());
    EXPECT_FALSE(lpi->DecodeAddress(0x2000, port));
    lpi->ReleaseAddressRange(nic.Port(), 0x1000, 0x1000);
    EXPECT_FALSE(lpi->DecodeAddress(0x1000, port));
    lpi->ClaimAddressRange(nic.Port(), 0xFFFFFFFFFFFFF000ULL, 0x1000); // top of 2^64
    EXPECT_TRUE(lpi->DecodeAddress(0xFFFFFFFFFFFFFFFFULL, port));
}

TEST(LocalInterconnectDeathTest, OverlappingRangesNameBoth)
{
    EXPECT_DEATH(
        {
            Ptr<LocalInterconnectChannel> lpi = MakeLpi();
            Probe mem(lpi, "memory");
            Probe nic(lpi, "nic");
            lpi->ClaimAddressRange(mem.Port(), 0, 0x10000);
            lpi->ClaimAddressRange(nic.Port(), 0x8000, 0x10000);
        },
        "\\[0x8000, 0x17fff\\] for port 'nic' overlaps \\[0x0, 0xffff\\] claimed by port "
        "'memory'");
    EXPECT_DEATH(
        {
            Ptr<LocalInterconnectChannel> lpi = MakeLpi();
            Probe nic(lpi, "nic");
            lpi->ClaimAddressRange(nic.Port(), 0x8000, 0);
        },
        "empty address range at 0x8000 for port 'nic'");
}

TEST(LocalInterconnectDeathTest, ZeroDataRate)
{
    EXPECT_DEATH(
        {
            Ptr<LocalInterconnectChannel> lpi = MakeLpi();
            lpi->SetAttribute("DataRate", DataRateValue(DataRate(0)));
        },
        "attribute DataRate=0bps");
}
