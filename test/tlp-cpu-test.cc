/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TlpCpu with a memory on one node built by TlpTunnelHelper: operations split
 * into TLPs by Max_Payload_Size and Max_Read_Request_Size, data read back byte for
 * byte, AtomicOps under concurrency, tags, timeouts, streams and bad configuration.
 */

#include "tlp-test-util.h"

#include "ns3/boolean.h"
#include "ns3/data-rate.h"
#include "ns3/double.h"
#include "ns3/node-container.h"
#include "ns3/tlp-cpu.h"
#include "ns3/tlp-memory.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>
#include <set>
#include <vector>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

/// One node from the helper, with recorders on the CPU's traces.
struct Node1
{
    explicit Node1(TlpTunnelHelper helper = TlpTunnelHelper())
    {
        nodes.Create(1);
        helper.Install(nodes);
        cpu = TlpTunnelHelper::GetCpu(nodes.Get(0));
        memory = TlpTunnelHelper::GetMemory(nodes.Get(0));
        rc = TlpTunnelHelper::GetRootComplex(nodes.Get(0));
        cpu->TraceConnectWithoutContext("Tx", MakeCallback(&Node1::OnTx, this));
    }

    void OnTx(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        sent.push_back(h);
    }

    void OnDone(const TlpCpu::Result& r)
    {
        results.push_back(r);
    }

    TlpCpu::DoneCallback Done()
    {
        return MakeCallback(&Node1::OnDone, this);
    }

    SimulatorGuard guard;
    NodeContainer nodes;
    Ptr<TlpCpu> cpu;
    Ptr<TlpMemory> memory;
    Ptr<PcieRootComplex> rc;
    std::vector<TlpHeader> sent;
    std::vector<TlpCpu::Result> results;
};

std::vector<uint8_t>
Pattern(uint32_t n, uint32_t seed)
{
    std::vector<uint8_t> v(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        v[i] = static_cast<uint8_t>(i * 31 + seed);
    }
    return v;
}

} // namespace

TEST(TlpCpu, WriteThenReadSplitsAtAlignedBoundaries)
{
    Node1 n;
    std::vector<uint8_t> data = Pattern(1000, 7);
    n.cpu->Write(0x1F0, data, n.Done());
    n.cpu->Read(0x1F0, 1000, n.Done());
    Simulator::Run();
    // MPS 256: MWr at 0x1f0 (16 B), 0x200, 0x300, 0x400 (256 B each), 0x500 (216 B).
    // MRRS 512: MRd at 0x1f0 (16 B), 0x200 (512 B), 0x400 (472 B).
    std::vector<std::pair<uint64_t, uint32_t>> tlps;
    for (const TlpHeader& h : n.sent)
    {
        tlps.emplace_back(h.GetFirstByteAddress(), h.GetEnabledBytes());
    }
    EXPECT_EQ(tlps,
              (std::vector<std::pair<uint64_t, uint32_t>>{{0x1F0, 16},
                                                          {0x200, 256},
                                                          {0x300, 256},
                                                          {0x400, 256},
                                                          {0x500, 216},
                                                          {0x1F0, 16},
                                                          {0x200, 512},
                                                          {0x400, 472}}));
    ASSERT_EQ(n.results.size(), 2u);
    EXPECT_EQ(n.results[0].kind, TlpCpu::OP_WRITE);
    EXPECT_EQ(n.results[1].kind, TlpCpu::OP_READ);
    EXPECT_EQ(n.results[1].status, TlpHeader::SC);
    EXPECT_EQ(n.results[1].data, data);
    std::vector<uint8_t> image(1000);
    n.memory->GetStore().Read(0x1F0, image.data(), 1000);
    EXPECT_EQ(image, data);
    const TlpCpu::Statistics& s = n.cpu->GetStatistics();
    EXPECT_EQ(s.tlpsSent, 8u);
    EXPECT_EQ(s.bytesWritten, 1000u);
    EXPECT_EQ(s.bytesRead, 1000u);
    EXPECT_EQ(s.operationsDone, 2u);
    EXPECT_EQ(n.cpu->GetPendingOperations(), 0u);
}

