/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_GRANT_AGENT_H
#define TLP_GRANT_AGENT_H

#include "tlp-export-table.h"
#include "tlp-window-table.h"
#include "tunnel-grant-header.h"
#include "tunnel-header.h"

#include "ns3/callback.h"
#include "ns3/nstime.h"
#include "ns3/random-variable-stream.h"

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The grant protocol of a NIC, both roles.
 *
 * Sender: for every receiver of a window it sends a GRANT_REQUEST with a fresh nonce,
 * and sends it again after Retry, 2 Retry, 4 Retry... (capped at MaxRetryInterval)
 * until a GRANT with that nonce arrives from that receiver, or until Attempts requests
 * went unanswered: then the receiver is FAILED and the failure is reported. A GRANT
 * that answers no outstanding request is reported as unexpected (the NIC drops and
 * counts it).
 *
 * Receiver: it answers every GRANT_REQUEST from the export table, granting a region,
 * repeating the grant a retransmitted request already holds, or refusing with a
 * reason. Requests are idempotent, so the grant protocol needs no reliable delivery.
 *
 * Control packets leave through the send callback; the outcomes reach the NIC
 * through the granted and failed callbacks. Neither holds a window across a
 * callback: windows are looked up by ID again afterwards.
 */
class TlpGrantAgent
{
  public:
    /// Reason reported when a receiver never answered.
    static constexpr uint8_t NO_ANSWER = 0xFF;

    /// Sends a control packet: (peer, kind, window ID, nonce, body).
    typedef Callback<void,
                     uint32_t,
                     TunnelHeader::Kind,
                     uint16_t,
                     uint32_t,
                     const TunnelGrantHeader&>
        SendCallback;
    /// A receiver granted a window's region: (window ID, peer, region base).
    typedef Callback<void, uint16_t, uint32_t, uint64_t> GrantedCallback;
    /// A receiver refused, or never answered: (window ID, peer, reason).
    typedef Callback<void, uint16_t, uint32_t, uint8_t> FailedCallback;

    /// What HandleGrant() made of a GRANT.
    enum Outcome : uint8_t
    {
        ACCEPTED = 0, ///< it answered an outstanding request
        DUPLICATE,    ///< a repeated answer to a request already answered
        UNEXPECTED    ///< it answers no request of ours
    };

    /**
     * \param windows the NIC's windows (sender role)
     * \param exports the NIC's exported regions (receiver role)
     */
    TlpGrantAgent(TlpWindowTable& windows, TlpExportTable& exports);

    /**
     * \param send sends control packets
     * \param granted a region was granted
     * \param failed a region was refused or never answered
     * \param isMemory tells whether a range is memory of this node
     */
    void SetCallbacks(SendCallback send,
                      GrantedCallback granted,
                      FailedCallback failed,
                      TlpExportTable::MemoryCheck isMemory);
    /**
     * \param retry first retransmission interval
     * \param maxInterval longest interval between two requests
     * \param attempts requests sent before the receiver is declared FAILED (>= 1)
     */
    void Configure(Time retry, Time maxInterval, uint32_t attempts);
    /**
     * \brief Draw nonces and region keys from a random stream, so that a node that
     * sees no packet of a grant cannot guess them, and a run repeats with its seed.
     * \param random a stream of values in [0, 2^32) (without it: 1, 2, 3...)
     */
    void SetRandom(Ptr<RandomVariableStream> random);

    /**
     * \brief Ask every receiver of a window that has not answered yet for its region.
     * \param window the window ID
     */
    void Request(uint16_t window);
    /**
     * \brief Handle a GRANT.
     * \param peer the node it came from
     * \param header its tunnel header (window ID, nonce)
     * \param body the grant
     * \return what it was
     */
    Outcome HandleGrant(uint32_t peer, const TunnelHeader& header, const TunnelGrantHeader& body);
    /**
     * \brief Answer a GRANT_REQUEST: a region and a key of its own for the window,
     * or a reason.
     * \param peer the node it came from
     * \param header its tunnel header (window ID, nonce)
     * \param body the request
     * \return the GRANT's TunnelGrantHeader::Status
     */
    uint8_t HandleRequest(uint32_t peer, const TunnelHeader& header, const TunnelGrantHeader& body);

    /// \return a fresh nonce or key, never 0 (also for the memory-ID grants)
    uint32_t Draw();

  private:
    /**
     * \brief Send (or resend) one receiver's request, or give up on it.
     * \param window the window ID
     * \param peer the receiver
     */
    void Send(uint16_t window, uint32_t peer);

    TlpWindowTable& m_windows;              //!< sender role
    TlpExportTable& m_exports;              //!< receiver role
    SendCallback m_send;                    //!< control packets out
    GrantedCallback m_granted;              //!< outcome
    FailedCallback m_failed;                //!< outcome
    TlpExportTable::MemoryCheck m_isMemory; //!< for the export table
    Time m_retry;                           //!< first retransmission interval
    Time m_maxInterval;                     //!< cap of the backoff
    uint32_t m_attempts;                    //!< requests before giving up
    uint32_t m_nextNonce;                   //!< nonce of the next request (no stream)
    Ptr<RandomVariableStream> m_random;     //!< nonces and keys
};

} // namespace ns3

#endif /* TLP_GRANT_AGENT_H */
