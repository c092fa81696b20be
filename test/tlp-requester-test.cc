/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TlpRequester on a node's root complex with its memory: chunking at naturally
 * aligned MPS/MRRS boundaries, DW padding and byte enables for every size and
 * alignment, split completions reassembled, little-endian AtomicOps and the
 * refusal of misaligned ones, tags, timeouts and bad configuration.
 */

#include "tlp-test-util.h"

#include "ns3/node-container.h"
#include "ns3/tlp-memory.h"
#include "ns3/tlp-requester.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <set>
#include <tuple>
#include <vector>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

/// A requester as a second agent of a node's root complex, next to its memory.
struct Bench
{
    static constexpr uint16_t REQUESTER_ID = 9;
    static constexpr uint8_t BACKGROUND = 0xEE; //!< memory bytes nobody wrote

    explicit Bench(uint32_t mps = 256, uint32_t mrrs = 512, uint32_t memoryMps = 256)
    {
        TlpTunnelHelper helper;
        helper.SetMemoryAttribute("MaxPayloadSize", UintegerValue(memoryMps));
        nodes.Create(1);
        helper.Install(nodes);
        memory = TlpTunnelHelper::GetMemory(nodes.Get(0));
        rc = TlpTunnelHelper::GetRootComplex(nodes.Get(0));
        requester = CreateObject<TlpRequester>();
        requester->SetAttribute("RequesterId", UintegerValue(REQUESTER_ID));
        requester->SetAttribute("MaxPayloadSize", UintegerValue(mps));
        requester->SetAttribute("MaxReadRequestSize", UintegerValue(mrrs));
        agent = rc->AddAgent("requester",
                             MakeCallback(&Bench::Receive, this),
                             MakeCallback(&TlpRequester::TrySend, requester));
        rc->ClaimRequesterId(agent, REQUESTER_ID);
        requester->SetSendCallback(MakeCallback(&Bench::Send, this));
    }

    bool Send(Ptr<Packet> tlp, const TlpHeader& h, uint64_t op)
    {
        if (!rc->Send(agent, tlp))
        {
            return false;
        }
        sent.push_back(h);
        payloads.push_back(Bytes(tlp));
        return true;
    }

    Time Receive(Ptr<Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        completions.push_back(h);
        requester->Receive(tlp);
        return Simulator::Now();
    }

    void OnDone(const TlpRequester::Result& r)
    {
        results.push_back(r);
    }

    TlpRequester::DoneCallback Done()
    {
        return MakeCallback(&Bench::OnDone, this);
    }

    /// Fill [address, address + size) with BACKGROUND.
    void Background(uint64_t address, uint32_t size)
    {
        std::vector<uint8_t> b(size, BACKGROUND);
        memory->GetStore().Write(address, b.data(), size);
    }

    std::vector<uint8_t> Image(uint64_t address, uint32_t size)
    {
        std::vector<uint8_t> image(size);
        memory->GetStore().Read(address, image.data(), size);
        return image;
    }

    SimulatorGuard guard;
    NodeContainer nodes;
    Ptr<TlpMemory> memory;
    Ptr<PcieRootComplex> rc;
    Ptr<TlpRequester> requester;
    uint32_t agent;
    std::vector<TlpHeader> sent;                //!< headers of the TLPs that left
    std::vector<std::vector<uint8_t>> payloads; //!< their bytes
    std::vector<TlpHeader> completions;         //!< completions that came back
    std::vector<TlpRequester::Result> results;  //!< ended operations
};

std::vector<uint8_t>
Pattern(uint32_t n, uint32_t seed)
{
    std::vector<uint8_t> v(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        v[i] = static_cast<uint8_t>(i * 131 + seed + (i >> 8));
    }
    return v;
}

/// (first byte, bytes) of each header.
std::vector<std::pair<uint64_t, uint32_t>>
Ranges(const std::vector<TlpHeader>& headers)
{
    std::vector<std::pair<uint64_t, uint32_t>> r;
    for (const TlpHeader& h : headers)
    {
        r.emplace_back(h.GetFirstByteAddress(), h.GetEnabledBytes());
    }
    return r;
}

} // namespace

