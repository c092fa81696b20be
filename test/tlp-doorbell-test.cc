/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * The NIC's doorbell BAR, its descriptors and its DMA engine: remote reads
 * (claim 38) and DMA push (claims 33-34) started by the CPU's own stores, memory
 * images compared byte for byte, refusals counted exactly.
 */

#include "tlp-nic-test-util.h"

#include "ns3/tlp-doorbell-helper.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/uinteger.h"

#include <cctype>
#include <gtest/gtest.h>
#include <ostream>
#include <string>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< node 0's window onto node 1
const uint64_t WINDOW_SIZE = 0x200000;         //!< 2 MiB
const uint64_t REGION = 0x0000000040000000ULL; //!< node 1's region
const uint64_t LOCAL = 0x0000000007000000ULL;  //!< node 0's buffer
const uint64_t WORD = 0x0000000007800000ULL;   //!< node 0's completion word

/// Two nodes, node 0's window mapped onto node 1's region.
struct Pair : public ComputeNodes
{
    explicit Pair(const std::string& transport)
    {
        hosts.Create(2);
        tunnel.Install(hosts);
        topology.Connect(hosts, tunnel, transport);
        window = tunnel.MapWindow(hosts.Get(0), WINDOW, WINDOW_SIZE, 1, REGION);
        Nic(0)->TraceConnectWithoutContext("Descriptor", MakeCallback(&Pair::Ended, this));
    }

    void Ended(uint32_t slot, uint32_t status)
    {
        ended.emplace_back(slot, status);
    }

    /// The helper's callback: the status and node 0's buffer as it is at that moment.
    void Done(uint32_t status, Time)
    {
        statuses.push_back(status);
        seen.push_back(Image(0, LOCAL, static_cast<uint32_t>(seenSize)));
    }

    TlpDoorbellHelper::DoneCallback Callback()
    {
        return MakeCallback(&Pair::Done, this);
    }

    /// A remote read through node 0's doorbell slot.
    void ReadAt(uint32_t slot, uint64_t windowAddress, uint64_t size, uint64_t local, uint64_t word)
    {
        TlpDoorbellHelper::Start(
            hosts.Get(0),
            TlpDoorbellHelper::MakeRead(hosts.Get(0), windowAddress, size, local, word),
            slot,
            Callback());
    }

    /// A DMA push through node 0's doorbell slot.
    void PushAt(uint32_t slot, uint64_t local, uint64_t size, uint64_t windowAddress, uint64_t word)
    {
        TlpDoorbellHelper::Start(
            hosts.Get(0),
            TlpDoorbellHelper::MakePush(hosts.Get(0), local, size, windowAddress, word),
            slot,
            Callback());
    }

    void CpuDone(const TlpCpu::Result& r)
    {
        results.push_back(r);
    }

    /// \return a register of node 0's doorbell
    uint32_t Register(uint32_t offset)
    {
        return Nic(0)->GetDoorbell().GetRegister(offset);
    }

    /// \return the status bytes 4-7 of a completion word
    uint32_t WordStatus(uint64_t address)
    {
        std::vector<uint8_t> w = Image(0, address, 8);
        return uint32_t(w[4]) | uint32_t(w[5]) << 8 | uint32_t(w[6]) << 16 | uint32_t(w[7]) << 24;
    }

    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    uint16_t window = 0;
    uint64_t seenSize = 0;
    std::vector<uint32_t> statuses;
    std::vector<std::vector<uint8_t>> seen;
    std::vector<std::pair<uint32_t, uint32_t>> ended;
    std::vector<TlpCpu::Result> results;
};

std::vector<uint8_t>
Pattern(uint64_t n, uint32_t seed)
{
    std::vector<uint8_t> v(n);
    for (uint64_t i = 0; i < n; ++i)
    {
        v[i] = static_cast<uint8_t>((i * 131) >> 3 ^ seed ^ i);
    }
    return v;
}

