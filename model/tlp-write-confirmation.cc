/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-write-confirmation.h"

#include "tlp-ecrc-trailer.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpWriteConfirmation");

bool
TlpWriteConfirmation::IsRequested(const TlpHeader& h)
{
    return h.GetKind() == TlpHeader::MEM_WRITE && h.HasProcessingHint() && h.GetPh() == 0 &&
           h.GetTag() == STEERING_TAG;
}

void
TlpWriteConfirmation::SetRequested(TlpHeader& h, bool on)
{
    h.SetProcessingHint(on);
    h.SetPh(0);
    h.SetTag(on ? STEERING_TAG : 0);
}

Ptr<Packet>
TlpWriteConfirmation::Rewrite(Ptr<Packet> tlp, TlpHeader h, bool on)
{
    TlpEcrcTrailer digest;
    if (h.HasDigest())
    {
        tlp->RemoveTrailer(digest);
    }
    tlp->RemoveAtStart(h.GetSerializedSize());
    SetRequested(h, on);
    tlp->AddHeader(h);
    if (h.HasDigest())
    {
        TlpEcrcTrailer::Append(tlp);
    }
    return tlp;
}

Ptr<Packet>
TlpWriteConfirmation::Make(uint16_t confirmer, uint16_t writer, uint64_t address, uint32_t bytes)
{
    uint8_t data[DATA_SIZE];
    for (int i = 0; i < 8; ++i)
    {
        data[i] = static_cast<uint8_t>(address >> (56 - 8 * i));
    }
    for (int i = 0; i < 4; ++i)
    {
        data[8 + i] = static_cast<uint8_t>(bytes >> (24 - 8 * i));
    }
    TlpHeader h;
    h.SetFmtType(FMT_TYPE);
    h.SetRequesterId(confirmer);
    h.SetTag(0);
    h.SetMessageCode(MESSAGE_CODE);
    h.SetAddress(uint64_t(writer) << 48 | uint64_t(VENDOR_ID) << 32);
    h.SetLengthDw(DATA_SIZE / 4);
    Ptr<Packet> tlp = Create<Packet>(data, DATA_SIZE);
    tlp->AddHeader(h);
    return tlp;
}

uint32_t
TlpWriteConfirmation::WrittenBytes(const TlpHeader& write)
{
    uint64_t first = write.GetFirstByteAddress();
    uint32_t dw = write.GetLengthDw();
    uint8_t last = dw == 1 ? write.GetFirstByteEnable() : write.GetLastByteEnable();
    uint32_t top = 4;
    while (top > 0 && !(last & (1 << (top - 1))))
    {
        --top;
    }
    uint64_t end = write.GetAddress() + uint64_t(dw - 1) * 4 + top;
    return end > first ? static_cast<uint32_t>(end - first) : 0;
}

Ptr<Packet>
TlpWriteConfirmation::Confirm(const TlpHeader& write, uint16_t confirmer)
{
    return Make(confirmer,
                write.GetRequesterId(),
                write.GetFirstByteAddress(),
                WrittenBytes(write));
}

bool
TlpWriteConfirmation::IsConfirmation(const TlpHeader& h)
{
    return h.GetFmtType() == FMT_TYPE && h.GetMessageCode() == MESSAGE_CODE &&
           static_cast<uint16_t>(h.GetAddress() >> 32) == VENDOR_ID;
}

bool
TlpWriteConfirmation::Parse(Ptr<const Packet> tlp,
                            const TlpHeader& h,
                            uint16_t& writer,
                            uint64_t& address,
                            uint32_t& bytes)
{
    uint32_t headerSize = h.GetSerializedSize();
    if (!IsConfirmation(h) || h.GetDataSize() != DATA_SIZE ||
        tlp->GetSize() < headerSize + DATA_SIZE)
    {
        return false;
    }
    uint8_t data[DATA_SIZE];
    Ptr<Packet> body = tlp->CreateFragment(headerSize, DATA_SIZE);
    body->CopyData(data, DATA_SIZE);
    address = 0;
    for (int i = 0; i < 8; ++i)
    {
        address = address << 8 | data[i];
    }
    bytes = 0;
    for (int i = 0; i < 4; ++i)
    {
        bytes = bytes << 8 | data[8 + i];
    }
    writer = static_cast<uint16_t>(h.GetAddress() >> 48);
    return bytes >= 1 && bytes <= 4096 && address + (bytes - 1) >= address;
}

Ptr<Packet>
TlpWriteConfirmation::Readdress(Ptr<const Packet> tlp, uint64_t address)
{
    TlpHeader h;
    tlp->PeekHeader(h);
    uint16_t writer = 0;
    uint64_t old = 0;
    uint32_t bytes = 0;
    Parse(tlp, h, writer, old, bytes);
    return Make(h.GetRequesterId(), writer, address, bytes);
}

} // namespace ns3
