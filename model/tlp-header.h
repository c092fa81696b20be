/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_HEADER_H
#define TLP_HEADER_H

#include "ns3/header.h"
#include "ns3/packet.h"

#include <string>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A PCI Express transaction layer packet (TLP) header, bit-exact in wire order.
 *
 * The header is the 3 or 4 double-word (DW) header of the PCI Express Base
 * Specification, section 2.2, serialized DW0 first with each DW big-endian. The
 * data payload (Length DW) follows the header in the packet, and the 4-byte ECRC
 * digest (see TlpEcrcTrailer) follows the data when TD is set.
 *
 * One class covers every TLP kind; the Fmt and Type fields select which fields
 * of DW1..DW3 are meaningful:
 *
 * - memory, I/O and AtomicOp requests: Requester ID, Tag, byte enables, address;
 * - configuration requests: Requester ID, Tag, byte enables, target ID, register;
 * - messages: Requester ID, Tag, message code, DW2..DW3 kept as one 64-bit value;
 * - completions: Completer ID, status, BCM, byte count, Requester ID, Tag, lower address.
 *
 * Deserialize() never reads past the bytes it is given: a truncated or reserved
 * encoding makes it return 0 and GetParseError() tells why. Byte enables that the
 * specification forbids (2.2.5: First DW BE 0000b in a request of more than 1 DW,
 * Last DW BE other than 0000b in a 1-DW request and 0000b in a longer one) are
 * refused too, as a receiver may treat them as malformed.
 */
class TlpHeader : public Header
{
  public:
    /// The TLP kinds (the Fmt[1:0]-independent meaning of Fmt/Type).
    enum Kind : uint8_t
    {
        MEM_READ,
        MEM_READ_LOCKED,
        MEM_WRITE,
        IO_READ,
        IO_WRITE,
        CFG_READ0,
        CFG_WRITE0,
        CFG_READ1,
        CFG_WRITE1,
        MESSAGE,
        MESSAGE_DATA,
        COMPLETION,
        COMPLETION_DATA,
        COMPLETION_LOCKED,
        COMPLETION_DATA_LOCKED,
        FETCH_ADD,
        SWAP,
        CAS,
        INVALID
    };

    /// Completion status (DW1 bits 15:13 of a completion).
    enum CompletionStatus : uint8_t
    {
        SC = 0,  ///< Successful Completion
        UR = 1,  ///< Unsupported Request
        CRS = 2, ///< Configuration Request Retry Status
        CA = 4   ///< Completer Abort
    };

    /// Why Deserialize() refused its input.
    enum ParseError : uint8_t
    {
        PARSE_OK = 0,
        PARSE_TRUNCATED,       ///< fewer bytes than the header needs
        PARSE_PREFIX,          ///< Fmt 100b: TLP prefixes are not modelled
        PARSE_RESERVED_FMT,    ///< Fmt 101b..111b
        PARSE_RESERVED_TYPE,   ///< Fmt/Type combination the specification does not define
        PARSE_BAD_FORMAT_SIZE, ///< 4DW format where the kind only allows 3DW, or the reverse
        PARSE_FIRST_BE,        ///< request longer than 1 DW with First DW BE 0000b
        PARSE_LAST_BE          ///< 1-DW request with Last DW BE set, or longer with it 0000b
    };

    /**
     * What a PCIe port or a routing element reads of a TLP, decoded from its first
     * bytes without a full parse: for TLPs already known to be well formed.
     */
    struct Summary
    {
        bool completion;      //!< Cpl, CplD, CplLk, CplDLk
        bool posted;          //!< MWr, Msg, MsgD
        bool memory;          //!< carries a memory address (MRd, MRdLk, MWr, AtomicOps)
        uint32_t dataBytes;   //!< payload bytes (Length x 4 when it has data)
        uint8_t attr;         //!< Attr[2:0]
        uint16_t requesterId; //!< Requester ID
        uint16_t completerId; //!< Completer ID (completions)
        uint64_t address;     //!< DW-aligned memory address (memory requests)
        bool idRouted;        //!< a message routed by ID (Type 10010b)
        uint16_t targetId;    //!< its target ID (bytes 8-9)
    };