/// A remote read or push of `size` bytes at odd offsets: (transport, size, offset).
class DoorbellTransfer
    : public ::testing::TestWithParam<std::tuple<std::string, uint64_t, uint32_t>>
{
};

} // namespace

TEST_P(DoorbellTransfer, RemoteReadDataInPlaceWhenTheCompletionWordLands)
{
    const std::string transport = std::get<0>(GetParam());
    uint64_t size = std::get<1>(GetParam());
    uint32_t skew = std::get<2>(GetParam());
    Pair p(transport);
    std::vector<uint8_t> image = Pattern(size, 3);
    p.Memory(1)->GetStore().Write(REGION + 0x1000 + skew, image.data(), size);
    p.seenSize = 2 * skew + 1 + size + 16; // bytes around the destination stay zero
    Simulator::Schedule(MicroSeconds(20),
                        &TlpDoorbellHelper::ReadRemote,
                        p.hosts.Get(0),
                        WINDOW + 0x1000 + skew,
                        size,
                        LOCAL + 2 * skew + 1,
                        WORD,
                        p.Callback());
    Simulator::Run();
    ASSERT_EQ(p.statuses.size(), 1u);
    EXPECT_EQ(p.statuses[0], TlpDoorbellRegisters::DONE);
    // Node 0's buffer at the moment the CPU saw the completion word: all there.
    std::vector<uint8_t> expect(p.seenSize, 0);
    std::copy(image.begin(), image.end(), expect.begin() + 2 * skew + 1);
    EXPECT_EQ(p.seen[0], expect);
    EXPECT_EQ(p.Image(0, LOCAL + 2 * skew + 1, static_cast<uint32_t>(size)), image);
    EXPECT_EQ(p.Image(0, LOCAL + 2 * skew + 1 + size, 16), std::vector<uint8_t>(16, 0));
    const TlpDoorbell::Statistics& ds = p.Nic(0)->GetDoorbell().GetStatistics();
    EXPECT_EQ(ds.doorbells, 1u);
    EXPECT_EQ(ds.started, 1u);
    EXPECT_EQ(ds.done, 1u);
    EXPECT_EQ(ds.refused, 0u);
    EXPECT_EQ(ds.registerWrites, 2u); // the descriptor, the doorbell
    const TlpNicDma::Statistics& es = p.Nic(0)->GetDma().GetStatistics();
    EXPECT_EQ(es.bytesRead, size);
    EXPECT_EQ(es.notifications, 1u);
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::SLOT_BASE + TlpDoorbellRegisters::STATUS),
              uint32_t(TlpDoorbellRegisters::DONE));
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::BUSY), 0u);
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::ERRORS), 0u);
    EXPECT_EQ(p.WordStatus(WORD), uint32_t(TlpDoorbellRegisters::DONE));
}

