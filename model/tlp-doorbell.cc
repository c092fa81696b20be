/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-doorbell.h"

#include "ns3/abort.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpDoorbell");

namespace
{

/// Byte enables of DW i of a request of `length` DWs.
uint8_t
DwEnables(const TlpHeader& h, uint32_t i)
{
    uint32_t length = h.GetLengthDw();
    if (i == 0)
    {
        return h.GetFirstByteEnable();
    }
    return i + 1 == length ? h.GetLastByteEnable() : 0xF;
}

} // namespace

TlpDoorbell::TlpDoorbell()
    : m_base(0),
      m_size(0),
      m_slots(0)
{
}

void
TlpDoorbell::Configure(uint64_t base, uint64_t size, uint32_t slots)
{
    NS_LOG_FUNCTION(this << base << size << slots);
    NS_ABORT_MSG_IF(size < 4096 || (size & (size - 1)) != 0,
                    "TlpTunnelNetDevice: DoorbellSize=" << size
                                                        << " must be a power of two of 4 KiB "
                                                           "or more (a BAR's size)");
    NS_ABORT_MSG_IF(base % size != 0 || base + size < base,
                    "TlpTunnelNetDevice: DoorbellBase=0x"
                        << std::hex << base << " must be a multiple of DoorbellSize=0x" << size
                        << " (a BAR is naturally aligned)");
    NS_ABORT_MSG_IF(slots < 1 || slots > TlpDoorbellRegisters::MAX_SLOTS,
                    "TlpTunnelNetDevice: DoorbellSlots=" << slots << " must be 1.."
                                                         << TlpDoorbellRegisters::MAX_SLOTS);
    m_base = base;
    m_size = size;
    m_slots = slots;
    m_regs.assign(GetRegistersSize(), 0);
    SetRegister(TlpDoorbellRegisters::ID, TlpDoorbellRegisters::ID_VALUE);
    SetRegister(TlpDoorbellRegisters::SLOTS, slots);
}

void
TlpDoorbell::SetCallbacks(CheckCallback check, StartCallback start, RefusedCallback refused)
{
    m_check = check;
    m_start = start;
    m_refused = refused;
}

void
TlpDoorbell::Clear()
{
    m_check = CheckCallback();
    m_start = StartCallback();
    m_refused = RefusedCallback();
}

uint64_t
TlpDoorbell::GetBase() const
{
    return m_base;
}

uint64_t
TlpDoorbell::GetSize() const
{
    return m_size;
}

uint32_t
TlpDoorbell::GetNSlots() const
{
    return m_slots;
}

uint32_t
TlpDoorbell::GetRegistersSize() const
{
    return TlpDoorbellRegisters::SLOT_BASE + m_slots * TlpDoorbellRegisters::SLOT_SIZE;
}

bool
TlpDoorbell::Contains(uint64_t address) const
{
    return m_size != 0 && address >= m_base && address - m_base < m_size;
}

const TlpDoorbell::Statistics&
TlpDoorbell::GetStatistics() const
{
    return m_stats;
}

uint32_t
TlpDoorbell::GetRegister(uint32_t offset) const
{
    NS_ASSERT(offset % 4 == 0 && offset + 4 <= m_regs.size());
    return uint32_t(m_regs[offset]) | uint32_t(m_regs[offset + 1]) << 8 |
           uint32_t(m_regs[offset + 2]) << 16 | uint32_t(m_regs[offset + 3]) << 24;
}

uint64_t
TlpDoorbell::GetRegister64(uint32_t offset) const
{
    return uint64_t(GetRegister(offset)) | uint64_t(GetRegister(offset + 4)) << 32;
}

void
TlpDoorbell::SetRegister(uint32_t offset, uint32_t value)
{
    for (uint32_t i = 0; i < 4; ++i)
    {
        m_regs[offset + i] = static_cast<uint8_t>(value >> (8 * i));
    }
}

bool
TlpDoorbell::IsWritable(uint32_t offset) const
{
    if (offset < TlpDoorbellRegisters::SLOT_BASE)
    {
        return false; // DOORBELL is write-only and kept apart; the rest is read-only
    }
    return (offset - TlpDoorbellRegisters::SLOT_BASE) % TlpDoorbellRegisters::SLOT_SIZE <
           TlpDoorbellRegisters::DESCRIPTOR_SIZE;
}

bool
TlpDoorbell::InRegisters(const TlpHeader& h)
{
    uint64_t dwAddress = h.GetAddress();
    if (Contains(dwAddress) && dwAddress - m_base + h.GetLengthDw() * 4ULL <= m_regs.size())
    {
        return true;
    }
    m_stats.outsideRegisters++;
    return false;
}