TEST(TlpCpu, MaxReadRequestSizeIsRespected)
{
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("MaxReadRequestSize", UintegerValue(128));
    Node1 n(helper);
    n.cpu->Read(0x0, 4096, n.Done());
    Simulator::Run();
    ASSERT_EQ(n.sent.size(), 32u);
    for (size_t i = 0; i < n.sent.size(); ++i)
    {
        EXPECT_EQ(n.sent[i].GetKind(), TlpHeader::MEM_READ);
        EXPECT_EQ(n.sent[i].GetEnabledBytes(), 128u);
        EXPECT_EQ(n.sent[i].GetAddress(), 128u * i);
    }
    ASSERT_EQ(n.results.size(), 1u);
    EXPECT_EQ(n.results[0].data, std::vector<uint8_t>(4096, 0));
}

TEST(TlpCpu, ReadAbove4GiBUses4DwHeaders)
{
    Node1 n;
    std::vector<uint8_t> data = Pattern(64, 3);
    n.cpu->Write(0x0000000200000000ULL, data, n.Done());
    n.cpu->Read(0x0000000200000000ULL, 64, n.Done());
    Simulator::Run();
    ASSERT_EQ(n.sent.size(), 2u);
    EXPECT_TRUE(n.sent[0].Is4Dw());
    EXPECT_TRUE(n.sent[1].Is4Dw());
    ASSERT_EQ(n.results.size(), 2u);
    EXPECT_EQ(n.results[1].data, data);
}

TEST(TlpCpu, AtomicOpsReturnOriginalValues)
{
    Node1 n;
    n.cpu->FetchAdd(0x100, 5, 8, n.Done());
    n.cpu->FetchAdd(0x100, 7, 8, n.Done());
    n.cpu->Swap(0x108, 0x11223344, 4, n.Done());
    n.cpu->CompareAndSwap(0x100, 12, 100, 8, n.Done());
    n.cpu->CompareAndSwap(0x100, 12, 200, 8, n.Done());
    Simulator::Run();
    ASSERT_EQ(n.results.size(), 5u);
    auto value = [](const TlpCpu::Result& r) {
        uint64_t v = 0;
        for (size_t i = r.data.size(); i > 0; --i)
        {
            v = (v << 8) | r.data[i - 1];
        }
        return v;
    };
    EXPECT_EQ(value(n.results[0]), 0u);
    EXPECT_EQ(value(n.results[1]), 5u);
    EXPECT_EQ(value(n.results[2]), 0u);
    EXPECT_EQ(value(n.results[3]), 12u);
    EXPECT_EQ(value(n.results[4]), 100u);
    EXPECT_EQ(n.memory->GetStore().ReadByte(0x100), 100);
    EXPECT_EQ(ToHex(std::vector<uint8_t>{n.memory->GetStore().ReadByte(0x108),
                                         n.memory->GetStore().ReadByte(0x109)}),
              "4433");
}

