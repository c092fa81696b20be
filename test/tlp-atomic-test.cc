/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * AtomicOps exactly once between compute nodes over a fabric that loses and
 * duplicates packets: FetchAdd counters, a CAS increment loop and a chain of Swaps
 * end exactly right, node 0's memory executes each AtomicOp once, and the original
 * values returned form the exact sequence of states. A misaligned AtomicOp through
 * a window is refused at the requester and never crosses the fabric.
 */

#include "tlp-nic-test-util.h"

#include "ns3/string.h"
#include "ns3/tlp-fault-helper.h"
#include "ns3/tlp-requester.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <vector>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;  //!< each node's window onto node 0
const uint64_t COUNTER = 0x0000000050000000ULL; //!< the shared word in node 0's memory

/// Node 0 holds the word; nodes 1..K reach it through a window, over a lossy fabric.
struct Shared : public ComputeNodes
{
    Shared(const std::string& transport, uint32_t k, double loss, double duplicates)
        : k(k)
    {
        hosts.Create(k + 1);
        tunnel.SetCpuAttribute("CompletionTimeout", TimeValue(Seconds(10)));
        tunnel.Install(hosts);
        topology.Connect(hosts, tunnel, transport);
        faults.WatchNetwork(NodeContainer(hosts, topology.GetSwitches()));
        faults.SetLossRate(loss);
        faults.SetDuplication(duplicates, MicroSeconds(3));
        faults.Install(hosts);
        for (uint32_t i = 1; i <= k; ++i)
        {
            tunnel.MapWindow(hosts.Get(i), WINDOW, 0x1000, hosts.Get(0)->GetId(), COUNTER);
        }
        Memory(0)->TraceConnectWithoutContext("Atomic", MakeCallback(&Shared::Executed, this));
    }

    void Executed(Ptr<const Packet>)
    {
        executed++;
    }

    void OnDone(const TlpCpu::Result& r)
    {
        results.push_back(r);
    }

    TlpCpu::DoneCallback Done()
    {
        return MakeCallback(&Shared::OnDone, this);
    }

    /// \return the word's value, size bytes little-endian
    uint64_t Word(uint32_t size)
    {
        std::vector<uint8_t> b = Image(0, COUNTER, size);
        return TlpRequester::LoadLe(b.data(), size);
    }

    /// \return the duplicates node 0's NIC dropped
    uint64_t DuplicatesDropped()
    {
        return Nic(0)->GetStatistics().duplicatesDropped;
    }

    uint32_t k;
    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    TlpFaultHelper faults;
    uint64_t executed = 0;               //!< AtomicOps node 0's memory executed
    std::vector<TlpCpu::Result> results; //!< operations ended through Done()
};

/// Requester-side loop: each node issues one AtomicOp at a time, the next from the
/// completion of the last.
struct Loop
{
    Shared* s;
    uint32_t size;
    uint64_t rounds;                    //!< operations (or successes) per node
    std::map<uint32_t, uint64_t> done;  //!< per node: operations ended / succeeded
    std::map<uint32_t, uint64_t> guess; //!< per node: CAS compare value
    std::vector<uint64_t> originals;    //!< values returned (CAS: of successes)
    uint64_t issued = 0;                //!< AtomicOps issued
    uint64_t failures = 0;              //!< not SC
    uint64_t casMisses = 0;             //!< CAS that found another value

    void Cas(uint32_t node)
    {
        issued++;
        s->Cpu(node)->CompareAndSwap(WINDOW,
                                     guess[node],
                                     guess[node] + 1,
                                     size,
                                     MakeCallback(&Loop::CasDone, this).Bind(node));
    }

    void CasDone(uint32_t node, const TlpCpu::Result& r)
    {
        if (r.status != TlpHeader::SC)
        {
            failures++;
            return;
        }
        uint64_t original = TlpRequester::LoadLe(r.data.data(), size);
        if (original == guess[node])
        {
            originals.push_back(original);
            done[node]++;
            guess[node] = original + 1;
        }
        else
        {
            casMisses++;
            guess[node] = original; // try again from what is there
        }
        if (done[node] < rounds)
        {
            Cas(node);
        }
    }

