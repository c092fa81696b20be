/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_COMPLETION_ROUTER_H
#define TLP_COMPLETION_ROUTER_H

#include "tlp-header.h"

#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Where completions go: which peer a completion from the interconnect goes
 * back to, and which completions from the network the NIC accepts.
 *
 * Requester IDs are unique across the fabric, and a requester's tag names one
 * outstanding request, so (Requester ID, tag) identifies a non-posted request
 * anywhere. The router remembers, per direction, each request's peer:
 *
 * - inbound: requests from a peer placed on this node's interconnect; a completion
 *   from the interconnect goes back to that peer;
 * - outbound: requests of this node's requesters sent to a peer; a completion from
 *   the network is accepted only from the peer the request went to.
 *
 * An entry ends with the request's last completion (an unsuccessful status, a Cpl
 * without data, or a CplD whose byte count fits its data), or when the requester's
 * tag is reused. Write confirmations are routed by the writer's Requester ID to the
 * peer its confirmed writes came from, and accepted only from the peers this node's
 * writers sent confirmed writes to.
 */
class TlpCompletionRouter
{
  public:
    TlpCompletionRouter();

    /**
     * \param h a completion header
     * \return true when no further completion for its request follows
     */
    static bool IsFinal(const TlpHeader& h);

    /**
     * \brief A peer's non-posted request is placed on this node's interconnect.
     * \param peer the requester's node
     * \param request the request
     */
    void Inbound(uint32_t peer, const TlpHeader& request);
    /**
     * \brief Find (and, for the last completion, forget) the peer a completion from
     * this node's interconnect goes to.
     * \param cpl the completion
     * \param[out] peer the requester's node
     * \return false when no such request came from the network
     */
    bool RouteCompletion(const TlpHeader& cpl, uint32_t& peer);

    /**
     * \brief A local requester's non-posted request goes to a peer.
     * \param peer the completer's node
     * \param request the request
     */
    void Outbound(uint32_t peer, const TlpHeader& request);
    /**
     * \brief Accept (and, for the last one, forget) a completion from the network.
     * \param peer the node it came from
     * \param cpl the completion
     * \return false when no request of that requester and tag went to that peer
     */
    bool AcceptCompletion(uint32_t peer, const TlpHeader& cpl);
    /**
     * \brief Forget a local request sent to a peer (answered otherwise).
     * \param peer the completer's node
     * \param request the request
     * \return false when it was not remembered
     */
    bool ForgetOutbound(uint32_t peer, const TlpHeader& request);
    /**
     * \brief Forget and return the requests outstanding at a peer (it is unreachable).
     * \param peer the node
     * \return their headers
     */
    std::vector<TlpHeader> TakeOutbound(uint32_t peer);

    /**
     * \brief A peer's write that asks for confirmation is placed on this interconnect.
     * \param peer the writer's node
     * \param writer the writer's Requester ID
     */
    void InboundWrite(uint32_t peer, uint16_t writer);
    /**
     * \param writer a Requester ID
     * \param[out] peer the node its confirmed writes came from
     * \return false when none did
     */
    bool RouteConfirmation(uint16_t writer, uint32_t& peer) const;
    /**
     * \brief A local writer sends a write that asks for confirmation to a peer.
     * \param peer the node
     * \param writer the writer's Requester ID
     */
    void OutboundWrite(uint32_t peer, uint16_t writer);
    /**
     * \param peer the node a confirmation came from
     * \param writer the Requester ID it is for
     * \return true when that writer sent confirmed writes to that peer
     */
    bool AcceptConfirmation(uint32_t peer, uint16_t writer) const;

    /// \return inbound and outbound requests remembered
    uint32_t GetNEntries() const;
    /// Forget everything.
    void Clear();

  private:
    /// An outstanding request.
    struct Entry
    {
        uint32_t peer;     //!< the other node
        TlpHeader request; //!< the request (to abort it with CA)
    };

    /**
     * \param requester a Requester ID
     * \param tag a tag
     * \return the tables' key
     */
    static uint32_t Key(uint16_t requester, uint16_t tag);

    std::unordered_map<uint32_t, Entry> m_inbound;           //!< peers' requests here
    std::unordered_map<uint32_t, Entry> m_outbound;          //!< our requests at peers
    std::unordered_map<uint16_t, uint32_t> m_inboundWriters; //!< peers' confirmed writers
    /// Our confirmed writers: Requester ID to the peers they wrote to.
    std::unordered_map<uint16_t, std::vector<uint32_t>> m_outboundWriters;
};

} // namespace ns3

#endif /* TLP_COMPLETION_ROUTER_H */
