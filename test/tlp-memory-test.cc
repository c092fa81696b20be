/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TlpMemory as the memory controller of a root complex, driven by a bare device on
 * a root port (its DMA): memory images compared byte for byte after writes with
 * byte enables, read completions split by Max_Payload_Size and the read completion
 * boundary, AtomicOps, timing with the controller's latency and bandwidth, and the
 * answers to bad requests.
 */

#include "tlp-test-util.h"

#include "ns3/boolean.h"
#include "ns3/data-rate.h"
#include "ns3/tlp-memory.h"
#include "ns3/uinteger.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

/// A root complex (100 ns inside), a memory at [0, 1 MiB) and a device on a Gen3 x8
/// link (50 ns) that sends it requests.
struct Bench
{
    Bench(uint32_t mps = 256, uint32_t rcb = 64)
    {
        rc = CreateObject<PcieRootComplex>();
        rc->SetAttribute("Latency", TimeValue(NanoSeconds(100)));
        link = CreateObject<PcieLink>();
        link->SetAttribute("Latency", TimeValue(NanoSeconds(50)));
        memory = CreateObject<TlpMemory>();
        memory->SetAttribute("Base", UintegerValue(0));
        memory->SetAttribute("Size", UintegerValue(1 << 20));
        memory->SetAttribute("MaxPayloadSize", UintegerValue(mps));
        memory->SetAttribute("ReadCompletionBoundary", UintegerValue(rcb));
        memory->SetAttribute("AccessLatency", TimeValue(NanoSeconds(50)));
        memory->SetAttribute("CompleterId", UintegerValue(0x0001));
        memory->Connect(rc);
        cpu = std::make_unique<Probe>(AttachEndpoint(rc, "dev", link));
        cpu->Port()->ClaimRequesterId(0x0010);
        memory->TraceConnectWithoutContext("Drop", MakeCallback(&Bench::OnDrop, this));
    }

    void OnDrop(Ptr<const Packet>, uint8_t reason)
    {
        drops.push_back(reason);
    }

    /// Fill [address, address + size) of the store with a background byte.
    void Fill(uint64_t address, uint32_t size, uint8_t value)
    {
        std::vector<uint8_t> bytes(size, value);
        memory->GetStore().Write(address, bytes.data(), size);
    }

    std::vector<uint8_t> Image(uint64_t address, uint32_t size)
    {
        std::vector<uint8_t> bytes(size);
        memory->GetStore().Read(address, bytes.data(), size);
        return bytes;
    }

    SimulatorGuard guard;
    Ptr<PcieRootComplex> rc;
    Ptr<PcieLink> link;
    Ptr<TlpMemory> memory;
    std::unique_ptr<Probe> cpu;
    std::vector<uint8_t> drops;
};

std::vector<uint8_t>
Sequence(uint32_t n, uint8_t start = 1)
{
    std::vector<uint8_t> v(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        v[i] = static_cast<uint8_t>(start + i);
    }
    return v;
}

} // namespace

TEST(TlpMemory, WriteHonoursByteEnables)
{
    Bench b;
    b.Fill(0x1000, 16, 0xAA);
    // Six bytes at 0x1003: payload DWs 0x1000..0x100b, First BE 1000b, Last BE 0001b.
    std::vector<uint8_t> payload =
        {0x11, 0x12, 0x13, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x17, 0x18, 0x19};
    b.cpu->Send(TlpHeader::MakeMemWrite(0x1003, 6, 0x0010, 0), payload);
    Simulator::Run();
    EXPECT_EQ(ToHex(b.Image(0x1000, 16)), ToHex(Hex("aaaaaa01 02030405 06aaaaaa aaaaaaaa")));
    EXPECT_TRUE(b.drops.empty());
}

TEST(TlpMemory, WriteWithSparseByteEnables)
{
    Bench b;
    b.Fill(0x2000, 8, 0xAA);
    TlpHeader h = TlpHeader::MakeMemWrite(0x2000, 4, 0x0010, 0);
    h.SetFirstByteEnable(0x5); // bytes 0 and 2 only
    b.cpu->Send(h, {0x01, 0x02, 0x03, 0x04});
    Simulator::Run();
    EXPECT_EQ(ToHex(b.Image(0x2000, 8)), ToHex(Hex("01aa03aa aaaaaaaa")));
}

