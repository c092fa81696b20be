/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TunnelHeader::Deserialize on arbitrary bytes, every kind (DATA, ACK,
 * GRANT_REQUEST, GRANT) and every flag combination.
 *
 * Oracles, against a reference decoder written from the header table of
 * doc/tlp-tunnel.rst:
 * - acceptance, bytes consumed (the header length field: a longer header is
 *   skipped) and refusal reason equal the reference's;
 * - every field equals the bytes at its offset; the TLP lengths and their sum too;
 * - Serialize() writes the canonical form of what it consumed: the same fixed
 *   fields and lengths, the header length of its own size and zero padding, so a
 *   header that already was canonical comes back byte for byte; a second parse of
 *   that output agrees field for field.
 */

#include "fuzz-util.h"

#include "ns3/tunnel-header.h"

using namespace ns3;
using namespace ns3::tlpfuzz;

namespace
{

void
CheckFields(const TunnelHeader& h, const uint8_t* b, uint16_t count)
{
    FUZZ_CHECK(h.GetKind() == (b[0] & 0xF), "kind " << +h.GetKind());
    FUZZ_CHECK(h.GetFlags() == b[1], "flags " << +h.GetFlags());
    FUZZ_CHECK(h.GetCount() == count, "count " << h.GetCount());
    FUZZ_CHECK(h.GetSource() == Be32(b + 4), "source " << h.GetSource());
    FUZZ_CHECK(h.GetSequence() == Be32(b + 8), "sequence " << h.GetSequence());
    FUZZ_CHECK(h.GetAck() == Be32(b + 12), "ack " << h.GetAck());
    FUZZ_CHECK(h.GetWindow() == Be16(b + 16), "window " << h.GetWindow());
    FUZZ_CHECK(h.GetKey() == Be32(b + 20), "key " << h.GetKey());
    uint32_t total = 0;
    for (uint16_t i = 0; i < count; ++i)
    {
        FUZZ_CHECK(h.GetTlpLength(i) == Be16(b + 24 + 2 * i), "length " << i);
        total += Be16(b + 24 + 2 * i);
    }
    FUZZ_CHECK(h.GetTotalTlpBytes() == total, "total " << h.GetTotalTlpBytes());
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    TunnelReference r = DecodeTunnel(data, size);
    TunnelHeader h;
    uint32_t consumed = ParseAgainst(data, size, r, h);
    if (consumed == 0)
    {
        return 0;
    }
    CheckFields(h, data, r.count);
    std::ostringstream os;
    os << h << TunnelHeader::KindToString(h.GetKind());

    // The canonical form of what was consumed.
    std::vector<uint8_t> out = Serialize(h);
    uint32_t canonical = (24 + 2 * r.count + 3) & ~3U;
    FUZZ_CHECK(out.size() == canonical, "serialized " << out.size() << ", expected " << canonical);
    FUZZ_CHECK(std::equal(out.begin(), out.begin() + 18, data), "fixed fields: " << Hex(out));
    FUZZ_CHECK(Be16(out.data() + 18) == canonical, "header length " << Be16(out.data() + 18));
    FUZZ_CHECK(std::equal(out.begin() + 20, out.begin() + 24 + 2 * r.count, data + 20),
               "key and lengths: " << Hex(out));
    for (uint32_t i = 24 + 2 * r.count; i < canonical; ++i)
    {
        FUZZ_CHECK(out[i] == 0, "padding byte " << i << " is " << +out[i]);
    }
    bool wasCanonical = consumed == canonical;
    for (uint32_t i = 24 + 2 * r.count; wasCanonical && i < canonical; ++i)
    {
        wasCanonical = data[i] == 0;
    }
    FUZZ_CHECK(!wasCanonical || std::equal(out.begin(), out.end(), data),
               "canonical header changed: in " << Hex(data, consumed) << ", out " << Hex(out));

    TunnelHeader again;
    FUZZ_CHECK(ToPacket(out.data(), out.size())->PeekHeader(again) == canonical,
               "the serialized header does not parse: " << Hex(out));
    CheckFields(again, out.data(), r.count);
    FUZZ_CHECK(Serialize(again) == out, "second round trip differs");
    return 0;
}
