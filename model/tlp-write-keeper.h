/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_WRITE_KEEPER_H
#define TLP_WRITE_KEEPER_H

#include "ns3/callback.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"

#include <deque>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Copies of the writes a receiving NIC confirmed before its memory did
 * (claims 17-18), kept until the memory confirms them.
 *
 * The NIC places each such write on its interconnect still asking for confirmation;
 * the memory confirms the placements that reached it, in the order they were placed
 * (the interconnect keeps posted writes in order and loses none on the way back).
 * So a confirmation also tells that every unconfirmed placement before it was lost,
 * and Timeout without any confirmation that all outstanding ones were. A lost write
 * is placed again together with every kept write after it, in order, so that a
 * write placed again never overwrites a later one; a write is done when its latest
 * placement is confirmed, and leaves the keeper when the writes before it are done
 * too. A write lost Attempts times is given up (reported through the give-up
 * callback).
 */
class TlpWriteKeeper
{
  public:
    /// Places a copy of a write on the interconnect.
    typedef Callback<void, Ptr<Packet>> PlaceCallback;
    /// A write given up.
    typedef Callback<void, Ptr<const Packet>> GiveUpCallback;

    TlpWriteKeeper();

    /**
     * \param place places copies
     * \param giveUp reports writes given up
     */
    void SetCallbacks(PlaceCallback place, GiveUpCallback giveUp);
    /**
     * \param timeout longest wait for the memory's confirmation
     * \param attempts losses of a write before it is given up (>= 1)
     */
    void Configure(Time timeout, uint32_t attempts);
    /**
     * \brief Keep a copy of a write the NIC is placing now.
     * \param write the write (as placed)
     * \param writer its Requester ID
     * \param address its first byte
     * \param bytes its bytes
     */
    void Keep(Ptr<const Packet> write, uint16_t writer, uint64_t address, uint32_t bytes);
    /**
     * \brief The memory confirmed a write.
     * \param writer the confirmation's target
     * \param address first byte
     * \param bytes bytes
     * \return true when it confirmed a kept write (the NIC consumes it)
     */
    bool Confirm(uint16_t writer, uint64_t address, uint32_t bytes);
    /// \return writes kept
    uint32_t GetKept() const;
    /// \return writes placed again
    uint64_t GetResent() const;
    /// Forget everything.
    void Clear();

  private:
    /// A kept write.
    struct Entry
    {
        Ptr<const Packet> write; //!< the copy
        uint16_t writer;         //!< Requester ID
        uint64_t address;        //!< first byte
        uint32_t bytes;          //!< bytes
        uint64_t latest;         //!< its latest placement
        uint32_t losses;         //!< placements of it that were lost
        bool done;               //!< the latest placement was confirmed
        bool lost;               //!< the latest placement was lost
    };

    /// A placement awaiting its confirmation: (entry ID, placement ID).
    typedef std::pair<uint64_t, uint64_t> Placement;

    /**
     * \param id an entry ID
     * \return the entry, or nullptr when it left
     */
    Entry* Find(uint64_t id);
    /// Place again every write from the first lost one on, or give it up.
    void Recover();
    /// Let done writes at the head leave; restart the timer.
    void Retire();
    /// The timer fired.
    void Expired();

    std::deque<Entry> m_kept;            //!< in order; the front has ID m_frontId
    uint64_t m_frontId;                  //!< ID of m_kept.front()
    uint64_t m_nextPlacement;            //!< ID of the next placement
    std::deque<Placement> m_outstanding; //!< placements awaiting confirmation, in order
    Time m_timeout;                      //!< confirmation timeout
    uint32_t m_attempts;                 //!< losses before giving up
    Time m_lastProgress;                 //!< last confirmation or placement
    EventId m_timer;                     //!< timeout
    uint64_t m_resent;                   //!< placements again
    PlaceCallback m_place;               //!< to the NIC
    GiveUpCallback m_giveUp;             //!< to the NIC
};

} // namespace ns3

#endif /* TLP_WRITE_KEEPER_H */
