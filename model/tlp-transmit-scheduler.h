/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TRANSMIT_SCHEDULER_H
#define TLP_TRANSMIT_SCHEDULER_H

#include "ns3/callback.h"

#include <deque>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief Round robin over the peer sessions that have something to send, against
 * the transport's readiness: one packet per session per turn, and a session whose
 * path is full waits without holding up the others.
 *
 * Sessions are named by their index in the NIC's dense table. A session that the
 * transport cannot take now stays active and gets its turn again when the transport
 * reports room (Run() from the ready callback).
 */
class TlpTransmitScheduler
{
  public:
    /// Asks about a session: (index) -> answer.
    typedef Callback<bool, uint32_t> Query;

    TlpTransmitScheduler();

    /**
     * \param hasWork whether a session has something to send
     * \param canSend whether the transport can take a packet for its peer now
     * \param sendOne send the session's most urgent packet; false when it had none
     */
    void SetCallbacks(Query hasWork, Query canSend, Query sendOne);
    /**
     * \brief A session has something to send: give it turns.
     * \param index its index
     */
    void Activate(uint32_t index);
    /// Send while some active session has work and room on its path.
    void Run();
    /// Forget every session.
    void Clear();

  private:
    std::deque<uint32_t> m_active;   //!< sessions with turns, in order
    std::vector<uint8_t> m_isActive; //!< per index: in m_active
    bool m_running;                  //!< Run() is on the stack
    Query m_hasWork;                 //!< session query
    Query m_canSend;                 //!< transport query
    Query m_sendOne;                 //!< session action
};

} // namespace ns3

#endif /* TLP_TRANSMIT_SCHEDULER_H */
