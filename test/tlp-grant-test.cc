/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Grants and the NIC's tables, on both transports: TLPs that wait for a grant keep
 * PCIe order with everything else bound for the same peer; unanswered GRANT_REQUESTs
 * back off up to a limit, then waiting and later TLPs are answered (UR for reads, a
 * traced, counted drop for writes); trace sinks that map or remove windows while the
 * NIC works through its tables; a full retransmission buffer back-pressures and never
 * drops; RemoveWindow; writes straddling a window's end; the export table on its own
 * (pool, sharing, overlap, statuses).
 */

#include "tlp-nic-test-util.h"

#include "ns3/boolean.h"
#include "ns3/node-container.h"
#include "ns3/string.h"
#include "ns3/tlp-export-table.h"
#include "ns3/tlp-fault-helper.h"
#include "ns3/tlp-grant-agent.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/tunnel-header.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>
#include <map>
#include <random>
#include <vector>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< node 0's first window
const uint64_t REGION = 0x0000000040000000ULL; //!< node 1's region behind it
const uint64_t MORE = 0x0000200000000000ULL;   //!< windows that trace sinks map

/// Two compute nodes joined by a transport.
struct Pair : public ComputeNodes
{
    explicit Pair(const std::string& transport)
        : transport(transport)
    {
        hosts.Create(2);
    }

    /// Build the nodes and the network (NIC attributes are set before).
    void Build()
    {
        tunnel.Install(hosts);
        topology.Connect(hosts, tunnel, transport);
    }

    /// Let node 0's CPU stream 64-byte writes through WINDOW, from the start.
    void Stream(uint32_t writes, const std::string& rate = "0bps")
    {
        Ptr<TlpCpu> cpu = Cpu(0);
        cpu->SetAttribute("StreamCount", UintegerValue(writes));
        cpu->SetAttribute("StreamSize", UintegerValue(64));
        cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
        cpu->SetAttribute("StreamRange", UintegerValue(writes * 64));
        cpu->SetAttribute("StreamRate", StringValue(rate));
    }

    /// Check that the stream landed in REGION on node 1, byte for byte.
    void ExpectStreamLanded(uint32_t writes)
    {
        for (uint64_t o = 0; o < writes * 64; ++o)
        {
            ASSERT_EQ(Memory(1)->GetStore().ReadByte(REGION + o),
                      TlpCpu::PatternByte(WINDOW + o, 1))
                << o;
        }
    }

    void OnDone(const TlpCpu::Result& r)
    {
        results.push_back(r);
    }

    TlpCpu::DoneCallback Done()
    {
        return MakeCallback(&Pair::OnDone, this);
    }

    std::string transport;
    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    TlpFaultHelper faults;
    std::vector<TlpCpu::Result> results;
};

/// Stores in a memory, in order.
struct StoreLog
{
    std::vector<std::pair<uint64_t, Time>> stores; //!< (first byte, time)

    void Write(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        stores.emplace_back(h.GetFirstByteAddress(), Simulator::Now());
    }

    /// \return the index of the first store at an address, or -1
    int IndexOf(uint64_t address) const
    {
        for (uint32_t i = 0; i < stores.size(); ++i)
        {
            if (stores[i].first == address)
            {
                return static_cast<int>(i);
            }
        }
        return -1;
    }
};

/// Drop reasons of a NIC.
struct Drops
{
    std::map<uint8_t, uint32_t> reasons;

    void Drop(Ptr<const Packet>, uint8_t reason)
    {
        reasons[reason]++;
    }
};

std::vector<uint8_t>
Bytes64(uint8_t seed)
{
    std::vector<uint8_t> v(64);
    for (uint32_t i = 0; i < v.size(); ++i)
    {
        v[i] = static_cast<uint8_t>(seed + i * 3);
    }
    return v;
}

class Grants : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(Grants, WaitingTlpsKeepPcieOrderWithGrantedTraffic)
{
    // Window A is granted long before; window B, onto the same region (the receiver
    // shares an exactly equal range), is mapped just before the CPU writes data
    // through B, a flag through A, then reads both back through A. The data waits for
    // B's grant: the flag and the read wait behind it, as PCIe orders a later write
    // and a read behind an earlier posted write.
    Pair p(GetParam());
    p.topology.SetDelay(MicroSeconds(5)); // B's grant takes 20 us or more
    p.Build();
    const uint64_t B = WINDOW + (1 << 20);
    p.tunnel.MapWindow(p.hosts.Get(0), WINDOW, 1 << 16, 1, REGION);
    StoreLog log;
    p.Memory(1)->TraceConnectWithoutContext("Write", MakeCallback(&StoreLog::Write, &log));

