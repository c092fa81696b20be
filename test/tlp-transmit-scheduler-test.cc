/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * The transmit scheduler over peer sessions: round robin, one packet per session per
 * turn, and a session whose path is full never holds up the others.
 */

#include "ns3/callback.h"
#include "ns3/tlp-transmit-scheduler.h"

#include <gtest/gtest.h>
#include <vector>

using namespace ns3;

namespace
{

/// Sessions with packets to send and a path that may be full.
struct Sessions
{
    std::vector<uint32_t> queued; //!< packets left per session
    std::vector<bool> pathFull;   //!< per session: the transport cannot take one now
    std::vector<uint32_t> sent;   //!< sessions in the order their packets left

    bool HasWork(uint32_t i)
    {
        return queued[i] > 0;
    }

    bool CanSend(uint32_t i)
    {
        return !pathFull[i];
    }

    bool SendOne(uint32_t i)
    {
        if (queued[i] == 0)
        {
            return false;
        }
        queued[i]--;
        sent.push_back(i);
        return true;
    }
};

} // namespace

TEST(TlpTransmitScheduler, ABlockedSessionHoldsUpNoOther)
{
    Sessions s;
    s.queued = {3, 3, 3};
    s.pathFull = {false, true, false};
    TlpTransmitScheduler scheduler;
    scheduler.SetCallbacks(MakeCallback(&Sessions::HasWork, &s),
                           MakeCallback(&Sessions::CanSend, &s),
                           MakeCallback(&Sessions::SendOne, &s));
    for (uint32_t i = 0; i < 3; ++i)
    {
        scheduler.Activate(i); // each runs the scheduler
    }
    // Session 0 sent one packet when activated alone; then 0 and 2 take turns while 1
    // waits for its path.
    EXPECT_EQ(s.sent, (std::vector<uint32_t>{0, 0, 0, 2, 2, 2}));
    EXPECT_EQ(s.queued, (std::vector<uint32_t>{0, 3, 0}));
    // Its path has room again (the transport's ready callback runs the scheduler).
    s.pathFull[1] = false;
    scheduler.Run();
    EXPECT_EQ(s.queued, (std::vector<uint32_t>{0, 0, 0}));
    EXPECT_EQ(s.sent.size(), 9u);
}

TEST(TlpTransmitScheduler, RoundRobinOnePacketPerTurn)
{
    Sessions s;
    s.queued = {2, 3, 1};
    s.pathFull = {true, true, true};
    TlpTransmitScheduler scheduler;
    scheduler.SetCallbacks(MakeCallback(&Sessions::HasWork, &s),
                           MakeCallback(&Sessions::CanSend, &s),
                           MakeCallback(&Sessions::SendOne, &s));
    for (uint32_t i = 0; i < 3; ++i)
    {
        scheduler.Activate(i);
    }
    EXPECT_TRUE(s.sent.empty());
    s.pathFull = {false, false, false};
    scheduler.Run();
    EXPECT_EQ(s.sent, (std::vector<uint32_t>{0, 1, 2, 0, 1, 1}));
}
