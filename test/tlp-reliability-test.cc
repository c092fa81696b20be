/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Reliable delivery on both transports and in both recovery modes, under the faults
 * of a real fabric: random loss, bursts, a link down for a millisecond, reordering,
 * duplication, sequence numbers that wrap, a peer that vanishes. After each fault:
 * both nodes' memory images byte for byte, every AtomicOp applied exactly once, and
 * counters that add up (what was sent again is what was lost, plus what arrived
 * twice).
 */

#include "tlp-nic-test-util.h"

#include "ns3/arp-cache.h"
#include "ns3/boolean.h"
#include "ns3/enum.h"
#include "ns3/global-value.h"
#include "ns3/ipv4-interface.h"
#include "ns3/ipv4-l3-protocol.h"
#include "ns3/node-container.h"
#include "ns3/string.h"
#include "ns3/tlp-fault-helper.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>
#include <map>
#include <set>
#include <tuple>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;  //!< each node's window onto the other
const uint64_t REGION = 0x0000000040000000ULL;  //!< the region it maps to
const uint64_t COUNTER = 0x0000000050000000ULL; //!< an AtomicOp counter on each node
const uint64_t IMAGE = 0x0000000060000000ULL;   //!< what reads read, on each node
const uint32_t WRITES = 1500;                   //!< 64-byte writes per node
const uint32_t ATOMICS = 150;                   //!< FetchAdds per node
const uint32_t READS = 150;                     //!< 64-byte reads per node

/// Two compute nodes that write, read and add into each other's memory.
struct TwoWay : public ComputeNodes
{
    TwoWay(const std::string& transport, const std::string& recovery = "SelectiveRepeat")
    {
        hosts.Create(2);
        tunnel.SetNicAttribute("Recovery", StringValue(recovery));
        // GoBackN at 20 % loss resends about fifty packets per packet delivered: its
        // reads wait far longer than PCIe's default 50 ms completion timeout.
        tunnel.SetCpuAttribute("CompletionTimeout", TimeValue(Seconds(10)));
        nics = tunnel.Install(hosts);
        topology.Connect(hosts, tunnel, transport);
        NodeContainer all(hosts, topology.GetSwitches());
        faults.WatchNetwork(all);
    }

    /**
     * \brief IPv4 flushes its ARP caches when a link goes down or up: an address asked
     * while the link was down is asked again only after ArpCache's WaitReplyTimeout,
     * 1 s by default, which outlasts the NIC's retries (about 5 ms by default).
     */
    void ShortenArpRetry()
    {
        NodeContainer all(hosts, topology.GetSwitches());
        for (uint32_t n = 0; n < all.GetN(); ++n)
        {
            Ptr<Ipv4L3Protocol> ipv4 = all.Get(n)->GetObject<Ipv4L3Protocol>();
            for (uint32_t i = 0; ipv4 != nullptr && i < ipv4->GetNInterfaces(); ++i)
            {
                Ptr<ArpCache> arp = ipv4->GetInterface(i)->GetArpCache();
                if (arp != nullptr) // the loopback has none
                {
                    arp->SetAttribute("WaitReplyTimeout", TimeValue(MicroSeconds(100)));
                }
            }
        }
    }

    /// Map the windows and schedule the workload; faults are set before this.
    void Start()
    {
        for (uint32_t i = 0; i < 2; ++i)
        {
            uint32_t peer = 1 - i;
            tunnel.MapWindow(hosts.Get(i), WINDOW, 1 << 20, peer, REGION);
            tunnel.MapWindow(hosts.Get(i), WINDOW + (1 << 20), 0x1000, peer, COUNTER);
            tunnel.MapWindow(hosts.Get(i), WINDOW + (2 << 20), 1 << 16, peer, IMAGE);
            // What the other node reads here.
            std::vector<uint8_t> image(READS * 64);
            for (uint32_t b = 0; b < image.size(); ++b)
            {
                image[b] = static_cast<uint8_t>(b * 7 + i);
            }
            Memory(i)->GetStore().Write(IMAGE, image.data(), image.size());
            Ptr<TlpCpu> cpu = Cpu(i);
            cpu->SetAttribute("StreamCount", UintegerValue(WRITES));
            cpu->SetAttribute("StreamSize", UintegerValue(64));
            cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
            cpu->SetAttribute("StreamRange", UintegerValue(WRITES * 64));
            cpu->SetAttribute("StreamRate", StringValue("20Gbps"));
            cpu->SetAttribute("StreamSeed", UintegerValue(i + 1));
            for (uint32_t k = 0; k < ATOMICS; ++k)
            {
                Simulator::Schedule(MicroSeconds(5) + NanoSeconds(300) * k,
                                    &TlpCpu::FetchAdd,
                                    cpu,
                                    WINDOW + (1 << 20),
                                    1ULL,
                                    8u,
                                    MakeCallback(&TwoWay::Done, this).Bind(i));
            }
            for (uint32_t k = 0; k < READS; ++k)
            {
                Simulator::Schedule(MicroSeconds(7) + NanoSeconds(300) * k,
                                    &TlpCpu::Read,
                                    cpu,
                                    WINDOW + (2 << 20) + k * 64,
                                    64u,
                                    MakeCallback(&TwoWay::Done, this).Bind(i));
            }
        }
    }

