/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"

#include <algorithm>
#include <iomanip>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpHeader");

NS_OBJECT_ENSURE_REGISTERED(TlpHeader);

namespace
{

constexpr uint8_t FMT_3DW_NO_DATA = 0;
constexpr uint8_t FMT_4DW_NO_DATA = 1;
constexpr uint8_t FMT_3DW_DATA = 2;
constexpr uint8_t FMT_4DW_DATA = 3;
constexpr uint8_t FMT_PREFIX = 4;
constexpr uint64_t FOUR_GIB = 0x100000000ULL;

/// Type field values (Fmt-independent part of byte 0).
constexpr uint8_t TYPE_MEM = 0x00;
constexpr uint8_t TYPE_MEM_LOCKED = 0x01;
constexpr uint8_t TYPE_IO = 0x02;
constexpr uint8_t TYPE_CFG0 = 0x04;
constexpr uint8_t TYPE_CFG1 = 0x05;
constexpr uint8_t TYPE_CPL = 0x0A;
constexpr uint8_t TYPE_CPL_LOCKED = 0x0B;
constexpr uint8_t TYPE_FETCH_ADD = 0x0C;
constexpr uint8_t TYPE_SWAP = 0x0D;
constexpr uint8_t TYPE_CAS = 0x0E;
constexpr uint8_t TYPE_MSG_MASK = 0x18; // 10rrr
constexpr uint8_t TYPE_MSG = 0x10;

bool
IsMessageType(uint8_t type)
{
    return (type & TYPE_MSG_MASK) == TYPE_MSG;
}

/// \return true when the specification defines this Fmt/Type pair
bool
IsDefinedPair(uint8_t fmt, uint8_t type)
{
    switch (fmt)
    {
    case FMT_3DW_NO_DATA:
        return type == TYPE_MEM || type == TYPE_MEM_LOCKED || type == TYPE_IO ||
               type == TYPE_CFG0 || type == TYPE_CFG1 || type == TYPE_CPL ||
               type == TYPE_CPL_LOCKED;
    case FMT_4DW_NO_DATA:
        return type == TYPE_MEM || type == TYPE_MEM_LOCKED || IsMessageType(type);
    case FMT_3DW_DATA:
        return type == TYPE_MEM || type == TYPE_IO || type == TYPE_CFG0 || type == TYPE_CFG1 ||
               type == TYPE_CPL || type == TYPE_CPL_LOCKED || type == TYPE_FETCH_ADD ||
               type == TYPE_SWAP || type == TYPE_CAS;
    case FMT_4DW_DATA:
        return type == TYPE_MEM || type == TYPE_FETCH_ADD || type == TYPE_SWAP ||
               type == TYPE_CAS || IsMessageType(type);
    default:
        return false;
    }
}

/// \return index of the lowest set bit of a 4-bit byte enable, 4 when none is set
uint32_t
LowestEnabled(uint8_t be)
{
    for (uint32_t i = 0; i < 4; ++i)
    {
        if (be & (1U << i))
        {
            return i;
        }
    }
    return 4;
}

/// \return index of the highest set bit of a 4-bit byte enable, 0 when none is set
uint32_t
HighestEnabled(uint8_t be)
{
    for (uint32_t i = 4; i > 0; --i)
    {
        if (be & (1U << (i - 1)))
        {
            return i - 1;
        }
    }
    return 0;
}

} // namespace

TlpHeader::TlpHeader()
    : m_fmt(FMT_3DW_NO_DATA),
      m_type(TYPE_MEM),
      m_tc(0),
      m_attr(0),
      m_ln(false),
      m_th(false),
      m_td(false),
      m_ep(false),
      m_at(0),
      m_length(1),
      m_requesterId(0),
      m_tag(0),
      m_firstBe(0),
      m_lastBe(0),
      m_address(0),
      m_ph(0),
      m_completerId(0),
      m_status(SC),
      m_bcm(false),
      m_byteCount(0),
      m_lowerAddress(0),
      m_register(0),
      m_messageCode(0),
      m_error(PARSE_OK)
{
}

TlpHeader::~TlpHeader()
{
}