TEST(TlpMemory, LargeWriteAndSparseStore)
{
    Bench b(4096);
    std::vector<uint8_t> data = Sequence(4096);
    b.cpu->Send(TlpHeader::MakeMemWrite(0x10000, 4096, 0x0010, 0), data);
    Simulator::Run();
    EXPECT_EQ(b.Image(0x10000, 4096), data);
    EXPECT_EQ(b.memory->GetStore().GetAllocatedPages(), 1u);
    // Terabytes of address space cost nothing until written.
    SparseMemory store;
    uint8_t one = 1;
    store.Write(0, &one, 1);
    store.Write(0xFFFFFFFFFFFFF000ULL, &one, 1);
    store.Write(0x00000FFFFFFFFFFFULL, &one, 1);
    EXPECT_EQ(store.GetAllocatedPages(), 3u);
    EXPECT_EQ(store.ReadByte(0x00000FFFFFFFFFFFULL), 1);
    EXPECT_EQ(store.ReadByte(0x00000FFFFFFFFFFEULL), 0);
    EXPECT_EQ(store.GetAllocatedPageAddresses(),
              (std::vector<uint64_t>{0, 0x00000FFFFFFFF000ULL, 0xFFFFFFFFFFFFF000ULL}));
}

TEST(TlpMemory, ReadSplitAtReadCompletionBoundary64)
{
    Bench b(256, 64);
    std::vector<uint8_t> image = Sequence(1024);
    b.memory->GetStore().Write(0, image.data(), image.size());
    // 300 bytes from 0x50: with MPS 256 and RCB 64 the first completion ends at
    // 0x140 (the last RCB boundary within 256 bytes), the second at 0x17c.
    b.cpu->Send(TlpHeader::MakeMemRead(0x50, 300, 0x0010, 0x21));
    Simulator::Run();
    ASSERT_EQ(b.cpu->received.size(), 2u);
    TlpHeader c0 = b.cpu->Header(0);
    TlpHeader c1 = b.cpu->Header(1);
    EXPECT_EQ(c0.GetKind(), TlpHeader::COMPLETION_DATA);
    EXPECT_EQ(c0.GetCompleterId(), 0x0001);
    EXPECT_EQ(c0.GetRequesterId(), 0x0010);
    EXPECT_EQ(c0.GetTag(), 0x21);
    EXPECT_EQ(c0.GetByteCount(), 300u);
    EXPECT_EQ(c0.GetLowerAddress(), 0x50);
    EXPECT_EQ(c0.GetLengthDw(), (0x140u - 0x50u) / 4);
    EXPECT_EQ(c1.GetByteCount(), 300u - 240u);
    EXPECT_EQ(c1.GetLowerAddress(), 0x40); // 0x140 & 0x7f
    EXPECT_EQ(c1.GetLengthDw(), (0x17Cu - 0x140u) / 4);
    std::vector<uint8_t> got = b.cpu->Data(0);
    std::vector<uint8_t> second = b.cpu->Data(1);
    got.insert(got.end(), second.begin(), second.end());
    EXPECT_EQ(got, std::vector<uint8_t>(image.begin() + 0x50, image.begin() + 0x17C));
}

TEST(TlpMemory, ReadSplitAtReadCompletionBoundary128)
{
    Bench b(256, 128);
    // The same read with RCB 128: the first completion ends at 0x100.
    b.cpu->Send(TlpHeader::MakeMemRead(0x50, 300, 0x0010, 0x21));
    Simulator::Run();
    ASSERT_EQ(b.cpu->received.size(), 2u);
    EXPECT_EQ(b.cpu->Header(0).GetLengthDw(), (0x100u - 0x50u) / 4);
    EXPECT_EQ(b.cpu->Header(1).GetByteCount(), 300u - 176u);
    EXPECT_EQ(b.cpu->Header(1).GetLowerAddress(), 0x00);
    EXPECT_EQ(b.cpu->Header(1).GetLengthDw(), (0x17Cu - 0x100u) / 4);
}

