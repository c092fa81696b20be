/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_DOORBELL_REGISTERS_H
#define TLP_DOORBELL_REGISTERS_H

#include <cstdint>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Register layout of the NIC's doorbell BAR (offsets from the BAR's base,
 * little endian, as the CPU writes them with ordinary MWr TLPs).
 *
 * Global registers:
 *
 * | offset | size | access | register |
 * |--------|------|--------|----------|
 * | 0x000  | 4    | RO     | ID: 0x44504C54 ("TLPD") |
 * | 0x004  | 4    | RO     | SLOTS: number of descriptor slots |
 * | 0x008  | 4    | WO     | DOORBELL: writing slot number S starts the descriptor in slot S (reads
 * 0) | | 0x00C  | 4    | RO     | LAST_ERROR: status of the last descriptor refused or failed (0:
 * none) | | 0x010  | 4    | RO     | ERRORS: descriptors refused or failed, counted | | 0x014  | 4
 * | RO     | BUSY: bit S set while slot S runs |
 *
 * Slot S occupies SLOT_SIZE bytes at SLOT_BASE + S * SLOT_SIZE:
 *
 * | offset | size | access | field |
 * |--------|------|--------|-------|
 * | 0x00   | 8    | RW     | LOCAL: local memory address (DMA push: source; remote read:
 * destination) | | 0x08   | 8    | RW     | LENGTH: bytes, 1..MAX_LENGTH | | 0x10   | 8    | RW |
 * OFFSET: offset in the window of the remote side | | 0x18   | 4    | RW     | WINDOW: the window's
 * ID (it names the peer and its region) | | 0x1C   | 4    | RW     | FLAGS: bits 1:0 operation
 * (OP_READ, OP_PUSH), bit 4 FLAG_NOTIFY | | 0x20   | 8    | RW     | COMPLETION_ADDRESS: where the
 * completion write goes (8-byte aligned) | | 0x28   | 4    | RW     | COMPLETION_VALUE: the value
 * it carries | | 0x2C   | 4    | RO     | STATUS: IDLE, BUSY, DONE or an error status | | 0x30   |
 * 16   | RsvdZ  | reads 0, writes ignored |
 *
 * The completion write (FLAG_NOTIFY) is one posted 8-byte MWr to COMPLETION_ADDRESS:
 * COMPLETION_VALUE in bytes 0-3 and the slot's final STATUS in bytes 4-7. Writes to
 * read-only registers are ignored; reads or writes past the last slot get
 * Unsupported Request.
 */
struct TlpDoorbellRegisters
{
    static constexpr uint32_t ID_VALUE = 0x44504C54; //!< "TLPD", little endian

    static constexpr uint32_t ID = 0x000;         //!< RO: ID_VALUE
    static constexpr uint32_t SLOTS = 0x004;      //!< RO: slot count
    static constexpr uint32_t DOORBELL = 0x008;   //!< WO: slot number to start
    static constexpr uint32_t LAST_ERROR = 0x00C; //!< RO: last error status
    static constexpr uint32_t ERRORS = 0x010;     //!< RO: errors counted
    static constexpr uint32_t BUSY = 0x014;       //!< RO: busy slots, a bit each

    static constexpr uint32_t SLOT_BASE = 0x100; //!< first slot
    static constexpr uint32_t SLOT_SIZE = 0x40;  //!< bytes per slot
    static constexpr uint32_t MAX_SLOTS = 32;    //!< slots the BUSY register can show

    static constexpr uint32_t LOCAL = 0x00;              //!< slot field: local address
    static constexpr uint32_t LENGTH = 0x08;             //!< slot field: bytes
    static constexpr uint32_t OFFSET = 0x10;             //!< slot field: offset in the window
    static constexpr uint32_t WINDOW = 0x18;             //!< slot field: window ID
    static constexpr uint32_t FLAGS = 0x1C;              //!< slot field: operation and flags
    static constexpr uint32_t COMPLETION_ADDRESS = 0x20; //!< slot field: completion write address
    static constexpr uint32_t COMPLETION_VALUE = 0x28;   //!< slot field: completion write value
    static constexpr uint32_t STATUS = 0x2C;             //!< slot field: status (RO)
    static constexpr uint32_t DESCRIPTOR_SIZE = 0x2C;    //!< bytes the CPU writes per descriptor

    static constexpr uint32_t OP_MASK = 0x3;      //!< FLAGS: operation bits
    static constexpr uint32_t OP_READ = 0x1;      //!< remote read into local memory (claim 38)
    static constexpr uint32_t OP_PUSH = 0x2;      //!< DMA push of local memory (claims 33-34)
    static constexpr uint32_t FLAG_NOTIFY = 0x10; //!< FLAGS: write the completion when done
    static constexpr uint32_t KNOWN_FLAGS = OP_MASK | FLAG_NOTIFY; //!< other bits are refused

    static constexpr uint64_t MAX_LENGTH = 0xFFFFFFFFULL; //!< longest descriptor, bytes

    /// Slot STATUS values and the status of a completion write.
    enum Status : uint32_t
    {
        IDLE = 0,                //!< never started
        BUSY_STATUS = 1,         //!< running
        DONE = 2,                //!< data in place
        BAD_SLOT = 0x10,         //!< DOORBELL named no slot
        SLOT_BUSY = 0x11,        //!< DOORBELL for a slot still running (it runs on)
        BAD_LENGTH = 0x12,       //!< LENGTH 0 or above MAX_LENGTH
        BAD_WINDOW = 0x13,       //!< WINDOW is no window of this NIC
        BAD_RANGE = 0x14,        //!< OFFSET + LENGTH beyond the window
        BAD_LOCAL = 0x15,        //!< LOCAL .. LOCAL + LENGTH not local memory
        BAD_FLAGS = 0x16,        //!< unknown operation or flag bits
        BAD_COMPLETION = 0x17,   //!< COMPLETION_ADDRESS not 8-byte aligned local memory
        REMOTE_ERROR = 0x20,     //!< a read ended unsuccessfully: 0x20 | completion status
        TIMEOUT = 0x2F,          //!< a read timed out
        LOCAL_READ_ERROR = 0x30, //!< a read of local memory ended unsuccessfully: 0x30 | status
    };
};

/**
 * \ingroup tlp-tunnel
 * \brief A descriptor as the NIC latched it from a slot when its doorbell rang.
 */
struct TlpDescriptor
{
    uint64_t local = 0;             //!< local memory address
    uint64_t length = 0;            //!< bytes
    uint64_t offset = 0;            //!< offset in the window
    uint32_t window = 0;            //!< window ID
    uint32_t flags = 0;             //!< TlpDoorbellRegisters::OP_* | FLAG_NOTIFY
    uint64_t completionAddress = 0; //!< completion write address
    uint32_t completionValue = 0;   //!< completion write value
};

} // namespace ns3

#endif /* TLP_DOORBELL_REGISTERS_H */
