/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TunnelGrantHeader::Deserialize (the body of GRANT_REQUEST and GRANT) on
 * arbitrary bytes.
 *
 * Oracles, against the body table of doc/tlp-tunnel.rst: fewer than 32 bytes are
 * refused, and so are a translation side other than 0 and 1, a status above 6, a
 * confirmation mode above 3 and a reserved byte other than zero; anything else
 * gives exactly 32 consumed, every field equal to the bytes at its offset,
 * Serialize() returns the same 32 bytes, and a second parse agrees.
 */

#include "fuzz-util.h"

#include "ns3/tunnel-grant-header.h"

using namespace ns3;
using namespace ns3::tlpfuzz;

namespace
{

void
CheckFields(const TunnelGrantHeader& g, const uint8_t* b)
{
    FUZZ_CHECK(g.windowBase == Be64(b), "window base " << std::hex << g.windowBase);
    FUZZ_CHECK(g.size == Be64(b + 8), "size " << std::hex << g.size);
    FUZZ_CHECK(g.regionBase == Be64(b + 16), "region base " << std::hex << g.regionBase);
    FUZZ_CHECK(g.translateAt == b[24], "translate at " << +g.translateAt);
    FUZZ_CHECK(g.status == b[25], "status " << +g.status);
    FUZZ_CHECK(g.confirm == b[26], "confirm " << +g.confirm);
    FUZZ_CHECK(g.key == Be32(b + 28), "key " << g.key);
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    TunnelGrantHeader g;
    uint32_t consumed = ToPacket(data, size)->PeekHeader(g);
    if (size < TunnelGrantHeader::SIZE || data[24] > 1 || data[25] > 6 || data[26] > 3 ||
        data[27] != 0)
    {
        FUZZ_CHECK(consumed == 0, "accepted " << Hex(data, std::min<size_t>(size, 32)));
        return 0;
    }
    FUZZ_CHECK(consumed == TunnelGrantHeader::SIZE, "consumed " << consumed);
    CheckFields(g, data);
    std::ostringstream os;
    os << g;

    std::vector<uint8_t> out = Serialize(g);
    std::vector<uint8_t> expected(data, data + TunnelGrantHeader::SIZE);
    FUZZ_CHECK(out == expected, "in " << Hex(data, consumed) << ", out " << Hex(out));
    TunnelGrantHeader again;
    FUZZ_CHECK(ToPacket(out.data(), out.size())->PeekHeader(again) == TunnelGrantHeader::SIZE,
               "the serialized body does not parse");
    CheckFields(again, out.data());
    FUZZ_CHECK(Serialize(again) == out, "second round trip differs");
    return 0;
}