TEST(TlpMemory, ReadSplitByMaxPayloadSize)
{
    Bench b(128, 64);
    // 1024 aligned bytes with MPS 128: eight 32-DW completions, byte counts 1024..128.
    b.cpu->Send(TlpHeader::MakeMemRead(0x400, 1024, 0x0010, 3));
    Simulator::Run();
    ASSERT_EQ(b.cpu->received.size(), 8u);
    for (uint32_t i = 0; i < 8; ++i)
    {
        TlpHeader c = b.cpu->Header(i);
        EXPECT_EQ(c.GetLengthDw(), 32u);
        EXPECT_EQ(c.GetByteCount(), 1024u - 128u * i);
        EXPECT_EQ(c.GetLowerAddress(), (0x400u + 128u * i) & 0x7F);
    }
}

TEST(TlpMemory, UnalignedShortReadAndZeroLengthRead)
{
    Bench b;
    std::vector<uint8_t> image = Sequence(64, 0x40);
    b.memory->GetStore().Write(0, image.data(), image.size());
    b.cpu->Send(TlpHeader::MakeMemRead(0x5, 2, 0x0010, 1));
    b.cpu->Send(TlpHeader::MakeMemRead(0x8, 0, 0x0010, 2));
    Simulator::Run();
    ASSERT_EQ(b.cpu->received.size(), 2u);
    TlpHeader c = b.cpu->Header(0);
    EXPECT_EQ(c.GetByteCount(), 2u);
    EXPECT_EQ(c.GetLowerAddress(), 0x05);
    EXPECT_EQ(c.GetLengthDw(), 1u);
    EXPECT_EQ(ToHex(b.cpu->Data(0)), ToHex(Hex("44454647"))); // the DW at 0x4
    TlpHeader z = b.cpu->Header(1);
    EXPECT_EQ(z.GetKind(), TlpHeader::COMPLETION_DATA);
    EXPECT_EQ(z.GetByteCount(), 1u);
    EXPECT_EQ(z.GetLengthDw(), 1u);
    EXPECT_EQ(z.GetLowerAddress(), 0x08);
}

TEST(TlpMemory, ReadTimingMatchesFormula)
{
    Bench b;
    b.cpu->Send(TlpHeader::MakeMemRead(0x0, 64, 0x0010, 1));
    Simulator::Run();
    ASSERT_EQ(b.cpu->received.size(), 1u);
    // MRd32 (12 bytes) on the link, its latency, the root complex to memory; the
    // controller moves the 64 bytes (default Bandwidth 68.256 GB/s) and the access
    // latency (50 ns) passes; memory to the root port, the CplD (12 + 64) on the link,
    // its latency. Each step's event is at the next nanosecond.
    auto ceilNs = [](double ps) { return std::ceil(ps / 1000) * 1000; };
    double atMemory = ceilNs(b.link->GetSerializationPs(12) + 50e3 + 100e3);
    double due = ceilNs(atMemory + 64 * 8e12 / 546048e6 + 50e3);
    double atDevice = ceilNs(due + 100e3 + b.link->GetSerializationPs(76) + 50e3);
    EXPECT_EQ(b.cpu->received[0].at, PicoSeconds(int64_t(atDevice)));
}

TEST(TlpMemory, BandwidthPacesReadCompletions)
{
    // 1 GB/s: the controller moves the 1024 bytes of a read in 1024 ns, and each of its
    // four 256-byte completions leaves when its bytes are moved, 256 ns apart.
    Bench b;
    b.memory->SetAttribute("Bandwidth", DataRateValue(DataRate("8Gbps")));
    b.cpu->Send(TlpHeader::MakeMemRead(0x0, 1024, 0x0010, 1));
    b.cpu->Send(TlpHeader::MakeMemRead(0x400, 256, 0x0010, 2)); // queues behind it
    Simulator::Run();
    ASSERT_EQ(b.cpu->received.size(), 5u);
    for (size_t i = 1; i < 4; ++i)
    {
        EXPECT_EQ(b.cpu->received[i].at - b.cpu->received[i - 1].at, NanoSeconds(256)) << i;
    }
    // The second read arrives right behind the first and waits for the controller.
    EXPECT_EQ(b.cpu->received[4].at - b.cpu->received[3].at, NanoSeconds(256));
    EXPECT_EQ(b.cpu->Header(4).GetTag(), 2);
}

