/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tunnel-remap-header.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TunnelRemapHeader");

NS_OBJECT_ENSURE_REGISTERED(TunnelRemapHeader);

namespace
{

constexpr uint64_t PAGE = 4096;

} // namespace

TunnelRemapHeader::TunnelRemapHeader()
    : memoryId(0),
      generation(0),
      oldBase(0),
      newBase(0),
      size(0),
      switchSequence(0)
{
}

TunnelRemapHeader::~TunnelRemapHeader()
{
}

TypeId
TunnelRemapHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TunnelRemapHeader")
                            .SetParent<Header>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TunnelRemapHeader>();
    return tid;
}

TypeId
TunnelRemapHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
TunnelRemapHeader::Print(std::ostream& os) const
{
    os << "memory_id=" << memoryId << " generation=" << generation << std::hex << " old=0x"
       << oldBase << " new=0x" << newBase << " size=0x" << size << std::dec
       << " switch_seq=" << switchSequence;
}

uint32_t
TunnelRemapHeader::GetSerializedSize() const
{
    return SIZE;
}

bool
TunnelRemapHeader::IsValid() const
{
    if (generation == 0 || size == 0 || size % PAGE != 0 || oldBase % PAGE != 0 ||
        newBase % PAGE != 0 || oldBase + (size - 1) < oldBase || newBase + (size - 1) < newBase)
    {
        return false;
    }
    // The ranges must not overlap: a write lands in exactly one of them.
    return oldBase + (size - 1) < newBase || newBase + (size - 1) < oldBase;
}

void
TunnelRemapHeader::Serialize(Buffer::Iterator start) const
{
    Buffer::Iterator i = start;
    i.WriteHtonU16(memoryId);
    i.WriteHtonU16(0);
    i.WriteHtonU32(generation);
    i.WriteHtonU64(oldBase);
    i.WriteHtonU64(newBase);
    i.WriteHtonU64(size);
    i.WriteHtonU32(switchSequence);
}

uint32_t
TunnelRemapHeader::Deserialize(Buffer::Iterator start)
{
    Buffer::Iterator i = start;
    if (i.GetRemainingSize() < SIZE)
    {
        return 0;
    }
    TunnelRemapHeader h;
    h.memoryId = i.ReadNtohU16();
    uint16_t reserved = i.ReadNtohU16();
    h.generation = i.ReadNtohU32();
    h.oldBase = i.ReadNtohU64();
    h.newBase = i.ReadNtohU64();
    h.size = i.ReadNtohU64();
    h.switchSequence = i.ReadNtohU32();
    if (reserved != 0 || !h.IsValid())
    {
        return 0;
    }
    *this = h;
    return SIZE;
}

} // namespace ns3
