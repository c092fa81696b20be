/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * ECRC: digests computed independently (Python's zlib.crc32 over the TLP with
 * Type[0] and EP set, packed little-endian), the residue property, and the
 * packet-level helpers.
 */

#include "tlp-test-util.h"

#include "ns3/tlp-ecrc-trailer.h"
#include "ns3/tlp-header.h"

#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::tlptest;

TEST(TlpEcrc, KnownVectors)
{
    // MWr32, 1 DW at 0x10, TD=1, data de ad be ef.
    std::vector<uint8_t> mwr = Hex("40008001 0010000f 00000010 deadbeef");
    EXPECT_EQ(TlpEcrcTrailer::Calculate(mwr.data(), mwr.size()), 0x3F860D76u);
    // CplD with 64 data bytes 00..3f.
    std::vector<uint8_t> cpld = Hex("4a008010 00010040 00100540");
    for (uint8_t i = 0; i < 64; ++i)
    {
        cpld.push_back(i);
    }
    EXPECT_EQ(TlpEcrcTrailer::Calculate(cpld.data(), cpld.size()), 0x8CA6BD76u);
}

TEST(TlpEcrc, AppendedLittleEndianAndResidue)
{
    TlpHeader h = TlpHeader::MakeMemWrite(0x10, 4, 0x0010, 0);
    h.SetDigest(true);
    uint8_t data[4] = {0xde, 0xad, 0xbe, 0xef};
    Ptr<Packet> p = Create<Packet>(data, 4);
    p->AddHeader(h);
    TlpEcrcTrailer::Append(p);
    std::vector<uint8_t> bytes = Bytes(p);
    EXPECT_EQ(ToHex(bytes), ToHex(Hex("40008001 0010000f 00000010 deadbeef 760d863f")));
    EXPECT_EQ(TlpEcrcTrailer::Calculate(bytes.data(), bytes.size()), TlpEcrcTrailer::RESIDUE);
    EXPECT_TRUE(TlpEcrcTrailer::Verify(p));
}

TEST(TlpEcrc, VariantBitsDoNotChangeTheDigest)
{
    // Type[0] and EP are taken as 1: flipping them keeps the digest valid.
    std::vector<uint8_t> bytes = Hex("40008001 0010000f 00000010 deadbeef 760d863f");
    bytes[2] |= 0x40; // poison on the way, as a switch may
    Ptr<Packet> p = Create<Packet>(bytes.data(), bytes.size());
    EXPECT_TRUE(TlpEcrcTrailer::Verify(p));
}

TEST(TlpEcrc, EveryCorruptedBitIsDetected)
{
    std::vector<uint8_t> good = Hex("4a008010 00010040 00100540");
    for (uint8_t i = 0; i < 64; ++i)
    {
        good.push_back(static_cast<uint8_t>(i * 7));
    }
    uint32_t digest = TlpEcrcTrailer::Calculate(good.data(), good.size());
    for (int i = 0; i < 4; ++i)
    {
        good.push_back(static_cast<uint8_t>(digest >> (8 * i)));
    }
    for (size_t bit = 0; bit < good.size() * 8; ++bit)
    {
        std::vector<uint8_t> bad = good;
        bad[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
        bool variant = (bit / 8 == 0 && bit % 8 == 0) || (bit / 8 == 2 && bit % 8 == 6);
        Ptr<Packet> p = Create<Packet>(bad.data(), bad.size());
        EXPECT_EQ(TlpEcrcTrailer::Verify(p), variant) << "bit " << bit;
    }
}

TEST(TlpEcrc, RecomputeAfterAddressEdit)
{
    TlpHeader h = TlpHeader::MakeMemWrite(0x1000, 8, 0x0010, 0);
    h.SetDigest(true);
    Ptr<Packet> p = Create<Packet>(8);
    p->AddHeader(h);
    TlpEcrcTrailer::Append(p);
    // Edit the address in place: the old digest no longer matches...
    TlpEcrcTrailer digest;
    p->RemoveTrailer(digest);
    TlpHeader edited;
    p->RemoveHeader(edited);
    edited.SetAddress(0x2000);
    p->AddHeader(edited);
    p->AddTrailer(digest);
    EXPECT_FALSE(TlpEcrcTrailer::Verify(p));
    // ... until it is recomputed.
    TlpEcrcTrailer::Recompute(p);
    EXPECT_TRUE(TlpEcrcTrailer::Verify(p));
    EXPECT_EQ(p->GetSize(), 12u + 8u + 4u);
}

TEST(TlpEcrc, ShortInputIsNotVerified)
{
    uint8_t three[3] = {1, 2, 3};
    EXPECT_FALSE(TlpEcrcTrailer::Verify(Create<Packet>(three, 3)));
    EXPECT_FALSE(TlpEcrcTrailer::Verify(Create<Packet>()));
}