TEST_P(DoorbellTransfer, PushLandsByteForByte)
{
    const std::string transport = std::get<0>(GetParam());
    uint64_t size = std::get<1>(GetParam());
    uint32_t skew = std::get<2>(GetParam());
    Pair p(transport);
    std::vector<uint8_t> image = Pattern(size, 11);
    p.Memory(0)->GetStore().Write(LOCAL + skew, image.data(), size);
    Simulator::Schedule(MicroSeconds(20),
                        &TlpDoorbellHelper::Push,
                        p.hosts.Get(0),
                        LOCAL + skew,
                        size,
                        WINDOW + 0x3000 + 3 * skew,
                        WORD,
                        p.Callback());
    Simulator::Run();
    ASSERT_EQ(p.statuses.size(), 1u);
    EXPECT_EQ(p.statuses[0], TlpDoorbellRegisters::DONE);
    EXPECT_EQ(p.Image(1, REGION + 0x3000 + 3 * skew, static_cast<uint32_t>(size)), image);
    EXPECT_EQ(p.Image(1, REGION + 0x3000 + 3 * skew - 8, 8), std::vector<uint8_t>(8, 0));
    EXPECT_EQ(p.Image(1, REGION + 0x3000 + 3 * skew + size, 8), std::vector<uint8_t>(8, 0));
    const TlpNicDma::Statistics& es = p.Nic(0)->GetDma().GetStatistics();
    EXPECT_EQ(es.bytesPushed, size);
    EXPECT_EQ(es.readsRemote, 1u); // the flush read only
    EXPECT_EQ(p.Nic(0)->GetDoorbell().GetStatistics().done, 1u);
    EXPECT_EQ(p.Nic(1)->GetStatistics().unsupportedRequests, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Sizes,
    DoorbellTransfer,
    ::testing::Values(std::make_tuple(std::string("ethernet"), uint64_t(1), 0u),
                      std::make_tuple(std::string("udp"), uint64_t(1), 3u),
                      std::make_tuple(std::string("ethernet"), uint64_t(3), 1u),
                      std::make_tuple(std::string("udp"), uint64_t(256), 0u),
                      std::make_tuple(std::string("ethernet"), uint64_t(4097), 5u),
                      std::make_tuple(std::string("udp"), uint64_t(4097), 2u),
                      std::make_tuple(std::string("ethernet"), uint64_t(100000), 7u)));

/// A descriptor the NIC must refuse, and the status it must give.
struct BadCase
{
    const char* name; //!< what is wrong
    TlpDescriptor d;  //!< the descriptor
    uint32_t slot;    //!< slot rung
    uint32_t status;  //!< expected status
    bool slotStatus;  //!< the slot's STATUS shows it
    bool word;        //!< the completion word shows it
};

/// How GoogleTest prints a case (and CTest names it): by what is wrong, never by its
/// bytes, which hold a pointer and differ from build to build.
void
PrintTo(const BadCase& c, std::ostream* os)
{
    *os << c.name;
}

class DoorbellRefusal : public ::testing::TestWithParam<BadCase>
{
};

TEST_P(DoorbellRefusal, CountedAnsweredNothingMoves)
{
    BadCase c = GetParam();
    Pair p("ethernet");
    std::vector<uint8_t> image = Pattern(0x1000, 5);
    p.Memory(1)->GetStore().Write(REGION, image.data(), image.size());
    p.Memory(0)->GetStore().Write(LOCAL, image.data(), image.size());
    Simulator::Schedule(MicroSeconds(20),
                        &TlpDoorbellHelper::Start,
                        p.hosts.Get(0),
                        c.d,
                        c.slot,
                        p.Callback());
    Simulator::Run();
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::LAST_ERROR), c.status) << c.name;
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::ERRORS), 1u) << c.name;
    const TlpDoorbell::Statistics& ds = p.Nic(0)->GetDoorbell().GetStatistics();
    EXPECT_EQ(ds.doorbells, 1u);
    EXPECT_EQ(ds.refused, 1u);
    EXPECT_EQ(ds.started, 0u);
    if (c.slotStatus)
    {
        EXPECT_EQ(p.Register(TlpDoorbellRegisters::SLOT_BASE +
                             c.slot * TlpDoorbellRegisters::SLOT_SIZE +
                             TlpDoorbellRegisters::STATUS),
                  c.status)
            << c.name;
    }
    ASSERT_EQ(p.statuses.size(), c.word ? 1u : 0u) << c.name;
    if (c.word)
    {
        EXPECT_EQ(p.statuses[0], c.status);
    }
    ASSERT_EQ(p.ended.size(), c.slotStatus ? 1u : 0u);
    // Nothing moved: no TLP left for the network, both memories as they were.
    EXPECT_EQ(p.Nic(0)->GetStatistics().tlpsToNetwork, 0u) << c.name;
    EXPECT_EQ(p.Image(0, LOCAL, 0x1000), image);
    EXPECT_EQ(p.Image(1, REGION, 0x1000), image);
    EXPECT_EQ(p.Nic(0)->GetDma().GetStatistics().readsLocal, 0u);
}