bool
TlpHeader::PeekSummary(Ptr<const Packet> tlp, Summary& s)
{
    uint8_t b[16];
    if (tlp->CopyData(b, 16) < 12)
    {
        return false;
    }
    uint8_t fmt = b[0] >> 5;
    uint8_t type = b[0] & 0x1F;
    bool data = (fmt & 2) != 0;
    uint32_t length = (uint32_t(b[2] & 3) << 8) | b[3];
    s.completion = type == TYPE_CPL || type == TYPE_CPL_LOCKED;
    s.posted = IsMessageType(type) || (type == TYPE_MEM && data);
    s.memory = type == TYPE_MEM || type == TYPE_MEM_LOCKED ||
               (data && (type == TYPE_FETCH_ADD || type == TYPE_SWAP || type == TYPE_CAS));
    s.dataBytes = data ? (length == 0 ? 1024 : length) * 4 : 0;
    s.attr = static_cast<uint8_t>(((b[1] >> 2) & 1) << 2 | ((b[2] >> 4) & 3));
    uint16_t dw1 = static_cast<uint16_t>(b[4] << 8 | b[5]);
    s.requesterId = s.completion ? static_cast<uint16_t>(b[8] << 8 | b[9]) : dw1;
    s.completerId = s.completion ? dw1 : 0;
    uint64_t low = uint64_t(b[8]) << 24 | uint64_t(b[9]) << 16 | uint64_t(b[10]) << 8 | b[11];
    if (fmt & 1)
    {
        low = low << 32 | uint64_t(b[12]) << 24 | uint64_t(b[13]) << 16 | uint64_t(b[14]) << 8 |
              b[15];
    }
    s.address = s.memory ? low & ~uint64_t(3) : 0;
    s.idRouted = IsMessageType(type) && (type & 0x07) == 0x02;
    s.targetId = s.idRouted ? static_cast<uint16_t>(b[8] << 8 | b[9]) : 0;
    return true;
}

TypeId
TlpHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::TlpHeader")
                            .SetParent<Header>()
                            .SetGroupName("TlpTunnel")
                            .AddConstructor<TlpHeader>();
    return tid;
}

TypeId
TlpHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

uint32_t
TlpHeader::ByteEnables(uint64_t address, uint32_t bytes, uint8_t& firstBe, uint8_t& lastBe)
{
    if (bytes == 0)
    {
        firstBe = 0;
        lastBe = 0;
        return 1;
    }
    uint64_t last = address + bytes - 1;
    uint32_t length = static_cast<uint32_t>((last >> 2) - (address >> 2) + 1);
    firstBe = static_cast<uint8_t>((0xF << (address & 3)) & 0xF);
    lastBe = static_cast<uint8_t>(0xF >> (3 - (last & 3)));
    if (length == 1)
    {
        firstBe &= lastBe;
        lastBe = 0;
    }
    return length;
}

TlpHeader
TlpHeader::MakeMemRead(uint64_t address, uint32_t bytes, uint16_t requesterId, uint16_t tag)
{
    TlpHeader h;
    uint8_t first;
    uint8_t last;
    uint32_t dw = ByteEnables(address, bytes, first, last);
    NS_ABORT_MSG_IF(dw > 1024, "MRd of " << bytes << " bytes exceeds 1024 DW");
    h.SetKind(MEM_READ);
    h.SetAddress(address);
    h.SetLengthDw(dw);
    h.SetFirstByteEnable(first);
    h.SetLastByteEnable(last);
    h.SetRequesterId(requesterId);
    h.SetTag(tag);
    return h;
}

TlpHeader
TlpHeader::MakeMemWrite(uint64_t address, uint32_t bytes, uint16_t requesterId, uint16_t tag)
{
    NS_ABORT_MSG_IF(bytes == 0, "MWr needs at least one byte");
    TlpHeader h = MakeMemRead(address, bytes, requesterId, tag);
    h.SetKind(MEM_WRITE);
    return h;
}

Ptr<Packet>
TlpHeader::MakeWritePayload(uint64_t address, const uint8_t* data, uint32_t bytes)
{
    uint64_t dwStart = AlignDown(address, 4);
    uint32_t dwBytes = static_cast<uint32_t>(AlignUp(address + bytes, 4) - dwStart);
    if (dwStart == address && dwBytes == bytes)
    {
        return Create<Packet>(data, bytes);
    }
    uint8_t padded[4096 + 8] = {};
    std::copy(data, data + bytes, padded + (address - dwStart));
    return Create<Packet>(padded, dwBytes);
}

