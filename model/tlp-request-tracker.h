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
 */
class TlpRequestTracker
{
  public:
    /// Status of a request ended by the completion timeout.
    static constexpr uint8_t STATUS_TIMEOUT = 0xFF;

    /// What Receive() made of a TLP.
    enum Outcome : uint8_t
    {
        NOT_OURS = 0, ///< no request with that tag is outstanding
        MALFORMED,    ///< inconsistent with the request (byte count, lower address, size)
        PARTIAL,      ///< data taken, more completions to come
        ENDED         ///< the request ended
    };

    /// Callback with completion data: (cookie, offset in the operation, bytes, count).
    typedef Callback<void, uint64_t, uint32_t, const uint8_t*, uint32_t> DataCallback;
    /// Callback when a request ends: (cookie, status).
    typedef Callback<void, uint64_t, uint8_t> EndCallback;

    TlpRequestTracker();

    /**
     * \param tags number of tags, 1..1024
     * \param timeout completion timeout
     * \param data data callback
     * \param end end callback
     */
    void Configure(uint32_t tags, Time timeout, DataCallback data, EndCallback end);
    /// Cancel the timer and forget every request.
    void Clear();
    /// \return true when a tag is free
    bool HasFreeTag() const;
    /// \return requests outstanding
    uint32_t GetOutstanding() const;
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
    /// A request in flight.
    struct Outstanding
    {
        bool busy = false;         //!< tag in use
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
     * \brief Free a tag and report the end of its request.
     * \param tag the tag
     * \param status final status
     */
    void End(uint16_t tag, uint8_t status);
    /// End requests older than the timeout; arm the timer for the next.
    void CheckTimeouts();

    uint32_t m_maxTags;              //!< tag pool size
    std::vector<Outstanding> m_tags; //!< requests by tag (grows up to m_maxTags)
    std::vector<uint16_t> m_free;    //!< free tags
    uint64_t m_generation;           //!< tag reuse counter
    Time m_timeout;                  //!< completion timeout
    /// Sent requests, oldest first: (tag, generation).
    std::deque<std::pair<uint16_t, uint64_t>> m_order;
    EventId m_timer;     //!< timeout timer
    DataCallback m_data; //!< data callback
    EndCallback m_end;   //!< end callback
};

} // namespace ns3

#endif /* TLP_REQUEST_TRACKER_H */