TEST(TlpRequester, ForEachChunkSplitsAtMultiplesOfTheBoundary)
{
    std::vector<std::tuple<uint64_t, uint32_t, bool>> pieces;
    auto record = [&pieces](uint64_t a, uint32_t n, bool last) { pieces.emplace_back(a, n, last); };
    // Requests: naturally aligned chunks of the maximum.
    TlpRequester::ForEachChunk(0x1F0, 1000, 256, 256, record);
    EXPECT_EQ(pieces,
              (std::vector<std::tuple<uint64_t, uint32_t, bool>>{{0x1F0, 16, false},
                                                                 {0x200, 256, false},
                                                                 {0x300, 256, false},
                                                                 {0x400, 256, false},
                                                                 {0x500, 216, true}}));
    // Completions: at most 256 bytes, ending on multiples of the RCB (64).
    pieces.clear();
    TlpRequester::ForEachChunk(0x1F0, 1000, 256, 64, record);
    EXPECT_EQ(pieces,
              (std::vector<std::tuple<uint64_t, uint32_t, bool>>{{0x1F0, 208, false},
                                                                 {0x2C0, 256, false},
                                                                 {0x3C0, 256, false},
                                                                 {0x4C0, 256, false},
                                                                 {0x5C0, 24, true}}));
    // 4 KiB: a 4096-byte maximum never crosses a 4 KiB boundary.
    pieces.clear();
    TlpRequester::ForEachChunk(0xFFF, 4097, 4096, 4096, record);
    EXPECT_EQ(pieces,
              (std::vector<std::tuple<uint64_t, uint32_t, bool>>{{0xFFF, 1, false},
                                                                 {0x1000, 4096, true}}));
    pieces.clear();
    TlpRequester::ForEachChunk(0x10, 0, 128, 128, record);
    EXPECT_TRUE(pieces.empty());
}

TEST(TlpRequester, LittleEndianOperands)
{
    uint8_t b[8];
    TlpRequester::StoreLe(b, 8, 0x0102030405060708ULL);
    EXPECT_EQ(std::vector<uint8_t>(b, b + 8), (std::vector<uint8_t>{8, 7, 6, 5, 4, 3, 2, 1}));
    EXPECT_EQ(TlpRequester::LoadLe(b, 8), 0x0102030405060708ULL);
    EXPECT_EQ(TlpRequester::LoadLe(b, 3), 0x060708ULL);
    TlpRequester::StoreLe(b, 4, ~uint64_t(0));
    EXPECT_EQ(TlpRequester::LoadLe(b, 4), 0xFFFFFFFFULL);
}

TEST(TlpRequester, ByteEnablesAndPaddingOfSmallWrites)
{
    // Sizes 1, 2, 3 at each offset in a DW and across a DW boundary: expected
    // Length, First and Last DW BE from PCIe 2.2.5, the payload padded with zeros.
    struct Case
    {
        uint64_t address;
        uint32_t size;
        uint32_t length;
        uint8_t firstBe;
        uint8_t lastBe;
    };

    const Case cases[] = {{0x100, 1, 1, 0x1, 0x0},
                          {0x101, 1, 1, 0x2, 0x0},
                          {0x103, 1, 1, 0x8, 0x0},
                          {0x100, 2, 1, 0x3, 0x0},
                          {0x102, 2, 1, 0xC, 0x0},
                          {0x103, 2, 2, 0x8, 0x1},
                          {0x101, 3, 1, 0xE, 0x0},
                          {0x102, 3, 2, 0xC, 0x1},
                          {0x103, 3, 2, 0x8, 0x3}};
    for (const Case& c : cases)
    {
        Bench b;
        b.Background(0x100, 16);
        std::vector<uint8_t> data = Pattern(c.size, static_cast<uint32_t>(c.address));
        b.requester->Write(c.address, data.data(), c.size, b.Done());
        Simulator::Run();
        ASSERT_EQ(b.sent.size(), 1u);
        const TlpHeader& h = b.sent[0];
        EXPECT_EQ(h.GetKind(), TlpHeader::MEM_WRITE);
        EXPECT_EQ(h.GetAddress(), c.address & ~uint64_t(3));
        EXPECT_EQ(h.GetLengthDw(), c.length) << c.address << "+" << c.size;
        EXPECT_EQ(h.GetFirstByteEnable(), c.firstBe) << c.address << "+" << c.size;
        EXPECT_EQ(h.GetLastByteEnable(), c.lastBe) << c.address << "+" << c.size;
        // Payload: the bytes at their place in the DWs, zeros around them.
        std::vector<uint8_t> payload(4 * c.length, 0);
        std::copy(data.begin(), data.end(), payload.begin() + (c.address & 3));
        const std::vector<uint8_t>& bytes = b.payloads[0];
        EXPECT_EQ(std::vector<uint8_t>(bytes.end() - 4 * c.length, bytes.end()), payload);
        // Memory: exactly those bytes changed.
        std::vector<uint8_t> expected(16, Bench::BACKGROUND);
        std::copy(data.begin(), data.end(), expected.begin() + (c.address - 0x100));
        EXPECT_EQ(b.Image(0x100, 16), expected) << c.address << "+" << c.size;
        ASSERT_EQ(b.results.size(), 1u);
        EXPECT_EQ(b.results[0].status, TlpHeader::SC);
    }
}