TlpHeader
TlpHeader::MakeAtomic(Kind kind,
                      uint64_t address,
                      uint32_t operandBytes,
                      uint16_t requesterId,
                      uint16_t tag)
{
    NS_ABORT_MSG_UNLESS(kind == FETCH_ADD || kind == SWAP || kind == CAS,
                        "not an AtomicOp kind: " << KindToString(kind));
    NS_ABORT_MSG_UNLESS(operandBytes == 4 || operandBytes == 8 ||
                            (kind == CAS && operandBytes == 16),
                        "AtomicOp operand size " << operandBytes << " bytes");
    TlpHeader h;
    h.SetKind(kind);
    h.SetAddress(address);
    uint32_t payload = (kind == CAS) ? 2 * operandBytes : operandBytes;
    h.SetLengthDw(payload / 4);
    // The byte enable fields of AtomicOp requests are reserved (zero): the operand
    // size follows from Length.
    h.SetRequesterId(requesterId);
    h.SetTag(tag);
    return h;
}

TlpHeader
TlpHeader::MakeCompletion(CompletionStatus status,
                          uint16_t completerId,
                          uint16_t requesterId,
                          uint16_t tag,
                          uint32_t byteCount,
                          uint8_t lowerAddress,
                          uint32_t dataDw)
{
    TlpHeader h;
    h.SetKind(dataDw > 0 ? COMPLETION_DATA : COMPLETION);
    if (dataDw > 0)
    {
        h.SetLengthDw(dataDw);
    }
    h.SetStatus(status);
    h.SetCompleterId(completerId);
    h.SetRequesterId(requesterId);
    h.SetTag(tag);
    h.SetByteCount(byteCount);
    h.SetLowerAddress(lowerAddress);
    return h;
}

TlpHeader
TlpHeader::MakeCompletionFor(const TlpHeader& request,
                             CompletionStatus status,
                             uint16_t completerId)
{
    uint32_t byteCount = 4;
    uint8_t lowerAddress = 0;
    Kind kind = request.GetKind();
    if (kind == MEM_READ || kind == MEM_READ_LOCKED)
    {
        byteCount = std::max<uint32_t>(1, request.GetEnabledBytes());
        lowerAddress = static_cast<uint8_t>(request.GetFirstByteAddress() & 0x7F);
    }
    else if (request.IsAtomic())
    {
        // An AtomicOp's completion counts its operand (CAS carries two of them).
        byteCount = kind == CAS ? request.GetDataSize() / 2 : request.GetDataSize();
    }
    TlpHeader cpl = MakeCompletion(status,
                                   completerId,
                                   request.GetRequesterId(),
                                   request.GetTag(),
                                   byteCount,
                                   lowerAddress,
                                   0);
    if (kind == MEM_READ_LOCKED)
    {
        cpl.SetKind(COMPLETION_LOCKED);
    }
    cpl.SetTrafficClass(request.GetTrafficClass());
    cpl.SetAttributes(request.GetAttributes());
    return cpl;
}

