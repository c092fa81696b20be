/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-ecrc-trailer.h"

#include "ns3/abort.h"
#include "ns3/log.h"

#include <boost/crc.hpp>
#include <iomanip>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpEcrcTrailer");

NS_OBJECT_ENSURE_REGISTERED(TlpEcrcTrailer);

uint32_t
TlpEcrcTrailer::Calculate(const uint8_t* tlp, uint32_t size)
{
    NS_ABORT_MSG_IF(size < 4, "ECRC over " << size << " bytes: a TLP has at least 4");
    uint8_t head[4] = {static_cast<uint8_t>(tlp[0] | 0x01),
                       tlp[1],
                       static_cast<uint8_t>(tlp[2] | 0x40),
                       tlp[3]};
    boost::crc_32_type crc;
    crc.process_bytes(head, 4);
    crc.process_bytes(tlp + 4, size - 4);
    return crc.checksum();
}

TlpEcrcTrailer::TlpEcrcTrailer()
    : m_digest(0)
{
}

TlpEcrcTrailer::TlpEcrcTrailer(uint32_t digest)
    : m_digest(digest)
{
}

TypeId
TlpEcrcTrailer::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TlpEcrcTrailer")
                            .SetParent<Trailer>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TlpEcrcTrailer>();
    return tid;
}

TypeId
TlpEcrcTrailer::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
TlpEcrcTrailer::Print(std::ostream& os) const
{
    std::ios::fmtflags flags = os.flags();
    char fill = os.fill('0');
    os << "ECRC=0x" << std::hex << std::setw(8) << m_digest;
    os.flags(flags);
    os.fill(fill);
}

uint32_t
TlpEcrcTrailer::GetSerializedSize() const
{
    return SIZE;
}

void
TlpEcrcTrailer::Serialize(Buffer::Iterator end) const
{
    end.Prev(SIZE);
    end.WriteHtolsbU32(m_digest);
}

uint32_t
TlpEcrcTrailer::Deserialize(Buffer::Iterator end)
{
    end.Prev(SIZE);
    m_digest = end.ReadLsbtohU32();
    return SIZE;
}

void
TlpEcrcTrailer::SetDigest(uint32_t digest)
{
    m_digest = digest;
}

uint32_t
TlpEcrcTrailer::GetDigest() const
{
    return m_digest;
}

void
TlpEcrcTrailer::Append(Ptr<Packet> tlp)
{
    uint32_t size = tlp->GetSize();
    NS_ABORT_MSG_IF(size > MAX_TLP_SIZE - SIZE, "ECRC over a " << size << "-byte TLP");
    uint8_t bytes[MAX_TLP_SIZE];
    tlp->CopyData(bytes, size);
    tlp->AddTrailer(TlpEcrcTrailer(Calculate(bytes, size)));
}

void
TlpEcrcTrailer::Recompute(Ptr<Packet> tlp)
{
    TlpEcrcTrailer old;
    tlp->RemoveTrailer(old);
    Append(tlp);
}

bool
TlpEcrcTrailer::Verify(Ptr<const Packet> tlp)
{
    uint32_t size = tlp->GetSize();
    if (size < 4 + SIZE || size > MAX_TLP_SIZE)
    {
        return false;
    }
    uint8_t bytes[MAX_TLP_SIZE];
    tlp->CopyData(bytes, size);
    return Calculate(bytes, size) == RESIDUE;
}

} // namespace ns3