    struct GrantTime
    {
        Time b; //!< when window B was granted

        void Grant(uint32_t, uint16_t window, uint64_t)
        {
            if (window == 1)
            {
                b = Simulator::Now();
            }
        }
    } granted;

    p.Nic(0)->TraceConnectWithoutContext("Grant", MakeCallback(&GrantTime::Grant, &granted));
    Ptr<TlpCpu> cpu = p.Cpu(0);
    std::vector<uint8_t> data = Bytes64(7);
    std::vector<uint8_t> flag(8, 0xF1);
    Later(MicroSeconds(20), [&]() {
        p.tunnel.MapWindow(p.hosts.Get(0), B, 1 << 16, 1, REGION);
        cpu->Write(B, data, p.Done());
        cpu->Write(WINDOW + 4096, flag, p.Done());
        cpu->Read(WINDOW, 64, p.Done());
        cpu->Read(WINDOW + 4096, 8, p.Done());
    });
    Simulator::Run();
    ASSERT_TRUE(p.Nic(0)->GetWindow(0)->IsGranted());
    ASSERT_TRUE(p.Nic(0)->GetWindow(1)->IsGranted());
    EXPECT_EQ(p.Nic(1)->GetExportTable().GetNRegions(), 1u);
    EXPECT_EQ(p.Nic(1)->GetExportTable().GetNGrants(), 2u);
    int dataAt = log.IndexOf(REGION);
    int flagAt = log.IndexOf(REGION + 4096);
    ASSERT_GE(dataAt, 0);
    ASSERT_GE(flagAt, 0);
    EXPECT_LT(dataAt, flagAt) << "the flag landed before the data it announces";
    EXPECT_LT(log.stores[dataAt].second, log.stores[flagAt].second);
    // The flag and the reads reached the NIC long before B's grant: they waited.
    EXPECT_GT(granted.b, MicroSeconds(40));
    EXPECT_GT(log.stores[flagAt].second, granted.b);
    ASSERT_EQ(p.results.size(), 4u);
    for (const TlpCpu::Result& r : p.results)
    {
        ASSERT_EQ(r.status, TlpHeader::SC);
        if (r.kind != TlpCpu::OP_READ)
        {
            continue;
        }
        // Each read returned what the writes ahead of it stored.
        EXPECT_EQ(r.data, r.address == WINDOW ? data : flag) << std::hex << r.address;
    }
}