    /// The value node i swaps in on its n-th Swap: unique over all nodes.
    static uint64_t Token(uint32_t node, uint64_t n)
    {
        return (uint64_t(node) << 20) | (n + 1);
    }

    void Swap(uint32_t node)
    {
        issued++;
        s->Cpu(node)->Swap(WINDOW,
                           Token(node, done[node]),
                           size,
                           MakeCallback(&Loop::SwapDone, this).Bind(node));
    }

    void SwapDone(uint32_t node, const TlpCpu::Result& r)
    {
        if (r.status != TlpHeader::SC)
        {
            failures++;
            return;
        }
        originals.push_back(TlpRequester::LoadLe(r.data.data(), size));
        if (++done[node] < rounds)
        {
            Swap(node);
        }
    }
};

class AtomicsExactlyOnce : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(AtomicsExactlyOnce, FetchAddCountersOverLossAndDuplicates)
{
    // Three nodes, 300 FetchAdds of 1 each, 4 and 8 bytes, all in flight at once.
    for (uint32_t size : {4u, 8u})
    {
        Shared s(GetParam(), 3, 0.05, 0.05);
        for (uint32_t i = 1; i <= 3; ++i)
        {
            for (uint32_t n = 0; n < 300; ++n)
            {
                Simulator::Schedule(MicroSeconds(10) + NanoSeconds(50 * n + i),
                                    &TlpCpu::FetchAdd,
                                    s.Cpu(i),
                                    WINDOW,
                                    1ULL,
                                    size,
                                    s.Done());
            }
        }
        Simulator::Run();
        std::vector<uint64_t> originals;
        for (const TlpCpu::Result& r : s.results)
        {
            EXPECT_EQ(r.status, TlpHeader::SC);
            originals.push_back(TlpRequester::LoadLe(r.data.data(), size));
        }
        EXPECT_EQ(s.Word(size), 900u);
        EXPECT_EQ(s.executed, 900u);
        std::sort(originals.begin(), originals.end());
        std::vector<uint64_t> all(900);
        for (uint64_t v = 0; v < 900; ++v)
        {
            all[v] = v;
        }
        EXPECT_EQ(originals, all);
        // The bytes beyond the counter are untouched.
        EXPECT_EQ(s.Image(0, COUNTER + size, 8), std::vector<uint8_t>(8, 0));
        // The fabric did lose and duplicate: the proof is not vacuous.
        EXPECT_GT(s.faults.GetLost().Sequenced(), 0u);
        EXPECT_GT(s.DuplicatesDropped(), 0u);
        Simulator::Destroy();
    }
}

TEST_P(AtomicsExactlyOnce, CasIncrementLoopOverLossAndDuplicates)
{
    // Three nodes each increment the word 100 times with a CAS loop: the word ends at
    // 300, the successful CASes returned 0..299 once each, and the memory executed
    // exactly the CASes issued (a duplicate execution would show there).
    Shared s(GetParam(), 3, 0.05, 0.05);
    Loop l{&s, 8, 100, {}, {}, {}};
    for (uint32_t i = 1; i <= 3; ++i)
    {
        l.guess[i] = 0;
        Simulator::Schedule(MicroSeconds(10) + NanoSeconds(i), &Loop::Cas, &l, i);
    }
    Simulator::Run();
    EXPECT_EQ(l.failures, 0u);
    EXPECT_EQ(s.Word(8), 300u);
    EXPECT_EQ(s.executed, l.issued);
    EXPECT_EQ(l.issued, 300u + l.casMisses);
    EXPECT_GT(l.casMisses, 0u); // the nodes did contend
    std::vector<uint64_t> originals = l.originals;
    std::sort(originals.begin(), originals.end());
    ASSERT_EQ(originals.size(), 300u);
    for (uint64_t v = 0; v < 300; ++v)
    {
        EXPECT_EQ(originals[v], v);
    }
    EXPECT_GT(s.faults.GetLost().Sequenced(), 0u);
    EXPECT_GT(s.DuplicatesDropped(), 0u);
}

