/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_FUZZ_UTIL_H
#define TLP_FUZZ_UTIL_H

/*
 * What the fuzz targets share: a fatal check that prints the finding (libFuzzer
 * then saves the input as crash-<sha1>), packets from raw bytes and back, and
 * big-endian field reads for the reference decoders, which read the wire formats
 * straight from the bytes as the documentation lays them out, independently of
 * the classes under test.
 */

#include "ns3/buffer.h"
#include "ns3/packet.h"
#include "ns3/tunnel-header.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

/// Check an oracle; on failure print what and where, then abort (a finding).
#define FUZZ_CHECK(condition, message)                                                             \
    do                                                                                             \
    {                                                                                              \
        if (!(condition))                                                                          \
        {                                                                                          \
            std::ostringstream fuzzCheckMessage;                                                   \
            fuzzCheckMessage << message;                                                           \
            ::ns3::tlpfuzz::Fail(#condition, fuzzCheckMessage.str(), __FILE__, __LINE__);          \
        }                                                                                          \
    } while (false)

namespace ns3
{
namespace tlpfuzz
{

/// Print a failed oracle and abort.
[[noreturn]] inline void
Fail(const char* condition, const std::string& message, const char* file, int line)
{
    std::fprintf(stderr,
                 "FUZZ ORACLE FAILED at %s:%d: %s\n  %s\n",
                 file,
                 line,
                 condition,
                 message.c_str());
    std::fflush(stderr);
    std::abort();
}

/// \return the bytes as lower-case hex, a space every four bytes
inline std::string
Hex(const uint8_t* data, size_t size)
{
    static const char* digits = "0123456789abcdef";
    std::string text;
    for (size_t i = 0; i < size; ++i)
    {
        if (i > 0 && i % 4 == 0)
        {
            text += ' ';
        }
        text += digits[data[i] >> 4];
        text += digits[data[i] & 15];
    }
    return text;
}

/// \return the bytes as hex
inline std::string
Hex(const std::vector<uint8_t>& bytes)
{
    return Hex(bytes.data(), bytes.size());
}

/// \return a packet holding a copy of the bytes
inline Ptr<Packet>
ToPacket(const uint8_t* data, size_t size)
{
    return size == 0 ? Create<Packet>() : Create<Packet>(data, static_cast<uint32_t>(size));
}

/// \return a packet's bytes
inline std::vector<uint8_t>
Bytes(Ptr<const Packet> p)
{
    std::vector<uint8_t> bytes(p->GetSize());
    p->CopyData(bytes.data(), bytes.size());
    return bytes;
}

/// \return the bytes Serialize() writes for a header alone
template <typename H>
std::vector<uint8_t>
Serialize(const H& header)
{
    Buffer buffer;
    buffer.AddAtStart(header.GetSerializedSize());
    header.Serialize(buffer.Begin());
    std::vector<uint8_t> bytes(buffer.GetSize());
    buffer.CopyData(bytes.data(), bytes.size());
    return bytes;
}

/**
 * \brief Parse bytes with a header class and hold its verdict against the reference
 * decoder's: the same number of bytes consumed, the same reason when refused.
 * \param data bytes
 * \param size their number
 * \param reference the reference verdict (its size and error)
 * \param[out] header the header parsed
 * \return bytes consumed
 */
template <typename H, typename R>
uint32_t
ParseAgainst(const uint8_t* data, size_t size, const R& reference, H& header)
{
    uint32_t consumed = ToPacket(data, size)->PeekHeader(header);
    FUZZ_CHECK(consumed == reference.size,
               "consumed " << consumed << " bytes, the reference " << reference.size << " of "
                           << Hex(data, std::min<size_t>(size, 24)));
    FUZZ_CHECK(header.GetParseError() == reference.error,
               "parse error '" << H::ParseErrorToString(header.GetParseError())
                               << "', the reference '" << H::ParseErrorToString(reference.error)
                               << "'");
    return consumed;
}

/// \return the 16-bit big-endian value at p
inline uint16_t
Be16(const uint8_t* p)
{
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

/// \return the 32-bit big-endian value at p
inline uint32_t
Be32(const uint8_t* p)
{
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

/// \return the 64-bit big-endian value at p
inline uint64_t
Be64(const uint8_t* p)
{
    return uint64_t(Be32(p)) << 32 | Be32(p + 4);
}

/// A tunnel header as the reference decoder reads it (doc/tlp-tunnel.rst's table).
struct TunnelReference
{
    uint32_t size = 0; //!< header bytes (the header length field), 0 when refused
    TunnelHeader::ParseError error = TunnelHeader::PARSE_OK; //!< why refused
    uint8_t kind = 0;                                        //!< kind
    uint8_t flags = 0;                                       //!< flags
    uint16_t count = 0;                                      //!< TLP lengths listed
    uint32_t source = 0;                                     //!< source node
    uint16_t window = 0;                                     //!< window
    uint32_t total = 0;                                      //!< sum of the TLP lengths
};

/**
 * \param b bytes
 * \param n their number
 * \return the reference reading: refused when truncated, of another version or kind,
 * with a count above 1024 (or 0 in DATA), or a header length short of the length
 * list or not a multiple of 4; a longer header length is skipped
 */
inline TunnelReference
DecodeTunnel(const uint8_t* b, size_t n)
{
    TunnelReference r;
    if (n < 20)
    {
        r.error = TunnelHeader::PARSE_TRUNCATED;
        return r;
    }
    if ((b[0] >> 4) != 1)
    {
        r.error = TunnelHeader::PARSE_VERSION;
        return r;
    }
    uint8_t kind = b[0] & 0xF;
    if (kind > 3)
    {
        r.error = TunnelHeader::PARSE_KIND;
        return r;
    }
    uint16_t count = Be16(b + 2);
    uint16_t length = Be16(b + 18);
    if (count > 1024 || (kind == 0 && count == 0))
    {
        r.error = TunnelHeader::PARSE_COUNT;
        return r;
    }
    if (length < 20 + 2 * count || length % 4 != 0)
    {
        r.error = TunnelHeader::PARSE_LENGTH;
        return r;
    }
    if (n < length)
    {
        r.error = TunnelHeader::PARSE_TRUNCATED;
        return r;
    }
    r.size = length;
    r.kind = kind;
    r.flags = b[1];
    r.count = count;
    r.source = Be32(b + 4);
    r.window = Be16(b + 16);
    for (uint16_t i = 0; i < count; ++i)
    {
        r.total += Be16(b + 20 + 2 * i);
    }
    return r;
}

/**
 * \return the ECRC of a TLP's first size bytes, bit by bit from the definition
 * (CRC-32: polynomial 0x04C11DB7 reflected, initial value and final XOR
 * 0xFFFFFFFF; the variant bits Type[0] and EP taken as 1)
 */
inline uint32_t
ReferenceEcrc(const uint8_t* tlp, size_t size)
{
    uint32_t crc = 0xFFFFFFFF;
    for (size_t i = 0; i < size; ++i)
    {
        uint8_t byte = tlp[i];
        if (i == 0)
        {
            byte |= 0x01; // Type[0]
        }
        if (i == 2)
        {
            byte |= 0x40; // EP
        }
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit)
        {
            crc = (crc >> 1) ^ ((crc & 1) ? 0xEDB88320 : 0);
        }
    }
    return crc ^ 0xFFFFFFFF;
}

/// \return the 32-bit little-endian value at p (the ECRC's byte order)
inline uint32_t
Lsb32(const uint8_t* p)
{
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

} // namespace tlpfuzz
} // namespace ns3

#endif /* TLP_FUZZ_UTIL_H */
