/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tunnel-ack-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TunnelAckHeader");

NS_OBJECT_ENSURE_REGISTERED(TunnelAckHeader);

TunnelAckHeader::TunnelAckHeader()
{
}

TunnelAckHeader::~TunnelAckHeader()
{
}

TypeId
TunnelAckHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TunnelAckHeader")
                            .SetParent<Header>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TunnelAckHeader>();
    return tid;
}

TypeId
TunnelAckHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
TunnelAckHeader::AddBlock(SequenceNumber32 first, SequenceNumber32 end)
{
    NS_ABORT_MSG_IF(m_blocks.size() >= MAX_BLOCKS,
                    "TunnelAckHeader: more than " << MAX_BLOCKS << " SACK blocks");
    m_blocks.emplace_back(first, end);
}

const std::vector<TunnelAckHeader::Block>&
TunnelAckHeader::GetBlocks() const
{
    return m_blocks;
}

void
TunnelAckHeader::Clear()
{
    m_blocks.clear();
}

void
TunnelAckHeader::Print(std::ostream& os) const
{
    os << "sack=";
    if (m_blocks.empty())
    {
        os << "none";
    }
    for (size_t i = 0; i < m_blocks.size(); ++i)
    {
        os << (i ? "," : "") << m_blocks[i].first << "-" << m_blocks[i].second;
    }
}

uint32_t
TunnelAckHeader::GetSerializedSize() const
{
    return 4 + 8 * static_cast<uint32_t>(m_blocks.size());
}

void
TunnelAckHeader::Serialize(Buffer::Iterator start) const
{
    Buffer::Iterator i = start;
    i.WriteHtonU16(static_cast<uint16_t>(m_blocks.size()));
    i.WriteHtonU16(0);
    for (const Block& b : m_blocks)
    {
        i.WriteHtonU32(b.first.GetValue());
        i.WriteHtonU32(b.second.GetValue());
    }
}

uint32_t
TunnelAckHeader::Deserialize(Buffer::Iterator start)
{
    Buffer::Iterator i = start;
    m_blocks.clear();
    uint32_t available = i.GetRemainingSize();
    if (available < 4)
    {
        return 0;
    }
    uint16_t count = i.ReadNtohU16();
    uint16_t reserved = i.ReadNtohU16();
    if (count > MAX_BLOCKS || reserved != 0 || available < 4 + 8U * count)
    {
        return 0;
    }
    std::vector<Block> blocks;
    blocks.reserve(count);
    for (uint16_t n = 0; n < count; ++n)
    {
        uint32_t first = i.ReadNtohU32();
        uint32_t end = i.ReadNtohU32();
        uint32_t span = end - first; // modulo 2^32
        if (span == 0 || span >= 0x80000000U)
        {
            return 0; // empty, or half the sequence space or more: no order is defined
        }
        blocks.emplace_back(SequenceNumber32(first), SequenceNumber32(end));
    }
    m_blocks.swap(blocks);
    return 4 + 8 * count;
}

} // namespace ns3
