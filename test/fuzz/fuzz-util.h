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
#include "ns3/tlp-header.h"
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
    uint32_t sequence = 0;                                   //!< sequence number
    uint32_t ack = 0;                                        //!< acknowledgement number
    uint16_t window = 0;                                     //!< window
    uint32_t key = 0;                                        //!< region key
    uint32_t total = 0;                                      //!< sum of the TLP lengths
};

/// Flag bits each tunnel packet kind defines (doc/tlp-tunnel.rst's flag table).
inline uint8_t
DefinedTunnelFlags(uint8_t kind)
{
    switch (kind)
    {
    case 0: // DATA: translated, reliable, compressed, memory ID, multicast, ack
        return 0x3F;
    case 4: // COMPLETION: translated, reliable, compressed, ack
        return 0x27;
    case 1: // ACK: nak
        return 0x40;
    case 2: // GRANT_REQUEST: memory ID
    case 3: // GRANT: memory ID
        return 0x08;
    default: // REMAP, REMAP_ACK
        return 0x00;
    }
}

/**
 * \param b bytes
 * \param n their number
 * \return the reference reading: refused when truncated, of another version or kind,
 * with a flag the kind does not define, with a count above 1024, of 0 in DATA or
 * COMPLETION or other than 0 elsewhere, or with a header length short of the length
 * list or not a multiple of 4; a longer header length is skipped
 */
inline TunnelReference
DecodeTunnel(const uint8_t* b, size_t n)
{
    TunnelReference r;
    if (n < 24)
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
    if (kind > 6)
    {
        r.error = TunnelHeader::PARSE_KIND;
        return r;
    }
    if (b[1] & ~DefinedTunnelFlags(kind))
    {
        r.error = TunnelHeader::PARSE_FLAGS;
        return r;
    }
    uint16_t count = Be16(b + 2);
    uint16_t length = Be16(b + 18);
    bool tlps = kind == 0 || kind == 4;
    if (count > 1024 || tlps != (count != 0))
    {
        r.error = TunnelHeader::PARSE_COUNT;
        return r;
    }
    if (length < 24 + 2 * count || length % 4 != 0)
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
    r.sequence = Be32(b + 8);
    r.ack = Be32(b + 12);
    r.window = Be16(b + 16);
    r.key = Be32(b + 20);
    for (uint16_t i = 0; i < count; ++i)
    {
        r.total += Be16(b + 24 + 2 * i);
    }
    return r;
}

/**
 * \param b bytes of a REMAP or REMAP_ACK body
 * \param n their number
 * \return the reference reading of doc/tlp-tunnel.rst's REMAP table: 36 bytes at least,
 * reserved zero, generation not 0, size a non-zero multiple of 4 KiB, both bases
 * multiples of 4 KiB, neither range past 2^64, the two ranges apart
 */
inline bool
RemapBodyValid(const uint8_t* b, size_t n)
{
    if (n < 36 || Be16(b + 2) != 0 || Be32(b + 4) == 0)
    {
        return false;
    }
    uint64_t oldBase = Be64(b + 8);
    uint64_t newBase = Be64(b + 16);
    uint64_t size = Be64(b + 24);
    if (size == 0 || size % 4096 != 0 || oldBase % 4096 != 0 || newBase % 4096 != 0)
    {
        return false;
    }
    uint64_t last = size - 1;
    if (oldBase > UINT64_MAX - last || newBase > UINT64_MAX - last)
    {
        return false;
    }
    return oldBase + last < newBase || newBase + last < oldBase;
}

/// An ACK body as the reference decoder reads it (doc/tlp-tunnel.rst's ACK table).
struct AckReference
{
    uint32_t size = 0;                                 //!< body bytes, 0 when refused
    std::vector<std::pair<uint32_t, uint32_t>> blocks; //!< SACK blocks [first, end)
};

/**
 * \param b bytes
 * \param n their number
 * \return the reference reading: refused when shorter than 4 bytes, with more than 64
 * blocks, a reserved field other than zero, fewer bytes than the blocks need, or a
 * block that is empty or spans half the sequence space or more
 */
inline AckReference
DecodeAck(const uint8_t* b, size_t n)
{
    AckReference r;
    if (n < 4)
    {
        return r;
    }
    uint16_t count = Be16(b);
    if (count > 64 || Be16(b + 2) != 0 || n < 4 + 8u * count)
    {
        return r;
    }
    for (uint16_t i = 0; i < count; ++i)
    {
        uint32_t first = Be32(b + 4 + 8 * i);
        uint32_t end = Be32(b + 8 + 8 * i);
        uint32_t span = end - first; // modulo 2^32
        if (span == 0 || span >= 0x80000000u)
        {
            r.blocks.clear();
            return r;
        }
        r.blocks.emplace_back(first, end);
    }
    r.size = 4 + 8 * count;
    return r;
}