    TlpHeader();
    ~TlpHeader() override;

    /**
     * \param tlp a well-formed TLP (its header parses and its size is consistent)
     * \param[out] s what it is
     * \return false when it is shorter than a header
     */
    static bool PeekSummary(Ptr<const Packet> tlp, Summary& s);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TypeId GetInstanceTypeId() const override;
    void Print(std::ostream& os) const override;
    uint32_t GetSerializedSize() const override;
    void Serialize(Buffer::Iterator start) const override;
    uint32_t Deserialize(Buffer::Iterator start) override;

    /**
     * \brief Build a memory read request; length and byte enables follow from the range.
     * \param address first byte to read
     * \param bytes number of bytes (0 makes a zero-length read, 1..4096)
     * \param requesterId the requester's bus/device/function
     * \param tag the transaction tag
     * \return the header (3DW below 4 GiB, 4DW above)
     */
    static TlpHeader MakeMemRead(uint64_t address,
                                 uint32_t bytes,
                                 uint16_t requesterId,
                                 uint16_t tag);
    /**
     * \brief Build a memory write request; length and byte enables follow from the range.
     * \param address first byte to write
     * \param bytes number of bytes (1..4096)
     * \param requesterId the requester's bus/device/function
     * \param tag the transaction tag
     * \return the header; the data, DW-aligned, must follow it in the packet
     */
    static TlpHeader MakeMemWrite(uint64_t address,
                                  uint32_t bytes,
                                  uint16_t requesterId,
                                  uint16_t tag);
    /**
     * \brief Build an AtomicOp request.
     * \param kind FETCH_ADD, SWAP or CAS
     * \param address naturally aligned target address
     * \param operandBytes operand size: 4 or 8 (CAS also 16); CAS carries two operands
     * \param requesterId the requester's bus/device/function
     * \param tag the transaction tag
     * \return the header
     */
    static TlpHeader MakeAtomic(Kind kind,
                                uint64_t address,
                                uint32_t operandBytes,
                                uint16_t requesterId,
                                uint16_t tag);
    /**
     * \brief Build a completion.
     * \param status completion status
     * \param completerId the completer's bus/device/function
     * \param requesterId the requester the completion is routed to
     * \param tag the request's tag
     * \param byteCount bytes remaining including this completion (1..4096)
     * \param lowerAddress low 7 bits of the first byte's address
     * \param dataDw payload length in DW; 0 makes a Cpl without data
     * \return the header
     */
    static TlpHeader MakeCompletion(CompletionStatus status,
                                    uint16_t completerId,
                                    uint16_t requesterId,
                                    uint16_t tag,
                                    uint32_t byteCount,
                                    uint8_t lowerAddress,
                                    uint32_t dataDw);

    /**
     * \brief Build the completion without data that ends a request unsuccessfully
     * (UR, CA): byte count and lower address as the specification asks of the first
     * completion of a read, the operand size for an AtomicOp (8 for a 64-bit
     * FetchAdd or Swap and for a CAS of 64-bit operands), 4 for other requests; Cpl
     * or CplLk, the request's TC and Attr.
     * \param request the request's header
     * \param status the completion status
     * \param completerId the completer's bus/device/function
     * \return the header
     */
    static TlpHeader MakeCompletionFor(const TlpHeader& request,
                                       CompletionStatus status,
                                       uint16_t completerId);

    /**
     * \brief The data of a write of `bytes` bytes at `address`, padded to whole DWs:
     * bytes outside the range travel as zeros with their byte enables cleared.
     * \param address the first byte's address
     * \param data the bytes
     * \param bytes their count (1..4096)
     * \return the payload, to which MakeMemWrite()'s header is added
     */
    static Ptr<Packet> MakeWritePayload(uint64_t address, const uint8_t* data, uint32_t bytes);

    /**
     * \param value an address or size
     * \param alignment a power of two
     * \return value rounded down to a multiple of alignment
     */
    static uint64_t AlignDown(uint64_t value, uint64_t alignment)
    {
        return value & ~(alignment - 1);
    }

