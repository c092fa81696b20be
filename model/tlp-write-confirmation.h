/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_WRITE_CONFIRMATION_H
#define TLP_WRITE_CONFIRMATION_H

#include "tlp-header.h"

#include "ns3/packet.h"

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The write confirmation request and the write confirmation, as TLPs.
 *
 * A memory write asks for a confirmation with TLP Processing Hints: TH set, PH 00 and
 * the steering tag STEERING_TAG in the Tag field (PCI Express leaves the meaning of a
 * steering tag to the completer). The write stays a posted MWr that any PCIe node
 * accepts.
 *
 * A confirmation is a Vendor_Defined Type 1 message with data (MsgD, Message Code
 * 0x7F, routed by ID: Fmt/Type 0x72), which a receiver that does not know it
 * discards silently, as PCIe asks of Type 1 messages:
 *
 * \verbatim
   header bytes  8-9    target: the writer's Requester ID
                10-11   Vendor ID VENDOR_ID
                12-15   zero
   data    bytes 0-7    address of the first byte written (big-endian)
                 8-11   bytes written (big-endian)
   \endverbatim
 *
 * Its Requester ID field names who confirms (the sending NIC, the receiving NIC or
 * the receiver's memory). The address is in the address space of whoever generated
 * the confirmation until a NIC translates it back to the sender's window address.
 */
class TlpWriteConfirmation
{
  public:
    /// Steering tag of a write that asks for confirmation.
    static constexpr uint8_t STEERING_TAG = 0xC0;
    /// Vendor_Defined Type 1 message code.
    static constexpr uint8_t MESSAGE_CODE = 0x7F;
    /// Vendor ID of the confirmation (0xFFFF: no PCI-SIG member has it).
    static constexpr uint16_t VENDOR_ID = 0xFFFF;
    /// Fmt/Type of the confirmation: MsgD, 4DW, routed by ID.
    static constexpr uint8_t FMT_TYPE = 0x72;
    /// Data bytes of a confirmation.
    static constexpr uint32_t DATA_SIZE = 12;

    /**
     * \param h a TLP header
     * \return true for a memory write that asks for confirmation
     */
    static bool IsRequested(const TlpHeader& h);
    /**
     * \brief Ask for (or stop asking for) a confirmation of a memory write.
     * \param h the MWr header
     * \param on true to ask
     */
    static void SetRequested(TlpHeader& h, bool on);
    /**
     * \brief Edit a write TLP's request bits (the ECRC is recomputed when present).
     * \param tlp the MWr TLP
     * \param h its header
     * \param on true to ask
     * \return the edited TLP
     */
    static Ptr<Packet> Rewrite(Ptr<Packet> tlp, TlpHeader h, bool on);

    /**
     * \brief Build a confirmation.
     * \param confirmer Requester ID of who confirms
     * \param writer the writer's Requester ID (the target)
     * \param address first byte written
     * \param bytes bytes written
     * \return the TLP
     */
    static Ptr<Packet> Make(uint16_t confirmer, uint16_t writer, uint64_t address, uint32_t bytes);
    /**
     * \param write a memory write's header
     * \return bytes it writes, from its first enabled byte to its last
     */
    static uint32_t WrittenBytes(const TlpHeader& write);
    /**
     * \brief Build the confirmation of a write.
     * \param write the write's header
     * \param confirmer Requester ID of who confirms
     * \return the TLP (address: the write's first byte)
     */
    static Ptr<Packet> Confirm(const TlpHeader& write, uint16_t confirmer);
    /**
     * \param h a TLP header
     * \return true when it is a confirmation's header (by kind, routing and vendor)
     */
    static bool IsConfirmation(const TlpHeader& h);
    /**
     * \brief Read a confirmation.
     * \param tlp the TLP
     * \param h its header
     * \param[out] writer the target Requester ID
     * \param[out] address first byte written
     * \param[out] bytes bytes written
     * \return false when it is not a well-formed confirmation
     */
    static bool Parse(Ptr<const Packet> tlp,
                      const TlpHeader& h,
                      uint16_t& writer,
                      uint64_t& address,
                      uint32_t& bytes);
    /**
     * \brief Copy a confirmation with another address (translation back to a window).
     * \param tlp the confirmation
     * \param address the new address
     * \return the new TLP
     */
    static Ptr<Packet> Readdress(Ptr<const Packet> tlp, uint64_t address);
};

} // namespace ns3

#endif /* TLP_WRITE_CONFIRMATION_H */