/// A TLP header as the reference decoder reads it (PCIe Base Specification, 2.2).
struct TlpReference
{
    uint32_t size = 0; //!< header bytes, 0 when refused
    TlpHeader::ParseError error = TlpHeader::PARSE_OK;
    bool wide = false;                 //!< 4DW
    bool data = false;                 //!< with data
    bool completion = false;           //!< Cpl, CplD, CplLk, CplDLk
    bool config = false;               //!< CfgRd/Wr 0/1
    bool message = false;              //!< Msg, MsgD
    bool memory = false;               //!< MRd, MRdLk, MWr, AtomicOps
    std::vector<uint8_t> reservedMask; //!< per byte: reserved bits the class need not keep
};

/// Fmt/Type pairs of PCIe Base Specification Table 2-3 (deprecated TCfg types excluded).
inline bool
DefinedTlp(uint8_t fmt, uint8_t type)
{
    if (fmt > 3)
    {
        return false;
    }
    bool wide = fmt & 1;
    bool data = fmt & 2;
    if ((type & 0x18) == 0x10) // Msg/MsgD, routing r[2:0]: 4DW only
    {
        return wide;
    }
    switch (type)
    {
    case 0x00: // MRd / MWr, 3DW or 4DW
        return true;
    case 0x01: // MRdLk
        return !data;
    case 0x02: // IORd / IOWr
    case 0x04: // CfgRd0 / CfgWr0
    case 0x05: // CfgRd1 / CfgWr1
    case 0x0A: // Cpl / CplD
    case 0x0B: // CplLk / CplDLk
        return !wide;
    case 0x0C: // FetchAdd
    case 0x0D: // Swap
    case 0x0E: // CAS
        return data;
    default:
        return false;
    }
}

/**
 * \param b bytes
 * \param n their number
 * \return the reference reading of a TLP header at b
 */
inline TlpReference
DecodeTlp(const uint8_t* b, size_t n)
{
    TlpReference r;
    if (n < 12)
    {
        r.error = TlpHeader::PARSE_TRUNCATED;
        return r;
    }
    uint8_t fmt = b[0] >> 5;
    uint8_t type = b[0] & 0x1F;
    if (fmt == 4)
    {
        r.error = TlpHeader::PARSE_PREFIX;
        return r;
    }
    if (fmt > 4)
    {
        r.error = TlpHeader::PARSE_RESERVED_FMT;
        return r;
    }
    if (!DefinedTlp(fmt, type))
    {
        r.error = DefinedTlp(fmt ^ 1, type) ? TlpHeader::PARSE_BAD_FORMAT_SIZE
                                            : TlpHeader::PARSE_RESERVED_TYPE;
        return r;
    }
    r.wide = fmt & 1;
    r.data = fmt & 2;
    uint32_t size = r.wide ? 16 : 12;
    if (n < size)
    {
        r.error = TlpHeader::PARSE_TRUNCATED;
        return r;
    }
    if (type <= 0x02 || type == 0x04 || type == 0x05)
    {
        // PCIe 2.2.5: memory, I/O and configuration requests longer than 1 DW enable
        // bytes of their first DW; a 1-DW one has Last DW BE 0000b, a longer one not.
        uint32_t length = uint32_t(b[2] & 0x03) << 8 | b[3];
        length = length == 0 ? 1024 : length;
        uint8_t firstBe = b[7] & 0x0F;
        uint8_t lastBe = b[7] >> 4;
        if (length > 1 && firstBe == 0)
        {
            r.error = TlpHeader::PARSE_FIRST_BE;
            return r;
        }
        if ((length == 1) != (lastBe == 0))
        {
            r.error = TlpHeader::PARSE_LAST_BE;
            return r;
        }
    }
    r.size = size;
    r.completion = type == 0x0A || type == 0x0B;
    r.config = type == 0x04 || type == 0x05;
    r.message = (type & 0x18) == 0x10;
    r.memory = type == 0x00 || type == 0x01 || (r.data && type >= 0x0C && type <= 0x0E);
    r.reservedMask.assign(size, 0);
    if (r.completion)
    {
        r.reservedMask[11] = 0x80; // byte 11 bit 7, above Lower Address
    }
    if (r.config)
    {
        r.reservedMask[10] = 0xF0; // above Extended Register Number
        r.reservedMask[11] = 0x03; // below Register Number
    }
    return r;
}

/**
 * \param b a TLP's bytes
 * \param n their number
 * \return true for a write confirmation as doc/tlp-tunnel.rst describes it: MsgD routed
 * by ID (Fmt/Type 0x72), Message Code 0x7F, Vendor ID 0xFFFF in bytes 10-11
 */
inline bool
IsWriteConfirmation(const uint8_t* b, size_t n)
{
    return n >= 16 && b[0] == 0x72 && b[7] == 0x7F && Be16(b + 10) == 0xFFFF;
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