    /**
     * \param value an address or size
     * \param alignment a power of two
     * \return value rounded up to a multiple of alignment
     */
    static uint64_t AlignUp(uint64_t value, uint64_t alignment)
    {
        return (value + alignment - 1) & ~(alignment - 1);
    }

    /**
     * \param kind the TLP kind; sets Fmt and Type (the 3DW/4DW choice follows the address)
     */
    void SetKind(Kind kind);
    /// \return the TLP kind, INVALID for reserved encodings
    Kind GetKind() const;
    /// \param fmtType byte 0 of the header: Fmt[2:0] and Type[4:0]
    void SetFmtType(uint8_t fmtType);
    /// \return byte 0 of the header: Fmt[2:0] and Type[4:0]
    uint8_t GetFmtType() const;

    /// \return true for a 4DW header
    bool Is4Dw() const;
    /// \return true when a data payload follows the header
    bool HasData() const;
    /// \return true for MRd/MWr/IO/Cfg/AtomicOp/Msg requests
    bool IsRequest() const;
    /// \return true for Cpl, CplD, CplLk and CplDLk
    bool IsCompletion() const;
    /// \return true for posted requests (MWr, Msg, MsgD), which get no completion
    bool IsPosted() const;
    /// \return true for FetchAdd, Swap and CAS
    bool IsAtomic() const;
    /// \return true for requests that carry a memory address (MRd, MRdLk, MWr, AtomicOps)
    bool HasMemoryAddress() const;

    /// \param tc traffic class (0..7)
    void SetTrafficClass(uint8_t tc);
    /// \return the traffic class
    uint8_t GetTrafficClass() const;
    /// \param attr Attr[2:0]: bit 2 ID-based ordering, bit 1 relaxed ordering, bit 0 no snoop
    void SetAttributes(uint8_t attr);
    /// \return Attr[2:0]
    uint8_t GetAttributes() const;
    /// \param td true when an ECRC digest follows the data
    void SetDigest(bool td);
    /// \return the TD bit
    bool HasDigest() const;
    /// \param ep the poisoned bit
    void SetPoisoned(bool ep);
    /// \return the EP bit
    bool IsPoisoned() const;
    /// \param th TLP processing hints present
    void SetProcessingHint(bool th);
    /// \return the TH bit
    bool HasProcessingHint() const;
    /// \param ln lightweight notification bit
    void SetLightweightNotification(bool ln);
    /// \return the LN bit
    bool GetLightweightNotification() const;
    /// \param at address type (0..3)
    void SetAddressType(uint8_t at);
    /// \return the AT field
    uint8_t GetAddressType() const;
    /// \param dw payload length in DW, 1..1024 (1024 is encoded as 0)
    void SetLengthDw(uint32_t dw);
    /// \return payload length in DW, 1..1024
    uint32_t GetLengthDw() const;
    /// \return bytes of data that follow the header (0 when HasData() is false)
    uint32_t GetDataSize() const;

    /// \param id the Requester ID (bus[15:8], device[7:3], function[2:0])
    void SetRequesterId(uint16_t id);
    /// \return the Requester ID
    uint16_t GetRequesterId() const;
    /// \param tag the 10-bit tag (bits 9:8 travel in DW0 as T9/T8)
    void SetTag(uint16_t tag);
    /// \return the 10-bit tag
    uint16_t GetTag() const;
    /// \param be the first DW byte enables (4 bits)
    void SetFirstByteEnable(uint8_t be);
    /// \return the first DW byte enables
    uint8_t GetFirstByteEnable() const;
    /// \param be the last DW byte enables (4 bits)
    void SetLastByteEnable(uint8_t be);
    /// \return the last DW byte enables
    uint8_t GetLastByteEnable() const;
    /**
     * \brief Set the DW-aligned address; bits 1:0 are kept as the PH field.
     *
     * For memory requests the header becomes 4DW when the address is at or above
     * 4 GiB and 3DW below, as the specification requires of requesters.
     * \param address the address (bits 1:0 ignored)
     */
    void SetAddress(uint64_t address);
    /// \return the DW-aligned address (bits 1:0 zero)
    uint64_t GetAddress() const;
    /// \return the address of the first enabled byte
    uint64_t GetFirstByteAddress() const;
    /// \return number of bytes enabled by Length and the byte enables (the transfer size)
    uint32_t GetEnabledBytes() const;
    /// \param ph processing hint (address bits 1:0 when TH is set)
    void SetPh(uint8_t ph);
    /// \return the processing hint bits
    uint8_t GetPh() const;