TEST_P(Grants, UnansweredRequestsBackOffThenFailAndWaitingTlpsAreAnswered)
{
    Pair p(GetParam());
    p.tunnel.SetNicAttribute("GrantRetry", TimeValue(MicroSeconds(10)));
    p.tunnel.SetNicAttribute("GrantRetryMax", TimeValue(MicroSeconds(40)));
    p.tunnel.SetNicAttribute("GrantAttempts", UintegerValue(5));
    p.Build();
    p.faults.Install(p.hosts);
    p.faults.LinkDown(Time(0), Time::Max()); // node 1 never hears of the window
    p.tunnel.MapWindow(p.hosts.Get(0), WINDOW, 1 << 16, 1, REGION);

    struct Events
    {
        std::vector<Time> requests;
        std::vector<std::tuple<uint32_t, uint16_t, uint8_t, Time>> failures;

        void Tx(Ptr<const Packet> packet)
        {
            TunnelHeader th;
            if (packet->PeekHeader(th) && th.GetKind() == TunnelHeader::GRANT_REQUEST)
            {
                requests.push_back(Simulator::Now());
            }
        }

        void Failed(uint32_t peer, uint16_t window, uint8_t reason)
        {
            failures.emplace_back(peer, window, reason, Simulator::Now());
        }
    } events;

    Drops drops;
    Ptr<TlpTunnelNetDevice> nic = p.Nic(0);
    nic->TraceConnectWithoutContext("MacTx", MakeCallback(&Events::Tx, &events));
    nic->TraceConnectWithoutContext("GrantFailed", MakeCallback(&Events::Failed, &events));
    nic->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Drop, &drops));
    Ptr<TlpCpu> cpu = p.Cpu(0);
    // Two writes and a read wait for the grant; a write and a read come after the
    // failure.
    Later(MicroSeconds(1), [&]() {
        cpu->Write(WINDOW, Bytes64(1), p.Done());
        cpu->Read(WINDOW, 64, p.Done());
        cpu->Write(WINDOW + 64, Bytes64(2), p.Done());
    });
    Later(MicroSeconds(300), [&]() {
        cpu->Write(WINDOW + 128, Bytes64(3), p.Done());
        cpu->Read(WINDOW + 128, 64, p.Done());
    });
    Simulator::Run(); // ends: the requests stop

    // Sent at 0, 10, 30, 70, 110 us (intervals 10, 20, 40, then capped at 40), given
    // up at 150 us.
    ASSERT_EQ(events.requests.size(), 5u);
    const Time expected[] = {Time(0),
                             MicroSeconds(10),
                             MicroSeconds(30),
                             MicroSeconds(70),
                             MicroSeconds(110)};
    for (uint32_t i = 0; i < 5; ++i)
    {
        EXPECT_GE(events.requests[i], expected[i]) << "request " << i;
        EXPECT_LT(events.requests[i], expected[i] + MicroSeconds(1)) << "request " << i;
    }
    ASSERT_EQ(events.failures.size(), 1u);
    EXPECT_EQ(std::get<0>(events.failures[0]), 1u);
    EXPECT_EQ(std::get<1>(events.failures[0]), 0u);
    EXPECT_EQ(std::get<2>(events.failures[0]), TlpGrantAgent::NO_ANSWER);
    EXPECT_EQ(std::get<3>(events.failures[0]), MicroSeconds(150));
    EXPECT_TRUE(nic->GetWindow(0)->FindReceiver(1)->state == TlpWindowReceiver::FAILED);
    const TlpTunnelNetDevice::Statistics& s = nic->GetStatistics();
    EXPECT_EQ(s.grantRequests, 5u);
    EXPECT_EQ(s.grantFailures, 1u);
    // The reads end with UR, the writes are traced drops, counted.
    EXPECT_EQ(s.unsupportedRequests, 2u);
    EXPECT_EQ(drops.reasons[TlpTunnelNetDevice::DROP_REFUSED], 3u);
    EXPECT_EQ(s.tlpDrops, 3u);
    ASSERT_EQ(p.results.size(), 5u);
    uint32_t reads = 0;
    for (const TlpCpu::Result& r : p.results)
    {
        if (r.kind == TlpCpu::OP_READ)
        {
            EXPECT_EQ(r.status, TlpHeader::UR);
            ++reads;
        }
    }
    EXPECT_EQ(reads, 2u);
    EXPECT_TRUE(p.Memory(1)->GetStore().GetAllocatedPageAddresses().empty());
    EXPECT_EQ(p.Nic(1)->GetStatistics().grantsSent, 0u);
}

TEST_P(Grants, AGrantSinkThatMapsWindowsInvalidatesNothing)
{
    // The Grant sink maps 64 windows while the NIC hands the TLPs that waited for the
    // grant on: the window table grows under it.
    Pair p(GetParam());
    p.Build();
    Ptr<TlpTunnelNetDevice> nic = p.Nic(0);

    struct Sink
    {
        Pair* p;
        Ptr<TlpTunnelNetDevice> nic;
        uint32_t grants = 0;

        void Grant(uint32_t, uint16_t window, uint64_t)
        {
            if (grants++ == 0)
            {
                EXPECT_EQ(window, 0u);
                for (uint32_t k = 0; k < 64; ++k)
                {
                    p->tunnel.MapWindow(p->hosts.Get(0), MORE + k * 4096, 4096, 1);
                }
            }
        }
    } sink{&p, nic};

    nic->TraceConnectWithoutContext("Grant", MakeCallback(&Sink::Grant, &sink));
    p.tunnel.MapWindow(p.hosts.Get(0), WINDOW, 1 << 20, 1, REGION);
    Ptr<TlpCpu> cpu = p.Cpu(0);
    // Streams before the grant is back: the writes wait in the NIC.
    p.Stream(200);
    Later(MicroSeconds(30), [&]() {
        for (uint32_t k = 0; k < 64; ++k)
        {
            cpu->Write(MORE + k * 4096, Bytes64(k), p.Done());
        }
    });
    Simulator::Run();
    EXPECT_EQ(sink.grants, 65u);
    ASSERT_EQ(nic->GetNWindows(), 65u);
    for (uint16_t id = 0; id < 65; ++id)
    {
        EXPECT_TRUE(nic->GetWindow(id)->IsGranted()) << id;
    }
    p.ExpectStreamLanded(200);
    for (uint32_t k = 0; k < 64; ++k)
    {
        uint64_t base = nic->GetWindow(k + 1)->GetRegionBase();
        std::vector<uint8_t> got(64);
        p.Memory(1)->GetStore().Read(base, got.data(), got.size());
        EXPECT_EQ(got, Bytes64(k)) << k;
    }
    EXPECT_EQ(nic->GetStatistics().tlpDrops, 0u);
}