void
TlpHeader::SetKind(Kind kind)
{
    bool wide = m_address >= FOUR_GIB;
    switch (kind)
    {
    case MEM_READ:
        m_type = TYPE_MEM;
        m_fmt = wide ? FMT_4DW_NO_DATA : FMT_3DW_NO_DATA;
        break;
    case MEM_READ_LOCKED:
        m_type = TYPE_MEM_LOCKED;
        m_fmt = wide ? FMT_4DW_NO_DATA : FMT_3DW_NO_DATA;
        break;
    case MEM_WRITE:
        m_type = TYPE_MEM;
        m_fmt = wide ? FMT_4DW_DATA : FMT_3DW_DATA;
        break;
    case IO_READ:
        m_type = TYPE_IO;
        m_fmt = FMT_3DW_NO_DATA;
        break;
    case IO_WRITE:
        m_type = TYPE_IO;
        m_fmt = FMT_3DW_DATA;
        break;
    case CFG_READ0:
        m_type = TYPE_CFG0;
        m_fmt = FMT_3DW_NO_DATA;
        break;
    case CFG_WRITE0:
        m_type = TYPE_CFG0;
        m_fmt = FMT_3DW_DATA;
        break;
    case CFG_READ1:
        m_type = TYPE_CFG1;
        m_fmt = FMT_3DW_NO_DATA;
        break;
    case CFG_WRITE1:
        m_type = TYPE_CFG1;
        m_fmt = FMT_3DW_DATA;
        break;
    case MESSAGE:
        m_type = IsMessageType(m_type) ? m_type : TYPE_MSG;
        m_fmt = FMT_4DW_NO_DATA;
        m_length = 0; // reserved without data
        break;
    case MESSAGE_DATA:
        m_type = IsMessageType(m_type) ? m_type : TYPE_MSG;
        m_fmt = FMT_4DW_DATA;
        break;
    case COMPLETION:
        m_type = TYPE_CPL;
        m_fmt = FMT_3DW_NO_DATA;
        m_length = 0; // reserved without data
        break;
    case COMPLETION_DATA:
        m_type = TYPE_CPL;
        m_fmt = FMT_3DW_DATA;
        break;
    case COMPLETION_LOCKED:
        m_type = TYPE_CPL_LOCKED;
        m_fmt = FMT_3DW_NO_DATA;
        m_length = 0; // reserved without data
        break;
    case COMPLETION_DATA_LOCKED:
        m_type = TYPE_CPL_LOCKED;
        m_fmt = FMT_3DW_DATA;
        break;
    case FETCH_ADD:
        m_type = TYPE_FETCH_ADD;
        m_fmt = wide ? FMT_4DW_DATA : FMT_3DW_DATA;
        break;
    case SWAP:
        m_type = TYPE_SWAP;
        m_fmt = wide ? FMT_4DW_DATA : FMT_3DW_DATA;
        break;
    case CAS:
        m_type = TYPE_CAS;
        m_fmt = wide ? FMT_4DW_DATA : FMT_3DW_DATA;
        break;
    default:
        NS_ABORT_MSG("TlpHeader::SetKind: invalid kind " << static_cast<int>(kind));
    }
}

TlpHeader::Kind
TlpHeader::GetKind() const
{
    if (!IsDefined())
    {
        return INVALID;
    }
    bool data = HasData();
    if (IsMessageType(m_type))
    {
        return data ? MESSAGE_DATA : MESSAGE;
    }
    switch (m_type)
    {
    case TYPE_MEM:
        return data ? MEM_WRITE : MEM_READ;
    case TYPE_MEM_LOCKED:
        return MEM_READ_LOCKED;
    case TYPE_IO:
        return data ? IO_WRITE : IO_READ;
    case TYPE_CFG0:
        return data ? CFG_WRITE0 : CFG_READ0;
    case TYPE_CFG1:
        return data ? CFG_WRITE1 : CFG_READ1;
    case TYPE_CPL:
        return data ? COMPLETION_DATA : COMPLETION;
    case TYPE_CPL_LOCKED:
        return data ? COMPLETION_DATA_LOCKED : COMPLETION_LOCKED;
    case TYPE_FETCH_ADD:
        return FETCH_ADD;
    case TYPE_SWAP:
        return SWAP;
    case TYPE_CAS:
        return CAS;
    default:
        return INVALID;
    }
}

void
TlpHeader::SetFmtType(uint8_t fmtType)
{
    m_fmt = fmtType >> 5;
    m_type = fmtType & 0x1F;
}

uint8_t
TlpHeader::GetFmtType() const
{
    return static_cast<uint8_t>((m_fmt << 5) | m_type);
}

bool
TlpHeader::IsDefined() const
{
    return IsDefinedPair(m_fmt, m_type);
}

bool
TlpHeader::Is4Dw() const
{
    return (m_fmt & 1) != 0;
}

bool
TlpHeader::HasData() const
{
    return (m_fmt & 2) != 0;
}

bool
TlpHeader::IsCompletion() const
{
    return m_fmt < FMT_PREFIX && (m_type == TYPE_CPL || m_type == TYPE_CPL_LOCKED);
}

bool
TlpHeader::IsRequest() const
{
    return IsDefined() && !IsCompletion();
}

bool
TlpHeader::IsPosted() const
{
    return IsDefined() && (IsMessageType(m_type) || (m_type == TYPE_MEM && HasData()));
}

bool
TlpHeader::IsAtomic() const
{
    return HasData() && (m_type == TYPE_FETCH_ADD || m_type == TYPE_SWAP || m_type == TYPE_CAS);
}

bool
TlpHeader::HasMemoryAddress() const
{
    return IsDefined() && (m_type == TYPE_MEM || m_type == TYPE_MEM_LOCKED || IsAtomic());
}

