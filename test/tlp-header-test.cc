/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TlpHeader against byte vectors worked out by hand from the PCI Express Base
 * Specification, section 2.2 (DW0 first, each DW big-endian), for every TLP kind,
 * then round trips and malformed input.
 */

#include "tlp-test-util.h"

#include "ns3/tlp-header.h"

#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

/// Parse bytes with TlpHeader; returns bytes consumed.
uint32_t
Parse(const std::vector<uint8_t>& bytes, TlpHeader& h)
{
    Ptr<Packet> p = Create<Packet>(bytes.data(), bytes.size());
    return p->PeekHeader(h);
}

/// Serialize, compare with the expected bytes, parse back and serialize again.
void
ExpectWire(const TlpHeader& h, const std::string& expected)
{
    std::vector<uint8_t> want = Hex(expected);
    std::vector<uint8_t> got = Serialize(h);
    EXPECT_EQ(ToHex(got), ToHex(want));
    TlpHeader back;
    ASSERT_EQ(Parse(want, back), want.size())
        << TlpHeader::ParseErrorToString(back.GetParseError());
    EXPECT_EQ(ToHex(Serialize(back)), ToHex(want));
    EXPECT_EQ(back.GetKind(), h.GetKind());
}

} // namespace

TEST(TlpHeader, MemRead32)
{
    // Fmt 000 Type 00000; Length 4; RID 01:00.0, tag 0x2a, BEs 0xf/0xf; address.
    TlpHeader h = TlpHeader::MakeMemRead(0x12345678, 16, 0x0100, 0x2A);
    EXPECT_FALSE(h.Is4Dw());
    EXPECT_EQ(h.GetLengthDw(), 4u);
    EXPECT_EQ(h.GetEnabledBytes(), 16u);
    ExpectWire(h, "00000004 01002aff 12345678");
}

TEST(TlpHeader, MemRead64)
{
    // At or above 4 GiB the 4DW format (Fmt 001) carries the upper address in DW2.
    TlpHeader h = TlpHeader::MakeMemRead(0x100000004ULL, 4, 0x0010, 0x05);
    EXPECT_TRUE(h.Is4Dw());
    EXPECT_EQ(h.GetFirstByteEnable(), 0xF);
    EXPECT_EQ(h.GetLastByteEnable(), 0x0); // a 1-DW request has Last BE 0
    ExpectWire(h, "20000001 0010050f 00000001 00000004");
}

TEST(TlpHeader, MemWriteUnalignedWithTrafficClass)
{
    // Six bytes at 0x1003 span DWs 0x1000..0x1008: Length 3, First BE 1000b,
    // Last BE 0001b; TC 3 sits in DW0 bits 22:20.
    TlpHeader h = TlpHeader::MakeMemWrite(0x1003, 6, 0x0004, 0);
    h.SetTrafficClass(3);
    EXPECT_EQ(h.GetLengthDw(), 3u);
    EXPECT_EQ(h.GetFirstByteEnable(), 0x8);
    EXPECT_EQ(h.GetLastByteEnable(), 0x1);
    EXPECT_EQ(h.GetFirstByteAddress(), 0x1003u);
    EXPECT_EQ(h.GetEnabledBytes(), 6u);
    EXPECT_EQ(h.GetDataSize(), 12u);
    ExpectWire(h, "40300003 00040018 00001000");
}

TEST(TlpHeader, MemWrite64WithAttributes)
{
    // Attr = IDO|RO: Attr[2] is DW0 bit 18, Attr[1:0] bits 13:12.
    TlpHeader h = TlpHeader::MakeMemWrite(0x0000100000000040ULL, 64, 0x0010, 0);
    h.SetAttributes(0x6);
    ExpectWire(h, "60042010 001000ff 00001000 00000040");
}

TEST(TlpHeader, MemWriteMaxLength)
{
    // 1024 DW are encoded as Length 0.
    TlpHeader h = TlpHeader::MakeMemWrite(0, 4096, 0x0010, 0);
    EXPECT_EQ(h.GetLengthDw(), 1024u);
    EXPECT_EQ(h.GetDataSize(), 4096u);
    ExpectWire(h, "40000000 001000ff 00000000");
}