TEST(TlpRequester, ZerosAndOnesOverwriteWhatWasThere)
{
    // Bytes of 0 and -1 (0xff) are data like any other: each lands, the bytes around
    // them keep the background, and a read returns them.
    for (uint8_t value : {uint8_t(0x00), uint8_t(0xFF)})
    {
        for (uint32_t size : {1u, 3u, 4097u})
        {
            Bench b(128, 128, 128);
            b.Background(0x6000, 8192);
            std::vector<uint8_t> data(size, value);
            b.requester->Write(0x6003, data.data(), size, b.Done());
            b.requester->Read(0x6003, size, b.Done());
            Simulator::Run();
            std::vector<uint8_t> expected(8192, Bench::BACKGROUND);
            std::fill(expected.begin() + 3, expected.begin() + 3 + size, value);
            EXPECT_EQ(b.Image(0x6000, 8192), expected) << int(value) << " " << size;
            ASSERT_EQ(b.results.size(), 2u);
            EXPECT_EQ(b.results[1].data, data);
        }
    }
}

TEST(TlpRequester, WritesAndReadsOfAnySizeAndAlignment)
{
    // MPS/MRRS 128 and 4096; sizes 1, 2, 3, 4097 and more at odd alignments. Every
    // request stays inside one naturally aligned MPS (MRRS) block; the requests
    // cover the range in order; the memory image and the data read match byte
    // for byte, the bytes around the range untouched.
    for (uint32_t max : {128u, 4096u})
    {
        for (uint32_t size : {1u, 2u, 3u, 127u, 129u, 4097u, 9000u})
        {
            for (uint64_t address : {uint64_t(0x2000), uint64_t(0x2001), uint64_t(0x2FFF)})
            {
                Bench b(max, max, max); // the memory takes writes up to its MPS
                b.Background(address - 8, size + 16);
                std::vector<uint8_t> data = Pattern(size, static_cast<uint32_t>(address + size));
                b.requester->Write(address, data.data(), size, b.Done());
                b.requester->Read(address, size, b.Done());
                Simulator::Run();
                std::string what = std::to_string(max) + " " + std::to_string(address) + "+" +
                                   std::to_string(size);
                ASSERT_EQ(b.results.size(), 2u) << what;
                EXPECT_EQ(b.results[0].status, TlpHeader::SC) << what;
                EXPECT_EQ(b.results[1].status, TlpHeader::SC) << what;
                EXPECT_EQ(b.results[1].data, data) << what;
                // The data, and the background untouched on either side.
                std::vector<uint8_t> image = b.Image(address - 8, size + 16);
                ASSERT_EQ(image.size(), size + 16) << what;
                EXPECT_EQ(std::vector<uint8_t>(image.begin() + 8, image.end() - 8), data) << what;
                EXPECT_EQ(std::count(image.begin(), image.begin() + 8, Bench::BACKGROUND), 8)
                    << what;
                EXPECT_EQ(std::count(image.end() - 8, image.end(), Bench::BACKGROUND), 8) << what;
                // Requests in order, writes first.
                uint64_t next[2] = {address, address};
                uint32_t tlps[2] = {0, 0};
                for (const TlpHeader& h : b.sent)
                {
                    int read = h.GetKind() == TlpHeader::MEM_READ;
                    uint64_t first = h.GetFirstByteAddress();
                    uint32_t bytes = h.GetEnabledBytes();
                    EXPECT_EQ(first, next[read]) << what;
                    EXPECT_GE(bytes, 1u);
                    EXPECT_LE(bytes, max);
                    EXPECT_EQ(first / max, (first + bytes - 1) / max) << what;
                    EXPECT_EQ(first / 4096, (first + bytes - 1) / 4096) << what;
                    next[read] += bytes;
                    tlps[read]++;
                }
                EXPECT_EQ(next[0], address + size);
                EXPECT_EQ(next[1], address + size);
                // As many requests as MPS blocks the range touches.
                uint32_t blocks =
                    static_cast<uint32_t>((address + size - 1) / max - address / max + 1);
                EXPECT_EQ(tlps[0], blocks) << what;
                EXPECT_EQ(tlps[1], blocks) << what;
                const TlpRequester::Statistics& s = b.requester->GetStatistics();
                EXPECT_EQ(s.tlpsSent, 2u * blocks);
                EXPECT_EQ(s.bytesWritten, size);
                EXPECT_EQ(s.bytesRead, size);
                EXPECT_EQ(s.operationsDone, 2u);
                EXPECT_EQ(s.errors, 0u);
                EXPECT_EQ(s.unexpected, 0u);
                EXPECT_EQ(b.requester->GetPendingOperations(), 0u);
            }
        }
    }
}

