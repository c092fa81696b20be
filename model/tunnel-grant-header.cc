/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tunnel-grant-header.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TunnelGrantHeader");

NS_OBJECT_ENSURE_REGISTERED(TunnelGrantHeader);

TunnelGrantHeader::TunnelGrantHeader()
    : windowBase(0),
      size(0),
      regionBase(ANY_BASE),
      translateAt(0),
      status(GRANTED),
      confirm(0),
      key(0)
{
}

TunnelGrantHeader::~TunnelGrantHeader()
{
}

TypeId
TunnelGrantHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TunnelGrantHeader")
                            .SetParent<Header>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TunnelGrantHeader>();
    return tid;
}

TypeId
TunnelGrantHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
TunnelGrantHeader::Print(std::ostream& os) const
{
    os << std::hex << "window=0x" << windowBase << " size=0x" << size << " region=0x" << regionBase
       << std::dec << " translate_at=" << (translateAt ? "receiver" : "sender")
       << " confirm=" << +confirm << " status=" << StatusToString(status) << " key=0x" << std::hex
       << key << std::dec;
}

std::string
TunnelGrantHeader::StatusToString(uint8_t status)
{
    switch (status)
    {
    case GRANTED:
        return "granted";
    case NO_ROOM:
        return "no room in the export pool";
    case NOT_MEMORY:
        return "not memory of the receiving node";
    case OVERLAP:
        return "overlaps another exported region";
    case BAD_RANGE:
        return "bad range (empty, unaligned or past 2^64)";
    case CONFLICT:
        return "window already granted with other parameters";
    case UNKNOWN_ID:
        return "unknown memory ID";
    default:
        return "unknown status";
    }
}

uint32_t
TunnelGrantHeader::GetSerializedSize() const
{
    return SIZE;
}

void
TunnelGrantHeader::Serialize(Buffer::Iterator start) const
{
    Buffer::Iterator i = start;
    i.WriteHtonU64(windowBase);
    i.WriteHtonU64(size);
    i.WriteHtonU64(regionBase);
    i.WriteU8(translateAt);
    i.WriteU8(status);
    i.WriteU8(confirm);
    i.WriteU8(0);
    i.WriteHtonU32(key);
}

uint32_t
TunnelGrantHeader::Deserialize(Buffer::Iterator start)
{
    Buffer::Iterator i = start;
    if (i.GetRemainingSize() < SIZE)
    {
        return 0;
    }
    uint64_t window = i.ReadNtohU64();
    uint64_t bytes = i.ReadNtohU64();
    uint64_t region = i.ReadNtohU64();
    uint8_t at = i.ReadU8();
    uint8_t st = i.ReadU8();
    uint8_t mode = i.ReadU8();
    uint8_t reserved = i.ReadU8();
    uint32_t k = i.ReadNtohU32();
    if (at > 1 || st > MAX_STATUS || mode > MAX_CONFIRM || reserved != 0)
    {
        return 0;
    }
    windowBase = window;
    size = bytes;
    regionBase = region;
    translateAt = at;
    status = st;
    confirm = mode;
    key = k;
    return SIZE;
}

} // namespace ns3