TEST_P(Grants, ATlpTxSinkThatMapsWindowsInvalidatesNothing)
{
    // Each of the first 40 TLPs handed on maps a window from the TlpTx sink, while the
    // NIC works through the TLPs that waited for the grant.
    Pair p(GetParam());
    p.Build();
    Ptr<TlpTunnelNetDevice> nic = p.Nic(0);

    struct Sink
    {
        Pair* p;
        uint32_t seen = 0;

        void Tx(Ptr<const Packet>)
        {
            if (seen < 40)
            {
                p->tunnel.MapWindow(p->hosts.Get(0), MORE + seen * 4096, 4096, 1);
            }
            ++seen;
        }
    } sink{&p};

    nic->TraceConnectWithoutContext("TlpTx", MakeCallback(&Sink::Tx, &sink));
    p.tunnel.MapWindow(p.hosts.Get(0), WINDOW, 1 << 20, 1, REGION);
    p.Stream(200);
    Simulator::Run();
    EXPECT_EQ(sink.seen, 200u);
    ASSERT_EQ(nic->GetNWindows(), 41u);
    for (uint16_t id = 0; id < 41; ++id)
    {
        EXPECT_TRUE(nic->GetWindow(id)->IsGranted()) << id;
    }
    p.ExpectStreamLanded(200);
}

TEST_P(Grants, AGrantSinkThatRemovesTheWindowRefusesWhatWaited)
{
    Pair p(GetParam());
    p.topology.SetDelay(MicroSeconds(5)); // the TLPs reach the NIC before the grant
    p.Build();
    Ptr<TlpTunnelNetDevice> nic = p.Nic(0);

    struct Sink
    {
        Ptr<TlpTunnelNetDevice> nic;

        void Grant(uint32_t, uint16_t window, uint64_t)
        {
            nic->RemoveWindow(window);
        }
    } sink{nic};

    Drops drops;
    nic->TraceConnectWithoutContext("Grant", MakeCallback(&Sink::Grant, &sink));
    nic->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Drop, &drops));
    p.tunnel.MapWindow(p.hosts.Get(0), WINDOW, 1 << 16, 1, REGION);
    Ptr<TlpCpu> cpu = p.Cpu(0);
    Later(NanoSeconds(500), [&]() {
        cpu->Write(WINDOW, Bytes64(1), p.Done());
        cpu->Read(WINDOW, 64, p.Done());
        cpu->Write(WINDOW + 64, Bytes64(2), p.Done());
    });
    Simulator::Run();
    EXPECT_EQ(nic->GetWindow(0), nullptr);
    EXPECT_EQ(drops.reasons[TlpTunnelNetDevice::DROP_REFUSED], 2u);
    EXPECT_EQ(nic->GetStatistics().unsupportedRequests, 1u);
    ASSERT_EQ(p.results.size(), 3u);
    for (const TlpCpu::Result& r : p.results)
    {
        if (r.kind == TlpCpu::OP_READ)
        {
            EXPECT_EQ(r.status, TlpHeader::UR);
        }
    }
    EXPECT_TRUE(p.Memory(1)->GetStore().GetAllocatedPageAddresses().empty());
}