TEST(TlpRequester, SplitCompletionsAreReassembled)
{
    // MRRS 4096 against a memory of MPS 128 (RCB 64): a 4097-byte read at 0x3FFF is
    // one MRd of 1 byte and one of 4096, answered by 1 + 32 completions.
    Bench b(256, 4096, 128);
    std::vector<uint8_t> data = Pattern(4097, 5);
    b.memory->GetStore().Write(0x3FFF, data.data(), 4097);
    b.requester->Read(0x3FFF, 4097, b.Done());
    Simulator::Run();
    EXPECT_EQ(Ranges(b.sent),
              (std::vector<std::pair<uint64_t, uint32_t>>{{0x3FFF, 1}, {0x4000, 4096}}));
    EXPECT_EQ(b.completions.size(), 33u);
    uint32_t remaining = 4096;
    for (size_t i = 1; i < b.completions.size(); ++i)
    {
        EXPECT_EQ(b.completions[i].GetByteCount(), remaining);
        EXPECT_EQ(b.completions[i].GetLowerAddress(), (4096 - remaining) & 0x7F);
        remaining -= b.completions[i].GetDataSize();
    }
    EXPECT_EQ(remaining, 0u);
    ASSERT_EQ(b.results.size(), 1u);
    EXPECT_EQ(b.results[0].status, TlpHeader::SC);
    EXPECT_EQ(b.results[0].data, data);
    EXPECT_EQ(b.requester->GetStatistics().completions, 33u);
}

TEST(TlpRequester, DataCallbackGetsTheBytesAsTheyArrive)
{
    Bench b(256, 256, 128);
    std::vector<uint8_t> data = Pattern(600, 9);
    b.memory->GetStore().Write(0x5003, data.data(), 600);
    std::vector<uint8_t> streamed(600, 0);
    uint32_t pieces = 0;

    struct Sink
    {
        std::vector<uint8_t>* out;
        uint32_t* pieces;

        void Data(uint64_t op, uint32_t offset, const uint8_t* bytes, uint32_t n)
        {
            std::copy(bytes, bytes + n, out->begin() + offset);
            (*pieces)++;
        }
    } sink{&streamed, &pieces};

    b.requester->Read(0x5003, 600, b.Done(), MakeCallback(&Sink::Data, &sink));
    Simulator::Run();
    ASSERT_EQ(b.results.size(), 1u);
    EXPECT_TRUE(b.results[0].data.empty());
    EXPECT_EQ(streamed, data);
    EXPECT_EQ(pieces, b.completions.size());
    EXPECT_GT(pieces, 3u);
}

