/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TUNNEL_HEADER_H
#define TUNNEL_HEADER_H

#include "ns3/header.h"

#include <boost/container/small_vector.hpp>
#include <string>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The encapsulation header that carries TLPs between NICs.
 *
 * Wire format (network byte order; see doc/tlp-tunnel.rst for the table):
 *
 * \verbatim
   offset size field
    0     1   version (bits 7:4, = 1) | kind (bits 3:0)
    1     1   flags
    2     2   count: TLPs that follow (DATA), 0 otherwise
    4     4   source node ID
    8     4   sequence number
   12     4   acknowledgement number
   16     2   window ID (or memory ID: FLAG_MEMORY_ID, REMAP, REMAP_ACK)
   18     2   header length in bytes, including the length list and padding
   20     4   region key (DATA: the key of the window's grant; 0 otherwise)
   24   2*N   length of each TLP in bytes
    ..        zero padding to a multiple of 4 bytes
   \endverbatim
 *
 * DATA packets (requests through a window) and COMPLETION packets (completions,
 * Unsupported Request answers and write confirmations, all routed by ID) carry their
 * TLPs back to back after the header; the lengths let a decoder find every TLP even
 * when the link layer pads the frame. ACK packets carry a TunnelAckHeader, control
 * packets (GRANT_REQUEST, GRANT) a TunnelGrantHeader, REMAP and REMAP_ACK a
 * TunnelRemapHeader; in control packets the sequence field holds the request's nonce
 * (a REMAP's generation), not a sequence number.
 * Deserialize() refuses (returns 0, GetParseError() says why) anything it cannot
 * read completely from the bytes it is given, a flag the kind does not define, and a
 * TLP count where the kind carries no TLPs.
 */
class TunnelHeader : public Header
{
  public:
    /// Current version.
    static constexpr uint8_t VERSION = 1;
    /// Size of the fixed part, bytes.
    static constexpr uint32_t FIXED_SIZE = 24;
    /// Most TLPs one packet may carry.
    static constexpr uint16_t MAX_COUNT = 1024;

    /// What the packet carries.
    enum Kind : uint8_t
    {
        DATA = 0,          ///< requests through a window (TLPs)
        ACK = 1,           ///< acknowledgement only (TunnelAckHeader)
        GRANT_REQUEST = 2, ///< sender asks the receiver for a region
        GRANT = 3,         ///< receiver grants (or refuses) a region
        COMPLETION = 4,    ///< completions and write confirmations, routed by ID (TLPs)
        REMAP = 5,         ///< receiver moved a memory ID to a new range (TunnelRemapHeader)
        REMAP_ACK = 6      ///< sender acknowledges a REMAP (TunnelRemapHeader, echoed)
    };

    /// Flag bits.
    enum Flag : uint8_t
    {
        FLAG_TRANSLATED = 0x01, ///< addresses already translated (DATA: by the sender;
                                ///< COMPLETION: confirmations back to window addresses)
        FLAG_RELIABLE = 0x02,   ///< sequenced: acknowledge, drop duplicates, deliver in order
        FLAG_COMPRESSED = 0x04, ///< shared header fields sent once (defined, not produced)
        FLAG_MEMORY_ID = 0x08,  ///< window field is a memory ID (DATA: TLP addresses are
                                ///< offsets into its region; GRANT_REQUEST, GRANT)
        FLAG_MULTICAST = 0x10,  ///< sent to a multicast group (defined, not produced)
        FLAG_ACK = 0x20,        ///< the acknowledgement field is valid (piggybacked)
        FLAG_NAK = 0x40         ///< ACK only: sequence error, resend from the ack number
    };

    /// Why Deserialize() refused its input.
    enum ParseError : uint8_t
    {
        PARSE_OK = 0,
        PARSE_TRUNCATED, ///< fewer bytes than the header declares
        PARSE_VERSION,   ///< unknown version
        PARSE_KIND,      ///< unknown kind
        PARSE_LENGTH,    ///< header length inconsistent with the count
        PARSE_COUNT,     ///< count 0 in DATA or COMPLETION, not 0 elsewhere, or above MAX_COUNT
        PARSE_FLAGS      ///< a flag the kind does not define
    };

    TunnelHeader();
    ~TunnelHeader() override;

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

    /// \param kind what the packet carries
    void SetKind(Kind kind);
    /// \return what the packet carries
    Kind GetKind() const;
    /// \param flags flag bits
    void SetFlags(uint8_t flags);
    /// \return flag bits
    uint8_t GetFlags() const;
    /// \param node the sending node's ID
    void SetSource(uint32_t node);
    /// \return the sending node's ID
    uint32_t GetSource() const;
    /// \param seq sequence number
    void SetSequence(uint32_t seq);
    /// \return sequence number
    uint32_t GetSequence() const;
    /// \param ack acknowledgement number
    void SetAck(uint32_t ack);
    /// \return acknowledgement number
    uint32_t GetAck() const;
    /// \param window window ID (or memory ID)
    void SetWindow(uint16_t window);
    /// \return window ID (or memory ID)
    uint16_t GetWindow() const;
    /// \param key the region key the receiver chose when it granted the window
    void SetKey(uint32_t key);
    /// \return the region key (0 where no region is named)
    uint32_t GetKey() const;
    /**
     * \brief Append the length of one more TLP.
     * \param bytes the TLP's size in bytes
     */
    void AddTlp(uint16_t bytes);
    /// \return number of TLPs
    uint16_t GetCount() const;
    /**
     * \param i TLP index
     * \return its size in bytes
     */
    uint16_t GetTlpLength(uint16_t i) const;
    /// \return sum of the TLP lengths
    uint32_t GetTotalTlpBytes() const;
    /// \return why the last Deserialize() failed
    ParseError GetParseError() const;
    /**
     * \param count number of TLPs
     * \return size of a header with that many lengths (the one size formula)
     */
    static uint32_t GetSerializedSizeFor(uint32_t count);
    /**
     * \param kind a kind
     * \return the flag bits defined for it
     */
    static uint8_t GetDefinedFlags(uint8_t kind);
    /**
     * \param kind a kind
     * \return true when packets of the kind carry TLPs (DATA, COMPLETION)
     */
    static bool CarriesTlps(uint8_t kind);
    /**
     * \param error a parse error
     * \return a reason in words
     */
    static std::string ParseErrorToString(ParseError error);
    /**
     * \param kind a kind
     * \return its name
     */
    static std::string KindToString(uint8_t kind);

  private:
    uint8_t m_kind;                                         //!< kind
    uint8_t m_flags;                                        //!< flags
    uint32_t m_source;                                      //!< source node
    uint32_t m_sequence;                                    //!< sequence number
    uint32_t m_ack;                                         //!< acknowledgement number
    uint16_t m_window;                                      //!< window or memory ID
    uint32_t m_key;                                         //!< region key
    boost::container::small_vector<uint16_t, 16> m_lengths; //!< TLP lengths (no heap up to 16)
    ParseError m_error;                                     //!< last parse result
};

} // namespace ns3

#endif /* TUNNEL_HEADER_H */
