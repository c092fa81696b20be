/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * TlpEcrcTrailer on arbitrary bytes taken as a TLP whose last four bytes are its
 * digest.
 *
 * Oracles, against a bitwise CRC-32 written here from the definition (polynomial
 * 0x04C11DB7 reflected, initial value and final XOR 0xFFFFFFFF, variant bits Type[0]
 * and EP taken as 1):
 * - Verify() is true exactly when the digest equals the reference CRC of the other
 *   bytes, and false for sizes outside [8, TlpEcrcTrailer::MAX_TLP_SIZE];
 * - Calculate() equals the reference, and Calculate() over the TLP with its correct
 *   digest is the residue;
 * - Deserialize() reads the digest least significant byte first and Serialize()
 *   writes the same four bytes back;
 * - Append() and Recompute() produce a TLP that verifies; the variant bits do not
 *   change the verdict and a flipped bit anywhere else breaks it.
 */

#include "fuzz-util.h"

#include "ns3/tlp-ecrc-trailer.h"

using namespace ns3;
using namespace ns3::tlpfuzz;

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<uint8_t> bytes(data, data + size);
    Ptr<Packet> tlp = ToPacket(data, size);
    bool inRange = size >= 4 + TlpEcrcTrailer::SIZE && size <= TlpEcrcTrailer::MAX_TLP_SIZE;
    if (!inRange)
    {
        FUZZ_CHECK(!TlpEcrcTrailer::Verify(tlp), "verified a TLP of " << size << " bytes");
        return 0;
    }
    size_t body = size - TlpEcrcTrailer::SIZE;
    uint32_t digest = Lsb32(data + body);
    uint32_t reference = ReferenceEcrc(data, body);
    FUZZ_CHECK(TlpEcrcTrailer::Calculate(data, static_cast<uint32_t>(body)) == reference,
               "Calculate over " << body << " bytes");
    bool good = digest == reference;
    FUZZ_CHECK(TlpEcrcTrailer::Verify(tlp) == good,
               "Verify says " << !good << " for digest " << std::hex << digest << ", reference "
                              << reference);
    FUZZ_CHECK(!good || TlpEcrcTrailer::Calculate(data, static_cast<uint32_t>(size)) ==
                            TlpEcrcTrailer::RESIDUE,
               "residue");

    // The trailer as a trailer: read LSB first, written back unchanged.
    TlpEcrcTrailer trailer;
    Ptr<Packet> copy = tlp->Copy();
    FUZZ_CHECK(copy->RemoveTrailer(trailer) == TlpEcrcTrailer::SIZE, "RemoveTrailer");
    FUZZ_CHECK(trailer.GetDigest() == digest, "digest " << std::hex << trailer.GetDigest());
    copy->AddTrailer(trailer);
    FUZZ_CHECK(Bytes(copy) == bytes, "trailer round trip");
    std::ostringstream os;
    os << trailer;

    // Append to the body, Recompute over a stale digest: both verify.
    Ptr<Packet> appended = ToPacket(data, body);
    TlpEcrcTrailer::Append(appended);
    std::vector<uint8_t> withDigest = Bytes(appended);
    FUZZ_CHECK(withDigest.size() == size && Lsb32(withDigest.data() + body) == reference,
               "Append wrote " << Hex(withDigest.data() + body, withDigest.size() - body));
    FUZZ_CHECK(TlpEcrcTrailer::Verify(appended), "appended digest does not verify");
    Ptr<Packet> recomputed = tlp->Copy();
    TlpEcrcTrailer::Recompute(recomputed);
    FUZZ_CHECK(Bytes(recomputed) == withDigest, "Recompute differs from Append");

    // Variant bits do not matter; any other single bit does.
    std::vector<uint8_t> variant = withDigest;
    variant[0] ^= 0x01;
    variant[2] ^= 0x40;
    FUZZ_CHECK(TlpEcrcTrailer::Verify(ToPacket(variant.data(), variant.size())),
               "variant bits changed the verdict");
    uint32_t bit = reference % (static_cast<uint32_t>(size) * 8);
    if (bit != 0 && bit != 2 * 8 + 6)
    {
        std::vector<uint8_t> flipped = withDigest;
        flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        FUZZ_CHECK(!TlpEcrcTrailer::Verify(ToPacket(flipped.data(), flipped.size())),
                   "bit " << bit << " flipped and the digest still verifies");
    }
    return 0;
}