TEST(TlpRequester, AtomicOpsWithLittleEndianOperands)
{
    Bench b;
    b.Background(0x7000, 64);
    // 0 and -1 at 4 and 8 bytes: FetchAdd wraps at the operand size.
    uint8_t init[16];
    TlpRequester::StoreLe(init, 8, 0xFFFFFFFFFFFFFFFFULL);
    b.memory->GetStore().Write(0x7000, init, 8); // -1 (8 bytes)
    TlpRequester::StoreLe(init, 4, 0);
    b.memory->GetStore().Write(0x7008, init, 4);                     // 0 (4 bytes)
    b.requester->FetchAdd(0x7000, 1, 8, b.Done());                   // -1 + 1 = 0
    b.requester->FetchAdd(0x7008, ~uint64_t(0), 4, b.Done());        // 0 + -1 = 0xFFFFFFFF
    b.requester->Swap(0x7010, 0x1122334455667788ULL, 8, b.Done());   // EE.. -> value
    b.requester->CompareAndSwap(0x7018, 0xEEEEEEEE, 7, 4, b.Done()); // matches
    b.requester->CompareAndSwap(0x701C, 0, 7, 4, b.Done());          // does not
    b.requester->CompareAndSwap(0x7020, 0xEEEEEEEEEEEEEEEEULL, 1, 16, b.Done()); // 16 B
    Simulator::Run();
    ASSERT_EQ(b.results.size(), 6u);
    for (const auto& r : b.results)
    {
        EXPECT_EQ(r.status, TlpHeader::SC) << r.id;
    }
    EXPECT_EQ(b.results[0].data, std::vector<uint8_t>(8, 0xFF));
    EXPECT_EQ(b.results[1].data, std::vector<uint8_t>(4, 0x00));
    EXPECT_EQ(b.results[2].data, std::vector<uint8_t>(8, 0xEE));
    EXPECT_EQ(b.results[3].data, std::vector<uint8_t>(4, 0xEE));
    EXPECT_EQ(b.results[4].data, std::vector<uint8_t>(4, 0xEE));
    EXPECT_EQ(b.results[5].data, std::vector<uint8_t>(16, 0xEE));
    // 16-byte CAS: the compare value 0xEE..EE zero-extended does not match.
    std::vector<uint8_t> expected =
        Hex("00000000 00000000 ffffffff eeeeeeee 88776655 44332211 07000000 eeeeeeee"
            "eeeeeeee eeeeeeee eeeeeeee eeeeeeee eeeeeeee eeeeeeee eeeeeeee eeeeeeee");
    EXPECT_EQ(b.Image(0x7000, 64), expected) << ToHex(b.Image(0x7000, 64));
    // The TLPs: one AtomicOp each, Length = operand DWs (CAS: two operands).
    ASSERT_EQ(b.sent.size(), 6u);
    EXPECT_EQ(b.sent[0].GetKind(), TlpHeader::FETCH_ADD);
    EXPECT_EQ(b.sent[0].GetLengthDw(), 2u);
    EXPECT_EQ(b.sent[1].GetLengthDw(), 1u);
    EXPECT_EQ(b.sent[2].GetKind(), TlpHeader::SWAP);
    EXPECT_EQ(b.sent[3].GetKind(), TlpHeader::CAS);
    EXPECT_EQ(b.sent[3].GetLengthDw(), 2u);
    EXPECT_EQ(b.sent[5].GetLengthDw(), 8u);
    // Operands little-endian after the header: Swap's value, CAS compare then swap.
    const std::vector<uint8_t>& swap = b.payloads[2];
    EXPECT_EQ(std::vector<uint8_t>(swap.end() - 8, swap.end()), Hex("8877665544332211"));
    const std::vector<uint8_t>& cas = b.payloads[3];
    EXPECT_EQ(std::vector<uint8_t>(cas.end() - 8, cas.end()), Hex("eeeeeeee 07000000"));
}

TEST(TlpRequester, MisalignedAtomicOpsAreRefusedBeforeAnyTlp)
{
    Bench b;
    b.Background(0x1000, 32);
    uint8_t ops[32] = {1};
    b.requester->FetchAdd(0x1002, 1, 4, b.Done());                   // misaligned
    b.requester->FetchAdd(0x1004, 1, 8, b.Done());                   // misaligned
    b.requester->Swap(0x1001, 0, 4, b.Done());                       // misaligned
    b.requester->CompareAndSwap(0x1008, 0, 1, 16, b.Done());         // misaligned (16)
    b.requester->FetchAdd(0x1000, 1, 2, b.Done());                   // bad size
    b.requester->Atomic(TlpHeader::SWAP, 0x1000, 16, ops, b.Done()); // bad size (16 not CAS)
    b.requester->Atomic(TlpHeader::CAS, 0x1000, 32, ops, b.Done());  // bad size
    b.requester->FetchAdd(0x1000, 0, 0, b.Done());                   // bad size
    Simulator::Run();
    EXPECT_TRUE(b.sent.empty());
    EXPECT_EQ(b.Image(0x1000, 32), std::vector<uint8_t>(32, Bench::BACKGROUND));
    ASSERT_EQ(b.results.size(), 8u);
    const uint8_t m = TlpRequester::STATUS_MISALIGNED;
    const uint8_t z = TlpRequester::STATUS_BAD_SIZE;
    std::vector<uint8_t> statuses;
    for (const auto& r : b.results)
    {
        statuses.push_back(r.status);
        EXPECT_TRUE(r.data.empty());
    }
    EXPECT_EQ(statuses, (std::vector<uint8_t>{m, m, m, m, z, z, z, z}));
    EXPECT_EQ(b.results[0].address, 0x1002u);
    EXPECT_EQ(b.results[0].size, 4u);
    EXPECT_EQ(b.results[0].kind, TlpRequester::OP_FETCH_ADD);
    EXPECT_EQ(b.requester->GetStatistics().refused, 8u);
    EXPECT_EQ(b.requester->GetStatistics().errors, 8u);
    EXPECT_EQ(TlpRequester::StatusToString(m), "misaligned");
    EXPECT_EQ(TlpRequester::StatusToString(z), "bad operand size");
    EXPECT_EQ(TlpRequester::StatusToString(TlpRequester::STATUS_TIMEOUT), "timeout");
    EXPECT_EQ(TlpRequester::StatusToString(TlpHeader::CA),
              TlpHeader::StatusToString(TlpHeader::CA));
    // The aligned neighbours go through.
    b.results.clear();
    b.requester->FetchAdd(0x1000, 1, 4, b.Done());
    b.requester->CompareAndSwap(0x1010, 0xEEEEEEEEEEEEEEEEULL, 5, 8, b.Done());
    Simulator::Run();
    ASSERT_EQ(b.results.size(), 2u);
    EXPECT_EQ(b.results[0].status, TlpHeader::SC);
    EXPECT_EQ(b.results[1].status, TlpHeader::SC);
    EXPECT_EQ(b.Image(0x1000, 8), Hex("efeeeeee eeeeeeee"));
    EXPECT_EQ(b.Image(0x1010, 8), Hex("05000000 00000000"));
}