void
TlpHeader::SetTrafficClass(uint8_t tc)
{
    NS_ABORT_MSG_IF(tc > 7, "traffic class " << +tc << " out of range 0..7");
    m_tc = tc;
}

uint8_t
TlpHeader::GetTrafficClass() const
{
    return m_tc;
}

void
TlpHeader::SetAttributes(uint8_t attr)
{
    m_attr = attr & 0x7;
}

uint8_t
TlpHeader::GetAttributes() const
{
    return m_attr;
}

void
TlpHeader::SetDigest(bool td)
{
    m_td = td;
}

bool
TlpHeader::HasDigest() const
{
    return m_td;
}

void
TlpHeader::SetPoisoned(bool ep)
{
    m_ep = ep;
}

bool
TlpHeader::IsPoisoned() const
{
    return m_ep;
}

void
TlpHeader::SetProcessingHint(bool th)
{
    m_th = th;
}

bool
TlpHeader::HasProcessingHint() const
{
    return m_th;
}

void
TlpHeader::SetLightweightNotification(bool ln)
{
    m_ln = ln;
}

bool
TlpHeader::GetLightweightNotification() const
{
    return m_ln;
}

void
TlpHeader::SetAddressType(uint8_t at)
{
    m_at = at & 0x3;
}

uint8_t
TlpHeader::GetAddressType() const
{
    return m_at;
}

void
TlpHeader::SetLengthDw(uint32_t dw)
{
    NS_ABORT_MSG_UNLESS(dw >= 1 && dw <= 1024, "TLP Length " << dw << " DW out of range 1..1024");
    m_length = static_cast<uint16_t>(dw & 0x3FF);
}

uint32_t
TlpHeader::GetLengthDw() const
{
    return m_length == 0 ? 1024 : m_length;
}

uint32_t
TlpHeader::GetDataSize() const
{
    return HasData() ? GetLengthDw() * 4 : 0;
}

void
TlpHeader::SetRequesterId(uint16_t id)
{
    m_requesterId = id;
}

uint16_t
TlpHeader::GetRequesterId() const
{
    return m_requesterId;
}

void
TlpHeader::SetTag(uint16_t tag)
{
    NS_ABORT_MSG_IF(tag > 0x3FF, "TLP tag " << tag << " exceeds 10 bits");
    m_tag = tag;
}

uint16_t
TlpHeader::GetTag() const
{
    return m_tag;
}

void
TlpHeader::SetFirstByteEnable(uint8_t be)
{
    m_firstBe = be & 0xF;
}

uint8_t
TlpHeader::GetFirstByteEnable() const
{
    return m_firstBe;
}

void
TlpHeader::SetLastByteEnable(uint8_t be)
{
    m_lastBe = be & 0xF;
}

uint8_t
TlpHeader::GetLastByteEnable() const
{
    return m_lastBe;
}

void
TlpHeader::SetAddress(uint64_t address)
{
    m_address = address & ~uint64_t(3);
    if (HasMemoryAddress())
    {
        bool wide = m_address >= FOUR_GIB;
        m_fmt = static_cast<uint8_t>((m_fmt & 2) | (wide ? 1 : 0));
    }
}

uint64_t
TlpHeader::GetAddress() const
{
    return m_address;
}

uint64_t
TlpHeader::GetFirstByteAddress() const
{
    uint32_t first = LowestEnabled(m_firstBe);
    return m_address + (first == 4 ? 0 : first);
}

uint32_t
TlpHeader::GetEnabledBytes() const
{
    uint32_t length = GetLengthDw();
    if (length == 1)
    {
        if (m_firstBe == 0)
        {
            return 0;
        }
        return HighestEnabled(m_firstBe) - LowestEnabled(m_firstBe) + 1;
    }
    uint32_t firstBytes = (m_firstBe == 0) ? 0 : 4 - LowestEnabled(m_firstBe);
    uint32_t lastBytes = (m_lastBe == 0) ? 0 : HighestEnabled(m_lastBe) + 1;
    return (length - 2) * 4 + firstBytes + lastBytes;
}

void
TlpHeader::SetPh(uint8_t ph)
{
    m_ph = ph & 0x3;
}

uint8_t
TlpHeader::GetPh() const
{
    return m_ph;
}

void
TlpHeader::SetCompleterId(uint16_t id)
{
    m_completerId = id;
}

