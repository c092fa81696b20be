/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TlpRequestTracker: the tag ranges of 8- and 10-bit tags, reuse order, the
 * quarantine of timed-out tags and the counting of unexpected completions; and the
 * CPU against a device slower than its completion timeout, where a late completion
 * must never answer a new read.
 */

#include "tlp-test-util.h"

#include "ns3/node-container.h"
#include "ns3/tlp-cpu.h"
#include "ns3/tlp-request-tracker.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>
#include <set>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

/// A tracker with recorders on its callbacks.
struct Tracked
{
    explicit Tracked(uint32_t tags, Time timeout = MilliSeconds(1), Time quarantine = Time(-1))
    {
        tracker.Configure(tags,
                          timeout,
                          MakeCallback(&Tracked::Data, this),
                          MakeCallback(&Tracked::End, this),
                          quarantine);
        tracker.SetFreedCallback(MakeCallback(&Tracked::Freed, this));
    }

    void Data(uint64_t, uint32_t, const uint8_t*, uint32_t)
    {
    }

    void End(uint64_t cookie, uint8_t status)
    {
        ended.emplace_back(cookie, status);
    }

    void Freed()
    {
        freedAt.push_back(Simulator::Now());
    }

    uint16_t Issue(uint64_t cookie)
    {
        uint16_t tag = tracker.Allocate(cookie, 0, 4, 0x1000, false);
        tracker.Issued(tag);
        return tag;
    }

    /// Offer a 4-byte CplD for a tag; records the outcome.
    void Complete(uint16_t tag)
    {
        Ptr<Packet> p = Create<Packet>(4);
        TlpHeader h = TlpHeader::MakeCompletion(TlpHeader::SC, 1, 0x10, tag, 4, 0, 1);
        p->AddHeader(h);
        outcomes.push_back(tracker.Receive(p, h));
    }

    void AskForTag()
    {
        hadFreeTag.push_back(tracker.HasFreeTag());
    }

    SimulatorGuard guard;
    TlpRequestTracker tracker;
    std::vector<std::pair<uint64_t, uint8_t>> ended;
    std::vector<TlpRequestTracker::Outcome> outcomes;
    std::vector<Time> freedAt;
    std::vector<bool> hadFreeTag;
};

} // namespace

TEST(TlpRequestTracker, EightAndTenBitTagRanges)
{
    struct Row
    {
        uint32_t tags;
        uint16_t first;
        uint16_t last;
    };

    for (const Row& r : {Row{1, 0, 0}, Row{256, 0, 255}, Row{257, 256, 512}, Row{768, 256, 1023}})
    {
        Tracked t(r.tags);
        std::set<uint16_t> tags;
        while (t.tracker.HasFreeTag())
        {
            tags.insert(t.Issue(tags.size()));
        }
        EXPECT_EQ(tags.size(), r.tags);
        EXPECT_EQ(*tags.begin(), r.first) << r.tags;
        EXPECT_EQ(*tags.rbegin(), r.last) << r.tags;
        EXPECT_EQ(t.tracker.GetFirstTag(), r.first);
        EXPECT_EQ(t.tracker.GetOutstanding(), r.tags);
    }
}

TEST(TlpRequestTracker, FreedTagsAreReusedOldestFirst)
{
    Tracked t(3);
    uint16_t a = t.Issue(1);
    uint16_t b = t.Issue(2);
    uint16_t c = t.Issue(3);
    EXPECT_EQ(std::vector<uint16_t>({a, b, c}), std::vector<uint16_t>({0, 1, 2}));
    t.Complete(b);
    t.Complete(a);
    EXPECT_EQ(t.Issue(4), b);
    EXPECT_EQ(t.Issue(5), a);
}

