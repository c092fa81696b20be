/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TlpHeader::Deserialize on arbitrary bytes.
 *
 * Oracles:
 * - acceptance, header size and refusal reason equal those of a reference decoder
 *   written from the Fmt/Type table of the PCI Express Base Specification (2.2.1);
 * - every field the getters return equals the reference decoder's reading of the
 *   same bits;
 * - when accepted, Serialize() reproduces the consumed bytes bit for bit, except the
 *   bits the specification reserves and the class does not keep (which it writes as
 *   zero), and a second parse of that output agrees field for field;
 * - the derived values a receiver uses (data size, enabled bytes, first byte
 *   address, the UR completion for a non-posted request) stay in range, and Print()
 *   runs.
 */

#include "fuzz-util.h"

#include "ns3/tlp-header.h"

using namespace ns3;
using namespace ns3::tlpfuzz;

namespace
{

using Reference = TlpReference;

/// Every field the getters report against the bytes themselves.
void
CheckFields(const TlpHeader& h, const Reference& r, const uint8_t* b)
{
    uint16_t tagHigh = static_cast<uint16_t>(((b[1] >> 7) & 1) << 9 | ((b[1] >> 3) & 1) << 8);
    uint32_t length = (b[2] & 3) << 8 | b[3];
    FUZZ_CHECK(h.GetFmtType() == b[0], "Fmt/Type " << +h.GetFmtType());
    FUZZ_CHECK(h.Is4Dw() == r.wide && h.HasData() == r.data, "format " << +b[0]);
    FUZZ_CHECK(h.GetKind() != TlpHeader::INVALID, "accepted header of kind Invalid");
    FUZZ_CHECK(h.IsCompletion() == r.completion, "completion " << h.IsCompletion());
    FUZZ_CHECK(h.IsRequest() == !r.completion, "request " << h.IsRequest());
    FUZZ_CHECK(h.GetTrafficClass() == ((b[1] >> 4) & 7), "TC " << +h.GetTrafficClass());
    FUZZ_CHECK(h.GetAttributes() == (((b[1] >> 2) & 1) << 2 | ((b[2] >> 4) & 3)),
               "Attr " << +h.GetAttributes());
    FUZZ_CHECK(h.GetLightweightNotification() == ((b[1] >> 1) & 1), "LN");
    FUZZ_CHECK(h.HasProcessingHint() == (b[1] & 1), "TH");
    FUZZ_CHECK(h.HasDigest() == (b[2] >> 7), "TD");
    FUZZ_CHECK(h.IsPoisoned() == ((b[2] >> 6) & 1), "EP");
    FUZZ_CHECK(h.GetAddressType() == ((b[2] >> 2) & 3), "AT " << +h.GetAddressType());
    FUZZ_CHECK(h.GetLengthDw() == (length == 0 ? 1024 : length), "Length " << h.GetLengthDw());
    FUZZ_CHECK(h.GetDataSize() == (r.data ? h.GetLengthDw() * 4 : 0), "data " << h.GetDataSize());
    if (r.completion)
    {
        uint32_t byteCount = (b[6] & 0xF) << 8 | b[7];
        FUZZ_CHECK(h.GetCompleterId() == Be16(b + 4), "Completer ID " << h.GetCompleterId());
        FUZZ_CHECK(h.GetStatus() == (b[6] >> 5), "status " << +h.GetStatus());
        FUZZ_CHECK(h.GetBcm() == ((b[6] >> 4) & 1), "BCM");
        FUZZ_CHECK(h.GetByteCount() == (byteCount == 0 ? 4096 : byteCount),
                   "Byte Count " << h.GetByteCount());
        FUZZ_CHECK(h.GetRequesterId() == Be16(b + 8), "Requester ID " << h.GetRequesterId());
        FUZZ_CHECK(h.GetTag() == (tagHigh | b[10]), "tag " << h.GetTag());
        FUZZ_CHECK(h.GetLowerAddress() == (b[11] & 0x7F), "Lower Address");
        return;
    }
    FUZZ_CHECK(h.GetRequesterId() == Be16(b + 4), "Requester ID " << h.GetRequesterId());
    FUZZ_CHECK(h.GetTag() == (tagHigh | b[6]), "tag " << h.GetTag());
    if (r.message)
    {
        FUZZ_CHECK(h.GetMessageCode() == b[7], "message code");
        FUZZ_CHECK(h.GetAddress() == Be64(b + 8), "message DW2..3 " << std::hex << h.GetAddress());
        return;
    }
    FUZZ_CHECK(h.GetLastByteEnable() == (b[7] >> 4), "last BE");
    FUZZ_CHECK(h.GetFirstByteEnable() == (b[7] & 0xF), "first BE");
    if (r.config)
    {
        FUZZ_CHECK(h.GetCompleterId() == Be16(b + 8), "target ID");
        FUZZ_CHECK(h.GetRegister() == ((b[10] & 0xF) << 6 | b[11] >> 2), "register");
        return;
    }
    uint64_t address = r.wide ? Be64(b + 8) : Be32(b + 8);
    FUZZ_CHECK(h.GetAddress() == (address & ~uint64_t(3)),
               "address " << std::hex << h.GetAddress());
    FUZZ_CHECK(h.GetPh() == (address & 3), "PH");
}

/// What a receiver derives from a header stays in range and does not abort.
void
CheckDerived(const TlpHeader& h)
{
    FUZZ_CHECK(h.GetEnabledBytes() <= h.GetLengthDw() * 4,
               "enabled bytes " << h.GetEnabledBytes() << " over Length " << h.GetLengthDw());
    if (h.HasMemoryAddress())
    {
        FUZZ_CHECK(h.GetFirstByteAddress() - h.GetAddress() < 4, "first byte address");
    }
    if (h.IsRequest() && !h.IsPosted())
    {
        // What a completer answers to a request it cannot serve.
        TlpHeader cpl = TlpHeader::MakeCompletionFor(h, TlpHeader::UR, 0x0102);
        FUZZ_CHECK(cpl.IsCompletion() && !cpl.HasData(), "UR completion kind");
        FUZZ_CHECK(cpl.GetRequesterId() == h.GetRequesterId() && cpl.GetTag() == h.GetTag(),
                   "UR completion routing");
        FUZZ_CHECK(cpl.GetTrafficClass() == h.GetTrafficClass() &&
                       cpl.GetAttributes() == h.GetAttributes(),
                   "UR completion TC/Attr");
        std::vector<uint8_t> bytes = Serialize(cpl);
        TlpHeader back;
        FUZZ_CHECK(ToPacket(bytes.data(), bytes.size())->PeekHeader(back) == 12,
                   "UR completion does not parse: " << Hex(bytes));
    }
    std::ostringstream os;
    os << h;
    FUZZ_CHECK(!os.str().empty(), "empty Print()");
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Reference r = DecodeTlp(data, size);
    TlpHeader h;
    uint32_t consumed = ParseAgainst(data, size, r, h);
    if (consumed == 0)
    {
        return 0;
    }
    CheckFields(h, r, data);
    CheckDerived(h);

    // Round trip: the consumed bytes come back but for unkept reserved bits.
    std::vector<uint8_t> out = Serialize(h);
    FUZZ_CHECK(out.size() == consumed,
               "serialized " << out.size() << " bytes, consumed " << consumed);
    for (uint32_t i = 0; i < consumed; ++i)
    {
        uint8_t mask = r.reservedMask[i];
        FUZZ_CHECK((out[i] & ~mask) == (data[i] & ~mask) && (out[i] & mask) == 0,
                   "byte " << i << ": in " << Hex(data, consumed) << ", out " << Hex(out));
    }
    TlpHeader again;
    FUZZ_CHECK(ToPacket(out.data(), out.size())->PeekHeader(again) == consumed,
               "the serialized header does not parse: " << Hex(out));
    CheckFields(again, r, out.data());
    FUZZ_CHECK(Serialize(again) == out, "second round trip differs: " << Hex(Serialize(again)));
    return 0;
}