    void Done(uint32_t node, const TlpCpu::Result& r)
    {
        results[node].push_back(r);
    }

    /**
     * \brief Check both memory images, the atomics and the reads; count statuses.
     * \param refusals the transports may refuse packets (a link down: its devices
     *        refuse frames, which the fault counts as lost)
     */
    void CheckEverythingLanded(bool refusals = false)
    {
        for (uint32_t i = 0; i < 2; ++i)
        {
            uint32_t writer = 1 - i;
            for (uint64_t o = 0; o < WRITES * 64; ++o)
            {
                ASSERT_EQ(Memory(i)->GetStore().ReadByte(REGION + o),
                          TlpCpu::PatternByte(WINDOW + o, writer + 1))
                    << "node " << i << " offset " << o;
            }
            uint64_t counter = 0;
            for (int b = 7; b >= 0; --b)
            {
                counter = counter << 8 | Memory(i)->GetStore().ReadByte(COUNTER + b);
            }
            EXPECT_EQ(counter, ATOMICS) << "node " << i << ": every FetchAdd exactly once";
            EXPECT_EQ(Cpu(i)->GetStatistics().operationsDone, WRITES + ATOMICS + READS);
            EXPECT_EQ(Cpu(i)->GetStatistics().errors, 0u);
        }
        for (uint32_t i = 0; i < 2; ++i)
        {
            // Each FetchAdd returned a different value: none ran twice, none was lost.
            std::set<uint64_t> values;
            ASSERT_EQ(results[i].size(), ATOMICS + READS);
            for (const TlpCpu::Result& r : results[i])
            {
                ASSERT_EQ(r.status, TlpHeader::SC);
                if (r.kind == TlpCpu::OP_FETCH_ADD)
                {
                    uint64_t old = 0;
                    for (int b = 7; b >= 0; --b)
                    {
                        old = old << 8 | r.data[b];
                    }
                    values.insert(old);
                    continue;
                }
                // The read returned what the other node holds.
                uint64_t offset = r.address - (WINDOW + (2 << 20));
                ASSERT_EQ(r.data.size(), 64u);
                for (uint32_t b = 0; b < 64; ++b)
                {
                    ASSERT_EQ(r.data[b], static_cast<uint8_t>((offset + b) * 7 + (1 - i)));
                }
            }
            EXPECT_EQ(values.size(), ATOMICS);
            EXPECT_EQ(*values.rbegin(), ATOMICS - 1);
        }
        for (uint32_t i = 0; i < 2; ++i)
        {
            if (!refusals)
            {
                EXPECT_EQ(Nic(i)->GetStatistics().transportRefusals, 0u);
            }
            EXPECT_EQ(Nic(i)->GetStatistics().malformedPackets, 0u);
            EXPECT_EQ(Nic(i)->GetStatistics().tlpDrops, 0u);
            EXPECT_EQ(Nic(i)->GetStatistics().peersUnreachable, 0u);
        }
    }

    /// Sum of a counter over both NICs.
    uint64_t Sum(uint64_t TlpTunnelNetDevice::Statistics::*counter)
    {
        return Nic(0)->GetStatistics().*counter + Nic(1)->GetStatistics().*counter;
    }

    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    TlpFaultHelper faults;
    NetDeviceContainer nics;
    std::vector<TlpCpu::Result> results[2]; //!< per requesting node
};

/**
 * Every packet that arrived was delivered once, dropped as a duplicate, dropped ahead of
 * a gap (GoBackN) or beyond the window; every packet sent arrived unless lost; the
 * network's own duplicates arrive too. So what was sent again, plus what the network
 * doubled, is what was lost plus what the receivers dropped.
 */