namespace
{

TlpDescriptor
Read(uint64_t local, uint64_t length, uint32_t window, uint64_t offset)
{
    TlpDescriptor d;
    d.local = local;
    d.length = length;
    d.window = window;
    d.offset = offset;
    d.flags = TlpDoorbellRegisters::OP_READ | TlpDoorbellRegisters::FLAG_NOTIFY;
    d.completionAddress = WORD;
    return d;
}

TlpDescriptor
WithFlags(TlpDescriptor d, uint32_t flags)
{
    d.flags = flags;
    return d;
}

TlpDescriptor
WithCompletion(TlpDescriptor d, uint64_t address)
{
    d.completionAddress = address;
    return d;
}

} // namespace

INSTANTIATE_TEST_SUITE_P(
    BadDescriptors,
    DoorbellRefusal,
    ::testing::Values(
        BadCase{"length 0", Read(LOCAL, 0, 0, 0), 0, TlpDoorbellRegisters::BAD_LENGTH, true, true},
        BadCase{"length -1",
                Read(LOCAL, ~uint64_t(0), 0, 0),
                1,
                TlpDoorbellRegisters::BAD_LENGTH,
                true,
                true},
        BadCase{"window not mapped",
                Read(LOCAL, 64, 7, 0),
                2,
                TlpDoorbellRegisters::BAD_WINDOW,
                true,
                true},
        BadCase{"past the window",
                Read(LOCAL, 64, 0, WINDOW_SIZE - 63),
                3,
                TlpDoorbellRegisters::BAD_RANGE,
                true,
                true},
        BadCase{"offset -1",
                Read(LOCAL, 1, 0, ~uint64_t(0)),
                3,
                TlpDoorbellRegisters::BAD_RANGE,
                true,
                true},
        BadCase{"local address outside memory",
                Read(uint64_t(1) << 40, 64, 0, 0),
                4,
                TlpDoorbellRegisters::BAD_LOCAL,
                true,
                true},
        BadCase{"local range wraps",
                Read(~uint64_t(0) - 7, 64, 0, 0),
                4,
                TlpDoorbellRegisters::BAD_LOCAL,
                true,
                true},
        BadCase{"no operation",
                WithFlags(Read(LOCAL, 64, 0, 0), TlpDoorbellRegisters::FLAG_NOTIFY),
                5,
                TlpDoorbellRegisters::BAD_FLAGS,
                true,
                true},
        BadCase{
            "unknown flag",
            WithFlags(Read(LOCAL, 64, 0, 0),
                      TlpDoorbellRegisters::OP_READ | TlpDoorbellRegisters::FLAG_NOTIFY | 0x100),
            5,
            TlpDoorbellRegisters::BAD_FLAGS,
            true,
            true},
        BadCase{"completion word misaligned",
                WithCompletion(Read(LOCAL, 64, 0, 0), WORD + 4),
                6,
                TlpDoorbellRegisters::BAD_COMPLETION,
                true,
                false},
        BadCase{"no such slot",
                Read(LOCAL, 64, 0, 0),
                8,
                TlpDoorbellRegisters::BAD_SLOT,
                false,
                false}),
    // Named by what is wrong: the same test names in every build (GoogleTest would
    // name them by the bytes of the case, a pointer included).
    [](const ::testing::TestParamInfo<BadCase>& info) {
        std::string name = info.param.name;
        for (char& c : name)
        {
            if (!std::isalnum(static_cast<unsigned char>(c)))
            {
                c = '_';
            }
        }
        return name;
    });

