/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_DOORBELL_H
#define TLP_DOORBELL_H

#include "tlp-doorbell-registers.h"
#include "tlp-header.h"

#include "ns3/callback.h"
#include "ns3/packet.h"

#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The NIC's doorbell registers: a BAR the CPU writes descriptors into with
 * ordinary MWr TLPs, then the slot number into DOORBELL (TlpDoorbellRegisters has
 * the layout).
 *
 * A doorbell latches the slot's descriptor, so the CPU may rewrite the slot while it
 * runs, and hands it to the NIC's DMA engine after checks: the slot exists and is not
 * running, the flags name one operation, the length is 1..MAX_LENGTH, then the
 * engine's own checks (window, range, local memory, completion address). A refused
 * descriptor never starts; its status goes to the slot's STATUS (unless the slot
 * was busy or did not exist), to LAST_ERROR, and is counted in ERRORS. Reads of
 * the BAR return the registers; accesses past the last slot are refused, and the
 * NIC answers them with Unsupported Request.
 */
class TlpDoorbell
{
  public:
    /// The engine's checks of a descriptor: 0, or a TlpDoorbellRegisters::Status.
    typedef Callback<uint32_t, const TlpDescriptor&> CheckCallback;
    /// Start a descriptor: (slot, descriptor).
    typedef Callback<void, uint32_t, const TlpDescriptor&> StartCallback;
    /// A descriptor was refused: (slot, descriptor, status); the slot is valid and idle.
    typedef Callback<void, uint32_t, const TlpDescriptor&, uint32_t> RefusedCallback;

    /// Counters.
    struct Statistics
    {
        uint64_t doorbells = 0;        //!< writes to DOORBELL
        uint64_t started = 0;          //!< descriptors started
        uint64_t refused = 0;          //!< doorbells refused (bad slot, busy, bad descriptor)
        uint64_t done = 0;             //!< descriptors ended with DONE
        uint64_t failed = 0;           //!< descriptors ended with an error
        uint64_t registerWrites = 0;   //!< MWr TLPs into the registers
        uint64_t registerReads = 0;    //!< MRd TLPs of the registers
        uint64_t outsideRegisters = 0; //!< TLPs past the last slot (refused)
    };

    TlpDoorbell();

    /**
     * \param base first address of the BAR
     * \param size bytes of the BAR
     * \param slots descriptor slots, 1..MAX_SLOTS, that fit the BAR
     */
    void Configure(uint64_t base, uint64_t size, uint32_t slots);
    /**
     * \param check the engine's checks
     * \param start starts a descriptor
     * \param refused a refused descriptor (for its completion write)
     */
    void SetCallbacks(CheckCallback check, StartCallback start, RefusedCallback refused);
    /// Forget callbacks and state.
    void Clear();

    /// \return the BAR's base
    uint64_t GetBase() const;
    /// \return the BAR's size
    uint64_t GetSize() const;
    /// \return the number of slots
    uint32_t GetNSlots() const;
    /// \return bytes of registers (SLOT_BASE + slots * SLOT_SIZE)
    uint32_t GetRegistersSize() const;
    /**
     * \param address an address
     * \return true when it lies inside the BAR
     */
    bool Contains(uint64_t address) const;
    /**
     * \param offset a register's offset, a multiple of 4
     * \return its 32-bit value
     */
    uint32_t GetRegister(uint32_t offset) const;
    /// \return the counters
    const Statistics& GetStatistics() const;

    /**
     * \brief A memory write into the BAR: its enabled bytes go to the writable
     * registers, a write of DOORBELL rings it.
     * \param tlp the MWr
     * \param h its header
     * \return false, changing nothing, when the write reaches past the registers
     */
    bool Write(Ptr<const Packet> tlp, const TlpHeader& h);
    /**
     * \brief A memory read of the BAR.
     * \param h the MRd's header
     * \param dws the DWs it covers, filled in
     * \return false when the read reaches past the registers
     */
    bool Read(const TlpHeader& h, std::vector<uint8_t>& dws);
    /**
     * \brief A started descriptor ended.
     * \param slot its slot
     * \param status DONE or an error status
     */
    void Finish(uint32_t slot, uint32_t status);

  private:
    /**
     * \param offset register offset
     * \param value its new 32-bit value
     */
    void SetRegister(uint32_t offset, uint32_t value);
    /**
     * \param offset register offset
     * \return its 64-bit value (two registers)
     */
    uint64_t GetRegister64(uint32_t offset) const;
    /**
     * \param h a request to the BAR
     * \return true when its DWs lie inside the registers (else it is counted)
     */
    bool InRegisters(const TlpHeader& h);
    /**
     * \param offset a byte's offset in the registers
     * \return true when the CPU may write it
     */
    bool IsWritable(uint32_t offset) const;
    /**
     * \brief DOORBELL was written.
     * \param slot the value written
     */
    void Ring(uint32_t slot);
    /**
     * \brief Show a refused or failed descriptor in LAST_ERROR and ERRORS.
     * \param status its status
     */
    void Error(uint32_t status);

    uint64_t m_base;             //!< BAR base
    uint64_t m_size;             //!< BAR size
    uint32_t m_slots;            //!< descriptor slots
    std::vector<uint8_t> m_regs; //!< the registers' bytes
    CheckCallback m_check;       //!< engine's checks
    StartCallback m_start;       //!< start a descriptor
    RefusedCallback m_refused;   //!< refused descriptor
    Statistics m_stats;          //!< counters
};

} // namespace ns3

#endif /* TLP_DOORBELL_H */