TEST(TlpHeader, DigestPoisonAddressType)
{
    // TD is DW0 bit 15, EP bit 14, AT bits 11:10.
    TlpHeader h = TlpHeader::MakeMemWrite(0x10, 4, 0x0010, 0);
    h.SetDigest(true);
    h.SetPoisoned(true);
    h.SetAddressType(2);
    ExpectWire(h, "4000c801 0010000f 00000010");
}

TEST(TlpHeader, TenBitTag)
{
    // Tag bit 9 is DW0 bit 23 (T9), bit 8 is DW0 bit 19 (T8).
    TlpHeader h = TlpHeader::MakeMemRead(0x100, 4, 0x0010, 0x3A5);
    ExpectWire(h, "00880001 0010a50f 00000100");
    TlpHeader back;
    Parse(Hex("00880001 0010a50f 00000100"), back);
    EXPECT_EQ(back.GetTag(), 0x3A5);
}

TEST(TlpHeader, CompletionWithData)
{
    TlpHeader h = TlpHeader::MakeCompletion(TlpHeader::SC, 0x0001, 0x0010, 0x05, 64, 0x40, 16);
    EXPECT_EQ(h.GetKind(), TlpHeader::COMPLETION_DATA);
    ExpectWire(h, "4a000010 00010040 00100540");
}

TEST(TlpHeader, CompletionUnsupportedRequest)
{
    TlpHeader h = TlpHeader::MakeCompletion(TlpHeader::UR, 0x0003, 0x0010, 0x07, 4, 0, 0);
    EXPECT_EQ(h.GetKind(), TlpHeader::COMPLETION);
    EXPECT_EQ(h.GetDataSize(), 0u);
    ExpectWire(h, "0a000000 00032004 00100700");
}

TEST(TlpHeader, CompletionAbortBcmAndFullByteCount)
{
    // Status CA = 100b, BCM DW1 bit 12, Byte Count 4096 encoded as 0.
    TlpHeader h = TlpHeader::MakeCompletion(TlpHeader::CA, 0x0102, 0xABCD, 0xFF, 4096, 0x7F, 0);
    h.SetBcm(true);
    ExpectWire(h, "0a000000 01029000 abcdff7f");
    TlpHeader back;
    Parse(Hex("0a000000 01029000 abcdff7f"), back);
    EXPECT_EQ(back.GetByteCount(), 4096u);
    EXPECT_EQ(back.GetStatus(), TlpHeader::CA);
    EXPECT_TRUE(back.GetBcm());
    EXPECT_EQ(back.GetLowerAddress(), 0x7F);
}

TEST(TlpHeader, AtomicOps)
{
    // FetchAdd 0x4c, Swap 0x6d (4DW), CAS 0x4e; byte enables reserved (0).
    ExpectWire(TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x2000, 8, 0x0010, 0x01),
               "4c000002 00100100 00002000");
    ExpectWire(TlpHeader::MakeAtomic(TlpHeader::SWAP, 0x100000000ULL, 4, 0x0010, 0x02),
               "6d000001 00100200 00000001 00000000");
    TlpHeader cas = TlpHeader::MakeAtomic(TlpHeader::CAS, 0x3000, 8, 0x0010, 0x03);
    EXPECT_EQ(cas.GetDataSize(), 16u); // compare and swap values
    EXPECT_TRUE(cas.IsAtomic());
    EXPECT_FALSE(cas.IsPosted());
    ExpectWire(cas, "4e000004 00100300 00003000");
}

TEST(TlpHeader, ConfigurationAndMessage)
{
    TlpHeader cfg;
    cfg.SetKind(TlpHeader::CFG_READ0);
    cfg.SetLengthDw(1);
    cfg.SetRequesterId(0x0000);
    cfg.SetTag(1);
    cfg.SetFirstByteEnable(0xF);
    cfg.SetCompleterId(0x0100);
    cfg.SetRegister(0x104); // extended register 0x4, register 0x04
    ExpectWire(cfg, "04000001 0000010f 01000410");

    // Message to the root complex (routing 000b): always 4DW, Length reserved.
    TlpHeader msg;
    msg.SetKind(TlpHeader::MESSAGE);
    msg.SetRequesterId(0x0010);
    msg.SetMessageCode(0x20); // Assert_INTA
    EXPECT_TRUE(msg.IsPosted());
    ExpectWire(msg, "30000000 00100020 00000000 00000000");
}