TEST(Doorbell, SlotBusyRefusedWhileTheFirstRunsOn)
{
    Pair p("udp");
    std::vector<uint8_t> image = Pattern(0x8000, 9);
    p.Memory(1)->GetStore().Write(REGION, image.data(), image.size());
    p.seenSize = 0x8000;
    Simulator::Schedule(MicroSeconds(20),
                        &Pair::ReadAt,
                        &p,
                        2u,
                        WINDOW,
                        uint64_t(0x8000),
                        LOCAL,
                        WORD);
    // Same slot again before the first has ended: refused, the first goes on.
    Simulator::Schedule(MicroSeconds(21),
                        &Pair::ReadAt,
                        &p,
                        2u,
                        WINDOW + 0x10000,
                        uint64_t(0x100),
                        LOCAL + 0x10000,
                        WORD + 8);
    Simulator::Run();
    ASSERT_EQ(p.statuses.size(), 1u);
    EXPECT_EQ(p.statuses[0], TlpDoorbellRegisters::DONE);
    EXPECT_EQ(p.seen[0], image);
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::LAST_ERROR),
              uint32_t(TlpDoorbellRegisters::SLOT_BUSY));
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::ERRORS), 1u);
    EXPECT_EQ(p.Image(0, LOCAL + 0x10000, 0x100), std::vector<uint8_t>(0x100, 0));
    const TlpDoorbell::Statistics& ds = p.Nic(0)->GetDoorbell().GetStatistics();
    EXPECT_EQ(ds.doorbells, 2u);
    EXPECT_EQ(ds.started, 1u);
    EXPECT_EQ(ds.refused, 1u);
    EXPECT_EQ(ds.done, 1u);
    EXPECT_EQ(p.Nic(0)->GetDma().GetStatistics().bytesRead, 0x8000u);
}

TEST(Doorbell, SlotsRunAtOnce)
{
    Pair p("ethernet");
    std::vector<uint8_t> image = Pattern(0x40000, 2);
    p.Memory(1)->GetStore().Write(REGION, image.data(), 0x20000);
    p.Memory(0)->GetStore().Write(LOCAL + 0x100000, image.data() + 0x20000, 0x20000);
    for (uint32_t slot = 0; slot < 4; ++slot)
    {
        Simulator::Schedule(MicroSeconds(20),
                            &Pair::ReadAt,
                            &p,
                            slot,
                            WINDOW + slot * 0x8000,
                            uint64_t(0x8000),
                            LOCAL + slot * 0x8000,
                            WORD + 8 * slot);
        Simulator::Schedule(MicroSeconds(20),
                            &Pair::PushAt,
                            &p,
                            slot + 4,
                            LOCAL + 0x100000 + slot * 0x8000,
                            uint64_t(0x8000),
                            WINDOW + 0x100000 + slot * 0x8000,
                            WORD + 8 * (slot + 4));
    }
    Simulator::Run();
    ASSERT_EQ(p.statuses.size(), 8u);
    for (uint32_t s : p.statuses)
    {
        EXPECT_EQ(s, TlpDoorbellRegisters::DONE);
    }
    EXPECT_EQ(p.Image(0, LOCAL, 0x20000),
              std::vector<uint8_t>(image.begin(), image.begin() + 0x20000));
    EXPECT_EQ(p.Image(1, REGION + 0x100000, 0x20000),
              std::vector<uint8_t>(image.begin() + 0x20000, image.end()));
    EXPECT_EQ(p.Nic(0)->GetDoorbell().GetStatistics().done, 8u);
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::ERRORS), 0u);
}