uint16_t
TlpHeader::GetCompleterId() const
{
    return m_completerId;
}

void
TlpHeader::SetStatus(CompletionStatus status)
{
    m_status = status;
}

uint8_t
TlpHeader::GetStatus() const
{
    return m_status;
}

void
TlpHeader::SetBcm(bool bcm)
{
    m_bcm = bcm;
}

bool
TlpHeader::GetBcm() const
{
    return m_bcm;
}

void
TlpHeader::SetByteCount(uint32_t bytes)
{
    NS_ABORT_MSG_UNLESS(bytes >= 1 && bytes <= 4096,
                        "completion Byte Count " << bytes << " out of range 1..4096");
    m_byteCount = static_cast<uint16_t>(bytes & 0xFFF);
}

uint32_t
TlpHeader::GetByteCount() const
{
    return m_byteCount == 0 ? 4096 : m_byteCount;
}

void
TlpHeader::SetLowerAddress(uint8_t lowerAddress)
{
    m_lowerAddress = lowerAddress & 0x7F;
}

uint8_t
TlpHeader::GetLowerAddress() const
{
    return m_lowerAddress;
}

void
TlpHeader::SetRegister(uint16_t reg)
{
    m_register = reg & 0x3FF;
}

uint16_t
TlpHeader::GetRegister() const
{
    return m_register;
}

void
TlpHeader::SetMessageCode(uint8_t code)
{
    m_messageCode = code;
}

uint8_t
TlpHeader::GetMessageCode() const
{
    return m_messageCode;
}

TlpHeader::ParseError
TlpHeader::GetParseError() const
{
    return m_error;
}

uint32_t
TlpHeader::GetSerializedSize() const
{
    return Is4Dw() ? 16 : 12;
}

void
TlpHeader::Serialize(Buffer::Iterator start) const
{
    Buffer::Iterator i = start;
    i.WriteU8(GetFmtType());
    i.WriteU8(static_cast<uint8_t>(((m_tag >> 9) & 1) << 7 | m_tc << 4 | ((m_tag >> 8) & 1) << 3 |
                                   ((m_attr >> 2) & 1) << 2 | m_ln << 1 | m_th));
    i.WriteU8(static_cast<uint8_t>(m_td << 7 | m_ep << 6 | (m_attr & 3) << 4 | m_at << 2 |
                                   ((m_length >> 8) & 3)));
    i.WriteU8(static_cast<uint8_t>(m_length & 0xFF));

    if (IsCompletion())
    {
        i.WriteHtonU16(m_completerId);
        i.WriteU8(static_cast<uint8_t>(m_status << 5 | m_bcm << 4 | ((m_byteCount >> 8) & 0xF)));
        i.WriteU8(static_cast<uint8_t>(m_byteCount & 0xFF));
        i.WriteHtonU16(m_requesterId);
        i.WriteU8(static_cast<uint8_t>(m_tag & 0xFF));
        i.WriteU8(m_lowerAddress & 0x7F);
        return;
    }

    i.WriteHtonU16(m_requesterId);
    i.WriteU8(static_cast<uint8_t>(m_tag & 0xFF));
    if (IsMessageType(m_type))
    {
        i.WriteU8(m_messageCode);
        i.WriteHtonU32(static_cast<uint32_t>(m_address >> 32));
        i.WriteHtonU32(static_cast<uint32_t>(m_address));
        return;
    }
    i.WriteU8(static_cast<uint8_t>(m_lastBe << 4 | m_firstBe));
    if (m_type == TYPE_CFG0 || m_type == TYPE_CFG1)
    {
        i.WriteHtonU16(m_completerId);
        i.WriteU8(static_cast<uint8_t>((m_register >> 6) & 0xF));
        i.WriteU8(static_cast<uint8_t>((m_register & 0x3F) << 2));
        return;
    }
    if (Is4Dw())
    {
        i.WriteHtonU32(static_cast<uint32_t>(m_address >> 32));
    }
    i.WriteHtonU32(static_cast<uint32_t>(m_address & 0xFFFFFFFC) | m_ph);
}