TEST(TlpRequester, TagsAndCompletionTimeoutAreAttributes)
{
    Bench b;
    b.requester->SetAttribute("Tags", UintegerValue(2));
    b.requester->SetAttribute("CompletionTimeout", TimeValue(MicroSeconds(3)));
    // A device that claims a range and never answers.
    Probe sink(AttachEndpoint(b.rc, "sink"));
    sink.Port()->ClaimAddressRange(0x100000000000ULL, 0x1000);
    for (int i = 0; i < 6; ++i)
    {
        b.requester->Read(0x100000000000ULL + 64 * i, 64, b.Done());
    }
    EXPECT_EQ(b.requester->GetOutstanding(), 2u);
    Simulator::Run();
    ASSERT_EQ(b.results.size(), 6u);
    std::set<uint16_t> tags;
    for (const TlpHeader& h : b.sent)
    {
        tags.insert(h.GetTag());
    }
    EXPECT_EQ(tags, (std::set<uint16_t>{0, 1}));
    for (const auto& r : b.results)
    {
        EXPECT_EQ(r.status, TlpRequester::STATUS_TIMEOUT);
    }
    EXPECT_EQ(b.results[0].latency, MicroSeconds(3));
    EXPECT_EQ(b.requester->GetStatistics().timeouts, 6u);
    // A timed-out tag rests 50 ms (TagQuarantine's default) before it is used again.
    EXPECT_GE(Simulator::Now(), MilliSeconds(100));
    EXPECT_EQ(sink.received.size(), 6u);
}

TEST(TlpRequesterDeathTest, BadConfiguration)
{
    for (uint32_t v : {0u, 64u, 100u, 200u, 384u, 8192u})
    {
        std::string s = std::to_string(v);
        EXPECT_DEATH(CreateObject<TlpRequester>()->SetAttribute("MaxPayloadSize", UintegerValue(v)),
                     "TlpRequester: attribute MaxPayloadSize=" + s +
                         " must be a power of two in 128..4096 bytes");
        EXPECT_DEATH(
            CreateObject<TlpRequester>()->SetAttribute("MaxReadRequestSize", UintegerValue(v)),
            "TlpRequester: attribute MaxReadRequestSize=" + s + " must be a power of two");
    }
    EXPECT_DEATH(CreateObject<TlpRequester>()->SetAttribute("Tags", UintegerValue(0)),
                 "attribute Tags=0 must be in 1..768");
    EXPECT_DEATH(CreateObject<TlpRequester>()->SetAttribute("Tags", UintegerValue(769)),
                 "attribute Tags=769 must be in 1..768");
    EXPECT_DEATH(
        {
            Bench b;
            b.requester->Read(0x0, 4, b.Done());
            b.requester->SetAttribute("Tags", UintegerValue(8));
        },
        "attribute Tags=8 cannot change after the first request");
    EXPECT_DEATH(
        {
            Ptr<TlpRequester> r = CreateObject<TlpRequester>();
            r->Read(0x0, 4, TlpRequester::DoneCallback());
        },
        "operation without a send callback");
}