bool
TlpDoorbell::Write(Ptr<const Packet> tlp, const TlpHeader& h)
{
    if (!InRegisters(h))
    {
        return false;
    }
    m_stats.registerWrites++;
    uint32_t length = h.GetLengthDw();
    uint32_t offset = static_cast<uint32_t>(h.GetAddress() - m_base);
    std::vector<uint8_t> data(length * 4);
    Ptr<Packet> copy = tlp->Copy();
    copy->RemoveAtStart(h.GetSerializedSize());
    copy->CopyData(data.data(), data.size());
    bool ring = false;
    uint32_t doorbell = 0;
    for (uint32_t i = 0; i < length; ++i)
    {
        uint8_t be = DwEnables(h, i);
        for (uint32_t b = 0; b < 4; ++b)
        {
            if (!(be & (1U << b)))
            {
                continue;
            }
            uint32_t at = offset + i * 4 + b;
            uint8_t value = data[i * 4 + b];
            if (at / 4 * 4 == TlpDoorbellRegisters::DOORBELL)
            {
                ring = true;
                doorbell |= uint32_t(value) << (8 * (at % 4));
            }
            else if (IsWritable(at))
            {
                m_regs[at] = value;
            }
        }
    }
    if (ring)
    {
        Ring(doorbell);
    }
    return true;
}

bool
TlpDoorbell::Read(const TlpHeader& h, std::vector<uint8_t>& dws)
{
    if (!InRegisters(h))
    {
        return false;
    }
    m_stats.registerReads++;
    auto first = m_regs.begin() + (h.GetAddress() - m_base);
    dws.assign(first, first + h.GetLengthDw() * 4);
    return true;
}

void
TlpDoorbell::Error(uint32_t status)
{
    SetRegister(TlpDoorbellRegisters::LAST_ERROR, status);
    SetRegister(TlpDoorbellRegisters::ERRORS, GetRegister(TlpDoorbellRegisters::ERRORS) + 1);
}

void
TlpDoorbell::Ring(uint32_t slot)
{
    NS_LOG_FUNCTION(this << slot);
    m_stats.doorbells++;
    if (slot >= m_slots)
    {
        m_stats.refused++;
        Error(TlpDoorbellRegisters::BAD_SLOT);
        return;
    }
    uint32_t busy = GetRegister(TlpDoorbellRegisters::BUSY);
    if (busy & (1U << slot))
    {
        m_stats.refused++;
        Error(TlpDoorbellRegisters::SLOT_BUSY); // the running descriptor goes on
        return;
    }
    uint32_t base = TlpDoorbellRegisters::SLOT_BASE + slot * TlpDoorbellRegisters::SLOT_SIZE;
    TlpDescriptor d;
    d.local = GetRegister64(base + TlpDoorbellRegisters::LOCAL);
    d.length = GetRegister64(base + TlpDoorbellRegisters::LENGTH);
    d.offset = GetRegister64(base + TlpDoorbellRegisters::OFFSET);
    d.window = GetRegister(base + TlpDoorbellRegisters::WINDOW);
    d.flags = GetRegister(base + TlpDoorbellRegisters::FLAGS);
    d.completionAddress = GetRegister64(base + TlpDoorbellRegisters::COMPLETION_ADDRESS);
    d.completionValue = GetRegister(base + TlpDoorbellRegisters::COMPLETION_VALUE);
    uint32_t op = d.flags & TlpDoorbellRegisters::OP_MASK;
    uint32_t status = 0;
    if ((d.flags & ~TlpDoorbellRegisters::KNOWN_FLAGS) != 0 ||
        (op != TlpDoorbellRegisters::OP_READ && op != TlpDoorbellRegisters::OP_PUSH))
    {
        status = TlpDoorbellRegisters::BAD_FLAGS;
    }
    else if (d.length == 0 || d.length > TlpDoorbellRegisters::MAX_LENGTH)
    {
        status = TlpDoorbellRegisters::BAD_LENGTH;
    }
    else if (!m_check.IsNull())
    {
        status = m_check(d);
    }
    if (status != 0)
    {
        m_stats.refused++;
        Error(status);
        SetRegister(base + TlpDoorbellRegisters::STATUS, status);
        if (!m_refused.IsNull())
        {
            m_refused(slot, d, status);
        }
        return;
    }
    m_stats.started++;
    SetRegister(TlpDoorbellRegisters::BUSY, busy | (1U << slot));
    SetRegister(base + TlpDoorbellRegisters::STATUS, TlpDoorbellRegisters::BUSY_STATUS);
    if (!m_start.IsNull())
    {
        m_start(slot, d);
    }
}

void
TlpDoorbell::Finish(uint32_t slot, uint32_t status)
{
    NS_LOG_FUNCTION(this << slot << status);
    NS_ASSERT(slot < m_slots);
    uint32_t base = TlpDoorbellRegisters::SLOT_BASE + slot * TlpDoorbellRegisters::SLOT_SIZE;
    SetRegister(TlpDoorbellRegisters::BUSY,
                GetRegister(TlpDoorbellRegisters::BUSY) & ~(1U << slot));
    SetRegister(base + TlpDoorbellRegisters::STATUS, status);
    if (status == TlpDoorbellRegisters::DONE)
    {
        m_stats.done++;
        return;
    }
    m_stats.failed++;
    Error(status);
}

} // namespace ns3
