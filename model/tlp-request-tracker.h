/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_REQUEST_TRACKER_H
#define TLP_REQUEST_TRACKER_H

#include "tlp-header.h"

#include "ns3/callback.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"

#include <deque>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The requester side of non-posted PCIe transactions: tags, completion
 * reassembly and the completion timeout.
 *
 * A requester (the CPU, or a NIC reading on its own) takes a tag for each MRd or
 * AtomicOp it sends. Completions are matched by tag; the completions of one read
 * arrive in address order, each one's Byte Count being what remains and its Lower
 * Address where the remaining bytes start, which the tracker checks. The data
 * callback receives the bytes with their offset in the caller's operation; the end
 * callback runs once per request with its final status: SC, the status of an
 * unsuccessful completion, or STATUS_TIMEOUT when CompletionTimeout passed.
 *
 * Tags: up to 256 requests use 8-bit tags 0..N-1; more (up to 768) use 10-bit tags
 * 256..256+N-1, since a requester with 10-bit tags enabled must not use the values
 * with Tag[9:8] = 00b (PCI Express Base Specification 4.0, 2.2.6.2). Freed tags are
 * reused oldest first. A tag whose request timed out is held for the quarantine
 * before it is used again, so that a late completion for it is never taken as the
 * answer to a new request: it is dropped and counted as unexpected.
 */
class TlpRequestTracker
{
  public:
    /// Status of a request ended by the completion timeout.
    static constexpr uint8_t STATUS_TIMEOUT = 0xFF;
    /// Most requests outstanding: 10-bit tags 256..1023.
    static constexpr uint32_t MAX_TAGS = 768;

    /// What Receive() made of a TLP.
    enum Outcome : uint8_t
    {
        NOT_OURS = 0, ///< unexpected: no request with that tag is outstanding (or it timed out)
        MALFORMED,    ///< inconsistent with the request (byte count, lower address, size)
        PARTIAL,      ///< data taken, more completions to come
        ENDED         ///< the request ended
    };

    /// Counters of what the tracker saw.
    struct Statistics
    {
        uint64_t timeouts = 0;   //!< requests ended by the completion timeout
        uint64_t unexpected = 0; //!< completions for no outstanding request
        uint64_t late = 0;       //!< of those, completions for a request that timed out
        uint64_t malformed = 0;  //!< completions inconsistent with their request
    };

    /// Callback with completion data: (cookie, offset in the operation, bytes, count).
    typedef Callback<void, uint64_t, uint32_t, const uint8_t*, uint32_t> DataCallback;
    /// Callback when a request ends: (cookie, status).
    typedef Callback<void, uint64_t, uint8_t> EndCallback;
    /// Callback when a tag leaves quarantine while a requester found none free.
    typedef Callback<void> FreedCallback;

    TlpRequestTracker();

    /**
     * \param tags number of tags, 1..768
     * \param timeout completion timeout
     * \param data data callback
     * \param end end callback
     * \param quarantine how long a timed-out tag is held (negative: as long as the timeout)
     */
    void Configure(uint32_t tags,
                   Time timeout,
                   DataCallback data,
                   EndCallback end,
                   Time quarantine = Time(-1));
    /**
     * \param freed called when a tag leaves quarantine after HasFreeTag() said none was free
     */
    void SetFreedCallback(FreedCallback freed);
    /**
     * \brief Change the times of a configured tracker (applies from now on).
     * \param timeout completion timeout
     * \param quarantine how long a timed-out tag is held
     */
    void SetTimes(Time timeout, Time quarantine);
    /// Cancel the timers and forget every request.
    void Clear();
    /// \return true when a tag is free
    bool HasFreeTag();
    /// \return requests outstanding
    uint32_t GetOutstanding() const;
    /// \return the first tag value (0 for 8-bit tags, 256 for 10-bit tags)
    uint16_t GetFirstTag() const;
    /// \return the counters
    const Statistics& GetStatistics() const;
    /**
     * \brief Reserve a tag for a request about to be sent.
     * \param cookie the caller's operation
     * \param offset offset of the request's first byte in the operation
     * \param bytes bytes expected (the operand size for AtomicOps)
     * \param firstAddress address of the first byte
     * \param atomic true for an AtomicOp (one completion, lower address reserved)
     * \return the tag
     */
    uint16_t Allocate(uint64_t cookie,
                      uint32_t offset,
                      uint32_t bytes,
                      uint64_t firstAddress,
                      bool atomic);
    /**
     * \brief The request with this tag has been sent now: start its timeout.
     * \param tag the tag
     */
    void Issued(uint16_t tag);
    /**
     * \param tag a tag
     * \return true when a request with this tag is outstanding
     */
    bool IsOutstanding(uint16_t tag) const;
    /**
     * \param tag an outstanding tag
     * \return when its request was sent
     */
    Time GetIssueTime(uint16_t tag) const;
    /**
     * \brief Take a completion.
     * \param tlp the completion
     * \param h its header
     * \return what it was
     */
    Outcome Receive(Ptr<const Packet> tlp, const TlpHeader& h);

  private:
    /// State of a tag.
    enum State : uint8_t
    {
        FREE = 0,   ///< in the free list
        BUSY,       ///< a request is outstanding
        QUARANTINED ///< its request timed out; a completion may still come
    };

    /// A request in flight.
    struct Outstanding
    {
        State state = FREE;        //!< tag state
        bool atomic = false;       //!< AtomicOp
        uint64_t cookie = 0;       //!< caller's operation
        uint32_t offset = 0;       //!< offset in the operation
        uint32_t bytes = 0;        //!< bytes expected
        uint32_t received = 0;     //!< bytes received
        uint64_t firstAddress = 0; //!< first byte's address
        uint64_t generation = 0;   //!< distinguishes reuses of the tag
        Time issued;               //!< when sent
    };

    /**
     * \param tag a tag value
     * \return its slot, or nullptr when the tag is not one of ours
     */
    Outstanding* Slot(uint16_t tag);
    /**
     * \brief Free a tag and report the end of its request.
     * \param tag the tag
     * \param status final status
     */
    void End(uint16_t tag, uint8_t status);
    /// End requests older than the timeout; arm the timer for the next.
    void CheckTimeouts();
    /// Return tags whose quarantine is over to the free list.
    void ReleaseQuarantined();
    /// A quarantine ended while a requester waited for a tag.
    void QuarantineOver();

    uint32_t m_maxTags;              //!< tag pool size
    uint16_t m_firstTag;             //!< value of the first tag
    std::vector<Outstanding> m_tags; //!< requests by tag - m_firstTag (grows up to m_maxTags)
    std::deque<uint16_t> m_free;     //!< free tags, oldest first
    /// Timed-out tags, oldest first: (tag, end of quarantine).
    std::deque<std::pair<uint16_t, Time>> m_quarantine;
    uint64_t m_generation; //!< tag reuse counter
    Time m_timeout;        //!< completion timeout
    Time m_quarantineTime; //!< how long a timed-out tag is held
    /// Sent requests, oldest first: (tag, generation).
    std::deque<std::pair<uint16_t, uint64_t>> m_order;
    EventId m_timer;       //!< timeout timer
    EventId m_freedTimer;  //!< end of the quarantine a requester waits for
    DataCallback m_data;   //!< data callback
    EndCallback m_end;     //!< end callback
    FreedCallback m_freed; //!< tag out of quarantine
    Statistics m_stats;    //!< counters
};

} // namespace ns3

#endif /* TLP_REQUEST_TRACKER_H */
