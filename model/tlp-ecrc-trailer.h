/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_ECRC_TRAILER_H
#define TLP_ECRC_TRAILER_H

#include "ns3/packet.h"
#include "ns3/trailer.h"

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The end-to-end CRC (ECRC) digest of a PCI Express TLP.
 *
 * The digest is the common CRC-32 (polynomial 0x04C11DB7, reflected, initial value
 * and final XOR 0xFFFFFFFF, as boost::crc_32_type computes it) of the TLP header and
 * data, with the two variant bits, Type[0] (byte 0 bit 0) and EP (byte 2 bit 6),
 * taken as 1 so that switches may change them without breaking the digest. It is
 * appended as four bytes, least significant byte first; the CRC-32 of the TLP with
 * its variant bits set and the digest appended is then the residue 0x2144DF1C.
 */
class TlpEcrcTrailer : public Trailer
{
  public:
    /// Size of the digest on the wire, in bytes.
    static constexpr uint32_t SIZE = 4;
    /// CRC-32 of a TLP (variant bits set) followed by a correct digest.
    static constexpr uint32_t RESIDUE = 0x2144DF1C;
    /// Largest TLP this class handles: 4DW header, 4096 data bytes, digest.
    static constexpr uint32_t MAX_TLP_SIZE = 16 + 4096 + SIZE;

    TlpEcrcTrailer();
    /**
     * \param digest the ECRC value
     */
    explicit TlpEcrcTrailer(uint32_t digest);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TypeId GetInstanceTypeId() const override;
    void Print(std::ostream& os) const override;
    uint32_t GetSerializedSize() const override;
    void Serialize(Buffer::Iterator end) const override;
    uint32_t Deserialize(Buffer::Iterator end) override;

    /// \param digest the ECRC value
    void SetDigest(uint32_t digest);
    /// \return the ECRC value
    uint32_t GetDigest() const;

    /**
     * \brief Compute the ECRC of a TLP's header and data.
     *
     * Over a TLP followed by its correct digest the result is RESIDUE.
     * \param tlp the TLP bytes in wire order
     * \param size number of bytes (at least 4)
     * \return the digest
     */
    static uint32_t Calculate(const uint8_t* tlp, uint32_t size);
    /**
     * \brief Append the digest of the packet's bytes to the packet.
     * \param tlp a TLP whose header has TD set, without digest
     */
    static void Append(Ptr<Packet> tlp);
    /**
     * \brief Replace the digest at the end of a TLP with the digest of its other bytes.
     * \param tlp a TLP whose last four bytes are a (possibly stale) digest
     */
    static void Recompute(Ptr<Packet> tlp);
    /**
     * \brief Check the digest at the end of a TLP.
     * \param tlp a TLP whose last four bytes are its digest
     * \return true when the digest matches
     */
    static bool Verify(Ptr<const Packet> tlp);

  private:
    uint32_t m_digest; //!< the ECRC value
};

} // namespace ns3

#endif /* TLP_ECRC_TRAILER_H */
