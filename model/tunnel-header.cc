/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tunnel-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TunnelHeader");

NS_OBJECT_ENSURE_REGISTERED(TunnelHeader);

TunnelHeader::TunnelHeader()
    : m_kind(DATA),
      m_flags(0),
      m_source(0),
      m_sequence(0),
      m_ack(0),
      m_window(0),
      m_key(0),
      m_error(PARSE_OK)
{
}

TunnelHeader::~TunnelHeader()
{
}

TypeId
TunnelHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TunnelHeader")
                            .SetParent<Header>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TunnelHeader>();
    return tid;
}

TypeId
TunnelHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
TunnelHeader::SetKind(Kind kind)
{
    m_kind = kind;
}

TunnelHeader::Kind
TunnelHeader::GetKind() const
{
    return static_cast<Kind>(m_kind);
}

void
TunnelHeader::SetFlags(uint8_t flags)
{
    m_flags = flags;
}

uint8_t
TunnelHeader::GetFlags() const
{
    return m_flags;
}

void
TunnelHeader::SetSource(uint32_t node)
{
    m_source = node;
}

uint32_t
TunnelHeader::GetSource() const
{
    return m_source;
}

void
TunnelHeader::SetSequence(uint32_t seq)
{
    m_sequence = seq;
}

uint32_t
TunnelHeader::GetSequence() const
{
    return m_sequence;
}

void
TunnelHeader::SetAck(uint32_t ack)
{
    m_ack = ack;
}

uint32_t
TunnelHeader::GetAck() const
{
    return m_ack;
}

void
TunnelHeader::SetWindow(uint16_t window)
{
    m_window = window;
}

uint16_t
TunnelHeader::GetWindow() const
{
    return m_window;
}

void
TunnelHeader::SetKey(uint32_t key)
{
    m_key = key;
}

uint32_t
TunnelHeader::GetKey() const
{
    return m_key;
}

void
TunnelHeader::AddTlp(uint16_t bytes)
{
    NS_ABORT_MSG_IF(m_lengths.size() >= MAX_COUNT,
                    "TunnelHeader: more than " << MAX_COUNT << " TLPs");
    m_lengths.push_back(bytes);
}

uint16_t
TunnelHeader::GetCount() const
{
    return static_cast<uint16_t>(m_lengths.size());
}

uint16_t
TunnelHeader::GetTlpLength(uint16_t i) const
{
    return m_lengths.at(i);
}

uint32_t
TunnelHeader::GetTotalTlpBytes() const
{
    uint32_t total = 0;
    for (uint16_t length : m_lengths)
    {
        total += length;
    }
    return total;
}

TunnelHeader::ParseError
TunnelHeader::GetParseError() const
{
    return m_error;
}

uint32_t
TunnelHeader::GetSerializedSizeFor(uint32_t count)
{
    return (FIXED_SIZE + 2 * count + 3) & ~3U;
}

uint8_t
TunnelHeader::GetDefinedFlags(uint8_t kind)
{
    switch (kind)
    {
    case DATA:
        return FLAG_TRANSLATED | FLAG_RELIABLE | FLAG_COMPRESSED | FLAG_MEMORY_ID | FLAG_MULTICAST |
               FLAG_ACK;
    case COMPLETION:
        return FLAG_TRANSLATED | FLAG_RELIABLE | FLAG_COMPRESSED | FLAG_ACK;
    case ACK:
        return FLAG_NAK;
    case GRANT_REQUEST:
    case GRANT:
        return FLAG_MEMORY_ID;
    default:
        return 0;
    }
}

bool
TunnelHeader::CarriesTlps(uint8_t kind)
{
    return kind == DATA || kind == COMPLETION;
}

uint32_t
TunnelHeader::GetSerializedSize() const
{
    return GetSerializedSizeFor(static_cast<uint32_t>(m_lengths.size()));
}