TEST(Doorbell, RegistersReadBackAndOutsideGetsUnsupportedRequest)
{
    Pair p("ethernet");
    uint64_t bar = p.Nic(0)->GetDoorbell().GetBase();
    TlpDescriptor d = Read(LOCAL, 0x123, 0, 0x456);
    d.completionValue = 0xCAFEF00D;
    Ptr<TlpCpu> cpu = p.Cpu(0);
    uint64_t slot1 = TlpDoorbellHelper::GetSlotAddress(p.hosts.Get(0), 1);
    Simulator::Schedule(MicroSeconds(20),
                        &TlpCpu::Write,
                        cpu,
                        slot1,
                        TlpDoorbellHelper::Encode(d),
                        TlpCpu::DoneCallback());
    Simulator::Schedule(MicroSeconds(30),
                        &TlpCpu::Read,
                        cpu,
                        bar,
                        24u,
                        MakeCallback(&Pair::CpuDone, &p));
    Simulator::Schedule(MicroSeconds(31),
                        &TlpCpu::Read,
                        cpu,
                        slot1,
                        TlpDoorbellRegisters::SLOT_SIZE,
                        MakeCallback(&Pair::CpuDone, &p));
    // Past the last of 8 slots: UR for a read, a counted drop for a write.
    uint64_t past = bar + TlpDoorbellRegisters::SLOT_BASE + 8 * TlpDoorbellRegisters::SLOT_SIZE;
    Simulator::Schedule(MicroSeconds(32),
                        &TlpCpu::Read,
                        cpu,
                        past,
                        4u,
                        MakeCallback(&Pair::CpuDone, &p));
    Simulator::Schedule(MicroSeconds(33),
                        &TlpCpu::Read,
                        cpu,
                        past - 4,
                        8u,
                        MakeCallback(&Pair::CpuDone, &p));
    Simulator::Schedule(MicroSeconds(34),
                        &TlpCpu::Write,
                        cpu,
                        past,
                        std::vector<uint8_t>(4, 0xFF),
                        TlpCpu::DoneCallback());
    // A write to read-only registers changes nothing.
    Simulator::Schedule(MicroSeconds(35),
                        &TlpCpu::Write,
                        cpu,
                        bar,
                        std::vector<uint8_t>(8, 0xFF),
                        TlpCpu::DoneCallback());
    Simulator::Schedule(MicroSeconds(40),
                        &TlpCpu::Read,
                        cpu,
                        bar,
                        8u,
                        MakeCallback(&Pair::CpuDone, &p));
    Simulator::Run();
    ASSERT_EQ(p.results.size(), 5u);
    EXPECT_EQ(p.results[0].status, TlpHeader::SC);
    std::vector<uint8_t> globals = {0x54, 0x4C, 0x50, 0x44, 8, 0, 0, 0, 0, 0, 0, 0,
                                    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(p.results[0].data, globals);
    std::vector<uint8_t> slot = TlpDoorbellHelper::Encode(d);
    slot.resize(TlpDoorbellRegisters::SLOT_SIZE, 0); // STATUS IDLE, reserved zero
    EXPECT_EQ(p.results[1].status, TlpHeader::SC);
    EXPECT_EQ(p.results[1].data, slot);
    EXPECT_EQ(p.results[2].status, TlpHeader::UR);
    EXPECT_EQ(p.results[3].status, TlpHeader::UR); // straddles the end
    EXPECT_EQ(p.results[4].data, std::vector<uint8_t>(globals.begin(), globals.begin() + 8));
    const TlpDoorbell::Statistics& ds = p.Nic(0)->GetDoorbell().GetStatistics();
    EXPECT_EQ(ds.outsideRegisters, 3u);
    EXPECT_EQ(ds.registerReads, 3u);
    EXPECT_EQ(ds.registerWrites, 2u);
    EXPECT_EQ(ds.doorbells, 0u);
    EXPECT_EQ(p.Nic(0)->GetStatistics().unsupportedRequests, 2u);
}

TEST(DoorbellDeathTest, BadBarStops)
{
    auto build = [](const char* name, uint64_t value) {
        SimulatorGuard guard;
        NodeContainer hosts;
        hosts.Create(1);
        TlpTunnelHelper tunnel;
        tunnel.SetNicAttribute(name, UintegerValue(value));
        tunnel.Install(hosts);
    };
    EXPECT_DEATH(build("DoorbellSize", 6000), "DoorbellSize=6000 must be a power of two");
    EXPECT_DEATH(build("DoorbellSize", 2048), "DoorbellSize=2048 must be a power of two");
    EXPECT_DEATH(build("DoorbellBase", 0x00000F0000000800ULL),
                 "DoorbellBase=0xf0000000800 must be a multiple of DoorbellSize=0x1000");
    EXPECT_DEATH(build("DoorbellBase", 0x1000), "DoorbellBase=0x1000 .*overlaps the node's memory");
    EXPECT_DEATH(build("DoorbellSlots", 0), "DoorbellSlots=0 must be 1..32");
    EXPECT_DEATH(build("DoorbellSlots", 33), "DoorbellSlots=33 must be 1..32");
}

namespace
{

/// When node 0's NIC took its last read completion and sent its first remote write.
struct CutThrough
{
    Time lastCompletion;
    Time firstWrite;
    uint64_t completions = 0;

    void Sniff(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        if (h.IsCompletion())
        {
            lastCompletion = Simulator::Now();
            completions++;
        }
    }

    void Tx(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        if (h.GetKind() == TlpHeader::MEM_WRITE && firstWrite.IsZero())
        {
            firstWrite = Simulator::Now();
        }
    }
};

} // namespace

TEST(Doorbell, PushSendsEachCompletionOnAsItArrives)
{
    Pair p("ethernet");
    std::vector<uint8_t> image = Pattern(0x40000, 4);
    p.Memory(0)->GetStore().Write(LOCAL, image.data(), image.size());
    CutThrough c;
    p.Nic(0)->TraceConnectWithoutContext("Sniffer", MakeCallback(&CutThrough::Sniff, &c));
    p.Nic(0)->TraceConnectWithoutContext("TlpTx", MakeCallback(&CutThrough::Tx, &c));
    Simulator::Schedule(MicroSeconds(20),
                        &TlpDoorbellHelper::Push,
                        p.hosts.Get(0),
                        LOCAL,
                        uint64_t(0x40000),
                        WINDOW,
                        WORD,
                        p.Callback());
    Simulator::Run();
    ASSERT_EQ(p.statuses.size(), 1u);
    EXPECT_EQ(p.statuses[0], TlpDoorbellRegisters::DONE);
    EXPECT_EQ(p.Image(1, REGION, 0x40000), image);
    // 1024 completions of 256 bytes from node 0's memory (the flush read's comes from
    // the network); the first write left the NIC long before the last of them arrived.
    EXPECT_EQ(c.completions, 1024u);
    EXPECT_FALSE(c.firstWrite.IsZero());
    EXPECT_LT(c.firstWrite + MicroSeconds(50), c.lastCompletion);
    const TlpNicDma::Statistics& es = p.Nic(0)->GetDma().GetStatistics();
    EXPECT_EQ(es.readsLocal, 512u); // 512-byte reads
    EXPECT_EQ(es.writesRemote, 1024u);
    EXPECT_EQ(es.readsRemote, 1u);
    EXPECT_EQ(es.writesLocal, 1u); // the completion word
}

TEST(Doorbell, RemoteErrorEndsTheDescriptorWithItsStatus)
{
    // A window whose region node 1 refuses (not its memory): the reads end with UR,
    // the descriptor with REMOTE_ERROR | UR in STATUS, LAST_ERROR, ERRORS and the
    // completion word; local memory is untouched.
    Pair p("udp");
    const uint64_t refused = 0x0000200000000000ULL;
    p.tunnel.MapWindow(p.hosts.Get(0), refused, 0x10000, 1, uint64_t(1) << 41);
    Simulator::Schedule(MicroSeconds(20),
                        &TlpDoorbellHelper::ReadRemote,
                        p.hosts.Get(0),
                        refused,
                        uint64_t(3000),
                        LOCAL,
                        WORD,
                        p.Callback());
    p.seenSize = 3000;
    Simulator::Run();
    uint32_t status = TlpDoorbellRegisters::REMOTE_ERROR | TlpHeader::UR;
    ASSERT_EQ(p.statuses.size(), 1u);
    EXPECT_EQ(p.statuses[0], status);
    EXPECT_EQ(p.seen[0], std::vector<uint8_t>(3000, 0));
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::SLOT_BASE + TlpDoorbellRegisters::STATUS), status);
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::LAST_ERROR), status);
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::ERRORS), 1u);
    EXPECT_EQ(p.Register(TlpDoorbellRegisters::BUSY), 0u);
    const TlpDoorbell::Statistics& ds = p.Nic(0)->GetDoorbell().GetStatistics();
    EXPECT_EQ(ds.started, 1u);
    EXPECT_EQ(ds.failed, 1u);
    EXPECT_EQ(ds.done, 0u);
    ASSERT_EQ(p.ended.size(), 1u);
    EXPECT_EQ(p.ended[0], std::make_pair(0u, status));
    EXPECT_EQ(p.Nic(0)->GetDma().GetStatistics().bytesRead, 0u);
}