    /// \param id completer or configuration target ID
    void SetCompleterId(uint16_t id);
    /// \return the Completer ID (completions) or the target ID (configuration requests)
    uint16_t GetCompleterId() const;
    /// \param status the completion status
    void SetStatus(CompletionStatus status);
    /// \return the completion status (raw 3-bit value)
    uint8_t GetStatus() const;
    /// \param bcm Byte Count Modified (PCI-X completers only)
    void SetBcm(bool bcm);
    /// \return the BCM bit
    bool GetBcm() const;
    /// \param bytes remaining byte count 1..4096 (4096 encoded as 0)
    void SetByteCount(uint32_t bytes);
    /// \return remaining byte count 1..4096
    uint32_t GetByteCount() const;
    /// \param lowerAddress low 7 bits of the first returned byte's address
    void SetLowerAddress(uint8_t lowerAddress);
    /// \return the lower address
    uint8_t GetLowerAddress() const;

    /// \param reg configuration register number (10 bits: extended register and register)
    void SetRegister(uint16_t reg);
    /// \return the configuration register number
    uint16_t GetRegister() const;
    /// \param code message code
    void SetMessageCode(uint8_t code);
    /// \return message code
    uint8_t GetMessageCode() const;

    /// \return why the last Deserialize() failed, PARSE_OK after a success
    ParseError GetParseError() const;
    /**
     * \param error a parse error
     * \return a human-readable reason
     */
    static std::string ParseErrorToString(ParseError error);
    /**
     * \param kind a TLP kind
     * \return the name the specification uses (MRd, MWr, CplD, FetchAdd, ...)
     */
    static std::string KindToString(Kind kind);
    /**
     * \param status a completion status
     * \return SC, UR, CRS, CA or "reserved"
     */
    static std::string StatusToString(uint8_t status);
    /**
     * \brief Split a transfer into (first BE, last BE, length in DW).
     * \param address the first byte's address
     * \param bytes transfer size; 0 gives a zero-length transfer (length 1, BEs 0)
     * \param[out] firstBe first DW byte enables
     * \param[out] lastBe last DW byte enables (0 for a 1-DW transfer)
     * \return length in DW
     */
    static uint32_t ByteEnables(uint64_t address,
                                uint32_t bytes,
                                uint8_t& firstBe,
                                uint8_t& lastBe);

  private:
    /// \return true when the current Fmt/Type encodes a defined TLP
    bool IsDefined() const;

    uint8_t m_fmt;          //!< Fmt[2:0]
    uint8_t m_type;         //!< Type[4:0]
    uint8_t m_tc;           //!< traffic class
    uint8_t m_attr;         //!< Attr[2:0]
    bool m_ln;              //!< LN
    bool m_th;              //!< TH
    bool m_td;              //!< TD
    bool m_ep;              //!< EP
    uint8_t m_at;           //!< AT
    uint16_t m_length;      //!< Length field as encoded (0 = 1024)
    uint16_t m_requesterId; //!< Requester ID
    uint16_t m_tag;         //!< 10-bit tag
    uint8_t m_firstBe;      //!< first DW byte enables
    uint8_t m_lastBe;       //!< last DW byte enables
    uint64_t m_address;     //!< address (bits 1:0 zero) or message DW2..DW3
    uint8_t m_ph;           //!< PH (address bits 1:0)
    uint16_t m_completerId; //!< completer / configuration target ID
    uint8_t m_status;       //!< completion status
    bool m_bcm;             //!< BCM
    uint16_t m_byteCount;   //!< byte count as encoded (0 = 4096)
    uint8_t m_lowerAddress; //!< lower address
    uint16_t m_register;    //!< configuration register number
    uint8_t m_messageCode;  //!< message code
    ParseError m_error;     //!< result of the last Deserialize()
};

} // namespace ns3

#endif /* TLP_HEADER_H */