void
ExpectCountersAddUp(TwoWay& w,
                    const TlpFaultHelper::Counts& lost,
                    const TlpFaultHelper::Counts& doubled,
                    bool goBackN)
{
    uint64_t dropped = w.Sum(&TlpTunnelNetDevice::Statistics::duplicatesDropped) +
                       w.Sum(&TlpTunnelNetDevice::Statistics::outOfWindow) +
                       (goBackN ? w.Sum(&TlpTunnelNetDevice::Statistics::outOfOrder) : 0);
    // The network may drop some itself: a CSMA bus gives frames up after too many
    // backoffs when GoBackN floods it.
    EXPECT_EQ(w.Sum(&TlpTunnelNetDevice::Statistics::packetsRetransmitted) + doubled.Sequenced(),
              lost.Sequenced() + w.faults.GetNetworkDrops().Sequenced() + dropped);
}

using Case = std::tuple<std::string, std::string>; // transport, recovery

class Reliability : public ::testing::TestWithParam<Case>
{
};

std::string
CaseName(const ::testing::TestParamInfo<Case>& info)
{
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
}

} // namespace

TEST_P(Reliability, RandomLossOfOnePercentFiveAndTwenty)
{
    for (double rate : {0.01, 0.05, 0.20})
    {
        TwoWay w(std::get<0>(GetParam()), std::get<1>(GetParam()));
        w.faults.SetLossRate(rate);
        w.faults.SetStream(static_cast<int64_t>(rate * 1000));
        w.faults.Install(w.hosts);
        w.Start();
        Simulator::Run();
        SCOPED_TRACE("loss " + std::to_string(rate));
        w.CheckEverythingLanded();
        const TlpFaultHelper::Counts& lost = w.faults.GetLost();
        EXPECT_GT(lost.Sequenced(), 0u);
        ExpectCountersAddUp(w, lost, {}, std::get<1>(GetParam()) == "GoBackN");
        // Each lost grant packet costs one more request (the retry interval is far
        // longer than the round trip).
        EXPECT_EQ(w.Sum(&TlpTunnelNetDevice::Statistics::grantRequests), 6u + lost.grant);
        Simulator::Destroy();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Transports,
    Reliability,
    ::testing::Combine(::testing::Values(std::string("ethernet"), std::string("udp")),
                       ::testing::Values(std::string("SelectiveRepeat"), std::string("GoBackN"))),
    CaseName);

TEST_P(Reliability, BurstsOfLoss)
{
    TwoWay w(std::get<0>(GetParam()), std::get<1>(GetParam()));
    w.faults.SetBurstLoss(0.02, 4); // bursts of 1..4 packets
    w.faults.Install(w.hosts);
    w.Start();
    Simulator::Run();
    w.CheckEverythingLanded();
    const TlpFaultHelper::Counts& lost = w.faults.GetLost();
    EXPECT_GT(lost.Sequenced(), 20u);
    ExpectCountersAddUp(w, lost, {}, std::get<1>(GetParam()) == "GoBackN");
}

TEST_P(Reliability, LinkDownForOneMillisecond)
{
    TwoWay w(std::get<0>(GetParam()), std::get<1>(GetParam()));
    w.faults.Install(w.hosts);
    w.ShortenArpRetry();
    // Down in the middle of the workload (the grants are done by 2 us).
    w.faults.LinkDown(MicroSeconds(12), MilliSeconds(1));
    w.Start();
    Simulator::Run();
    w.CheckEverythingLanded(true);
    const TlpFaultHelper::Counts& lost = w.faults.GetLost();
    EXPECT_GT(lost.Sequenced(), 0u);
    EXPECT_GT(w.Sum(&TlpTunnelNetDevice::Statistics::timeouts), 0u);
    bool goBackN = std::get<1>(GetParam()) == "GoBackN";
    if (std::get<0>(GetParam()) == "ethernet")
    {
        // A full-duplex link goes down for real: the host's device refuses what the
        // NIC sends meanwhile, and the fault counts each refused frame among the lost.
        uint64_t refused = w.Sum(&TlpTunnelNetDevice::Statistics::transportRefusals);
        EXPECT_GT(refused, 0u);
        EXPECT_LE(refused, lost.Sequenced() + lost.ack + lost.grant);
        ExpectCountersAddUp(w, lost, {}, goBackN);
        return;
    }
    // Over IPv4 the datagrams sent while the link is down wait for ARP, whose caches
    // the link change flushed, and ns-3 discards those waiting in a flushed entry
    // without a trace: more is resent than the fault and the network are seen to lose.
    EXPECT_EQ(w.Sum(&TlpTunnelNetDevice::Statistics::transportRefusals), 0u);
    uint64_t dropped = w.Sum(&TlpTunnelNetDevice::Statistics::duplicatesDropped) +
                       w.Sum(&TlpTunnelNetDevice::Statistics::outOfWindow) +
                       (goBackN ? w.Sum(&TlpTunnelNetDevice::Statistics::outOfOrder) : 0);
    EXPECT_GE(w.Sum(&TlpTunnelNetDevice::Statistics::packetsRetransmitted),
              lost.Sequenced() + w.faults.GetNetworkDrops().Sequenced() + dropped);
}

TEST_P(Reliability, ReorderingIsNoLoss)
{
    TwoWay w(std::get<0>(GetParam()), std::get<1>(GetParam()));
    w.faults.SetReordering(0.05, MicroSeconds(3));
    w.faults.Install(w.hosts);
    w.Start();
    Simulator::Run();
    w.CheckEverythingLanded();
    EXPECT_GT(w.faults.GetReordered().Sequenced(), 20u);
    EXPECT_EQ(w.faults.GetLost().Sequenced(), 0u);
    // What was sent again (spuriously, or as GoBackN resends) arrived twice or was
    // dropped ahead of its gap.
    ExpectCountersAddUp(w, {}, {}, std::get<1>(GetParam()) == "GoBackN");
}

TEST_P(Reliability, DuplicatesAreDroppedAndAtomicsRunOnce)
{
    TwoWay w(std::get<0>(GetParam()), std::get<1>(GetParam()));
    w.faults.SetDuplication(0.10, MicroSeconds(2));
    w.faults.Install(w.hosts);
    w.Start();
    Simulator::Run();
    w.CheckEverythingLanded(); // the counters equal ATOMICS: no FetchAdd ran twice
    const TlpFaultHelper::Counts& twice = w.faults.GetDuplicated();
    EXPECT_GT(twice.Sequenced(), 50u);
    EXPECT_GE(w.Sum(&TlpTunnelNetDevice::Statistics::duplicatesDropped), twice.Sequenced());
    ExpectCountersAddUp(w, {}, twice, std::get<1>(GetParam()) == "GoBackN");
}

TEST_P(Reliability, CorruptedFramesFailTheirFcsAndAreResent)
{
    // Real Ethernet frames carry an FCS; ns-3 computes and checks it only with
    // ChecksumEnabled (IPv4 and UDP checksums too), off by default.
    BooleanValue checksums;
    GlobalValue::GetValueByName("ChecksumEnabled", checksums);
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
    {
        TwoWay w(std::get<0>(GetParam()), std::get<1>(GetParam()));
        w.faults.SetCorruption(0.05);
        w.faults.Install(w.hosts);
        w.Start();
        Simulator::Run();
        w.CheckEverythingLanded(); // no flipped bit reached memory or a completion
        const TlpFaultHelper::Counts& corrupted = w.faults.GetCorrupted();
        EXPECT_GT(corrupted.Sequenced(), 50u);
        EXPECT_EQ(w.faults.GetLost().Sequenced(), 0u);
        // CRC-32 finds every single-bit error: each corrupted frame is a loss.
        ExpectCountersAddUp(w, corrupted, {}, std::get<1>(GetParam()) == "GoBackN");
    }
    GlobalValue::Bind("ChecksumEnabled", checksums);
}

TEST_P(Reliability, SequenceNumbersWrap)
{
    TwoWay w(std::get<0>(GetParam()), std::get<1>(GetParam()));
    for (uint32_t i = 0; i < 2; ++i)
    {
        w.Nic(i)->SetAttribute("InitialSequence", UintegerValue(0xFFFFFF00u));
    }
    std::set<uint32_t> sequences;

    struct Seen
    {
        std::set<uint32_t>* sequences;

        void Tx(Ptr<const Packet> p)
        {
            TunnelHeader th;
            if (p->PeekHeader(th) && TunnelHeader::CarriesTlps(th.GetKind()))
            {
                sequences->insert(th.GetSequence());
            }
        }
    } seen{&sequences};

    w.Nic(0)->TraceConnectWithoutContext("MacTx", MakeCallback(&Seen::Tx, &seen));
    w.faults.SetLossRate(0.05);
    w.faults.Install(w.hosts);
    w.Start();
    Simulator::Run();
    w.CheckEverythingLanded();
    // The session crossed 2^32 and went on.
    EXPECT_TRUE(sequences.count(0xFFFFFF00u));
    EXPECT_TRUE(sequences.count(0xFFFFFFFFu));
    EXPECT_TRUE(sequences.count(0u));
    EXPECT_TRUE(sequences.count(1000u));
}

TEST_P(Reliability, APeerThatVanishesFailsEverythingOnce)
{
    TwoWay w(std::get<0>(GetParam()), std::get<1>(GetParam()));
    w.faults.Install(w.hosts);
    // For good, after the grants (2 us) and before any data.
    w.faults.LinkDown(MicroSeconds(3), Time::Max());
    for (uint32_t i = 0; i < 2; ++i)
    {
        w.Cpu(i)->SetStartTime(MicroSeconds(5));
    }
    std::vector<std::pair<uint32_t, Time>> unreachable;

    struct Events
    {
        std::vector<std::pair<uint32_t, Time>>* unreachable;
        uint64_t lost = 0;

        void Unreachable(uint32_t peer)
        {
            unreachable->emplace_back(peer, Simulator::Now());
        }

        void Lost(Ptr<const Packet>, uint32_t)
        {
            ++lost;
        }
    } events{&unreachable};

    for (uint32_t i = 0; i < 2; ++i)
    {
        w.Nic(i)->TraceConnectWithoutContext("PeerUnreachable",
                                             MakeCallback(&Events::Unreachable, &events));
        w.Nic(i)->TraceConnectWithoutContext("WriteLost", MakeCallback(&Events::Lost, &events));
    }
    w.Start();
    Simulator::Run();
    ASSERT_EQ(unreachable.size(), 2u);
    for (uint32_t i = 0; i < 2; ++i)
    {
        const TlpTunnelNetDevice::Statistics& s = w.Nic(i)->GetStatistics();
        EXPECT_EQ(s.peersUnreachable, 1u);
        // Every write is reported lost, every read and AtomicOp ends with CA, once.
        EXPECT_EQ(s.writesLost, WRITES);
        EXPECT_EQ(s.requestsAborted, ATOMICS + READS);
        EXPECT_EQ(w.Cpu(i)->GetStatistics().operationsDone, WRITES + ATOMICS + READS);
        // Nothing reached the other node's memory: only its read image is there.
        for (uint64_t page : w.Memory(1 - i)->GetStore().GetAllocatedPageAddresses())
        {
            EXPECT_TRUE(page >= IMAGE && page < IMAGE + READS * 64) << std::hex << page;
        }
        ASSERT_EQ(w.results[i].size(), ATOMICS + READS);
        for (const TlpCpu::Result& r : w.results[i])
        {
            ASSERT_EQ(r.status, TlpHeader::CA);
        }
        // RetryLimit (8) + 1 timeouts, backed off from InitialRto (1 ms) and capped at
        // MaxRto (10 ms): 1 + 2 + 4 + 8 + 10 + 10 + 10 + 10 + 10 ms after the first send.
        EXPECT_GT(unreachable[i].second, MilliSeconds(65));
        EXPECT_LT(unreachable[i].second, MilliSeconds(66));
    }
    EXPECT_EQ(events.lost, 2 * WRITES);
}

namespace
{

/// Sequence numbers of the DATA packets a set of impairments lost or held back.
struct SequenceTap
{
    std::set<uint32_t> lost;
    std::set<uint32_t> heldBack;

    void Lost(Ptr<const Packet> frame)
    {
        TunnelHeader th;
        if (TlpFaultHelper::ParseTunnel(frame, th) && th.GetKind() == TunnelHeader::DATA)
        {
            lost.insert(th.GetSequence());
        }
    }

    void HeldBack(Ptr<const Packet> frame)
    {
        TunnelHeader th;
        if (TlpFaultHelper::ParseTunnel(frame, th) && th.GetKind() == TunnelHeader::DATA)
        {
            heldBack.insert(th.GetSequence());
        }
    }
};

/// Node 0 streams writes to node 1 without reliable delivery.
struct OneWayUnreliable
{
    OneWayUnreliable(const std::string& transport)
    {
        hosts.Create(2);
        tunnel.SetNicAttribute("Reliable", BooleanValue(false));
        tunnel.Install(hosts);
        topology.Connect(hosts, tunnel, transport);
    }

    void Start(uint32_t writes)
    {
        tunnel.MapWindow(hosts.Get(0), WINDOW, 1 << 20, 1, REGION);
        Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(0));
        cpu->SetAttribute("StreamCount", UintegerValue(writes));
        cpu->SetAttribute("StreamSize", UintegerValue(64));
        cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
        cpu->SetAttribute("StreamRange", UintegerValue(writes * 64));
        cpu->SetAttribute("StreamRate", StringValue("10Gbps"));
    }

    SimulatorGuard guard;
    NodeContainer hosts;
    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    TlpFaultHelper faults;
};

class Unreliable : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(Unreliable, LossIsCountedExactly)
{
    OneWayUnreliable u(GetParam());
    u.faults.SetLossRate(0.05);
    SequenceTap tap;
    for (Ptr<TlpLinkImpairment> i : u.faults.Install(u.hosts))
    {
        i->TraceConnectWithoutContext("Lost", MakeCallback(&SequenceTap::Lost, &tap));
    }
    u.Start(2000);
    uint32_t highest = 0;

    struct Highest
    {
        uint32_t* highest;

        void Rx(Ptr<const Packet> p)
        {
            TunnelHeader th;
            if (p->PeekHeader(th) && th.GetKind() == TunnelHeader::DATA)
            {
                *highest = std::max(*highest, th.GetSequence());
            }
        }
    } h{&highest};

    Ptr<TlpTunnelNetDevice> receiver = TlpTunnelHelper::GetNic(u.hosts.Get(1));
    receiver->TraceConnectWithoutContext("MacRx", MakeCallback(&Highest::Rx, &h));
    Simulator::Run();
    // Every sequence number lost below the highest received is counted: the first
    // packet's too; only a lost tail is invisible to the receiver.
    uint64_t visible = 0;
    for (uint32_t seq : tap.lost)
    {
        visible += seq < highest;
    }
    EXPECT_GT(tap.lost.size(), 50u);
    EXPECT_EQ(receiver->GetStatistics().sequenceGaps, visible);
    EXPECT_EQ(receiver->GetStatistics().packetsRetransmitted, 0u);
    EXPECT_EQ(TlpTunnelHelper::GetNic(u.hosts.Get(0))->GetStatistics().packetsRetransmitted, 0u);
    EXPECT_EQ(TlpTunnelHelper::GetNic(u.hosts.Get(0))->GetStatistics().acksSent +
                  receiver->GetStatistics().acksSent,
              0u);
}

TEST_P(Unreliable, ReorderingIsNoLoss)
{
    OneWayUnreliable u(GetParam());
    u.faults.SetReordering(0.05, MicroSeconds(2));
    SequenceTap tap;
    for (Ptr<TlpLinkImpairment> i : u.faults.Install(u.hosts))
    {
        i->TraceConnectWithoutContext("Reordered", MakeCallback(&SequenceTap::HeldBack, &tap));
    }
    u.Start(2000);
    Simulator::Run();
    Ptr<TlpTunnelNetDevice> receiver = TlpTunnelHelper::GetNic(u.hosts.Get(1));
    EXPECT_GT(tap.heldBack.size(), 50u);
    EXPECT_EQ(receiver->GetStatistics().sequenceGaps, 0u);
    EXPECT_EQ(receiver->GetStatistics().lateArrivals, tap.heldBack.size());
    for (uint64_t o = 0; o < 2000 * 64; o += 64)
    {
        ASSERT_EQ(TlpTunnelHelper::GetMemory(u.hosts.Get(1))->GetStore().ReadByte(REGION + o),
                  TlpCpu::PatternByte(WINDOW + o, 1));
    }
}

TEST_P(Unreliable, DuplicatesAreDropped)
{
    OneWayUnreliable u(GetParam());
    u.faults.SetDuplication(0.05, MicroSeconds(2));
    u.faults.Install(u.hosts);
    u.Start(2000);
    Simulator::Run();
    Ptr<TlpTunnelNetDevice> receiver = TlpTunnelHelper::GetNic(u.hosts.Get(1));
    EXPECT_GT(u.faults.GetDuplicated().data, 50u);
    EXPECT_EQ(receiver->GetStatistics().duplicatesDropped, u.faults.GetDuplicated().data);
    EXPECT_EQ(receiver->GetStatistics().sequenceGaps, 0u);
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         Unreliable,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));