TEST(TlpRequestTracker, TimedOutTagRestsInQuarantine)
{
    // One tag, a 10 us timeout and a 20 us quarantine: the request times out at 10 us;
    // its completion arrives at 15 us and is counted as unexpected and late; nothing
    // can take the tag before 30 us, and a requester that asked for one is told then.
    Tracked t(1, MicroSeconds(10), MicroSeconds(20));
    uint16_t tag = t.Issue(7);
    Simulator::Schedule(MicroSeconds(15), &Tracked::AskForTag, &t);
    Simulator::Schedule(MicroSeconds(15), &Tracked::Complete, &t, tag);
    Simulator::Schedule(MicroSeconds(29), &Tracked::AskForTag, &t);
    Simulator::Schedule(MicroSeconds(30), &Tracked::AskForTag, &t);
    Simulator::Run();
    ASSERT_EQ(t.ended.size(), 1u);
    EXPECT_EQ(t.ended[0], std::make_pair(uint64_t(7), TlpRequestTracker::STATUS_TIMEOUT));
    EXPECT_EQ(t.outcomes, std::vector<TlpRequestTracker::Outcome>{TlpRequestTracker::NOT_OURS});
    EXPECT_EQ(t.hadFreeTag, (std::vector<bool>{false, false, true}));
    EXPECT_EQ(t.freedAt, std::vector<Time>{MicroSeconds(30)});
    const TlpRequestTracker::Statistics& s = t.tracker.GetStatistics();
    EXPECT_EQ(s.timeouts, 1u);
    EXPECT_EQ(s.unexpected, 1u);
    EXPECT_EQ(s.late, 1u);
    EXPECT_EQ(t.tracker.GetOutstanding(), 0u);
}

TEST(TlpRequestTracker, CompletionForNoRequestIsUnexpected)
{
    Tracked t(4);
    t.Issue(1);
    t.Complete(3);   // a tag of the pool never issued
    t.Complete(600); // a tag outside the pool
    t.Complete(0);
    EXPECT_EQ(t.outcomes,
              (std::vector<TlpRequestTracker::Outcome>{TlpRequestTracker::NOT_OURS,
                                                       TlpRequestTracker::NOT_OURS,
                                                       TlpRequestTracker::ENDED}));
    EXPECT_EQ(t.tracker.GetStatistics().unexpected, 2u);
    EXPECT_EQ(t.tracker.GetStatistics().late, 0u);
}

namespace
{

/// A device that answers its first read 60 ms after it arrives and the others after
/// 10 ms, with bytes that say which read it was: the k-th read (from 1) gets bytes of
/// value k.
struct SlowDevice
{
    explicit SlowDevice(Ptr<PciePort> port)
        : probe(port)
    {
        port->SetReceiveCallback(MakeCallback(&SlowDevice::Receive, this));
        port->ClaimAddressRange(0x100000000000ULL, 0x1000);
    }

    void Receive(Ptr<Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        ++reads;
        TlpHeader cpl =
            TlpHeader::MakeCompletion(TlpHeader::SC, 0x30, h.GetRequesterId(), h.GetTag(), 4, 0, 1);
        Simulator::Schedule(MilliSeconds(reads == 1 ? 60 : 10),
                            &Probe::SendData,
                            &probe,
                            cpl,
                            std::vector<uint8_t>(4, uint8_t(reads)));
    }

    Probe probe;
    uint32_t reads = 0;
};

} // namespace

TEST(TlpRequestTracker, LateCompletionNeverAnswersANewRead)
{
    // One tag, a 50 ms completion timeout and a device that answers read 1 after 60 ms:
    // read 1 times out at 50 ms; read 2, called then, waits for the tag's quarantine
    // (50 ms, as long as the timeout) and is issued at 100 ms. Read 1's completion, at
    // 60 ms, is dropped and counted; read 2 gets its own data at 110 ms.
    SimulatorGuard guard;
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("Tags", UintegerValue(1));
    NodeContainer nodes;
    nodes.Create(1);
    helper.Install(nodes);
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(nodes.Get(0));
    SlowDevice device(AttachEndpoint(TlpTunnelHelper::GetRootComplex(nodes.Get(0)), "slow"));
    std::vector<TlpCpu::Result> results;

    struct Sink
    {
        std::vector<TlpCpu::Result>* results;

        void Done(const TlpCpu::Result& r)
        {
            results->push_back(r);
        }
    } sink{&results};

    TlpCpu::DoneCallback done = MakeCallback(&Sink::Done, &sink);
    cpu->Read(0x100000000000ULL, 4, done);
    Simulator::Schedule(MilliSeconds(50), &TlpCpu::Read, cpu, 0x100000000000ULL, 4u, done);
    Simulator::Run();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].status, TlpCpu::STATUS_TIMEOUT);
    EXPECT_EQ(results[1].status, TlpHeader::SC);
    EXPECT_EQ(results[1].data, std::vector<uint8_t>(4, 2)) << "read 2 got read 1's data";
    EXPECT_GE(results[1].latency, MilliSeconds(60));
    EXPECT_LE(results[1].latency, MilliSeconds(60) + MicroSeconds(1));
    EXPECT_EQ(device.reads, 2u);
    EXPECT_EQ(cpu->GetStatistics().unexpected, 1u);
    EXPECT_EQ(cpu->GetStatistics().timeouts, 1u);
}
