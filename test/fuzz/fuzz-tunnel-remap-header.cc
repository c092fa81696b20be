/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TunnelRemapHeader::Deserialize (the body of REMAP and REMAP_ACK) on arbitrary
 * bytes.
 *
 * Oracles, against the REMAP table of doc/tlp-tunnel.rst (the reference reading is
 * RemapBodyValid): fewer than 36 bytes are refused, and so are a reserved field other
 * than zero, generation 0, a size that is 0 or no multiple of 4 KiB, a base that is no
 * multiple of 4 KiB, a range past 2^64 and overlapping old and new ranges; anything
 * else gives exactly 36 consumed, every field equal to the bytes at its offset,
 * Serialize() returns the same 36 bytes, and a second parse agrees.
 */

#include "fuzz-util.h"

#include "ns3/tunnel-remap-header.h"

using namespace ns3;
using namespace ns3::tlpfuzz;

namespace
{

void
CheckFields(const TunnelRemapHeader& h, const uint8_t* b)
{
    FUZZ_CHECK(h.memoryId == Be16(b), "memory ID " << h.memoryId);
    FUZZ_CHECK(h.generation == Be32(b + 4), "generation " << h.generation);
    FUZZ_CHECK(h.oldBase == Be64(b + 8), "old base " << std::hex << h.oldBase);
    FUZZ_CHECK(h.newBase == Be64(b + 16), "new base " << std::hex << h.newBase);
    FUZZ_CHECK(h.size == Be64(b + 24), "size " << std::hex << h.size);
    FUZZ_CHECK(h.switchSequence == Be32(b + 32), "switch sequence " << h.switchSequence);
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    TunnelRemapHeader h;
    uint32_t consumed = ToPacket(data, size)->PeekHeader(h);
    if (!RemapBodyValid(data, size))
    {
        FUZZ_CHECK(consumed == 0, "accepted " << Hex(data, std::min<size_t>(size, 36)));
        return 0;
    }
    FUZZ_CHECK(consumed == TunnelRemapHeader::SIZE, "consumed " << consumed);
    CheckFields(h, data);
    FUZZ_CHECK(h.IsValid(), "accepted a body IsValid() refuses");
    std::ostringstream os;
    os << h;

    std::vector<uint8_t> out = Serialize(h);
    std::vector<uint8_t> expected(data, data + TunnelRemapHeader::SIZE);
    FUZZ_CHECK(out == expected, "in " << Hex(data, consumed) << ", out " << Hex(out));
    TunnelRemapHeader again;
    FUZZ_CHECK(ToPacket(out.data(), out.size())->PeekHeader(again) == TunnelRemapHeader::SIZE,
               "the serialized body does not parse");
    CheckFields(again, out.data());
    FUZZ_CHECK(Serialize(again) == out, "second round trip differs");
    return 0;
}