namespace
{

/// Node 0 streams 64-byte writes to node 1 with reliable delivery; node 1 only acks.
struct OneWayReliable : public ComputeNodes
{
    /**
     * \param transport ethernet or udp
     * \param ackEvery the NICs' AckEvery
     * \param ackDelay the NICs' AckDelay
     * \param minRto the NICs' MinRto
     * \param rate the network links' rate
     */
    OneWayReliable(const std::string& transport,
                   uint32_t ackEvery,
                   Time ackDelay,
                   Time minRto,
                   DataRate rate = DataRate("100Gbps"))
    {
        hosts.Create(2);
        tunnel.SetNicAttribute("AckEvery", UintegerValue(ackEvery));
        tunnel.SetNicAttribute("AckDelay", TimeValue(ackDelay));
        tunnel.SetNicAttribute("MinRto", TimeValue(minRto));
        tunnel.Install(hosts);
        topology.SetDataRate(rate);
        topology.Connect(hosts, tunnel, transport);
        tunnel.MapWindow(hosts.Get(0), WINDOW, 1 << 20, 1, REGION);
        Nic(0)->TraceConnectWithoutContext("MacTx", MakeCallback(&OneWayReliable::Sent, this));
        Nic(0)->TraceConnectWithoutContext("MacRx", MakeCallback(&OneWayReliable::Acked, this));
    }

