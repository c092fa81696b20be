/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_UNPACKER_H
#define TLP_UNPACKER_H

#include "tlp-header.h"
#include "tunnel-ack-header.h"
#include "tunnel-grant-header.h"
#include "tunnel-header.h"
#include "tunnel-remap-header.h"

#include "ns3/packet.h"

#include <boost/container/small_vector.hpp>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Reads a tunnel packet from the network and validates all of it before the
 * NIC acts on any part: then it is a validated iterator over the packet's TLPs.
 *
 * Parse() accepts a packet only when its tunnel header parses (version, kind, flags
 * the kind defines, count, header length), it uses no feature this version does not
 * produce (compressed headers, multicast), and its body is complete:
 * every TLP length lies inside the packet, every TLP parses with a size that matches
 * its header, carries a correct ECRC when it has one, and is of a kind the packet
 * may carry (DATA: memory requests and AtomicOps; COMPLETION: completions and write
 * confirmations); an ACK carries well-formed SACK blocks, a GRANT_REQUEST or GRANT a
 * well-formed body, a REMAP or REMAP_ACK a well-formed body whose memory ID and
 * generation are the header's. Bytes after the body are link padding.
 */
class TlpUnpacker
{
  public:
    /// Why Parse() refused a packet.
    enum Error : uint8_t
    {
        OK = 0,
        BAD_HEADER,  ///< the tunnel header does not parse
        UNSUPPORTED, ///< a feature this version does not produce
        BAD_LENGTHS, ///< TLP lengths run past the packet
        BAD_TLP,     ///< a TLP does not parse or its size does not match
        BAD_ECRC,    ///< a TLP's ECRC does not match
        WRONG_TLP,   ///< a TLP of a kind the packet may not carry
        BAD_BODY     ///< the ACK or grant body does not parse
    };

    /// One TLP of the packet.
    struct Tlp
    {
        uint32_t offset = 0; //!< first byte in the packet
        uint16_t length = 0; //!< bytes
        TlpHeader header;    //!< its header
        Ptr<Packet> tlp;     //!< the TLP itself
    };

    TlpUnpacker();

    /**
     * \brief Parse and validate a tunnel packet.
     * \param packet the packet (tunnel header first)
     * \return false when it must be dropped (GetError() says why)
     */
    bool Parse(Ptr<const Packet> packet);
    /// \return why the last Parse() failed
    Error GetError() const;
    /**
     * \param error an Error
     * \return a reason in words
     */
    static std::string ErrorToString(Error error);
    /// \return the tunnel header
    const TunnelHeader& GetHeader() const;
    /// \return TLPs in the packet
    uint16_t GetNTlps() const;
    /**
     * \param i TLP index
     * \return where it is and its header
     */
    const Tlp& GetTlp(uint16_t i) const;
    /**
     * \param i TLP index
     * \return the TLP (a fragment of the packet Parse() accepted)
     */
    Ptr<Packet> GetTlpPacket(uint16_t i) const;
    /// \return the SACK blocks of an ACK
    const TunnelAckHeader& GetAck() const;
    /// \return the body of a GRANT_REQUEST or GRANT
    const TunnelGrantHeader& GetGrant() const;
    /// \return the body of a REMAP or REMAP_ACK
    const TunnelRemapHeader& GetRemap() const;

  private:
    /**
     * \param packet the packet
     * \param offset where the body starts
     * \return false when the TLPs do not all check
     */
    bool ParseTlps(Ptr<const Packet> packet, uint32_t offset);

    Error m_error;                                 //!< last result
    TunnelHeader m_header;                         //!< the tunnel header
    boost::container::small_vector<Tlp, 4> m_tlps; //!< the TLPs
    TunnelAckHeader m_ack;                         //!< ACK body
    TunnelGrantHeader m_grant;                     //!< grant body
    TunnelRemapHeader m_remap;                     //!< remap body
};

} // namespace ns3

#endif /* TLP_UNPACKER_H */