TEST_P(Grants, RemovedWindowsAreGoneAndTheirIdsNeverReused)
{
    Pair p(GetParam());
    p.Build();
    Ptr<TlpTunnelNetDevice> nic = p.Nic(0);
    Drops drops;
    nic->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Drop, &drops));
    uint16_t first = p.tunnel.MapWindow(p.hosts.Get(0), WINDOW, 1 << 16, 1, REGION);
    Ptr<TlpCpu> cpu = p.Cpu(0);
    uint16_t second = 0;
    Later(MicroSeconds(10), [&]() { cpu->Write(WINDOW, Bytes64(1), p.Done()); });
    Later(MicroSeconds(20), [&]() {
        nic->RemoveWindow(first);
        cpu->Write(WINDOW + 64, Bytes64(2), p.Done());
        cpu->Read(WINDOW, 64, p.Done());
    });
    Later(MicroSeconds(30),
          [&]() { second = p.tunnel.MapWindow(p.hosts.Get(0), WINDOW + (1 << 20), 1 << 16, 1); });
    Simulator::Run();
    EXPECT_EQ(nic->GetWindow(first), nullptr);
    EXPECT_NE(second, first);
    ASSERT_NE(nic->GetWindow(second), nullptr);
    EXPECT_TRUE(nic->GetWindow(second)->IsGranted());
    // The first write landed; after the removal the interconnect routes nothing to
    // the NIC for that range: the write is not stored and the read ends with UR.
    EXPECT_EQ(p.Image(1, REGION, 64), Bytes64(1));
    EXPECT_NE(p.Image(1, REGION + 64, 64), Bytes64(2));
    ASSERT_EQ(p.results.size(), 3u);
    EXPECT_EQ(p.results.back().kind, TlpCpu::OP_READ);
    EXPECT_EQ(p.results.back().status, TlpHeader::UR);
}

TEST_P(Grants, AFullRetransmitBufferHoldsTheInterconnectBackAndDropsNothing)
{
    Pair p(GetParam());
    p.tunnel.SetNicAttribute("RetransmitBuffer", UintegerValue(4));
    p.tunnel.SetNicAttribute("AggregationLimit", UintegerValue(1));
    p.Build();
    p.faults.SetLossRate(0.05);
    p.faults.Install(p.hosts);
    p.tunnel.MapWindow(p.hosts.Get(0), WINDOW, 1 << 20, 1, REGION);
    const uint32_t writes = 3000;
    p.Stream(writes, "40Gbps");
    Ptr<TlpTunnelNetDevice> nic = p.Nic(0);

    struct Watch
    {
        Ptr<TlpTunnelNetDevice> nic;
        uint32_t most = 0;

        void Tx(Ptr<const Packet>)
        {
            const TlpPeerSession* s = nic->GetSession(1);
            if (s != nullptr)
            {
                most = std::max(most, s->GetUnacknowledged());
            }
        }
    } watch{nic};

    nic->TraceConnectWithoutContext("MacTx", MakeCallback(&Watch::Tx, &watch));
    Simulator::Run();
    EXPECT_EQ(watch.most, 4u) << "the buffer filled and never overflowed";
    EXPECT_GT(p.faults.GetLost().data, 0u);
    p.ExpectStreamLanded(writes);
    EXPECT_EQ(nic->GetStatistics().tlpDrops, 0u);
    EXPECT_EQ(nic->GetStatistics().writesLost, 0u);
    EXPECT_EQ(nic->GetStatistics().tlpsToNetwork, writes);
}

