/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TunnelAckHeader::Deserialize (the SACK blocks of an ACK packet) on arbitrary
 * bytes.
 *
 * Oracles, against a reference decoder written from the ACK table of
 * doc/tlp-tunnel.rst (fuzz-util.h): acceptance and bytes consumed equal the
 * reference's; every block equals the bytes at its offset; Serialize() writes the
 * bytes it consumed back exactly, and a second parse agrees.
 */

#include "fuzz-util.h"

#include "ns3/tunnel-ack-header.h"

using namespace ns3;
using namespace ns3::tlpfuzz;

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    AckReference r = DecodeAck(data, size);
    TunnelAckHeader a;
    uint32_t consumed = ToPacket(data, size)->PeekHeader(a);
    FUZZ_CHECK(consumed == r.size,
               "consumed " << consumed << ", the reference " << r.size << " of "
                           << Hex(data, std::min<size_t>(size, 24)));
    if (consumed == 0)
    {
        FUZZ_CHECK(a.GetBlocks().empty(), "a refused body left blocks");
        return 0;
    }
    FUZZ_CHECK(a.GetBlocks().size() == r.blocks.size(), "blocks " << a.GetBlocks().size());
    for (size_t i = 0; i < r.blocks.size(); ++i)
    {
        FUZZ_CHECK(a.GetBlocks()[i].first.GetValue() == r.blocks[i].first &&
                       a.GetBlocks()[i].second.GetValue() == r.blocks[i].second,
                   "block " << i);
    }
    std::ostringstream os;
    os << a;
    std::vector<uint8_t> out = Serialize(a);
    FUZZ_CHECK(out == std::vector<uint8_t>(data, data + consumed),
               "in " << Hex(data, consumed) << ", out " << Hex(out));
    TunnelAckHeader again;
    FUZZ_CHECK(ToPacket(out.data(), out.size())->PeekHeader(again) == consumed,
               "the serialized body does not parse");
    FUZZ_CHECK(Serialize(again) == out, "second round trip differs");
    return 0;
}