void
TunnelHeader::Serialize(Buffer::Iterator start) const
{
    Buffer::Iterator i = start;
    uint32_t size = GetSerializedSize();
    i.WriteU8(static_cast<uint8_t>(VERSION << 4 | (m_kind & 0xF)));
    i.WriteU8(m_flags);
    i.WriteHtonU16(static_cast<uint16_t>(m_lengths.size()));
    i.WriteHtonU32(m_source);
    i.WriteHtonU32(m_sequence);
    i.WriteHtonU32(m_ack);
    i.WriteHtonU16(m_window);
    i.WriteHtonU16(static_cast<uint16_t>(size));
    i.WriteHtonU32(m_key);
    for (uint16_t length : m_lengths)
    {
        i.WriteHtonU16(length);
    }
    i.WriteU8(0, size - FIXED_SIZE - 2 * static_cast<uint32_t>(m_lengths.size()));
}

uint32_t
TunnelHeader::Deserialize(Buffer::Iterator start)
{
    Buffer::Iterator i = start;
    uint32_t available = i.GetRemainingSize();
    m_lengths.clear();
    if (available < FIXED_SIZE)
    {
        m_error = PARSE_TRUNCATED;
        return 0;
    }
    uint8_t b0 = i.ReadU8();
    if ((b0 >> 4) != VERSION)
    {
        m_error = PARSE_VERSION;
        return 0;
    }
    uint8_t kind = b0 & 0xF;
    if (kind > REMAP_ACK)
    {
        m_error = PARSE_KIND;
        return 0;
    }
    uint8_t flags = i.ReadU8();
    uint16_t count = i.ReadNtohU16();
    uint32_t source = i.ReadNtohU32();
    uint32_t sequence = i.ReadNtohU32();
    uint32_t ack = i.ReadNtohU32();
    uint16_t window = i.ReadNtohU16();
    uint16_t size = i.ReadNtohU16();
    uint32_t key = i.ReadNtohU32();
    if ((flags & ~GetDefinedFlags(kind)) != 0)
    {
        m_error = PARSE_FLAGS;
        return 0;
    }
    if (count > MAX_COUNT || CarriesTlps(kind) != (count != 0))
    {
        m_error = PARSE_COUNT;
        return 0;
    }
    if (size < FIXED_SIZE + 2U * count || size % 4 != 0)
    {
        m_error = PARSE_LENGTH;
        return 0;
    }
    if (available < size)
    {
        m_error = PARSE_TRUNCATED;
        return 0;
    }
    for (uint16_t n = 0; n < count; ++n)
    {
        m_lengths.push_back(i.ReadNtohU16());
    }
    m_kind = kind;
    m_flags = flags;
    m_source = source;
    m_sequence = sequence;
    m_ack = ack;
    m_window = window;
    m_key = key;
    m_error = PARSE_OK;
    return size; // a longer header (a later version's extension) is skipped
}

std::string
TunnelHeader::ParseErrorToString(ParseError error)
{
    switch (error)
    {
    case PARSE_OK:
        return "ok";
    case PARSE_TRUNCATED:
        return "truncated tunnel header";
    case PARSE_VERSION:
        return "unknown tunnel header version";
    case PARSE_KIND:
        return "unknown tunnel packet kind";
    case PARSE_LENGTH:
        return "header length inconsistent with TLP count";
    case PARSE_COUNT:
        return "bad TLP count";
    case PARSE_FLAGS:
        return "flag not defined for the kind";
    }
    return "unknown";
}

std::string
TunnelHeader::KindToString(uint8_t kind)
{
    switch (kind)
    {
    case DATA:
        return "DATA";
    case ACK:
        return "ACK";
    case GRANT_REQUEST:
        return "GRANT_REQUEST";
    case GRANT:
        return "GRANT";
    case COMPLETION:
        return "COMPLETION";
    case REMAP:
        return "REMAP";
    case REMAP_ACK:
        return "REMAP_ACK";
    default:
        return "unknown";
    }
}

void
TunnelHeader::Print(std::ostream& os) const
{
    os << "tunnel v" << +VERSION << " " << KindToString(m_kind) << " flags=0x" << std::hex
       << +m_flags << std::dec << " src=" << m_source << " seq=" << m_sequence << " ack=" << m_ack
       << " window=" << m_window << " key=0x" << std::hex << m_key << std::dec
       << " count=" << m_lengths.size();
    if (!m_lengths.empty())
    {
        os << " lengths=";
        for (size_t n = 0; n < m_lengths.size(); ++n)
        {
            os << (n ? "," : "") << m_lengths[n];
        }
    }
}

} // namespace ns3