TEST_P(Grants, AWriteStraddlingAWindowsEndIsNeverHalfLost)
{
    Pair p(GetParam());
    p.Build();
    const uint64_t size = 1 << 16;
    p.tunnel.MapWindow(p.hosts.Get(0), WINDOW, size, 1, REGION);
    Ptr<TlpTunnelNetDevice> nic = p.Nic(0);
    Drops drops;
    nic->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Drop, &drops));

    struct Unclaimed
    {
        uint32_t drops = 0;

        void Drop(Ptr<const Packet>, uint8_t)
        {
            ++drops;
        }
    } unclaimed;

    p.RootComplex(0)->TraceConnectWithoutContext("Drop",
                                                 MakeCallback(&Unclaimed::Drop, &unclaimed));
    Ptr<TlpCpu> cpu = p.Cpu(0);
    // The CPU splits at the 4 KiB boundary, which is the window's end: the inside
    // half lands, the outside half is the interconnect's drop (no port claims it).
    std::vector<uint8_t> data = Bytes64(9);
    Later(MicroSeconds(10), [&]() { cpu->Write(WINDOW + size - 32, data, p.Done()); });
    // A requester that ignores the rule (here the root complex sending for an agent)
    // sends one TLP across the window's end: the NIC refuses it whole.
    TlpHeader across = TlpHeader::MakeMemWrite(WINDOW + size - 32, 64, 0x0100, 0);
    Ptr<Packet> rogue = Create<Packet>(Bytes64(5).data(), 64);
    rogue->AddHeader(across);
    Ptr<PcieRootComplex> rc = p.RootComplex(0);
    uint32_t agent = p.Memory(0)->GetAgent();
    Later(MicroSeconds(20), [rc, agent, rogue]() { rc->Send(agent, rogue); });
    Simulator::Run();
    std::vector<uint8_t> inside(data.begin(), data.begin() + 32);
    EXPECT_EQ(p.Image(1, REGION + size - 32, 32), inside);
    EXPECT_EQ(unclaimed.drops, 1u);
    EXPECT_EQ(drops.reasons[TlpTunnelNetDevice::DROP_REFUSED], 1u);
    EXPECT_EQ(nic->GetStatistics().tlpDrops, 1u);
    EXPECT_EQ(nic->GetStatistics().tlpsToNetwork, 1u) << "only the inside half went out";
    EXPECT_EQ(p.Nic(1)->GetStatistics().tlpsFromNetwork, 1u);
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         Grants,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));

// ------------------------------------------------------------- export table

namespace
{

/// An export table over a pool at 4 GiB of 64 KiB, with memory below 1 TiB.
struct Exports
{
    Exports()
    {
        table.SetPool(uint64_t(1) << 32, 1 << 16);
    }

    static bool IsMemory(uint64_t base, uint64_t size)
    {
        return base + size <= (uint64_t(1) << 40);
    }

    uint8_t Ask(uint32_t peer,
                uint16_t window,
                uint64_t windowBase,
                uint64_t size,
                uint64_t regionBase,
                uint64_t& granted,
                uint8_t confirm = 0)
    {
        TunnelGrantHeader request;
        request.windowBase = windowBase;
        request.size = size;
        request.regionBase = regionBase;
        request.confirm = confirm;
        uint32_t key = 0;
        return table.Grant(peer,
                           window,
                           request,
                           MakeCallback(&Exports::IsMemory),
                           nextKey++,
                           granted,
                           key);
    }

    TlpExportTable table;
    uint32_t nextKey = 1; //!< key of the next new grant
};

} // namespace

TEST(TlpExportTable, PoolIsFirstFitAndReusesReleasedRoom)
{
    Exports e;
    const uint64_t any = TunnelGrantHeader::ANY_BASE;
    uint64_t a = 0;
    uint64_t b = 0;
    uint64_t c = 0;
    ASSERT_EQ(e.Ask(1, 0, WINDOW, 0x4000, any, a), TunnelGrantHeader::GRANTED);
    ASSERT_EQ(e.Ask(1, 1, WINDOW, 0x4000, any, b), TunnelGrantHeader::GRANTED);
    EXPECT_EQ(a, uint64_t(1) << 32);
    EXPECT_EQ(b, a + 0x4000);
    // 32 KiB left: a 36 KiB region does not fit.
    EXPECT_EQ(e.Ask(2, 0, WINDOW, 0x9000, any, c), TunnelGrantHeader::NO_ROOM);
    ASSERT_TRUE(e.table.Release(1, 0));
    EXPECT_FALSE(e.table.Release(1, 0));
    ASSERT_EQ(e.Ask(2, 0, WINDOW, 0x2000, any, c), TunnelGrantHeader::GRANTED);
    EXPECT_EQ(c, a) << "first fit: the released room";
    ASSERT_EQ(e.Ask(2, 1, WINDOW, 0x8000, any, c), TunnelGrantHeader::GRANTED);
    EXPECT_EQ(c, b + 0x4000);
    EXPECT_EQ(e.Ask(2, 2, WINDOW, 0x3000, any, c), TunnelGrantHeader::NO_ROOM);
    EXPECT_EQ(e.table.GetNRegions(), 3u);
    EXPECT_EQ(e.table.GetNGrants(), 3u);
}