TEST(TlpMemory, AtomicOps)
{
    Bench b;
    uint8_t init[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0};
    b.memory->GetStore().Write(0x100, init, 16);
    // FetchAdd32 of 1 wraps 0xffffffff to 0; the next DW is untouched.
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x100, 4, 0x0010, 1), {1, 0, 0, 0});
    // FetchAdd64 of 0x1_0000_0001 to 0x10.
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x108, 8, 0x0010, 2),
                {1, 0, 0, 0, 1, 0, 0, 0});
    // CAS32 compare 0 (matches after the wrap) swap 0x77.
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::CAS, 0x100, 4, 0x0010, 3),
                {0, 0, 0, 0, 0x77, 0, 0, 0});
    // CAS32 compare 5 (does not match) swap 0x99.
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::CAS, 0x100, 4, 0x0010, 4),
                {5, 0, 0, 0, 0x99, 0, 0, 0});
    // Swap32 at 0x104.
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::SWAP, 0x104, 4, 0x0010, 5),
                {0xDE, 0xAD, 0xBE, 0xEF});
    Simulator::Run();
    EXPECT_EQ(ToHex(b.Image(0x100, 16)), ToHex(Hex("77000000 deadbeef 11000000 01000000")));
    ASSERT_EQ(b.cpu->received.size(), 5u);
    const char* originals[] = {"ffffffff", "10000000 00000000", "00000000", "77000000", "00000000"};
    for (size_t i = 0; i < 5; ++i)
    {
        TlpHeader c = b.cpu->Header(i);
        EXPECT_EQ(c.GetTag(), i + 1);
        EXPECT_EQ(c.GetStatus(), TlpHeader::SC);
        EXPECT_EQ(ToHex(b.cpu->Data(i)), ToHex(Hex(originals[i]))) << i;
    }
}

TEST(TlpMemory, BadRequestsGetCompleterAbortOrAreDropped)
{
    Bench b;
    // Misaligned FetchAdd64, a read past the end, an atomic past the end.
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x104, 8, 0x0010, 1),
                std::vector<uint8_t>(8, 1));
    b.cpu->Send(TlpHeader::MakeMemRead((1 << 20) - 8, 16, 0x0010, 2));
    // Posted writes: past the end, poisoned, larger than Max_Payload_Size, bad ECRC.
    b.cpu->Send(TlpHeader::MakeMemWrite((1 << 20) - 4, 8, 0x0010, 0), std::vector<uint8_t>(8, 1));
    TlpHeader poisoned = TlpHeader::MakeMemWrite(0x0, 4, 0x0010, 0);
    poisoned.SetPoisoned(true);
    b.cpu->Send(poisoned, {1, 2, 3, 4});
    b.cpu->Send(TlpHeader::MakeMemWrite(0x0, 512, 0x0010, 0), std::vector<uint8_t>(512, 1));
    Simulator::Run();
    ASSERT_EQ(b.cpu->received.size(), 2u);
    EXPECT_EQ(b.cpu->Header(0).GetStatus(), TlpHeader::CA);
    EXPECT_EQ(b.cpu->Header(0).GetTag(), 1);
    EXPECT_EQ(b.cpu->Header(0).GetByteCount(), 8u); // the AtomicOp's operand size
    EXPECT_EQ(b.cpu->Header(1).GetStatus(), TlpHeader::CA);
    EXPECT_EQ(b.cpu->Header(1).GetByteCount(), 16u);
    EXPECT_EQ(b.drops,
              (std::vector<uint8_t>{TlpMemory::DROP_OUT_OF_RANGE,
                                    TlpMemory::DROP_POISONED,
                                    TlpMemory::DROP_MALFORMED}));
    EXPECT_EQ(b.memory->GetStore().GetAllocatedPages(), 0u); // nothing written
}