TEST_P(AtomicsExactlyOnce, SwapChainOverLossAndDuplicates)
{
    // Two nodes each swap 150 unique tokens into the word, one at a time. Executed
    // once each, the swaps form one chain: the values returned are the initial 0 and
    // every token but the one left in the word, each exactly once.
    Shared s(GetParam(), 2, 0.05, 0.05);
    Loop l{&s, 8, 150, {}, {}, {}};
    for (uint32_t i = 1; i <= 2; ++i)
    {
        Simulator::Schedule(MicroSeconds(10) + NanoSeconds(i), &Loop::Swap, &l, i);
    }
    Simulator::Run();
    EXPECT_EQ(l.failures, 0u);
    EXPECT_EQ(s.executed, 300u);
    uint64_t last = s.Word(8);
    std::vector<uint64_t> expected{0};
    for (uint32_t i = 1; i <= 2; ++i)
    {
        for (uint64_t n = 0; n < 150; ++n)
        {
            if (Loop::Token(i, n) != last)
            {
                expected.push_back(Loop::Token(i, n));
            }
        }
    }
    ASSERT_EQ(expected.size(), 300u); // the word holds one of the tokens
    std::vector<uint64_t> originals = l.originals;
    std::sort(originals.begin(), originals.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(originals, expected);
    EXPECT_GT(s.DuplicatesDropped(), 0u);
}

TEST_P(AtomicsExactlyOnce, MisalignedAtomicThroughAWindowNeverLeaves)
{
    // FetchAdd(0x1002, x, 4) through the window: refused by the CPU's requester, no
    // TLP reaches the NIC, node 0's memory unchanged; the aligned one goes through.
    Shared s(GetParam(), 1, 0, 0);
    std::vector<uint8_t> background(16, 0xEE);
    s.Memory(0)->GetStore().Write(COUNTER, background.data(), 16);
    std::vector<TlpCpu::Result>& results = s.results;
    uint64_t crossed = 0;

    struct Count
    {
        uint64_t* n;

        void Tlp(Ptr<const Packet>)
        {
            (*n)++;
        }
    } count{&crossed};

    s.Nic(1)->TraceConnectWithoutContext("Sniffer", MakeCallback(&Count::Tlp, &count));
    Simulator::Schedule(MicroSeconds(10),
                        &TlpCpu::FetchAdd,
                        s.Cpu(1),
                        WINDOW + 2,
                        5ULL,
                        4u,
                        s.Done());
    Simulator::Schedule(MicroSeconds(10),
                        &TlpCpu::CompareAndSwap,
                        s.Cpu(1),
                        WINDOW + 4,
                        0ULL,
                        1ULL,
                        8u,
                        s.Done());
    Simulator::Run();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].status, TlpCpu::STATUS_MISALIGNED);
    EXPECT_EQ(results[1].status, TlpCpu::STATUS_MISALIGNED);
    EXPECT_EQ(crossed, 0u);
    EXPECT_EQ(s.executed, 0u);
    EXPECT_EQ(s.Image(0, COUNTER, 16), background);
    EXPECT_EQ(s.Cpu(1)->GetStatistics().refused, 2u);
    EXPECT_EQ(s.Cpu(1)->GetStatistics().tlpsSent, 0u);
    // Aligned: executed once, the neighbours untouched.
    results.clear();
    s.Cpu(1)->FetchAdd(WINDOW + 4, 5, 4, s.Done());
    Simulator::Run();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].status, TlpHeader::SC);
    EXPECT_EQ(s.Image(0, COUNTER, 16), Hex("eeeeeeee f3eeeeee eeeeeeee eeeeeeee"));
    EXPECT_EQ(s.executed, 1u);
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         AtomicsExactlyOnce,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));