TEST(TlpHeader, KindTable)
{
    // Byte 0 of every TLP kind, from the Fmt/Type table of the specification.
    struct Row
    {
        uint8_t byte0;
        TlpHeader::Kind kind;
        bool posted;
        bool data;
    };

    const Row rows[] = {
        {0x00, TlpHeader::MEM_READ, false, false},
        {0x20, TlpHeader::MEM_READ, false, false},
        {0x01, TlpHeader::MEM_READ_LOCKED, false, false},
        {0x21, TlpHeader::MEM_READ_LOCKED, false, false},
        {0x40, TlpHeader::MEM_WRITE, true, true},
        {0x60, TlpHeader::MEM_WRITE, true, true},
        {0x02, TlpHeader::IO_READ, false, false},
        {0x42, TlpHeader::IO_WRITE, false, true},
        {0x04, TlpHeader::CFG_READ0, false, false},
        {0x44, TlpHeader::CFG_WRITE0, false, true},
        {0x05, TlpHeader::CFG_READ1, false, false},
        {0x45, TlpHeader::CFG_WRITE1, false, true},
        {0x30, TlpHeader::MESSAGE, true, false},
        {0x35, TlpHeader::MESSAGE, true, false},
        {0x70, TlpHeader::MESSAGE_DATA, true, true},
        {0x0A, TlpHeader::COMPLETION, false, false},
        {0x4A, TlpHeader::COMPLETION_DATA, false, true},
        {0x0B, TlpHeader::COMPLETION_LOCKED, false, false},
        {0x4B, TlpHeader::COMPLETION_DATA_LOCKED, false, true},
        {0x4C, TlpHeader::FETCH_ADD, false, true},
        {0x6C, TlpHeader::FETCH_ADD, false, true},
        {0x4D, TlpHeader::SWAP, false, true},
        {0x6D, TlpHeader::SWAP, false, true},
        {0x4E, TlpHeader::CAS, false, true},
        {0x6E, TlpHeader::CAS, false, true},
    };
    for (const Row& row : rows)
    {
        std::vector<uint8_t> bytes(16, 0);
        bytes[0] = row.byte0;
        bytes[3] = 1;
        TlpHeader h;
        ASSERT_EQ(Parse(bytes, h), (row.byte0 & 0x20) ? 16u : 12u) << std::hex << +row.byte0;
        EXPECT_EQ(h.GetKind(), row.kind) << std::hex << +row.byte0;
        EXPECT_EQ(h.IsPosted(), row.posted) << std::hex << +row.byte0;
        EXPECT_EQ(h.HasData(), row.data) << std::hex << +row.byte0;
        EXPECT_EQ(h.GetFmtType(), row.byte0);
    }
}

TEST(TlpHeader, RoundTripAllFields)
{
    // Every field at a non-default value survives serialize/deserialize.
    TlpHeader h = TlpHeader::MakeMemWrite(0xFEDCBA9876543210ULL, 4000, 0xBEEF, 0x2C3);
    h.SetTrafficClass(5);
    h.SetAttributes(5);
    h.SetDigest(true);
    h.SetPoisoned(true);
    h.SetProcessingHint(true);
    h.SetPh(2);
    h.SetLightweightNotification(true);
    h.SetAddressType(1);
    std::vector<uint8_t> bytes = Serialize(h);
    ASSERT_EQ(bytes.size(), 16u);
    TlpHeader b;
    ASSERT_EQ(Parse(bytes, b), 16u);
    EXPECT_EQ(b.GetAddress(), 0xFEDCBA9876543210ULL);
    EXPECT_EQ(b.GetRequesterId(), 0xBEEF);
    EXPECT_EQ(b.GetTag(), 0x2C3);
    EXPECT_EQ(b.GetTrafficClass(), 5);
    EXPECT_EQ(b.GetAttributes(), 5);
    EXPECT_TRUE(b.HasDigest());
    EXPECT_TRUE(b.IsPoisoned());
    EXPECT_TRUE(b.HasProcessingHint());
    EXPECT_EQ(b.GetPh(), 2);
    EXPECT_TRUE(b.GetLightweightNotification());
    EXPECT_EQ(b.GetAddressType(), 1);
    EXPECT_EQ(b.GetLengthDw(), h.GetLengthDw());
    EXPECT_EQ(b.GetFirstByteEnable(), h.GetFirstByteEnable());
    EXPECT_EQ(b.GetLastByteEnable(), h.GetLastByteEnable());
    EXPECT_EQ(b.GetEnabledBytes(), 4000u);
}

