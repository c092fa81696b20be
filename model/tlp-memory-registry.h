/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_MEMORY_REGISTRY_H
#define TLP_MEMORY_REGISTRY_H

#include "tunnel-grant-header.h"
#include "tunnel-header.h"
#include "tunnel-remap-header.h"

#include "ns3/callback.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A sender's window granted onto a memory ID.
 */
struct TlpMemoryIdGrant
{
    uint32_t peer = 0;       //!< the sending node
    uint64_t windowBase = 0; //!< its window's base (for a retransmitted request)
    uint64_t windowSize = 0; //!< its window's size
    uint32_t key = 0;        //!< region key, carried by every DATA packet of the window
};

/**
 * \ingroup tlp-tunnel
 * \brief A range of this node's memory registered under a memory ID (claims 35-36).
 */
struct TlpMemoryIdRegion
{
    uint16_t id = 0;                      //!< the memory ID
    uint64_t base = 0;                    //!< first address (moves at a remap)
    uint64_t size = 0;                    //!< bytes
    uint32_t generation = 0;              //!< remaps so far
    std::vector<TlpMemoryIdGrant> grants; //!< the senders' windows on it
};

/**
 * \ingroup tlp-tunnel
 * \brief The receiving NIC's memory IDs: registered ranges, the senders' grants on
 * them, their resolution and their remapping at run time (claims 32, 35, 36).
 *
 * A sender's DATA for a memory ID carries the ID and an offset; Resolve() turns them
 * into an address of this node when the sender holds a grant on the ID and the
 * request lies inside the range. Move() switches the ID to a new range at once:
 * every TLP resolved after it lands in the new range, every TLP resolved before it
 * in the old one (a TLP is resolved whole, once, when the NIC handles it in order).
 * Then every sender holding a grant is told with a REMAP naming its switch sequence,
 * resent after Retry, 2 Retry... (capped) until its REMAP_ACK arrives or Attempts
 * went unanswered. The notice does not gate the switch: a lost notice never moves a
 * write, it only leaves the sender uninformed (reported).
 */
class TlpMemoryRegistry
{
  public:
    /// Why Resolve() refused a request.
    enum Resolution : uint8_t
    {
        RESOLVED = 0, ///< the address is valid
        UNKNOWN_ID,   ///< no range is registered under the memory ID
        NOT_GRANTED,  ///< the sender holds no grant on it
        OUT_OF_RANGE  ///< offset and length run past the range
    };

    /// Sends a control packet: (peer, kind, body).
    typedef Callback<void, uint32_t, TunnelHeader::Kind, const TunnelRemapHeader&> SendCallback;
    /// The switch sequence of a sender: the next sequence number its session expects.
    typedef Callback<uint32_t, uint32_t> SequenceCallback;
    /// A REMAP notice ended: (peer, body, acknowledged).
    typedef Callback<void, uint32_t, const TunnelRemapHeader&, bool> NoticeCallback;

    TlpMemoryRegistry();

    /**
     * \param send sends REMAP packets
     * \param sequence gives a sender's switch sequence
     * \param ended a notice was acknowledged or given up
     */
    void SetCallbacks(SendCallback send, SequenceCallback sequence, NoticeCallback ended);
    /**
     * \param retry first retransmission interval of a REMAP
     * \param maxInterval longest interval
     * \param attempts REMAP packets sent to a sender before it is given up (>= 1)
     */
    void Configure(Time retry, Time maxInterval, uint32_t attempts);

    /**
     * \brief Register a range under a memory ID.
     * \param id the memory ID
     * \param base first address, a multiple of 4 KiB
     * \param size bytes, a non-zero multiple of 4 KiB
     * \param[out] why what is wrong when refused
     * \return false when the ID is taken, the range is bad or overlaps another ID's
     */
    bool Register(uint16_t id, uint64_t base, uint64_t size, std::string& why);
    /**
     * \param id a memory ID
     * \return its region, or nullptr
     */
    const TlpMemoryIdRegion* Find(uint16_t id) const;
    /**
     * \brief Grant a sender's window onto a memory ID (or find the grant it holds).
     * \param peer the sending node
     * \param id the memory ID
     * \param request the GRANT_REQUEST body
     * \param key the region key for a new grant
     * \param[out] granted the grant's key when granted (a repeated request's: its own)
     * \return a TunnelGrantHeader::Status
     */
    uint8_t Grant(uint32_t peer,
                  uint16_t id,
                  const TunnelGrantHeader& request,
                  uint32_t key,
                  uint32_t& granted);
    /**
     * \param peer a sending node
     * \param id a memory ID
     * \return its grant on the ID, or nullptr
     */
    const TlpMemoryIdGrant* FindGrant(uint32_t peer, uint16_t id) const;
    /**
     * \brief Resolve (memory ID, offset) of a sender's request.
     * \param peer the sending node
     * \param id the memory ID
     * \param offset the TLP's address field
     * \param span bytes the request touches
     * \param[out] address the address in this node's memory when resolved
     * \return RESOLVED or why not
     */
    Resolution Resolve(uint32_t peer,
                       uint16_t id,
                       uint64_t offset,
                       uint64_t span,
                       uint64_t& address) const;
    /**
     * \brief Move a memory ID to a new range now and notify its senders.
     * \param id the memory ID
     * \param newBase the new range's base (same size)
     * \param[out] why what is wrong when refused
     * \return false when the ID is unknown or the new range is bad or overlaps
     *         the old one or another ID's
     */
    bool Move(uint16_t id, uint64_t newBase, std::string& why);
    /**
     * \brief Handle a REMAP_ACK.
     * \param peer the node it came from
     * \param body its body
     * \return false when it answers no outstanding notice
     */
    bool HandleAck(uint32_t peer, const TunnelRemapHeader& body);
    /// \return notices sent and not yet acknowledged or given up
    uint32_t GetNPendingNotices() const;
    /// \return memory IDs registered
    uint32_t GetN() const;
    /// Cancel every timer and forget everything.
    void Clear();

  private:
    /// A REMAP notice to one sender.
    struct Notice
    {
        TunnelRemapHeader body; //!< what it says
        uint32_t attempts = 0;  //!< REMAP packets sent
        EventId retry;          //!< retransmission
    };

    /// Notices by (peer, memory ID, generation).
    typedef std::tuple<uint32_t, uint16_t, uint32_t> NoticeKey;

    /**
     * \param base first address
     * \param size bytes
     * \param except a memory ID not to compare with
     * \return the ID whose range overlaps [base, base + size), or -1
     */
    int32_t Overlapping(uint64_t base, uint64_t size, int32_t except) const;
    /**
     * \brief Send (or resend) a notice, or give up on it.
     * \param key the notice
     */
    void Send(NoticeKey key);

    std::map<uint16_t, TlpMemoryIdRegion> m_regions; //!< by memory ID
    std::map<NoticeKey, Notice> m_notices;           //!< outstanding REMAP notices
    SendCallback m_send;                             //!< control packets out
    SequenceCallback m_sequence;                     //!< switch sequences
    NoticeCallback m_ended;                          //!< notice outcomes
    Time m_retry;                                    //!< first retransmission interval
    Time m_maxInterval;                              //!< cap of the backoff
    uint32_t m_attempts;                             //!< REMAP packets before giving up
};

} // namespace ns3

#endif /* TLP_MEMORY_REGISTRY_H */