TEST(TlpMemory, MisalignedAtomicOpTlpsGetCompleterAbortAndChangeNothing)
{
    // The operand's first byte is checked from the TLP's fields: the DW address
    // and the byte enables (reserved, 0000b, in an AtomicOp). Each of these names
    // an operand that is not naturally aligned; executing it at the DW would
    // update other bytes.
    Bench b;
    b.Fill(0x1000, 32, 0xEE);
    TlpHeader at2 = TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x1000, 4, 0x0010, 1);
    at2.SetFirstByteEnable(0xC); // address bits 1:0 = 2 put in the byte enables
    b.cpu->Send(at2, {1, 0, 0, 0});
    TlpHeader at1 = TlpHeader::MakeAtomic(TlpHeader::SWAP, 0x1000, 8, 0x0010, 2);
    at1.SetFirstByteEnable(0xE);
    at1.SetLastByteEnable(0x1);
    b.cpu->Send(at1, std::vector<uint8_t>(8, 1));
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x1004, 8, 0x0010, 3),
                std::vector<uint8_t>(8, 1));
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::CAS, 0x1004, 8, 0x0010, 4),
                std::vector<uint8_t>(16, 0xEE));
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::CAS, 0x1008, 16, 0x0010, 5),
                std::vector<uint8_t>(32, 0xEE));
    // Aligned, byte enables 0000b: executed.
    b.cpu->Send(TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x1010, 4, 0x0010, 6), {1, 0, 0, 0});
    Simulator::Run();
    ASSERT_EQ(b.cpu->received.size(), 6u);
    for (uint32_t i = 0; i < 5; ++i)
    {
        EXPECT_EQ(b.cpu->Header(i).GetTag(), i + 1);
        EXPECT_EQ(b.cpu->Header(i).GetStatus(), TlpHeader::CA) << i;
        EXPECT_FALSE(b.cpu->Header(i).HasData());
    }
    EXPECT_EQ(b.cpu->Header(5).GetStatus(), TlpHeader::SC);
    EXPECT_EQ(b.cpu->Data(5), Hex("eeeeeeee"));
    std::vector<uint8_t> expected(32, 0xEE);
    expected[0x10] = 0xEF;
    EXPECT_EQ(b.Image(0x1000, 32), expected) << ToHex(b.Image(0x1000, 32));
}

TEST(TlpMemory, EcrcCheckedAndGenerated)
{
    Bench b;
    b.memory->SetAttribute("Ecrc", BooleanValue(true));
    // A good digest is written, a corrupted one is dropped.
    b.cpu->Send(TlpHeader::MakeMemWrite(0x0, 4, 0x0010, 0), {1, 2, 3, 4}, true);
    TlpHeader h = TlpHeader::MakeMemWrite(0x4, 4, 0x0010, 0);
    h.SetDigest(true);
    Ptr<Packet> bad = Create<Packet>(4);
    bad->AddHeader(h);
    bad->AddTrailer(TlpEcrcTrailer(0x12345678));
    b.cpu->Port()->Send(bad);
    b.cpu->Send(TlpHeader::MakeMemRead(0x0, 4, 0x0010, 9), {}, true);
    Simulator::Run();
    EXPECT_EQ(ToHex(b.Image(0, 8)), ToHex(Hex("01020304 00000000")));
    EXPECT_EQ(b.drops, (std::vector<uint8_t>{TlpMemory::DROP_ECRC}));
    ASSERT_EQ(b.cpu->received.size(), 1u);
    EXPECT_TRUE(b.cpu->Header(0).HasDigest());
    EXPECT_TRUE(TlpEcrcTrailer::Verify(b.cpu->received[0].tlp));
}

TEST(TlpMemoryDeathTest, BadConfiguration)
{
    EXPECT_DEATH(CreateObject<TlpMemory>()->SetAttribute("MaxPayloadSize", UintegerValue(100)),
                 "attribute MaxPayloadSize=100");
    EXPECT_DEATH(
        CreateObject<TlpMemory>()->SetAttribute("ReadCompletionBoundary", UintegerValue(32)),
        "attribute ReadCompletionBoundary=32");
    EXPECT_DEATH(
        {
            Ptr<TlpMemory> m = CreateObject<TlpMemory>();
            m->SetAttribute("Size", UintegerValue(0));
            m->Connect(CreateObject<PcieRootComplex>());
        },
        "attribute Size=0");
}