TEST(TlpHeader, ByteEnables)
{
    uint8_t first;
    uint8_t last;
    EXPECT_EQ(TlpHeader::ByteEnables(0x0, 1, first, last), 1u);
    EXPECT_EQ(first, 0x1);
    EXPECT_EQ(last, 0x0);
    EXPECT_EQ(TlpHeader::ByteEnables(0x1, 2, first, last), 1u);
    EXPECT_EQ(first, 0x6); // bytes 1 and 2 of one DW
    EXPECT_EQ(TlpHeader::ByteEnables(0x3, 2, first, last), 2u);
    EXPECT_EQ(first, 0x8);
    EXPECT_EQ(last, 0x1);
    EXPECT_EQ(TlpHeader::ByteEnables(0x0, 0, first, last), 1u); // zero-length read
    EXPECT_EQ(first, 0x0);
    EXPECT_EQ(last, 0x0);
    EXPECT_EQ(TlpHeader::ByteEnables(0xFFC, 8, first, last), 2u);
    EXPECT_EQ(first, 0xF);
    EXPECT_EQ(last, 0xF);
}

TEST(TlpHeader, MalformedInputIsRejectedWithReason)
{
    TlpHeader h;
    std::vector<uint8_t> good = Hex("20000001 0010050f 00000001 00000004");
    // Every truncation of a 4DW header, from 0 to 15 bytes, is refused.
    for (size_t n = 0; n < good.size(); ++n)
    {
        std::vector<uint8_t> cut(good.begin(), good.begin() + n);
        EXPECT_EQ(Parse(cut, h), 0u) << n;
        EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_TRUNCATED) << n;
    }
    EXPECT_EQ(Parse(Hex("80000000 00000000 00000000"), h), 0u);
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_PREFIX);
    EXPECT_EQ(Parse(Hex("a0000000 00000000 00000000 00000000"), h), 0u);
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_RESERVED_FMT);
    EXPECT_EQ(Parse(Hex("e0000000 00000000 00000000 00000000"), h), 0u);
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_RESERVED_FMT);
    EXPECT_EQ(Parse(Hex("03000001 00000000 00000000"), h), 0u); // Type 00011b
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_RESERVED_TYPE);
    EXPECT_EQ(Parse(Hex("1f000001 00000000 00000000 00000000"), h), 0u);
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_RESERVED_TYPE);
    EXPECT_EQ(Parse(Hex("2a000000 00000000 00000000 00000000"), h), 0u); // 4DW Cpl
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_BAD_FORMAT_SIZE);
    EXPECT_EQ(Parse(Hex("62000001 00000000 00000000 00000000"), h), 0u); // 4DW IOWr
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_BAD_FORMAT_SIZE);
    EXPECT_FALSE(TlpHeader::ParseErrorToString(TlpHeader::PARSE_TRUNCATED).empty());
    // After a failure, a good header parses and clears the error.
    EXPECT_EQ(Parse(good, h), 16u);
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_OK);
}