uint32_t
TlpHeader::Deserialize(Buffer::Iterator start)
{
    Buffer::Iterator i = start;
    uint32_t available = i.GetRemainingSize();
    m_error = PARSE_OK;
    if (available < 12)
    {
        m_error = PARSE_TRUNCATED;
        return 0;
    }
    uint8_t b0 = i.ReadU8();
    uint8_t fmt = b0 >> 5;
    uint8_t type = b0 & 0x1F;
    if (fmt == FMT_PREFIX)
    {
        m_error = PARSE_PREFIX;
        return 0;
    }
    if (fmt > FMT_PREFIX)
    {
        m_error = PARSE_RESERVED_FMT;
        return 0;
    }
    if (!IsDefinedPair(fmt, type))
    {
        m_error = IsDefinedPair(fmt ^ 1, type) ? PARSE_BAD_FORMAT_SIZE : PARSE_RESERVED_TYPE;
        return 0;
    }
    uint32_t size = (fmt & 1) ? 16 : 12;
    if (available < size)
    {
        m_error = PARSE_TRUNCATED;
        return 0;
    }
    m_fmt = fmt;
    m_type = type;
    uint8_t b1 = i.ReadU8();
    uint8_t b2 = i.ReadU8();
    uint8_t b3 = i.ReadU8();
    uint16_t tagHigh = static_cast<uint16_t>(((b1 >> 7) & 1) << 9 | ((b1 >> 3) & 1) << 8);
    m_tc = (b1 >> 4) & 0x7;
    m_attr = static_cast<uint8_t>(((b1 >> 2) & 1) << 2 | ((b2 >> 4) & 3));
    m_ln = (b1 >> 1) & 1;
    m_th = b1 & 1;
    m_td = (b2 >> 7) & 1;
    m_ep = (b2 >> 6) & 1;
    m_at = (b2 >> 2) & 3;
    m_length = static_cast<uint16_t>((b2 & 3) << 8 | b3);
    m_firstBe = 0;
    m_lastBe = 0;
    m_address = 0;
    m_ph = 0;
    m_completerId = 0;
    m_status = SC;
    m_bcm = false;
    m_byteCount = 0;
    m_lowerAddress = 0;
    m_register = 0;
    m_messageCode = 0;

    if (IsCompletion())
    {
        m_completerId = i.ReadNtohU16();
        uint8_t b6 = i.ReadU8();
        uint8_t b7 = i.ReadU8();
        m_status = b6 >> 5;
        m_bcm = (b6 >> 4) & 1;
        m_byteCount = static_cast<uint16_t>((b6 & 0xF) << 8 | b7);
        m_requesterId = i.ReadNtohU16();
        m_tag = static_cast<uint16_t>(tagHigh | i.ReadU8());
        m_lowerAddress = i.ReadU8() & 0x7F;
        return size;
    }

    m_requesterId = i.ReadNtohU16();
    m_tag = static_cast<uint16_t>(tagHigh | i.ReadU8());
    uint8_t b7 = i.ReadU8();
    if (IsMessageType(m_type))
    {
        m_messageCode = b7;
        uint64_t high = i.ReadNtohU32();
        m_address = high << 32 | i.ReadNtohU32();
        return size;
    }
    m_lastBe = b7 >> 4;
    m_firstBe = b7 & 0xF;
    if (m_type == TYPE_MEM || m_type == TYPE_MEM_LOCKED || m_type == TYPE_IO ||
        m_type == TYPE_CFG0 || m_type == TYPE_CFG1)
    {
        // Byte enable rules of 2.2.5 (AtomicOps have none: their fields are reserved).
        uint32_t length = GetLengthDw();
        if (length > 1 && m_firstBe == 0)
        {
            m_error = PARSE_FIRST_BE;
            return 0;
        }
        if ((length == 1) != (m_lastBe == 0))
        {
            m_error = PARSE_LAST_BE;
            return 0;
        }
    }
    if (m_type == TYPE_CFG0 || m_type == TYPE_CFG1)
    {
        m_completerId = i.ReadNtohU16();
        uint8_t b10 = i.ReadU8();
        uint8_t b11 = i.ReadU8();
        m_register = static_cast<uint16_t>((b10 & 0xF) << 6 | (b11 >> 2));
        return size;
    }
    uint64_t high = 0;
    if (fmt & 1)
    {
        high = i.ReadNtohU32();
    }
    uint32_t low = i.ReadNtohU32();
    m_address = high << 32 | (low & 0xFFFFFFFC);
    m_ph = low & 3;
    return size;
}