    /**
     * \param writes how many
     * \param rate offered load (0bps: as fast as possible)
     */
    void Stream(uint32_t writes, const std::string& rate)
    {
        Ptr<TlpCpu> cpu = Cpu(0);
        cpu->SetAttribute("StreamCount", UintegerValue(writes));
        cpu->SetAttribute("StreamSize", UintegerValue(64));
        cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
        cpu->SetAttribute("StreamRange", UintegerValue(writes * 64));
        cpu->SetAttribute("StreamRate", StringValue(rate));
        cpu->SetStartTime(MicroSeconds(20)); // after the grant
    }

    /// A DATA packet left node 0's NIC: when.
    void Sent(Ptr<const Packet> packet)
    {
        TunnelHeader th;
        packet->PeekHeader(th);
        if (th.GetKind() == TunnelHeader::DATA)
        {
            sent[th.GetSequence()] = Simulator::Now();
        }
    }

    /// An acknowledgement reached node 0's NIC: one RTT sample, from the oldest
    /// packet it newly covers.
    void Acked(Ptr<const Packet> packet)
    {
        TunnelHeader th;
        packet->PeekHeader(th);
        if (th.GetKind() != TunnelHeader::ACK && (th.GetFlags() & TunnelHeader::FLAG_ACK) == 0)
        {
            return;
        }
        bool first = true;
        while (!sent.empty() &&
               SequenceNumber32(sent.begin()->first) < SequenceNumber32(th.GetAck()))
        {
            if (first)
            {
                samples.push_back(Simulator::Now() - sent.begin()->second);
                first = false;
            }
            sent.erase(sent.begin());
        }
    }

    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    std::map<uint32_t, Time> sent; //!< unacknowledged DATA packets by sequence number
    std::vector<Time> samples;     //!< round trips, in order
};

class Acks : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(Acks, EveryNthPacketIsAcknowledged)
{
    // 1600 writes back to back, AckDelay far beyond the stream: exactly one ACK per 16.
    OneWayReliable w(GetParam(), 16, MilliSeconds(1), MicroSeconds(10));
    w.Stream(1600, "0bps");
    Simulator::Run();
    EXPECT_EQ(w.Nic(1)->GetStatistics().packetsReceived, 1600u + 1); // and the request
    EXPECT_EQ(w.Nic(1)->GetStatistics().acksSent, 100u);
    EXPECT_EQ(w.Nic(0)->GetStatistics().acksReceived, 100u);
    EXPECT_EQ(w.Nic(0)->GetStatistics().acksSent, 0u);
    EXPECT_EQ(w.Nic(0)->GetStatistics().packetsRetransmitted, 0u);
    EXPECT_EQ(w.Image(1, REGION + 1599 * 64, 1)[0], TlpCpu::PatternByte(WINDOW + 1599 * 64, 1));
}

TEST_P(Acks, AckDelayBoundsTheWait)
{
    // A write every 10 us. AckDelay 15 us: each ACK covers two writes; 2 us: one.
    for (uint32_t delay : {15u, 2u})
    {
        OneWayReliable w(GetParam(), 16, MicroSeconds(delay), MicroSeconds(100));
        w.Stream(20, "51.2Mbps"); // 512 bits per 10 us
        Simulator::Run();
        EXPECT_EQ(w.Nic(1)->GetStatistics().acksSent, delay == 15 ? 10u : 20u) << delay;
        EXPECT_EQ(w.Nic(0)->GetStatistics().packetsRetransmitted, 0u) << delay;
        Simulator::Destroy();
    }
}

TEST_P(Acks, AckDelayRunsFromTheFirstUnacknowledgedPacket)
{
    // A write every 256 ns, AckEvery 16, AckDelay 5 us: 16 writes take 3.84 us, so
    // every ACK is sent by count and covers 16. A timer started for an earlier ACK
    // must not cut the next batch short (it would send one ACK per 16 and one per 4).
    // A write every 400 ns: AckDelay ends first, each ACK covers the 13 writes that
    // arrived within 5 us of the first.
    for (const char* rate : {"2Gbps", "1.28Gbps"})
    {
        OneWayReliable w(GetParam(), 16, MicroSeconds(5), MicroSeconds(100));
        uint32_t writes = std::string(rate) == "2Gbps" ? 1600 : 1300;
        w.Stream(writes, rate);
        Simulator::Run();
        EXPECT_EQ(w.Nic(1)->GetStatistics().acksSent, 100u) << rate;
        EXPECT_EQ(w.Nic(0)->GetStatistics().packetsRetransmitted, 0u) << rate;
        EXPECT_EQ(w.Image(1, REGION + (writes - 1) * 64, 1)[0],
                  TlpCpu::PatternByte(WINDOW + (writes - 1) * 64, 1))
            << rate;
        Simulator::Destroy();
    }
}

TEST_P(Acks, RetransmissionTimeoutFollowsRfc6298)
{
    // One round-trip sample per ACK, from the oldest packet it newly covers, measured
    // here from the NIC's traces; SRTT, RTTVAR and the RTO computed from them as RFC
    // 6298 says must be the session's. AckEvery 1: every packet is a sample; AckEvery
    // 4: every fourth (one sample per packet would weigh RTTVAR by the coalescing).
    // MinRto 1 ns: no floor. Writes back to back queue behind each other on 1 Gb/s
    // links, so the samples grow.
    for (uint32_t every : {1u, 4u})
    {
        // AckDelay beyond the stream for AckEvery 4: the ACKs come by count.
        OneWayReliable w(GetParam(),
                         every,
                         MicroSeconds(every == 1 ? 2 : 100),
                         NanoSeconds(1),
                         DataRate("1Gbps"));
        w.Stream(50, "0bps");
        Simulator::Run();
        ASSERT_EQ(w.samples.size(), w.Nic(0)->GetStatistics().acksReceived) << every;
        EXPECT_EQ(w.samples.size(), every == 1 ? 50u : 13u) << every; // 12 x 4, then 2
        EXPECT_EQ(w.Nic(0)->GetStatistics().packetsRetransmitted, 0u);
        EXPECT_NE(w.samples.front(), w.samples.back());
        Time srtt = w.samples[0];
        Time rttvar = w.samples[0] / 2;
        for (std::size_t i = 1; i < w.samples.size(); ++i)
        {
            Time r = w.samples[i];
            Time delta = srtt > r ? srtt - r : r - srtt;
            rttvar = (rttvar * 3 + delta) / 4;
            srtt = (srtt * 7 + r) / 8;
        }
        const TlpPeerSession* s = w.Nic(0)->GetSession(1);
        ASSERT_NE(s, nullptr);
        EXPECT_EQ(s->GetSrtt(), srtt) << every;
        EXPECT_EQ(s->GetRto(), srtt + rttvar * 4) << every;
        // The round trip is the wire's and the stages', microseconds, not the 1 ms guess.
        EXPECT_GT(srtt, MicroSeconds(1));
        EXPECT_LT(srtt, MicroSeconds(200));
        Simulator::Destroy();
    }
    // With the default floor (10 us) the RTO is the floor.
    OneWayReliable d(GetParam(), 1, MicroSeconds(2), MicroSeconds(10));
    d.Stream(50, "102.4Mbps");
    Simulator::Run();
    EXPECT_EQ(d.Nic(0)->GetSession(1)->GetRto(), MicroSeconds(10));
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         Acks,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));
