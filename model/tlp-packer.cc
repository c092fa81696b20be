/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-packer.h"

#include "ns3/log.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpPacker");

TlpPacker::TlpPacker(uint32_t limit, uint32_t maxPacketSize)
{
    SetLimits(limit, maxPacketSize);
}

void
TlpPacker::SetLimits(uint32_t limit, uint32_t maxPacketSize)
{
    m_limit = std::max<uint32_t>(limit, 1);
    m_maxPacketSize = maxPacketSize;
}

uint32_t
TlpPacker::GetLimit() const
{
    return m_limit;
}

uint32_t
TlpPacker::GetMaxPacketSize() const
{
    return m_maxPacketSize;
}

uint32_t
TlpPacker::PacketSize(uint32_t count, uint32_t tlpBytes)
{
    return TunnelHeader::GetSerializedSizeFor(count) + tlpBytes;
}

bool
TlpPacker::Fits(uint32_t count, uint32_t tlpBytes, uint32_t next) const
{
    return count < m_limit && count < TunnelHeader::MAX_COUNT && next <= 0xFFFF &&
           PacketSize(count + 1, tlpBytes + next) <= m_maxPacketSize;
}

Ptr<Packet>
TlpPacker::Pack(TunnelHeader& header, const std::vector<Ptr<Packet>>& tlps)
{
    if (tlps.size() == 1)
    {
        header.AddTlp(static_cast<uint16_t>(tlps[0]->GetSize()));
        return tlps[0];
    }
    uint32_t total = 0;
    for (const Ptr<Packet>& t : tlps)
    {
        total += t->GetSize();
    }
    // One copy of each TLP into one buffer: cheaper than a packet of fragments.
    std::vector<uint8_t> bytes(total);
    uint32_t offset = 0;
    for (const Ptr<Packet>& t : tlps)
    {
        uint32_t size = t->GetSize();
        t->CopyData(bytes.data() + offset, size);
        header.AddTlp(static_cast<uint16_t>(size));
        offset += size;
    }
    return Create<Packet>(bytes.data(), total);
}

} // namespace ns3