namespace
{

class DoorbellMemoryId : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(DoorbellMemoryId, PushAndReadThroughAMemoryIdWindowFollowARemap)
{
    // A descriptor names a window; a window that names (node 1, memory ID 9) makes the
    // push carry the memory ID and offsets. Node 1 moves the ID between the push and
    // the read: the push landed in the old range, the read finds its bytes in the new.
    const uint64_t MID_WINDOW = 0x0000200000000000ULL;
    const uint64_t OLD = 0x0000000050000000ULL;
    const uint64_t NEW = 0x0000000060000000ULL;
    const uint64_t SIZE = 5000;
    Pair p(GetParam());
    p.tunnel.RegisterMemoryId(p.hosts.Get(1), 9, OLD, 0x10000);
    p.tunnel.MapMemoryIdWindow(p.hosts.Get(0), MID_WINDOW, 0x10000, 1, 9);
    std::vector<uint8_t> image = Pattern(SIZE, 23);
    p.Memory(0)->GetStore().Write(LOCAL + 3, image.data(), SIZE);
    Simulator::Schedule(MicroSeconds(20),
                        &TlpDoorbellHelper::Push,
                        p.hosts.Get(0),
                        LOCAL + 3,
                        SIZE,
                        MID_WINDOW + 0x101,
                        WORD,
                        p.Callback());
    std::vector<uint8_t> before; // the old range when node 1 moved it
    Later(MicroSeconds(400), [&p, &before]() {
        // Node 1 moves the bytes, as software does before it moves an ID, and clears
        // the old range: the read can find them only in the new one.
        before = p.Image(1, OLD, 0x10000);
        p.Memory(1)->GetStore().Write(NEW, before.data(), before.size());
        std::vector<uint8_t> zeros(0x10000, 0);
        p.Memory(1)->GetStore().Write(OLD, zeros.data(), zeros.size());
        p.Nic(1)->RemapMemoryId(9, NEW);
    });
    Simulator::Schedule(MicroSeconds(800),
                        &TlpDoorbellHelper::ReadRemote,
                        p.hosts.Get(0),
                        MID_WINDOW + 0x101,
                        SIZE,
                        LOCAL + 0x10000,
                        WORD + 0x100,
                        p.Callback());
    Simulator::Run();
    ASSERT_EQ(p.statuses.size(), 2u);
    EXPECT_EQ(p.statuses[0], TlpDoorbellRegisters::DONE);
    EXPECT_EQ(p.statuses[1], TlpDoorbellRegisters::DONE);
    ASSERT_EQ(before.size(), 0x10000u);
    EXPECT_EQ(std::vector<uint8_t>(before.begin() + 0x101, before.begin() + 0x101 + SIZE), image);
    EXPECT_EQ(std::vector<uint8_t>(before.begin() + 0xF9, before.begin() + 0x101),
              std::vector<uint8_t>(8, 0));
    EXPECT_EQ(p.Image(1, NEW + 0x101, SIZE), image);
    EXPECT_EQ(p.Image(1, OLD + 0x101, SIZE), std::vector<uint8_t>(SIZE, 0));
    EXPECT_EQ(p.Image(0, LOCAL + 0x10000, SIZE), image);
    EXPECT_EQ(p.Nic(0)->GetDma().GetStatistics().bytesPushed, SIZE);
    EXPECT_EQ(p.Nic(1)->GetStatistics().unsupportedRequests, 0u);
    EXPECT_EQ(p.Nic(1)->GetStatistics().tlpDrops, 0u);
    ASSERT_NE(p.Nic(1)->GetMemoryRegistry().Find(9), nullptr);
    EXPECT_EQ(p.Nic(1)->GetMemoryRegistry().Find(9)->base, NEW);
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         DoorbellMemoryId,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));
