/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-unpacker.h"

#include "tlp-ecrc-trailer.h"
#include "tlp-write-confirmation.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpUnpacker");

TlpUnpacker::TlpUnpacker()
    : m_error(OK)
{
}

bool
TlpUnpacker::Parse(Ptr<const Packet> packet)
{
    m_tlps.clear();
    m_ack.Clear();
    uint32_t headerSize = packet->PeekHeader(m_header);
    if (headerSize == 0)
    {
        NS_LOG_LOGIC(TunnelHeader::ParseErrorToString(m_header.GetParseError()));
        m_error = BAD_HEADER;
        return false;
    }
    uint8_t unsupported = TunnelHeader::FLAG_COMPRESSED | TunnelHeader::FLAG_MULTICAST;
    uint8_t both = TunnelHeader::FLAG_MEMORY_ID | TunnelHeader::FLAG_TRANSLATED;
    if ((m_header.GetFlags() & unsupported) || (m_header.GetFlags() & both) == both)
    {
        m_error = UNSUPPORTED; // an offset is never a translated address
        return false;
    }
    switch (m_header.GetKind())
    {
    case TunnelHeader::DATA:
    case TunnelHeader::COMPLETION:
        if (!ParseTlps(packet, headerSize))
        {
            return false;
        }
        break;
    case TunnelHeader::ACK:
        if (packet->CreateFragment(headerSize, packet->GetSize() - headerSize)->PeekHeader(m_ack) ==
            0)
        {
            m_error = BAD_BODY;
            return false;
        }
        break;
    case TunnelHeader::GRANT_REQUEST:
    case TunnelHeader::GRANT:
        if (packet->CreateFragment(headerSize, packet->GetSize() - headerSize)
                ->PeekHeader(m_grant) == 0)
        {
            m_error = BAD_BODY;
            return false;
        }
        break;
    case TunnelHeader::REMAP:
    case TunnelHeader::REMAP_ACK:
        // The body must agree with the header's memory ID and generation.
        if (packet->CreateFragment(headerSize, packet->GetSize() - headerSize)
                    ->PeekHeader(m_remap) == 0 ||
            m_remap.memoryId != m_header.GetWindow() ||
            m_remap.generation != m_header.GetSequence())
        {
            m_error = BAD_BODY;
            return false;
        }
        break;
    }
    m_error = OK;
    return true;
}

bool
TlpUnpacker::ParseTlps(Ptr<const Packet> packet, uint32_t offset)
{
    if (m_header.GetTotalTlpBytes() > packet->GetSize() - offset)
    {
        m_error = BAD_LENGTHS;
        return false;
    }
    bool data = m_header.GetKind() == TunnelHeader::DATA;
    for (uint16_t i = 0; i < m_header.GetCount(); ++i)
    {
        Tlp t;
        t.offset = offset;
        t.length = m_header.GetTlpLength(i);
        offset += t.length;
        Ptr<Packet> tlp = packet->CreateFragment(t.offset, t.length);
        t.tlp = tlp;
        uint32_t size = tlp->PeekHeader(t.header);
        const TlpHeader& h = t.header;
        if (size == 0 ||
            t.length != size + h.GetDataSize() + (h.HasDigest() ? TlpEcrcTrailer::SIZE : 0))
        {
            m_error = BAD_TLP;
            return false;
        }
        if (h.HasDigest() && !TlpEcrcTrailer::Verify(tlp))
        {
            m_error = BAD_ECRC;
            return false;
        }
        bool fits = data ? h.HasMemoryAddress()
                         : h.IsCompletion() || TlpWriteConfirmation::IsConfirmation(h);
        if (!fits)
        {
            m_error = WRONG_TLP;
            return false;
        }
        m_tlps.push_back(t);
    }
    return true;
}

TlpUnpacker::Error
TlpUnpacker::GetError() const
{
    return m_error;
}

std::string
TlpUnpacker::ErrorToString(Error error)
{
    switch (error)
    {
    case OK:
        return "ok";
    case BAD_HEADER:
        return "tunnel header does not parse";
    case UNSUPPORTED:
        return "feature not supported by this version";
    case BAD_LENGTHS:
        return "TLP lengths run past the packet";
    case BAD_TLP:
        return "TLP does not parse or has the wrong size";
    case BAD_ECRC:
        return "ECRC mismatch";
    case WRONG_TLP:
        return "TLP of a kind the packet may not carry";
    case BAD_BODY:
        return "ACK or grant body does not parse";
    }
    return "unknown";
}

const TunnelHeader&
TlpUnpacker::GetHeader() const
{
    return m_header;
}

uint16_t
TlpUnpacker::GetNTlps() const
{
    return static_cast<uint16_t>(m_tlps.size());
}

const TlpUnpacker::Tlp&
TlpUnpacker::GetTlp(uint16_t i) const
{
    return m_tlps.at(i);
}

Ptr<Packet>
TlpUnpacker::GetTlpPacket(uint16_t i) const
{
    return m_tlps.at(i).tlp;
}

const TunnelAckHeader&
TlpUnpacker::GetAck() const
{
    return m_ack;
}

const TunnelGrantHeader&
TlpUnpacker::GetGrant() const
{
    return m_grant;
}

const TunnelRemapHeader&
TlpUnpacker::GetRemap() const
{
    return m_remap;
}

} // namespace ns3