TEST(TlpExportTable, ExactRangesAreSharedOverlapsRefused)
{
    Exports e;
    uint64_t base = 0;
    ASSERT_EQ(e.Ask(1, 0, WINDOW, 0x10000, REGION, base), TunnelGrantHeader::GRANTED);
    EXPECT_EQ(base, REGION);
    // Another sender, the same range: shared.
    ASSERT_EQ(e.Ask(2, 5, MORE, 0x10000, REGION, base), TunnelGrantHeader::GRANTED);
    EXPECT_EQ(e.table.GetNRegions(), 1u);
    EXPECT_EQ(e.table.GetNGrants(), 2u);
    EXPECT_EQ(e.table.Find(1, 0)->region, e.table.Find(2, 5)->region);
    // Partly inside, straddling its end, containing it: refused.
    EXPECT_EQ(e.Ask(3, 0, WINDOW, 0x1000, REGION + 0x1000, base), TunnelGrantHeader::OVERLAP);
    EXPECT_EQ(e.Ask(3, 1, WINDOW, 0x2000, REGION + 0xF000, base), TunnelGrantHeader::OVERLAP);
    EXPECT_EQ(e.Ask(3, 2, WINDOW, 0x20000, REGION - 0x8000, base), TunnelGrantHeader::OVERLAP);
    // Right next to it: fine.
    EXPECT_EQ(e.Ask(3, 3, WINDOW, 0x1000, REGION + 0x10000, base), TunnelGrantHeader::GRANTED);
    EXPECT_EQ(e.Ask(3, 4, WINDOW, 0x1000, REGION - 0x1000, base), TunnelGrantHeader::GRANTED);
    // By address: each sender sees only its own grants.
    ASSERT_NE(e.table.FindByAddress(2, REGION + 0x8000), nullptr);
    EXPECT_EQ(e.table.FindByAddress(2, REGION + 0x8000)->window, 5u);
    EXPECT_EQ(e.table.FindByAddress(2, REGION + 0x10000), nullptr);
    EXPECT_EQ(e.table.FindByAddress(4, REGION), nullptr);
    // The shared region goes with its last grant.
    ASSERT_TRUE(e.table.Release(1, 0));
    EXPECT_NE(e.table.FindByAddress(2, REGION), nullptr);
    EXPECT_EQ(e.Ask(4, 0, WINDOW, 0x1000, REGION, base), TunnelGrantHeader::OVERLAP);
    ASSERT_TRUE(e.table.Release(2, 5));
    EXPECT_EQ(e.Ask(4, 0, WINDOW, 0x1000, REGION, base), TunnelGrantHeader::GRANTED);
}