TEST(TlpHeader, ForbiddenByteEnablesAreRejectedWithReason)
{
    // PCI Express Base Specification 2.2.5: a request longer than 1 DW must not have
    // First DW BE (or Last DW BE) 0000b; a 1-DW request must have Last DW BE 0000b.
    TlpHeader h;
    EXPECT_EQ(Parse(Hex("00000002 001005f0 00001000"), h), 0u); // MRd 2 DW, First BE 0
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_FIRST_BE);
    EXPECT_EQ(Parse(Hex("40000004 001000f0 00001000"), h), 0u); // MWr 4 DW, First BE 0
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_FIRST_BE);
    EXPECT_EQ(Parse(Hex("00000001 001005ff 00001000"), h), 0u); // MRd 1 DW, Last BE f
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_LAST_BE);
    EXPECT_EQ(Parse(Hex("02000001 00100531 00000020"), h), 0u); // IORd, Last BE 3
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_LAST_BE);
    EXPECT_EQ(Parse(Hex("40000002 0010000f 00001000"), h), 0u); // MWr 2 DW, Last BE 0
    EXPECT_EQ(h.GetParseError(), TlpHeader::PARSE_LAST_BE);
    EXPECT_NE(TlpHeader::ParseErrorToString(TlpHeader::PARSE_FIRST_BE),
              TlpHeader::ParseErrorToString(TlpHeader::PARSE_LAST_BE));
    // Still accepted: a zero-length read (1 DW, both 0000b), sparse byte enables, a
    // 2-DW write with partial ends, an AtomicOp (its byte enables are reserved).
    EXPECT_EQ(Parse(Hex("00000001 00100500 00001000"), h), 12u);
    EXPECT_EQ(h.GetEnabledBytes(), 0u);
    EXPECT_EQ(Parse(Hex("00000001 00100505 00001000"), h), 12u);
    EXPECT_EQ(Parse(Hex("40000002 00100018 00001000"), h), 12u);
    EXPECT_EQ(Parse(Hex("4c000002 00100100 00002000"), h), 12u);
}

TEST(TlpHeader, UnsuccessfulCompletionsCarryTheOperandSize)
{
    // UR and CA completions: a read's byte count is what it asked for, an AtomicOp's
    // its operand size (2.2.9), anything else 4.
    struct Row
    {
        TlpHeader request;
        uint32_t byteCount;
    };

    const Row rows[] = {
        {TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x100, 8, 0x10, 1), 8},
        {TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x100, 4, 0x10, 1), 4},
        {TlpHeader::MakeAtomic(TlpHeader::SWAP, 0x100, 8, 0x10, 1), 8},
        {TlpHeader::MakeAtomic(TlpHeader::CAS, 0x100, 4, 0x10, 1), 4},
        {TlpHeader::MakeAtomic(TlpHeader::CAS, 0x100, 8, 0x10, 1), 8},
        {TlpHeader::MakeAtomic(TlpHeader::CAS, 0x100, 16, 0x10, 1), 16},
        {TlpHeader::MakeMemRead(0x103, 300, 0x10, 1), 300},
    };
    for (const Row& r : rows)
    {
        for (auto status : {TlpHeader::UR, TlpHeader::CA})
        {
            TlpHeader c = TlpHeader::MakeCompletionFor(r.request, status, 0x0003);
            EXPECT_EQ(c.GetByteCount(), r.byteCount)
                << TlpHeader::KindToString(r.request.GetKind());
            EXPECT_EQ(c.GetStatus(), status);
            EXPECT_EQ(c.GetKind(), TlpHeader::COMPLETION);
        }
    }
    TlpHeader io;
    io.SetKind(TlpHeader::IO_READ);
    io.SetFirstByteEnable(0xF);
    EXPECT_EQ(TlpHeader::MakeCompletionFor(io, TlpHeader::UR, 3).GetByteCount(), 4u);
}

TEST(TlpHeader, PrintShowsEveryField)
{
    TlpHeader h = TlpHeader::MakeMemWrite(0x0000100000000040ULL, 64, 0x0010, 0x21);
    std::ostringstream os;
    h.Print(os);
    std::string text = os.str();
    for (const char* part : {"MWr64",
                             "fmt_type=0x60",
                             "len=16DW",
                             "requester_id=0x0010",
                             "tag=0x021",
                             "first_be=0xf",
                             "last_be=0xf",
                             "address=0x0000100000000040",
                             "td=0",
                             "ep=0",
                             "tc=0",
                             "attr=0"})
    {
        EXPECT_NE(text.find(part), std::string::npos) << part << " in " << text;
    }
    TlpHeader c = TlpHeader::MakeCompletion(TlpHeader::UR, 0x0003, 0x0010, 7, 4, 0, 0);
    std::ostringstream oc;
    c.Print(oc);
    for (const char* part :
         {"Cpl ", "status=UR", "completer_id=0x0003", "byte_count=4", "lower_address=0x00"})
    {
        EXPECT_NE(oc.str().find(part), std::string::npos) << part << " in " << oc.str();
    }
}