TEST(TlpCpu, ConcurrentFetchAddIsExact)
{
    // Two requesters hammer one counter: every FetchAdd sees a distinct value.
    Node1 n;
    Ptr<TlpCpu> other = CreateObject<TlpCpu>();
    other->SetAttribute("RequesterId", UintegerValue(0x0100));
    n.nodes.Get(0)->AddApplication(other);
    other->Connect(n.rc);
    std::vector<TlpCpu::Result> mine;
    for (int i = 0; i < 500; ++i)
    {
        n.cpu->FetchAdd(0x40, 1, 8, n.Done());
        other->FetchAdd(0x40, 1, 8, n.Done());
    }
    Simulator::Run();
    ASSERT_EQ(n.results.size(), 1000u);
    std::set<uint64_t> seen;
    for (const auto& r : n.results)
    {
        EXPECT_EQ(r.status, TlpHeader::SC);
        seen.insert(r.data[0] | r.data[1] << 8);
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_EQ(*seen.rbegin(), 999u);
    uint8_t counter[8];
    n.memory->GetStore().Read(0x40, counter, 8);
    EXPECT_EQ(counter[0] | counter[1] << 8, 1000);
}

TEST(TlpCpu, UnsupportedRequestEndsTheOperation)
{
    TlpTunnelHelper helper;
    helper.SetMemoryAttribute("Size", UintegerValue(1 << 20));
    Node1 n(helper);
    n.cpu->Read(0x100000000ULL, 64, n.Done());
    n.cpu->FetchAdd(0x100000000ULL, 1, 8, n.Done());
    n.cpu->Read(0x0, 8, n.Done()); // still works afterwards
    Simulator::Run();
    ASSERT_EQ(n.results.size(), 3u);
    EXPECT_EQ(n.results[0].status, TlpHeader::UR);
    EXPECT_EQ(n.results[1].status, TlpHeader::UR);
    EXPECT_EQ(n.results[2].status, TlpHeader::SC);
    EXPECT_EQ(n.cpu->GetStatistics().errors, 2u);
}

TEST(TlpCpu, TagsBoundOutstandingReads)
{
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("Tags", UintegerValue(2));
    Node1 n(helper);
    int inFlight = 0;
    int maxInFlight = 0;

    struct Counter
    {
        int* inFlight;
        int* maxInFlight;

        void Read(Ptr<const Packet>)
        {
            ++*inFlight;
            *maxInFlight = std::max(*maxInFlight, *inFlight);
        }

        void Completion(Ptr<const Packet>, Time)
        {
            --*inFlight;
        }
    } counter{&inFlight, &maxInFlight};

    n.memory->TraceConnectWithoutContext("Read", MakeCallback(&Counter::Read, &counter));
    n.cpu->TraceConnectWithoutContext("Completion", MakeCallback(&Counter::Completion, &counter));
    for (int i = 0; i < 20; ++i)
    {
        n.cpu->Read(64 * i, 64, n.Done());
    }
    Simulator::Run();
    EXPECT_EQ(n.results.size(), 20u);
    EXPECT_EQ(maxInFlight, 2);
    std::set<uint16_t> tags;
    for (const auto& h : n.sent)
    {
        tags.insert(h.GetTag());
    }
    EXPECT_EQ(tags, (std::set<uint16_t>{0, 1}));
}

TEST(TlpCpu, TenBitTags)
{
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("Tags", UintegerValue(768));
    // A slow memory keeps all 768 reads outstanding at once.
    helper.SetMemoryAttribute("AccessLatency", TimeValue(MicroSeconds(10)));
    Node1 n(helper);
    for (int i = 0; i < 800; ++i)
    {
        n.cpu->Read(4 * i, 4, n.Done());
    }
    Simulator::Run();
    EXPECT_EQ(n.results.size(), 800u);
    // 10-bit tags 256..1023: never one with Tag[9:8] = 00b, all 768 in use.
    std::set<uint16_t> tags;
    for (const auto& h : n.sent)
    {
        tags.insert(h.GetTag());
    }
    EXPECT_EQ(tags.size(), 768u);
    EXPECT_EQ(*tags.begin(), 256);
    EXPECT_EQ(*tags.rbegin(), 1023);
    for (const auto& r : n.results)
    {
        EXPECT_EQ(r.status, TlpHeader::SC);
    }
}

TEST(TlpCpu, CompletionTimeout)
{
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("CompletionTimeout", TimeValue(MicroSeconds(50)));
    Node1 n(helper);
    // A device that claims a range and never answers.
    Probe sink(AttachEndpoint(n.rc, "sink"));
    sink.Port()->ClaimAddressRange(0x100000000000ULL, 0x1000);
    n.cpu->Read(0x100000000000ULL, 64, n.Done());
    n.cpu->Read(0x0, 64, n.Done());
    Simulator::Run();
    ASSERT_EQ(n.results.size(), 2u);
    EXPECT_EQ(n.results[0].status, TlpHeader::SC); // the memory read
    EXPECT_EQ(n.results[1].status, TlpCpu::STATUS_TIMEOUT);
    EXPECT_EQ(n.results[1].latency, MicroSeconds(50));
    EXPECT_EQ(n.cpu->GetStatistics().timeouts, 1u);
    EXPECT_EQ(sink.received.size(), 1u);
}

TEST(TlpCpu, PatternIsSplitMix64OfTheWordAndSeed)
{
    // Expected values from an independent splitmix64 finalizer (Python).
    EXPECT_EQ(TlpCpu::PatternWord(0x1000, 7), 0x33D8848DFF43EAC6ULL);
    EXPECT_EQ(TlpCpu::PatternWord(0, 1), 0x00AB4DAF7C2673F8ULL);
    EXPECT_EQ(TlpCpu::PatternByte(0x8000, 7), 0xC6);
    EXPECT_EQ(TlpCpu::PatternByte(0x8001, 7), 0xEA);
    EXPECT_EQ(TlpCpu::PatternByte(0x8007, 7), 0x33);
    // PatternFill agrees with PatternByte at every alignment and length.
    for (uint64_t start = 0x8000; start < 0x8008; ++start)
    {
        for (uint32_t size = 0; size <= 20; ++size)
        {
            std::vector<uint8_t> out(size + 1, 0x5A);
            TlpCpu::PatternFill(start, 3, out.data(), size);
            for (uint32_t k = 0; k < size; ++k)
            {
                ASSERT_EQ(out[k], TlpCpu::PatternByte(start + k, 3)) << start << " " << k;
            }
            ASSERT_EQ(out[size], 0x5A); // nothing written past the end
        }
    }
}

/// A helper whose CPUs stream writes over [base, base + range) with a seed.
TlpTunnelHelper
StreamingHelper(uint64_t count, uint32_t size, uint64_t base, uint64_t range, uint32_t seed)
{
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("StreamCount", UintegerValue(count));
    helper.SetCpuAttribute("StreamSize", UintegerValue(size));
    helper.SetCpuAttribute("StreamBase", UintegerValue(base));
    helper.SetCpuAttribute("StreamRange", UintegerValue(range));
    helper.SetCpuAttribute("StreamSeed", UintegerValue(seed));
    return helper;
}

TEST(TlpCpu, StreamWritesLeaveThePatternInMemory)
{
    TlpTunnelHelper helper = StreamingHelper(300, 100, 0x8000, 100 * 300, 42);
    // One TLP on its way at a time: the stream lives on back-pressure alone.
    helper.SetRootComplexAttribute("QueueSize", UintegerValue(1));
    Node1 n(helper);
    Simulator::Run();
    const auto& store = n.memory->GetStore();
    for (uint64_t a = 0x8000; a < 0x8000 + 30000; ++a)
    {
        ASSERT_EQ(store.ReadByte(a), TlpCpu::PatternByte(a, 42)) << std::hex << a;
    }
    EXPECT_EQ(store.ReadByte(0x8000 + 30000), 0);
    EXPECT_EQ(store.ReadByte(0x7FFF), 0);
    EXPECT_EQ(n.cpu->GetStatistics().operationsDone, 300u);
    EXPECT_EQ(n.cpu->GetStatistics().bytesWritten, 30000u);
}

TEST(TlpCpu, StreamStrideWrapsWithinTheRange)
{
    TlpTunnelHelper helper = StreamingHelper(10, 64, 0x8000, 4 * 4096, 7);
    helper.SetCpuAttribute("StreamStride", UintegerValue(4096 + 64));
    Node1 n(helper);
    Simulator::Run();
    // Operation k lands at offset (k * 4160) mod 16384: one 4 KiB page after another,
    // 64 bytes further into each.
    std::set<uint64_t> written;
    for (uint64_t k = 0; k < 10; ++k)
    {
        written.insert(0x8000 + k * 4160 % 16384);
    }
    ASSERT_EQ(written.size(), 10u);
    EXPECT_EQ(*written.begin(), 0x8000u);
    EXPECT_TRUE(written.count(0x8000 + 256)); // k = 4 wrapped
    const auto& store = n.memory->GetStore();
    for (uint64_t a = 0x8000; a < 0x8000 + 4 * 4096; ++a)
    {
        uint64_t start = a - a % 64;
        uint8_t expected = written.count(start) ? TlpCpu::PatternByte(a, 7) : 0;
        ASSERT_EQ(store.ReadByte(a), expected) << std::hex << a;
    }
    EXPECT_EQ(n.cpu->GetStatistics().bytesWritten, 640u);
}

/// When a CPU placed each TLP on the interconnect (its Tx trace).
struct IssueTimes
{
    explicit IssueTimes(Ptr<TlpCpu> cpu)
    {
        cpu->TraceConnectWithoutContext("Tx", MakeCallback(&IssueTimes::Tx, this));
    }

    void Tx(Ptr<const Packet>)
    {
        at.push_back(Simulator::Now());
    }

    std::vector<Time> at; //!< issue times, in order
};

TEST(TlpCpu, StreamMixAndRate)
{
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("StreamCount", UintegerValue(100));
    helper.SetCpuAttribute("StreamSize", UintegerValue(64));
    helper.SetCpuAttribute("StreamReadFraction", DoubleValue(0.25));
    helper.SetCpuAttribute("StreamRate", DataRateValue(DataRate("1Gbps"))); // 512 ns per op
    Node1 n(helper);
    IssueTimes issued(n.cpu);
    Simulator::Run();
    int reads = 0;
    for (const auto& h : n.sent)
    {
        reads += h.GetKind() == TlpHeader::MEM_READ;
    }
    EXPECT_EQ(reads, 25);
    ASSERT_EQ(issued.at.size(), 100u);
    for (size_t i = 0; i < issued.at.size(); ++i)
    {
        EXPECT_EQ(issued.at[i], NanoSeconds(512 * i));
    }
    EXPECT_EQ(n.cpu->GetStatistics().operationsDone, 100u);
    EXPECT_EQ(n.cpu->GetStatistics().bytesRead, 25u * 64);
}

TEST(TlpCpu, StreamRateWithSubNanosecondInterval)
{
    // 64 bytes at 100 Gb/s is one operation every 5.12 ns: issue times are the
    // exact schedule rounded up to the nanosecond, and the stream ends.
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("StreamCount", UintegerValue(100));
    helper.SetCpuAttribute("StreamSize", UintegerValue(64));
    helper.SetCpuAttribute("StreamRate", DataRateValue(DataRate("100Gbps")));
    Node1 n(helper);
    IssueTimes issued(n.cpu);
    Simulator::Run();
    ASSERT_EQ(issued.at.size(), 100u);
    for (size_t i = 0; i < issued.at.size(); ++i)
    {
        EXPECT_EQ(issued.at[i], NanoSeconds((5120 * i + 999) / 1000)) << i;
    }
}

TEST(TlpCpu, EcrcEndToEnd)
{
    TlpTunnelHelper helper;
    helper.SetCpuAttribute("Ecrc", BooleanValue(true));
    helper.SetMemoryAttribute("Ecrc", BooleanValue(true));
    Node1 n(helper);
    std::vector<uint8_t> data = Pattern(300, 9);
    n.cpu->Write(0x10, data, n.Done());
    n.cpu->Read(0x10, 300, n.Done());
    Simulator::Run();
    for (const auto& h : n.sent)
    {
        EXPECT_TRUE(h.HasDigest());
    }
    ASSERT_EQ(n.results.size(), 2u);
    EXPECT_EQ(n.results[1].data, data);
    EXPECT_EQ(n.cpu->GetStatistics().unexpected, 0u);
}

TEST(TlpCpuDeathTest, BadConfiguration)
{
    EXPECT_DEATH(CreateObject<TlpCpu>()->SetAttribute("Tags", UintegerValue(0)),
                 "attribute Tags=0");
    EXPECT_DEATH(CreateObject<TlpCpu>()->SetAttribute("Tags", UintegerValue(769)),
                 "attribute Tags=769 must be in 1..768");
    EXPECT_DEATH(CreateObject<TlpCpu>()->SetAttribute("MaxReadRequestSize", UintegerValue(100)),
                 "attribute MaxReadRequestSize=100");
    EXPECT_DEATH(CreateObject<TlpCpu>()->SetAttribute("MaxPayloadSize", UintegerValue(8192)),
                 "attribute MaxPayloadSize=8192");
    // A stream whose attributes are checked when the CPU starts.
    auto startStream = [](uint32_t size, uint64_t range, uint64_t stride) {
        TlpTunnelHelper helper;
        helper.SetCpuAttribute("StreamCount", UintegerValue(1));
        helper.SetCpuAttribute("StreamSize", UintegerValue(size));
        helper.SetCpuAttribute("StreamRange", UintegerValue(range));
        helper.SetCpuAttribute("StreamStride", UintegerValue(stride));
        NodeContainer nodes;
        nodes.Create(1);
        helper.Install(nodes);
        Simulator::Run();
    };
    EXPECT_DEATH(startStream(128, 64, 0),
                 "attribute StreamRange=64 is smaller than StreamSize=128");
    EXPECT_DEATH(startStream(64, 4096, 100),
                 "attribute StreamStride=100 is not a multiple of StreamSize=64");
    EXPECT_DEATH(
        {
            NodeContainer nodes;
            nodes.Create(1);
            TlpTunnelHelper().Install(nodes);
            TlpTunnelHelper::GetCpu(nodes.Get(0))->Write(0x10, {}, TlpCpu::DoneCallback());
        },
        "operation of 0 bytes");
}