TEST(TlpExportTable, ExplicitBaseAndPoolGrantsNeverOverlap)
{
    const uint64_t any = TunnelGrantHeader::ANY_BASE;
    const uint64_t pool = uint64_t(1) << 32;
    uint64_t base = 0;
    {
        // An explicit base at the pool's start, then the pool: first fit after it.
        Exports e;
        ASSERT_EQ(e.Ask(1, 0, WINDOW, 0x4000, pool, base), TunnelGrantHeader::GRANTED);
        ASSERT_EQ(e.Ask(2, 0, WINDOW, 0x4000, any, base), TunnelGrantHeader::GRANTED);
        EXPECT_EQ(base, pool + 0x4000);
    }
    {
        // The pool first: an explicit request for exactly its region does not share it.
        Exports e;
        ASSERT_EQ(e.Ask(2, 0, WINDOW, 0x4000, any, base), TunnelGrantHeader::GRANTED);
        EXPECT_EQ(base, pool);
        EXPECT_EQ(e.Ask(1, 0, WINDOW, 0x4000, pool, base), TunnelGrantHeader::OVERLAP);
        EXPECT_EQ(e.Ask(1, 1, WINDOW, 0x1000, pool + 0x3000, base), TunnelGrantHeader::OVERLAP);
        EXPECT_EQ(e.table.GetNRegions(), 1u);
    }
    // Any mix of explicit bases, pool allocations and releases: no two regions ever
    // overlap, and only explicit requests for one exact range share a region.
    Exports e;
    std::mt19937 rng(13);
    std::vector<std::pair<uint32_t, uint16_t>> held;
    uint32_t granted = 0;
    uint32_t refused = 0;
    for (uint16_t step = 0; step < 2000; ++step)
    {
        uint32_t choice = rng() % 3;
        if (choice == 2 && !held.empty())
        {
            size_t i = rng() % held.size();
            ASSERT_TRUE(e.table.Release(held[i].first, held[i].second));
            held.erase(held.begin() + i);
        }
        else
        {
            uint32_t peer = 1 + rng() % 4;
            uint64_t size = 0x1000 * (1 + rng() % 4);
            // Explicit bases on and around the pool (64 KiB at 4 GiB).
            uint64_t wanted = choice == 0 ? any : pool - 0x4000 + 0x1000 * (rng() % 24);
            if (e.Ask(peer, step, WINDOW, size, wanted, base) == TunnelGrantHeader::GRANTED)
            {
                held.emplace_back(peer, step);
                ++granted;
            }
            else
            {
                ++refused;
            }
        }
        for (size_t a = 0; a < held.size(); ++a)
        {
            const TlpExportGrant* ga = e.table.Find(held[a].first, held[a].second);
            ASSERT_NE(ga, nullptr);
            const TlpExportRegion& ra = e.table.GetRegion(ga->region);
            for (size_t b = a + 1; b < held.size(); ++b)
            {
                const TlpExportGrant* gb = e.table.Find(held[b].first, held[b].second);
                const TlpExportRegion& rb = e.table.GetRegion(gb->region);
                if (ga->region == gb->region)
                {
                    ASSERT_FALSE(ra.pooled) << "a pool region shared, step " << step;
                    ASSERT_NE(ga->requestedBase, any);
                    ASSERT_EQ(ga->requestedBase, gb->requestedBase);
                    continue;
                }
                bool apart = ra.base + ra.size <= rb.base || rb.base + rb.size <= ra.base;
                ASSERT_TRUE(apart)
                    << "step " << step << ": [0x" << std::hex << ra.base << ", +0x" << ra.size
                    << ") and [0x" << rb.base << ", +0x" << rb.size << ")";
            }
        }
    }
    EXPECT_GT(granted, 300u);
    EXPECT_GT(refused, 300u);
}

TEST(TlpExportTable, StatusesForBadRequests)
{
    Exports e;
    uint64_t base = 0;
    EXPECT_EQ(e.Ask(1, 0, WINDOW, 0, REGION, base), TunnelGrantHeader::BAD_RANGE);
    EXPECT_EQ(e.Ask(1, 0, WINDOW, 0x1800, REGION, base), TunnelGrantHeader::BAD_RANGE);
    EXPECT_EQ(e.Ask(1, 0, WINDOW + 8, 0x1000, REGION, base), TunnelGrantHeader::BAD_RANGE);
    EXPECT_EQ(e.Ask(1, 0, WINDOW, 0x1000, REGION + 8, base), TunnelGrantHeader::BAD_RANGE);
    EXPECT_EQ(e.Ask(1, 0, WINDOW, 0x2000, 0xFFFFFFFFFFFFF000ULL, base),
              TunnelGrantHeader::BAD_RANGE);
    EXPECT_EQ(e.Ask(1, 0, WINDOW, 0x1000, uint64_t(1) << 40, base), TunnelGrantHeader::NOT_MEMORY);
    EXPECT_EQ(e.table.GetNGrants(), 0u);
    // A repeated request holds its region; the same window asking otherwise conflicts.
    uint64_t again = 0;
    ASSERT_EQ(e.Ask(1, 0, WINDOW, 0x1000, REGION, base), TunnelGrantHeader::GRANTED);
    ASSERT_EQ(e.Ask(1, 0, WINDOW, 0x1000, REGION, again), TunnelGrantHeader::GRANTED);
    EXPECT_EQ(again, base);
    EXPECT_EQ(e.Ask(1, 0, WINDOW, 0x2000, REGION, again), TunnelGrantHeader::CONFLICT);
    EXPECT_EQ(e.Ask(1, 0, WINDOW, 0x1000, REGION, again, 2), TunnelGrantHeader::CONFLICT);
    EXPECT_EQ(e.table.GetNGrants(), 1u);
}