std::string
TlpHeader::ParseErrorToString(ParseError error)
{
    switch (error)
    {
    case PARSE_OK:
        return "ok";
    case PARSE_TRUNCATED:
        return "truncated TLP header";
    case PARSE_PREFIX:
        return "TLP prefix (Fmt 100b) not supported";
    case PARSE_RESERVED_FMT:
        return "reserved Fmt";
    case PARSE_RESERVED_TYPE:
        return "reserved Fmt/Type combination";
    case PARSE_BAD_FORMAT_SIZE:
        return "header size (3DW/4DW) not allowed for this Type";
    case PARSE_FIRST_BE:
        return "First DW BE 0000b in a request longer than 1 DW";
    case PARSE_LAST_BE:
        return "Last DW BE must be 0000b in a 1-DW request and non-zero in a longer one";
    }
    return "unknown";
}

std::string
TlpHeader::KindToString(Kind kind)
{
    switch (kind)
    {
    case MEM_READ:
        return "MRd";
    case MEM_READ_LOCKED:
        return "MRdLk";
    case MEM_WRITE:
        return "MWr";
    case IO_READ:
        return "IORd";
    case IO_WRITE:
        return "IOWr";
    case CFG_READ0:
        return "CfgRd0";
    case CFG_WRITE0:
        return "CfgWr0";
    case CFG_READ1:
        return "CfgRd1";
    case CFG_WRITE1:
        return "CfgWr1";
    case MESSAGE:
        return "Msg";
    case MESSAGE_DATA:
        return "MsgD";
    case COMPLETION:
        return "Cpl";
    case COMPLETION_DATA:
        return "CplD";
    case COMPLETION_LOCKED:
        return "CplLk";
    case COMPLETION_DATA_LOCKED:
        return "CplDLk";
    case FETCH_ADD:
        return "FetchAdd";
    case SWAP:
        return "Swap";
    case CAS:
        return "CAS";
    case INVALID:
        break;
    }
    return "Invalid";
}

std::string
TlpHeader::StatusToString(uint8_t status)
{
    switch (status)
    {
    case SC:
        return "SC";
    case UR:
        return "UR";
    case CRS:
        return "CRS";
    case CA:
        return "CA";
    default:
        return "reserved";
    }
}

void
TlpHeader::Print(std::ostream& os) const
{
    std::ios::fmtflags flags = os.flags();
    char fill = os.fill('0');
    Kind kind = GetKind();
    os << KindToString(kind);
    if (HasMemoryAddress())
    {
        os << (Is4Dw() ? "64" : "32");
    }
    os << std::hex << " fmt_type=0x" << std::setw(2) << +GetFmtType() << std::dec << " tc=" << +m_tc
       << " attr=" << +m_attr << " th=" << m_th << " td=" << m_td << " ep=" << m_ep
       << " at=" << +m_at;
    if (HasData() || (IsRequest() && !IsMessageType(m_type)))
    {
        os << " len=" << GetLengthDw() << "DW";
    }
    if (IsCompletion())
    {
        os << std::hex << " completer_id=0x" << std::setw(4) << m_completerId << std::dec
           << " status=" << StatusToString(m_status) << " bcm=" << m_bcm
           << " byte_count=" << GetByteCount() << std::hex << " requester_id=0x" << std::setw(4)
           << m_requesterId << " tag=0x" << std::setw(3) << m_tag << " lower_address=0x"
           << std::setw(2) << +m_lowerAddress;
    }
    else
    {
        os << std::hex << " requester_id=0x" << std::setw(4) << m_requesterId << " tag=0x"
           << std::setw(3) << m_tag;
        if (IsMessageType(m_type))
        {
            os << " routing=" << +(m_type & 7) << " message_code=0x" << std::setw(2)
               << +m_messageCode << " dw2_3=0x" << std::setw(16) << m_address;
        }
        else
        {
            os << " last_be=0x" << +m_lastBe << " first_be=0x" << +m_firstBe;
            if (m_type == TYPE_CFG0 || m_type == TYPE_CFG1)
            {
                os << " target_id=0x" << std::setw(4) << m_completerId << std::dec
                   << " register=" << m_register;
            }
            else
            {
                os << " address=0x" << std::setw(Is4Dw() ? 16 : 8) << m_address;
                if (m_th)
                {
                    os << " ph=" << +m_ph;
                }
            }
        }
    }
    os.flags(flags);
    os.fill(fill);
}

} // namespace ns3
