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
      status(0)
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
       << " status=" << (status == 0 ? "granted" : "refused");
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
    i.WriteU16(0);
}

uint32_t
TunnelGrantHeader::Deserialize(Buffer::Iterator start)
{
    Buffer::Iterator i = start;
    if (i.GetRemainingSize() < SIZE)
    {
        return 0;
    }
    windowBase = i.ReadNtohU64();
    size = i.ReadNtohU64();
    regionBase = i.ReadNtohU64();
    translateAt = i.ReadU8();
    status = i.ReadU8();
    i.ReadU16();
    return SIZE;
}

} // namespace ns3
